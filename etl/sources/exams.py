"""智慧招考 (work item 十一): exam plans, sites, rooms, monitoring devices, paper-transport routes.

Exported by the 成都市教育考试院 exam-organization system before each 高考/中考. No candidate is
named anywhere: the plan counts candidates per site and room. Session timetables are reference
data (data/reference/exam_sessions.csv); the 中考 timetable there is an assumption.
"""

from etl.contract import Column as C
from etl.contract import RowCheck, Source

EXAMS = ("高考", "中考")
ROOM_TYPES = ("考场", "保密室", "考务室", "医疗室", "保卫室", "监控室")
DEVICE_TYPES = ("高清摄像头", "身份证阅读器", "人脸识别终端", "无线电屏蔽器", "金属探测器")
DEVICE_PLACES = (*ROOM_TYPES, "考点大门", "通道")
ROOM_CAPACITY = 30  # candidates per 考场 (national rule)

EXAM_PLANS = Source(
    name="exam_plans",
    title_zh="考试计划",
    title_en="Exam plans",
    files=("exam_plans*.csv", "exam_plans*.xlsx", "考试计划*.csv", "考试计划*.xlsx"),
    system="成都市教育考试院 考务管理系统",
    key=("exam", "year"),
    date_column="first_day",
    doc="One row per exam and year (2019 onwards). `candidates` is the number of candidates the "
    "city plans for; for the year whose sites are exported it equals the sum over exam_sites. "
    "Dates: 高考 follows the national calendar (2020: postponed to 7月7日); 中考 dates are "
    "*assumptions* (mid-June; data/reference/exam_calendar.csv). Candidate counts are "
    "*assumptions* (中考 ≈ 初中毕业生, 高考 80,000–100,000) and scale with the demo data.",
    columns=(
        C("exam", "考试类别", type="enum", values=EXAMS, doc="exam"),
        C("year", "年度", type="int", min=2019, max=2030, doc="year of the exam"),
        C("first_day", "开考日期", type="date", doc="first day of the exam"),
        C("last_day", "结束日期", type="date", doc="last day of the exam"),
        C(
            "candidates",
            "报名人数",
            type="int",
            min=0,
            max=2_000_000,
            doc="candidates registered (planned)",
        ),
        C("site_count", "考点数", type="int", min=0, max=5000, doc="exam sites planned"),
        C(
            "exam_room_count",
            "考场数",
            type="int",
            min=0,
            max=100_000,
            doc="exam rooms (考场) planned: ⌈candidates per site / 30⌉ summed over sites",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "days_ordered",
            "last_day",
            "t_last_day >= t_first_day AND t_last_day <= t_first_day + 6",
            "结束日期 must fall on or within 6 days after 开考日期",
        ),
        RowCheck(
            "date_in_year",
            "first_day",
            "year(t_first_day) = t_year",
            "开考日期 must fall in 年度",
        ),
        RowCheck(
            "rooms_hold_candidates",
            "exam_room_count",
            f"t_exam_room_count * {ROOM_CAPACITY} >= t_candidates",
            f"考场数 × {ROOM_CAPACITY} must hold 报名人数",
        ),
    ),
)

EXAM_SITES = Source(
    name="exam_sites",
    title_zh="考点信息",
    title_en="Exam sites",
    files=("exam_sites*.csv", "exam_sites*.xlsx", "考点信息*.csv", "考点信息*.xlsx"),
    system="成都市教育考试院 考务管理系统 (考点编排)",
    key=("site_code",),
    unit_column="unit_code",
    doc="One row per exam site (考点) of the current year's plan. A site is hosted by a school "
    "and located at it; each 考场 seats up to 30 candidates, so `exam_room_count` = "
    "⌈candidates / 30⌉ and matches the 考场 rows in exam_rooms. 标准化考点 run the five "
    "systems (考试综合业务, 考生身份验证, 作弊防控, 视频及网络监控, 应急指挥) and must have a "
    "保密室. Sites are distributed over units by population (*model*).",
    columns=(
        C(
            "site_code",
            "考点代码",
            doc="site code: exam, year, unit and sequence",
            example="GK22-510104-01",
        ),
        C("exam", "考试类别", type="enum", values=EXAMS, doc="exam"),
        C("year", "年度", type="int", min=2019, max=2030, doc="year of the exam"),
        C("site_name", "考点名称", doc="site name (the host school's name + 考点)"),
        C(
            "unit_code",
            "所属区县",
            check="unit",
            header_aliases=("考区", "区县"),
            doc="reporting unit (考区) running the site",
        ),
        C("school_id", "承办学校标识码", ref=("schools", "school_id"), doc="host school"),
        C("lon", "经度", type="float", min=102.9, max=105.0, doc="longitude, WGS-84 (host school)"),
        C("lat", "纬度", type="float", min=30.0, max=31.5, doc="latitude, WGS-84 (host school)"),
        C("candidates", "考生数", type="int", min=1, max=10_000, doc="candidates seated here"),
        C("exam_room_count", "考场数", type="int", min=1, max=300, doc="exam rooms (考场)"),
        C("is_standardized", "是否标准化考点", type="bool", doc="标准化考点 (five systems)"),
        C("has_secure_room", "是否设保密室", type="bool", doc="site keeps papers in a 保密室"),
        C(
            "command_link",
            "指挥平台联网状态",
            type="enum",
            values=("在线", "离线", "未接入"),
            doc="link of the site's monitoring to the 省–市–县 command platform at export time",
        ),
        C(
            "joint_test",
            "联调测试结果",
            type="enum",
            values=("通过", "未通过", "未测试"),
            doc="pre-exam joint test (联调) of 网上巡查, 身份认证 and 作弊防控",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "rooms_fit_candidates",
            "exam_room_count",
            f"t_exam_room_count = ceil(t_candidates / {ROOM_CAPACITY})",
            f"考场数 must be ⌈考生数 / {ROOM_CAPACITY}⌉",
        ),
        RowCheck(
            "standardized_secure_room",
            "has_secure_room",
            "NOT t_is_standardized OR t_has_secure_room",
            "a 标准化考点 must have a 保密室",
        ),
        RowCheck(
            "plan_exists",
            "year",
            "EXISTS (SELECT 1 FROM stg.exam_plans p WHERE p.exam = t.exam AND p.year = t.t_year)",
            "考试类别 and 年度 must match an exam plan",
        ),
        RowCheck(
            "unit_of_school",
            "unit_code",
            "u_unit_code = (SELECT s.unit_code FROM stg.schools s WHERE s.school_id = t.school_id)",
            "所属区县 must be the host school's unit",
        ),
    ),
)

EXAM_ROOMS = Source(
    name="exam_rooms",
    title_zh="考场编排",
    title_en="Exam rooms",
    files=("exam_rooms*.csv", "exam_rooms*.xlsx", "考场编排*.csv", "考场编排*.xlsx"),
    system="成都市教育考试院 考务管理系统 (考场编排)",
    key=("room_code",),
    doc="One row per room a site uses: 考场 (30 candidates each; a site's last 考场 may hold "
    "fewer), 保密室, 考务室, 医疗室, 保卫室 and 监控室 (0 candidates).",
    columns=(
        C(
            "room_code",
            "考场编号",
            doc="room code: site code + 3-digit number",
            example="GK22-510104-01-001",
        ),
        C("site_code", "考点代码", ref=("exam_sites", "site_code"), doc="site"),
        C("room_type", "场室类型", type="enum", values=ROOM_TYPES, doc="what the room is for"),
        C("room_name", "场室名称", doc="room name as signposted (第001考场, 保密室 …)"),
        C("building", "楼栋", required=False, doc="building and floor"),
        C(
            "candidates",
            "编排考生数",
            type="int",
            min=0,
            max=ROOM_CAPACITY,
            doc="candidates seated (考场 only)",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "candidates_by_type",
            "candidates",
            f"CASE WHEN room_type = '考场' THEN t_candidates BETWEEN 1 AND {ROOM_CAPACITY} "
            "ELSE t_candidates = 0 END",
            f"a 考场 seats 1–{ROOM_CAPACITY} candidates; other rooms seat none",
        ),
        RowCheck(
            "code_in_site",
            "room_code",
            "starts_with(room_code, site_code || '-')",
            "考场编号 must begin with its 考点代码",
        ),
    ),
)

EXAM_DEVICES = Source(
    name="exam_devices",
    title_zh="考点设备登记",
    title_en="Exam-site monitoring devices",
    files=("exam_devices*.csv", "exam_devices*.xlsx", "考点设备*.csv", "考点设备*.xlsx"),
    system="标准化考点 视频及网络监控 / 考生身份验证 / 作弊防控 系统台账",
    key=("device_id",),
    doc="One row per registered device. Rules (data/reference/exam_device_types.csv): ≥1 HD camera "
    "per 考场, ≥2 in the 保密室, ≥2 at the gate, ID-card readers ≈ 1 per 300 candidates, a radio "
    "jammer and a handheld metal detector per 考场 (the last two counts are *assumptions*). The "
    "rules count registered devices; `status` is the state at export time. A few sites are "
    "deliberately short of cameras in the demo data (manifest.json → planted.exams).",
    columns=(
        C("device_id", "设备编号", doc="device id: site code + D + 4 digits"),
        C("site_code", "考点代码", ref=("exam_sites", "site_code"), doc="site"),
        C(
            "room_code",
            "考场编号",
            required=False,
            ref=("exam_rooms", "room_code"),
            doc="room it is installed in (blank at the gate or in corridors)",
        ),
        C("location", "安装位置", type="enum", values=DEVICE_PLACES, doc="where it is installed"),
        C("device_type", "设备类型", type="enum", values=DEVICE_TYPES, doc="device type"),
        C(
            "is_networked",
            "是否接入网上巡查",
            type="bool",
            doc="streams/reports to the command platform (网上巡查)",
        ),
        C(
            "status",
            "设备状态",
            type="enum",
            values=("正常", "故障", "离线"),
            doc="state at export",
        ),
        C("installed_year", "安装年份", type="int", min=2010, max=2030, doc="year installed"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "room_for_location",
            "room_code",
            "CASE WHEN location IN ('考点大门', '通道') THEN room_code IS NULL "
            "ELSE room_code IS NOT NULL END",
            "devices in a room name the room; devices at the gate or in corridors name none",
        ),
        RowCheck(
            "room_matches_location",
            "location",
            "room_code IS NULL OR location = "
            "(SELECT r.room_type FROM stg.exam_rooms r WHERE r.room_code = t.room_code)",
            "安装位置 must be the type of the room named",
        ),
        RowCheck(
            "room_in_site",
            "room_code",
            "room_code IS NULL OR site_code = "
            "(SELECT r.site_code FROM stg.exam_rooms r WHERE r.room_code = t.room_code)",
            "the room must belong to the device's site",
        ),
    ),
)

TRANSPORT_ROUTES = Source(
    name="transport_routes",
    title_zh="试卷运送路线",
    title_en="Paper-transport routes",
    files=("transport_routes*.csv", "transport_routes*.xlsx", "试卷运送*.csv", "试卷运送*.xlsx"),
    system="试卷运送 GPS 监管系统 (路线计划)",
    key=("route_id",),
    date_column="planned_depart",
    doc="Planned routes of the vehicles carrying papers for each session: 送卷 from the unit's "
    "保密室 (data/reference/exam_secure_rooms.csv; locations *modelled*) to a site before the "
    "session starts, 回收 of the answer sheets from the site back to the 保密室 after it ends. "
    "The GPS feed compares live positions with `waypoints` (a compact polyline "
    "`lon,lat;lon,lat;…`, WGS-84) and the time window, and alarms on a stop longer than "
    "`max_stop_minutes`. Vehicle ids are fleet plate numbers, not personal data.",
    columns=(
        C("route_id", "路线编号", doc="route id"),
        C("exam", "考试类别", type="enum", values=EXAMS, doc="exam"),
        C(
            "session_code",
            "场次代码",
            ref=("ref.exam_sessions", "session_code"),
            doc="session (data/reference/exam_sessions.csv)",
        ),
        C(
            "leg",
            "运送类型",
            type="enum",
            values=("送卷", "回收"),
            doc="送卷: papers 保密室 → site; 回收: answer sheets site → 保密室",
        ),
        C(
            "secure_room_code",
            "保密室代码",
            ref=("ref.exam_secure_rooms", "room_code"),
            doc="the unit's 保密室",
        ),
        C("site_code", "考点代码", ref=("exam_sites", "site_code"), doc="site served"),
        C("vehicle_id", "车辆编号", doc="vehicle (plate number)", example="川A7K2Q9"),
        C("planned_depart", "计划出发时间", type="datetime", doc="planned departure"),
        C("planned_arrive", "计划到达时间", type="datetime", doc="planned arrival"),
        C("waypoints", "规划路径", doc="planned path, `lon,lat;lon,lat;…` (≥ 2 points)"),
        C(
            "max_stop_minutes",
            "最长停留(分钟)",
            type="int",
            min=0,
            max=60,
            doc="longest stop allowed before the feed raises a long-stop alarm",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "times_ordered",
            "planned_arrive",
            "t_planned_arrive > t_planned_depart "
            "AND t_planned_arrive <= t_planned_depart + INTERVAL 4 HOUR",
            "计划到达时间 must follow 计划出发时间 by at most 4 hours",
        ),
        RowCheck(
            "waypoints_format",
            "waypoints",
            "regexp_full_match(waypoints, "
            "'[0-9]{3}\\.[0-9]+,[0-9]{2}\\.[0-9]+(;[0-9]{3}\\.[0-9]+,[0-9]{2}\\.[0-9]+)+')",
            "规划路径 must be at least two points written lon,lat;lon,lat",
        ),
        RowCheck(
            "session_of_exam",
            "session_code",
            "exam = (SELECT s.exam_zh FROM ref.exam_sessions s "
            "WHERE s.session_code = t.session_code)",
            "场次代码 must be a session of 考试类别",
        ),
        RowCheck(
            "site_of_exam",
            "site_code",
            "exam = (SELECT e.exam FROM stg.exam_sites e WHERE e.site_code = t.site_code)",
            "the site must belong to the same exam",
        ),
        RowCheck(
            "papers_before_start",
            "planned_arrive",
            "leg <> '送卷' OR t_planned_arrive <= (SELECT p.first_day + CAST(s.day_offset AS "
            "INTEGER) + s.start_time FROM ref.exam_sessions s JOIN stg.exam_plans p "
            "ON p.exam = s.exam_zh AND p.year = year(t.t_planned_depart) "
            "WHERE s.session_code = t.session_code)",
            "送卷 must arrive before the session starts",
        ),
        RowCheck(
            "sheets_after_end",
            "planned_depart",
            "leg <> '回收' OR t_planned_depart >= (SELECT p.first_day + CAST(s.day_offset AS "
            "INTEGER) + s.end_time FROM ref.exam_sessions s JOIN stg.exam_plans p "
            "ON p.exam = s.exam_zh AND p.year = year(t.t_planned_depart) "
            "WHERE s.session_code = t.session_code)",
            "回收 must leave after the session ends",
        ),
    ),
)

SOURCES = [EXAM_PLANS, EXAM_SITES, EXAM_ROOMS, EXAM_DEVICES, TRANSPORT_ROUTES]

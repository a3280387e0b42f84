"""The four base databases (学生, 教师, 学校, 装备) and the digital-campus assessments."""

from etl.contract import Column as C
from etl.contract import RowCheck, Source

LEVELS = ("幼儿园", "小学", "初中", "高中", "中职", "特教")
SUBJECTS = (
    "语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "信息技术",
    "科学", "音乐", "体育", "美术", "学前教育", "专业课", "特殊教育", "其他",
)  # fmt: skip

SCHOOLS = Source(
    name="schools",
    title_zh="学校基础信息",
    title_en="Schools",
    files=("schools*.csv", "schools*.xlsx", "学校基础信息*.csv", "学校基础信息*.xlsx"),
    system="教育管理信息系统 (学校机构库)",
    base="schools",
    key=("school_id",),
    unit_column="unit_code",
    doc="One row per school (机构). 九年一贯制 and 完全中学 count under every level they serve.",
    columns=(
        C(
            "school_id",
            "学校标识码",
            check="school_id",
            doc="national school identifier",
            example="2151000123",
        ),
        C("school_name", "学校名称", doc="official name"),
        C(
            "credit_code",
            "统一社会信用代码",
            check="credit_code",
            required=False,
            doc="legal-entity code (public schools 12…, 民办 52…)",
        ),
        C(
            "unit_code",
            "所属区县",
            check="unit",
            header_aliases=("所属单位", "区县"),
            doc="reporting unit (division or functional zone) administering the school",
        ),
        C(
            "school_type",
            "办学类型",
            ref=("ref.school_types", "type_zh"),
            doc="type of school (data/reference/school_types.csv)",
        ),
        C("ownership", "办别", type="enum", values=("公办", "民办"), doc="public or private"),
        C(
            "urban_rural",
            "城乡分类",
            type="enum",
            values=("城区", "镇区", "乡村"),
            doc="urban/rural classification of the school's location",
        ),
        C("lon", "经度", type="float", min=102.9, max=105.0, doc="longitude, WGS-84"),
        C("lat", "纬度", type="float", min=30.0, max=31.5, doc="latitude, WGS-84"),
        C(
            "founded_year",
            "建校年份",
            type="int",
            min=1890,
            max=2022,
            required=False,
            doc="year founded",
        ),
        C("class_count", "班级数", type="int", min=0, max=400, doc="number of classes"),
        C("address", "地址", required=False, doc="street address"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "school_id_type",
            "school_id",
            "list_contains(string_split((SELECT id_prefixes FROM ref.school_types st "
            "WHERE st.type_zh = school_type), '|'), substr(school_id, 1, 2))",
            "the type code (first two digits) of 学校标识码 must match 办学类型",
        ),
        RowCheck(
            "credit_code_ownership",
            "credit_code",
            "credit_code IS NULL OR (ownership = '公办' AND substr(credit_code, 1, 2) = '12') "
            "OR (ownership = '民办' AND substr(credit_code, 1, 2) = '52')",
            "public schools' credit codes start 12, private (民办) schools' 52",
        ),
    ),
)

TEACHERS = Source(
    name="teachers",
    title_zh="教职工信息",
    title_en="Teachers and staff",
    files=("teachers*.csv", "teachers*.xlsx", "教职工信息*.csv", "教职工信息*.xlsx"),
    system="全国教师管理信息系统 (成都市导出)",
    base="teachers",
    key=("teacher_key",),
    unit_column=None,
    doc="One row per staff member. Full-time teachers are rows with 岗位类别 = 专任教师.",
    columns=(
        C(
            "id_number",
            "身份证件号",
            check="id_number",
            personal="pseudonym",
            key_as="teacher_key",
            doc="居民身份证号; the person key",
        ),
        C("name", "姓名", personal="drop", doc="name"),
        C("gender", "性别", type="enum", values=("男", "女"), doc="gender"),
        C(
            "birth_date",
            "出生日期",
            type="date",
            personal="year",
            key_as="birth_year",
            doc="date of birth",
        ),
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school of employment"),
        C("teaching_level", "任教学段", type="enum", values=LEVELS, doc="level taught"),
        C("subject", "任教学科", type="enum", values=SUBJECTS, doc="main subject"),
        C(
            "post",
            "岗位类别",
            type="enum",
            values=("专任教师", "行政人员", "教辅人员", "工勤人员"),
            doc="post category",
        ),
        C(
            "title",
            "专业技术职务",
            type="enum",
            values=("正高级", "高级", "一级", "二级", "三级", "未定级"),
            doc="professional title",
        ),
        C(
            "education",
            "最高学历",
            type="enum",
            values=("研究生", "本科", "专科", "高中及以下"),
            doc="highest degree",
        ),
        C("start_year", "参加工作年份", type="int", min=1960, max=2022, doc="year started work"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "id_gender_match",
            "gender",
            "gender = CASE WHEN (ascii(substr(id_number, 17, 1)) - 48) % 2 = 1 "
            "THEN '男' ELSE '女' END",
            "性别 must match the gender digit of 身份证件号",
        ),
        RowCheck(
            "id_birth_match",
            "birth_date",
            "substr(id_number, 7, 8) = strftime(t_birth_date, '%Y%m%d')",
            "出生日期 must match the birth date in 身份证件号",
        ),
    ),
)

STUDENTS = Source(
    name="students",
    title_zh="学生学籍信息",
    title_en="Student register",
    files=("students*.csv", "students*.xlsx", "学生学籍信息*.csv", "学生学籍信息*.xlsx"),
    system="全国中小学生学籍信息管理系统 / 幼儿园管理系统",
    base="students",
    key=("student_key",),
    doc="One row per enrolled pupil. Candidates' and pupils' names never reach the database.",
    columns=(
        C(
            "xueji",
            "学籍号",
            check="xueji",
            personal="pseudonym",
            key_as="student_key",
            doc="national student number; the person key",
        ),
        C("name", "姓名", personal="drop", doc="name"),
        C(
            "id_number",
            "身份证件号",
            check="id_number",
            personal="drop",
            required=False,
            doc="居民身份证号 (absent for pupils without one)",
        ),
        C("gender", "性别", type="enum", values=("男", "女"), doc="gender"),
        C(
            "birth_date",
            "出生日期",
            type="date",
            personal="year",
            key_as="birth_year",
            doc="date of birth",
        ),
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("level", "学段", type="enum", values=LEVELS, doc="level"),
        C("grade", "年级", type="int", min=1, max=6, doc="grade within the level (1 …)"),
        C("enrol_date", "入学日期", type="date", doc="date of enrolment"),
        C("is_migrant", "随迁子女", type="bool", doc="child of migrant workers"),
        C("is_boarding", "寄宿生", type="bool", doc="boards at school"),
        C("is_left_behind", "留守儿童", type="bool", doc="left-behind child"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "id_birth_match",
            "birth_date",
            "id_number IS NULL OR substr(id_number, 7, 8) = strftime(t_birth_date, '%Y%m%d')",
            "出生日期 must match the birth date in 身份证件号",
        ),
        RowCheck(
            "xueji_id_match",
            "xueji",
            "id_number IS NULL OR NOT starts_with(xueji, 'G') OR xueji = 'G' || id_number",
            "a G-type 学籍号 is G followed by the pupil's 身份证件号",
        ),
        RowCheck(
            "grade_in_level",
            "grade",
            "t_grade <= CASE level WHEN '小学' THEN 6 WHEN '特教' THEN 6 ELSE 3 END",
            "年级 must exist in the 学段 (小学/特教 1–6, others 1–3)",
        ),
    ),
)

EQUIPMENT = Source(
    name="equipment",
    title_zh="教育技术装备统计",
    title_en="Equipment and infrastructure",
    files=("equipment*.csv", "equipment*.xlsx", "装备统计*.csv", "装备统计*.xlsx"),
    system="教育技术装备管理系统 (年报)",
    base="equipment",
    key=("school_id", "year"),
    date_column="year",
    doc="One row per school and statistical year (2022 = position at the data's as-of date).",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("year", "统计年度", type="int", min=2019, max=2022, doc="statistical year"),
        C(
            "bandwidth_mbps",
            "出口带宽(Mbps)",
            type="float",
            min=0,
            max=100000,
            doc="internet uplink",
        ),
        C(
            "wifi_teaching_pct",
            "无线覆盖教学区比例(%)",
            type="float",
            min=0,
            max=100,
            doc="share of teaching areas with Wi-Fi",
        ),
        C("classroom_count", "教室数", type="int", min=0, max=1000, doc="ordinary classrooms"),
        C(
            "multimedia_classroom_count",
            "多媒体教室数",
            type="int",
            min=0,
            max=1000,
            doc="classrooms with multimedia equipment",
        ),
        C(
            "smart_classroom_count",
            "智慧教室数",
            type="int",
            min=0,
            max=1000,
            doc="smart classrooms (item 六)",
        ),
        C(
            "teacher_terminal_count",
            "教师终端数",
            type="int",
            min=0,
            max=10000,
            doc="computers/tablets for teachers",
        ),
        C(
            "student_terminal_count",
            "学生终端数",
            type="int",
            min=0,
            max=50000,
            doc="computers/tablets for pupils",
        ),
        C("maker_lab_count", "创客实验室数", type="int", min=0, max=50, doc="maker labs"),
        C(
            "vr_lab_count",
            "虚拟仿真实验室数",
            type="int",
            min=0,
            max=50,
            doc="virtual-simulation labs",
        ),
        C("steam_lab_count", "STEAM实验室数", type="int", min=0, max=50, doc="STEAM labs"),
        C("has_ipv6", "是否部署IPv6", type="bool", doc="campus network serves IPv6"),
        C("is_5g_demo", "是否5G示范校", type="bool", doc="5G demonstration school"),
        C("is_iot_pilot", "是否物联网应用试点", type="bool", doc="IoT pilot school"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "multimedia_le_classrooms",
            "multimedia_classroom_count",
            "t_multimedia_classroom_count <= t_classroom_count",
            "多媒体教室数 cannot exceed 教室数",
        ),
    ),
)

CAMPUS_DIMENSIONS = (
    ("score_bandwidth", "出口带宽得分", "uplink bandwidth"),
    ("score_wifi", "无线覆盖得分", "Wi-Fi coverage of teaching areas"),
    ("score_multimedia", "多媒体教室得分", "multimedia classroom ratio"),
    ("score_terminals", "终端配备得分", "terminals per teacher/pupil"),
    ("score_platforms", "平台应用得分", "platforms in use"),
    ("score_resources", "数字资源得分", "digital resources"),
    ("score_security", "网络安全得分", "cybersecurity"),
    ("score_support", "保障机制得分", "support mechanisms"),
)

CAMPUS_ASSESSMENTS = Source(
    name="campus_assessments",
    title_zh="数字校园建设评估",
    title_en="Digital-campus assessments",
    files=("campus_assessments*.csv", "campus_assessments*.xlsx", "数字校园评估*.csv"),
    system="四川省数字校园建设评估系统 (季度导出)",
    key=("school_id", "period"),
    date_column="assessed_on",
    doc="One row per school and quarter in which the school was assessed against the "
    "digital-campus specification. Dimension scores are 0–100; whether a school is *covered* is "
    "decided by the pass rule in data/reference/campus_criteria.csv, not by the export's own "
    "conclusion (both are kept).",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("period", "评估期", check="period", doc="quarter of the assessment"),
        C("assessed_on", "评估日期", type="date", doc="date of the assessment"),
        *(
            C(name, hdr, type="float", min=0, max=100, doc=f"score: {en}")
            for name, hdr, en in CAMPUS_DIMENSIONS
        ),
        C(
            "reported_result",
            "评估结论",
            type="enum",
            values=("达标", "未达标"),
            doc="the assessor's conclusion",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "date_in_period",
            "assessed_on",
            "year(t_assessed_on)::VARCHAR || 'Q' || quarter(t_assessed_on)::VARCHAR = period",
            "评估日期 must fall in 评估期",
        ),
    ),
)

SOURCES = [SCHOOLS, TEACHERS, STUDENTS, EQUIPMENT, CAMPUS_ASSESSMENTS]

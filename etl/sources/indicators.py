"""Indicators of the other work items: learning spaces (五), online services (十三), pupils'
information literacy (十五), typical cases (四), demonstrations (六, 八) and the supervision
office's task list of all 18 items (一–十八)."""

from etl.contract import Column as C
from etl.contract import RowCheck, Source
from etl.sources.resources import SCHOOL_IN_UNIT

CASE_FIELDS = (
    "项目式学习", "翻转课堂", "学生评价改革", "网络学习空间应用", "人工智能教育", "智慧课堂",
    "混合式教学", "三个课堂", "家校协同", "教育治理",
)  # fmt: skip
CASE_STATUS = ("征集", "推荐", "入选年度十大特色案例")
DEMO_STATUS = ("申报", "建设中", "通过验收")
PLAN_STATUS = ("未启动", "进行中", "已完成", "延期")
OFFICES = (
    "科技处", "市技装中心", "普教处", "学前处", "高职处", "终身与民办处", "人事与教师处", "规划处",
    "法规处", "督导办", "德育与宣传处", "市教科院", "市教育考试院",
)  # fmt: skip

LEARNING_SPACE = Source(
    name="learning_space",
    title_zh="网络学习空间应用统计",
    title_en="Online learning spaces: adoption",
    files=(
        "learning_space*.csv",
        "learning_space*.xlsx",
        "网络学习空间*.csv",
        "网络学习空间*.xlsx",
    ),
    system="成都市网络学习空间平台 (人人通; 月度统计)",
    key=("school_id", "month"),
    date_column="month",
    doc="One row per school and month from the month its first spaces were opened (work item "
    "五). Opened spaces are cumulative; *monthly active* means at least one login with a "
    "teaching or learning action in the month. Kindergartens are out of scope (*assumption*). "
    "Activity drops in the holidays and jumped in the spring-2020 closures.",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("month", "统计月份", check="month", doc="month"),
        C(
            "teacher_space_count",
            "教师空间开通数",
            type="int",
            min=0,
            max=5000,
            doc="teachers with a space (cumulative)",
        ),
        C(
            "student_space_count",
            "学生空间开通数",
            type="int",
            min=0,
            max=50000,
            doc="pupils with a space (cumulative)",
        ),
        C(
            "active_teacher_count",
            "月活跃教师数",
            type="int",
            min=0,
            max=5000,
            doc="teachers active in the month",
        ),
        C(
            "active_student_count",
            "月活跃学生数",
            type="int",
            min=0,
            max=50000,
            doc="pupils active in the month",
        ),
    ),
    row_checks=(
        RowCheck(
            "active_teachers_le_opened",
            "active_teacher_count",
            "t_active_teacher_count <= t_teacher_space_count",
            "月活跃教师数 cannot exceed 教师空间开通数",
        ),
        RowCheck(
            "active_students_le_opened",
            "active_student_count",
            "t_active_student_count <= t_student_space_count",
            "月活跃学生数 cannot exceed 学生空间开通数",
        ),
    ),
)

ONLINE_SERVICES = Source(
    name="online_services",
    title_zh="教育政务服务办件统计",
    title_en="Online education services",
    files=("online_services*.csv", "online_services*.xlsx", "政务服务*.csv", "政务服务*.xlsx"),
    system="天府市民云 / 蓉易办 / 蓉易享 (教育事项办件统计)",
    key=("unit_code", "month", "service"),
    unit_column="unit_code",
    date_column="month",
    doc="One row per unit, month and service with at least one application (work item 十三). "
    "Services and their platforms are listed in data/reference/services.csv. Volumes follow "
    "the calendar of each service (入学 May–August, 中考成绩查询 in July, 缴费 at the start of "
    "each semester) and scale with `--scale`; 查询 and 缴费 are instant (0 hours). "
    "*Assumption*: per-unit monthly figures (the platforms' own reports are not public).",
    columns=(
        C(
            "unit_code",
            "办理地区",
            check="unit",
            header_aliases=("所属区县",),
            doc="unit where the application was made",
        ),
        C("month", "统计月份", check="month", doc="month"),
        C(
            "service",
            "服务事项",
            ref=("ref.services", "name_zh"),
            doc="service (data/reference/services.csv)",
        ),
        C(
            "application_count",
            "申请量",
            type="int",
            min=0,
            doc="applications (look-ups, payments)",
        ),
        C("completed_count", "办结量", type="int", min=0, doc="applications completed"),
        C(
            "avg_hours",
            "平均办理时长(小时)",
            type="float",
            min=0,
            max=2000,
            required=False,
            doc="average time from application to completion",
        ),
        C(
            "satisfaction_pct",
            "满意率(%)",
            type="float",
            min=0,
            max=100,
            required=False,
            doc="share of rated applications rated satisfied (好差评)",
        ),
    ),
    row_checks=(
        RowCheck(
            "completed_le_applications",
            "completed_count",
            "t_completed_count <= t_application_count",
            "办结量 cannot exceed 申请量",
        ),
    ),
)

COMPETITIONS = Source(
    name="competitions",
    title_zh="学生信息素养竞赛成绩",
    title_en="Pupils' IT competitions",
    files=("competitions*.csv", "competitions*.xlsx", "信息化竞赛*.csv", "信息化竞赛*.xlsx"),
    system="成都市中小学信息化竞赛活动管理系统 (市级评选结果; system name assumed)",
    key=("year", "event", "school_id", "level"),
    date_column="year",
    doc="One row per year, event (data/reference/competitions.csv), school and level at the "
    "city stage (work item 十五: 电脑制作、创客、机器人等信息化竞赛). Events whose city stage "
    "falls after the as-of date are not in the year yet. Participation fell in 2020.",
    columns=(
        C("year", "年度", type="int", min=2019, max=2030, doc="year of the city stage"),
        C("event", "竞赛项目", ref=("ref.competitions", "name_zh"), doc="event"),
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C(
            "level",
            "组别",
            type="enum",
            values=("小学", "初中", "高中", "中职"),
            doc="age group (school level)",
        ),
        C("entry_count", "参赛作品数", type="int", min=1, max=500, doc="entries (works or teams)"),
        C("first_prize_count", "一等奖", type="int", min=0, doc="first prizes"),
        C("second_prize_count", "二等奖", type="int", min=0, doc="second prizes"),
        C("third_prize_count", "三等奖", type="int", min=0, doc="third prizes"),
    ),
    row_checks=(
        RowCheck(
            "awards_le_entries",
            "entry_count",
            "t_first_prize_count + t_second_prize_count + t_third_prize_count <= t_entry_count",
            "prizes cannot exceed entries",
        ),
        RowCheck(
            "level_in_event",
            "level",
            "list_contains(string_split((SELECT levels FROM ref.competitions c "
            "WHERE c.name_zh = event), '|'), level)",
            "the event has no such 组别 (see competitions.csv levels)",
        ),
    ),
)

IT_COURSES = Source(
    name="it_courses",
    title_zh="信息技术课程开设情况",
    title_en="IT courses",
    files=("it_courses*.csv", "it_courses*.xlsx", "信息技术课程*.csv", "信息技术课程*.xlsx"),
    system="教育事业统计 课程开设专项 (学年报)",
    key=("school_id", "school_year"),
    doc="One row per school (小学 to 中职; kindergartens and special schools out of scope) and "
    "school year, written `YYYY-YYYY` (work item 十五: 认真落实信息技术课程标准, 广泛开展信息技术类"
    "综合实践课). 信息技术教师数 counts full-time teachers of the subject; *qualified* ones hold "
    "a matching degree or certificate (*assumption*: the bureau's definition).",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("school_year", "学年", doc="school year, e.g. 2021-2022"),
        C("is_offered", "是否开设信息技术课程", type="bool", doc="IT course offered"),
        C(
            "weekly_hours",
            "周课时",
            type="float",
            min=0,
            max=10,
            doc="IT lessons per class and week (0 when not offered)",
        ),
        C(
            "it_teacher_count",
            "信息技术教师数",
            type="int",
            min=0,
            max=100,
            doc="full-time IT teachers",
        ),
        C(
            "qualified_it_teacher_count",
            "合格信息技术教师数",
            type="int",
            min=0,
            max=100,
            doc="of which qualified for the subject",
        ),
        C(
            "has_practice_course",
            "是否开设信息技术类综合实践课",
            type="bool",
            doc="IT-related practice course (综合实践活动) offered",
        ),
    ),
    row_checks=(
        RowCheck(
            "school_year_format",
            "school_year",
            "regexp_full_match(school_year, '20[0-9]{2}-20[0-9]{2}') AND "
            "TRY_CAST(right(school_year, 4) AS INTEGER) = "
            "TRY_CAST(left(school_year, 4) AS INTEGER) + 1",
            "学年 must be written YYYY-YYYY with consecutive years",
        ),
        RowCheck(
            "hours_match_offered",
            "weekly_hours",
            "(t_is_offered AND t_weekly_hours > 0) OR (NOT t_is_offered AND t_weekly_hours = 0)",
            "周课时 must be > 0 when the course is offered and 0 when it is not",
        ),
        RowCheck(
            "qualified_le_teachers",
            "qualified_it_teacher_count",
            "t_qualified_it_teacher_count <= t_it_teacher_count",
            "合格信息技术教师数 cannot exceed 信息技术教师数",
        ),
    ),
)

TYPICAL_CASES = Source(
    name="typical_cases",
    title_zh="融合创新典型案例",
    title_en="Typical cases of IT-enabled teaching",
    files=("typical_cases*.csv", "typical_cases*.xlsx", "典型案例*.csv", "典型案例*.xlsx"),
    system="普教处 案例征集汇总表",
    key=("case_id",),
    unit_column="unit_code",
    date_column="submitted_on",
    doc="One row per case submitted to the yearly call (work item 四: 征集一批典型案例, 遴选年度"
    "“十大特色案例”). Units recommend their best cases (推荐); ten a year are selected "
    "(入选年度十大特色案例) at the year's end, so the current year has none yet. Regional cases "
    "have no school. The count of cases scales mildly with `--scale`; the ten do not.",
    columns=(
        C("case_id", "案例编号", doc="case number (AL + year + sequence)", example="AL2021-0042"),
        C("title", "案例名称", doc="title"),
        C(
            "unit_code",
            "申报单位",
            check="unit",
            header_aliases=("所属区县",),
            doc="reporting unit",
        ),
        C(
            "school_id",
            "学校标识码",
            ref=("schools", "school_id"),
            required=False,
            doc="school (blank for a regional case)",
        ),
        C("contact_name", "案例负责人", personal="drop", required=False, doc="contact person"),
        C("year", "征集年度", type="int", min=2019, max=2030, doc="year of the call"),
        C("field", "案例领域", type="enum", values=CASE_FIELDS, doc="field of practice"),
        C("submitted_on", "申报日期", type="date", doc="date submitted"),
        C("status", "遴选状态", type="enum", values=CASE_STATUS, doc="stage reached"),
    ),
    row_checks=(
        RowCheck(
            "submitted_in_year",
            "submitted_on",
            "year(t_submitted_on) = t_year",
            "申报日期 must fall in 征集年度",
        ),
        RowCheck(
            "school_in_unit", "school_id", SCHOOL_IN_UNIT, "the school must belong to 申报单位"
        ),
    ),
)

_SCOPE = "(SELECT scope FROM ref.demonstration_kinds k WHERE k.kind_zh = kind)"

DEMONSTRATION = Source(
    name="demonstration",
    title_zh="智慧教育试点示范项目",
    title_en="Smart-education pilots and demonstrations",
    files=("demonstration*.csv", "demonstration*.xlsx", "试点示范*.csv", "试点示范*.xlsx"),
    system="科技处 试点示范项目台账",
    key=("project_id",),
    unit_column="unit_code",
    date_column="batch_year",
    doc="One row per demonstration or pilot project (work items 六 and 八), of a unit (示范区, "
    "试点区) or a school (示范校, 试点校): kinds and their scope in "
    "data/reference/demonstration_kinds.csv. Zones report the components of "
    "“一平台一中心、一校一空间三库” in place, schools the five criteria "
    "“数据化、智能化、资源化、智慧化、场景化”; the other kinds leave them blank. *Assumption*: "
    "the reading of 三库 as 资源库, 数据库, 应用库; the count of projects scales mildly.",
    columns=(
        C("project_id", "项目编号", doc="project number", example="SF2021-017"),
        C("kind", "项目类型", ref=("ref.demonstration_kinds", "kind_zh"), doc="kind of project"),
        C(
            "tier",
            "级别",
            type="enum",
            values=("国家级", "省级", "市级"),
            doc="level of the programme",
        ),
        C("batch_year", "批次年度", type="int", min=2015, max=2030, doc="year of the batch"),
        C(
            "unit_code",
            "所属区县",
            check="unit",
            doc="unit (the zone itself, or the school's unit)",
        ),
        C(
            "school_id",
            "学校标识码",
            ref=("schools", "school_id"),
            required=False,
            doc="school (school projects only)",
        ),
        C("status", "建设状态", type="enum", values=DEMO_STATUS, doc="stage"),
        C("accepted_on", "验收日期", type="date", required=False, doc="date of acceptance"),
        C(
            "has_platform",
            "一平台",
            type="bool",
            required=False,
            doc="zone: regional smart-education platform",
        ),
        C(
            "has_data_center",
            "一中心",
            type="bool",
            required=False,
            doc="zone: education data centre",
        ),
        C(
            "has_school_spaces",
            "一校一空间",
            type="bool",
            required=False,
            doc="zone: every school has its online space",
        ),
        C(
            "has_resource_library",
            "资源库",
            type="bool",
            required=False,
            doc="zone: resource library (三库)",
        ),
        C(
            "has_data_library",
            "数据库",
            type="bool",
            required=False,
            doc="zone: base-data library (三库)",
        ),
        C(
            "has_application_library",
            "应用库",
            type="bool",
            required=False,
            doc="zone: application library (三库)",
        ),
        C("is_datafied", "数据化", type="bool", required=False, doc="school: 数据化"),
        C("is_intelligent", "智能化", type="bool", required=False, doc="school: 智能化"),
        C("is_resourced", "资源化", type="bool", required=False, doc="school: 资源化"),
        C("is_smart", "智慧化", type="bool", required=False, doc="school: 智慧化"),
        C("has_scenarios", "场景化", type="bool", required=False, doc="school: 场景化"),
    ),
    row_checks=(
        RowCheck(
            "school_for_school_kind",
            "school_id",
            f"({_SCOPE} = 'school') = (school_id IS NOT NULL)",
            "school projects need 学校标识码, zone projects must leave it blank",
        ),
        RowCheck(
            "accepted_date",
            "accepted_on",
            "(status = '通过验收') = (t_accepted_on IS NOT NULL)",
            "验收日期 is given exactly when 建设状态 is 通过验收",
        ),
        RowCheck(
            "accepted_after_batch",
            "accepted_on",
            "t_accepted_on IS NULL OR year(t_accepted_on) >= t_batch_year",
            "验收日期 cannot precede the batch year",
        ),
        RowCheck(
            "school_in_unit", "school_id", SCHOOL_IN_UNIT, "the school must belong to 所属区县"
        ),
    ),
)

PLAN_DELIVERABLES = Source(
    name="plan_deliverables",
    title_zh="工作要点任务清单",
    title_en="Work-plan deliverables",
    files=("plan_deliverables*.csv", "plan_deliverables*.xlsx", "任务清单*.csv", "任务清单*.xlsx"),
    system="督导办 工作要点督办台账 (Excel)",
    key=("task_id",),
    date_column="due_on",
    doc="The supervision office's list of deliverables of the 18 work items of "
    "《2021年教育信息化和网络安全工作要点》 (data/reference/work_items.csv), each with its "
    "lead office, due date, status and progress as last updated. Feeds the cockpit's status "
    "of the planning items 一–三. The list itself is an *assumption* built from the plan "
    "text (the plan names tasks but no dates); it does not scale.",
    columns=(
        C("task_id", "任务编号", doc="task number (item number + sequence)", example="T12-03"),
        C(
            "item",
            "工作要点",
            ref=("ref.work_items", "label_zh"),
            doc="work item, written as its label (一)…(十八)",
        ),
        C("task", "任务内容", doc="deliverable"),
        C("lead_office", "牵头处室", type="enum", values=OFFICES, doc="lead office"),
        C("co_offices", "配合单位", required=False, doc="supporting offices, separated by 、"),
        C("due_on", "完成时限", type="date", doc="due date"),
        C("status", "进展状态", type="enum", values=PLAN_STATUS, doc="status"),
        C("progress_pct", "完成进度(%)", type="int", min=0, max=100, doc="progress"),
        C("completed_on", "完成日期", type="date", required=False, doc="date completed"),
        C("updated_on", "更新日期", type="date", doc="date of the last update of the row"),
        C("remark", "进展说明", required=False, doc="remark"),
    ),
    row_checks=(
        RowCheck(
            "done_is_complete",
            "progress_pct",
            "(status = '已完成') = (t_completed_on IS NOT NULL) AND "
            "(status <> '已完成' OR t_progress_pct = 100) AND "
            "(status = '已完成' OR t_progress_pct < 100)",
            "已完成 exactly when 完成日期 is given and progress is 100%",
        ),
        RowCheck(
            "not_started_is_zero",
            "progress_pct",
            "status <> '未启动' OR t_progress_pct = 0",
            "未启动 tasks have 0% progress",
        ),
        RowCheck(
            "late_is_overdue",
            "status",
            "status <> '延期' OR t_due_on < t_updated_on",
            "延期 only after 完成时限 has passed (at 更新日期)",
        ),
        RowCheck(
            "completed_by_update",
            "completed_on",
            "t_completed_on IS NULL OR t_completed_on <= t_updated_on",
            "完成日期 cannot be after 更新日期",
        ),
    ),
)

SOURCES = [
    LEARNING_SPACE, ONLINE_SERVICES, COMPETITIONS, IT_COURSES, TYPICAL_CASES, DEMONSTRATION,
    PLAN_DELIVERABLES,
]  # fmt: skip

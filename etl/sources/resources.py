"""Digital education resources (work item 十二): the resource catalogue and its use, the three
classrooms (三个课堂) and the 四川云教 broadcasting pairs."""

from etl.contract import Column as C
from etl.contract import RowCheck, Source
from etl.sources.core import LEVELS, SUBJECTS

RESOURCE_TYPES = ("微课", "课件", "教学设计", "习题", "学案", "实验视频", "课堂实录", "专题资源包")
VIDEO_TYPES = ("微课", "实验视频", "课堂实录")
REVIEW_STATUS = ("待审", "入库", "精品", "退回")
FORMATS = ("mp4", "pptx", "docx", "pdf", "zip", "html5")
LICENCES = ("公益共享", "市域共享", "区域共享", "仅限本校")
AUTHOR_ROLES = ("主讲教师", "设计者", "编写者", "制作团队")
CLASSROOM_KINDS = ("专递课堂", "名师课堂", "名校网络课堂")
CLOUD_GRADES = ("优秀", "良好", "合格", "不合格")

# A school named in a row must belong to the unit named in the same row. Rows whose school is
# unknown are left to the foreign-key rule, so one bad school code is reported once.
SCHOOL_IN_UNIT = (
    "school_id IS NULL OR u_unit_code IS NULL "
    "OR school_id NOT IN (SELECT school_id FROM stg.schools) "
    "OR school_id || '|' || u_unit_code IN (SELECT school_id || '|' || unit_code FROM stg.schools)"
)
GRADE_IN_LEVEL = (
    "grade IS NULL OR t_grade <= CASE level WHEN '小学' THEN 6 WHEN '特教' THEN 6 ELSE 3 END"
)

RESOURCES = Source(
    name="resources",
    title_zh="数字资源目录",
    title_en="Digital resource catalogue",
    files=("resources*.csv", "resources*.xlsx", "数字资源目录*.csv", "数字资源目录*.xlsx"),
    system="成都市数字教育资源公共服务平台 (资源汇聚与审核模块; system name assumed)",
    key=("resource_id",),
    unit_column="unit_code",
    date_column="submitted_on",
    doc="One row per resource submitted to the city's collection (work item 十二: 归集约1000个优质"
    "课程资源, 遴选100个左右精品资源). Units and schools submit; the city reviews each submission "
    "(待审 → 入库 or 退回) and selects 精品 from the library once a year (December). Metadata follow the "
    "教育资源元数据 standard modelled in data/reference/resource_metadata_standard.csv: the "
    "optional metadata columns may be blank — an incomplete record still loads, and the "
    "resources page reports its conformance. The city-wide targets are fixed quantities, so the "
    "demo data scale only mildly with `--scale` (× scale^0.3; about 2,300 submissions at scale "
    "1). *Assumptions*: the platform name, the review workflow and the licence values.",
    columns=(
        C(
            "resource_id",
            "资源编号",
            doc="catalogue number (CDZY + year + sequence)",
            example="CDZY2021004512",
        ),
        C("title", "资源名称", header_aliases=("题名",), doc="title (元数据: 题名)"),
        C("subject", "学科", type="enum", values=SUBJECTS, doc="subject"),
        C("level", "学段", type="enum", values=LEVELS, doc="school level"),
        C(
            "grade",
            "年级",
            type="int",
            min=1,
            max=6,
            required=False,
            doc="grade within the level (小学 1–6, others 1–3); blank for cross-grade packages",
        ),
        C("resource_type", "资源类型", type="enum", values=RESOURCE_TYPES, doc="resource type"),
        C(
            "unit_code",
            "提交单位",
            check="unit",
            header_aliases=("所属区县",),
            doc="reporting unit that submitted the resource",
        ),
        C(
            "school_id",
            "学校标识码",
            ref=("schools", "school_id"),
            required=False,
            doc="contributing school (blank: produced by the unit's 教研室/电教馆)",
        ),
        C("author_name", "作者", personal="drop", required=False, doc="author's name"),
        C(
            "author_role",
            "作者角色",
            type="enum",
            values=AUTHOR_ROLES,
            required=False,
            doc="元数据: 贡献者角色",
        ),
        C("submitted_on", "提交日期", type="date", doc="date submitted"),
        C("keywords", "关键词", required=False, doc="元数据: keywords separated by ;"),
        C("description", "资源简介", required=False, doc="元数据: description"),
        C(
            "file_format",
            "文件格式",
            type="enum",
            values=FORMATS,
            required=False,
            doc="元数据: 格式",
        ),
        C(
            "duration_min",
            "时长(分钟)",
            type="float",
            min=0,
            max=300,
            required=False,
            doc="元数据: 时长 (video resources)",
        ),
        C(
            "size_mb",
            "文件大小(MB)",
            type="float",
            min=0,
            max=20000,
            required=False,
            doc="元数据: 大小",
        ),
        C(
            "licence",
            "授权方式",
            type="enum",
            values=LICENCES,
            required=False,
            doc="元数据: 权限 (who may use the resource)",
        ),
        C(
            "review_status",
            "审核状态",
            type="enum",
            values=REVIEW_STATUS,
            doc="待审 (pending), 入库 (accepted into the library), 精品 (selected premium), "
            "退回 (returned)",
        ),
        C(
            "reviewed_on",
            "审核日期",
            type="date",
            required=False,
            doc="date of the review decision (入库 or 退回)",
        ),
        C(
            "selected_on",
            "精品遴选日期",
            type="date",
            required=False,
            doc="date the resource was selected as premium (yearly selection in December)",
        ),
        C("is_premium", "是否精品", type="bool", doc="selected as a premium resource"),
    ),
    row_checks=(
        RowCheck(
            "premium_status",
            "is_premium",
            "t_is_premium = (review_status = '精品') AND "
            "t_is_premium = (t_selected_on IS NOT NULL)",
            "是否精品 must agree with 审核状态 (精品) and 精品遴选日期",
        ),
        RowCheck(
            "selected_after_review",
            "selected_on",
            "t_selected_on IS NULL OR t_selected_on >= t_reviewed_on",
            "精品遴选日期 cannot precede 审核日期 (a premium resource is chosen from the library)",
        ),
        RowCheck(
            "review_date",
            "reviewed_on",
            "review_status = '待审' OR t_reviewed_on IS NOT NULL",
            "a reviewed resource (入库/精品/退回) needs 审核日期",
        ),
        RowCheck(
            "review_after_submit",
            "reviewed_on",
            "t_reviewed_on IS NULL OR t_reviewed_on >= t_submitted_on",
            "审核日期 cannot precede 提交日期",
        ),
        RowCheck(
            "grade_in_level",
            "grade",
            GRADE_IN_LEVEL,
            "年级 must exist in the 学段 (小学/特教 1–6, others 1–3)",
        ),
        RowCheck(
            "school_in_unit", "school_id", SCHOOL_IN_UNIT, "the school must belong to 提交单位"
        ),
    ),
)

RESOURCE_USAGE = Source(
    name="resource_usage",
    title_zh="资源使用月报",
    title_en="Resource use, monthly",
    files=(
        "resource_usage*.csv",
        "resource_usage*.xlsx",
        "资源使用月报*.csv",
        "资源使用月报*.xlsx",
    ),
    system="成都市数字教育资源公共服务平台 (访问统计)",
    key=("resource_id", "month"),
    date_column="month",
    doc="One row per published resource (入库 or 精品) and month, from the month it was "
    "published to the as-of month (months without use are listed with zeros). Use drops in the "
    "school holidays (February, July–August) and peaked in the spring-2020 closures (停课不停学).",
    columns=(
        C("resource_id", "资源编号", ref=("resources", "resource_id"), doc="resource"),
        C("month", "统计月份", check="month", doc="month"),
        C("view_count", "浏览量", type="int", min=0, doc="views"),
        C("download_count", "下载量", type="int", min=0, doc="downloads"),
        C(
            "school_count",
            "使用学校数",
            type="int",
            min=0,
            max=100000,
            doc="distinct schools whose users viewed or downloaded it",
        ),
    ),
    row_checks=(
        RowCheck(
            "downloads_le_views",
            "download_count",
            "t_download_count <= t_view_count",
            "下载量 cannot exceed 浏览量 (a download is counted as a view too)",
        ),
        RowCheck(
            "schools_le_views",
            "school_count",
            "t_school_count <= t_view_count",
            "使用学校数 cannot exceed 浏览量",
        ),
        RowCheck(
            "use_after_publication",
            "month",
            "month >= (SELECT min(strftime(r.rv, '%Y-%m')) FROM (SELECT resource_id AS rid, "
            "reviewed_on AS rv FROM stg.resources WHERE review_status IN ('入库', '精品')) r "
            "WHERE r.rid = resource_id)",
            "a resource has no use before the month it was published (审核日期)",
        ),
    ),
)

CLASSROOM_ACTIVITY = Source(
    name="classroom_activity",
    title_zh="三个课堂开课记录",
    title_en="Three classrooms: sessions",
    files=(
        "classroom_activity*.csv",
        "classroom_activity*.xlsx",
        "三个课堂*.csv",
        "三个课堂*.xlsx",
    ),
    system="成都数字学校 三个课堂管理平台 (月度汇总; system name assumed)",
    key=("school_id", "month", "kind", "role"),
    date_column="month",
    doc="One row per school, month, kind and role with at least one session. 专递课堂 are "
    "reported by the receiving school (mostly rural schools lacking teachers), with the "
    "broadcasting school as partner; 名师课堂 and 名校网络课堂 by the school that gives them, "
    "with the number of schools reached. No sessions in the summer holidays (July–August); few "
    "in February (winter holiday); 专递课堂 paused during the spring-2020 closures while "
    "名校网络课堂 surged. *Assumption*: the export format (the national 三个课堂 guidance asks "
    "for regular use by 2022 but prescribes no report).",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="reporting school"),
        C("month", "月份", check="month", doc="month"),
        C("kind", "课堂类型", type="enum", values=CLASSROOM_KINDS, doc="kind of classroom"),
        C(
            "role",
            "角色",
            type="enum",
            values=("主讲", "接收"),
            doc="主讲 (gives the lessons) or 接收 (receives them)",
        ),
        C("session_count", "开课节数", type="int", min=0, max=500, doc="lessons held in the month"),
        C(
            "student_count",
            "参与学生数",
            type="int",
            min=0,
            max=20000,
            doc="the school's own pupils taking part",
        ),
        C(
            "partner_school_id",
            "结对学校标识码",
            ref=("schools", "school_id"),
            required=False,
            doc="paired school (专递课堂: the broadcasting school)",
        ),
        C(
            "remote_school_count",
            "覆盖学校数",
            type="int",
            min=0,
            max=5000,
            required=False,
            doc="schools reached (主讲 rows)",
        ),
    ),
    row_checks=(
        RowCheck(
            "receiver_has_partner",
            "partner_school_id",
            "role <> '接收' OR partner_school_id IS NOT NULL",
            "a receiving school must name its 结对学校",
        ),
        RowCheck(
            "partner_not_self",
            "partner_school_id",
            "partner_school_id IS NULL OR partner_school_id <> school_id",
            "结对学校 cannot be the school itself",
        ),
    ),
)

CLOUD_PAIRS = Source(
    name="cloud_pairs",
    title_zh="四川云教结对评估",
    title_en="Sichuan Cloud Teaching: pairs and evaluations",
    files=("cloud_pairs*.csv", "cloud_pairs*.xlsx", "四川云教*.csv", "四川云教*.xlsx"),
    system="四川云教 平台 (成都市域内结对, 学期评估)",
    key=("broadcast_school_id", "school_id", "level", "semester"),
    date_column="start_date",
    doc="One row per broadcasting/receiving pair (主播学校 → 接收学校) and semester while the "
    "pair runs, with the semester's evaluation (plan item 十二: 健全“四川云教”主播学校、接收学校评估"
    "机制). The evaluation is made at the end of the semester, so the current semester has none "
    "yet. 学期 is written `YYYY-YYYY-n` (n = 1 autumn, 2 spring). Grade bands: 优秀 ≥ 90, 良好 "
    "≥ 80, 合格 ≥ 60, else 不合格 (*assumption*). Pairs scale mildly with `--scale`.",
    columns=(
        C(
            "broadcast_school_id",
            "主播学校标识码",
            ref=("schools", "school_id"),
            doc="broadcasting school (主播学校)",
        ),
        C(
            "school_id",
            "接收学校标识码",
            ref=("schools", "school_id"),
            doc="receiving school (接收学校)",
        ),
        C("level", "学段", type="enum", values=("小学", "初中", "高中"), doc="school level"),
        C("subjects", "结对学科", doc="subjects broadcast, separated by 、"),
        C("start_date", "结对日期", type="date", doc="date the pair started"),
        C("semester", "学期", doc="semester, e.g. 2021-2022-1 (autumn 2021)"),
        C("weekly_lessons", "周课时", type="int", min=1, max=40, doc="lessons per week"),
        C(
            "student_count",
            "接收学生数",
            type="int",
            min=0,
            max=5000,
            doc="pupils in the receiving classes",
        ),
        C(
            "evaluation_score",
            "评估得分",
            type="float",
            min=0,
            max=100,
            required=False,
            doc="semester evaluation score (blank until evaluated)",
        ),
        C(
            "evaluation_grade",
            "评估等级",
            type="enum",
            values=CLOUD_GRADES,
            required=False,
            doc="evaluation grade",
        ),
        C(
            "status",
            "结对状态",
            type="enum",
            values=("正常", "整改", "终止"),
            doc="正常, 整改 (under rectification after a poor evaluation) or 终止 (ended)",
        ),
    ),
    row_checks=(
        RowCheck(
            "semester_format",
            "semester",
            "regexp_full_match(semester, '20[0-9]{2}-20[0-9]{2}-[12]') AND "
            "TRY_CAST(substr(semester, 6, 4) AS INTEGER) = "
            "TRY_CAST(substr(semester, 1, 4) AS INTEGER) + 1",
            "学期 must be written YYYY-YYYY-n with consecutive years and n = 1 or 2",
        ),
        RowCheck(
            "not_self",
            "school_id",
            "school_id <> broadcast_school_id",
            "主播学校 and 接收学校 must differ",
        ),
        RowCheck(
            "started_by_semester",
            "start_date",
            "NOT regexp_full_match(semester, '20[0-9]{2}-20[0-9]{2}-[12]') OR "
            "t_start_date <= make_date(TRY_CAST(substr(semester, 6, 4) AS INTEGER), "
            "CASE WHEN right(semester, 1) = '1' THEN 1 ELSE 7 END, 31)",
            "结对日期 must fall before the end of 学期",
        ),
        RowCheck(
            "grade_matches_score",
            "evaluation_grade",
            "(evaluation_score IS NULL) = (evaluation_grade IS NULL) AND "
            "(evaluation_score IS NULL OR evaluation_grade = CASE "
            "WHEN t_evaluation_score >= 90 THEN '优秀' WHEN t_evaluation_score >= 80 THEN '良好' "
            "WHEN t_evaluation_score >= 60 THEN '合格' ELSE '不合格' END)",
            "评估等级 must match 评估得分 (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60)",
        ),
    ),
)

SOURCES = [RESOURCES, RESOURCE_USAGE, CLASSROOM_ACTIVITY, CLOUD_PAIRS]

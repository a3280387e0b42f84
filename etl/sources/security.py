"""Cybersecurity registry (work items 十六–十八): 等保 filings, incident notices, drills, education apps.

等保 levels and their test intervals are reference data (data/reference/dengbao_levels.csv);
incident categories and severities too (incident_categories.csv, incident_severities.csv).
"""

from etl.contract import Column as C
from etl.contract import RowCheck, Source

ADMIN_LEVELS = ("市级", "区县级", "学校")
SYSTEM_KINDS = (
    "门户网站", "招生考试", "学籍管理", "学生资助", "数据中心", "办公系统", "教学平台",
    "校园安全", "一卡通", "其他",
)  # fmt: skip
STAGES = ("定级", "备案", "建设整改", "测评", "监督检查")
SEVERITIES = ("一般", "较大", "重大", "特别重大")
DRILL_SCENARIOS = (
    "网页篡改应急处置", "勒索病毒应急处置", "数据泄露应急处置", "DDoS攻击应急处置",
    "重要时期网络安全保障", "考试期间网络安全保障", "断网断电应急",
)  # fmt: skip
APP_TYPES = ("教学", "作业练习", "考试测评", "家校沟通", "阅读", "校园管理", "体育健康", "其他")

# Shared rule text: a school's row must carry the school's unit.
_UNIT_OF_SCHOOL = (
    "school_id IS NULL OR u_unit_code = "
    "(SELECT s.unit_code FROM stg.schools s WHERE s.school_id = t.school_id)"
)

INFO_SYSTEMS = Source(
    name="info_systems",
    title_zh="信息系统等级保护备案",
    title_en="Information systems (等保 filings)",
    files=("info_systems*.csv", "info_systems*.xlsx", "等保备案*.csv", "等保备案*.xlsx"),
    system="成都市教育系统网络安全管理平台 (等保台账)",
    key=("system_id",),
    unit_column="unit_code",
    date_column="graded_on",
    doc="One row per information system run by the city bureau (市级: 区县 blank), a unit's "
    "bureau or a school, with its 等保2.0 lifecycle: 定级 → 备案 (公安; level ≥ 2) → 建设整改 → "
    "测评 (level 3 yearly, level 4 every 6 months: data/reference/dengbao_levels.csv) → "
    "监督检查. `next_test_due` = last test + the level's interval, so overdue systems are "
    "those past it. The 公安备案编号 format (11 digits, '-', level digit, 4 digits) is an "
    "*assumption*. Systems graded before 2019 under 等保1.0 appear with their 2.0 re-grading.",
    columns=(
        C("system_id", "系统编号", doc="registry id of the system"),
        C("system_name", "系统名称", doc="system name"),
        C(
            "admin_level",
            "管理层级",
            type="enum",
            values=ADMIN_LEVELS,
            doc="who runs it: the city bureau, a unit's bureau, or a school",
        ),
        C("operator", "运营使用单位", doc="operating organization (name)"),
        C(
            "unit_code",
            "所属区县",
            check="unit",
            required=False,
            header_aliases=("区县",),
            doc="reporting unit (blank for 市级 systems)",
        ),
        C(
            "school_id",
            "学校标识码",
            required=False,
            ref=("schools", "school_id"),
            doc="school running it (学校 level only)",
        ),
        C("kind", "系统类别", type="enum", values=SYSTEM_KINDS, doc="kind of system"),
        C(
            "level",
            "安全保护等级",
            type="int",
            min=1,
            max=5,
            doc="等保 level (data/reference/dengbao_levels.csv)",
        ),
        C("stage", "所处环节", type="enum", values=STAGES, doc="lifecycle stage at export"),
        C("graded_on", "定级日期", type="date", doc="date graded (定级)"),
        C("filed_on", "备案日期", type="date", required=False, doc="date filed with 公安"),
        C(
            "filing_number",
            "公安备案编号",
            required=False,
            doc="公安 filing number",
            example="51010443001-30012",
        ),
        C(
            "last_test_on",
            "最近测评日期",
            type="date",
            required=False,
            doc="date of the latest 等级测评",
        ),
        C(
            "test_result",
            "测评结论",
            type="enum",
            values=("符合", "基本符合", "不符合"),
            required=False,
            doc="conclusion of the latest test",
        ),
        C(
            "next_test_due",
            "下次测评期限",
            type="date",
            required=False,
            doc="latest test + the level's interval (levels with a required interval)",
        ),
        C("is_cii", "是否关键信息基础设施", type="bool", doc="identified as 关键信息基础设施"),
        C(
            "has_personal_info",
            "是否含个人信息",
            type="bool",
            doc="processes personal information (item 十八)",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "admin_scope",
            "admin_level",
            "CASE admin_level WHEN '市级' THEN school_id IS NULL AND u_unit_code IS NULL "
            "WHEN '区县级' THEN school_id IS NULL AND unit_code IS NOT NULL "
            "ELSE school_id IS NOT NULL AND unit_code IS NOT NULL END",
            "市级 systems name no unit or school; 区县级 a unit; 学校 a unit and a school",
        ),
        RowCheck(
            "unit_of_school", "unit_code", _UNIT_OF_SCHOOL, "所属区县 must be the school's unit"
        ),
        RowCheck(
            "filing_by_stage",
            "filed_on",
            "CASE WHEN t_level = 1 OR stage = '定级' THEN filed_on IS NULL "
            "AND filing_number IS NULL ELSE filed_on IS NOT NULL AND filing_number IS NOT NULL END",
            "level ≥ 2 systems past 定级 carry 备案日期 and 公安备案编号; others carry neither",
        ),
        RowCheck(
            "filing_number_level",
            "filing_number",
            "filing_number IS NULL OR regexp_full_match(filing_number, "
            "'[0-9]{11}-' || level || '[0-9]{4}')",
            "公安备案编号 is 11 digits, '-', the level digit and 4 digits",
        ),
        RowCheck(
            "dates_ordered",
            "graded_on",
            "(filed_on IS NULL OR t_filed_on >= t_graded_on) "
            "AND (last_test_on IS NULL OR t_last_test_on >= t_graded_on)",
            "备案日期 and 最近测评日期 cannot precede 定级日期",
        ),
        RowCheck(
            "test_result_pair",
            "test_result",
            "(last_test_on IS NULL) = (test_result IS NULL) "
            "AND (stage NOT IN ('测评', '监督检查') OR last_test_on IS NOT NULL)",
            "a test has a date and a conclusion; stages 测评/监督检查 need one",
        ),
        RowCheck(
            "next_test_due",
            "next_test_due",
            "t_next_test_due IS NOT DISTINCT FROM CAST(t_last_test_on + to_months("
            "(SELECT CAST(d.test_interval_months AS INTEGER) FROM ref.dengbao_levels d "
            "WHERE d.level = t.t_level)) AS DATE)",
            "下次测评期限 must be 最近测评日期 + the level's test interval (blank if none)",
        ),
        RowCheck(
            "cii_level",
            "is_cii",
            "NOT t_is_cii OR t_level >= 3",
            "关键信息基础设施 must be graded level 3 or above",
        ),
    ),
)

SECURITY_INCIDENTS = Source(
    name="security_incidents",
    title_zh="网络安全事件通报",
    title_en="Security incident notices",
    files=("security_incidents*.csv", "security_incidents*.xlsx", "安全事件通报*.csv"),
    system="成都市教育系统网络安全监测预警平台 (市—县—校通报)",
    key=("incident_id",),
    unit_column="unit_code",
    date_column="found_on",
    doc="One row per notice (通报) sent to a unit about an incident or vulnerability, with its "
    "rectification deadline (by severity: data/reference/incident_severities.csv, an "
    "*assumption*) and outcome. `system_id` is blank when the affected asset was never filed "
    "(a common finding). Status at export: 待整改, 整改中, 已整改 or 逾期 (deadline passed, "
    "not rectified).",
    columns=(
        C("incident_id", "通报编号", doc="notice number"),
        C("found_on", "发现日期", type="date", doc="date found"),
        C("notified_on", "通报日期", type="date", doc="date notified"),
        C(
            "unit_code",
            "责任单位区县",
            check="unit",
            header_aliases=("区县",),
            doc="unit notified (responsible for rectification)",
        ),
        C(
            "school_id",
            "学校标识码",
            required=False,
            ref=("schools", "school_id"),
            doc="school concerned, if any",
        ),
        C(
            "system_id",
            "系统编号",
            required=False,
            ref=("info_systems", "system_id"),
            doc="affected system if filed",
        ),
        C(
            "category",
            "事件类别",
            ref=("ref.incident_categories", "category"),
            doc="category (data/reference/incident_categories.csv)",
        ),
        C("severity", "事件级别", type="enum", values=SEVERITIES, doc="severity"),
        C(
            "channel",
            "发现渠道",
            type="enum",
            values=("监测平台", "公安通报", "上级通报", "自查", "第三方报告"),
            doc="how it was found",
        ),
        C("deadline", "整改期限", type="date", doc="rectification deadline"),
        C("rectified_on", "整改完成日期", type="date", required=False, doc="date rectified"),
        C(
            "status",
            "整改状态",
            type="enum",
            values=("待整改", "整改中", "已整改", "逾期"),
            doc="state at export",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "notice_after_finding",
            "notified_on",
            "t_notified_on >= t_found_on AND t_notified_on <= t_found_on + 30",
            "通报日期 must follow 发现日期 within 30 days",
        ),
        RowCheck(
            "deadline_after_notice",
            "deadline",
            "t_deadline >= t_notified_on",
            "整改期限 cannot precede 通报日期",
        ),
        RowCheck(
            "rectified_after_notice",
            "rectified_on",
            "rectified_on IS NULL OR t_rectified_on >= t_found_on",
            "整改完成日期 cannot precede 发现日期",
        ),
        RowCheck(
            "status_rectified",
            "status",
            "(status = '已整改') = (rectified_on IS NOT NULL)",
            "整改完成日期 is given exactly when 整改状态 is 已整改",
        ),
        RowCheck(
            "unit_of_school", "unit_code", _UNIT_OF_SCHOOL, "责任单位区县 must be the school's unit"
        ),
        RowCheck(
            "unit_of_system",
            "system_id",
            "system_id IS NULL OR u_unit_code = "
            "(SELECT s.unit_code FROM stg.info_systems s WHERE s.system_id = t.system_id)",
            "the system must belong to the unit notified",
        ),
    ),
)

SECURITY_DRILLS = Source(
    name="security_drills",
    title_zh="网络安全应急演练",
    title_en="Cybersecurity emergency drills",
    files=("security_drills*.csv", "security_drills*.xlsx", "应急演练*.csv", "应急演练*.xlsx"),
    system="成都市教育系统网络安全管理平台 (演练备案)",
    key=("drill_id",),
    unit_column="unit_code",
    date_column="drill_on",
    doc="One row per drill of the graded drill programme (item 十八: 分级实施制度化网络安全应急演练): "
    "市级 drills (the unit is the host), 区县级 drills and 校级 drills (the school is named).",
    columns=(
        C("drill_id", "演练编号", doc="drill id"),
        C(
            "unit_code",
            "所属区县",
            check="unit",
            header_aliases=("区县",),
            doc="unit organizing (or hosting a 市级) drill",
        ),
        C(
            "school_id",
            "学校标识码",
            required=False,
            ref=("schools", "school_id"),
            doc="school (校级 drills)",
        ),
        C("level", "演练级别", type="enum", values=("市级", "区县级", "校级"), doc="drill level"),
        C("drill_on", "演练日期", type="date", doc="date"),
        C("scenario", "演练场景", type="enum", values=DRILL_SCENARIOS, doc="scenario"),
        C("form", "演练形式", type="enum", values=("桌面推演", "实战演练", "攻防演练"), doc="form"),
        C("participants", "参演人数", type="int", min=2, max=5000, doc="people taking part"),
        C("has_report", "是否提交总结报告", type="bool", doc="summary report filed"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "school_by_level",
            "school_id",
            "CASE level WHEN '校级' THEN school_id IS NOT NULL ELSE school_id IS NULL END",
            "校级 drills name the school; other drills name none",
        ),
        RowCheck(
            "unit_of_school", "unit_code", _UNIT_OF_SCHOOL, "所属区县 must be the school's unit"
        ),
    ),
)

EDU_APPS = Source(
    name="edu_apps",
    title_zh="教育移动应用使用备案",
    title_en="Education apps (user filings)",
    files=("edu_apps*.csv", "edu_apps*.xlsx", "教育APP备案*.csv", "教育APP备案*.xlsx"),
    system="教育移动互联网应用程序备案管理系统 (使用单位备案, 成都市导出)",
    key=("filing_id",),
    unit_column="unit_code",
    date_column="filed_on",
    doc="One row per app a unit's bureau or a school files as a **user** (教技函〔2019〕55号, "
    "教技厅〔2019〕3号). The provider must have filed the app with its ICP备案 and 等保备案 (both "
    "prerequisites); apps that do not comply are marked 待清理 and then removed (已清理). "
    "Providers are companies (credit code 91…) or public institutions (12…). The app catalogue "
    "is national, so its size scales only mildly with the demo scale.",
    columns=(
        C("filing_id", "使用备案编号", doc="user filing id"),
        C("app_id", "应用编号", doc="the app's id in the national registry"),
        C("app_name", "应用名称", doc="app name"),
        C("app_type", "应用类别", type="enum", values=APP_TYPES, doc="kind of app"),
        C("provider", "提供者", doc="provider (legal entity)"),
        C(
            "provider_credit_code",
            "提供者统一社会信用代码",
            check="credit_code",
            doc="provider's 统一社会信用代码",
        ),
        C(
            "icp_number",
            "ICP备案号",
            required=False,
            doc="provider's ICP filing",
            example="蜀ICP备17012345号-1",
        ),
        C("has_mlps_filing", "是否完成等保备案", type="bool", doc="the app's system filed 等保"),
        C(
            "collects_personal_info",
            "是否收集个人信息",
            type="bool",
            doc="collects pupils' or teachers' personal information",
        ),
        C("unit_code", "使用单位区县", check="unit", header_aliases=("区县",), doc="user's unit"),
        C(
            "school_id",
            "使用学校标识码",
            required=False,
            ref=("schools", "school_id"),
            doc="user school (blank when a unit's bureau files)",
        ),
        C(
            "status",
            "备案状态",
            type="enum",
            values=("已备案", "待清理", "已清理"),
            doc="filing state at export",
        ),
        C("filed_on", "备案日期", type="date", doc="date the user filed it"),
        C("cleaned_on", "清理日期", type="date", required=False, doc="date removed"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "provider_entity",
            "provider_credit_code",
            "substr(provider_credit_code, 1, 2) IN ('91', '12')",
            "providers are companies (91…) or public institutions (12…)",
        ),
        RowCheck(
            "icp_format",
            "icp_number",
            "icp_number IS NULL OR regexp_full_match(icp_number, "
            "'[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏蜀宁琼]ICP备[0-9]{6,10}号(-[0-9]{1,3})?')",
            "ICP备案号 is written like 蜀ICP备17012345号-1",
        ),
        RowCheck(
            "filed_needs_prerequisites",
            "status",
            "status <> '已备案' OR (icp_number IS NOT NULL AND t_has_mlps_filing)",
            "an app in use (已备案) needs its ICP备案 and 等保备案",
        ),
        RowCheck(
            "cleaned_pair",
            "cleaned_on",
            "(status = '已清理') = (cleaned_on IS NOT NULL) "
            "AND (cleaned_on IS NULL OR t_cleaned_on >= t_filed_on)",
            "清理日期 is given exactly when 备案状态 is 已清理, and not before 备案日期",
        ),
        RowCheck(
            "unit_of_school", "unit_code", _UNIT_OF_SCHOOL, "使用单位区县 must be the school's unit"
        ),
    ),
)

SOURCES = [INFO_SYSTEMS, SECURITY_INCIDENTS, SECURITY_DRILLS, EDU_APPS]

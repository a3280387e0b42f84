"""教师信息技术应用能力提升工程2.0 (work item 十四): training hours, micro-ability assessments, 整校推进.

The completion rule (≥50 学时, ≥20 online, ≥30 practice, ≥3 points over ≥3 dimensions) and the
integrity-flag thresholds live in data/reference/training_rules.csv; the 30 微能力点 in
data/reference/micro_abilities.csv (only A1, A3 and B6 carry confirmed names, the rest are
examples). Row rules below read their limits from training_rules.csv too.
"""

from etl.contract import Column as C
from etl.contract import RowCheck, Source

SESSION_TYPES = ("网络研修", "校本实践")
GRADES = ("优秀", "合格", "不合格")
ASSESSORS = ("学校", "区县", "市级")
EVIDENCE = (
    "教学设计", "演示文稿", "课堂实录", "微课视频", "学生作品", "评价量规", "教学反思", "学情分析报告",
)  # fmt: skip
TERMINALS = ("电脑", "手机", "平板")
LEADER_POSTS = ("校长", "党组织书记", "副校长", "其他")


def _rule(key: str) -> str:
    """SQL: a numeric value from ref.training_rules."""
    return f"(SELECT CAST(value AS DOUBLE) FROM ref.training_rules WHERE key = '{key}')"


def _teacher(doc: str) -> C:
    return C(
        "id_number",
        "身份证件号",
        check="id_number",
        personal="pseudonym",
        key_as="teacher_key",
        ref=("teachers", "id_number"),
        doc=doc,
    )


TRAINING_SESSIONS = Source(
    name="training_sessions",
    title_zh="研修学时记录",
    title_en="Training sessions",
    files=(
        "training_sessions*.csv",
        "training_sessions*.xlsx",
        "研修学时记录*.csv",
        "研修学时记录*.xlsx",
    ),
    system="四川省中小学教师信息技术应用能力提升工程2.0 研修平台 (学时明细导出, one file per year)",
    key=("record_id",),
    date_column="start_time",
    doc="One row per logged learning session of an in-scope teacher: 网络研修 sessions are "
    "logged by the platform (start, end, video played, device); 校本实践 entries are entered "
    "by the school for school-based practice (教研 activities, lesson study) and carry no video. "
    "认定学时 is what the platform credited. Hours alone are weak evidence (scripts auto-play "
    "videos), so start/end times, video time and device are kept for the integrity flags "
    "(thresholds in training_rules.csv). Volume: ~15 rows per in-scope teacher by the as-of "
    "date (scale 1 ≈ 2.9 million rows).",
    columns=(
        C("record_id", "记录编号", doc="platform record number", example="YX2021000123456"),
        _teacher("居民身份证号 of the teacher; must be in the teacher base database"),
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="teacher's school"),
        C(
            "session_type",
            "研修类型",
            type="enum",
            values=SESSION_TYPES,
            header_aliases=("类型",),
            doc="online study (网络研修) or school-based practice (校本实践)",
        ),
        C(
            "activity",
            "课程/活动名称",
            header_aliases=("课程名称", "活动名称"),
            doc="course or activity",
            repeats=True,
        ),
        C(
            "point_code",
            "关联微能力点",
            ref=("ref.micro_abilities", "code"),
            required=False,
            doc="micro-ability point the course or activity serves (blank for general courses)",
        ),
        C(
            "start_time",
            "开始时间",
            type="datetime",
            doc="session start (platform clock, Beijing time)",
        ),
        C("end_time", "结束时间", type="datetime", doc="session end"),
        C(
            "credited_hours",
            "认定学时",
            type="float",
            min=0,
            doc="hours credited (1 学时 = 60 min of recorded study: assumption in training_rules.csv)",
        ),
        C(
            "video_seconds",
            "视频播放时长(秒)",
            type="int",
            min=0,
            required=False,
            doc="seconds of course video played (online sessions only)",
        ),
        C(
            "terminal",
            "终端类型",
            type="enum",
            values=TERMINALS,
            required=False,
            doc="kind of device (online sessions only)",
        ),
        C(
            "device_id",
            "设备标识",
            required=False,
            repeats=False,
            doc="platform's hashed device fingerprint (not personal: identifies a machine, not a person)",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "end_after_start",
            "end_time",
            "t_end_time > t_start_time",
            "结束时间 must be later than 开始时间",
        ),
        RowCheck(
            "hours_per_session",
            "credited_hours",
            "t_credited_hours <= CASE session_type "
            f"WHEN '网络研修' THEN {_rule('max_online_session_hours')} "
            f"ELSE {_rule('max_practice_session_hours')} END",
            "认定学时 of one session cannot exceed the platform's cap (training_rules.csv: "
            "max_online_session_hours, max_practice_session_hours)",
        ),
    ),
)

MICRO_ASSESSMENTS = Source(
    name="micro_assessments",
    title_zh="微能力测评",
    title_en="Micro-ability assessments",
    files=(
        "micro_assessments*.csv",
        "micro_assessments*.xlsx",
        "微能力测评*.csv",
        "微能力测评*.xlsx",
    ),
    system="四川省中小学教师信息技术应用能力提升工程2.0 研修平台 (测评结果导出)",
    key=("assessment_id",),
    date_column="submitted_on",
    doc="One row per evidence submission for one 微能力点 (point codes: "
    "data/reference/micro_abilities.csv). A point graded 不合格 is resubmitted (提交次数 2, 3). "
    "Submissions not yet graded at export time have no 评定日期, 测评等级 or 测评主体. Schools "
    "grade first; the unit (区县) and the city sample and regrade some.",
    columns=(
        C("assessment_id", "测评编号", doc="assessment record number", example="CP2021000012345"),
        _teacher("居民身份证号 of the teacher"),
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="teacher's school"),
        C(
            "point_code",
            "微能力点",
            ref=("ref.micro_abilities", "code"),
            doc="micro-ability point assessed (A1…A13, B1…B10, C1…C7)",
        ),
        C("evidence_type", "提交成果类型", type="enum", values=EVIDENCE, doc="kind of evidence"),
        C("attempt", "提交次数", type="int", min=1, max=5, doc="1 = first submission"),
        C("submitted_on", "提交日期", type="date", doc="date the evidence was submitted"),
        C(
            "assessed_on",
            "评定日期",
            type="date",
            required=False,
            doc="date graded (blank: pending)",
        ),
        C(
            "grade",
            "测评等级",
            type="enum",
            values=GRADES,
            required=False,
            doc="grade (blank: pending); 优秀 and 合格 pass (training_rules.csv)",
        ),
        C(
            "assessor_level",
            "测评主体",
            type="enum",
            values=ASSESSORS,
            required=False,
            doc="who graded: the school, the unit (区县) or the city",
        ),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "assessed_after_submitted",
            "assessed_on",
            "t_assessed_on IS NULL OR t_assessed_on >= t_submitted_on",
            "评定日期 cannot be earlier than 提交日期",
        ),
        RowCheck(
            "grade_with_date",
            "grade",
            "(grade IS NULL) = (t_assessed_on IS NULL)",
            "测评等级 and 评定日期 are given together (both blank while pending)",
        ),
    ),
)

SCHOOL_PLANS = Source(
    name="school_plans",
    title_zh="整校推进实施情况",
    title_en="Whole-school plans (整校推进)",
    files=("school_plans*.csv", "school_plans*.xlsx", "整校推进*.csv", "整校推进*.xlsx"),
    system="成都市能力提升工程2.0 整校推进管理系统 (学校填报, snapshot at the as-of date)",
    key=("school_id",),
    date_column="plan_date",
    doc="One row per school with in-scope teachers: whether it filed its 学校信息化发展规划, "
    "formed a principal-led team (校长领衔), which micro-ability points it chose for its "
    "teachers (codes joined with '|', chosen from the environments the school has) and how "
    "many teachers it trains. 参训教师数 is the school's own count and may differ slightly from "
    "the teacher base database.",
    columns=(
        C("school_id", "学校标识码", ref=("schools", "school_id"), doc="school"),
        C("plan_filed", "是否提交信息化发展规划", type="bool", doc="development plan filed"),
        C("plan_date", "规划提交日期", type="date", required=False, doc="date the plan was filed"),
        C("team_formed", "是否组建校长领衔团队", type="bool", doc="principal-led team formed"),
        C(
            "team_leader_post",
            "团队负责人职务",
            type="enum",
            values=LEADER_POSTS,
            required=False,
            doc="post of the team leader (校长 expected)",
        ),
        C("team_size", "团队人数", type="int", min=1, max=60, required=False, doc="team members"),
        C(
            "chosen_points",
            "选定微能力点",
            required=False,
            doc="codes of the points chosen for the school's teachers, separated by `\\|` "
            "(blank: none chosen yet)",
            example="A1|A3|A6|A10|B6",
        ),
        C("teachers_in_scope", "参训教师数", type="int", min=0, max=2000, doc="teachers to train"),
    ),  # fmt: skip
    row_checks=(
        RowCheck(
            "plan_date_if_filed",
            "plan_date",
            "t_plan_filed = (t_plan_date IS NOT NULL)",
            "规划提交日期 is given exactly when the plan was filed",
        ),
        RowCheck(
            "team_size_if_formed",
            "team_size",
            "t_team_formed = (t_team_size IS NOT NULL)",
            "团队人数 is given exactly when a team was formed",
        ),
        RowCheck(
            "points_known",
            "chosen_points",
            "chosen_points IS NULL OR list_has_all((SELECT list(code) FROM ref.micro_abilities), "
            "string_split(chosen_points, '|'))",
            "every code in 选定微能力点 must be a point of micro_abilities.csv",
        ),
    ),
)

SOURCES = [SCHOOL_PLANS, TRAINING_SESSIONS, MICRO_ASSESSMENTS]

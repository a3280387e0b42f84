"""Demo data of work item 十二: the resource catalogue and its monthly use, the three classrooms
and the 四川云教 pairs.

Stories shared with the other modules: units and schools contribute, accept and use resources
at the pace of `core.unit_effort` / `school_effort`; activity follows the school calendar
(winter holiday in February, summer in July–August) and the spring-2020 closures (停课不停学),
and the city's collection drive follows the plan's issue (2021-05-14). City-wide quantities
(≈1000 resources collected, ≈100 premium) scale only mildly with `--scale` (see `mild`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from etl.generate import core
from etl.generate.common import Context
from etl.sources import resources as S

# School activity by calendar month (1…12): winter holiday late Jan–Feb, summer Jul–Aug.
SCHOOL_SEASON = np.array([0.75, 0.35, 1.0, 1.0, 1.0, 0.95, 0.25, 0.1, 1.0, 0.9, 1.0, 1.0])
CLOSURE = ("2020-02", "2020-03", "2020-04")  # schools closed in Sichuan (停课不停学)
LEVEL_GRADES = {"幼儿园": 3, "小学": 6, "初中": 3, "高中": 3, "中职": 3, "特教": 6}


def mild(ctx: Context, x: float, minimum: int = 1) -> int:
    """A city-wide quantity that scales mildly (× scale^0.3): fixed-ish at scale 1."""
    return max(minimum, int(round(x * ctx.scale**0.3)))


def months(ctx: Context) -> pd.PeriodIndex:
    return pd.period_range(ctx.start, ctx.as_of, freq="M")


def month_frame(ctx: Context) -> pd.DataFrame:
    """Per month: label, calendar month, years since the start (t), season, closure flag."""
    m = months(ctx)
    label = m.strftime("%Y-%m")
    return pd.DataFrame({
        "month": label, "mo": m.month, "year": m.year,
        "t": np.arange(len(m)) / 12.0,
        "season": SCHOOL_SEASON[m.month - 1],
        "closure": np.isin(label, CLOSURE),
    })  # fmt: skip


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def school_table(ctx: Context) -> pd.DataFrame:
    """Schools with their first level, size and informatization pace."""
    sc = ctx.frames["schools"].copy()
    alloc = ctx.frames["alloc"]
    sc["students"] = sc.school_id.map(alloc.groupby("school_id").students.sum()).fillna(0)
    sc["teachers"] = sc.school_id.map(alloc.groupby("school_id").teachers.sum()).fillna(0)
    sc["students"] = sc["students"].astype(int)
    sc["teachers"] = sc["teachers"].astype(int)
    sc["effort"] = ctx.frames["school_effort"].reindex(sc.school_id).fillna(0).to_numpy()
    sc["levels"] = sc.school_type.map(core.TYPE_LEVELS)
    return sc.reset_index(drop=True)


def level_students(ctx: Context) -> pd.Series:
    """Pupils per (school_id, level)."""
    return ctx.frames["alloc"].set_index(["school_id", "level"]).students


def bool_text(x: np.ndarray) -> np.ndarray:
    """是/否, blank where missing (for optional bool columns)."""
    out = np.full(len(x), "", dtype=object)
    out[x == True] = "是"  # noqa: E712
    out[x == False] = "否"  # noqa: E712
    return out


# --------------------------------------------------------------------------- catalogue

TOPICS = {
    "语文": ["古诗词鉴赏", "记叙文写作", "文言文阅读", "整本书阅读", "说明文阅读", "汉字书写",
             "口语交际", "现代诗歌", "议论文写作", "名著导读"],
    "数学": ["一元一次方程", "分数的意义", "三角形的面积", "函数的单调性", "勾股定理", "概率初步",
             "平面直角坐标系", "圆的周长", "数列", "立体几何初步"],
    "英语": ["一般过去时", "阅读策略", "听说训练", "定语从句", "书面表达", "自然拼读", "情景对话",
             "完形填空技巧"],
    "物理": ["牛顿第一定律", "欧姆定律", "浮力", "光的折射", "电磁感应", "机械能守恒"],
    "化学": ["氧气的制取", "酸碱中和", "化学方程式", "元素周期表", "氧化还原反应", "溶液的配制"],
    "生物": ["细胞的结构", "光合作用", "遗传与变异", "生态系统", "人体的消化"],
    "道德与法治": ["友谊的天空", "法律在身边", "生命可贵", "社会规则", "国家利益"],
    "历史": ["丝绸之路", "辛亥革命", "工业革命", "三国鼎立", "改革开放"],
    "地理": ["地球的运动", "气候类型", "四川盆地", "人口分布", "地图的阅读"],
    "信息技术": ["编程入门", "算法与程序", "网络安全常识", "数据与编码", "人工智能初步",
                 "图形化编程", "信息社会责任"],
    "科学": ["植物的生长", "水的三态", "简单电路", "昼夜交替", "声音的产生"],
    "音乐": ["川江号子", "节奏练习", "合唱入门", "民族乐器"],
    "体育": ["立定跳远", "篮球运球", "广播体操", "足球传接球", "跳绳"],
    "美术": ["色彩的冷暖", "蜀绣纹样", "线描写生", "剪纸艺术"],
    "学前教育": ["认识颜色", "安全小卫士", "数一数", "绘本阅读", "四季的变化"],
    "专业课": ["电子商务实务", "汽车维修基础", "烹饪工艺", "计算机网络基础", "会计基础", "旅游服务"],
    "特殊教育": ["生活适应", "沟通与交往", "康复训练", "生活语文"],
    "其他": ["心理健康", "劳动教育", "研学旅行", "综合实践活动"],
}  # fmt: skip
GRADE_NAMES = {
    "幼儿园": ["小班", "中班", "大班"],
    "小学": ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"],
    "初中": ["七年级", "八年级", "九年级"],
    "高中": ["高一", "高二", "高三"],
    "中职": ["中职一年级", "中职二年级", "中职三年级"],
    "特教": ["培智一年级", "培智二年级", "培智三年级", "培智四年级", "培智五年级", "培智六年级"],
}
TYPE_P = {"微课": 0.3, "课件": 0.2, "教学设计": 0.14, "习题": 0.1, "学案": 0.07,
          "实验视频": 0.07, "课堂实录": 0.08, "专题资源包": 0.04}  # fmt: skip
LAB_SUBJECTS = ("物理", "化学", "生物", "科学")
ROLE_BY_TYPE = {"微课": "主讲教师", "实验视频": "主讲教师", "课堂实录": "主讲教师", "课件": "设计者",
                "教学设计": "编写者", "习题": "编写者", "学案": "编写者", "专题资源包": "制作团队"}  # fmt: skip


def _submission_intensity(mf: pd.DataFrame) -> np.ndarray:
    """Relative submissions per month: 2020 closures, then the 2021 collection drive."""
    w = np.where(mf.year == 2019, 1.0, np.where(mf.year == 2020, 1.5, 2.0))
    w = np.where(mf.closure, 4.0, w)
    drive = (mf.year == 2021) & (mf.mo >= 5) & (mf.mo <= 11)  # after the plan (2021-05-14)
    w = np.where(drive, 4.5, w)
    season = np.where(mf.closure, 1.0, np.maximum(mf.season, 0.3))
    return w * season


def make_resources(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("resources")
    sc = school_table(ctx)
    sc = sc[sc.students > 0].reset_index(drop=True)
    mf = month_frame(ctx)
    n = mild(ctx, 2300)
    # when: months by intensity, a day within the month (never after the as-of date)
    w = _submission_intensity(mf)
    mi = rng.choice(len(mf), n, p=w / w.sum())
    first = pd.to_datetime(mf.month.to_numpy()[mi] + "-01")
    days = first.days_in_month.to_numpy()
    submitted = pd.Series(first + pd.to_timedelta((rng.random(n) * days).astype(int), unit="D"))
    submitted = submitted.clip(upper=pd.Timestamp(ctx.as_of))
    # who: schools in proportion to staff and pace; kindergartens rarely
    kw = np.where(sc.school_type == "幼儿园", 0.15, 1.0)
    sw = np.sqrt(sc.teachers + 1) * np.exp(1.5 * sc.effort) * kw
    si = rng.choice(len(sc), n, p=sw / sw.sum())
    s = sc.iloc[si].reset_index(drop=True)
    unit_only = rng.random(n) < 0.15  # produced by the unit's 教研室 / 电教馆
    level = np.array([lv[int(k * len(lv))] for lv, k in zip(s.levels, rng.random(n))], dtype=object)
    subject = np.empty(n, dtype=object)
    for lv, (subs, p) in core.SUBJECT_BY_LEVEL.items():
        m = level == lv
        subject[m] = rng.choice(subs, m.sum(), p=np.array(p) / sum(p))
    rtype = rng.choice(list(TYPE_P), n, p=np.array(list(TYPE_P.values())))
    rtype = np.where((rtype == "实验视频") & ~np.isin(subject, LAB_SUBJECTS), "微课", rtype)
    ng = np.array([LEVEL_GRADES[x] for x in level])
    grade = (rng.random(n) * ng).astype(int) + 1
    topic = np.array([TOPICS[x][int(k * len(TOPICS[x]))] for x, k in zip(subject, rng.random(n))])
    gname = np.array([GRADE_NAMES[lv][g - 1] for lv, g in zip(level, grade)])
    package = rtype == "专题资源包"
    title = np.where(
        package,
        pd.Series(level) + pd.Series(subject) + "《" + topic + "》" + rtype,
        pd.Series(gname) + pd.Series(subject) + "《" + topic + "》" + rtype,
    )
    # metadata: formats and sizes by type
    fmt = np.select(
        [np.isin(rtype, S.VIDEO_TYPES), rtype == "课件", package, rtype == "教学设计"],
        [np.full(n, "mp4"), np.where(rng.random(n) < 0.1, "html5", "pptx"), np.full(n, "zip"),
         np.full(n, "docx")],
        np.where(rng.random(n) < 0.6, "docx", "pdf"),
    )  # fmt: skip
    duration = np.select(
        [rtype == "微课", rtype == "实验视频", rtype == "课堂实录"],
        [rng.uniform(5, 15, n), rng.uniform(3, 12, n), rng.uniform(35, 45, n)],
        np.nan,
    ).round(1)
    size = np.select(
        [fmt == "mp4", fmt == "pptx", fmt == "zip", fmt == "html5"],
        [duration * rng.uniform(8, 25, n), rng.uniform(2, 40, n), rng.uniform(50, 900, n),
         rng.uniform(5, 60, n)],
        rng.uniform(0.1, 3, n),
    ).round(2)  # fmt: skip
    licence = rng.choice(S.LICENCES, n, p=[0.35, 0.4, 0.15, 0.1])
    role = np.where(unit_only, "制作团队", pd.Series(rtype).map(ROLE_BY_TYPE).to_numpy())
    keywords = (
        pd.Series(topic)
        + ";"
        + pd.Series(subject)
        + np.where(rng.random(n) < 0.5, ";" + pd.Series(gname), "")
    )
    description = (
        "本资源围绕“"
        + pd.Series(topic)
        + "”设计,适用于"
        + pd.Series(level)
        + pd.Series(subject)
        + "教学。"
    )
    # incomplete metadata: more before the standard's drafting (2021-06), less with pace
    eff = s.effort.to_numpy()
    before = (submitted < pd.Timestamp("2021-06-01")).to_numpy()
    miss_f = np.where(before, 1.6, 0.6) * np.exp(-1.2 * eff)

    def missing(p: float) -> np.ndarray:
        return rng.random(n) < np.clip(p * miss_f, 0, 0.9)

    m_kw, m_lic, m_role = missing(0.15), missing(0.12), missing(0.12)
    m_dur = missing(0.10) & np.isin(rtype, S.VIDEO_TYPES)
    m_size, m_grade, m_fmt, m_desc = (
        missing(0.06),
        missing(0.05) & ~package,
        missing(0.04),
        missing(0.3),
    )
    n_miss = m_kw + m_lic + m_role + m_dur + m_size + m_grade + m_fmt
    # review: 2–9 weeks after submission; quality decides 入库 / 退回
    quality = 0.8 * eff + rng.normal(0, 0.5, n) - 0.45 * n_miss
    reviewed = submitted + pd.to_timedelta(rng.gamma(4, 9, n).astype(int) + 10, unit="D")
    pending = (reviewed > pd.Timestamp(ctx.as_of)).to_numpy()
    accept = quality > np.quantile(quality, 0.42)
    status = np.where(pending, "待审", np.where(accept, "入库", "退回")).astype(object)
    selected = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    # premium: selected once a year from the library (first batch: December 2021)
    for year in range(2021, ctx.as_of.year + 1):
        day = pd.Timestamp(year, 12, 20)
        if day > pd.Timestamp(ctx.as_of):
            break
        pool = np.flatnonzero(
            (status == "入库") & (reviewed <= pd.Timestamp(year, 11, 15)).to_numpy() & ~package
        )
        k = min(len(pool), mild(ctx, 100))
        top = pool[np.argsort(-(quality[pool] + rng.normal(0, 0.2, len(pool))))[:k]]
        status[top] = "精品"
        selected[top] = np.datetime64(day.date(), "ns")
    order = np.argsort(submitted.to_numpy(), kind="stable")
    syear = submitted.dt.year.to_numpy()
    df = pd.DataFrame({
        "title": title, "subject": subject, "level": level,
        "grade": pd.array(np.where(package | m_grade, -1, grade), dtype="Int64"),
        "resource_type": rtype, "unit_code": s.unit_code.to_numpy(),
        "school_id": np.where(unit_only, "", s.school_id.to_numpy()),
        "author_name": core._names(rng, n), "author_role": np.where(m_role, "", role),
        "submitted_on": submitted.to_numpy(), "keywords": np.where(m_kw, "", keywords),
        "description": np.where(m_desc, "", description), "file_format": np.where(m_fmt, "", fmt),
        "duration_min": np.where(m_dur, np.nan, duration),
        "size_mb": np.where(m_size, np.nan, size), "licence": np.where(m_lic, "", licence),
        "review_status": status,
        "reviewed_on": np.where(pending, np.datetime64("NaT"), reviewed.to_numpy()),
        "selected_on": selected, "is_premium": status == "精品",
        "_quality": quality, "_year": syear,
    }).iloc[order].reset_index(drop=True)  # fmt: skip
    df["grade"] = df["grade"].mask(df["grade"] < 0)
    df["reviewed_on"] = pd.to_datetime(df["reviewed_on"])
    seq = df.groupby("_year").cumcount() + 1
    df.insert(0, "resource_id", "CDZY" + df._year.astype(str) + seq.map("{:06d}".format))
    return df


def make_usage(ctx: Context, res: pd.DataFrame) -> pd.DataFrame:
    """Monthly views, downloads and schools of every published resource."""
    rng = ctx.rng("resource_usage")
    mf = month_frame(ctx)
    pub = res[res.review_status.isin(["入库", "精品"])].reset_index(drop=True)
    start = pub.reviewed_on.dt.to_period("M")
    m0 = (start - months(ctx)[0]).map(lambda x: x.n).to_numpy()
    span = len(mf) - m0
    ri = np.repeat(np.arange(len(pub)), span)
    mi = np.concatenate([np.arange(a, len(mf)) for a in m0]) if len(pub) else np.array([], int)
    age = mi - m0[ri]
    n_schools = int((ctx.frames["schools"].school_type != "幼儿园").sum())
    pop = rng.lognormal(0, 0.8, len(pub)) * np.exp(0.5 * pub._quality.to_numpy())
    sel = pub.selected_on.dt.to_period("M")
    sel_m = np.where(
        sel.notna(), (sel - months(ctx)[0]).map(lambda x: x.n if x == x else 0).fillna(0), 10**6
    ).astype(int)
    promoted = mi >= sel_m[ri]
    season = np.where(mf.closure.to_numpy()[mi], 3.0, mf.season.to_numpy()[mi])
    lam = 90 * ctx.scale * pop[ri] * season / (1 + age / 18) * np.where(promoted, 3.0, 1.0)
    views = rng.poisson(lam)
    rtype = pub.resource_type.to_numpy()[ri]
    p_dl = np.where(np.isin(rtype, S.VIDEO_TYPES), 0.06, 0.22)
    downloads = rng.binomial(views, p_dl)
    p_sch = 1 - np.exp(-views / (2.5 * max(n_schools, 1)))
    schools = np.minimum(rng.binomial(max(n_schools, 1), p_sch), views)
    return pd.DataFrame({
        "resource_id": pub.resource_id.to_numpy()[ri], "month": mf.month.to_numpy()[mi],
        "view_count": views, "download_count": downloads, "school_count": schools,
    })  # fmt: skip


# --------------------------------------------------------------------------- three classrooms


def _nearest_partner(rcv: pd.DataFrame, hosts: pd.DataFrame, rng) -> np.ndarray:
    """For each receiving school, a strong urban school of the same level nearby."""
    out = np.empty(len(rcv), dtype=object)
    for i, r in enumerate(rcv.itertuples()):
        cand = hosts[hosts.level == r.level]
        if cand.empty:
            cand = hosts
        same = cand[cand.unit_code == r.unit_code]
        if len(same) >= 2:
            cand = same
        d = np.hypot(cand.lon.to_numpy() - r.lon, cand.lat.to_numpy() - r.lat)
        near = np.argsort(d)[:5]
        best = near[np.argmax(cand.effort.to_numpy()[near] + rng.normal(0, 0.15, len(near)))]
        out[i] = cand.school_id.to_numpy()[best]
    return out


def make_classroom_activity(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("classroom_activity")
    sc = school_table(ctx)
    mf = month_frame(ctx)
    nm = len(mf)
    t = mf.t.to_numpy()
    season = mf.season.to_numpy()
    summer = np.isin(mf.mo.to_numpy(), [7, 8])
    closure = mf.closure.to_numpy()
    unit_eff = core.unit_effort(ctx)
    basic = sc[sc.school_type.isin(["小学", "初级中学", "九年一贯制学校"]) & (sc.students > 0)]
    basic = basic.assign(level=basic.levels.map(lambda x: x[0]))
    rural = (basic.urban_rural == "乡村") | (
        (basic.urban_rural == "镇区") & (rng.random(len(basic)) < 0.25)
    )
    rcv = basic[rural].reset_index(drop=True)
    hosts = basic[basic.urban_rural == "城区"].reset_index(drop=True)
    parts = []
    if len(rcv) and len(hosts):
        partner = _nearest_partner(rcv, hosts, rng)
        ue = rcv.unit_code.map(unit_eff).to_numpy()
        start = np.round(rng.normal(16 - 14 * ue, 8)).astype(int)  # month index of first lesson
        active = (np.arange(nm)[None, :] >= start[:, None]) & ~summer & ~closure
        lam = (8 + 6 * t[None, :] + 4 * rcv.effort.to_numpy()[:, None]).clip(2) * season
        sessions = np.where(active, rng.poisson(lam), 0)
        share = rng.uniform(0.3, 0.9, (len(rcv), 1))
        students = np.maximum(1, np.round(rcv.students.to_numpy()[:, None] * share)).astype(int)
        i, j = np.nonzero(sessions)
        parts.append(pd.DataFrame({
            "school_id": rcv.school_id.to_numpy()[i], "month": mf.month.to_numpy()[j],
            "kind": "专递课堂", "role": "接收", "session_count": sessions[i, j],
            "student_count": np.minimum(students[i, 0], rcv.students.to_numpy()[i]),
            "partner_school_id": partner[i], "remote_school_count": pd.NA,
        }))  # fmt: skip
    # 名师课堂 (master-teacher studios) and 名校网络课堂 (strong schools' open courses)
    pool = sc[(sc.school_type != "幼儿园") & (sc.students > 0)].reset_index(drop=True)
    score = pool.effort.to_numpy() + rng.normal(0, 0.2, len(pool))
    urban = (pool.urban_rural == "城区").to_numpy()
    for kind, share, base, reach, boost, start_mu in (
        ("名师课堂", 0.10, 3.0, 6.0, 1.0, 10),
        ("名校网络课堂", 0.03, 6.0, 20.0, 4.0, -6),  # famous schools opened courses before 2019
    ):
        k = max(2, int(round(share * len(pool))))
        cand = np.flatnonzero(urban if kind == "名校网络课堂" else np.ones(len(pool), bool))
        pick = cand[np.argsort(-score[cand])[:k]]
        h = pool.iloc[pick].reset_index(drop=True)
        ue = h.unit_code.map(unit_eff).to_numpy()
        start = np.round(rng.normal(start_mu - 12 * ue, 8)).astype(int)
        on = (np.arange(nm)[None, :] >= start[:, None]) & ~summer
        if kind == "名师课堂":
            on &= ~closure
        season_k = np.where(closure, boost, season)
        lam = (base * (1 + 0.6 * t))[None, :] * season_k[None, :] * rng.uniform(0.6, 1.4, (k, 1))
        sessions = np.where(on, rng.poisson(lam), 0)
        i, j = np.nonzero(sessions)
        n_sch = len(sc)
        reach_lam = reach * (1 + t[j]) * np.where(closure[j], 10.0, 1.0) * ctx.scale**0.5
        remote = np.minimum(rng.poisson(reach_lam) + 1, n_sch - 1)
        share = rng.uniform(0.1, 0.4, len(i))
        parts.append(pd.DataFrame({
            "school_id": h.school_id.to_numpy()[i], "month": mf.month.to_numpy()[j],
            "kind": kind, "role": "主讲", "session_count": sessions[i, j],
            "student_count": np.maximum(1, np.round(h.students.to_numpy()[i] * share)).astype(int),
            "partner_school_id": "", "remote_school_count": remote,
        }))  # fmt: skip
    df = pd.concat(parts, ignore_index=True)
    df["remote_school_count"] = df["remote_school_count"].astype("Int64")
    return df.sort_values(["month", "school_id", "kind"]).reset_index(drop=True)


# --------------------------------------------------------------------------- 四川云教

CLOUD_SUBJECTS = {
    "高中": ["语文、数学、英语、物理、化学", "语文、数学、英语", "数学、物理、化学、生物"],
    "初中": ["语文、数学、英语", "数学、英语、物理", "语文、数学、英语、物理、化学"],
    "小学": ["语文、数学、英语", "数学、英语", "英语、科学"],
}
CLOUD_TYPES = {"高中": ["高级中学", "完全中学"], "初中": ["初级中学", "九年一贯制学校", "完全中学"],
               "小学": ["小学", "九年一贯制学校"]}  # fmt: skip
CLOUD_LESSONS = {"高中": (15, 30), "初中": (8, 20), "小学": (5, 12)}


def semesters(ctx: Context) -> list[tuple[str, dt.date, dt.date]]:
    """(label, start, end) of the semesters that started between the data start and as-of."""
    out = []
    for y in range(ctx.start.year - 1, ctx.as_of.year + 1):
        for n, start, end in ((1, dt.date(y, 9, 1), dt.date(y + 1, 1, 31)),
                              (2, dt.date(y + 1, 2, 20), dt.date(y + 1, 7, 31))):  # fmt: skip
            if ctx.start <= start <= ctx.as_of:
                out.append((f"{y}-{y + 1}-{n}", start, end))
    return sorted(out, key=lambda s: s[1])


def make_cloud_pairs(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("cloud_pairs")
    sc = school_table(ctx)
    ls = level_students(ctx)
    sems = semesters(ctx)
    ns = len(sems)
    rows = []
    taken: set[tuple[str, str]] = set()
    for level, n_b in (("高中", 8), ("初中", 6), ("小学", 6)):
        cand = sc[sc.school_type.isin(CLOUD_TYPES[level])]
        lvl_students = ls.reindex(list(zip(cand.school_id, [level] * len(cand)))).fillna(0)
        cand = cand[lvl_students.to_numpy() >= 20]
        bc = cand[(cand.urban_rural == "城区") & (cand.category == "中心城区")]
        bc = bc.iloc[np.argsort(-(bc.effort.to_numpy() + rng.normal(0, 0.1, len(bc))))]
        bc = bc.head(mild(ctx, n_b))
        rc = cand[(cand.urban_rural != "城区")].reset_index(drop=True)
        if bc.empty or rc.empty:
            continue
        rw = np.where(rc.category == "中心城区", 1.0, 3.0) * np.exp(-0.8 * rc.effort.to_numpy())
        for b in bc.itertuples():
            k = int(rng.integers(2, 8))
            free = np.array([(sid, level) not in taken for sid in rc.school_id])
            if not free.any():
                break
            p = rw * free
            pick = rng.choice(len(rc), min(k, int(free.sum())), replace=False, p=p / p.sum())
            for i in pick:
                r = rc.iloc[i]
                taken.add((r.school_id, level))
                # more pairs started in later semesters
                s0 = int(rng.choice(ns, p=np.linspace(1, 2.5, ns) / np.linspace(1, 2.5, ns).sum()))
                start = sems[s0][1] - dt.timedelta(days=int(rng.integers(0, 40)))
                base = 70 + 9 * r.effort + 5 * b.effort + rng.normal(0, 4)
                lo, hi = CLOUD_LESSONS[level]
                lessons = int(rng.integers(lo, hi + 1))
                students = int(min(ls.get((r.school_id, level), 0), rng.integers(40, 160)))
                subjects = CLOUD_SUBJECTS[level][int(rng.integers(0, 3))]
                low = 0
                status = "正常"
                for si in range(s0, ns):
                    label, _, end = sems[si]
                    quits = rng.random() < 0.03 or low >= 2
                    score = base + 2.0 * (si - s0) + rng.normal(0, 5)
                    score = float(np.clip(score, 35, 99.5).round(1))
                    evaluated = end <= ctx.as_of and not quits
                    rows.append((b.school_id, r.school_id, level, subjects, start, label, lessons,
                                 max(students, 1), score if evaluated else np.nan,
                                 "终止" if quits else status))  # fmt: skip
                    if quits:
                        break
                    low = low + 1 if evaluated and score < 60 else 0
                    status = "整改" if low else "正常"
    df = pd.DataFrame(rows, columns=["broadcast_school_id", "school_id", "level", "subjects",
                                     "start_date", "semester", "weekly_lessons", "student_count",
                                     "evaluation_score", "status"])  # fmt: skip
    s = df.evaluation_score
    df["evaluation_grade"] = np.select(
        [s >= 90, s >= 80, s >= 60, s.notna()], ["优秀", "良好", "合格", "不合格"], ""
    )
    df["start_date"] = pd.to_datetime(df["start_date"])
    return df


def generate(ctx: Context, progress) -> None:
    progress("resources")
    res = make_resources(ctx)
    ctx.frames["resources"] = res.drop(columns=["_quality", "_year"])
    ctx.write(S.RESOURCES, res, fmt="xlsx", encoding="utf-8")
    ctx.write(S.RESOURCE_USAGE, make_usage(ctx, res), encoding="utf-8-sig")
    ctx.write(S.CLASSROOM_ACTIVITY, make_classroom_activity(ctx), encoding="gb18030")
    ctx.write(S.CLOUD_PAIRS, make_cloud_pairs(ctx), fmt="xlsx")

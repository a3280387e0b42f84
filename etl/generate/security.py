"""Demo data for the cybersecurity registry: 等保 filings, incident notices, drills, app filings.

Everything runs 2019-01-01 → as-of with the units' informatization pace (core.unit_effort) and
the schools' (ctx.frames["school_effort"]): units that lag elsewhere grade later, test less
often, rectify incidents more slowly and keep more non-compliant apps. City-level systems and
drills are fixed quantities; school-level ones scale with the schools; the app catalogue scales
mildly (it is national).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from edusight import config
from etl import standards
from etl.generate import core
from etl.generate.common import Context
from etl.sources import security as S

DAY = np.timedelta64(1, "D")

# City-level systems (市级): name, operator, kind, level, is_cii, has_personal_info
CITY_SYSTEMS = [
    ("成都市教育局门户网站", "成都市教育局", "门户网站", 3, False, False),
    ("成都市招生考试信息管理系统", "成都市教育考试院", "招生考试", 3, True, True),
    ("成都市教育考试院门户网站", "成都市教育考试院", "门户网站", 2, False, False),
    ("成都市义务教育入学服务平台", "成都市教育局", "招生考试", 3, False, True),
    ("成都市中小学生学籍辅助管理系统", "成都市教育局", "学籍管理", 3, False, True),
    ("成都市学生资助管理系统", "成都市学生资助管理中心", "学生资助", 3, False, True),
    ("成都市教育大数据中心", "成都市教育技术装备管理中心", "数据中心", 3, True, True),
    ("成都市教育局协同办公系统", "成都市教育局", "办公系统", 2, False, True),
    ("成都数字学校", "成都市电化教育馆", "教学平台", 3, False, True),
    ("成都市教育资源公共服务平台", "成都市电化教育馆", "教学平台", 2, False, False),
    ("成都市校园安全监控平台", "成都市教育局", "校园安全", 3, False, True),
    ("成都市教师管理服务平台", "成都市教育局", "其他", 3, False, True),
    ("成都市教育系统视频会议系统", "成都市教育技术装备管理中心", "其他", 2, False, False),
    ("成都市教育系统网络安全监测平台", "成都市教育技术装备管理中心", "其他", 2, False, False),
]  # fmt: skip
# Unit-level systems (区县级): name suffix, kind, level (3 w.p. p3 else 2), probability present
UNIT_SYSTEMS = [
    ("教育局门户网站", "门户网站", 0.25, 1.0),
    ("义务教育招生入学系统", "招生考试", 1.0, 0.95),
    ("学生资助管理系统", "学生资助", 0.5, 0.8),
    ("教育数据中心", "数据中心", 1.0, 0.55),
    ("教育局协同办公系统", "办公系统", 0.0, 0.9),
    ("智慧教育云平台", "教学平台", 0.3, 0.7),
    ("校园安全视频监控平台", "校园安全", 0.4, 0.5),
    ("教育装备管理系统", "其他", 0.0, 0.4),
]  # fmt: skip
# School-level systems: name suffix, kind, level, probability by school group (中小学, 幼儿园)
SCHOOL_SYSTEMS = [
    ("门户网站", "门户网站", 2, (0.55, 0.08)),
    ("校园一卡通系统", "一卡通", 2, (0.12, 0.0)),
    ("智慧校园平台", "教学平台", 2, (0.14, 0.02)),
    ("校园视频监控系统", "校园安全", 2, (0.08, 0.03)),
    ("校内资产登记工具", "其他", 1, (0.05, 0.01)),
]  # fmt: skip

APP_PREFIX = list("智慧云乐掌优学阳光未来星火青苗彩虹蓝天启航博雅")  # fmt: skip
APP_CORE = [("课堂", "教学"), ("作业", "作业练习"), ("题库", "作业练习"), ("口语", "教学"),
            ("阅读", "阅读"), ("考试", "考试测评"), ("测评", "考试测评"), ("家校通", "家校沟通"),
            ("成长记录", "校园管理"), ("校园", "校园管理"), ("体育", "体育健康"), ("托管", "其他"),
            ("书法", "教学"), ("编程", "教学")]  # fmt: skip
PROVIDER_CITIES = [  # city, area code, ICP province abbreviation, weight
    ("成都", "510100", "蜀", 0.45), ("四川", "510000", "蜀", 0.1), ("北京", "110108", "京", 0.18),
    ("上海", "310104", "沪", 0.1), ("深圳", "440305", "粤", 0.07), ("杭州", "330106", "浙", 0.06),
    ("广州", "440106", "粤", 0.04),
]  # fmt: skip
PROVIDER_WORDS = list("智学云途博思启明优培星辰乐知未来慧通")
PUBLIC_PROVIDERS = [("成都市电化教育馆", "510100"), ("四川省电化教育馆", "510000"),
                    ("成都市教育科学研究院", "510100")]  # fmt: skip
CREDIT_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))


def read_reference(name: str) -> pd.DataFrame:
    return pd.read_csv(config.reference_dir() / f"{name}.csv")


def _days(ctx: Context) -> int:
    return (ctx.as_of - ctx.start).days


def _date(ctx: Context, offset) -> np.ndarray:
    """Dates `offset` days after ctx.start (datetime64[D])."""
    return np.datetime64(ctx.start, "D") + np.asarray(offset).astype(int) * DAY


def _short(units: pd.DataFrame) -> pd.Series:
    return units.set_index("unit_code").name_zh.str.replace("(成都直管区)", "", regex=False)


# --------------------------------------------------------------------------- info systems


def make_systems(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("info_systems")
    units = ctx.frames["units"]
    schools = ctx.frames["schools"]
    effort = core.unit_effort(ctx)
    s_eff = ctx.frames["school_effort"]
    short = _short(units)
    rows = []  # id, name, admin, operator, unit, school, kind, level, cii, personal, pace, when
    for i, (name, op, kind, level, cii, pers) in enumerate(CITY_SYSTEMS):
        rows.append((f"SYS-510100-{i + 1:03d}", name, "市级", op, None, None, kind, level, cii,
                     pers, 0.4, rng.uniform(0.0, 0.25)))  # fmt: skip
    for u in units.unit_code:
        e = effort[u]
        k = 0
        for suffix, kind, p3, present in UNIT_SYSTEMS:
            if rng.random() >= present * (1 + 0.3 * e):
                continue
            k += 1
            level = 3 if rng.random() < p3 else 2
            rows.append((f"SYS-{u}-{k:03d}", short[u] + suffix, "区县级", short[u] + "教育局", u,
                         None, kind, level, False, kind != "门户网站", e,
                         rng.normal(0.3 - 0.4 * e, 0.15)))  # fmt: skip
    kg = (schools.school_type == "幼儿园").to_numpy()
    for suffix, kind, level, (p_main, p_kg) in SCHOOL_SYSTEMS:
        eff = s_eff.reindex(schools.school_id).fillna(0).to_numpy()
        p = np.where(kg, p_kg, p_main) * np.clip(1 + 0.6 * eff, 0.3, 1.8)
        p = p * np.where(schools.urban_rural == "乡村", 0.5, 1.0)
        hit = np.flatnonzero(rng.random(len(schools)) < p)
        for j in hit:
            sc = schools.iloc[j]
            rows.append((None, sc.school_name + suffix, "学校", sc.school_name, sc.unit_code,
                         sc.school_id, kind, level, False, kind not in ("门户网站",), eff[j],
                         rng.normal(0.55 - 0.5 * eff[j], 0.25)))  # fmt: skip
    df = pd.DataFrame(rows, columns=["system_id", "system_name", "admin_level", "operator",
                                     "unit_code", "school_id", "kind", "level", "is_cii",
                                     "has_personal_info", "pace", "when"])  # fmt: skip
    sch = df.admin_level == "学校"
    seq = df[sch].groupby("school_id").cumcount() + 1
    df.loc[sch, "system_id"] = "SYS-" + df.loc[sch, "school_id"] + "-" + seq.map("{:03d}".format)
    # systems graded before 2019 (等保1.0) show their 2.0 re-grading early in the period;
    # only systems graded by the as-of date are in the registry (more systems filed over time)
    early = df["when"].to_numpy() < 0
    df.loc[early, "when"] = rng.uniform(0, 0.15, early.sum())
    df = df[df["when"] < 1.0].reset_index(drop=True)
    return _lifecycle(ctx, df, rng)


def _lifecycle(ctx: Context, df: pd.DataFrame, rng) -> pd.DataFrame:
    """定级 → 备案 → 建设整改 → 测评 (yearly for level 3) → 监督检查, as of ctx.as_of."""
    n = len(df)
    span = _days(ctx)
    as_of = np.datetime64(ctx.as_of, "D")
    levels = read_reference("dengbao_levels").set_index("level").test_interval_months
    graded = _date(ctx, np.clip(df["when"].to_numpy(), 0, 0.999) * span)
    pace = df.pace.to_numpy()
    level = df.level.to_numpy()
    filed = graded + rng.integers(5, 45, n) * DAY
    has_filing = (level >= 2) & (filed <= as_of)
    # first test after rectification: sooner in faster units; level 2 is tested by some only
    first_test = filed + np.clip(rng.normal(200 - 120 * pace, 60, n), 60, 500).astype(int) * DAY
    wants_test = (level >= 3) | (rng.random(n) < 0.3 + 0.3 * pace)
    last = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    # a share of systems with a required interval let the test slip past it (overdue): their
    # testing stops a little more than one interval before the as-of date
    slip = rng.random(n) < np.clip(0.22 - 0.35 * pace, 0.03, 0.6)
    for i in np.flatnonzero(has_filing & wants_test & (first_test <= as_of)):
        t = first_test[i]
        interval = levels.get(level[i])
        if pd.isna(interval):  # tested once, maybe again after 2–3 years
            nxt = t + int(rng.integers(700, 1100)) * DAY
            while nxt <= as_of and rng.random() < 0.4:
                t, nxt = nxt, nxt + int(rng.integers(700, 1100)) * DAY
        else:
            step = int(round(float(interval) * 30.4))
            cutoff = as_of - (step + int(rng.integers(15, 200))) * DAY if slip[i] else as_of
            if t > cutoff:
                continue  # first test not yet done
            while True:
                nxt = t + (step + int(rng.integers(-45, 15))) * DAY
                if nxt > cutoff:
                    break
                t = nxt
        last[i] = t
    tested = ~np.isnat(last)
    score = 82 + 12 * pace + rng.normal(0, 7, n)
    result = np.where(score >= 88, "符合", np.where(score >= 72, "基本符合", "不符合"))
    interval = pd.Series(level).map(levels).to_numpy(dtype=float)
    due = [
        pd.Timestamp(d) + pd.DateOffset(months=int(m)) if tested[i] and m == m else pd.NaT
        for i, (d, m) in enumerate(zip(last, interval))
    ]
    recent = (as_of - filed) < 45 * DAY
    stage = np.where(~has_filing, np.where((level == 1) & (rng.random(n) < 0.5), "建设整改", "定级"),
             np.where(~tested, np.where(recent, "备案", "建设整改"),
                      np.where((level >= 3) & ((as_of - last) > 60 * DAY) & (rng.random(n) < 0.55),
                               "监督检查", "测评")))  # fmt: skip
    area = (
        df.unit_code.fillna("510100")
        .map(dict(zip(ctx.frames["units"].unit_code, _division_codes(ctx))))
        .fillna("510100")
    )
    police = rng.integers(0, 100_000, n)
    seq = rng.permutation(10_000)[:n] if n <= 10_000 else rng.integers(0, 10_000, n)
    number = [f"{a}{p:05d}-{lv}{s:04d}" for a, p, lv, s in zip(area, police, level, seq)]
    df = df.drop(columns=["pace", "when"])
    df["stage"] = stage
    df["graded_on"] = pd.to_datetime(graded)
    df["filed_on"] = pd.to_datetime(np.where(has_filing, filed, np.datetime64("NaT")))
    df["filing_number"] = np.where(has_filing, number, None)
    df["last_test_on"] = pd.to_datetime(last)
    df["test_result"] = np.where(tested, result, None)
    df["next_test_due"] = pd.to_datetime(pd.Series(due, dtype="datetime64[ns]"))
    return df.sort_values("system_id").reset_index(drop=True)


def _division_codes(ctx: Context) -> list[str]:
    u = ctx.frames["units"]
    host = u.host_division_code.fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
    return [h if h else c for c, h in zip(u.unit_code, host)]


# --------------------------------------------------------------------------- incidents


def make_incidents(ctx: Context, systems: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("security_incidents")
    cats = read_reference("incident_categories")
    sev = read_reference("incident_severities")
    effort = core.unit_effort(ctx)
    # notices per year grow as monitoring widens (2019 → 2022); 2022 is counted to the as-of date
    per_year = {2019: 160, 2020: 240, 2021: 340, 2022: 380}
    rows = []
    targets = systems[systems.admin_level != "市级"].reset_index(drop=True)
    t_graded = targets.graded_on.to_numpy().astype("datetime64[D]")
    t_eff = targets.unit_code.map(effort).to_numpy()
    w_base = np.where(targets.level.to_numpy() <= 2, 1.6, 1.0) * np.exp(-1.2 * t_eff)
    main = ctx.frames["schools"]
    main = main[main.school_type != "幼儿园"]
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        y0 = max(np.datetime64(dt.date(year, 1, 1), "D"), np.datetime64(ctx.start, "D"))
        y1 = min(np.datetime64(dt.date(year, 12, 31), "D"), np.datetime64(ctx.as_of, "D"))
        if y1 < y0:
            continue
        share = ((y1 - y0) / DAY + 1) / 365
        k = ctx.n(per_year.get(year, 380) * share, minimum=1)
        found = y0 + rng.integers(0, int((y1 - y0) / DAY) + 1, k) * DAY
        for f in np.sort(found):
            if rng.random() < 0.72:  # a filed system
                ok = np.flatnonzero(t_graded <= f)
                if len(ok) == 0:
                    continue
                w = w_base[ok]
                j = ok[rng.choice(len(ok), p=w / w.sum())]
                t = targets.iloc[j]
                rows.append((f, t.unit_code, t.school_id, t.system_id))
            else:  # an asset nobody filed: a school's forgotten site or server
                sc = main.iloc[int(rng.integers(0, len(main)))]
                rows.append((f, sc.unit_code, sc.school_id, None))
    df = pd.DataFrame(rows, columns=["found_on", "unit_code", "school_id", "system_id"])
    n = len(df)
    found = df.found_on.to_numpy().astype("datetime64[D]")
    eff = df.unit_code.map(effort).to_numpy()
    df["category"] = rng.choice(cats.category, n, p=cats.share / cats.share.sum())
    df["severity"] = rng.choice(sev.severity, n, p=sev.share / sev.share.sum())
    df["channel"] = rng.choice(["监测平台", "公安通报", "上级通报", "自查", "第三方报告"], n,
                               p=[0.55, 0.15, 0.1, 0.12, 0.08])  # fmt: skip
    notified = found + rng.integers(0, 6, n) * DAY
    days = df.severity.map(sev.set_index("severity").rectify_days).to_numpy().astype(int)
    deadline = notified + days * DAY
    # rectification: faster units finish well within the deadline; slow ones often late
    ratio = rng.lognormal(np.log(0.7) - 0.9 * eff, 0.55, n)
    rect = notified + np.maximum(0, np.round(ratio * days)).astype(int) * DAY
    never = rng.random(n) < np.clip(0.04 - 0.08 * eff, 0.005, 0.15)
    as_of = np.datetime64(ctx.as_of, "D")
    done = ~never & (rect <= as_of)
    status = np.where(done, "已整改", np.where(deadline < as_of, "逾期",
                      np.where((as_of - notified) < 3 * DAY, "待整改", "整改中")))  # fmt: skip
    df["found_on"] = pd.to_datetime(found)
    df["notified_on"] = pd.to_datetime(notified)
    df["deadline"] = pd.to_datetime(deadline)
    df["rectified_on"] = pd.to_datetime(np.where(done, rect, np.datetime64("NaT")))
    df["status"] = status
    years = df.found_on.dt.year.astype(str)
    df.insert(
        0,
        "incident_id",
        "TB" + years + "-" + (df.groupby(years).cumcount() + 1).map("{:04d}".format),
    )
    return df


# --------------------------------------------------------------------------- drills


def make_drills(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("security_drills")
    units = ctx.frames["units"]
    effort = core.unit_effort(ctx)
    schools = ctx.frames["schools"]
    main = schools[schools.school_type != "幼儿园"].reset_index(drop=True)
    s_eff = ctx.frames["school_effort"].reindex(main.school_id).fillna(0).to_numpy()
    central = units.unit_code[units.category == "中心城区"].to_numpy()
    as_of = np.datetime64(ctx.as_of, "D")
    rows = []  # unit, school, level, date, scenario, form, participants

    def on(year: int, month: int, day: int) -> np.datetime64:
        return np.datetime64(dt.date(year, month, day), "D")

    scen = list(S.DRILL_SCENARIOS)
    p_scen = np.array([0.2, 0.2, 0.15, 0.1, 0.1, 0.1, 0.15])
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        t = year - ctx.start.year
        # 市级: the city's drills (fixed): one a year, two in 2021 (建党100周年 保障)
        city = [(on(year, 9, 15), "网页篡改应急处置")]
        if year == 2021:
            city.append((on(2021, 6, 18), "重要时期网络安全保障"))
        if year >= 2022:
            city.append((on(year, 5, 20), "考试期间网络安全保障"))
        for d, s in city:
            d = d + int(rng.integers(-5, 6)) * DAY
            if d <= as_of:
                rows.append((str(rng.choice(central)), None, "市级", d, s, "攻防演练" if t >= 2 else "实战演练",
                             int(rng.integers(200, 800))))  # fmt: skip
        # 区县级: 0–3 a year per unit, more in faster units and later years
        for u, e in effort.items():
            k = 1 + rng.poisson(max(0.05, 0.3 + 0.6 * e + 0.2 * t))
            if e < -0.2 and rng.random() < 0.35:  # lagging units skip a year now and then
                k = 0
            for _ in range(int(min(k, 3))):
                d = _drill_day(rng, year)
                if d <= as_of:
                    rows.append((u, None, "区县级", d, str(rng.choice(scen, p=p_scen / p_scen.sum())),
                                 str(rng.choice(["桌面推演", "实战演练", "攻防演练"], p=[0.3, 0.55, 0.15])),
                                 int(rng.integers(30, 300))))  # fmt: skip
        # 校级: a growing share of schools drill once a year
        p = np.clip(0.04 + 0.09 * t + 0.15 * s_eff, 0.01, 0.7)
        for j in np.flatnonzero(rng.random(len(main)) < p):
            d = _drill_day(rng, year)
            if d <= as_of:
                rows.append((main.unit_code[j], main.school_id[j], "校级", d,
                             str(rng.choice(scen[:4] + scen[6:], p=[0.3, 0.25, 0.15, 0.1, 0.2])),
                             "桌面推演" if rng.random() < 0.6 else "实战演练", int(rng.integers(8, 150))))  # fmt: skip
    df = pd.DataFrame(rows, columns=["unit_code", "school_id", "level", "drill_on", "scenario",
                                     "form", "participants"])  # fmt: skip
    df = df.sort_values(["drill_on", "level", "unit_code"], kind="stable").reset_index(drop=True)
    df["drill_on"] = pd.to_datetime(df.drill_on)
    df["has_report"] = rng.random(len(df)) < np.where(df.level == "校级", 0.8, 0.97)
    years = df.drill_on.dt.year.astype(str)
    df.insert(
        0, "drill_id", "YL" + years + "-" + (df.groupby(years).cumcount() + 1).map("{:04d}".format)
    )
    return df


def _drill_day(rng, year: int) -> np.datetime64:
    """Drills cluster around 国家网络安全宣传周 (September) and before the exams (May–June)."""
    month = int(rng.choice(np.arange(1, 13), p=_MONTH_P))
    return np.datetime64(dt.date(year, month, 1), "D") + int(rng.integers(0, 28)) * DAY


_MONTH_P = np.array([2, 1, 5, 8, 12, 12, 6, 3, 20, 12, 10, 9], dtype=float)
_MONTH_P /= _MONTH_P.sum()


# --------------------------------------------------------------------------- apps


def make_apps(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("edu_apps")
    effort = core.unit_effort(ctx)
    schools = ctx.frames["schools"]
    main = schools[schools.school_type != "幼儿园"].reset_index(drop=True)
    s_eff = ctx.frames["school_effort"].reindex(main.school_id).fillna(0).to_numpy()
    # the catalogue: national, so it scales mildly with the demo scale
    n_apps = int(round(300 * ctx.scale**0.3))
    names = [p + c for p in APP_PREFIX for c, _ in APP_CORE]
    kinds = dict(APP_CORE)
    pick = rng.choice(len(names), min(n_apps, len(names)), replace=False)
    n_apps = len(pick)
    n_prov = max(5, int(n_apps * 0.6))
    # providers: a few public institutions (credit code 12…), the rest companies (91…)
    n_pub = len(PUBLIC_PROVIDERS)
    cities = rng.choice(len(PROVIDER_CITIES), n_prov - n_pub, p=[c[3] for c in PROVIDER_CITIES])
    pairs = [a + b for a in PROVIDER_WORDS for b in PROVIDER_WORDS if a != b]
    combo = rng.choice(len(pairs) * 2, n_prov - n_pub, replace=False)
    prov_name = [nm for nm, _ in PUBLIC_PROVIDERS] + [
        f"{PROVIDER_CITIES[c][0]}{pairs[k // 2]}{('教育科技', '信息技术')[k % 2]}有限公司"
        for c, k in zip(cities, combo)
    ]
    area = np.array([a for _, a in PUBLIC_PROVIDERS] + [PROVIDER_CITIES[c][1] for c in cities])
    org = ["".join(x) for x in CREDIT_ALPHABET[rng.integers(0, 31, (n_prov, 9))]]
    kind = np.where(np.arange(n_prov) < n_pub, "12", "91")
    credit = standards.make_credit_codes(np.array([k + a + o for k, a, o in zip(kind, area, org)]))
    icp_prov = np.array(["蜀"] * n_pub + [PROVIDER_CITIES[c][2] for c in cities])
    icp_year = rng.integers(10, 20, n_prov)
    icp_num = rng.integers(0, 1_000_000, n_prov)
    prov_of_app = rng.integers(0, n_prov, n_apps)
    app_name = np.array([names[i] for i in pick])
    app_type = np.array([kinds[nm[1:]] for nm in app_name])
    app_id = np.array([f"APP{k + 1:05d}" for k in range(n_apps)])
    has_icp = rng.random(n_apps) < 0.96
    has_mlps = rng.random(n_apps) < 0.9
    compliant = has_icp & has_mlps
    personal = rng.random(n_apps) < 0.7
    popularity = 1.0 / np.arange(1, n_apps + 1) ** 0.8
    popularity = popularity[rng.permutation(n_apps)]
    # users: each unit's bureau and most schools file the apps they use (from 2020)
    users = [(u, None, effort[u], int(rng.integers(12, 35))) for u in effort]
    users += [(main.unit_code[j], main.school_id[j], s_eff[j], int(rng.poisson(3.2 + 1.5 * s_eff[j])))
              for j in range(len(main))]  # fmt: skip
    start = np.datetime64("2020-01-06", "D")  # filing opened after 教技函〔2019〕55号
    as_of = np.datetime64(ctx.as_of, "D")
    span = max(1, int((as_of - start) / DAY))
    rows = []
    for unit, school, e, k in users:
        k = min(k, n_apps)
        if k == 0:
            continue
        apps = rng.choice(n_apps, k, replace=False, p=popularity / popularity.sum())
        for a in apps:
            f = start + int(min(0.98, abs(rng.beta(1.6, 3.5) - 0.12 * e)) * span) * DAY
            if f > as_of:
                continue
            rows.append((unit, school, a, f, e))
    df = pd.DataFrame(rows, columns=["unit_code", "school_id", "app", "filed_on", "pace"])
    n = len(df)
    a = df.app.to_numpy()
    p = prov_of_app[a]
    filed = df.filed_on.to_numpy().astype("datetime64[D]")
    # non-compliant apps are flagged (待清理) and removed after a while, slower in slow units
    # (some are still pending at the as-of date); a few compliant ones are dropped when unused
    delay = rng.lognormal(np.log(150) - 1.5 * df.pace.to_numpy(), 1.0, n)
    clean = filed + np.maximum(7, delay).astype(int) * DAY
    drop = ~compliant[a] | (rng.random(n) < 0.03)
    cleaned = drop & (clean <= as_of)
    pending = ~compliant[a] & ~cleaned
    status = np.where(cleaned, "已清理", np.where(pending, "待清理", "已备案"))
    out = pd.DataFrame({
        "app_id": app_id[a], "app_name": app_name[a], "app_type": app_type[a],
        "provider": np.array(prov_name, dtype=object)[p], "provider_credit_code": credit[p],
        "icp_number": np.where(has_icp[a], [f"{icp_prov[q]}ICP备{icp_year[q]:02d}{icp_num[q]:06d}号-{1 + q % 3}" for q in p], None),
        "has_mlps_filing": has_mlps[a], "collects_personal_info": personal[a],
        "unit_code": df.unit_code, "school_id": df.school_id, "status": status,
        "filed_on": pd.to_datetime(filed),
        "cleaned_on": pd.to_datetime(np.where(cleaned, clean, np.datetime64("NaT"))),
    })  # fmt: skip
    out = out.sort_values(["filed_on", "unit_code", "app_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "filing_id", [f"SYBA{k + 1:06d}" for k in range(len(out))])
    return out


def generate(ctx: Context, progress) -> None:
    systems = make_systems(ctx)
    ctx.frames["info_systems"] = systems
    progress("security")
    ctx.write(S.INFO_SYSTEMS, systems, fmt="xlsx")
    ctx.write(S.SECURITY_INCIDENTS, make_incidents(ctx, systems), encoding="gb18030")
    ctx.write(S.SECURITY_DRILLS, make_drills(ctx), encoding="utf-8-sig")
    ctx.write(S.EDU_APPS, make_apps(ctx), encoding="utf-8")

"""Demo data for the four base databases and the digital-campus assessments.

Counts per level follow data/reference/bulletin_2021.csv (成都市2021年教育事业发展统计公报) times
the scale; units get schools in proportion to population, with more 民办 and 高中 in 中心城区 and
more small rural schools in 郊区新城. Everything is vectorized: scale 1 means ~2.6 million pupils.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from edusight.geo import sample_points
from etl import standards
from etl.generate.common import Context
from etl.sources import core as S

# How many schools of each type make up the bulletin's per-level counts (scale 1). Combined
# schools count under each level they serve: 小学 532+110 = 642, 初中 270+110+95 = 475,
# 高中 75+95 = 170. The split is an assumption; the per-level totals are the bulletin's.
TYPE_COUNTS = {
    "幼儿园": 2773,
    "小学": 532,
    "初级中学": 270,
    "九年一贯制学校": 110,
    "高级中学": 75,
    "完全中学": 95,
    "中等职业学校": 87,
    "特殊教育学校": 30,
}
TYPE_LEVELS = {
    "幼儿园": ("幼儿园",),
    "小学": ("小学",),
    "初级中学": ("初中",),
    "九年一贯制学校": ("小学", "初中"),
    "高级中学": ("高中",),
    "完全中学": ("初中", "高中"),
    "中等职业学校": ("中职",),
    "特殊教育学校": ("特教",),
}
TYPE_PREFIX = {
    "幼儿园": "11",
    "小学": "21",
    "初级中学": "31",
    "九年一贯制学校": "31",
    "高级中学": "34",
    "完全中学": "34",
    "中等职业学校": "36",
    "特殊教育学校": "51",
}
NAME_SUFFIX = {
    "幼儿园": "幼儿园",
    "小学": "小学",
    "初级中学": "中学",
    "九年一贯制学校": "学校",
    "高级中学": "高级中学",
    "完全中学": "中学",
    "中等职业学校": "职业技术学校",
    "特殊教育学校": "特殊教育学校",
}
PRIVATE_SHARE = {"幼儿园": 0.55, "小学": 0.08, "初级中学": 0.15, "九年一贯制学校": 0.25,
                 "高级中学": 0.25, "完全中学": 0.2, "中等职业学校": 0.35, "特殊教育学校": 0.0}  # fmt: skip
LEVEL = (62.0, 16.0, 6.0)  # assessment score: base + growth × time + pace × school effort
LEVEL_GRADES = {"幼儿园": 3, "小学": 6, "初中": 3, "高中": 3, "中职": 3, "特教": 6}
LEVEL_START_AGE = {"幼儿园": 3, "小学": 6, "初中": 12, "高中": 15, "中职": 15, "特教": 7}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")  # fmt: skip
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩然欣怡梓涵子轩雨泽博思佳琪晨阳睿铭一诺可馨俊宏嘉懿语彤诗锦瑞航昊天宁远川蓉蜀岷峨")  # fmt: skip
MIGRANT_AREAS = np.array([
    "511302", "511303", "511321", "510722", "510781", "511102", "511621", "511502", "511902",
    "510921", "511011", "512021", "513401", "500101", "500230", "530102", "520102", "420102",
    "610102", "500240", "511602", "511823", "510681", "510623", "511702",
])  # fmt: skip
NUMERALS = "零一二三四五六七八九"


def cn_number(k: int) -> str:
    if k < 10:
        return NUMERALS[k]
    if k < 20:
        return "十" + (NUMERALS[k % 10] if k % 10 else "")
    if k < 100:
        return NUMERALS[k // 10] + "十" + (NUMERALS[k % 10] if k % 10 else "")
    return str(k)


def _division(units: pd.DataFrame) -> dict[str, str]:
    """The GB/T 2260 division whose area code a unit's people carry (zones: the host)."""
    return {
        r.unit_code: (r.host_division_code if isinstance(r.host_division_code, str) and r.host_division_code else r.unit_code)
        for r in units.itertuples()
    }  # fmt: skip


def make_schools(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("schools")
    units = ctx.frames["units"].copy()
    units["host_division_code"] = units["host_division_code"].fillna("").astype(str)
    w_pop = units["population_10k"].to_numpy(dtype=float)
    central = (units["category"] == "中心城区").to_numpy()
    suburban = (units["category"] == "郊区新城").to_numpy()
    rows = []
    for stype, n_city in TYPE_COUNTS.items():
        n = ctx.n(n_city)
        w = w_pop.copy()
        if stype in ("小学", "九年一贯制学校", "初级中学"):
            w = w * np.where(suburban, 1.45, 1.0)  # more small rural schools
        if stype in ("高级中学", "完全中学", "中等职业学校"):
            w = w * np.where(central, 1.3, 1.0)
        counts = rng.multinomial(n, w / w.sum())
        seqs = rng.choice(1_000_000, size=n, replace=False)
        k = 0
        for ui, cnt in enumerate(counts):
            for j in range(cnt):
                rows.append((stype, units.unit_code.iloc[ui], j + 1, int(seqs[k])))
                k += 1
    df = pd.DataFrame(rows, columns=["school_type", "unit_code", "ordinal", "seq"])
    ucat = units.set_index("unit_code")["category"]
    df["category"] = df["unit_code"].map(ucat)
    df["school_id"] = [TYPE_PREFIX[t] + "51" + f"{s:06d}" for t, s in zip(df.school_type, df.seq)]
    short = units.set_index("unit_code")["name_zh"].str.replace("(成都直管区)", "", regex=False)
    df["school_name"] = [
        f"成都市{short[u]}第{cn_number(o)}{NAME_SUFFIX[t]}" if not u.startswith("Z")
        else f"{short[u]}第{cn_number(o)}{NAME_SUFFIX[t]}"
        for u, o, t in zip(df.unit_code, df.ordinal, df.school_type)
    ]  # fmt: skip
    p_private = df.school_type.map(PRIVATE_SHARE).to_numpy() * np.where(
        df.category == "中心城区", 1.15, 0.8
    )
    df["ownership"] = np.where(rng.random(len(df)) < p_private, "民办", "公办")
    # urban / rural by category
    r = rng.random(len(df))
    cut = {
        "中心城区": (0.78, 0.95),
        "郊区新城": (0.30, 0.62),
        "城市新区": (0.25, 0.55),
    }
    c1 = df.category.map(lambda c: cut[c][0]).to_numpy()
    c2 = df.category.map(lambda c: cut[c][1]).to_numpy()
    df["urban_rural"] = np.where(r < c1, "城区", np.where(r < c2, "镇区", "乡村"))
    # credit codes: 12/52 + area + 9-character organization code + check
    div = _division(units)
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    org = ["".join(x) for x in alphabet[rng.integers(0, 31, size=(len(df), 9))]]
    prefix = [
        ("52" if o == "民办" else "12") + div[u] + g
        for o, u, g in zip(df.ownership, df.unit_code, org)
    ]
    codes = standards.make_credit_codes(np.array(prefix))
    no_code = (df.school_type == "幼儿园").to_numpy() & (rng.random(len(df)) < 0.04)
    df["credit_code"] = np.where(no_code, "", codes)
    # coordinates inside the division: urban schools near the core, rural spread out
    lon = np.zeros(len(df))
    lat = np.zeros(len(df))
    core = {"城区": 0.9, "镇区": 0.35, "乡村": 0.05}
    for (u, ur), idx in df.groupby(["unit_code", "urban_rural"]).indices.items():
        x, y = sample_points(u, len(idx), ctx.rng(f"pts:{u}:{ur}"), core_share=core[ur])
        lon[idx], lat[idx] = x, y
    df["lon"] = lon.round(6)
    df["lat"] = lat.round(6)
    df["founded_year"] = np.where(
        rng.random(len(df)) < 0.6,
        rng.integers(1950, 2000, len(df)),
        rng.integers(2000, 2022, len(df)),
    )
    roads = np.array(["人民路", "建设路", "文化路", "学府路", "光华大道", "锦城大道", "府河路", "青龙街",
                      "东风路", "中和路", "金沙路", "红星路", "顺城街", "长顺街", "永丰路", "桂溪路"])  # fmt: skip
    df["address"] = [
        f"{short[u]}{roads[i % len(roads)]}{n}号"
        for u, i, n in zip(
            df.unit_code, rng.integers(0, 1000, len(df)), rng.integers(1, 400, len(df))
        )
    ]
    df = df.sort_values("school_id").reset_index(drop=True)
    return df


def allocate_people(ctx: Context, schools: pd.DataFrame, bulletin: pd.DataFrame) -> pd.DataFrame:
    """(school_id, level, students, teachers) summing exactly to bulletin × scale per level."""
    rng = ctx.rng("allocate")
    out = []
    for b in bulletin.itertuples():
        level = b.level
        serve = schools[schools.school_type.map(lambda t, lv=level: lv in TYPE_LEVELS[t])]
        if serve.empty:
            continue
        size = rng.lognormal(0, 0.45, len(serve))
        size *= np.where(
            serve.urban_rural == "城区", 1.6, np.where(serve.urban_rural == "镇区", 1.0, 0.45)
        )
        size *= np.where(serve.ownership == "民办", 0.8, 1.0)
        p = size / size.sum()
        students = rng.multinomial(ctx.n(b.students), p)
        # teachers follow students with a floor for small rural schools
        tw = students + p.mean() * b.students * ctx.scale * 0.15
        teachers = rng.multinomial(ctx.n(b.full_time_teachers), tw / tw.sum())
        out.append(pd.DataFrame({"school_id": serve.school_id.to_numpy(), "level": level,
                                 "students": students, "teachers": teachers}))  # fmt: skip
    return pd.concat(out, ignore_index=True)


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    sw = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
    s = np.array(SURNAMES)[rng.choice(len(SURNAMES), n, p=sw / sw.sum())]
    g1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.7
    return np.char.add(np.char.add(s, g1), np.where(two, g2, "")).astype(object)


def _birth_dates(rng, n: int, year: np.ndarray) -> np.ndarray:
    base = (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return base + rng.integers(0, 365, n).astype("timedelta64[D]")


def _seqs(rng, gender_male: np.ndarray) -> np.ndarray:
    s = rng.integers(0, 500, len(gender_male)) * 2
    return np.where(gender_male, s + 1, s)


def unique_id_numbers(rng, area: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """ID numbers, redrawing the sequence digits of any that collide (real IDs are unique)."""
    seqs = _seqs(rng, male)
    ids = standards.make_id_numbers(area, birth, seqs)
    for _ in range(50):
        dup = pd.Series(ids).duplicated().to_numpy()
        if not dup.any():
            return ids
        seqs[dup] = _seqs(rng, male[dup])
        ids[dup] = standards.make_id_numbers(area[dup], birth[dup], seqs[dup])
    raise RuntimeError("could not draw unique ID numbers")


def make_students(ctx: Context, schools: pd.DataFrame, alloc: pd.DataFrame) -> dict:
    rng = ctx.rng("students")
    units = ctx.frames["units"]
    div = _division(units)
    sch = schools.set_index("school_id")
    a = alloc[alloc.students > 0]
    school_id = np.repeat(a.school_id.to_numpy(), a.students.to_numpy())
    level = np.repeat(a.level.to_numpy(), a.students.to_numpy())
    n = len(school_id)
    grades = np.array([LEVEL_GRADES[lv] for lv in level])
    grade = (rng.random(n) * grades).astype(int) + 1
    start_age = np.array([LEVEL_START_AGE[lv] for lv in level])
    ay = ctx.as_of.year if ctx.as_of.month >= 9 else ctx.as_of.year - 1  # school year start
    birth_year = ay - start_age - (grade - 1) - (rng.random(n) < 0.25).astype(int)
    birth = _birth_dates(rng, n, birth_year)
    male = rng.random(n) < 0.52
    unit = sch.unit_code.reindex(school_id).to_numpy()
    ur = sch.urban_rural.reindex(school_id).to_numpy()
    migrant = rng.random(n) < np.where(ur == "城区", 0.19, np.where(ur == "镇区", 0.12, 0.05))
    area = np.array([div[u] for u in unit], dtype=object)
    area[migrant] = MIGRANT_AREAS[rng.integers(0, len(MIGRANT_AREAS), migrant.sum())]
    ids = unique_id_numbers(rng, area.astype(str), birth, male)
    kind = rng.random(n)
    no_id = kind > 0.985  # pupils without an ID number: J- or L-type 学籍号
    xueji = np.char.add("G", ids.astype(str)).astype(object)
    j = no_id & (kind < 0.995)
    l_ = no_id & ~j
    xueji[j] = [
        "J" + f"{x:018d}" for x in rng.integers(10**17, 10**18 - 1, j.sum(), dtype=np.int64)
    ]
    bd = pd.to_datetime(birth[l_]).strftime("%Y%m%d")
    xueji[l_] = [
        "L" + a_ + b_ + f"{r:04d}"
        for a_, b_, r in zip(area[l_], bd, rng.integers(0, 10000, l_.sum()))
    ]
    id_col = np.where(no_id, "", ids)
    boarding_p = np.where(np.isin(level, ["高中", "中职"]), 0.35, np.where(ur == "乡村", 0.2, 0.02))
    boarding_p = np.where(level == "幼儿园", 0.0, boarding_p)
    left_p = np.where(ur == "乡村", 0.06, np.where(ur == "镇区", 0.02, 0.003))
    enrol_year = ay - (grade - 1)
    enrol = pd.to_datetime(pd.Series(enrol_year).astype(str) + "-09-01").to_numpy()
    # a dict of numpy arrays, not a DataFrame: millions of rows go straight to the writer
    return {
        "xueji": xueji, "name": _names(rng, n), "id_number": id_col.astype(object),
        "gender": np.where(male, "男", "女"), "birth_date": pd.Series(birth),
        "school_id": school_id.astype(object), "level": level.astype(object), "grade": grade,
        "enrol_date": pd.Series(enrol), "is_migrant": migrant,
        "is_boarding": rng.random(n) < boarding_p,
        "is_left_behind": (rng.random(n) < left_p) & ~migrant,
    }  # fmt: skip


SUBJECT_BY_LEVEL = {
    "幼儿园": (["学前教育"], [1.0]),
    "小学": (["语文", "数学", "英语", "科学", "道德与法治", "音乐", "体育", "美术", "信息技术"],
             [0.32, 0.25, 0.1, 0.06, 0.05, 0.06, 0.08, 0.05, 0.03]),
    "初中": (["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "信息技术",
              "音乐", "体育", "美术"],
             [0.15, 0.15, 0.14, 0.07, 0.05, 0.05, 0.06, 0.05, 0.05, 0.04, 0.04, 0.1, 0.05]),
    "高中": (["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "信息技术",
              "体育", "其他"],
             [0.13, 0.14, 0.13, 0.09, 0.08, 0.08, 0.06, 0.06, 0.06, 0.04, 0.08, 0.05]),
    "中职": (["专业课", "语文", "数学", "英语", "信息技术", "体育", "其他"],
             [0.5, 0.1, 0.1, 0.08, 0.1, 0.06, 0.06]),
    "特教": (["特殊教育", "语文", "数学", "体育", "美术"], [0.6, 0.12, 0.12, 0.08, 0.08]),
}  # fmt: skip


def make_teachers(ctx: Context, schools: pd.DataFrame, alloc: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("teachers")
    div = _division(ctx.frames["units"])
    sch = schools.set_index("school_id")
    a = alloc[alloc.teachers > 0]
    school_id = np.repeat(a.school_id.to_numpy(), a.teachers.to_numpy())
    level = np.repeat(a.level.to_numpy(), a.teachers.to_numpy())
    n_ft = len(school_id)
    # other staff (行政/教辅/工勤): about 9% extra rows
    n_other = int(round(n_ft * 0.09))
    pick = rng.integers(0, n_ft, n_other)
    school_id = np.concatenate([school_id, school_id[pick]])
    level = np.concatenate([level, level[pick]])
    n = len(school_id)
    post = np.concatenate([np.full(n_ft, "专任教师"),
                           rng.choice(["行政人员", "教辅人员", "工勤人员"], n_other, p=[0.5, 0.3, 0.2])])  # fmt: skip
    age = np.clip(rng.normal(40, 9.5, n), 22, 60).astype(int)
    birth_year = ctx.as_of.year - age
    birth = _birth_dates(rng, n, birth_year)
    female_p = np.where(level == "幼儿园", 0.97, np.where(level == "小学", 0.78, 0.6))
    male = rng.random(n) >= female_p
    unit = sch.unit_code.reindex(school_id).to_numpy()
    area = np.array([div[u] for u in unit], dtype=object)
    other = rng.random(n) < 0.25
    area[other] = MIGRANT_AREAS[rng.integers(0, len(MIGRANT_AREAS), other.sum())]
    ids = unique_id_numbers(rng, area.astype(str), birth, male)
    subject = np.empty(n, dtype=object)
    for lv, (subs, p) in SUBJECT_BY_LEVEL.items():
        m = level == lv
        subject[m] = rng.choice(subs, m.sum(), p=np.array(p) / sum(p))
    subject[post != "专任教师"] = "其他"
    start_year = np.clip(birth_year + 22 + rng.integers(0, 4, n), 1962, ctx.as_of.year)
    seniority = ctx.as_of.year - start_year
    tp = rng.random(n)
    title = np.where(seniority < 3, "未定级", np.where(seniority < 8, np.where(tp < 0.7, "二级", "三级"),
             np.where(seniority < 18, np.where(tp < 0.7, "一级", "二级"),
                      np.where(tp < 0.45, "高级", np.where(tp < 0.48, "正高级", "一级")))))  # fmt: skip
    ep = rng.random(n)
    edu_hi = np.isin(level, ["高中", "中职"])
    education = np.where(ep < np.where(edu_hi, 0.2, 0.06), "研究生",
                         np.where(ep < 0.82, "本科", np.where(ep < 0.98, "专科", "高中及以下")))  # fmt: skip
    df = pd.DataFrame({
        "id_number": ids, "name": _names(rng, n), "gender": np.where(male, "男", "女"),
        "birth_date": pd.to_datetime(birth), "school_id": school_id, "teaching_level": level,
        "subject": subject, "post": post, "title": title, "education": education,
        "start_year": start_year,
    })  # fmt: skip
    df = df.drop_duplicates("id_number").reset_index(drop=True)
    return df


def _quarters(start: dt.date, end: dt.date) -> list[str]:
    out = []
    y, q = start.year, (start.month - 1) // 3 + 1
    while (y, q) <= (end.year, (end.month - 1) // 3 + 1):
        out.append(f"{y}Q{q}")
        q += 1
        if q == 5:
            y, q = y + 1, 1
    return out


def unit_effort(ctx: Context) -> dict[str, float]:
    """Each unit's pace of informatization (shared by several modules so stories agree)."""
    rng = ctx.rng("effort")
    units = ctx.frames["units"]
    base = np.where(
        units.category == "中心城区", 0.15, np.where(units.category == "郊区新城", -0.1, -0.2)
    )
    e = base + rng.normal(0, 0.22, len(units))
    return dict(zip(units.unit_code, e.round(3)))


def make_equipment(ctx: Context, schools: pd.DataFrame, alloc: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("equipment")
    effort = unit_effort(ctx)
    sc = schools.copy()
    pupils = alloc.groupby("school_id").students.sum()
    staff = alloc.groupby("school_id").teachers.sum()
    sc["pupils"] = sc.school_id.map(pupils).fillna(0).to_numpy()
    sc["staff"] = sc.school_id.map(staff).fillna(0).to_numpy()
    size = {"幼儿园": 30, "小学": 45, "初中": 50, "高中": 50, "中职": 45, "特教": 10}
    lv = sc.school_type.map(lambda t: TYPE_LEVELS[t][0])
    classes = np.maximum(3, np.ceil(sc.pupils / lv.map(size)).astype(int))
    sc["class_count"] = classes
    eff = sc.unit_code.map(effort).to_numpy()
    urb = np.where(sc.urban_rural == "城区", 0.2, np.where(sc.urban_rural == "镇区", 0.0, -0.25))
    s_eff = eff + urb + rng.normal(0, 0.2, len(sc))
    rows = []
    years = list(range(2019, ctx.as_of.year + 1))
    for k, y in enumerate(years):
        t = k / max(1, len(years) - 1)
        n = len(sc)
        bw_levels = np.array([50, 100, 200, 500, 1000, 2000])
        bw_idx = np.clip(
            np.round(1.5 + 2.2 * t + 2.0 * s_eff + rng.normal(0, 0.5, n)), 0, 5
        ).astype(int)
        wifi = np.clip(45 + 40 * t + 30 * s_eff + rng.normal(0, 8, n), 5, 100)
        classrooms = classes + rng.integers(0, 4, n)
        mm_ratio = np.clip(0.82 + 0.14 * t + 0.1 * s_eff + rng.normal(0, 0.04, n), 0.3, 1.0)
        smart = np.floor(
            classrooms * np.clip(0.02 + 0.12 * t + 0.1 * s_eff, 0, 0.6) * rng.random(n) * 2
        )
        rows.append(pd.DataFrame({
            "school_id": sc.school_id, "year": y,
            "bandwidth_mbps": bw_levels[bw_idx].astype(float), "wifi_teaching_pct": wifi.round(1),
            "classroom_count": classrooms, "multimedia_classroom_count": np.floor(classrooms * mm_ratio).astype(int),
            "smart_classroom_count": smart.astype(int),
            "teacher_terminal_count": np.round(sc.staff * np.clip(0.8 + 0.3 * t + rng.normal(0, 0.1, n), 0.3, 1.6)).astype(int),
            "student_terminal_count": np.round(sc.pupils * np.clip(0.08 + 0.07 * t + 0.05 * s_eff + rng.normal(0, 0.03, n), 0, 0.6)).astype(int),
            "maker_lab_count": (rng.random(n) < 0.2 + 0.3 * t + 0.2 * s_eff).astype(int) * rng.integers(1, 3, n),
            "vr_lab_count": (rng.random(n) < 0.03 + 0.12 * t + 0.1 * s_eff).astype(int),
            "steam_lab_count": (rng.random(n) < 0.1 + 0.25 * t + 0.15 * s_eff).astype(int),
            "has_ipv6": rng.random(n) < np.clip(0.08 + 0.6 * t + 0.3 * s_eff, 0, 0.98),
            "is_5g_demo": (rng.random(n) < np.clip((t - 0.5) * 0.06 + 0.02 * s_eff, 0, 0.2)),
            "is_iot_pilot": rng.random(n) < np.clip(0.01 + 0.05 * t + 0.03 * s_eff, 0, 0.3),
        }))  # fmt: skip
    eq = pd.concat(rows, ignore_index=True)
    # adoption is sticky: once a school has IPv6 / is a demo school it stays so
    for col in ("has_ipv6", "is_5g_demo", "is_iot_pilot"):
        eq[col] = eq.groupby("school_id")[col].cummax()
    ctx.frames["school_effort"] = pd.Series(s_eff, index=sc.school_id.to_numpy())
    return eq, sc["class_count"].to_numpy()


def make_assessments(ctx: Context, schools: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("assess")
    types = ctx.frames["school_types"].set_index("type_zh")
    in_scope = schools.school_type.map(types["is_campus_scope"].astype(str).str.lower() == "true")
    sc = schools[in_scope.to_numpy()].reset_index(drop=True)
    s_eff = ctx.frames["school_effort"].reindex(sc.school_id).to_numpy()
    quarters = _quarters(ctx.start, ctx.as_of)
    nq = len(quarters)
    # first assessment: better-prepared schools apply earlier; some never apply by the as-of date
    first = np.clip(np.round(rng.normal(nq * 0.45 - 6 * s_eff, nq * 0.28)), 0, nq + 4).astype(int)
    dims = [d for d, _, _ in S.CAMPUS_DIMENSIONS]
    dim_bias = rng.normal(0, 6, (len(sc), len(dims)))
    rows = []
    for i in range(len(sc)):
        q = first[i]
        while q < nq:
            t = q / nq
            level = LEVEL[0] + LEVEL[1] * t + LEVEL[2] * s_eff[i]
            scores = np.clip(level + dim_bias[i] + rng.normal(0, 5, len(dims)), 20, 100).round(1)
            y, qq = int(quarters[q][:4]), int(quarters[q][-1])
            day = dt.date(y, 3 * qq - 2, 1) + dt.timedelta(days=int(rng.integers(5, 85)))
            rows.append((sc.school_id[i], quarters[q], day, *scores))
            q += int(rng.integers(2, 5))  # reassessed every 2–4 quarters
    df = pd.DataFrame(rows, columns=["school_id", "period", "assessed_on", *dims])
    weights = ctx.frames["campus_criteria"].set_index("dimension")
    w = weights.loc[dims, "weight"].to_numpy()
    mins = weights.loc[dims, "min_score"].to_numpy()
    passing = (df[dims].to_numpy() @ w >= 75) & (df[dims].to_numpy() >= mins).all(axis=1)
    flip = rng.random(len(df)) < 0.01  # assessors occasionally disagree with the rule
    df["reported_result"] = np.where(passing ^ flip, "达标", "未达标")
    df["assessed_on"] = pd.to_datetime(df["assessed_on"])
    return df


def generate(ctx: Context, progress) -> None:
    bulletin = ctx.frames["bulletin"]
    schools = make_schools(ctx)
    progress("schools")
    alloc = allocate_people(ctx, schools, bulletin)
    eq, class_count = make_equipment(ctx, schools, alloc)
    schools["class_count"] = class_count
    ctx.frames["schools"] = schools
    ctx.frames["alloc"] = alloc
    ctx.frames["equipment"] = eq
    ctx.write(S.SCHOOLS, schools, encoding="utf-8-sig")
    progress("equipment")
    ctx.write(S.EQUIPMENT, eq, encoding="gb18030")
    progress("teachers")
    teachers = make_teachers(ctx, schools, alloc)
    ctx.frames["teachers"] = teachers[["id_number", "school_id", "teaching_level", "subject", "post",
                                       "title", "gender", "birth_date"]]  # fmt: skip
    ctx.write(S.TEACHERS, teachers, encoding="gb18030")
    progress("students")
    students = make_students(ctx, schools, alloc)
    ctx.write(S.STUDENTS, students, encoding="utf-8")
    del students
    progress("campus assessments")
    ctx.write(S.CAMPUS_ASSESSMENTS, make_assessments(ctx, schools), encoding="utf-8")

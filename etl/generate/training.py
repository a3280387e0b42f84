"""Demo data of 教师信息技术应用能力提升工程2.0 (work item 十四): plans, sessions, assessments.

Each in-scope teacher (专任教师 of the levels in training_rules.csv) gets a completion date drawn
from a city curve that follows the 30% / 50% / 20% phasing (2020 / 2021 / 2022, completions
bunching before each year's end). Who finishes early is ranked by the school's informatization
pace (core's `school_effort`), whether the school filed its plan, 民办 kindergartens and
teachers near retirement, so units and schools vary and a few units miss the 2021 quota. A
teacher's online sessions, school-based practice and micro-ability submissions are laid out
over the months before that date, and everything after the as-of date is cut off, which leaves
teachers due later part-way through.

Integrity problems are planted at small known rates (`PLANTED_RATES`) and recorded in
manifest.json under planted.training, counted with the same rules (`integrity_flags`) a later
feature applies, thresholds from training_rules.csv. The city curve's shape (`CURVE`,
`MONTH_PROFILE`) is an assumption of the demo data.

Volumes scale with the teacher count (scale 1: 188,100 in-scope teachers, ~2.9 million sessions,
~570,000 assessments, one plan row per school); the 30 points and the rules are fixed.
Equipment (smart classrooms, terminals) comes from core's generator with the same seed, so the
points a school chooses agree with equipment.csv.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from edusight import config
from etl.generate.common import Context
from etl.sources import training as S

# Cumulative share of in-scope teachers complete at each year's end (2023: after the deadline).
# Slightly above the 30/50/20 quota city-wide so that lagging units, not the city, miss 2021.
CURVE = {2020: 0.32, 2021: 0.845, 2022: 0.96, 2023: 0.98}  # 2023 = by 2023-06-30
# Completions within a year by month: few in the Spring Festival, a June bump, a year-end rush.
MONTH_PROFILE = np.array([2, 1, 3, 4, 6, 10, 8, 6, 7, 10, 19, 24], dtype=float)
FIRST_COMPLETION = dt.date(2020, 6, 1)

PLANTED_RATES = {
    "all_online_teachers": 0.004,  # of in-scope teachers: ≥50 h online, no practice at all
    "night_teachers": 0.003,  # most online sessions started 00:00–05:00
    "credited_faster_teachers": 0.003,  # speed plug-in: many sessions credited > wall-clock
    "unattended_video_sessions": 0.0008,  # of online sessions: video left playing overnight
    "identical_groups_per_1000_schools": 9.0,  # groups of 3–6 teachers sharing one script
    "c_points_without_smart_schools": 0.05,  # of plan schools without smart classrooms
}

GENERAL_COURSES = np.array([
    "能力提升工程2.0 整校推进导学", "信息化教学创新理念与实践", "教师信息素养与信息安全",
    "多媒体教学环境下的课堂变革", "混合式学习的设计与实施", "智慧教育与人工智能应用导论",
    "信息技术与学科教学深度融合案例", "网络研修与校本研修的融合",
])  # fmt: skip
PRACTICE_ACTIVITIES = np.array([
    "校本研修工作坊", "课例研磨", "听评课活动", "同课异构", "信息化教学设计展评", "教研组集体备课",
    "信息化教学案例分享", "课堂实录分析",
])  # fmt: skip
EVIDENCE_BY_DIM = {
    "学情分析": ["学情分析报告", "教学设计"],
    "教学设计": ["教学设计", "演示文稿", "微课视频"],
    "学法指导": ["课堂实录", "教学反思", "微课视频"],
    "学业评价": ["评价量规", "学生作品", "教学反思"],
}
DIMS = ["学情分析", "教学设计", "学法指导", "学业评价"]
DAY = np.timedelta64(1, "D")
SEC = np.timedelta64(1, "s")


TERMINAL_NAMES = ("", *S.TERMINALS)  # 0 = none (practice)
ACTIVITIES = np.concatenate([GENERAL_COURSES, PRACTICE_ACTIVITIES])


# --------------------------------------------------------------------------- reference data


def load_rules(ref_dir=None) -> dict[str, str]:
    ref = ref_dir or config.reference_dir()
    df = pd.read_csv(ref / "training_rules.csv", dtype=str)
    return dict(zip(df["key"], df["value"]))


def load_points(ref_dir=None) -> pd.DataFrame:
    ref = ref_dir or config.reference_dir()
    return pd.read_csv(ref / "micro_abilities.csv", dtype={"is_confirmed": bool})


def _f(rules: dict, key: str) -> float:
    return float(rules[key])


# --------------------------------------------------------------------------- small helpers


def _mix(*parts) -> np.ndarray:
    """Deterministic hash (splitmix64 rounds) of integer arrays → uniform floats in [0, 1)."""
    shape = np.broadcast(*[np.asarray(p) for p in parts]).shape
    x = np.zeros(shape, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for p in parts:
            x = (x ^ np.asarray(p).astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
            x ^= x >> np.uint64(31)
            x *= np.uint64(0xBF58476D1CE4E5B9)
            x ^= x >> np.uint64(29)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _group_rank(group: np.ndarray) -> np.ndarray:
    """0, 1, 2, … within runs of equal values (of a sorted array)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(n)
    start = np.r_[True, group[1:] != group[:-1]]
    return idx - np.maximum.accumulate(np.where(start, idx, 0))


def _spread_apart(tid: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Per teacher, make integer slots (days, weeks) distinct, moving repeats to the next free
    slot: new[i] = max(old[i], new[i-1] + 1) within a teacher, as one cumulative maximum."""
    order = np.lexsort((slot, tid))
    t, v = tid[order], slot[order].astype(np.int64)
    r = _group_rank(t)
    g = np.cumsum(np.r_[True, t[1:] != t[:-1]]) if len(t) else t
    big = int(v.max() - v.min() + len(v) + 1) if len(v) else 1
    new = np.maximum.accumulate(v - r + g * big) - g * big + r
    out = np.empty_like(v)
    out[order] = new
    return out


def free_days(days: np.ndarray) -> np.ndarray:
    """Weekends, winter/summer vacations and the May Day / National Day holidays."""
    days = np.asarray(days).astype("datetime64[D]")
    wd = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    month = days.astype("datetime64[M]")
    mmdd = (month.astype(np.int64) % 12 + 1) * 100 + (days - month).astype(np.int64) + 1
    vac = (
        ((mmdd >= 118) & (mmdd <= 222))
        | ((mmdd >= 708) & (mmdd <= 831))
        | ((mmdd >= 501) & (mmdd <= 505))
        | ((mmdd >= 1001) & (mmdd <= 1007))
    )
    return (wd >= 5) | vac


def term_weeks(start: dt.date, end: dt.date) -> np.ndarray:
    """Mondays of school weeks (no vacation or holiday day Monday–Friday) in [start, end)."""
    first = np.datetime64(start, "D")
    first = first + ((7 - (first.astype(np.int64) + 3) % 7) % 7) * DAY
    mondays = np.arange(first, np.datetime64(end, "D"), 7 * DAY)
    busy = np.ones(len(mondays), dtype=bool)
    for k in range(5):
        busy &= ~free_days(mondays + k * DAY)
    return mondays[busy]


def completion_curve(start: dt.date, end: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(days, cumulative share of teachers complete at the end of each day) from CURVE."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + DAY)
    month = days.astype("datetime64[M]")
    years = month.astype("datetime64[Y]").astype(np.int64) + 1970
    m_idx = month.astype(np.int64) % 12
    days_in_month = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(
        int
    )
    w = MONTH_PROFILE[m_idx] / days_in_month
    cum = np.zeros(len(days))
    prev = 0.0
    for y in sorted(CURVE):
        m = years == y
        if m.any():
            cum[m] = prev + (CURVE[y] - prev) * np.cumsum(w[m]) / w[m].sum()
        prev = CURVE[y]
    return days, cum


# --------------------------------------------------------------------------- schools


def _equipment(ctx: Context) -> pd.DataFrame:
    """Latest equipment row per school: core's frame when shared, else recomputed (same seed,
    so the same numbers as equipment.csv before dirt)."""
    eq = ctx.frames.get("equipment")
    if eq is None:
        from etl.generate import core

        eq, _ = core.make_equipment(ctx, ctx.frames["schools"], ctx.frames["alloc"])
    return eq[eq.year == eq.year.max()].set_index("school_id")


def make_school_plans(
    ctx: Context, teachers: pd.DataFrame, points: pd.DataFrame, project_start: np.datetime64
) -> pd.DataFrame:
    """One row per school with in-scope teachers: SCHOOL_PLANS columns plus `_` helpers."""
    rng = ctx.rng("training:plans")
    n_teachers = teachers.groupby("school_id").size()
    sid = n_teachers.index.to_numpy()
    n = len(sid)
    sc = ctx.frames["schools"].set_index("school_id").loc[sid]
    eff = ctx.frames["school_effort"].reindex(sid).fillna(0).to_numpy()
    eq = _equipment(ctx).reindex(sid)
    smart = eq["smart_classroom_count"].fillna(0).to_numpy()
    pupils = ctx.frames["alloc"].groupby("school_id").students.sum().reindex(sid).fillna(0)
    term_ratio = eq["student_terminal_count"].fillna(0).to_numpy() / np.maximum(pupils, 1)
    has_b = (term_ratio.to_numpy() >= 0.12) | (eq["wifi_teaching_pct"].fillna(0).to_numpy() >= 85)
    has_c = smart > 0
    private_kg = ((sc.school_type == "幼儿园") & (sc.ownership == "民办")).to_numpy()

    filed = rng.random(n) >= np.clip(0.04 - 0.1 * eff + 0.06 * private_kg, 0.01, 0.3)
    delay = np.round(rng.gamma(2.0, 25 + 60 * np.clip(0.3 - eff, 0, None))).astype(int)
    plan_date = np.minimum(project_start - 20 * DAY + delay * DAY, np.datetime64(ctx.as_of))
    team = rng.random(n) < np.where(filed, 0.96, 0.25)
    leader = rng.choice(np.array(S.LEADER_POSTS, dtype=object), n, p=[0.84, 0.08, 0.06, 0.02])
    nt = n_teachers.to_numpy()
    size = np.clip(np.round(2 + 1.1 * np.sqrt(nt) + rng.normal(0, 1.2, n)), 2, 40).astype(int)

    # chosen points: A always (≥3 dimensions); B where terminals or Wi-Fi allow; C where smart
    # classrooms exist; a few schools choose C points without any smart classroom
    codes = points.code.to_numpy()
    env = points.environment.to_numpy()
    dim = points.dimension_zh.to_numpy()
    sel = np.zeros((n, len(codes)), dtype=bool)
    rank = np.argsort(rng.random((n, 4)), axis=1)
    k_dims = rng.integers(3, 5, n)
    for d, name in enumerate(DIMS):
        pool = np.flatnonzero((env == "A") & (dim == name))
        on = (rank[:, :3] == d).any(axis=1) | ((rank[:, 3] == d) & (k_dims == 4))
        sel[np.flatnonzero(on), pool[(rng.random(on.sum()) * len(pool)).astype(int)]] = True
    sel[:, env == "A"] |= rng.random((n, (env == "A").sum())) < 0.12
    mismatch = filed & ~has_c & (rng.random(n) < PLANTED_RATES["c_points_without_smart_schools"])
    want_b = filed & has_b & (rng.random(n) < 0.8)
    want_c = filed & ((has_c & (rng.random(n) < 0.75)) | mismatch)
    for e, want, k_hi in (("B", want_b, 4), ("C", want_c, 3)):
        cols = np.flatnonzero(env == e)
        r = np.argsort(np.argsort(rng.random((n, len(cols))), axis=1), axis=1)
        sel[:, cols] |= want[:, None] & (r < rng.integers(1, k_hi, n)[:, None])
    sel[~filed & (rng.random(n) < 0.7)] = False  # most schools without a plan chose nothing yet
    chosen = np.array(["|".join(codes[row]) for row in sel], dtype=object)
    # the school's own count of teachers to train: a few differ from the teacher database
    off = rng.random(n) < 0.03
    counted = np.maximum(0, nt + np.where(off, rng.choice([-2, -1, 1, 2], n), 0))
    return pd.DataFrame({
        "school_id": sid, "plan_filed": filed,
        "plan_date": pd.to_datetime(np.where(filed, plan_date, np.datetime64("NaT"))),
        "team_formed": team, "team_leader_post": np.where(team, leader, ""),
        "team_size": _int_text(size, team),
        "chosen_points": chosen, "teachers_in_scope": counted.astype(int),
        "_effort": eff, "_smart": smart, "_mismatch": sel[:, env == "C"].any(axis=1) & ~has_c,
    })  # fmt: skip


# --------------------------------------------------------------------------- teachers


def in_scope_teachers(ctx: Context, rules: dict) -> pd.DataFrame:
    """专任教师 of the levels in scope (training_rules.csv scope_levels)."""
    t = ctx.frames["teachers"]
    m = (t.post == "专任教师") & t.teaching_level.isin(rules["scope_levels"].split("|"))
    return t[m.to_numpy()].reset_index(drop=True)


def completion_targets(
    ctx: Context, teachers: pd.DataFrame, plans: pd.DataFrame, project_start: np.datetime64
) -> tuple[np.ndarray, np.ndarray]:
    """(target completion day or NaT, first day of study) per teacher, ranked by readiness."""
    rng = ctx.rng("training:targets")
    n = len(teachers)
    p = plans.set_index("school_id")
    eff = p["_effort"].reindex(teachers.school_id).to_numpy()
    noplan = ~p["plan_filed"].reindex(teachers.school_id).to_numpy()
    sch = ctx.frames["schools"].set_index("school_id").reindex(teachers.school_id)
    private_kg = ((sch.school_type == "幼儿园") & (sch.ownership == "民办")).to_numpy()
    age = ctx.as_of.year - teachers.birth_date.dt.year.to_numpy()
    z = -0.7 * eff + 2.2 * noplan + 0.4 * private_kg + 0.4 * (age >= 55) + rng.normal(0, 1, n)
    u = (np.argsort(np.argsort(z, kind="stable"), kind="stable") + rng.random(n)) / n
    days, cum = completion_curve(FIRST_COMPLETION, dt.date(2023, 6, 30))
    k = np.searchsorted(cum, u)
    target = np.where(k < len(days), days[np.minimum(k, len(days) - 1)], np.datetime64("NaT"))
    dur = np.clip(rng.lognormal(np.log(210), 0.35, n), 100, 540).astype(int)
    start = np.maximum(target - dur * DAY, project_start)
    return target.astype("datetime64[D]"), start.astype("datetime64[D]")


def pick_planted(ctx: Context, teachers: pd.DataFrame, target: np.ndarray) -> dict:
    """Disjoint sets of teachers (indices) for each kind of planted integrity problem."""
    rng = ctx.rng("training:planted")
    n = len(teachers)
    eligible = np.flatnonzero(~np.isnat(target) & (target <= np.datetime64(ctx.as_of) - 30 * DAY))
    pool = rng.permutation(eligible)
    out, pos = {}, 0
    for kind in ("all_online_teachers", "night_teachers", "credited_faster_teachers"):
        k = min(ctx.n(PLANTED_RATES[kind] * n / ctx.scale), len(pool) - pos)
        out[kind] = np.sort(pool[pos : pos + k])
        pos += k
    # scripted groups: 3–6 eligible teachers of one school
    rest = np.sort(pool[pos:])
    n_schools = teachers.school_id.nunique()
    rate = PLANTED_RATES["identical_groups_per_1000_schools"] / 1000
    school_of = teachers.school_id.to_numpy()[rest]
    big = pd.Series(rest).groupby(school_of).agg(list)
    big = big[big.map(len) >= 8]
    groups = []
    for s in rng.permutation(big.index.to_numpy())[: ctx.n(rate * n_schools / ctx.scale)]:
        groups.append(np.sort(rng.choice(np.array(big[s]), int(rng.integers(3, 7)), replace=False)))
    out["identical_groups"] = groups
    out["_used"] = np.unique(np.concatenate([out[k] for k in list(out)[:3]] + groups))
    return out


# --------------------------------------------------------------------------- sessions


def _cut_by_hours(rng, target: np.ndarray, choices, weights) -> tuple[np.ndarray, np.ndarray]:
    """Per teacher, sessions of random length until the target hours are reached."""
    m_max = np.where(target > 0, np.ceil(target / min(choices)).astype(int) + 1, 0)
    tid = np.repeat(np.arange(len(target)), m_max)
    h = rng.choice(np.array(choices), len(tid), p=np.array(weights) / sum(weights))
    cum = np.cumsum(h)
    base = np.repeat(np.r_[0.0, cum][np.r_[0, np.cumsum(m_max)[:-1]]], m_max)
    keep = cum - h - base < target[tid]
    return tid[keep], h[keep]


def make_online(ctx, teachers, target, start, planted, rules, tpoints) -> pd.DataFrame:
    """网络研修: evenings on school days, daytime at weekends and in vacations."""
    rng = ctx.rng("training:online")
    n = len(teachers)
    goal = np.where(~np.isnat(target), _f(rules, "min_online_hours") + rng.exponential(1.5, n), 0)
    ao = planted["all_online_teachers"]
    goal[ao] = _f(rules, "flag_all_online_min_hours") + 2 + rng.exponential(8, len(ao))
    tid, hours = _cut_by_hours(rng, goal, [1.0, 1.5, 2.0, 2.5, 3.0], [4, 8, 20, 28, 40])
    m = len(tid)
    k = _group_rank(tid)
    per = np.bincount(tid, minlength=n)[tid]
    s = start[tid]
    span = np.maximum((target[tid] - 3 * DAY - s).astype(int), 1)
    frac = ((k + rng.random(m)) / per) ** 1.15  # front-loaded: study first, practise later
    day = s + np.floor(frac * span).astype(int) * DAY
    wd = (day.astype(np.int64) + 3) % 7
    move = ~free_days(day) & (rng.random(m) < 0.33)  # a third move to the weekend
    day = np.where(move, day + (5 - wd + rng.integers(0, 2, m)) * DAY, day)
    day = _spread_apart(tid, day.astype(np.int64)).astype("datetime64[D]")
    free = free_days(day)
    r = rng.random(m)
    hour = np.where(
        free,
        np.where(r < 0.3, rng.uniform(8.5, 11.5, m),
                 np.where(r < 0.7, rng.uniform(13.5, 17.5, m), rng.uniform(19, 22, m))),
        np.where(r < 0.97, rng.uniform(19.0, 22.5, m),
                 np.where(r < 0.997, rng.uniform(22.5, 23.5, m), rng.uniform(0.1, 1.0, m))),
    )  # fmt: skip
    t0 = day.astype("datetime64[s]") + np.round(hour * 3600).astype(np.int64) * SEC
    wall = np.round(hours * 3600 + rng.uniform(3, 40, m) * 60).astype(np.int64)
    video = np.round(hours * 3600 + rng.random(m) * 0.8 * (wall - hours * 3600)).astype(np.int64)
    # each teacher has a main device and a phone
    main = _mix(np.arange(n), ctx.seed, 1)
    main_kind = np.where(main < 0.72, 1, np.where(main < 0.82, 2, 3))
    phone = rng.random(m) < 0.22
    # course: one of the teacher's points, or a general course
    npts = (tpoints >= 0).sum(axis=1)
    pick = tpoints[tid, np.minimum((rng.random(m) * npts[tid]).astype(int), 3)]
    return pd.DataFrame({
        "tid": tid, "type": 0, "start": t0, "wall": wall, "hours": hours, "video": video,
        "term": np.where(phone, 3, main_kind[tid]), "dev": np.where(phone, 2, 1),
        "point": np.where(rng.random(m) < 0.4, -1, pick),
        "act": rng.integers(0, len(GENERAL_COURSES), m),
    })  # fmt: skip


def make_practice(ctx, teachers, target, start, planted, rules, tpoints) -> pd.DataFrame:
    """校本实践: school-week 教研 activities on the school's afternoon, entered by the school."""
    rng = ctx.rng("training:practice")
    n = len(teachers)
    goal = np.where(~np.isnat(target), _f(rules, "min_practice_hours") + rng.exponential(1.0, n), 0)
    goal[planted["all_online_teachers"]] = 0.0
    tid, hours = _cut_by_hours(
        rng, goal, [2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0], [4, 3, 12, 7, 24, 8, 12, 30]
    )
    m = len(tid)
    k = _group_rank(tid)
    per = np.bincount(tid, minlength=n)[tid]
    weeks = term_weeks(dt.date(2019, 9, 1), dt.date(2024, 1, 1))
    dur = (target - start).astype(int)
    i0 = np.searchsorted(weeks, start + (dur * 0.2).astype(int) * DAY)[tid]
    i1 = np.maximum(np.searchsorted(weeks, target - 5 * DAY)[tid], i0 + 1)
    w = i0 + np.floor((k + rng.random(m)) / per * (i1 - i0)).astype(int)
    w = np.minimum(_spread_apart(tid, w), len(weeks) - 1)  # at most once a week
    # the school's 教研 day; activities of one school and week start together
    school = pd.factorize(teachers.school_id)[0][tid]
    weekday = np.searchsorted(np.cumsum([0.1, 0.2, 0.35, 0.25]), _mix(school, ctx.seed, 7))
    day = weeks[w] + weekday * DAY
    hw = _mix(school, w, ctx.seed)
    start_min = np.where(
        hours >= 5, np.where(hw < 0.5, 8 * 60 + 30, 9 * 60),
        np.where(hours >= 3.5, np.where(hw < 0.5, 13 * 60 + 30, 14 * 60),
                 14 * 60 + 30 * np.floor(hw * 3)),
    )  # fmt: skip
    t0 = day.astype("datetime64[s]") + (start_min * 60).astype(np.int64) * SEC
    wall = (hours * 3600 + np.where(hours >= 5, 90 * 60, 0)).astype(np.int64)  # lunch break
    npts = (tpoints >= 0).sum(axis=1)
    pick = tpoints[tid, np.minimum((rng.random(m) * npts[tid]).astype(int), 3)]
    applied = rng.random(m) < 0.45  # 微能力点应用实践, tied to one of the teacher's points
    return pd.DataFrame({
        "tid": tid, "type": 1, "start": t0, "wall": wall, "hours": hours, "video": -1,
        "term": 0, "dev": 0, "point": np.where(applied, pick, -1),
        "act": len(GENERAL_COURSES) + (hw * 7919).astype(int) % len(PRACTICE_ACTIVITIES),
    })  # fmt: skip


def plant_sessions(ctx, sess: pd.DataFrame, planted: dict, rules: dict) -> pd.DataFrame:
    """Night logging, speed plug-ins, unattended video and scripted groups (online sessions)."""
    rng = ctx.rng("training:plant")
    n = len(sess)
    on = (sess.type == 0).to_numpy()
    tid = sess.tid.to_numpy()
    start = sess.start.to_numpy().copy()
    wall = sess.wall.to_numpy().copy()
    video = sess.video.to_numpy().copy()
    hours = sess.hours.to_numpy()
    day = start.astype("datetime64[D]")
    # night: ~3/4 of such a teacher's online sessions start between 00:00 and 05:00
    night_t = on & np.isin(tid, planted["night_teachers"])
    night = night_t & (rng.random(n) < 0.75)
    # …all of them where chance left fewer night hours than the flag needs
    at_night = np.bincount(tid[night], hours[night], minlength=tid.max() + 1)
    total = np.bincount(tid[night_t], hours[night_t], minlength=tid.max() + 1)
    short = (at_night < _f(rules, "flag_night_min_hours")) | (
        at_night < _f(rules, "flag_night_min_share") * total
    )
    night |= night_t & short[tid]
    secs = np.round(rng.uniform(0.2, 4.6, night.sum()) * 3600).astype(np.int64)
    start[night] = day[night] + DAY + secs * SEC
    # speed plug-in: credited hours arrive in a fraction of the time
    fast_t = on & np.isin(tid, planted["credited_faster_teachers"])
    fast = fast_t & ((rng.random(n) < 0.6) | (_group_rank(np.where(fast_t, tid, -1)) == 0))
    wall[fast] = np.round(hours[fast] * 3600 * rng.uniform(0.15, 0.6, fast.sum())).astype(np.int64)
    video[fast] = np.round(hours[fast] * 3600 * rng.uniform(0.9, 1.0, fast.sum())).astype(np.int64)
    # unattended: video left playing overnight, by teachers with no other planted problem
    clean = np.flatnonzero(on & ~np.isin(tid, planted["_used"]))
    k = min(ctx.n(PLANTED_RATES["unattended_video_sessions"] * on.sum() / ctx.scale), len(clean))
    ua = np.zeros(n, dtype=bool)
    ua[rng.choice(clean, k, replace=False)] = True
    secs = np.round(rng.uniform(20.5, 23.5, k) * 3600).astype(np.int64)
    start[ua] = day[ua] + secs * SEC
    wall[ua] = np.round(rng.uniform(8.4, 11.5, k) * 3600).astype(np.int64)
    video[ua] = np.round(wall[ua] * rng.uniform(0.965, 0.995, k)).astype(np.int64)
    sess = sess.assign(start=start, wall=wall, video=video, unattended=ua, script_of=-1)
    # scripted groups: the members' online sessions are replaced by copies of the leader's
    groups = planted["identical_groups"]
    if not groups:
        return sess
    leaders = np.array([g[0] for g in groups])
    members = [(g[0], mbr) for g in groups for mbr in g[1:]]
    lead_rows = {ld: np.flatnonzero(on & (tid == ld)) for ld in leaders}
    script_of = sess.script_of.to_numpy().copy()
    script_of[on & np.isin(tid, leaders)] = tid[on & np.isin(tid, leaders)]
    sess = sess.assign(script_of=script_of)
    copies = sess.iloc[np.concatenate([lead_rows[ld] for ld, _ in members])].copy()
    copies["tid"] = np.concatenate([np.full(len(lead_rows[ld]), mbr) for ld, mbr in members])
    keep = ~(on & np.isin(tid, [mbr for _, mbr in members]))
    return pd.concat([sess[keep], copies], ignore_index=True)


def finish_sessions(ctx, sess: pd.DataFrame) -> pd.DataFrame:
    """Sorted as the platform numbers them; what ends after the as-of date is not there yet."""
    sess = sess.sort_values(["start", "tid"], kind="stable")
    end = sess.start.to_numpy() + sess.wall.to_numpy() * SEC
    sess = sess[end < np.datetime64(ctx.as_of + dt.timedelta(days=1))].reset_index(drop=True)
    sess["end"] = sess.start.to_numpy() + sess.wall.to_numpy() * SEC
    sess["year"] = sess.start.to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
    sess["seq"] = _group_rank(sess.year.to_numpy()) + 1
    return sess


# --------------------------------------------------------------------------- assessments


def teacher_points(ctx, teachers, plans, points) -> np.ndarray:
    """(n, 4) point indices per teacher (−1 = none): 3–4 of the school's points over ≥3
    dimensions (schools without chosen points: any A point)."""
    rng = ctx.rng("training:tpoints")
    n = len(teachers)
    code_idx = {c: i for i, c in enumerate(points.code)}
    dim_of = points.dimension_zh.map({d: i for i, d in enumerate(DIMS)}).to_numpy()
    default = "|".join(points.code[points.environment == "A"])
    sets = plans.set_index("school_id").chosen_points.reindex(teachers.school_id).fillna("")
    set_id, uniq = pd.factorize(sets)
    out = np.full((n, 4), -1, dtype=np.int64)
    four = rng.random(n) < 0.2
    keys = rng.random((n, 4))
    pick_r = rng.random((n, 4))
    order = np.argsort(set_id, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(set_id, minlength=len(uniq)))]
    for j_set, chosen in enumerate(uniq):
        idx = order[bounds[j_set] : bounds[j_set + 1]]
        codes = [code_idx[c] for c in (chosen or default).split("|")]
        per_dim = [[c for c in codes if dim_of[c] == d] for d in range(4)]
        avail = np.array([len(p) > 0 for p in per_dim])
        lens = np.array([max(len(p), 1) for p in per_dim])
        mat = np.array([p + [-1] * (len(codes) - len(p)) for p in per_dim])
        dims = np.argsort(np.where(avail[None, :], keys[idx], np.inf), axis=1)
        for j in range(4):
            d = dims[:, j]
            ok = avail[d] & ((j < 3) | four[idx])
            choice = np.minimum((pick_r[idx, j] * lens[d]).astype(int), lens[d] - 1)
            out[idx, j] = np.where(ok, mat[d, choice], -1)
    return out


def make_assessments(ctx, teachers, target, start, tpoints, plans, points) -> pd.DataFrame:
    """Submissions in the later half of each teacher's study; 不合格 is resubmitted."""
    rng = ctx.rng("training:assess")
    eff = plans.set_index("school_id")["_effort"].reindex(teachers.school_id).to_numpy()
    tid, slot = np.nonzero((tpoints >= 0) & ~np.isnat(target)[:, None])
    point = tpoints[tid, slot]
    npts = (tpoints >= 0).sum(axis=1)[tid]
    s, t = start[tid], target[tid]
    a = s + ((t - s).astype(int) * 0.5).astype(int) * DAY
    b = np.maximum(t - 30 * DAY, a + DAY)
    frac = (slot + rng.random(len(tid))) / npts
    sub = a + np.floor(frac * (b - a).astype(int)).astype(int) * DAY
    p_fail = np.clip(0.09 - 0.1 * eff[tid], 0.03, 0.25)
    p_exc = np.clip(0.27 + 0.2 * eff[tid], 0.1, 0.5)
    rows = []
    alive = np.ones(len(tid), dtype=bool)
    for attempt, fail_factor in ((1, 1.0), (2, 0.4), (3, 0.0)):
        r = rng.random(len(tid))
        pf = p_fail * fail_factor
        grade = np.where(r < pf, 2, np.where(r < pf + p_exc, 0, 1))  # index into S.GRADES
        assessed = sub + rng.integers(3, 21, len(tid)) * DAY
        rows.append(pd.DataFrame({"tid": tid, "point": point, "attempt": attempt, "submitted": sub,
                                  "assessed": assessed, "grade": grade})[alive])  # fmt: skip
        alive &= grade == 2
        sub = assessed + rng.integers(5, 16, len(tid)) * DAY
    df = pd.concat(rows, ignore_index=True)
    df = df[df.submitted.to_numpy() <= np.datetime64(ctx.as_of)]
    df = df.sort_values(["submitted", "tid", "attempt"], kind="stable").reset_index(drop=True)
    dim = points.dimension_zh.to_numpy()[df.point.to_numpy()]
    ev_names = list(S.EVIDENCE)
    ev = np.zeros(len(df), dtype=np.int64)
    r = rng.random(len(df))
    for d, opts in EVIDENCE_BY_DIM.items():
        m = dim == d
        ev[m] = np.array([ev_names.index(o) for o in opts])[(r[m] * len(opts)).astype(int)]
    df["evidence"] = ev
    df["assessor"] = rng.choice(3, len(df), p=[0.75, 0.2, 0.05])
    df["pending"] = df.assessed.to_numpy() > np.datetime64(ctx.as_of)
    df["year"] = df.submitted.to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
    df["seq"] = _group_rank(df.year.to_numpy()) + 1
    return df


# --------------------------------------------------------------------------- analysis twins


def _kth_date(teacher: np.ndarray, date: np.ndarray, k: int) -> pd.Series:
    """Per teacher, the k-th smallest date (teachers with fewer than k rows absent)."""
    order = np.lexsort((date, teacher))
    t, d = teacher[order], date[order]
    hit = _group_rank(t) == k - 1
    return pd.Series(d[hit], index=t[hit])


def completion_dates(
    sessions: pd.DataFrame, assessments: pd.DataFrame, points: pd.DataFrame, rules: dict
) -> pd.Series:
    """Completion day per teacher by the rule of training_rules.csv (teachers not complete are
    absent). A twin of the later SQL, used for the manifest's truth and by tests.

    sessions: teacher, session_type, end_time, credited_hours; assessments: teacher,
    point_code, assessed_on, grade.
    """
    parts = []
    s = sessions.sort_values(["teacher", "end_time"], kind="stable")
    for kind, key in (
        ("网络研修", "min_online_hours"),
        ("校本实践", "min_practice_hours"),
        (None, "min_total_hours"),
    ):
        x = s if kind is None else s[(s.session_type == kind).to_numpy()]
        cum = x.groupby("teacher", sort=False).credited_hours.cumsum().to_numpy()
        hit = x[cum >= _f(rules, key) - 1e-9]
        parts.append(hit.groupby("teacher").end_time.min().dt.floor("D"))
    a = assessments[assessments.grade.isin(rules["passing_grades"].split("|")).to_numpy()]
    a = a.sort_values("assessed_on", kind="stable").drop_duplicates(["teacher", "point_code"])
    teacher = a.teacher.to_numpy()
    date = a.assessed_on.to_numpy()
    parts.append(_kth_date(teacher, date, int(_f(rules, "min_points_passed"))))
    dim = a.point_code.map(points.set_index("code").dimension_zh).to_numpy()
    first_dim = a.assign(dim=dim).drop_duplicates(["teacher", "dim"])
    parts.append(
        _kth_date(first_dim.teacher.to_numpy(), first_dim.assessed_on.to_numpy(),
                  int(_f(rules, "min_dimensions")))
    )  # fmt: skip
    out = pd.concat([pd.to_datetime(p) for p in parts], axis=1).dropna()
    return out.max(axis=1)


def integrity_flags(sessions: pd.DataFrame, school_of: pd.Series, rules: dict) -> dict:
    """What the integrity rules of training_rules.csv flag (a twin of the later SQL).

    sessions: record_id, teacher, session_type, start_time, end_time, credited_hours,
    video_seconds; school_of: teacher → school. Returns kind → set of records or teachers.
    """
    on = sessions[(sessions.session_type == "网络研修").to_numpy()]
    wall_h = (on.end_time - on.start_time).dt.total_seconds() / 3600
    fast = on[(on.credited_hours > wall_h * _f(rules, "flag_credit_wallclock_ratio")).to_numpy()]
    ua = on[(on.video_seconds.fillna(0) >= _f(rules, "flag_unattended_video_seconds")).to_numpy()]
    t0 = pd.Timedelta(rules["flag_night_window_start"] + ":00")
    t1 = pd.Timedelta(rules["flag_night_window_end"] + ":00")
    tod = on.start_time - on.start_time.dt.floor("D")
    at_night = ((tod >= t0) & (tod < t1)).to_numpy()
    night_h = on.credited_hours.where(at_night, 0.0).groupby(on.teacher).sum()
    on_h = on.groupby("teacher").credited_hours.sum()
    night = night_h[
        (night_h >= _f(rules, "flag_night_min_hours"))
        & (night_h >= _f(rules, "flag_night_min_share") * on_h)
    ]
    is_on = (sessions.session_type == "网络研修").to_numpy()
    hrs = sessions.credited_hours.to_numpy()
    hours = pd.DataFrame({"teacher": sessions.teacher.to_numpy(),
                          "on": np.where(is_on, hrs, 0.0), "pr": np.where(is_on, 0.0, hrs)})  # fmt: skip
    hours = hours.groupby("teacher").sum()
    ao = hours[(hours.on >= _f(rules, "flag_all_online_min_hours")) & (hours.pr == 0)]
    # identical patterns: (school, start, end) shared by several teachers of the school
    school = pd.factorize(school_of.reindex(on.teacher).to_numpy())[0]
    start = on.start_time.to_numpy().astype("datetime64[s]").astype(np.int64)
    end = on.end_time.to_numpy().astype("datetime64[s]").astype(np.int64)
    order = np.lexsort((end, start, school))
    same = (np.diff(school[order]) == 0) & (np.diff(start[order]) == 0) & (np.diff(end[order]) == 0)
    run = np.cumsum(np.r_[True, ~same])
    size = np.bincount(run)[run]  # rows sharing the pattern (a teacher has one session a start)
    shared = np.zeros(len(on), dtype=bool)
    shared[order] = size >= _f(rules, "flag_identical_min_teachers")
    per_teacher = pd.Series(on.teacher.to_numpy()[shared]).value_counts()
    ident = per_teacher[per_teacher >= _f(rules, "flag_identical_min_sessions")].index
    return {
        "credited_faster_sessions": set(fast.record_id),
        "credited_faster_teachers": set(fast.teacher),
        "unattended_video_sessions": set(ua.record_id),
        "night_teachers": set(night.index),
        "all_online_teachers": set(ao.index),
        "identical_teachers": set(ident),
    }


def analysis_sessions(sess: pd.DataFrame) -> pd.DataFrame:
    """The internal session frame in the export's column names (teacher = index)."""
    return pd.DataFrame({
        "record_id": np.arange(len(sess)), "teacher": sess.tid.to_numpy(),
        "session_type": pd.Categorical.from_codes(sess.type.to_numpy(), S.SESSION_TYPES),
        "start_time": sess.start.to_numpy(), "end_time": sess.end.to_numpy(),
        "credited_hours": sess.hours.to_numpy(),
        "video_seconds": np.where(sess.type.to_numpy() == 0, sess.video.to_numpy(), np.nan),
    })  # fmt: skip


def analysis_assessments(a: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "teacher": a.tid.to_numpy(),
        "point_code": points.code.to_numpy()[a.point.to_numpy()],
        "assessed_on": np.where(a.pending, np.datetime64("NaT"), a.assessed.to_numpy()),
        "grade": np.where(a.pending, "", np.array(S.GRADES, dtype=object)[a.grade.to_numpy()]),
    })  # fmt: skip


# --------------------------------------------------------------------------- export frames


def _ids(prefix: str, year: np.ndarray, seq: np.ndarray, width: int) -> pd.Series:
    """Record numbers: prefix + year + zero-padded sequence (vectorized in Arrow)."""
    out = pc.binary_join_element_wise(
        pa.scalar(prefix),
        pa.array(year).cast(pa.string()),
        pc.utf8_lpad(pa.array(seq).cast(pa.string()), width, "0"),
        "",
    )
    return out.to_pandas()


def _int_text(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """An optional integer column as export text ('' where absent)."""
    return np.where(present, np.asarray(values).astype(np.int64).astype(str), "").astype(object)


def _cat(codes: np.ndarray, categories) -> pd.Categorical:
    """Text columns as categoricals: cheap to build and to split, written as their text."""
    return pd.Categorical.from_codes(
        np.asarray(codes), categories=pd.Index(categories, dtype=object)
    )


def export_sessions(ctx, sess: pd.DataFrame, teachers: pd.DataFrame, points: pd.DataFrame):
    """Internal session rows → TRAINING_SESSIONS columns."""
    tid = sess.tid.to_numpy()
    typ = sess.type.to_numpy()
    on = typ == 0
    pt = sess.point.to_numpy()
    n_pts = len(points)
    label = (points.code + " " + points.name_zh).tolist()
    activity = [*ACTIVITIES, *label, *("微能力点应用实践: " + x for x in label)]
    act = np.where(pt < 0, sess.act.to_numpy(), len(ACTIVITIES) + typ * n_pts + pt)
    # device fingerprints: the copies of a script all run on its leader's machine
    owner = np.where(sess.script_of.to_numpy() >= 0, sess.script_of.to_numpy(), tid)
    key = np.where(on, owner * 4 + sess.dev.to_numpy(), -1)
    uniq, inv = np.unique(key, return_inverse=True)
    labels = [f"D{x:012X}" for x in (_mix(uniq, ctx.seed, 3) * 2**48).astype(np.int64)]
    labels = ["" if u < 0 else lab for u, lab in zip(uniq, labels)]
    dev_codes, dev_names = pd.factorize(np.array(labels, dtype=object))  # (hash collisions merge)
    sch_codes, sch_names = pd.factorize(teachers.school_id)
    video = pd.array(sess.video.to_numpy(), dtype="Int64")
    video[~on] = pd.NA
    return pd.DataFrame({
        "record_id": _ids("YX", sess.year.to_numpy(), sess.seq.to_numpy(), 9),
        "id_number": _cat(tid, teachers.id_number), "school_id": _cat(sch_codes[tid], sch_names),
        "session_type": _cat(typ, S.SESSION_TYPES), "activity": _cat(act, activity),
        "point_code": _cat(pt + 1, ["", *points.code]),
        "start_time": sess.start.to_numpy(), "end_time": sess.end.to_numpy(),
        "credited_hours": sess.hours.to_numpy(dtype=float),
        "video_seconds": _int_text(sess.video.to_numpy(), on),
        "terminal": _cat(sess.term.to_numpy(), TERMINAL_NAMES), "device_id": _cat(dev_codes[inv], dev_names),
    })  # fmt: skip


def export_assessments(a: pd.DataFrame, teachers: pd.DataFrame, points: pd.DataFrame):
    """Internal assessment rows → MICRO_ASSESSMENTS columns (pending: no grade yet)."""
    tid = a.tid.to_numpy()
    pending = a.pending.to_numpy()
    sch_codes, sch_names = pd.factorize(teachers.school_id)
    return pd.DataFrame({
        "assessment_id": _ids("CP", a.year.to_numpy(), a.seq.to_numpy(), 7),
        "id_number": _cat(tid, teachers.id_number), "school_id": _cat(sch_codes[tid], sch_names),
        "point_code": _cat(a.point.to_numpy(), points.code),
        "evidence_type": _cat(a.evidence.to_numpy(), S.EVIDENCE),
        "attempt": a.attempt.to_numpy(dtype=int), "submitted_on": a.submitted.to_numpy(),
        "assessed_on": np.where(pending, np.datetime64("NaT"), a.assessed.to_numpy()),
        "grade": _cat(np.where(pending, 0, a.grade.to_numpy() + 1), ["", *S.GRADES]),
        "assessor_level": _cat(np.where(pending, 0, a.assessor.to_numpy() + 1), ["", *S.ASSESSORS]),
    })  # fmt: skip


# --------------------------------------------------------------------------- dirt of our own


def _own_dirt(ctx, df: pd.DataFrame, rng, breakers: dict, exclude: np.ndarray | None = None):
    """Row-rule violations and duplicate rows, counted exactly. (The writer's own duplicates
    are switched off for these files: a duplicated broken row would fail twice.)

    breakers: rule → function(df, rows) breaking those rows in place. Returns (df, counts).
    """
    n = len(df)
    counts: dict[str, int] = {}
    cand = rng.permutation(np.arange(n) if exclude is None else np.flatnonzero(~exclude))
    pos = 0

    def how_many(rate: float, floor_n: int) -> int:
        k = int(round(rate * n))
        return min(1 if (rate > 0 and k == 0 and n >= floor_n) else k, len(cand) - pos)

    for rule, fn in breakers.items():
        k = how_many(ctx.dirt.bad_check, 200)
        if k:
            fn(df, np.sort(cand[pos : pos + k]))
            counts[rule] = k
        pos += k
    k = how_many(ctx.dirt.duplicates, 500)
    if k:
        idx = np.sort(cand[pos : pos + k])
        order = np.argsort(np.concatenate([np.arange(n), idx + 0.5]), kind="stable")
        df = pd.concat([df, df.iloc[idx]], ignore_index=True).iloc[order].reset_index(drop=True)
        counts["duplicate_key"] = k
    return df, counts


def _write(ctx, source, df, counts: dict, **kw) -> None:
    """ctx.write without the writer's duplicates; our own counts added to the manifest.

    A broken 身份证件号 also fails its link to the teachers: foreign-key failures are not
    listed in expected_quarantine (they include cascades from rejected parent rows).
    """
    path = ctx.write(source, df, dirt=dataclasses.replace(ctx.dirt, duplicates=0), **kw)
    exp = ctx.manifest["files"][path.name]["expected_quarantine"]
    for rule, k in counts.items():
        exp[rule] = exp.get(rule, 0) + k


def _swap_times(df, idx):
    s = df["start_time"].to_numpy().copy()
    e = df["end_time"].to_numpy().copy()
    s[idx], e[idx] = e[idx], s[idx]
    df["start_time"], df["end_time"] = s, e


def _slipped_decimal(df, idx):
    h = df["credited_hours"].to_numpy().copy()
    h[idx] = h[idx] * 10 + 10  # 2.5 typed as 35
    df["credited_hours"] = h


def _assessed_early(df, idx):
    a = df["assessed_on"].to_numpy().copy()  # only graded rows are picked
    a[idx] = df["submitted_on"].to_numpy()[idx] - np.timedelta64(3, "D")
    df["assessed_on"] = a


def _unknown_point(df, idx):
    v = df["chosen_points"].to_numpy().copy()
    bad = ["A14", "B11", "C8", "D2"]
    v[idx] = [f"{x}|{bad[i % 4]}" for i, x in zip(idx, v[idx])]
    df["chosen_points"] = v


# --------------------------------------------------------------------------- main


def build(ctx: Context, rules: dict | None = None, points: pd.DataFrame | None = None) -> dict:
    """The domain's clean internal frames (no dirt), shared by generate() and tests."""
    rules = rules or load_rules()
    points = load_points() if points is None else points
    project_start = np.datetime64(rules["project_start"], "D")
    teachers = in_scope_teachers(ctx, rules)
    plans = make_school_plans(ctx, teachers, points, project_start)
    target, start = completion_targets(ctx, teachers, plans, project_start)
    planted = pick_planted(ctx, teachers, target)
    tpoints = teacher_points(ctx, teachers, plans, points)
    online = make_online(ctx, teachers, target, start, planted, rules, tpoints)
    practice = make_practice(ctx, teachers, target, start, planted, rules, tpoints)
    sess = plant_sessions(ctx, pd.concat([online, practice], ignore_index=True), planted, rules)
    sess = finish_sessions(ctx, sess)
    assess = make_assessments(ctx, teachers, target, start, tpoints, plans, points)
    return {"teachers": teachers, "plans": plans, "sessions": sess, "assessments": assess,
            "planted": planted, "target": target, "rules": rules, "points": points}  # fmt: skip


def truth(ctx, built: dict) -> dict:
    """Planted integrity cases as the rules count them, and completion shares (clean data)."""
    rules, points, teachers = built["rules"], built["points"], built["teachers"]
    s = analysis_sessions(built["sessions"])
    flags = integrity_flags(s, pd.Series(teachers.school_id.to_numpy()), rules)
    planted = {k: len(v) for k, v in flags.items()}
    planted["identical_groups"] = sum(
        set(g) <= flags["identical_teachers"] for g in built["planted"]["identical_groups"]
    )
    planted["c_points_without_smart_schools"] = int(built["plans"]["_mismatch"].sum())
    done = completion_dates(s, analysis_assessments(built["assessments"], points), points, rules)
    n = len(teachers)
    shares = {d: round(float((done <= pd.Timestamp(d)).sum() / n), 4)
              for d in ("2020-12-31", "2021-12-31", ctx.as_of.isoformat())}  # fmt: skip
    # units below the cumulative 2020 + 2021 quota at the end of 2021
    unit = ctx.frames["schools"].set_index("school_id").unit_code.reindex(teachers.school_id)
    by_2021 = np.isin(np.arange(n), done.index[done <= pd.Timestamp("2021-12-31")])
    share = pd.Series(by_2021).groupby(unit.to_numpy()).mean()
    quota = _f(rules, "quota_2020") + _f(rules, "quota_2021")
    return {"planted": planted, "teachers_in_scope": n, "complete_share_by": shares,
            "units_below_2021_quota": sorted(share[share < quota - 1e-9].index)}  # fmt: skip


def generate(ctx: Context, progress) -> None:
    progress("training")
    built = build(ctx)
    teachers, points = built["teachers"], built["points"]
    rng = ctx.rng("training:dirt")
    # 整校推进: one snapshot from the school-level system (XLSX)
    plans = built["plans"][[c.name for c in S.SCHOOL_PLANS.columns]].copy()
    plans, counts = _own_dirt(ctx, plans, rng, {"points_known": _unknown_point},
                              exclude=(plans.chosen_points == "").to_numpy())  # fmt: skip
    _write(ctx, S.SCHOOL_PLANS, plans, counts, fmt="xlsx" if len(plans) < 20_000 else "csv")
    # sessions: the platform exports one file per year; planted rows are kept out of the dirt
    sess = built["sessions"]
    keep_clean = (
        np.isin(sess.tid.to_numpy(), built["planted"]["_used"]) | sess.unattended.to_numpy()
    )
    year = sess.year.to_numpy()
    for y in np.unique(year):
        m = year == y
        df = export_sessions(ctx, sess[m], teachers, points)
        df, counts = _own_dirt(ctx, df, rng, {"end_after_start": _swap_times,
                                              "hours_per_session": _slipped_decimal},
                               exclude=keep_clean[m])  # fmt: skip
        _write(ctx, S.TRAINING_SESSIONS, df, counts, stem=f"training_sessions_{y}")
    # micro-ability assessments (GB18030, the platform's Excel-friendly export)
    a = export_assessments(built["assessments"], teachers, points)
    a, counts = _own_dirt(ctx, a, rng, {"assessed_after_submitted": _assessed_early},
                          exclude=built["assessments"].pending.to_numpy())  # fmt: skip
    _write(ctx, S.MICRO_ASSESSMENTS, a, counts, encoding="gb18030")
    t = truth(ctx, built)
    ctx.manifest.setdefault("planted", {})["training"] = t.pop("planted")
    ctx.manifest.setdefault("truth", {})["training"] = t

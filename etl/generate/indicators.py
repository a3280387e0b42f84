"""Demo data of the other work items: learning spaces (五), online services (十三), competitions
and IT courses (十五), typical cases (四), demonstrations (六, 八) and the task list (一–十八).

Units and schools move at the pace of `core.unit_effort` / `school_effort` (with noise), so a unit
that lags in digital campuses tends to lag in learning spaces, services and competitions too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from edusight import config
from etl.generate import core
from etl.generate.common import Context
from etl.generate.resources import (
    bool_text,
    level_students,
    mild,
    month_frame,
    school_table,
    sigmoid,
)
from etl.sources import indicators as S

SPACE_TYPES = ("小学", "初级中学", "九年一贯制学校", "高级中学", "完全中学", "中等职业学校",
               "特殊教育学校")  # fmt: skip
COURSE_TYPES = ("小学", "初级中学", "九年一贯制学校", "高级中学", "完全中学", "中等职业学校")


def _reference(name: str) -> pd.DataFrame:
    return pd.read_csv(config.reference_dir() / f"{name}.csv", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- learning spaces


def make_learning_space(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("learning_space")
    sc = school_table(ctx)
    sc = sc[sc.school_type.isin(SPACE_TYPES) & (sc.students > 0)].reset_index(drop=True)
    mf = month_frame(ctx)
    ns, nm = len(sc), len(mf)
    t = mf.t.to_numpy()[None, :]
    eff = (sc.effort.to_numpy() + rng.normal(0, 0.1, ns))[:, None]
    after = (mf.month.to_numpy() >= "2020-02")[None, :]  # mass opening for 停课不停学
    closure = mf.closure.to_numpy()[None, :]
    season = mf.season.to_numpy()[None, :]
    lvl = sc.levels.map(lambda x: x[0])
    adj = np.where(lvl == "小学", -0.4, np.where(lvl.isin(["高中", "中职"]), 0.3, 0.0))[:, None]
    # cumulative openings (never decreasing), capped by the school's staff and pupils
    tch = sc.teachers.to_numpy()[:, None]
    stu = sc.students.to_numpy()[:, None]
    p_t = sigmoid(-0.3 + 0.9 * t + 2.0 * eff + 0.8 * after)
    p_s = sigmoid(-1.6 + 0.9 * t + 2.0 * eff + 1.2 * after + adj)
    opened_t = np.maximum.accumulate(rng.binomial(np.broadcast_to(tch, p_t.shape), p_t), axis=1)
    opened_s = np.maximum.accumulate(rng.binomial(np.broadcast_to(stu, p_s.shape), p_s), axis=1)
    # monthly activity: holidays low, closures high
    a_t = np.where(closure, 0.95, sigmoid(-0.2 + 0.5 * t + 1.5 * eff) * season)
    a_s = np.where(closure, 0.85, sigmoid(-1.0 + 0.5 * t + 1.5 * eff) * season)
    act_t = rng.binomial(opened_t, np.clip(a_t, 0, 1))
    act_s = rng.binomial(opened_s, np.clip(a_s, 0, 1))
    # rows from the month the school's first spaces were opened
    launch = np.round(rng.normal(-6 - 14 * eff[:, 0], 10)).astype(int)
    live = (np.arange(nm)[None, :] >= launch[:, None]) & ((opened_t + opened_s) > 0)
    i, j = np.nonzero(live)
    return pd.DataFrame({
        "school_id": sc.school_id.to_numpy()[i], "month": mf.month.to_numpy()[j],
        "teacher_space_count": opened_t[i, j], "student_space_count": opened_s[i, j],
        "active_teacher_count": act_t[i, j], "active_student_count": act_s[i, j],
    })  # fmt: skip


# --------------------------------------------------------------------------- online services


def make_online_services(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("online_services")
    svc = _reference("services")
    units = ctx.frames["units"]
    ue = units.unit_code.map(core.unit_effort(ctx)).to_numpy()
    pop = units.population_10k.to_numpy(dtype=float)
    mf = month_frame(ctx)
    t = mf.t.to_numpy()
    mo = mf.mo.to_numpy()
    as_of_month = mf.month.to_numpy()[-1]
    parts = []
    for s in svc.itertuples():
        peaks = [int(x) for x in s.peak_months.split("|") if x]
        off = float(s.off_peak_share)
        profile = np.full(12, 1 / 12)
        if peaks:
            profile = np.full(12, off / (12 - len(peaks)))
            profile[np.array(peaks) - 1] = (1 - off) / len(peaks)
        share = profile[mo - 1]
        if s.service_code == "zhongkao_score":
            # 2020: the 中考 moved to late July, so scores came out in August
            y2020 = mf.year.to_numpy() == 2020
            share = np.where(y2020 & (mo == 7), profile[7], share)
            share = np.where(y2020 & (mo == 8), profile[6], share)
        launched = mf.month.to_numpy() >= s.launched_month
        uptake = np.clip(0.55 + 0.45 * np.minimum(t / 2.5, 1.0), 0, 1)  # move to online channels
        lam = (float(s.annual_per_10k) * pop[:, None] * ctx.scale * share[None, :]
               * uptake[None, :] * (1 + 0.15 * ue[:, None]) * launched[None, :])  # fmt: skip
        apps = rng.poisson(lam * rng.gamma(30, 1 / 30, lam.shape))
        instant = s.category in ("查询", "缴费")
        if instant:
            done = apps - rng.binomial(apps, 0.002)
            hours = np.zeros(apps.shape)
        else:
            rate = np.clip(0.93 + 0.015 * t[None, :] + 0.02 * ue[:, None], 0.85, 0.998)
            rate = np.where(mf.month.to_numpy()[None, :] == as_of_month, rate * 0.8, rate)
            done = rng.binomial(apps, rate)
            f = 1.15 - 0.18 * t[None, :] - 0.25 * ue[:, None] + rng.normal(0, 0.08, apps.shape)
            hours = (float(s.promised_hours) * np.clip(f, 0.25, 1.6)).round(1)
        peak = np.isin(mo, peaks)[None, :]
        sat = 88 + 2.2 * t[None, :] + 5 * ue[:, None] - 2.5 * peak
        sat = np.clip(sat + rng.normal(0, 1.5, apps.shape) + 6 / np.sqrt(apps + 1), 60, 99.9)
        i, j = np.nonzero(apps)
        parts.append(pd.DataFrame({
            "unit_code": units.unit_code.to_numpy()[i], "month": mf.month.to_numpy()[j],
            "service": s.name_zh, "application_count": apps[i, j], "completed_count": done[i, j],
            "avg_hours": hours[i, j], "satisfaction_pct": sat[i, j].round(1),
        }))  # fmt: skip
    df = pd.concat(parts, ignore_index=True)
    return df.sort_values(["month", "unit_code", "service"]).reset_index(drop=True)


# --------------------------------------------------------------------------- IT literacy


def make_competitions(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("competitions")
    events = _reference("competitions")
    sc = school_table(ctx)
    ls = level_students(ctx)
    sc = sc[sc.school_type.isin(COURSE_TYPES)]
    pairs = sc[["school_id", "levels", "effort", "urban_rural"]].explode("levels")
    pairs = pairs.rename(columns={"levels": "level"}).reset_index(drop=True)
    pairs["pupils"] = ls.reindex(list(zip(pairs.school_id, pairs.level))).fillna(0).to_numpy()
    pairs = pairs[pairs.pupils > 0].reset_index(drop=True)
    hard = {"informatics": -1.2, "robot": -0.5, "ai_programming": -0.3}
    parts = []
    for ev in events.itertuples():
        lv = pairs[pairs.level.isin(ev.levels.split("|"))].reset_index(drop=True)
        n = len(lv)
        eff = lv.effort.to_numpy()
        for year in range(max(ctx.start.year, int(ev.since_year)), ctx.as_of.year + 1):
            if year == ctx.as_of.year and int(ev.city_stage_month) > ctx.as_of.month:
                continue
            covid = 0.6 if year == 2020 else 1.0
            p = sigmoid(-1.4 + 1.6 * eff + 0.5 * (lv.urban_rural == "城区").to_numpy()
                        + 0.2 * (year - 2019) + hard.get(ev.event_code, 0.0)) * covid  # fmt: skip
            take = rng.random(n) < p
            k = int(take.sum())
            e = eff[take]
            size = np.sqrt(lv.pupils.to_numpy()[take] / 800)  # school sizes do not scale
            entries = np.clip(
                1 + rng.poisson(np.clip(2.5 * size * np.exp(0.6 * e), 0.2, 40)), 1, 500
            )
            p1 = np.clip(float(ev.first_prize_share) * np.exp(0.8 * e), 0.005, 0.3)
            p2 = np.clip(float(ev.second_prize_share) * np.exp(0.5 * e), 0.01, 0.3)
            p3 = np.clip(float(ev.third_prize_share) * np.exp(0.2 * e), 0.01, 0.3)
            first = rng.binomial(entries, p1)
            second = rng.binomial(entries - first, p2 / (1 - p1))
            third = rng.binomial(entries - first - second, p3 / (1 - p1 - p2))
            parts.append(pd.DataFrame({
                "year": np.full(k, year), "event": ev.name_zh,
                "school_id": lv.school_id.to_numpy()[take], "level": lv.level.to_numpy()[take],
                "entry_count": entries, "first_prize_count": first,
                "second_prize_count": second, "third_prize_count": third,
            }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def school_years(ctx: Context) -> list[str]:
    """School years (September–July) from the one holding the data start to the as-of one."""
    y0 = ctx.start.year - (ctx.start.month < 9)
    y1 = ctx.as_of.year - (ctx.as_of.month < 9)
    return [f"{y}-{y + 1}" for y in range(y0, y1 + 1)]


def make_it_courses(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("it_courses")
    sc = school_table(ctx)
    sc = sc[sc.school_type.isin(COURSE_TYPES) & (sc.students > 0)].reset_index(drop=True)
    tch = ctx.frames["teachers"]
    it = tch[(tch.subject == "信息技术") & (tch.post == "专任教师")].groupby("school_id").size()
    n_now = sc.school_id.map(it).fillna(0).astype(int).to_numpy()
    years = school_years(ctx)
    ny = len(years)
    eff = sc.effort.to_numpy()
    lvl = sc.levels.map(lambda x: x[-1]).to_numpy()
    base_hours = pd.Series(lvl).map({"小学": 1.0, "初中": 1.0, "高中": 2.0, "中职": 3.0}).to_numpy()
    rows = []
    count = n_now.copy()
    for k in range(ny - 1, -1, -1):  # back in time: fewer IT teachers earlier
        back = ny - 1 - k
        if back:
            count = rng.binomial(count, 0.9)
        qual = rng.binomial(count, np.clip(0.72 + 0.05 * k + 0.1 * eff, 0.3, 1.0))
        p_off = np.where(count > 0, 0.985, sigmoid(0.6 + 1.5 * eff + 0.4 * k))
        offered = rng.random(len(sc)) < p_off
        extra = np.where(rng.random(len(sc)) < 0.25 + 0.1 * eff, 0.5 + 0.5 * (lvl == "中职"), 0.0)
        hours = np.where(offered, base_hours + extra, 0.0)
        practice = rng.random(len(sc)) < sigmoid(-0.9 + 0.5 * k + 2.0 * eff)
        rows.append(pd.DataFrame({
            "school_id": sc.school_id, "school_year": years[k], "is_offered": offered,
            "weekly_hours": hours, "it_teacher_count": count, "qualified_it_teacher_count": qual,
            "has_practice_course": practice & offered,
        }))  # fmt: skip
    df = pd.concat(rows[::-1], ignore_index=True)
    return df.sort_values(["school_id", "school_year"]).reset_index(drop=True)


# --------------------------------------------------------------------------- cases, pilots

CASE_TEMPLATES = {
    "项目式学习": ["基于真实情境的{s}项目式学习实践", "{s}跨学科项目式学习的设计与实施"],
    "翻转课堂": ["{s}翻转课堂教学模式探索", "微课支持下的{s}翻转课堂实践"],
    "学生评价改革": ["基于数据的学生综合素质评价改革", "{s}学业过程性评价的信息化实践"],
    "网络学习空间应用": ["网络学习空间支持的{s}自主学习", "“人人通”空间家校协同育人实践"],
    "人工智能教育": ["人工智能进课堂的校本课程建设", "{s}人工智能辅助精准教学探索"],
    "智慧课堂": ["{s}智慧课堂常态化应用", "基于学情分析的{s}智慧课堂"],
    "混合式教学": ["线上线下混合式{s}教学实践", "{s}线上线下融合教学模式探索"],
    "三个课堂": ["专递课堂助力乡村学校{s}教学", "名师课堂引领区域{s}教研"],
    "家校协同": ["数字化家校协同育人机制建设", "家校共育平台的常态化应用"],
    "教育治理": ["区域教育数据治理与决策支持", "学校数字化管理流程再造"],
}  # fmt: skip
FIELD_WEIGHTS = {  # by year: 2020 online teaching, then AI and smart classrooms
    2019: [12, 10, 8, 12, 6, 12, 6, 10, 8, 8],
    2020: [8, 10, 6, 16, 6, 8, 20, 10, 10, 6],
    2021: [12, 8, 10, 10, 12, 12, 10, 10, 6, 10],
    2022: [12, 6, 12, 8, 16, 14, 8, 10, 6, 8],
}
CASE_SUBJECTS = ["语文", "数学", "英语", "科学", "信息技术", "物理", "美术"]


def make_typical_cases(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("typical_cases")
    sc = school_table(ctx)
    sc = sc[sc.students > 0].reset_index(drop=True)
    units = ctx.frames["units"]
    ueff = core.unit_effort(ctx)
    short = dict(zip(units.unit_code, units.name_zh))
    base = {2019: 120, 2020: 150, 2021: 220}
    rows = []
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        opens, closes = dt.date(year, 3, 1), dt.date(year, 10, 31)
        if opens > ctx.as_of:
            break
        window = (min(closes, ctx.as_of) - opens).days + 1
        n = mild(ctx, base.get(year, 200) * window / 245)
        regional = rng.random(n) < 0.2
        kw = np.where(sc.school_type == "幼儿园", 0.1, 1.0) * np.exp(1.2 * sc.effort)
        si = rng.choice(len(sc), n, p=kw / kw.sum())
        uw = np.exp(1.2 * units.unit_code.map(ueff).to_numpy())
        ui = rng.choice(len(units), n, p=uw / uw.sum())
        school = np.where(regional, "", sc.school_id.to_numpy()[si])
        unit = np.where(regional, units.unit_code.to_numpy()[ui], sc.unit_code.to_numpy()[si])
        eff = np.where(regional, units.unit_code.to_numpy()[ui], "")
        eff = np.where(regional, pd.Series(eff).map(ueff).fillna(0), sc.effort.to_numpy()[si])
        fw = np.array(FIELD_WEIGHTS.get(year, FIELD_WEIGHTS[2022]), dtype=float)
        field = rng.choice(S.CASE_FIELDS, n, p=fw / fw.sum())
        subj = rng.choice(CASE_SUBJECTS, n)
        tmpl = [CASE_TEMPLATES[f][int(k * 2)] for f, k in zip(field, rng.random(n))]
        who = np.where(regional, pd.Series(unit).map(short), sc.school_name.to_numpy()[si])
        title = [w + ":" + tp.format(s=s) for w, tp, s in zip(who, tmpl, subj)]
        day = [opens + dt.timedelta(days=int(d)) for d in rng.integers(0, window, n)]
        quality = eff + rng.normal(0, 0.6, n)
        status = np.full(n, "征集", dtype=object)
        if dt.date(year, 11, 20) <= ctx.as_of:  # units recommend their best ~35%
            rec = quality > np.quantile(quality, 0.65)
            status[rec] = "推荐"
            if dt.date(year, 12, 15) <= ctx.as_of:  # the year's ten featured cases
                cand = np.flatnonzero(rec)
                top = cand[np.argsort(-quality[cand])[:10]]
                status[top] = "入选年度十大特色案例"
        rows.append(pd.DataFrame({
            "title": title, "unit_code": unit, "school_id": school,
            "contact_name": core._names(rng, n), "year": year, "field": field,
            "submitted_on": pd.to_datetime(day), "status": status,
        }))  # fmt: skip
    df = pd.concat(rows, ignore_index=True).sort_values("submitted_on", kind="stable")
    seq = df.groupby("year").cumcount() + 1
    df.insert(0, "case_id", "AL" + df.year.astype(str) + "-" + seq.map("{:04d}".format))
    return df.reset_index(drop=True)


ZONE_PARTS = ("has_platform", "has_data_center", "has_school_spaces", "has_resource_library",
              "has_data_library", "has_application_library")  # fmt: skip
SCHOOL_PARTS = ("is_datafied", "is_intelligent", "is_resourced", "is_smart", "has_scenarios")
# kind → [(batch year, count at scale 1, tier)]; zone counts do not scale (23 units)
DEMO_BATCHES = {
    "智慧教育示范区": [(2019, 2, "省级"), (2020, 2, "市级"), (2021, 3, "市级"), (2022, 2, "市级")],
    "大数据应用试点区": [(2021, 3, "市级")],
    "智慧教育示范校": [(2019, 30, "市级"), (2020, 40, "市级"), (2021, 50, "市级"),
                    (2022, 40, "市级")],
    "5G示范校": [(2020, 12, "市级"), (2021, 18, "市级")],
    "IPv6示范校": [(2021, 20, "市级"), (2022, 20, "市级")],
    "物联网应用试点校": [(2020, 15, "市级"), (2021, 15, "市级")],
    "人工智能教育试点校": [(2019, 25, "省级"), (2021, 30, "市级")],
}  # fmt: skip


def make_demonstration(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng("demonstration")
    kinds = _reference("demonstration_kinds").set_index("kind_zh")
    sc = school_table(ctx)
    sc = sc[(sc.school_type != "幼儿园") & (sc.students > 0)].reset_index(drop=True)
    units = ctx.frames["units"]
    ueff = units.unit_code.map(core.unit_effort(ctx)).to_numpy()
    as_of = pd.Timestamp(ctx.as_of)
    rows = []
    for kind, batches in DEMO_BATCHES.items():
        scope = kinds.loc[kind, "scope"]
        used: set[str] = set()
        for year, count, tier in batches:
            if year > ctx.as_of.year:
                continue
            if scope == "unit":
                score = ueff + rng.normal(0, 0.12, len(units))
                order = [i for i in np.argsort(-score) if units.unit_code[i] not in used]
                pick = order[:count]
                ids = units.unit_code.to_numpy()[pick]
                unit_ids, school_ids, eff = ids, np.full(len(pick), ""), ueff[pick]
            else:
                score = sc.effort.to_numpy() + rng.normal(0, 0.25, len(sc))
                order = [i for i in np.argsort(-score) if sc.school_id[i] not in used]
                pick = order[: mild(ctx, count)]
                ids = sc.school_id.to_numpy()[pick]
                unit_ids, school_ids, eff = (
                    sc.unit_code.to_numpy()[pick],
                    ids,
                    sc.effort.to_numpy()[pick],
                )
            used.update(ids)
            approved = pd.Timestamp(year, 9, 1)
            accept = pd.to_datetime([
                pd.Timestamp(year + 1 + int(rng.random() < 0.4 - 0.3 * e), 12, 1)
                + pd.Timedelta(days=int(rng.integers(0, 28)))
                for e in eff
            ])  # fmt: skip
            status = np.where(
                approved > as_of, "申报", np.where(accept <= as_of, "通过验收", "建设中")
            )
            years_in = max(0.0, (as_of - approved).days / 365)
            parts = ZONE_PARTS if kind == "智慧教育示范区" else SCHOOL_PARTS
            comp = {}
            for c in ZONE_PARTS + SCHOOL_PARTS:
                if (kind == "智慧教育示范区" and c in ZONE_PARTS) or (
                    kind == "智慧教育示范校" and c in SCHOOL_PARTS
                ):
                    p = np.clip(0.3 + 0.3 * years_in + 0.4 * eff, 0.05, 0.97)
                    have = (rng.random(len(pick)) < p) | (status == "通过验收")
                    comp[c] = bool_text(have)
                else:
                    comp[c] = np.full(len(pick), "", dtype=object)
            assert set(parts) <= set(comp)
            rows.append(pd.DataFrame({
                "kind": kind, "tier": tier, "batch_year": year, "unit_code": unit_ids,
                "school_id": school_ids, "status": status,
                "accepted_on": np.where(status == "通过验收", accept, pd.NaT), **comp,
            }))  # fmt: skip
    df = pd.concat(rows, ignore_index=True)
    df["accepted_on"] = pd.to_datetime(df["accepted_on"])
    seq = df.groupby("batch_year").cumcount() + 1
    df.insert(0, "project_id", "SF" + df.batch_year.astype(str) + "-" + seq.map("{:03d}".format))
    return df


# --------------------------------------------------------------------------- task list

# (item label, task, lead office, supporting offices, due date): the supervision office's list,
# derived from the plan text. Due dates are the office's (assumption: the plan names none).
TASKS = [
    ("(一)", "成立《加快发展智慧教育的实施方案》编制专班", "科技处", "各处(室)、各直属单位", "2021-06-30"),
    ("(一)", "完成智慧教育发展现状调研与需求分析", "科技处", "各处(室)、各直属单位", "2021-08-31"),
    ("(一)", "形成《加快发展智慧教育的实施方案》(征求意见稿)", "科技处", "各处(室)", "2021-10-31"),
    ("(一)", "《加快发展智慧教育的实施方案》报审印发", "科技处", "各处(室)", "2022-03-31"),
    ("(一)", "规划教育信息化十四五时期主要发展任务", "科技处", "各处(室)、各直属单位", "2021-12-31"),
    ("(一)", "“智慧教育”重大课题专项研究立项", "科技处", "市教科院", "2021-07-31"),
    ("(一)", "“智慧教育”重大课题中期成果(实践路径、政策机制)", "科技处", "市教科院", "2022-06-30"),
    ("(二)", "智慧教育新基建规划研究(信息网络、平台体系、数字资源、智慧校园、创新应用)", "市技装中心", "科技处", "2021-12-31"),
    ("(二)", "形成全市教育信息化新型基础设施发展体系框架", "市技装中心", "科技处", "2022-06-30"),
    ("(二)", "《成都市中小学教育现代化装备标准》(征求意见稿)", "市技装中心", "科技处", "2021-11-30"),
    ("(二)", "《成都市中小学教育现代化装备标准》印发", "市技装中心", "科技处", "2022-06-30"),
    ("(二)", "明确十四五时期教育装备发展任务", "市技装中心", "科技处", "2022-09-30"),
    ("(三)", "数字教育公共服务供给体系建设研究方案", "科技处", "市技装中心", "2021-08-31"),
    ("(三)", "学前、普教、职教、终身教育数字资源供给现状调研", "科技处", "学前处、普教处、高职处、终身与民办处", "2021-10-31"),
    ("(三)", "政府、学校、社会共建优质数字教育资源协同机制(草案)", "科技处", "市技装中心、市教科院", "2022-03-31"),
    ("(三)", "新型课程结构与个性化资源供给研究报告", "市技装中心", "人事与教师处、市教科院", "2022-06-30"),
    ("(四)", "“国家级信息化教学实验区”年度建设任务", "普教处", "科技处、市教科院", "2021-12-31"),
    ("(四)", "开展“一师一优课、一课一名师”活动", "普教处", "市教科院、市技装中心", "2021-11-30"),
    ("(四)", "发布融合创新典型案例征集通知", "普教处", "科技处", "2021-06-30"),
    ("(四)", "遴选发布年度“十大特色案例”", "普教处", "科技处、市教科院", "2021-12-31"),
    ("(四)", "基于信息技术的学生评价改革试点", "普教处", "市教科院", "2022-06-30"),
    ("(五)", "网络学习空间建设与应用普及推进方案", "科技处", "普教处、市技装中心", "2021-07-31"),
    ("(五)", "空间资源、数据、服务优化整合", "科技处", "市技装中心", "2021-12-31"),
    ("(五)", "推广区域、学校网络学习空间典型经验", "科技处", "普教处、市教科院", "2022-06-30"),
    ("(六)", "大数据、人工智能试点学校遴选", "科技处", "普教处、市技装中心", "2021-09-30"),
    ("(六)", "教育网IPv6规模部署实施方案", "科技处", "市技装中心", "2021-10-31"),
    ("(六)", "物联网校园应用试点与经验凝练", "科技处", "市技装中心", "2022-06-30"),
    ("(六)", "支持5G示范校开展智慧教室、远程教育应用", "科技处", "普教处", "2021-12-31"),
    ("(六)", "创客教室、虚拟仿真实验室、STEAM教室建设指引", "科技处", "高职处、市技装中心", "2022-03-31"),
    ("(七)", "落实《四川省中小学数字校园建设规范》工作方案", "市技装中心", "科技处", "2021-07-31"),
    ("(七)", "2021年度数字校园建设评估", "市技装中心", "科技处", "2021-12-31"),
    ("(七)", "数字校园建设纳入政府履行教育职责评价", "督导办", "市技装中心、科技处", "2021-12-31"),
    ("(七)", "中心城区70%、郊区新城50%学校达标", "市技装中心", "科技处、督导办", "2022-12-31"),
    ("(八)", "智慧教育示范区创建经验交流与成果推广", "科技处", "市教科院", "2021-10-31"),
    ("(八)", "遴选新一批“智慧教育”区域(学校)", "科技处", "市教科院、市技装中心", "2021-12-31"),
    ("(八)", "“一平台一中心、一校一空间三库”建设评估", "科技处", "市技装中心", "2022-06-30"),
    ("(九)", "成都智慧教育云平台(第一期)建设方案", "科技处", "市技装中心", "2021-06-30"),
    ("(九)", "学生、教师、学校、装备四大基础数据库建成", "市技装中心", "科技处、各处(室)", "2021-12-31"),
    ("(九)", "区域教育整体态势数据接入机制", "科技处", "市技装中心", "2022-03-31"),
    ("(九)", "教育类电子政务项目建设需求审核制度", "科技处", "各处(室)", "2021-09-30"),
    ("(九)", "项目技术方案审查制度", "科技处", "市技装中心", "2021-09-30"),
    ("(九)", "教育管理信息系统集约化建设与应用整合", "科技处", "市技装中心、各处(室)", "2022-06-30"),
    ("(九)", "教育态势感知和辅助治理平台上线试运行", "科技处", "市技装中心", "2022-09-30"),
    ("(十)", "中小学学校(机构)代码标准", "科技处", "市技装中心", "2021-12-31"),
    ("(十)", "教育管理基础数据标准", "科技处", "市技装中心、各处(室)", "2022-03-31"),
    ("(十)", "教育管理信息化应用系统接入标准", "市技装中心", "科技处", "2022-03-31"),
    ("(十)", "教育资源元数据标准", "市技装中心", "科技处", "2022-06-30"),
    ("(十)", "市级云平台接入规范管控机制", "科技处", "市技装中心", "2022-09-30"),
    ("(十一)", "校园安全态势感知场景研究", "科技处", "市技装中心", "2021-12-31"),
    ("(十一)", "教师队伍发展评估场景研究", "科技处", "人事与教师处、市教科院", "2022-03-31"),
    ("(十一)", "区域教育发展状况监测场景研究", "科技处", "市教科院", "2022-03-31"),
    ("(十一)", "2021年高考、中考“智慧招考”保障", "市教育考试院", "科技处、市技装中心", "2021-06-30"),
    ("(十一)", "2022年高考、中考考情数据实时归集与指挥", "市教育考试院", "科技处、市技装中心", "2022-06-30"),
    ("(十二)", "发布优质数字教育资源征集通知", "科技处", "普教处、市教科院", "2021-06-30"),
    ("(十二)", "归集约1000个优质课程资源", "科技处", "市技装中心、市教科院", "2021-12-31"),
    ("(十二)", "遴选100个左右精品资源", "科技处", "市教科院", "2021-12-31"),
    ("(十二)", "专递课堂、名师课堂、名校网络课堂建设推进", "科技处", "普教处、学前处、高职处", "2021-12-31"),
    ("(十二)", "“四川云教”主播学校、接收学校评估机制", "科技处", "普教处、市技装中心", "2021-10-31"),
    ("(十二)", "成渝地区双城经济圈、成德眉资都市圈智慧教育交流合作", "规划处", "科技处", "2021-11-30"),
    ("(十三)", "教育缴费、中考成绩查询接入“天府市民云”", "科技处", "市教育考试院", "2021-07-15"),
    ("(十三)", "义务教育划片、入园入学政策信息汇聚推送", "科技处", "学前处、普教处", "2021-05-31"),
    ("(十三)", "随迁子女入学网上一键办理", "普教处", "科技处", "2021-06-30"),
    ("(十三)", "教育系统数据及电子证照共享应用", "法规处", "科技处", "2021-12-31"),
    ("(十三)", "全市民办教育信息化管理平台", "终身与民办处", "科技处", "2021-12-31"),
    ("(十三)", "校外培训机构资金存管、风险预警监管", "终身与民办处", "科技处", "2022-03-31"),
    ("(十三)", "办好成都市民直播课堂", "科技处", "高职处", "2021-12-31"),
    ("(十四)", "能力提升工程2.0年度实施方案", "人事与教师处", "科技处、市技装中心", "2021-06-30"),
    ("(十四)", "整校推进:学校信息化发展规划审核", "人事与教师处", "市教科院", "2021-10-31"),
    ("(十四)", "2021年度培训与微能力点测评", "人事与教师处", "市技装中心、市教科院", "2021-12-31"),
    ("(十四)", "人工智能等新技术支持的精准教学研修", "人事与教师处", "市教科院", "2022-06-30"),
    ("(十四)", "能力提升工程2.0全员完成", "人事与教师处", "市技装中心、市教科院、科技处", "2022-12-31"),
    ("(十五)", "信息技术课程标准落实情况检查", "普教处", "科技处、市教科院", "2021-12-31"),
    ("(十五)", "推进信息技术类综合实践课", "科技处", "普教处、市教科院", "2022-06-30"),
    ("(十五)", "2021年全市中小学生电脑制作活动", "科技处", "市技装中心", "2021-06-30"),
    ("(十五)", "2021年全市中小学生创客、机器人竞赛", "科技处", "市技装中心", "2021-11-30"),
    ("(十五)", "2022年全市中小学生电脑制作活动", "科技处", "市技装中心", "2022-05-31"),
    ("(十六)", "健全网络安全组织领导和管理机制", "科技处", "法规处", "2021-09-30"),
    ("(十六)", "网络安全和教育信息化统一推进工作指引", "科技处", "市技装中心", "2021-12-31"),
    ("(十六)", "网络安全工作纳入督导评价", "督导办", "科技处", "2022-06-30"),
    ("(十七)", "印发《成都市教育系统网络安全管理办法》", "科技处", "法规处", "2021-10-31"),
    ("(十七)", "健全“市—县—校”网络安全监测预警机制", "科技处", "市技装中心", "2021-12-31"),
    ("(十七)", "完善网络安全通报机制", "科技处", "市技装中心", "2021-09-30"),
    ("(十七)", "国家网络安全宣传周“校园日”活动", "德育与宣传处", "科技处", "2021-10-15"),
    ("(十八)", "建党100周年教育系统网络安全保障", "科技处", "市技装中心", "2021-07-05"),
    ("(十八)", "重要信息系统等保定级备案", "科技处", "市技装中心", "2021-12-31"),
    ("(十八)", "关键信息基础设施识别", "科技处", "市技装中心", "2021-11-30"),
    ("(十八)", "修订《全市教育系统网络安全应急预案》", "科技处", "市技装中心", "2021-12-31"),
    ("(十八)", "分级实施网络安全应急演练", "科技处", "市技装中心", "2022-06-30"),
    ("(十八)", "教育移动应用(APP)备案审查与清理", "科技处", "市技装中心", "2021-12-31"),
]  # fmt: skip
ISSUED = dt.date(2021, 5, 14)  # 成教函〔2021〕57号


def _data_linked(ctx: Context) -> dict[str, tuple[dt.date | None, float]]:
    """Tasks whose completion the data themselves show: task → (date reached, share done)."""
    out: dict[str, tuple[dt.date | None, float]] = {}
    res = ctx.frames.get("resources")
    if res is not None:
        acc = res[res.review_status.isin(["入库", "精品"])].reviewed_on.sort_values()
        need = mild(ctx, 1000)
        reached = acc.iloc[need - 1].date() if len(acc) >= need else None
        out["归集约1000个优质课程资源"] = (reached, min(1.0, len(acc) / need))
        sel = res.selected_on.dropna()
        out["遴选100个左右精品资源"] = (
            sel.min().date() if len(sel) else None,
            min(1.0, len(sel) / mild(ctx, 100)),
        )
    if ctx.as_of >= dt.date(2021, 12, 15):
        out["遴选发布年度“十大特色案例”"] = (dt.date(2021, 12, 15), 1.0)
    return out


def make_plan_deliverables(ctx: Context) -> pd.DataFrame:
    """Status of each task as the supervision office last updated it (a few weeks before as-of)."""
    rng = ctx.rng("plan_deliverables")
    offices = sorted({t[2] for t in TASKS})
    pace = dict(zip(offices, rng.normal(0, 0.3, len(offices))))
    linked = _data_linked(ctx)
    rows = []
    seq: dict[str, int] = {}
    for label, task, lead, co, due_s in TASKS:
        due = dt.date.fromisoformat(due_s)
        seq[label] = seq.get(label, 0) + 1
        updated = ctx.as_of - dt.timedelta(days=int(rng.integers(0, 21)))
        start = max(ISSUED, due - dt.timedelta(days=int(rng.integers(60, 240))))
        delay = rng.normal(20 - 60 * pace[lead], 60)
        if rng.random() < 0.15:  # stalled: waiting for review, approval or another office
            delay += rng.uniform(120, 300)
        finish = max(start + dt.timedelta(days=10), due + dt.timedelta(days=int(delay)))
        share = None
        if task in linked:
            reached, share = linked[task]
            finish = reached if reached else ctx.as_of + dt.timedelta(days=90)
        if finish <= updated:
            status, pct, done = "已完成", 100, finish
            remark = "已完成" if rng.random() < 0.5 else "已印发/已上线,转入常态化"
        elif start > updated:
            status, pct, done, remark = "未启动", 0, None, "按计划待启动"
        else:
            if share is not None:
                pct = int(np.clip(100 * share, 5, 99))
            else:
                elapsed = (updated - start).days / max((finish - start).days, 1)
                pct = int(np.clip(100 * elapsed, 5, 95))
            done = None
            if due < updated:
                status = "延期"
                remark = str(
                    rng.choice(["受疫情影响,进度滞后", "待审议后印发", "配合单位材料未齐,已督办"])
                )
            else:
                status, remark = "进行中", ""
        rows.append({
            "task_id": f"T{_label_number(label):02d}-{seq[label]:02d}", "item": label,
            "task": task, "lead_office": lead, "co_offices": co, "due_on": pd.Timestamp(due),
            "status": status, "progress_pct": pct,
            "completed_on": pd.Timestamp(done) if done else pd.NaT,
            "updated_on": pd.Timestamp(updated), "remark": remark,
        })  # fmt: skip
    df = pd.DataFrame(rows)
    df["completed_on"] = pd.to_datetime(df["completed_on"])
    return df


def _label_number(label: str) -> int:
    """(一) … (十八) → 1 … 18."""
    s = label.strip("()")
    if s.startswith("十"):
        return 10 + (core.NUMERALS.index(s[1]) if len(s) > 1 else 0)
    return core.NUMERALS.index(s)


def generate(ctx: Context, progress) -> None:
    progress("indicators")
    ctx.write(S.LEARNING_SPACE, make_learning_space(ctx), encoding="utf-8-sig")
    ctx.write(S.ONLINE_SERVICES, make_online_services(ctx), encoding="gb18030")
    ctx.write(S.COMPETITIONS, make_competitions(ctx), fmt="xlsx")
    ctx.write(S.IT_COURSES, make_it_courses(ctx), encoding="utf-8")
    ctx.write(S.TYPICAL_CASES, make_typical_cases(ctx), fmt="xlsx")
    ctx.write(S.DEMONSTRATION, make_demonstration(ctx), fmt="xlsx")
    ctx.write(S.PLAN_DELIVERABLES, make_plan_deliverables(ctx), fmt="xlsx")

"""Demo data of the other work items (etl/generate/indicators.py): learning spaces, online
services, competitions, IT courses, typical cases, demonstrations and the task list.

Built like tests/unit/test_gen_resources.py (core + resources + indicators, real engine,
tmp_path); only those sources are loaded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pandas as pd
import pytest

from etl.generate import indicators as gind
from etl.generate import resources as gres
from etl.sources import indicators as sind
from tests.unit.test_gen_resources import REF, make_demo, q, reconcile


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("ind")
    return make_demo(base), base


@pytest.fixture(scope="module")
def db(demo):
    con = duckdb.connect(str(demo[1] / "t.duckdb"), read_only=True)
    yield con
    con.close()


GENERATORS = {
    "learning_space": gind.make_learning_space,
    "online_services": gind.make_online_services,
    "competitions": gind.make_competitions,
    "it_courses": gind.make_it_courses,
    "typical_cases": gind.make_typical_cases,
    "demonstration": gind.make_demonstration,
    "plan_deliverables": gind.make_plan_deliverables,
}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generation_is_deterministic(demo, name):
    ctx = demo[0]
    fn = GENERATORS[name]
    a, b = fn(ctx), fn(ctx)
    pd.testing.assert_frame_equal(a, b)
    other = fn(dataclasses.replace(ctx, seed=ctx.seed + 1))
    assert not a.equals(other)


def test_quarantine_reconciles_with_manifest(demo):
    res = reconcile(demo[1] / "raw", demo[1] / "t.duckdb", [s.name for s in sind.SOURCES])
    for name, (exp, got, bad_fk) in res.items():
        assert got == exp, name
        assert bad_fk == 0, name
    assert res["online_services"][0].get("unknown_unit", 0) > 0


def test_learning_space_within_school_size(demo, db):
    ctx = demo[0]
    ls = q(db, "SELECT * FROM stg.learning_space")
    alloc = ctx.frames["alloc"].groupby("school_id")[["students", "teachers"]].sum()
    size = alloc.reindex(ls.school_id)
    assert (ls.active_teacher_count <= ls.teacher_space_count).all()
    assert (ls.active_student_count <= ls.student_space_count).all()
    assert (ls.teacher_space_count.to_numpy() <= size.teachers.to_numpy()).all()
    assert (ls.student_space_count.to_numpy() <= size.students.to_numpy()).all()
    # openings are cumulative: never fall from one month to the next
    ls = ls.sort_values(["school_id", "month"])
    drop = ls.groupby("school_id")[["teacher_space_count", "student_space_count"]].diff()
    assert (drop.fillna(0) >= 0).all().all()
    m = ls.groupby("month")[["active_student_count", "student_space_count"]].sum()
    rate = m.active_student_count / m.student_space_count
    assert rate["2020-03"] > rate["2019-11"] > rate["2019-08"]  # closures › term › holiday
    assert rate["2022-02"] < rate["2022-04"]
    first, last = m.student_space_count.iloc[0], m.student_space_count.iloc[-1]
    assert last > 1.5 * first


def test_online_services_seasons(db):
    s = q(db, "SELECT * FROM stg.online_services")
    assert (s.completed_count <= s.application_count).all()
    svc = pd.read_csv(REF / "services.csv", keep_default_na=False)
    assert set(s.service) <= set(svc.name_zh)
    by = s.groupby(["service", "month"]).application_count.sum()
    zk = by["中考成绩查询"]
    assert zk.idxmax() in ("2019-07", "2020-08", "2021-07")
    assert zk["2021-07"] > 10 * zk["2021-04"]
    assert zk["2020-08"] > zk["2020-07"]  # the 2020 exam was postponed to late July
    ru = by["义务教育入学申请"]
    y21 = ru[ru.index.str.startswith("2021")]
    assert y21[y21.index.str[5:].isin(["05", "06", "07", "08"])].sum() > 0.8 * y21.sum()
    mig = by["随迁子女入学一键办理"]
    assert mig.index.min() >= "2021-04"
    instant = s[s.service.isin(["中考成绩查询", "教育缴费"])]
    assert (instant.avg_hours == 0).all()
    assert s.satisfaction_pct.between(0, 100).all()


def test_competitions(demo, db):
    ctx = demo[0]
    c = q(db, "SELECT * FROM stg.competitions")
    prizes = c.first_prize_count + c.second_prize_count + c.third_prize_count
    assert (prizes <= c.entry_count).all()
    ev = pd.read_csv(REF / "competitions.csv", keep_default_na=False).set_index("name_zh")
    assert {"成都市中小学电脑制作活动", "成都市中小学创客竞赛", "成都市青少年机器人竞赛"} <= set(
        c.event
    )
    last = c[c.year == ctx.as_of.year]
    assert (ev.loc[last.event, "city_stage_month"].astype(int) <= ctx.as_of.month).all()
    old = c[c.event.map(ev.since_year.astype(int)) == 2019]  # events held every year
    per_year = old.groupby("year").entry_count.sum()
    assert per_year[2020] < min(per_year[2019], per_year[2021])  # 2020: the pandemic year


def test_it_courses(demo, db):
    ctx = demo[0]
    it = q(db, "SELECT * FROM stg.it_courses")
    assert ((it.weekly_hours > 0) == it.is_offered).all()
    assert (it.qualified_it_teacher_count <= it.it_teacher_count).all()
    assert set(it.school_year) == set(gind.school_years(ctx))
    assert it.school_year.max() == "2021-2022"
    now = it[it.school_year == "2021-2022"].set_index("school_id").it_teacher_count
    t = ctx.frames["teachers"]
    n_it = t[(t.subject == "信息技术") & (t.post == "专任教师")].groupby("school_id").size()
    assert (now == n_it.reindex(now.index).fillna(0).astype(int)).all()
    share = it.groupby("school_year").is_offered.mean()
    assert share.iloc[-1] >= 0.9


def test_typical_cases(demo, db):
    ctx = demo[0]
    c = q(db, "SELECT * FROM stg.typical_cases")
    top = c[c.status == "入选年度十大特色案例"].groupby("year").size()
    assert (top <= 10).all() and top.get(2021, 0) >= 8
    assert ctx.as_of.year not in top.index  # selected in December
    assert (c.submitted_on.dt.year == c.year).all()
    assert set(c.status) == set(sind.CASE_STATUS)


def test_demonstration(db):
    d = q(db, "SELECT * FROM stg.demonstration")
    kinds = pd.read_csv(REF / "demonstration_kinds.csv", keep_default_na=False)
    scope = d.kind.map(dict(zip(kinds.kind_zh, kinds.scope)))
    assert (d.school_id.notna() == (scope == "school")).all()
    zone = d[d.kind == "智慧教育示范区"]
    parts = list(gind.ZONE_PARTS)
    assert zone[parts].notna().all().all()
    assert zone[zone.status == "通过验收"][parts].all().all()
    school = d[d.kind == "智慧教育示范校"]
    assert school[list(gind.SCHOOL_PARTS)].notna().all().all()
    other = d[~d.kind.isin(["智慧教育示范区", "智慧教育示范校"])]
    assert other[parts + list(gind.SCHOOL_PARTS)].isna().all().all()
    assert (d.status == "通过验收").any() and (d.status == "建设中").any()


def test_plan_deliverables(demo, db):
    ctx = demo[0]
    p = q(db, "SELECT * FROM stg.plan_deliverables")
    items = pd.read_csv(REF / "work_items.csv", keep_default_na=False)
    assert 60 <= len(p) <= 95
    assert set(p["item"]) == set(items.label_zh)  # every one of the 18 items has tasks
    assert p.task_id.is_unique
    assert ((p.status == "已完成") == p.completed_on.notna()).all()
    assert (p[p.status == "已完成"].progress_pct == 100).all()
    assert (p[p.status == "延期"].due_on < p[p.status == "延期"].updated_on).all()
    assert (p.updated_on <= pd.Timestamp(ctx.as_of)).all()
    counts = p.status.value_counts()
    assert counts["已完成"] > len(p) / 2 and counts.get("延期", 0) + counts.get("进行中", 0) > 0
    # the collection task agrees with the catalogue
    t = p.set_index("task").loc["归集约1000个优质课程资源"]
    res = ctx.frames["resources"]
    acc = res[res.review_status.isin(["入库", "精品"])]
    done = (acc.reviewed_on <= t.updated_on).sum() >= gres.mild(ctx, 1000)
    assert (t.status == "已完成") == done


def test_plan_as_of_earlier(demo):
    """An earlier as-of date moves tasks back to 进行中/未启动."""
    ctx = dataclasses.replace(demo[0], as_of=dt.date(2021, 9, 30))
    p = gind.make_plan_deliverables(ctx)
    assert (p.status == "未启动").sum() > 5
    assert (p.completed_on.dropna() <= pd.Timestamp(ctx.as_of)).all()

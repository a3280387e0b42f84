"""The coverage and school-profile queries on the database the real ETL builds (``built_db``):
numbers that must agree with each other, scope, and the pass rule."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from edusight import db, queries


@pytest.fixture(scope="module")
def ctx(built_db):
    units = queries.all_units()
    period = queries.run("meta_periods", units)["period"].iat[-1]
    yield {"units": units, "period": period, "db": built_db}
    db.close_all()


def run(name: str, scope, **params) -> pd.DataFrame:
    return queries.run(name, tuple(scope), **params)


def test_units_coverage_adds_up(ctx):
    u = run("coverage_units", ctx["units"], period=ctx["period"])
    assert len(u) == 23 and set(u["unit_code"]) == set(ctx["units"])
    has = u[u["school_count"].notna()]
    assert len(has) > 0
    assert (
        has["covered_count"] + has["failing_count"] + has["not_assessed_count"]
        == has["school_count"]
    ).all()
    expected = (100 * has["covered_count"] / has["school_count"]).round(1)
    assert (has["coverage_pct"] - expected).abs().max() < 0.051
    assert (
        (has["gap_pct"] - (has["coverage_pct"] - has["coverage_target_pct"])).abs() < 0.051
    ).all()
    proj = has["projected_pct"].dropna()
    assert proj.between(0, 100).all()
    on = has.dropna(subset=["is_on_course"])
    decided = on["projected_pct"].fillna(on["coverage_pct"])
    assert (on["is_on_course"] == (decided >= on["coverage_target_pct"])).all()
    assert set(u["coverage_target_pct"]) <= {70.0, 50.0}


def test_units_change_is_against_the_previous_quarter(ctx):
    periods = queries.run("meta_periods", ctx["units"])["period"].tolist()
    if len(periods) < 2:
        pytest.skip("one quarter only")
    now = run("coverage_units", ctx["units"], period=periods[-1]).set_index("unit_code")
    before = run("coverage_units", ctx["units"], period=periods[-2]).set_index("unit_code")
    both = now["coverage_pct"].notna() & before["coverage_pct"].notna()
    diff = (now["coverage_pct"] - before["coverage_pct"])[both].round(1)
    assert (diff - now.loc[both, "change_pct"]).abs().max() < 0.051
    assert (now.loc[both, "prev_period"] == periods[-2]).all()


def test_categories_aggregate_the_units(ctx):
    u = run("coverage_units", ctx["units"], period=ctx["period"])
    c = run("coverage_categories", ctx["units"], period=ctx["period"]).set_index("category")
    sums = u.groupby("category")[["school_count", "covered_count"]].sum()
    for cat, row in sums.iterrows():
        if row["school_count"]:
            assert c.at[cat, "school_count"] == row["school_count"]
            assert c.at[cat, "covered_count"] == row["covered_count"]
    assert c["unit_count"].sum() == 23


def test_scope_limits_every_coverage_query(ctx):
    one = ("510104",)
    assert set(run("coverage_units", one, period=ctx["period"])["unit_code"]) == set(one)
    pts = run("coverage_school_points", one, period=ctx["period"])
    assert set(pts["unit_code"]) <= set(one)
    detail = run("coverage_school_detail", one, period=ctx["period"], unit=None)
    assert set(detail["unit_code"]) <= set(one)
    assert run("coverage_school_detail", one, period=ctx["period"], unit="510105").empty
    trend = run("coverage_trend", one, period=ctx["period"])
    assert set(trend.loc[trend["series_kind"] == "unit", "series_code"]) <= set(one)
    cats = run("coverage_categories", one, period=ctx["period"])
    assert list(cats["category"]) == ["中心城区"]


def test_drill_down_lists_the_units_schools_with_their_reasons(ctx):
    u = run("coverage_units", ctx["units"], period=ctx["period"])
    unit = u.sort_values("school_count", ascending=False)["unit_code"].iat[0]
    detail = run("coverage_school_detail", ctx["units"], period=ctx["period"], unit=unit)
    assert set(detail["unit_code"]) == {unit}
    assert len(detail) == u.set_index("unit_code").at[unit, "school_count"]
    criteria = run("coverage_criteria", ctx["units"])
    pass_score = criteria["pass_weighted_score"].iat[0]
    minimum = dict(zip(criteria["dimension"], criteria["min_score"], strict=True))
    for r in detail.itertuples():
        if r.status == "not_assessed":
            assert pd.isna(r.weighted_score) and r.failed_count == 0
            continue
        below = [d for d, m in minimum.items() if getattr(r, d) < m]
        assert len(below) == r.failed_count
        passes = r.weighted_score >= pass_score and not below
        assert passes == (r.status == "covered"), r


def test_school_points_match_the_counts(ctx):
    u = run("coverage_units", ctx["units"], period=ctx["period"])
    pts = run("coverage_school_points", ctx["units"], period=ctx["period"])
    assert len(pts) == u["school_count"].sum()
    assert set(pts["status"]) <= {"covered", "failing", "not_assessed"}
    assert (pts["status"] == "covered").sum() == u["covered_count"].sum()
    assert pts["lon"].between(102.9, 105.0).all() and pts["lat"].between(30.0, 31.5).all()


def test_trend_category_series_sum_the_units(ctx):
    trend = run("coverage_trend", ctx["units"], period=ctx["period"])
    units = trend[trend["series_kind"] == "unit"]
    cats = trend[trend["series_kind"] == "category"]
    sums = units.groupby(["category", "period"])["covered_count"].sum()
    got = cats.set_index(["series_code", "period"])["covered_count"]
    assert (sums.sort_index().to_numpy() == got.sort_index().to_numpy()).all()
    assert trend["period"].max() == ctx["period"]


def test_criteria_weights_sum_to_one(ctx):
    criteria = run("coverage_criteria", ctx["units"])
    assert len(criteria) == 8
    assert criteria["weight"].sum() == pytest.approx(1.0)
    assert criteria["pass_weighted_score"].nunique() == 1


def test_new_technology_shares_are_of_in_scope_schools(ctx):
    nt = run("coverage_newtech_units", ctx["units"], period=ctx["period"])
    assert len(nt) == 23 and nt["year"].nunique() == 1
    for col in ("ipv6_pct", "with_lab_pct", "smart_classroom_pct"):
        assert nt[col].dropna().between(0, 100).all()
    assert (nt["ipv6_count"] <= nt["school_count"]).all()
    with duckdb.connect(str(ctx["db"]), read_only=True) as con:
        n = con.execute(
            "SELECT count(*) FROM marts.coverage_equipment WHERE is_campus_scope AND year = ?",
            [int(nt["year"].iat[0])],
        ).fetchone()[0]
    assert nt["school_count"].sum() == n


def test_demonstration_counts_split_by_stage(ctx):
    demo = run("coverage_demonstration_units", ctx["units"])
    assert len(demo) > 0
    assert (
        demo["applied_count"] + demo["building_count"] + demo["accepted_count"]
        == demo["project_count"]
    ).all()
    with duckdb.connect(str(ctx["db"]), read_only=True) as con:
        total = con.execute("SELECT count(*) FROM stg.demonstration").fetchone()[0]
    assert demo["project_count"].sum() == total


def test_school_profile_queries_respect_scope(ctx):
    pts = run("coverage_school_points", ctx["units"], period=ctx["period"])
    school = pts.iloc[0]
    sid, unit = school["school_id"], school["unit_code"]
    other = next(u for u in ctx["units"] if u != unit)
    assert len(run("school_info", ctx["units"], school=sid)) == 1
    assert run("school_info", (other,), school=sid).empty
    assert run("school_campus_history", (other,), school=sid).empty
    assert run("school_equipment", (other,), school=sid).empty
    found = run("school_search", ctx["units"], text=sid, limit=5)
    assert found["school_id"].iat[0] == sid
    name_part = school["school_name"][-4:]
    assert sid in set(run("school_search", ctx["units"], text=name_part, limit=500)["school_id"])
    status = run("school_campus_status", ctx["units"], school=sid, period=ctx["period"])
    assert (
        status["period"].iat[-1] == ctx["period"] and status["status"].iat[-1] == school["status"]
    )


def test_school_modules_read_only_tables_that_exist(ctx):
    tables = set(run("school_tables", ctx["units"])["table_ref"])
    assert {"marts.schools", "marts.campus_assessments", "marts.coverage_equipment"} <= tables
    sid = run("coverage_school_points", ctx["units"], period=ctx["period"])["school_id"].iat[0]
    if {"stg.school_plans", "stg.training_sessions", "stg.micro_assessments"} <= tables:
        tr = run("school_teacher_training", ctx["units"], school=sid)
        assert len(tr) == 1
        r = tr.iloc[0]
        if pd.notna(r["teachers_50h_count"]):
            assert r["teachers_50h_count"] <= r["trained_teacher_count"]
            assert r["teachers_3_points_count"] <= r["assessed_teacher_count"]
    if "stg.learning_space" in tables:
        ls = run("school_learning_space", ctx["units"], school=sid, period=ctx["period"])
        assert (ls["active_teacher_count"] <= ls["teacher_space_count"]).all()

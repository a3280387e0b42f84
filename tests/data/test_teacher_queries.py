"""Teacher-2.0 marts and queries on the database the real ETL built (scale 0.02, seed 7): the
integrity flags find the cases the generator planted (manifest planted.training) and the
completion rule reproduces the generator's truth."""

from __future__ import annotations

import json

import duckdb
import pytest

from edusight import queries


@pytest.fixture(scope="module")
def manifest(built_db):
    path = built_db.parent / "raw" / "manifest.json"
    if not path.is_file():
        pytest.skip(f"no manifest beside {built_db} (EDUSIGHT_TEST_DB without raw/)")
    return json.loads(path.read_text(encoding="utf-8"))["planted"]["training"]


@pytest.fixture(scope="module")
def con(built_db):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


def one(con, sql):
    return con.execute(sql).fetchone()[0]


def test_flags_find_the_planted_teachers(con, manifest):
    got = con.execute(
        "SELECT count(*) FILTER (WHERE is_flag_faster), count(*) FILTER (WHERE is_flag_night),"
        " count(*) FILTER (WHERE is_flag_all_online), count(*) FILTER (WHERE is_flag_identical),"
        " sum(faster_session_count) FROM marts.teacher_status"
    ).fetchone()
    want = (
        manifest["credited_faster_teachers"],
        manifest["night_teachers"],
        manifest["all_online_teachers"],
        manifest["identical_teachers"],
        manifest["credited_faster_sessions"],
    )
    assert got == want


def test_unattended_sessions_match_the_planted_ones(con, manifest):
    # a planted session of a teacher who left the base database (quarantined) may be missing
    n = one(con, "SELECT sum(unattended_session_count) FROM marts.teacher_status")
    assert manifest["unattended_video_sessions"] - 2 <= n <= manifest["unattended_video_sessions"]


def test_c_points_without_smart_classrooms_match(con, manifest):
    n = one(con, "SELECT count(*) FROM marts.teacher_schools WHERE is_c_without_smart")
    assert n == manifest["c_points_without_smart_schools"]


def test_completion_is_close_to_the_generators_truth(con, built_db):
    truth = json.loads((built_db.parent / "raw" / "manifest.json").read_text(encoding="utf-8"))
    truth = truth["truth"]["training"]
    n, by2020, by2021 = con.execute(
        "SELECT count(*), avg(coalesce(completed_on <= DATE '2020-12-31', false)::INT),"
        " avg(coalesce(completed_on <= DATE '2021-12-31', false)::INT) FROM marts.teacher_status"
    ).fetchone()
    assert abs(n - truth["teachers_in_scope"]) / truth["teachers_in_scope"] < 0.02
    # quarantined source rows (dirt) can only delay completion
    assert 0 <= truth["complete_share_by"]["2020-12-31"] - by2020 < 0.03
    assert 0 <= truth["complete_share_by"]["2021-12-31"] - by2021 < 0.03


def test_units_query_adds_up_and_projects(built_db):
    units = queries.run("teachers_units", queries.all_units())
    assert len(units) == 23
    assert (units["complete_count"] <= units["passed_count"]).all()
    assert (units["passed_count"] <= units["submitted_count"]).all()
    assert (units["submitted_count"] <= units["hours_met_count"]).all()
    assert (units["hours_met_count"] <= units["enrolled_count"]).all()
    assert (units["enrolled_count"] <= units["teacher_count"]).all()
    assert units["projected_deadline_pct"].between(0, 100).all()
    trend = queries.run("teachers_trend", queries.all_units())
    assert set(trend["kind"]) == {"actual", "projection"}
    assert trend.loc[trend["kind"] == "actual", "complete_pct"].is_monotonic_increasing


def test_unit_scope_sees_only_its_unit(built_db):
    one_unit = queries.all_units()[:1]
    for name in ("teachers_units", "teachers_schools", "teachers_flags"):
        df = queries.run(name, one_unit, teacher=None, limit=100)
        assert set(df["unit_code"]) <= set(one_unit), name

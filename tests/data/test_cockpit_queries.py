"""The work-item marts and the cockpit/items queries on the database the real ETL builds."""

from __future__ import annotations

import duckdb
import pytest

from edusight import db, queries

STATUSES = {"on_track", "at_risk", "off_track", "info", "no_data"}


@pytest.fixture(scope="module")
def con(built_db):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


def test_every_work_item_has_indicators_and_a_known_status(con):
    df = con.execute("SELECT * FROM marts.work_item_status").df()
    assert sorted(df["item_no"].unique()) == list(range(1, 19))
    assert set(df["status"]) <= STATUSES
    assert df["as_of"].nunique() == 1
    # every item has its task list; planning items 一–三 have nothing else
    tasks = df[df["indicator"] == "tasks_done_pct"]
    assert sorted(tasks["item_no"]) == list(range(1, 19))
    assert (df[df["indicator"] == "tasks_done_pct"]["value"].between(0, 100)).all()
    # percentages stay percentages
    pct = df[(df["kind"] == "pct") & df["value"].notna()]
    assert (pct["value"] >= 0).all()


def test_city_wide_equals_the_sum_of_units_plus_rows_without_a_unit(con):
    city = con.execute(
        "SELECT indicator, value_num FROM marts.work_item_status WHERE indicator = 'campus_coverage_pct'"
    ).fetchone()
    units = con.execute(
        "SELECT sum(value_num) FROM marts.work_item_status_by_unit WHERE indicator = 'campus_coverage_pct'"
    ).fetchone()
    assert city[1] == units[0]
    covered = con.execute(
        "SELECT sum(covered_count) FROM marts.campus_coverage "
        "WHERE period = (SELECT period FROM marts.periods WHERE is_latest)"
    ).fetchone()[0]
    assert city[1] == covered


def test_teacher_completion_is_the_teacher_pages_own_now_and_a_year_earlier(con):
    """The cockpit's (十四) counts the teachers of marts.teacher_status completed by each date:
    the cockpit and the teacher page cannot disagree."""
    cockpit = con.execute(
        "SELECT unit_code, value_num, value_den, prev_num, prev_den, as_of, prev_as_of "
        "FROM marts.work_item_status_by_unit WHERE indicator = 'teacher20_done_pct' ORDER BY 1"
    ).fetchall()
    assert cockpit
    as_of, prev_as_of = cockpit[0][5], cockpit[0][6]
    page = con.execute(
        "SELECT unit_code, count(*) FILTER (WHERE completed_on <= $a), count(*), "
        "count(*) FILTER (WHERE completed_on <= $p), count(*) "
        "FROM marts.teacher_status GROUP BY 1 ORDER BY 1",
        {"a": as_of, "p": prev_as_of},
    ).fetchall()
    assert [tuple(r[:5]) for r in cockpit] == page
    # a year earlier fewer had completed, and some had by then
    assert sum(r[3] for r in cockpit) < sum(r[1] for r in cockpit)


@pytest.mark.parametrize(
    ("value", "prev", "target", "lower", "years", "expected"),
    [
        (None, 1, 10, False, 1, "no_data"),
        (5, 1, None, False, 1, "info"),
        (70, 60, 70, False, 0.5, "on_track"),  # met
        (70, 80, 70, False, 0.5, "at_risk"),  # met but fell by > 5% of the target
        (60, 40, 70, False, 0.5, "on_track"),  # 60 + 20 × 0.5 = 70: projected to meet
        (50, 40, 70, False, 0.5, "at_risk"),  # improving, projected 55 < 70
        (65, 66, 70, False, 0.5, "at_risk"),  # not improving, ≥ 90% of target
        (40, 45, 70, False, 0.5, "off_track"),
        (40, None, 70, False, 0.5, "off_track"),  # no history, far below
        (0, 3, 0, True, None, "on_track"),
        (2, 3, 0, True, None, "at_risk"),
        (2, 1, 0, True, None, "off_track"),
        (2, None, 0, True, None, "off_track"),
    ],
)
def test_status_rule(con, value, prev, target, lower, years, expected):
    got = con.execute(
        "SELECT marts.work_item_status_of($v, $p, $t, $l, $y)",
        {"v": value, "p": prev, "t": target, "l": lower, "y": years},
    ).fetchone()[0]
    assert got == expected


def test_cockpit_items_city_wide_and_one_unit(built_db):
    units = queries.all_units()
    city = queries.run("cockpit_items", units)
    assert sorted(city["item_no"].unique()) == list(range(1, 19))
    assert "tasks_done_pct" in set(city["indicator"])
    one = queries.run("cockpit_items", units[:1])
    assert sorted(one["item_no"].unique()) == list(range(1, 19))  # every item listed
    # city-level rows (the task list, data quality) are not shown to a unit
    assert not {"tasks_done_pct", "all_pass_pct", "base_db_count"} & set(one["indicator"].dropna())
    assert set(one["status"].dropna()) <= STATUSES
    mart = queries.run("cockpit_items", units[:1])
    by_unit = duckdb.connect(str(built_db), read_only=True)
    row = by_unit.execute(
        "SELECT value, status FROM marts.work_item_status_by_unit "
        "WHERE unit_code = $u AND indicator = 'campus_coverage_pct'",
        {"u": units[0]},
    ).fetchone()
    by_unit.close()
    got = mart[mart["indicator"] == "campus_coverage_pct"].iloc[0]
    assert (got["value"], got["status"]) == row
    db.close_all()


def test_task_list_is_city_wide_only_and_overdue_first(built_db):
    units = queries.all_units()
    tasks = queries.run("items_plan_deliverables", units)
    assert len(tasks) > 0
    assert queries.run("items_plan_deliverables", units[:1]).empty
    flags = tasks["is_overdue"].tolist()
    assert flags == sorted(flags, reverse=True), "overdue tasks must come first"
    assert (tasks.loc[tasks["is_overdue"], "status_zh"] != "已完成").all()


def test_headline_counts_the_units_in_scope(built_db):
    units = queries.all_units()
    city = queries.run("cockpit_headline", units).iloc[0]
    one = queries.run("cockpit_headline", units[:1]).iloc[0]
    assert city["school_count"] >= one["school_count"] > 0
    assert one["unit_count"] == 1
    db.close_all()

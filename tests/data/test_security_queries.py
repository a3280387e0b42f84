"""Security queries on the database the real ETL builds."""

from __future__ import annotations

from edusight import queries


def test_city_level_systems_are_city_wide_only(built_db):
    units = queries.all_units()
    city = queries.run("security_systems", units)
    one = queries.run("security_systems", ("510104",))
    assert city["unit_code"].isna().any()
    assert one["unit_code"].notna().all()
    assert set(one["unit_code"]) <= {"510104"}


def test_summary_matches_the_registry(built_db):
    units = queries.all_units()
    s = queries.run("security_summary", units).iloc[0]
    systems = queries.run("security_systems", units)
    assert s["system_count"] == len(systems)
    assert s["overdue_test_count"] == int(systems["is_test_overdue"].sum())
    drills = queries.run("security_drills_by_unit", units)
    assert s["units_without_drill_count"] == int((~drills["has_drill_this_year"]).sum())


def test_overdue_incidents_come_first(built_db):
    inc = queries.run("security_incidents", queries.all_units())
    flags = inc["is_overdue"].tolist()
    assert flags == sorted(flags, reverse=True)

"""The mart plan: what each file of etl/sql/marts reads, found in its SQL."""

from __future__ import annotations

import pytest

from etl.engine import BuildError, mart_plan


def _plan(tmp_path, files: dict[str, str]):
    d = tmp_path / "marts"
    d.mkdir()
    for name, sql in files.items():
        (d / name).write_text(sql, encoding="utf-8")
    return {m.name: m for m in mart_plan(tmp_path)}


def test_sources_and_earlier_marts_are_found_comments_and_own_tables_left_out(tmp_path):
    plan = _plan(
        tmp_path,
        {
            "10_a.sql": "CREATE OR REPLACE TABLE marts.a AS SELECT * FROM stg.schools;\n"
            "CREATE MACRO marts.f(x) AS x + 1;",
            "20_b.sql": "-- reads marts.c once 30_c exists, and stg.students\n"
            'CREATE TABLE marts."b" AS SELECT marts.f(1) FROM marts.a JOIN raw."_teachers" t;\n'
            "CREATE OR REPLACE TABLE marts.b2 AS SELECT * FROM marts.b;",
            "30_c.sql": "CREATE TABLE marts.c AS SELECT * FROM marts.b2, stg.equipment",
        },
    )
    assert list(plan) == ["10_a", "20_b", "30_c"]
    assert (plan["10_a"].sources, plan["10_a"].marts) == ({"schools"}, set())
    assert (plan["20_b"].sources, plan["20_b"].marts) == ({"teachers"}, {"10_a"})
    assert (plan["30_c"].sources, plan["30_c"].marts) == ({"equipment"}, {"20_b"})


def test_a_mart_made_by_a_later_file_is_an_error(tmp_path):
    with pytest.raises(BuildError, match=r"10_a\.sql reads marts\.b, which no earlier mart file"):
        _plan(
            tmp_path,
            {
                "10_a.sql": "CREATE TABLE marts.a AS SELECT * FROM marts.b",
                "20_b.sql": "CREATE TABLE marts.b AS SELECT 1",
            },
        )


def test_an_unknown_source_is_an_error(tmp_path):
    with pytest.raises(BuildError, match=r"10_a\.sql reads stg\.pupils, which is no source"):
        _plan(tmp_path, {"10_a.sql": "CREATE TABLE marts.a AS SELECT * FROM stg.pupils"})


def test_the_shipped_marts_form_a_plan():
    plan = {m.name: m for m in mart_plan()}
    assert plan["20_schools"].sources >= {"schools", "students", "teachers"}
    assert "50_teacher_1_status" in plan["90_work_items"].marts
    assert plan["10_units"].sources == set()  # reference data only: runs first

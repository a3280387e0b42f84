"""Resource queries and marts on the database the real ETL builds."""

from __future__ import annotations

import duckdb

from edusight import queries


def test_metadata_mart_agrees_with_the_standard_csv(built_db):
    """Every sql_ok of resource_metadata_standard.csv, run on stg.resources, gives the same
    verdicts as marts.resource_metadata_checks (the mart writes them out per element)."""
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        std = con.execute("SELECT field, sql_ok FROM ref.resource_metadata_standard").fetchall()
        mart_fields = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT field FROM marts.resource_metadata_checks"
            ).fetchall()
        }
        assert mart_fields == {f for f, _ in std}
        for field, sql_ok in std:
            expected = con.execute(
                f"SELECT count(*) FILTER (WHERE coalesce({sql_ok}, false)) FROM stg.resources"
            ).fetchone()[0]
            got = con.execute(
                "SELECT count(*) FILTER (WHERE is_ok) FROM marts.resource_metadata_checks "
                "WHERE field = $f",
                {"f": field},
            ).fetchone()[0]
            assert got == expected, field
    finally:
        con.close()


def test_summary_counts_are_consistent(built_db):
    units = queries.all_units()
    s = queries.run("resources_summary", units, period=None).iloc[0]
    assert s["collected_target"] == 1000 and s["premium_target"] == 100
    assert s["premium_count"] <= s["collected_count"] <= s["submitted_count"]
    by_unit = queries.run("resources_by_unit", units, period=None)
    assert by_unit["collected_count"].sum() == s["collected_count"]
    one = queries.run("resources_summary", units[:1], period=None).iloc[0]
    assert one["collected_count"] <= s["collected_count"]


def test_pairs_are_scoped_by_receiving_unit(built_db):
    unit = "510104"
    pairs = queries.run("resources_cloud_pairs", (unit,), period=None)
    assert set(pairs["unit_code"]) <= {unit}

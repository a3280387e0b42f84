"""Governance queries on the database the real ETL builds: conformance to the four standards of
plan item (十), the quarantine browser with translated rules, the source systems."""

from __future__ import annotations

import pytest

from edusight import queries, sources_catalog

FILTERS = {"standard": None, "source": None, "rule": None, "file": None, "unit": None}


@pytest.fixture(scope="module")
def units(built_db):
    return queries.all_units()


def test_rule_catalogue_is_in_the_database(units):
    rs = queries.run("governance_rule_standards", units)
    assert set(rs["standard"]) == set(sources_catalog.STANDARDS)
    quarantined = set(queries.run("governance_quarantine_facets", units)["rule"])
    assert quarantined <= set(rs["rule"]), "a quarantined rule has no row in rule_standards.csv"


def test_quarantine_rows_carry_label_explanation_and_detail(units):
    df = queries.run("governance_quarantine", units, **FILTERS, limit=5000)
    assert len(df) > 0
    assert (df["standard"] != "unmapped").all()
    assert df[["rule_label_zh", "rule_label_en", "explanation_zh", "message"]].notna().all().all()
    assert int(df["total_count"].iat[0]) == len(
        queries.run("governance_quarantine", units, **FILTERS, limit=10**7)
    )
    std = df["standard"].iat[0]
    only = queries.run("governance_quarantine", units, **{**FILTERS, "standard": std}, limit=5000)
    assert set(only["standard"]) == {std}


def test_rejected_rows_match_the_load_report(units):
    rejected = queries.run("governance_rejected_by_unit", units)
    any_rows = rejected[rejected["standard"] == "any"].groupby("source")["rows_failing"].sum()
    report = queries.run("governance_sources", units).set_index("source")["rows_quarantined"]
    assert (any_rows.reindex(report.index, fill_value=0) == report).all()


def test_conformance_covers_every_row_read_city_wide(units):
    conf = sources_catalog.conformance_for_scope(queries.run, units, is_citywide=True)
    assert set(conf["standard"]) == set(sources_catalog.STANDARDS)
    assert ((conf["rows_failing"] >= 0) & (conf["rows_failing"] <= conf["rows_checked"])).all()
    access = sources_catalog.rollup(conf, ["standard", "source"])
    access = access[access["standard"] == "system_access"].set_index("source")["rows_checked"]
    read = queries.run("governance_sources", units).set_index("source")["rows_read"]
    assert (access.reindex(read.index) == read).all(), "rows checked ≠ rows read for a source"


def test_conformance_in_one_unit_has_no_city_level_rows(units):
    conf = sources_catalog.conformance_for_scope(queries.run, ("510104",), is_citywide=False)
    assert len(conf) > 0
    assert set(conf["unit_code"]) == {"510104"}


def test_sources_table_lists_every_contract_source(units):
    loads = queries.run("governance_sources", units)
    assert set(loads["source"]) == set(sources_catalog.catalog()["source"])
    assert loads["built_at"].notna().all()
    assert (loads["rows_loaded"] <= loads["rows_read"]).all()

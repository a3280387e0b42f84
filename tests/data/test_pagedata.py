"""The pages' prepared data (edusight/pagedata) on the database the real ETL builds: the same
result as the page's queries worked by hand, limited to the scope asked for."""

from __future__ import annotations

import pandas as pd
import pytest

from edusight import privacy, queries, sources_catalog
from edusight.figures import cockpit as cockpit_figures
from edusight.pagedata import cockpit, data_governance, teachers


@pytest.fixture(scope="module")
def city(built_db) -> tuple[str, ...]:
    return queries.all_units()


@pytest.fixture(scope="module")
def busiest(built_db, city) -> str:
    """The unit with the most schools in the teacher-2.0 table."""
    schools = queries.run("teachers_schools", city)
    return schools["unit_code"].value_counts().index[0]


def test_cockpit_items_are_the_rollup_with_their_texts(city):
    frames = cockpit.prepared(queries.db_key(), city, "zh")
    rows, items = frames["rows"], frames["items"]
    want = cockpit_figures.item_rollup(queries.run("cockpit_items", city))
    pd.testing.assert_frame_equal(items[want.columns].reset_index(drop=True), want)
    assert sorted(items["item_no"]) == list(range(1, 19))
    icons = tuple(cockpit_figures.STATUS_ICON.values())
    assert items["status_text"].str.startswith(icons).all()
    driven = items[items["driver"].notna()]
    for item_no, driver, text in zip(
        driven["item_no"], driven["driver"], driven["driver_text"], strict=True
    ):
        label = rows.loc[
            (rows["item_no"] == item_no) & (rows["indicator"] == driver), "indicator_label"
        ].iat[0]
        assert label in text
    english = cockpit.prepared(queries.db_key(), city, "en")["items"]
    assert english["item"].str.match(r"^\(\d+\)$").all()  # (1) … (18) in English


def test_cockpit_for_one_unit_is_that_unit(city, busiest):
    one = cockpit.prepared(queries.db_key(), (busiest,), "zh")["rows"]
    want = queries.run("cockpit_items", (busiest,))
    pd.testing.assert_series_equal(one["value"], want["value"])


def test_school_table_masks_small_counts_and_keeps_the_scope(city, busiest):
    table = teachers.school_table(queries.db_key(), city, "zh", False)
    schools = queries.run("teachers_schools", city)
    assert list(table.columns) == teachers.school_columns("zh")
    assert len(table) == len(schools)
    want = privacy.suppressed_text(schools, teachers.SMALL_COUNTS)
    for c in teachers.SMALL_COUNTS:
        assert table[c].tolist() == want[c].tolist()
        assert not table[c].isin(["1", "2", "3", "4"]).any()
    lagging = teachers.school_table(queries.db_key(), city, "zh", True)
    assert len(lagging) == (schools["quota_gap_pct"] > 0).sum()
    one = teachers.school_table(queries.db_key(), (busiest,), "en", False)
    name = queries.unit_names("en")[busiest]
    assert len(one) > 0 and set(one["unit_name_en"]) == {name}
    assert "school_type_en" in one.columns


def test_flags_in_words_and_by_unit(city, busiest):
    flags = teachers.flags(queries.db_key(), city, "zh")
    df, by_unit = flags["teachers"], flags["by_unit"]
    assert len(df) == len(queries.run("teachers_flags", city))
    assert df.loc[df["flags"] != "", "flag_labels"].str.len().gt(0).all()
    kinds = [f"is_flag_{k}" for k in teachers.FLAG_KINDS]
    assert by_unit[kinds].sum().tolist() == df[kinds].sum().tolist()
    one = teachers.flags(queries.db_key(), (busiest,), "zh")["teachers"]
    assert set(one["unit_code"]) <= {busiest}


def test_conformance_rollups_match_the_catalogue(city, busiest):
    for scope in (city, (busiest,)):
        got = data_governance.conformance_rollups(queries.db_key(), scope, scope == city)
        conf = sources_catalog.conformance_for_scope(queries.run, scope, is_citywide=scope == city)
        pd.testing.assert_frame_equal(
            got["by_source"], sources_catalog.rollup(conf, ["standard", "source"])
        )
        assert set(got["by_unit"]["unit_code"]) <= {*scope, ""}


def test_school_detail_lists_the_failed_criteria_as_text(city):
    period = queries.run("meta_periods", city)["period"].iat[-1]
    detail = queries.run("coverage_school_detail", city, period=period, unit=None)
    failed = detail["failed_criteria_zh"].map(lambda s: s.split("|") if s else [])
    assert (failed.map(len) == detail["failed_count"]).all()
    assert (detail["failed_criteria_en"].map(lambda s: len(s.split("|")) if s else 0)
            == detail["failed_count"]).all()  # fmt: skip


def test_school_summary_counts_the_schools_in_scope(city, busiest):
    for scope in (city, (busiest,)):
        schools = queries.run("teachers_schools", scope)
        got = teachers.school_summary(queries.db_key(), scope)
        assert got["schools"] == len(schools)
        assert got["no_plan"] == int((~schools["is_plan_filed"]).sum())
        mismatch = schools[schools["is_c_without_smart"] | schools["is_b_without_terminals"]]
        assert got["mismatch"]["school_name"].tolist() == mismatch["school_name"].tolist()
        assert got["c_without_smart"] == int(schools["is_c_without_smart"].sum())


def test_school_rows_label_the_drill_down(city, busiest):
    from edusight.pagedata import coverage

    period = queries.run("meta_periods", city)["period"].iat[-1]
    for unit, lang in ((None, "zh"), (busiest, "en")):
        rows = coverage.school_rows(queries.db_key(), city, period, unit, lang)
        detail = queries.run("coverage_school_detail", city, period=period, unit=unit)
        assert rows["school_id"].tolist() == detail["school_id"].tolist()
        assert (
            rows["unit_label"].tolist()
            == detail["unit_code"].map(queries.unit_names(lang)).tolist()
        )
        failed = detail[f"failed_criteria_{lang}"].map(lambda s: s.split("|") if s else [])
        for reasons, crit, below in zip(rows["reasons"], failed, rows["is_below"], strict=True):
            assert reasons[int(below) :] == crit and len(reasons) == len(crit) + int(below)

"""AppTest of the digital-campus coverage page and the school profile, on the built database.

Interactions go through the widgets, found by key. (AppTest cannot click a pydeck map: the map
drill-down is covered in tests/e2e/test_coverage.py.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from edusight import db, pages, queries
from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
COVERAGE = pages.by_path("pages/coverage.py")
PROFILE = pages.by_path("pages/school_profile.py")


@pytest.fixture
def app(built_db: Path) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)


def open_page(at: AppTest, entry: pages.PageEntry) -> AppTest:
    at.run()
    at.switch_page(entry.path).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def schools_table(at: AppTest) -> pd.DataFrame:
    """The drill-down table: the one with the profile links."""
    return next(d.value for d in at.dataframe if "profile_url" in d.value.columns)


def decks(at: AppTest) -> list[dict]:
    return [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]


@pytest.fixture(scope="module")
def busiest_unit(built_db) -> str:
    """The unit with the most in-scope schools at the latest quarter."""
    units = queries.all_units()
    period = queries.run("meta_periods", units)["period"].iat[-1]
    u = queries.run("coverage_units", units, period=period)
    return u.sort_values("school_count", ascending=False)["unit_code"].iat[0]


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_page_shows_map_ranking_and_drill_down(app):
    at = open_page(app, COVERAGE)
    assert_clean(at)
    assert [x.value for x in at.title] == [t("page.coverage.title", lang="zh")]
    maps = decks(at)
    assert len(maps) == 1  # the coverage map (the new-technology map is plotly: no WebGL)
    ids = [x["id"] for x in maps[0]["layers"]]
    assert {"cov-divisions", "cov-schools", "cov-zones"} <= set(ids)
    assert maps[0]["mapStyle"] == "__MAP_STYLE__" and not maps[0].get("mapProvider")
    # ranking, status × change, trend, new-technology map, demonstrations
    assert len(at.get("plotly_chart")) == 5
    assert [m.label for m in at.metric][:4] == [
        t(k, lang="zh")
        for k in (
            "cov.kpi.coverage",
            "cov.kpi.meeting",
            "cov.kpi.on_course",
            "cov.kpi.not_assessed",
        )
    ]
    table = schools_table(at)
    assert len(table) == int(at.metric[3].value) + len(table[table["status"] != "not_assessed"])
    assert at.selectbox(key="cov_unit").value == queries.ALL


def test_selecting_a_unit_lists_only_its_schools(app, busiest_unit):
    at = open_page(app, COVERAGE)
    before = schools_table(at)
    at.selectbox(key="cov_unit").select(busiest_unit).run()
    assert_clean(at)
    after = schools_table(at)
    assert set(after["unit_code"]) == {busiest_unit}
    assert len(after) == (before["unit_code"] == busiest_unit).sum()
    name = queries.unit_names("zh")[busiest_unit]
    assert t("cov.drill.header", lang="zh", unit=name) in [h.value for h in at.subheader]
    # the map outlines the unit and zooms to it
    layers = {x["id"]: x for x in decks(at)[0]["layers"]}
    sel = layers["cov-selected"]["data"]["features"]
    assert [f["properties"]["unit_code"] for f in sel] == [busiest_unit] or busiest_unit.startswith(
        "Z"
    )
    # every row links to its school profile
    assert all(u.startswith(f"{PROFILE.url_path}?school=") for u in after["profile_url"])
    assert all(
        f"school={s}&" in u for s, u in zip(after["school_id"], after["profile_url"], strict=True)
    )


def test_drill_down_filters_by_status_and_search(app, busiest_unit):
    at = open_page(app, COVERAGE)
    at.selectbox(key="cov_unit").select(busiest_unit).run()
    everything = schools_table(at)
    at.multiselect(key="cov_status").select("covered").run()
    assert_clean(at)
    if (everything["status"] == "covered").any():
        covered = schools_table(at)
        assert set(covered["status"]) == {"covered"}
        assert len(covered) == (everything["status"] == "covered").sum()
        one = covered["school_id"].iat[0]
        at.text_input(key="cov_search").input(one).run()
        assert list(schools_table(at)["school_id"]) == [one]
    else:
        assert t("cov.drill.empty", lang="zh") in [i.value for i in at.info]


def test_sidebar_unit_scopes_the_page_and_seeds_the_drill_down(app, busiest_unit):
    app.query_params["unit"] = busiest_unit
    at = open_page(app, COVERAGE)
    assert_clean(at)
    assert at.selectbox(key="cov_unit").value == busiest_unit
    assert set(schools_table(at)["unit_code"]) == {busiest_unit}
    feats = decks(at)[0]["layers"][0]["data"]["features"]
    outside = [f for f in feats if f["properties"]["unit_code"] != busiest_unit]
    assert all(f["properties"]["tip_1"] == t("cov.map.out_of_scope", lang="zh") for f in outside)


def test_trend_by_unit_and_downloads(app, busiest_unit):
    at = open_page(app, COVERAGE)
    at.radio(key="cov_trend_by").set_value("unit").run()
    assert_clean(at)
    assert at.multiselect(key="cov_trend_units").value
    labels = [b.label for b in at.get("download_button")]
    assert labels.count(t("export.csv", lang="zh")) == 3
    assert labels.count(t("export.xlsx", lang="zh")) == 3


def test_coverage_in_english_dark(app):
    app.query_params.update({"lang": "en", "theme": "dark"})
    at = open_page(app, COVERAGE)
    assert_clean(at)
    assert [x.value for x in at.title] == ["Digital-campus coverage"]
    assert t("cov.method.header", lang="en") in [e.label for e in at.expander]
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert tooltip["style"]["backgroundColor"] == "#131d31"  # the dark panel colour


# --- school profile ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def campus_school(built_db) -> pd.Series:
    units = queries.all_units()
    period = queries.run("meta_periods", units)["period"].iat[-1]
    pts = queries.run("coverage_school_points", units, period=period)
    assessed = pts[pts["status"] != "not_assessed"]
    return (assessed if len(assessed) else pts).iloc[0]


def test_profile_from_the_url(app, campus_school):
    app.query_params["school"] = campus_school["school_id"]
    at = open_page(app, PROFILE)
    assert_clean(at)
    assert [x.value for x in at.title] == [t("page.school_profile.title", lang="zh")]
    assert [h.value for h in at.header] == [campus_school["school_name"]]
    assert len(at.get("deck_gl_json_chart")) == 1
    assert len(at.get("plotly_chart")) >= 1  # assessment history (and learning spaces)
    status_label = t(f"sp.status.{campus_school['status']}", lang="zh")
    assert status_label in [m.value for m in at.metric]
    subheads = [h.value for h in at.subheader]
    for key in ("sp.campus.header", "sp.eq.header", "sp.training.header", "sp.sec.header"):
        assert t(key, lang="zh") in subheads


def test_profile_search_switches_the_school(app, campus_school):
    at = open_page(app, PROFILE)
    assert_clean(at)
    assert t("sp.choose", lang="zh") in [i.value for i in at.info]  # no school: the directory
    assert len(at.dataframe) == 1
    at.text_input(key="sp_search").input(campus_school["school_id"]).run()
    box = at.selectbox(key="sp_pick")
    assert campus_school["school_id"] in box.options[0]  # exact identifier first
    box.select(campus_school["school_id"]).run()
    assert_clean(at)
    assert [h.value for h in at.header] == [campus_school["school_name"]]
    assert at.query_params["school"] == campus_school["school_id"]


def test_profile_of_an_unknown_or_out_of_scope_school(app, campus_school):
    app.query_params["school"] = "9999999999"
    at = open_page(app, PROFILE)
    assert_clean(at)
    assert t("sp.not_found", lang="zh", school="9999999999") in [w.value for w in at.warning]
    other = next(u for u in queries.all_units() if u != campus_school["unit_code"])
    app2 = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    app2.query_params.update({"school": campus_school["school_id"], "unit": other})
    at2 = open_page(app2, PROFILE)
    assert_clean(at2)
    not_found = t("sp.not_found", lang="zh", school=campus_school["school_id"])
    assert not_found in [w.value for w in at2.warning], "a school outside the scope is not shown"
    assert not at2.header


def test_profile_degrades_when_a_module_is_missing(
    app, built_db, campus_school, tmp_path, monkeypatch
):
    copy = tmp_path / "partial.duckdb"
    shutil.copy(built_db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP VIEW stg.learning_space")
        con.execute("DROP VIEW stg.info_systems")
    monkeypatch.setenv("EDUSIGHT_DB", str(copy))
    app.query_params.update({"school": campus_school["school_id"], "lang": "en"})
    at = open_page(app, PROFILE)
    assert_clean(at)
    missing = t("sp.module_missing", lang="en")
    assert [c.value for c in at.caption].count(missing) == 2  # learning spaces, cybersecurity
    assert [h.value for h in at.header] == [campus_school["school_name"]]
    db.close_all()

"""AppTest over every registered page, plus the shell: language, URL state, missing database.

The database is the one the real ETL built for the session (``built_db``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages, ui
from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


@pytest.fixture
def app(built_db: Path) -> AppTest:
    """The app, run once (first page), reading the built database."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    return at


def open_page(at: AppTest, entry: pages.PageEntry) -> AppTest:
    at.run()
    at.switch_page(entry.path).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def freshness(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(("数据截至", "Data as of"))]


def content_count(at: AppTest) -> int:
    return (
        len(at.get("plotly_chart"))
        + len(at.dataframe)
        + len(at.metric)
        + len(at.get("deck_gl_json_chart"))
    )


# --- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_every_page_renders(app, entry):
    at = open_page(app, entry)
    assert_clean(at)
    assert [x.value for x in at.title] == [t(entry.title_key, lang="zh")]
    assert len(freshness(at)) == 1, "the shell did not run (freshness line missing)"
    assert content_count(at) > 0, "no figure, table or metric on the page"
    assert at.radio(key="lang").value == "zh"  # the sidebar is there
    # a missing value in a table shows as a dash, never as the word "None"
    assert all(d.proto.placeholder == ui.MISSING for d in at.dataframe)


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_every_page_renders_in_english_dark_and_city_unit(app, entry):
    app.query_params.update({"lang": "en", "theme": "dark", "unit": "510104"})
    at = open_page(app, entry)
    assert_clean(at)
    assert [x.value for x in at.title] == [t(entry.title_key, lang="en")]
    assert freshness(at)[0].startswith("Data as of")
    assert at.session_state["unit"] == "510104"


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_every_page_says_how_to_fix_a_missing_database(app, entry, monkeypatch, tmp_path):
    absent = tmp_path / "absent.duckdb"
    monkeypatch.setenv("EDUSIGHT_DB", str(absent))
    at = open_page(app, entry)
    assert not at.exception
    assert [e.value for e in at.error] == [t("db.missing", lang="zh", path=str(absent))]
    code = at.code[0].value
    assert "make run" in code and "python -m etl build" in code
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("db.missing", lang="en", path=str(absent))]


# --- the shell -------------------------------------------------------------------------------------


def test_language_switch_shows_english(app):
    entry = pages.default_page()
    at = open_page(app, entry)
    at.radio(key="lang").set_value("en").run()
    assert_clean(at)
    assert [x.value for x in at.title] == [t(entry.title_key, lang="en")]
    assert at.radio(key="lang").label == "Language"
    assert at.query_params["lang"] == "en"


def test_view_state_is_mirrored_in_the_url(app):
    at = open_page(app, pages.default_page())
    periods = at.selectbox(key="period").options
    assert at.selectbox(key="period").value == max(periods)  # latest quarter by default
    assert at.query_params["lang"] == "zh" and at.query_params["unit"] == "all"
    at.selectbox(key="unit").select("510107").run()
    at.radio(key="theme").set_value("dark").run()
    assert at.query_params["unit"] == "510107"
    assert at.query_params["theme"] == "dark"
    assert at.query_params["period"] == max(periods)


def test_url_seeds_the_view_and_bad_values_are_ignored(app):
    app.query_params.update({"lang": "xx", "unit": "'; DROP TABLE x", "period": "1999Q9"})
    at = open_page(app, pages.default_page())
    assert_clean(at)
    assert at.session_state["lang"] == "zh"
    assert at.session_state["unit"] == "all"
    assert at.session_state["period"] == max(at.selectbox(key="period").options)


def test_kiosk_flag_is_kept(app):
    app.query_params["kiosk"] = "1"
    at = open_page(app, pages.default_page())
    assert_clean(at)
    assert at.session_state["kiosk"] is True
    assert at.query_params["kiosk"] == "1"


def test_unreadable_database_is_explained_not_raised(app, monkeypatch, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("EDUSIGHT_DB", str(bad))
    at = open_page(app, pages.default_page())
    assert not at.exception
    assert [e.value for e in at.error] == [t("db.corrupt", lang="zh", path=str(bad))]
    assert at.expander[0].label == t("db.detail", lang="zh")

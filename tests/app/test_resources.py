"""AppTest of the digital-resources page on the built test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import catalogue, t
from tests.app.helpers import open_app_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = pages.by_path("pages/resources.py")


@pytest.fixture
def at(built_db: Path) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page(PAGE.path).run()
    return app


def table_with(at: AppTest, column: str):
    """The page's table that has ``column`` (AppTest cannot find a dataframe by key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_resources_page_shows_targets_charts_and_pairs(at):
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert t("res.kpi.collected", lang="zh") in labels
    assert t("res.kpi.premium", lang="zh") in labels
    collected = next(m for m in at.metric if m.label == t("res.kpi.collected", lang="zh"))
    assert collected.value.endswith("/ 1,000")
    assert len(at.get("plotly_chart")) >= 5
    assert len(table_with(at, "broadcast_school_name")) > 0


def test_weak_pairs_toggle_keeps_only_low_scores(at):
    at.toggle(key="res_only_weak").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    pairs = table_with(at, "broadcast_school_name")
    assert (pairs["evaluation_score"].dropna() < 80).all()


def test_english_page_shows_subjects_levels_and_pair_states_in_english(built_db):
    app = open_app_page(PAGE.path, lang="en")
    english = {v for k, v in catalogue("en").items() if k.startswith("val.")}
    subject_chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    subjects = {y for trace in subject_chart["data"] for y in trace["y"]}
    assert subjects and subjects <= english, subjects
    top = table_with(app, "view_count")
    assert set(top["subject"]) <= english and set(top["level"]) <= english
    pairs = table_with(app, "broadcast_school_name")
    assert set(pairs["status"]) <= english and set(pairs["level"]) <= english
    assert (
        pairs["subjects"].str.contains(", ").any()
        and not pairs["subjects"].str.contains("、").any()
    )

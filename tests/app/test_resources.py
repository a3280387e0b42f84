"""AppTest of the digital-resources page on the built test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import t

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

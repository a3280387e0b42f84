"""AppTest of the cybersecurity page on the built test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import catalogue, t
from tests.app.helpers import open_app_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = pages.by_path("pages/security.py")


@pytest.fixture
def at(built_db: Path) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page(PAGE.path).run()
    return app


def table_with(at: AppTest, column: str):
    """The page's table that has ``column`` (AppTest cannot find a dataframe by key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_security_page_shows_registry_incidents_drills(at):
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert t("sec.kpi.overdue_tests", lang="zh") in labels
    assert t("sec.kpi.no_drill", lang="zh") in labels
    assert len(at.get("plotly_chart")) == 5
    systems = table_with(at, "is_test_overdue")
    # overdue tests come first
    flags = systems["is_test_overdue"].tolist()
    assert flags == sorted(flags, reverse=True)
    drills = table_with(at, "has_drill_this_year")
    assert drills["has_drill_this_year"].tolist() == sorted(drills["has_drill_this_year"])


def test_overdue_toggle_lists_only_overdue_systems(at):
    at.toggle(key="sec_only_overdue").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert table_with(at, "is_test_overdue")["is_test_overdue"].all()


def test_english_registry_names_levels_kinds_and_stages_in_english(built_db):
    app = open_app_page(PAGE.path, lang="en")
    systems = table_with(app, "is_test_overdue")
    for column, kind in (
        ("admin_level", "admin_level"),
        ("kind", "system_kind"),
        ("stage", "stage"),
    ):
        english = {v for k, v in catalogue("en").items() if k.startswith(f"val.{kind}.")}
        assert set(systems[column]) <= english, (column, set(systems[column]) - english)

"""AppTest of the leadership cockpit: the default page, its content, scope and print button."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]
ENTRY = pages.by_path("pages/cockpit.py")


@pytest.fixture
def app(built_db: Path) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_cockpit_is_the_default_page_and_shows_the_18_items(app):
    assert pages.default_page() == ENTRY
    assert pages.page_url(ENTRY) == ""
    at = app.run()  # "/" runs the default page
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t("page.cockpit.title", lang="zh")]
    table = at.dataframe[0].value
    assert len(table) == 18
    assert table["item"].tolist()[:3] == ["(一)", "(二)", "(三)"]
    assert table["status_text"].str.contains("正常|关注|滞后|未评级|无数据").all()
    # every item links to a registered page, keeping the view state in the query string
    urls = {e.url_path for e in pages.PAGES} | {""}
    assert all(u.split("?")[0] in urls for u in table["page"])
    assert all("lang=zh" in u for u in table["page"])
    labels = [m.label for m in at.metric]
    assert t("cockpit.tile.schools", lang="zh") in labels
    assert t("cockpit.tile.coverage", lang="zh") in labels
    assert len(at.get("plotly_chart")) == 1


def test_cockpit_for_one_unit_in_english_hides_city_level_rows(app):
    app.query_params.update({"lang": "en", "unit": "510104", "theme": "dark"})
    at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) == 18
    assert table["item"].tolist()[0] == "(1)"
    # planning items have only city-level rows (task list): no indicator for a unit
    assert table["driver_text"].iat[0] == t("cockpit.items.no_indicator", lang="en")
    assert any("Jinjiang" in c.value for c in at.caption)


def test_switching_the_unit_in_the_sidebar_changes_the_headline(app):
    at = app.run()
    city = next(m.value for m in at.metric if m.label == t("cockpit.tile.schools", lang="zh"))
    at.selectbox(key="unit").set_value("510104").run()
    assert not at.exception
    one = next(m.value for m in at.metric if m.label == t("cockpit.tile.schools", lang="zh"))
    assert int(one.replace(",", "")) < int(city.replace(",", ""))

"""Real-browser tests: the resources page draws its arcs map and charts, the security page its
charts; screenshots in zh light and en dark land in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from edusight import pages
from edusight.i18n import t

pytestmark = pytest.mark.e2e

NO_EXCEPTION = '[data-testid="stException"]'


def snap(page, path) -> None:
    """Whole-page screenshot: grow the viewport to the content (Streamlit scrolls inside)."""
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 8000))})
    page.screenshot(path=path, full_page=True)


@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark"])
def test_resources_page_draws_the_pair_map(page, server, screenshots, query):
    from playwright.sync_api import expect

    entry = pages.by_path("pages/resources.py")
    lang = "en" if "en" in query else "zh"
    page.goto(f"{server}/{pages.page_url(entry)}{query}")
    expect(page.get_by_role("heading", name=t(entry.title_key, lang=lang), level=1)).to_be_visible()
    expect(page.locator('[data-testid="stDeckGlJsonChart"] canvas').first).to_be_visible()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.get_by_text(t("res.cloud.header", lang=lang))).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    snap(page, screenshots / f"resources_{lang}.png")


@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark"])
def test_security_page_draws_its_charts(page, server, screenshots, query):
    from playwright.sync_api import expect

    entry = pages.by_path("pages/security.py")
    lang = "en" if "en" in query else "zh"
    page.goto(f"{server}/{pages.page_url(entry)}{query}")
    expect(page.get_by_role("heading", name=t(entry.title_key, lang=lang), level=1)).to_be_visible()
    expect(page.get_by_text(t("sec.sys.chart", lang=lang))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    snap(page, screenshots / f"security_{lang}.png")

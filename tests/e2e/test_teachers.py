"""Real-browser test: the teacher-2.0 page draws its main figures (trend, units, funnel, points
heatmap) in zh light and en dark; screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from edusight import pages
from edusight.i18n import t

pytestmark = pytest.mark.e2e

NO_EXCEPTION = '[data-testid="stException"]'
PLOT = ".js-plotly-plot .main-svg"


@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark"])
def test_teachers_page_draws_its_main_figures(page, server, screenshots, query):
    from playwright.sync_api import expect

    entry = pages.by_path("pages/teachers.py")
    lang = "en" if "en" in query else "zh"
    page.goto(f"{server}/{pages.page_url(entry)}{query}")
    expect(page.get_by_role("heading", name=t(entry.title_key, lang=lang), level=1)).to_be_visible()
    expect(page.get_by_text(t("tch.trend.title", lang=lang), exact=True)).to_be_visible()
    expect(page.get_by_text(t("tch.funnel.header", lang=lang), exact=True)).to_be_visible()
    expect(page.locator(PLOT).nth(3)).to_be_visible()  # trend, units, funnel, heatmap
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 8000))})
    page.screenshot(path=screenshots / f"teachers_{lang}.png", full_page=True)

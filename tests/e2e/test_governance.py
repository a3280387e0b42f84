"""Real-browser test: the data-governance page draws its conformance grid and lists the source
systems; screenshots in zh light and en dark land in artifacts/screenshots/."""

from __future__ import annotations

import pytest

from edusight import pages
from edusight.i18n import t

pytestmark = pytest.mark.e2e

NO_EXCEPTION = '[data-testid="stException"]'


@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark"])
def test_governance_page_draws_the_conformance_grid(page, server, screenshots, query):
    from playwright.sync_api import expect

    entry = pages.by_path("pages/data_governance.py")
    lang = "en" if "en" in query else "zh"
    page.goto(f"{server}/{pages.page_url(entry)}{query}")
    expect(page.get_by_role("heading", name=t(entry.title_key, lang=lang), level=1)).to_be_visible()
    expect(page.get_by_text(t("gov.conf.header", lang=lang))).to_be_visible()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.get_by_text(t("gov.conf.fig_title", lang=lang))).to_be_visible()
    expect(page.get_by_text(t("gov.src.header", lang=lang))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]').last).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 8000))})
    page.screenshot(path=screenshots / f"data_governance_{lang}.png", full_page=True)

"""Real-browser tests of the cockpit and the work-item views: each renders its main figure; the
cockpit is served at "/", links to the item pages and prints without its controls."""

from __future__ import annotations

import re

import pytest

from edusight import pages
from edusight.i18n import t

pytestmark = pytest.mark.e2e

NO_EXCEPTION = '[data-testid="stException"]'
PLOT = ".js-plotly-plot .main-svg"
VIEWS = [
    ("pages/learning_space.py", "ls.trend.header"),
    ("pages/services.py", "sv.monthly.header"),
    ("pages/literacy.py", "lit.comp.header"),
    ("pages/cases_planning.py", "cp.tasks.header"),
]


def test_cockpit_at_root_renders_its_table_chart_and_links(page, server, screenshots):
    from playwright.sync_api import expect

    page.goto(f"{server}/")
    expect(
        page.get_by_role("heading", name=t("page.cockpit.title", lang="zh"), level=1)
    ).to_be_visible()
    expect(page.get_by_text(t("cockpit.items.header", lang="zh"), exact=True)).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(page.locator(PLOT).first).to_be_visible()
    expect(page.locator('[data-testid="stPageLink"]').first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=screenshots / "cockpit_root.png", full_page=True)
    paper_table = page.locator(".es-print-table")
    expect(paper_table).to_be_hidden()  # on screen: the interactive table only
    # print: sidebar, print button and expanders hidden; the 18 items as a table made for paper,
    # every column inside the page
    page.emulate_media(media="print")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stExpander"]').first).to_be_hidden()
    expect(page.locator(PLOT).first).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_hidden()
    expect(paper_table).to_be_visible()
    expect(paper_table.locator("tbody tr")).to_have_count(18)
    expect(paper_table.locator("th").last).to_have_text(t("cockpit.col.page", lang="zh"))
    table_right = paper_table.evaluate("e => e.getBoundingClientRect().right")
    page_right = page.locator('[data-testid="stMainBlockContainer"]').evaluate(
        "e => e.getBoundingClientRect().right"
    )
    assert table_right <= page_right + 1


def test_cockpit_page_link_opens_the_item_page(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/")
    link = (
        page.get_by_test_id("stMainBlockContainer")
        .locator('[data-testid="stPageLink"] a')
        .filter(has_text=t("page.services.title", lang="zh"))
        .first
    )
    expect(link).to_be_visible()
    link.click()
    expect(
        page.get_by_role("heading", name=t("page.services.title", lang="zh"), level=1)
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/services"))


@pytest.mark.parametrize(("path", "header"), VIEWS, ids=lambda v: str(v).split("/")[-1])
def test_item_view_renders_its_main_figure(page, server, screenshots, path, header):
    from playwright.sync_api import expect

    entry = pages.by_path(path)
    page.goto(f"{server}/{pages.page_url(entry)}?lang=en&theme=dark")
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="en"), level=1)).to_be_visible()
    expect(page.locator(PLOT).first).to_be_visible()
    expect(
        page.get_by_text(re.compile("^" + re.escape(t(header, lang="en").split("{")[0])))
    ).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=screenshots / f"{entry.name}_en_dark.png", full_page=True)

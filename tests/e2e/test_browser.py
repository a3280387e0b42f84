"""Real-browser tests: every registered page renders in Chromium, plus the shell's URL state.

Waits are `expect(...)` on specific elements, never sleeps. Screenshots land in
artifacts/screenshots/<page>.png for a human to look at.
"""

from __future__ import annotations

import re

import pytest

from edusight import pages
from edusight.i18n import t

pytestmark = pytest.mark.e2e

NO_EXCEPTION = '[data-testid="stException"]'
MAIN_FIGURE = '.js-plotly-plot .main-svg, [data-testid="stDataFrame"], [data-testid="stDeckGlJsonChart"] canvas'


# [text, contrast ratio] of each element: its text colour (of its ::placeholder when asked)
# against its own background
CONTRAST_JS = """(els, placeholder) => els.map(e => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const srgb = c => { const m = c.match(/color\\(srgb ([\\d.]+) ([\\d.]+) ([\\d.]+)/);
                      return m ? m.slice(1, 4).map(v => 255 * Number(v)) : rgb(c); };
  const lum = c => { const [r, g, b] = srgb(c).map(v => { v /= 255;
                     return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const fg = lum(placeholder ? getComputedStyle(e, "::placeholder").color
                            : getComputedStyle(e.querySelector("p") || e).color);
  const bg = lum(getComputedStyle(e).backgroundColor);
  return [placeholder ? e.placeholder : e.innerText, (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)];
})"""


def url(base: str, entry: pages.PageEntry, query: str = "") -> str:
    return f"{base}/{pages.page_url(entry)}" + (f"?{query}" if query else "")


def snap(page, path) -> None:
    """Screenshot of the whole page: the viewport is grown to the content (Streamlit scrolls
    inside its main container, so a plain full-page shot shows only the first screen)."""
    from playwright.sync_api import expect

    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(1000, min(int(height) + 40, 8000))})
    expect(page.locator(MAIN_FIGURE).filter(visible=True).first).to_be_visible()
    # every chart drawn, not its loading placeholder (charts draw once they come into view)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".main-svg").first).to_be_attached()
    page.screenshot(path=path, full_page=True)


def open_page(page, address: str):
    from playwright.sync_api import expect

    page.goto(address)
    expect(page.locator('[data-testid="stApp"]')).to_be_visible()
    return expect


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_page_renders(page, server, screenshots, entry):
    expect = open_page(page, url(server, entry))
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="zh"), level=1)).to_be_visible()
    # the shell ran (a deep link on a fresh server must not run the page file alone)
    expect(page.get_by_text(re.compile("^数据截至 "))).to_be_visible()
    expect(page.locator(MAIN_FIGURE).filter(visible=True).first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    snap(page, screenshots / f"{entry.name}.png")


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_page_dark_english_kiosk(page, server, screenshots, entry):
    expect = open_page(page, url(server, entry, "lang=en&theme=dark&kiosk=1"))
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="en"), level=1)).to_be_visible()
    expect(page.locator(MAIN_FIGURE).filter(visible=True).first).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stHeader"]')).to_be_hidden()
    background = page.locator('[data-testid="stApp"]').evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert background == "rgb(11, 18, 32)"  # theme.PALETTE["dark"]["bg"]
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    # every segmented control's options stay legible on the dark screen (WCAG AA contrast)
    buttons = page.locator('[data-testid="stButtonGroup"] button')
    for text, ratio in buttons.evaluate_all(CONTRAST_JS, False):
        assert ratio >= 4.5, f"{text!r}: contrast {ratio:.2f} on the dark screen"
    # and every text box's hint (its placeholder) can be read on its dark field
    fields = page.locator(
        '[data-testid="stMain"] :is(input, textarea)[placeholder]:not([placeholder=""])'
    )
    for text, ratio in fields.evaluate_all(CONTRAST_JS, True):
        assert ratio >= 4.5, f"placeholder {text!r}: contrast {ratio:.2f} on the dark screen"
    snap(page, screenshots / f"{entry.name}_dark_en_kiosk.png")


def test_sidebar_choices_go_into_the_url(page, server):
    entry = pages.by_path("pages/data_governance.py")
    expect = open_page(page, url(server, entry))
    expect(page).to_have_url(re.compile(r"lang=zh.*unit=all.*period=\d{4}Q\d.*theme=light"))
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="en"), level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"lang=en"))
    # choose one unit in the sidebar's unit filter
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Unit").click()
    page.get_by_role("option", name="Jinjiang", exact=True).click()
    expect(page).to_have_url(re.compile(r"unit=510104"))
    # the link reproduces the view in a new session
    other = page.context.new_page()
    other.goto(page.url)
    expect(
        other.get_by_role("heading", name=t(entry.title_key, lang="en"), level=1)
    ).to_be_visible()
    other_sidebar = other.locator('[data-testid="stSidebar"]')
    expect(other_sidebar.get_by_role("combobox", name="Unit")).to_have_value("Jinjiang")


def test_print_hides_the_sidebar(page, server):
    entry = pages.default_page()
    expect = open_page(page, url(server, entry))
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="zh"), level=1)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()


DEEP_LINKS = [e for e in pages.PAGES if pages.page_url(e)]


@pytest.mark.parametrize("entry", DEEP_LINKS, ids=lambda e: e.name)
def test_deep_link_on_a_fresh_server_runs_the_shell(new_page, fresh_server, entry):
    """Streamlit starts in legacy pages/-folder mode: a first request to /<page> would run the
    page file alone (no sidebar, no freshness line). ui.page_header re-routes it through app.py."""
    page = new_page()
    expect = open_page(page, url(fresh_server, entry))
    expect(page.get_by_role("heading", name=t(entry.title_key, lang="zh"), level=1)).to_be_visible()
    expect(page.get_by_text(re.compile("^数据截至 "))).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("English")).to_be_visible()

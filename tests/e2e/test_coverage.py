"""Real-browser tests of the digital-campus coverage page: the offline map draws, a drill-down
through the unit selector and a click on the map list that unit's schools, and a school link
opens its profile. Waits are `expect(...)` on specific elements, never sleeps."""

from __future__ import annotations

import re

import pytest

from edusight import pages, queries
from edusight.i18n import t

pytestmark = pytest.mark.e2e

COVERAGE = pages.by_path("pages/coverage.py")
PROFILE = pages.by_path("pages/school_profile.py")
MAP = '[data-testid="stDeckGlJsonChart"] canvas'
NO_EXCEPTION = '[data-testid="stException"]'
GRIDCELL = '[role="gridcell"]'  # the grid's accessible cells (hidden from the a11y tree)
PROFILE_LINK = re.compile(r"school_profile\?school=(\d{10})")


@pytest.fixture(scope="module")
def drill(built_db) -> dict:
    """The unit with the most in-scope schools, its name and its schools' identifiers."""
    units = queries.all_units()
    period = queries.run("meta_periods", units)["period"].iat[-1]
    u = queries.run("coverage_units", units, period=period)
    unit = u.sort_values("school_count", ascending=False)["unit_code"].iat[0]
    detail = queries.run("coverage_school_detail", units, period=period, unit=unit)
    return {
        "unit": unit,
        "name": queries.unit_names("zh")[unit],
        "schools": set(detail["school_id"]),
    }


def open_coverage(page, base: str, query: str = ""):
    from playwright.sync_api import expect

    page.goto(f"{base}/{pages.page_url(COVERAGE)}" + (f"?{query}" if query else ""))
    expect(
        page.get_by_role("heading", name=t(COVERAGE.title_key, lang="zh"), level=1)
    ).to_be_visible()
    return expect


def schools_table(page):
    """The drill-down table: the data frame whose cells hold profile links."""
    return page.locator('[data-testid="stDataFrame"]').filter(has_text="school_profile?school=")


def listed_schools(page) -> set[str]:
    cells = schools_table(page).locator(GRIDCELL).all_inner_texts()
    return {m.group(1) for c in cells if (m := PROFILE_LINK.search(c))}


def test_map_canvas_renders_offline(page, server, screenshots):
    expect = open_coverage(page, server)
    expect(page.locator(MAP).first).to_be_visible()
    expect(page.locator(".st-key-cov_map_all_light canvas")).to_be_visible()
    expect(page.get_by_text(t("cov.legend.gap", lang="zh"), exact=True)).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.locator(".st-key-cov_map_all_light").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "coverage_map.png")


def test_drill_down_through_the_unit_selector(page, server, drill):
    expect = open_coverage(page, server)
    all_units = t("cov.drill.header_all", lang="zh")
    expect(page.get_by_role("heading", name=all_units)).to_be_visible()
    page.get_by_role("combobox", name=t("cov.unit_select", lang="zh")).click()
    page.get_by_role("option", name=drill["name"], exact=True).click()
    header = t("cov.drill.header", lang="zh", unit=drill["name"])
    expect(page.get_by_role("heading", name=header)).to_be_visible()
    expect(schools_table(page)).to_be_visible()
    # the grid redraws after the heading: wait until every listed school is one of the unit's
    page.wait_for_function(
        """ids => {
            const cells = [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
                .map(c => (c.textContent.match(/school_profile\\?school=(\\d{10})/) || [])[1])
                .filter(Boolean);
            return cells.length > 0 && cells.every(id => ids.includes(id));
        }""",
        arg=sorted(drill["schools"]),
    )
    listed = listed_schools(page)
    assert listed and listed <= drill["schools"]
    assert listed == drill["schools"] or len(drill["schools"]) > 10  # the grid draws visible rows
    # the map zoomed to the unit: its chart is keyed by the unit
    expect(page.locator(f".st-key-cov_map_{drill['unit']}_light canvas")).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)


def test_hovering_a_division_shows_coverage_against_target(page, server):
    """The tooltip names the unit, covered / total, coverage, target and gap. (A click on the
    map drills down too, through the chart's on_select; deck.gl's click is not reliable in
    headless software WebGL on a busy machine, so the drill-down itself is tested through the
    selector above, and the reading of a map selection by a unit test of
    ``figures.coverage.picked``.)"""
    from playwright.sync_api import expect as expect_

    expect = open_coverage(page, server)
    chart = page.locator(".st-key-cov_map_all_light")
    canvas = chart.locator("canvas")
    expect(canvas).to_be_visible()
    chart.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    tooltip = page.locator(".deck-tooltip").filter(visible=True)
    target = re.compile(re.escape(t("cov.map.tip_target", lang="zh", target="X", gap="Y")[:2]))
    unit_names = set(queries.unit_names("zh").values())
    for step in range(10):  # walk across the map until the pointer is over a unit with schools
        page.mouse.move(
            box["x"] + box["width"] * (0.3 + 0.05 * step), box["y"] + box["height"] * 0.55
        )
        try:
            expect_(tooltip).to_contain_text(target, timeout=3_000)
            break
        except AssertionError:
            continue
    expect(tooltip).to_contain_text(target)
    assert tooltip.inner_text().splitlines()[0] in unit_names
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)


def test_school_link_opens_its_profile(page, server, drill):
    expect = open_coverage(page, server, f"unit={drill['unit']}")
    expect(schools_table(page).locator(GRIDCELL).first).to_be_attached()
    school = sorted(listed_schools(page))[0]
    page.goto(f"{server}/{pages.page_url(PROFILE)}?school={school}")
    expect(
        page.get_by_role("heading", name=t(PROFILE.title_key, lang="zh"), level=1)
    ).to_be_visible()
    expect(page.get_by_text(f"学校标识码 {school}")).to_be_visible()
    expect(page.locator(MAP).first).to_be_visible()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)

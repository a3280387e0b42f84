"""AppTest of the data-governance page: base databases, conformance to the four standards of
plan item (十), the source systems, the load report and the quarantine browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages, ui
from edusight.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
GOVERNANCE = pages.by_path("pages/data_governance.py")
STANDARD_KEYS = ("school_code", "base_data", "system_access", "resource_metadata")


@pytest.fixture
def app(built_db: Path) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)


def open_page(at: AppTest) -> AppTest:
    at.run()
    at.switch_page(GOVERNANCE.path).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def quarantine_table(at: AppTest):
    return at.dataframe[-1].value  # the quarantine browser is the page's last table


def test_governance_shows_bases_standards_sources_and_quarantine(app):
    at = open_page(app)
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert labels[:4] == [
        t(k, lang="zh")
        for k in ("base.students", "base.teachers", "base.schools", "base.equipment")
    ]
    assert labels[4:8] == [t(f"gov.std.{k}", lang="zh") for k in STANDARD_KEYS]
    # each base says how fresh it is: a latest record date, or that it is a roster without dates
    captions = [c.value for c in at.caption]
    base_captions = [c for c in captions if c.startswith(("最新记录 ", "名册快照 "))]
    assert len(base_captions) == 4, captions
    students, teachers, schools, equipment = base_captions
    assert students.startswith("最新记录 20") and equipment.startswith("最新记录 20")
    assert teachers.startswith("名册快照 · 覆盖") and schools.startswith("名册快照 · 覆盖")
    assert not any("—" in c for c in base_captions)
    # every standard has a conformance figure in scope (the test DB has all sources)
    assert all(m.value.endswith("%") for m in at.metric[4:8])
    assert len(at.get("plotly_chart")) == 2  # conformance grid + quarantine rate
    subheaders = [s.value for s in at.subheader]
    for key in ("gov.conf.header", "gov.src.header", "gov.load.header", "gov.q.header"):
        assert t(key, lang="zh") in subheaders
    sources = next(d.value for d in at.dataframe if "system" in d.value.columns)
    assert len(sources) >= 20 and sources["system"].str.len().gt(0).all()
    assert sources["rows_read"].gt(0).all()
    issues = quarantine_table(at)
    assert {"standard", "rule_label_zh", "explanation_zh", "message"} <= set(issues.columns)
    assert issues["explanation_zh"].notna().all(), "a quarantined rule has no explanation"
    assert at.download_button(key="gov_download_csv").label == t("export.csv", lang="zh")


def test_governance_standard_filter_narrows_the_browser(app):
    at = open_page(app)
    box = at.selectbox(key="gov_standard")
    assert box.options[0] == t("gov.q.all", lang="zh")
    label = t("gov.std.base_data", lang="zh")
    assert label in box.options
    box.select_index(box.options.index(label)).run()
    assert_clean(at)
    assert set(quarantine_table(at)["standard"]) == {"base_data"}


def test_governance_source_filter_changes_the_table(app):
    at = open_page(app)
    before = quarantine_table(at)
    box = at.selectbox(key="gov_source")
    source = next(o for o in box.options if o != t("gov.q.all", lang="zh"))
    box.select_index(box.options.index(source)).run()
    assert_clean(at)
    after = quarantine_table(at)
    chosen = at.selectbox(key="gov_source").value
    assert chosen is not None
    assert set(after["source"]) == {chosen}
    # (unless the first table was cut: one page of the first 5,000 rows is shown)
    assert len(after) == (before["source"] == chosen).sum() or len(before) >= ui.PAGE_ROWS


def test_governance_unit_filter_shows_rows_without_unit(app):
    at = open_page(app)
    box = at.selectbox(key="gov_unit")
    label = t("unit.none", lang="zh")
    if label not in box.options:
        pytest.skip("the built database has no quarantined row without a unit")
    box.select_index(box.options.index(label)).run()
    assert_clean(at)
    assert quarantine_table(at)["unit_code"].isna().all()


def test_governance_follows_the_sidebar_unit(app):
    at = open_page(app)
    at.selectbox(key="unit").select("510104").run()
    assert_clean(at)
    assert t("unit.none", lang="zh") not in at.selectbox(key="gov_unit").options
    if at.info:  # no quarantined row in this unit
        assert at.info[0].value == t("gov.q.empty", lang="zh")
    else:
        assert set(quarantine_table(at)["unit_code"]) == {"510104"}
    assert all("1 个单位" in c.value for c in at.caption if c.value.startswith("最新记录"))


def test_governance_in_english(app):
    app.query_params["lang"] = "en"
    at = open_page(app)
    assert_clean(at)
    assert [m.label for m in at.metric[4:8]] == [
        t(f"gov.std.{k}", lang="en") for k in STANDARD_KEYS
    ]


def test_a_long_quarantine_list_is_shown_a_page_at_a_time(app, monkeypatch):
    monkeypatch.setattr(ui, "PAGE_ROWS", 7)
    at = open_page(app)
    assert_clean(at)
    first = quarantine_table(at)
    assert len(first) == 7
    page = at.number_input(key="gov_quarantine_page")
    assert page.value == 1 and page.max >= 2
    page.set_value(2).run()
    assert_clean(at)
    second = quarantine_table(at)
    assert len(second) == 7

    def rows(df):
        return set(zip(df["file"], df["line"], df["column_name"], df["rule"], strict=True))

    assert len(rows(first)) == 7 and not rows(first) & rows(second)

"""The page registry, the page files and docs/pages.md stay in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edusight import pages
from edusight.i18n import LANGS, catalogue

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "pages.md"


def page_files() -> set[str]:
    return {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}


def documented() -> set[str]:
    return set(re.findall(r"^## .*`(pages/[\w/]+\.py)`\s*$", DOC.read_text("utf-8"), re.M))


def test_every_page_file_is_registered_and_every_entry_exists():
    registered = {e.path for e in pages.PAGES}
    assert page_files() - registered == set(), "page files missing from edusight/pages.py"
    assert registered - page_files() == set(), "registry entries without a page file"


def test_every_page_is_documented_and_every_section_is_a_page():
    registered = {e.path for e in pages.PAGES}
    assert registered - documented() == set(), "registered pages without a docs/pages.md section"
    assert documented() - registered == set(), "docs/pages.md sections of unregistered pages"


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_doc_section_covers_purpose_audience_data_controls(entry):
    text = DOC.read_text("utf-8")
    section = text.split(f"`{entry.path}`", 1)[1].split("\n## ", 1)[0]
    for field in ("Purpose", "Audience", "Data shown", "Controls"):
        assert f"**{field}**" in section, f"{entry.path}: docs/pages.md lacks {field}"


def test_registry_entries_are_well_formed():
    assert pages.PAGES, "no pages registered"
    assert len({e.url_path for e in pages.PAGES}) == len(pages.PAGES), "duplicate url_path"
    assert len({e.path for e in pages.PAGES}) == len(pages.PAGES), "duplicate page file"
    assert sum(e.default for e in pages.PAGES) <= 1, "more than one default page"
    for e in pages.PAGES:
        assert e.group in pages.GROUPS, f"{e.path}: unknown group {e.group!r}"
        assert re.fullmatch(r"[a-z0-9_\-]+", e.url_path), f"{e.path}: bad url_path"
        assert e.icon and not e.icon.startswith(":"), f"{e.path}: use an emoji icon (offline)"
        assert not e.icon.isascii(), f"{e.path}: icon {e.icon!r} is not an emoji"
        for lang in LANGS:
            assert e.title_key in catalogue(lang), f"{e.path}: title key missing in {lang}"


def test_groups_in_menu_order_and_translated():
    assert list(pages.GROUPS) == ["cockpit", "topics", "exams", "data"]
    for key in pages.GROUPS.values():
        assert catalogue("zh")[key] != catalogue("en")[key]
    assert [catalogue("zh")[k] for k in pages.GROUPS.values()] == [
        "领导驾驶舱",
        "专题",
        "考试指挥",
        "数据与分析",
    ]


def test_page_url_of_the_default_page_is_the_root():
    default = pages.default_page()
    assert pages.page_url(default) == ""
    for e in pages.PAGES:
        if e != default:
            assert pages.page_url(e) == e.url_path


@pytest.mark.parametrize("entry", pages.PAGES, ids=lambda e: e.name)
def test_pages_are_thin_and_read_no_sql(entry):
    code = (ROOT / entry.path).read_text("utf-8")
    # ui.page_header re-routes a page that Streamlit ran on its own (see edusight/ui.py)
    assert "ui.page_header(" in code, f"{entry.path}: call ui.page_header(...) first"
    assert "import duckdb" not in code, f"{entry.path}: pages read through edusight.queries"
    assert not re.search(r"\bSELECT\b[\s\S]*\bFROM\b", code), f"{entry.path}: SQL in a page"

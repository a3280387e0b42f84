"""AppTest of the teacher-2.0 page (能力提升工程2.0) on the built test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import t
from tests.app.helpers import open_app_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = pages.by_path("pages/teachers.py")


@pytest.fixture
def at(built_db: Path) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.run()
    app.switch_page(PAGE.path).run()
    return app


def specs(at: AppTest) -> list[str]:
    """The plotly figures' JSON, unicode unescaped."""
    return [
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")
    ]


def table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_page_shows_progress_funnel_points_schools_flags(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    labels = [m.label for m in at.metric]
    for key in ("tch.kpi.teachers", "tch.kpi.complete", "tch.kpi.projection", "tch.kpi.flagged"):
        assert t(key, lang="zh") in labels
    assert len(at.get("plotly_chart")) == 7
    units = table_with(at, "quota_gap_pct")
    assert units["quota_gap_pct"].is_monotonic_decreasing
    flags = table_with(at, "flag_labels")
    assert len(flags) > 0 and flags["teacher_key"].notna().all()
    # small groups of people are masked in the school table
    schools = table_with(at, "hold_back_label")
    assert schools["flagged_teacher_count"].map(lambda v: isinstance(v, str)).all()
    assert set(schools["flagged_teacher_count"]) <= {"0", "<5"} | {
        v for v in schools["flagged_teacher_count"] if not v.isdigit() or int(v) >= 5
    }


def test_unconfirmed_points_are_labelled_as_examples(at):
    example = t("tch.points.example", lang="zh")
    spec = next(x for x in specs(at) if "A13" in x)
    assert f"（{example}）" in spec
    assert "技术支持的学情分析（" not in spec  # A1 is a confirmed name


def test_lagging_toggle_and_teacher_pick_narrow_the_tables(at):
    lagging = len(table_with(at, "hold_back_label"))
    at.toggle(key="tch_only_lagging").set_value(False).run()
    assert not at.exception
    assert len(table_with(at, "hold_back_label")) >= lagging
    pick = at.selectbox(key="tch_flag_teacher")
    teacher = pick.options[1]
    pick.select_index(1).run()
    assert not at.exception
    sessions = table_with(at, "reason_labels")
    assert set(sessions["teacher_key"]) <= {teacher}


def test_breakdown_control_switches_the_chart(at):
    at.segmented_control(key="tch_breakdown").set_value("age_band").run()
    assert not at.exception
    assert any(t("tch.bd.age_band", lang="zh") in x for x in specs(at))


def test_english_page_names_the_school_levels_in_english(built_db):
    app = open_app_page(PAGE.path, lang="en")
    [note] = [c.value for c in app.caption if c.value.startswith("full-time teachers of ")]
    assert note == (
        "full-time teachers of Kindergarten, Primary, Junior secondary, Senior secondary, "
        "Vocational (teacher base database)"
    )
    # the breakdown by level reads top to bottom in the levels' own order, in English
    [bars] = [json.loads(c.proto.spec)["data"][0] for c in app.get("plotly_chart")
              if t("tch.bd.level", lang="en") in json.loads(c.proto.spec)["layout"]["title"]["text"]]  # fmt: skip
    assert bars["y"][::-1] == [
        "Kindergarten",
        "Primary",
        "Junior secondary",
        "Senior secondary",
        "Vocational",
    ]
    zh = open_app_page(PAGE.path)
    assert any(c.value.startswith("幼儿园、小学、初中、高中、中职") for c in zh.caption)

"""Figures of the digital-resources page, on inline frames (no server, no database)."""

from __future__ import annotations

import pandas as pd

from edusight.figures import resources as f

L = {"title": "T", "x": "X", "y": "Y", "empty": "No data", "optional": "opt",
     "views": "Views", "downloads": "Downloads", "not_evaluated": "n/e"}  # fmt: skip


def test_subject_bar_stacks_levels_largest_subject_on_top():
    df = pd.DataFrame(
        {
            "subject": ["语文", "语文", "数学"],
            "level": ["小学", "初中", "小学"],
            "collected_count": [3, 2, 1],
        }  # fmt: skip
    )
    fig = f.subject_bar(df, level_labels={"小学": "Primary"}, labels=L)
    assert [tr.name for tr in fig.data] == ["Primary", "初中"]
    assert list(fig.data[0].y) == ["数学", "语文"]  # plotly draws the first at the bottom
    assert fig.layout.barmode == "stack"


def test_conformance_bar_marks_optional_elements_and_colours_by_level():
    df = pd.DataFrame(
        {"element_en": ["Title", "Description"], "conforming_pct": [100.0, 50.0],
         "conforming_count": [10, 5], "applicable_count": [10, 10], "is_required": [True, False]}
    )  # fmt: skip
    fig = f.conformance_bar(df, label_col="element_en", labels=L)
    (bar,) = fig.data
    assert list(bar.y) == ["Title", "Description (opt)"]
    assert list(bar.text) == ["100.0%", "50.0%"]
    assert bar.marker.color[0] != bar.marker.color[1]


def test_classroom_trend_fills_missing_months_with_zero():
    df = pd.DataFrame(
        {"month": ["2021-01", "2021-02"], "kind": ["专递课堂", "名师课堂"], "session_count": [4, 2]}
    )
    fig = f.classroom_trend(df, kind_labels={}, labels=L)
    assert [list(tr.y) for tr in fig.data] == [[4, 0], [0, 2]]


def test_pair_arcs_colour_by_grade():
    df = pd.DataFrame(
        {"broadcast_lon": [104.0, 104.1], "broadcast_lat": [30.6, 30.7], "lon": [103.5, 103.6],
         "lat": [30.4, 30.5], "evaluation_grade": ["优秀", None], "evaluation_score": [95.0, None],
         "broadcast_school_name": ["A", "B"], "school_name": ["C", "D"], "level": ["初中", "小学"]}
    )  # fmt: skip
    deck = f.pair_arcs(df, tooltip="{school_name}")
    arcs = deck.layers[-1]
    assert arcs.type == "ArcLayer"
    assert arcs.data[0]["color"] != arcs.data[1]["color"]
    assert arcs.data[1]["score_text"] == "—"


def test_empty_frames_give_an_empty_message():
    for fig in (
        f.subject_bar(pd.DataFrame(columns=["subject", "level", "collected_count"]),
                      level_labels={}, labels=L),
        f.usage_lines(pd.DataFrame(columns=["month", "view_count", "download_count"]), labels=L),
        f.score_histogram(pd.DataFrame(columns=["evaluation_grade"]), grade_labels={}, labels=L),
    ):  # fmt: skip
        assert fig.layout.annotations[0].text == "No data"
        assert not fig.data

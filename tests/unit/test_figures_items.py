"""Figure builders of the other work-item views on inline frames."""

from __future__ import annotations

import pandas as pd

from edusight.figures import items as figures
from edusight.theme import TEMPLATES

LABELS = {"title": "T", "x": "X", "y": "Y", "empty": "nothing", "target": "target",
          "colorbar": "share"}  # fmt: skip


def test_pct():
    assert figures.pct(1, 3) == 33.3
    assert figures.pct(1, 0) is None
    assert figures.pct(None, 3) is None


def test_line_trend_one_line_per_series_with_dashed_reference():
    df = pd.DataFrame({"month": ["2022-01", "2022-02"], "a": [1, 2], "b": [3, 3]})
    fig = figures.line_trend(df, x="month", series=[("a", "A"), ("b", "B")], dashed=["b"],
                             labels=LABELS)  # fmt: skip
    assert [t.name for t in fig.data] == ["A", "B"]
    assert fig.data[1].line.dash == "dash"
    assert (
        figures.line_trend(df.iloc[0:0], x="month", series=[("a", "A")], labels=LABELS).data == ()
    )


def test_grouped_hbar_keeps_input_order_top_down_and_draws_the_target():
    df = pd.DataFrame({"unit": ["first", "second"], "p": [90.0, 50.0], "q": [80.0, None]})
    fig = figures.grouped_hbar(df, y="unit", series=[("p", "P"), ("q", "Q")], labels=LABELS,
                               target=100.0, template=TEMPLATES["dark"])  # fmt: skip
    assert list(fig.layout.yaxis.categoryarray) == ["second", "first"]  # plotly draws bottom-up
    assert list(fig.data[1].text) == ["—", "80.0%"]
    assert fig.layout.shapes[0].x0 == 100.0
    assert figures.grouped_hbar(
        df.iloc[0:0], y="unit", series=[("p", "P")], labels=LABELS
    ).layout.annotations


def test_stacked_bars_fill_missing_combinations_with_zero():
    df = pd.DataFrame({"m": ["a", "a", "b"], "c": ["x", "y", "x"], "v": [1, 2, 3]})
    fig = figures.stacked_bars(df, x="m", y="v", color="c", labels=LABELS, color_order=["y", "x"])
    assert [t.name for t in fig.data] == ["y", "x"]
    assert list(fig.data[0].y) == [2, 0]
    horiz = figures.stacked_bars(df, x="m", y="v", color="c", labels=LABELS, horizontal=True)
    assert horiz.data[0].orientation == "h"


def test_seasonality_heatmap_has_twelve_months():
    df = pd.DataFrame({"s": ["A", "A"], "cal_month": [1, 7], "share": [40.0, 60.0]})
    fig = figures.seasonality_heatmap(df, row="s", month="cal_month", value="share", labels=LABELS)
    assert list(fig.data[0].x) == [str(m) for m in range(1, 13)]
    empty = figures.seasonality_heatmap(df.iloc[0:0], row="s", month="cal_month", value="share",
                                        labels=LABELS)  # fmt: skip
    assert empty.layout.annotations[0].text == "nothing"

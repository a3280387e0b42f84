"""Figures of the data-governance page, on inline frames (no server, no database)."""

from __future__ import annotations

import pandas as pd

from edusight.figures.governance import quarantine_rate_bar

LABELS = {
    "title": "Quarantine rate by source",
    "x": "Quarantine rate (%)",
    "rows_read": "Rows read",
    "rows_quarantined": "Rows quarantined",
    "empty": "No rows",
}


def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["teachers", "students", "schools"],
            "title_en": ["Teacher roster", "Student roster", "Schools"],
            "rows_read": [120, 400, 60],
            "rows_quarantined": [10, 16, 0],
            "quarantine_rate_pct": [8.33, 4.0, 0.0],
        }
    )


def test_one_bar_per_source_highest_on_top():
    fig = quarantine_rate_bar(rates(), label_col="title_en", labels=LABELS)
    (bar,) = fig.data
    assert bar.orientation == "h"
    # plotly draws the first category at the bottom: the highest rate comes last
    assert list(bar.y) == ["Schools", "Student roster", "Teacher roster"]
    assert list(bar.x) == [0.0, 4.0, 8.33]
    assert list(bar.text) == ["0.00%", "4.00%", "8.33%"]
    assert fig.layout.title.text == LABELS["title"]
    assert fig.layout.xaxis.title.text == LABELS["x"]
    assert "Rows read" in bar.hovertemplate


def test_template_is_applied():
    fig = quarantine_rate_bar(
        rates(), label_col="title_en", labels=LABELS, template="edusight_dark"
    )
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.template.layout.font.color == "#e6edf7"


def test_missing_rate_counts_as_zero():
    df = rates().assign(quarantine_rate_pct=[8.33, None, 0.0])
    (bar,) = quarantine_rate_bar(df, label_col="title_en", labels=LABELS).data
    assert sorted(bar.x) == [0.0, 0.0, 8.33]


def test_empty_frame_says_so():
    fig = quarantine_rate_bar(rates().iloc[0:0], label_col="title_en", labels=LABELS)
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "No rows"

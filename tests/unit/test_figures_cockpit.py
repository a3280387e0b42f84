"""Cockpit figure builders and helpers on inline frames (no database, no server)."""

from __future__ import annotations

import pandas as pd

from edusight.figures import cockpit as figures
from edusight.theme import TEMPLATES

LABELS = {
    "title": "T",
    "x": "% of target",
    "target": "target",
    "empty": "nothing",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
}


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_no": [1, 1, 7, 17, 9],
            "indicator": ["tasks_done_pct", "tasks_overdue_count", "campus_coverage_pct",
                          "incidents_overdue_count", None],
            "sort_order": [90, 91, 1, 1, None],
            "status": ["at_risk", "on_track", "on_track", "off_track", None],
            "value": [85.7, 0.0, 66.9, 2.0, None],
            "target": [100.0, 0.0, 64.2, 0.0, None],
            "kind": ["pct", "count", "pct", "count", None],
            "is_lower_better": [False, True, False, True, None],
            "label": ["(1) tasks", "(1) overdue", "(7) coverage", "(17) overdue", "(9)"],
            "value_text": ["85.7%", "0", "66.9%", "2", "—"],
            "target_text": ["100.0%", "0", "64.2%", "0", "—"],
        }
    )  # fmt: skip


def test_item_rollup_takes_the_worst_rated_status_and_names_the_driver():
    items = figures.item_rollup(rows()).set_index("item_no")
    assert items.loc[1, "status"] == "at_risk"
    assert items.loc[1, "driver"] == "tasks_done_pct"
    assert items.loc[17, "status"] == "off_track"
    assert items.loc[9, "status"] == "no_data"  # no indicator in scope
    assert pd.isna(items.loc[9, "driver"])
    counts = figures.status_counts(items.reset_index())
    assert counts == {"off_track": 1, "at_risk": 1, "on_track": 1, "info": 0, "no_data": 1}


def test_item_rollup_unrated_only_is_info_and_empty_frame_is_empty():
    df = pd.DataFrame(
        {"item_no": [6], "indicator": ["ipv6_school_pct"], "sort_order": [1], "status": ["info"]}
    )
    assert figures.item_rollup(df)["status"].tolist() == ["info"]
    empty = figures.item_rollup(df.iloc[0:0])
    assert empty.empty and "status" in empty.columns


def test_format_and_change_texts():
    assert figures.format_value(66.94, "pct") == "66.9%"
    assert figures.format_value(1234, "count", "个") == "1,234 个"
    assert figures.format_value(None, "pct") == "—"
    assert figures.change_text(66.9, 24.8, "pct") == "+42.1 pp"
    assert figures.change_text(2, 1, "count") == "+1"
    assert figures.change_text(2, None, "count") == "—"


def test_status_cell_css_and_markdown():
    assert "color" in figures.status_cell_css("■ 滞后", "light")
    assert figures.status_cell_css("plain", "light") == ""
    assert figures.status_cell_css(None) == ""
    assert figures.status_markdown("on_track", "On track") == ":green[● On track]"
    assert figures.status_markdown("info", "Not rated") == "○ Not rated"


def test_progress_bar_leaves_out_lower_is_better_and_untargeted_rows():
    fig = figures.progress_bar(rows(), label_col="label", labels=LABELS)
    labels = [y for trace in fig.data for y in trace.y]
    assert sorted(labels) == ["(1) tasks", "(7) coverage"]
    coverage = next(t for t in fig.data if "(7) coverage" in list(t.y))
    assert coverage.name == "On track"
    assert list(coverage.x) == [round(100 * 66.9 / 64.2, 1)]
    assert fig.layout.template.layout.font.family  # the edusight template is applied


def test_progress_bar_empty_and_dark():
    fig = figures.progress_bar(rows().iloc[0:0], label_col="label", labels=LABELS,
                               template=TEMPLATES["dark"])  # fmt: skip
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "nothing"


def test_the_paper_table_has_every_column_escaped_and_status_in_colour():
    rows = [
        {"item": "(一)", "title": "编制<规划>", "status_text": "■ 滞后", "page": "x"},
        {"item": "(二)", "title": None, "status_text": "● 正常", "page": "y"},
    ]
    html = figures.table_print_html(
        rows, {"item": "序号", "title": "工作要点", "status_text": "状态"}
    )
    assert html.startswith('<div class="es-print-only">') and html.count("<tr>") == 3
    assert "<th>序号</th><th>工作要点</th><th>状态</th>" in html and ">x<" not in html
    assert "编制&lt;规划&gt;" in html and "<规划>" not in html  # values are escaped
    assert figures.status_colors("light")["off_track"] in html  # 滞后 in its colour

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


# --- conformance grid and its inputs ----------------------------------------------------------

from edusight import sources_catalog  # noqa: E402
from edusight.figures.governance import conformance_heatmap  # noqa: E402

STD = {"school_code": "School code", "base_data": "Base data", "system_access": "Access"}
HEAT_LABELS = {
    "title": "Conformance",
    "rows_checked": "Rows checked",
    "rows_failing": "Rows failing",
    "conformance": "Conformance",
    "empty": "Nothing checked",
}


def conformance_inputs():
    checked = pd.DataFrame(
        {
            "source": ["schools", "schools", "students", "plans"],
            "unit_code": ["510104", "510105", "510104", None],
            "rows_checked": [20, 10, 200, 50],
        }
    )
    failing = pd.DataFrame(
        {
            "source": ["schools", "students", "students", "plans"],
            "unit_code": ["510104", "510104", "510104", None],
            "standard": ["school_code", "base_data", "system_access", "base_data"],
            "rows_failing": [2, 10, 1, 5],
        }
    )
    applicable = pd.DataFrame(
        {
            "source": ["schools", "schools", "students", "students", "plans"],
            "standard": ["school_code", "base_data", "base_data", "system_access", "base_data"],
        }
    )
    return checked, failing, applicable


def test_conformance_counts_only_applicable_standards():
    conf = sources_catalog.conformance(*conformance_inputs())
    got = conf.set_index(["standard", "source", "unit_code"], drop=True)
    assert got.loc[("school_code", "schools", "510104"), "conformance_pct"] == 90.0
    assert got.loc[("school_code", "schools", "510105"), "rows_failing"] == 0
    assert ("school_code", "students", "510104") not in got.index
    city = conf[conf["unit_code"].isna()]
    assert city[["rows_checked", "rows_failing"]].values.tolist() == [[50, 5]]


def test_rollup_sums_before_the_rate():
    conf = sources_catalog.conformance(*conformance_inputs())
    std = sources_catalog.rollup(conf, ["standard"]).set_index("standard")
    # base data: schools 20+10 rows, students 200, plans 50 → 280 checked, 15 failing
    assert std.loc["base_data", "rows_checked"] == 280
    assert std.loc["base_data", "rows_failing"] == 15
    assert std.loc["base_data", "conformance_pct"] == round(100 * 265 / 280, 2)


def test_conformance_of_nothing_is_an_empty_frame():
    checked, failing, applicable = conformance_inputs()
    assert sources_catalog.conformance(checked.iloc[:0], failing, applicable).empty
    assert sources_catalog.rollup(
        sources_catalog.conformance(checked.iloc[:0], failing, applicable), ["standard"]
    ).empty


def test_heatmap_one_cell_per_unit_and_standard_blank_where_not_checked():
    conf = sources_catalog.conformance(*conformance_inputs())
    grid = sources_catalog.rollup(conf, ["unit_code", "standard"])
    grid["unit"] = grid["unit_code"].replace("", "none")
    fig = conformance_heatmap(grid, row_col="unit", standards=STD, labels=HEAT_LABELS)
    heat = fig.data[0]
    assert [x.replace("<br>", " ") for x in heat.x] == list(STD.values())
    assert list(heat.y) == ["none", "510104", "510105"]
    row = list(heat.y).index("510105")
    assert heat.text[row][list(STD).index("system_access")] == ""  # not checked, not 100%
    assert heat.text[row][list(STD).index("school_code")] == "100.0%"
    assert fig.layout.title.text == "Conformance"


def test_heatmap_of_nothing_says_so():
    fig = conformance_heatmap(
        pd.DataFrame(columns=["unit", "standard", "conformance_pct"]),
        row_col="unit",
        standards=STD,
        labels=HEAT_LABELS,
    )
    assert not fig.data
    assert fig.layout.annotations[0].text == "Nothing checked"


def test_catalog_lists_every_source_with_its_system():
    cat = sources_catalog.catalog()
    assert cat["source"].is_unique and len(cat) >= 20
    assert cat["system"].str.len().gt(0).all()
    assert set(cat.loc[cat["base"].notna(), "base"]) == {
        "students",
        "teachers",
        "schools",
        "equipment",
    }

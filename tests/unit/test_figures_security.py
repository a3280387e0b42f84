"""Figures of the cybersecurity page, on inline frames (no server, no database)."""

from __future__ import annotations

import pandas as pd

from edusight.figures import security as f

L = {"title": "T", "x": "X", "y": "Y", "empty": "No data"}


def test_level_stage_bar_stacks_stages_in_lifecycle_order():
    df = pd.DataFrame(
        {"level": [2, 2, 3], "stage": ["测评", "备案", "监督检查"], "system_count": [5, 1, 2]}
    )
    fig = f.level_stage_bar(df, level_labels={2: "L2", 3: "L3"}, stage_labels={}, labels=L)
    assert [tr.name for tr in fig.data] == ["备案", "测评", "监督检查"]
    assert list(fig.data[1].x) == ["L2", "L3"] and list(fig.data[1].y) == [5, 0]


def test_incidents_by_month_includes_months_without_notices():
    df = pd.DataFrame(
        {"month": ["2021-01", "2021-03"], "severity": ["一般", "较大"], "incident_count": [1, 2]}
    )
    fig = f.incidents_by_month(df, severity_labels={"一般": "Minor"}, labels=L)
    assert list(fig.data[0].x) == ["2021-01", "2021-02", "2021-03"]
    assert list(fig.data[0].y) == [1, 0, 0]
    assert fig.data[0].name == "Minor"
    assert fig.layout.yaxis.dtick == 1  # a few notices a month: counted in whole numbers
    many = df.assign(incident_count=[40, 12])
    assert f.incidents_by_month(many, severity_labels={}, labels=L).layout.yaxis.dtick is None


def test_apps_by_unit_keeps_unit_order_and_three_states():
    df = pd.DataFrame(
        {
            "name_en": ["A", "B"],
            "filed_count": [3, 1],
            "to_clean_count": [2, 0],
            "cleaned_count": [0, 1],
        }  # fmt: skip
    )
    fig = f.apps_by_unit(df, label_col="name_en", status_labels={}, labels=L)
    assert [tr.name for tr in fig.data] == list(f.APP_STATUSES)
    assert list(fig.data[1].y) == ["A", "B"] and list(fig.data[1].x) == [2, 0]


def test_empty_frame_gives_an_empty_message():
    fig = f.drills_by_year(
        pd.DataFrame(columns=["drill_year", "level", "drill_count"]), level_labels={}, labels=L
    )
    assert fig.layout.annotations[0].text == "No data"

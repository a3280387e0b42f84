"""Figure builders of the teacher-2.0 page on inline frames (and empty frames)."""

from __future__ import annotations

import pandas as pd
import pytest

from edusight.figures import teachers as f

L = {k: k for k in ("title", "y", "x", "actual", "projection", "quota", "complete", "teachers",
                    "empty", "value", "points", "submitted", "passed")}  # fmt: skip


def trend():
    return pd.DataFrame({
        "kind": ["actual", "actual", "projection", "projection"],
        "period_end": pd.to_datetime(["2021-12-31", "2022-06-30", "2021-12-31", "2022-12-31"]),
        "complete_count": [80, 90, None, None], "teacher_count": [100, 100, None, None],
        "complete_pct": [80.0, 90.0, 80.0, 100.0],
    })  # fmt: skip


def units():
    return pd.DataFrame({
        "unit_name_zh": ["锦江区", "金堂县"], "complete_pct": [90.0, 70.0], "quota_pct": [100.0, 100.0],
        "projected_deadline_pct": [100.0, 85.0], "complete_count": [90, 70], "teacher_count": [100, 100],
    })  # fmt: skip


def points():
    return pd.DataFrame({
        "point_code": ["A1", "A3", "C2"], "environment": ["A", "A", "C"],
        "dimension_zh": ["学情分析", "教学设计", "教学设计"], "label": ["A1 x", "A3 y", "C2 z（示例）"],
        "passed_teacher_count": [10, 20, 5], "submitted_teacher_count": [12, 22, 9],
    })  # fmt: skip


def test_trend_draws_actual_projection_and_quotas():
    fig = f.progress_trend(trend(), {"2020-12-31": 30, "2021-12-31": 80}, labels=L)
    assert [t.name for t in fig.data] == ["actual", "projection", "quota"]
    assert list(fig.data[0].y) == [80.0, 90.0]
    assert fig.data[1].line.dash == "dash"
    assert list(fig.data[2].text) == ["30%", "80%"]


def test_unit_bar_orders_furthest_behind_on_top_and_marks_quota():
    fig = f.unit_progress_bar(units(), label_col="unit_name_zh", labels=L)
    assert list(fig.data[0].y) == ["锦江区", "金堂县"]  # plotly draws the last on top
    assert fig.layout.shapes[0].x0 == 100.0
    assert list(fig.data[1].x) == [100.0, 85.0]


def test_funnel_shares_use_the_in_scope_denominator():
    fig = f.funnel([("enrolled", 90), ("complete", 45)], total=100, labels=L)
    assert list(fig.data[0].x) == [45.0, 90.0]  # first stage on top
    assert fig.data[0].text[0] == "45.0%  (45)"


def test_heatmap_sums_points_per_cell_and_counts_them():
    fig = f.points_heatmap(
        points(), value_col="passed_teacher_count", env_names={}, dim_names={}, labels=L
    )
    z = fig.data[0].z
    assert list(z[0][:2]) == [10.0, 20.0] and z[1][1] == 5.0 and z[1][0] is None
    assert fig.data[0].text[0][1] == "20<br>(1 points)"


def test_points_bar_keeps_the_example_label():
    fig = f.points_bar(points(), label_col="label", labels=L)
    assert "C2 z（示例）" in list(fig.data[0].y)


def test_long_point_names_are_cut_on_the_axis_and_whole_on_hover():
    long = "B6 Technology-supported presentation and exchange (example)"
    df = points().assign(label=[long] + list(points()["label"].iloc[1:]))
    fig = f.points_bar(df, label_col="label", labels=L)
    shown = list(fig.data[0].y)
    assert long not in shown and f.clip_label(long) in shown
    assert f.clip_label(long).endswith("…") and len(f.clip_label(long)) == f.LABEL_WIDTH + 1
    assert long in list(fig.data[0].customdata) and "%{customdata}" in fig.data[0].hovertemplate
    assert (
        f.clip_label("A1 技术支持的学情分析（示例）") == "A1 技术支持的学情分析（示例）"
    )  # 28 columns
    assert f.clip_label("甲" * 30) == "甲" * 20 + "…"


def test_breakdown_counts_are_integers():
    df = pd.DataFrame({"value": ["小学"], "complete_pct": [87.5], "complete_count": [7.0],
                       "teacher_count": [8.0]})  # fmt: skip
    assert f.breakdown_bar(df, labels=L).data[0].text[0] == "87.5%  (7/8)"


def test_flags_by_unit_stacks_kinds():
    df = pd.DataFrame({"unit": ["a", "a", "b"], "is_flag_night": [True, False, True],
                       "is_flag_faster": [False, True, True]})  # fmt: skip
    fig = f.flags_by_unit_bar(df, label_col="unit", kinds={"night": "N", "faster": "F"}, labels=L)
    assert fig.layout.barmode == "stack" and [t.name for t in fig.data] == ["N", "F"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: f.progress_trend(trend().iloc[0:0], {}, labels=L),
        lambda: f.unit_progress_bar(units().iloc[0:0], label_col="unit_name_zh", labels=L),
        lambda: f.funnel([], total=0, labels=L),
        lambda: f.points_heatmap(
            points().iloc[0:0],
            value_col="passed_teacher_count",
            env_names={},
            dim_names={},
            labels=L,
        ),
        lambda: f.points_bar(points().iloc[0:0], label_col="label", labels=L),
        lambda: f.breakdown_bar(pd.DataFrame(), labels=L),
        lambda: f.flags_by_unit_bar(pd.DataFrame(), label_col="u", kinds={}, labels=L),
    ],
)
def test_empty_frames_say_so(build):
    fig = build()
    assert fig.layout.annotations[0].text == "empty" and not fig.data

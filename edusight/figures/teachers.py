"""Figures of the teacher-capability page (能力提升工程2.0, work item 十四).

Pure: data frame + translated labels + plotly template in, figure out. Every builder draws an
explanatory annotation instead of an empty grid when its frame has no row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from edusight.theme import LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES, legend_top_margin

BAR_HEIGHT_PX = 24
BASE_HEIGHT_PX = 120
DIMENSIONS = ("学情分析", "教学设计", "学法指导", "学业评价")
ENVIRONMENTS = ("A", "B", "C")


LABEL_WIDTH = 40  # axis labels longer than this (in columns) are cut; the hover has them whole


def _pal(template: str) -> dict[str, str]:
    name = next((k for k, v in TEMPLATES.items() if v == template), "light")
    return PALETTE[name]


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.update_layout(height=BASE_HEIGHT_PX + 2 * BAR_HEIGHT_PX)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def progress_trend(
    trend: pd.DataFrame,
    quotas: Mapping[str, float],
    *,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Cumulative completion share (%) at each quarter end, the linear projection to the
    deadline (dashed) and the cumulative quotas at each year end (markers).

    ``trend``: ``queries/teachers_trend.sql`` (kind, period_end, complete_count, teacher_count,
    complete_pct). ``quotas``: ISO date → cumulative quota %. ``labels``: title, y, actual,
    projection, quota, complete, teachers, empty.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    actual = trend[trend["kind"] == "actual"] if len(trend) else trend
    if actual.empty:
        return _empty(fig, labels["empty"])
    pal = _pal(template)
    fig.add_scatter(
        x=actual["period_end"],
        y=actual["complete_pct"],
        mode="lines+markers",
        name=labels["actual"],
        line={"color": pal["accent"], "width": 3},
        customdata=actual[["complete_count", "teacher_count"]].to_numpy(),
        hovertemplate="%{x|%Y-%m-%d}<br>%{y:.1f}%<br>"
        + labels["complete"]
        + ": %{customdata[0]:,.0f} / %{customdata[1]:,.0f} "
        + labels["teachers"]
        + "<extra></extra>",
    )
    proj = trend[trend["kind"] == "projection"]
    if len(proj):
        fig.add_scatter(
            x=proj["period_end"],
            y=proj["complete_pct"],
            mode="lines",
            name=labels["projection"],
            line={"color": pal["warn"], "width": 2, "dash": "dash"},
            hovertemplate="%{x|%Y-%m-%d}<br>%{y:.1f}%<extra>" + labels["projection"] + "</extra>",
        )
    if quotas:
        q = pd.Series(quotas)
        fig.add_scatter(
            x=pd.to_datetime(q.index),
            y=q.to_numpy(),
            mode="markers+text",
            name=labels["quota"],
            marker={
                "symbol": "line-ew-open",
                "size": 26,
                "line": {"width": 3, "color": pal["bad"]},
            },
            text=[f"{v:.0f}%" for v in q],
            textposition="middle left",
            textfont={"color": pal["bad"]},
            hovertemplate="%{x|%Y-%m-%d}<br>%{y:.0f}%<extra>" + labels["quota"] + "</extra>",
        )
    fig.update_yaxes(title={"text": labels["y"]}, range=[0, 105], ticksuffix="%")
    fig.update_xaxes(title={"text": ""})
    fig.update_layout(
        height=380, legend=LEGEND_TOP, margin={"t": LEGEND_TOP_MARGIN_PX}, hovermode="closest"
    )
    return fig


def unit_progress_bar(
    units: pd.DataFrame,
    *,
    label_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Completion share per unit (bars), with the as-of year's quota (line) and the projected
    share at the deadline (diamonds); furthest behind at the top.

    ``units``: ``queries/teachers_units.sql`` (complete_pct, quota_pct, projected_deadline_pct,
    complete_count, teacher_count, ``label_col``). ``labels``: title, x, complete, projection,
    quota, teachers, empty.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if units.empty:
        return _empty(fig, labels["empty"])
    pal = _pal(template)
    df = units.sort_values("complete_pct", ascending=False)  # plotly: first row at the bottom
    below = df["complete_pct"] < df["quota_pct"]
    fig.add_bar(
        x=df["complete_pct"],
        y=df[label_col],
        orientation="h",
        name=labels["complete"],
        marker_color=[pal["warn"] if b else pal["accent"] for b in below],
        text=[f"{v:.1f}%" for v in df["complete_pct"]],
        textposition="inside",
        insidetextanchor="end",
        customdata=df[["complete_count", "teacher_count"]].to_numpy(),
        hovertemplate="%{y}<br>%{x:.1f}% (%{customdata[0]:,} / %{customdata[1]:,} "
        + labels["teachers"]
        + ")<extra></extra>",
    )
    fig.add_scatter(
        x=df["projected_deadline_pct"],
        y=df[label_col],
        mode="markers",
        name=labels["projection"],
        marker={"symbol": "diamond", "size": 10, "color": pal["text"]},
        hovertemplate="%{y}<br>%{x:.1f}%<extra>" + labels["projection"] + "</extra>",
    )
    quota = float(df["quota_pct"].iloc[0])
    fig.add_vline(x=quota, line={"color": pal["bad"], "dash": "dot", "width": 2})
    fig.add_annotation(
        x=quota, y=1.0, yref="paper", yanchor="bottom", xanchor="right",
        text=f"{labels['quota']} {quota:.0f}%",
        showarrow=False, font={"color": pal["bad"]},
    )  # fmt: skip
    fig.update_xaxes(title={"text": labels["x"]}, range=[0, 105], ticksuffix="%")
    fig.update_yaxes(title={"text": ""})
    fig.update_layout(
        height=BASE_HEIGHT_PX + 60 + BAR_HEIGHT_PX * len(df),
        legend=LEGEND_TOP,
        margin={"t": LEGEND_TOP_MARGIN_PX},
        bargap=0.3,
    )
    return fig


def funnel(
    stages: Sequence[tuple[str, int]],
    *,
    total: int,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """The nested funnel (each stage also meets every stage before it) as horizontal bars of
    the share of in-scope teachers, first stage at the top, counts in the text.

    ``stages``: (translated stage name, teachers); ``total``: in-scope teachers (the
    denominator of the percentages). ``labels``: title, x, teachers, empty.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if not stages or total <= 0:
        return _empty(fig, labels["empty"])
    pal = _pal(template)
    names = [s for s, _ in stages][::-1]
    values = [int(v) for _, v in stages][::-1]
    shares = [100.0 * v / total for v in values]
    fig.add_bar(
        x=shares,
        y=names,
        orientation="h",
        marker_color=pal["accent"],
        text=[f"{p:.1f}%  ({v:,})" for p, v in zip(shares, values, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    )
    fig.update_xaxes(
        title={"text": labels["x"]}, range=[0, 135], ticksuffix="%", tickvals=[0, 25, 50, 75, 100]
    )
    fig.update_yaxes(title={"text": ""})
    fig.update_layout(height=BASE_HEIGHT_PX + 44 * len(stages), showlegend=False, bargap=0.3)
    return fig


def points_heatmap(
    points: pd.DataFrame,
    *,
    value_col: str,
    env_names: Mapping[str, str],
    dim_names: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Environment (rows A/B/C) × dimension (columns) grid of ``value_col`` summed over the
    points of each cell; the cell text also says how many of the 30 points the cell holds.

    ``points``: ``queries/teachers_points.sql``. ``env_names``: A/B/C → label; ``dim_names``:
    dimension_zh → label. ``labels``: title, value, points, empty.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if points.empty:
        return _empty(fig, labels["empty"])
    g = points.groupby(["environment", "dimension_zh"]).agg(
        value=(value_col, "sum"), n=("point_code", "count")
    )
    envs = [e for e in ENVIRONMENTS if e in set(points["environment"])]
    z, text = [], []
    for e in envs:
        zr, tr = [], []
        for d in DIMENSIONS:
            if (e, d) in g.index:
                v, n = g.loc[(e, d)]
                zr.append(float(v))
                tr.append(f"{int(v):,}<br>({int(n)} {labels['points']})")
            else:
                zr.append(None)
                tr.append("")
        z.append(zr)
        text.append(tr)
    pal = _pal(template)
    fig.add_heatmap(
        z=z,
        x=[dim_names.get(d, d) for d in DIMENSIONS],
        y=[env_names.get(e, e) for e in envs],
        text=text,
        texttemplate="%{text}",
        colorscale=[[0, pal["panel"]], [1, pal["accent"]]],
        colorbar={"title": {"text": labels["value"]}},
        hovertemplate="%{y} × %{x}<br>" + labels["value"] + ": %{z:,}<extra></extra>",
        xgap=3,
        ygap=3,
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=320)
    return fig


def clip_label(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` cut to ``width`` columns (a Chinese character takes two), ending in "…" when cut."""
    out, used = "", 0
    for ch in str(text):
        used += 2 if ord(ch) > 0x2E7F else 1
        if used > width:
            return out.rstrip() + "…"
        out += ch
    return out


def points_bar(
    points: pd.DataFrame,
    *,
    label_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Teachers who submitted / passed each point (horizontal bars, A1 at the top).

    ``points``: ``queries/teachers_points.sql`` plus ``label_col`` (code, name and the 示例
    mark built by the page). ``labels``: title, submitted, passed, x, empty.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if points.empty:
        return _empty(fig, labels["empty"])
    pal = _pal(template)
    df = points.iloc[::-1]
    # submitted behind passed: the part of a bar beyond the passed one is what is not (yet) passed
    for col, name, color, opacity in (
        ("submitted_teacher_count", labels["submitted"], pal["muted"], 0.45),
        ("passed_teacher_count", labels["passed"], pal["accent"], 1.0),
    ):
        fig.add_bar(
            x=df[col],
            y=[clip_label(v) for v in df[label_col]],  # long English names: the axis keeps room
            customdata=df[label_col],
            orientation="h",
            name=name,
            marker_color=color,
            opacity=opacity,
            hovertemplate="%{customdata}<br>" + name + ": %{x:,}<extra></extra>",
        )
    fig.update_layout(
        barmode="overlay",
        height=BASE_HEIGHT_PX + 40 + BAR_HEIGHT_PX * len(df),
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        bargap=0.25,
    )
    fig.update_xaxes(title={"text": labels["x"]})
    fig.update_yaxes(title={"text": ""})
    return fig


def breakdown_bar(
    df: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Completion share per value of one breakdown (``queries/teachers_breakdown.sql`` rows of
    one breakdown, in display order), with the number of teachers in the text.
    ``labels``: title, x, teachers, empty."""
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if df.empty:
        return _empty(fig, labels["empty"])
    pal = _pal(template)
    d = df.iloc[::-1]
    fig.add_bar(
        x=d["complete_pct"],
        y=d["value"],
        orientation="h",
        marker_color=pal["accent"],
        text=[
            f"{p:.1f}%  ({int(c):,}/{int(n):,})"
            for p, c, n in zip(
                d["complete_pct"], d["complete_count"], d["teacher_count"], strict=True
            )
        ],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    )
    fig.update_xaxes(title={"text": labels["x"]}, range=[0, 125], ticksuffix="%")
    fig.update_yaxes(title={"text": ""})
    fig.update_layout(height=BASE_HEIGHT_PX + BAR_HEIGHT_PX * len(d), showlegend=False)
    return fig


def flags_by_unit_bar(
    flags: pd.DataFrame,
    *,
    label_col: str,
    kinds: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Flagged teachers per unit and kind of flag (stacked; a teacher with two flags counts in
    both). ``flags``: ``queries/teachers_flags.sql`` (is_flag_<kind> columns) plus
    ``label_col``; ``kinds``: kind → label. ``labels``: title, x, empty."""
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if flags.empty:
        return _empty(fig, labels["empty"])
    cols = [f"is_flag_{k}" for k in kinds]
    g = flags.groupby(label_col)[cols].sum()
    g = g.loc[g.sum(axis=1).sort_values().index]
    for k, name in kinds.items():
        fig.add_bar(
            x=g[f"is_flag_{k}"],
            y=g.index,
            orientation="h",
            name=name,
            hovertemplate="%{y}<br>" + name + ": %{x:,}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=BASE_HEIGHT_PX + 40 + BAR_HEIGHT_PX * len(g),
        legend=LEGEND_TOP,
        # five kinds over a plot narrowed by long unit names: two or three lines
        margin={"t": legend_top_margin(list(kinds.values()), width_px=240)},
    )
    fig.update_xaxes(title={"text": labels["x"]})
    fig.update_yaxes(title={"text": ""})
    return fig

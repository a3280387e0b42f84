"""Figures of the "other work items" views (learning spaces 五, online services 十三, IT literacy
and competitions 十五, typical cases 四). Pure: data frame + labels + template in, figure out.

Every builder takes ``labels`` with a ``title`` and an ``empty`` text (shown when the frame has
no row) plus the axis titles it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from edusight.theme import COLORWAY as THEME_COLORWAY
from edusight.theme import PALETTE, TEMPLATES

# the theme's ten colours plus four more, so that up to 14 series (services) never repeat
COLORWAY = [*THEME_COLORWAY, "#0f766e", "#a855f7", "#be123c", "#65a30d"]

ROW_HEIGHT_PX = 24
STACK_ROW_PX = 34
BASE_HEIGHT_PX = 130
LEGEND_ROW_PX = 24
LEGEND_PER_ROW = 5


def _legend_rows(n: int) -> int:
    return max(1, -(-n // LEGEND_PER_ROW))


def _theme_name(template: str) -> str:
    return next((k for k, v in TEMPLATES.items() if v == template), "light")


def _base(
    template: str, labels: Mapping[str, str], height: int | None = None, legend_rows: int = 1
) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template=template,
        title={"text": labels["title"], "y": 0.99, "yref": "container", "yanchor": "top"},
        # legend under the title, above the plot; margin grows with the legend's rows
        legend={"orientation": "h", "y": 1.01, "x": 0, "yanchor": "bottom", "traceorder": "normal"},
        margin={"t": 40 + LEGEND_ROW_PX * legend_rows},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.update_layout(height=BASE_HEIGHT_PX + 60, showlegend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def pct(num: object, den: object) -> float | None:
    """100·num/den rounded to 0.1, None when the denominator is missing or zero."""
    try:
        n, d = float(num), float(den)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if pd.isna(n) or pd.isna(d) or d == 0:
        return None
    return round(100.0 * n / d, 1)


def line_trend(
    df: pd.DataFrame,
    *,
    x: str,
    series: Sequence[tuple[str, str]],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    dashed: Sequence[str] = (),
    y_suffix: str = "",
) -> go.Figure:
    """One line per ``(column, legend label)`` of ``series`` over ``x`` (months); columns named
    in ``dashed`` are drawn dashed (reference lines such as the population in scope).
    ``labels``: title, x, y, empty."""
    fig = _base(template, labels, height=380)
    if df.empty:
        return _empty(fig, labels["empty"])
    for i, (column, name) in enumerate(series):
        fig.add_scatter(
            x=df[x],
            y=df[column],
            name=name,
            mode="lines",
            line={"width": 2.5, "dash": "dash" if column in dashed else "solid",
                  "color": COLORWAY[i % len(COLORWAY)]},
            hovertemplate="%{x}<br>" + name + ": %{y:,.0f}" + y_suffix + "<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title={"text": labels["x"]})
    fig.update_yaxes(title={"text": labels["y"]}, rangemode="tozero", ticksuffix=y_suffix)
    return fig


def grouped_hbar(
    df: pd.DataFrame,
    *,
    y: str,
    series: Sequence[tuple[str, str]],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    pct_axis: bool = True,
    target: float | None = None,
) -> go.Figure:
    """Horizontal grouped bars, one group per row (``y`` = its label, input order top-down),
    one bar per ``(column, legend label)``; values labelled at the bar end; an optional dashed
    ``target`` line. ``labels``: title, x, empty (and ``target`` when a target is drawn)."""
    n = len(df)
    fig = _base(template, labels, height=BASE_HEIGHT_PX + ROW_HEIGHT_PX * max(n, 1) * len(series))
    if df.empty:
        return _empty(fig, labels["empty"])
    suffix = "%" if pct_axis else ""
    d = df.iloc[::-1]
    for i, (column, name) in enumerate(series):
        values = d[column].astype(float)
        fig.add_bar(
            x=values,
            y=d[y],
            name=name,
            orientation="h",
            marker_color=COLORWAY[i % len(COLORWAY)],
            text=[
                "—" if pd.isna(v) else (f"{v:.1f}%" if pct_axis else f"{v:,.0f}") for v in values
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + name + ": %{x:,.1f}" + suffix + "<extra></extra>",
        )
    top = float(pd.to_numeric(df[[c for c, _ in series]].stack(), errors="coerce").max() or 0)
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(
        title={"text": labels["x"]},
        ticksuffix=suffix,
        range=[0, max(top, target or 0, 1) * 1.15],
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(d[y]), ticksuffix="  ")
    if target is not None:
        name = _theme_name(template)
        fig.add_vline(x=target, line_dash="dash", line_width=1, line_color=PALETTE[name]["muted"])
        fig.add_annotation(
            x=target, y=1, yref="paper", yanchor="bottom", showarrow=False,
            text=labels.get("target", ""), font={"size": 11, "color": PALETTE[name]["muted"]},
        )  # fmt: skip
    return fig


def stacked_bars(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    color_order: Sequence[str] | None = None,
    horizontal: bool = False,
) -> go.Figure:
    """Stacked bars of ``y`` over the categories of ``x``, one stack segment per value of
    ``color`` (in ``color_order`` when given). Long data: one row per (x, color).
    ``labels``: title, x, y, empty."""
    order = list(color_order) if color_order else list(dict.fromkeys(df[color]))
    rows = _legend_rows(len(order))
    fig = _base(template, labels, height=420 + LEGEND_ROW_PX * rows, legend_rows=rows)
    if df.empty:
        return _empty(fig, labels["empty"])
    cats = list(dict.fromkeys(df[x]))
    if horizontal:
        fig.update_layout(height=BASE_HEIGHT_PX + LEGEND_ROW_PX * rows + STACK_ROW_PX * len(cats))
    for i, c in enumerate(order):
        part = df[df[color] == c].set_index(x)[y].reindex(cats).fillna(0)
        kw = {"x": part.to_numpy(), "y": cats, "orientation": "h"} if horizontal else {
            "x": cats, "y": part.to_numpy()}  # fmt: skip
        fig.add_bar(
            **kw,
            name=str(c),
            marker_color=COLORWAY[i % len(COLORWAY)],
            hovertemplate=f"{c}<br>%{{{'y' if horizontal else 'x'}}}: "
            + f"%{{{'x' if horizontal else 'y'}:,.0f}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    if horizontal:
        fig.update_yaxes(categoryorder="array", categoryarray=cats[::-1], ticksuffix="  ")
        fig.update_xaxes(title={"text": labels["y"]})
    else:
        fig.update_xaxes(title={"text": labels["x"]}, categoryorder="array", categoryarray=cats)
        fig.update_yaxes(title={"text": labels["y"]})
    return fig


def seasonality_heatmap(
    df: pd.DataFrame,
    *,
    row: str,
    month: str,
    value: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Rows × calendar months 1–12, the cell = ``value`` (e.g. the month's share of the row's
    yearly volume, %). ``labels``: title, x, empty, colorbar."""
    fig = _base(template, labels)
    if df.empty:
        return _empty(fig, labels["empty"])
    grid = df.pivot_table(index=row, columns=month, values=value, aggfunc="sum").reindex(
        columns=range(1, 13)
    )
    name = _theme_name(template)
    p = PALETTE[name]
    fig.add_heatmap(
        z=grid.to_numpy(),
        x=[str(m) for m in grid.columns],
        y=list(grid.index),
        colorscale=[[0, p["panel"]], [1, p["accent"]]],
        colorbar={"title": {"text": labels["colorbar"]}, "ticksuffix": "%"},
        hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>",
        xgap=2,
        ygap=2,
    )
    fig.update_layout(height=BASE_HEIGHT_PX + 34 * len(grid))
    fig.update_xaxes(title={"text": labels["x"]}, type="category", showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False, ticksuffix="  ")
    return fig

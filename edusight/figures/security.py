"""Figures of the cybersecurity page (work items 十六–十八). Pure: frame + labels + template in.

Every builder takes translated ``labels`` (``title``, axis titles, ``empty``) and a mapping of
category values to display names; an empty frame gives an empty figure with the ``empty`` text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from edusight.theme import COLORWAY, LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES

STAGES = ("定级", "备案", "建设整改", "测评", "监督检查")  # 等保 lifecycle, in order
SEVERITIES = ("一般", "较大", "重大", "特别重大")
DRILL_LEVELS = ("市级", "区县级", "校级")
APP_STATUSES = ("已备案", "待清理", "已清理")


def _theme(template: str) -> str:
    return next((k for k, v in TEMPLATES.items() if v == template), "light")


def _base(template: str, labels: Mapping[str, str], height: int = 340) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template=template,
        title={"text": labels["title"]},
        height=height,
        legend=LEGEND_TOP,
        margin={"t": LEGEND_TOP_MARGIN_PX},
    )
    return fig


def empty_figure(template: str, labels: Mapping[str, str], height: int = 220) -> go.Figure:
    fig = _base(template, labels, height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=labels["empty"], showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
    )
    return fig


def stacked_bar(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str,
    color_order: Sequence[str],
    color_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    colors: Sequence[str] | None = None,
    x_order: Sequence[object] | None = None,
    x_labels: Mapping[object, str] | None = None,
    horizontal: bool = False,
) -> go.Figure:
    """Bars of ``y`` per ``x``, stacked by ``color`` (in ``color_order``, then any other value).

    ``labels``: ``title``, ``x``, ``y`` (axis titles), ``empty``.
    """
    if df.empty:
        return empty_figure(template, labels)
    xs = list(x_order) if x_order is not None else sorted(df[x].unique())
    shown = [x_labels.get(v, str(v)) if x_labels else str(v) for v in xs]
    order = [c for c in color_order if c in set(df[color])]
    order += sorted(set(df[color]) - set(order), key=str)
    palette = list(colors) if colors else COLORWAY
    n = len(xs)
    fig = _base(template, labels, height=(150 + 24 * n) if horizontal else 340)
    for i, c in enumerate(order):
        part = df[df[color] == c].groupby(x)[y].sum()
        values = [int(part.get(v, 0)) for v in xs]
        name = color_labels.get(c, str(c))
        fig.add_bar(
            x=values if horizontal else shown,
            y=shown if horizontal else values,
            name=name,
            orientation="h" if horizontal else "v",
            marker_color=palette[i % len(palette)],
            hovertemplate=(
                ("%{y}" if horizontal else "%{x}")
                + " · "
                + name
                + ": "
                + ("%{x:,}" if horizontal else "%{y:,}")
                + "<extra></extra>"
            ),
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=labels["x"])
    fig.update_yaxes(title_text=labels["y"])
    if df.groupby(x)[y].sum().max() < 6:  # counts of a few: whole-number ticks, not 0.5 steps
        (fig.update_xaxes if horizontal else fig.update_yaxes)(dtick=1, tick0=0)
    if horizontal:
        fig.update_yaxes(autorange="reversed", ticksuffix="  ")
    else:
        fig.update_xaxes(type="category")
    return fig


def level_stage_bar(
    df: pd.DataFrame,
    *,
    level_labels: Mapping[object, str],
    stage_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Systems per 等保 level, stacked by lifecycle stage (``level``, ``stage``, ``system_count``)."""
    levels = sorted(df["level"].unique()) if not df.empty else []
    return stacked_bar(
        df,
        x="level",
        y="system_count",
        color="stage",
        color_order=STAGES,
        color_labels=stage_labels,
        labels=labels,
        template=template,
        x_order=levels,
        x_labels=level_labels,
    )


def incidents_by_month(
    df: pd.DataFrame,
    *,
    severity_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Incident notices per month, stacked by severity (``month``, ``severity``,
    ``incident_count``); months without a notice are shown as zero."""
    months: list[str] = []
    if not df.empty:
        first, last = pd.Period(df["month"].min(), "M"), pd.Period(df["month"].max(), "M")
        months = [str(p) for p in pd.period_range(first, last, freq="M")]
    p = PALETTE[_theme(template)]
    return stacked_bar(
        df,
        x="month",
        y="incident_count",
        color="severity",
        color_order=SEVERITIES,
        color_labels=severity_labels,
        labels=labels,
        template=template,
        colors=[p["accent"], p["warn"], p["bad"], "#7f1d1d"],
        x_order=months,
    )


def drills_by_year(
    df: pd.DataFrame,
    *,
    level_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Drills per year, stacked by drill level (``drill_year``, ``level``, ``drill_count``)."""
    return stacked_bar(
        df,
        x="drill_year",
        y="drill_count",
        color="level",
        color_order=DRILL_LEVELS,
        color_labels=level_labels,
        labels=labels,
        template=template,
    )


def filings_by_year(
    df: pd.DataFrame,
    *,
    level_labels: Mapping[object, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """等保 filings per year filed, stacked by level (``filed_year``, ``level``, ``filing_count``)."""
    return stacked_bar(
        df,
        x="filed_year",
        y="filing_count",
        color="level",
        color_order=sorted(df["level"].unique()) if not df.empty else [],
        color_labels=level_labels,
        labels=labels,
        template=template,
    )


def apps_by_unit(
    df: pd.DataFrame,
    *,
    label_col: str,
    status_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars: app filings per unit stacked by state (``label_col``, ``filed_count``,
    ``to_clean_count``, ``cleaned_count``), units with most apps to clean at the top."""
    if df.empty:
        return empty_figure(template, labels)
    long = df.melt(
        id_vars=[label_col],
        value_vars=["filed_count", "to_clean_count", "cleaned_count"],
        var_name="col",
        value_name="n",
    )
    long["status"] = long["col"].map(
        dict(zip(["filed_count", "to_clean_count", "cleaned_count"], APP_STATUSES, strict=True))
    )
    p = PALETTE[_theme(template)]
    return stacked_bar(
        long,
        x=label_col,
        y="n",
        color="status",
        color_order=APP_STATUSES,
        color_labels=status_labels,
        labels=labels,
        template=template,
        colors=[p["accent"], p["bad"], p["muted"]],
        x_order=list(df[label_col]),
        horizontal=True,
    )

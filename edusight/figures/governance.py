"""Figures of the data-governance page. Pure: data frame + labels + template in, figure out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from edusight.theme import PALETTE, TEMPLATES

BAR_HEIGHT_PX = 26
BASE_HEIGHT_PX = 110


def quarantine_rate_bar(
    rates: pd.DataFrame,
    *,
    label_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars of the quarantine rate per source, highest at the top.

    ``rates``: one row per source with ``label_col`` (the source title), ``quarantine_rate_pct``,
    ``rows_read`` and ``rows_quarantined`` (``queries/meta_quarantine_rate_by_source.sql``).
    ``labels``: translated ``title``, ``x`` (axis title), ``rows_read``, ``rows_quarantined``,
    ``empty`` (shown when there is no row).
    """
    name = next((k for k, v in TEMPLATES.items() if v == template), "light")
    fig = go.Figure()
    fig.update_layout(
        template=template,
        title={"text": labels["title"]},
        xaxis={"title": {"text": labels["x"]}, "ticksuffix": "%", "rangemode": "tozero"},
        yaxis={"title": {"text": ""}, "ticksuffix": "  "},
        showlegend=False,
    )
    if rates.empty:
        fig.update_layout(height=BASE_HEIGHT_PX + 2 * BAR_HEIGHT_PX)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(
            text=labels["empty"], showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
        return fig
    df = rates.assign(
        quarantine_rate_pct=rates["quarantine_rate_pct"].fillna(0).astype(float)
    ).sort_values("quarantine_rate_pct", ascending=True)  # plotly draws the first bar at the bottom
    fig.add_bar(
        x=df["quarantine_rate_pct"],
        y=df[label_col],
        orientation="h",
        marker_color=PALETTE[name]["accent"],
        text=[f"{v:.2f}%" for v in df["quarantine_rate_pct"]],
        textposition="outside",
        cliponaxis=False,
        customdata=df[["rows_read", "rows_quarantined"]].to_numpy(),
        hovertemplate=(
            "%{y}<br>%{x:.2f}%<br>"
            + labels["rows_read"]
            + ": %{customdata[0]:,}<br>"
            + labels["rows_quarantined"]
            + ": %{customdata[1]:,}<extra></extra>"
        ),
    )
    top = float(df["quarantine_rate_pct"].max())
    fig.update_xaxes(range=[0, max(top * 1.18, 1.0)])
    fig.update_layout(height=BASE_HEIGHT_PX + BAR_HEIGHT_PX * len(df), bargap=0.35)
    return fig


def _wrap(label: str, width: int = 16) -> str:
    """Break a long axis label at the space nearest its middle (CJK labels are short)."""
    if len(label) <= width or " " not in label:
        return label
    mid = len(label) // 2
    cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - mid))
    return label[:cut] + "<br>" + label[cut + 1 :]


def conformance_heatmap(
    conf: pd.DataFrame,
    *,
    row_col: str,
    standards: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Conformance % per row (unit or source) × standard, as a coloured grid with the values.

    ``conf``: one row per (``row_col``, ``standard``) with ``conformance_pct``, ``rows_checked``
    and ``rows_failing`` (``edusight.sources_catalog.rollup``); the row order is kept.
    ``standards``: standard code → translated name, in column order. ``labels``: ``title``,
    ``rows_checked``, ``rows_failing``, ``conformance`` (hover), ``empty``. A standard that no
    rule of a row's sources checks is left blank (not 100%).
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if conf.empty:
        fig.update_layout(height=BASE_HEIGHT_PX + 2 * BAR_HEIGHT_PX)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(
            text=labels["empty"], showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
        return fig
    rows = list(dict.fromkeys(conf[row_col]))
    cols = [s for s in standards if s in set(conf["standard"])] or list(standards)
    grid = conf.pivot_table(
        index=row_col, columns="standard", values="conformance_pct", aggfunc="first", sort=False
    ).reindex(index=rows, columns=cols)
    checked = conf.pivot_table(
        index=row_col, columns="standard", values="rows_checked", aggfunc="first", sort=False
    ).reindex(index=rows, columns=cols)
    failing = conf.pivot_table(
        index=row_col, columns="standard", values="rows_failing", aggfunc="first", sort=False
    ).reindex(index=rows, columns=cols)
    z = grid.to_numpy(dtype=float)
    # rounded down, so that a cell with any failing row never reads 100%
    text = [["" if pd.isna(v) else f"{np.floor(v * 10) / 10:.1f}%" for v in r] for r in z]
    custom = [
        [
            [("" if pd.isna(c) else f"{int(c):,}"), ("" if pd.isna(f) else f"{int(f):,}")]
            for c, f in zip(cr, fr, strict=True)
        ]
        for cr, fr in zip(checked.to_numpy(), failing.to_numpy(), strict=True)
    ]
    name = next((k for k, v in TEMPLATES.items() if v == template), "light")
    pal = PALETTE[name]
    fig.add_heatmap(
        z=z,
        x=[_wrap(standards[c]) for c in cols],
        y=rows,
        text=text,
        texttemplate="%{text}",
        customdata=custom,
        zmin=80,
        zmax=100,
        colorscale=[[0.0, pal["bad"]], [0.5, pal["warn"]], [1.0, pal["good"]]],
        colorbar={"title": {"text": "%"}, "ticksuffix": "%", "thickness": 12},
        xgap=2,
        ygap=2,
        hovertemplate=(
            "%{y} · %{x}<br>"
            + labels["conformance"]
            + ": %{z:.2f}%<br>"
            + labels["rows_failing"]
            + ": %{customdata[1]} / "
            + labels["rows_checked"]
            + ": %{customdata[0]}<extra></extra>"
        ),
    )
    fig.update_yaxes(autorange="reversed", ticksuffix="  ")
    fig.update_xaxes(side="top", tickangle=0)
    fig.update_layout(
        height=BASE_HEIGHT_PX + 60 + BAR_HEIGHT_PX * len(rows),
        margin={"t": 110},
        title={"y": 0.99, "yanchor": "top"},
    )
    return fig

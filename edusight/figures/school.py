"""Figures of the school profile page (学校档案). Pure: frames + labels + theme in, figure out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from plotly.subplots import make_subplots

from edusight.figures.coverage import (
    NO_DATA,
    OUTLINE,
    STATUS_COLORS,
    Deck,
    _bounds,
    _geometry,
    _theme_name,
    _tooltip,
    fit_view,
    hex_rgba,
)
from edusight.theme import COLORWAY, LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES


def _empty(fig: go.Figure, text: str, height: int = 220) -> go.Figure:
    fig.update_layout(height=height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def location_map(
    school: Mapping[str, Any],
    divisions: Mapping[str, Any] | None = None,
    *,
    status: str | None,
    labels: Mapping[str, str],
    theme: str = "light",
) -> pdk.Deck:
    """The school as a point inside its division's outline (the division highlighted).

    ``school``: a row of ``queries/school_info.sql`` (school_id, school_name, unit_code, lon,
    lat, unit_name_*). ``status``: its digital-campus status (colour) or None. ``labels``:
    ``tip_1`` (shown under the name, e.g. the status), ``unit`` (the unit's name).
    """
    divisions, _ = _geometry(divisions, {})
    theme = _theme_name(theme)
    p = PALETTE[theme]
    home = next(
        (f for f in divisions["features"] if f["properties"]["unit_code"] == school["unit_code"]),
        None,
    )
    features = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "fill": hex_rgba(p["accent"], 40) if f is home else hex_rgba(NO_DATA[theme], 70),
            },
        }
        for f in divisions["features"]
    ]
    point = {
        "lon": float(school["lon"]),
        "lat": float(school["lat"]),
        "tip_title": str(school["school_name"]),
        "tip_1": labels["tip_1"],
        "tip_2": labels["unit"],
        "tip_3": str(school["school_id"]),
        "fill": hex_rgba(STATUS_COLORS.get(status or "", p["accent"])),
    }
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection", "features": features},
            id="sp-divisions",
            pickable=False,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=hex_rgba(OUTLINE[theme]),
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            [point],
            id="sp-school",
            pickable=True,
            stroked=True,
            filled=True,
            get_position=["lon", "lat"],
            get_fill_color="fill",
            get_line_color=hex_rgba(p["text"]),
            get_radius=8,
            radius_units=pdk.types.String("pixels"),
            line_width_units=pdk.types.String("pixels"),
            get_line_width=2,
        ),
    ]
    if home is not None:
        view = fit_view(_bounds(home["geometry"]["coordinates"]), width_px=420, height_px=300)
    else:
        view = pdk.ViewState(longitude=point["lon"], latitude=point["lat"], zoom=10)
    return Deck(layers=layers, initial_view_state=view, map_provider=None, tooltip=_tooltip(theme))


def assessment_history(
    history: pd.DataFrame,
    dimensions: Sequence[tuple[str, str, float]],
    *,
    pass_score: float | None,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Top: the weighted score of each assessment against the pass score. Bottom: a heatmap of
    the dimension scores (rows) per assessment (columns), failed cells outlined in the text.

    ``history``: ``queries/school_campus_history.sql``. ``dimensions``: (column, label, minimum
    score) per dimension, in display order. ``labels``: ``title``, ``score``, ``pass``,
    ``pass_yes``, ``pass_no``, ``empty``.
    """
    theme = next((k for k, v in TEMPLATES.items() if v == template), "light")
    if history.empty:
        fig = go.Figure()
        fig.update_layout(template=template, title={"text": labels["title"]})
        return _empty(fig, labels["empty"], 260)
    x = list(history["period"])
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.35, 0.65], vertical_spacing=0.06
    )
    ok = history["is_pass"].fillna(False).astype(bool)
    fig.add_scatter(
        x=x,
        y=history["weighted_score"],
        mode="lines+markers+text",
        text=[f"{v:.1f}" for v in history["weighted_score"]],
        textposition="top center",
        line={"color": PALETTE[theme]["accent"], "width": 2},
        marker={
            "size": 10,
            "color": [STATUS_COLORS["covered"] if v else STATUS_COLORS["failing"] for v in ok],
        },
        customdata=[labels["pass_yes"] if v else labels["pass_no"] for v in ok],
        hovertemplate="%{x}: %{y:.1f} · %{customdata}<extra></extra>",
        name=labels["score"],
        row=1,
        col=1,
    )
    if pass_score is not None:
        fig.add_hline(
            y=pass_score,
            line={"dash": "dash", "width": 1, "color": PALETTE[theme]["muted"]},
            annotation_text=labels["pass"],
            annotation_position="bottom right",
            row=1,
            col=1,
        )
    z, text = [], []
    for column, _, minimum in dimensions:
        vals = history[column].tolist()
        z.append(vals)
        text.append([("✗ " if v < minimum else "") + f"{v:.0f}" for v in vals])
    fig.add_heatmap(
        z=z,
        x=x,
        y=[label for _, label, _ in dimensions],
        text=text,
        texttemplate="%{text}",
        colorscale=[[0, "#d73027"], [0.5, "#fee08b"], [0.75, "#d9ef8b"], [1, "#1a9850"]],
        zmin=40,
        zmax=100,
        showscale=False,
        hovertemplate="%{y} · %{x}: %{z:.1f}<extra></extra>",
        xgap=2,
        ygap=2,
        row=2,
        col=1,
    )
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    lo = min(float(history["weighted_score"].min()), pass_score or 100) - 8
    fig.update_yaxes(range=[max(lo, 0), 100], row=1, col=1, title={"text": labels["score"]})
    fig.update_xaxes(type="category")
    fig.update_layout(
        template=template,
        title={"text": labels["title"]},
        height=250 + 26 * len(dimensions),
        showlegend=False,
    )
    return fig


def learning_space_trend(
    spaces: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Monthly active teachers and pupils with the spaces opened (cumulative), by month.

    ``spaces``: ``queries/school_learning_space.sql``. ``labels``: ``title``, ``y``,
    ``active_teacher_count``, ``active_student_count``, ``teacher_space_count``,
    ``student_space_count``, ``empty``.
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    if spaces.empty:
        return _empty(fig, labels["empty"])
    x = pd.to_datetime(spaces["month"] + "-01")
    for i, c in enumerate(
        [
            "student_space_count",
            "active_student_count",
            "teacher_space_count",
            "active_teacher_count",
        ]
    ):
        fig.add_scatter(
            x=x,
            y=spaces[c],
            mode="lines",
            name=labels[c],
            line={
                "color": COLORWAY[i // 2],
                "dash": "dot" if c.endswith("space_count") else "solid",
                "width": 2,
            },
        )
    fig.update_yaxes(title={"text": labels["y"]}, rangemode="tozero")
    fig.update_layout(height=320, legend=LEGEND_TOP, margin={"t": LEGEND_TOP_MARGIN_PX})
    return fig


def equipment_table(
    equipment: pd.DataFrame, rows: Mapping[str, str], yes: str, no: str
) -> pd.DataFrame:
    """The equipment ledger transposed: one row per indicator (label from ``rows``), one column
    per year; booleans as ``yes``/``no``. Empty input gives an empty frame."""
    if equipment.empty:
        return pd.DataFrame(columns=["indicator"])
    eq = equipment.set_index("year")[list(rows)]
    out = {}
    for year, r in eq.iterrows():
        vals = []
        for c in rows:
            v = r[c]
            if isinstance(v, (bool, np.bool_)):
                vals.append(yes if v else no)
            elif pd.isna(v):
                vals.append("—")
            elif c.endswith("_pct"):
                vals.append(f"{float(v):.0f}%")
            else:
                vals.append(f"{float(v):,.0f}")
        out[str(int(year))] = vals
    return pd.DataFrame({"indicator": list(rows.values()), **out})

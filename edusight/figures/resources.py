"""Figures of the digital-resources page (work item 十二). Pure: frame + labels + template in.

Every builder takes translated ``labels`` (``title``, axis titles, ``empty``) and returns a
figure that says what it counts; an empty frame gives an empty figure with the ``empty`` text.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from edusight.theme import COLORWAY, LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES

KINDS = ("专递课堂", "名师课堂", "名校网络课堂")  # 三个课堂, in the plan's order
LEVELS = ("幼儿园", "小学", "初中", "高中", "中职", "特教")
GRADE_COLORS = {"优秀": "good", "良好": "accent", "合格": "warn", "不合格": "bad"}
CHENGDU_VIEW = {"latitude": 30.68, "longitude": 103.95, "zoom": 7.7, "pitch": 30}


def _theme(template: str) -> str:
    return next((k for k, v in TEMPLATES.items() if v == template), "light")


def _base(template: str, labels: Mapping[str, str], height: int = 360) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template=template,
        title={"text": labels["title"]},
        height=height,
        legend=LEGEND_TOP,
        margin={"t": LEGEND_TOP_MARGIN_PX},
        hovermode="closest",
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


def subject_bar(
    df: pd.DataFrame,
    *,
    level_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars: resources collected per subject, stacked by 学段, largest at the top.

    ``df``: ``subject``, ``level``, ``collected_count`` (queries/resources_by_subject.sql).
    ``labels``: ``title``, ``x``, ``empty``.
    """
    if df.empty:
        return empty_figure(template, labels)
    totals = df.groupby("subject")["collected_count"].sum().sort_values()
    fig = _base(template, labels, height=140 + 24 * len(totals))
    for i, level in enumerate([lv for lv in LEVELS if lv in set(df["level"])]):
        part = df[df["level"] == level].set_index("subject")["collected_count"]
        fig.add_bar(
            y=list(totals.index),
            x=[int(part.get(s, 0)) for s in totals.index],
            name=level_labels.get(level, level),
            orientation="h",
            marker_color=COLORWAY[i % len(COLORWAY)],
            hovertemplate="%{y} · " + level_labels.get(level, level) + ": %{x}<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis_title_text=labels["x"], yaxis_ticksuffix="  ")
    return fig


def conformance_bar(
    df: pd.DataFrame,
    *,
    label_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars: share of resources meeting each metadata element, lowest at the top.

    ``df``: ``label_col`` (element name), ``conforming_pct``, ``conforming_count``,
    ``applicable_count``, ``is_required`` (queries/resources_metadata_conformance.sql).
    ``labels``: ``title``, ``x``, ``empty``, ``optional`` (suffix of optional elements).
    """
    if df.empty:
        return empty_figure(template, labels)
    p = PALETTE[_theme(template)]
    d = df.assign(pct=df["conforming_pct"].fillna(0).astype(float)).sort_values(
        "pct", ascending=False
    )
    names = [
        f"{n}" if req else f"{n} ({labels['optional']})"
        for n, req in zip(d[label_col], d["is_required"], strict=True)
    ]
    colors = [p["good"] if v >= 95 else p["warn"] if v >= 80 else p["bad"] for v in d["pct"]]
    fig = _base(template, labels, height=120 + 26 * len(d))
    fig.add_bar(
        x=d["pct"],
        y=names,
        orientation="h",
        marker_color=colors,
        text=[f"{v:.1f}%" for v in d["pct"]],
        textposition="outside",
        cliponaxis=False,
        customdata=d[["conforming_count", "applicable_count"]].to_numpy(),
        hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
    )
    fig.update_layout(showlegend=False, yaxis_ticksuffix="  ")
    fig.update_xaxes(title_text=labels["x"], range=[0, 112], ticksuffix="%")
    return fig


def usage_lines(
    df: pd.DataFrame, *, labels: Mapping[str, str], template: str = TEMPLATES["light"]
) -> go.Figure:
    """Views and downloads per month (``month``, ``view_count``, ``download_count``).

    ``labels``: ``title``, ``y``, ``views``, ``downloads``, ``empty``.
    """
    if df.empty:
        return empty_figure(template, labels)
    fig = _base(template, labels)
    for colname, key, color in (
        ("view_count", "views", COLORWAY[0]),
        ("download_count", "downloads", COLORWAY[1]),
    ):
        fig.add_scatter(
            x=df["month"],
            y=df[colname],
            name=labels[key],
            mode="lines",
            line={"color": color, "width": 2},
            hovertemplate="%{x}: %{y:,}<extra>" + labels[key] + "</extra>",
        )
    fig.update_layout(yaxis_title_text=labels["y"], hovermode="x unified")
    fig.update_xaxes(type="category", nticks=12)
    return fig


def classroom_trend(
    df: pd.DataFrame,
    *,
    kind_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Lessons per month, one line per kind of classroom (``month``, ``kind``, ``session_count``).

    ``labels``: ``title``, ``y``, ``empty``.
    """
    if df.empty:
        return empty_figure(template, labels)
    months = sorted(df["month"].unique())
    fig = _base(template, labels)
    for i, kind in enumerate(KINDS):
        part = df[df["kind"] == kind].set_index("month")["session_count"]
        if part.empty:
            continue
        fig.add_scatter(
            x=months,
            y=[int(part.get(m, 0)) for m in months],
            name=kind_labels.get(kind, kind),
            mode="lines",
            line={"color": COLORWAY[i], "width": 2},
            hovertemplate="%{x}: %{y:,}<extra>" + kind_labels.get(kind, kind) + "</extra>",
        )
    fig.update_layout(yaxis_title_text=labels["y"], hovermode="x unified")
    fig.update_xaxes(type="category", nticks=12)
    return fig


def classroom_by_unit(
    df: pd.DataFrame,
    *,
    label_col: str,
    kind_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Horizontal bars: lessons per unit, stacked by kind, most active unit at the top.

    ``df``: ``label_col`` (unit name), ``kind``, ``session_count``.
    ``labels``: ``title``, ``x``, ``empty``.
    """
    if df.empty:
        return empty_figure(template, labels)
    totals = df.groupby(label_col)["session_count"].sum().sort_values()
    fig = _base(template, labels, height=140 + 24 * len(totals))
    for i, kind in enumerate(KINDS):
        part = df[df["kind"] == kind].set_index(label_col)["session_count"]
        fig.add_bar(
            y=list(totals.index),
            x=[int(part.get(u, 0)) for u in totals.index],
            name=kind_labels.get(kind, kind),
            orientation="h",
            marker_color=COLORWAY[i],
            hovertemplate="%{y} · " + kind_labels.get(kind, kind) + ": %{x:,}<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis_title_text=labels["x"], yaxis_ticksuffix="  ")
    return fig


def score_histogram(
    df: pd.DataFrame,
    *,
    grade_labels: Mapping[str, str],
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Pairs per latest evaluation grade (优秀/良好/合格/不合格) as bars coloured by grade.

    ``df``: ``evaluation_grade`` (NaN: not evaluated yet). ``labels``: ``title``, ``y``,
    ``empty``, ``not_evaluated``.
    """
    if df.empty:
        return empty_figure(template, labels)
    p = PALETTE[_theme(template)]
    counts = df["evaluation_grade"].fillna("").value_counts()
    grades = [g for g in GRADE_COLORS if counts.get(g, 0) > 0]
    names = [grade_labels.get(g, g) for g in grades]
    values = [int(counts[g]) for g in grades]
    colors = [p[GRADE_COLORS[g]] for g in grades]
    if counts.get("", 0):
        names.append(labels["not_evaluated"])
        values.append(int(counts[""]))
        colors.append(p["muted"])
    fig = _base(template, labels, height=300)
    fig.add_bar(
        x=names,
        y=values,
        marker_color=colors,
        text=values,
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{y}<extra></extra>",
    )
    fig.update_layout(showlegend=False, yaxis_title_text=labels["y"])
    return fig


def grade_rgba(grade: str | None, theme: str = "light") -> list[int]:
    """The RGBA colour of an evaluation grade (muted grey when not evaluated)."""
    key = GRADE_COLORS.get(grade or "", "muted")
    h = PALETTE[theme][key].lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [220]


def pair_arcs(
    df: pd.DataFrame, *, tooltip: str, theme: str = "light", outline: dict | bool | None = None
) -> pdk.Deck:
    """A map of 四川云教 pairs: one arc from the broadcasting to the receiving school, coloured
    by the latest evaluation grade (``queries/resources_cloud_pairs.sql`` rows).

    ``tooltip``: the deck.gl tooltip HTML (``{broadcast_school_name}`` etc. fields of the rows).
    ``outline``: optional GeoJSON of the unit boundaries, drawn under the arcs; ``True``: the
    committed boundaries (``edusight.geo.load_divisions()``).
    """
    if outline is True:
        from edusight import geo

        outline = geo.load_divisions()
    cols = ["broadcast_lon", "broadcast_lat", "lon", "lat"]
    data = df.dropna(subset=cols).copy()
    data["color"] = [
        grade_rgba(g, theme)
        for g in data["evaluation_grade"].where(data["evaluation_grade"].notna(), None)
    ]
    data["score_text"] = data["evaluation_score"].map(lambda v: "—" if pd.isna(v) else f"{v:.0f}")
    records = data[
        [*cols, "color", "score_text", "broadcast_school_name", "school_name", "level"]
        + [c for c in ("grade_label",) if c in data.columns]
    ].to_dict("records")
    p = PALETTE[theme]
    layers = []
    if outline:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                outline,
                stroked=True,
                filled=True,
                get_fill_color=[*grade_rgba(None, theme)[:3], 25],
                get_line_color=[*grade_rgba(None, theme)[:3], 160],
                line_width_min_pixels=1,
            )
        )
    layers.append(
        pdk.Layer(
            "ArcLayer",
            records,
            get_source_position=["broadcast_lon", "broadcast_lat"],
            get_target_position=["lon", "lat"],
            get_source_color="color",
            get_target_color="color",
            get_width=3,
            get_height=0.4,
            pickable=True,
            auto_highlight=True,
        )
    )
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**CHENGDU_VIEW),
        map_provider=None,
        map_style=None,
        tooltip={"html": tooltip, "style": {"backgroundColor": p["panel"], "color": p["text"]}},
    )

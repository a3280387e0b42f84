"""Figures of the exam command screen (智慧招考, work item 十一).

Pure: frames + translated labels + theme in, ``pydeck.Deck`` / plotly figure / HTML out. No
Streamlit, no database: tests call the builders on inline frames.

Maps have no basemap (offline): the division outlines of ``data/geo`` are the base layer.
Colours: site status (``STATUS_COLORS``: 数据中断 violet, alert red, warning amber, no data
grey, normal green); alert severity (``SEVERITY_COLORS``: the emergency levels' red, orange,
yellow, blue); vehicle state (``VEHICLE_COLORS``: a long stop is red and drawn larger); a vehicle
off its planned route is magenta (``OFF_ROUTE_COLOR``), drawn larger, with its planned path.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from edusight.figures.labels import boxes as label_boxes
from edusight.figures.labels import leader, place_labels, project, unproject
from edusight.theme import FONT_FAMILY, PALETTE, TEMPLATES

STATUS_COLORS = {
    "stale": "#a855f7",
    "alert": "#dc2626",
    "warning": "#f59e0b",
    "no_data": "#6b7280",
    "ok": "#16a34a",
}
SEVERITY_COLORS = {"critical": "#dc2626", "high": "#f97316", "medium": "#eab308", "low": "#3b82f6"}
VEHICLE_COLORS = {
    "moving": "#0ea5e9",
    "short_stop": "#f59e0b",
    "long_stop": "#dc2626",
    "delivered": "#16a34a",
}
OFF_ROUTE_COLOR = "#db2777"  # magenta: apart from every state colour, on dark and light
MAP_LAYER_IDS = {
    "divisions": "exam-divisions",
    "sites": "exam-sites",
    "site_labels": "exam-site-labels",
    "site_leaders": "exam-site-leaders",
    "radio": "exam-radio",
    "routes": "exam-routes",
    "off_routes": "exam-off-routes",
    "trails": "exam-trails",
    "vehicles": "exam-vehicles",
    "vehicle_labels": "exam-vehicle-labels",
    "vehicle_leaders": "exam-vehicle-leaders",
    "secure_rooms": "exam-secure-rooms",
}
RGBA = list[int]
MAX_LABELS = 8  # most sites labelled by name on the map (the worst ones)


class Deck(pdk.Deck):
    """``pydeck.Deck`` with compact JSON (pydeck indents, which is slow on boundaries)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def hex_rgba(color: str, alpha: int = 255) -> RGBA:
    c = color.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]


def _theme(theme: str) -> str:
    return theme if theme in PALETTE else "light"


def _clean(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def _records(df: pd.DataFrame, cols: Iterable[str]) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in r.items()} for r in df[list(cols)].to_dict("records")]


def _bounds(coords: Any) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def fit_view(
    bounds: tuple[float, float, float, float], width_px: int = 760, height_px: int = 520
) -> pdk.ViewState:
    x0, y0, x1, y1 = bounds
    lat = (y0 + y1) / 2
    span_x = max(x1 - x0, 1e-3)
    span_y = max((y1 - y0) / math.cos(math.radians(lat)), 1e-3)
    zoom = min(
        math.log2(width_px * 360 / (512 * span_x)), math.log2(height_px * 360 / (512 * span_y)), 13
    )
    return pdk.ViewState(
        longitude=(x0 + x1) / 2, latitude=lat, zoom=round(zoom - 0.2, 2), pitch=0, bearing=0
    )


def _tooltip(theme: str, size_px: int = 13) -> dict[str, Any]:
    p = PALETTE[_theme(theme)]
    return {
        "html": "<b>{tip_title}</b><br/>{tip_1}<br/>{tip_2}<br/>{tip_3}",
        "style": {
            "backgroundColor": p["panel"],
            "color": p["text"],
            "fontFamily": FONT_FAMILY,
            "fontSize": f"{size_px}px",
            "border": f"1px solid {p['grid']}",
            "borderRadius": "4px",
            "padding": "6px 8px",
        },
    }


def _base_layer(divisions: Mapping[str, Any], theme: str, name_col: str) -> pdk.Layer:
    p = PALETTE[theme]
    feats = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "tip_title": f["properties"].get(name_col, f["properties"]["unit_code"]),
                "tip_1": "",
                "tip_2": "",
                "tip_3": "",
            },
        }
        for f in divisions["features"]
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": feats},
        id=MAP_LAYER_IDS["divisions"],
        pickable=False,
        stroked=True,
        filled=True,
        get_fill_color=hex_rgba(p["panel"], 255),
        get_line_color=hex_rgba(p["muted"], 160),
        line_width_min_pixels=1,
    )


def _short_site(name: str) -> str:
    """A site's name as a map label: without the city prefix and the word 考点."""
    return str(name).removeprefix("成都市").replace("考点", "")


def _tag(name: str, status: str) -> str:
    """A map label: the name and, in brackets, the status (no space before them in Chinese;
    full-width brackets print with a blank half-em inside in the map's font)."""
    return f"{name}({status})" if any(ord(c) > 0x2E7F for c in status) else f"{name} ({status})"


def _placed(
    tagged: list[dict],
    markers: list[dict],
    view: pdk.ViewState,
    size_px: tuple[int, int],
    font_px: int,
    within: tuple[float, float, float, float],
) -> tuple[list[dict], list[dict]]:
    """``tagged`` (most important first) each with ``at``, where its label goes: clear of the
    other labels and of every marker, near the city's outline ``within`` (the map may be drawn
    narrower than ``size_px``: edusight/figures/labels.py); and the leader lines that tie a
    label set apart to its marker. Positions are map coordinates, so labels and leaders keep
    with their markers when the map is zoomed or panned."""
    v = (view.longitude, view.latitude, view.zoom)
    items = [(r["lon"], r["lat"], r["radius"] + 1.5, r["label"]) for r in tagged]
    offsets = place_labels(
        items, [(r["lon"], r["lat"], r["radius"] + 1.5) for r in markers], v, size_px, font_px,
        within=within,
    )  # fmt: skip
    out, leaders = [], []
    for r, item, box in zip(tagged, items, label_boxes(items, offsets, v, size_px, font_px),
                            strict=True):  # fmt: skip
        x, y = project(r["lon"], r["lat"], v, size_px)
        out.append(
            {**r, "at": list(unproject((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, v, size_px))}
        )
        line = leader(box, x, y, item[2])
        if line is not None:
            leaders.append({"from": list(unproject(*line[0], v, size_px)),
                            "to": list(unproject(*line[1], v, size_px))})  # fmt: skip
    return out, leaders


def _leader_layer(leaders: list[dict], layer_id: str, theme: str) -> pdk.Layer:
    return pdk.Layer(
        "LineLayer",
        leaders,
        id=layer_id,
        pickable=False,
        get_source_position="from",
        get_target_position="to",
        get_color=hex_rgba(PALETTE[theme]["text"], 170),
        get_width=1.2,
        width_units=pdk.types.String("pixels"),
    )


def _text_layer(data: list[dict], layer_id: str, theme: str, size: int) -> pdk.Layer:
    """Labels centred at each record's ``at`` (see ``_placed``)."""
    p = PALETTE[theme]
    return pdk.Layer(
        "TextLayer",
        data,
        id=layer_id,
        pickable=False,
        get_position="at",
        get_text="label",
        get_size=size,
        get_color=hex_rgba(p["text"]),
        font_family=pdk.types.String(FONT_FAMILY),
        font_weight=600,
        character_set=pdk.types.String("auto"),
        outline_width=3,
        outline_color=hex_rgba(p["bg"]),
        font_settings={"sdf": True},
        background=True,  # readable over markers and leader lines
        get_background_color=hex_rgba(p["bg"], 215),
        background_padding=[4, 2],
    )


# --- the site map -----------------------------------------------------------------------------


def site_map(
    sites: pd.DataFrame,
    divisions: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    theme: str = "light",
    name_col: str = "name_zh",
    radio: pd.DataFrame | None = None,
    selected_site: str | None = None,
    big: bool = False,
    size_px: tuple[int, int] = (700, 430),
) -> pdk.Deck:
    """Exam sites coloured by status over the division outlines, sized by candidates.

    ``sites``: site_code, site_name, lon, lat, candidates, status, tip_1…tip_3 (translated
    status, check-in, cameras/alerts lines). Stale and alerting sites are labelled by name.
    ``radio``: located radio signals (lon, lat, tip_*), drawn as red rings.
    ``labels``: one label per status (``STATUS_COLORS``).
    """
    theme = _theme(theme)
    p = PALETTE[theme]
    layers = [_base_layer(divisions, theme, name_col)]
    city = _bounds([f["geometry"]["coordinates"] for f in divisions["features"]])
    view = fit_view(city, *size_px)
    if len(sites):
        pts = sites.dropna(subset=["lon", "lat"]).copy()
        # many sites: smaller markers, so the crowded centre stays legible
        scale = (1.5 if big else 1.0) * min(1.0, max(0.6, math.sqrt(20 / max(len(pts), 1))))
        pts["fill"] = [hex_rgba(STATUS_COLORS.get(s, "#6b7280")) for s in pts["status"]]
        cand = pts["candidates"].astype(float).clip(lower=1)
        pts["radius"] = (5 + 7 * (cand / cand.max()) ** 0.5) * scale
        pts.loc[pts["status"].isin(["stale", "alert"]), "radius"] *= 1.35
        pts["line"] = [
            hex_rgba(p["text"]) if c == selected_site else hex_rgba(p["bg"])
            for c in pts["site_code"]
        ]
        pts["line_w"] = [3.0 if c == selected_site else 1.5 for c in pts["site_code"]]
        pts["tip_title"] = pts["site_name"]
        for k in ("tip_1", "tip_2", "tip_3"):
            if k not in pts:
                pts[k] = ""
        # label the selected site and the worst few (alerts first, then interrupted, larger first)
        worst = pts[pts["status"].isin(["alert", "stale"])].sort_values(
            ["status", "candidates"], ascending=[True, False]
        )
        ranked = [selected_site, *worst["site_code"].head(MAX_LABELS)]
        tagged_codes = set(ranked)
        pts["label"] = [
            _tag(_short_site(n), labels.get(s, s)) if c in tagged_codes else ""
            for n, s, c in zip(pts["site_name"], pts["status"], pts["site_code"], strict=True)
        ]
        cols = ["site_code", "lon", "lat", "fill", "radius", "line", "line_w", "label",
                "tip_title", "tip_1", "tip_2", "tip_3"]  # fmt: skip
        recs = _records(pts, cols)
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                recs,
                id=MAP_LAYER_IDS["sites"],
                pickable=True,
                stroked=True,
                filled=True,
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_line_color="line",
                get_line_width="line_w",
                get_radius="radius",
                radius_units=pdk.types.String("pixels"),
                line_width_units=pdk.types.String("pixels"),
            )
        )
        rank = {c: i for i, c in reversed(list(enumerate(ranked)))}
        tagged = sorted((r for r in recs if r["label"]), key=lambda r: rank[r["site_code"]])
        if tagged:
            font = 15 if big else 12
            placed, leaders = _placed(tagged, recs, view, size_px, font, city)
            if leaders:  # over the markers, under the labels: marker's edge to its label
                layers.append(_leader_layer(leaders, MAP_LAYER_IDS["site_leaders"], theme))
            layers.append(_text_layer(placed, MAP_LAYER_IDS["site_labels"], theme, font))
    if radio is not None and len(radio):
        rr = radio.dropna(subset=["lon", "lat"])
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                _records(rr, ["lon", "lat", "tip_title", "tip_1", "tip_2", "tip_3"]),
                id=MAP_LAYER_IDS["radio"],
                pickable=True,
                stroked=True,
                filled=False,
                get_position=["lon", "lat"],
                get_line_color=hex_rgba(SEVERITY_COLORS["critical"]),
                get_radius=14 if big else 10,
                get_line_width=3,
                radius_units=pdk.types.String("pixels"),
                line_width_units=pdk.types.String("pixels"),
            )
        )
    return Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip=_tooltip(theme, 16 if big else 13),
    )


# --- the transport map ----------------------------------------------------------------------------


def _parse_path(waypoints: str) -> list[list[float]]:
    return [[float(v) for v in p.split(",")] for p in str(waypoints).split(";") if "," in p]


def transport_map(
    routes: pd.DataFrame,
    vehicles: pd.DataFrame,
    trails: pd.DataFrame,
    divisions: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    theme: str = "light",
    name_col: str = "name_zh",
    big: bool = False,
    size_px: tuple[int, int] = (700, 430),
) -> pdk.Deck:
    """Paper vehicles: planned paths of the active routes (faint), recent GPS trails and the
    latest positions coloured by state; a long stop is drawn larger and labelled with the plate.
    A vehicle off its planned route (``is_off_route``) stands out: magenta, larger, labelled
    with the plate and the distance, its planned path drawn boldly in the same colour.

    ``routes``: route_id, waypoints, is_active, secure_room_lon/lat, secure_room_name_zh.
    ``vehicles``: route_id, vehicle_id, lon, lat, state, tip_1…tip_3; optional is_off_route,
    off_route_m. ``trails``: route_id, path. ``labels``: one per vehicle state, ``off_route``
    and ``secure_room``.
    """
    theme = _theme(theme)
    p = PALETTE[theme]
    layers = [_base_layer(divisions, theme, name_col)]
    city = _bounds([f["geometry"]["coordinates"] for f in divisions["features"]])
    view = fit_view(city, *size_px)
    off = (
        vehicles["is_off_route"].fillna(False).astype(bool)
        if len(vehicles) and "is_off_route" in vehicles
        else pd.Series(False, index=vehicles.index)
    )
    off_ids = set(vehicles.loc[off, "route_id"]) if len(vehicles) else set()
    active = routes[routes["is_active"]] if len(routes) else routes
    if len(active):
        paths = [{"path": _parse_path(w)} for w in active["waypoints"]]
        layers.append(
            pdk.Layer(
                "PathLayer",
                paths,
                id=MAP_LAYER_IDS["routes"],
                pickable=False,
                get_path="path",
                get_color=hex_rgba(p["muted"], 150),
                get_width=2,
                width_units=pdk.types.String("pixels"),
            )
        )
        rooms = active.dropna(subset=["secure_room_lon"]).drop_duplicates("secure_room_code")
        if len(rooms):
            recs = [
                {"lon": r.secure_room_lon, "lat": r.secure_room_lat, "tip_title": r.secure_room_name_zh,
                 "tip_1": labels.get("secure_room", ""), "tip_2": "", "tip_3": ""}
                for r in rooms.itertuples()
            ]  # fmt: skip
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    recs,
                    id=MAP_LAYER_IDS["secure_rooms"],
                    pickable=True,
                    stroked=True,
                    filled=True,
                    get_position=["lon", "lat"],
                    get_fill_color=hex_rgba(p["text"]),
                    get_line_color=hex_rgba(p["bg"]),
                    get_radius=6 if big else 4,
                    get_line_width=1,
                    radius_units=pdk.types.String("pixels"),
                    line_width_units=pdk.types.String("pixels"),
                )
            )
    if off_ids and len(routes):
        planned = routes[routes["route_id"].isin(off_ids)]
        layers.append(
            pdk.Layer(
                "PathLayer",
                [{"path": _parse_path(w)} for w in planned["waypoints"]],
                id=MAP_LAYER_IDS["off_routes"],
                pickable=False,
                get_path="path",
                get_color=hex_rgba(OFF_ROUTE_COLOR, 230),
                get_width=5 if big else 4,
                width_units=pdk.types.String("pixels"),
            )
        )
    if len(trails) and len(vehicles):
        st_ = dict(zip(vehicles["route_id"], vehicles["state"], strict=True))
        recs = [
            {
                "path": t.path,
                "color": hex_rgba(
                    OFF_ROUTE_COLOR
                    if t.route_id in off_ids
                    else VEHICLE_COLORS.get(st_.get(t.route_id), "#0ea5e9"),
                    200,
                ),
            }
            for t in trails.itertuples()
            if t.route_id in st_ and len(t.path) > 1
        ]
        layers.append(
            pdk.Layer(
                "PathLayer",
                recs,
                id=MAP_LAYER_IDS["trails"],
                pickable=False,
                get_path="path",
                get_color="color",
                get_width=4 if big else 3,
                width_units=pdk.types.String("pixels"),
            )
        )
    if len(vehicles):
        v = vehicles.copy()
        scale = 1.4 if big else 1.0
        dist = v["off_route_m"] if "off_route_m" in v else pd.Series(None, index=v.index)
        v["fill"] = [
            hex_rgba(OFF_ROUTE_COLOR if o else VEHICLE_COLORS.get(s, "#6b7280"))
            for s, o in zip(v["state"], off, strict=True)
        ]
        v["radius"] = [
            (11 if o or s == "long_stop" else 6) * scale
            for s, o in zip(v["state"], off, strict=True)
        ]
        v["tip_title"] = v["vehicle_id"]
        for k in ("tip_1", "tip_2", "tip_3"):
            if k not in v:
                v[k] = ""
        v["label"] = [
            f"{plate} {labels.get('off_route', 'off route')} {float(d) / 1000:.1f} km"
            if o
            else (f"{plate} {labels.get(s, s)}" if s == "long_stop" else "")
            for plate, s, o, d in zip(v["vehicle_id"], v["state"], off, dist, strict=True)
        ]
        # the vehicles that need attention are drawn last, on top of the others
        v = v.assign(_top=np.asarray(off, dtype=bool) | (v["state"] == "long_stop").to_numpy(),
                     off=np.asarray(off, dtype=bool))  # fmt: skip
        v = v.sort_values("_top", kind="stable")
        recs = _records(v, ["route_id", "lon", "lat", "fill", "radius", "label", "off",
                            "tip_title", "tip_1", "tip_2", "tip_3"])  # fmt: skip
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                recs,
                id=MAP_LAYER_IDS["vehicles"],
                pickable=True,
                stroked=True,
                filled=True,
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_line_color=hex_rgba(p["bg"]),
                get_radius="radius",
                get_line_width=1.5,
                radius_units=pdk.types.String("pixels"),
                line_width_units=pdk.types.String("pixels"),
            )
        )
        # off their route first (labelled with the distance), then long stops
        tagged = sorted((r for r in recs if r["label"]), key=lambda r: not r["off"])
        if tagged:
            font = 15 if big else 12
            placed, leaders = _placed(tagged, recs, view, size_px, font, city)
            if leaders:  # over the markers, under the labels: marker's edge to its label
                layers.append(_leader_layer(leaders, MAP_LAYER_IDS["vehicle_leaders"], theme))
            layers.append(_text_layer(placed, MAP_LAYER_IDS["vehicle_labels"], theme, font))
    return Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip=_tooltip(theme, 16 if big else 13),
    )


# --- the check-in curve ---------------------------------------------------------------------------


def checkin_curve(
    curve: pd.DataFrame,
    *,
    expected: int,
    start_at: Any,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    height: int = 260,
) -> go.Figure:
    """Cumulative candidates checked in (exam clock, 5-minute steps) against the expected number,
    with the session start marked. ``labels``: ``title``, ``y``, ``expected``, ``start``, ``empty``."""
    fig = go.Figure()
    if len(curve):
        fig.add_trace(
            go.Scatter(
                x=curve["bucket_at"],
                y=curve["cumulative_count"],
                mode="lines",
                line={"width": 3, "shape": "hv"},
                name=labels["y"],
                hovertemplate="%{x|%H:%M}  %{y:,}<extra></extra>",
            )
        )
    else:
        fig.add_annotation(
            text=labels["empty"], showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    if expected:
        fig.add_hline(
            y=expected,
            line_dash="dot",
            annotation_text=labels["expected"],
            annotation_position="top left",
        )
    if start_at is not None and len(curve):
        fig.add_vline(x=pd.Timestamp(start_at), line_dash="dash")
        fig.add_annotation(x=pd.Timestamp(start_at), y=1, yref="paper", text=labels["start"], showarrow=False,
                           yanchor="bottom")  # fmt: skip
    fig.update_layout(
        template=template,
        title=labels["title"],
        height=height,
        showlegend=False,
        margin={"l": 8, "r": 16, "t": 40, "b": 8},
        yaxis={"rangemode": "tozero", "tickformat": ",d"},
        xaxis={"tickformat": "%H:%M"},
    )
    return fig


# --- HTML pieces ------------------------------------------------------------------------------------


def legend_html(
    items: Mapping[str, tuple[str, str]], theme: str = "light", big: bool = False
) -> str:
    """A one-line legend: ``{key: (colour, label)}``."""
    p = PALETTE[_theme(theme)]
    size = "1.05rem" if big else "0.85rem"
    spans = "".join(
        f'<span style="margin-right:1.1em;white-space:nowrap">'
        f'<span style="display:inline-block;width:0.8em;height:0.8em;border-radius:50%;'
        f'background:{c};margin-right:0.35em;vertical-align:-0.05em"></span>{html.escape(lbl)}</span>'
        for c, lbl in items.values()
    )
    return f'<div class="es-legend" style="font-size:{size};color:{p["muted"]}">{spans}</div>'


def banner_html(level: str, title: str, body: str = "", big: bool = False) -> str:
    """A full-width banner: ``level`` stale (red), none (red or grey), sim (blue), info (grey)."""
    colors = {"stale": ("#b91c1c", "#ffffff"), "none": ("#b91c1c", "#ffffff"),
              "info": ("#374151", "#ffffff"), "sim": ("#1e3a8a", "#e0e7ff")}  # fmt: skip
    bg, fg = colors.get(level, colors["info"])
    size = "1.6rem" if big else "1.15rem"
    return (
        f'<div class="es-banner es-banner-{html.escape(level)}" role="alert" '
        f'style="background:{bg};color:{fg};padding:0.6em 1em;border-radius:6px;'
        f'font-size:{size};font-weight:600;margin:0.2em 0 0.6em 0">'
        f"{html.escape(title)}"
        + (
            f'<div style="font-size:0.7em;font-weight:400;margin-top:0.2em">{html.escape(body)}</div>'
            if body
            else ""
        )
        + "</div>"
    )


def clock_html(
    session_label: str,
    countdown_label: str,
    countdown: str,
    now_label: str,
    theme: str = "light",
    big: bool = False,
) -> str:
    """The session clock: the session, a large countdown, and the exam-clock time."""
    p = PALETTE[_theme(theme)]
    size = 3.0 if big else 2.1
    return (
        f'<div class="es-clock" style="display:flex;align-items:baseline;gap:1.2em;flex-wrap:wrap;'
        f'background:{p["panel"]};border-radius:8px;padding:0.4em 0.9em;margin-bottom:0.5em">'
        f'<span style="font-size:{size * 0.5}rem;font-weight:600;color:{p["text"]}">{html.escape(session_label)}</span>'
        f'<span style="font-size:{size * 0.45}rem;color:{p["muted"]}">{html.escape(countdown_label)}</span>'
        f'<span class="es-countdown" style="font-size:{size}rem;font-weight:700;color:{p["accent"]};'
        f'font-variant-numeric:tabular-nums">{html.escape(countdown)}</span>'
        f'<span style="font-size:{size * 0.45}rem;color:{p["muted"]};margin-left:auto">{html.escape(now_label)}</span>'
        "</div>"
    )


def alert_list_html(
    rows: list[dict[str, str]], theme: str = "light", big: bool = False, empty: str = ""
) -> str:
    """The alert timeline as a list (big screens): each row has ``severity``, ``time``,
    ``title``, ``site``, ``state`` and ``ack`` (already translated)."""
    p = PALETTE[_theme(theme)]
    size = "1.1rem" if big else "0.92rem"
    if not rows:
        return f'<div class="es-alerts" style="font-size:{size};color:{p["muted"]}">{html.escape(empty)}</div>'
    items = []
    for r in rows:
        c = SEVERITY_COLORS.get(r["severity"], "#6b7280")
        faded = "opacity:0.55;" if r.get("closed") else ""
        items.append(
            f'<div class="es-alert" style="border-left:6px solid {c};padding:0.25em 0.6em;margin:0 0 0.35em 0;'
            f'background:{p["panel"]};border-radius:4px;{faded}">'
            f'<div><span style="font-variant-numeric:tabular-nums;color:{p["muted"]}">{html.escape(r["time"])}</span> '
            f'<b style="color:{c}">{html.escape(r["severity_label"])}</b> '
            f'<span style="color:{p["text"]}">{html.escape(r["title"])}</span></div>'
            f'<div style="font-size:0.85em;color:{p["muted"]}">{html.escape(_short_site(r["site"]))} · {html.escape(r["state"])}'
            f"{(' · ' + html.escape(r['ack'])) if r.get('ack') else ''}</div></div>"
        )
    return f'<div class="es-alerts" style="font-size:{size}">{"".join(items)}</div>'


def site_list_html(
    rows: list[dict[str, str]], theme: str = "light", big: bool = False, empty: str = ""
) -> str:
    """Sites needing attention as a compact list (big screens): each row has ``status``,
    ``status_label``, ``name`` and ``detail`` (already translated). Names go without the city
    and the word 考点, as on the map."""
    p = PALETTE[_theme(theme)]
    size = "1.05rem" if big else "0.9rem"
    if not rows:
        return f'<div class="es-sites" style="font-size:{size};color:{p["muted"]}">{html.escape(empty)}</div>'
    items = []
    for r in rows:
        c = STATUS_COLORS.get(r["status"], "#6b7280")
        items.append(
            f'<div class="es-site" style="display:flex;gap:0.6em;align-items:baseline;padding:0.15em 0">'
            f'<span style="background:{c};color:#fff;border-radius:4px;padding:0 0.45em;white-space:nowrap;'
            f'font-weight:600">{html.escape(r["status_label"])}</span>'
            f'<span style="color:{p["text"]}">{html.escape(_short_site(r["name"]))}</span>'
            f'<span style="color:{p["muted"]};margin-left:auto;white-space:nowrap">{html.escape(r["detail"])}</span>'
            "</div>"
        )
    return f'<div class="es-sites" style="font-size:{size}">{"".join(items)}</div>'


def city_site_map(sites: pd.DataFrame, **kw: Any) -> Any:
    """``site_map`` over the city's divisions, loaded here: a cache keyed on this function's
    arguments (``ui.deck``) then hashes the live data only, not 20 boundaries."""
    from edusight import geo

    return site_map(sites, geo.load_divisions(), **kw)


def city_transport_map(
    routes: pd.DataFrame, vehicles: pd.DataFrame, trails: pd.DataFrame, **kw: Any
) -> Any:
    """``transport_map`` over the city's divisions (see ``city_site_map``)."""
    from edusight import geo

    return transport_map(routes, vehicles, trails, geo.load_divisions(), **kw)

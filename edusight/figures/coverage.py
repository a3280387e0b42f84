"""Figures of the digital-campus coverage page (work items 六, 七, 八).

Pure: data frames + translated labels + theme in, ``pydeck.Deck`` or plotly figure out. Nothing
here reads Streamlit, the database or the session: tests call the builders on inline frames.

Colour rules (documented in the page's methodology note):

- **Gap** (coverage − the category's target, percentage points) on a diverging red–blue scale
  centred on the target (0 pp = neutral), saturating at ±``GAP_SPAN_PP``.
- **School status**: covered, assessed but failing, not yet assessed (``STATUS_COLORS``).
- **Status × change** (after the California School Dashboard): the level against the target
  (``LEVEL_BANDS``) and the change since the previous quarter (``CHANGE_BANDS``) pick one of five
  performance colours from ``GRID``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from edusight.theme import FONT_FAMILY, LEGEND_TOP, LEGEND_TOP_MARGIN_PX, PALETTE, TEMPLATES

RGBA = list[int]


class Deck(pdk.Deck):
    """``pydeck.Deck`` whose JSON is compact. pydeck indents its JSON, which makes Python fall
    back to its pure-Python encoder: about ten times slower on the division boundaries."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


# --- colour scales ----------------------------------------------------------------------------

#: The gap colour saturates at ± this many percentage points from the target.
GAP_SPAN_PP = 30.0
#: Diverging stops (gap in pp → colour), ColorBrewer RdBu; the centre depends on the theme.
_GAP_BELOW = [(-30.0, "#b2182b"), (-20.0, "#d6604d"), (-10.0, "#f4a582")]
_GAP_ABOVE = [(10.0, "#92c5de"), (20.0, "#4393c3"), (30.0, "#2166ac")]
_GAP_CENTRE = {"light": "#f2f2f0", "dark": "#d9dde3"}
NO_DATA = {"light": "#d1d5db", "dark": "#4b5563"}
OUTLINE = {"light": "#6b7280", "dark": "#0b1220"}

STATUSES = ("covered", "failing", "not_assessed")
STATUS_COLORS: dict[str, str] = {
    "covered": "#15803d",  # green
    "failing": "#e11d48",  # rose
    "not_assessed": "#9ca3af",  # grey
}
#: Sequential scale (light → dark blue) of the new-technology maps.
_SEQUENTIAL = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"]

# --- status × change (California School Dashboard style) --------------------------------------

#: Level against the target: (id, lowest gap in pp that reaches the band), best first.
LEVEL_BANDS: list[tuple[str, float]] = [
    ("well_above", 20.0),
    ("above", 5.0),
    ("near", -5.0),
    ("below", -20.0),
    ("far_below", -math.inf),
]
#: Change since the previous quarter: (id, lowest change in pp that reaches the band), best first.
CHANGE_BANDS: list[tuple[str, float]] = [
    ("up_a_lot", 10.0),
    ("up", 1.0),
    ("same", -1.0),
    ("down", -10.0),
    ("down_a_lot", -math.inf),
]
#: Performance colour (1 = red … 5 = blue) per level (rows, best first) and change (columns,
#: declined significantly → increased significantly).
GRID: dict[str, list[int]] = {
    "well_above": [3, 4, 5, 5, 5],
    "above": [2, 3, 4, 4, 5],
    "near": [2, 2, 3, 4, 4],
    "below": [1, 2, 2, 3, 3],
    "far_below": [1, 1, 1, 2, 2],
}
PERFORMANCE_COLORS = {1: "#d73027", 2: "#fc8d59", 3: "#fee08b", 4: "#91cf60", 5: "#4575b4"}


def hex_rgba(color: str, alpha: int = 255) -> RGBA:
    c = color.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]


def _mix(a: str, b: str, t: float) -> str:
    ra, rb = hex_rgba(a), hex_rgba(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ra[:3], rb[:3]))


def _theme_name(theme: str) -> str:
    return theme if theme in PALETTE else "light"


def gap_hex(gap_pp: float | None, theme: str = "light") -> str:
    """Colour of a gap to target (pp): red below, neutral at the target, blue above."""
    theme = _theme_name(theme)
    if gap_pp is None or (isinstance(gap_pp, float) and math.isnan(gap_pp)):
        return NO_DATA[theme]
    stops = [*_GAP_BELOW, (0.0, _GAP_CENTRE[theme]), *_GAP_ABOVE]
    g = max(-GAP_SPAN_PP, min(GAP_SPAN_PP, float(gap_pp)))
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if x0 <= g <= x1:
            return _mix(c0, c1, (g - x0) / (x1 - x0))
    return stops[-1][1]  # pragma: no cover - g is clipped into the stops


def gap_color(gap_pp: float | None, theme: str = "light", alpha: int = 210) -> RGBA:
    """``gap_hex`` as an RGBA list for pydeck."""
    return hex_rgba(gap_hex(gap_pp, theme), alpha)


def sequential_hex(value: float | None, vmax: float, theme: str = "light") -> str:
    """Colour of a value on the light → dark blue scale from 0 to ``vmax``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or vmax <= 0:
        return NO_DATA[_theme_name(theme)]
    t = max(0.0, min(1.0, float(value) / vmax)) * (len(_SEQUENTIAL) - 1)
    i = min(int(t), len(_SEQUENTIAL) - 2)
    return _mix(_SEQUENTIAL[i], _SEQUENTIAL[i + 1], t - i)


def level_band(gap_pp: float | None) -> str | None:
    """The level band of a gap to target (pp), None without data."""
    if gap_pp is None or pd.isna(gap_pp):
        return None
    return next(b for b, low in LEVEL_BANDS if gap_pp >= low)


def change_band(change_pp: float | None) -> str | None:
    """The change band of a change since the previous quarter (pp), None without data."""
    if change_pp is None or pd.isna(change_pp):
        return None
    return next(b for b, low in CHANGE_BANDS if change_pp >= low)


def performance(gap_pp: float | None, change_pp: float | None) -> int | None:
    """Performance colour 1 (red) … 5 (blue) from level × change; None without both."""
    level, change = level_band(gap_pp), change_band(change_pp)
    if level is None or change is None:
        return None
    columns = [b for b, _ in reversed(CHANGE_BANDS)]  # declined a lot … increased a lot
    return GRID[level][columns.index(change)]


# --- helpers ----------------------------------------------------------------------------------


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_pct(v: Any, digits: int = 1) -> str:
    f = _num(v)
    return "—" if f is None else f"{f:.{digits}f}%"


def fmt_pp(v: Any, digits: int = 1) -> str:
    f = _num(v)
    return "—" if f is None else f"{f:+.{digits}f}"


def fmt_int(v: Any) -> str:
    f = _num(v)
    return "—" if f is None else f"{int(round(f)):,}"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain-Python records (no numpy/pandas scalars, NaN → None) for pydeck's JSON."""
    out = []
    for row in df.to_dict("records"):
        clean = {}
        for k, v in row.items():
            if hasattr(v, "item"):
                v = v.item()
            if (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
                v = None
            clean[k] = v
        out.append(clean)
    return out


def short_name(name: str) -> str:
    """A unit name without its parenthesised qualifier: 四川天府新区(成都直管区) → 四川天府新区."""
    return name.split("(")[0].split("（")[0].strip() or name


def display_width(text: str) -> int:
    """Width in half-width cells: CJK characters count 2."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def wrap_names(names: Sequence[str], max_width: int, sep: str = "、") -> list[str]:
    """Names joined by ``sep`` into lines of at most ``max_width`` half-width cells (a name
    longer than that gets a line of its own)."""
    lines: list[str] = []
    for n in names:
        if lines and display_width(lines[-1] + sep + n) <= max_width:
            lines[-1] += sep + n
        else:
            lines.append(n)
    return lines


def _geometry(
    divisions: Mapping[str, Any] | None, zone_pins: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The given boundaries, or the committed ones (data/geo, read once and cached)."""
    from edusight import geo

    return (
        divisions if divisions is not None else geo.load_divisions(),
        zone_pins if zone_pins is not None else geo.load_zone_pins(),
    )


def _bounds(coords: Iterable) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def fit_view(
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = 560,
    height_px: int = 540,
    max_zoom: float = 12.0,
) -> pdk.ViewState:
    """A view state showing ``bounds`` (lon0, lat0, lon1, lat1) in a box of the given size."""
    x0, y0, x1, y1 = bounds
    lat = (y0 + y1) / 2
    span_x = max(x1 - x0, 1e-3)
    span_y = max((y1 - y0) / math.cos(math.radians(lat)), 1e-3)
    zoom = min(
        math.log2(width_px * 360 / (512 * span_x)),
        math.log2(height_px * 360 / (512 * span_y)),
        max_zoom,
    )
    return pdk.ViewState(
        longitude=(x0 + x1) / 2, latitude=lat, zoom=round(zoom - 0.15, 2), pitch=0, bearing=0
    )


def _tooltip(theme: str) -> dict[str, Any]:
    p = PALETTE[_theme_name(theme)]
    return {
        "html": "<b>{tip_title}</b><br/>{tip_1}<br/>{tip_2}<br/>{tip_3}",
        "style": {
            "backgroundColor": p["panel"],
            "color": p["text"],
            "fontFamily": FONT_FAMILY,
            "fontSize": "13px",
            "border": f"1px solid {p['grid']}",
            "borderRadius": "4px",
            "padding": "6px 8px",
        },
    }


def _unit_tips(row: Mapping[str, Any], name: str, labels: Mapping[str, str]) -> dict[str, str]:
    if _num(row.get("school_count")) is None:
        return {"tip_title": name, "tip_1": labels["no_schools"], "tip_2": "", "tip_3": ""}
    return {
        "tip_title": name,
        "tip_1": labels["tip_coverage"].format(
            coverage=fmt_pct(row.get("coverage_pct")),
            covered=fmt_int(row.get("covered_count")),
            total=fmt_int(row.get("school_count")),
        ),
        "tip_2": labels["tip_target"].format(
            target=fmt_pct(row.get("coverage_target_pct"), 0),
            gap=fmt_pp(row.get("gap_pct")),
        ),
        "tip_3": labels["tip_category"].format(category=row.get("category_label", "")),
    }


# --- the coverage map -------------------------------------------------------------------------

MAP_LAYER_IDS = {
    "divisions": "cov-divisions",
    "selected": "cov-selected",
    "schools": "cov-schools",
    "zones": "cov-zones",
    "zone_labels": "cov-zone-labels",
}


def coverage_map(
    units: pd.DataFrame,
    schools: pd.DataFrame,
    divisions: Mapping[str, Any] | None = None,
    zone_pins: Mapping[str, Any] | None = None,
    *,
    labels: Mapping[str, str],
    name_col: str = "name_zh",
    category_col: str = "category",
    theme: str = "light",
    selected_unit: str | None = None,
    show_schools: bool = True,
) -> pdk.Deck:
    """The 20 divisions coloured by their gap to target, the 3 zones as pins, school points.

    ``units``: ``queries/coverage_units.sql`` (unit_code, name_*, category*, school_count,
    covered_count, coverage_pct, coverage_target_pct, gap_pct). ``schools``:
    ``queries/coverage_school_points.sql`` (school_id, school_name, unit_code, lon, lat, status,
    weighted_score). ``divisions``/``zone_pins``: ``edusight.geo.load_divisions()`` /
    ``load_zone_pins()``. ``labels``: ``tip_coverage`` ("{coverage} … {covered}/{total}"),
    ``tip_target`` ("{target} … {gap}"), ``tip_category`` ("{category}"), ``tip_score``
    ("{score}"), ``no_schools``, ``out_of_scope`` and one label per status.
    No basemap: ``map_provider=None`` keeps the map offline (no Carto/Mapbox tiles).
    ``divisions``/``zone_pins`` default to the committed files (``edusight.geo``).
    """
    divisions, zone_pins = _geometry(divisions, zone_pins)
    theme = _theme_name(theme)
    by_code = {
        r["unit_code"]: r for r in _records(units.assign(category_label=units[category_col]))
    }

    features = []
    for f in divisions["features"]:
        code = f["properties"]["unit_code"]
        row = by_code.get(code)
        props = {"unit_code": code}
        if row is None:
            name = f["properties"].get(name_col, code)
            props.update(
                tip_title=name, tip_1=labels["out_of_scope"], tip_2="", tip_3="", gap_pct=None
            )
            props["fill"] = hex_rgba(NO_DATA[theme], 90)
        else:
            props.update(_unit_tips(row, row[name_col], labels))
            props["gap_pct"] = row.get("gap_pct")
            props["fill"] = (
                gap_color(row.get("gap_pct"), theme)
                if _num(row.get("school_count")) is not None
                else hex_rgba(NO_DATA[theme], 160)
            )
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    fc = {"type": "FeatureCollection", "features": features}

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            fc,
            id=MAP_LAYER_IDS["divisions"],
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=hex_rgba(OUTLINE[theme]),
            line_width_min_pixels=1,
        )
    ]

    sel_feature = next(
        (f for f in divisions["features"] if f["properties"]["unit_code"] == selected_unit), None
    )
    if sel_feature is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection", "features": [sel_feature]},
                id=MAP_LAYER_IDS["selected"],
                pickable=False,
                stroked=True,
                filled=False,
                get_line_color=hex_rgba(PALETTE[theme]["text"]),
                line_width_min_pixels=3,
            )
        )

    if show_schools and not schools.empty:
        pts = schools.dropna(subset=["lon", "lat"]).copy()
        status_label = {s: labels.get(s, s) for s in STATUSES}
        pts["fill"] = [hex_rgba(STATUS_COLORS.get(s, "#9ca3af")) for s in pts["status"]]
        pts["tip_title"] = pts["school_name"]
        pts["tip_1"] = pts["status"].map(status_label).fillna("")
        pts["tip_2"] = [
            labels["tip_score"].format(score="—" if _num(v) is None else f"{float(v):.1f}")
            for v in pts["weighted_score"]
        ]
        pts["tip_3"] = pts.get(f"unit_{name_col}", "")
        if selected_unit:
            pts["radius"] = [6.0 if u == selected_unit else 3.0 for u in pts["unit_code"]]
        else:
            pts["radius"] = 4.0
        keep = [
            "school_id", "unit_code", "status", "lon", "lat", "fill", "radius",
            "tip_title", "tip_1", "tip_2", "tip_3",
        ]  # fmt: skip
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                _records(pts[keep]),
                id=MAP_LAYER_IDS["schools"],
                pickable=True,
                stroked=True,
                filled=True,
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_line_color=hex_rgba("#ffffff" if theme == "light" else "#0b1220"),
                get_radius="radius",
                radius_units=pdk.types.String("pixels"),
                line_width_units=pdk.types.String("pixels"),
                get_line_width=1,
            )
        )

    zones = []
    for f in zone_pins["features"]:
        code = f["properties"]["unit_code"]
        row = by_code.get(code)
        lon, lat = f["geometry"]["coordinates"][:2]
        name = row[name_col] if row else f["properties"].get(name_col, code)
        z = {"unit_code": code, "lon": lon, "lat": lat, "label": short_name(name)}
        if row is None:
            z.update(tip_title=name, tip_1=labels["out_of_scope"], tip_2="", tip_3="")
            z["fill"] = hex_rgba(NO_DATA[theme])
        else:
            z.update(_unit_tips(row, name, labels))
            z["fill"] = (
                gap_color(row.get("gap_pct"), theme, 255)
                if _num(row.get("school_count")) is not None
                else hex_rgba(NO_DATA[theme])
            )
        z["radius"] = 13 if code == selected_unit else 10
        zones.append(z)
    if zones:
        ink = PALETTE[theme]["text"]
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                zones,
                id=MAP_LAYER_IDS["zones"],
                pickable=True,
                stroked=True,
                filled=True,
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_line_color=hex_rgba(ink),
                get_radius="radius",
                radius_units=pdk.types.String("pixels"),
                line_width_units=pdk.types.String("pixels"),
                get_line_width=2.5,
            )
        )
        layers.append(
            pdk.Layer(
                "TextLayer",
                zones,
                id=MAP_LAYER_IDS["zone_labels"],
                pickable=False,
                get_position=["lon", "lat"],
                get_text="label",
                get_size=13,
                get_color=hex_rgba(ink),
                get_pixel_offset=[0, -22],
                font_family=pdk.types.String(FONT_FAMILY),
                font_weight=600,
                character_set=pdk.types.String("auto"),
                background=True,
                get_background_color=hex_rgba(PALETTE[theme]["bg"], 200),
                background_padding=[3, 1],
            )
        )

    if sel_feature is not None:
        view = fit_view(_bounds(sel_feature["geometry"]["coordinates"]))
    elif selected_unit and any(z["unit_code"] == selected_unit for z in zones):
        z = next(z for z in zones if z["unit_code"] == selected_unit)
        view = pdk.ViewState(longitude=z["lon"], latitude=z["lat"], zoom=10.2, pitch=0, bearing=0)
    else:
        view = fit_view(_bounds([f["geometry"]["coordinates"] for f in divisions["features"]]))
    return Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,  # no basemap: nothing is fetched from Carto or Mapbox
        tooltip=_tooltip(theme),
    )


def picked(state: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(unit code, school id) of the object a map selection holds (``st.pydeck_chart`` state of
    ``coverage_map``): a division (GeoJSON feature), a zone pin or a school point; (None, None)
    when nothing is selected."""
    objects = ((state or {}).get("selection") or {}).get("objects") or {}
    for layer_id, objs in objects.items():
        if not objs:
            continue
        obj = objs[0]
        unit = obj.get("unit_code") or (obj.get("properties") or {}).get("unit_code")
        school = obj.get("school_id") if layer_id == MAP_LAYER_IDS["schools"] else None
        return unit, school
    return None, None


def gap_legend_html(labels: Mapping[str, str], theme: str = "light") -> str:
    """A legend (HTML) for the coverage map: the gap scale, no data, and the school statuses.

    ``labels``: ``gap_title``, ``below``, ``at``, ``above``, ``no_data``, ``schools_title`` and one
    label per status.
    """
    theme = _theme_name(theme)
    p = PALETTE[theme]
    steps = [-30, -20, -10, 0, 10, 20, 30]
    swatch = (
        '<span style="display:inline-block;width:22px;height:12px;background:{c};'
        'border:1px solid {b};vertical-align:middle"></span>'
    )
    dot = (
        '<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        'background:{c};border:1px solid {b};vertical-align:middle;margin:0 4px 0 10px"></span>'
    )
    scale = "".join(swatch.format(c=gap_hex(s, theme), b=p["grid"]) for s in steps)
    ticks = f"{labels['below']} −30 … {labels['at']} … +30 {labels['above']}"
    statuses = "".join(dot.format(c=STATUS_COLORS[s], b=p["muted"]) + labels[s] for s in STATUSES)
    return (
        f'<div style="font-size:0.82rem;color:{p["muted"]};line-height:1.9">'
        f"<b>{labels['gap_title']}</b> {scale} <span>{ticks}</span>"
        f"{swatch.format(c=NO_DATA[theme], b=p['grid'])} {labels['no_data']}<br/>"
        f"<b>{labels['schools_title']}</b>{statuses}</div>"
    )


# --- summaries ---------------------------------------------------------------------------------


def _empty(fig: go.Figure, text: str, height: int = 220) -> go.Figure:
    fig.update_layout(height=height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def ranking_bar(
    units: pd.DataFrame,
    *,
    name_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    selected_unit: str | None = None,
) -> go.Figure:
    """Units ranked by gap to their target: bars of coverage coloured by the gap, target ticks.

    ``units``: ``queries/coverage_units.sql``. ``labels``: ``title``, ``x``, ``target``,
    ``empty`` and ``hover`` ("{covered}/{total}" … with {gap}).
    """
    theme = next((k for k, v in TEMPLATES.items() if v == template), "light")
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]}, showlegend=False)
    df = units.dropna(subset=["coverage_pct"])
    if df.empty:
        return _empty(fig, labels["empty"])
    df = df.sort_values(["gap_pct", "coverage_pct"], ascending=True)  # worst at the bottom
    names = [
        f"<b>{short_name(n)}</b>" if c == selected_unit else short_name(n)
        for n, c in zip(df[name_col], df["unit_code"])
    ]
    fig.add_bar(
        x=df["coverage_pct"],
        y=names,
        orientation="h",
        marker={
            "color": [gap_hex(g, theme) for g in df["gap_pct"]],
            "line": {"color": PALETTE[theme]["muted"], "width": 0.6},
        },
        text=[f"{v:.0f}%  ({fmt_pp(g, 0)})" for v, g in zip(df["coverage_pct"], df["gap_pct"])],
        textposition="outside",
        cliponaxis=False,
        customdata=df[["covered_count", "school_count", "coverage_target_pct", "gap_pct"]],
        hovertemplate=("%{y}<br>%{x:.1f}%  " + labels["hover"] + "<extra></extra>"),
    )
    fig.add_scatter(
        x=df["coverage_target_pct"],
        y=names,
        mode="markers",
        marker={
            "symbol": "line-ns",
            "size": 18,
            "line": {"width": 2.5, "color": PALETTE[theme]["text"]},
        },
        name=labels["target"],
        hovertemplate=labels["target"] + ": %{x:.0f}%<extra></extra>",
    )
    fig.update_xaxes(
        range=[0, 138],
        title={"text": labels["x"]},
        tickvals=[0, 25, 50, 75, 100],
        ticktext=["0%", "25%", "50%", "75%", "100%"],
        tickangle=0,
    )
    fig.update_yaxes(title={"text": ""}, ticksuffix=" ")
    fig.update_layout(height=90 + 22 * len(df), bargap=0.3, margin={"t": 40})
    return fig


def status_change_grid(
    units: pd.DataFrame,
    *,
    name_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    max_width: int = 16,
) -> go.Figure:
    """A 5×5 grid: rows = level against the target, columns = change since the previous quarter,
    each cell in its performance colour and listing the units that fall in it.

    ``labels``: ``title``, ``x``, ``y``, ``empty``, and one label per band id of ``LEVEL_BANDS``
    and ``CHANGE_BANDS`` (``level.<id>`` / ``change.<id>``).
    """
    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    df = units.dropna(subset=["gap_pct", "change_pct"])
    if df.empty:
        return _empty(fig, labels["empty"])
    levels = [b for b, _ in LEVEL_BANDS]  # best first (top)
    changes = [b for b, _ in reversed(CHANGE_BANDS)]
    x = [labels[f"change.{c}"] for c in changes]
    y = [labels[f"level.{lv}"] for lv in levels]
    cells: dict[tuple[str, str], list[str]] = {}
    for r in df.itertuples(index=False):
        key = (level_band(r.gap_pct), change_band(r.change_pct))
        cells.setdefault(key, []).append(short_name(str(getattr(r, name_col))))
    z = [[GRID[lv][j] for j in range(len(changes))] for lv in levels]
    scale = [[(k - 1) / 4, PERFORMANCE_COLORS[k]] for k in range(1, 6)]
    counts = [[len(cells.get((lv, c), [])) for c in changes] for lv in levels]
    fig.add_heatmap(
        z=z,
        x=x,
        y=y,
        zmin=1,
        zmax=5,
        colorscale=scale,
        showscale=False,
        customdata=counts,
        hovertemplate="%{y} · %{x}<br>n = %{customdata}<extra></extra>",
        xgap=3,
        ygap=3,
    )
    for i, lv in enumerate(levels):
        for j, c in enumerate(changes):
            names = cells.get((lv, c), [])
            if not names:
                continue
            dark_cell = GRID[lv][j] in (1, 5)
            fig.add_annotation(
                x=x[j],
                y=y[i],
                text="<br>".join(wrap_names(names, max_width, labels.get("sep", "、"))),
                showarrow=False,
                font={"size": 11, "color": "#ffffff" if dark_cell else "#111827"},
            )
    fig.update_xaxes(title={"text": labels["x"]}, side="bottom", showgrid=False)
    fig.update_yaxes(title={"text": labels["y"]}, autorange="reversed", showgrid=False)
    fig.update_layout(height=470, margin={"t": 48})
    return fig


# --- trend ------------------------------------------------------------------------------------


def trend_figure(
    trend: pd.DataFrame,
    projections: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    deadline: Any,
    template: str = TEMPLATES["light"],
    series: Sequence[str] | None = None,
) -> go.Figure:
    """Coverage by quarter per series, each with its target (dashed) and a dotted projection
    to the deadline.

    ``trend``: ``queries/coverage_trend.sql`` rows of the series to draw, with a ``label`` column
    (series name) and ``period_start``. ``projections``: one row per series: ``label``,
    ``period_start`` (last quarter), ``coverage_pct`` (last value), ``projected_pct``.
    ``labels``: ``title``, ``y``, ``target``, ``projection``, ``deadline``, ``empty``.
    """
    from edusight.theme import COLORWAY

    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]})
    df = trend.dropna(subset=["coverage_pct"])
    if df.empty:
        return _empty(fig, labels["empty"], 300)
    order = list(series) if series else list(dict.fromkeys(df["label"]))
    for i, name in enumerate(order):
        s = df[df["label"] == name].sort_values("period_start")
        if s.empty:
            continue
        color = COLORWAY[i % len(COLORWAY)]
        fig.add_scatter(
            x=s["period_start"],
            y=s["coverage_pct"],
            mode="lines+markers",
            name=name,
            legendgroup=name,
            line={"color": color, "width": 2.5},
            marker={"size": 5},
            customdata=s[["period", "covered_count", "school_count"]],
            hovertemplate=(
                name
                + " %{customdata[0]}: %{y:.1f}% (%{customdata[1]}/%{customdata[2]})<extra></extra>"
            ),
        )
        target = s["coverage_target_pct"].dropna()
        if len(target):
            fig.add_scatter(
                x=[s["period_start"].min(), pd.Timestamp(deadline)],
                y=[float(target.iloc[-1])] * 2,
                mode="lines",
                name=f"{name} · {labels['target']}",
                legendgroup=name,
                showlegend=False,
                line={"color": color, "width": 1.2, "dash": "dash"},
                hovertemplate=labels["target"] + ": %{y:.0f}%<extra>" + name + "</extra>",
            )
        p = projections[projections["label"] == name]
        if len(p) and _num(p["projected_pct"].iloc[0]) is not None:
            fig.add_scatter(
                x=[p["period_start"].iloc[0], pd.Timestamp(deadline)],
                y=[float(p["coverage_pct"].iloc[0]), float(p["projected_pct"].iloc[0])],
                mode="lines+markers",
                name=f"{name} · {labels['projection']}",
                legendgroup=name,
                showlegend=False,
                line={"color": color, "width": 2, "dash": "dot"},
                marker={"size": [0, 8], "symbol": "diamond-open"},
                hovertemplate=labels["projection"] + ": %{y:.1f}%<extra>" + name + "</extra>",
            )
    fig.add_vline(x=pd.Timestamp(deadline), line={"width": 1, "dash": "dot", "color": "#9ca3af"})
    fig.add_annotation(
        x=pd.Timestamp(deadline), y=1.0, yref="paper", text=labels["deadline"],
        showarrow=False, xanchor="right", yanchor="bottom", font={"size": 11},
    )  # fmt: skip
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title={"text": labels["y"]})
    fig.update_xaxes(title={"text": ""})
    fig.update_layout(
        height=400,
        legend=LEGEND_TOP,
        margin={"t": LEGEND_TOP_MARGIN_PX},
        hovermode="closest",
    )
    return fig


# --- new technology ---------------------------------------------------------------------------


#: Simplification of the boundaries drawn by ``indicator_map`` (degrees, about 300 m): a small
#: map needs far fewer vertices, and plotly copies every one on each run.
SMALL_MAP_TOLERANCE_DEG = 0.003


def _rings(
    geometry: Mapping[str, Any], tolerance: float = SMALL_MAP_TOLERANCE_DEG
) -> tuple[list[float | None], list[float | None]]:
    """The exterior rings of a (Multi)Polygon, simplified, as one x/y path (rings separated by
    None)."""
    import shapely

    geom = shapely.from_geojson(json.dumps(geometry)).simplify(tolerance)
    polys = getattr(geom, "geoms", [geom])
    xs: list[float | None] = []
    ys: list[float | None] = []
    for poly in polys:
        ring = list(poly.exterior.coords)
        xs += [round(c[0], 4) for c in ring] + [None]
        ys += [round(c[1], 4) for c in ring] + [None]
    return xs, ys


def indicator_map(
    values: pd.DataFrame,
    divisions: Mapping[str, Any] | None = None,
    zone_pins: Mapping[str, Any] | None = None,
    *,
    value_col: str,
    name_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
    value_fmt: str = "{:.0f}",
) -> go.Figure:
    """A choropleth of one new-technology indicator per unit (sequential blues) with the zones as
    pins, drawn as plotly polygons in longitude/latitude: SVG, offline, no WebGL (the page's
    main map already uses one WebGL context; software rendering of a second is slow).

    ``values``: ``queries/coverage_newtech_units.sql`` (unit_code, name_*, school_count,
    ``value_col``). ``labels``: ``title``, ``indicator`` (the indicator's name), ``tip_schools``
    ("{n}"), ``out_of_scope``, ``no_data``. ``divisions``/``zone_pins`` default to the committed
    files (``edusight.geo``).
    """
    divisions, zone_pins = _geometry(divisions, zone_pins)
    theme = next((k for k, v in TEMPLATES.items() if v == template), "light")
    p = PALETTE[theme]
    recs = {r["unit_code"]: r for r in _records(values)}
    vmax = max([_num(r.get(value_col)) or 0 for r in recs.values()] + [0])

    def tip(row: Mapping[str, Any] | None, name: str) -> tuple[str, str]:
        if row is None:
            return f"{name}<br>{labels['out_of_scope']}", NO_DATA[theme]
        v = _num(row.get(value_col))
        shown = labels["no_data"] if v is None else value_fmt.format(v)
        schools = labels["tip_schools"].format(n=fmt_int(row.get("school_count")))
        return (
            f"<b>{name}</b><br>{labels['indicator']}: {shown}<br>{schools}",
            sequential_hex(v, vmax, theme),
        )

    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]}, showlegend=False)
    for f in divisions["features"]:
        code = f["properties"]["unit_code"]
        row = recs.get(code)
        name = row[name_col] if row else f["properties"].get(name_col, code)
        text, color = tip(row, name)
        xs, ys = _rings(f["geometry"])
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            fill="toself",
            fillcolor=color,
            line={"color": OUTLINE[theme], "width": 0.6},
            name=short_name(name),
            text=text,
            hoveron="fills",
            hoverinfo="text",
            customdata=[code],
        )
    zones = []
    for f in zone_pins["features"]:
        code = f["properties"]["unit_code"]
        row = recs.get(code)
        name = row[name_col] if row else f["properties"].get(name_col, code)
        lon, lat = f["geometry"]["coordinates"][:2]
        zones.append((code, lon, lat, *tip(row, name)))
    if zones:
        fig.add_scatter(
            x=[z[1] for z in zones],
            y=[z[2] for z in zones],
            mode="markers",
            marker={
                "size": 15,
                "color": [z[4] for z in zones],
                "line": {"color": p["text"], "width": 2},
            },
            text=[z[3] for z in zones],
            hoverinfo="text",
            customdata=[z[0] for z in zones],
            name="zones",
        )
    # the colour bar: an invisible trace carrying the scale
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        hoverinfo="skip",
        marker={
            "colorscale": [[i / (len(_SEQUENTIAL) - 1), c] for i, c in enumerate(_SEQUENTIAL)],
            "cmin": 0,
            "cmax": vmax or 1,
            "color": [0],
            "showscale": True,
            "colorbar": {"title": {"text": ""}, "thickness": 12, "len": 0.7, "outlinewidth": 0},
        },
    )
    lat0 = 30.7
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(lat0)))
    fig.update_layout(height=440, margin={"l": 0, "r": 0, "t": 40, "b": 0}, hovermode="closest")
    return fig


def demonstration_bar(
    demo: pd.DataFrame,
    *,
    name_col: str,
    kind_col: str,
    labels: Mapping[str, str],
    template: str = TEMPLATES["light"],
) -> go.Figure:
    """Pilot and demonstration projects per unit (rows, most at the top), stacked by kind:
    accepted projects solid, the others (applied or being built) hatched.

    ``demo``: ``queries/coverage_demonstration_units.sql``. ``labels``: ``title``, ``x``,
    ``accepted``, ``in_progress``, ``empty``.
    """
    from edusight.theme import COLORWAY

    fig = go.Figure()
    fig.update_layout(template=template, title={"text": labels["title"]}, barmode="stack")
    if demo.empty:
        return _empty(fig, labels["empty"], 300)
    demo = demo.assign(_unit=demo[name_col].map(short_name))
    order = list(
        demo.groupby("_unit", sort=False)["project_count"].sum().sort_values(ascending=True).index
    )  # plotly draws the first row at the bottom
    kinds = list(dict.fromkeys(demo.sort_values(["kind_scope", kind_col])[kind_col]))
    for i, kind in enumerate(kinds):
        d = demo[demo[kind_col] == kind].groupby("_unit")[["project_count", "accepted_count"]]
        d = d.sum().reindex(order)
        color = COLORWAY[i % len(COLORWAY)]
        fig.add_bar(
            y=order,
            x=d["accepted_count"].fillna(0),
            orientation="h",
            name=kind,
            legendgroup=kind,
            marker={"color": color},
            hovertemplate="%{y} · " + kind + "<br>" + labels["accepted"] + ": %{x}<extra></extra>",
        )
        fig.add_bar(
            y=order,
            x=(d["project_count"] - d["accepted_count"]).fillna(0),
            orientation="h",
            name=f"{kind} · {labels['in_progress']}",
            legendgroup=kind,
            showlegend=False,
            marker={"color": color, "opacity": 0.45, "pattern": {"shape": "/"}},
            hovertemplate=(
                "%{y} · " + kind + "<br>" + labels["in_progress"] + ": %{x}<extra></extra>"
            ),
        )
    fig.update_xaxes(title={"text": labels["x"]})
    fig.update_yaxes(title={"text": ""}, ticksuffix=" ")
    rows = len(order)
    fig.update_layout(
        height=200 + 24 * rows,
        bargap=0.3,
        legend={"orientation": "h", "y": -60 / (24 * rows + 60), "yanchor": "top", "x": 0},
        margin={"t": 48, "b": 110},
    )
    return fig

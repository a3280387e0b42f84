"""Figures of the digital-campus coverage page and the school profile, on inline frames.

The map tests use the committed boundaries (data/geo) and inspect the deck's JSON spec: what
the browser receives. No server, no database.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from edusight import geo
from edusight.figures import coverage as f
from edusight.figures import school as sf

DIVISIONS = [
    "510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115",
    "510116", "510117", "510118", "510121", "510129", "510131", "510181", "510182", "510183",
    "510184", "510185",
]  # fmt: skip
ZONES = ["Z5101TF", "Z5101GX", "Z5101DB"]
MAP_LABELS = {
    "tip_coverage": "Coverage {coverage} ({covered} of {total})",
    "tip_target": "Target {target} · gap {gap} pp",
    "tip_category": "Category: {category}",
    "tip_score": "Score {score}",
    "no_schools": "No schools",
    "out_of_scope": "Outside the view",
    "covered": "Covered",
    "failing": "Failing",
    "not_assessed": "Not assessed",
}


def units(gaps: dict[str, float | None] | None = None) -> pd.DataFrame:
    """One row per unit (20 divisions + 3 zones); gap −25 pp for 锦江 by default, +25 for 大邑."""
    gaps = gaps or {}
    rows = []
    for code in DIVISIONS + ZONES:
        central = code < "510118" or code in ("Z5101TF", "Z5101GX")
        target = 70.0 if central else 50.0
        gap = gaps.get(code, 0.0)
        cov = None if gap is None else target + gap
        rows.append(
            {
                "unit_code": code,
                "name_zh": f"单位{code}",
                "name_en": f"Unit {code}",
                "is_zone": code.startswith("Z"),
                "category": "中心城区" if central else "郊区新城",
                "category_en": "Central" if central else "Suburban",
                "coverage_target_pct": target,
                "school_count": None if gap is None else 10,
                "covered_count": None if gap is None else round(cov / 10),
                "coverage_pct": cov,
                "gap_pct": gap,
                "change_pct": 0.0,
            }
        )
    return pd.DataFrame(rows)


def schools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school_id": ["2151000001", "2151000002", "2151000003"],
            "school_name": ["甲小学", "乙小学", "丙中学"],
            "unit_code": ["510104", "510104", "510129"],
            "unit_name_zh": ["锦江区", "锦江区", "大邑县"],
            "unit_name_en": ["Jinjiang", "Jinjiang", "Dayi"],
            "lon": [104.08, 104.10, 103.52],
            "lat": [30.63, 30.60, 30.59],
            "status": ["covered", "failing", "not_assessed"],
            "weighted_score": [80.0, 70.0, None],
        }
    )


def spec(deck) -> dict:
    return json.loads(deck.to_json())


def layer(s: dict, layer_id: str) -> dict:
    return next(x for x in s["layers"] if x["id"] == layer_id)


def build(**kw):
    args = {
        "units": units({"510104": -25.0, "510129": 25.0}),
        "schools": schools(),
        "divisions": geo.load_divisions(),
        "zone_pins": geo.load_zone_pins(),
        "labels": MAP_LABELS,
    }
    args.update(kw)
    return f.coverage_map(
        args.pop("units"), args.pop("schools"), args.pop("divisions"), args.pop("zone_pins"), **args
    )


# --- colour scales ---------------------------------------------------------------------------------


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(f.hex_rgba(hex_color)[:3])


def test_gap_scale_is_diverging_and_centred_on_the_target():
    r, g, b = rgb(f.gap_hex(0))
    assert abs(r - b) < 10 and min(r, g, b) > 200  # neutral at the target
    below, above = rgb(f.gap_hex(-15)), rgb(f.gap_hex(15))
    assert below[0] > below[2] + 60  # red below the target
    assert above[2] > above[0] + 60  # blue above it
    assert f.gap_hex(-30) == f.gap_hex(-80)  # saturates
    assert f.gap_hex(45) == f.gap_hex(30)
    assert f.gap_hex(None) == f.NO_DATA["light"] and f.gap_hex(float("nan")) == f.NO_DATA["light"]
    # deeper red the further below
    assert rgb(f.gap_hex(-30))[1] < rgb(f.gap_hex(-10))[1]


def test_status_change_bands_and_colours():
    assert [f.level_band(g) for g in (25, 20, 5, 0, -5, -6, -20, -21)] == [
        "well_above", "well_above", "above", "near", "near", "below", "below", "far_below",
    ]  # fmt: skip
    assert [f.change_band(c) for c in (12, 10, 1, 0, -1, -2, -10, -11)] == [
        "up_a_lot", "up_a_lot", "up", "same", "same", "down", "down", "down_a_lot",
    ]  # fmt: skip
    assert f.performance(25, 12) == 5 and f.performance(-25, -12) == 1
    assert f.performance(0, 0) == 3
    assert f.performance(None, 3) is None and f.performance(3, float("nan")) is None
    # better level or better change never gives a worse colour
    levels = [b for b, _ in f.LEVEL_BANDS]
    for i, lv in enumerate(levels):
        row = f.GRID[lv]
        assert row == sorted(row)
        if i:
            assert all(a >= b for a, b in zip(f.GRID[levels[i - 1]], row, strict=True))


def test_wrap_names_and_short_names():
    assert f.short_name("四川天府新区(成都直管区)") == "四川天府新区"
    assert f.short_name("Jinjiang") == "Jinjiang"
    assert f.wrap_names(["锦江区", "青羊区", "金牛区"], 14) == ["锦江区、青羊区", "金牛区"]
    assert f.wrap_names(["A very long unit name"], 8, ", ") == ["A very long unit name"]


# --- the coverage map -------------------------------------------------------------------------------


def test_map_has_20_divisions_coloured_by_gap_and_no_basemap():
    s = spec(build())
    assert s["mapStyle"] == "__MAP_STYLE__" and s.get("mapProvider") is None  # offline: no tiles
    feats = layer(s, f.MAP_LAYER_IDS["divisions"])["data"]["features"]
    assert sorted(x["properties"]["unit_code"] for x in feats) == sorted(DIVISIONS)
    fill = {x["properties"]["unit_code"]: x["properties"]["fill"] for x in feats}
    assert fill["510104"][0] > fill["510104"][2]  # 25 pp below target: red
    assert fill["510129"][2] > fill["510129"][0]  # 25 pp above: blue
    assert fill["510105"][:3] == list(rgb(f.gap_hex(0)))  # at the target: neutral
    jinjiang = next(x for x in feats if x["properties"]["unit_code"] == "510104")["properties"]
    assert jinjiang["tip_1"] == "Coverage 45.0% (4 of 10)"
    assert jinjiang["tip_2"] == "Target 70% · gap -25.0 pp"


def test_school_layer_is_coloured_by_status():
    s = spec(build())
    pts = layer(s, f.MAP_LAYER_IDS["schools"])
    assert pts["@@type"] == "ScatterplotLayer" and pts["pickable"] is True
    assert pts["radiusUnits"] == "pixels"  # a literal, not an accessor expression
    colours = {p["status"]: p["fill"][:3] for p in pts["data"]}
    assert colours == {s_: list(rgb(c)) for s_, c in f.STATUS_COLORS.items()}
    assert [p["tip_1"] for p in pts["data"]] == ["Covered", "Failing", "Not assessed"]
    assert pts["data"][2]["tip_2"] == "Score —"
    # hidden on request
    assert f.MAP_LAYER_IDS["schools"] not in [
        x["id"] for x in spec(build(show_schools=False))["layers"]
    ]


def test_zones_are_pins_at_their_seats_with_labels():
    s = spec(build(units=units({"Z5101DB": -30.0})))
    pins = layer(s, f.MAP_LAYER_IDS["zones"])
    assert pins["@@type"] == "ScatterplotLayer"
    by_code = {p["unit_code"]: p for p in pins["data"]}
    assert sorted(by_code) == sorted(ZONES)
    seats = geo.zone_seats()
    for code, p in by_code.items():
        assert (p["lon"], p["lat"]) == pytest.approx(seats[code][:2])
    assert by_code["Z5101DB"]["fill"][:3] == list(rgb(f.gap_hex(-30)))
    labels = layer(s, f.MAP_LAYER_IDS["zone_labels"])
    assert labels["characterSet"] == "auto"  # CJK names need the automatic character set
    assert sorted(x["label"] for x in labels["data"]) == sorted(f"单位{z}" for z in ZONES)


def test_every_pickable_object_carries_the_tooltip_fields():
    s = spec(build())
    fields = {"tip_title", "tip_1", "tip_2", "tip_3"}
    for x in s["layers"]:
        if not x.get("pickable"):
            continue
        data = x["data"]["features"] if isinstance(x["data"], dict) else x["data"]
        for obj in data:
            have = set(obj.get("properties", obj))
            assert fields <= have, (x["id"], obj)


def test_units_out_of_scope_or_without_schools_are_grey():
    u = units({"510105": None})
    u = u[u["unit_code"] != "510106"]  # not in the viewer's scope
    feats = layer(spec(build(units=u)), f.MAP_LAYER_IDS["divisions"])["data"]["features"]
    props = {x["properties"]["unit_code"]: x["properties"] for x in feats}
    assert props["510106"]["tip_1"] == "Outside the view"
    assert props["510106"]["fill"][:3] == list(rgb(f.NO_DATA["light"]))
    assert props["510105"]["tip_1"] == "No schools"
    assert props["510105"]["fill"][:3] == list(rgb(f.NO_DATA["light"]))


def test_selecting_a_unit_outlines_it_zooms_in_and_enlarges_its_schools():
    whole = spec(build())
    one = spec(build(selected_unit="510104"))
    sel = layer(one, f.MAP_LAYER_IDS["selected"])
    assert [x["properties"]["unit_code"] for x in sel["data"]["features"]] == ["510104"]
    assert one["initialViewState"]["zoom"] > whole["initialViewState"]["zoom"] + 1.5
    radius = {p["unit_code"]: p["radius"] for p in layer(one, f.MAP_LAYER_IDS["schools"])["data"]}
    assert radius["510104"] > radius["510129"]
    zone = spec(build(selected_unit="Z5101GX"))
    assert zone["initialViewState"]["longitude"] == pytest.approx(geo.zone_seats()["Z5101GX"][0])


def test_a_map_selection_names_the_unit_and_school():
    feature = {"type": "Feature", "geometry": {}, "properties": {"unit_code": "510129"}}
    division = {"selection": {"indices": {"cov-divisions": [13]},
                              "objects": {"cov-divisions": [feature]}}}  # fmt: skip
    assert f.picked(division) == ("510129", None)
    school = {"selection": {"indices": {"cov-schools": [4]}, "objects": {"cov-schools": [
        {"school_id": "2151000001", "unit_code": "510104", "status": "covered"}]}}}  # fmt: skip
    assert f.picked(school) == ("510104", "2151000001")
    zone = {"selection": {"objects": {"cov-zones": [{"unit_code": "Z5101GX"}]}}}
    assert f.picked(zone) == ("Z5101GX", None)
    empty = {"selection": {"indices": {}, "objects": {}}}
    assert f.picked(empty) == (None, None) == f.picked(None)


def test_dark_theme_changes_the_neutral_and_the_outline():
    light, dark = spec(build()), spec(build(theme="dark"))
    assert (
        layer(light, "cov-divisions")["getLineColor"]
        != layer(dark, "cov-divisions")["getLineColor"]
    )
    assert f.gap_hex(0, "dark") != f.gap_hex(0, "light")


def test_legend_names_the_scale_and_statuses():
    html = f.gap_legend_html(
        {
            "gap_title": "Gap",
            "below": "below",
            "at": "at",
            "above": "above",
            "no_data": "no data",
            "schools_title": "Schools",
            **{k: MAP_LABELS[k] for k in f.STATUSES},
        }
    )
    for text in ("Gap", "no data", "Covered", "Failing", "Not assessed", f.gap_hex(-30)):
        assert text in html


# --- summaries ------------------------------------------------------------------------------------

RANK_LABELS = {"title": "Ranking", "x": "Coverage (%)", "target": "Target", "empty": "No data",
               "hover": "%{customdata[0]}/%{customdata[1]}"}  # fmt: skip


def test_ranking_is_sorted_by_gap_with_gap_colours_and_target_ticks():
    u = units({"510104": -25.0, "510129": 25.0, "510105": 5.0}).head(20)
    fig = f.ranking_bar(u, name_col="name_en", labels=RANK_LABELS)
    bars, ticks = fig.data
    assert bars.y[0] == "Unit 510104" and bars.y[-1] == "Unit 510129"  # worst at the bottom
    assert list(bars.marker.color)[0] == f.gap_hex(-25.0)
    assert list(ticks.x) == list(u.sort_values(["gap_pct", "coverage_pct"])["coverage_target_pct"])
    assert ticks.marker.symbol == "line-ns"
    empty = f.ranking_bar(u.assign(coverage_pct=None), name_col="name_en", labels=RANK_LABELS)
    assert len(empty.data) == 0 and empty.layout.annotations[0].text == "No data"


def grid_labels() -> dict[str, str]:
    out = {"title": "Status × change", "x": "Change", "y": "Level", "empty": "No data", "sep": ", "}
    out |= {f"level.{b}": b for b, _ in f.LEVEL_BANDS}
    out |= {f"change.{b}": b for b, _ in f.CHANGE_BANDS}
    return out


def test_status_change_grid_puts_units_in_their_cells():
    u = units().head(3).assign(gap_pct=[25.0, -25.0, 0.0], change_pct=[12.0, -12.0, 0.0])
    fig = f.status_change_grid(u, name_col="name_en", labels=grid_labels())
    (heat,) = fig.data
    assert list(heat.y) == [b for b, _ in f.LEVEL_BANDS]
    assert list(heat.x) == [b for b, _ in reversed(f.CHANGE_BANDS)]
    assert heat.z[0][-1] == 5 and heat.z[-1][0] == 1
    cells = {(a.y, a.x): a.text for a in fig.layout.annotations}
    assert cells == {
        ("well_above", "up_a_lot"): "Unit 510104",
        ("far_below", "down_a_lot"): "Unit 510105",
        ("near", "same"): "Unit 510106",
    }
    none = f.status_change_grid(u.assign(change_pct=None), name_col="name_en", labels=grid_labels())
    assert none.layout.annotations[0].text == "No data"


TREND_LABELS = {"title": "Trend", "y": "%", "target": "Target", "projection": "Projection",
                "deadline": "Deadline", "empty": "No data"}  # fmt: skip


def test_trend_draws_series_target_and_projection_to_the_deadline():
    starts = pd.to_datetime(["2021-10-01", "2022-01-01", "2022-04-01"])
    trend = pd.DataFrame(
        {
            "label": ["A"] * 3,
            "period": ["2021Q4", "2022Q1", "2022Q2"],
            "period_start": starts,
            "coverage_pct": [40.0, 50.0, 60.0],
            "coverage_target_pct": [70.0] * 3,
            "covered_count": [4, 5, 6],
            "school_count": [10] * 3,
        }
    )
    proj = pd.DataFrame(
        {
            "label": ["A"],
            "period_start": [starts[-1]],
            "coverage_pct": [60.0],
            "projected_pct": [80.0],
        }
    )
    deadline = dt.date(2022, 12, 31)
    fig = f.trend_figure(trend, proj, labels=TREND_LABELS, deadline=deadline)
    line, target, projection = fig.data
    assert list(line.y) == [40.0, 50.0, 60.0]
    assert list(target.y) == [70.0, 70.0] and target.line.dash == "dash"
    assert list(projection.y) == [60.0, 80.0] and projection.line.dash == "dot"
    assert pd.Timestamp(projection.x[-1]) == pd.Timestamp(deadline)
    empty = f.trend_figure(trend.iloc[0:0], proj, labels=TREND_LABELS, deadline=deadline)
    assert empty.layout.annotations[0].text == "No data"


# --- new technology -----------------------------------------------------------------------------------


def test_indicator_map_shades_by_value_without_webgl():
    vals = units()[["unit_code", "name_en"]].assign(school_count=10, ipv6_pct=50.0)
    vals.loc[vals["unit_code"] == "510104", "ipv6_pct"] = 100.0
    vals.loc[vals["unit_code"] == "510105", "ipv6_pct"] = 0.0
    vals = vals[vals["unit_code"] != "510106"]  # out of scope
    fig = f.indicator_map(
        vals,
        geo.load_divisions(),
        geo.load_zone_pins(),
        value_col="ipv6_pct",
        name_col="name_en",
        labels={
            "title": "IPv6",
            "indicator": "IPv6",
            "tip_schools": "{n} schools",
            "out_of_scope": "out",
            "no_data": "no data",
        },  # fmt: skip
        value_fmt="{:.0f}%",
    )
    polys = {t.customdata[0]: t for t in fig.data if t.fill == "toself"}
    assert len(polys) == 20
    darkness = {c: sum(f.hex_rgba(t.fillcolor)[:3]) for c, t in polys.items()}
    assert darkness["510104"] < darkness["510107"] < darkness["510105"]  # more = darker
    assert polys["510106"].fillcolor == f.NO_DATA["light"]
    assert "IPv6: 100%" in polys["510104"].text and "10 schools" in polys["510104"].text
    zones = next(t for t in fig.data if t.name == "zones")
    assert sorted(zones.customdata) == sorted(ZONES)
    assert any(t.marker.showscale for t in fig.data)  # a colour bar
    assert fig.layout.yaxis.scaleanchor == "x"


def test_demonstration_bars_stack_kinds_and_split_accepted():
    demo = pd.DataFrame(
        {
            "name_en": ["A", "A", "B"],
            "kind_en": ["5G school", "Demo zone", "5G school"],
            "kind_scope": ["school", "unit", "school"],
            "project_count": [3, 1, 2],
            "accepted_count": [1, 1, 0],
        }
    )
    labels = {"title": "Demo", "x": "Projects", "accepted": "Accepted", "in_progress": "Open",
              "empty": "No data"}  # fmt: skip
    fig = f.demonstration_bar(demo, name_col="name_en", kind_col="kind_en", labels=labels)
    assert fig.layout.barmode == "stack"
    assert len(fig.data) == 4  # two kinds × (accepted, in progress)
    accepted_5g = next(t for t in fig.data if t.name == "5G school")
    assert list(accepted_5g.y) == ["B", "A"] and list(accepted_5g.x) == [0, 1]  # most at the top
    empty = f.demonstration_bar(
        demo.iloc[0:0], name_col="name_en", kind_col="kind_en", labels=labels
    )
    assert empty.layout.annotations[0].text == "No data"


# --- school profile -------------------------------------------------------------------------------------


def test_location_map_puts_the_school_in_its_division():
    school = {"school_id": "2151000001", "school_name": "甲小学", "unit_code": "510104",
              "lon": 104.08, "lat": 30.63}  # fmt: skip
    s = spec(sf.location_map(school, geo.load_divisions(), status="failing",
                             labels={"tip_1": "Failing", "unit": "Jinjiang"}))  # fmt: skip
    (pt,) = layer(s, "sp-school")["data"]
    assert (pt["lon"], pt["lat"], pt["tip_1"]) == (104.08, 30.63, "Failing")
    assert pt["fill"][:3] == list(rgb(f.STATUS_COLORS["failing"]))
    assert s.get("mapProvider") is None and s["initialViewState"]["zoom"] > 9


def test_assessment_history_marks_failed_dimensions():
    history = pd.DataFrame(
        {
            "period": ["2021Q2", "2022Q1"],
            "weighted_score": [70.0, 80.0],
            "score_a": [55.0, 80.0],
            "score_b": [90.0, 61.0],
            "is_pass": [False, True],
        }
    )
    labels = {"title": "History", "score": "Score", "pass": "Pass 75", "pass_yes": "Covered",
              "pass_no": "Failing", "empty": "None"}  # fmt: skip
    fig = sf.assessment_history(
        history, [("score_a", "A", 60.0), ("score_b", "B", 60.0)], pass_score=75.0, labels=labels
    )
    line, heat = fig.data
    assert list(line.y) == [70.0, 80.0]
    assert [list(r) for r in heat.text] == [["✗ 55", "80"], ["90", "61"]]
    assert list(line.marker.color) == [f.STATUS_COLORS["failing"], f.STATUS_COLORS["covered"]]
    empty = sf.assessment_history(history.iloc[0:0], [], pass_score=75.0, labels=labels)
    assert empty.layout.annotations[0].text == "None"


def test_equipment_table_is_transposed_by_year():
    eq = pd.DataFrame(
        {"year": [2021, 2022], "bandwidth_mbps": [500.0, 1000.0], "wifi_teaching_pct": [60.0, None],
         "has_ipv6": [False, True]}
    )  # fmt: skip
    out = sf.equipment_table(
        eq, {"bandwidth_mbps": "Bandwidth", "wifi_teaching_pct": "Wi-Fi", "has_ipv6": "IPv6"},
        "Yes", "No",
    )  # fmt: skip
    assert list(out.columns) == ["indicator", "2021", "2022"]
    assert out.set_index("indicator").loc["Bandwidth"].tolist() == ["500", "1,000"]
    assert out.set_index("indicator").loc["Wi-Fi"].tolist() == ["60%", "—"]
    assert out.set_index("indicator").loc["IPv6"].tolist() == ["No", "Yes"]
    assert sf.equipment_table(eq.iloc[0:0], {"has_ipv6": "IPv6"}, "Yes", "No").empty


def test_learning_space_trend_empty_says_so():
    labels = {k: k for k in ("title", "y", "active_teacher_count", "active_student_count",
                             "teacher_space_count", "student_space_count")}  # fmt: skip
    empty = sf.learning_space_trend(pd.DataFrame({"month": []}), labels={**labels, "empty": "None"})
    assert empty.layout.annotations[0].text == "None"

"""Figure builders of the exam screen: the layers and colours they draw, on inline frames."""

from __future__ import annotations

import json

import pandas as pd

from edusight import geo
from edusight.figures import exam as figures

LABELS = {s: s.upper() for s in figures.STATUS_COLORS}


def layer(deck, layer_id):
    return next(lay for lay in deck.layers if lay.id == layer_id)


def sites() -> pd.DataFrame:
    return pd.DataFrame({
        "site_code": ["S1", "S2", "S3"],
        "site_name": ["甲中学考点", "乙中学考点", "丙中学考点"],
        "lon": [104.06, 104.10, 103.90],
        "lat": [30.65, 30.70, 30.60],
        "candidates": [1200, 600, 900],
        "status": ["ok", "stale", "alert"],
        "tip_1": ["a", "b", "c"], "tip_2": "", "tip_3": "",
    })  # fmt: skip


def test_site_map_colours_sites_by_status_over_the_divisions_offline():
    deck = figures.site_map(
        sites(), geo.load_divisions(), labels=LABELS, theme="dark", selected_site="S1"
    )
    assert deck.map_provider is None  # no basemap tiles
    pts = layer(deck, figures.MAP_LAYER_IDS["sites"]).data
    by = {p["site_code"]: p for p in pts}
    assert by["S2"]["fill"][:3] == figures.hex_rgba(figures.STATUS_COLORS["stale"])[:3]
    assert by["S3"]["fill"][:3] == figures.hex_rgba(figures.STATUS_COLORS["alert"])[:3]
    assert by["S2"]["radius"] > figures.site_map(sites().assign(status="ok"), geo.load_divisions(),
                                                 labels=LABELS).layers[1].data[1]["radius"]  # fmt: skip
    labels = {
        p["site_code"]: p["label"] for p in layer(deck, figures.MAP_LAYER_IDS["site_labels"]).data
    }
    assert labels == {"S1": "甲中学 (OK)", "S2": "乙中学 (STALE)", "S3": "丙中学 (ALERT)"}
    json.loads(deck.to_json())  # serializable


def test_site_map_without_sites_still_draws_the_city():
    deck = figures.site_map(sites().iloc[:0], geo.load_divisions(), labels=LABELS)
    assert [lay.id for lay in deck.layers] == [figures.MAP_LAYER_IDS["divisions"]]


def test_transport_map_highlights_long_stops():
    routes = pd.DataFrame({"route_id": ["R1", "R2"], "waypoints": ["104.0,30.6;104.1,30.7"] * 2,
                           "is_active": [True, False], "secure_room_code": ["B1", "B1"],
                           "secure_room_lon": [104.0, 104.0], "secure_room_lat": [30.6, 30.6],
                           "secure_room_name_zh": ["保密室", "保密室"]})  # fmt: skip
    vehicles = pd.DataFrame({"route_id": ["R1", "R2"], "vehicle_id": ["川A1", "川A2"], "lon": [104.05, 104.0],
                             "lat": [30.65, 30.6], "state": ["long_stop", "delivered"]})  # fmt: skip
    trails = pd.DataFrame({"route_id": ["R1"], "path": [[[104.0, 30.6], [104.05, 30.65]]]})
    deck = figures.transport_map(routes, vehicles, trails, geo.load_divisions(),
                                 labels={"long_stop": "长时间停留", "secure_room": "保密室"})  # fmt: skip
    assert len(layer(deck, figures.MAP_LAYER_IDS["routes"]).data) == 1  # only the active route
    v = {p["route_id"]: p for p in layer(deck, figures.MAP_LAYER_IDS["vehicles"]).data}
    assert v["R1"]["radius"] > v["R2"]["radius"]
    assert v["R1"]["fill"][:3] == figures.hex_rgba(figures.VEHICLE_COLORS["long_stop"])[:3]
    assert [p["label"] for p in layer(deck, figures.MAP_LAYER_IDS["vehicle_labels"]).data] == [
        "川A1 长时间停留"
    ]
    json.loads(deck.to_json())


def test_checkin_curve_and_html_pieces():
    curve = pd.DataFrame({"bucket_at": pd.to_datetime(["2026-06-07 08:00", "2026-06-07 08:05"]),
                          "checked_in_count": [10, 20], "cumulative_count": [10, 30]})  # fmt: skip
    labels = {"title": "T", "y": "Y", "expected": "E", "start": "S", "empty": "none"}
    fig = figures.checkin_curve(
        curve, expected=60, start_at=pd.Timestamp("2026-06-07 09:00"), labels=labels
    )
    assert list(fig.data[0].y) == [10, 30]
    empty = figures.checkin_curve(curve.iloc[:0], expected=0, start_at=None, labels=labels)
    assert not empty.data and empty.layout.annotations[0].text == "none"
    html = figures.banner_html("stale", "数据中断 <b>", "body")
    assert "es-banner-stale" in html and "&lt;b&gt;" in html and 'role="alert"' in html
    rows = [{"severity": "critical", "severity_label": "特别重大", "time": "09:00:00", "title": "X",
             "site": "S", "state": "open", "ack": ""}]  # fmt: skip
    assert figures.SEVERITY_COLORS["critical"] in figures.alert_list_html(rows)
    # the compact lists of the big screen name sites without the city and the word 考点
    named = [{**rows[0], "site": "成都市武侯区第二中学考点 · 武侯区"}]
    assert "武侯区第二中学 · 武侯区" in figures.alert_list_html(named)
    assert "成都市" not in figures.alert_list_html(named)
    sites = [
        {
            "status": "stale",
            "status_label": "数据中断",
            "name": "成都市武侯区第二中学考点 · 武侯区",
            "detail": "d",
        }
    ]
    assert "武侯区第二中学 · 武侯区" in figures.site_list_html(
        sites
    ) and "考点" not in figures.site_list_html(sites)
    assert "nothing" in figures.alert_list_html([], empty="nothing")
    assert "es-countdown" in figures.clock_html("s", "c", "1:00:00", "n")


def test_only_the_worst_sites_are_labelled():
    many = pd.DataFrame({
        "site_code": [f"S{i}" for i in range(20)], "site_name": [f"{i}号考点" for i in range(20)],
        "lon": 104.0, "lat": 30.6, "candidates": range(100, 2100, 100), "status": "stale",
    })  # fmt: skip
    many.loc[0, "status"] = "alert"
    deck = figures.site_map(many, geo.load_divisions(), labels=LABELS)
    labelled = [p["site_code"] for p in layer(deck, figures.MAP_LAYER_IDS["site_labels"]).data]
    assert len(labelled) == figures.MAX_LABELS and "S0" in labelled  # the alert first
    assert "S19" in labelled and "S1" not in labelled  # larger sites first


def test_transport_map_makes_vehicles_off_their_route_stand_out_with_the_planned_path():
    routes = pd.DataFrame({"route_id": ["R1", "R2"], "waypoints": ["104.0,30.6;104.1,30.6", "104.0,30.7;104.1,30.7"],
                           "is_active": [True, True], "secure_room_code": ["B1", "B1"],
                           "secure_room_lon": [104.0, 104.0], "secure_room_lat": [30.6, 30.6],
                           "secure_room_name_zh": ["保密室", "保密室"]})  # fmt: skip
    vehicles = pd.DataFrame({"route_id": ["R1", "R2"], "vehicle_id": ["川A1", "川A2"], "lon": [104.05, 104.05],
                             "lat": [30.62, 30.70], "state": ["moving", "moving"],
                             "is_off_route": [True, False], "off_route_m": [2_217.0, 3.0]})  # fmt: skip
    trails = pd.DataFrame({"route_id": ["R1"], "path": [[[104.0, 30.6], [104.05, 30.62]]]})
    deck = figures.transport_map(routes, vehicles, trails, geo.load_divisions(), theme="dark",
                                 labels={"moving": "行驶中", "off_route": "偏离路线", "secure_room": "保密室"})  # fmt: skip
    drawn = layer(deck, figures.MAP_LAYER_IDS["vehicles"]).data
    assert [p["route_id"] for p in drawn] == ["R2", "R1"]  # the one off its route on top
    v = {p["route_id"]: p for p in drawn}
    magenta = figures.hex_rgba(figures.OFF_ROUTE_COLOR)[:3]
    assert v["R1"]["fill"][:3] == magenta and v["R2"]["fill"][:3] != magenta
    assert v["R1"]["radius"] > v["R2"]["radius"]
    assert [p["label"] for p in layer(deck, figures.MAP_LAYER_IDS["vehicle_labels"]).data] == [
        "川A1 偏离路线 2.2 km"
    ]
    planned = layer(deck, figures.MAP_LAYER_IDS["off_routes"])  # only the deviating route's path
    assert planned.data == [{"path": [[104.0, 30.6], [104.1, 30.6]]}]
    assert layer(deck, figures.MAP_LAYER_IDS["trails"]).data[0]["color"][:3] == magenta
    json.loads(deck.to_json())
    calm = figures.transport_map(routes, vehicles.assign(is_off_route=False), trails,
                                 geo.load_divisions(), labels={})  # fmt: skip
    assert figures.MAP_LAYER_IDS["off_routes"] not in [lay.id for lay in calm.layers]

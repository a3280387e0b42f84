"""``python -m etl feed simulate``: replay an exam day through the feed endpoint (real HTTP).

The replay runs on a simulation clock (``etl.feed.clock``): the plan's exam day is moved to
today and runs ``--speed`` times faster than the wall clock from ``--start`` (07:00). The
clock is posted to the server (``POST /v1/clock``), which stores it in the landing area where
every screen reads it, so a demo shows a live exam day today.

What happens (all from the exam plan in the database, reproducible with ``--seed``):

- check-in curves: every candidate passes the identity check between ~75 minutes before and
  ~14 minutes after the start (most 10–40 minutes before); ≈0.3 % never come and are confirmed
  absent 15 minutes after the start; one candidate fails the check (人证不符) and is then
  verified by hand;
- device heartbeats every ``--heartbeat-every`` wall seconds (cameras, ID readers, face
  terminals, radio jammers); a few cameras go offline for 20–40 minutes;
- a radio signal is detected during the first session of each day, located, then disposed;
- a candidate is taken ill (incident, 公共卫生), handled and resolved;
- 保密室 door events before and after each session, one opened by a single person;
- paper vehicles drive their planned paths (送卷 before, 回收 after each session); one stops
  for 25 minutes on the way (short stop, then long stop) and arrives late; another (of the
  first session, or the next one when the first has a single 送卷 vehicle) leaves its planned
  path for a detour of ~1.5 km (at least three times ``EDUSIGHT_EXAM_ROUTE_DEVIATION_M``) a
  third of the way along and rejoins it ~10 minutes later (偏离路线 on the screen);
- one site loses its network for a while (数据中断 on the screen); its events are then
  uploaded as one batch file to the drop folder (``inbox/``), as a site would after an outage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusight import config
from etl.feed import tokens
from etl.feed.clock import simulation, wall_now
from etl.feed.landing import Landing

EXAMS = {"gaokao": "高考", "zhongkao": "中考"}
ABSENT_SHARE = 0.003
DETOUR_M = 1_500.0  # the planted detour: farthest distance from the planned path (metres) …
DETOUR_SPAN = (0.3, 0.6)  # … between these fractions of the trip (out and back smoothly)
DEVICE_TYPES_SENT = ("camera", "id_reader", "face_terminal", "jammer")
END_AFTER_MIN = 90  # the day ends this long after its last session


@dataclass
class SimPlan:
    sessions: pd.DataFrame
    sites: pd.DataFrame
    rooms: pd.DataFrame
    devices: pd.DataFrame
    routes: pd.DataFrame


def load_sim_plan(db: Path | str, exam_code: str) -> SimPlan:
    import duckdb

    exam = EXAMS[exam_code]
    with duckdb.connect(str(db), read_only=True) as con:

        def q(sql: str) -> pd.DataFrame:
            return con.execute(sql, {"exam": exam}).df()

        return SimPlan(
            sessions=q("SELECT * FROM marts.exam_sessions WHERE exam = $exam ORDER BY start_at"),
            sites=q("SELECT * FROM marts.exam_sites WHERE exam = $exam ORDER BY site_code"),
            rooms=q("SELECT * FROM marts.exam_rooms WHERE exam = $exam ORDER BY room_code"),
            devices=q(
                "SELECT * FROM marts.exam_devices WHERE exam = $exam "
                "AND device_type_code <> 'metal_detector' ORDER BY device_id"
            ),
            routes=q("SELECT * FROM marts.exam_routes WHERE exam = $exam ORDER BY planned_depart"),
        )


def _path(waypoints: str) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in waypoints.split(";")])


def _along(path: np.ndarray, frac: float) -> tuple[float, float]:
    """The point ``frac`` (0–1) of the way along a polyline (by length)."""
    seg = np.hypot(*np.diff(path, axis=0).T)
    total = seg.sum()
    if total == 0:
        return float(path[0, 0]), float(path[0, 1])
    target = min(max(frac, 0.0), 1.0) * total
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    i = min(int(np.searchsorted(cum, target, side="right")) - 1, len(seg) - 1)
    t = (target - cum[i]) / seg[i] if seg[i] else 0.0
    p = path[i] + (path[i + 1] - path[i]) * t
    return float(p[0]), float(p[1])


@dataclass
class DayScript:
    """Everything that happens on one exam day, in seconds since midnight of the replayed day.

    ``timed`` holds (seconds, principal, event without id/ts); check-ins are kept as arrays.
    """

    date: dt.date
    timed: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    checkins: list[dict[str, np.ndarray]] = field(default_factory=list)
    outages: list[tuple[str, float, float]] = field(default_factory=list)  # device, from, to
    end_s: float = 0.0
    first_start_s: float = 0.0
    plan_date: dt.date | None = None
    planted: dict[str, Any] = field(default_factory=dict)


def detour_metres() -> float:
    """How far the planted vehicle strays: clearly beyond the screen's alarm distance."""
    return max(DETOUR_M, 3 * float(config.get("exam_route_deviation_m")))


def _detour(path: np.ndarray, frac: float, metres: float) -> tuple[float, float]:
    """The offset (degrees) of a detour at ``frac`` of the trip: perpendicular to the overall
    direction of the route, growing to ``metres`` halfway through ``DETOUR_SPAN`` and back to 0,
    on the side that takes the vehicle farther from the planned path."""
    from edusight.exam_state import distance_to_path_m, metres_per_degree

    a, b = DETOUR_SPAN
    if not a < frac < b or metres <= 0:
        return 0.0, 0.0
    kx, ky = metres_per_degree(float(path[:, 1].mean()))
    dx, dy = (path[-1, 0] - path[0, 0]) * kx, (path[-1, 1] - path[0, 1]) * ky
    norm = float(np.hypot(dx, dy)) or 1.0
    nx, ny = -dy / norm, dx / norm  # unit normal, metres
    mid = np.array(_along(path, (a + b) / 2))
    side = max((1.0, -1.0), key=lambda sgn: float(distance_to_path_m(
        mid[0] + sgn * nx * metres / kx, mid[1] + sgn * ny * metres / ky, path)[0]))  # fmt: skip
    m = side * metres * float(np.sin(np.pi * (frac - a) / (b - a)))
    return m * nx / kx, m * ny / ky


def _sec(t: pd.Timestamp | dt.datetime, day0: dt.datetime) -> float:
    return (pd.Timestamp(t).to_pydatetime() - day0).total_seconds()


def build_day(plan: SimPlan, exam_day: int, date: dt.date, rng: np.random.Generator) -> DayScript:
    """The script of exam day ``exam_day`` (1 = first), replayed on ``date``."""
    sessions = plan.sessions[plan.sessions.exam_day == exam_day]
    if sessions.empty:
        raise ValueError(f"the exam has no day {exam_day}")
    plan_day0 = dt.datetime.combine(pd.Timestamp(sessions.start_at.iloc[0]).date(), dt.time())
    day = DayScript(date=date)
    day.end_s = _sec(sessions.end_at.max(), plan_day0) + END_AFTER_MIN * 60
    day.first_start_s = _sec(sessions.start_at.min(), plan_day0)
    day.plan_date = plan_day0.date()
    exam_rooms = plan.rooms[plan.rooms.room_type_code == "exam_room"].reset_index(drop=True)
    sites = plan.sites.set_index("site_code")

    def add(sec: float, principal: str, ev: dict[str, Any]) -> None:
        day.timed.append((sec, principal, ev))

    site_codes = list(plan.sites.site_code)
    for k, s in enumerate(sessions.itertuples()):
        start = _sec(s.start_at, plan_day0)
        end = _sec(s.end_at, plan_day0)
        # --- identity checks: one arrival per candidate, absentees confirmed at start + 15 min
        seats = np.concatenate([np.arange(1, c + 1) for c in exam_rooms.candidates])
        room_idx = np.repeat(np.arange(len(exam_rooms)), exam_rooms.candidates)
        n = len(seats)
        before_min = (
            np.clip(rng.gamma(3.0, 9.0, n), 0, 75)
            - rng.exponential(1.5, n) * (rng.random(n) < 0.04) * 6
        )
        t_in = start - np.clip(before_min, -14, 75) * 60
        absent = rng.random(n) < ABSENT_SHARE
        method = rng.choice(np.array(["face", "id_card", "manual"]), n, p=[0.7, 0.28, 0.02])
        result = np.full(n, "pass", dtype=object)
        order = np.argsort(t_in)
        keep = order[~absent[order]]
        day.checkins.append(
            {
                "t": t_in[keep],
                "room": exam_rooms.room_code.to_numpy()[room_idx[keep]],
                "site": exam_rooms.site_code.to_numpy()[room_idx[keep]],
                "seat": seats[keep],
                "method": method[keep],
                "result": result[keep],
                "session": np.full(len(keep), s.session_code, dtype=object),
            }
        )
        for i in np.flatnonzero(absent):
            r = exam_rooms.iloc[room_idx[i]]
            add(
                start + 16 * 60 + rng.uniform(0, 120),
                r.site_code,
                {"kind": "absent", "site_code": r.site_code, "session_code": s.session_code,
                 "room_code": r.room_code, "seat_no": int(seats[i])},
            )  # fmt: skip
        if k == 0 and len(keep):  # one failed identity check, then verified by hand
            i = keep[len(keep) // 3]
            r = exam_rooms.iloc[room_idx[i]]
            base = {"site_code": r.site_code, "session_code": s.session_code,
                    "room_code": r.room_code, "seat_no": int(seats[i])}  # fmt: skip
            add(t_in[i] - 240, r.site_code, {"kind": "checkin", **base, "method": "face",
                "result": "mismatch", "note": "人脸比对不通过，转人工核验"})  # fmt: skip
            day.planted["mismatch"] = r.room_code
        # --- 保密室: papers out before, answer sheets in after; one single-person opening
        for j, code in enumerate(site_codes):
            room = sites.loc[code, "secure_room_code"]
            if not isinstance(room, str):
                continue
            persons = 1 if (k == 0 and j == len(site_codes) // 2) else 2
            for t0, p in ((start - 55 * 60, persons), (end + 12 * 60, 2)):
                t0 += rng.uniform(-120, 120)
                add(t0, code, {"kind": "custody", "site_code": code, "room_code": room,
                               "action": "door_open", "persons": p})  # fmt: skip
                add(t0 + rng.uniform(240, 480), code, {"kind": "custody", "site_code": code,
                    "room_code": room, "action": "door_close", "persons": p})  # fmt: skip
            if persons == 1:
                day.planted["single_person_custody"] = code
        # --- paper vehicles
        routes = plan.routes[plan.routes.session_code == s.session_code]
        deliver = routes[routes.leg_code == "deliver"]
        stopper = deliver.route_id.iloc[len(deliver) // 2] if k == 0 and len(deliver) else None
        others = deliver[deliver.route_id != stopper]
        strayer = None  # the first session with another 送卷 vehicle sends one off its route
        if "off_route_route" not in day.planted and len(others):
            strayer = others.route_id.iloc[len(others) // 3]
        for r in routes.itertuples():
            _drive(add, r, plan_day0, rng, long_stop=r.route_id == stopper,
                   detour_m=detour_metres() if r.route_id == strayer else 0.0)  # fmt: skip
        if stopper is not None:
            day.planted["long_stop_route"] = stopper
        if strayer is not None:
            day.planted["off_route_route"] = strayer
        # --- first session: a radio signal and a candidate taken ill
        if k == 0 and site_codes:
            code = site_codes[int(rng.integers(len(site_codes)))]
            site = sites.loc[code]
            aid = f"RADIO-{code}-{date:%m%d}"
            freq = round(float(rng.choice([150.125, 433.92, 466.1, 1880.4])), 3)
            add(start + 25 * 60, code, {"kind": "radio", "site_code": code, "alert_id": aid,
                "status": "detected", "frequency_mhz": freq, "severity": "high",
                "note": "无线电监测车发现可疑信号"})  # fmt: skip
            add(start + 38 * 60, code, {"kind": "radio", "site_code": code, "alert_id": aid,
                "status": "located", "frequency_mhz": freq, "severity": "high",
                "lon": round(float(site.lon) + 0.004, 5), "lat": round(float(site.lat) - 0.003, 5),
                "note": "信号源定位于考点东南侧约 400 米"})  # fmt: skip
            add(start + 56 * 60, code, {"kind": "radio", "site_code": code, "alert_id": aid,
                "status": "disposed", "frequency_mhz": freq, "severity": "high",
                "note": "会同公安、无线电管理部门查处，设备已收缴"})  # fmt: skip
            day.planted["radio_site"] = code
            code2 = site_codes[(site_codes.index(code) + 1) % len(site_codes)]
            room = exam_rooms[exam_rooms.site_code == code2].room_code.iloc[0]
            aid2 = f"INC-{code2}-{date:%m%d}"
            for dt_min, status in ((41, "reported"), (44, "handling"), (72, "resolved")):
                add(start + dt_min * 60, code2, {"kind": "incident", "site_code": code2,
                    "alert_id": aid2, "category": "public_health", "severity": "low",
                    "status": status, "room_code": room,
                    "note": {"reported": "一名考生身体不适", "handling": "校医到场，移至医疗室",
                             "resolved": "考生恢复，返回考场继续考试"}[status]})  # fmt: skip
            day.planted["incident_site"] = code2
    # --- camera outages (seconds since midnight)
    cams = plan.devices[plan.devices.device_type_code == "camera"]
    first = _sec(sessions.start_at.min(), plan_day0)
    for dev in cams.sample(n=min(3, len(cams)), random_state=int(rng.integers(1 << 30))).device_id:
        t0 = first + rng.uniform(-60, 90) * 60
        day.outages.append((dev, t0, t0 + rng.uniform(20, 40) * 60))
    day.timed.sort(key=lambda x: x[0])
    return day


def _drive(
    add, r, day0: dt.datetime, rng: np.random.Generator, *, long_stop: bool, detour_m: float = 0.0
) -> None:
    """GPS reports of one leg: a position per minute, short stops at lights, delivered at the end;
    with ``detour_m``, a detour that far off the planned path (``_detour``)."""
    path = _path(r.waypoints)
    depart = _sec(r.planned_depart, day0) + rng.uniform(-3, 4) * 60
    arrive = _sec(r.planned_arrive, day0) - rng.uniform(0, 6) * 60
    stop_at = rng.uniform(0.35, 0.65) if long_stop else None
    stop_len = 25 * 60 if long_stop else 0.0
    move_s = max(arrive - depart, 300.0)
    km = float(np.hypot(*(np.diff(path, axis=0) * [96.0, 110.9]).T).sum())
    base = {"kind": "transport", "site_code": r.site_code, "route_id": r.route_id,
            "vehicle_id": r.vehicle_id}  # fmt: skip
    t = 0.0
    while t < move_s:
        frac = t / move_s
        lon, lat = _along(path, frac)
        off_lon, off_lat = _detour(path, frac, detour_m)
        lon, lat = lon + off_lon, lat + off_lat
        sec = depart + t + (stop_len if stop_at is not None and frac > stop_at else 0.0)
        state, speed = "moving", km / move_s * 3600 * rng.uniform(0.7, 1.3)
        if rng.random() < 0.08:
            state, speed = "short_stop", 0.0
        add(sec, "gps", {**base, "lon": round(lon, 5), "lat": round(lat, 5),
            "state": state, "speed_kmh": round(speed, 1)})  # fmt: skip
        if stop_at is not None and frac <= stop_at < (t + 60) / move_s:
            s_lon, s_lat = _along(path, stop_at)
            for m in range(0, 25, 1):
                state = "short_stop" if m < int(r.max_stop_minutes) else "long_stop"
                add(depart + stop_at * move_s + m * 60, "gps", {**base, "lon": round(s_lon, 5),
                    "lat": round(s_lat, 5), "state": state, "speed_kmh": 0.0})  # fmt: skip
        t += 60.0
    lon, lat = path[-1]
    add(depart + move_s + stop_len, "gps", {**base, "lon": round(float(lon), 5),
        "lat": round(float(lat), 5), "state": "delivered", "speed_kmh": 0.0})  # fmt: skip


def day_events(day: DayScript, until_s: float, run_id: str = "t") -> list[tuple[str, dict]]:
    """Every scripted event of a day up to ``until_s`` seconds after midnight (no heartbeats),
    as (principal, event) pairs with ids and times: for tests and the ingest benchmark."""
    out: list[tuple[float, str, dict]] = []
    for sec, principal, ev in day.timed:
        if sec <= until_s:
            out.append((sec, principal, dict(ev)))
    for ck in day.checkins:
        hi = int(np.searchsorted(ck["t"], until_s, side="right"))
        for i in range(hi):
            out.append((float(ck["t"][i]), ck["site"][i], {"kind": "checkin", "site_code": ck["site"][i],
                        "session_code": ck["session"][i], "room_code": ck["room"][i],
                        "seat_no": int(ck["seat"][i]), "method": ck["method"][i],
                        "result": ck["result"][i]}))  # fmt: skip
    out.sort(key=lambda x: x[0])
    return [
        (principal, {"event_id": f"sim{run_id}-{n:09d}", "ts": _iso(day.date, sec), **ev})
        for n, (sec, principal, ev) in enumerate(out)
    ]


# --- sending ------------------------------------------------------------------------------------


class Sender:
    """Posts batches per principal over keep-alive HTTP from a few threads; retries politely."""

    def __init__(self, url: str, secret: bytes, max_events: int, workers: int = 4) -> None:
        self.url = url.rstrip("/")
        self.secret = secret
        self.max_events = max_events
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.lock = threading.Lock()
        self.counts: dict[str, int] = defaultdict(int)
        self.errors = 0

    def post(self, path: str, principal: str, body: dict[str, Any], tries: int = 8) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {tokens.token_for(principal, self.secret)}",
            },
        )
        delay = 0.5
        for attempt in range(tries):
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as e:
                if e.code < 500 or attempt == tries - 1:
                    raise RuntimeError(f"{path}: HTTP {e.code} {e.read()[:300]!r}") from None
            except OSError:
                if attempt == tries - 1:
                    raise
            with self.lock:
                self.errors += 1
            time.sleep(delay)
            delay = min(delay * 2, 8)
        raise AssertionError("unreachable")

    def _send(self, principal: str, events: list[dict]) -> None:
        res = self.post("/v1/events", principal, {"events": events})
        with self.lock:
            for k in ("accepted", "duplicate", "rejected"):
                self.counts[k] += int(res.get(k, 0))
            if res.get("rejected"):
                bad = [r for r in res["results"] if r["status"] == "rejected"][:3]
                print(f"  rejected by the server: {bad}", file=sys.stderr)

    def send(self, by_principal: dict[str, list[dict]]) -> None:
        futures = []
        for principal, events in by_principal.items():
            for i in range(0, len(events), self.max_events):
                futures.append(
                    self.pool.submit(self._send, principal, events[i : i + self.max_events])
                )
        for f in futures:
            f.result()


def _iso(day: dt.date, sec: float) -> str:
    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=sec)
    return t.isoformat(timespec="seconds") + "+08:00"


def run(a) -> int:
    """The ``simulate`` command (arguments: etl/feed/cli.py)."""
    plan = load_sim_plan(a.db, a.exam)
    if plan.sites.empty:
        print(f"no {EXAMS[a.exam]} sites in {a.db}", file=sys.stderr)
        return 2
    days = sorted(int(d) for d in plan.sessions.exam_day.unique())
    first = a.day
    last = days[-1] if not a.days else min(days[-1], first + a.days - 1)
    if first not in days:
        print(f"{EXAMS[a.exam]} has days {days}", file=sys.stderr)
        return 2
    landing = Landing(Path(a.landing))
    if a.reset:
        moved = landing.archive()
        print(f"moved the previous landed events to {moved}" if moved else "landing area empty")
    secret = tokens.feed_secret()
    url = a.url or f"http://{config.get('feed_host')}:{config.get('feed_port')}"
    sender = Sender(url, secret, int(config.get("feed_max_events")))
    rng = np.random.default_rng(a.seed)
    run_id = f"{a.seed}{wall_now():%H%M%S}"
    start = dt.time.fromisoformat(a.start)
    silent_s = float(config.get("exam_site_silent_s"))
    hb_every = max(a.heartbeat_every, 1.0)
    today = wall_now().date()
    state = {"counter": 0, "clock": None}
    t_begin = time.monotonic()
    try:
        for exam_day in range(first, last + 1):
            date = today + dt.timedelta(days=exam_day - first)
            day = build_day(plan, exam_day, date, rng)
            clock = simulation(exam=EXAMS[a.exam], plan_day=day.plan_date, start=start,
                               speed=a.speed, run_id=run_id, today=date)  # fmt: skip
            try:
                sender.post("/v1/clock", "command", json.loads(clock.to_json()), tries=3)
            except (OSError, RuntimeError) as e:
                print(f"the feed server at {url} does not answer ({e}): start it first "
                      "(make feed, or python -m etl feed serve)", file=sys.stderr)  # fmt: skip
                return 2
            state["clock"] = clock
            print(
                f"{EXAMS[a.exam]} day {exam_day} replayed as {date} from {start:%H:%M} at "
                f"×{a.speed:g} → {url}; planted: {day.planted}",
                file=sys.stderr,
            )
            outage = None
            if not a.no_outage and len(plan.sites) > 1:
                sim0 = (clock.anchor_exam - dt.datetime.combine(date, dt.time())).total_seconds()
                at = max((day.first_start_s - 80 * 60 - sim0) / a.speed, 20.0)
                outage = (plan.sites.site_code.iloc[-1], at, at + silent_s + 90)
            _replay_day(a, day, clock, plan, sender, landing, secret, outage, hb_every,
                        state, t_begin)  # fmt: skip
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        clock = state["clock"]
        if clock is not None:
            ended = dataclasses.replace(clock, ended_wall=wall_now())
            try:
                sender.post("/v1/clock", "command", json.loads(ended.to_json()), tries=2)
            except Exception as e:  # the server may be gone already
                print(f"could not mark the simulation ended: {e}", file=sys.stderr)
        sender.pool.shutdown(wait=True)
    c = sender.counts
    print(
        f"done: {c['accepted']:,} accepted, {c['duplicate']:,} duplicate, "
        f"{c['rejected']:,} rejected, {sender.errors} retried requests",
        file=sys.stderr,
    )
    return 0


def _replay_day(a, day, clock, plan, sender, landing, secret, outage, hb_every, state, t_begin):
    """Send one day's events tick by tick as the exam clock passes them."""
    day0 = dt.datetime.combine(day.date, dt.time())
    sim0 = (clock.anchor_exam - day0).total_seconds()
    devices = plan.devices.reset_index(drop=True)
    dev_index = {d: i for i, d in enumerate(devices.device_id)}
    next_beat = np.random.default_rng(a.seed + day.date.toordinal()).uniform(
        0, hb_every, len(devices)
    )
    status = np.array(
        [{"正常": "online", "故障": "fault"}.get(s, "offline") for s in devices.status_at_export],
        dtype=object,
    )
    base_status = status.copy()
    out_site, out_from, out_to = outage if outage else (None, -1.0, -1.0)
    backlog: list[dict] = []
    ptr = 0
    ck_ptr = [0] * len(day.checkins)
    in_outage: set[str] = set()
    wall0 = time.monotonic()
    next_print = 0.0
    try:
        while True:
            wall = time.monotonic() - wall0
            now_sim = sim0 + wall * a.speed
            if a.max_wall and time.monotonic() - t_begin > a.max_wall:
                raise KeyboardInterrupt
            batch: dict[str, list[dict]] = defaultdict(list)
            diverting = out_from <= wall < out_to  # the outage site's network is down

            def emit(
                principal: str,
                ev: dict,
                sec: float,
                batch=batch,
                diverting=diverting,
                backlog=backlog,
            ) -> None:
                state["counter"] += 1
                ev = {"event_id": f"sim{clock.run_id}-{state['counter']:09d}",
                      "ts": _iso(day.date, sec), **ev}  # fmt: skip
                (backlog if diverting and principal == out_site else batch[principal]).append(ev)

            while ptr < len(day.timed) and day.timed[ptr][0] <= now_sim:
                sec, principal, ev = day.timed[ptr]
                emit(principal, dict(ev), sec)
                ptr += 1
            for j, ck in enumerate(day.checkins):
                hi = int(np.searchsorted(ck["t"], now_sim, side="right"))
                for i in range(ck_ptr[j], hi):
                    emit(ck["site"][i], {"kind": "checkin", "site_code": ck["site"][i],
                         "session_code": ck["session"][i], "room_code": ck["room"][i],
                         "seat_no": int(ck["seat"][i]), "method": ck["method"][i],
                         "result": ck["result"][i]}, float(ck["t"][i]))  # fmt: skip
                ck_ptr[j] = hi
            for dev, t0, t1 in day.outages:  # a camera going down or coming back reports at once
                down = t0 <= now_sim < t1
                if down != (dev in in_outage):
                    i = dev_index[dev]
                    status[i] = "offline" if down else base_status[i]
                    next_beat[i] = wall
                    (in_outage.add if down else in_outage.discard)(dev)
            due = np.flatnonzero(next_beat <= wall)
            next_beat[due] = np.maximum(next_beat[due] + hb_every, wall)
            for i in due:
                r = devices.iloc[i]
                emit(r.site_code, {"kind": "heartbeat", "site_code": r.site_code,
                     "device_id": r.device_id, "device_type": r.device_type_code,
                     "status": status[i]}, now_sim)  # fmt: skip
            if batch:
                sender.send(batch)
            if backlog and wall >= out_to:
                _upload_backlog(landing, out_site, backlog, secret)
                print(f"  {out_site}: network back; {len(backlog):,} buffered events uploaded to "
                      "the drop folder", file=sys.stderr)  # fmt: skip
                backlog.clear()
            if wall >= next_print:
                next_print = wall + 10
                c = sender.counts
                print(f"  exam clock {day0 + dt.timedelta(seconds=now_sim):%H:%M}: "
                      f"{c['accepted']:,} accepted, {c['duplicate']:,} duplicate, "
                      f"{c['rejected']:,} rejected", file=sys.stderr)  # fmt: skip
            if now_sim >= day.end_s:
                break
            time.sleep(max(0.0, a.tick - (time.monotonic() - wall0 - wall)))
    finally:  # uploaded even when the replay is stopped
        if backlog:
            _upload_backlog(landing, out_site, backlog, secret)


def _upload_backlog(landing: Landing, site: str, events: list[dict], secret: bytes) -> Path:
    """Write a site's buffered events as one drop-folder file (temp name, then rename)."""
    landing.inbox.mkdir(parents=True, exist_ok=True)
    name = f"{site}-{wall_now():%Y%m%dT%H%M%S}-{len(events)}"
    tmp = landing.inbox / f".{name}.part"
    body = {"token": tokens.token_for(site, secret), "events": events}
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    dest = landing.inbox / f"{name}.json"
    os.replace(tmp, dest)
    return dest

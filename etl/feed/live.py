"""Incremental live state of a landing area: every landing file is read once, not per refresh.

The exam screen refreshes every few seconds. Running its queries over every landing file each
time makes each refresh cost grow with the day's events (and compete with ingest for the
cores). ``LiveState`` keeps, per exam day, exactly what the screen's queries
(``queries/exam_live_*.sql``) compute, and ``refresh()`` reads only what is new:

- a batch file not read yet is read;
- a compact file is skipped when every batch file it covers has been read (its events are in
  the state already); when it covers a batch file this reader never saw (merged before the
  reader got to it), it is read whole.

**Exactly once without an id set.** Everything kept is idempotent: latest values by
``(ts, received_at)`` (ties broken by a fixed order), first and last times, seats as bits OR-ed
into per-room masks, first check-in per seat (a minimum), and the few row-level events
(alerts, 保密室, identity checks, acknowledgements, GPS reports) keyed by ``event_id``. Reading
an event a second time (a compact file read whole) therefore changes nothing, and memory is
bounded by the plan (rooms, devices, routes), not by the number of events. No event is missed:
every live file is either read or covered by files that were read. Counts of raw events (the
SQL's ``event_count``) are not kept: they would not be idempotent, and the screen shows none.

**Starting again.** If a batch file read earlier is neither live nor covered by a live compact
file (``feed simulate --reset`` archived the area, or it was cleared by hand), the state is
dropped and rebuilt from the files there are.

Times are kept as int64 microseconds (the landing schema's ``timestamp[us]``, naive China
Standard Time). One ``LiveState`` per landing area and process (``state_for``); callers hold
``lock`` while they read the structures.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.feed.landing import Landing

NO_TIME = np.iinfo(np.int64).max  # "no time yet" in arrays where smaller is earlier
NEVER = np.iinfo(np.int64).min  # "no time yet" in arrays where larger is later
SEATS = 31  # seat numbers 1–30 (index 0 unused)
#: Heartbeat statuses; on equal (ts, received_at) the worse one wins (order-independent).
DEVICE_STATUS = ("online", "fault", "offline")
_STATUS_CODE = {s: i for i, s in enumerate(DEVICE_STATUS)}
READ_COLUMNS = [
    "event_id", "kind", "site_code", "ts", "received_at", "session_code", "room_code", "seat_no",
    "result", "device_id", "status", "alert_id", "category", "severity", "frequency_mhz", "lon",
    "lat", "action", "persons", "route_id", "vehicle_id", "state", "speed_kmh", "user_name", "note",
]  # fmt: skip
#: Row-level kinds kept per event id: radio/incident alerts, 保密室 and identity-check signals.
ALERT_KINDS = ("radio", "incident")
ALERT_FIELDS = ("alert_id", "kind", "site_code", "ts", "received_at", "status", "severity",
                "category", "frequency_mhz", "lon", "lat", "room_code", "note")  # fmt: skip
SIGNAL_FIELDS = ("event_id", "kind", "site_code", "ts", "room_code", "action", "persons",
                 "session_code", "seat_no", "note")  # fmt: skip
ACK_FIELDS = ("alert_id", "site_code", "ts", "user_name")
REPORT_FIELDS = ("ts", "received_at", "lon", "lat", "state", "speed_kmh", "vehicle_id",
                 "site_code")  # fmt: skip


def _us(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A timestamp[us] column as int64 microseconds (nulls → NEVER)."""
    return pc.fill_null(pc.cast(arr, pa.int64()), NEVER).to_numpy()


def _codes(values: pa.ChunkedArray, index: dict[str, int], extra: list[list[Any]]) -> np.ndarray:
    """Row numbers of ``values`` in ``index``, adding the unknown ones: ``extra`` collects
    [value, position of its first occurrence]. Distinct values are looked up once each."""
    enc = pc.dictionary_encode(
        values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    )
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = enc.dictionary.to_pylist()
    rows = np.empty(len(uniques), np.int64)
    first = None
    for j, v in enumerate(uniques):
        i = index.get(v)
        if i is None:
            if first is None:
                present, at = np.unique(codes, return_index=True)
                first = dict(zip(present.tolist(), at.tolist(), strict=True))
            i = index[v] = len(index)
            extra.append([v, first[j]])
        rows[j] = i
    return rows[codes]


class RoomTable:
    """One session on one day: per 考场 the seats checked in / confirmed absent / refused at
    the identity check (bit masks, seat n = bit n) and the first pass time of every seat."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.sites: list[str | None] = []  # the site of each room (its first event)
        self.in_mask = np.zeros(0, np.int64)
        self.absent_mask = np.zeros(0, np.int64)
        self.mismatch_mask = np.zeros(0, np.int64)
        self.first_in = np.full((0, SEATS), NO_TIME, np.int64)

    def __len__(self) -> int:
        return len(self.index)

    def add(self, t: pa.Table) -> None:
        """Check-ins and absentees of this session (columns kind, result, room_code,
        site_code, seat_no, ts)."""
        new: list[list[Any]] = []
        i = _codes(t.column("room_code"), self.index, new)
        if new:
            n = len(new)
            sites = t.column("site_code")
            self.sites += [sites[k].as_py() for _, k in new]
            self.in_mask = np.concatenate([self.in_mask, np.zeros(n, np.int64)])
            self.absent_mask = np.concatenate([self.absent_mask, np.zeros(n, np.int64)])
            self.mismatch_mask = np.concatenate([self.mismatch_mask, np.zeros(n, np.int64)])
            self.first_in = np.concatenate([self.first_in, np.full((n, SEATS), NO_TIME, np.int64)])
        seat = t.column("seat_no").to_numpy(zero_copy_only=False).astype(np.int64)
        ts = _us(t.column("ts"))
        kind, result = t.column("kind"), t.column("result")
        checkin = pc.equal(kind, "checkin")

        def where(mask: Any) -> np.ndarray:
            return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)

        passed = where(pc.and_kleene(checkin, pc.equal(result, "pass")))
        absent = where(pc.equal(kind, "absent"))
        mismatch = where(pc.and_kleene(checkin, pc.equal(result, "mismatch")))
        bit = np.left_shift(np.int64(1), seat)
        np.bitwise_or.at(self.in_mask, i[passed], bit[passed])
        np.bitwise_or.at(self.absent_mask, i[absent], bit[absent])
        np.bitwise_or.at(self.mismatch_mask, i[mismatch], bit[mismatch])
        np.minimum.at(self.first_in, (i[passed], seat[passed]), ts[passed])


class DeviceTable:
    """One day's heartbeats: per device the latest status by (ts, received_at)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.ts = np.zeros(0, np.int64)
        self.received = np.zeros(0, np.int64)
        self.status = np.zeros(0, np.int8)  # index into DEVICE_STATUS; 3 = something else

    def __len__(self) -> int:
        return len(self.index)

    def add(self, t: pa.Table) -> None:
        """Heartbeats (columns device_id, ts, received_at, status)."""
        new: list[list[Any]] = []
        i = _codes(t.column("device_id"), self.index, new)
        ts, received = _us(t.column("ts")), _us(t.column("received_at"))
        status = t.column("status").to_numpy(zero_copy_only=False)
        if new:
            n = len(new)
            self.ts = np.concatenate([self.ts, np.full(n, NEVER, np.int64)])
            self.received = np.concatenate([self.received, np.full(n, NEVER, np.int64)])
            self.status = np.concatenate([self.status, np.full(n, 3, np.int8)])
        code = np.array([_STATUS_CODE.get(s, 3) for s in status], np.int8)
        # the latest report of each device in this delta (last in the sort), then compare
        order = np.lexsort((code, received, ts, i))
        i, ts, received, code = i[order], ts[order], received[order], code[order]
        last = np.r_[i[1:] != i[:-1], True]
        i, ts, received, code = i[last], ts[last], received[last], code[last]
        cur_ts, cur_rc, cur_code = self.ts[i], self.received[i], self.status[i]
        newer = (ts > cur_ts) | (
            (ts == cur_ts) & ((received > cur_rc) | ((received == cur_rc) & (code > cur_code)))
        )
        j = i[newer]
        self.ts[j], self.received[j], self.status[j] = ts[newer], received[newer], code[newer]


@dataclass
class Day:
    """What the screen needs of one exam day (events whose ``ts`` falls on it)."""

    sites: dict[str, list[int]] = field(default_factory=dict)  # site → [last ts, last received]
    rooms: dict[str, RoomTable] = field(default_factory=dict)  # session → its 考场
    devices: DeviceTable = field(default_factory=DeviceTable)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id → radio/incident
    signals: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id → custody/mismatch
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id → ack
    reports: dict[str, dict[str, tuple]] = field(default_factory=dict)  # route → id → report
    route_version: dict[str, int] = field(default_factory=dict)  # bumped per new GPS report
    version: int = 0  # bumped whenever anything of the day changed
    #: bumped when a new row-level event of the kind arrives (readers cache what they derive)
    versions: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("alerts", "signals", "acks", "reports"), 0)
    )


class LiveState:
    """The live state of one landing area (see the module docstring)."""

    def __init__(self, root: Path | str) -> None:
        self.landing = Landing(root)  # its own instance: it caches the covers files it read
        self.lock = threading.RLock()
        self.resets = 0
        self._clear()

    def _clear(self) -> None:
        self.consumed: set[str] = set()  # batch files ("batch/<name>") whose events are in
        self.handled: set[str] = set()  # live files read or skipped
        self.leaves: dict[str, frozenset[str]] = {}  # compact file → the batch files it covers
        self.days: dict[dt.date, Day] = {}
        self.last_received_at = NEVER
        self.last_ts = NEVER  # newest event time except acknowledgements
        self.version = 0
        self.derived: dict[Any, Any] = {}  # what readers derive from the state (their cache)
        self.files_read = 0
        self.rows_read = 0

    # --- reading -----------------------------------------------------------------------------

    def _leaves(self, f: Path) -> frozenset[str]:
        rel = self.landing.rel(f)
        hit = self.leaves.get(rel)
        if hit is None:
            covers = self.landing._covers(f)
            hit = self.leaves[rel] = frozenset(c for c in covers if c.startswith("batch/"))
        return hit

    def refresh(self, attempts: int = 3) -> int:
        """Read what landed since the last call; returns how many files were read."""
        with self.lock:
            for attempt in range(attempts):
                try:
                    return self._refresh()
                except FileNotFoundError:  # merged away between listing and reading
                    if attempt == attempts - 1:
                        raise
            raise AssertionError("unreachable")

    def _refresh(self) -> int:
        files = self.landing.live_files()
        rels = {self.landing.rel(f): f for f in files}
        live_leaves: set[str] = set()
        for rel, f in rels.items():
            if rel.startswith("batch/"):
                live_leaves.add(rel)
            else:
                live_leaves |= self._leaves(f)
        if not self.consumed <= live_leaves:  # files read before are gone: start again
            self._clear()
            self.resets += 1
        todo: list[tuple[str, Path]] = []
        for rel, f in rels.items():
            if rel in self.handled:
                continue
            # a new batch file, or a merged one covering a batch file never read: read it
            if rel.startswith("batch/") or not self._leaves(f) <= self.consumed:
                todo.append((rel, f))
            else:  # merged from files already read: its events are in the state
                self.handled.add(rel)
        if not todo:
            self._forget(rels)
            return 0
        # batch files are small: no thread pool; a merged file is decoded in parallel
        tables = [
            pq.read_table(f, columns=READ_COLUMNS, use_threads=rel.startswith("compact/"))
            for rel, f in todo
        ]
        self._apply(pa.concat_tables(tables))
        for rel, f in todo:
            self.handled.add(rel)
            self.consumed |= {rel} if rel.startswith("batch/") else self._leaves(f)
        self.files_read += len(todo)
        self._forget(rels)
        return len(todo)

    def _forget(self, live: dict[str, Path]) -> None:
        """Drop bookkeeping of files that are no longer live (merged away)."""
        if len(self.handled) > 2 * len(live) + 64:
            self.handled &= live.keys()
            self.leaves = {k: v for k, v in self.leaves.items() if k in live}

    # --- applying events ---------------------------------------------------------------------

    def _day(self, d: dt.date) -> Day:
        day = self.days.get(d)
        if day is None:
            day = self.days[d] = Day()
        return day

    def _apply(self, t: pa.Table) -> None:
        if not t.num_rows:
            return
        self.rows_read += t.num_rows
        self.version += 1
        recv = _us(t.column("received_at"))
        self.last_received_at = max(self.last_received_at, int(recv.max()))
        kind_col = t.column("kind")
        not_ack = pc.not_equal(kind_col, "ack")
        ts_na = _us(pc.filter(t.column("ts"), not_ack))
        if len(ts_na):
            self.last_ts = max(self.last_ts, int(ts_na.max()))
        days = pc.cast(t.column("ts"), pa.date32())
        distinct = pc.unique(days).to_pylist()
        for d in distinct:
            part = t if len(distinct) == 1 else t.filter(pc.equal(days, pa.scalar(d, pa.date32())))
            day = self._day(d)
            day.version += 1
            self._apply_day(day, part)

    def _apply_day(self, day: Day, t: pa.Table) -> None:
        kind = t.column("kind")
        # sites: newest event (not ack, not transport); only the columns needed are filtered
        sk = t.select(["site_code", "ts", "received_at"]).filter(
            pc.invert(pc.is_in(kind, pa.array(["ack", "transport"])))
        )
        if sk.num_rows:
            g = sk.group_by("site_code").aggregate([("ts", "max"), ("received_at", "max")])
            for site, ts, rc in zip(
                g.column("site_code").to_pylist(),
                _us(g.column("ts_max")),
                _us(g.column("received_at_max")),
                strict=True,
            ):
                cur = day.sites.get(site)
                if cur is None:
                    day.sites[site] = [int(ts), int(rc)]
                else:
                    cur[0], cur[1] = max(cur[0], int(ts)), max(cur[1], int(rc))
        # check-ins and absentees, per session
        cols = ["kind", "result", "room_code", "site_code", "seat_no", "ts", "session_code"]
        ck = t.select(cols).filter(pc.is_in(kind, pa.array(["checkin", "absent"])))
        if ck.num_rows:
            sessions = ck.column("session_code")
            distinct = pc.unique(sessions).to_pylist()
            for session in distinct:
                if session is None:  # required by the schema: never the case
                    continue
                part = ck if len(distinct) == 1 else ck.filter(pc.equal(sessions, session))
                table = day.rooms.get(session)
                if table is None:
                    table = day.rooms[session] = RoomTable()
                table.add(part)
        # heartbeats
        hb = t.select(["device_id", "ts", "received_at", "status"]).filter(
            pc.equal(kind, "heartbeat")
        )
        if hb.num_rows:
            day.devices.add(hb)
        # the few row-level events
        rare = t.filter(  # Kleene logic: result is null for most kinds
            pc.or_kleene(
                pc.is_in(kind, pa.array(["radio", "incident", "custody", "ack", "transport"])),
                pc.and_kleene(pc.equal(kind, "checkin"), pc.equal(t.column("result"), "mismatch")),
            )
        )
        for r in rare.to_pylist():
            k, eid = r["kind"], r["event_id"]
            if k == "transport":
                reports = day.reports.setdefault(r["route_id"], {})
                if eid not in reports:
                    reports[eid] = tuple(r[f] for f in REPORT_FIELDS)
                    day.route_version[r["route_id"]] = day.route_version.get(r["route_id"], 0) + 1
                    day.versions["reports"] += 1
                continue
            if k in ALERT_KINDS:
                name, rows, fields = "alerts", day.alerts, ALERT_FIELDS
            elif k == "ack":
                name, rows, fields = "acks", day.acks, ACK_FIELDS
            else:
                name, rows, fields = "signals", day.signals, SIGNAL_FIELDS
            if eid not in rows:
                rows[eid] = {f: r[f] for f in fields}
                day.versions[name] += 1


_STATES: dict[str, LiveState] = {}
_STATES_LOCK = threading.Lock()


def state_for(root: Path | str) -> LiveState:
    """The process's ``LiveState`` of a landing area (created on first use)."""
    key = str(Path(root).resolve())
    with _STATES_LOCK:
        st = _STATES.get(key)
        if st is None:
            st = _STATES[key] = LiveState(key)
        return st


def forget_states() -> None:
    """Drop every cached state (tests)."""
    with _STATES_LOCK:
        _STATES.clear()

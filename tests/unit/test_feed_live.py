"""The screen's incremental live state (etl/feed/live.py): each landing file is read once, and
whatever compaction does meanwhile (merging files the reader read, files it never saw, merging
merged files, crashing half-way) the state holds every landed event exactly once. The truth it
is compared with is computed from the landing area's files directly."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.feed.clock import wall_now
from etl.feed.ingest import Ingestor, land_ack
from etl.feed.landing import Landing, SimulatedCrash
from etl.feed.live import DEVICE_STATUS, NEVER, NO_TIME, LiveState, state_for

SITES = ("GK22-510104-01", "GK22-510104-02")
T0 = wall_now().replace(microsecond=0) - dt.timedelta(hours=3)  # events 3 s apart from here


def events(batch: int, n: int = 40) -> list[tuple[str, dict]]:
    """Batch ``batch`` of a little exam morning: check-ins (a few repeated, one refused), an
    absentee, heartbeats out of order, a radio alert, a door, GPS reports, as (principal, event)."""
    out: list[tuple[str, dict]] = []
    for i in range(n):
        k = batch * n + i
        site = SITES[k % 2]
        ts = (T0 + dt.timedelta(seconds=3 * k)).isoformat()
        seat = 1 + (k // 2) % 30
        room = f"{site}-{1 + k // 60:03d}"
        base = {"event_id": f"e{batch}-{i}", "site_code": site, "ts": ts}
        kind = k % 8
        if kind in (0, 1, 2):
            out.append((site, {**base, "kind": "checkin", "session_code": "GK-1A", "room_code": room,
                               "seat_no": seat, "method": "face",
                               "result": "mismatch" if k % 97 == 0 else "pass"}))  # fmt: skip
        elif kind == 3:
            out.append((site, {**base, "kind": "absent", "session_code": "GK-1A", "room_code": room,
                               "seat_no": 30 - seat % 30}))  # fmt: skip
        elif kind in (4, 5):  # heartbeats, some older than ones already sent
            back = dt.timedelta(seconds=300 if k % 3 == 0 else 0)
            out.append((site, {**base, "ts": (T0 + dt.timedelta(seconds=3 * k) - back).isoformat(),
                               "kind": "heartbeat", "device_id": f"{site}-CAM{k % 5}",
                               "device_type": "camera", "status": DEVICE_STATUS[k % 3]}))  # fmt: skip
        elif kind == 6:
            out.append(("gps", {**base, "kind": "transport", "route_id": f"R{k % 3}",
                                "vehicle_id": f"川A{k % 3}", "lon": 104.0 + k / 1e4, "lat": 30.6,
                                "state": "moving"}))  # fmt: skip
        elif k % 16 == 7:
            out.append((site, {**base, "kind": "radio", "alert_id": f"RADIO-{site}",
                               "status": "detected", "frequency_mhz": 433.9}))  # fmt: skip
        else:
            out.append((site, {**base, "kind": "custody", "room_code": f"{site}-901",
                               "action": "door_open", "persons": 2}))  # fmt: skip
    return out


def land(ing: Ingestor, batch: int, n: int = 40) -> None:
    by: dict[str, list[dict]] = {}
    for principal, e in events(batch, n):
        by.setdefault(principal, []).append(e)
    for principal, evs in by.items():
        assert {r["status"] for r in ing.submit(evs, principal, "test")} == {"accepted"}


def us(values: pd.Series) -> np.ndarray:
    return values.astype("datetime64[us]").astype(np.int64).to_numpy()


def truth(landing: Landing) -> dict:
    """What the state must hold, computed from every live landing file."""
    ev = landing.read_table().to_pandas()
    ev["day"] = ev["ts"].dt.date
    out: dict = {"received": int(us(ev["received_at"]).max()) if len(ev) else NEVER}
    na = ev[ev["kind"] != "ack"]
    out["last_ts"] = int(us(na["ts"]).max()) if len(na) else NEVER
    site = ev[~ev["kind"].isin(["ack", "transport"])]
    out["sites"] = {
        (d, s): int(us(g["ts"]).max()) for (d, s), g in site.groupby(["day", "site_code"])
    }
    rooms: dict = {}
    first: dict = {}
    for r in ev[ev["kind"].isin(["checkin", "absent"])].itertuples():
        m = rooms.setdefault((r.day, r.session_code, r.room_code), [0, 0, 0])
        bit = 1 << int(r.seat_no)
        if r.kind == "absent":
            m[1] |= bit
        elif r.result == "pass":
            m[0] |= bit
            key = (r.day, r.session_code, r.room_code, int(r.seat_no))
            first[key] = min(first.get(key, NO_TIME), int(pd.Timestamp(r.ts).value // 1000))
        else:
            m[2] |= bit
    out["rooms"], out["first_in"] = {k: tuple(v) for k, v in rooms.items()}, first
    hb = ev[ev["kind"] == "heartbeat"].sort_values(["ts", "received_at"])
    out["devices"] = {
        (r.day, r.device_id): (r.status, int(pd.Timestamp(r.ts).value // 1000))
        for r in hb.itertuples()  # the last one per device wins
    }
    for kind, name in (("radio", "alerts"), ("custody", "signals"), ("ack", "acks")):
        out[name] = {(r.day, r.event_id) for r in ev[ev["kind"] == kind].itertuples()}
    gps = ev[ev["kind"] == "transport"]
    out["reports"] = {(d, r): len(g) for (d, r), g in gps.groupby(["day", "route_id"])}
    return out


def held(st: LiveState) -> dict:
    """The same, read from the state."""
    out: dict = {"received": st.last_received_at, "last_ts": st.last_ts, "sites": {}, "rooms": {},
                 "first_in": {}, "devices": {}, "alerts": set(), "signals": set(), "acks": set(),
                 "reports": {}}  # fmt: skip
    for day, d in st.days.items():
        out["sites"].update({(day, s): v[0] for s, v in d.sites.items()})
        for session, t in d.rooms.items():
            for room, i in t.index.items():
                out["rooms"][(day, session, room)] = (
                    int(t.in_mask[i]),
                    int(t.absent_mask[i]),
                    int(t.mismatch_mask[i]),
                )
                for seat in np.flatnonzero(t.first_in[i] != NO_TIME):
                    out["first_in"][(day, session, room, int(seat))] = int(t.first_in[i, seat])
        for dev, i in d.devices.index.items():
            out["devices"][(day, dev)] = (DEVICE_STATUS[d.devices.status[i]], int(d.devices.ts[i]))
        out["alerts"] |= {(day, e) for e in d.alerts}
        out["signals"] |= {(day, e) for e in d.signals if d.signals[e]["kind"] == "custody"}
        out["acks"] |= {(day, e) for e in d.acks}
        out["reports"].update({(day, r): len(v) for r, v in d.reports.items()})
    return out


def check(st: LiveState, landing: Landing) -> None:
    st.refresh()
    assert held(st) == truth(landing)


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


def test_each_file_is_read_once_and_every_event_is_held(landing):
    ing = Ingestor(landing)
    st = LiveState(landing.root)
    land(ing, 0)
    check(st, landing)
    read = st.files_read
    assert st.refresh() == 0 and st.files_read == read  # nothing new: nothing read
    land(ing, 1)
    land(ing, 2)
    check(st, landing)
    assert st.files_read == read + 2 * len({p for p, _ in events(1)})  # only the new files
    assert held(st)["devices"]  # heartbeats sent out of order: the latest by ts is kept


def test_a_compaction_of_files_already_read_is_skipped(landing):
    ing = Ingestor(landing)
    st = LiveState(landing.root)
    for b in range(4):
        land(ing, b)
    check(st, landing)
    read, rows = st.files_read, st.rows_read
    assert ing.compact(min_files=2)
    check(st, landing)
    assert (st.files_read, st.rows_read) == (read, rows)  # the merged file was not read


def test_a_compaction_of_files_never_read_is_read_and_counts_once(landing):
    ing = Ingestor(landing)
    st = LiveState(landing.root)
    land(ing, 0)
    land(ing, 1)
    check(st, landing)
    land(ing, 2)  # landed and merged before this reader saw them
    land(ing, 3)
    ing.compact(min_files=2)
    read = st.files_read
    check(st, landing)  # the merged file is read whole: its known events change nothing
    assert st.files_read == read + 1
    for b in (4, 5):
        land(ing, b)
        ing.compact(min_files=2)
    check(st, landing)
    assert ing.compact(min_files=2, max_compacts=3) == (2, 80)  # the two small merges merged
    check(st, landing)


@pytest.mark.parametrize("step", ["parquet", "commit", "delete"])
def test_a_compaction_crashing_at_any_step_leaves_the_state_exact(landing, step):
    ing = Ingestor(landing)
    st = LiveState(landing.root)
    land(ing, 0)
    check(st, landing)
    land(ing, 1)
    with pytest.raises(SimulatedCrash):
        landing.compact(min_files=2, fail_at=step)
    check(st, landing)
    landing.cleanup()
    check(st, landing)
    land(ing, 2)
    check(st, landing)


def test_an_archived_landing_area_starts_the_state_again(landing):
    ing = Ingestor(landing)
    st = LiveState(landing.root)
    land(ing, 0)
    check(st, landing)
    landing.archive()
    ing2 = Ingestor(landing)  # e.g. the server restarted after `feed simulate --reset`
    land(ing2, 5, n=16)
    check(st, landing)
    assert st.resets == 1
    land_ack(landing, alert_id="RADIO-1", site_code=SITES[0], user="值班员", exam_now=wall_now())
    check(st, landing)


def test_a_reader_stays_exact_while_files_land_and_merge(landing):
    ing = Ingestor(landing)
    st = state_for(landing.root)
    assert state_for(landing.root) is st  # one state per landing area and process
    seen: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                st.refresh()
                with st.lock:
                    seen.append(sum(len(v) for d in st.days.values() for v in d.reports.values()))
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
                return

    th = threading.Thread(target=reader)
    th.start()
    for b in range(30):
        land(ing, b, n=16)
        if b % 4 == 3:
            ing.compact(min_files=3)
        if b % 9 == 8:
            ing.compact(min_files=3, max_compacts=2)
    stop.set()
    th.join()
    assert not errors
    total = len([1 for b in range(30) for _, e in events(b, 16) if e["kind"] == "transport"])
    assert seen == sorted(seen) and max(seen) <= total  # never a jump up and back
    check(st, landing)
    assert held(st)["reports"] and sum(held(st)["reports"].values()) == total


def test_the_server_merges_only_old_compact_files_and_never_with_batch_files(landing):
    ing = Ingestor(landing)
    for b in range(3):
        land(ing, b, n=8)
        ing.compact(min_files=2)
    land(ing, 3, n=8)
    before = landing.live_files()
    assert ing.compact(min_files=99, max_compacts=3, merge_min_age_s=60) is None  # all young
    assert landing.live_files() == before
    done = ing.compact(min_files=99, max_compacts=3, merge_min_age_s=0)
    assert done is not None and done[0] == 3  # the three compact files, not the batch files
    assert any(f.parent == landing.batch_dir for f in landing.live_files())

"""Landing and ingest: atomic files, idempotence by event id (also across a restart and across
processes), the drop folder, the audit of refused events, and compaction that never counts an
event twice, even when it crashes half-way or a reader lists the files meanwhile."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.feed import tokens
from etl.feed.clock import wall_now
from etl.feed.ingest import Ingestor, Limits, land_ack
from etl.feed.landing import Landing, SimulatedCrash
from etl.feed.schema import as_table

SITE = "GK22-510104-01"
SECRET = b"test-secret"


def ev(i: int, ts: dt.datetime | None = None, **over) -> dict:
    ts = ts or wall_now() - dt.timedelta(minutes=1)
    e = {"event_id": f"ev-{i}", "kind": "checkin", "site_code": SITE, "ts": ts.isoformat(),
         "session_code": "GK-1A", "room_code": f"{SITE}-{1 + i // 30:03d}", "seat_no": 1 + i % 30,
         "method": "face", "result": "pass"}  # fmt: skip
    return {**e, **over}


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


def count(landing: Landing) -> int:
    return landing.read_table(columns=["event_id"]).num_rows


def ids(landing: Landing) -> list[str]:
    return landing.read_table(columns=["event_id"]).column(0).to_pylist()


# --- landing -----------------------------------------------------------------------------------


def test_a_batch_lands_as_one_parquet_file_and_nothing_is_left_in_tmp(landing):
    ing = Ingestor(landing)
    res = ing.submit([ev(i) for i in range(5)], SITE, "http")
    assert [r["status"] for r in res] == ["accepted"] * 5
    files = landing.live_files()
    assert (
        len(files) == 1 and files[0].parent == landing.batch_dir and files[0].suffix == ".parquet"
    )
    assert list(landing.tmp.iterdir()) == []
    t = pq.read_table(files[0])
    assert t.num_rows == 5 and set(t.column("principal").to_pylist()) == {SITE}
    assert set(t.column("source").to_pylist()) == {"http"}
    assert all(r is not None for r in t.column("received_at").to_pylist())


def test_an_empty_landing_area_reads_as_no_events(tmp_path):
    landing = Landing(tmp_path / "absent")
    assert landing.live_files() == [] and count(landing) == 0
    assert landing.read_clock().is_simulated is False


# --- idempotence ---------------------------------------------------------------------------------


def test_the_same_batch_twice_lands_once(landing):
    ing = Ingestor(landing)
    batch = [ev(i) for i in range(10)]
    assert {r["status"] for r in ing.submit(batch, SITE, "http")} == {"accepted"}
    assert {r["status"] for r in ing.submit(batch, SITE, "http")} == {"duplicate"}
    assert count(landing) == 10 and len(landing.live_files()) == 1


def test_an_id_twice_in_one_batch_lands_once(landing):
    res = Ingestor(landing).submit([ev(1), ev(1), ev(2)], SITE, "http")
    assert [r["status"] for r in res] == ["accepted", "duplicate", "accepted"]
    assert sorted(ids(landing)) == ["ev-1", "ev-2"]


def test_a_restarted_ingestor_remembers_every_landed_id(landing):
    Ingestor(landing).submit([ev(i) for i in range(20)], SITE, "http")
    again = Ingestor(landing)  # a new process: the seen-set is rebuilt from the files
    assert len(again.seen) == 20
    res = again.submit([ev(i) for i in range(15, 25)], SITE, "http")
    assert [r["status"] for r in res] == ["duplicate"] * 5 + ["accepted"] * 5
    assert count(landing) == 25


def test_two_writers_on_one_landing_area_do_not_land_an_id_twice(landing):
    server = Ingestor(landing)
    drain = Ingestor(landing)  # e.g. `feed drain` in another process, started before
    assert drain.submit([ev(1), ev(2)], SITE, "inbox:x")[0]["status"] == "accepted"
    res = server.submit([ev(2), ev(3)], SITE, "http")
    assert [r["status"] for r in res] == ["duplicate", "accepted"]
    assert sorted(ids(landing)) == ["ev-1", "ev-2", "ev-3"]


def test_nothing_is_reported_accepted_when_the_write_fails(landing, monkeypatch):
    ing = Ingestor(landing)

    def broken(table):
        raise OSError("disk full")

    monkeypatch.setattr(landing, "write_batch", broken)
    with pytest.raises(OSError):
        ing.submit([ev(1)], SITE, "http")
    monkeypatch.undo()
    assert "ev-1" not in ing.seen
    assert ing.submit([ev(1)], SITE, "http")[0]["status"] == "accepted"  # the retry lands it


# --- refused events are kept for audit -------------------------------------------------------------


def test_refused_events_are_kept_with_their_reason_and_raw_event(landing):
    ing = Ingestor(landing)
    bad = ev(2, seat_no=99)
    res = ing.submit([ev(1), bad, "not an event"], SITE, "http")
    assert [r["status"] for r in res] == ["accepted", "rejected", "rejected"]
    assert res[1]["reason"] == "out_of_range:seat_no" and res[2]["reason"] == "not_an_object"
    audit = landing.read_rejected()
    assert [a["reason"] for a in audit] == ["out_of_range:seat_no", "not_an_object"]
    assert (
        audit[0]["event"] == bad and audit[0]["principal"] == SITE and audit[0]["source"] == "http"
    )
    assert count(landing) == 1


# --- out of order -------------------------------------------------------------------------------------


def test_events_keep_their_own_time_whatever_order_they_arrive_in(landing):
    t0 = wall_now() - dt.timedelta(minutes=30)
    radio = {"kind": "radio", "site_code": SITE, "alert_id": "R-1", "frequency_mhz": 433.92}
    later = {
        **radio,
        "event_id": "r3",
        "ts": (t0 + dt.timedelta(minutes=20)).isoformat(),
        "status": "disposed",
    }
    first = {**radio, "event_id": "r1", "ts": t0.isoformat(), "status": "detected"}
    middle = {**radio, "event_id": "r2", "ts": (t0 + dt.timedelta(minutes=10)).isoformat(), "status": "located",
              "lon": 104.0, "lat": 30.6}  # fmt: skip
    ing = Ingestor(landing)
    ing.submit([later], SITE, "http")
    ing.submit([first, middle], SITE, "http")
    t = landing.read_table().to_pandas().sort_values("ts")
    assert t["status"].tolist() == ["detected", "located", "disposed"]
    assert t["event_id"].tolist() == ["r1", "r2", "r3"]


# --- the drop folder -------------------------------------------------------------------------------


def drop(landing: Landing, name: str, body) -> Path:
    landing.inbox.mkdir(parents=True, exist_ok=True)
    p = landing.inbox / name
    p.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return p


def test_drop_folder_batches_go_through_the_same_validation(landing):
    ing = Ingestor(landing, limits=Limits(max_events=3))
    token = tokens.token_for(SITE, SECRET)
    drop(
        landing,
        "a.json",
        {"token": token, "events": [ev(i) for i in range(7)] + [ev(99, seat_no=0)]},
    )
    drop(landing, "b.json", {"token": "GK22-510104-01.forged", "events": [ev(50)]})
    drop(landing, "c.json", "{not json")
    drop(landing, ".d.json.part", "{}")  # still being uploaded: ignored
    summary = ing.drain_inbox(SECRET)
    assert summary == {"files": 3, "failed": 2, "accepted": 7, "duplicate": 0, "rejected": 1}
    assert count(landing) == 7
    assert [p.name.split("-", 1)[1] for p in (landing.inbox / "done").iterdir()] == ["a.json"]
    reasons = sorted(p.read_text().strip() for p in (landing.inbox / "failed").glob("*.reason.txt"))
    assert reasons == ["bad_token", "not_json"]
    assert (landing.inbox / ".d.json.part").exists()
    assert landing.read_rejected()[0]["source"] == "inbox:a.json"


def test_a_batch_dropped_again_after_a_crash_lands_nothing_twice(landing):
    ing = Ingestor(landing)
    body = {"token": tokens.token_for(SITE, SECRET), "events": [ev(i) for i in range(4)]}
    drop(landing, "a.json", body)
    ing.drain_inbox(SECRET)
    drop(landing, "a.json", body)  # as if the file had not been moved before a crash
    assert ing.drain_inbox(SECRET)["duplicate"] == 4
    assert count(landing) == 4


def test_a_drop_file_too_large_is_refused_unread(landing):
    ing = Ingestor(landing, limits=Limits(max_file_bytes=100))
    drop(
        landing,
        "big.json",
        {"token": tokens.token_for(SITE, SECRET), "events": [ev(i) for i in range(5)]},
    )
    assert ing.drain_inbox(SECRET)["failed"] == 1 and count(landing) == 0


# --- compaction ------------------------------------------------------------------------------------


def fill(landing: Landing, batches: int, per: int = 10) -> Ingestor:
    ing = Ingestor(landing)
    for b in range(batches):
        ing.submit([ev(b * per + i) for i in range(per)], SITE, "http")
    return ing


def test_compaction_merges_files_and_keeps_every_event_once(landing):
    ing = fill(landing, 12)
    assert len(landing.live_files()) == 12
    assert ing.compact(min_files=4) == (12, 120)
    assert len(landing.live_files()) == 1 and count(landing) == 120
    assert sorted(ids(landing)) == sorted(f"ev-{i}" for i in range(120))
    assert list(landing.batch_dir.iterdir()) == []
    assert ing.submit([ev(5)], SITE, "http")[0]["status"] == "duplicate"


def test_compacting_compact_files_keeps_every_event_once(landing):
    ing = Ingestor(landing)
    n = 0
    for _ in range(3):
        for _ in range(3):
            ing.submit([ev(n + i) for i in range(5)], SITE, "http")
            n += 5
        ing.compact(min_files=2)
    assert len(landing.live_files()) == 3
    ing.compact(min_files=2, max_compacts=3)
    assert len(landing.live_files()) == 1 and count(landing) == n == 45


@pytest.mark.parametrize("step", ["parquet", "commit", "delete"])
def test_a_compaction_crashing_at_any_step_never_double_counts(landing, step):
    fill(landing, 6)
    with pytest.raises(SimulatedCrash):
        landing.compact(min_files=2, fail_at=step)
    assert count(landing) == 60  # before cleanup: the old files or the new one count, not both
    landing.cleanup()
    assert count(landing) == 60
    assert sorted(ids(landing)) == sorted(f"ev-{i}" for i in range(60))
    names = [p.name for p in landing.compact_dir.iterdir()]
    if step == "parquet":  # the uncommitted merge is discarded, the batch files stay
        assert names == [] and len(landing.live_files()) == 6
    else:  # the committed merge stays, the files it covers are gone
        assert len(landing.live_files()) == 1 and list(landing.batch_dir.iterdir()) == []
    assert len(Ingestor(landing).seen) == 60


def test_a_reader_never_sees_an_event_twice_while_compaction_runs(landing):
    ing = fill(landing, 40, per=5)
    seen_counts: list[int] = []
    stop = threading.Event()

    def reader():
        other = Landing(landing.root)  # its own instance, as a screen in another process
        while not stop.is_set():
            try:
                seen_counts.append(count(other))
            except FileNotFoundError:  # a file merged away between listing and reading: retry
                continue

    th = threading.Thread(target=reader)
    th.start()
    for k in range(40, 60):
        ing.submit([ev(k * 5 + i) for i in range(5)], SITE, "http")
        if k % 7 == 0:
            ing.compact(min_files=3)
    ing.compact(min_files=2, max_compacts=1)
    stop.set()
    th.join()
    assert seen_counts and max(seen_counts) <= 300
    assert seen_counts == sorted(seen_counts)  # never a jump up and back (double count)
    assert count(landing) == 300


def test_temp_files_are_never_listed_and_stale_ones_are_cleaned(landing):
    fill(landing, 1)
    (landing.tmp / "b-x.parquet.part").write_bytes(b"partial")
    (landing.batch_dir / "notes.txt").write_text("x")
    assert len(landing.live_files()) == 1
    import os

    os.utime(landing.tmp / "b-x.parquet.part", (0, 0))
    assert landing.cleanup()["tmp"] == 1


# --- acknowledgements and the clock ----------------------------------------------------------------


def test_an_acknowledgement_lands_through_the_same_path(landing):
    eid = land_ack(landing, alert_id="RADIO-1", site_code=SITE, user="王五", exam_now=wall_now())
    t = landing.read_table().to_pandas()
    assert t["event_id"].tolist() == [eid] and t["kind"].tolist() == ["ack"]
    assert t["user_name"].tolist() == ["王五"] and t["source"].tolist() == ["screen"]
    assert list(landing.tmp.iterdir()) == []


def test_the_clock_file_is_written_atomically_and_read_back(landing):
    from etl.feed.clock import simulation

    c = simulation(
        exam="中考", plan_day=dt.date(2022, 6, 13), start=dt.time(7), speed=30, run_id="x"
    )
    landing.write_clock(c)
    assert landing.read_clock() == c
    landing.clock_file.write_text("{garbage")
    assert not landing.read_clock().is_simulated  # unreadable: real time, never a crash
    landing.write_clock(None)
    assert not landing.clock_file.exists()


def test_archive_moves_the_events_aside(landing):
    fill(landing, 2)
    dest = landing.archive()
    assert dest is not None and (dest / "events").is_dir()
    assert count(landing) == 0


def test_as_table_keeps_the_schema_for_empty_batches():
    assert as_table([]).num_rows == 0


def test_compaction_is_size_tiered_so_the_day_is_not_rewritten_every_time(landing):
    ing = Ingestor(landing)
    ing.submit([ev(i) for i in range(100)], SITE, "http")
    ing.submit([ev(100 + i) for i in range(100)], SITE, "http")
    ing.compact(min_files=2)  # one large compact file of 200 events
    big = [p for p in landing.live_files() if p.parent == landing.compact_dir]
    for k in range(3):  # three small ones
        ing.submit([ev(300 + 10 * k + i) for i in range(5)], SITE, "http")
        ing.submit([ev(305 + 10 * k + i) for i in range(5)], SITE, "http")
        ing.compact(min_files=2, max_compacts=99)
    assert len(landing.live_files()) == 4
    ing.compact(min_files=2, max_compacts=4)
    files = landing.live_files()
    assert len(files) == 2 and big[0] in files  # the small ones merged, the large one kept
    assert count(landing) == 230

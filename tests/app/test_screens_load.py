"""Several exam screens on one real server, driven the way browsers drive them
(``etl/bench_screens.py``): ``streamlit run app.py`` on a free loopback port, three simulated
browsers on ``/exam_command?kiosk=1&theme=dark`` speaking Streamlit's websocket protocol.

Behaviour only, no timings: every screen gets the page and the server's ``auto_rerun``; every
tick of the browser's timer re-executes the fragment server-side (a fragment run, with deltas
inside the fragment); a check-in landed between refreshes shows up on every screen, and every
refresh shows the exam clock as of that refresh; no screen sees an exception. Waits are for
specific messages (a finished run answering a request), never sleeps.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from pathlib import Path

import duckdb
import pytest

from edusight.i18n import t
from etl import bench_screens as bs
from etl.feed.clock import EXAM_TZ, Clock, wall_now
from etl.feed.ingest import Ingestor
from etl.feed.landing import Landing
from etl.feed.plan import PlanSource

CLIENTS = 3
REFRESHES = 3  # fragment runs answering refreshes per screen, one after the check-in
REFRESH_S = "1"  # EDUSIGHT_EXAM_REFRESH_S for the server: the test waits on messages, not on it
CLOCK_RE = re.compile(r"(\d{4}-\d{2}-\d{2})\D{1,40}?(\d{2}:\d{2}:\d{2})")


def metric(run: bs.Run, key: str) -> str:
    """The value of the big number labelled ``t(key)`` in a run's elements."""
    label = t(key, lang="zh")
    bodies = [e.metric.body for e in run.elements if e.WhichOneof("type") == "metric"
              and e.metric.label == label]  # fmt: skip
    assert len(bodies) == 1, (key, bodies)
    return bodies[0]


def shown_exam_time(run: bs.Run) -> dt.datetime:
    """The exam-clock time in the session clock (``es-clock``) a run drew."""
    bodies = [e.html.body for e in run.elements if e.WhichOneof("type") == "html"
              and 'class="es-clock"' in e.html.body]  # fmt: skip
    assert len(bodies) == 1, bodies
    found = CLOCK_RE.findall(bodies[0])
    assert found, bodies[0]
    day, hms = found[-1]
    return dt.datetime.fromisoformat(f"{day}T{hms}")


@pytest.fixture
def exam_day(built_db: Path, tmp_path: Path) -> dict:
    """The first 高考 day replayed today, the exam clock at 08:30 (before the first session),
    nothing landed yet; and a check-in ready to land for that session."""
    with duckdb.connect(str(built_db), read_only=True) as con:
        session, start = con.execute(
            "SELECT session_code, start_at FROM marts.exam_sessions WHERE exam = '高考' "
            "ORDER BY start_at LIMIT 1"
        ).fetchone()
        site, room = con.execute(
            "SELECT site_code, room_code FROM marts.exam_rooms WHERE exam = '高考' "
            "AND room_type_code = 'exam_room' ORDER BY room_code LIMIT 1"
        ).fetchone()
    landing = Landing(tmp_path / "landing")
    wall = wall_now()
    clock = Clock(speed=1, anchor_wall=wall, anchor_exam=dt.datetime.combine(wall.date(), dt.time(8, 30)),
                  exam="高考", day_shift_days=(wall.date() - start.date()).days)  # fmt: skip
    landing.write_clock(clock)
    event = {"event_id": "screens-test-1", "kind": "checkin", "site_code": site, "session_code": session,
             "room_code": room, "seat_no": 1, "method": "id_card", "result": "pass"}  # fmt: skip
    return {"landing": landing, "clock": clock, "event": event, "db": built_db}


def fragment_runs(tab: bs.Tab) -> list[bs.Run]:
    """The distinct runs that answered the tab's refreshes (a slow run may answer several
    ticks at once: the server folds a rerun request that arrives while one is pending)."""
    return list({id(r.run): r.run for r in tab.refreshes()}.values())


def land_checkin(day: dict) -> None:
    """One identity check through the feed's validation and atomic landing path."""
    ev = {**day["event"], "ts": (day["clock"].now() - dt.timedelta(seconds=30)).isoformat()}
    ing = Ingestor(day["landing"], PlanSource(day["db"]))
    assert [r["status"] for r in ing.submit([ev], ev["site_code"], "test")] == ["accepted"]


async def drive(base: str, day: dict) -> tuple[list[bs.Tab], float, float]:
    """Open the screens, let their timers run, land a check-in once every screen has had one
    refresh answered, and stop once each has ``REFRESHES`` answered, one sent after it."""
    tabs = list(
        await asyncio.gather(
            *(bs.open_screen(base, f"screen{i}", keep_elements=True) for i in range(CLIENTS))
        )
    )
    stop = asyncio.Event()
    loops = [asyncio.create_task(bs.refresh_loop(tab, stop=stop)) for tab in tabs]
    landing = landed = float("inf")
    try:
        for tab in tabs:
            await tab.wait_until(lambda tab=tab: len(tab.refreshes()) >= 1)
        landing = time.perf_counter()
        await asyncio.to_thread(land_checkin, day)  # the screens' timers keep ticking meanwhile
        landed = time.perf_counter()
        for tab in tabs:
            await tab.wait_until(
                lambda tab=tab: (
                    len(fragment_runs(tab)) >= REFRESHES and bool(tab.refreshes(sent_after=landed))
                )
            )
    finally:
        stop.set()
        await asyncio.gather(*loops)
        await asyncio.gather(*(tab.close() for tab in tabs))
    return tabs, landing, landed


def test_screens_refresh_their_fragment_over_the_websocket(exam_day: dict, tmp_path: Path):
    env = bs.app_env(
        exam_day["db"], tmp_path, exam_day["landing"].root, {"EDUSIGHT_EXAM_REFRESH_S": REFRESH_S}
    )
    with bs.serve_app(env, tmp_path) as (base, _server):
        tabs, landing, landed = asyncio.run(drive(base, exam_day))

    def exam_at(epoch: float) -> dt.datetime:
        """The exam clock at a moment of the wall clock (server and test share the clock)."""
        return exam_day["clock"].now(dt.datetime.fromtimestamp(epoch, EXAM_TZ).replace(tzinfo=None))

    title = t("page.exam_command.title", lang="zh")
    for tab in tabs:
        assert not tab.errors, tab.errors
        assert all(not r.error for r in tab.requests), [r.error for r in tab.requests]
        assert all(not run.exceptions for run in tab.runs), [run.exceptions for run in tab.runs]
        # the page: a full run with the screen's title, the numbers at zero, and a refresh timer
        load = tab.requests[0]
        assert load.kind == "load" and load.run is not None and load.run.status == bs.FINISHED_OK
        assert not load.run.is_fragment
        headings = [e.heading.body for e in load.run.elements if e.WhichOneof("type") == "heading"]
        assert title in headings
        assert metric(load.run, "exam.kpi.checked_in") == "0"
        fid, interval = tab.fragment()
        assert interval == float(REFRESH_S)
        # every tick: the fragment (and only it) re-executed on the server, new deltas sent
        refreshes = tab.refreshes()
        assert len(fragment_runs(tab)) >= REFRESHES
        for r in refreshes:
            assert r.run.fragment_ids == (fid,)
            assert r.run.status == bs.FINISHED_FRAGMENT_OK
            assert r.run.fragment_deltas > 0 and r.run.fragment_deltas == r.run.deltas
            assert title not in [
                e.heading.body for e in r.run.elements if e.WhichOneof("type") == "heading"
            ]
            # the exam clock as of this refresh: between the request and the answer
            shown = shown_exam_time(r.run)
            assert (
                exam_at(r.sent_wall).replace(microsecond=0) <= shown <= exam_at(r.run.finished_wall)
            )
        # the check-in: absent from refreshes done before it was sent, on every one after it landed
        before = [r for r in refreshes if r.run.finished < landing]
        after = tab.refreshes(sent_after=landed)
        assert before and after
        assert {metric(r.run, "exam.kpi.checked_in") for r in before} == {"0"}
        assert {metric(r.run, "exam.kpi.checked_in") for r in after} == {"1"}

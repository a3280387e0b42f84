"""The exam command screen in a real browser: events posted to the feed endpoint appear on the
open screen without a reload (st.fragment(run_every=…) refreshes it).

Starts `python -m etl feed serve` and `streamlit run app.py` as subprocesses on free ports with
a temp landing area. Waits are expect(...) on the number itself, never sleeps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from edusight.i18n import t
from etl.feed import tokens
from etl.feed.clock import Clock, wall_now
from etl.feed.landing import Landing

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-feed-secret"
START_TIMEOUT_S = 60


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(cmd: list[str], env: dict[str, str], health: str, log: Path) -> Iterator[None]:
    """Run ``cmd`` until ``health`` answers 200; stop it afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(START_TIMEOUT_S * 5):
            try:
                with urllib.request.urlopen(health, timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            try:  # waits 0.2 s, and notices a process that died
                proc.wait(timeout=0.2)
                pytest.fail(f"{cmd[:4]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            except subprocess.TimeoutExpired:
                pass
        else:
            pytest.fail(f"{cmd[:4]} not up after {START_TIMEOUT_S}s:\n{log.read_text()[-3000:]}")
        try:
            yield
        except BaseException:  # the test failed: the server's own account goes into its report
            print(f"--- {log.name}, last lines ---\n{log.read_text(errors='replace')[-3000:]}")
            raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def feed_server(db: Path, landing: Path, log: Path) -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "etl", "feed", "serve", "--port", str(port), "--landing", str(landing),
           "--db", str(db)]  # fmt: skip
    env = {**os.environ, "EDUSIGHT_FEED_SECRET": SECRET}
    base = f"http://127.0.0.1:{port}"
    with running(cmd, env, f"{base}/v1/health", log):
        yield base


@contextmanager
def app_server(db: Path, landing: Path, log: Path) -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    env = {
        **os.environ,
        "EDUSIGHT_DB": str(db),
        "EDUSIGHT_LANDING": str(landing),
        "EDUSIGHT_EXAM_REFRESH_S": "1",
    }
    base = f"http://127.0.0.1:{port}"
    with running(cmd, env, f"{base}/_stcore/health", log):
        yield base


def post(base: str, principal: str, events: list[dict]) -> dict:
    req = urllib.request.Request(
        f"{base}/v1/events",
        data=json.dumps({"events": events}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {tokens.token_for(principal, SECRET.encode())}",
        },  # fmt: skip
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_posted_events_appear_on_the_open_screen(built_db, new_page, tmp_path, screenshots):
    with duckdb.connect(str(built_db), read_only=True) as con:
        site, room, first_day = con.execute(
            "SELECT s.site_code, min(r.room_code), min(p.start_at)::DATE FROM marts.exam_sites s "
            "JOIN marts.exam_rooms r USING (site_code) JOIN marts.exam_sessions p ON p.exam = s.exam "
            "WHERE s.exam_code = 'gaokao' AND r.room_type = '考场' GROUP BY s.site_code ORDER BY 1 LIMIT 1"
        ).fetchone()
        route, plate, waypoints = con.execute(
            "SELECT route_id, vehicle_id, waypoints FROM marts.exam_routes WHERE site_code = ? "
            "ORDER BY planned_depart LIMIT 1",
            [site],
        ).fetchone()
    # the 高考's first morning, today, 08:30 on the exam clock (speed 1)
    today = wall_now().date()
    landing = Landing(tmp_path / "landing")
    clock = Clock(speed=1, anchor_wall=wall_now(), anchor_exam=dt.datetime.combine(today, dt.time(8, 30)),
                  day_shift_days=(today - first_day).days, exam="高考")  # fmt: skip
    landing.write_clock(clock)
    with (
        feed_server(built_db, landing.root, tmp_path / "feed.log") as feed,
        app_server(built_db, landing.root, tmp_path / "streamlit.log") as app,
    ):
        page = new_page()
        page.goto(f"{app}/exam_command")
        from playwright.sync_api import expect

        checked_in = (
            page.locator('[data-testid="stMetric"]')
            .filter(has_text=t("exam.kpi.checked_in", lang="zh"))
            .locator('[data-testid="stMetricValue"]')
        )
        expect(checked_in).to_have_text("0")
        expect(page.locator(".es-banner-none")).to_be_visible()  # nothing received yet: said so
        ts = (clock.now() - dt.timedelta(minutes=1)).isoformat()
        events = [
            {"event_id": f"e2e-{seat}", "kind": "checkin", "site_code": site, "ts": ts, "session_code": "GK-1A",
             "room_code": room, "seat_no": seat, "method": "face", "result": "pass"}
            for seat in (1, 2, 3)
        ]  # fmt: skip
        assert post(feed, site, events)["accepted"] == 3
        expect(checked_in).to_have_text("3")  # no reload: the fragment refreshed itself
        expect(page.locator(".es-banner-none")).to_have_count(0)
        assert post(feed, site, events)["duplicate"] == 3  # sent again: counted once
        post(feed, site, [{**events[0], "event_id": "e2e-4", "seat_no": 4}])
        expect(checked_in).to_have_text("4")
        # a paper vehicle reported 3 km north of its planned path: counted as off its route
        from edusight.exam_state import distance_to_path_m, parse_path

        path = parse_path(waypoints)
        lon, lat = path[len(path) // 2]
        far = max((0.03, -0.03), key=lambda dy: distance_to_path_m(lon, lat + dy, path)[0])
        assert distance_to_path_m(lon, lat + far, path)[0] > 1_000
        gps = {"event_id": "e2e-gps", "kind": "transport", "site_code": site, "ts": ts, "route_id": route,
               "vehicle_id": plate, "lon": round(lon, 5), "lat": round(lat + far, 5), "state": "moving"}  # fmt: skip
        assert post(feed, "gps", [gps])["accepted"] == 1
        expect(page.get_by_text(re.compile(r"偏离路线 1 ·"))).to_be_visible()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.screenshot(path=screenshots / "exam_command_live.png", full_page=True)

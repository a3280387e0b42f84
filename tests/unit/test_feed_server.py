"""The HTTP endpoint, over real HTTP on 127.0.0.1: tokens, size limits, schema validation,
per-event statuses, idempotence across a server restart, the clock, and the drop-folder loop."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from etl.feed import tokens
from etl.feed.clock import simulation, wall_now
from etl.feed.ingest import Ingestor, Limits
from etl.feed.landing import Landing
from etl.feed.server import Maintenance, create_app

SITE = "GK22-510104-01"
SECRET = b"server-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    landing: Landing, limits: Limits | None = None, maintenance: bool = False
) -> Iterator[str]:
    ing = Ingestor(landing, limits=limits)
    maint = Maintenance(ing, SECRET, interval_s=0.1) if maintenance else None
    app = create_app(ing, secret=SECRET, maintenance=maint)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        th.join(timeout=10)


def post(
    url: str, body, token: str | None = None, ctype="application/json", raw: bytes | None = None
):
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def ev(i: int, **over) -> dict:
    e = {"event_id": f"h-{i}", "kind": "checkin", "site_code": SITE,
         "ts": (wall_now() - dt.timedelta(minutes=2)).isoformat(), "session_code": "GK-1A",
         "room_code": f"{SITE}-001", "seat_no": 1 + i % 30, "method": "id_card", "result": "pass"}  # fmt: skip
    return {**e, **over}


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


TOKEN = tokens.token_for(SITE, SECRET)


def test_a_batch_is_answered_per_event_after_it_is_landed(landing):
    with serving(landing) as base:
        status, body = post(
            f"{base}/v1/events", {"events": [ev(1), ev(2), ev(3, seat_no=0)]}, TOKEN
        )
        assert status == 200
        assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 0, 1)
        assert [r["status"] for r in body["results"]] == ["accepted", "accepted", "rejected"]
        assert body["results"][2]["reason"] == "out_of_range:seat_no"
        # durable before the answer: the file is there the moment the response arrives
        assert landing.read_table(columns=["event_id"]).num_rows == 2
        status, body = post(f"{base}/v1/events", [ev(1), ev(4)], TOKEN)  # a bare list works too
        assert [r["status"] for r in body["results"]] == ["duplicate", "accepted"]


def test_a_restarted_server_reports_duplicates(landing):
    with serving(landing) as base:
        assert (
            post(f"{base}/v1/events", {"events": [ev(i) for i in range(5)]}, TOKEN)[1]["accepted"]
            == 5
        )
    with serving(landing) as base:
        _, body = post(f"{base}/v1/events", {"events": [ev(i) for i in range(5)]}, TOKEN)
        assert (body["accepted"], body["duplicate"]) == (0, 5)
        with urllib.request.urlopen(f"{base}/v1/health") as r:
            health = json.loads(r.read())
        assert health["events_known"] == 5 and health["status"] == "ok"
    assert landing.read_table(columns=["event_id"]).num_rows == 5


@pytest.mark.parametrize(
    "token",
    [None, "garbage", f"{SITE}.{'0' * 32}", tokens.token_for(SITE, b"another-secret")],
)
def test_a_request_without_a_genuine_token_is_refused(landing, token):
    with serving(landing) as base:
        status, body = post(f"{base}/v1/events", {"events": [ev(1)]}, token)
    assert status == 401 and body["error"] == "bad_token"
    assert landing.live_files() == []


def test_a_site_token_cannot_report_for_another_site(landing):
    other = tokens.token_for("GK22-510105-01", SECRET)
    with serving(landing) as base:
        _, body = post(f"{base}/v1/events", {"events": [ev(1)]}, other)
    assert body["results"][0]["reason"] == "site_not_permitted"


def test_size_limits(landing):
    limits = Limits(max_body_bytes=4_000, max_events=3)
    with serving(landing, limits) as base:
        status, body = post(f"{base}/v1/events", {"events": [ev(i) for i in range(4)]}, TOKEN)
        assert (status, body["error"]) == (413, "too_many_events")
        status, body = post(f"{base}/v1/events", {"events": [ev(1, note="x" * 5000)]}, TOKEN)
        assert (status, body["error"]) == (413, "body_too_large")
        status, body = post(f"{base}/v1/events", {"events": [ev(1, note="x" * 600)]}, TOKEN)
        assert status == 200 and body["results"][0]["reason"] == "too_long:note"
    assert landing.live_files() == []


def test_a_body_that_is_not_a_json_batch_is_refused_and_kept_for_audit(landing):
    with serving(landing) as base:
        assert post(f"{base}/v1/events", None, TOKEN, raw=b"{oops")[0] == 400
        assert post(f"{base}/v1/events", {"event": ev(1)}, TOKEN)[1]["error"] == "not_a_batch"
        assert post(f"{base}/v1/events", {"events": []}, TOKEN, ctype="text/plain")[0] == 415
    reasons = [r["reason"] for r in landing.read_rejected()]
    assert reasons == ["not_json", "not_a_batch"]
    assert landing.read_rejected()[0]["event"] == "{oops"


def test_concurrent_requests_are_committed_together_and_nothing_is_lost(landing):
    with serving(landing) as base:
        results: list[dict] = []

        def send(k: int) -> None:
            results.append(
                post(f"{base}/v1/events", {"events": [ev(k * 10 + i) for i in range(10)]}, TOKEN)[1]
            )

        threads = [threading.Thread(target=send, args=(k,)) for k in range(12)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert sum(r["accepted"] for r in results) == 120
    t = landing.read_table(columns=["event_id"]).column(0).to_pylist()
    assert len(t) == len(set(t)) == 120
    assert len(landing.live_files()) <= 12


def test_the_clock_needs_the_command_token_and_the_server_uses_it(landing):
    ahead = wall_now() + dt.timedelta(hours=2)  # a simulation running two hours ahead
    clock = simulation(exam="高考", plan_day=dt.date(2022, 6, 7), start=ahead.time(), speed=1,
                       run_id="t", today=ahead.date())  # fmt: skip
    body = json.loads(clock.to_json())
    soon = ev(1, ts=(wall_now() + dt.timedelta(hours=1)).isoformat())
    command = tokens.token_for("command", SECRET)
    with serving(landing) as base:
        assert (
            post(f"{base}/v1/events", {"events": [soon]}, TOKEN)[1]["results"][0]["reason"]
            == "ts_in_future"
        )
        assert post(f"{base}/v1/clock", body, TOKEN)[0] == 401
        assert post(f"{base}/v1/clock", body, command) == (200, {"ok": True, "simulated": True})
        assert landing.read_clock() == clock
        # on the simulation's clock the same event is in the past: accepted
        assert post(f"{base}/v1/events", {"events": [soon]}, TOKEN)[1]["accepted"] == 1
        assert post(f"{base}/v1/clock", {"clear": True}, command)[0] == 200
        assert post(f"{base}/v1/clock", {"speed": -1}, command)[0] == 400
    assert not landing.read_clock().is_simulated


def test_the_background_loop_drains_the_drop_folder(landing):
    landing.ensure()
    with serving(landing, maintenance=True) as base:
        tmp = landing.inbox / ".late.part"
        tmp.write_text(json.dumps({"token": TOKEN, "events": [ev(i) for i in range(6)]}))
        tmp.rename(landing.inbox / "late.json")
        for _ in range(100):
            if landing.live_files():
                break
            time.sleep(0.05)
        _, body = post(f"{base}/v1/events", {"events": [ev(0), ev(7)]}, TOKEN)
    assert [r["status"] for r in body["results"]] == ["duplicate", "accepted"]
    assert landing.read_table(columns=["event_id"]).num_rows == 7

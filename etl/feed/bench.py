"""The live-feed benchmark (``etl.bench.bench_ingest`` runs it; results in docs/performance.md).

Sustained ingest over real HTTP on 127.0.0.1 while a separate process times the exam screen's
queries, for the 中考 (137,000 candidates at scale 1):

1. the first session of the 中考 is scripted by the simulator (every candidate's identity
   check, absentees, 保密室, paper vehicles, …) plus one heartbeat from every device, cut into
   batches per site (``batch`` events each) and encoded before the clock starts;
2. ``python -m etl feed serve`` runs as a subprocess on a free port with an empty landing area
   (its background loop drains and compacts as it would on the day);
3. ``workers`` threads post the batches over keep-alive connections, each a bounded loop over
   its share (no retries beyond one per batch, 127.0.0.1 only);
4. meanwhile another process runs the screen's ``load_screen`` (the live state's new files
   + the rules) back to back and records how long each takes, in wall time and in the
   process's CPU time (the machine's cores are shared with the server, the clients and
   whatever else runs: wall time shows what a viewer waits, CPU time what a refresh costs);
   after the load, a refresh is timed on the full landing area with nothing cached (every
   landing file read: a screen server starting mid-day) and with the state up to date.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from edusight import config
from etl.feed import tokens
from etl.feed.clock import Clock, wall_now
from etl.feed.simulate import EXAMS, build_day, day_events, load_sim_plan

SECRET = "bench-feed-secret"
HOST = "127.0.0.1"  # the benchmark never sends anywhere else


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_health(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"{url} not up after {timeout_s}s")


def screen_loop(db: str, landing: str, exam: str, stop_file: str, out_file: str) -> None:
    """Time ``load_screen`` back to back until ``stop_file`` exists (run in its own process)."""
    os.environ["EDUSIGHT_DB"] = db
    from edusight import exam_state as es
    from edusight import queries
    from etl.feed.landing import Landing

    scope = queries.all_units()
    lg = Landing(landing)
    th = es.Thresholds()
    wall: list[float] = []
    cpu: list[float] = []
    while not os.path.exists(stop_file):
        t0, c0 = time.perf_counter(), time.process_time()
        es.load_screen(lg, scope, exam, th)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        time.sleep(0.2)
    Path(out_file).write_text(json.dumps({"wall": wall, "cpu": cpu}))


def _bodies(
    db: Path, exam: str, batch: int, secret: bytes
) -> tuple[list[tuple[str, bytes, int]], Clock, dict]:
    plan = load_sim_plan(db, exam)
    today = wall_now().date()
    day = build_day(plan, 1, today, np.random.default_rng(2021))
    until = day.first_start_s + 20 * 60  # check-ins, absentees, first alerts
    events = day_events(day, until, run_id="bench")
    exam_now = dt.datetime.combine(today, dt.time()) + dt.timedelta(seconds=until)
    for i, d in enumerate(plan.devices.itertuples()):
        events.append((d.site_code, {"event_id": f"hb-{i}", "kind": "heartbeat", "site_code": d.site_code,
                                     "ts": exam_now.isoformat(), "device_id": d.device_id,
                                     "device_type": d.device_type_code, "status": "online"}))  # fmt: skip
    clock = Clock(speed=1, anchor_wall=wall_now(), anchor_exam=exam_now, exam=EXAMS[exam],
                  day_shift_days=(today - day.plan_date).days, run_id="bench")  # fmt: skip
    by: dict[str, list[dict]] = {}
    for principal, e in events:
        by.setdefault(principal, []).append(e)
    out = []
    for principal, evs in by.items():
        token = tokens.token_for(principal, secret)
        for i in range(0, len(evs), batch):
            chunk = evs[i : i + batch]
            out.append(
                (token, json.dumps({"events": chunk}, ensure_ascii=False).encode(), len(chunk))
            )
    # interleave sites as they would arrive
    out.sort(key=lambda x: hash(x[1][:200]))
    stats = {
        "candidates": int(plan.sites["candidates"].sum()),
        "sites": len(plan.sites),
        "devices": len(plan.devices),
        "events": len(events),
        "checkins": sum(e["kind"] == "checkin" for _, e in events),
    }
    return out, clock, stats


def run_all(db: Path | str, *, rate: float = 2500.0) -> dict[str, Any]:
    """Both phases: paced at ``rate`` events/s (the target load) and flat out."""
    return {"paced": run(db, rate=rate), "max": run(db, rate=None)}


def run(
    db: Path | str,
    *,
    exam: str = "zhongkao",
    batch: int = 1000,
    workers: int = 4,
    rate: float | None = None,
) -> dict[str, Any]:
    """One phase: post everything (paced at ``rate`` events/s in all, or flat out when None)
    while the screen is timed; returns the numbers for docs/performance.md."""
    db = Path(db)
    secret = SECRET.encode()
    bodies, clock, stats = _bodies(db, exam, batch, secret)
    work = Path(tempfile.mkdtemp(prefix="edusight-ingest-bench-"))
    landing = work / "landing"
    port = _free_port()
    env = {**os.environ, "EDUSIGHT_FEED_SECRET": SECRET, "EDUSIGHT_DB": str(db)}
    log = open(work / "feed.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etl",
            "feed",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--landing",
            str(landing),
            "--db",
            str(db),
        ],  # fmt: skip
        cwd=config.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    screen = None
    try:
        _wait_health(f"http://{HOST}:{port}/v1/health", server)
        req = urllib.request.Request(
            f"http://{HOST}:{port}/v1/clock", data=clock.to_json().encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {tokens.token_for('command', secret)}"},
        )  # fmt: skip
        urllib.request.urlopen(req, timeout=10).close()
        stop, times_file = work / "stop", work / "screen.json"
        screen = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from etl.feed.bench import screen_loop; screen_loop(*sys.argv[1:])",
                str(db),
                str(landing),
                exam,
                str(stop),
                str(times_file),
            ],  # fmt: skip
            cwd=config.ROOT,
            env=env,
        )
        time.sleep(2.0)  # the screen process is up and has run once on an empty area
        results: list[dict] = []
        lock = threading.Lock()
        shares = [bodies[i::workers] for i in range(workers)]

        def client(share: list[tuple[str, bytes, int]]) -> None:
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            sent = 0
            for token, body, n in share:  # bounded: one pass over this worker's share
                if rate:  # keep to the schedule: this worker's share of the rate
                    wait = t0 + sent / (rate / workers) - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                sent += n
                for attempt in (1, 2):
                    try:
                        conn.request("POST", "/v1/events", body=body, headers={
                            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})  # fmt: skip
                        res = json.loads(conn.getresponse().read())
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection(HOST, port, timeout=60)
                        if attempt == 2:
                            raise
                with lock:
                    results.append(res)
            conn.close()

        threads = [threading.Thread(target=client, args=(s,)) for s in shares]
        t0 = time.perf_counter()  # read by the clients (pacing)
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        ingest_s = time.perf_counter() - t0
        time.sleep(1.0)
        stop.write_text("stop")
        screen.wait(timeout=120)
        during = json.loads(times_file.read_text())
        after = _time_screen(db, landing, exam)
        accepted = sum(r.get("accepted", 0) for r in results)
        rejected = sum(r.get("rejected", 0) for r in results)
        files = len(list((landing / "events" / "batch").glob("*.parquet"))) + len(
            list((landing / "events" / "compact").glob("*.parquet"))
        )
        return {
            **stats,
            "exam": exam,
            "batch": batch,
            "workers": workers,
            "rate": rate,
            "requests": len(bodies),
            "accepted": accepted,
            "rejected": rejected,
            "ingest_s": ingest_s,
            "events_per_s": accepted / ingest_s if ingest_s else 0.0,
            "screen_during_ms": _summary(during["wall"]),
            "screen_during_cpu_ms": _summary(during["cpu"]),
            "screen_after_ms": _summary(after["cold"]),
            "screen_after_warm_ms": _summary(after["warm"]),
            "landing_files": files,
            "landing_mb": sum(f.stat().st_size for f in landing.rglob("*.parquet")) / 1e6,
        }
    finally:
        if screen is not None and screen.poll() is None:
            screen.kill()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _time_screen(db: Path, landing: Path, exam: str, n: int = 10) -> dict[str, list[float]]:
    """``load_screen`` on the full landing area in a fresh process: ``cold`` with the live
    state dropped each time (every landing file read again; the plan stays cached), ``warm``
    with the state up to date (nothing new landed)."""
    code = (
        "import sys, time, json, os; os.environ['EDUSIGHT_DB'] = sys.argv[1]\n"
        "from edusight import exam_state as es, queries\nfrom etl.feed.landing import Landing\n"
        "lg, scope, out = Landing(sys.argv[2]), queries.all_units(), {'cold': [], 'warm': []}\n"
        f"for k in range({2 * n + 1}):\n"
        f"    if k <= {n}: es.reset_live()  # cold: every landing file read again\n"
        "    t = time.perf_counter(); es.load_screen(lg, scope, sys.argv[3], es.Thresholds())\n"
        f"    out['cold' if k <= {n} else 'warm'].append(time.perf_counter() - t)\n"
        "out['cold'] = out['cold'][1:]\n"
        "print(json.dumps(out))\n"
    )
    p = subprocess.run([sys.executable, "-c", code, str(db), str(landing), exam], cwd=config.ROOT,
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(p.stdout.strip().splitlines()[-1])


def _summary(times: list[float]) -> dict[str, float]:
    if not times:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    ms = sorted(1000 * t for t in times)
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))],
        "max": ms[-1],
    }

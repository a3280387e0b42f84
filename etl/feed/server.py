"""The HTTP endpoint exam-site systems push to (``python -m etl feed serve``).

    POST /v1/events   Authorization: Bearer <token>   {"events": [ {...}, ... ]}
    POST /v1/clock    Authorization: Bearer <command token>   a simulation clock, or {"clear": true}
    GET  /v1/health   liveness and counters (no token)

A batch is answered only once its accepted events are durable in the landing area, with the
status of every event (``accepted`` / ``duplicate`` / ``rejected`` + reason). Status codes:
200 processed (see per-event statuses), 400 not a JSON batch, 401 bad token, 413 body or batch
too large, 415 not JSON, 503 landing failed (nothing was accepted: retry the same batch).

Concurrent requests are committed together (group commit: one Parquet file for all batches
waiting), so many small requests do not make many small files. A background thread drains
the drop folder (``inbox/``) and compacts landing files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from etl.feed import tokens
from etl.feed.clock import Clock
from etl.feed.ingest import Ingestor, Outcome

log = logging.getLogger("edusight.feed")
MAX_GROUP_EVENTS = 20_000  # most events one group commit takes


class Committer:
    """A single writer thread: takes every batch waiting and lands them in one commit."""

    def __init__(self, ingestor: Ingestor) -> None:
        self.ingestor = ingestor
        self._q: queue.Queue[tuple[list[Outcome], str, str, Future] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="feed-committer", daemon=True)
        self._thread.start()

    def submit(self, outcomes: list[Outcome], principal: str, source: str) -> Future:
        fut: Future = Future()
        self._q.put((outcomes, principal, source, fut))
        return fut

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            items = [item]
            n = len(item[0])
            while n < MAX_GROUP_EVENTS:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._q.put(None)
                    break
                items.append(nxt)
                n += len(nxt[0])
            try:
                results = self.ingestor.commit([(o, p, s) for o, p, s, _ in items])
            except Exception as e:  # disk full, permissions: nothing was accepted
                log.exception("landing failed")
                for *_, fut in items:
                    fut.set_exception(e)
                continue
            for (*_, fut), res in zip(items, results, strict=True):
                fut.set_result(res)


#: Compact files are merged once they are this old: screens (etl/feed/live.py) refreshing more
#: often than this have read the files they cover and skip the merged file.
MERGE_MIN_AGE_S = 60.0


class Maintenance:
    """Background loop: drain the drop folder, compact landing files."""

    def __init__(
        self,
        ingestor: Ingestor,
        secret: bytes,
        *,
        interval_s: float = 2.0,
        compact_every_s: float = 4.0,
        compact_min_files: int = 8,
        merge_min_age_s: float = MERGE_MIN_AGE_S,
    ) -> None:
        self.ingestor = ingestor
        self.secret = secret
        self.interval_s = interval_s
        self.compact_every_s = compact_every_s
        self.compact_min_files = compact_min_files
        self.merge_min_age_s = merge_min_age_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self, compact: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        drained = self.ingestor.drain_inbox(self.secret)
        if drained["files"]:
            log.warning("drop folder: %s", drained)
            out["drained"] = drained
        if compact:
            done = self.ingestor.compact(
                min_files=self.compact_min_files, merge_min_age_s=self.merge_min_age_s
            )
            if done:
                out["compacted"] = done
        return out

    def _run(self) -> None:
        since_compact = 0.0
        while not self._stop.wait(self.interval_s):
            since_compact += self.interval_s
            try:
                self.run_once(compact=since_compact >= self.compact_every_s)
            except Exception:
                log.exception("maintenance failed (will retry)")
            if since_compact >= self.compact_every_s:
                since_compact = 0.0


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _error(status: int, error: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, **extra}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it exceeds ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        with contextlib.suppress(ValueError):
            if int(declared) > limit:
                return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def create_app(
    ingestor: Ingestor,
    *,
    secret: bytes | None = None,
    maintenance: Maintenance | None = None,
) -> Starlette:
    """The ASGI app around an ``Ingestor``. ``maintenance`` runs while the app is up."""
    secret = tokens.feed_secret() if secret is None else secret
    limits = ingestor.limits
    committer: Committer | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        nonlocal committer
        committer = Committer(ingestor)
        if maintenance is not None:
            maintenance.start()
        try:
            yield
        finally:
            if maintenance is not None:
                maintenance.stop()
            committer.close()

    async def post_events(request: Request) -> JSONResponse:
        principal = tokens.principal_of(_bearer(request), secret)
        if principal is None:
            return _error(401, "bad_token")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return _error(415, "content_type", expected="application/json")
        body = await _read_body(request, limits.max_body_bytes)
        if body is None:
            return _error(413, "body_too_large", max_body_bytes=limits.max_body_bytes)
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            await run_in_threadpool(
                ingestor.reject_batch,
                principal,
                "http",
                "not_json",
                body[:4096].decode(errors="replace"),
            )
            return _error(400, "not_json")
        events = doc.get("events") if isinstance(doc, dict) else doc
        if not isinstance(events, list):
            await run_in_threadpool(ingestor.reject_batch, principal, "http", "not_a_batch", doc)
            return _error(400, "not_a_batch", expected='{"events": [...]}')
        if len(events) > limits.max_events:
            return _error(413, "too_many_events", max_events=limits.max_events)
        outcomes = await run_in_threadpool(ingestor.validate, events, principal)
        assert committer is not None
        try:
            results = await asyncio.wrap_future(committer.submit(outcomes, principal, "http"))
        except Exception:
            return _error(503, "landing_failed", retry=True)
        counts = {
            s: sum(r["status"] == s for r in results) for s in ("accepted", "duplicate", "rejected")
        }
        return JSONResponse({**counts, "results": results})

    async def post_clock(request: Request) -> JSONResponse:
        if tokens.principal_of(_bearer(request), secret) != "command":
            return _error(401, "bad_token")
        body = await _read_body(request, 16_384)
        try:
            doc = json.loads(body or b"")
            clock = None if doc.get("clear") else Clock.from_json(json.dumps(doc))
        except (ValueError, TypeError, AttributeError) as e:
            return _error(400, "bad_clock", detail=str(e)[:200])
        await run_in_threadpool(ingestor.landing.write_clock, clock)
        return JSONResponse({"ok": True, "simulated": bool(clock and clock.is_simulated)})

    async def health(request: Request) -> JSONResponse:
        s = ingestor.stats
        clock = ingestor.landing.read_clock()
        return JSONResponse(
            {
                "status": "ok",
                "events_known": len(ingestor.seen),
                "accepted": s.accepted,
                "duplicate": s.duplicate,
                "rejected": s.rejected,
                "files_written": s.files,
                "last_received_at": s.last_received_at.isoformat() if s.last_received_at else None,
                "plan": "loaded"
                if ingestor.plan.get() is not None
                else (ingestor.plan.error or "none"),
                "clock": {
                    "simulated": clock.is_simulated,
                    "speed": clock.speed,
                    "exam": clock.exam,
                },
            }
        )

    return Starlette(
        routes=[
            Route("/v1/events", post_events, methods=["POST"]),
            Route("/v1/clock", post_clock, methods=["POST"]),
            Route("/v1/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )

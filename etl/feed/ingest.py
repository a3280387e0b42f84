"""Validate → deduplicate → land: the one path every event takes (HTTP, drop folder, screens).

    ing = Ingestor(Landing(path), PlanSource(db_path))
    results = ing.submit(events, principal="GK22-510104-01", source="http")
    # [{"event_id": "...", "status": "accepted" | "duplicate" | "rejected", "reason": ...}, ...]

- **Idempotent by event id.** The ids of every landed event are kept in memory and rebuilt
  from the landing files when an ``Ingestor`` starts (a restarted server forgets nothing);
  before each commit it also reads the ids of files other writers (``feed drain``, another
  server) landed meanwhile, under the landing lock. An id already landed is reported
  ``duplicate`` and not landed again (the first version wins).
- **Accepted means durable.** ``commit`` returns only after the batch's Parquet file is fsynced
  and renamed into place; ids join the seen-set only then. If writing fails, nothing is
  reported accepted and the sender retries (duplicates are harmless).
- **Refused events are kept.** Each refused event goes to ``rejected/<date>.jsonl`` with its
  reason, the sender, and the raw event.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edusight import config
from etl.feed import tokens
from etl.feed.clock import wall_now
from etl.feed.landing import Landing
from etl.feed.plan import PlanSource
from etl.feed.schema import Invalid, as_table, validate


@dataclass(frozen=True)
class Limits:
    """Size limits of one request / one drop-folder file, and the accepted time range."""

    max_body_bytes: int = 1_048_576
    max_events: int = 2_000
    max_file_bytes: int = 64 * 1_048_576
    max_file_events: int = 200_000
    max_future: dt.timedelta = dt.timedelta(minutes=5)
    max_age: dt.timedelta = dt.timedelta(days=7)

    @classmethod
    def from_config(cls) -> Limits:
        return cls(
            max_body_bytes=int(config.get("feed_max_body_bytes")),
            max_events=int(config.get("feed_max_events")),
            max_file_bytes=int(config.get("feed_max_file_bytes")),
        )


@dataclass
class Outcome:
    """One event of a batch after validation: a row to land, or the reason it is refused."""

    index: int
    event_id: str | None
    row: dict[str, Any] | None = None
    reason: str | None = None
    raw: Any = None


@dataclass
class Stats:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    files: int = 0
    last_received_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _event_id(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("event_id"), str):
        return raw["event_id"][:80]
    return None


class Ingestor:
    """Validates and lands batches into one landing area (thread-safe)."""

    def __init__(
        self,
        landing: Landing,
        plan: PlanSource | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.landing = landing.ensure()
        self.plan = plan or PlanSource(None)
        self.limits = limits or Limits()
        self.seen: set[str] = set()
        self._scanned: set[Path] = set()
        self.stats = Stats()
        self._lock = threading.Lock()
        landing.cleanup()
        with landing.lock():
            self.refresh_seen()

    # --- seen-set ---------------------------------------------------------------------------------

    def refresh_seen(self) -> int:
        """Add the ids of live files not read yet (other writers', or all of them at start).
        Call under the landing lock. Returns how many files were read."""
        live = set(self.landing.live_files())
        new = live - self._scanned
        if new:
            self.seen.update(self.landing.read_ids(sorted(new)))
        self._scanned = live
        return len(new)

    # --- validation -------------------------------------------------------------------------------

    def validate(self, events: list[Any], principal: str) -> list[Outcome]:
        exam_now = self.landing.read_clock().now()
        plan = self.plan.get()
        out = []
        for i, raw in enumerate(events):
            o = Outcome(i, _event_id(raw), raw=raw)
            try:
                o.row = validate(
                    raw,
                    principal=principal,
                    exam_now=exam_now,
                    plan=plan,
                    max_future=self.limits.max_future,
                    max_age=self.limits.max_age,
                )
            except Invalid as e:
                o.reason = e.reason
            out.append(o)
        return out

    # --- commit -------------------------------------------------------------------------------------

    def commit(self, groups: list[tuple[list[Outcome], str, str]]) -> list[list[dict[str, Any]]]:
        """Land the valid, new events of several batches in ONE file (group commit).

        ``groups``: (outcomes, principal, source) per batch. Returns per batch, per event:
        ``{"event_id", "status": accepted|duplicate|rejected, "reason"?}``.
        """
        with self._lock, self.landing.lock():
            self.refresh_seen()
            received = wall_now()
            rows: list[dict[str, Any]] = []
            new_ids: set[str] = set()
            rejected: list[dict[str, Any]] = []
            results: list[list[dict[str, Any]]] = []
            for outcomes, principal, source in groups:
                res = []
                for o in outcomes:
                    if o.row is None:
                        res.append(
                            {"event_id": o.event_id, "status": "rejected", "reason": o.reason}
                        )
                        rejected.append(
                            {
                                "received_at": received.isoformat(),
                                "source": source,
                                "principal": principal,
                                "index": o.index,
                                "reason": o.reason,
                                "event": o.raw,
                            }
                        )
                    elif o.row["event_id"] in self.seen or o.row["event_id"] in new_ids:
                        res.append({"event_id": o.event_id, "status": "duplicate"})
                    else:
                        row = {**o.row, "received_at": received, "principal": principal}
                        row["source"] = source
                        rows.append(row)
                        new_ids.add(row["event_id"])
                        res.append({"event_id": o.event_id, "status": "accepted"})
                results.append(res)
            if rows:
                path = self.landing.write_batch(as_table(rows))  # durable when it returns
                self._scanned.add(path)
                self.seen |= new_ids
                self.stats.files += 1
                self.stats.last_received_at = received
            self.landing.append_rejected(rejected)
        self.stats.accepted += len(rows)
        self.stats.rejected += len(rejected)
        self.stats.duplicate += sum(r["status"] == "duplicate" for res in results for r in res)
        return results

    def submit(self, events: list[Any], principal: str, source: str) -> list[dict[str, Any]]:
        """Validate and land one batch; per-event results."""
        return self.commit([(self.validate(events, principal), principal, source)])[0]

    def reject_batch(self, principal: str, source: str, reason: str, raw: Any) -> None:
        """Keep a whole refused batch for audit (a body that is not a batch of events)."""
        record = {
            "received_at": wall_now().isoformat(),
            "source": source,
            "principal": principal,
            "index": None,
            "reason": reason,
            "event": raw,
        }
        with self.landing.lock():
            self.landing.append_rejected([record])
        self.stats.rejected += 1

    def compact(
        self, min_files: int = 8, max_compacts: int = 8, merge_min_age_s: float = 0.0
    ) -> tuple[int, int] | None:
        """Merge small landing files (``Landing.compact``); the ids are known already."""
        with self._lock, self.landing.lock():
            self.refresh_seen()  # ids of other writers' files first: they are merged next
            done = self.landing.compact(
                min_files=min_files, max_compacts=max_compacts, merge_min_age_s=merge_min_age_s
            )
            if done:
                self._scanned = set(self.landing.live_files())
            return done

    # --- the drop folder ------------------------------------------------------------------------------

    def drain_inbox(self, secret: bytes | None = None) -> dict[str, int]:
        """Process every batch file waiting in ``inbox/`` through the same validation path.

        A file is JSON: ``{"token": "<site token>", "events": [...]}``. It is moved to
        ``inbox/done/`` once every event in it is landed (or reported duplicate/rejected), or to
        ``inbox/failed/`` (with a ``.reason.txt``) when it cannot be read or its token is not
        genuine. A crash half-way simply re-runs the file later: duplicates are not landed twice.
        """
        secret = tokens.feed_secret() if secret is None else secret
        summary = {"files": 0, "failed": 0, "accepted": 0, "duplicate": 0, "rejected": 0}
        for path in self.landing.inbox_files():
            summary["files"] += 1
            source = f"inbox:{path.name}"
            try:
                if path.stat().st_size > self.limits.max_file_bytes:
                    raise Invalid("file_too_large")
                try:
                    doc = json.loads(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise Invalid("not_json") from None
                if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
                    raise Invalid("not_a_batch")
                principal = tokens.principal_of(doc.get("token"), secret)
                if principal is None:
                    raise Invalid("bad_token")
                events = doc["events"]
                if len(events) > self.limits.max_file_events:
                    raise Invalid("too_many_events")
            except FileNotFoundError:
                continue  # taken by another drainer
            except Invalid as e:
                self.landing.finish_inbox_file(path, ok=False, reason=e.reason)
                summary["failed"] += 1
                continue
            step = max(self.limits.max_events, 1)
            for start in range(0, len(events), step):
                for r in self.submit(events[start : start + step], principal, source):
                    summary[r["status"]] += 1
            self.landing.finish_inbox_file(path, ok=True)
        return summary


def land_ack(
    landing: Landing, *, alert_id: str, site_code: str, user: str, exam_now: dt.datetime
) -> str:
    """Land an acknowledgement from a screen (kind ``ack``, source ``screen``) through the same
    validation and atomic write as every other event, so all screens see it. Returns its id."""
    import uuid

    raw = {
        "event_id": f"ack-{uuid.uuid4().hex}",
        "kind": "ack",
        "site_code": site_code,
        "ts": exam_now.isoformat(timespec="seconds"),
        "alert_id": alert_id,
        "user_name": (user or "?")[:64],
    }
    row = validate(raw, principal="command", exam_now=exam_now)
    row.update(received_at=wall_now(), principal="screen", source="screen")
    with landing.lock():
        landing.ensure()
        landing.write_batch(as_table([row]))
    return raw["event_id"]

"""The landing area: where accepted live events are written, atomically, as Parquet files.

Layout (``EDUSIGHT_LANDING``, default ``data/landing``)::

    events/batch/b-<time>-<pid>-<n>.parquet      one file per committed batch
    events/compact/c-<…>.parquet                 many batch files merged into one …
    events/compact/c-<…>.covers.json             … and the files it replaces (the commit mark)
    inbox/*.json                                 drop folder: batches uploaded after an outage
    inbox/done/, inbox/failed/                   drained files (failed: with a .reason.txt)
    rejected/<date>.jsonl                        every refused event: reason + raw event
    clock.json                                   the simulation clock (absent on a real day)
    archive/<time>/                              what `feed simulate --reset` moved aside
    .tmp/                                        files being written (never read)
    .lock                                        the writers' lock (flock)

Guarantees:

- **Atomic files.** A file is written under ``.tmp/`` (outside every listing), flushed and
  fsynced, then renamed into place with ``os.replace`` and the directory fsynced. A reader sees
  a whole file or none.
- **One writer at a time.** Writers (server, ``feed drain``, a screen's acknowledgement) hold
  an exclusive ``flock`` on ``.lock`` plus a thread lock while they check ids and write.
- **Compaction never double-counts.** ``live_files()`` is the only way to list data: a compact
  file counts only once its ``.covers.json`` exists (renamed in *after* the Parquet file), and
  then every file it covers is ignored, whether or not it has been deleted yet. Listing reads
  ``batch/`` before ``compact/``, so a compaction committing in between cannot hide a file.
  A crash at any step leaves either the old files or the new one counting, never both;
  ``cleanup()`` finishes or discards the leftovers.
- **Readers keep up cheaply.** Merging compact files never takes batch files along, and the
  server merges only compact files older than a minute (``merge_min_age_s``): a screen that
  has read the batch files (``etl.feed.live``) finds every file a merge covers already read
  and skips the merged file instead of reading the day again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.feed.clock import REAL, Clock, wall_now
from etl.feed.schema import SCHEMA

COVERS = ".covers.json"
TMP_MAX_AGE_S = 600  # a temp file older than this belongs to a dead writer
ROW_GROUP_ROWS = 16_384


class SimulatedCrash(RuntimeError):
    """Raised by ``compact(fail_at=…)`` in tests to stop a compaction half-way."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Landing:
    """One landing area on disk (see the module docstring for its layout and guarantees)."""

    _seq = itertools.count(1)

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.batch_dir = self.root / "events" / "batch"
        self.compact_dir = self.root / "events" / "compact"
        self.inbox = self.root / "inbox"
        self.rejected_dir = self.root / "rejected"
        self.tmp = self.root / ".tmp"
        self.clock_file = self.root / "clock.json"
        self._tlock = threading.RLock()
        self._depth = 0
        self._lock_fd: int | None = None
        self._covers_cache: dict[str, frozenset[str]] = {}

    def ensure(self) -> Landing:
        for d in (
            self.batch_dir,
            self.compact_dir,
            self.inbox / "done",
            self.inbox / "failed",
            self.rejected_dir,
            self.tmp,
        ):
            d.mkdir(parents=True, exist_ok=True)
        return self

    # --- locking --------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive writer lock: threads of this process, and other processes (flock)."""
        with self._tlock:
            if self._depth == 0:
                self.root.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_fd = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    # --- names --------------------------------------------------------------------------------

    def _name(self, prefix: str) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"{prefix}-{stamp}-{os.getpid()}-{next(self._seq):06d}"

    def rel(self, path: Path) -> str:
        """``batch/<name>`` or ``compact/<name>``: how covers files name the files they replace."""
        return f"{path.parent.name}/{path.name}"

    # --- reading --------------------------------------------------------------------------------

    def _covers(self, parquet: Path) -> frozenset[str]:
        key = str(parquet)
        hit = self._covers_cache.get(key)
        if hit is None:
            text = (parquet.parent / (parquet.name[: -len(".parquet")] + COVERS)).read_text()
            hit = frozenset(json.loads(text)["covers"])
            self._covers_cache[key] = hit
        return hit

    def _list(self, d: Path) -> list[str]:
        try:
            return sorted(os.listdir(d))
        except FileNotFoundError:
            return []

    def live_files(self) -> list[Path]:
        """The files that hold the landed events, each event in exactly one of them."""
        for attempt in range(3):
            batch = [n for n in self._list(self.batch_dir) if n.endswith(".parquet")]
            names = self._list(self.compact_dir)
            marks = {n for n in names if n.endswith(COVERS)}
            compacts = [
                self.compact_dir / n
                for n in names
                if n.endswith(".parquet") and n[: -len(".parquet")] + COVERS in marks
            ]
            try:
                excluded = set().union(*(self._covers(c) for c in compacts))
            except FileNotFoundError:  # a compact file was merged away meanwhile: list again
                if attempt == 2:
                    raise
                continue
            out = [self.batch_dir / n for n in batch if f"batch/{n}" not in excluded]
            out += [c for c in compacts if self.rel(c) not in excluded]
            return out
        raise AssertionError("unreachable")

    def read_table(self, files: Iterable[Path] | None = None, columns=None) -> pa.Table:
        """The landed events (all live files, or ``files``) as one Arrow table."""
        files = self.live_files() if files is None else list(files)
        tables = [pq.read_table(f, columns=columns, schema=SCHEMA) for f in files]
        if not tables:
            return SCHEMA.empty_table() if columns is None else SCHEMA.empty_table().select(columns)
        return pa.concat_tables(tables)

    def read_ids(self, files: Iterable[Path]) -> list[str]:
        out: list[str] = []
        for f in files:
            out += pq.read_table(f, columns=["event_id"]).column(0).to_pylist()
        return out

    # --- writing --------------------------------------------------------------------------------

    def _write_parquet(self, table: pa.Table, name: str) -> Path:
        tmp = self.tmp / f"{name}.part"
        with open(tmp, "wb") as f:
            # small row groups: a query for one kind of event skips the others' row groups
            pq.write_table(table, f, compression="zstd", row_group_size=ROW_GROUP_ROWS)
            f.flush()
            os.fsync(f.fileno())
        return tmp

    def write_batch(self, table: pa.Table) -> Path:
        """Land one batch atomically and durably; call under ``lock()``."""
        self.ensure()
        name = self._name("b") + ".parquet"
        tmp = self._write_parquet(table.cast(SCHEMA), name)
        dest = self.batch_dir / name
        os.replace(tmp, dest)
        _fsync_dir(self.batch_dir)
        return dest

    def append_rejected(self, records: list[dict[str, Any]]) -> None:
        """Append refused events (reason + raw event) to today's audit file; durable."""
        if not records:
            return
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        path = self.rejected_dir / f"{wall_now():%Y-%m-%d}.jsonl"
        data = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read_rejected(self) -> list[dict[str, Any]]:
        out = []
        for f in sorted(self.rejected_dir.glob("*.jsonl")):
            out += [json.loads(line) for line in f.read_text("utf-8").splitlines() if line]
        return out

    # --- compaction -----------------------------------------------------------------------------

    def _rows(self, parquet: Path) -> int:
        text = (parquet.parent / (parquet.name[: -len(".parquet")] + COVERS)).read_text()
        return int(json.loads(text).get("rows", 0))

    def _age_s(self, compact: Path, now: float) -> float:
        try:
            return (
                now - (compact.parent / (compact.name[: -len(".parquet")] + COVERS)).stat().st_mtime
            )
        except FileNotFoundError:
            return 0.0

    def compact(
        self,
        *,
        min_files: int = 8,
        max_compacts: int = 8,
        merge_min_age_s: float = 0.0,
        fail_at: str | None = None,
    ) -> tuple[int, int] | None:
        """Merge batch files, or, when there are many compact files, compact files, into one.

        Compact files are merged once there are ``max_compacts`` of them, size-tiered, and only
        those committed at least ``merge_min_age_s`` ago (readers have read what they cover);
        batch files are merged on their own once there are ``min_files``. Returns (files
        merged, rows) or None when there was nothing worth merging. ``fail_at`` (tests): raise
        ``SimulatedCrash`` after ``"parquet"`` (new file renamed in, not yet committed),
        ``"commit"`` (committed, nothing deleted) or ``"delete"`` (one input deleted).
        """
        with self.lock():
            self.ensure()
            files = self.live_files()
            batches = [f for f in files if f.parent == self.batch_dir]
            compacts = [f for f in files if f.parent == self.compact_dir]
            now = time.time()
            old = [c for c in compacts if self._age_s(c, now) >= merge_min_age_s]
            inputs: list[Path] = []
            if len(compacts) >= max_compacts and len(old) >= 2:
                # size-tiered: the largest compact file is rewritten only when the others
                # together have grown as large as it, so the day's data is not rewritten often
                rows = {c: self._rows(c) for c in old}
                largest = max(old, key=rows.__getitem__)
                rest = [c for c in old if c != largest]
                inputs = rest if sum(rows[c] for c in rest) < rows[largest] else old
                if len(inputs) < 2:
                    inputs = []
            if not inputs and len(batches) >= max(min_files, 2):
                inputs = batches
            if not inputs:
                return None
            compacts = [c for c in inputs if c.parent == self.compact_dir]
            table = self.read_table(inputs)
            if table.num_rows:  # clustered so that row-group statistics prune well
                order = [(c, "ascending") for c in ("kind", "session_code", "result", "ts")]
                table = table.take(pc.sort_indices(table, order))
            covers = {self.rel(f) for f in inputs}
            for c in compacts:
                if c in inputs:
                    covers |= self._covers(c)
            name = self._name("c")
            tmp_parquet = self._write_parquet(table, name + ".parquet")
            tmp_covers = self.tmp / f"{name}{COVERS}.part"
            with open(tmp_covers, "w") as f:
                json.dump({"covers": sorted(covers), "rows": table.num_rows}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_parquet, self.compact_dir / f"{name}.parquet")
            if fail_at == "parquet":
                raise SimulatedCrash(fail_at)
            os.replace(tmp_covers, self.compact_dir / f"{name}{COVERS}")  # the commit point
            _fsync_dir(self.compact_dir)
            if fail_at == "commit":
                raise SimulatedCrash(fail_at)
            for i, f in enumerate(inputs):
                self._remove(f)
                if fail_at == "delete" and i == 0:
                    raise SimulatedCrash(fail_at)
            return len(inputs), table.num_rows

    def _remove(self, f: Path) -> None:
        f.unlink(missing_ok=True)
        if f.parent == self.compact_dir:
            (f.parent / (f.name[: -len(".parquet")] + COVERS)).unlink(missing_ok=True)
            self._covers_cache.pop(str(f), None)

    def cleanup(self) -> dict[str, int]:
        """Finish or discard what a crashed writer left behind (call at start)."""
        done = {"tmp": 0, "uncommitted": 0, "orphan_marks": 0, "covered": 0}
        with self.lock():
            self.ensure()
            now = time.time()
            for f in self.tmp.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if now - f.stat().st_mtime > TMP_MAX_AGE_S:
                        f.unlink()
                        done["tmp"] += 1
            names = set(self._list(self.compact_dir))
            for n in names:
                if n.endswith(".parquet") and n[: -len(".parquet")] + COVERS not in names:
                    (self.compact_dir / n).unlink()  # renamed in, never committed
                    done["uncommitted"] += 1
                elif n.endswith(COVERS) and n[: -len(COVERS)] + ".parquet" not in names:
                    (self.compact_dir / n).unlink()
                    done["orphan_marks"] += 1
            live = set(self.live_files())
            for d in (self.batch_dir, self.compact_dir):
                for n in self._list(d):
                    p = d / n
                    if n.endswith(".parquet") and p not in live:
                        self._remove(p)  # covered by a committed compact file
                        done["covered"] += 1
        return done

    # --- the clock --------------------------------------------------------------------------------

    def read_clock(self) -> Clock:
        """The simulation clock, or the real clock when there is none (or it is unreadable)."""
        try:
            return Clock.from_json(self.clock_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return REAL
        except (ValueError, KeyError, TypeError):
            return REAL

    def write_clock(self, clock: Clock | None) -> None:
        """Store (or, with None, remove) the simulation clock, atomically."""
        with self.lock():
            self.ensure()
            if clock is None:
                self.clock_file.unlink(missing_ok=True)
                return
            tmp = self.tmp / "clock.json.part"
            tmp.write_text(clock.to_json(), encoding="utf-8")
            os.replace(tmp, self.clock_file)

    # --- the drop folder --------------------------------------------------------------------------

    def inbox_files(self) -> list[Path]:
        """Batches waiting in the drop folder: ``inbox/*.json`` (oldest first). Uploaders write
        to another name (``.part``) and rename when complete."""
        try:
            files = [p for p in self.inbox.glob("*.json") if not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def finish_inbox_file(self, path: Path, ok: bool, reason: str = "") -> Path:
        sub = self.inbox / ("done" if ok else "failed")
        sub.mkdir(parents=True, exist_ok=True)
        dest = sub / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{path.name}"
        os.replace(path, dest)
        if not ok:
            dest.with_name(dest.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        return dest

    # --- demo reset -------------------------------------------------------------------------------

    def archive(self) -> Path | None:
        """Move the events, the rejected log and the clock aside (``archive/<time>/``)."""
        with self.lock():
            parts = [self.root / "events", self.rejected_dir, self.clock_file]
            if not any(p.exists() for p in parts):
                return None
            dest = self.root / "archive" / f"{dt.datetime.now():%Y%m%dT%H%M%S}"
            dest.mkdir(parents=True, exist_ok=True)
            for p in parts:
                if p.exists():
                    shutil.move(str(p), dest / p.name)
            self._covers_cache.clear()
            self.ensure()
            return dest


def empty_events_file() -> Path:
    """A Parquet file with the event schema and no rows (queries need at least one file)."""
    digest = hashlib.sha256(SCHEMA.to_string().encode()).hexdigest()[:12]
    p = Path(tempfile.gettempdir()) / f"edusight-empty-events-{digest}.parquet"
    if not p.exists():
        tmp = p.with_name(p.name + f".{os.getpid()}.part")
        pq.write_table(SCHEMA.empty_table(), tmp)
        os.replace(tmp, p)
    return p

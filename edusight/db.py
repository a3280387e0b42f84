"""The one place that opens the analytics database: read-only, reopened when the file is swapped.

The ETL builds a new database beside the live one and swaps it in with ``os.replace``. In one
process DuckDB hands back the *old* database instance to a new ``connect()`` on the same path
until every connection to that path is closed. So this module keeps one read-only parent
connection per path, keyed on the file's identity (inode, mtime, size); when the identity
changes it closes the stale parent (which closes its cursors and releases the old instance)
before opening the new file. Each query runs on its own short-lived cursor.

Nothing here knows about Streamlit: caching and scoping live in ``edusight.queries``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from edusight import config

Reason = Literal["missing", "locked", "corrupt", "incomplete"]

_FIX = "run `make run` (first time) or `python -m etl build` to (re)build it"


class DatabaseUnavailable(RuntimeError):
    """The analytics database cannot be read: missing, locked, corrupt or incomplete.

    ``reason`` is one of ``missing | locked | corrupt | incomplete``; ``path`` the file;
    ``detail`` the underlying error text. The UI turns ``reason`` into a translated message.
    """

    def __init__(self, reason: Reason, path: Path | str, detail: str = "") -> None:
        self.reason: Reason = reason
        self.path = Path(path)
        self.detail = detail
        what = {
            "missing": "does not exist",
            "locked": "is being rebuilt or is locked by another process",
            "corrupt": "cannot be read (corrupt or not a DuckDB file)",
            "incomplete": "lacks expected tables (built by an older ETL?)",
        }[reason]
        super().__init__(
            f"Database {self.path} {what}: {_FIX}." + (f" ({detail})" if detail else "")
        )


FileKey = tuple[int, int, int]  # (inode, mtime_ns, size)

_lock = threading.Lock()
_parents: dict[str, tuple[FileKey, duckdb.DuckDBPyConnection]] = {}


def db_path() -> Path:
    """The configured database path (``EDUSIGHT_DB``, default ``data/edusight.duckdb``)."""
    return config.db_path()


def _stat(path: Path) -> os.stat_result:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DatabaseUnavailable("missing", path) from None
    except OSError as e:
        raise DatabaseUnavailable("corrupt", path, str(e)) from e
    if not path.is_file():
        raise DatabaseUnavailable("corrupt", path, "not a regular file")
    return st


def file_key(path: Path | str | None = None) -> FileKey:
    """(inode, mtime_ns, size) of the database file; changes when a new file is swapped in."""
    st = _stat(Path(path) if path else db_path())
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def db_version(path: Path | str | None = None) -> tuple[int, int]:
    """(inode, mtime_ns) of the database file: the cache key of everything read from it."""
    ino, mtime_ns, _ = file_key(path)
    return (ino, mtime_ns)


def _classify(path: Path, err: Exception) -> DatabaseUnavailable:
    text = str(err)
    low = text.lower()
    if "lock" in low or "conflicting" in low:
        return DatabaseUnavailable("locked", path, text)
    if "does not exist" in low or "no such file" in low:
        return DatabaseUnavailable("missing", path, text)
    return DatabaseUnavailable("corrupt", path, text)


def _parent(path: Path) -> duckdb.DuckDBPyConnection:
    """The read-only parent connection for the file currently at ``path`` (call under _lock)."""
    key = file_key(path)
    name = str(path.resolve())
    cached = _parents.get(name)
    if cached and cached[0] == key:
        return cached[1]
    if cached:  # the file was swapped: release the old instance before opening the new one
        _parents.pop(name)
        cached[1].close()
    try:
        con = duckdb.connect(name, read_only=True)
    except duckdb.Error as e:
        raise _classify(path, e) from e
    _parents[name] = (key, con)
    return con


@contextmanager
def cursor(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor on the current database file, closed on exit.

    >>> with cursor() as cur:
    ...     cur.execute("SELECT 1").fetchone()
    """
    p = Path(path) if path else db_path()
    with _lock:
        cur = _parent(p).cursor()
    try:
        yield cur
    finally:
        cur.close()


def fetch_df(path: Path | str | None, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Execute ``sql`` with bound ``$name`` parameters on a read-only cursor; return a DataFrame.

    Raises ``DatabaseUnavailable`` for a missing/locked/corrupt file and for missing tables
    (``incomplete``). A query interrupted because another thread swapped the connection is
    retried once on the new file.
    """
    p = Path(path) if path else db_path()
    for attempt in (1, 2):
        try:
            with cursor(p) as cur:
                return cur.execute(sql, dict(params)).df()
        except duckdb.CatalogException as e:
            raise DatabaseUnavailable("incomplete", p, str(e)) from e
        except duckdb.ConnectionException as e:
            if attempt == 2 or "closed" not in str(e).lower():
                raise _classify(p, e) from e
        except duckdb.IOException as e:
            raise _classify(p, e) from e
    raise AssertionError("unreachable")


def close_all() -> None:
    """Close every cached connection (tests; before deleting a database file in-process)."""
    with _lock:
        for _, con in _parents.values():
            con.close()
        _parents.clear()

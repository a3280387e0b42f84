"""Dashboard queries by name: ``queries/<name>.sql``, bound parameters, always scoped.

    from edusight import queries
    scope = queries.viewer_scope()                      # unit codes this viewer may see
    df = queries.run("meta_quarantine", scope, source="students", rule=None, file=None,
                     unit=None, limit=1000)
    n = queries.scalar("meta_quarantine_issue_count", scope)

Rules (tests/unit/test_queries.py enforces them):
- one query per file, named after what it returns; parameters are ``$name`` and are bound by
  DuckDB, never formatted into the SQL;
- every file references ``$scope`` (the list of unit codes the viewer may see) and ``run``
  always binds it;
- ``run`` binds exactly the parameters the file uses: extra keyword arguments are ignored,
  missing ones raise ``TypeError``.

Results are cached with ``st.cache_data`` on (query, scope, parameters, database version), so a
rebuilt database (a new file swapped in) is read afresh. The cached function takes plain values
and reads no globals; outside a Streamlit run it is a plain (memory-cached) call.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from edusight import db
from edusight.config import ROOT
from edusight.db import DatabaseUnavailable, db_version  # re-exported for page authors

__all__ = [
    "QUERIES_DIR",
    "DatabaseUnavailable",
    "all_units",
    "db_key",
    "db_version",
    "load_sql",
    "permitted_units",
    "query_names",
    "run",
    "scalar",
    "sql_params",
    "unit_names",
    "viewer_scope",
]

QUERIES_DIR = ROOT / "queries"
UNIT_FILTER_KEY = "unit"  # session-state key of the sidebar unit filter ("all" or a unit code)
ALL = "all"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM_RE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_RE = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRING_RE = re.compile(r"'(?:[^']|'')*'")


def query_path(name: str) -> Path:
    if not _NAME_RE.match(name):
        raise ValueError(f"bad query name {name!r}: use lower_snake_case, no path")
    return QUERIES_DIR / f"{name}.sql"


def query_names() -> list[str]:
    """Every query in queries/, by name."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@functools.lru_cache(maxsize=1024)
def _read_sql(path: str, mtime_ns: int, size: int) -> str:
    del mtime_ns, size  # cache key only: an edited file is read again
    return Path(path).read_text(encoding="utf-8")


def load_sql(name: str) -> str:
    """The text of ``queries/<name>.sql`` (read once per version of the file)."""
    p = query_path(name)
    try:
        st_ = p.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"no query {name!r}: {p} does not exist") from None
    if not stat.S_ISREG(st_.st_mode):
        raise FileNotFoundError(f"no query {name!r}: {p} is not a file")
    return _read_sql(str(p), st_.st_mtime_ns, st_.st_size)


@functools.lru_cache(maxsize=1024)
def _sql_params(sql: str) -> frozenset[str]:
    code = _STRING_RE.sub("''", _COMMENT_RE.sub(" ", sql))
    return frozenset(_PARAM_RE.findall(code))


def sql_params(sql: str) -> set[str]:
    """The ``$identifiers`` a query uses (comments and string literals ignored)."""
    return set(_sql_params(sql))


def _plain(value: Any) -> Any:
    """A hashable, bindable form of a parameter value (sequences become tuples)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return tuple(_plain(v) for v in items)
    if value is None or isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    raise TypeError(f"unsupported query parameter value {value!r} ({type(value).__name__})")


def _bindable(value: Any) -> Any:
    return [_bindable(v) for v in value] if isinstance(value, tuple) else value


def _check_scope(scope: Iterable[str]) -> tuple[str, ...]:
    if isinstance(scope, str) or scope is None:
        raise TypeError("scope must be a tuple of unit codes, e.g. viewer_scope(), not a string")
    out = tuple(scope)
    if not all(isinstance(u, str) for u in out):
        raise TypeError(f"scope must hold unit codes (str): {out!r}")
    return out


def _query_key(*inputs: Any) -> str:
    """A digest of plain values (str, numbers, dates, None and tuples of them): their repr tells
    every value and type apart, so equal digests mean equal inputs."""
    return hashlib.blake2b(repr(inputs).encode("utf-8"), digest_size=20).hexdigest()


@st.cache_data(show_spinner=False, max_entries=2048)
def _cached_query(*, key: str, _db_file: str, _sql: str, _bound: dict[str, Any]) -> pd.DataFrame:
    """Run one query. ``key`` digests every input (database file and version, query name and
    text, scope, parameters) and is the cache key; Streamlit does not hash the ``_`` arguments
    (hashing them value by value, and looking up positional argument names, cost more than a
    small query's whole cache hit)."""
    del key  # cache key only
    return db.fetch_df(_db_file, _sql, _bound)


def run(name: str, scope: Iterable[str], **params: Any) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` for the units in ``scope`` with bound ``$params``.

    ``run("meta_load_report", viewer_scope())``. Raises ``DatabaseUnavailable`` when the
    database cannot be read, ``TypeError`` when the file needs a parameter not given.
    """
    scope = _check_scope(scope)
    sql = load_sql(name)
    used = sql_params(sql)
    if "scope" not in used:
        raise ValueError(f"queries/{name}.sql does not reference $scope")
    if "scope" in params:
        raise TypeError("pass scope positionally, not as a parameter")
    missing = sorted(used - {"scope"} - params.keys())
    if missing:
        raise TypeError(f"queries/{name}.sql needs parameter(s) {', '.join(missing)}")
    bound = tuple(sorted((k, _plain(v)) for k, v in params.items() if k in used))
    path = str(db.db_path())
    return _cached_query(
        key=_query_key(path, db_version(path), name, sql, scope, bound),
        _db_file=path,
        _sql=sql,
        _bound={"scope": list(scope), **{k: _bindable(v) for k, v in bound}},
    )


def db_key() -> tuple[str, int, int]:
    """The database being read: (file, inode, mtime_ns); a new file swapped in has a new key.

    A page that derives frames from several queries (pandas work that need not run on every
    rerun) caches that work in its own ``st.cache_data`` function taking ``db_key()`` and the
    scope as arguments, so the result is recomputed for a new database and never served to a
    viewer with another scope::

        @st.cache_data(show_spinner=False, max_entries=64)
        def rollup(db: tuple, scope: tuple[str, ...]) -> pd.DataFrame:
            del db  # cache key only
            return summarize(queries.run("x_by_unit", scope))
    """
    path = db.db_path()
    return (str(path), *db_version(path))


def scalar(name: str, scope: Iterable[str], **params: Any) -> Any:
    """The first column of the first row of ``run(...)`` (None when there is no row)."""
    df = run(name, scope, **params)
    if df.empty:
        return None
    v = df.iat[0, 0]
    return None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)


# --- scope ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _unit_catalogue(db: tuple[str, int, int]) -> tuple[tuple[str, ...], dict[str, dict]]:
    """(unit codes, {lang: code → name}) of the database ``db`` (``db_key()``): read once per
    database file, as every run of every page asks for them, often more than once."""
    del db  # cache key only
    # meta_units lists the whole catalogue (unit names are public reference data) and flags
    # the rows in scope; the empty scope here means "flag none".
    df = run("meta_units", ())
    codes = tuple(df["unit_code"])
    names = {lang: dict(zip(codes, df[f"name_{lang}"], strict=True)) for lang in ("zh", "en")}
    return codes, names


def all_units() -> tuple[str, ...]:
    """Every reporting unit code in ``ref.units`` (23: 20 divisions + 3 zones), in display order."""
    return _unit_catalogue(db_key())[0]


def unit_names(lang: str) -> dict[str, str]:
    """unit code → unit name in ``lang`` ("zh" or "en")."""
    return dict(_unit_catalogue(db_key())[1][lang])


def permitted_units() -> tuple[str, ...]:
    """The units the signed-in viewer may see. Access control goes here, and only here.

    ``edusight.auth.permitted`` reads the viewer's role and unit from the signed session:
    leadership, admin, exam command and analysts see every unit, a unit official (or any
    account tied to a unit) that unit only, nobody signed in nothing. Outside a Streamlit run
    (ETL, CLI, tests of this module) every unit.
    """
    from edusight import auth

    return auth.permitted(all_units())


def viewer_scope() -> tuple[str, ...]:
    """Unit codes the current viewer may see: permitted units narrowed by the sidebar filter.

    Pass it to every ``run``. City-wide when the filter is "all" (or outside a Streamlit run).
    """
    permitted = permitted_units()
    chosen = None
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is not None:
            chosen = st.session_state.get(UNIT_FILTER_KEY)
    except Exception:
        chosen = None
    if chosen and chosen != ALL and chosen in permitted:
        return (chosen,)
    return permitted

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
import re
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


def load_sql(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    p = query_path(name)
    if not p.is_file():
        raise FileNotFoundError(f"no query {name!r}: {p} does not exist")
    return p.read_text(encoding="utf-8")


def sql_params(sql: str) -> set[str]:
    """The ``$identifiers`` a query uses (comments and string literals ignored)."""
    code = _STRING_RE.sub("''", _COMMENT_RE.sub(" ", sql))
    return set(_PARAM_RE.findall(code))


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


@st.cache_data(show_spinner=False, max_entries=2048)
def _cached_query(
    db_file: str,
    version: tuple[int, int],
    name: str,
    sql: str,
    scope: tuple[str, ...],
    params: tuple[tuple[str, Any], ...],
) -> pd.DataFrame:
    """Run one query. Every input is a plain value; ``version`` and ``name`` key the cache."""
    del version, name  # cache key only
    bound = {"scope": list(scope), **{k: _bindable(v) for k, v in params}}
    return db.fetch_df(db_file, sql, bound)


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
    path = db.db_path()
    return _cached_query(str(path), db_version(path), name, sql, scope, bound)


def scalar(name: str, scope: Iterable[str], **params: Any) -> Any:
    """The first column of the first row of ``run(...)`` (None when there is no row)."""
    df = run(name, scope, **params)
    if df.empty:
        return None
    v = df.iat[0, 0]
    return None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)


# --- scope ------------------------------------------------------------------------------------


def _units() -> pd.DataFrame:
    # meta_units lists the whole catalogue (unit names are public reference data) and flags
    # the rows in scope; the empty scope here means "flag none".
    return run("meta_units", ())


def all_units() -> tuple[str, ...]:
    """Every reporting unit code in ``ref.units`` (23: 20 divisions + 3 zones), in display order."""
    return tuple(_units()["unit_code"])


def unit_names(lang: str) -> dict[str, str]:
    """unit code → unit name in ``lang`` ("zh" or "en")."""
    df = _units()
    return dict(zip(df["unit_code"], df[f"name_{lang}"], strict=True))


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

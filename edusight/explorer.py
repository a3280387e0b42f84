"""The SQL explorer's sandbox: one read-only SELECT over scoped copies of the marts.

A query goes through four steps (``execute``); docs/security.md explains the design:

1. **Check** with DuckDB's own parser: exactly one statement (``duckdb.extract_statements``) of
   type SELECT; its syntax tree (``json_serialize_sql``) may name only the mart tables this
   viewer may see (``marts.x`` or ``x``) and its own CTEs, and no table function except
   ``SAFE_TABLE_FUNCTIONS``. So ATTACH, COPY, SET, PRAGMA, INSTALL/LOAD, CREATE…, EXPLAIN,
   DESCRIBE, ``read_csv``, ``query()``, ``duckdb_tables()``… are refused before anything runs.
2. **Sandbox**: a new in-memory DuckDB database holding copies of only the tables the query
   names, each filtered to the viewer's units while it is copied (``table_rule``); then the
   sandbox is locked: external access (files, network, extensions) disabled, Python replacement
   scans off, no temporary directory, configuration locked. The analytics database is not
   attached: whatever the check might miss, there is nothing else to read.
3. **Run** under a row limit (the query is wrapped in ``LIMIT n + 1``) and a time limit (a
   timer thread interrupts the connection).
4. **Suppress** counts of people below 5 (``edusight.privacy``) in every result column that is,
   or is computed from, a person-count column.

Every query is audited (``explorer_query``), whether it ran, was refused or failed.

Scope rules per mart table (``table_rule``): a table with ``unit_code`` is filtered to the
viewer's units; a table with ``school_id`` (and no ``unit_code``) to the schools of those units
(``marts.schools``); ``PUBLIC_TABLES`` (the calendar of periods) are whole for everyone; any
other table (no unit to filter on) is visible only to viewers whose permission is city-wide.
A viewer whose units are every unit gets whole tables, including rows without a unit.

The explorer composes SQL from identifiers, never from user values: table names come from the
database catalogue and are quoted; the viewer's units are bound as ``$scope``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from edusight import audit, config, db, privacy
from edusight.config import ROOT
from edusight.i18n import N_

MAX_SQL_CHARS = 20_000
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
PUBLIC_TABLES = frozenset({"periods"})
SANDBOX_CONFIG = {
    "enable_external_access": False,
    "python_enable_replacements": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
    "threads": 2,
    "memory_limit": "1GB",
}
PERSON_KEY = re.compile(r"(student|teacher|candidate|examinee|person|trainee)_key$")
COUNT_FUNCTIONS = frozenset({"count", "count_star", "approx_count_distinct"})
RATIO_FUNCTIONS = frozenset({"/", "//", "divide", "avg", "mean", "median", "corr", "stddev"})

RULE_LABELS = {
    "unit": N_("explorer.rule.unit"),
    "school": N_("explorer.rule.school"),
    "public": N_("explorer.rule.public"),
    "city": N_("explorer.rule.city"),
}
ERRORS = {
    "empty": N_("explorer.error.empty"),
    "too_long": N_("explorer.error.too_long"),
    "syntax": N_("explorer.error.syntax"),
    "one_statement": N_("explorer.error.one_statement"),
    "not_select": N_("explorer.error.not_select"),
    "table": N_("explorer.error.table"),
    "function": N_("explorer.error.function"),
    "timeout": N_("explorer.error.timeout"),
    "sql": N_("explorer.error.sql"),
}


class ExplorerError(Exception):
    """A query that was refused or failed. ``code`` is a key of ``ERRORS``; ``detail`` is text
    for the viewer (the DuckDB message, the table or the statement type)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MartTable:
    name: str
    rule: str  # unit | school | public | city (see table_rule)
    columns: tuple[tuple[str, str, str], ...]  # (name, type, comment)
    comment: str
    rows: int  # estimated

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c[0] for c in self.columns)


def table_rule(name: str, columns: Iterable[str], has_schools: bool) -> str:
    cols = set(columns)
    if "unit_code" in cols:
        return "unit"
    if "school_id" in cols and has_schools:
        return "school"
    if name in PUBLIC_TABLES:
        return "public"
    return "city"


_ETL_COMMENT = re.compile(r"^--\s*marts\.(\w+):\s*(.+)$", re.M)


@lru_cache(maxsize=1)
def _etl_comments() -> dict[str, str]:
    """``-- marts.x: what it holds`` lines of etl/sql/marts/*.sql (when the database has no
    COMMENT ON TABLE)."""
    out: dict[str, str] = {}
    for f in sorted((ROOT / "etl" / "sql" / "marts").rglob("*.sql")):
        for name, text in _ETL_COMMENT.findall(f.read_text(encoding="utf-8")):
            out.setdefault(name, text.strip())
    return out


_CATALOGUE_SQL = """
SELECT t.table_name, t.comment AS table_comment, t.estimated_size,
       c.column_name, c.data_type, c.comment AS column_comment, c.column_index
FROM duckdb_tables() AS t
JOIN duckdb_columns() AS c
  ON c.database_oid = t.database_oid AND c.schema_name = t.schema_name
 AND c.table_name = t.table_name
WHERE t.database_name = current_database() AND t.schema_name = 'marts'
ORDER BY t.table_name, c.column_index
"""


@lru_cache(maxsize=8)
def _catalogue(path: str, version: tuple[int, int]) -> dict[str, MartTable]:
    del version  # cache key: a swapped-in database is read afresh
    df = db.fetch_df(path, _CATALOGUE_SQL, {})
    comments = _etl_comments()
    names = list(dict.fromkeys(df["table_name"]))
    has_schools = "schools" in names and "unit_code" in set(
        df.loc[df["table_name"] == "schools", "column_name"]
    )
    out: dict[str, MartTable] = {}
    for name in names:
        part = df[df["table_name"] == name]
        cols = tuple(
            (str(r.column_name), str(r.data_type), str(r.column_comment or ""))
            for r in part.itertuples()
        )
        out[name] = MartTable(
            name=name,
            rule=table_rule(name, (c[0] for c in cols), has_schools),
            columns=cols,
            comment=str(part["table_comment"].iat[0] or "") or comments.get(name, ""),
            rows=int(part["estimated_size"].iat[0] or 0),
        )
    return out


def catalogue(path: Path | str | None = None) -> dict[str, MartTable]:
    """Every mart table (name → MartTable). Raises DatabaseUnavailable."""
    p = Path(path) if path else db.db_path()
    return _catalogue(str(p), db.db_version(p))


# --- the viewer's scope -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    units: tuple[str, ...]  # the units whose rows the viewer sees (viewer_scope)
    every_unit: bool  # units is every unit: whole tables, including rows without a unit
    city_tables: bool  # the viewer's permission is city-wide: tables without a unit are visible

    def label(self) -> str:
        return "all" if self.every_unit else ",".join(self.units)


def viewer_scope() -> Scope:
    """The explorer scope of the current viewer (``edusight.queries`` decides the units)."""
    from edusight import queries

    every = set(queries.all_units())
    units = queries.viewer_scope()
    permitted = queries.permitted_units()
    return Scope(
        units=tuple(units),
        every_unit=bool(every) and set(units) == every,
        city_tables=bool(every) and set(permitted) == every,
    )


def visible(tables: Mapping[str, MartTable], scope: Scope) -> dict[str, MartTable]:
    """The tables this scope may query."""
    if not scope.units:
        return {}
    return {n: tb for n, tb in tables.items() if tb.rule != "city" or scope.city_tables}


def copy_sql(table: MartTable, scope: Scope) -> str:
    """The SELECT that copies ``table`` into a sandbox for ``scope`` (may bind ``$scope``)."""
    ident = '"' + table.name.replace('"', '""') + '"'
    base = f"SELECT * FROM marts.{ident}"
    if scope.every_unit or table.rule in ("public", "city"):
        return base
    if table.rule == "unit":
        return base + " WHERE list_contains($scope, unit_code)"
    if table.rule == "school":
        return (
            base + " WHERE school_id IN "
            "(SELECT school_id FROM marts.schools WHERE list_contains($scope, unit_code))"
        )
    raise ValueError(f"unknown rule {table.rule!r}")


# --- checking a query ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    query: str  # the statement, without trailing semicolons and comments
    tables: frozenset[str]  # mart tables it reads
    tree: dict = field(repr=False, compare=False, default_factory=dict)


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _strip_tail(statement: str) -> str:
    """Cut trailing semicolons and comments (the query is wrapped in a sub-query)."""
    tokens = duckdb.tokenize(statement)
    cut = len(statement)
    for i in range(len(tokens) - 1, -1, -1):
        pos, kind = tokens[i]
        end = tokens[i + 1][0] if i + 1 < len(tokens) else len(statement)
        text = statement[pos:end].strip()
        if kind == duckdb.token_type.comment or (
            kind == duckdb.token_type.operator and text == ";"
        ):
            cut = pos
            continue
        break
    return statement[:cut].rstrip()


def _serialize(query: str) -> dict:
    with duckdb.connect(":memory:", config={"enable_external_access": False}) as parser:
        raw = parser.execute("SELECT json_serialize_sql($q)", {"q": query}).fetchone()[0]
    tree = json.loads(raw)
    if tree.get("error"):
        raise ExplorerError("syntax", str(tree.get("error_message", "")))
    return tree


def check(sql: str, allowed: Iterable[str]) -> Checked:
    """Refuse anything but one SELECT over the ``allowed`` mart tables (ExplorerError)."""
    text = (sql or "").strip()
    if not text:
        raise ExplorerError("empty")
    if len(text) > MAX_SQL_CHARS:
        raise ExplorerError("too_long", str(MAX_SQL_CHARS))
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as e:
        raise ExplorerError("syntax", str(e)) from e
    if len(statements) != 1:
        raise ExplorerError("one_statement", str(len(statements)))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise ExplorerError("not_select", statement.type.name)
    query = _strip_tail(statement.query.strip())
    tree = _serialize(query)
    if len(tree.get("statements", [])) != 1:
        raise ExplorerError("one_statement", str(len(tree.get("statements", []))))
    allowed = {a.lower() for a in allowed}
    ctes = {
        str(entry["key"]).lower()
        for node in _walk(tree)
        if isinstance(node.get("cte_map"), dict)
        for entry in node["cte_map"].get("map", [])
    }
    tables: set[str] = set()
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            catalog = str(node.get("catalog_name") or "").lower()
            schema = str(node.get("schema_name") or "").lower()
            name = str(node.get("table_name") or "").lower()
            shown = ".".join(p for p in (catalog, schema, name) if p)
            if catalog or schema not in ("", "marts"):
                raise ExplorerError("table", shown)
            if not schema and name in ctes:
                continue
            if name not in allowed:
                raise ExplorerError("table", shown)
            tables.add(name)
        elif kind == "TABLE_FUNCTION":
            fn = node.get("function") or {}
            name = str(fn.get("function_name") or "?").lower()
            if fn.get("schema") or fn.get("catalog") or name not in SAFE_TABLE_FUNCTIONS:
                raise ExplorerError("function", name)
        elif kind == "SHOW_REF":
            raise ExplorerError("not_select", "DESCRIBE/SHOW/SUMMARIZE")
    return Checked(query=query, tables=frozenset(tables), tree=tree)


# --- small-cell suppression of results ----------------------------------------------------------


def _refs(expr: Any) -> set[str]:
    return {
        str(n["column_names"][-1]).lower()
        for n in _walk(expr)
        if n.get("class") == "COLUMN_REF" and n.get("column_names")
    }


def _is_ratio(expr: Any) -> bool:
    """A division or an average: a rate, not a count of people (not suppressed)."""
    return any(
        n.get("class") == "FUNCTION" and str(n.get("function_name", "")).lower() in RATIO_FUNCTIONS
        for n in _walk(expr)
    )


def _counts(expr: Any) -> bool:
    return any(
        n.get("class") == "FUNCTION" and str(n.get("function_name", "")).lower() in COUNT_FUNCTIONS
        for n in _walk(expr)
    )


def person_count_outputs(
    tree: dict, tables: Iterable[MartTable], result_columns: Iterable[str]
) -> list[str]:
    """Result columns that are, or are computed from, a count of people: a person-count column
    of a table the query reads, any alias of an expression over one (followed through CTEs
    and sub-queries), and ``count(…)`` over a table of individual people (a ``*_key`` column).
    Divisions and averages are rates, not counts, and are left alone."""
    tables = list(tables)
    tainted = {c.lower() for tb in tables for c in privacy.person_count_columns(tb.column_names)}
    people_rows = any(PERSON_KEY.search(c) for tb in tables for c in tb.column_names)
    select_lists = [n["select_list"] for n in _walk(tree) if isinstance(n.get("select_list"), list)]
    changed = True
    while changed:
        changed = False
        for select_list in select_lists:
            for expr in select_list:
                if not isinstance(expr, dict) or _is_ratio(expr):
                    continue
                hit = bool(_refs(expr) & tainted) or (people_rows and _counts(expr))
                if not hit:
                    continue
                alias = str(expr.get("alias") or "").lower()
                if not alias and expr.get("class") == "COLUMN_REF":
                    alias = str(expr["column_names"][-1]).lower()
                if alias and alias not in tainted:
                    tainted.add(alias)
                    changed = True

    def is_count(col: str) -> bool:
        low = str(col).lower()
        if low in tainted or any(re.search(rf"\b{re.escape(n)}\b", low) for n in tainted):
            return True
        return people_rows and bool(re.match(r"^(count_star|count|approx_count_distinct)\(", low))

    return [c for c in result_columns if is_count(c)]


# --- running a query ----------------------------------------------------------------------------


@dataclass
class Result:
    df: pd.DataFrame
    truncated: bool  # more rows than the limit
    elapsed_s: float
    suppressed: list[str]  # columns with small counts masked
    tables: frozenset[str]


def row_limit() -> int:
    return max(1, int(config.get("explorer_row_limit")))


def timeout_s() -> float:
    return max(0.1, float(config.get("explorer_timeout_s")))


def _sandbox(copies: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    """An in-memory database with schema ``marts`` holding ``copies`` (Arrow tables), locked."""
    con = duckdb.connect(":memory:", config=dict(SANDBOX_CONFIG))
    try:
        con.execute("CREATE SCHEMA marts")
        for name, data in copies.items():
            ident = '"' + name.replace('"', '""') + '"'
            con.register("_es_copy", data)
            con.execute(f"CREATE TABLE marts.{ident} AS SELECT * FROM _es_copy")
            con.unregister("_es_copy")
        con.execute("SET search_path = 'marts'")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def run(
    sql: str,
    scope: Scope,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    path: Path | str | None = None,
) -> Result:
    """Check, sandbox and run ``sql`` for ``scope``. Raises ExplorerError (refused, failed or
    timed out) or DatabaseUnavailable."""
    limit = row_limit() if limit is None else limit
    timeout = timeout_s() if timeout is None else timeout
    tables = visible(catalogue(path), scope)
    checked = check(sql, tables)
    used = [tables[n] for n in sorted(checked.tables)]
    copies = {}
    with db.cursor(path) as src:
        for tb in used:
            select = copy_sql(tb, scope)
            params = {"scope": list(scope.units)} if "$scope" in select else None
            copies[tb.name] = src.sql(select, params=params).to_arrow_table()
    sandbox = _sandbox(copies)  # per query, so interrupting it stops this query only

    def interrupt() -> None:
        with contextlib.suppress(duckdb.Error):  # the query may have just finished
            sandbox.interrupt()

    timer = threading.Timer(timeout, interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        wrapped = f"SELECT * FROM (\n{checked.query}\n) AS _explorer LIMIT {limit + 1}"
        df = sandbox.execute(wrapped).df()
    except duckdb.InterruptException as e:
        raise ExplorerError("timeout", f"{timeout:g}") from e
    except duckdb.Error as e:
        if time.perf_counter() - started >= timeout:
            raise ExplorerError("timeout", f"{timeout:g}") from e
        raise ExplorerError("sql", str(e)) from e
    finally:
        timer.cancel()
        sandbox.close()
    elapsed = time.perf_counter() - started
    truncated = len(df) > limit
    df = df.head(limit)
    suppressed = person_count_outputs(checked.tree, used, df.columns)
    df = privacy.suppress_small(df, suppressed)
    return Result(df, truncated, elapsed, suppressed, checked.tables)


def execute(sql: str, scope: Scope, **kwargs: Any) -> Result:
    """``run`` plus an ``explorer_query`` audit entry whatever happens."""
    status, rows, detail = "error", 0, ""
    started = time.perf_counter()
    try:
        result = run(sql, scope, **kwargs)
        status, rows = "ok", len(result.df)
        return result
    except ExplorerError as e:
        status = "refused" if e.code not in ("sql", "timeout") else e.code
        detail = e.code
        raise
    finally:
        audit.record(
            "explorer_query",
            sql=sql,
            status=status,
            reason=detail or None,
            rows=rows,
            elapsed_ms=round((time.perf_counter() - started) * 1000),
            scope=scope.label(),
        )


# --- examples -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    title_key: str
    sql: str


EXAMPLES: list[Example] = [
    Example(
        N_("explorer.example.schools_by_unit"),
        """-- Schools, pupils and full-time teachers per unit
SELECT unit_code, unit_name_zh, unit_name_en,
       count(*) AS school_count,
       sum(student_count) AS student_count,
       sum(teacher_count) AS teacher_count
FROM marts.schools
GROUP BY ALL
ORDER BY unit_code""",
    ),
    Example(
        N_("explorer.example.pupil_teacher_ratio"),
        """-- Pupils per full-time teacher, by unit and level
SELECT unit_code, level, student_count, teacher_count,
       round(student_count / nullif(teacher_count, 0), 1) AS pupils_per_teacher
FROM marts.unit_levels
ORDER BY unit_code, level""",
    ),
    Example(
        N_("explorer.example.left_behind"),
        """-- Schools with left-behind pupils (counts below 5 are shown as <5)
SELECT s.unit_code, s.school_name, l.level, l.left_behind_count
FROM marts.school_levels AS l
JOIN marts.schools AS s USING (school_id)
WHERE l.left_behind_count > 0
ORDER BY l.left_behind_count DESC
LIMIT 50""",
    ),
    Example(
        N_("explorer.example.campus_coverage"),
        """-- Digital-campus coverage per unit in the latest quarter
SELECT c.unit_code, c.category, c.school_count, c.covered_count,
       c.coverage_pct, c.coverage_target_pct, c.gap_pct
FROM marts.campus_coverage AS c
JOIN marts.periods AS p USING (period)
WHERE p.is_latest
ORDER BY c.gap_pct DESC""",
    ),
    Example(
        N_("explorer.example.campus_failed"),
        """-- Schools not (yet) meeting the digital-campus spec in the latest quarter
WITH latest AS (SELECT period FROM marts.periods WHERE is_latest)
SELECT st.unit_code, s.school_name, st.status, st.weighted_score, st.last_assessed_on
FROM marts.campus_status AS st
JOIN latest USING (period)
JOIN marts.schools AS s USING (school_id)
WHERE NOT st.is_covered
ORDER BY st.unit_code, st.weighted_score NULLS FIRST""",
    ),
]

"""The build: source exports → validated, pseudonymized, layered DuckDB file, swapped in atomically.

Step order (written here and nowhere else):
  1. reference data  data/reference/*.csv → ref.*
  2. sources         for each source in etl.sources.SOURCES, in two lanes at once (heavy
                     sources, light ones; each after the sources it refers to; load_sources):
                       stream (reader.py: normalize, numpy identifier checks) → land (Parquet
                       in a work folder, a temporary view) → one validation query (types,
                       units, keys, duplicates, pseudonyms) → the table raw."_<source>", one row
                       per row read, and two views over it: raw.<source> (every row's status; a
                       rejected row's values, pseudonymized, and reasons) and stg.<source> (the
                       other rows, typed, pseudonymized) → meta.quarantine (one row per failure)
  3. marts           etl/sql/marts/*.sql → marts.*, in the same two lanes, each as soon as what
                     it reads is built (mart_plan, load_sources)
  4. meta            build_info, load_report
  5. swap            the new file replaces the old one with os.replace; on any fatal error the
                     new file is deleted and the old database keeps serving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import functools
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from edusight import config
from etl import standards
from etl.contract import Column, Source
from etl.reader import FatalSourceError, open_file
from etl.sources import SOURCES

ETL_VERSION = "1"
SQL_DIR = Path(__file__).parent / "sql"
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d"]
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
]
TRUE_WORDS = ("是", "Y", "y", "1", "true", "TRUE", "True", "有")
FALSE_WORDS = ("否", "N", "n", "0", "false", "FALSE", "False", "无")
SUMMARY_WORDS = ("合计", "总计", "小计", "合 计", "总 计")
# identifier checks run vectorized on the Arrow column at read time (SQL twins cost seconds of CPU
# per million values); the SQL twins in etl/standards.py define the same rule
NP_CHECKS = {"id_number": standards.np_id_number_ok, "xueji": standards.np_xueji_ok}


class BuildError(Exception):
    """A fatal problem: the build stops, the previous database is untouched."""


@dataclass
class BuildResult:
    db_path: Path
    seconds: float
    report: list[dict] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)  # leftovers of killed builds, removed

    @property
    def rows_quarantined(self) -> int:
        return sum(r["rows_quarantined"] for r in self.report)


def q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------- SQL generation


def _typed_expr(c: Column, src: str = "") -> str | None:
    col = src + q(c.name)
    if c.type == "int":
        return f"TRY_CAST(TRY_CAST({col} AS DOUBLE) AS BIGINT)"
    if c.type == "float":
        return f"TRY_CAST({col} AS DOUBLE)"
    if c.type == "date":
        return f"TRY_CAST(try_strptime({col}, {_list(DATE_FORMATS)}) AS DATE)"
    if c.type == "datetime":
        return f"try_strptime({col}, {_list(DATETIME_FORMATS)})"
    if c.type == "bool":
        return (
            f"CASE WHEN {col} IN {_tuple(TRUE_WORDS)} THEN true "
            f"WHEN {col} IN {_tuple(FALSE_WORDS)} THEN false END"
        )
    return None


def _list(xs) -> str:
    return "[" + ", ".join(lit(x) for x in xs) + "]"


def _tuple(xs) -> str:
    return "(" + ", ".join(lit(x) for x in xs) + ")"


def _int_is_exact(c: Column) -> str:
    # "3.5" is not an integer
    col = q(c.name)
    return f"TRY_CAST({col} AS DOUBLE) = floor(TRY_CAST({col} AS DOUBLE))"


def _checks(c: Column) -> list[tuple[str, str, str]]:
    """(rule, sql condition that is TRUE when the value FAILS, message)."""
    col = q(c.name)
    t = q("t_" + c.name)
    out = []
    if c.required:
        out.append(("required", f"{col} IS NULL", f"{c.header} is required"))
    if c.type in ("int", "float", "date", "datetime", "bool"):
        word = {
            "int": "an integer",
            "float": "a number",
            "date": "a date",
            "datetime": "a date and time",
            "bool": "是/否",
        }[c.type]
        cond = f"{col} IS NOT NULL AND {t} IS NULL"
        if c.type == "int":
            cond = f"{col} IS NOT NULL AND ({t} IS NULL OR NOT ({_int_is_exact(c)}))"
        out.append(("type", cond, f"{c.header} must be {word}"))
    if c.type == "enum":
        out.append(
            (
                "allowed_values",
                f"{col} IS NOT NULL AND {col} NOT IN {_tuple(c.values)}",
                f"{c.header} must be one of {'/'.join(c.values)}",
            )
        )
    if c.min is not None:
        out.append(("range", f"{t} < {c.min}", f"{c.header} must be ≥ {c.min:g}"))
    if c.max is not None:
        out.append(("range", f"{t} > {c.max}", f"{c.header} must be ≤ {c.max:g}"))
    chk = {
        "school_id": (standards.sql_school_id_ok, "学校标识码 must be 10 digits with province 51"),
        "id_number": (
            standards.sql_id_number_ok,
            "身份证件号 is not valid (format, date or check character)",
        ),
        "credit_code": (
            standards.sql_credit_code_ok,
            "统一社会信用代码 is not valid (check character)",
        ),
        "xueji": (
            standards.sql_xueji_ok,
            "学籍号 is not valid (G+身份证号, J+18 digits or L+area+date+4)",
        ),
    }
    if c.check in NP_CHECKS:  # validated in numpy while reading (see load_source)
        out.append((c.check, f"{col} IS NOT NULL AND NOT {q('_ok_' + c.name)}", chk[c.check][1]))
    elif c.check in chk:
        fn, msg = chk[c.check]
        out.append((c.check, f"{col} IS NOT NULL AND NOT coalesce({fn(col)}, false)", msg))
    elif c.check == "unit":
        out.append(
            ("unknown_unit", f"{col} IS NOT NULL AND {q('u_' + c.name)} IS NULL",
             f"{c.header}: unknown unit (not a code, name or alias in units.csv)")
        )  # fmt: skip
    elif c.check == "period":
        out.append(
            ("period", f"{col} IS NOT NULL AND NOT regexp_full_match({col}, '20[0-9]{{2}}Q[1-4]')",
             f"{c.header} must be a quarter like 2021Q2")
        )  # fmt: skip
    elif c.check == "month":
        out.append(
            ("month",
             f"{col} IS NOT NULL AND NOT regexp_full_match({col}, '20[0-9]{{2}}-(0[1-9]|1[0-2])')",
             f"{c.header} must be a month like 2021-06")
        )  # fmt: skip
    if c.ref:
        out.append(
            ("foreign_key", f"{col} IS NOT NULL AND NOT {q('fk_' + c.name)}",
             f"{c.header} not found in {c.ref[0]}")
        )  # fmt: skip
    return out


def _mask_expr(c: Column, expr: str) -> str:
    """How a rejected value is shown: personal values are masked."""
    if c.personal is None:
        return expr
    if c.personal == "drop" and c.check is None:  # names
        return f"repeat('*', length({expr}))"
    return (
        f"CASE WHEN length({expr}) <= 6 THEN repeat('*', length({expr})) "
        f"ELSE left({expr}, 4) || repeat('*', length({expr}) - 5) || right({expr}, 1) END"
    )


# keyed hash (HMAC-SHA256, key pads bound as $o and $i), first 16 hex digits
HMAC = "substr(sha256($o || unhex(sha256($i || encode({v})))), 1, 16)"


def _hash_inline(source: Source, c: Column) -> bool:
    """A pseudonymized key column (one value per row) is hashed row by row; other columns
    (one person on many rows) once per distinct value, then joined. So is a key column that
    other sources refer to (teachers' ID numbers): its pairs of clear value and pseudonym are
    kept for the build (`_shared_pseudonyms`)."""
    return c.key_as in source.key and not c.ref and (source.name, c.name) not in _shared_targets()


@functools.cache
def _shared_targets() -> frozenset[tuple[str, str]]:
    """(source, column) of the pseudonymized columns that other sources' columns refer to."""
    from etl.sources import BY_NAME, SOURCES

    return frozenset(
        c.ref
        for s in SOURCES
        for c in s.columns
        if c.ref
        and not c.ref[0].startswith("ref.")
        and BY_NAME[c.ref[0]].column(c.ref[1]).personal == "pseudonym"
    )


# the build's in-memory database (attached as SCRATCH, seen by both lanes' connections, never
# written to the database file): for each column of _shared_targets, the pairs of clear value
# and pseudonym of its source's rows, each with its link (is the pseudonym a loaded row's?). A
# column referring to it looks each row's value up there and hashes on its row only a value not
# found, instead of hashing every teacher a second and a third time (training sessions,
# micro-ability assessments: 0.3 s of CPU each at scale 1) and finding the distinct values of
# its own rows first (0.4 s more for training sessions).
SCRATCH = "build_scratch"


def _shared_pseudonyms(table: str, column: str) -> str:
    return f"{SCRATCH}.{q(table + '.' + column)}"


def _release_shared(con: duckdb.DuckDBPyConnection, loaded: set[str]) -> None:
    """Drop the pairs of a column of _shared_targets once every source referring to it is
    `loaded`: they leave memory before the marts that wait for those sources run (scale 4:
    800,000 teachers' pairs)."""
    for table, column in _shared_targets():
        users = {s.name for s in SOURCES for c in s.columns if c.ref == (table, column)}
        if users <= loaded and _shared_exists(con, table, column):
            con.execute(f"DROP TABLE {_shared_pseudonyms(table, column)}")


def _shared_exists(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = $d AND table_name = $t",
            {"d": SCRATCH, "t": f"{table}.{column}"},
        ).fetchone()[0]
    )


def _pseudonym_ref(c: Column) -> str | None:
    """For a reference to a pseudonymized column: the stored key column it is checked against."""
    from etl.sources import BY_NAME

    if not c.ref or c.ref[0].startswith("ref."):
        return None
    target = BY_NAME[c.ref[0]].column(c.ref[1])
    if target.personal != "pseudonym":
        return None
    assert c.personal == "pseudonym", f"{c.name} refers to a pseudonym: must be pseudonymized"
    return f"stg.{q(c.ref[0])}.{q(target.key_as)}"


def _ref_table(source: Source, c: Column) -> tuple[str, str]:
    """(distinct referenced values, the expression of this row to compare with them).

    A reference to a personal column compares keyed pseudonyms: both sides hash the clear value
    with the same key, so no clear value needs to be stored to check the link.
    """
    from etl.sources import BY_NAME

    tbl, col = c.ref
    if tbl.startswith("ref."):
        return f"(SELECT DISTINCT {q(col)} AS v FROM ref.{q(tbl[4:])})", f"n.{q(c.name)}"
    target = BY_NAME[tbl].column(col)
    if target.personal == "pseudonym":
        assert c.personal == "pseudonym", f"{source.name}.{c.name} must be pseudonymized too"
        return (
            f"(SELECT DISTINCT {q(target.key_as)} AS v FROM stg.{q(tbl)})",
            f"{q('p_' + c.name)}.k",
        )
    return f"(SELECT DISTINCT {q(col)} AS v FROM stg.{q(tbl)})", f"n.{q(c.name)}"


def _typed_parts(source: Source) -> tuple[list[str], list[str]]:
    """The typed helper columns over land's rows `n` and the joins they need: `t_<col>` typed
    values, `u_<col>` unit codes, `k_<col>` pseudonyms and `fk_<col>` links."""
    typed: list[str] = []
    joins: list[str] = []
    for c in source.columns:
        te = _typed_expr(c)
        if te:
            typed.append(f"{te} AS {q('t_' + c.name)}")
        if c.check == "unit":
            joins.append(
                f"LEFT JOIN ref.unit_lookup {q('ul_' + c.name)} "
                f"ON {q('ul_' + c.name)}.alias = n.{q(c.name)}"
            )
            typed.append(f"{q('ul_' + c.name)}.unit_code AS {q('u_' + c.name)}")
        if c.personal == "pseudonym" and _hash_inline(source, c):
            typed.append(f"{HMAC.format(v=f'n.{q(c.name)}')} AS {q('k_' + c.name)}")
        elif c.personal == "pseudonym" and _pseudonym_ref(c):
            # the referred source's pairs where they are shared (see load_source): a value they
            # do not hold is hashed on its row
            p = q("p_" + c.name)
            joins.append(f"LEFT JOIN {p} ON {p}.v = n.{q(c.name)}")
            typed.append(
                f"coalesce({p}.k, {HMAC.format(v=f'n.{q(c.name)}')}) AS {q('k_' + c.name)}"
            )
        elif c.personal == "pseudonym":
            p = q("p_" + c.name)
            joins.append(f"LEFT JOIN {p} ON {p}.v = n.{q(c.name)}")
            typed.append(f"{p}.k AS {q('k_' + c.name)}")
        if c.ref and _pseudonym_ref(c):  # checked once per distinct person (see load_source)
            typed.append(f"coalesce({q('p_' + c.name)}.fk, false) AS {q('fk_' + c.name)}")
        elif c.ref:
            alias = q("fk_t_" + c.name)
            values, mine = _ref_table(source, c)
            joins.append(f"LEFT JOIN {values} {alias} ON {alias}.v = {mine}")
            typed.append(f"({alias}.v IS NOT NULL) AS {q('fk_' + c.name)}")
    return typed, joins


def _norm_cols(source: Source) -> str:
    # values arrive normalized (reader.normalize_table), with numpy check results `_ok_<col>`
    cols = source.columns
    return ", ".join(
        [q(c.name) for c in cols] + [q("_ok_" + c.name) for c in cols if c.check in NP_CHECKS]
    )


def validate_sql(source: Source) -> str:
    """One query over `land`: every row with its typed helpers, `_bad`, and for bad rows
    `_errors` (the list of failed rules)."""
    cols = source.columns
    norm = _norm_cols(source)
    typed, joins = _typed_parts(source)
    key_cols = [_clear_key(source, k) for k in source.key]
    if key_cols:
        # a duplicate is any row of a repeated key but its first (by file and line)
        kl = ", ".join(q(k) for k in key_cols)
        on = " AND ".join(f"t.{q(k)} IS NOT DISTINCT FROM dk.{q(k)}" for k in key_cols)
        # hashing first: only keys whose 64-bit hash repeats (true duplicates and the odd
        # collision) are grouped on their text. A repeated hash is found by sorting the hashes
        # and comparing neighbours: at scale 1 that takes 0.55 s of CPU for training sessions'
        # 2.9 million record numbers, against 0.8 s for a hash table of them (GROUP BY).
        h = f"hash({kl})"
        dup_cte = (
            f", dh AS (SELECT DISTINCT h FROM (SELECT h, lag(h) OVER (ORDER BY h) AS p "
            f"FROM (SELECT {h} AS h FROM land)) WHERE h = p), "
            f"dk AS (SELECT {kl}, min({{'f': _file_no, 'l': _line}}) AS _first FROM land "
            f"WHERE {h} IN (SELECT h FROM dh) GROUP BY ALL HAVING count(*) > 1)"
        )
        dup = "coalesce(dk._first <> {'f': t._file_no, 'l': t._line}, false)"
        dup_join = f"LEFT JOIN dk ON {on}"
    else:
        dup_cte, dup, dup_join = "", "false", ""
    # Two passes: a cheap boolean per row for everyone, the error details only for bad rows.
    conds: list[str] = []
    errs: list[str] = []
    for c in cols:
        for rule, cond, msg in _checks(c):
            conds.append(f"({cond}) IS TRUE")
            errs.append(
                f"CASE WHEN ({cond}) IS TRUE THEN {{'column_name': {lit(c.header)}, 'rule': {lit(rule)}, "
                f"'value': {_mask_expr(c, q(c.name))}, 'message': {lit(msg)}}} END"
            )
    for rc in source.row_checks:
        c = source.column(rc.column)
        conds.append(f"(NOT ({rc.sql_ok})) IS TRUE")
        errs.append(
            f"CASE WHEN (NOT ({rc.sql_ok})) IS TRUE THEN {{'column_name': {lit(c.header)}, "
            f"'rule': {lit(rc.rule)}, 'value': {_mask_expr(c, q(c.name))}, "
            f"'message': {lit(rc.message)}}} END"
        )
    if key_cols:
        kc = source.column(key_cols[0])
        conds.append("_dup")
        errs.append(
            f"CASE WHEN _dup THEN {{'column_name': {lit(kc.header)}, 'rule': 'duplicate_key', "
            f"'value': {_mask_expr(kc, q(kc.name))}, "
            f"'message': 'duplicate key: an earlier row has the same key'}} END"
        )
    first = [q(c.name) for c in cols[:2]]
    summary = " OR ".join(f"coalesce(n.{f}, '') IN {_tuple(SUMMARY_WORDS)}" for f in first)
    summary_err = (
        f"[{{'column_name': {lit(cols[0].header)}, 'rule': 'summary_row', "
        f"'value': {first[0]}, 'message': 'summary (合计) row, not data'}}]"
    )
    return f"""
WITH n AS (SELECT _file_no, _line, {norm} FROM land),
t AS (SELECT n.*, {", ".join([*typed, f"({summary}) AS _summary"])} FROM n {" ".join(joins)}){dup_cte},
d AS (SELECT t.*, {dup} AS _dup FROM t {dup_join}),
c AS (SELECT *, (_summary OR {" OR ".join(conds) if conds else "false"}) AS _bad FROM d AS t)
SELECT *, CASE WHEN _summary THEN {summary_err}
          WHEN _bad THEN list_filter([{", ".join(errs) if errs else "NULL"}], lambda x: x IS NOT NULL)
          END AS _errors
FROM c AS t
"""


def _clear_key(source: Source, k: str) -> str:
    """Key columns are declared by stored name; duplicates are found on the clear column."""
    for c in source.columns:
        if c.key_as == k:
            return c.name
    return k


def _raw_values(source: Source) -> list[tuple[str, str]]:
    """(stored name, expression) of a rejected row's values as raw keeps them: personal values
    pseudonymized, reduced or dropped."""
    out = []
    for c in source.columns:
        if c.personal == "pseudonym":
            out.append((c.key_as, q("k_" + c.name)))
        elif c.personal == "year":
            out.append((c.key_as, f"CAST(year({q('t_' + c.name)}) AS VARCHAR)"))
        elif c.personal != "drop":
            out.append((c.name, f"t.{q(c.name)}"))
    return out


def _stored_exprs(source: Source) -> dict[str, str]:
    """stg.<source>'s columns (stored name → expression over the validation query's row): typed
    values, units as codes, pseudonyms, years; dropped columns are absent."""
    sel = {}
    for c in source.columns:
        if c.personal == "pseudonym":
            sel[c.key_as] = q("k_" + c.name)
        elif c.personal == "year":
            sel[c.key_as] = f"CAST(year({q('t_' + c.name)}) AS INTEGER)"
        elif c.personal == "drop":
            continue
        elif c.check == "unit":
            sel[c.name] = q("u_" + c.name)
        elif c.name in _enum_columns(source):
            sel[c.name] = f"TRY_CAST({q(c.name)} AS ENUM{_tuple(c.values)})"
        else:
            sel[c.name] = q("t_" + c.name) if _typed_expr(c) else q(c.name)
    return {o: sel[o] for o in source.stored_columns}


def _enum_columns(source: Source) -> set[str]:
    """Stored columns of a few allowed values (性别, 学段, 研修类型 …), kept in raw."_<source>" as
    an ENUM of those values and shown as text by stg.<source>: writing a value's number costs
    a third of the CPU of DuckDB's text compression (scale 1: 0.3 → 0.2 s per column of 2.9
    million rows). A value not allowed is stored as null: its row is rejected anyway, and
    raw.<source> shows its text."""
    return {
        c.name
        for c in source.columns
        if c.type == "enum" and c.personal is None and c.check != "unit" and c.values
    }


def _zstd_columns(source: Source) -> set[str]:
    """Stored columns whose values repeat little: pseudonyms (random hex), a one-column key and
    columns declared not to repeat (`repeats=False`). DuckDB's default for text, a dictionary
    then FSST, spends 2–3× the CPU of ZSTD on such values, for a similar size (scale 1: the
    students' keys 0.86 → 0.25 s of CPU, 119 → 131 blocks; training sessions' record numbers
    0.64 → 0.26 s, 95 → 72 blocks); for the other columns, which repeat a lot, the default is
    smaller."""
    out = set()
    for c in source.columns:
        if c.personal == "pseudonym":
            out.add(c.key_as)
        elif c.personal is None and (c.repeats is False or source.key == (c.name,)):
            out.add(c.name)
    return out


def _load_sql(source: Source, files: list[str]) -> tuple[str, str, list[str]]:
    """(table, select, views): one pass of the validation query over land, `select`, fills
    the table raw."_<source>": one row per row read, with `_bad`, the reasons `_errors`, a
    rejected row's values as text in one JSON column `_values`, and every row's stored (typed,
    pseudonymized) values. A row's file is kept as its number `_file_no` in `files` (the
    source's exports in name order), not as its name: a name written on every row costs 0.2 s of
    CPU per 2.9 million rows. Two views read it:

    - raw.<source>: every row read, its file's name, its status and reasons, and a rejected
      row's values spread out into one column each (null for a loaded row: its values are in
      stg, typed);
    - stg.<source>: the rows not rejected, their stored columns.

    One pass instead of a validation pass and a staging pass over land saves reading land again,
    typing every value twice and an anti-join (scale 1: students 5.6 s → 5.2 s, training sessions
    5.9 s → 4.3 s). A rejected row's values are one JSON column, not a mostly-null column per
    source column (even nulls cost 70 ms per 2.6 million rows each). The table is declared
    before it is filled so that the columns of `_zstd_columns` can be given their compression."""
    name, table = q(source.name), q("_" + source.name)
    vals = _raw_values(source)
    obj = ", ".join(f"{lit(n)}, {v}" for n, v in vals)
    stored = _stored_exprs(source)
    enums = _enum_columns(source)
    stg_cols = [f"CAST({q(o)} AS VARCHAR) AS {q(o)}" if o in enums else q(o) for o in stored]
    select = (
        "SELECT t._file_no, t._line, _bad, "
        f"CASE WHEN _bad THEN CAST(json_object({obj}) AS VARCHAR) END AS _values, _errors, "
        + ", ".join(f"{e} AS {q(o)}" for o, e in stored.items())
        + f" FROM ({validate_sql(source)}) t"
    )
    return (
        f"raw.{table}",
        select,
        [
            f"CREATE VIEW raw.{name} AS SELECT {_list(files)}[_file_no + 1] "
            "AS _file, _line, "
            + "".join(f"_values ->> {lit(n)} AS {q(n)}, " for n, _ in vals)
            + "CASE WHEN _bad THEN 'quarantined' ELSE 'loaded' END AS _status, _errors "
            + f"FROM raw.{table}",
            f"CREATE VIEW stg.{name} AS SELECT {', '.join(stg_cols)} "
            f"FROM raw.{table} WHERE NOT _bad",
        ],
    )


# --------------------------------------------------------------------------- steps


def _pseudonym_pads(key: bytes) -> tuple[bytes, bytes]:
    import hashlib

    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    k = key.ljust(64, b"\0")
    return bytes(b ^ 0x5C for b in k), bytes(b ^ 0x36 for b in k)


def load_reference(con: duckdb.DuckDBPyConnection, ref_dir: Path) -> None:
    files = sorted(ref_dir.glob("*.csv"))
    if not files:
        raise BuildError(f"{ref_dir}: no reference data (*.csv)")
    for f in files:
        try:
            con.execute(
                f"CREATE TABLE ref.{q(f.stem)} AS SELECT * FROM read_csv($p, header=true, "
                "auto_detect=true, sample_size=-1)",
                {"p": str(f)},
            )
        except duckdb.Error as e:
            raise BuildError(f"{f.name}: cannot read reference data: {e}") from None
    # every way a unit may be written in an export → its code
    con.execute(
        """
        CREATE TABLE ref.unit_lookup AS
        SELECT DISTINCT alias, unit_code FROM (
            SELECT unit_code AS alias, unit_code FROM ref.units
            UNION ALL SELECT name_zh, unit_code FROM ref.units
            UNION ALL SELECT name_en, unit_code FROM ref.units
            UNION ALL SELECT trim(unnest(string_split(aliases, '|'))), unit_code FROM ref.units
        ) WHERE alias IS NOT NULL AND alias <> ''
        """
    )
    dup = con.execute(
        "SELECT alias FROM ref.unit_lookup GROUP BY alias HAVING count(DISTINCT unit_code) > 1"
    ).fetchall()
    if dup:
        raise BuildError(f"units.csv: alias used by two units: {', '.join(d[0] for d in dup)}")


def find_files(raw_dir: Path, source: Source) -> list[Path]:
    names = sorted(p.name for p in raw_dir.iterdir() if p.is_file())
    hit = []
    for n in names:
        if any(fnmatch.fnmatch(n, pat) for pat in source.files):
            hit.append(raw_dir / n)
    return hit


# land is written once and read once, in the same build: no compression or statistics, and
# dictionaries only for the columns of few values (_land_parquet)
LAND_PARQUET = {"compression": "none", "use_dictionary": False, "write_statistics": False}


def _land_parquet(source: Source) -> dict:
    """LAND_PARQUET, with dictionary pages for the columns whose values repeat a lot (codes,
    yes/no, dates, numbers, references, text declared `repeats=True`): DuckDB checks each string
    it reads from Parquet for valid UTF-8 once per dictionary entry instead of once per row, and
    land shrinks. Scale 1, students' land: 399 → 181 MB, writing +0.3 s and reading −0.5 s of
    CPU. Identifiers, names, free text and times, which repeat little, stay plain: a dictionary
    would cost without saving."""
    many = _zstd_columns(source)
    few = [
        c.name
        for c in source.columns
        if _is_name(c)  # reduced to their presence (_name_presence)
        or (
            c.personal is None
            and c.name not in many
            and (
                c.repeats
                or (c.repeats is None and c.type in ("enum", "bool", "date", "int", "float"))
                or c.ref
                or c.check == "unit"
            )
        )
    ]
    return {**LAND_PARQUET, "use_dictionary": few} if few else LAND_PARQUET


def _prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Iterate `items` in a background thread, `depth` ahead; its exceptions are raised here.
    Leaving the loop early stops the thread."""
    import queue
    import threading

    q_: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def run() -> None:
        try:
            for x in items:
                while not stop.is_set():
                    try:
                        q_.put((x, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q_.put((done, None))
        except BaseException as e:  # handed to the consumer
            q_.put((done, e))

    t = threading.Thread(target=run, name="land-prefetch", daemon=True)
    t.start()
    try:
        while True:
            x, err = q_.get()
            if x is done:
                if err is not None:
                    raise err
                return
            yield x
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                q_.get_nowait()
        t.join()


def _ordered_map(fn: Callable, items: Iterator, workers: int = 2, depth: int = 4) -> Iterator:
    """`fn` over `items` in a pool of `workers` threads, at most `depth` in flight, results in
    the items' order. An exception of `fn` is raised here; leaving early cancels the rest."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pending: deque = deque()
    ex = ThreadPoolExecutor(workers, thread_name_prefix="land-prepare")
    try:
        for x in items:
            pending.append(ex.submit(fn, x))
            if len(pending) >= depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _is_name(c: Column) -> bool:
    """A personal column dropped unchecked (names): only its presence matters."""
    return c.personal == "drop" and c.check is None


def _name_presence(a: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A name as land keeps it: null if absent, '*' if present, or the summary word it is
    (合计 …, which marks a summary row). The build checks a name for nothing more and never
    stores it, so its text goes no further than the reader: not to the disk, and not through
    the validation query (2.6 million students' names at scale 1)."""
    keep = pc.or_kleene(pc.is_in(a, value_set=pa.array(SUMMARY_WORDS)), pc.is_null(a))
    return pc.if_else(keep, a, pa.scalar("*"))


def _land_batch(source: Source, tbl: pa.Table, schema: pa.Schema) -> pa.Table:
    """One batch of normalized rows as land holds them: absent optional columns as nulls,
    names reduced to their presence, identifier checks done in numpy, each row's line (the
    file's number is the land view's)."""
    n = tbl.num_rows
    cols = {"_line": tbl.column("_line").cast(pa.int64())}
    for c in source.columns:
        if c.name not in tbl.column_names:
            cols[c.name] = pa.nulls(n, type=pa.string())
        elif _is_name(c):
            cols[c.name] = _name_presence(tbl.column(c.name))
        else:
            cols[c.name] = tbl.column(c.name)
    for c in source.columns:
        if c.check in NP_CHECKS:
            cols["_ok_" + c.name] = pa.array(NP_CHECKS[c.check](cols[c.name]), type=pa.bool_())
    return pa.table(cols, schema=schema)


def _reline(path: Path, relines: tuple) -> None:
    """Rows after a broken row move down: rewrite the file's land with their true lines."""
    import numpy as np

    old, new = (np.asarray(x, dtype=np.int64) for x in relines)
    order = np.argsort(old)
    old, new = old[order], new[order]
    t = pq.read_table(path)
    lines = t.column("_line").to_numpy().copy()
    if len(old):
        i = np.clip(np.searchsorted(old, lines), 0, len(old) - 1)
        hit = old[i] == lines
        lines[hit] = new[i[hit]]
    t = t.set_column(t.schema.get_field_index("_line"), "_line", pa.array(lines, pa.int64()))
    pq.write_table(t, path, **LAND_PARQUET)


@dataclass
class Landed:
    """A source's exports read into land: its Parquet parts, a load-report row per file, and
    the rows the CSV parser rejected (file, line, message)."""

    parts: list[str]
    report: list[dict]
    bad: list[tuple[str, int, str]]
    land_dir: Path


def land_source(raw_dir: Path, source: Source, work: Path) -> Landed:
    """Read every export of `source` into land (no database needed)."""
    files = find_files(raw_dir, source)
    if not files:
        raise BuildError(
            f"source {source.name} ({source.title_zh}): no file in {raw_dir} matching "
            f"{' or '.join(source.files)}"
        )
    report = []
    bad = []
    # land: the normalized rows, written to uncompressed Parquet in the build's work folder as
    # they stream in (a third of the cost of inserting them into a table), read through a view
    fields = [pa.field("_line", pa.int64())]  # the file's name is added by the land view
    fields += [pa.field(c.name, pa.string()) for c in source.columns]
    fields += [
        pa.field("_ok_" + c.name, pa.bool_()) for c in source.columns if c.check in NP_CHECKS
    ]
    schema = pa.schema(fields)
    land_dir = work / "land" / source.name
    land_dir.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, f in enumerate(files):
        part = land_dir / f"{i:04d}.parquet"
        writer = pq.ParquetWriter(part, schema, **_land_parquet(source))
        try:
            stream = open_file(f, source)

            def prepare(b: pa.Table, stream=stream) -> pa.Table:
                return _land_batch(source, stream.finish(b), schema)

            # three stages overlap, all releasing the GIL for their work: a thread parses the
            # next blocks, a pool of two normalizes and checks them, this thread writes them in
            # file order
            for tbl in _ordered_map(prepare, _prefetch(stream.raw_batches())):
                writer.write_table(tbl)
        except FatalSourceError as e:
            raise BuildError(str(e)) from None
        finally:
            writer.close()
        if stream.exact is not None:  # values spanning lines: the exact reader's rows instead
            pq.write_table(
                _land_batch(source, stream.exact.table, schema), part, **_land_parquet(source)
            )
        elif stream.relines is not None:  # rows after a broken row move down
            _reline(part, stream.relines)
        parts.append(str(part))
        pa.default_memory_pool().release_unused()  # give the file's buffers back
        for line, msg in stream.bad_rows:
            bad.append((f.name, line, msg))
        report.append(
            {
                "source": source.name,
                "title_zh": source.title_zh,
                "title_en": source.title_en,
                "file": f.name,
                "encoding": stream.encoding,
                "format": stream.format,
                "bad_rows": len(stream.bad_rows),
                "unknown_headers": ", ".join(stream.unknown_headers),
            }
        )
    return Landed(parts, report, bad, land_dir)


def load_source(
    con: duckdb.DuckDBPyConnection, source: Source, landed: Landed, pads: tuple[bytes, bytes]
) -> list[dict]:
    """A landed source → raw.<source>, stg.<source> and its quarantine rows."""
    parts, report, bad, land_dir = landed.parts, landed.report, landed.bad, landed.land_dir
    files = [r["file"] for r in report]
    # one Parquet part per file: its number is a constant of the view, not a column written and
    # read again for every row
    con.execute(
        "CREATE OR REPLACE TEMP VIEW land AS "
        + " UNION ALL ".join(
            f"SELECT CAST({i} AS USMALLINT) AS _file_no, * FROM read_parquet({lit(part)})"
            for i, part in enumerate(parts)
        )
    )
    n = con.execute("SELECT count(*) FROM land").fetchone()[0]
    if n < source.min_rows:
        raise BuildError(f"source {source.name}: {', '.join(files)} holds no data rows")

    # pseudonyms: keyed hash (HMAC-SHA256) of each distinct clear value, computed once
    opad, ipad = pads
    scratch = bool(
        con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = $d", {"d": SCRATCH}
        ).fetchone()[0]
    )
    views_p = set()  # the p_ of columns that read the referred source's shared pairs
    for c in source.columns:
        if c.personal == "pseudonym" and not _hash_inline(source, c):
            t = q("p_" + c.name)
            shared = c.ref if c.ref and _pseudonym_ref(c) else None
            if scratch and shared and _shared_exists(con, *shared):
                # the referred source's pairs and links, looked up row by row (a value they do
                # not hold is hashed on its row): no pass to find this source's distinct values
                con.execute(
                    f"CREATE OR REPLACE TEMP VIEW {t} AS "
                    f"SELECT v, k, fk FROM {_shared_pseudonyms(*shared)}"
                )
                views_p.add(c.name)
                continue
            sql = (
                f"SELECT v, {HMAC.format(v='v')} AS k FROM (SELECT DISTINCT {q(c.name)} AS v "
                f"FROM land WHERE {q(c.name)} IS NOT NULL)"
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE {t} AS {sql}", {"o": opad, "i": ipad})
            if ref := _pseudonym_ref(c):  # the link, checked once per distinct person
                tbl, col = ref.rsplit(".", 1)
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {t} AS SELECT p.v, p.k, (r.v IS NOT NULL) AS fk "
                    f"FROM {t} p LEFT JOIN (SELECT DISTINCT {col} AS v FROM {tbl}) r ON r.v = p.k"
                )

    # raw."_<source>", and the views raw.<source> and stg.<source> over it (see _load_sql).
    # Row order carries no meaning (_file_no, _line identify a row), so nothing is sorted.
    name = q(source.name)
    hashes = any(
        c.personal == "pseudonym" and (_hash_inline(source, c) or _pseudonym_ref(c))
        for c in source.columns
    )
    params = {"o": opad, "i": ipad} if hashes else {}
    table, select, views = _load_sql(source, files)
    zstd = _zstd_columns(source)
    cols = [
        f"{q(n)} {t}" + (" USING COMPRESSION zstd" if n in zstd else "")
        for n, t, *_ in con.execute(f"DESCRIBE {select}", params).fetchall()
    ]
    con.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
    con.execute(f"INSERT INTO {table} {select}", params)
    for v in views:
        con.execute(v)
    for c in source.columns:
        if scratch and (source.name, c.name) in _shared_targets():
            # the pairs of clear value and pseudonym, each with its link: is the pseudonym a
            # loaded row's (stg)? The sources referring to this column look them up
            key = q(c.key_as)
            con.execute(
                f"CREATE OR REPLACE TABLE {_shared_pseudonyms(source.name, c.name)} AS "
                f"SELECT p.v, p.k, (r.v IS NOT NULL) AS fk FROM {q('p_' + c.name)} p "
                f"LEFT JOIN (SELECT DISTINCT {key} AS v FROM stg.{name}) r ON r.v = p.k"
            )
    # quarantine: one row per (row, failure); unit for scoping where it can be known
    unit_expr, unit_join = "NULL", ""
    if source.unit_column:
        unit_join = f"LEFT JOIN ref.unit_lookup ul ON ul.alias = r.{q(source.unit_column)}"
        unit_expr = "ul.unit_code"
    elif any(c.name == "school_id" and c.ref for c in source.columns):
        unit_join = "LEFT JOIN stg.schools qs ON qs.school_id = r.school_id"
        unit_expr = "qs.unit_code"
    con.execute(
        f"""INSERT INTO meta.quarantine
        SELECT {lit(source.name)}, _file, _line, e.column_name, e.rule, e.value, e.message,
               {unit_expr}
        FROM (SELECT *, unnest(_errors) AS e FROM raw.{name} WHERE _status = 'quarantined') r
        {unit_join}"""
    )
    for fname, line, msg in bad:
        con.execute(
            "INSERT INTO meta.quarantine VALUES ($s, $f, $l, NULL, 'field_count', NULL, $m, NULL)",
            {"s": source.name, "f": fname, "l": line, "m": msg},
        )
    counts = dict(
        (r[0], (r[1], r[2]))
        for r in con.execute(
            f"SELECT _file, count(*), count(*) FILTER (WHERE _status = 'loaded') FROM raw.{name} "
            "GROUP BY 1"
        ).fetchall()
    )
    for r in report:
        read, loaded = counts.get(r["file"], (0, 0))
        r["rows_read"] = read + r.pop("bad_rows")
        r["rows_loaded"] = loaded
        r["rows_quarantined"] = r["rows_read"] - loaded
    con.execute("DROP VIEW land")
    shutil.rmtree(land_dir, ignore_errors=True)
    for c in source.columns:
        if c.personal == "pseudonym" and not _hash_inline(source, c):
            con.execute(f"DROP {'VIEW' if c.name in views_p else 'TABLE'} {q('p_' + c.name)}")
    return report


# a source whose exports are this large has a lane of its own. At scale 1 that is students and
# training sessions; micro-ability assessments (63 MB) load beside them in the light lane, which
# is otherwise idle after its 9 s of small sources (1–1.5 s less than in the heavy lane). At
# scale 4 every export of the three is over it.
HEAVY_BYTES = 96 << 20


def _source_deps(source: Source) -> set[str]:
    """The sources whose stg tables `source`'s foreign keys are checked against."""
    return {c.ref[0] for c in source.columns if c.ref and not c.ref[0].startswith("ref.")}


def build_lanes(raw_dir: Path) -> tuple[list[Source], list[Source]]:
    """(heavy, light): the sources with at least HEAVY_BYTES of exports, and the others, each in
    load order."""
    heavy, light = [], []
    for s in SOURCES:
        size = sum(f.stat().st_size for f in find_files(raw_dir, s))
        (heavy if size >= HEAVY_BYTES else light).append(s)
    return heavy, light


@dataclass
class Mart:
    """A file of etl/sql/marts: its SQL, and what it reads: sources (stg.* and raw.*) and the
    earlier mart files that make the marts.* tables it reads."""

    name: str
    sql: str
    sources: set[str]
    marts: set[str]


_SQL_COMMENT = re.compile(r"--[^\n]*")
_MADE = re.compile(
    r'\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW|MACRO)\s+marts\.("?)(\w+)\1', re.IGNORECASE
)
_READ = re.compile(r'\b(stg|raw|marts)\.("?)(\w+)\2')


def mart_plan(sql_dir: Path | None = None) -> list[Mart]:
    """The mart files in file-name order, each with what it reads (found in its SQL, comments
    left out). A file reads only marts that earlier files make: the file-name order stays a
    valid order to run them in one after another, and the dependencies can have no cycle."""
    from etl.sources import BY_NAME

    made: dict[str, str] = {}
    out = []
    for f in sorted(((sql_dir or SQL_DIR) / "marts").glob("*.sql")):
        sql = f.read_text(encoding="utf-8")
        code = _SQL_COMMENT.sub("", sql)
        mine = {m[1] for m in _MADE.findall(code)}
        sources, marts = set(), set()
        for schema, _, name in _READ.findall(code):
            if schema != "marts":
                name = name.removeprefix("_")
                if name not in BY_NAME:
                    raise BuildError(f"mart {f.name} reads {schema}.{name}, which is no source")
                sources.add(name)
            elif name not in mine:
                if name not in made:
                    raise BuildError(
                        f"mart {f.name} reads marts.{name}, which no earlier mart file makes"
                    )
                marts.add(made[name])
        made.update(dict.fromkeys(mine, f.stem))
        out.append(Mart(f.stem, sql, sources, marts))
    return out


def run_mart(con: duckdb.DuckDBPyConnection, mart: Mart) -> None:
    try:
        con.execute(mart.sql)
    except duckdb.Error as e:
        raise BuildError(f"mart {mart.name}.sql: {e}") from None


def load_sources(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    work: Path,
    pads: tuple[bytes, bytes],
    say: Callable[[str], None],
    steps: list,
    marts: list[Mart] = (),
) -> list[dict]:
    """Every source, then every mart, in two lanes that run at once: the heavy sources one after
    another (each keeps both cores busy most of its time) and, beside them, the light ones (many
    short steps that leave a core idle). A source is landed at once, and loaded once the sources
    it refers to are loaded; as each lane keeps load order, which is a topological order,
    neither can wait for the other for ever. A lane done with its sources runs marts, each as
    soon as what it reads is built (in file order among those ready), so marts run beside the
    heavy sources' load and two at a time at the end. The first error stops both lanes and is
    raised. Load-report rows come in load order."""
    import threading

    heavy, light = build_lanes(raw_dir)
    done = {s.name: threading.Event() for s in SOURCES}
    done.update({"mart:" + m.name: threading.Event() for m in marts})
    failed = threading.Event()
    errors: list[BaseException] = []
    reports: dict[str, list[dict]] = {}
    lock = threading.Lock()
    pending = list(marts)
    span = [None, 0.0, 0.0]  # the marts' first start, the last source's end, the last mart's end

    def ready(m: Mart) -> bool:
        return all(done[d].is_set() for d in m.sources) and all(
            done["mart:" + d].is_set() for d in m.marts
        )

    def next_mart() -> Mart | None:
        while not failed.is_set():
            with lock:
                if not pending:
                    return None
                m = next((m for m in pending if ready(m)), None)
                if m is not None:
                    pending.remove(m)
                    if span[0] is None:
                        span[0] = time.perf_counter()
                        say("marts")
                    return m
            time.sleep(0.02)
        return None

    def lane(sources: list[Source], c: duckdb.DuckDBPyConnection) -> None:
        try:
            for s in sources:
                if failed.is_set():
                    return
                with lock:
                    say(f"{s.name} ({s.title_zh})")
                t1 = time.perf_counter()
                # land needs no database: it starts before the sources this one refers to are
                # loaded (the students' land runs while the light lane loads the schools)
                landed = land_source(raw_dir, s, work)
                for d in _source_deps(s):
                    while not done[d].wait(0.05):
                        if failed.is_set():
                            return
                reports[s.name] = load_source(c, s, landed, pads)
                t2 = time.perf_counter()
                steps.append((f"source:{s.name}", t2 - t1, _peak_mb()))
                span[1] = max(span[1], t2)
                with lock:
                    _release_shared(c, {n for n, e in done.items() if e.is_set()} | {s.name})
                done[s.name].set()
            while m := next_mart():
                t1 = time.perf_counter()
                run_mart(c, m)
                t2 = time.perf_counter()
                steps.append((f"mart:{m.name}", t2 - t1, _peak_mb()))
                span[2] = max(span[2], t2)
                done["mart:" + m.name].set()
        except BaseException as e:  # handed to the build
            errors.append(e)
            failed.set()

    other = con.cursor()  # a connection of its own to the same database (its own temp views)
    t = threading.Thread(target=lane, args=(light, other), name="build-light", daemon=True)
    t.start()
    try:
        lane(heavy, con)
    finally:
        t.join()
        other.close()
    if errors:
        raise errors[0]
    if span[0] is not None:  # "marts": the time the marts add after the last source's load
        steps.append(("marts", max(span[2] - span[1], 0.0), _peak_mb()))
    return [r for s in SOURCES for r in reports[s.name]]


def _use_jemalloc() -> None:
    """Arrow allocates through jemalloc during the build where the wheel has it: with the reader
    thread and the pool of two each allocating blocks, the default allocator (mimalloc) kept
    about 130 MB more resident at scale 4 (land of training sessions: peak 599 MB → 466 MB)."""
    with contextlib.suppress(NotImplementedError, AttributeError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _peak_mb() -> float:
    """The build process's peak resident memory so far (MB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# what a build writes beside the database while it runs (named by its process id)
_LEFTOVER = re.compile(r"^\.(?P<db>.+)\.(?:building|spill|land)-(?P<pid>\d+)(?:\.wal)?$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_leftovers(db_path: Path) -> list[str]:
    """Remove what builds of ``db_path`` that were killed left beside it: the half-built file,
    the spill folder and the land folder, which holds the exports' clear identifiers until
    its source is loaded. A build ended by an exception removes its own; a killed one
    (SIGKILL, out of memory, power loss) cannot. Only leftovers of processes that no longer
    run are removed. Returns their names."""
    gone = []
    for p in sorted(db_path.parent.iterdir()) if db_path.parent.is_dir() else []:
        m = _LEFTOVER.match(p.name)
        if m is None or m["db"] != db_path.name or _alive(int(m["pid"])):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        gone.append(p.name)
    return gone


def build(
    raw_dir: Path,
    db_path: Path,
    *,
    reference_dir: Path | None = None,
    key: bytes | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir)
    db_path = Path(db_path)
    if not raw_dir.is_dir():
        raise BuildError(
            f"{raw_dir}: no such folder of source exports (run `python -m etl generate`)"
        )
    reference_dir = reference_dir or config.reference_dir()
    key = key if key is not None else config.pseudo_key()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    swept = sweep_leftovers(db_path)
    tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    spill = db_path.with_name(f".{db_path.name}.spill-{os.getpid()}")
    work = db_path.with_name(f".{db_path.name}.land-{os.getpid()}")
    say = progress or (lambda msg: None)
    _use_jemalloc()
    con = duckdb.connect(str(tmp))
    ok = False
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = {lit(config.get('build_memory'))}")
        # freed memory goes back to the system sooner: a purging thread, and thread caches flushed
        # after any task that peaked over 16 MB (default 128 MB); with two lanes and marts beside
        # them the scale-4 peak otherwise strayed over 1 GB in some runs
        con.execute("SET allocator_background_threads = true")
        con.execute("SET allocator_flush_threshold = '16MB'")
        con.execute(f"SET temp_directory = {lit(str(spill))}")
        for s in ("raw", "stg", "ref", "marts", "meta"):
            con.execute(f"CREATE SCHEMA {s}")
        con.execute(
            "CREATE TABLE meta.quarantine (source VARCHAR, file VARCHAR, line BIGINT, "
            "column_name VARCHAR, rule VARCHAR, value VARCHAR, message VARCHAR, unit_code VARCHAR)"
        )
        say("reference data")
        load_reference(con, reference_dir)
        pads = _pseudonym_pads(key)
        steps: list[tuple] = [("reference", time.perf_counter() - t0, _peak_mb())]
        con.execute(f"ATTACH ':memory:' AS {SCRATCH}")
        report = load_sources(con, raw_dir, work, pads, say, steps, mart_plan())
        con.execute(f"DETACH {SCRATCH}")  # the clear values it held go with it
        _write_meta(con, raw_dir, report)
        con.execute(
            "CREATE TABLE meta.build_steps (step VARCHAR, seconds DOUBLE, peak_rss_mb DOUBLE)"
        )
        con.executemany("INSERT INTO meta.build_steps VALUES (?, ?, ?)", [list(x) for x in steps])
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, db_path)
        ok = True
    except duckdb.Error as e:
        raise BuildError(f"database error during build: {e}") from None
    finally:
        if not ok:
            with contextlib.suppress(Exception):
                con.close()
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(db_path, time.perf_counter() - t0, report, swept)


def _write_meta(con, raw_dir: Path, report: list[dict]) -> None:
    con.execute(
        "CREATE TABLE meta.load_report (source VARCHAR, title_zh VARCHAR, title_en VARCHAR, "
        "file VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, "
        "encoding VARCHAR, format VARCHAR, unknown_headers VARCHAR)"
    )
    for r in report:
        con.execute(
            "INSERT INTO meta.load_report VALUES ($source, $title_zh, $title_en, $file, $rows_read, "
            "$rows_loaded, $rows_quarantined, $encoding, $format, $unknown_headers)",
            r,
        )
    manifest = {}
    mf = raw_dir / "manifest.json"
    if mf.exists():
        import json

        manifest = json.loads(mf.read_text(encoding="utf-8"))
    info = {
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "etl_version": ETL_VERSION,
        "raw_dir": str(raw_dir),
        "as_of": manifest.get("as_of", ""),
        "seed": str(manifest.get("seed", "")),
        "scale": str(manifest.get("scale", "")),
        "source_min_date": manifest.get("source_min_date", ""),
        "source_max_date": manifest.get("source_max_date", ""),
    }
    con.execute("CREATE TABLE meta.build_info (key VARCHAR, value VARCHAR)")
    for k, v in info.items():
        con.execute("INSERT INTO meta.build_info VALUES ($k, $v)", {"k": k, "v": v})

"""A tiny, deterministic database with the tables the app shell and governance page read.

Unit tests of the query layer use it: it is built from code in milliseconds (``Random(42)``)
and holds the edge cases the tests need (quarantine rows without a unit, a source without
problems). App and browser tests use the real ETL instead (``built_db`` in conftest.py).

    python tests/fixture_db.py /tmp/fixture.duckdb
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from random import Random

import duckdb

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = ROOT / "data" / "reference" / "units.csv"

BUILT_AT = "2022-01-05T08:30:00+08:00"
AS_OF = "2021-12-31"

# source, title_zh, title_en, files, rows per file, quarantine share
SOURCES = [
    ("students", "学生名册", "Student roster", ["学生名册_2021秋.csv"], 400, 0.04),
    ("teachers", "教师名册", "Teacher roster", ["教师名册_2021.xlsx"], 120, 0.08),
    ("schools", "学校基本信息", "Schools", ["学校基本信息.csv"], 60, 0.0),
    (
        "equipment",
        "装备台账",
        "Equipment ledger",
        ["装备台账_上.csv", "装备台账_下.csv"],
        200,
        0.02,
    ),
]
RULES = [
    ("id_format", "身份证号", "5101************{d}", "身份证号校验位不正确"),
    ("required", "学校标识码", "", "必填字段为空"),
    ("enum", "学段", "大学", "不在允许取值内：小学/初中/普通高中/中等职业学校"),
    ("date_range", "入学日期", "2031-09-01", "日期晚于数据截止日"),
    ("ref_school", "学校标识码", "51010{d}9999", "学校标识码在学校库中不存在"),
]
BASES = ["students", "teachers", "schools", "equipment"]


def make_fixture_db(path: str | os.PathLike, *, seed: int = 42) -> Path:
    """Write the fixture database to ``path`` (replacing it) and return the path."""
    path = Path(path)
    rnd = Random(seed)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    for schema in ("ref", "marts", "meta"):
        con.execute(f"CREATE SCHEMA {schema}")

    con.execute(
        """CREATE TABLE ref.units AS
        SELECT unit_code, name_zh, name_en, aliases, kind, category, host_division_code,
               TRY_CAST(seat_lon AS DOUBLE) AS seat_lon, TRY_CAST(seat_lat AS DOUBLE) AS seat_lat,
               TRY_CAST(land_area_km2 AS DOUBLE) AS land_area_km2,
               TRY_CAST(population_10k AS DOUBLE) AS population_10k
        FROM read_csv($csv, all_varchar = true, header = true)""",
        {"csv": str(UNITS_CSV)},
    )
    units = [r[0] for r in con.execute("SELECT unit_code FROM ref.units").fetchall()]

    info = {
        "built_at": BUILT_AT,
        "as_of": AS_OF,
        "source_min_date": "2021-01-01",
        "source_max_date": AS_OF,
        "seed": str(seed),
        "scale": "fixture",
        "raw_dir": "tests/fixture",
        "etl_version": "fixture",
    }
    con.execute("CREATE TABLE meta.build_info (key VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO meta.build_info VALUES (?, ?)", list(info.items()))

    con.execute(
        """CREATE TABLE marts.periods (period VARCHAR, period_start DATE, period_end DATE)"""
    )
    periods = []
    for year in (2020, 2021):
        for q in range(1, 5):
            start = dt.date(year, 3 * q - 2, 1)
            end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
            periods.append((f"{year}Q{q}", start, end))
    con.executemany("INSERT INTO marts.periods VALUES (?, ?, ?)", periods)

    con.execute(
        """CREATE TABLE meta.load_report (source VARCHAR, title_zh VARCHAR, title_en VARCHAR,
        file VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        encoding VARCHAR, format VARCHAR, unknown_headers VARCHAR)"""
    )
    con.execute(
        """CREATE TABLE meta.quarantine (source VARCHAR, file VARCHAR, line BIGINT,
        column_name VARCHAR, rule VARCHAR, value VARCHAR, message VARCHAR, unit_code VARCHAR)"""
    )
    report, issues = [], []
    for source, tzh, ten, files, n, share in SOURCES:
        for file in files:
            bad_lines = sorted(rnd.sample(range(2, n + 2), round(n * share)))
            fmt = "xlsx" if file.endswith(".xlsx") else "csv"
            enc = "" if fmt == "xlsx" else rnd.choice(["utf-8", "gb18030"])
            report.append(
                (source, tzh, ten, file, n, n - len(bad_lines), len(bad_lines), enc, fmt, "")
            )
            for line in bad_lines:
                rule, column, value, message = rnd.choice(RULES)
                # every 5th problem row could not be tied to a unit
                unit = None if line % 5 == 0 else rnd.choice(units)
                issues.append(
                    (source, file, line, column, rule, value.format(d=line % 10), message, unit)
                )
    con.executemany("INSERT INTO meta.load_report VALUES (?,?,?,?,?,?,?,?,?,?)", report)
    con.executemany("INSERT INTO meta.quarantine VALUES (?,?,?,?,?,?,?,?)", issues)

    con.execute(
        """CREATE TABLE marts.base_db_counts (base VARCHAR, unit_code VARCHAR,
        row_count BIGINT, latest_date DATE)"""
    )
    counts = []
    for unit in units:
        for base, scale in zip(BASES, (4000, 300, 40, 900), strict=True):
            counts.append(
                (base, unit, rnd.randint(scale // 2, scale), dt.date(2021, 12, rnd.randint(1, 31)))
            )
    con.executemany("INSERT INTO marts.base_db_counts VALUES (?, ?, ?, ?)", counts)
    con.execute("CHECKPOINT")
    con.close()
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    out = make_fixture_db(sys.argv[1] if len(sys.argv) > 1 else "fixture.duckdb")
    print(out)

"""Page and query benchmarks (issue: performance): run in a subprocess by etl/bench.py.

- each registered page's server-side run time via AppTest, cold (first run of a fresh app, empty
  caches) and warm (a rerun of the same view: what a viewer pays when nothing changed);
- each dashboard query: the query layer's uncached time next to the bare DuckDB time of the same
  SQL on an open connection (the floor);
- the same headline figures computed the naive way: pandas over the raw exports.

Usage: python -m etl.bench_pages DB RAW_DIR REPEATS → JSON on stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench_pages(repeats: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from edusight import pages

    out = []
    for entry in pages.PAGES:
        cold, warm = [], []
        for _ in range(max(1, repeats)):
            import streamlit as st

            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            if entry != pages.default_page():
                at.switch_page(entry.path)
            t0 = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t0)
            for _ in range(3):
                t0 = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - t0)
            ok = not at.exception
        out.append(
            {
                "page": entry.name,
                "cold_ms": 1000 * _median(cold),
                "warm_ms": 1000 * _median(warm),
                "ok": ok,
            }
        )
    return out


def bench_queries(repeats: int) -> list[dict]:
    import duckdb

    from edusight import db, queries

    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        from test_app_queries import EXAMPLES  # the example parameters the data tests use
    except Exception:
        EXAMPLES = {}
    units = queries.all_units()
    periods = queries.run("meta_periods", units)["period"].tolist()
    examples = {**EXAMPLES, "period": periods[-1] if periods else None}
    path = str(db.db_path())
    bare_con = duckdb.connect(path, read_only=True)
    out = []
    for name in queries.query_names():
        sql = queries.load_sql(name)
        needed = queries.sql_params(sql) - {"scope"}
        if needed - examples.keys():
            continue
        params = {k: examples[k] for k in needed}
        bound = {
            "scope": list(units),
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
        }
        app, bare = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            db.fetch_df(path, sql, bound)  # the query layer without its cache
            app.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            bare_con.execute(sql, bound).df()
            bare.append(time.perf_counter() - t0)
        out.append({"query": name, "app_ms": 1000 * _median(app), "bare_ms": 1000 * _median(bare)})
    bare_con.close()
    return out


def bench_naive(raw: Path, repeats: int) -> list[dict]:
    """Headline figures the naive way (pandas over the raw exports) vs the marts."""
    import pandas as pd

    from edusight import db, queries

    units = queries.all_units()

    def students_by_unit_level() -> object:
        s = pd.read_csv(
            raw / "students.csv", dtype=str, encoding="utf-8", usecols=["学校标识码", "学段"]
        )
        sch = pd.read_csv(
            raw / "schools.csv", dtype=str, encoding="utf-8-sig", usecols=["学校标识码", "所属区县"]
        )
        return s.merge(sch, on="学校标识码").groupby(["所属区县", "学段"]).size()

    def coverage_by_unit() -> object:
        a = pd.read_csv(raw / "campus_assessments.csv", dtype=str)
        sch = pd.read_csv(raw / "schools.csv", dtype=str, encoding="utf-8-sig")
        dims = [c for c in a.columns if c.endswith("得分")]
        a[dims] = a[dims].apply(pd.to_numeric, errors="coerce")
        a["ok"] = (a[dims].mean(axis=1) >= 75) & (a[dims] >= 60).all(axis=1)
        last = a.sort_values("评估日期").groupby("学校标识码").last()
        sch = sch.join(last["ok"], on="学校标识码")
        return sch.groupby("所属区县")["ok"].mean()

    def training_hours_by_school() -> object:
        frames = [
            pd.read_csv(f, dtype=str, usecols=["学校标识码", "研修类型", "认定学时"])
            for f in sorted(raw.glob("training_sessions*.csv"))
        ]
        t = pd.concat(frames)
        t["认定学时"] = pd.to_numeric(t["认定学时"], errors="coerce")
        return t.groupby(["学校标识码", "研修类型"])["认定学时"].sum()

    cases = [
        ("students by unit and level", students_by_unit_level, "meta_base_db_counts_by_unit"),
        (
            "digital-campus coverage by unit",
            coverage_by_unit,
            "coverage_units" if "coverage_units" in queries.query_names() else None,
        ),
        ("teacher 2.0 hours by school", training_hours_by_school, "teachers_schools"),
    ]
    path = str(db.db_path())
    out = []
    for label, fn, qname in cases:
        try:
            naive = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn()
                naive.append(time.perf_counter() - t0)
        except (FileNotFoundError, KeyError, ValueError) as e:
            out.append({"figure": label, "error": str(e)})
            continue
        mart = None
        if qname:
            sql = queries.load_sql(qname)
            needed = queries.sql_params(sql) - {"scope"}
            periods = queries.run("meta_periods", units)["period"].tolist()
            params = {"period": periods[-1]} if needed == {"period"} else {}
            if needed <= params.keys():
                ts = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    db.fetch_df(path, sql, {"scope": list(units), **params})
                    ts.append(time.perf_counter() - t0)
                mart = 1000 * _median(ts)
        out.append(
            {"figure": label, "naive_ms": 1000 * _median(naive), "mart_ms": mart, "query": qname}
        )
    return out


def main() -> int:
    db_file, raw, repeats = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    os.environ["EDUSIGHT_DB"] = db_file
    res = {
        "pages": bench_pages(repeats),
        "queries": bench_queries(max(3, repeats)),
        "naive": bench_naive(raw, max(1, repeats)),
    }
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: measure the data platform and write docs/performance.md.

Each measurement runs in a fresh subprocess so that peak memory (max RSS, from wait4) belongs to
that step alone. Times are medians of repeated runs. Nothing here asserts a time: targets are
reported next to the measurements, never enforced by tests (the machines are noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from edusight import config

ROOT = config.ROOT
BENCH_DIR = ROOT / "data" / "build" / "bench"
RESULTS = BENCH_DIR / "results.json"
DOC = ROOT / "docs" / "performance.md"
SEED = 2021


def _peak_rss_child(args: list[str], env: dict | None = None) -> tuple[float, float, str, str]:
    t0 = time.perf_counter()
    p = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # read output without waiting on the process, then reap it with wait4 for its rusage
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}):\n{err[-3000:]}")
    return wall, ru.ru_maxrss / 1024, out, err


PY = [sys.executable]
BARE_LOAD = r"""
import sys, time, duckdb, pathlib
files = sys.argv[2:]
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
for i, f in enumerate(files):
    con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv($f, all_varchar=true, header=true)", {"f": f})
con.execute("CHECKPOINT")
print(time.perf_counter() - t)
"""


def bare_duckdb_load(raw: Path, work: Path) -> tuple[float, float]:
    """Bare DuckDB read_csv of the same CSV files (GB18030 ones transcoded to UTF-8 first,
    untimed, since DuckDB cannot read GB18030 without an extension): the wall time of its
    process, measured as the build's is (Python starting and importing its library included),
    and the part of it before the load starts. Until the sixth build round the bare load's
    clock started inside the process, after `import duckdb`, which left out that part while the
    build's time counted its own."""
    from etl.reader import detect_encoding

    work.mkdir(parents=True, exist_ok=True)
    files = []
    for f in sorted(raw.glob("*.csv")):
        enc = detect_encoding(f)
        if enc == "gb18030":
            g = work / f.name
            g.write_text(f.read_text(encoding="gb18030"), encoding="utf-8")
            files.append(str(g))
        else:
            files.append(str(f))
    db = work / "bare.duckdb"
    db.unlink(missing_ok=True)
    wall, _, out, _ = _peak_rss_child([*PY, "-c", BARE_LOAD, str(db), *files])
    db.unlink(missing_ok=True)
    return wall, wall - float(out.strip())


def _generated(raw: Path, scale: float) -> bool:
    """Does `raw` hold a complete generated dataset of this scale and the bench's seed?"""
    mf = raw / "manifest.json"
    if not mf.exists():
        return False
    m = json.loads(mf.read_text(encoding="utf-8"))
    return (
        float(m.get("scale", -1)) == scale
        and str(m.get("seed")) == str(SEED)
        and all((raw / f).exists() for f in m.get("files", {}))
    )


def bench_etl(
    scales: list[float], repeats: int, with_pages: bool = True, reuse: dict | None = None
) -> list[dict]:
    """Generate, build, bare load and pages per scale. With `reuse` (scale → an earlier result
    row), data already generated under data/build/bench is built again without generating it
    anew, and the earlier generate time is reported (marked as such)."""
    rows = []
    for scale in scales:
        repeats_here = repeats if scale <= 1 else 1  # a Sichuan-size run takes minutes: once
        raw = BENCH_DIR / f"raw_{scale:g}"
        db = BENCH_DIR / f"edusight_{scale:g}.duckdb"
        env = {"EDUSIGHT_PSEUDO_KEY": "bench-key"}
        gen, gen_rss = [], 0.0
        earlier = (reuse or {}).get(scale, {})
        reused = reuse is not None and _generated(raw, scale)
        if reused:  # the generate time is the earlier run's, if there was one
            print(f"scale {scale:g}: building {raw} (generated earlier)", flush=True)
            gen, gen_rss = [earlier.get("generate_s")], earlier.get("generate_rss_mb")
        for _ in range(0 if reused else repeats_here):
            w, rss, _, _ = _peak_rss_child(
                [*PY, "-m", "etl", "generate", "--scale", str(scale), "--seed", str(SEED), "--out", str(raw)], env
            )  # fmt: skip
            gen.append(w)
            gen_rss = max(gen_rss, rss)
        # build and bare load alternate, so that each pair meets the same machine (on a shared
        # virtual machine the same build takes from 30 s to 45 s minutes apart): the ratio is
        # the median of the pairs' ratios
        bld, bare, bare_start, bld_rss = [], [], [], 0.0
        for _ in range(repeats_here):
            w, rss, _, _ = _peak_rss_child(
                [*PY, "-m", "etl", "build", "--raw", str(raw), "--db", str(db)], env
            )
            bld.append(w)
            bld_rss = max(bld_rss, rss)
            wall, start = bare_duckdb_load(raw, BENCH_DIR / f"bare_{scale:g}")
            bare.append(wall)
            bare_start.append(start)
        raw_bytes = sum(f.stat().st_size for f in raw.iterdir() if f.is_file())
        rows_read = _rows_read(db)
        bulletin = _bulletin_check(db, scale)
        # with --merge --no-pages, the page figures measured earlier on this scale stay
        pages = {**earlier["pages"], "reused": True} if reuse and earlier.get("pages") else {}
        if with_pages:
            _, pages_rss, out, _ = _peak_rss_child(
                [*PY, "-m", "etl.bench_pages", str(db), str(raw), str(repeats_here)], env
            )
            pages = json.loads(out.strip().splitlines()[-1])
            pages["rss_mb"] = pages_rss
        rows.append(
            {
                "pages": pages,
                "scale": scale,
                "rows_read": rows_read,
                "raw_mb": raw_bytes / 1e6,
                "generate_s": None if None in gen else statistics.median(gen),
                "generate_rss_mb": gen_rss,
                "generate_reused": reused,
                "build_s": statistics.median(bld),
                "build_rss_mb": bld_rss,
                "bare_load_s": statistics.median(bare),
                "bare_start_s": statistics.median(bare_start),
                "ratio": statistics.median([b / r for b, r in zip(bld, bare, strict=True)]),
                "pairs": [[round(b, 2), round(r, 2)] for b, r in zip(bld, bare, strict=True)],
                "db_mb": db.stat().st_size / 1e6,
                "runs": repeats_here,
                "steps": _build_steps(db),
                "bulletin": bulletin,
            }
        )
    return rows


def _build_steps(db: Path) -> list[dict]:
    """The slowest steps of the last build (meta.build_steps), for the record."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT step, seconds, peak_rss_mb FROM meta.build_steps "
            "WHERE step <> 'marts' ORDER BY seconds DESC LIMIT 6"
        ).fetchall()
    return [{"step": r[0], "seconds": r[1], "peak_rss_mb": r[2]} for r in rows]


def _rows_read(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sum(rows_read) FROM meta.load_report").fetchone()[0]


def _bulletin_check(db: Path, scale: float) -> list[dict]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """
            SELECT b.level, b.schools * $s, sum(u.school_count), b.students * $s, sum(u.student_count),
                   b.full_time_teachers * $s, sum(u.teacher_count)
            FROM ref.bulletin_2021 b LEFT JOIN marts.unit_levels u USING (level)
            GROUP BY ALL ORDER BY 1
            """,
            {"s": scale},
        ).fetchall()
    return [
        {"level": r[0], "schools": (r[1], r[2]), "students": (r[3], r[4]), "teachers": (r[5], r[6])}
        for r in rows
    ]


def machine() -> dict:
    import duckdb
    import pandas
    import pyarrow
    import streamlit

    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "streamlit": streamlit.__version__,
    }


CHANGES = """
## What we changed and what it bought

Measured on this machine; "before" is an earlier run of this command unless said otherwise. The
machine is a shared virtual one: the same scale-1 build measured minutes apart took from 43 s to
71 s, which is why every figure above is a median and why no test asserts a time.

- **Build, seventh round** (issue: data platform). Build ÷ bare at scale 1: 1.98 → **1.88**,
  the median of seven alternating pairs (2.07, 1.69, 1.88, 2.22, 2.04, 1.83, 1.57); build
  25.7 s, bare load 14.3 s. A run midway, after the first four changes below, gave 1.91 (1.72,
  1.88, 2.03, 1.74, 1.91, 1.92, 2.18; build 29.9 s, bare 15.7 s: the machine was slower then).
  The pairs still spread across 2: the bare load took 12.5–15.1 s and the build 22.9–31.8 s
  within minutes, so the median of several pairs is the figure to read. Scale 4: 110.8 s →
  108.1 s (95.9 s in the midway run); peak 974 MB → 854 MB (864 MB midway); the database
  886 MB → 891 MB. Scale 0.1: 2.78 → 2.91 over seven pairs (three before); at that size fixed
  costs dominate. The pages, measured again on the new databases, are as fast or faster
  (slowest warm at scale 1: coverage 123 ms; at scale 4: coverage 153 ms). Each change was
  checked to give the same raw, stg, marts and quarantine, row for row and type for type, at
  test scale and at scale 1 (against a build of the round's starting code).
  - *The teachers' points made beside the sessions' load.* `50_teacher_0_points.sql` makes the
    rules and each teacher's micro-ability points (and the day the points rule was met) as
    soon as the assessments are loaded: at scale 1 in the light lane while training sessions
    load. The status file, which waits for the sessions, joins the result and drops it. Its
    last statement: 1.1–1.4 s → 0.6–0.9 s; in a timeline of a whole build the status mart at
    the end took 3.8 s → 2.8 s.
  - *A row's file as a number.* Raw tables held each row's file name, written on every row
    (0.2 s of CPU per 2.9 million rows); they now hold its number among the source's exports
    in name order (`_file_no`), and the raw view shows the name.
  - *Shared pseudonyms looked up row by row.* The teachers' pairs now carry their link (is the
    teacher loaded?); training sessions and assessments look each row's ID number up and hash
    on its row only one not found, instead of first finding their own distinct ID numbers
    (0.55 s of CPU for training sessions).
  - *No OpenBLAS spin.* numpy's OpenBLAS starts a thread per core when imported, which spins
    for a while: 0.12 s of CPU. The build does no BLAS work and sets
    `OPENBLAS_NUM_THREADS=1`.
  - *Names reduced to their presence in land.* Names are checked for presence only and never
    stored: land now keeps null, '*' or the summary word (合计 …) that marks a summary row. No
    name reaches the work folder, and 2.6 million students' names are not written, read and
    carried through validation (students' land: 6.2 → 5.5 s of CPU, medians of five
    alternating pairs; the noise is as large).
  - *ENUMs for columns of allowed values* (性别, 学段, 研修类型 …): raw tables store them as an
    ENUM of the allowed values, which costs a third less to write than text (0.3 → 0.2 s of
    CPU per column of 2.9 million rows); stg views show them as text. Loads over four
    alternating pairs: students 9.6 → 8.7 s, training sessions 8.2 → 7.8 s of CPU (medians).
    The teacher marts, which filter the sessions on their type, are no slower.
  - *Measured and dropped:*
    - land as Arrow IPC files scanned through pyarrow datasets: the students' land 0.8 s of
      CPU less, but their load 2.5–3 s more (DuckDB converts every Arrow batch), and training
      sessions' load ran out of the 500 MB memory cap;
    - every column's compression declared as DuckDB chooses it, to skip its analysis: slower
      in three pairs of three (training sessions' insert 9.5 → 9.9 s of CPU);
    - compression methods that are never chosen disabled (`disabled_compression_methods`):
      within the noise;
    - the running sums and the per-teacher counts in separate passes: slower (a second scan
      of the sessions);
    - the birth-date check without `strftime`: 0.13 s of CPU at most;
    - GB18030 decoded whole instead of incrementally: the same 0.4–0.55 s of CPU for the
      micro-ability assessments; it is Python's codec either way;
    - HMAC from precomputed midstates in Python (hashlib, SHA-NI through OpenSSL): 1.1 µs a
      value holding the interpreter lock, against 1.7 µs in DuckDB spread over two threads:
      no wall time saved.
- **Build, sixth round** (issue: data platform). Build ÷ bare at scale 1: 2.13 → **1.98**, the
  median of seven alternating pairs (2.65, 2.19, 1.98, 1.95, 1.90, 2.44, 1.84); build 29.5 s,
  bare load 13.0 s. That is at the target, not safely under it: a run of the code one change
  earlier (all below but the sorted key hashes, which save about 0.25 s of CPU) gave 2.04
  (2.04, 2.24, 1.96, 1.98, 2.05, 2.09, 1.85), and the pairs of one run spread wider than the
  two medians differ. From this round the bare load is timed as the build always was, as the
  wall time of its whole process; its start and `import duckdb`, 0.25 s (median), were left out
  before. On the old measure this run's ratio would be 2.01. The machine ran slower than in the
  fifth round (the same bare load took 11.8 s then). Scale 4: 130.7 s → 110.8 s; peak 959 MB →
  974 MB (898 MB in the earlier run: it varies by about ±50 MB between runs of the same code);
  the database 821 MB → 886 MB (the ZSTD keys below; 968 MB in the earlier run: its block
  layout varies with the order in which the two lanes write; at scale 1, 230 MB → 244–252 MB;
  at scale 0.1, 44 MB → 56 MB). The pages at scale 1, measured again on the new database, take
  what they took (slowest warm: coverage 137 ms, teachers 136 ms). Each change was checked to
  give the same raw, stg, marts and quarantine, row for row, at test scale and at scale 1.
  - *Identifier columns stored with ZSTD.* DuckDB's default for text (a dictionary, then
    FSST) spent 2–3× the CPU on values that repeat little: students' keys 0.86 → 0.25 s,
    training sessions' record numbers 0.64 → 0.26 s, their teachers' keys 0.69 → 0.31 s and
    device fingerprints 0.47 → 0.23 s (each the best of three, column by column); about 1.9 s
    of CPU in all at scale 1. Pseudonyms, one-column keys and columns declared
    `repeats=False` get it; the others keep DuckDB's choice, which is smaller for values that
    repeat.
  - *Dictionary pages in land for the columns of few values* (codes, yes/no, dates, numbers,
    references, text declared `repeats=True`). DuckDB checks each string it reads from
    Parquet for valid UTF-8 (3.5 % of the build's CPU in a profile): with a dictionary, once
    per distinct value. Students' land 399 → 181 MB; writing it +0.3 s, reading it −0.5 s of
    CPU; training sessions' load about 1 s of CPU less over three alternating pairs. The
    scale-4 peak: 1,018 MB in a run before this change and the early drop of the teachers'
    pairs below, 995 MB with that drop, 898 MB with both.
  - *Teachers hashed once.* Training sessions and micro-ability assessments hashed every
    distinct teacher ID number again (0.3 s of CPU each). The teachers' load now keeps its
    pairs of ID number and pseudonym in an in-memory database attached for the build, dropped
    once the two sources are loaded and never written to the file; they hash only the ID
    numbers the teachers do not hold.
  - *Repeated key hashes found by sorting.* Duplicate keys are found from their 64-bit
    hashes; a repeated hash is now found by sorting the hashes and comparing neighbours, not
    by a hash table of them: 0.8 → 0.55 s of CPU for training sessions' 2.9 million record
    numbers (best of three).
  - *One running sum less* in the teacher-status mart: the running total is the sum of the
    online and practice running sums (each window sum costs 0.4 s of CPU at scale 1).
  - *Land before waiting.* A source's exports are landed before its lane waits for the
    sources it refers to: the students' land overlaps the schools' load.
  - *Measured and dropped:*
    - SHA-256 compiled with numba, from precomputed HMAC midstates: 1.1 µs a value in one
      thread, no better than DuckDB, and 3–4 s of compiling in a fresh environment;
    - the running sums partitioned by the key as a 64-bit integer, or with ROWS frames: no
      faster;
    - the points-met dates from sorted lists instead of row numbers: no faster;
    - training sessions before students, so that the teacher-status mart runs beside the
      students' load: slower in three pairs of three;
    - ISO dates and times cast directly before the format list: slower;
    - transparent huge pages for Arrow's allocator: 60 % fewer page faults but 1.3 s more
      system time and 135 MB more memory in the students' land;
    - DuckDB's allocator settings of the fifth round removed: no difference in page faults;
    - a source announced loaded as soon as its raw and stg are complete, before its quarantine
      rows and counts are written, so that the teacher-status mart starts 0.2 s sooner: no
      faster in three pairs.
  - *Where the rest goes at scale 1* (a CPU profile of a whole build): DuckDB 57 % (the
    students' HMAC about 4 s, group-by hash tables 2.6 %, dictionary compression 2.5 %,
    string scans and appends 2.5 %), the kernel 10 % (page faults, file copies), Arrow's CSV
    parser and UTF-8 check 5 %. The bare load does most of the parsing and compressing too;
    what the build adds is validation, pseudonymization and the marts.
- **Build, fifth round** (issue: data platform). Build ÷ bare at scale 1: 2.35 → **2.13**, over
  five alternating pairs (2.13, 2.16, 2.13, 2.05, 2.07); build 24.1 s, bare load 11.8 s. The
  machine ran faster than in the fourth round (the same bare load took 16.5 s then), so
  compare the ratios, not the seconds. Scale 4: 146.4 s → 130.7 s; peak 993 MB → 959 MB (one
  earlier run of this round's code, before the line scan's memory fix below, reached 1,063 MB;
  others 958–987 MB). Each change was checked to give the same raw, stg, marts and quarantine,
  row for row, at test scale and at scale 1.
  - *Validate and stage in one pass.* One query over land writes `raw._<source>` with every
    row's stored columns; `raw.<source>` and `stg.<source>` are views over it. Before, a
    second pass read land again, typed every value again and anti-joined the rejected rows.
    Measured alone, alternating: students 5.6 s → 5.2 s and training sessions 5.9 s → 4.3 s
    (medians of three); whole builds 33.8 s → 26.8 s (medians of three pairs).
  - *Marts in the lanes.* Each mart file runs as soon as the sources and marts it reads are
    built (read from its SQL). The exam, security, school and coverage marts now run while
    training sessions load. Running the teacher-status mart beside the students load, by
    loading students last, was faster but took the scale-4 peak to 1.1–1.2 GB: not taken.
  - *Micro-ability assessments in the light lane* (heavy lane from 96 MB, not 48 MB) at scale
    1: faster in two pairs of three (by 1.3 s and 1.7 s), and 40 MB less peak.
  - *No BLAS in the ID check digit.* The weighted sum was a float matrix product; OpenBLAS's
    threads spun beside the reader's pool. Summing column by column in uint16 takes the same
    23 ms of work without them. Students' land 3.7 s → 2.8 s (medians of three, alternating).
  - *The line scan runs beside the parser.* The first block no longer waits for the scan of
    the whole file (0.45 s for students, 0.63 s for training sessions' three files). The
    scan reads 2 MB at a time, not 8 MB, because its temporaries now sit beside the parser's
    blocks.
  - *DuckDB returns freed memory sooner* (a background purge thread; thread caches flushed
    after tasks over 16 MB). Two scale-4 runs with these settings: 958 MB and 969 MB. Without
    them, runs of the same code ranged from 963 MB to 1,068 MB. That is suggestive, not proven,
    on this machine.
  - *Measured and dropped:*
    - the database engine at 400 MB again: 1,028 MB at scale 4, no better;
    - land written by the pool's two threads, one Parquet part each: no faster, because land
      already keeps both cores busy;
    - land as Arrow IPC files read through a pyarrow dataset: writing is 4× cheaper, but
      DuckDB's scan of it took 8.9 s, against 5.0 s for Parquet;
    - fewer land blocks in flight: Arrow's peak 191 MB → 184 MB only;
    - uncompressed storage of the unique key columns: about 2.7 s of CPU less (measured column
      by column), but a database about 100 MB larger;
    - HMAC in Python (OpenSSL, SHA-NI): 1.9 µs a value in one thread, more than DuckDB's two
      threads spend.
  - *Where the rest goes at scale 1.* The students' HMAC, about 4 s of CPU. DuckDB writing
    string columns: 5.2 s of thread time in the training sessions' pass. The teacher-status
    mart, 2.9 s at the end, which waits for the last heavy source.
- **Build, fourth round** (issue: data platform). Scale 1, measured in alternation with the
  code of the round before: medians 50.3 s → 36.5 s over three pairs, before the two lanes;
  with them, 40.8 s → 35.2 s over three more (each pair faster, by 0.8 s to 6 s). Build ÷
  bare 3.8 → 2.35. Scale 4: 210.5 s → 146.4 s; its peak rose from 920 MB to 948 MB and
  993 MB in two runs of the final code, as the reader's pool holds more blocks in flight
  (1,007 MB before Arrow allocated through jemalloc, which keeps about 130 MB less than
  mimalloc in the land step). Two ways to a lower peak were measured and not taken: jemalloc
  returning freed pages at once (914 MB, but 3 s more system time at scale 1) and giving the
  database engine 400 MB instead of 500 MB (918 MB, but every scale-1 build 1.3 s to 3.3 s
  slower over three pairs).
  - *XLSX through calamine* (a Rust reader) instead of openpyxl: the same rows and sheet row
    numbers, read about 13 times faster (resources.xlsx 0.76 s → 0.06 s; the XLSX sources
    took about 4 s in all).
  - *Normalization only where it can change something.* NFKC is skipped on ASCII values, run
    once per distinct value in columns of few values (性别, 学段, 是/否), and not at all on
    names, which are never stored; a pool of two threads normalizes and checks the blocks
    while a third parses and the build writes. Students' land 6.4 s → 4.4 s, training
    sessions' 6.1 s → 4.0 s (medians of three runs each way).
  - *raw keeps a rejected row's values in one JSON column*, spread into columns by the view
    `raw.<source>`: a column of nulls per source column cost 70 ms per 2.6 million rows
    (about 1.5 s in all).
  - *Cheaper scans and checks.* The line scan looks at a line's first byte and reads the whole
    line only when it starts with white space (students.csv 0.67 s → 0.26 s); a 学籍号 is
    checked as all three kinds on one digit matrix (0.75 s → 0.45 s); the file name is a
    constant of the land view rather than a column written and read per row.
  - *Marts.* The cockpit's teacher completion now reads the teacher page's own completion
    dates (work-item mart 1.3 s → 0.14 s, and the two pages can no longer disagree); the
    teacher-status mart sums hours and flags in the pass that finds the dates met, with RANGE
    framing (no tie-break column to sort on).
  - *Two lanes.* The light sources load on a second connection beside the heavy ones, each
    source after those its foreign keys refer to (see docs/architecture.md).
  - *Tried and dropped:* writing raw and stg rows in any order (`preserve_insertion_order`
    off): no difference beyond the noise over three pairs; disabling DuckDB's `dict_fsst`
    string compression: stg writes 4.1 s → 2.9 s, but the database grew from 143 MB to
    558 MB; a cheaper keyed hash than HMAC-SHA256 (2.8 s of the students' staging pass): the
    pseudonyms' definition is part of the data contract, so it stays.
- **Build, third round** (issues: data platform, performance). Scale 1: 72.6 s before.
  - *Land as Parquet.* Each block of normalized rows is written to uncompressed Parquet without
    dictionaries or statistics and read back through a view, instead of being inserted into a
    temporary table: students' land 5.0 s → 0.8 s (with Parquet's default dictionaries and
    statistics it was 2.4 s).
  - *A reader thread.* The next 4 MB block is read, decoded and normalized while this one is
    written (both release the GIL).
  - *raw holds values only for rejected rows.* `raw.<source>` keeps one row per row read (file,
    line, status), but the values as text only when the row is rejected; loaded rows' values are
    in `stg`, typed. Writing every value twice cost about as much as reading the exports:
    students' raw + stg 10.4 s → 7.3 s. A key column is hashed in `raw` only for rejected rows.
  - *Identifier checks in numpy on the bytes.* Values of the right length are viewed as a byte
    matrix (no gather), sums run in float32 BLAS: students' 学籍号 and ID checks 2.1 s → 1.3 s.
  - *Teacher-status mart.* Session flags are a view (no temporary copy of 2.9 million
    sessions); the running sums behind the dates each rule was met are computed over the six
    columns they need; identical-pattern distinct counts only for start/end pairs with enough
    sessions: 7.3 s → 4.2 s, same rows.
  - *ASCII skips NFKC.* A block of a column that is all ASCII (codes, dates, numbers) is only
    trimmed: ASCII is its own NFKC form.
  - *Tried and dropped:* reading the next source while the database works on this one (on two
    cores the reader and the database compete for them: one trial took 55.6 s against 43–56 s
    for the sequential build); one validation pass writing every row typed into `stg`, then
    `raw` taken from it and the rejected rows deleted (no faster within the noise, and the
    scale-4 peak rose to 1,055 MB, over the 1 GB target).
- **Build memory, second round.** The reader streams each export in 4 MB blocks; the database
  engine works under a 500 MB cap (`EDUSIGHT_BUILD_MEMORY`) and spills beyond it. Peak memory at
  scale 1 was 3,727 MB with the first session's code.
- **Pages.** Figures are cached on their inputs; the key of a data frame is now its content
  column by column. A frame fresh from a query and its copy out of the data cache (unpickled)
  pickle differently, so the first rerun of every new view built all its figures again
  (teachers: 533 ms → 197 ms for that rerun). Earlier: downloads written on click, page data
  cached per database, scope, language and view, long tables paged, "magic" off (teachers
  4,047 ms → about 100 ms warm at scale 1).
- **Many exam screens.** All sessions of a server share one screen state per half refresh
  period (each adds its own clock, exact to the second), and now also one *view* of it per
  language, theme and layout: the map tooltips, both maps' serialized specs, the site table, the
  alert and attention lists and the check-in curve are built once per period instead of once
  per screen. 50 kiosk screens on one server, measured the same day with the same command:
  49 % of refreshes on time, median latency 2.5 s, server 0.93 cores (its Python thread was
  saturated) → 100 % on time, median 63 ms, 0.53 cores.
- **Exam screen during ingest.** An incremental live state per server process reads only newly
  landed files, exactly once (`etl/feed/live.py`); screen p95 during paced ingest was 806 ms
  before it.
"""


def _num(x: float | None, fmt: str = ".1f") -> str:
    return "—" if x is None else format(x, fmt)


def _pct(a: float, b: float) -> str:
    return f"{100 * (b - a) / a:+.2f}%" if a else "n/a"


def render(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Performance",
        "",
        "<!-- Generated by `make bench` (python -m etl bench). Do not edit by hand. -->",
        "",
        f"Measured {m['date']} on {m['cpus']} cores ({m['cpu']}), {m['memory']} RAM; Python "
        f"{m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, pyarrow {m['pyarrow']}, "
        f"Streamlit {m['streamlit']}. Times are medians of the runs shown; peak memory is the "
        "largest resident set of the measured process. Nothing here is asserted by tests.",
        "",
        *_render_targets(results),
        "## Data platform: generate and build",
        "",
        "`python -m etl generate` then `python -m etl build`, each in a fresh process. The "
        "baseline is a bare DuckDB `read_csv` of the same CSV files into tables (no validation, "
        "no pseudonymization, no marts); XLSX sources are read by the build only. Both are "
        "timed as whole processes, Python's start and imports included. Builds and "
        "bare loads alternate, one pair after another, and build ÷ bare is the median of the "
        "pairs' ratios: on this shared machine the same build can take half as long again a few "
        "minutes later, and a pair meets the same conditions.",
        "",
        "| scale | rows read | raw MB | generate s | build s | bare read_csv s | build ÷ bare | "
        "build peak MB | DB MB | runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["etl"]:
        lines.append(
            f"| {r['scale']:g} | {r['rows_read']:,} | {r['raw_mb']:.0f} | {_num(r['generate_s'])}"
            f"{' †' if r.get('generate_reused') else ''} | "
            f"{r['build_s']:.1f} | {r['bare_load_s']:.1f} | {r['ratio']:.2f} | "
            f"{r['build_rss_mb']:.0f} | {r['db_mb']:.0f} | {r['runs']} |"
        )
    if any(r.get("generate_reused") for r in results["etl"]):
        lines += [
            "",
            "† generated by an earlier run of the bench (same scale and seed) and built again here; "
            "the generate time is that run's (— when that run's figures were not kept).",
        ]
    lines += [
        "",
        "Targets (issue: data platform), on 2 cores at scale 1: build ≤ 60 s, build ÷ bare ≤ 2.",
        "",
    ]
    s1 = [r for r in results["etl"] if r["scale"] == 1]
    if s1:
        r = s1[0]
        ok = "met" if r["build_s"] <= 60 else "**missed**"
        ok2 = "met" if r["ratio"] <= 2 else "**missed**"
        lines += [
            f"- build at scale 1: {r['build_s']:.1f} s — {ok}.",
            f"- build ÷ bare read_csv at scale 1: {r['ratio']:.2f} — {ok2}.",
            *(
                [
                    "- the pairs (build s / bare s, in the order run): "
                    + ", ".join(f"{b:.1f} / {x:.1f} ({b / x:.2f})" for b, x in r["pairs"])
                    + "."
                ]
                if r.get("pairs")
                else []
            ),
            *(
                [
                    f"- of the bare load's time, {r['bare_start_s']:.2f} s (median) is its "
                    "process starting and importing DuckDB, as the build's time includes its own "
                    "start."
                ]
                if r.get("bare_start_s") is not None
                else []
            ),
            "",
            "### Scale 1 against the 2021 bulletin (counts in the built database)",
            "",
            "| level | schools (bulletin → built) | students | full-time teachers |",
            "|---|---|---|---|",
        ]
        for b in r["bulletin"]:
            cells = []
            for k in ("schools", "students", "teachers"):
                want, got = b[k]
                cells.append(f"{want:,.0f} → {got or 0:,} ({_pct(want, got or 0)})")
            lines.append(f"| {b['level']} | " + " | ".join(cells) + " |")
        lines.append("")
    big = [r for r in results["etl"] if r["scale"] >= 4]
    for r in big:
        ok = "met" if r["build_rss_mb"] <= 1024 else "**missed**"
        lines += [
            f"- build peak memory at scale {r['scale']:g}: {r['build_rss_mb']:.0f} MB (target "
            f"≤ 1 GB, issue: performance) — {ok}.",
            "",
        ]
    lines += _render_steps(results)
    lines += _render_pages(results)
    lines += _render_ingest(results)
    lines += _render_screens(results)
    for section in results.get("notes", []):
        lines += [section, ""]
    lines += [CHANGES.strip(), ""]
    return "\n".join(lines)


def _targets(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, where it comes from, result, met) for every target the issues set; met is None
    when it was not measured."""
    by = {r["scale"]: r for r in results["etl"]}
    out: list[tuple[str, str, str, bool | None]] = []

    def row(target: str, issue: str, result: str | None, met: bool | None) -> None:
        out.append((target, issue, result if result is not None else "not measured", met))

    s1, s4 = by.get(1.0), by.get(4.0)
    row("build ≤ 60 s at scale 1", "data platform",
        s1 and f"{s1['build_s']:.1f} s", s1 and s1["build_s"] <= 60)  # fmt: skip
    row("build ÷ bare read_csv ≤ 2 at scale 1", "data platform",
        s1 and f"{s1['ratio']:.2f}", s1 and s1["ratio"] <= 2)  # fmt: skip
    row("build peak memory ≤ 1 GB at scale 4", "performance",
        s4 and f"{s4['build_rss_mb']:.0f} MB", s4 and s4["build_rss_mb"] <= 1024)  # fmt: skip
    for scale, limit in ((1.0, 150), (4.0, 500)):
        r = by.get(scale)
        pages = (r or {}).get("pages", {}).get("pages", [])
        if pages:
            over = [p for p in pages if p["warm_ms"] > limit or not p["ok"]]
            worst = max(pages, key=lambda p: p["warm_ms"])
            res = (f"{len(pages) - len(over)} of {len(pages)} pages; slowest {worst['page']} "
                   f"{worst['warm_ms']:.0f} ms")  # fmt: skip
            row(f"warm page ≤ {limit} ms at scale {scale:g}", "performance", res, not over)
        else:
            row(f"warm page ≤ {limit} ms at scale {scale:g}", "performance", None, None)
    for scale in (1.0, 4.0):
        qs = ((by.get(scale) or {}).get("pages") or {}).get("queries") or []
        ratios = [q["app_ms"] / q["bare_ms"] for q in qs if q["bare_ms"] > 0]
        if ratios:
            row(f"query layer ÷ bare DuckDB ≤ 1.5 at scale {scale:g}", "performance",
                f"median {statistics.median(ratios):.2f}; {sum(x > 1.5 for x in ratios)} of "
                f"{len(ratios)} queries over", statistics.median(ratios) <= 1.5)  # fmt: skip
    naive = [n for n in ((s4 or {}).get("pages") or {}).get("naive", []) if n.get("mart_ms")]
    if naive:
        sp = {n["figure"]: n["naive_ms"] / n["mart_ms"] for n in naive}
        low = min(sp, key=sp.get)
        row("≥ 10× faster than pandas over the exports at scale 4", "performance",
            f"{min(sp.values()):.0f}× ({low}) to {max(sp.values()):.0f}×", min(sp.values()) >= 10)  # fmt: skip
    else:
        row("≥ 10× faster than pandas over the exports at scale 4", "performance", None, None)
    runs = (results.get("screens") or {}).get("runs", [])
    fifty = [x for x in runs if x["clients"] >= 50]
    if fifty:
        f = fifty[-1]["refresh"]
        row("50 exam screens refreshing every 5 s on one server", "performance",
            f"{f['on_time_pct']:.1f} % of refreshes on time, p95 {f['latency_ms']['p95']:.0f} ms",
            f["on_time_pct"] >= 99)  # fmt: skip
    else:
        row("50 exam screens refreshing every 5 s on one server", "performance", None, None)
    return out


def _render_targets(results: dict) -> list[str]:
    lines = [
        "## Targets at a glance",
        "",
        "| target | issue | this run | |",
        "|---|---|---|---|",
    ]
    word = {True: "met", False: "**missed**", None: "—"}
    for target, issue, res, met in _targets(results):
        lines.append(f"| {target} | {issue} | {res} | {word[met]} |")
    return [*lines, ""]


def _render_steps(results: dict) -> list[str]:
    rows = [r for r in results["etl"] if r.get("steps")]
    if not rows:
        return []
    lines = [
        "### Where the build's time goes (`meta.build_steps` of the last run)",
        "",
        "| scale | slowest steps: seconds (process peak MB after the step) |",
        "|---|---|",
    ]
    for r in rows:
        cells = ", ".join(
            f"{x['step']} {x['seconds']:.1f} s ({x['peak_rss_mb']:.0f})" for x in r["steps"]
        )
        lines.append(f"| {r['scale']:g} | {cells} |")
    return [*lines, ""]


def _render_screens(results: dict) -> list[str]:
    if not results.get("screens"):
        return []
    from etl import bench_screens

    return bench_screens.render_screens(results["screens"])


def _render_pages(results: dict) -> list[str]:
    rows = [r for r in results["etl"] if r.get("pages")]
    if not rows:
        return []
    lines = [
        "## Pages: server-side run time (AppTest)",
        "",
        "Cold: first run of a fresh app with empty caches. Warm: a rerun of the same view. "
        "Targets: warm ≤ 150 ms at scale 1, ≤ 500 ms at scale 4.",
        "",
        *(
            [
                "Measured by an earlier run of the bench on a database of the same scale and "
                "seed (this run rebuilt the data platform only: `--merge --no-pages`).",
                "",
            ]
            if any(r["pages"].get("reused") for r in rows)
            else []
        ),
        "| page | " + " | ".join(f"scale {r['scale']:g} cold / warm ms" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    names = [p["page"] for p in rows[0]["pages"]["pages"]]
    for name in names:
        cells = []
        for r in rows:
            p = next((x for x in r["pages"]["pages"] if x["page"] == name), None)
            cells.append(
                f"{p['cold_ms']:.0f} / {p['warm_ms']:.0f}" + ("" if p["ok"] else " (error)")
                if p
                else "—"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Queries: the app's query layer next to bare DuckDB",
        "",
        "Every `queries/*.sql` city-wide: the query layer without its cache (open read-only "
        "connection, bind, fetch into pandas) next to the same SQL on an open DuckDB connection "
        "(the floor). Target: app ÷ bare ≤ 1.5.",
        "",
    ]
    for r in rows:
        qs = r["pages"]["queries"]
        if not qs:
            continue
        ratios = [q["app_ms"] / q["bare_ms"] for q in qs if q["bare_ms"] > 0]
        over = [q for q in qs if q["bare_ms"] > 0 and q["app_ms"] / q["bare_ms"] > 1.5]
        lines.append(
            f"- scale {r['scale']:g}: {len(qs)} queries; median app {statistics.median(q['app_ms'] for q in qs):.1f} ms, "
            f"bare {statistics.median(q['bare_ms'] for q in qs):.1f} ms; median ratio "
            f"{statistics.median(ratios):.2f}; slowest {max(q['app_ms'] for q in qs):.0f} ms "
            f"({max(qs, key=lambda q: q['app_ms'])['query']}); over 1.5×: {len(over)}"
        )
    per = {}
    for r in rows:
        for q in r["pages"]["queries"]:
            per.setdefault(q["query"], {})[r["scale"]] = q
    if per:
        lines += [
            "",
            "Every query, app / bare ms:",
            "",
            "| query | " + " | ".join(f"scale {r['scale']:g}" for r in rows) + " |",
            "|---|" + "---|" * len(rows),
        ]
        for name in sorted(per):
            cells = [
                f"{per[name][r['scale']]['app_ms']:.1f} / {per[name][r['scale']]['bare_ms']:.1f}"
                if r["scale"] in per[name]
                else "—"
                for r in rows
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## The naive way: pandas over the raw exports",
        "",
        "| scale | figure | pandas over raw files ms | mart query ms | speed-up |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        for n in r["pages"].get("naive", []):
            if "error" in n:
                lines.append(f"| {r['scale']:g} | {n['figure']} | error: {n['error']} | | |")
                continue
            m = n.get("mart_ms")
            sp = f"{n['naive_ms'] / m:.0f}×" if m else "—"
            lines.append(
                f"| {r['scale']:g} | {n['figure']} | {n['naive_ms']:.0f} | {f'{m:.1f}' if m else '—'} | {sp} |"
            )
    lines.append("")
    return lines


def bench_ingest(db: Path | None = None) -> dict:
    """Live exam feed (etl/feed/bench.py): ingest over HTTP on 127.0.0.1 while the exam
    screen's queries are timed, for the 中考 at scale 1 (137,000 candidates): paced at
    2,500 events/s, then flat out. Put the result in ``results["ingest"]``."""
    from etl.feed import bench as feed_bench

    return feed_bench.run_all(db or BENCH_DIR / "edusight_1.duckdb")


def bench_screens(db: Path, clients: list[int]) -> dict:
    """Many exam command screens refreshing at once (etl/bench_screens.py)."""
    from etl import bench_screens

    return bench_screens.run_all(db, clients)


def _render_ingest(results: dict) -> list[str]:
    ing = results.get("ingest")
    if not ing:
        return []
    r = ing["paced"]
    lines = [
        "## Exam day: live ingest and the command screen",
        "",
        f"`python -m etl feed serve` on 127.0.0.1 with an empty landing area; {r['workers']} client "
        f"threads post the simulator's script of the {r['exam']}'s first session ({r['candidates']:,} "
        f"candidates, {r['sites']} sites: {r['checkins']:,} identity checks, absentees, 保密室, vehicles, "
        f"plus one heartbeat from each of {r['devices']:,} devices) in {r['requests']:,} batches of up to "
        f"{r['batch']:,} events, one pass each (no retry loop), first paced at the target rate, then "
        "flat out. Meanwhile another process runs the screen's `load_screen` (its incremental live "
        "state reads the newly landed files, then the rules) back to back; server, clients and "
        "screen share the machine's cores.",
        "",
        "| run | events | ingest s | events/s | screen during: p50 / p95 / max ms | "
        "screen after, uncached: p50 / p95 / max ms | landing files | MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("paced", ing["paced"]), ("flat out", ing["max"])):
        d, a = r["screen_during_ms"], r["screen_after_ms"]
        label = f"{name} ({r['rate']:,.0f}/s)" if r.get("rate") else name
        lines.append(
            f"| {label} | {r['accepted']:,} of {r['events']:,} | {r['ingest_s']:.1f} | "
            f"{r['events_per_s']:,.0f} | {d['p50']:.0f} / {d['p95']:.0f} / {d['max']:.0f} (n={d['n']}) | "
            f"{a['p50']:.0f} / {a['p95']:.0f} / {a['max']:.0f} | {r['landing_files']} | "
            f"{r['landing_mb']:.1f} |"
        )
    paced, top = ing["paced"], ing["max"]
    ok = "met" if top["events_per_s"] >= 2000 and paced["events_per_s"] >= 2000 else "**missed**"
    ok2 = "met" if paced["screen_during_ms"]["p95"] <= 200 else "**missed**"
    lines += [
        "",
        "Targets (issue: exam command), on 2 cores: sustained ingest ≥ 2,000 events/s — "
        f"{ok}; screen queries ≤ 200 ms (p95) while ingesting at that rate — {ok2}.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl bench")
    p.add_argument(
        "--scales",
        default="0.1,1,4",
        help="comma-separated scales ('' for the exam-day runs alone)",
    )
    p.add_argument("--no-pages", action="store_true", help="skip the page/query benchmarks")
    p.add_argument("--repeats", type=int, default=3, help="runs per scale ≤ 1 (larger: once)")
    p.add_argument("--no-ingest", action="store_true", help="skip the exam-day ingest benchmark")
    p.add_argument(
        "--screens",
        default="10,25,50",
        help="exam screens to simulate (comma-separated; '' to skip)",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the generated data under data/build/bench"
    )
    p.add_argument(
        "--merge",
        action="store_true",
        help="update the saved results with this run's parts only (other scales and parts keep "
        "their earlier figures), and build again from data generated earlier when it is kept",
    )
    a = p.parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "etl": []}
    earlier: dict = {}
    if a.merge and RESULTS.exists():
        old = json.loads(RESULTS.read_text(encoding="utf-8"))
        earlier = {r["scale"]: r for r in old.get("etl", [])}
        results = {**old, "machine": machine()}

    def save() -> None:  # after every part: what is measured survives a later failure
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        DOC.write_text(render(results), encoding="utf-8")

    s1 = BENCH_DIR / "edusight_1.duckdb"

    def exam_day() -> None:  # the exam-day runs use the scale-1 database (137,000 candidates)
        if not a.no_ingest:
            results["ingest"] = bench_ingest(s1)
            save()
        if a.screens:
            results["screens"] = bench_screens(s1, [int(n) for n in a.screens.split(",")])
            save()

    scales = [float(x) for x in a.scales.split(",") if x.strip()]
    for scale in scales:
        row = bench_etl(
            [scale], a.repeats, with_pages=not a.no_pages, reuse=earlier if a.merge else None
        )[0]
        results["etl"] = sorted(
            [r for r in results["etl"] if r["scale"] != scale] + [row], key=lambda r: r["scale"]
        )
        save()
        if scale == 1:  # right after scale 1: a failing larger scale cannot lose them
            exam_day()
    if not scales:  # --scales '': the exam-day runs alone, on the scale-1 database built earlier
        if not s1.exists():
            raise SystemExit(f"{s1}: no scale-1 database; run the bench with --scales 1 first")
        exam_day()
    print(f"wrote {DOC}")
    if not a.keep and not a.merge:
        for d in BENCH_DIR.glob("raw_*"):
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The build end to end on generated data: reconciliation, privacy, atomic swap, determinism."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from etl.engine import BuildError, build
from etl.sources import BY_NAME, SOURCES

TEST_KEY = b"edusight-data-test-key"  # same as tests/data/conftest.py

ID_RE = r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]"


def test_every_file_reconciles_read_equals_loaded_plus_quarantined(small):
    assert small.report, "no load report"
    for r in small.report:
        assert r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"], r
    with small.con() as con:
        rows = con.execute(
            "SELECT source, file, rows_read, rows_loaded, rows_quarantined FROM meta.load_report"
        ).fetchall()
        for source, file, read, loaded, quarantined in rows:
            staged = con.execute(f'SELECT count(*) FROM stg."{source}"').fetchone()[0]
            raw = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE _status = 'quarantined') "
                f'FROM raw."{source}" WHERE _file = $f',
                {"f": file},
            ).fetchone()
            distinct_q = con.execute(
                "SELECT count(DISTINCT line) FROM meta.quarantine WHERE source = $s AND file = $f",
                {"s": source, "f": file},
            ).fetchone()[0]
            assert raw == (read, quarantined)
            assert distinct_q == quarantined
            if len([r for r in rows if r[0] == source]) == 1:
                assert staged == loaded


def test_rows_read_match_the_generated_files(small):
    files = small.manifest["files"]
    by_file = {r["file"]: r for r in small.report}
    assert set(files) == set(by_file), "every generated file is loaded"
    for name, info in files.items():
        assert by_file[name]["rows_read"] == info["rows"], name


def test_quarantine_holds_exactly_the_planted_dirt(small):
    """Each rejected row is explained: planted dirt, or a child of a rejected parent row."""
    with small.con() as con:
        got = Counter()
        for file, rule, n in con.execute(
            "SELECT file, rule, count(DISTINCT line) FROM meta.quarantine GROUP BY ALL"
        ).fetchall():
            got[(file, rule)] = n
        for name, info in small.manifest["files"].items():
            for rule, n in info["expected_quarantine"].items():
                assert got[(name, rule)] == n, (
                    f"{name}: {rule} expected {n}, got {got[(name, rule)]}"
                )
        unexpected = {
            k: v
            for k, v in got.items()
            if k[1] not in small.manifest["files"][k[0]]["expected_quarantine"]
            and k[1] != "foreign_key"
        }
        assert not unexpected, f"rules nobody planted: {unexpected}"
        # foreign-key failures only reference parents that were themselves rejected
        orphan = con.execute(
            """
            SELECT count(*) FROM raw.students s
            WHERE s._status = 'quarantined' AND s.school_id NOT IN (SELECT school_id FROM stg.schools)
              AND s.school_id NOT IN (
                  SELECT school_id FROM raw.schools WHERE _status = 'quarantined')
            """
        ).fetchone()[0]
        assert orphan == 0


def test_quarantine_names_file_line_column_and_reason(small):
    with small.con() as con:
        rows = con.execute(
            "SELECT file, line, column_name, rule, message FROM meta.quarantine"
        ).fetchall()
    assert rows
    for file, line, column, rule, message in rows:
        assert file and line and line > 1 and rule and message
        assert column or rule == "field_count"
    lines = {(f, ln) for f, ln, *_ in rows if f == "schools.csv"}
    # the 合计 row is the last line of the file
    last = len((small.raw / "schools.csv").read_text(encoding="utf-8-sig").rstrip("\n").split("\n"))
    assert ("schools.csv", last) in lines


def test_no_personal_data_in_clear_anywhere(small):
    """No ID number, 学籍号 or name from the exports survives in any table of the database."""
    names = set()
    for f in ("students.csv", "teachers.csv"):
        text = (small.raw / f).read_bytes()
        enc = "gb18030" if f == "teachers.csv" else "utf-8"
        for line in text.decode(enc).splitlines()[1:200]:
            cells = [c.strip('"') for c in line.split(",")]
            if len(cells) > 2 and len(cells[1]) >= 2 and cells[1] != "合计":
                names.add(cells[1] if f == "students.csv" else cells[1])
    assert len(names) > 50
    with small.con() as con:
        cols = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND NOT internal"
        ).fetchall()
        assert len(cols) > 30
        for schema, table, column in cols:
            hit = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" '
                f'WHERE regexp_matches("{column}", $re) OR "{column}" IN (SELECT unnest($names))',
                {"re": ID_RE, "names": sorted(names)},
            ).fetchone()[0]
            assert hit == 0, f"personal data in clear in {schema}.{table}.{column}"


def test_pseudonyms_are_keyed_and_stable(small):
    """Same person → same pseudonym in every table; a different key gives different ones."""
    with small.con() as con:
        keys = {
            r[0] for r in con.execute("SELECT student_key FROM stg.students LIMIT 50").fetchall()
        }
    assert all(re.fullmatch(r"[0-9a-f]{16}", k) for k in keys)
    import hmac

    line = (small.raw / "students.csv").read_text(encoding="utf-8").splitlines()[1]
    xueji = line.split(",")[0].strip('"')
    expected = hmac.new(TEST_KEY, xueji.encode(), hashlib.sha256).hexdigest()[:16]
    with small.con() as con:
        assert (
            con.execute(
                "SELECT count(*) FROM stg.students WHERE student_key = $k", {"k": expected}
            ).fetchone()[0]
            == 1
        )


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_the_previous_database_serving(small, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    db = tmp_path / "live.duckdb"
    build(raw, db, key=TEST_KEY)
    before = _digest(db)
    reader = duckdb.connect(str(db), read_only=True)  # a dashboard reading meanwhile
    n = reader.execute("SELECT count(*) FROM stg.schools").fetchone()[0]
    # break one source: drop a required column from the teachers export
    t = raw / "teachers.csv"
    lines = t.read_bytes().decode("gb18030").splitlines()
    header = lines[0].split(",")
    idx = [i for i, h in enumerate(header) if "学校标识码" in h][0]
    t.write_bytes(
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != idx) for line in lines
        ).encode("gb18030")
    )
    with pytest.raises(BuildError) as e:
        build(raw, db, key=TEST_KEY)
    assert "teachers.csv" in str(e.value) and "学校标识码" in str(e.value)
    assert _digest(db) == before
    assert reader.execute("SELECT count(*) FROM stg.schools").fetchone()[0] == n
    reader.close()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM stg.schools").fetchone()[0] == n
    leftovers = [p.name for p in tmp_path.iterdir() if "building" in p.name]
    assert leftovers == []


def test_missing_source_file_is_fatal(small, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    (raw / "schools.csv").unlink()
    with pytest.raises(BuildError, match="schools"):
        build(raw, tmp_path / "x.duckdb", key=TEST_KEY)
    assert not (tmp_path / "x.duckdb").exists()


def test_two_builds_of_one_input_give_identical_marts(small, tmp_path):
    other = build(small.raw, tmp_path / "again.duckdb", key=TEST_KEY).db_path
    with small.con() as a, duckdb.connect(str(other), read_only=True) as b:
        tables = [
            r[0]
            for r in a.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        assert len(tables) >= 5
        for t in tables + []:
            qa = a.execute(f'SELECT * FROM marts."{t}" ORDER BY ALL').fetchall()
            qb = b.execute(f'SELECT * FROM marts."{t}" ORDER BY ALL').fetchall()
            assert qa == qb, t
        for s in SOURCES:
            qa = a.execute(f'SELECT * FROM stg."{s.name}" ORDER BY ALL').fetchall()
            qb = b.execute(f'SELECT * FROM stg."{s.name}" ORDER BY ALL').fetchall()
            assert qa == qb, s.name


def test_the_marts_working_tables_are_not_left_in_the_database(small):
    """Mart files hand intermediate results to later files in tables named *_tmp (the teachers'
    points, made beside the training sessions' load); the file that reads one drops it."""
    marts_sql = Path(__file__).resolve().parents[2] / "etl" / "sql" / "marts"
    made = {
        m[1]
        for f in marts_sql.glob("*.sql")
        for m in re.finditer(r"CREATE OR REPLACE TABLE marts\.(\w+_tmp)\b", f.read_text())
    }
    assert "teacher_points_tmp" in made
    with small.con() as con:
        left = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE table_name LIKE '%\\_tmp' ESCAPE '\\'"
        ).fetchall()
    assert left == []


def test_counts_per_level_are_within_two_percent_of_the_bulletin(small):
    scale = small.manifest["scale"]
    with small.con() as con:
        got = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT level, sum(school_count), sum(student_count), sum(teacher_count) "
                "FROM marts.unit_levels GROUP BY 1"
            ).fetchall()
        }
        bulletin = con.execute(
            "SELECT level, schools, students, full_time_teachers FROM ref.bulletin_2021"
        ).fetchall()
    for level, schools, students, teachers in bulletin:
        s, p, t = got[level]
        assert abs(p - students * scale) <= 0.02 * students * scale, (level, p)
        assert abs(t - teachers * scale) <= 0.02 * teachers * scale + 1, (level, t)
        assert abs(s - round(schools * scale)) <= max(1, 0.02 * schools * scale) + 1, (level, s)


def test_school_points_lie_in_their_division(small):
    from edusight.geo import division_of

    with small.con() as con:
        df = con.execute(
            "SELECT s.lon, s.lat, coalesce(u.host_division_code, s.unit_code) AS division "
            "FROM stg.schools s JOIN marts.units u USING (unit_code)"
        ).df()
    got = division_of(df.lon.to_numpy(), df.lat.to_numpy())
    assert (got == df.division.to_numpy()).mean() == 1.0


def test_unit_aliases_are_mapped_not_rejected(small):
    """Exports write units as names and aliases; those rows load under the unit's code."""
    import pandas as pd

    raw = pd.read_csv(small.raw / "schools.csv", dtype=str, encoding="utf-8-sig")
    named = raw[
        ~raw["所属区县"].fillna("").str.fullmatch(r"5101\d\d|Z5101[A-Z]{2}")
        & (raw["学校标识码"] != "合计")
    ]
    assert len(named) >= 1, "the generator writes some units by name or alias"
    with small.con() as con:
        lookup = dict(con.execute("SELECT alias, unit_code FROM ref.unit_lookup").fetchall())
        staged = dict(con.execute("SELECT school_id, unit_code FROM stg.schools").fetchall())
    known = named[named["所属区县"].str.strip().isin(lookup)]
    assert len(known) >= 1
    for sid, unit in zip(known["学校标识码"].str.strip(), known["所属区县"].str.strip()):
        if sid in staged:
            assert staged[sid] == lookup[unit]


def test_every_source_is_documented_in_the_contract():
    from pathlib import Path

    from etl.contract import render_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "data-contract.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(SOURCES), (
        "docs/data-contract.md is stale: run `python -m etl contract`"
    )
    for s in SOURCES:
        assert BY_NAME[s.name] is s


def _mark_total(line: str) -> str:
    """The same row with its first field made a 合计 (total) row: rejected as summary_row."""
    return '"合计"' + line[line.index(",") :]


def test_rows_after_a_broken_row_or_a_multiline_value_keep_their_true_lines(small, tmp_path):
    """A row the CSV parser rejects, and a quoted value spanning lines, do not shift the line
    numbers of the rows after them, and the build leaves no work files behind."""
    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    apps = raw / "edu_apps.csv"
    lines = apps.read_text(encoding="utf-8").split("\n")
    lines.insert(10, lines[10] + ',"extra","fields"')  # physical line 11: too many fields
    lines[20] = _mark_total(lines[20])  # physical line 21
    apps.write_text("\n".join(lines), encoding="utf-8")
    drills = raw / "security_drills.csv"
    lines = drills.read_text(encoding="utf-8-sig").split("\n")
    lines[4] = lines[4].replace('"桌面推演"', '"桌面\n推演"').replace('"实战演练"', '"实战\n演练"')
    assert "\n" in lines[4]  # physical lines 5 and 6 now hold one row
    lines[14] = _mark_total(lines[14])  # physical line 16 (one more line above it)
    drills.write_text("\n".join(lines), encoding="utf-8-sig")
    db = tmp_path / "x.duckdb"
    build(raw, db, key=TEST_KEY)
    with duckdb.connect(str(db), read_only=True) as con:
        got = set(
            con.execute(
                "SELECT file, line, rule FROM meta.quarantine WHERE rule IN "
                "('field_count', 'summary_row')"
            ).fetchall()
        )
        assert ("edu_apps.csv", 11, "field_count") in got
        assert ("edu_apps.csv", 21, "summary_row") in got
        assert ("security_drills.csv", 16, "summary_row") in got
        status = con.execute(
            "SELECT _line, _status FROM raw.edu_apps WHERE _line IN (10, 11, 12, 21) ORDER BY 1"
        ).fetchall()
        assert status == [(10, "loaded"), (12, "loaded"), (21, "quarantined")]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _heavy_lane_of_three(monkeypatch, raw):
    """Make the three largest exports' sources the heavy lane (at this scale every source is
    light, so the build would run in one lane)."""
    from etl import engine

    sizes = sorted(
        (sum(f.stat().st_size for f in engine.find_files(raw, s)), s.name) for s in SOURCES
    )
    monkeypatch.setattr(engine, "HEAVY_BYTES", sizes[-3][0])
    heavy, light = engine.build_lanes(raw)
    assert len(heavy) == 3 and len(light) == len(SOURCES) - 3
    return heavy


def test_two_lanes_build_the_same_database_as_one(small, tmp_path, monkeypatch):
    heavy = _heavy_lane_of_three(monkeypatch, small.raw)
    assert {s.name for s in heavy} >= {"students", "training_sessions"}
    res = build(small.raw, tmp_path / "lanes.duckdb", key=TEST_KEY)
    assert [(r["source"], r["file"]) for r in res.report] == [
        (r["source"], r["file"]) for r in small.report
    ]  # load-report rows in load order, whichever lane finished first
    with small.con() as a, duckdb.connect(str(res.db_path), read_only=True) as b:
        tables = a.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'stg', 'marts') "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE schema_name IN ('raw', 'stg') "
            "UNION ALL SELECT 'meta', 'quarantine' UNION ALL SELECT 'meta', 'load_report'"
        ).fetchall()
        assert len(tables) > 3 * len(SOURCES)  # raw tables, raw and stg views, marts
        for schema, t in tables:
            qa = a.execute(f'SELECT * FROM {schema}."{t}" ORDER BY ALL').fetchall()
            qb = b.execute(f'SELECT * FROM {schema}."{t}" ORDER BY ALL').fetchall()
            assert qa == qb, f"{schema}.{t}"


def test_no_source_or_mart_starts_before_what_it_reads(small, tmp_path, monkeypatch):
    from etl import engine

    _heavy_lane_of_three(monkeypatch, small.raw)
    events: list[tuple[str, str]] = []
    real_load, real_mart = engine.load_source, engine.run_mart

    def loading(con, source, landed, pads):
        events.append(("start", source.name))
        out = real_load(con, source, landed, pads)
        events.append(("end", source.name))
        return out

    def running(con, mart):
        events.append(("start", "mart:" + mart.name))
        real_mart(con, mart)
        events.append(("end", "mart:" + mart.name))

    monkeypatch.setattr(engine, "load_source", loading)
    monkeypatch.setattr(engine, "run_mart", running)
    build(small.raw, tmp_path / "order.duckdb", key=TEST_KEY)
    plan = {"mart:" + m.name: m for m in engine.mart_plan()}
    ended: set[str] = set()
    for kind, name in events:
        if kind == "end":
            ended.add(name)
        elif name in plan:
            m = plan[name]
            assert m.sources | {"mart:" + d for d in m.marts} <= ended, name
        else:
            assert engine._source_deps(BY_NAME[name]) <= ended, name
    assert ended == {s.name for s in SOURCES} | set(plan)
    # the marts do not wait for every source: at least one starts before the last source ends
    last_source_end = max(i for i, (k, n) in enumerate(events) if k == "end" and n in BY_NAME)
    first_mart = min(i for i, (k, n) in enumerate(events) if k == "start" and n in plan)
    assert first_mart < last_source_end


def test_a_failing_mart_stops_the_build_and_keeps_the_old_database(small, tmp_path, monkeypatch):
    from etl import engine

    sql = tmp_path / "sql"
    shutil.copytree(engine.SQL_DIR, sql)
    bad = sql / "marts" / "60_exam_rooms.sql"
    bad.write_text(
        bad.read_text(encoding="utf-8") + "\nSELECT no_such_column FROM marts.exam_rooms;\n"
    )
    monkeypatch.setattr(engine, "SQL_DIR", sql)
    db = tmp_path / "live.duckdb"
    shutil.copy(small.db, db)
    before = _digest(db)
    with pytest.raises(BuildError, match=r"mart 60_exam_rooms\.sql: .*no_such_column"):
        build(small.raw, db, key=TEST_KEY)
    assert _digest(db) == before


@pytest.mark.parametrize("broken", ["students.csv", "edu_apps.csv"])
def test_an_error_in_either_lane_stops_the_build_and_keeps_the_old_database(
    small, tmp_path, monkeypatch, broken
):
    """students is in the heavy lane, edu_apps (the last source) in the light one; each export
    is cut to its header line, which is fatal (an empty source)."""
    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    _heavy_lane_of_three(monkeypatch, raw)
    db = tmp_path / "live.duckdb"
    shutil.copy(small.db, db)
    before = _digest(db)
    f = raw / broken
    f.write_bytes(f.read_bytes().split(b"\n", 1)[0] + b"\n")
    with pytest.raises(BuildError) as e:
        build(raw, db, key=TEST_KEY)
    assert broken in str(e.value)
    assert _digest(db) == before
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name or "land" in p.name] == []


def test_identifier_columns_are_stored_with_zstd_and_the_rest_as_duckdb_chooses(small):
    """Pseudonyms, one-column keys and columns declared not to repeat are written with ZSTD (2–3×
    cheaper to write than the default for values that repeat little); the other columns keep
    DuckDB's own choice."""
    from etl import engine

    assert engine._zstd_columns(BY_NAME["students"]) == {"student_key"}
    assert engine._zstd_columns(BY_NAME["training_sessions"]) == {
        "record_id",
        "teacher_key",
        "device_id",
    }
    assert engine._zstd_columns(BY_NAME["equipment"]) == set()  # a key of two columns
    with small.con() as con:

        def methods(table: str, column: str) -> set[str]:
            return {
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT compression FROM pragma_storage_info($t) "
                    "WHERE column_name = $c AND segment_type = 'VARCHAR'",
                    {"t": table, "c": column},
                ).fetchall()
            }

        for table, column in [
            ("raw._students", "student_key"),
            ("raw._training_sessions", "record_id"),
            ("raw._training_sessions", "teacher_key"),
            ("raw._training_sessions", "device_id"),
        ]:
            assert methods(table, column) == {"ZSTD"}, (table, column)
        for table, column in [
            ("raw._students", "school_id"),
            ("raw._training_sessions", "activity"),
        ]:
            m = methods(table, column)
            assert m and "ZSTD" not in m, (table, column)
        # the stored values are the same text whatever the compression
        n = con.execute(
            "SELECT count(*) FROM stg.students WHERE NOT regexp_full_match(student_key, "
            "'[0-9a-f]{16}')"
        ).fetchone()[0]
        assert n == 0


def test_columns_of_allowed_values_are_stored_as_enums_and_read_as_text(small, tmp_path):
    """An enumerated column (性别, 学段, 研修类型 …) is stored as an ENUM of its allowed values;
    stg shows it as text, as before, and a value not allowed is still shown as written."""
    from etl import engine

    assert {"gender", "level"} <= engine._enum_columns(BY_NAME["students"])
    assert {"session_type", "terminal"} <= engine._enum_columns(BY_NAME["training_sessions"])
    assert not engine._enum_columns(BY_NAME["students"]) & {"school_id", "student_key"}
    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    path = raw / "students.csv"
    enc = "utf-8-sig" if path.read_bytes().startswith(b"\xef\xbb\xbf") else "utf-8"
    lines = path.read_text(encoding=enc).split("\n")
    cells = lines[4].split(",")
    cells[6] = '"大学"'  # physical line 5: 学段 not allowed
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines), encoding=enc)
    res = build(raw, tmp_path / "x.duckdb", key=TEST_KEY)
    with duckdb.connect(str(res.db_path), read_only=True) as con:

        def types(table: str) -> dict[str, str]:
            return {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}

        stored = types("raw._training_sessions")["session_type"]
        assert stored.startswith("ENUM(") and "'网络研修'" in stored
        assert types("raw._students")["level"].startswith("ENUM(")
        assert types("stg.training_sessions")["session_type"] == "VARCHAR"
        assert types("stg.students")["level"] == "VARCHAR"
        shown = {r[0] for r in con.execute("SELECT DISTINCT level FROM stg.students").fetchall()}
        assert "小学" in shown and shown <= set(BY_NAME["students"].column("level").values)
        got = con.execute(
            "SELECT r._status, r.level, t.level, q.rule, q.value FROM raw.students r "
            "JOIN raw._students t ON t._line = r._line "
            "JOIN meta.quarantine q ON q.source = 'students' AND q.line = r._line "
            "WHERE r._line = 5 AND q.column_name = '学段'"
        ).fetchall()
    assert got == [("quarantined", "大学", None, "allowed_values", "大学")]


def test_sessions_and_assessments_carry_the_teachers_pseudonyms_found_or_not(small):
    """Training sessions and micro-ability assessments take their teachers' pseudonyms from the
    pairs the teachers' load kept for the build, and hash the ID numbers the teachers do not
    hold: either way a row's teacher_key is the keyed hash of its ID number."""
    import csv
    import hmac

    from etl import engine
    from etl.reader import detect_encoding

    checked = {True: 0, False: 0}  # the teacher found in the teachers' export, or not
    with small.con() as con:
        teachers = {r[0] for r in con.execute("SELECT teacher_key FROM raw._teachers").fetchall()}
        for source in ("training_sessions", "micro_assessments"):
            # raw tables number a row's file in name order; the raw view shows its name
            names = [f.name for f in engine.find_files(small.raw, BY_NAME[source])]
            stored = {
                (names[f], line): k
                for f, line, k in con.execute(
                    f"SELECT _file_no, _line, teacher_key FROM raw._{source}"
                ).fetchall()
            }
            for path in sorted(small.raw.glob(f"{source}*.csv")):
                lines = path.read_text(encoding=detect_encoding(path)).split("\n")
                for number, text in enumerate(lines[1:], start=2):
                    cells = next(csv.reader([text]), [])
                    if len(cells) < 2 or not re.fullmatch(r"[0-9]{17}[0-9X]", cells[1]):
                        continue
                    key = stored.get((path.name, number))
                    assert key is not None, (path.name, number)
                    expected = hmac.new(TEST_KEY, cells[1].encode(), hashlib.sha256).hexdigest()
                    assert key == expected[:16], (path.name, number)
                    checked[key in teachers] += 1
    assert checked[True] > 1000 and checked[False] > 10, checked


def test_the_teachers_pairs_leave_memory_before_the_teacher_marts(small, tmp_path, monkeypatch):
    """The clear ID numbers kept for the build are dropped as soon as the last source that
    looks them up is loaded, before any mart reading those sources runs."""
    from etl import engine

    _heavy_lane_of_three(monkeypatch, small.raw)
    seen: dict[str, int] = {}
    real_mart = engine.run_mart

    def running(con, mart):
        seen[mart.name] = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = $d", {"d": engine.SCRATCH}
        ).fetchone()[0]
        real_mart(con, mart)

    monkeypatch.setattr(engine, "run_mart", running)
    build(small.raw, tmp_path / "scratch.duckdb", key=TEST_KEY)
    assert seen["50_teacher_1_status"] == 0
    assert set(seen) == {m.name for m in engine.mart_plan()}


def test_land_gives_dictionaries_to_columns_of_few_values_only():
    """Land writes dictionary pages for codes, yes/no, dates, numbers, references and text
    declared to repeat; never for identifiers, personal values, names or times."""
    from etl import engine

    few = set(engine._land_parquet(BY_NAME["training_sessions"])["use_dictionary"])
    assert {"session_type", "activity", "point_code", "school_id", "terminal"} <= few
    assert not few & {"record_id", "id_number", "device_id", "start_time", "end_time"}
    few = set(engine._land_parquet(BY_NAME["students"])["use_dictionary"])
    assert {"gender", "level", "grade", "is_migrant", "school_id"} <= few
    assert "name" in few  # land holds a name's presence only (_name_presence)
    assert not few & {"xueji", "id_number", "birth_date"}


def test_names_go_no_further_than_the_reader(small, tmp_path):
    """Land keeps of a name only whether it is there (or the summary word it is): a blank name
    is still rejected, a 合计 in the name column still marks a summary row, and no name's text
    reaches the work folder."""
    import pyarrow.parquet as pq

    from etl import engine

    raw = tmp_path / "raw"
    shutil.copytree(small.raw, raw)
    path = raw / "students.csv"
    enc = "utf-8-sig" if path.read_bytes().startswith(b"\xef\xbb\xbf") else "utf-8"
    lines = path.read_text(encoding=enc).split("\n")
    names = [row.split(",")[1].strip('"') for row in lines[1:] if row.count(",") > 5]
    cells = lines[4].split(",")
    cells[1] = '"  "'  # physical line 5: a blank name
    lines[4] = ",".join(cells)
    cells = lines[7].split(",")
    cells[1] = '"合计"'  # physical line 8: a total row, marked in the name column
    lines[7] = ",".join(cells)
    path.write_text("\n".join(lines), encoding=enc)

    landed = engine.land_source(raw, BY_NAME["students"], tmp_path / "work")
    kept = set(pq.read_table(landed.parts[0], columns=["name"]).column("name").to_pylist())
    assert kept == {"*", None, "合计"}
    text = b"".join(Path(p).read_bytes() for p in landed.parts)
    assert not [n for n in names[:200] if n and n.encode() in text]

    res = build(raw, tmp_path / "x.duckdb", key=TEST_KEY)
    with duckdb.connect(str(res.db_path), read_only=True) as con:
        got = con.execute(
            "SELECT line, column_name, rule FROM meta.quarantine "
            "WHERE source = 'students' AND line IN (5, 8) ORDER BY 1"
        ).fetchall()
    assert (5, "姓名", "required") in got
    assert (8, "学籍号", "summary_row") in got


def test_a_build_removes_what_killed_builds_left_but_not_what_running_ones_use(small, tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                              capture_output=True, text=True)  # fmt: skip
    dead = int(finished.stdout)  # a process that no longer runs
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        db = tmp_path / "live.duckdb"
        land = tmp_path / f".live.duckdb.land-{dead}" / "students"
        land.mkdir(parents=True)
        (land / "0000.parquet").write_bytes(b"clear identifiers")  # what a killed build leaves
        (tmp_path / f".live.duckdb.building-{dead}").write_bytes(b"half a database")
        (tmp_path / f".live.duckdb.building-{dead}.wal").write_bytes(b"wal")
        (tmp_path / f".live.duckdb.spill-{dead}").mkdir()
        busy = tmp_path / f".live.duckdb.land-{running.pid}"  # another build, still running
        busy.mkdir()
        other = tmp_path / f".other.duckdb.land-{dead}"  # another database's: not ours to touch
        other.mkdir()
        res = build(small.raw, db, key=TEST_KEY)
        assert sorted(res.swept) == sorted([f".live.duckdb.land-{dead}", f".live.duckdb.building-{dead}",
                                            f".live.duckdb.building-{dead}.wal", f".live.duckdb.spill-{dead}"])  # fmt: skip
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [busy.name, other.name, "live.duckdb"]
        )
    finally:
        running.kill()
        running.wait()


def test_a_build_stopped_with_sigterm_cleans_up_and_keeps_the_old_database(small, tmp_path):
    db = tmp_path / "live.duckdb"
    shutil.copy(small.db, db)
    before = _digest(db)
    env = {**os.environ, "EDUSIGHT_PSEUDO_KEY": TEST_KEY.decode()}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "build", "--raw", str(small.raw), "--db", str(db)],
                            env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    land = tmp_path / f".live.duckdb.land-{proc.pid}"
    deadline = time.monotonic() + 120
    while not (land.is_dir() and any(land.iterdir())):  # the exports are being landed
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the build never started landing"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=120)
    err = proc.stderr.read()
    assert rc == 143, err[-3000:]
    assert "build stopped; the previous database (if any) is unchanged" in err
    assert [p.name for p in tmp_path.iterdir()] == ["live.duckdb"]  # no land, spill or half a file
    assert _digest(db) == before

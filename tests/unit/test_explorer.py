"""The SQL explorer's sandbox (edusight/explorer.py) and small-cell suppression (privacy.py).

A tiny database built here holds mart tables of every scope rule plus raw/stg/meta tables
and a file next to it, so that each escape attempt has something real to reach for.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from edusight import audit, db, explorer, privacy
from edusight.explorer import ExplorerError, Scope

JJ, QY = "510104", "510105"  # 锦江区, 青羊区
EVERY = Scope(units=(JJ, QY), every_unit=True, city_tables=True)
JINJIANG = Scope(units=(JJ,), every_unit=False, city_tables=False)  # a district user
LEADER_JJ = Scope(units=(JJ,), every_unit=False, city_tables=True)  # leadership, sidebar = 锦江
NOBODY = Scope(units=(), every_unit=False, city_tables=False)


@pytest.fixture(scope="module")
def marts_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explorer") / "edusight.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE SCHEMA marts; CREATE SCHEMA stg; CREATE SCHEMA raw; CREATE SCHEMA meta;
        CREATE TABLE marts.schools AS SELECT * FROM (VALUES
            ('5101040001', '锦江实验小学', '510104', 320, 20),
            ('5101040002', '=HYPERLINK("x")', '510104', 3, 1),
            ('5101050001', '青羊小学', '510105', 410, 30)
        ) AS t(school_id, school_name, unit_code, student_count, teacher_count);
        CREATE TABLE marts.school_levels AS SELECT * FROM (VALUES
            ('5101040001', '小学', 320, 2),
            ('5101040002', '小学', 3, 0),
            ('5101050001', '小学', 410, 7)
        ) AS t(school_id, level, student_count, left_behind_count);
        CREATE TABLE marts.units AS SELECT * FROM (VALUES
            ('510104', '锦江区'), ('510105', '青羊区'), (NULL, '（全市）')
        ) AS t(unit_code, name_zh);
        CREATE TABLE marts.periods AS SELECT * FROM (VALUES ('2021Q4', true)) AS t(period, is_latest);
        CREATE TABLE marts.city_summary AS SELECT 'bandwidth' AS metric, 100 AS value_mbps;
        CREATE TABLE marts.teacher_training AS SELECT * FROM (VALUES
            ('k1', '5101040001', 12.0), ('k2', '5101040001', 30.0), ('k3', '5101050001', 8.0)
        ) AS t(teacher_key, school_id, hours);
        CREATE TABLE stg.students AS SELECT 'secret' AS student_key, '510105' AS unit_code;
        CREATE TABLE raw.students AS SELECT 'raw secret' AS v;
        CREATE TABLE meta.build_info AS SELECT 'k' AS key, 'v' AS value;
        COMMENT ON TABLE marts.city_summary IS 'city-wide figures';
    """)
    con.close()
    (path.parent / "secret.csv").write_text("password\nhunter2\n")
    return path


@pytest.fixture
def tiny(marts_db, monkeypatch, tmp_path):
    monkeypatch.setenv("EDUSIGHT_DB", str(marts_db))
    monkeypatch.setenv("EDUSIGHT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    yield marts_db
    db.close_all()


def run(sql: str, scope: Scope = JINJIANG, **kw) -> pd.DataFrame:
    return explorer.run(sql, scope, **kw).df


# --- the catalogue and the scope rules ---------------------------------------------------------


def test_scope_rule_per_table(tiny):
    rules = {n: t.rule for n, t in explorer.catalogue().items()}
    assert rules == {
        "schools": "unit",
        "units": "unit",
        "school_levels": "school",
        "teacher_training": "school",
        "periods": "public",
        "city_summary": "city",
    }
    assert explorer.catalogue()["city_summary"].comment == "city-wide figures"


def test_visible_tables_per_scope(tiny):
    cat = explorer.catalogue()
    assert "city_summary" not in explorer.visible(cat, JINJIANG)
    assert "city_summary" in explorer.visible(cat, LEADER_JJ)
    assert "city_summary" in explorer.visible(cat, EVERY)
    assert explorer.visible(cat, NOBODY) == {}


def test_a_unit_user_sees_only_their_unit(tiny):
    assert set(run("SELECT unit_code FROM marts.schools")["unit_code"]) == {JJ}
    assert set(run("SELECT unit_code FROM schools")["unit_code"]) == {JJ}  # unqualified
    assert set(run("SELECT unit_code FROM marts.units")["unit_code"]) == {JJ}
    ids = set(run("SELECT school_id FROM marts.school_levels")["school_id"])
    assert ids == {"5101040001", "5101040002"}  # via the school's unit
    assert len(run("SELECT * FROM marts.teacher_training")) == 2
    assert len(run("SELECT * FROM marts.periods")) == 1  # public
    with pytest.raises(ExplorerError) as err:
        run("SELECT * FROM marts.city_summary")  # no unit column: city-wide viewers only
    assert err.value.code == "table"


def test_every_unit_gets_whole_tables_including_rows_without_a_unit(tiny):
    assert len(run("SELECT * FROM marts.units", EVERY)) == 3
    assert len(run("SELECT * FROM marts.city_summary", EVERY)) == 1
    # a leader who narrowed the sidebar to one unit: filtered rows, city tables still there
    assert len(run("SELECT * FROM marts.units", LEADER_JJ)) == 1
    assert len(run("SELECT * FROM marts.city_summary", LEADER_JJ)) == 1


def test_ctes_joins_and_subqueries_stay_in_scope(tiny):
    sql = """
        WITH s AS (SELECT * FROM marts.schools)
        SELECT s.unit_code, count(*) AS n
        FROM s JOIN marts.school_levels AS l USING (school_id)
        WHERE s.school_id IN (SELECT school_id FROM school_levels)
        GROUP BY ALL
    """
    assert run(sql).to_dict("records") == [{"unit_code": JJ, "n": 2}]


# --- escape attempts: refused before anything runs ---------------------------------------------

REFUSED = {
    # other schemas and catalogues
    "SELECT * FROM stg.students": "table",
    "SELECT * FROM raw.students": "table",
    "SELECT * FROM meta.build_info": "table",
    "SELECT * FROM main.schools": "table",
    "SELECT * FROM memory.marts.schools": "table",
    "SELECT * FROM edusight.marts.schools": "table",
    "SELECT * FROM system.main.duckdb_tables": "table",
    "SELECT * FROM information_schema.tables": "table",
    "SELECT * FROM marts.nope": "table",
    "SELECT (SELECT count(*) FROM stg.students) AS n": "table",
    "SELECT * FROM marts.schools WHERE unit_code IN (SELECT unit_code FROM stg.students)": "table",
    # files, dynamic SQL, system tables through table functions
    "SELECT * FROM read_csv('secret.csv')": "function",
    "SELECT * FROM read_csv_auto('/etc/passwd')": "function",
    "SELECT * FROM read_text('/etc/passwd')": "function",
    "SELECT * FROM read_parquet('x.parquet')": "function",
    "SELECT * FROM glob('/*')": "function",
    "SELECT * FROM query('SELECT * FROM stg.students')": "function",
    "SELECT * FROM query_table('stg.students')": "function",
    "SELECT * FROM duckdb_tables()": "function",
    "SELECT * FROM duckdb_settings()": "function",
    "SELECT * FROM pragma_database_list()": "function",
    "SELECT * FROM 'secret.csv'": "table",
    # not a SELECT
    "ATTACH 'x.duckdb' AS x": "not_select",
    "COPY marts.schools TO 'out.csv'": "not_select",
    "EXPORT DATABASE 'out'": "not_select",
    "SET enable_external_access = true": "not_select",
    "RESET lock_configuration": "not_select",
    "PRAGMA database_list": "not_select",
    "CALL pragma_version()": "not_select",
    "INSTALL httpfs": "not_select",
    "LOAD parquet": "not_select",
    "CREATE TABLE marts.x AS SELECT 1": "not_select",
    "CREATE MACRO m() AS 1": "not_select",
    "INSERT INTO marts.schools VALUES ('1', 'x', '510105', 1, 1)": "not_select",
    "UPDATE marts.schools SET unit_code = '510104'": "not_select",
    "DELETE FROM marts.schools": "not_select",
    "DROP TABLE marts.schools": "not_select",
    "DETACH memory": "not_select",
    "USE system": "not_select",
    "CHECKPOINT": "not_select",
    "EXPLAIN SELECT 1": "not_select",
    "DESCRIBE marts.schools": "not_select",
    "SHOW TABLES": "not_select",
    "SUMMARIZE marts.schools": "not_select",
    "PIVOT marts.schools ON unit_code USING count(*)": "not_select",
    # more than one statement, or none
    "SELECT 1; SELECT 2": "one_statement",
    "SELECT 1; ATTACH 'x' AS y": "one_statement",
    "": "empty",
    "   -- just a comment": "one_statement",
    "SELEC 1": "syntax",
}


@pytest.mark.parametrize("sql, code", list(REFUSED.items()), ids=list(REFUSED))
def test_escape_attempts_are_refused(tiny, sql, code):
    with pytest.raises(ExplorerError) as err:
        explorer.run(sql, JINJIANG)
    assert err.value.code == code


def test_too_long_and_harmless_forms_are_accepted(tiny):
    with pytest.raises(ExplorerError, match="too_long"):
        run("SELECT '" + "x" * explorer.MAX_SQL_CHARS + "'")
    assert run("SELECT 1 AS one;  -- done\n").to_dict("records") == [{"one": 1}]
    assert run("FROM marts.schools SELECT count(*) AS n")["n"].iat[0] == 2
    assert len(run("SELECT * FROM range(3)")) == 3
    assert len(run("VALUES (1), (2)")) == 2
    assert run("WITH schools AS (SELECT 42 AS x) SELECT * FROM schools")["x"].iat[0] == 42


# --- the sandbox holds nothing else, even if the check were bypassed ---------------------------


@pytest.fixture
def no_check(monkeypatch):
    """Pretend the parser check let everything through (it reads every visible table)."""
    real = explorer.check

    def lenient(sql, allowed):
        checked = real("SELECT 1", allowed)
        return explorer.Checked(query=sql, tables=frozenset(allowed), tree=checked.tree)

    monkeypatch.setattr(explorer, "check", lenient)


@pytest.mark.usefixtures("no_check")
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM stg.students",
        "SELECT * FROM raw.students",
        "SELECT * FROM read_csv('{dir}/secret.csv')",
        "SELECT * FROM read_text('{dir}/secret.csv')",
        "SELECT * FROM glob('{dir}/*')",
        "SELECT * FROM query('ATTACH ''{db}'' AS x')",
    ],
)
def test_the_sandbox_cannot_reach_other_tables_or_files(tiny, sql):
    sql = sql.format(dir=tiny.parent, db=tiny)
    with pytest.raises(ExplorerError) as err:
        run(sql)
    assert err.value.code == "sql"


@pytest.mark.usefixtures("no_check")
def test_the_sandbox_holds_only_scoped_copies(tiny):
    rows = run("SELECT * FROM query('SELECT unit_code FROM marts.schools')")
    assert set(rows["unit_code"]) == {JJ}
    tables = run("SELECT database_name, schema_name, table_name FROM duckdb_tables()")
    assert set(tables["database_name"]) == {"memory"}
    assert "city_summary" not in set(tables["table_name"])
    assert set(run("SELECT database_name FROM duckdb_databases()")["database_name"]) <= {
        "memory",
        "system",
        "temp",
    }


def test_the_sandbox_is_locked():
    con = explorer._sandbox({})
    try:
        for statement in (
            "SET enable_external_access = true",
            "RESET enable_external_access",
            "SET lock_configuration = false",
            "SET python_enable_replacements = true",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('enable_external_access', 'lock_configuration', 'python_enable_replacements')"
            ).fetchall()
        )
        assert settings == {
            "enable_external_access": "false",
            "lock_configuration": "true",
            "python_enable_replacements": "false",
        }
        secret = pd.DataFrame({"x": [1]})  # noqa: F841 - a replacement scan would find it
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM secret")
    finally:
        con.close()


# --- limits ------------------------------------------------------------------------------------


def test_row_limit(tiny):
    result = explorer.run("SELECT * FROM range(100)", JINJIANG, limit=10)
    assert len(result.df) == 10 and result.truncated
    result = explorer.run("SELECT * FROM range(10)", JINJIANG, limit=10)
    assert len(result.df) == 10 and not result.truncated


def test_order_survives_the_row_limit(tiny):
    df = run("SELECT range AS i FROM range(5) ORDER BY i DESC", limit=3)
    assert df["i"].tolist() == [4, 3, 2]


def test_time_limit_interrupts_a_runaway_query(tiny):
    started = time.perf_counter()
    with pytest.raises(ExplorerError) as err:
        explorer.run("SELECT count(*) FROM range(1000000000000)", JINJIANG, timeout=0.5)
    assert err.value.code == "timeout"
    assert time.perf_counter() - started < 10


def test_sql_errors_are_reported_not_raised(tiny):
    with pytest.raises(ExplorerError) as err:
        run("SELECT no_such_column FROM marts.schools")
    assert err.value.code == "sql" and "no_such_column" in err.value.detail


# --- small-cell suppression of results ---------------------------------------------------------


def test_person_counts_below_five_are_masked(tiny):
    result = explorer.run(
        "SELECT school_id, student_count, teacher_count FROM marts.schools ORDER BY 1", JINJIANG
    )
    assert result.df["student_count"].tolist() == [320, "<5"]
    assert result.df["teacher_count"].tolist() == [20, "<5"]
    assert result.suppressed == ["student_count", "teacher_count"]


def test_masking_follows_aliases_ctes_and_expressions(tiny):
    sql = """
        WITH a AS (SELECT school_id, left_behind_count AS lb FROM marts.school_levels)
        SELECT school_id, lb AS kids, lb * 1.0 AS kids_again, sum(lb) OVER () AS total
        FROM a ORDER BY school_id
    """
    result = explorer.run(sql, JINJIANG)
    assert result.df["kids"].tolist() == ["<5", 0]
    assert result.df["kids_again"].tolist() == ["<5", 0.0]
    assert result.df["total"].tolist() == ["<5", "<5"]
    unaliased = explorer.run("SELECT sum(student_count) FROM marts.school_levels", JINJIANG)
    assert unaliased.suppressed == ["sum(student_count)"]


def test_rates_and_counts_of_things_are_not_masked(tiny):
    result = explorer.run(
        "SELECT count(*) AS school_count, sum(student_count) / sum(teacher_count) AS ratio "
        "FROM marts.schools",
        JINJIANG,
    )
    assert result.suppressed == []
    assert result.df["school_count"].iat[0] == 2


def test_counting_rows_of_individual_people_is_masked(tiny):
    result = explorer.run(
        "SELECT school_id, count(*) AS trained FROM marts.teacher_training GROUP BY ALL", EVERY
    )
    assert set(result.df["trained"]) == {"<5"}


def test_suppression_helpers():
    assert privacy.person_count_columns(
        [
            "student_count",
            "students_count",
            "teachers_count",
            "left_behind_count",
            "migrant_count",
            "school_count",
            "row_count",
            "covered_count",
            "student_share_pct",
        ]
    ) == ["student_count", "students_count", "teachers_count", "left_behind_count", "migrant_count"]
    df = pd.DataFrame({"u": ["a", "b", "c", "d"], "n": [0, 4, 5, 12345]})
    assert privacy.suppressed_text(df, ["n"])["n"].tolist() == ["0", "<5", "5", "12,345"]
    assert privacy.suppressed_text(df.head(0), ["n"]).empty


# --- audit and examples ------------------------------------------------------------------------


def test_every_query_is_audited(tiny):
    explorer.execute("SELECT count(*) FROM marts.schools", JINJIANG)
    with pytest.raises(ExplorerError):
        explorer.execute("SELECT * FROM stg.students", JINJIANG)
    with pytest.raises(ExplorerError):
        explorer.execute("SELECT nope FROM marts.schools", JINJIANG)
    entries = [e for e in audit.read() if e["event"] == "explorer_query"]
    assert [(e["status"], e["scope"]) for e in entries] == [
        ("ok", JJ),
        ("refused", JJ),
        ("sql", JJ),
    ]
    assert entries[0]["sql"] == "SELECT count(*) FROM marts.schools" and entries[0]["rows"] == 1
    assert entries[1]["reason"] == "table"


def test_copy_sql_binds_the_scope_never_formats_it():
    table = explorer.MartTable('we"ird', "unit", (("unit_code", "VARCHAR", ""),), "", 0)
    sql = explorer.copy_sql(table, JINJIANG)
    assert sql == 'SELECT * FROM marts."we""ird" WHERE list_contains($scope, unit_code)'
    assert JJ not in sql
    assert explorer.copy_sql(table, EVERY) == 'SELECT * FROM marts."we""ird"'

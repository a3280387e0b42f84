"""The query layer: named SQL files, bound parameters, scope, caching by file version, errors.

Runs outside Streamlit (plain calls) on the tiny fixture database of tests/fixture_db.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from edusight import db, queries
from edusight.queries import DatabaseUnavailable, run, scalar, sql_params

ALL_FILTERS = {"source": None, "rule": None, "file": None, "unit": None, "limit": 10_000}


@pytest.fixture
def fx(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture database, set as EDUSIGHT_DB."""
    path = tmp_path / "edusight.duckdb"
    shutil.copy(fixture_db, path)
    monkeypatch.setenv("EDUSIGHT_DB", str(path))
    yield path
    db.close_all()


# --- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", queries.query_names())
def test_every_query_file_references_scope(name):
    assert "scope" in sql_params(queries.load_sql(name)), f"queries/{name}.sql lacks $scope"


@pytest.mark.parametrize("name", queries.query_names())
def test_query_files_are_lower_snake_case_and_have_a_comment(name):
    assert queries.query_path(name).name == f"{name}.sql"
    assert queries.load_sql(name).lstrip().startswith("--"), f"{name}: say what it returns"


def test_sql_params_ignores_comments_and_strings():
    sql = "SELECT '$not' AS a, $x -- $comment\n/* $block */ FROM t WHERE u = $scope AND v = $x"
    assert sql_params(sql) == {"x", "scope"}


def test_bad_query_names_are_refused():
    for bad in ("../etc/passwd", "Meta", "a.b", ""):
        with pytest.raises(ValueError):
            queries.query_path(bad)
    with pytest.raises(FileNotFoundError):
        run("no_such_query", ("510104",))


# --- run ------------------------------------------------------------------------------------------


def test_run_binds_only_the_parameters_the_file_uses(fx):
    df = run("meta_load_report", queries.all_units(), period="2021Q4", unused=1)
    assert len(df) == 5


def test_run_names_missing_parameters(fx):
    with pytest.raises(TypeError, match="limit"):
        run("meta_quarantine", queries.all_units(), source=None, rule=None, file=None, unit=None)


def test_scope_must_be_a_sequence_of_codes(fx):
    with pytest.raises(TypeError):
        run("meta_load_report", "510104")
    with pytest.raises(TypeError):
        run("meta_load_report", (510104,))


def test_a_file_without_scope_is_refused(fx, tmp_path, monkeypatch):
    qdir = tmp_path / "queries"
    qdir.mkdir()
    (qdir / "unscoped.sql").write_text("-- no scope\nSELECT 1 AS x\n")
    monkeypatch.setattr(queries, "QUERIES_DIR", qdir)
    with pytest.raises(ValueError, match=r"\$scope"):
        run("unscoped", ("510104",))


def test_values_are_bound_not_formatted(fx):
    evil = "x' OR 1=1 --"
    df = run("meta_quarantine", queries.all_units(), **{**ALL_FILTERS, "source": evil})
    assert df.empty


def test_scalar_returns_a_plain_value(fx):
    n = scalar("meta_base_db_counts_by_unit", ("510104",))
    assert n == "510104"
    assert scalar("meta_quarantine", (), **ALL_FILTERS) is None


def test_works_outside_streamlit_and_scope_is_city_wide(fx):
    units = queries.all_units()
    assert len(units) == 23
    assert units[:2] == ("510104", "510105")
    assert units[-3:] == ("Z5101DB", "Z5101GX", "Z5101TF")  # zones last
    assert queries.viewer_scope() == units
    assert queries.unit_names("en")["510104"] == "Jinjiang"
    assert queries.unit_names("zh")["Z5101TF"] == "四川天府新区(成都直管区)"


# --- scope rules ------------------------------------------------------------------------------------


def test_quarantine_rows_without_unit_are_city_wide_only(fx):
    units = queries.all_units()
    city = run("meta_quarantine", units, **ALL_FILTERS)
    assert city["unit_code"].isna().any()
    assert int(city["total_count"].iat[0]) == len(city)
    some = units[:5]
    part = run("meta_quarantine", some, **ALL_FILTERS)
    assert not part["unit_code"].isna().any()
    assert set(part["unit_code"]) <= set(some)
    expected = city[city["unit_code"].isin(some)]
    assert len(part) == len(expected)
    assert run("meta_quarantine", (), **ALL_FILTERS).empty


def test_quarantine_filters(fx):
    units = queries.all_units()
    city = run("meta_quarantine", units, **ALL_FILTERS)
    for column, param in (("source", "source"), ("rule", "rule"), ("file", "file")):
        value = city[column].iat[0]
        df = run("meta_quarantine", units, **{**ALL_FILTERS, param: value})
        assert len(df) == (city[column] == value).sum()
    no_unit = run("meta_quarantine", units, **{**ALL_FILTERS, "unit": ""})
    assert len(no_unit) == city["unit_code"].isna().sum() and no_unit["unit_code"].isna().all()
    limited = run("meta_quarantine", units, **{**ALL_FILTERS, "limit": 3})
    assert len(limited) == 3 and int(limited["total_count"].iat[0]) == len(city)


def test_facets_agree_with_the_browser(fx):
    for scope in (queries.all_units(), ("510104", "510105")):
        facets = run("meta_quarantine_facets", scope)
        rows = run("meta_quarantine", scope, **ALL_FILTERS)
        assert facets["issue_count"].sum() == len(rows)
        assert ("" in set(facets["unit_code"])) == (scope == queries.all_units())


def test_base_db_counts_always_four_rows_and_add_up(fx):
    units = queries.all_units()
    bases = run("meta_base_db_counts", units)
    assert list(bases["base"]) == ["students", "teachers", "schools", "equipment"]
    by_unit = run("meta_base_db_counts_by_unit", units)
    assert len(by_unit) == 23
    assert bases.set_index("base").loc["students", "row_count"] == by_unit["students_count"].sum()
    one = run("meta_base_db_counts", ("510104",))
    assert (one["unit_count"] == 1).all()
    none = run("meta_base_db_counts", ())
    assert list(none["row_count"]) == [0, 0, 0, 0]


def test_load_report_rates(fx):
    rates = run("meta_quarantine_rate_by_source", queries.all_units())
    assert list(rates["quarantine_rate_pct"]) == sorted(rates["quarantine_rate_pct"], reverse=True)
    teachers = rates.set_index("source").loc["teachers"]
    assert teachers["quarantine_rate_pct"] == round(
        100 * teachers["rows_quarantined"] / teachers["rows_read"], 2
    )
    assert run("meta_load_report", ()).empty


def test_shell_queries(fx):
    units = queries.all_units()
    info = run("meta_build_info", units)
    assert info.loc[0, "as_of"] == "2021-12-31"
    periods = run("meta_periods", units)["period"].tolist()
    assert periods == sorted(periods) and periods[-1] == "2021Q4"
    flags = run("meta_units", ("510104",))
    assert flags["is_in_scope"].sum() == 1 and len(flags) == 23


# --- the file behind it ----------------------------------------------------------------------------


def test_a_swapped_in_database_is_read_afresh(fx, tmp_path):
    from tests.fixture_db import make_fixture_db

    units = queries.all_units()
    before = run("meta_base_db_counts", units)["row_count"].tolist()
    version = queries.db_version()
    new = make_fixture_db(tmp_path / "new.duckdb", seed=99)
    os.replace(new, fx)  # what the ETL does
    assert queries.db_version() != version
    after = run("meta_base_db_counts", units)["row_count"].tolist()
    assert after != before
    with duckdb.connect(str(fx), read_only=True) as con:
        direct = con.execute(
            "SELECT sum(row_count) FROM marts.base_db_counts WHERE base = 'students'"
        ).fetchone()[0]
    assert after[0] == direct


def test_missing_database(monkeypatch, tmp_path):
    monkeypatch.setenv("EDUSIGHT_DB", str(tmp_path / "absent.duckdb"))
    with pytest.raises(DatabaseUnavailable) as err:
        run("meta_load_report", ("510104",))
    assert err.value.reason == "missing"
    assert "make run" in str(err.value) and "python -m etl build" in str(err.value)


def test_corrupt_database(monkeypatch, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("EDUSIGHT_DB", str(bad))
    with pytest.raises(DatabaseUnavailable) as err:
        run("meta_load_report", ("510104",))
    assert err.value.reason == "corrupt"


def test_incomplete_database(monkeypatch, tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("EDUSIGHT_DB", str(empty))
    with pytest.raises(DatabaseUnavailable) as err:
        run("meta_load_report", ("510104",))
    assert err.value.reason == "incomplete"
    db.close_all()


def test_database_locked_by_a_writer(fixture_db, monkeypatch, tmp_path):
    path = tmp_path / "locked.duckdb"
    shutil.copy(fixture_db, path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("EDUSIGHT_DB", str(path))
        with pytest.raises(DatabaseUnavailable) as err:
            run("meta_load_report", ("510104",))
        assert err.value.reason == "locked"
    finally:
        holder.communicate("", timeout=30)
    assert len(run("meta_load_report", ("510104",))) == 5  # readable once the writer is gone
    db.close_all()


def test_db_key_names_the_file_and_changes_when_it_is_swapped(fx, tmp_path):
    from tests.fixture_db import make_fixture_db

    key = queries.db_key()
    assert key[0] == str(fx) and key[1:] == queries.db_version()
    os.replace(make_fixture_db(tmp_path / "new.duckdb", seed=99), fx)
    assert queries.db_key() != key


def test_cache_keys_tell_values_and_types_apart():
    key = queries._query_key
    base = ("db", (1, 2), "q", "SELECT 1", ("510104",), (("limit", 1),))
    assert key(*base) == key(*base)
    assert key(*base[:5], (("limit", "1"),)) != key(*base)  # 1 vs "1"
    assert key(*base[:5], (("limit", 1.0),)) != key(*base)
    assert key(*base[:5], (("limit", True),)) != key(*base)
    assert key(*base[:4], ("510105",), base[5]) != key(*base)  # another scope
    assert key(*base[:4], ("510104", "510105"), base[5]) != key(*base)
    assert key("db", (1, 3), *base[2:]) != key(*base)  # another version of the file


def test_an_edited_query_file_is_read_again(fx, tmp_path, monkeypatch):
    qdir = tmp_path / "queries"
    qdir.mkdir()
    f = qdir / "answer.sql"
    f.write_text("-- the answer\nSELECT 41 AS x WHERE len($scope) >= 0\n")
    monkeypatch.setattr(queries, "QUERIES_DIR", qdir)
    assert scalar("answer", ()) == 41
    f.write_text("-- the answer, corrected\nSELECT 42 AS x WHERE len($scope) >= 0\n")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    assert scalar("answer", ()) == 42

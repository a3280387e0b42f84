"""Every dashboard query runs on the database the real ETL builds, city-wide and for one unit.

A query with a parameter other than $scope needs an example value in EXAMPLES.
"""

from __future__ import annotations

import datetime as dt

import pytest

from edusight import db, queries
from etl.feed.landing import empty_events_file

EXAMPLES: dict[str, object] = {
    # exam command: the live queries read landing files (here one with the schema and no rows)
    "exam": "gaokao",
    "session": "GK-1A",
    "site": "GK22-510104-01",
    "day_start": dt.datetime(2022, 6, 7),
    "day_end": dt.datetime(2022, 6, 8),
    "device_cutoff": dt.datetime(2022, 6, 7, 9),
    "landing_files": [str(empty_events_file())],
    "source": None,
    "standard": None,  # governance quarantine browser: a standard of plan item (十)
    "stg_source": "schools",  # governance_loaded_by_unit: a source name (stg table)
    "rule": None,
    "file": None,
    "unit": None,
    "limit": 100,
    "school": "2151000123",  # coverage / school profile: a 学校标识码 (may not exist)
    "text": "第一",  # school profile search
    "teacher": None,  # teachers_flag_sessions: a teacher_key (None = all flagged)
}


@pytest.fixture(scope="module")
def periods(built_db):
    return queries.run("meta_periods", queries.all_units())["period"].tolist()


@pytest.mark.parametrize("name", queries.query_names())
def test_query_runs_on_the_built_database(built_db, periods, name):
    needed = queries.sql_params(queries.load_sql(name)) - {"scope"}
    examples = {**EXAMPLES, "period": periods[-1] if periods else None}
    missing = needed - examples.keys()
    assert not missing, f"add example values for {sorted(missing)} to EXAMPLES in {__file__}"
    params = {k: examples[k] for k in needed}
    units = queries.all_units()
    city = queries.run(name, units, **params)
    one = queries.run(name, units[:1], **params)
    assert len(one) <= max(len(city), 23)
    db.close_all()


def test_the_shell_has_what_it_needs(built_db):
    units = queries.all_units()
    assert len(units) == 23
    info = queries.run("meta_build_info", units).iloc[0]
    assert info["built_at"], "meta.build_info has no built_at"
    assert queries.run("meta_periods", units)["period"].str.fullmatch(r"\d{4}Q[1-4]").all()
    bases = queries.run("meta_base_db_counts", units)
    assert (bases["row_count"] > 0).all(), "a base database is empty"

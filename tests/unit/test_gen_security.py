"""Cybersecurity-registry demo data: 等保 rules, date order, trends, quarantine, determinism.

Generates the base databases and the security domain at a small scale and builds them with the
real ETL (only those sources, so the test does not depend on other domains).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from edusight import config
from etl import engine
from etl import generate as gen
from etl.generate import core
from etl.generate import security as gen_security
from etl.sources import core as src_core
from etl.sources import security as src_security

SCALE = 0.05
SEED = 7
MINE = [s.name for s in src_security.SOURCES]
BY_NAME = {s.name: s for s in src_security.SOURCES}


def _generate(out: Path, seed: int = SEED, scale: float = SCALE):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gen, "MODULES", [core, gen_security])
        return gen.generate(out, scale=scale, seed=seed)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("security")
    ctx = _generate(base / "raw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "mart_plan", lambda *a, **k: [])  # marts read other domains
        mp.setattr(engine, "SOURCES", src_core.SOURCES + src_security.SOURCES)
        engine.build(base / "raw", base / "t.duckdb", key=b"test-key")
    con = duckdb.connect(str(base / "t.duckdb"), read_only=True)
    yield ctx, con
    con.close()


def _df(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_levels_by_kind(built):
    _, con = built
    s = _df(con, "SELECT * FROM stg.info_systems")
    assert set(s.admin_level) == {"市级", "区县级", "学校"}
    important = s[s.kind.isin(["招生考试", "学籍管理", "数据中心"]) & (s.admin_level != "学校")]
    assert len(important) > 10 and (important.level == 3).all()
    assert (s[(s.admin_level == "学校") & (s.kind == "门户网站")].level == 2).all()
    assert (s.level <= 4).all()
    assert (s[s.is_cii].level >= 3).all() and s.is_cii.sum() >= 1
    assert s[s.admin_level == "市级"].unit_code.isna().all()
    assert s[s.admin_level != "市级"].unit_code.notna().all()


def test_level3_test_intervals(built):
    ctx, con = built
    levels = pd.read_csv(config.reference_dir() / "dengbao_levels.csv").set_index("level")
    assert levels.loc[3, "test_interval_months"] == 12
    assert levels.loc[4, "test_interval_months"] == 6
    s = _df(con, "SELECT * FROM stg.info_systems")
    l3 = s[s.level == 3]
    tested = l3[l3.last_test_on.notna()]
    assert len(tested) >= 0.7 * len(l3)
    due = pd.to_datetime(tested.last_test_on) + pd.DateOffset(months=12)
    assert (pd.to_datetime(tested.next_test_due) == due).all()
    # levels without a required interval carry no due date
    assert s[s.level <= 2].next_test_due.isna().all()
    # a share of level-3 systems is overdue for its yearly test
    as_of = pd.Timestamp(ctx.as_of)
    overdue = (pd.to_datetime(tested.next_test_due) < as_of).mean()
    assert 0.03 <= overdue <= 0.5, overdue
    # stage follows the lifecycle
    assert (s[s.stage.isin(["测评", "监督检查"])].last_test_on.notna()).all()
    assert (s[s.stage == "定级"].filed_on.isna()).all()
    assert s[s.level == 1].filing_number.isna().all()
    filed = s[s.filing_number.notna()]
    assert (filed.filing_number.str.split("-").str[1].str[0].astype(int) == filed.level).all()


def test_dates_ordered(built):
    ctx, con = built
    as_of = pd.Timestamp(ctx.as_of)
    start = pd.Timestamp(ctx.start)
    s = _df(con, "SELECT * FROM stg.info_systems")
    g, f, t = (pd.to_datetime(s[c]) for c in ("graded_on", "filed_on", "last_test_on"))
    assert g.between(start, as_of).all()
    assert ((f >= g) | f.isna()).all() and (f.dropna() <= as_of).all()
    assert ((t >= f) | t.isna()).all() and (t.dropna() <= as_of).all()

    i = _df(con, "SELECT * FROM stg.security_incidents")
    found, notified, deadline, rect = (
        pd.to_datetime(i[c]) for c in ("found_on", "notified_on", "deadline", "rectified_on")
    )
    assert found.between(start, as_of).all()
    assert (notified >= found).all() and (deadline >= notified).all()
    assert ((rect >= notified) | rect.isna()).all() and (rect.dropna() <= as_of).all()
    assert ((i.status == "已整改") == rect.notna()).all()
    assert (deadline[i.status == "逾期"] < as_of).all()
    assert (deadline[i.status.isin(["待整改", "整改中"])] >= as_of).all()
    sev = pd.read_csv(config.reference_dir() / "incident_severities.csv").set_index("severity")
    assert ((deadline - notified).dt.days == i.severity.map(sev.rectify_days)).all()

    d = _df(con, "SELECT * FROM stg.security_drills")
    assert pd.to_datetime(d.drill_on).between(start, as_of).all()
    assert ((d.level == "校级") == d.school_id.notna()).all()

    a = _df(con, "SELECT * FROM stg.edu_apps")
    filed_on, cleaned = pd.to_datetime(a.filed_on), pd.to_datetime(a.cleaned_on)
    assert filed_on.between(pd.Timestamp("2020-01-01"), as_of).all()
    assert ((cleaned >= filed_on) | cleaned.isna()).all() and (cleaned.dropna() <= as_of).all()
    ok = a[a.status == "已备案"]
    assert ok.icp_number.notna().all() and ok.has_mlps_filing.all()
    assert a.provider_credit_code.str[:2].isin(["91", "12"]).all()
    assert (a.provider_credit_code.str[:2] == "91").mean() > 0.8


def test_trends(built):
    ctx, con = built
    by_year = dict(
        con.execute(
            "SELECT year(graded_on), count(*) FROM stg.info_systems GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    assert set(by_year) >= {2019, 2020, 2021}  # filings keep coming in over the period
    notices = dict(
        con.execute(
            "SELECT year(found_on), count(*) FROM stg.security_incidents GROUP BY 1"
        ).fetchall()
    )
    assert notices[2019] < notices[2020] < notices[2021]
    drills = dict(
        con.execute(
            "SELECT year(drill_on), count(*) FROM stg.security_drills WHERE level = '校级' GROUP BY 1"
        ).fetchall()
    )
    assert drills[2019] < drills[2021]
    city = con.execute(
        "SELECT count(DISTINCT year(drill_on)) FROM stg.security_drills WHERE level = '市级'"
    ).fetchone()[0]
    assert city == ctx.as_of.year - ctx.start.year + 1  # a city drill every year
    statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM stg.edu_apps").fetchall()}
    assert {"已备案", "已清理"} <= statuses


def test_quarantine_reconciles_with_manifest(built):
    ctx, con = built
    expected: dict[tuple[str, str], int] = {}
    for f in ctx.manifest["files"].values():
        if f["source"] in MINE:
            for rule, n in f["expected_quarantine"].items():
                if n:
                    expected[(f["source"], rule)] = expected.get((f["source"], rule), 0) + n
    got = {
        (s, r): n
        for s, r, n in con.execute(
            "SELECT source, rule, count(*) FROM meta.quarantine WHERE rule <> 'foreign_key' "
            "GROUP BY ALL"
        ).fetchall()
        if s in MINE
    }
    assert got == expected
    # foreign-key failures only where the parent row was itself quarantined (cascades)
    fks = con.execute(
        "SELECT source, column_name, value FROM meta.quarantine WHERE rule = 'foreign_key'"
    ).fetchall()
    for source, header, value in fks:
        if source not in MINE:
            continue
        col = next(c for c in BY_NAME[source].columns if c.header == header)
        parent, pcol = col.ref
        assert not parent.startswith("ref."), (source, header, value)
        n = con.execute(
            f"SELECT count(*) FROM raw.{parent} WHERE {pcol} = $v AND _status = 'quarantined'",
            {"v": value},
        ).fetchone()[0]
        assert n > 0, (source, header, value)


def _digest(folder: Path) -> dict[str, str]:
    """Content hash per file of mine (XLSX files carry a timestamp: hash their cells)."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.stem not in MINE:
            continue
        if p.suffix == ".xlsx":
            data = pd.read_excel(p, header=None, dtype=str).to_csv().encode()
        else:
            data = p.read_bytes()
        out[p.name] = hashlib.sha256(data).hexdigest()
    return out


def test_deterministic(tmp_path):
    a = _generate(tmp_path / "a", scale=0.02)
    b = _generate(tmp_path / "b", scale=0.02)
    c = _generate(tmp_path / "c", scale=0.02, seed=SEED + 1)
    da, db, dc = _digest(a.out), _digest(b.out), _digest(c.out)
    assert len(da) == len(MINE)
    assert da == db
    assert da != dc

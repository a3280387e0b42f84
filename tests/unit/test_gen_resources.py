"""Demo data of work item 十二 (etl/generate/resources.py) and the work-item list.

A small demo (core + resources + indicators generators, heavier dirt than the default) is built
once per module with the real engine into tmp_path; only the sources of these modules are loaded
(other domains are left out to keep the test fast).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import etl.generate as gen
from etl import engine
from etl.generate import core as gcore
from etl.generate import indicators as gind
from etl.generate import resources as gres
from etl.generate.common import Dirt
from etl.sources import BY_NAME
from etl.sources import core as score
from etl.sources import indicators as sind
from etl.sources import resources as sres

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "data" / "reference"
SCALE, SEED = 0.03, 11
DIRT = Dirt(fullwidth=0.01, spaces=0.01, alias=0.03, bad_check=0.003, unknown_unit=0.01,
            duplicates=0.01)  # fmt: skip
PLAN_CANDIDATES = [
    ROOT.parent / "shared" / "reference" / "2021-work-plan.txt",
    Path("/work/shared/reference/2021-work-plan.txt"),
]


def make_demo(base: Path, *, scale: float = SCALE, seed: int = SEED, build: bool = True):
    """Generate core + resources + indicators into base/raw and build base/t.duckdb."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gen, "MODULES", [gcore, gres, gind])
        mp.setattr(engine, "SOURCES", [*score.SOURCES, *sres.SOURCES, *sind.SOURCES])
        mp.setattr(engine, "mart_plan", lambda *a, **k: [])
        ctx = gen.generate(base / "raw", scale=scale, seed=seed, dirt=DIRT)
        if build:
            engine.build(base / "raw", base / "t.duckdb", key=b"test-key")
    return ctx


def reconcile(raw: Path, db: Path, names: list[str]) -> dict[str, tuple[dict, dict, int]]:
    """Per source: (expected rule counts, quarantined rule counts, FK failures not cascades)."""
    man = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for name in names:
            exp: dict[str, int] = {}
            for info in man["files"].values():
                if info["source"] == name:
                    for rule, k in info["expected_quarantine"].items():
                        if k:
                            exp[rule] = exp.get(rule, 0) + k
            # A repeat of a row that is invalid anyway (two rows given the same unknown unit
            # collide on a unit-keyed key) is counted under its own rule, not as duplicate_key.
            got = dict(
                con.execute(
                    "SELECT rule, count(*) FROM (SELECT file, line, list(rule) AS rules "
                    "FROM meta.quarantine WHERE source = ? AND rule <> 'foreign_key' "
                    "GROUP BY ALL), unnest(CASE WHEN len(rules) > 1 THEN list_filter(rules, "
                    "lambda r: r <> 'duplicate_key') ELSE rules END) AS u(rule) GROUP BY 1",
                    [name],
                ).fetchall()
            )
            # a foreign-key failure is a cascade when the parent row was itself quarantined
            fk = con.execute(
                "SELECT count(*) FROM meta.quarantine WHERE source = ? AND rule = 'foreign_key'",
                [name],
            ).fetchall()[0][0]
            cascades = 0
            for c in BY_NAME[name].columns:
                if c.ref and not c.ref[0].startswith("ref."):
                    parent, col = c.ref
                    cascades += con.execute(
                        f"SELECT count(*) FROM meta.quarantine WHERE source = ? AND rule = "
                        f"'foreign_key' AND column_name = ? AND value IN (SELECT \"{col}\" FROM "
                        f"raw.\"{parent}\" WHERE _status = 'quarantined')",
                        [name, c.header],
                    ).fetchall()[0][0]
            out[name] = (exp, got, fk - cascades)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("res")
    return make_demo(base), base


@pytest.fixture(scope="module")
def db(demo):
    con = duckdb.connect(str(demo[1] / "t.duckdb"), read_only=True)
    yield con
    con.close()


def q(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# --------------------------------------------------------------------------- work items


def test_work_items_are_the_plans_18():
    rows = list(csv.DictReader((REF / "work_items.csv").open(encoding="utf-8")))
    assert [int(r["item_no"]) for r in rows] == list(range(1, 19))
    labels = [r["label_zh"] for r in rows]
    assert labels[0] == "(一)" and labels[9] == "(十)" and labels[11] == "(十二)"
    assert labels[17] == "(十八)"
    assert len({r["section_zh"] for r in rows}) == 6
    assert [int(r["section_no"]) for r in rows] == [1] * 3 + [2] * 5 + [3] * 3 + [4] * 2 + [
        5
    ] * 2 + [6] * 3
    pages = {"cockpit", "coverage", "teachers", "exams", "resources", "security", "governance",
             "services", "learning_space", "literacy", "cases", "planning"}  # fmt: skip
    for r in rows:
        assert r["page"] in pages, r
        assert r["title_zh"] and r["title_en"] and r["indicators_zh"] and r["target_zh"]
        assert r["lead_offices"].replace("|", "、") in r["responsible_as_written"]
        assert r["target_source"] in ("plan", "national", "assumption", "none")
        assert (r["is_assumption"] == "true") == (r["target_source"] == "assumption")
    by = {r["label_zh"]: r for r in rows}
    assert by["(十二)"]["target_value"] == "1000"
    assert by["(七)"]["title_zh"] == "推进数字校园建设全覆盖"
    assert by["(十四)"]["lead_offices"] == "人事与教师处"


def test_work_items_match_the_plan_text():
    plan = next((p for p in PLAN_CANDIDATES if p.is_file()), None)
    if plan is None:
        pytest.skip("the plan text (shared/reference/2021-work-plan.txt) is not beside the repo")
    text = plan.read_text(encoding="utf-8")
    for r in csv.DictReader((REF / "work_items.csv").open(encoding="utf-8")):
        assert r["label_zh"] + r["title_zh"] in text, r["title_zh"]
        assert r["responsible_as_written"] in text, r["responsible_as_written"]
        assert r["section_zh"] in text


def test_reference_files_load_and_agree():
    std = pd.read_csv(REF / "resource_metadata_standard.csv", keep_default_na=False)
    cols = {c.name for c in sres.RESOURCES.columns}
    assert set(std.field) <= cols
    assert {"title", "keywords", "licence", "duration_min"} <= set(std[std.required].field)
    con = duckdb.connect()
    for f in ("work_items", "services", "competitions", "demonstration_kinds",
              "resource_metadata_standard"):  # fmt: skip
        n = con.execute(f"SELECT count(*) FROM read_csv('{REF / f}.csv', header=true)").fetchall()
        assert n[0][0] > 0
    svc = pd.read_csv(REF / "services.csv", keep_default_na=False)
    assert svc.name_en.str.len().min() > 0 and svc.service_code.is_unique
    assert {"教育缴费", "中考成绩查询", "义务教育入学申请", "随迁子女入学一键办理"} <= set(
        svc.name_zh
    )


# --------------------------------------------------------------------------- determinism


GENERATORS = [
    gres.make_resources,
    lambda ctx: gres.make_usage(ctx, gres.make_resources(ctx)),
    gres.make_classroom_activity,
    gres.make_cloud_pairs,
]


@pytest.mark.parametrize("fn", GENERATORS, ids=["resources", "usage", "classrooms", "cloud"])
def test_generation_is_deterministic(demo, fn):
    ctx = demo[0]
    a, b = fn(ctx), fn(ctx)
    pd.testing.assert_frame_equal(a, b)
    c = fn(dataclasses.replace(ctx, seed=ctx.seed + 1))
    assert not a.equals(c)


# --------------------------------------------------------------------------- quarantine


def test_quarantine_reconciles_with_manifest(demo):
    base = demo[1]
    res = reconcile(base / "raw", base / "t.duckdb", [s.name for s in sres.SOURCES])
    for name, (exp, got, bad_fk) in res.items():
        assert got == exp, name
        assert bad_fk == 0, name
    assert res["resources"][0].get("unknown_unit", 0) > 0  # the dirt did reach these sources
    assert sum(e.get("duplicate_key", 0) for e, _, _ in res.values()) > 0


# --------------------------------------------------------------------------- realism


def test_catalogue_meets_the_city_targets(demo, db):
    ctx = demo[0]
    target, premium = gres.mild(ctx, 1000), gres.mild(ctx, 100)
    by = q(db, "SELECT review_status, count(*) n, count(*) FILTER (WHERE reviewed_on "
               "<= DATE '2021-12-31') n2021 FROM stg.resources GROUP BY 1").set_index("review_status")  # fmt: skip
    collected = by.loc[["入库", "精品"], "n2021"].sum()
    assert 0.9 * target <= collected <= 1.6 * target
    assert premium * 0.9 <= by.loc["精品", "n"] <= premium
    assert by.loc["退回", "n"] > 0 and by.loc["待审", "n"] > 0
    pend = q(db, "SELECT min(submitted_on) d FROM stg.resources WHERE review_status = '待审'")
    assert pend.d[0] >= pd.Timestamp("2022-01-01")
    # premium ⇔ selected; incomplete metadata exists but most records conform
    r = q(db, "SELECT * FROM stg.resources")
    assert (r.is_premium == (r.review_status == "精品")).all()
    assert r[r.is_premium].selected_on.notna().all()
    std = pd.read_csv(REF / "resource_metadata_standard.csv", keep_default_na=False)
    ok = pd.Series(True, index=r.index)
    for f in std[std.required].itertuples():
        applies = r.resource_type.isin(f.applies_to.split("|")) if f.applies_to != "all" else True
        ok &= ~applies | r[f.field].notna()
    assert 0.55 < ok.mean() < 0.97


def test_usage_follows_the_school_calendar(db):
    u = q(db, "SELECT month, sum(view_count) v, sum(download_count) d FROM stg.resource_usage "
              "GROUP BY 1 ORDER BY 1").set_index("month")  # fmt: skip
    assert (u.d <= u.v).all()
    assert u.loc["2021-08", "v"] < 0.5 * u.loc[["2021-05", "2021-06"], "v"].mean()
    assert u.loc["2020-03", "v"] > 1.5 * u.loc[["2019-10", "2019-11"], "v"].mean()
    bad = q(db, "SELECT count(*) n FROM stg.resource_usage WHERE school_count > view_count")
    assert bad.n[0] == 0


def test_three_classrooms(demo, db):
    ctx = demo[0]
    sc = ctx.frames["schools"].set_index("school_id")
    a = q(db, "SELECT * FROM stg.classroom_activity")
    assert set(a.kind) == set(sres.CLASSROOM_KINDS)
    assert not a.month.str[5:].isin(["07", "08"]).any()  # summer holiday
    rcv = a[a.kind == "专递课堂"]
    assert (rcv.role == "接收").all() and rcv.partner_school_id.notna().all()
    assert sc.loc[rcv.school_id, "urban_rural"].isin(["乡村", "镇区"]).all()
    assert (sc.loc[rcv.partner_school_id, "urban_rural"] == "城区").all()
    assert not rcv.month.isin(gres.CLOSURE).any()  # paused while schools were closed
    mx = a[a.kind == "名校网络课堂"].groupby("month").session_count.sum()
    assert mx.loc["2020-03"] > 1.5 * mx.loc[["2019-10", "2019-11"]].mean()
    size = ctx.frames["alloc"].groupby("school_id").students.sum()
    assert (a.student_count.to_numpy() <= size.reindex(a.school_id).to_numpy()).all()


def test_cloud_pairs(demo, db):
    ctx = demo[0]
    sc = ctx.frames["schools"].set_index("school_id")
    p = q(db, "SELECT * FROM stg.cloud_pairs")
    assert len(p) > 0
    assert (sc.loc[p.broadcast_school_id, "urban_rural"] == "城区").all()
    assert (sc.loc[p.school_id, "urban_rural"] != "城区").all()
    current = gres.semesters(ctx)[-1][0]
    assert p[p.semester == current].evaluation_score.isna().all()
    done = p[p.semester != current]
    assert done[done.status != "终止"].evaluation_score.notna().all()
    # one row per pair and semester, semesters consecutive from the start
    assert not p.duplicated(["broadcast_school_id", "school_id", "level", "semester"]).any()

"""Exam-plan demo data (智慧招考): consistency, device rules, routes, quarantine, determinism.

Generates the base databases and the exams domain at a small scale and builds them with the real
ETL (only those sources, so the test does not depend on other domains).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from edusight import config
from edusight.geo import division_of
from etl import engine
from etl import generate as gen
from etl.generate import core
from etl.generate import exams as gen_exams
from etl.sources import core as src_core
from etl.sources import exams as src_exams

SCALE = 0.05
SEED = 7
MINE = [s.name for s in src_exams.SOURCES]
BY_NAME = {s.name: s for s in src_exams.SOURCES}


def _generate(out: Path, seed: int = SEED, scale: float = SCALE):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gen, "MODULES", [core, gen_exams])
        return gen.generate(out, scale=scale, seed=seed)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("exams")
    ctx = _generate(base / "raw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "mart_plan", lambda *a, **k: [])  # marts read other domains
        mp.setattr(engine, "SOURCES", src_core.SOURCES + src_exams.SOURCES)
        engine.build(base / "raw", base / "t.duckdb", key=b"test-key")
    con = duckdb.connect(str(base / "t.duckdb"), read_only=True)
    yield ctx, con
    con.close()


def _df(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_rooms_seat_thirty_and_add_up(built):
    ctx, con = built
    sites = _df(con, "SELECT * FROM stg.exam_sites")
    rooms = _df(con, "SELECT * FROM stg.exam_rooms")
    plans = _df(con, "SELECT * FROM stg.exam_plans")
    assert len(sites) >= 4 and set(sites.exam) == {"高考", "中考"}
    exam_rooms = rooms[rooms.room_type == "考场"]
    assert exam_rooms.candidates.between(1, 30).all()
    assert (rooms[rooms.room_type != "考场"].candidates == 0).all()
    per_site = exam_rooms.groupby("site_code").agg(
        n=("room_code", "size"),
        cand=("candidates", "sum"),
        partial=("candidates", lambda c: (c < 30).sum()),
    )
    s = sites.set_index("site_code").join(per_site)
    assert (s.n == s.exam_room_count).all()
    assert (s.cand == s.candidates).all()
    assert (s.partial <= 1).all()  # only a site's last 考场 may hold fewer than 30
    assert (s.exam_room_count == np.ceil(s.candidates / 30)).all()
    # the exported year's plan counts exactly what its sites hold
    year = int(sites.year.max())
    for exam, g in sites.groupby("exam"):
        p = plans[(plans.exam == exam) & (plans.year == year)].iloc[0]
        assert p.candidates == g.candidates.sum()
        assert p.site_count == len(g)
        assert p.exam_room_count == g.exam_room_count.sum()
    # every site has its support rooms; 标准化考点 have a 保密室
    types = rooms.groupby("site_code").room_type.agg(set)
    for site in sites.itertuples():
        assert {"考务室", "医疗室", "保卫室"} <= types[site.site_code]
        assert ("保密室" in types[site.site_code]) == site.has_secure_room
        assert site.has_secure_room or not site.is_standardized
    # candidates scale with the demo scale (137,000 中考 and 90,000 高考 at scale 1)
    cand = plans[plans.year == year].set_index("exam").candidates
    assert cand["中考"] == round(137_000 * SCALE) and cand["高考"] == round(90_000 * SCALE)


def test_plan_dates(built):
    _, con = built
    plans = _df(con, "SELECT * FROM stg.exam_plans").set_index(["exam", "year"])
    assert str(plans.loc[("高考", 2022), "first_day"])[:10] == "2022-06-07"
    assert str(plans.loc[("高考", 2022), "last_day"])[:10] == "2022-06-08"
    zk = pd.Timestamp(plans.loc[("中考", 2022), "first_day"])
    assert zk.month == 6 and 10 <= zk.day <= 20  # mid-June (assumption)
    assert sorted(plans.index.get_level_values("year").unique()) == [2019, 2020, 2021, 2022]


def _compliance(con) -> pd.DataFrame:
    """Per site: cameras in its worst-equipped 考场, in the 保密室, at the gate; ID readers."""
    return _df(
        con,
        """
        WITH cam AS (SELECT * FROM stg.exam_devices WHERE device_type = '高清摄像头'),
        per_room AS (
            SELECT r.site_code, r.room_code, r.room_type, count(c.device_id) AS cams
            FROM stg.exam_rooms r LEFT JOIN cam c ON c.room_code = r.room_code
            GROUP BY ALL)
        SELECT s.site_code, s.candidates, s.has_secure_room,
            (SELECT min(cams) FROM per_room p WHERE p.site_code = s.site_code AND p.room_type = '考场')
                AS min_room_cams,
            (SELECT count(*) FILTER (WHERE cams = 0) FROM per_room p
             WHERE p.site_code = s.site_code AND p.room_type = '考场') AS rooms_without,
            (SELECT max(cams) FROM per_room p WHERE p.site_code = s.site_code AND p.room_type = '保密室')
                AS secure_cams,
            (SELECT count(*) FROM cam c WHERE c.site_code = s.site_code AND c.location = '考点大门')
                AS gate_cams,
            (SELECT count(*) FROM stg.exam_devices d WHERE d.site_code = s.site_code
             AND d.device_type = '身份证阅读器') AS readers,
            (SELECT count(*) FROM stg.exam_devices d WHERE d.site_code = s.site_code
             AND d.device_type = '无线电屏蔽器') AS jammers
        FROM stg.exam_sites s
        """,
    ).set_index("site_code")


def test_device_rules_met_except_planted(built):
    ctx, con = built
    rules = pd.read_csv(config.reference_dir() / "exam_device_types.csv").set_index("device_type")
    cam = rules.loc["高清摄像头"]
    c = _compliance(con)
    ok = (
        (c.min_room_cams >= cam.min_per_exam_room)
        & (~c.has_secure_room | (c.secure_cams >= cam.min_secure_room))
        & (c.gate_cams >= cam.min_gate)
    )
    planted = ctx.manifest["planted"]["exams"]["camera_short_sites"]
    planted_codes = {p["site_code"] for p in planted}
    assert planted_codes, "some sites must be planted short of cameras"
    assert {"高考", "中考"} == {p["exam"] for p in planted}
    # the compliance check finds exactly the planted sites (among sites that loaded)
    assert set(c.index[~ok]) == planted_codes & set(c.index)
    for p in planted:
        if p["site_code"] not in c.index:
            continue
        row = c.loc[p["site_code"]]
        if p["kind"] == "rooms":
            assert row.rooms_without == len(p["rooms_without_camera"]) > 0
        elif p["kind"] == "secure_room":
            assert row.secure_cams == 1
        else:
            assert row.gate_cams == 1
    # ID readers ≈ 1 per 300 candidates; one jammer per 考场 everywhere
    per = rules.loc["身份证阅读器", "candidates_per_device"]
    assert (c.readers >= np.ceil(c.candidates / per)).all()
    assert (c.readers <= np.ceil(c.candidates / per) + 1).all()
    rooms = _df(
        con,
        "SELECT site_code, count(*) AS n FROM stg.exam_rooms WHERE room_type = '考场' GROUP BY 1",
    )
    assert (c.jammers.reindex(rooms.site_code).to_numpy() == rooms.n.to_numpy()).all()


def _points(polyline: str) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in polyline.split(";")])


def test_routes_inside_chengdu_and_on_time(built):
    _, con = built
    routes = _df(con, "SELECT * FROM stg.transport_routes")
    sites = _df(con, "SELECT * FROM stg.exam_sites").set_index("site_code")
    rooms = pd.read_csv(config.reference_dir() / "exam_secure_rooms.csv").set_index("room_code")
    sessions = pd.read_csv(config.reference_dir() / "exam_sessions.csv")
    plans = _df(con, "SELECT * FROM stg.exam_plans").set_index(["exam", "year"])
    assert len(routes) > 0
    for r in routes.itertuples():
        pts = _points(r.waypoints)
        assert len(pts) >= 2
        assert (division_of(pts[:, 0], pts[:, 1]) != "").all(), r.route_id
        room = rooms.loc[r.secure_room_code]
        site = sites.loc[r.site_code]
        assert room.unit_code == site.unit_code  # papers come from the site's own 考区
        start, end = (pts[0], pts[-1]) if r.leg == "送卷" else (pts[-1], pts[0])
        assert np.allclose(start, [room.lon, room.lat], atol=1e-4)
        assert np.allclose(end, [site.lon, site.lat], atol=1e-4)
        # a road-like path: consecutive points no more than ~2 km apart
        step_km = np.hypot(*(np.diff(pts, axis=0) * [96.0, 110.9]).T)
        assert step_km.max() < 2.5
    # every site gets papers before and returns sheets after each session of its exam
    plan_year = int(sites.year.max())
    for site_code, g in routes.groupby("site_code"):
        exam = sites.loc[site_code, "exam"]
        ses = sessions[sessions.exam_zh == exam]
        assert sorted(g.session_code[g.leg == "送卷"]) == sorted(ses.session_code)
        assert sorted(g.session_code[g.leg == "回收"]) == sorted(ses.session_code)
        first = pd.Timestamp(plans.loc[(exam, plan_year), "first_day"])
        for s in ses.itertuples():
            day = first + pd.Timedelta(days=int(s.day_offset))
            out = g[(g.session_code == s.session_code) & (g.leg == "送卷")].iloc[0]
            back = g[(g.session_code == s.session_code) & (g.leg == "回收")].iloc[0]
            assert out.planned_arrive <= day + pd.Timedelta(s.start_time + ":00")
            assert back.planned_depart >= day + pd.Timedelta(s.end_time + ":00")
            assert out.vehicle_id == back.vehicle_id


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


def test_planted_in_manifest_file(built):
    ctx, _ = built
    manifest = json.loads((ctx.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["planted"]["exams"]["camera_short_sites"]


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
    assert a.manifest["planted"] == b.manifest["planted"]


def test_pick_hosts_covers_every_unit():
    rng = np.random.default_rng(1)
    host = pd.DataFrame({"unit_code": ["a"] * 5 + ["b"] * 2 + ["c"] * 1})
    pop = pd.Series({"a": 100.0, "b": 10.0, "c": 1.0})
    w = np.ones(len(host))
    pick = gen_exams._pick_hosts(rng, host, w, 6, pop)
    assert len(set(pick)) == 6
    assert set(host.unit_code.iloc[pick]) == {"a", "b", "c"}
    # more sites than hosts in a unit: the surplus goes elsewhere
    pick = gen_exams._pick_hosts(rng, host, w, 8, pop)
    assert sorted(pick) == list(range(8))
    # fewer sites than units: the most populous units are likeliest, no unit twice over its hosts
    pick = gen_exams._pick_hosts(rng, host, w, 2, pop)
    assert len(set(pick)) == 2

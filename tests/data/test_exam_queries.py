"""The exam marts and the live queries on the database the real ETL builds.

The simulator's script of a 高考 day (etl/feed/simulate.py) is landed through the real ingest
path against the real plan, then the screen's numbers are checked against what was sent."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from edusight import db, queries
from edusight import exam_state as es
from etl.feed.clock import simulation, wall_now
from etl.feed.ingest import Ingestor, land_ack
from etl.feed.landing import Landing
from etl.feed.plan import PlanSource, load_plan
from etl.feed.simulate import build_day, day_events, load_sim_plan


@pytest.fixture(scope="module")
def con(built_db: Path):
    with duckdb.connect(str(built_db), read_only=True) as c:
        yield c


def test_the_exam_marts_hold_the_plan(con):
    sites = con.execute("SELECT * FROM marts.exam_sites").df()
    assert set(sites["exam_code"]) == {"gaokao", "zhongkao"}
    rooms = (
        con.execute(
            "SELECT site_code, sum(candidates) AS n, count(*) AS k FROM marts.exam_rooms "
            "WHERE room_type = '考场' GROUP BY site_code"
        )
        .df()
        .set_index("site_code")
    )
    for s in sites.itertuples():
        assert rooms.loc[s.site_code, "n"] == s.candidates
        assert rooms.loc[s.site_code, "k"] == s.exam_room_count == math.ceil(s.candidates / 30)
        assert s.camera_count >= s.exam_room_count  # ≥ 1 camera per 考场 (a few planted short)
    ses = con.execute("SELECT * FROM marts.exam_sessions ORDER BY start_at").df()
    assert (ses["end_at"] > ses["start_at"]).all()
    gk = ses[ses["exam_code"] == "gaokao"]
    assert gk["start_at"].dt.strftime("%m-%d %H:%M").tolist() == [
        "06-07 09:00",
        "06-07 15:00",
        "06-08 09:00",
        "06-08 15:00",
    ]
    routes = con.execute("SELECT * FROM marts.exam_routes").df()
    assert set(routes["leg_code"]) == {"deliver", "collect"}
    start = ses.set_index("session_code")["start_at"]
    deliver = routes[routes["leg_code"] == "deliver"]
    assert (deliver["planned_arrive"] <= deliver["session_code"].map(start)).all()
    assert con.execute(
        "SELECT count(*) FROM marts.exam_devices WHERE device_type_code IS NULL"
    ).fetchone() == (0,)


def _wall_reading(until_s: float) -> dt.datetime:
    """The wall time to anchor a replay started at 07:00 so that its clock reads `until_s`
    (seconds after midnight) now: every replayed event is then in the past, whatever the time of
    day the tests run at (the endpoint refuses events from the future)."""
    return wall_now() - dt.timedelta(seconds=until_s - 7 * 3600)


@pytest.fixture(scope="module")
def landed(built_db: Path, tmp_path_factory) -> dict:
    """The first morning of the 高考 replayed today, landed through the ingest path."""
    plan = load_sim_plan(built_db, "gaokao")
    today = wall_now().date()
    day = build_day(plan, 1, today, np.random.default_rng(3))
    start_s = (
        plan.sessions.iloc[0]["start_at"] - pd.Timestamp(plan.sessions.iloc[0]["start_at"].date())
    ).total_seconds()
    until = start_s + 75 * 60  # 10:15: check-ins, absentees, the radio alert, the sick candidate
    events = day_events(day, until)
    clock = simulation(exam="高考", plan_day=day.plan_date, start=dt.time(7), speed=1, run_id="t", today=today,
                       wall=_wall_reading(until))  # fmt: skip
    landing = Landing(tmp_path_factory.mktemp("landing"))
    landing.write_clock(clock)
    ing = Ingestor(landing, PlanSource(built_db))
    by_principal: dict[str, list[dict]] = {}
    for principal, e in events:
        by_principal.setdefault(principal, []).append(e)
    results = [r for p, evs in by_principal.items() for r in ing.submit(evs, p, "test")]
    return {"landing": landing, "events": [e for _, e in events], "results": results, "day": day,
            "clock": clock, "now": dt.datetime.combine(today, dt.time()) + dt.timedelta(seconds=until)}  # fmt: skip


def test_every_simulated_event_passes_validation_against_the_plan(landed):
    statuses = {r["status"] for r in landed["results"]}
    bad = [r for r in landed["results"] if r["status"] != "accepted"][:5]
    assert statuses == {"accepted"}, bad


def screen(landed, scope=None) -> es.Screen:
    clock = landed["clock"]
    wall = clock.wall_of(landed["now"])
    return es.load_screen(
        landed["landing"], scope or queries.all_units(), "gaokao", es.Thresholds(), wall_now=wall
    )


def test_the_screen_counts_what_was_sent(landed, built_db):
    s = screen(landed)
    ev = pd.DataFrame(landed["events"])
    ck = ev[(ev["kind"] == "checkin") & (ev["session_code"] == "GK-1A")]
    passed = ck[ck["result"] == "pass"][["room_code", "seat_no"]].drop_duplicates()
    absent = ev[ev["kind"] == "absent"][["room_code", "seat_no"]].drop_duplicates()
    absent = absent.merge(passed, how="left", indicator=True)
    assert s.session.session_code == "GK-1A" and s.session.phase == "running"
    assert s.kpis.checked_in == len(passed)
    assert s.kpis.absent == int((absent["_merge"] == "left_only").sum())
    plan = load_plan(built_db)
    assert s.kpis.expected == int(s.sites["candidates"].sum()) and len(s.sites) == sum(
        1 for e in plan.sites.values() if e == "高考"
    )
    assert s.kpis.checked_in + s.kpis.absent == s.kpis.expected  # everyone accounted for by 10:15
    kinds = set(s.alerts["alert_kind"])
    assert {"radio", "incident", "identity_mismatch", "custody_single", "long_stop"} <= kinds
    assert s.feed.status in ("ok", "stale")
    assert s.curve["cumulative_count"].iloc[-1] == len(passed)
    assert not s.transport.vehicles.empty
    db.close_all()


def test_an_acknowledgement_is_seen_by_every_screen(landed):
    s = screen(landed)
    alert = s.alerts[s.alerts["alert_kind"] == "radio"].iloc[0]
    land_ack(landed["landing"], alert_id=alert["alert_id"], site_code=alert["site_code"], user="值班员",
             exam_now=landed["now"])  # fmt: skip
    again = screen(landed).alerts.set_index("alert_id")
    assert again.loc[alert["alert_id"], "acked_by"] == "值班员"


def test_scope_limits_the_live_numbers(landed):
    s = screen(landed)
    one = s.sites["unit_code"].iloc[0]
    part = screen(landed, scope=(one,))
    assert set(part.sites["unit_code"]) == {one}
    assert part.kpis.checked_in == int(
        s.sites.loc[s.sites["unit_code"] == one, "checked_in_count"].sum()
    )
    assert set(part.alerts["site_code"]) <= set(part.sites["site_code"])
    nobody = es.load_screen(
        landed["landing"],
        (),
        "gaokao",
        es.Thresholds(),
        wall_now=landed["clock"].wall_of(landed["now"]),
    )
    assert nobody.sites.empty and nobody.alerts.empty and nobody.kpis.checked_in == 0


def test_the_site_drill_down(landed):
    s = screen(landed)
    site = s.sites["site_code"].iloc[0]
    d = es.site_detail(landed["landing"], queries.all_units(), s, site)
    exam_rooms = d["rooms"][d["rooms"]["room_type"] == "考场"]
    assert (
        exam_rooms["checked_in_count"].sum()
        == s.sites.set_index("site_code").loc[site, "checked_in_count"]
    )
    assert set(d["devices"]["device_type_code"]) >= {"camera"}


def test_out_of_order_status_changes_are_placed_by_their_own_time(landed, built_db):
    s = screen(landed)
    site = s.sites["site_code"].iloc[-1]
    t0 = landed["now"] - dt.timedelta(minutes=30)
    base = {"kind": "radio", "site_code": site, "alert_id": "RADIO-OOO", "frequency_mhz": 151.0}
    events = [  # sent newest first
        {**base, "event_id": "ooo-3", "ts": (t0 + dt.timedelta(minutes=20)).isoformat(), "status": "disposed"},
        {**base, "event_id": "ooo-2", "ts": (t0 + dt.timedelta(minutes=10)).isoformat(), "status": "located",
         "lon": 104.0, "lat": 30.6},
        {**base, "event_id": "ooo-1", "ts": t0.isoformat(), "status": "detected"},
    ]  # fmt: skip
    ing = Ingestor(landed["landing"], PlanSource(built_db))
    for e in events:  # one request each, newest first
        assert ing.submit([e], site, "test")[0]["status"] == "accepted"
    a = screen(landed).alerts.set_index("alert_id").loc["RADIO-OOO"]
    assert (a["status"], a["state"]) == ("disposed", "closed")
    assert a["raised_at"] == pd.Timestamp(t0) and a["lon"] == 104.0


def same_screen(a: es.Screen, b: es.Screen) -> None:
    assert a.kpis == b.kpis and a.feed == b.feed and a.session == b.session
    for name in ("sites", "rooms", "alerts", "curve"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False)
    for name in ("vehicles", "trails", "routes", "alerts"):
        pd.testing.assert_frame_equal(
            getattr(a.transport, name), getattr(b.transport, name), check_dtype=False
        )


def test_the_live_state_shows_what_the_queries_over_every_file_show(landed, built_db):
    """The screen reads an incremental state; the exam_live_* queries over every landing file
    define the numbers. Both give the same screen, before and after more events and merges."""
    clock, scope = landed["clock"], queries.all_units()
    wall = clock.wall_of(landed["now"])

    def both() -> tuple[es.Screen, es.Screen]:
        kw = {"wall_now": wall}
        return (
            es.load_screen(landed["landing"], scope, "gaokao", es.Thresholds(), reader="sql", **kw),
            es.load_screen(landed["landing"], scope, "gaokao", es.Thresholds(), **kw),
        )

    same_screen(*both())
    ing = Ingestor(landed["landing"], PlanSource(built_db))
    ing.compact(min_files=2)  # files the state has read, merged
    site = es.load_screen(landed["landing"], scope, "gaokao", es.Thresholds(), wall_now=wall)
    code = site.sites["site_code"].iloc[0]
    more = [{"event_id": f"more-{i}", "kind": "heartbeat", "site_code": code,
             "ts": (landed["now"] - dt.timedelta(seconds=i)).isoformat(), "device_id": d,
             "device_type": t, "status": "offline"}
            for i, (d, t) in enumerate(
                es.site_detail(landed["landing"], scope, site, code)["devices"][["device_id", "device_type_code"]]
                .head(3).itertuples(index=False))]  # fmt: skip
    assert {r["status"] for r in ing.submit(more, code, "test")} == {"accepted"}
    ing.compact(min_files=1, max_compacts=1)  # new files merged before the state read them
    a, b = both()
    same_screen(a, b)
    for reader in ("sql", "state"):
        d = es.site_detail(landed["landing"], scope, b, code, reader=reader)["devices"]
        assert (~d["is_online"]).sum() >= 3
    pd.testing.assert_frame_equal(
        es.site_detail(landed["landing"], scope, a, code, reader="sql")["devices"],
        es.site_detail(landed["landing"], scope, b, code)["devices"],
        check_dtype=False,
    )
    db.close_all()


@pytest.fixture(scope="module")
def zk_landed(built_db: Path, tmp_path_factory) -> dict:
    """The 中考's first morning up to 08:50 (papers on their way), replayed today and landed."""
    plan = load_sim_plan(built_db, "zhongkao")
    today = wall_now().date()
    day = build_day(plan, 1, today, np.random.default_rng(4))
    until = day.first_start_s - 10 * 60
    events = day_events(day, until, run_id="zk")
    clock = simulation(exam="中考", plan_day=day.plan_date, start=dt.time(7), speed=1, run_id="zk", today=today,
                       wall=_wall_reading(until))  # fmt: skip
    landing = Landing(tmp_path_factory.mktemp("zk-landing"))
    landing.write_clock(clock)
    ing = Ingestor(landing, PlanSource(built_db))
    by: dict[str, list[dict]] = {}
    for principal, e in events:
        by.setdefault(principal, []).append(e)
    for p, evs in by.items():
        assert {r["status"] for r in ing.submit(evs, p, "test")} == {"accepted"}
    now = dt.datetime.combine(today, dt.time()) + dt.timedelta(seconds=until)
    return {
        "landing": landing,
        "events": [e for _, e in events],
        "day": day,
        "clock": clock,
        "now": now,
    }


def test_one_simulated_vehicle_leaves_its_planned_route(zk_landed):
    from etl.feed.simulate import detour_metres

    day, clock = zk_landed["day"], zk_landed["clock"]
    route = day.planted["off_route_route"]
    assert route != day.planted["long_stop_route"]
    s = es.load_screen(zk_landed["landing"], queries.all_units(), "zhongkao", es.Thresholds(),
                       wall_now=clock.wall_of(zk_landed["now"]))  # fmt: skip
    off = s.alerts[s.alerts["alert_kind"] == "off_route"]
    assert off["route_id"].tolist() == [route]  # that vehicle, and no other
    a = off.iloc[0]
    plan = queries.run("exam_routes", queries.all_units(), exam="zhongkao").set_index("route_id")
    assert a["vehicle_id"] == plan.loc[route, "vehicle_id"] and a["severity"] == "high"
    assert a["distance_m"] == pytest.approx(detour_metres(), rel=0.05)
    assert a["state"] == "closed" and a["updated_at"] > a["raised_at"]  # back on its route
    assert "long_stop" in set(s.alerts["alert_kind"])  # the other planted vehicle
    assert not bool(s.transport.vehicles.set_index("route_id").loc[route, "is_off_route"])
    # halfway through the detour the vehicle is off its route and the alarm is open
    gps = pd.DataFrame([e for e in zk_landed["events"] if e.get("route_id") == route])
    gps["ts"] = pd.to_datetime(gps["ts"]).dt.tz_localize(None)
    mid = a["raised_at"] + (a["updated_at"] - a["raised_at"]) / 2
    tr = es.transport(plan.reset_index(), gps[gps["ts"] <= mid], s.sessions, mid, clock)
    v = tr.vehicles.set_index("route_id").loc[route]
    assert bool(v["is_off_route"]) and v["off_route_m"] > es.Thresholds().route_deviation_m
    assert tr.alerts.set_index("alert_id").loc[f"TRANSPORT-{route}-off_route", "state"] == "open"
    db.close_all()

"""The exam screen's rules on inline frames: the day and session shown, the session clock,
staleness of sites and of the feed (real and simulated clocks), site status precedence, alerts
derived from transport, 保密室 and identity checks, acknowledgements, the big numbers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from edusight import exam_state as es
from etl.feed.clock import REAL, Clock

D = dt.date(2026, 6, 7)


def at(h: int, m: int = 0, s: int = 0, day: dt.date = D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m, s))


SESSIONS = pd.DataFrame({
    "session_code": ["GK-1A", "GK-1P", "GK-2A"],
    "exam_day": [1, 1, 2],
    "subject_zh": ["语文", "数学", "文综/理综"],
    "start_at": [at(9), at(15), at(9, day=D + dt.timedelta(days=1))],
    "end_at": [at(11, 30), at(17), at(11, 30, day=D + dt.timedelta(days=1))],
})  # fmt: skip
SITES = pd.DataFrame({
    "site_code": ["S1", "S2", "S3", "S4"],
    "candidates": [300, 600, 900, 120],
    "exam_room_count": [10, 20, 30, 4],
})  # fmt: skip


# --- the day and the session -------------------------------------------------------------------


def test_the_day_shown_is_today_else_the_next_else_the_last():
    assert es.pick_day(SESSIONS, at(7)) == D
    assert es.pick_day(SESSIONS, at(7, day=D - dt.timedelta(days=30))) == D
    assert es.pick_day(SESSIONS, at(7, day=D + dt.timedelta(days=30))) == D + dt.timedelta(days=1)
    assert es.pick_day(SESSIONS.iloc[:0], at(7)) is None


@pytest.mark.parametrize(
    ("now", "code", "phase", "seconds"),
    [
        (at(8, 15), "GK-1A", "before", 45 * 60),
        (at(9, 0), "GK-1A", "running", 150 * 60),
        (at(11, 29, 30), "GK-1A", "running", 30),
        (at(11, 30), "GK-1P", "before", 3.5 * 3600),
        (at(16), "GK-1P", "running", 3600),
        (at(18), "GK-1P", "ended", 3600),
    ],
)
def test_the_session_clock(now, code, phase, seconds):
    c = es.session_clock(SESSIONS[SESSIONS["exam_day"] == 1], now)
    assert (c.session_code, c.phase, c.seconds) == (code, phase, seconds)


def test_no_session_and_durations():
    assert es.session_clock(SESSIONS.iloc[:0], at(9)).phase == "none"
    assert es.fmt_duration(3725) == "1:02:05"
    assert es.fmt_duration(-5) == "0:00:00"
    assert es.fmt_duration(90_000) == "1d 1:00:00"


def test_sessions_are_shifted_onto_the_simulation_calendar():
    clock = Clock(speed=60, anchor_wall=at(14), anchor_exam=at(7), day_shift_days=10)
    shifted = es.shift_sessions(SESSIONS, clock)
    assert shifted["start_at"].iloc[0] == pd.Timestamp(at(9, day=D + dt.timedelta(days=10)))


# --- staleness ------------------------------------------------------------------------------------


ACTIVITY = pd.DataFrame({
    "site_code": ["S1", "S2", "S3", "S4"],
    "last_ts": [at(9, 59), at(9, 57), pd.NaT, at(10, 1)],  # S4: a clock slightly ahead
})  # fmt: skip


def test_a_site_silent_longer_than_the_limit_is_stale():
    st = es.site_staleness(ACTIVITY, at(10), silent_exam_s=120).set_index("site_code")
    assert st.loc["S1", "is_stale"] is False or not st.loc["S1", "is_stale"]
    assert bool(st.loc["S2", "is_stale"]) and st.loc["S2", "silent_s"] == 180
    assert not st.loc["S3", "has_data"] and not st.loc["S3", "is_stale"]  # never reported: no_data
    assert st.loc["S4", "silent_s"] == 0 and not st.loc["S4", "is_stale"]


def test_on_a_simulated_clock_the_limit_is_in_wall_seconds():
    clock = Clock(speed=60, anchor_wall=at(14), anchor_exam=at(7))
    # 120 wall seconds = 2 exam hours at ×60: three exam minutes of silence is nothing
    st = es.site_staleness(ACTIVITY, at(10), silent_exam_s=clock.exam_seconds(120))
    assert not st["is_stale"].any()


def test_feed_health():
    assert es.feed_health(None, at(10), REAL, 60).status == "none"
    assert es.feed_health(pd.NaT, at(10), REAL, 60).status == "none"
    ok = es.feed_health(pd.Timestamp(at(9, 59, 30)), at(10), REAL, 60)
    assert (ok.status, ok.silent_s) == ("ok", 30)
    stale = es.feed_health(at(9, 58), at(10), REAL, 60)
    assert stale.status == "stale" and stale.last_received_exam == at(9, 58)
    sim = Clock(speed=60, anchor_wall=at(9), anchor_exam=at(7))
    assert es.feed_health(at(9, 1), at(10), sim, 60).last_received_exam == at(
        8
    )  # shown on the exam clock


def alerts_frame(rows: list[dict]) -> pd.DataFrame:
    return es.timeline(
        [es._alert_frame(rows)], pd.DataFrame(columns=["alert_id", "acked_by", "acked_at"])
    )


DEVICES = pd.DataFrame({
    "site_code": ["S1", "S2", "S3", "S4"],
    "device_type_code": ["camera"] * 4,
    "registered_count": [10, 20, 30, 4],
    "reporting_count": [10, 20, 0, 4],
    "online_count": [10, 18, 0, 4],
})  # fmt: skip


def test_site_status_precedence():
    st = es.site_staleness(ACTIVITY, at(10), silent_exam_s=120)
    alerts = alerts_frame([
        {"alert_id": "a", "alert_kind": "radio", "site_code": "S1", "raised_at": at(9), "updated_at": at(9),
         "severity": "high", "state": "handling"},
        {"alert_id": "b", "alert_kind": "radio", "site_code": "S2", "raised_at": at(9), "updated_at": at(9),
         "severity": "critical", "state": "open"},
        {"alert_id": "c", "alert_kind": "incident", "site_code": "S4", "raised_at": at(9), "updated_at": at(9),
         "severity": "low", "state": "closed"},
    ])  # fmt: skip
    status = es.site_status(SITES, st, alerts, DEVICES).set_index("site_code")
    assert status.loc["S1", "status"] == "alert"  # an open high alert
    assert status.loc["S2", "status"] == "stale"  # stale wins over its alert: we do not know now
    assert status.loc["S3", "status"] == "no_data"
    assert status.loc["S4", "status"] == "ok"  # the closed alert does not count
    assert status.loc["S2", "open_alerts"] == 1 and status.loc["S2", "worst_severity"] == "critical"
    assert status.loc["S2", "cameras_online"] == 18


def test_cameras_down_make_a_warning():
    st = es.site_staleness(ACTIVITY.assign(last_ts=at(9, 59)), at(10), silent_exam_s=120)
    status = es.site_status(SITES, st, alerts_frame([]), DEVICES).set_index("site_code")
    assert status.loc["S2", "status"] == "warning"  # 18 of 20 online < 95 %
    assert status.loc["S1", "status"] == "ok"


def test_empty_inputs():
    empty = es.site_status(SITES.iloc[:0], es.site_staleness(ACTIVITY.iloc[:0], at(10), 120),
                           alerts_frame([]), DEVICES.iloc[:0])  # fmt: skip
    assert empty.empty
    k = es.kpis(SITES.iloc[:0], empty, pd.DataFrame(), alerts_frame([]), at(10))
    assert (k.sites_total, k.expected, k.open_alerts, k.as_of, k.checked_in_pct) == (
        0,
        0,
        0,
        None,
        None,
    )


# --- derived alerts ------------------------------------------------------------------------------


def signals(rows: list[dict]) -> pd.DataFrame:
    cols = [
        "event_id",
        "kind",
        "site_code",
        "ts",
        "room_code",
        "action",
        "persons",
        "session_code",
        "seat_no",
        "note",
    ]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def test_secure_room_openings_outside_the_windows_or_by_one_person_raise_alerts():
    day = SESSIONS[SESSIONS["exam_day"] == 1]
    ev = signals([
        {"event_id": "ok", "kind": "custody", "site_code": "S1", "ts": at(8, 5), "action": "door_open", "persons": 2},
        {"event_id": "close", "kind": "custody", "site_code": "S1", "ts": at(8, 10), "action": "door_close", "persons": 2},
        {"event_id": "night", "kind": "custody", "site_code": "S1", "ts": at(2, 0), "action": "door_open", "persons": 2},
        {"event_id": "alone", "kind": "custody", "site_code": "S2", "ts": at(11, 40), "action": "door_open", "persons": 1},
        {"event_id": "mm", "kind": "checkin", "site_code": "S3", "ts": at(8, 30), "room_code": "S3-001"},
    ])  # fmt: skip
    a = es.signal_alerts(ev, day).set_index("alert_id")
    assert set(a.index) == {"CUSTODY-OUT-night", "CUSTODY-1P-alone", "IDCHECK-mm"}
    assert a.loc["CUSTODY-OUT-night", "severity"] == "critical"
    assert a.loc["CUSTODY-1P-alone", "severity"] == "high"
    assert a.loc["IDCHECK-mm", "severity"] == "medium"


ROUTES = pd.DataFrame({
    "route_id": ["R1", "R2", "R3", "R4"],
    "session_code": ["GK-1A"] * 4,
    "leg_code": ["deliver", "deliver", "deliver", "collect"],
    "site_code": ["S1", "S2", "S3", "S1"],
    "vehicle_id": ["川A1", "川A2", "川A3", "川A1"],
    "planned_depart": [at(7), at(7), at(7), at(11, 50)],
    "planned_arrive": [at(8), at(8), at(8), at(12, 30)],
    "waypoints": ["104.0,30.6;104.1,30.7"] * 4,
})  # fmt: skip


def gps(route: str, rows: list[tuple]) -> list[dict]:
    return [{"route_id": route, "vehicle_id": "川A" + route[1], "site_code": "S" + route[1], "ts": t,
             "lon": 104.05, "lat": 30.65, "state": s, "speed_kmh": 0.0} for t, s in rows]  # fmt: skip


def test_transport_long_stops_and_late_deliveries():
    events = pd.DataFrame(
        gps("R1", [(at(7, 5), "moving"), (at(7, 20), "short_stop"), (at(7, 30), "long_stop"), (at(7, 50), "moving"),
                   (at(7, 58), "delivered")])
        + gps("R2", [(at(7, 5), "moving"), (at(7, 40), "long_stop")])
        + gps("R3", [(at(7, 5), "moving"), (at(8, 20), "delivered")])
    )  # fmt: skip
    tr = es.transport(ROUTES, events, SESSIONS, at(9, 10), REAL)
    a = tr.alerts.set_index("alert_id")
    assert a.loc["TRANSPORT-R1-long_stop", "state"] == "closed"
    assert a.loc["TRANSPORT-R1-long_stop", "updated_at"] == pd.Timestamp(at(7, 50))
    assert "TRANSPORT-R1-late" not in a.index  # delivered on time
    assert a.loc["TRANSPORT-R2-long_stop", "state"] == "open"
    assert a.loc["TRANSPORT-R2-late", "severity"] == "critical"  # papers missing after the start
    assert a.loc["TRANSPORT-R3-late", "state"] == "closed"  # delivered, but late: kept, closed
    assert a.loc["TRANSPORT-R3-late", "severity"] == "high"
    assert "TRANSPORT-R4-late" not in a.index  # no GPS data: no late alarm (shown as no GPS)
    assert set(tr.vehicles["route_id"]) == {"R1", "R2", "R3"}
    v = tr.vehicles.set_index("route_id")
    assert v.loc["R2", "state"] == "long_stop" and v.loc["R1", "state"] == "delivered"
    assert len(tr.trails.set_index("route_id").loc["R1", "path"]) == 5


def test_transport_on_a_simulated_calendar():
    clock = Clock(speed=60, anchor_wall=at(1), anchor_exam=at(7), day_shift_days=3)
    later = D + dt.timedelta(days=3)
    events = pd.DataFrame(gps("R2", [(at(7, 5, day=later), "moving")]))
    shifted = es.shift_sessions(SESSIONS, clock)
    tr = es.transport(ROUTES, events, shifted, at(8, 30, day=later), clock)
    assert (
        tr.alerts.set_index("alert_id").loc["TRANSPORT-R2-late", "severity"] == "high"
    )  # before the start
    assert tr.routes.set_index("route_id").loc["R2", "planned_arrive"] == pd.Timestamp(
        at(8, day=later)
    )


def test_acknowledging_marks_alerts_and_closes_one_off_ones():
    rows = [
        {"alert_id": "IDCHECK-1", "alert_kind": "identity_mismatch", "site_code": "S1", "raised_at": at(8),
         "updated_at": at(8), "severity": "medium", "state": "open"},
        {"alert_id": "RADIO-1", "alert_kind": "radio", "site_code": "S1", "raised_at": at(9),
         "updated_at": at(9), "severity": "high", "state": "open"},
        {"alert_id": "RADIO-2", "alert_kind": "radio", "site_code": "S2", "raised_at": at(9, 30),
         "updated_at": at(9, 30), "severity": "high", "state": "open"},
    ]  # fmt: skip
    acks = pd.DataFrame({"alert_id": ["IDCHECK-1", "RADIO-1"], "acked_by": ["张三", "李四"],
                         "acked_at": [at(8, 5), at(9, 5)]})  # fmt: skip
    tl = es.timeline([es._alert_frame(rows)], acks).set_index("alert_id")
    assert tl.loc["IDCHECK-1", "state"] == "closed" and tl.loc["IDCHECK-1", "acked_by"] == "张三"
    assert (
        tl.loc["RADIO-1", "state"] == "open" and tl.loc["RADIO-1", "is_acked"]
    )  # acked, still open
    assert not tl.loc["RADIO-2", "is_acked"]
    order = es.timeline([es._alert_frame(rows)], acks)["alert_id"].tolist()
    assert order == ["RADIO-2", "RADIO-1", "IDCHECK-1"]  # newest first


def test_feed_alerts_follow_their_lifecycle():
    raw = pd.DataFrame({
        "alert_id": ["R", "I"], "kind": ["radio", "incident"], "site_code": ["S1", "S2"],
        "raised_at": [at(9), at(9, 40)], "updated_at": [at(9, 50), at(10)],
        "status": ["disposed", "handling"], "severity": ["high", "low"], "category": [None, "public_health"],
        "frequency_mhz": [433.92, None], "lon": [104.0, None], "lat": [30.6, None], "room_code": [None, "S2-001"],
        "note": ["查处", None], "update_count": [3, 2],
    })  # fmt: skip
    a = es.feed_alerts(raw).set_index("alert_id")
    assert a.loc["R", "state"] == "closed" and a.loc["I", "state"] == "handling"
    assert a.loc["I", "category"] == "public_health"


# --- the big numbers -------------------------------------------------------------------------------


def test_kpis():
    st = es.site_staleness(ACTIVITY, at(10), silent_exam_s=120)
    alerts = alerts_frame([
        {"alert_id": "a", "alert_kind": "radio", "site_code": "S1", "raised_at": at(9), "updated_at": at(9),
         "severity": "high", "state": "open"},
        {"alert_id": "b", "alert_kind": "radio", "site_code": "S1", "raised_at": at(9), "updated_at": at(9),
         "severity": "low", "state": "closed"},
    ])  # fmt: skip
    status = es.site_status(SITES, st, alerts, DEVICES)
    rooms = pd.DataFrame(
        {"site_code": ["S1", "S2"], "checked_in_count": [290, 500], "absent_count": [2, 1]}
    )
    k = es.kpis(SITES, status, rooms, alerts, at(10))
    assert (k.sites_total, k.sites_reporting, k.sites_stale) == (4, 2, 1)
    assert (k.expected, k.checked_in, k.absent) == (1920, 790, 3)
    assert round(k.checked_in_pct, 2) == round(100 * 790 / 1920, 2)
    assert (k.cameras_registered, k.cameras_online) == (64, 32)
    assert k.open_by_severity == {"critical": 0, "high": 1, "medium": 0, "low": 0}
    assert k.unacked_open == 1
    assert k.as_of == at(10)  # S4's future timestamp is capped at now


def test_the_exam_shown_by_default():
    overview = pd.DataFrame({
        "exam_code": ["gaokao", "zhongkao"],
        "first_start_at": [at(9), at(9, day=D + dt.timedelta(days=6))],
        "last_end_at": [at(17, day=D + dt.timedelta(days=1)), at(17, day=D + dt.timedelta(days=8))],
    })  # fmt: skip
    assert es.default_exam(overview, REAL, at(8)) == "gaokao"
    assert es.default_exam(overview, REAL, at(8, day=D + dt.timedelta(days=7))) == "zhongkao"
    assert (
        es.default_exam(overview, REAL, at(8, day=D + dt.timedelta(days=3))) == "zhongkao"
    )  # next
    assert (
        es.default_exam(overview, REAL, at(8, day=D + dt.timedelta(days=90))) == "zhongkao"
    )  # latest
    assert (
        es.default_exam(
            overview,
            Clock(speed=2, anchor_wall=at(1), anchor_exam=at(1), exam="高考"),
            at(8, day=D + dt.timedelta(days=7)),
        )
        == "gaokao"
    )


def test_a_device_is_online_when_its_latest_heartbeat_says_so_and_is_recent():
    raw = pd.DataFrame({
        "device_id": ["c1", "c2", "c3", "c4", "r1"],
        "site_code": ["S1"] * 5,
        "device_type_code": ["camera"] * 4 + ["id_reader"],
        "status": ["online", "online", "offline", None, "online"],
        "last_ts": [at(9, 59), at(9, 50), at(9, 59), pd.NaT, at(9, 58)],
    })  # fmt: skip
    st = es.device_states(raw, cutoff=at(9, 57))
    assert st["is_online"].tolist() == [True, False, False, False, True]  # c2: heartbeat too old
    counts = es.device_counts(st).set_index("device_type_code")
    assert counts.loc[
        "camera", ["registered_count", "reporting_count", "online_count"]
    ].tolist() == [4, 3, 1]
    assert es.device_counts(st.iloc[:0]).empty


# --- route deviation ---------------------------------------------------------------------------------

EARTH_M = 6_371_008.8  # mean radius: an independent (spherical) yardstick for the offsets below
LINE = np.array([[104.00, 30.60], [104.10, 30.60]])  # ~9.6 km due east along a parallel


def north(lon: float, metres: float, lat: float = 30.60) -> tuple[float, float]:
    """The point ``metres`` due north of (lon, lat) on a sphere."""
    return lon, lat + math.degrees(metres / EARTH_M)


@pytest.mark.parametrize(
    ("metres", "is_off"),
    [(0, False), (120, False), (490, False), (510, True), (2_000, True)],
)
def test_distance_from_the_planned_path_against_the_threshold(metres, is_off):
    lon, lat = north(104.05, metres)
    d = es.distance_to_path_m(lon, lat, LINE)[0]
    assert d == pytest.approx(metres, rel=0.01, abs=1.0)  # ellipsoid vs sphere: well within 1 %
    assert bool(d > 500) is is_off


def test_distance_is_to_the_segments_not_the_lines_through_them():
    # 300 m beyond the east end, on the line's extension: 300 m from the path, not 0
    lon = 104.10 + math.degrees(300 / (EARTH_M * math.cos(math.radians(30.60))))
    assert es.distance_to_path_m(lon, 30.60, LINE)[0] == pytest.approx(300, rel=0.01)
    corner = np.array([[104.00, 30.60], [104.05, 30.60], [104.05, 30.65]])  # east, then north
    assert es.distance_to_path_m(104.05, 30.62, corner)[0] == pytest.approx(0, abs=1.0)
    # inside the corner, 0.005° west of the northward leg and 0.01° north of the eastward one
    d = es.distance_to_path_m(104.045, 30.61, corner)[0]
    to_leg = 0.005 * es.metres_per_degree(30.625)[0]
    assert d == pytest.approx(to_leg, rel=0.01) and d < 1_000
    assert np.isnan(es.distance_to_path_m(104.0, 30.6, es.parse_path(None))[0])


def test_planned_paths_are_parsed_from_the_plan():
    path = es.parse_path("104.00000,30.60000;104.05000,30.61000;104.10000,30.60000")
    assert path.shape == (3, 2) and path[1].tolist() == [104.05, 30.61]


DEV_ROUTES = pd.DataFrame({
    "route_id": ["R1", "R2"], "session_code": ["GK-1A"] * 2, "leg_code": ["deliver"] * 2,
    "site_code": ["S1", "S2"], "vehicle_id": ["川A1", "川A2"],
    "planned_depart": [at(7), at(7)], "planned_arrive": [at(8), at(8)],
    "waypoints": ["104.00,30.60;104.10,30.60"] * 2,
})  # fmt: skip


def track(route: str, rows: list[tuple[dt.datetime, float, float, str]]) -> list[dict]:
    """GPS reports ``(time, east fraction of the line, metres north of it, state)``."""
    out = []
    for t, frac, metres, state in rows:
        lon, lat = north(104.0 + 0.1 * frac, metres)
        out.append({"route_id": route, "vehicle_id": "川A" + route[1], "site_code": "S" + route[1],
                    "ts": t, "lon": lon, "lat": lat, "state": state, "speed_kmh": 30.0})  # fmt: skip
    return out


def test_a_vehicle_off_its_route_raises_an_alarm_until_it_is_back():
    events = pd.DataFrame(
        track("R1", [(at(7, 5), 0.1, 0, "moving"), (at(7, 10), 0.2, 510, "moving"),
                     (at(7, 15), 0.3, 1_400, "moving"), (at(7, 20), 0.4, 490, "moving"),
                     (at(7, 50), 1.0, 0, "delivered")])
        + track("R2", [(at(7, 5), 0.1, 0, "moving"), (at(7, 10), 0.2, 490, "moving"),
                       (at(7, 20), 0.3, 800, "moving")])
    )  # fmt: skip
    tr = es.transport(DEV_ROUTES, events, SESSIONS, at(7, 25), REAL, deviation_m=500)
    a = tr.alerts.set_index("alert_id")
    one = a.loc["TRANSPORT-R1-off_route"]  # 510 m out, back within 500 m at 07:20
    assert (one["alert_kind"], one["severity"], one["state"]) == ("off_route", "high", "closed")
    assert one["raised_at"] == pd.Timestamp(at(7, 10)) and one["updated_at"] == pd.Timestamp(
        at(7, 20)
    )
    assert one["distance_m"] == pytest.approx(1_400, rel=0.01)  # the farthest
    assert (one["vehicle_id"], one["route_id"]) == ("川A1", "R1")
    two = a.loc["TRANSPORT-R2-off_route"]  # 490 m is on route; 800 m is not, and still is
    assert two["state"] == "open" and two["raised_at"] == pd.Timestamp(at(7, 20))
    v = tr.vehicles.set_index("route_id")
    assert bool(v.loc["R2", "is_off_route"]) and not bool(v.loc["R1", "is_off_route"])
    assert v.loc["R2", "off_route_m"] == pytest.approx(800, rel=0.01)
    # a stricter distance turns 490 m into a deviation; a looser one clears R2
    strict = es.transport(DEV_ROUTES, events, SESSIONS, at(7, 25), REAL, deviation_m=450)
    assert strict.alerts.set_index("alert_id").loc["TRANSPORT-R2-off_route", "raised_at"] == (
        pd.Timestamp(at(7, 10))
    )
    loose = es.transport(DEV_ROUTES, events, SESSIONS, at(7, 25), REAL, deviation_m=1_000)
    assert set(loose.alerts["alert_id"]) == {"TRANSPORT-R1-off_route"}


def test_leaving_the_route_again_reopens_the_alarm():
    events = pd.DataFrame(track("R1", [(at(7, 10), 0.2, 900, "moving"), (at(7, 15), 0.3, 0, "moving"),
                                       (at(7, 20), 0.4, 700, "moving")]))  # fmt: skip
    a = es.transport(DEV_ROUTES, events, SESSIONS, at(7, 25), REAL).alerts.set_index("alert_id")
    assert a.loc["TRANSPORT-R1-off_route", "state"] == "open"
    assert a.loc["TRANSPORT-R1-off_route", "raised_at"] == pd.Timestamp(at(7, 10))


def test_the_threshold_comes_from_the_configuration(monkeypatch):
    monkeypatch.setenv("EDUSIGHT_EXAM_ROUTE_DEVIATION_M", "750")
    assert es.Thresholds.from_config().route_deviation_m == 750.0
    assert es.Thresholds().route_deviation_m == 500.0

"""The live event schema: every kind validates, every rule refuses what it should (with reason),
tokens are per site, the plan's codes are checked, the exam clock maps a simulation onto now."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from etl.feed import tokens
from etl.feed.clock import REAL, Clock, simulation
from etl.feed.plan import Plan
from etl.feed.schema import KINDS, Invalid, validate

NOW = dt.datetime(2026, 6, 7, 9, 30)
SITE = "GK22-510104-01"
ROOM = f"{SITE}-001"
EVENTS = {
    "checkin": {
        "session_code": "GK-1A",
        "room_code": ROOM,
        "seat_no": 7,
        "method": "face",
        "result": "pass",
    },
    "absent": {"session_code": "GK-1A", "room_code": ROOM, "seat_no": 8},
    "heartbeat": {"device_id": f"{SITE}-D0001", "device_type": "camera", "status": "online"},
    "radio": {"alert_id": "R-1", "status": "detected", "frequency_mhz": 433.92},
    "incident": {
        "alert_id": "I-1",
        "category": "public_health",
        "severity": "low",
        "status": "reported",
    },
    "custody": {"room_code": f"{SITE}-901", "action": "door_open", "persons": 2},
    "transport": {
        "route_id": "YS2200001",
        "vehicle_id": "川A12345",
        "lon": 104.07,
        "lat": 30.66,
        "state": "moving",
        "speed_kmh": 31.5,
    },  # fmt: skip
    "ack": {"alert_id": "R-1", "user_name": "张三"},
}
PRINCIPAL = {"transport": "gps", "ack": "command"}


def event(kind: str, **over) -> dict:
    e = {
        "event_id": f"e-{kind}",
        "kind": kind,
        "site_code": SITE,
        "ts": "2026-06-07T09:29:00+08:00",
    }
    return {**e, **EVENTS[kind], **over}


def check(kind: str, **over) -> dict:
    return validate(event(kind, **over), principal=PRINCIPAL.get(kind, SITE), exam_now=NOW)


def reason(kind: str, principal: str | None = None, plan: Plan | None = None, **over) -> str:
    with pytest.raises(Invalid) as e:
        validate(
            event(kind, **over),
            principal=principal or PRINCIPAL.get(kind, SITE),
            exam_now=NOW,
            plan=plan,
        )
    return e.value.reason


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_validates_into_a_typed_row(kind):
    row = check(kind)
    assert row["kind"] == kind and row["event_id"] == f"e-{kind}"
    assert row["ts"] == dt.datetime(2026, 6, 7, 9, 29)
    assert row["received_at"] is None  # set when landed


def test_timestamps_are_normalized_to_china_standard_time():
    assert check("absent", ts="2026-06-07T01:29:00Z")["ts"] == dt.datetime(2026, 6, 7, 9, 29)
    assert check("absent", ts="2026-06-07T09:29:00")["ts"] == dt.datetime(2026, 6, 7, 9, 29)
    assert reason("absent", ts="07/06/2026 09:29") == "bad_timestamp"
    assert reason("absent", ts=1780000000) == "bad_timestamp"
    assert reason("absent", ts="2026-06-07T09:40:00+08:00") == "ts_in_future"
    assert reason("absent", ts="2026-05-01T09:00:00+08:00") == "ts_too_old"


@pytest.mark.parametrize(
    ("kind", "over", "why"),
    [
        ("checkin", {"seat_no": None}, "missing:seat_no"),
        ("checkin", {"seat_no": "7"}, "bad_type:seat_no"),
        ("checkin", {"seat_no": 31}, "out_of_range:seat_no"),
        ("checkin", {"seat_no": 7.5}, "bad_type:seat_no"),
        ("checkin", {"seat_no": True}, "bad_type:seat_no"),
        ("checkin", {"result": "ok"}, "bad_value:result"),
        ("checkin", {"room_code": "x;DROP TABLE"}, "bad_format:room_code"),
        ("checkin", {"color": "red"}, "unknown_field:color"),
        ("checkin", {"event_id": " "}, "missing:event_id"),
        ("checkin", {"event_id": "a" * 81}, "too_long:event_id"),
        ("heartbeat", {"device_type": "toaster"}, "bad_value:device_type"),
        ("radio", {"frequency_mhz": float("nan")}, "bad_type:frequency_mhz"),
        ("radio", {"status": "located"}, "missing:lon"),
        ("incident", {"category": "aliens"}, "bad_value:category"),
        ("transport", {"lat": 45.0}, "out_of_range:lat"),
        ("custody", {"persons": -1}, "out_of_range:persons"),
    ],
)
def test_malformed_events_are_refused_with_a_reason(kind, over, why):
    assert reason(kind, **over) == why


def test_not_an_object_or_no_kind():
    with pytest.raises(Invalid, match="not_an_object"):
        validate(["x"], principal=SITE, exam_now=NOW)
    with pytest.raises(Invalid, match="missing:kind"):
        validate({"event_id": "x"}, principal=SITE, exam_now=NOW)
    with pytest.raises(Invalid, match="bad_value:kind"):
        validate({"kind": "party"}, principal=SITE, exam_now=NOW)


def test_a_site_may_only_report_about_itself_and_only_its_kinds():
    assert reason("checkin", principal="GK22-510105-01") == "site_not_permitted"
    assert reason("transport", principal=SITE) == "kind_not_permitted"
    assert reason("checkin", principal="gps") == "kind_not_permitted"
    assert reason("ack", principal=SITE) == "kind_not_permitted"
    assert check("transport")["site_code"] == SITE  # gps reports for any site


def test_radio_alerts_default_to_high_severity():
    assert check("radio")["severity"] == "high"
    assert check("radio", severity="critical")["severity"] == "critical"


PLAN = Plan(
    sites={SITE: "高考", "GK22-510105-01": "高考"},
    rooms={
        ROOM: (SITE, "考场", 28),
        f"{SITE}-901": (SITE, "保密室", 0),
        "GK22-510105-01-001": ("GK22-510105-01", "考场", 30),
    },
    devices={f"{SITE}-D0001": (SITE, "camera")},
    routes={"YS2200001": (SITE, "川A12345")},
    sessions={"GK-1A": "高考", "ZK-1A": "中考"},
)


@pytest.mark.parametrize(
    ("kind", "over", "why"),
    [
        ("checkin", {"site_code": "GK22-510199-01"}, "unknown_site"),
        ("checkin", {"room_code": "GK22-510104-01-999"}, "unknown_room"),
        ("checkin", {"room_code": "GK22-510105-01-001"}, "room_not_in_site"),
        ("checkin", {"seat_no": 29}, "out_of_range:seat_no"),  # the room seats 28
        ("checkin", {"session_code": "ZK-1A"}, "unknown_session"),
        ("checkin", {"room_code": f"{SITE}-901"}, "not_an_exam_room"),
        ("custody", {"room_code": ROOM}, "not_a_secure_room"),
        ("heartbeat", {"device_id": "X-D1"}, "unknown_device"),
        ("heartbeat", {"device_type": "jammer"}, "device_type_mismatch"),
        ("transport", {"route_id": "YS9"}, "unknown_route"),
        ("transport", {"vehicle_id": "川B00000"}, "vehicle_mismatch"),
        ("transport", {"site_code": "GK22-510105-01"}, "route_not_in_site"),
    ],
)
def test_codes_are_checked_against_the_exam_plan(kind, over, why):
    principal = "GK22-510199-01" if over.get("site_code") == "GK22-510199-01" else None
    assert reason(kind, principal=principal, plan=PLAN, **over) == why


def test_valid_events_pass_the_plan():
    for kind in ("checkin", "absent", "heartbeat", "custody", "transport"):
        validate(event(kind), principal=PRINCIPAL.get(kind, SITE), exam_now=NOW, plan=PLAN)


# --- tokens ------------------------------------------------------------------------------------


def test_tokens_are_per_principal_and_need_the_secret():
    secret = b"s3cret"
    tok = tokens.token_for(SITE, secret)
    assert tok.startswith(f"{SITE}.") and len(tok.split(".")[1]) == 32
    assert tokens.principal_of(tok, secret) == SITE
    assert tokens.principal_of(tok, b"other") is None
    assert tokens.principal_of(tok[:-1] + ("0" if tok[-1] != "0" else "1"), secret) is None
    forged = "GK22-510105-01." + tok.split(".")[1]  # another site's name with this MAC
    assert tokens.principal_of(forged, secret) is None
    assert tokens.principal_of(None, secret) is None
    assert tokens.principal_of("no-dot", secret) is None
    assert tokens.token_for("gps", secret) != tokens.token_for("command", secret)
    with pytest.raises(ValueError):
        tokens.token_for("a.b", secret)


def test_the_secret_file_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv("EDUSIGHT_FEED_SECRET", raising=False)
    monkeypatch.setenv("EDUSIGHT_FEED_SECRET_FILE", str(tmp_path / "feed.key"))
    first = tokens.feed_secret()
    assert len(first) == 64 and (tmp_path / "feed.key").stat().st_mode & 0o777 == 0o600
    assert tokens.feed_secret() == first
    monkeypatch.setenv("EDUSIGHT_FEED_SECRET", "from-env")
    assert tokens.feed_secret() == b"from-env"


# --- the clock -----------------------------------------------------------------------------------


def test_the_simulation_clock_maps_the_exam_day_onto_today():
    wall = dt.datetime(2026, 11, 30, 14, 0, 0)
    c = simulation(
        exam="高考",
        plan_day=dt.date(2022, 6, 7),
        start=dt.time(7, 0),
        speed=60,
        run_id="r",
        wall=wall,
    )
    assert c.is_simulated and c.day_shift_days == (dt.date(2026, 11, 30) - dt.date(2022, 6, 7)).days
    assert c.now(wall) == dt.datetime(2026, 11, 30, 7, 0)
    assert c.now(wall + dt.timedelta(minutes=1)) == dt.datetime(2026, 11, 30, 8, 0)  # ×60
    assert c.wall_of(dt.datetime(2026, 11, 30, 9, 0)) == wall + dt.timedelta(minutes=2)
    assert c.shift(dt.datetime(2022, 6, 7, 9, 0)) == dt.datetime(2026, 11, 30, 9, 0)
    assert c.exam_seconds(120) == 7200
    assert Clock.from_json(c.to_json()) == c
    assert REAL.now(wall) == wall and REAL.exam_seconds(120) == 120 and not REAL.is_simulated
    with pytest.raises(ValueError):
        Clock.from_json('{"speed": 0}')
    ended = dataclasses.replace(c, ended_wall=wall + dt.timedelta(minutes=2))
    assert ended.now(wall + dt.timedelta(hours=5)) == dt.datetime(
        2026, 11, 30, 9, 0
    )  # stays at the end
    assert Clock.from_json(ended.to_json()) == ended


def test_the_feed_document_names_every_kind_field_and_setting():
    from pathlib import Path

    from edusight import config
    from etl.feed.schema import FIELDS, INCIDENT_CATEGORIES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "exam-feed.md").read_text(
        encoding="utf-8"
    )
    for kind, (required, optional) in FIELDS.items():
        assert f"`{kind}`" in doc, kind
        for f in (*required, *optional):
            assert f"`{f.name}`" in doc, f"{kind}.{f.name}"
            for v in f.values:
                assert f"`{v}`" in doc, f"{kind}.{f.name}={v}"
    for c in INCIDENT_CATEGORIES:
        assert f"`{c}`" in doc
    for s in config.SETTINGS.values():
        if s.env.startswith(("EDUSIGHT_FEED", "EDUSIGHT_EXAM")):
            assert f"`{s.env}`" in doc, s.env

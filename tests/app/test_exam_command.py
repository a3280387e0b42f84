"""AppTest of the exam command screen (the fragment runs once per script run; its periodic
refresh is tested in a real browser, tests/e2e/test_exam_command_live.py).

The database is the one the real ETL built (``built_db``); the landing area is a temp folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from edusight import pages
from edusight.i18n import t
from etl.feed.clock import Clock, wall_now
from etl.feed.ingest import Ingestor
from etl.feed.landing import Landing
from etl.feed.plan import PlanSource
from etl.feed.schema import COLUMNS, as_table
from etl.feed.simulate import build_day, day_events, load_sim_plan

ROOT = Path(__file__).resolve().parents[2]
PAGE = pages.by_path("pages/exam_command.py")
KPIS = ["exam.kpi.sites", "exam.kpi.expected", "exam.kpi.checked_in", "exam.kpi.absent", "exam.kpi.cameras",
        "exam.kpi.alerts"]  # fmt: skip


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Landing:
    monkeypatch.setenv("EDUSIGHT_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("EDUSIGHT_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    return Landing(tmp_path / "landing")


def open_screen(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update(query or {})
    at.run()
    at.switch_page(PAGE.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def banners(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "es-banner" in h.proto.body]


def metric(at: AppTest, key: str, lang: str = "zh"):
    return next(m for m in at.metric if m.label == t(key, lang=lang))


@pytest.fixture(scope="module")
def replay(built_db: Path):
    """The first 高考 morning's script up to 10:15, replayed today."""
    plan = load_sim_plan(built_db, "gaokao")
    day = build_day(plan, 1, wall_now().date(), np.random.default_rng(5))
    return day, day_events(day, 10.25 * 3600)


def land_replay(landing: Landing, built_db: Path, replay) -> Clock:
    day, events = replay
    exam_now = dt.datetime.combine(day.date, dt.time(10, 15))
    clock = Clock(speed=1, anchor_wall=wall_now(), anchor_exam=exam_now, exam="高考",
                  day_shift_days=(day.date - day.plan_date).days)  # fmt: skip
    landing.write_clock(clock)
    ing = Ingestor(landing, PlanSource(built_db))
    by: dict[str, list[dict]] = {}
    for p, e in events:
        by.setdefault(p, []).append(e)
    for p, evs in by.items():
        assert {r["status"] for r in ing.submit(evs, p, "test")} == {"accepted"}
    return clock


def test_without_live_data_the_screen_says_so_and_shows_the_plan(built_db, landing):
    at = open_screen()
    assert [x.value for x in at.title] == [t("page.exam_command.title", lang="zh")]
    assert [m.label for m in at.metric] == [t(k, lang="zh") for k in KPIS]
    assert metric(at, "exam.kpi.checked_in").value == "0"
    sites = metric(at, "exam.kpi.sites").value
    assert sites.startswith("0 / ")
    assert len(banners(at)) == 1  # not an exam day (the plan is 2022): no live data, said plainly
    assert len(at.get("deck_gl_json_chart")) == 2


def test_live_numbers_alerts_and_acknowledgement(built_db, landing, replay):
    land_replay(landing, built_db, replay)
    _, events = replay
    ev = pd.DataFrame([e for _, e in events])
    passed = ev[(ev["kind"] == "checkin") & (ev["result"] == "pass")][
        ["room_code", "seat_no"]
    ].drop_duplicates()
    at = open_screen()
    assert metric(at, "exam.kpi.checked_in").value == f"{len(passed):,}"
    assert (
        "截至 10:1" in metric(at, "exam.kpi.checked_in").delta
    )  # every number says how current it is
    assert not banners(at)  # the feed is live
    table = at.dataframe[0].value  # the alert timeline, newest first
    assert t("exam.kind.radio", lang="zh") in " ".join(table["title"])
    # acknowledge the open 保密室 alert: an ack event lands, the timeline shows who, and the
    # one-off alert closes
    box = at.selectbox(key="exam_ack_pick")
    custody = t("exam.kind.custody_single", lang="zh")
    box.select_index(next(i for i, o in enumerate(box.options) if custody in o)).run()
    at.button(key="exam_ack_button").click().run()
    assert not at.exception
    acks = landing.read_table().to_pandas()
    acks = acks[acks["kind"] == "ack"]
    assert len(acks) == 1 and acks["alert_id"].iloc[0].startswith("CUSTODY-1P-")
    assert acks["user_name"].tolist() == ["demo"] and acks["source"].tolist() == ["screen"]
    audit = (landing.root.parent / "audit.jsonl").read_text(encoding="utf-8")
    assert '"event": "exam_ack"' in audit and acks["alert_id"].iloc[0] in audit
    table = at.dataframe[0].value
    row = table[table["title"] == custody].iloc[0]
    assert "demo" in row["ack"] and row["state"] == t("exam.state.closed", lang="zh")
    assert not any(custody in o for o in at.selectbox(key="exam_ack_pick").options)


def test_drill_down_to_one_site(built_db, landing, replay):
    land_replay(landing, built_db, replay)
    at = open_screen()
    site = at.selectbox(key="exam_site")
    assert site.options[0] == t("exam.site.none", lang="zh")
    site.select_index(1).run()
    assert not at.exception
    rooms = next(d.value for d in at.dataframe if "room_name" in d.value.columns)
    assert (rooms["room_type"] == "考场").sum() >= 1
    assert len([m for m in at.metric if m.label == t("exam.kpi.checked_in", lang="zh")]) == 2


def test_a_stopped_feed_and_a_silent_site_are_shown(built_db, landing, replay):
    from edusight import queries

    day, _ = replay  # the exam day on today's calendar, the exam clock at 10:15
    exam_now = dt.datetime.combine(day.date, dt.time(10, 15))
    landing.write_clock(Clock(speed=1, anchor_wall=wall_now(), anchor_exam=exam_now, exam="高考",
                              day_shift_days=(day.date - day.plan_date).days))  # fmt: skip
    site_codes = queries.run("exam_sites", queries.all_units(), exam="gaokao")["site_code"].tolist()
    old = exam_now - dt.timedelta(minutes=10)
    rows = []
    for i, code in enumerate(site_codes):
        r = dict.fromkeys(COLUMNS)
        r.update(event_id=f"x{i}", kind="custody", site_code=code, ts=old, received_at=wall_now() - dt.timedelta(minutes=10), principal=code,
                 source="test", room_code=f"{code}-901", action="door_close", persons=2)  # fmt: skip
        rows.append(r)
    with landing.lock():
        landing.ensure()
        landing.write_batch(as_table(rows))
    at = open_screen()
    stale = banners(at)
    assert len(stale) == 1 and "es-banner-stale" in stale[0]
    assert old.strftime("%H:%M:%S") in stale[0]  # the time of the last event
    assert "已中断" in metric(at, "exam.kpi.checked_in").delta
    sites = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert set(sites["status"]) == {t("exam.status.stale", lang="zh")}
    assert metric(at, "exam.kpi.sites").value == f"0 / {len(site_codes)}"


def test_kiosk_dark_english_big_screen_layout(built_db, landing, replay):
    land_replay(landing, built_db, replay)
    at = open_screen({"kiosk": "1", "theme": "dark", "lang": "en"})
    assert [m.label for m in at.metric] == [t(k, lang="en") for k in KPIS]
    assert not at.get("segmented_control")  # no controls on the wall screen
    bodies = " ".join(h.proto.body for h in at.get("html"))
    assert "es-alerts" in bodies and "es-sites" in bodies and "es-countdown" in bodies
    assert "font-size: 3.0rem" in bodies  # the big-screen CSS
    assert "Demo simulation clock ×1" in bodies  # a simulation clock is always labelled


def test_a_vehicle_off_its_route_is_alarmed_and_shown_on_the_transport_map(
    built_db, landing, replay
):
    from edusight import exam_state as es
    from edusight import queries

    clock = land_replay(landing, built_db, replay)
    route = queries.run("exam_routes", queries.all_units(), exam="gaokao").iloc[0]
    path = es.parse_path(route["waypoints"])
    x, y = path[len(path) // 2]
    spots = [(x + dx, y + dy) for dx, dy in ((0, 0.03), (0, -0.03), (0.03, 0), (-0.03, 0))]
    lon, lat = max(spots, key=lambda p: es.distance_to_path_m(p[0], p[1], path)[0])
    far_m = es.distance_to_path_m(lon, lat, path)[0]
    assert far_m > 1_000
    report = {"event_id": "off-1", "kind": "transport", "site_code": route["site_code"],
              "ts": (clock.now() - dt.timedelta(minutes=1)).isoformat(), "route_id": route["route_id"],
              "vehicle_id": route["vehicle_id"], "lon": round(lon, 5), "lat": round(lat, 5), "state": "moving"}  # fmt: skip
    assert (
        Ingestor(landing, PlanSource(built_db)).submit([report], "gps", "test")[0]["status"]
        == "accepted"
    )
    at = open_screen()
    table = at.dataframe[0].value
    title = t("exam.kind.off_route", lang="zh")
    row = table[table["title"].str.startswith(title)].iloc[0]
    assert route["vehicle_id"] in row["title"] and route["route_id"] in row["title"]
    assert f"{far_m / 1000:.1f}" in row["title"]  # the distance, in km
    assert row["state"] == t("exam.state.open", lang="zh")
    captions = " ".join(c.value for c in at.caption)
    assert "偏离路线 1 ·" in captions  # the transport map's counts
    assert f"{es.Thresholds().route_deviation_m:g} 米" in captions  # the rule, in the method note

"""考试指挥大屏 / Exam command (智慧招考, work item 十一): the live exam-day screen.

Reads the exam plan (marts, cached) and the live events in the landing area (not cached) and
refreshes itself every few seconds (``st.fragment(run_every=…)``). ``?kiosk=1&theme=dark`` gives
the big-screen layout. The page's only write is an acknowledgement, landed as an ``ack`` event
through the feed's atomic path (etl/feed/ingest.py) so every screen sees it.
"""

import dataclasses
import time

import pandas as pd
import streamlit as st

from edusight import audit, auth, config, queries, theme, ui
from edusight import exam_state as es
from edusight.figures import exam as figures
from edusight.i18n import N_, col, current_lang, t
from etl.feed.clock import wall_now
from etl.feed.ingest import land_ack
from etl.feed.landing import Landing
from etl.feed.schema import SEVERITIES, VEHICLE_STATES

STATUS = {s: N_(f"exam.status.{s}") for s in es.SITE_STATUSES}
SEVERITY = {s: N_(f"exam.severity.{s}") for s in SEVERITIES}
STATE = {s: N_(f"exam.state.{s}") for s in ("open", "handling", "closed")}
RAW = {
    s: N_(f"exam.raw.{s}")
    for s in ("detected", "located", "disposed", "reported", "handling", "resolved")
}
KIND = {k: N_(f"exam.kind.{k}") for k in (
    "radio", "incident", "long_stop", "late", "off_route", "custody_outside", "custody_single",
    "identity_mismatch",
)}  # fmt: skip
VEHICLE = {s: N_(f"exam.vehicle.{s}") for s in VEHICLE_STATES}
PHASE = {p: N_(f"exam.clock.{p}") for p in ("before", "running", "ended", "none")}
EXAM = {"gaokao": N_("exam.exam.gaokao"), "zhongkao": N_("exam.exam.zhongkao")}
ACK_ROLES = ("leadership", "admin", "exam")
# the screen refreshes itself every few seconds: no fading of the previous numbers meanwhile
CSS = """
[data-testid="stElementContainer"][data-stale="true"] { opacity: 1 !important; transition: none !important; }
"""
DARK_CSS = """
[data-testid="stMetricDelta"] { background: transparent !important; padding-left: 0 !important; }
"""
BIG_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 0.6rem !important; }
[data-testid="stMetricValue"] { font-size: 3.0rem !important; line-height: 1.1; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
[data-testid="stMetricDelta"] p { font-size: 1.0rem !important; }
[data-testid="stHeading"] h1 { font-size: 1.9rem !important; padding: 0 0 0.2rem 0; }
[data-testid="stHeading"] h3 { font-size: 1.3rem !important; padding: 0.3rem 0 0.2rem 0; }
[data-testid="stCaptionContainer"] p { font-size: 1.0rem !important; }
@media (max-width: 1700px) {  /* six numbers in a row on a screen narrower than 1920: labels whole */
  [data-testid="stMetricLabel"] p { font-size: 1.0rem !important; }
  [data-testid="stMetricDelta"] p { font-size: 0.85rem !important; }
}
"""

kiosk = ui.is_kiosk()
tname = theme.current_theme()
ui.page_header("page.exam_command.title", None if kiosk else "exam.intro")
scope = queries.viewer_scope()
landing = Landing(config.path("landing_dir"))
thresholds = es.Thresholds.from_config()
overview = queries.run("exam_overview", scope)
st.html(f"<style>{CSS}{DARK_CSS if tname == 'dark' else ''}{BIG_CSS if kiosk else ''}</style>")

# --- controls: the exam (automatic by default; ?exam=gaokao|zhongkao) ----------------------------
if st.session_state.get("exam_choice") not in ("auto", *EXAM):
    url_exam = st.query_params.get("exam", "auto")
    st.session_state["exam_choice"] = url_exam if url_exam in EXAM else "auto"
if not kiosk:
    st.segmented_control(
        t("exam.choice"),
        ["auto", *EXAM],
        format_func=lambda c: t("exam.choice.auto") if c == "auto" else t(EXAM[c]),
        key="exam_choice",
        help=t("exam.choice.help"),
    )


# --- text helpers -----------------------------------------------------------------------------


def hhmmss(v) -> str:
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%H:%M:%S")


def alert_title(a: dict) -> str:
    title = t(KIND[a["alert_kind"]])
    if a["alert_kind"] == "incident" and isinstance(a.get("category"), str):
        title += " · " + t(f"exam.incident.{a['category']}")
    freq = a.get("frequency_mhz")
    if a["alert_kind"] == "radio" and freq is not None and not pd.isna(freq):
        title += f" · {freq:g} MHz"
    if isinstance(a.get("vehicle_id"), str):
        title += f" · {a['vehicle_id']}"
    dist = a.get("distance_m")
    if a["alert_kind"] == "off_route" and dist is not None and not pd.isna(dist):
        title += " · " + t("exam.alert.off_route", route=a["route_id"], km=km(dist))
    return title


def km(metres) -> str:
    return f"{float(metres) / 1000:.1f}"


def alert_state(a: dict) -> str:
    raw = a.get("status")
    return f"{t(STATE[a['state']])} · {t(RAW[raw])}" if raw in RAW else t(STATE[a["state"]])


def alert_rows(s: es.Screen, names: dict[str, str], limit: int) -> list[dict]:
    return [
        {"alert_id": a["alert_id"], "site_code": a["site_code"], "severity": a["severity"],
         "severity_label": t(SEVERITY[a["severity"]]), "time": hhmmss(a["raised_at"]), "title": alert_title(a),
         "site": names.get(a["site_code"], a["site_code"]), "state": alert_state(a),
         "ack": t("exam.ack.by", user=a["acked_by"], time=hhmmss(a["acked_at"])) if a["is_acked"] else "",
         "closed": not a["is_open"]}
        for a in s.alerts.head(limit).to_dict("records")
    ]  # fmt: skip


def attention_rows(s: es.Screen, names: dict[str, str], limit: int) -> list[dict]:
    """Sites that are not normal, worst first: status, name, and what is wrong."""
    order = {x: i for i, x in enumerate(es.SITE_STATUSES)}
    v = s.sites.assign(status=s.sites["status"].fillna("no_data"))
    v = (
        v[v["status"] != "ok"]
        .assign(rank=lambda d: d["status"].map(order))
        .sort_values(["rank", "site_code"])
    )
    out = []
    for r in v.head(limit).to_dict("records"):
        if r["status"] == "stale":
            detail = t("exam.sites.stale_since", time=hhmmss(r["last_ts"]))
        elif r["status"] == "no_data":
            detail = t("exam.sites.no_data")
        else:
            detail = t("exam.sites.issue", alerts=int(r["open_alerts"] or 0), online=int(r["cameras_online"] or 0),
                       total=int(r["cameras_registered"] or 0))  # fmt: skip
        out.append({"status": r["status"], "status_label": t(STATUS[r["status"]]), "name": names[r["site_code"]],
                    "detail": detail})  # fmt: skip
    return out


# --- sections -----------------------------------------------------------------------------------


def show_banners(s: es.Screen, exam_name: str) -> None:
    """Red when the feed stopped (or nothing arrived on an exam day); grey otherwise."""
    if s.feed.status == "stale":
        title = t(
            "exam.banner.stale",
            time=hhmmss(s.feed.last_received_exam),
            minutes=f"{s.feed.silent_s / 60:.0f}",
        )
        st.html(figures.banner_html("stale", title, t("exam.banner.stale.body"), big=kiosk))
    elif s.feed.status == "none":
        level = "none" if s.is_exam_day else "info"
        title = t(f"exam.banner.{level}", date=str(s.day or "—"))
        st.html(figures.banner_html(level, title, t("exam.banner.none.body"), big=kiosk))
    if s.clock.is_simulated and s.clock.has_ended:
        ended = hhmmss(s.clock.now(s.clock.ended_wall))
        st.html(figures.banner_html("info", t("exam.banner.sim_ended", time=ended), big=kiosk))
    if s.sites.empty:
        st.info(t("exam.no_sites", exam=exam_name))


def show_clock(s: es.Screen, exam_name: str) -> None:
    row = s.session.row
    if s.session.session_code:
        text = t("exam.clock.session", exam=exam_name, day=row["exam_day"], subject=row[col("subject")],
                 start=f"{s.session.start_at:%H:%M}", end=f"{s.session.end_at:%H:%M}")  # fmt: skip
    else:
        text = t("exam.clock.no_session", exam=exam_name)
    now = t("exam.clock.now", date=f"{s.exam_now:%Y-%m-%d}", time=hhmmss(s.exam_now))
    if s.clock.is_simulated:
        now = t("exam.clock.sim", speed=f"{s.clock.speed:g}") + " · " + now
    countdown = (
        es.fmt_duration(s.session.seconds) if s.session.phase in ("before", "running") else ""
    )
    st.html(
        figures.clock_html(text, t(PHASE[s.session.phase]), countdown, now, theme=tname, big=kiosk)
    )


def show_numbers(s: es.Screen) -> None:
    """Six big numbers; each carries the time of the newest data behind it."""
    k = s.kpis
    stale = s.feed.status == "stale" or (s.feed.status == "none" and s.is_exam_day)
    if s.feed.status == "ok":
        as_of = t("exam.kpi.as_of", time=hhmmss(k.as_of))
    elif s.feed.status == "stale":
        as_of = t("exam.kpi.as_of_stale", time=hhmmss(k.as_of))
    else:
        as_of = t("exam.kpi.no_data")
    tone = "red" if stale else "off"
    pct = "—" if k.checked_in_pct is None else f"{k.checked_in_pct:.1f}%"
    cam_pct = "—" if k.cameras_online_pct is None else f"{k.cameras_online_pct:.1f}%"
    sev = " · ".join(f"{t(SEVERITY[x])} {n}" for x, n in k.open_by_severity.items() if n) or t(
        "exam.kpi.alerts.none"
    )
    serious = k.open_by_severity["critical"] + k.open_by_severity["high"]
    c = st.columns(6) if kiosk else [*st.columns(3), *st.columns(3)]
    c[0].metric(t("exam.kpi.sites"), f"{k.sites_reporting} / {k.sites_total}", border=True,
                delta=t("exam.kpi.sites_stale", n=k.sites_stale) if k.sites_stale else as_of,
                delta_color="red" if k.sites_stale or stale else "off", delta_arrow="off",
                help=t("exam.kpi.sites.help", minutes=f"{thresholds.site_silent_s / 60:g}"))  # fmt: skip
    c[1].metric(t("exam.kpi.expected"), f"{k.expected:,}", border=True, delta_color="off", delta_arrow="off",
                delta=t("exam.kpi.session", session=s.session.session_code or "—"), help=t("exam.kpi.expected.help"))  # fmt: skip
    c[2].metric(t("exam.kpi.checked_in"), f"{k.checked_in:,}", delta=f"{pct} · {as_of}", delta_color=tone,
                delta_arrow="off", help=t("exam.kpi.checked_in.help"), border=True)  # fmt: skip
    c[3].metric(t("exam.kpi.absent"), f"{k.absent:,}", delta=as_of, delta_color=tone, delta_arrow="off",
                help=t("exam.kpi.absent.help"), border=True)  # fmt: skip
    c[4].metric(t("exam.kpi.cameras"), f"{k.cameras_online:,}", border=True, delta_color=tone, delta_arrow="off",
                delta=t("exam.kpi.cameras.delta", total=f"{k.cameras_registered:,}", pct=cam_pct, as_of=as_of),
                help=t("exam.kpi.cameras.help", minutes=f"{thresholds.device_silent_s / 60:g}"))  # fmt: skip
    c[5].metric(t("exam.kpi.alerts"), f"{k.open_alerts}", delta=sev, delta_color="red" if serious else "off",
                delta_arrow="off", help=t("exam.kpi.alerts.help", unacked=k.unacked_open), border=True)  # fmt: skip


def site_map_data(s: es.Screen, names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sites and the located radio alerts, with their tooltips."""
    sites = s.sites.copy()
    sites["status"] = sites["status"].fillna("no_data")
    sites["tip_1"] = [t(STATUS[x]) + ("" if x == "no_data" else t("exam.map.last", time=hhmmss(lt)))
                      for x, lt in zip(sites["status"], sites["last_ts"], strict=True)]  # fmt: skip
    sites["tip_2"] = [t("exam.map.checkin", n=f"{a:,}", total=f"{b:,}", absent=c) for a, b, c in
                      zip(sites["checked_in_count"], sites["candidates"], sites["absent_count"], strict=True)]  # fmt: skip
    sites["tip_3"] = [t("exam.map.cams", online=int(a), total=int(b), alerts=int(c)) for a, b, c in
                      zip(sites["cameras_online"].fillna(0), sites["cameras_registered"].fillna(0),
                          sites["open_alerts"].fillna(0), strict=True)]  # fmt: skip
    radio = s.alerts[
        (s.alerts["alert_kind"] == "radio") & s.alerts["lon"].notna() & s.alerts["is_open"]
    ].copy()
    recs = radio.to_dict("records")
    radio["tip_title"] = [alert_title(a) for a in recs]
    radio["tip_1"] = [alert_state(a) for a in recs]
    radio["tip_2"] = radio["site_code"].map(names).fillna("")
    radio["tip_3"] = radio["detail"].fillna("")
    return sites, radio


def site_map_deck(
    sites: pd.DataFrame, radio: pd.DataFrame, selected: str | None, size: tuple[int, int]
):
    return ui.deck(figures.city_site_map, sites, labels={x: t(v) for x, v in STATUS.items()}, theme=tname,
                   name_col=col("name"), radio=radio, selected_site=selected, big=kiosk, size_px=size)  # fmt: skip


def show_site_map(v: "View", height: int, width: int) -> None:
    selected = st.session_state.get("exam_site")
    # the shared map unless this screen has a site picked (then its own, highlighting it)
    deck = (
        v.site_deck
        if selected is None
        else site_map_deck(v.sites, v.radio, selected, (width, height))
    )
    st.subheader(t("exam.map.sites"))
    st.caption(v.site_counts)
    st.pydeck_chart(
        deck,
        height=height,
        key="exam_site_map",
        on_select=pick_site,
        selection_mode="single-object",
    )
    legend = {x: (figures.STATUS_COLORS[x], t(y)) for x, y in STATUS.items()}
    st.html(figures.legend_html(legend, tname, big=kiosk))


def transport_data(s: es.Screen, names: dict[str, str]) -> pd.DataFrame:
    """The vehicles with their tooltips."""
    v = s.transport.vehicles.copy()
    v["tip_1"] = [t(VEHICLE[x]) + (" · " + t("exam.map.off_route", km=km(d)) if off else "")
                  for x, off, d in zip(v["state"], v["is_off_route"], v["off_route_m"], strict=True)]  # fmt: skip
    v["tip_2"] = [t(f"exam.map.route.{leg}", site=names.get(c, c), arrive=f"{a:%H:%M}") for leg, c, a in
                  zip(v["leg_code"], v["site_code"], v["planned_arrive"], strict=True)]  # fmt: skip
    v["tip_3"] = [t("exam.map.gps", time=hhmmss(x)) for x in v["last_ts"]]
    return v


def show_transport_map(s: es.Screen, v: "View", height: int) -> None:
    tr, counts = s.transport, v.vehicles["state"].value_counts()
    st.subheader(t("exam.map.transport"))
    waiting = tr.routes["is_active"] & ~tr.routes["has_gps"]
    departed = tr.routes["planned_depart"] < pd.Timestamp(s.exam_now)
    st.caption(t("exam.map.transport.counts", moving=int(counts.get("moving", 0) + counts.get("short_stop", 0)),
                 stopped=int(counts.get("long_stop", 0)), off_route=int(v.vehicles["is_off_route"].sum()),
                 delivered=int(counts.get("delivered", 0)),
                 no_gps=int((waiting & departed).sum()), waiting=int((waiting & ~departed).sum())))  # fmt: skip
    st.pydeck_chart(v.transport_deck, height=height, key="exam_transport_map")
    legend = {x: (figures.VEHICLE_COLORS[x], t(y)) for x, y in VEHICLE.items()}
    legend["off_route"] = (figures.OFF_ROUTE_COLOR, t("exam.vehicle.off_route"))
    st.html(figures.legend_html(legend, tname, big=kiosk))


def show_alert_table(rows: list[dict]) -> None:
    if not rows:
        st.caption(t("exam.alerts.none"))
        return
    table = pd.DataFrame({
        "time": [r["time"] for r in rows],
        "severity": [r["severity_label"] for r in rows],
        "title": [r["title"] for r in rows],
        "site": [r["site"] for r in rows],
        "state": [r["state"] for r in rows],
        "ack": [r["ack"] for r in rows],
    })  # fmt: skip
    colour = {t(SEVERITY[x]): figures.SEVERITY_COLORS[x] for x in SEVERITY}
    styled = table.style.map(lambda v: f"background-color: {colour[v]}; color: #ffffff; font-weight: 600",
                             subset=["severity"])  # fmt: skip
    ui.dataframe(styled, hide_index=True, key="exam_alert_table", height=min(38 + 35 * len(rows), 360),
                 column_config={"time": t("exam.col.time"), "severity": t("exam.col.severity"),
                                "title": t("exam.col.alert"), "site": t("exam.col.site"),
                                "state": t("exam.col.state"), "ack": t("exam.col.ack")})  # fmt: skip


def show_ack_form(s: es.Screen) -> None:
    """Acknowledge an open alert (leadership, admin, exam roles): lands an ``ack`` event."""
    viewer = auth.current_viewer()
    if viewer is None or (viewer.role not in ACK_ROLES and not viewer.is_demo):
        return
    pending = s.alerts[s.alerts["is_open"] & ~s.alerts["is_acked"]]
    by_id = {a["alert_id"]: a for a in pending.to_dict("records")}
    if not by_id:
        return
    if st.session_state.get("exam_ack_pick") not in by_id:
        st.session_state["exam_ack_pick"] = None
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    pick = c1.selectbox(t("exam.ack.select", n=len(by_id)), list(by_id), key="exam_ack_pick",
                        placeholder=t("exam.ack.placeholder"),
                        format_func=lambda i: f"{hhmmss(by_id[i]['raised_at'])} {alert_title(by_id[i])}")  # fmt: skip
    alert = by_id.get(pick, {})
    c2.button(t("exam.ack.button"), key="exam_ack_button", disabled=pick is None, width="stretch",
              on_click=acknowledge, args=(alert.get("alert_id"), alert.get("site_code"),
                                          alert_title(alert) if alert else "", s.exam_now))  # fmt: skip


def acknowledge(alert_id: str, site_code: str, title: str, exam_now) -> None:
    """The acknowledge button's action (a callback: it runs once, before the rerun)."""
    land_ack(
        landing,
        alert_id=alert_id,
        site_code=site_code,
        user=auth.current_user_name(),
        exam_now=exam_now,
    )
    audit.record("exam_ack", alert_id=alert_id, site=site_code)
    _screen_of_period.clear()  # every screen shows the acknowledgement at its next refresh
    _view_of_period.clear()
    st.session_state["exam_ack_pick"] = None
    st.toast(t("exam.ack.done", alert=title))


def sites_table(s: es.Screen, names: dict[str, str]) -> pd.DataFrame:
    """Every site, those needing attention first."""
    order = {x: i for i, x in enumerate(es.SITE_STATUSES)}
    v = s.sites.assign(status=s.sites["status"].fillna("no_data"))
    v = v.assign(rank=v["status"].map(order)).sort_values(["rank", "site_code"])
    return pd.DataFrame({
        "site": [names[c] for c in v["site_code"]],
        "status": [t(STATUS[x]) for x in v["status"]],
        "last": [hhmmss(x) for x in v["last_ts"]],
        "checkin": [f"{a:,} / {b:,}" for a, b in zip(v["checked_in_count"], v["candidates"], strict=True)],
        "absent": v["absent_count"].to_numpy(),
        "cams": [f"{int(a)} / {int(b)}" for a, b in zip(v["cameras_online"].fillna(0),
                                                          v["cameras_registered"].fillna(0), strict=True)],
        "alerts": v["open_alerts"].fillna(0).astype(int).to_numpy(),
    })  # fmt: skip


def show_sites(v: "View", height: int) -> None:
    st.subheader(t("exam.sites.header"))
    ui.dataframe(
        v.sites_table, hide_index=True, key="exam_site_table", height=min(38 + 35 * len(v.sites_table), height),
        column_config={"site": t("exam.col.site"), "status": t("exam.col.status"), "last": t("exam.col.last"),
                       "checkin": t("exam.col.checkin"), "absent": t("exam.col.absent"),
                       "cams": t("exam.col.cams"), "alerts": t("exam.col.alerts")},
    )  # fmt: skip
    st.caption(t("exam.sites.note", minutes=f"{thresholds.site_silent_s / 60:g}"))


def curve_figure(s: es.Screen, height: int) -> ui.FigureSpec:
    labels = {"title": t("exam.curve.title"), "y": t("exam.kpi.checked_in"), "expected": t("exam.kpi.expected"),
              "start": t("exam.curve.start"), "empty": t("exam.curve.empty")}  # fmt: skip
    return ui.figure(figures.checkin_curve, s.curve, expected=s.kpis.expected, start_at=s.session.start_at,
                     labels=labels, template=theme.plotly_template(), height=height)  # fmt: skip


def pick_site() -> None:
    """A click on a site on the map opens its drill-down."""
    state = st.session_state.get("exam_site_map") or {}
    for picked in (state.get("selection", {}) or {}).get("objects", {}).values():
        if picked and picked[0].get("site_code"):
            st.session_state["exam_site"] = picked[0]["site_code"]
            return


def show_site_detail(s: es.Screen, names: dict[str, str], rows: list[dict]) -> None:
    """One site: its rooms (expected, checked in, absent, cameras), devices down, its alerts."""
    st.subheader(t("exam.site.header"))
    if st.session_state.get("exam_site") not in [None, *names]:
        st.session_state["exam_site"] = None
    site = st.selectbox(t("exam.site.select"), [None, *names], key="exam_site",
                        format_func=lambda c: t("exam.site.none") if c is None else names[c])  # fmt: skip
    if site is None:
        st.caption(t("exam.site.hint"))
        return
    one = s.sites[s.sites["site_code"] == site].iloc[0]
    status = one["status"] if isinstance(one["status"], str) else "no_data"
    st.markdown(t("exam.site.summary", status=t(STATUS[status]), last=hhmmss(one["last_ts"]),
                  rooms=int(one["exam_room_count"]),
                  standardized=t("exam.yes") if one["is_standardized"] else t("exam.no")))  # fmt: skip
    detail = es.site_detail(landing, scope, s, site)
    rooms, devices = detail["rooms"], detail["devices"]
    d = st.columns(4)
    d[0].metric(t("exam.kpi.expected"), f"{int(one['candidates']):,}", border=True)
    d[1].metric(t("exam.kpi.checked_in"), f"{int(one['checked_in_count']):,}", border=True)
    d[2].metric(t("exam.kpi.absent"), f"{int(one['absent_count']):,}", border=True)
    d[3].metric(t("exam.kpi.cameras"), f"{int(devices[devices['device_type_code'] == 'camera']['is_online'].sum())}"
                f" / {int(one['camera_count'])}", border=True)  # fmt: skip
    left, right = st.columns([3, 2], gap="medium")
    with left:
        ui.dataframe(rooms[["room_name", "room_type", "building", "candidates", "checked_in_count", "absent_count",
                            "camera_count", "cameras_online"]], hide_index=True, key="exam_site_rooms",
                     column_config={"room_name": t("exam.col.room"), "room_type": t("exam.col.room_type"),
                                    "building": t("exam.col.building"), "candidates": t("exam.kpi.expected"),
                                    "checked_in_count": t("exam.kpi.checked_in"), "absent_count": t("exam.kpi.absent"),
                                    "camera_count": t("exam.col.cameras_registered"),
                                    "cameras_online": t("exam.col.cameras_online")})  # fmt: skip
    with right:
        down = devices[~devices["is_online"]]
        st.markdown(t("exam.site.devices_down", n=len(down), total=len(devices)))
        ui.dataframe(pd.DataFrame({
            "device": down["device_id"], "type": [t(f"exam.devtype.{x}") for x in down["device_type_code"]],
            "location": down["location"],
            "status": [t(f"exam.device.{x}") if isinstance(x, str) else t("exam.device.silent") for x in down["status"]],
            "last": [hhmmss(x) for x in down["last_ts"]],
        }), hide_index=True, key="exam_site_devices", height=min(38 + 35 * len(down), 300),
            column_config={"device": t("exam.col.device"), "type": t("exam.col.device_type"),
                           "location": t("exam.col.location"), "status": t("exam.col.status"),
                           "last": t("exam.col.last")})  # fmt: skip
        mine = [r for r in rows if r["site_code"] == site]
        st.html(figures.alert_list_html(mine, tname, big=kiosk, empty=t("exam.alerts.none_site")))


# --- the live screen: recomputed every EDUSIGHT_EXAM_REFRESH_S seconds ---------------------------


REFRESH_S = float(config.get("exam_refresh_s"))
# how long one shared state serves every screen: half a refresh, so that an event is on every
# screen within two refreshes at most (the issue's ≤ 10 s at the default 5 s)
SHARE_S = REFRESH_S / 2


@st.cache_resource(max_entries=64, ttl=max(60.0, 10 * REFRESH_S), show_spinner=False)
def _screen_of_period(
    db: tuple, root: str, scope: tuple[str, ...], exam_code: str, period: int, _landing, _th
) -> es.Screen:
    """The screen's state, computed once per sharing period for every session of this server
    (read-only: never changed by a page). On exam days dozens of big screens refresh together;
    each computing the same state kept the server's cores busy (etl/bench_screens.py)."""
    del db, root, period  # cache key only
    return es.load_screen(_landing, scope, exam_code, _th)


@dataclasses.dataclass(frozen=True)
class View:
    """What every screen of one language, theme and layout shows in one sharing period: the
    tooltips, maps, tables and lists built once for all of them (read-only). Per screen remain
    the clock, the numbers and the calls that send these to its browser."""

    names: dict[str, str]
    rows: list[dict]
    sites: pd.DataFrame
    radio: pd.DataFrame
    site_deck: ui.DeckSpec
    site_counts: str
    vehicles: pd.DataFrame
    transport_deck: ui.DeckSpec
    sites_table: pd.DataFrame
    curve: ui.FigureSpec
    attention_n: int = 0
    attention_rows: list[dict] = dataclasses.field(default_factory=list)


MAP_PX = (640, 420) if kiosk else (680, 430)  # width, height of each map
CURVE_PX = 300 if kiosk else 320


def build_view(s: es.Screen) -> View:
    names = {
        r["site_code"]: f"{r['site_name']} · {r[col('unit_name')]}"
        for r in s.sites.to_dict("records")
    }
    rows = alert_rows(s, names, limit=6 if kiosk else 200)
    sites, radio = site_map_data(s, names)
    vehicles = transport_data(s, names)
    labels = {**{x: t(y) for x, y in VEHICLE.items()}, "secure_room": t("exam.map.secure_room"),
              "off_route": t("exam.vehicle.off_route")}  # fmt: skip
    extra = {}
    if kiosk:
        extra = {
            "attention_n": int((s.sites["status"].fillna("no_data") != "ok").sum()),
            "attention_rows": attention_rows(s, names, limit=5),
        }
    return View(
        names=names,
        rows=rows,
        sites=sites,
        radio=radio,
        site_deck=site_map_deck(sites, radio, None, MAP_PX),
        site_counts=t(
            "exam.map.sites.counts",
            **{x: int((sites["status"] == x).sum()) for x in es.SITE_STATUSES},
        ),  # fmt: skip
        vehicles=vehicles,
        transport_deck=ui.deck(
            figures.city_transport_map,
            s.transport.routes,
            vehicles,
            s.transport.trails,
            labels=labels,
            theme=tname,
            name_col=col("name"),
            big=kiosk,
            size_px=MAP_PX,
        ),  # fmt: skip
        sites_table=sites_table(s, names),
        curve=curve_figure(s, CURVE_PX),
        **extra,
    )


@st.cache_resource(max_entries=64, ttl=max(60.0, 10 * REFRESH_S), show_spinner=False)
def _view_of_period(
    db: tuple, root: str, scope: tuple[str, ...], exam_code: str, period: int, lang: str,
    theme_name: str, big: bool, _s: es.Screen,
) -> View:  # fmt: skip
    """The view of this period's shared state, built once per language, theme and layout (the
    server's time went into building the same tooltips, maps and tables for every screen)."""
    del db, root, scope, exam_code, period, lang, theme_name, big  # cache key only
    return build_view(_s)


def current_screen(exam_code: str) -> tuple[es.Screen, View]:
    """This period's shared state and view, with this session's own clock: exact to the second."""
    key = (
        queries.db_key(),
        str(landing.root),
        tuple(scope),
        exam_code,
        int(time.time() // SHARE_S),
    )
    s = _screen_of_period(*key, landing, thresholds)
    view = _view_of_period(*key, current_lang(), tname, kiosk, s)
    wall = wall_now()
    now = s.clock.now(wall)
    s = dataclasses.replace(
        s, wall_now=wall, exam_now=now, session=es.session_clock(s.sessions, now)
    )
    return s, view


@st.fragment(run_every=REFRESH_S)
def live_screen() -> None:
    clock = landing.read_clock()
    choice = st.session_state.get("exam_choice") or "auto"
    exam_code = es.default_exam(overview, clock, clock.now()) if choice == "auto" else choice
    s, v = current_screen(exam_code)
    exam_name = t(EXAM[exam_code])
    show_banners(s, exam_name)
    show_clock(s, exam_name)
    show_numbers(s)
    width, height = MAP_PX
    if kiosk:
        c_map, c_tr, c_side = st.columns([4, 4, 3], gap="small")
        with c_map:
            show_site_map(v, height=height, width=width)
        with c_tr:
            show_transport_map(s, v, height=height)
        with c_side:
            st.subheader(t("exam.alerts.header", n=s.kpis.open_alerts))
            st.html(figures.alert_list_html(v.rows, tname, big=True, empty=t("exam.alerts.none")))
            st.subheader(t("exam.sites.attention", n=v.attention_n))
            st.html(
                figures.site_list_html(
                    v.attention_rows, tname, big=True, empty=t("exam.sites.all_ok")
                )
            )
        left, right = st.columns([7, 4], gap="small")
        with left:
            show_sites(v, height=400)
        with right:
            ui.plotly_chart(v.curve, key="exam_curve")
        if st.session_state.get("exam_site"):
            show_site_detail(s, v.names, v.rows)
        return
    c_map, c_tr = st.columns(2, gap="medium")
    with c_map:
        show_site_map(v, height=height, width=width)
    with c_tr:
        show_transport_map(s, v, height=height)
    st.subheader(t("exam.alerts.header", n=s.kpis.open_alerts))
    show_alert_table(v.rows)
    show_ack_form(s)
    left, right = st.columns([7, 5], gap="medium")
    with left:
        show_sites(v, height=420)
    with right:
        ui.plotly_chart(v.curve, key="exam_curve")
    show_site_detail(s, v.names, v.rows)


live_screen()
if not kiosk:
    st.caption(t("exam.method", site_min=f"{thresholds.site_silent_s / 60:g}", feed_s=f"{thresholds.feed_silent_s:g}",
                 refresh=config.get("exam_refresh_s"), deviation_m=f"{thresholds.route_deviation_m:g}"))  # fmt: skip

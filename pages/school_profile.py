"""学校档案 / School profile: everything the platform knows about one school, across modules,
with its history. Opened with ``?school=<学校标识码>`` (links from the coverage page) or a search."""

import pandas as pd
import streamlit as st

from edusight import pages, privacy, queries, theme, ui
from edusight.figures import school as figures
from edusight.i18n import N_, col, current_lang, t

SEARCH_LIMIT = 50
DIRECTORY_LIMIT = 5000
STATUS_LABELS = {s: N_(f"cov.status.{s}") for s in ("covered", "failing", "not_assessed")}
SHORT_STATUS = {s: N_(f"sp.status.{s}") for s in ("covered", "failing", "not_assessed")}
PEOPLE = ["student_count", "teacher_count", "migrant_count", "boarding_count", "left_behind_count"]
EQUIPMENT_ROWS = {
    "bandwidth_mbps": N_("sp.eq.bandwidth_mbps"),
    "wifi_teaching_pct": N_("sp.eq.wifi_teaching_pct"),
    "classroom_count": N_("sp.eq.classroom_count"),
    "multimedia_classroom_count": N_("sp.eq.multimedia_classroom_count"),
    "smart_classroom_count": N_("sp.eq.smart_classroom_count"),
    "teacher_terminal_count": N_("sp.eq.teacher_terminal_count"),
    "student_terminal_count": N_("sp.eq.student_terminal_count"),
    "maker_lab_count": N_("sp.eq.maker_lab_count"),
    "vr_lab_count": N_("sp.eq.vr_lab_count"),
    "steam_lab_count": N_("sp.eq.steam_lab_count"),
    "has_ipv6": N_("sp.eq.has_ipv6"),
    "is_5g_demo": N_("sp.eq.is_5g_demo"),
    "is_iot_pilot": N_("sp.eq.is_iot_pilot"),
}
# module → the tables its queries read (a module is shown only when all exist)
MODULES = {
    "training": ("stg.school_plans", "stg.training_sessions", "stg.micro_assessments"),
    "learning_space": ("stg.learning_space",),
    "resources": ("stg.resources",),
    "security": ("stg.info_systems", "stg.security_incidents", "stg.security_drills"),
}
SELF = pages.by_path("pages/school_profile.py")


ui.page_header("page.school_profile.title", "sp.intro")
scope = queries.viewer_scope()
period = ui.period()
lang = current_lang()
name = col("name")
tname = theme.current_theme()
tpl = theme.plotly_template()


def small(n: object) -> str:
    """A people count for display: small counts masked (privacy), thousands separated."""
    if n is None or pd.isna(n):
        return "—"
    v = int(n)
    return privacy.MASK if 0 < v < privacy.SMALL_CELL else f"{v:,}"


# --- 1. choose a school: ?school=… or a search -----------------------------------------------
school_id = st.query_params.get("school")
c_search, c_pick = st.columns([2, 3], vertical_alignment="bottom")
text = c_search.text_input(
    t("sp.search"), key="sp_search", placeholder=t("sp.search_hint"), max_chars=60
)
if text.strip():
    matches = queries.run("school_search", scope, text=text.strip(), limit=SEARCH_LIMIT)
    if matches.empty:
        c_pick.info(t("sp.no_match"))
    else:
        labels = {
            r.school_id: f"{r.school_name} · {getattr(r, 'unit_' + name)} · {r.school_id}"
            for r in matches.itertuples()
        }
        picked = c_pick.selectbox(
            t("sp.matches", n=len(matches)),
            list(labels),
            format_func=labels.get,
            index=None,
            placeholder=t("sp.pick"),
            key="sp_pick",
        )
        if picked and picked != school_id:
            st.query_params["school"] = picked
            school_id = picked

info = queries.run("school_info", scope, school=school_id) if school_id else pd.DataFrame()
if not school_id or info.empty:
    if school_id:
        st.warning(t("sp.not_found", school=school_id))
    else:
        st.info(t("sp.choose"))
    directory = queries.run("school_search", scope, text=text.strip(), limit=DIRECTORY_LIMIT)
    directory["url"] = [
        f"{pages.page_url(SELF)}?school={s}&lang={lang}&theme={tname}"
        for s in directory["school_id"]
    ]
    directory["type_label"] = directory["school_type" if lang == "zh" else "school_type_en"]
    ui.dataframe(
        directory,
        hide_index=True,
        height=420,
        column_order=["school_name", "url", f"unit_{name}", "type_label", "school_id"],
        column_config={
            "school_name": t("cov.col.school"),
            "url": st.column_config.LinkColumn(
                t("cov.col.profile"), display_text=t("cov.col.profile_link"), width="small"
            ),
            f"unit_{name}": t("cov.col.unit"),
            "type_label": t("cov.col.school_type"),
            "school_id": t("cov.col.school_id"),
        },
        key="sp_directory",
    )
    st.caption(t("sp.directory_note", n=f"{len(directory):,}"))
    st.stop()

school = info.iloc[0]
tables = set(queries.run("school_tables", scope)["table_ref"])

# --- 2. who the school is -------------------------------------------------------------------------
st.header(school["school_name"])
type_label = school["school_type"] if lang == "zh" else school["school_type_en"]
st.caption(
    t(
        "sp.subtitle",
        school=school["school_id"],
        unit=school[f"unit_{name}"],
        category=school["category"] if lang == "zh" else school["category_en"],
        type=type_label,
    )
)
status_rows = queries.run("school_campus_status", scope, school=school_id, period=period)
current = status_rows.iloc[-1] if len(status_rows) else None
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("sp.pupils"), small(school["student_count"]), border=True)
m2.metric(t("sp.teachers"), small(school["teacher_count"]), border=True)
m3.metric(t("sp.classes"), f"{int(school['class_count']):,}", border=True)
if current is not None:
    score = current["weighted_score"]
    m4.metric(
        t("sp.campus_status", period=period),
        t(SHORT_STATUS[current["status"]]),
        delta=None if pd.isna(score) else t("sp.campus_score", score=f"{score:.1f}"),
        delta_color="off",
        delta_arrow="off",
        help=t("sp.campus_status.help"),
        border=True,
    )
else:
    m4.metric(t("sp.campus_status", period=period), t("sp.out_of_scope"), border=True)

left, right = st.columns([2, 3], gap="medium")
with left:
    st.pydeck_chart(
        ui.deck(
            figures.location_map,
            school[["school_id", "school_name", "unit_code", "lon", "lat"]].to_dict(),
            status=None if current is None else current["status"],
            theme=tname,
            labels={
                "tip_1": t(STATUS_LABELS[current["status"]]) if current is not None else "",
                "unit": str(school[f"unit_{name}"]),
            },
        ),
        height=300,
        key=f"sp_map_{tname}",
    )
with right:
    facts = pd.DataFrame(
        {
            "item": [
                t("cov.col.school_id"),
                t("cov.col.unit"),
                t("cov.col.school_type"),
                t("sp.ownership"),
                t("sp.urban_rural"),
                t("sp.founded"),
                t("sp.location"),
            ],
            "value": [
                school["school_id"],
                t(
                    "sp.unit_category",
                    unit=school[f"unit_{name}"],
                    category=school["category"] if lang == "zh" else school["category_en"],
                ),
                type_label,
                t(f"sp.ownership.{school['ownership']}")
                if school["ownership"] in ("公办", "民办")
                else str(school["ownership"]),
                t(f"sp.urban_rural.{school['urban_rural']}")
                if school["urban_rural"] in ("城区", "镇区", "乡村")
                else str(school["urban_rural"]),
                "—" if pd.isna(school["founded_year"]) else str(int(school["founded_year"])),
                f"{school['lon']:.4f}, {school['lat']:.4f} (WGS-84)",
            ],
        }
    )
    ui.dataframe(
        facts,
        hide_index=True,
        column_config={"item": t("sp.item"), "value": t("sp.value")},
        key="sp_facts",
    )
    levels = queries.run("school_levels", scope, school=school_id)
    level_cols = {
        "level_label": t("sp.level"),
        "student_count": t("sp.pupils"),
        "teacher_count": t("sp.teachers"),
        "migrant_count": t("sp.migrant"),
        "boarding_count": t("sp.boarding"),
        "left_behind_count": t("sp.left_behind"),
    }
    levels["level_label"] = levels["level"].map(lambda v: t(f"sp.level.{v}"))
    ui.dataframe(
        privacy.suppress_small(levels, PEOPLE),
        hide_index=True,
        column_order=list(level_cols),
        column_config=level_cols,
        key="sp_levels",
    )
    st.caption(t("sp.levels_note"))

# --- 3. digital campus: assessments over time ------------------------------------------------
st.subheader(t("sp.campus.header"))
if current is None:
    st.info(t("sp.campus.out_of_scope"))
else:
    history = queries.run("school_campus_history", scope, school=school_id)
    criteria = queries.run("coverage_criteria", scope)
    pass_score = float(criteria["pass_weighted_score"].iat[0]) if len(criteria) else None
    dims = [(r.dimension, getattr(r, name), float(r.min_score)) for r in criteria.itertuples()]
    ui.plotly_chart(
        ui.figure(
            figures.assessment_history,
            history,
            dims,
            pass_score=pass_score,
            template=tpl,
            labels={
                "title": t("sp.campus.title"),
                "score": t("cov.col.weighted_score"),
                "pass": t("sp.campus.pass", score=f"{pass_score:.0f}" if pass_score else "—"),
                "pass_yes": t("cov.status.covered"),
                "pass_no": t("sp.campus.not_pass"),
                "empty": t("sp.campus.none"),
            },
        ),
        key="sp_campus_chart",
    )
    since = status_rows[status_rows["status"] != current["status"]]
    changed = (
        status_rows.loc[since.index.max() + 1, "period"]
        if len(since)
        else status_rows["period"].iat[0]
    )
    st.caption(
        t(
            "sp.campus.note",
            status=t(STATUS_LABELS[current["status"]]),
            since=changed,
            score=f"{pass_score:.0f}" if pass_score else "—",
        )
    )
    if len(history):
        failed = "failed_criteria_zh" if lang == "zh" else "failed_criteria_en"
        hist = history.assign(
            verdict=history["is_pass"].map(
                lambda v: t("cov.status.covered") if v else t("sp.campus.not_pass")
            ),
            reported=history["reported_result"].map(
                lambda v: t("sp.campus.reported_pass") if v == "达标" else t("sp.campus.not_pass")
            ),
        )
        with st.expander(t("sp.campus.table", n=len(history))):
            ui.dataframe(
                hist,
                hide_index=True,
                column_order=[
                    "period",
                    "assessed_on",
                    "weighted_score",
                    "verdict",
                    "reported",
                    failed,
                ],
                column_config={
                    "period": t("cov.col.assessed_period"),
                    "assessed_on": st.column_config.DateColumn(t("cov.col.assessed_on")),
                    "weighted_score": st.column_config.NumberColumn(
                        t("cov.col.weighted_score"), format="%.1f"
                    ),
                    "verdict": t("sp.campus.verdict"),
                    "reported": t("sp.campus.reported"),
                    failed: st.column_config.ListColumn(t("cov.col.failed")),
                },
                key="sp_campus_table",
            )

# --- 4. equipment ledger by year --------------------------------------------------------------
st.subheader(t("sp.eq.header"))
equipment = queries.run("school_equipment", scope, school=school_id)
if equipment.empty:
    st.info(t("sp.eq.none"))
else:
    table = figures.equipment_table(
        equipment, {k: t(v) for k, v in EQUIPMENT_ROWS.items()}, t("cov.yes"), t("cov.no")
    )
    ui.dataframe(
        table,
        hide_index=True,
        height=38 + 35 * len(table),
        column_config={"indicator": t("sp.eq.indicator")},
        key="sp_equipment",
    )
    st.caption(t("sp.eq.note"))

# --- 5. pilots and demonstrations (items 六, 八) --------------------------------------------------
demo = queries.run("school_demonstration", scope, school=school_id)
st.subheader(t("sp.demo.header"))
if demo.empty:
    st.caption(t("sp.demo.none"))
else:
    demo["kind_label"] = demo["kind_zh" if lang == "zh" else "kind_en"]
    demo["status_label"] = demo["status"].map(lambda v: t(f"sp.demo.status.{v}"))
    demo["tier_label"] = demo["tier"].map(lambda v: t(f"sp.demo.tier.{v}"))
    ui.dataframe(
        demo,
        hide_index=True,
        column_order=[
            "project_id",
            "kind_label",
            "tier_label",
            "batch_year",
            "status_label",
            "accepted_on",
        ],
        column_config={
            "project_id": t("sp.demo.project"),
            "kind_label": t("sp.demo.kind"),
            "tier_label": t("sp.demo.tier"),
            "batch_year": st.column_config.NumberColumn(t("sp.demo.batch"), format="%d"),
            "status_label": t("cov.col.status"),
            "accepted_on": st.column_config.DateColumn(t("sp.demo.accepted_on")),
        },
        key="sp_demo",
    )

# --- 6. other modules, when they are in the database ---------------------------------------------


def available(module: str) -> bool:
    return all(tbl in tables for tbl in MODULES[module])


st.subheader(t("sp.training.header"))
if not available("training"):
    st.caption(t("sp.module_missing"))
else:
    tr = queries.run("school_teacher_training", scope, school=school_id)
    r = tr.iloc[0] if len(tr) else None
    if r is None or pd.isna(r["teachers_in_scope_count"]):
        st.caption(t("sp.training.none"))
    else:
        a, b, c, d = st.columns(4)
        a.metric(t("sp.training.in_scope"), small(r["teachers_in_scope_count"]), border=True)
        b.metric(t("sp.training.hours"), f"{(r['avg_hours'] or 0):.1f}", border=True,
                 help=t("sp.training.hours.help"))  # fmt: skip
        c.metric(t("sp.training.50h"), small(r["teachers_50h_count"]), border=True)
        d.metric(t("sp.training.points"), small(r["teachers_3_points_count"]), border=True)
        st.caption(
            t(
                "sp.training.note",
                plan=t("cov.yes") if r["is_plan_filed"] else t("cov.no"),
                team=t("cov.yes") if r["is_team_formed"] else t("cov.no"),
                points=int(r["chosen_point_count"] or 0),
                trained=small(r["trained_teacher_count"]),
                assessed=small(r["assessed_teacher_count"]),
            )
        )

st.subheader(t("sp.space.header"))
if not available("learning_space"):
    st.caption(t("sp.module_missing"))
else:
    spaces = queries.run("school_learning_space", scope, school=school_id, period=period)
    if spaces.empty:
        st.caption(t("sp.space.none"))
    else:
        ui.plotly_chart(
            ui.figure(
                figures.learning_space_trend,
                spaces,
                template=tpl,
                labels={
                    "title": t("sp.space.title"),
                    "y": t("sp.space.y"),
                    "active_teacher_count": t("sp.space.active_teachers"),
                    "active_student_count": t("sp.space.active_pupils"),
                    "teacher_space_count": t("sp.space.teacher_spaces"),
                    "student_space_count": t("sp.space.pupil_spaces"),
                    "empty": t("sp.space.none"),
                },
            ),
            key="sp_space_chart",
        )

c_res, c_sec = st.columns(2, gap="medium")
with c_res:
    st.subheader(t("sp.res.header"))
    if not available("resources"):
        st.caption(t("sp.module_missing"))
    else:
        res = queries.run("school_resources", scope, school=school_id)
        if res.empty:
            st.caption(t("sp.res.none"))
        else:
            res["status_label"] = res["review_status"].map(lambda v: t(f"sp.res.status.{v}"))
            ui.dataframe(
                res,
                hide_index=True,
                column_order=[
                    "status_label",
                    "resource_count",
                    "premium_count",
                    "last_submitted_on",
                ],
                column_config={
                    "status_label": t("sp.res.status"),
                    "resource_count": st.column_config.NumberColumn(t("sp.res.count")),
                    "premium_count": st.column_config.NumberColumn(t("sp.res.premium")),
                    "last_submitted_on": st.column_config.DateColumn(t("sp.res.last")),
                },
                key="sp_resources",
            )
with c_sec:
    st.subheader(t("sp.sec.header"))
    if not available("security"):
        st.caption(t("sp.module_missing"))
    else:
        systems = queries.run("school_security_systems", scope, school=school_id)
        events = queries.run("school_security_events", scope, school=school_id)
        if systems.empty:
            st.caption(t("sp.sec.none"))
        else:
            systems["stage_label"] = systems["stage"].map(lambda v: t(f"sp.sec.stage.{v}"))
            systems["result_label"] = systems["test_result"].map(
                lambda v: "—" if v is None or pd.isna(v) else t(f"sp.sec.result.{v}")
            )
            ui.dataframe(
                systems,
                hide_index=True,
                column_order=[
                    "system_name",
                    "level",
                    "stage_label",
                    "last_test_on",
                    "result_label",
                ],
                column_config={
                    "system_name": t("sp.sec.system"),
                    "level": st.column_config.NumberColumn(t("sp.sec.level"), format="%d"),
                    "stage_label": t("sp.sec.stage"),
                    "last_test_on": st.column_config.DateColumn(t("sp.sec.last_test")),
                    "result_label": t("sp.sec.result"),
                },
                key="sp_security",
            )
        if len(events):
            e = events.iloc[0]
            st.caption(
                t(
                    "sp.sec.events",
                    incidents=int(e["incident_count"]),
                    open=int(e["open_incident_count"]),
                    drills=int(e["drill_count"]),
                    last_drill="—" if pd.isna(e["last_drill_on"]) else str(e["last_drill_on"])[:10],
                )
            )

st.caption(t("sp.note"))
st.page_link(
    pages.by_path("pages/coverage.py").path,
    label=t("sp.back"),
    icon="🗺️",
)

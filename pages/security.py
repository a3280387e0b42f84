"""网络安全 / Cybersecurity (work items 十六–十八): the 等保 registry and overdue tests, critical
information infrastructure, incident notices and rectification, drills, education apps."""

import streamlit as st

from edusight import export, queries, theme, ui
from edusight.figures import security as figures
from edusight.i18n import N_, col, t, tv_frame

STAGE_LABELS = {s: N_(f"sec.stage.{i}") for i, s in enumerate(figures.STAGES)}
SEVERITY_LABELS = {s: N_(f"sec.severity.{i}") for i, s in enumerate(figures.SEVERITIES)}
DRILL_LEVEL_LABELS = {s: N_(f"sec.drill_level.{i}") for i, s in enumerate(figures.DRILL_LEVELS)}
APP_STATUS_LABELS = {s: N_(f"sec.app_status.{i}") for i, s in enumerate(figures.APP_STATUSES)}

ui.page_header("page.security.title", "sec.intro")
scope = queries.viewer_scope()
tpl = theme.plotly_template()
name = col("name")
unit_name = col("unit_name")
level_labels = {lv: t("sec.level", level=lv) for lv in range(1, 6)}
stages = {k: t(v) for k, v in STAGE_LABELS.items()}
severities = {k: t(v) for k, v in SEVERITY_LABELS.items()}
drill_levels = {k: t(v) for k, v in DRILL_LEVEL_LABELS.items()}
app_statuses = {k: t(v) for k, v in APP_STATUS_LABELS.items()}
meta = {"scope": ",".join(scope)}

# --- 1. headline numbers at the as-of date --------------------------------------------------
s = queries.run("security_summary", scope).iloc[0]
as_of = str(s["as_of"])[:10]
st.subheader(t("sec.kpi.header", date=as_of))
k = st.columns(5)
k[0].metric(
    t("sec.kpi.filed"),
    "—" if s["filed_pct"] != s["filed_pct"] else f"{s['filed_pct']:.1f}%",
    help=t("sec.kpi.filed.help"),
    border=True,
)
k[0].caption(t("sec.kpi.filed.base", filed=s["filed_count"], n=s["level2plus_count"]))
k[1].metric(t("sec.kpi.overdue_tests"), f"{s['overdue_test_count']}", border=True)
k[1].caption(t("sec.kpi.overdue_tests.base", n=s["test_required_count"]))
k[2].metric(t("sec.kpi.cii"), f"{s['cii_count']}", border=True)
k[2].caption(t("sec.kpi.cii.base", n=s["system_count"]))
k[3].metric(t("sec.kpi.overdue_incidents"), f"{s['overdue_incident_count']}", border=True)
k[3].caption(t("sec.kpi.incidents.base", open=s["open_incident_count"], n=s["incident_count"]))
k[4].metric(t("sec.kpi.no_drill"), f"{s['units_without_drill_count']}", border=True)
k[4].caption(t("sec.kpi.no_drill.base", n=s["unit_count"], year=as_of[:4]))

# --- 2. the 等保 registry ---------------------------------------------------------------------
st.subheader(t("sec.sys.header"))
left, right = st.columns(2)
with left:
    ui.plotly_chart(
        ui.figure(
            figures.level_stage_bar,
            queries.run("security_systems_by_level_stage", scope),
            level_labels=level_labels,
            stage_labels=stages,
            labels={
                "title": t("sec.sys.chart"),
                "x": t("sec.sys.level_axis"),
                "y": t("sec.sys.count"),
                "empty": t("sec.empty"),
            },
            template=tpl,
        ),
        key="sec_level_stage",
    )
with right:
    ui.plotly_chart(
        ui.figure(
            figures.filings_by_year,
            queries.run("security_filings_by_year", scope),
            level_labels=level_labels,
            labels={
                "title": t("sec.sys.filings"),
                "x": t("sec.year"),
                "y": t("sec.sys.filing_count"),
                "empty": t("sec.empty"),
            },
            template=tpl,
        ),
        key="sec_filings",
    )
systems = queries.run("security_systems", scope)
systems[unit_name] = systems[unit_name].fillna(t("sec.city_level"))
c1, c2 = st.columns(2)
only_overdue = c1.toggle(t("sec.sys.only_overdue"), key="sec_only_overdue")
only_cii = c2.toggle(t("sec.sys.only_cii"), key="sec_only_cii")
shown = systems
if only_overdue:
    shown = shown[shown["is_test_overdue"]]
if only_cii:
    shown = shown[shown["is_cii"]]
shown = tv_frame(shown, {"admin_level": "admin_level", "kind": "system_kind", "stage": "stage"})
sys_cols = {
    "system_name": t("sec.col.system"),
    unit_name: t("col.unit"),
    "admin_level": t("sec.col.admin_level"),
    "kind": t("sec.col.kind"),
    "level": t("sec.col.level"),
    "stage": t("sec.col.stage"),
    "last_test_on": t("sec.col.last_test"),
    "next_test_due": t("sec.col.next_test"),
    "is_test_overdue": t("sec.col.overdue"),
    "overdue_days": t("sec.col.overdue_days"),
    "is_cii": t("sec.col.cii"),
}
ui.dataframe(
    shown[list(sys_cols)],  # only the shown columns go to the browser
    hide_index=True,
    height=360,
    column_order=list(sys_cols),
    column_config={
        **sys_cols,
        "last_test_on": st.column_config.DateColumn(t("sec.col.last_test")),
        "next_test_due": st.column_config.DateColumn(t("sec.col.next_test")),
        "is_test_overdue": st.column_config.CheckboxColumn(t("sec.col.overdue")),
        "is_cii": st.column_config.CheckboxColumn(t("sec.col.cii")),
    },
    key="sec_systems_table",
)
export.download_buttons(
    shown[list(sys_cols)].rename(columns=sys_cols), "info_systems", meta, key="sec_sys_dl"
)
st.caption(t("sec.sys.note", date=as_of))

# --- 3. incident notices and rectification --------------------------------------------------
st.subheader(t("sec.inc.header"))
ui.plotly_chart(
    ui.figure(
        figures.incidents_by_month,
        queries.run("security_incidents_by_month", scope),
        severity_labels=severities,
        labels={
            "title": t("sec.inc.chart"),
            "x": t("sec.month"),
            "y": t("sec.inc.count"),
            "empty": t("sec.empty"),
        },
        template=tpl,
    ),
    key="sec_incidents_chart",
)
incidents = queries.run("security_incidents", scope)
open_only = st.toggle(t("sec.inc.open_only"), value=True, key="sec_open_only")
inc_shown = incidents[incidents["status"] != "已整改"] if open_only else incidents
inc_cols = {
    "incident_id": t("sec.col.incident"),
    unit_name: t("col.unit"),
    "category": t("sec.col.category"),
    "severity": t("sec.col.severity"),
    "notified_on": t("sec.col.notified"),
    "deadline": t("sec.col.deadline"),
    "status": t("sec.col.status"),
    "is_overdue": t("sec.col.overdue"),
    "overdue_days": t("sec.col.overdue_days"),
    "rectified_on": t("sec.col.rectified"),
}
if inc_shown.empty:
    st.success(t("sec.inc.none_open"))
else:
    ui.dataframe(
        inc_shown[list(inc_cols)],
        hide_index=True,
        column_order=list(inc_cols),
        column_config={
            **inc_cols,
            "notified_on": st.column_config.DateColumn(t("sec.col.notified")),
            "deadline": st.column_config.DateColumn(t("sec.col.deadline")),
            "rectified_on": st.column_config.DateColumn(t("sec.col.rectified")),
            "is_overdue": st.column_config.CheckboxColumn(t("sec.col.overdue")),
        },
        key="sec_incidents_table",
    )
st.caption(t("sec.inc.note", date=as_of))

# --- 4. drills ------------------------------------------------------------------------------
st.subheader(t("sec.drill.header"))
left, right = st.columns(2)
with left:
    ui.plotly_chart(
        ui.figure(
            figures.drills_by_year,
            queries.run("security_drills_by_year", scope),
            level_labels=drill_levels,
            labels={
                "title": t("sec.drill.chart"),
                "x": t("sec.year"),
                "y": t("sec.drill.count"),
                "empty": t("sec.empty"),
            },
            template=tpl,
        ),
        key="sec_drills_chart",
    )
with right:
    drills = queries.run("security_drills_by_unit", scope)
    drill_cols = {
        name: t("col.unit"),
        "has_drill_this_year": t("sec.col.has_drill", year=as_of[:4]),
        "drill_this_year_count": t("sec.col.drills_year", year=as_of[:4]),
        "unit_drill_count": drill_levels["区县级"],
        "school_drill_count": drill_levels["校级"],
        "drill_total_count": t("sec.col.drills_total"),
        "last_drill_on": t("sec.col.last_drill"),
    }
    ui.dataframe(
        drills[list(drill_cols)],
        hide_index=True,
        height=360,
        column_order=list(drill_cols),
        column_config={
            **drill_cols,
            "has_drill_this_year": st.column_config.CheckboxColumn(
                t("sec.col.has_drill", year=as_of[:4])
            ),
            "last_drill_on": st.column_config.DateColumn(t("sec.col.last_drill")),
        },
        key="sec_drills_table",
    )
st.caption(t("sec.drill.note", year=as_of[:4], date=as_of))

# --- 5. education apps ----------------------------------------------------------------------
st.subheader(t("sec.app.header"))
apps = queries.run("security_apps_by_unit", scope)
ui.plotly_chart(
    ui.figure(
        figures.apps_by_unit,
        apps,
        label_col=name,
        status_labels=app_statuses,
        labels={
            "title": t("sec.app.chart"),
            "x": t("sec.app.count"),
            "y": "",
            "empty": t("sec.empty"),
        },
        template=tpl,
    ),
    key="sec_apps_chart",
)
st.caption(t("sec.app.note", n=s["app_filing_count"], to_clean=s["to_clean_count"]))

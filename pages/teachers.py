"""教师能力提升 / Teacher 2.0 (work item 十四): progress of 能力提升工程2.0 by unit and school against
the yearly quotas, the funnel, the 30 micro-abilities, 整校推进, breakdowns, laggards and the
integrity flags. Everything is read from the pre-aggregated marts 50_teacher_* (docs/teachers.md).
"""

import streamlit as st

from edusight import export, queries, theme, ui
from edusight.figures import teachers as figures
from edusight.i18n import N_, col, current_lang, t, tv
from edusight.pagedata import teachers as pagedata

FLAG_SESSION_LIMIT = 500
FLAG_KINDS = pagedata.FLAG_KINDS
BREAKDOWNS = {
    "level": N_("tch.bd.level"),
    "subject": N_("tch.bd.subject"),
    "age_band": N_("tch.bd.age_band"),
    "title": N_("tch.bd.title"),
    "urban_rural": N_("tch.bd.urban_rural"),
    "category": N_("tch.bd.category"),
}
SMALL_COUNTS = pagedata.SMALL_COUNTS

ui.page_header("page.teachers.title", "tch.intro")
scope = queries.viewer_scope()
lang = current_lang()
tpl = theme.plotly_template()
rules = queries.run("teachers_rules", scope).iloc[0]
units = queries.run("teachers_units", scope)
school_counts = pagedata.school_summary(queries.db_key(), scope)
trend = queries.run("teachers_trend", scope)
as_of = str(rules["as_of"])[:10]
year = as_of[:4]
unit_filter = ui.unit_label(ui.unit_filter()) if ui.unit_filter() else t("tch.all_units")
meta = {
    t("col.unit"): unit_filter,
    t("tch.meta.as_of"): as_of,
    t("tch.meta.method"): "docs/teachers.md",
}

# --- 1. headline: where we stand against this year's quota -------------------------------------
n_teachers = int(units["teacher_count"].sum())
n_complete = int(units["complete_count"].sum())
share = 100.0 * n_complete / n_teachers if n_teachers else 0.0
quota = float(units["quota_pct"].iloc[0]) if len(units) else 100.0
actual = trend[trend["kind"] == "actual"]
proj = trend[trend["kind"] == "projection"]
proj_end = float(proj["complete_pct"].iloc[-1]) if len(proj) else None
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric(t("tch.kpi.teachers"), f"{n_teachers:,}", border=True)
k1.caption(
    t(
        "tch.kpi.teachers_note",
        levels=t("list.sep").join(tv("level", v) for v in rules["scope_levels"].split("|")),
    )
)
k2.metric(
    t("tch.kpi.complete"),
    f"{share:.1f}%",
    delta=f"{share - quota:+.1f} pp",
    delta_color="normal",
    border=True,
)
k2.caption(
    t(
        "tch.kpi.complete_note",
        n=f"{n_complete:,}",
        total=f"{n_teachers:,}",
        date=as_of,
        quota=f"{quota:.0f}",
        year=year,
    )
)
k3.metric(t("tch.kpi.projection"), "—" if proj_end is None else f"{proj_end:.1f}%", border=True)
k3.caption(t("tch.kpi.projection_note", deadline=str(rules["deadline"])[:10]))
no_plan = school_counts["no_plan"]
k4.metric(t("tch.kpi.no_plan"), f"{no_plan:,}", border=True)
k4.caption(t("tch.kpi.no_plan_note", n=f"{school_counts['schools']:,}"))
n_flagged = int(units["flagged_teacher_count"].sum())
k5.metric(t("tch.kpi.flagged"), f"{n_flagged:,}", border=True)
k5.caption(t("tch.kpi.flagged_note", n=f"{n_teachers:,}"))

# --- 2. progress over time and by unit -----------------------------------------------------------
st.subheader(t("tch.progress.header"))
quotas = {
    "2020-12-31": 100 * rules["quota_2020"],
    "2021-12-31": 100 * (rules["quota_2020"] + rules["quota_2021"]),
    str(rules["deadline"])[:10]: 100
    * (rules["quota_2020"] + rules["quota_2021"] + rules["quota_2022"]),
}
left, right = st.columns([5, 6])
with left:
    ui.plotly_chart(
        ui.figure(
            figures.progress_trend,
            trend,
            quotas,
            labels={
                "title": t("tch.trend.title"),
                "y": t("tch.trend.y"),
                "actual": t("tch.trend.actual"),
                "projection": t("tch.trend.projection"),
                "quota": t("tch.trend.quota"),
                "complete": t("tch.col.complete"),
                "teachers": t("tch.unit.teachers"),
                "empty": t("tch.empty"),
            },
            template=tpl,
        ),
        key="tch_trend_chart",
    )
    st.caption(t("tch.trend.note"))
with right:
    ui.plotly_chart(
        ui.figure(
            figures.unit_progress_bar,
            units,
            label_col=col("unit_name"),
            labels={
                "title": t("tch.units.title", date=as_of),
                "x": t("tch.units.x"),
                "complete": t("tch.col.complete_pct"),
                "projection": t("tch.trend.projection"),
                "quota": t("tch.units.quota", year=year),
                "teachers": t("tch.unit.teachers"),
                "empty": t("tch.empty"),
            },
            template=tpl,
        ),
        key="tch_units_chart",
    )
unit_cols = {
    col("unit_name"): t("col.unit"),
    col("category"): t("tch.col.category"),
    "teacher_count": t("tch.col.teachers"),
    "complete_2020_pct": t("tch.col.complete_by", date="2020-12-31"),
    "complete_2021_pct": t("tch.col.complete_by", date="2021-12-31"),
    "complete_pct": t("tch.col.complete_by", date=as_of),
    "quota_pct": t("tch.col.quota", year=year),
    "quota_gap_pct": t("tch.col.gap"),
    "projected_deadline_pct": t("tch.col.projected"),
    "avg_online_hours": t("tch.col.avg_online"),
    "avg_practice_hours": t("tch.col.avg_practice"),
    "no_plan_school_count": t("tch.col.no_plan_schools"),
    "flagged_teacher_count": t("tch.col.flagged"),
}
pct = {
    c: st.column_config.NumberColumn(unit_cols[c], format="%.1f%%")
    for c in unit_cols
    if c.endswith("_pct")
}
ui.dataframe(
    units[list(unit_cols)],  # only the shown columns go to the browser
    hide_index=True,
    column_order=list(unit_cols),
    column_config={
        **unit_cols,
        **pct,
        "teacher_count": st.column_config.NumberColumn(
            unit_cols["teacher_count"], format="localized"
        ),
    },
    key="tch_units_table",
)
st.caption(
    t(
        "tch.units.note",
        quota20=f"{100 * rules['quota_2020']:.0f}",
        quota21=f"{100 * (rules['quota_2020'] + rules['quota_2021']):.0f}",
    )
)
export.download_buttons(
    units[list(unit_cols)].rename(columns=unit_cols), "teacher20_units", meta, key="tch_units_dl"
)

# --- 3. funnel ------------------------------------------------------------------------------------
st.subheader(t("tch.funnel.header"))
stage_cols = {
    "enrolled_count": t("tch.stage.enrolled"),
    "hours_met_count": t(
        "tch.stage.hours_met",
        h=f"{rules['min_total_hours']:.0f}",
        on=f"{rules['min_online_hours']:.0f}",
        pr=f"{rules['min_practice_hours']:.0f}",
    ),
    "submitted_count": t("tch.stage.submitted", k=int(rules["min_points_passed"])),
    "passed_count": t("tch.stage.passed", k=int(rules["min_points_passed"])),
    "complete_count": t("tch.stage.complete", d=int(rules["min_dimensions"])),
}
f1 = f2 = st.container()
with f1:
    ui.plotly_chart(
        ui.figure(
            figures.funnel,
            [(name, int(units[c].sum())) for c, name in stage_cols.items()],
            total=n_teachers,
            labels={
                "title": t("tch.funnel.title", n=f"{n_teachers:,}"),
                "x": t("tch.funnel.x"),
                "teachers": t("tch.unit.teachers"),
                "empty": t("tch.empty"),
            },
            template=tpl,
        ),
        key="tch_funnel_chart",
    )
with f2:
    fun = units[[col("unit_name"), "teacher_count", *stage_cols]].copy()
    fun[list(stage_cols)] = (
        fun[list(stage_cols)]
        .div(fun["teacher_count"].where(fun["teacher_count"] > 0), axis=0)
        .mul(100.0)
        .round(1)
    )
    ui.dataframe(
        fun.sort_values("complete_count"),
        hide_index=True,
        column_config={
            col("unit_name"): t("col.unit"),
            "teacher_count": st.column_config.NumberColumn(
                t("tch.col.teachers"), format="localized"
            ),
            **{
                c: st.column_config.ProgressColumn(n, format="%.1f%%", min_value=0, max_value=100)
                for c, n in stage_cols.items()
            },
        },
        key="tch_funnel_table",
    )
st.caption(t("tch.funnel.note"))

# --- 4. micro-abilities ---------------------------------------------------------------------------
st.subheader(t("tch.points.header"))
points = queries.run("teachers_points", scope)
example = t("tch.points.example")
points["label"] = (
    points["point_code"]
    + " "
    + points[col("name")]
    + points["is_confirmed"].map(lambda c: "" if c else f"（{example}）")
)
metric_opts = {
    "passed_teacher_count": t("tch.points.m.passed"),
    "submitted_teacher_count": t("tch.points.m.submitted"),
    "chosen_school_count": t("tch.points.m.chosen"),
}
metric = (
    st.segmented_control(
        t("tch.points.metric"),
        list(metric_opts),
        format_func=metric_opts.get,
        default="passed_teacher_count",
        key="tch_points_metric",
    )
    or "passed_teacher_count"
)
env_names = dict(zip(points["environment"], points[col("environment")], strict=False))
dim_names = dict(zip(points["dimension_zh"], points[col("dimension")], strict=False))
p1, p2 = st.columns([6, 5])
with p1:
    ui.plotly_chart(
        ui.figure(
            figures.points_heatmap,
            points,
            value_col=metric,
            env_names={k: f"{k} {v}" for k, v in env_names.items()},
            dim_names=dim_names,
            labels={
                "title": t("tch.points.heat_title", what=metric_opts[metric]),
                "value": metric_opts[metric],
                "points": t("tch.points.unit"),
                "empty": t("tch.empty"),
            },
            template=tpl,
        ),
        key="tch_points_heat",
    )
    st.caption(t("tch.points.note"))
with p2:
    ui.plotly_chart(
        ui.figure(
            figures.points_bar,
            points,
            label_col="label",
            labels={
                "title": t("tch.points.bar_title"),
                "submitted": t("tch.points.m.submitted"),
                "passed": t("tch.points.m.passed"),
                "x": t("tch.unit.teachers"),
                "empty": t("tch.empty"),
            },
            template=tpl,
        ),
        key="tch_points_bar",
    )
mismatch = school_counts["mismatch"]
st.markdown(
    t(
        "tch.match.text",
        c=school_counts["c_without_smart"],
        b=school_counts["b_without_terminals"],
        max_smart=int(rules["flag_c_points_max_smart_classrooms"]),
        tpp=f"{rules['flag_b_points_min_terminals_per_pupil']:.2f}",
        wifi=f"{rules['flag_b_points_min_wifi_pct']:.0f}",
    )
)
if len(mismatch):
    match_cols = {
        "school_name": t("tch.col.school"),
        col("unit_name"): t("col.unit"),
        "chosen_points": t("tch.col.chosen_points"),
        "smart_classroom_count": t("tch.col.smart_rooms"),
        "terminals_per_pupil": t("tch.col.terminals_per_pupil"),
        "wifi_teaching_pct": t("tch.col.wifi"),
        "is_c_without_smart": t("tch.col.c_mismatch"),
        "is_b_without_terminals": t("tch.col.b_mismatch"),
    }
    ui.dataframe(
        mismatch[list(match_cols)],
        hide_index=True,
        column_order=list(match_cols),
        column_config=match_cols,
        key="tch_match_table",
    )

# --- 5. 整校推进 and laggards ------------------------------------------------------------------------
st.subheader(t("tch.schools.header"))
only_lagging = st.toggle(t("tch.schools.only_lagging"), value=True, key="tch_only_lagging")
school_cols = {
    "school_name": t("tch.col.school"),
    col("unit_name"): t("col.unit"),
    ("school_type_en" if lang == "en" else "school_type"): t("tch.col.school_type"),
    "is_plan_filed": t("tch.col.plan"),
    "is_team_formed": t("tch.col.team"),
    "chosen_point_count": t("tch.col.chosen_point_count"),
    "teacher_count": t("tch.col.teachers"),
    "complete_pct": t("tch.col.complete_by", date=as_of),
    "quota_gap_pct": t("tch.col.gap"),
    "hold_back_label": t("tch.col.hold_back"),
    "hours_short_count": t("tch.col.hours_short"),
    "not_submitted_count": t("tch.col.not_submitted"),
    "failing_count": t("tch.col.failing"),
    "flagged_teacher_count": t("tch.col.flagged"),
}
table = pagedata.school_table(queries.db_key(), scope, lang, only_lagging)
st.caption(
    t(
        "tch.schools.count",
        n=f"{len(table):,}",
        total=f"{school_counts['schools']:,}",
        no_plan=f"{no_plan:,}",
    )
)
ui.dataframe(
    table,  # the shown columns only
    hide_index=True,
    height=420,
    column_order=list(school_cols),
    column_config={
        **school_cols,
        "is_plan_filed": st.column_config.CheckboxColumn(school_cols["is_plan_filed"]),
        "is_team_formed": st.column_config.CheckboxColumn(school_cols["is_team_formed"]),
        "complete_pct": st.column_config.ProgressColumn(
            school_cols["complete_pct"], format="%.1f%%", min_value=0, max_value=100
        ),
        "quota_gap_pct": st.column_config.NumberColumn(
            school_cols["quota_gap_pct"], format="%.1f pp"
        ),
        **{c: st.column_config.TextColumn(school_cols[c], alignment="right") for c in SMALL_COUNTS},
    },
    key="tch_schools_table",
)
st.caption(t("tch.schools.note"))
export.download_buttons(
    table[list(school_cols)].rename(columns=school_cols),
    "teacher20_schools",
    meta,
    key="tch_schools_dl",
)

# --- 6. breakdowns ----------------------------------------------------------------------------------
st.subheader(t("tch.bd.header"))
bd = queries.run("teachers_breakdown", scope)
bd["value"] = [tv(k, v) for k, v in zip(bd["breakdown"], bd["value"], strict=True)]
which = (
    st.segmented_control(
        t("tch.bd.by"),
        list(BREAKDOWNS),
        format_func=lambda k: t(BREAKDOWNS[k]),
        default="level",
        key="tch_breakdown",
    )
    or "level"
)
ui.plotly_chart(
    ui.figure(
        figures.breakdown_bar,
        bd[bd["breakdown"] == which],
        labels={
            "title": t("tch.bd.fig_title", by=t(BREAKDOWNS[which]), date=as_of),
            "x": t("tch.bd.x"),
            "teachers": t("tch.unit.teachers"),
            "empty": t("tch.empty"),
        },
        template=tpl,
    ),
    key="tch_breakdown_chart",
)
st.caption(t("tch.bd.note"))

# --- 7. integrity flags -------------------------------------------------------------------------------
st.subheader(t("tch.flags.header"))
flagged = pagedata.flags(queries.db_key(), scope, lang)
flags = flagged["teachers"]
kinds = {k: t(v) for k, v in FLAG_KINDS.items()}


st.markdown(
    t(
        "tch.flags.rules",
        ratio=f"{rules['flag_credit_wallclock_ratio']:g}",
        video=f"{rules['flag_unattended_video_seconds'] / 3600:g}",
        t0=str(rules["flag_night_window_start"])[:5],
        t1=str(rules["flag_night_window_end"])[:5],
        night_h=f"{rules['flag_night_min_hours']:g}",
        night_share=f"{100 * rules['flag_night_min_share']:.0f}",
        ao=f"{rules['flag_all_online_min_hours']:g}",
        sess=int(rules["flag_identical_min_sessions"]),
        tch=int(rules["flag_identical_min_teachers"]),
    )
)
g1, g2 = st.columns([5, 6])
with g1:
    ui.plotly_chart(
        ui.figure(
            figures.flags_by_unit_bar,
            flagged["by_unit"],  # per-unit sums of the is_flag_* columns: 23 rows, not thousands
            label_col=col("unit_name"),
            kinds=kinds,
            labels={
                "title": t("tch.flags.title", n=f"{len(flags):,}"),
                "x": t("tch.unit.teachers"),
                "empty": t("tch.flags.none"),
            },
            template=tpl,
        ),
        key="tch_flags_chart",
    )
with g2:
    flag_cols = {
        "teacher_key": t("tch.col.teacher_key"),
        "school_name": t("tch.col.school"),
        col("unit_name"): t("col.unit"),
        "flag_labels": t("tch.col.flags"),
        "online_hours": t("tch.col.online_hours"),
        "practice_hours": t("tch.col.practice_hours"),
        "night_hours": t("tch.col.night_hours"),
        "faster_session_count": t("tch.col.faster_sessions"),
        "unattended_session_count": t("tch.col.unattended_sessions"),
        "identical_session_count": t("tch.col.identical_sessions"),
        "is_complete": t("tch.col.is_complete"),
    }
    ui.dataframe(
        flags[list(flag_cols)],
        hide_index=True,
        height=360,
        column_order=list(flag_cols),
        column_config={
            **flag_cols,
            "is_complete": st.column_config.CheckboxColumn(flag_cols["is_complete"]),
            "online_hours": st.column_config.NumberColumn(flag_cols["online_hours"], format="%.1f"),
            "practice_hours": st.column_config.NumberColumn(
                flag_cols["practice_hours"], format="%.1f"
            ),
            "night_hours": st.column_config.NumberColumn(flag_cols["night_hours"], format="%.1f"),
        },
        key="tch_flags_table",
    )
    export.download_buttons(
        flags[list(flag_cols)].rename(columns=flag_cols),
        "teacher20_flags",
        meta,
        key="tch_flags_dl",
    )
teacher = st.selectbox(
    t("tch.flags.pick"),
    [None, *flags["teacher_key"].tolist()],
    format_func=lambda k: t("tch.flags.pick_all") if k is None else k,
    key="tch_flag_teacher",
)
sessions = queries.run("teachers_flag_sessions", scope, teacher=teacher, limit=FLAG_SESSION_LIMIT)
sessions["reason_labels"] = pagedata.session_labels(sessions["reasons"], lang)
sess_cols = {
    "teacher_key": t("tch.col.teacher_key"),
    "record_id": t("tch.col.record"),
    "start_time": t("tch.col.start"),
    "end_time": t("tch.col.end"),
    "wall_clock_hours": t("tch.col.wall_hours"),
    "credited_hours": t("tch.col.credited_hours"),
    "video_seconds": t("tch.col.video_seconds"),
    "device_id": t("tch.col.device"),
    "pattern_teacher_count": t("tch.col.pattern_teachers"),
    "reason_labels": t("tch.col.reasons"),
}
st.caption(t("tch.flags.sessions", n=f"{len(sessions):,}", limit=FLAG_SESSION_LIMIT))
ui.dataframe(
    sessions[list(sess_cols)],
    hide_index=True,
    height=300,
    column_order=list(sess_cols),
    column_config=sess_cols,
    key="tch_sessions_table",
)
export.download_buttons(
    sessions[list(sess_cols)].rename(columns=sess_cols),
    "teacher20_flag_sessions",
    meta,
    key="tch_sessions_dl",
)

# --- 8. method ---------------------------------------------------------------------------------------
with st.expander(t("tch.method.header")):
    st.markdown(
        t(
            "tch.method.text",
            h=f"{rules['min_total_hours']:g}",
            on=f"{rules['min_online_hours']:g}",
            pr=f"{rules['min_practice_hours']:g}",
            cap_on=f"{rules['max_online_session_hours']:g}",
            cap_pr=f"{rules['max_practice_session_hours']:g}",
            k=int(rules["min_points_passed"]),
            d=int(rules["min_dimensions"]),
            grades=t("list.sep").join(tv("grade", g) for g in rules["passing_grades"].split("|")),
            q20=f"{100 * rules['quota_2020']:.0f}",
            q21=f"{100 * (rules['quota_2020'] + rules['quota_2021']):.0f}",
            q22=f"{100 * (rules['quota_2020'] + rules['quota_2021'] + rules['quota_2022']):.0f}",
            deadline=str(rules["deadline"])[:10],
            as_of=as_of,
        )
    )

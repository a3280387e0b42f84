"""数字资源 / Digital resources (work item 十二): collection against the plan's targets, by
subject, level and unit; metadata conformance; use; 三个课堂; 四川云教 pairs."""

import streamlit as st

from edusight import export, privacy, queries, theme, ui
from edusight.figures import resources as figures
from edusight.i18n import N_, col, current_lang, t, tv_frame

KIND_LABELS = {
    "专递课堂": N_("res.kind.zhuandi"),
    "名师课堂": N_("res.kind.mingshi"),
    "名校网络课堂": N_("res.kind.mingxiao"),
}
LEVEL_LABELS = {lv: N_(f"res.level.{i}") for i, lv in enumerate(figures.LEVELS)}
GRADE_LABELS = {g: N_(f"res.grade.{i}") for i, g in enumerate(figures.GRADE_COLORS)}

ui.page_header("page.resources.title", "res.intro")
scope = queries.viewer_scope()
period = ui.period()
lang = current_lang()
tpl = theme.plotly_template()
tname = theme.current_theme()
name = col("name")
kinds = {k: t(v) for k, v in KIND_LABELS.items()}
levels = {k: t(v) for k, v in LEVEL_LABELS.items()}
grades = {k: t(v) for k, v in GRADE_LABELS.items()}

# --- 1. the collection against the plan's targets --------------------------------------------
s = queries.run("resources_summary", scope, period=period).iloc[0]
end = str(s["period_end"])[:10]
st.subheader(t("res.kpi.header", date=end))
k1, k2, k3, k4 = st.columns(4)
k1.metric(
    t("res.kpi.collected"),
    f"{s['collected_count']:,} / {s['collected_target']:,}",
    help=t("res.kpi.collected.help"),
    border=True,
)
k1.progress(min(1.0, s["collected_count"] / s["collected_target"]))
k2.metric(
    t("res.kpi.premium"),
    f"{s['premium_count']:,} / {s['premium_target']:,}",
    help=t("res.kpi.premium.help"),
    border=True,
)
k2.progress(min(1.0, s["premium_count"] / s["premium_target"]))
k3.metric(t("res.kpi.submitted"), f"{s['submitted_count']:,}", border=True)
k3.caption(t("res.kpi.review", pending=s["pending_count"], returned=s["returned_count"]))
conf = s["metadata_conforming_pct"]
k4.metric(
    t("res.kpi.metadata"),
    "—" if conf is None or conf != conf else f"{conf:.1f}%",
    help=t("res.kpi.metadata.help"),
    border=True,
)
k4.caption(t("res.kpi.metadata.base", n=f"{s['submitted_total_count']:,}"))
if ui.unit_filter():
    st.caption(t("res.kpi.unit_note"))

# --- 2. by subject and level; by contributing unit ------------------------------------------
st.subheader(t("res.by.header"))
left, right = st.columns([3, 2])
with left:
    ui.plotly_chart(
        ui.figure(
            figures.subject_bar,
            tv_frame(
                queries.run("resources_by_subject", scope, period=period), {"subject": "subject"}
            ),
            level_labels=levels,
            labels={
                "title": t("res.by.subject.title", date=end),
                "x": t("res.axis.collected"),
                "empty": t("res.empty"),
            },
            template=tpl,
        ),
        key="res_subject_chart",
    )
with right:
    by_unit = queries.run("resources_by_unit", scope, period=period)
    unit_cols = {
        name: t("col.unit"),
        "submitted_count": t("res.col.submitted"),
        "collected_count": t("res.col.collected"),
        "premium_count": t("res.col.premium"),
        "pending_count": t("res.col.pending"),
        "returned_count": t("res.col.returned"),
        "metadata_conforming_pct": t("res.col.metadata_pct"),
    }
    ui.dataframe(
        by_unit[list(unit_cols)],
        hide_index=True,
        height=420,
        column_order=list(unit_cols),
        column_config={
            **unit_cols,
            "metadata_conforming_pct": st.column_config.ProgressColumn(
                t("res.col.metadata_pct"), format="%.1f%%", min_value=0, max_value=100
            ),
        },
        key="res_unit_table",
    )
    export.download_buttons(
        by_unit[list(unit_cols)].rename(columns=unit_cols),
        "resources_by_unit",
        {"period": str(period), "scope": ",".join(scope)},
        key="res_unit_dl",
    )

# --- 3. metadata conformance ----------------------------------------------------------------
st.subheader(t("res.meta.header"))
ui.plotly_chart(
    ui.figure(
        figures.conformance_bar,
        queries.run("resources_metadata_conformance", scope),
        label_col=col("element"),
        labels={
            "title": t("res.meta.title"),
            "x": t("res.meta.x"),
            "empty": t("res.empty"),
            "optional": t("res.meta.optional"),
        },
        template=tpl,
    ),
    key="res_meta_chart",
)
st.caption(t("res.meta.note"))

# --- 4. use ---------------------------------------------------------------------------------
st.subheader(t("res.use.header"))
left, right = st.columns([3, 2])
with left:
    ui.plotly_chart(
        ui.figure(
            figures.usage_lines,
            queries.run("resources_usage_by_month", scope, period=period),
            labels={
                "title": t("res.use.title"),
                "y": t("res.use.y"),
                "views": t("res.use.views"),
                "downloads": t("res.use.downloads"),
                "empty": t("res.empty"),
            },
            template=tpl,
        ),
        key="res_usage_chart",
    )
with right:
    st.markdown(t("res.top.title", date=end))
    top = tv_frame(
        queries.run("resources_top", scope, period=period), {"subject": "subject", "level": "level"}
    )
    ui.dataframe(
        top,
        hide_index=True,
        column_order=[
            "title",
            "subject",
            "level",
            col("unit_name"),
            "view_count",
            "download_count",
        ],
        column_config={
            "title": t("res.col.title"),
            "subject": t("res.col.subject"),
            "level": t("res.col.level"),
            col("unit_name"): t("col.unit"),
            "view_count": st.column_config.NumberColumn(t("res.use.views"), format="localized"),
            "download_count": st.column_config.NumberColumn(
                t("res.use.downloads"), format="localized"
            ),
        },
        key="res_top_table",
    )

# --- 5. 三个课堂 ------------------------------------------------------------------------------
st.subheader(t("res.class.header"))
left, right = st.columns(2)
with left:
    ui.plotly_chart(
        ui.figure(
            figures.classroom_trend,
            queries.run("resources_classroom_trend", scope, period=period),
            kind_labels=kinds,
            labels={"title": t("res.class.trend"), "y": t("res.class.y"), "empty": t("res.empty")},
            template=tpl,
        ),
        key="res_class_trend",
    )
with right:
    class_units = queries.run("resources_classroom_by_unit", scope, period=period)
    ui.plotly_chart(
        ui.figure(
            figures.classroom_by_unit,
            class_units,
            label_col=name,
            kind_labels=kinds,
            labels={
                "title": t("res.class.by_unit", date=end),
                "x": t("res.class.y"),
                "empty": t("res.empty"),
            },
            template=tpl,
        ),
        key="res_class_units",
    )
st.caption(t("res.class.note"))

# --- 6. 四川云教 pairs -----------------------------------------------------------------------
st.subheader(t("res.cloud.header"))
pairs = queries.run("resources_cloud_pairs", scope, period=period)
pairs["grade_label"] = pairs["evaluation_grade"].map(grades).fillna(t("res.cloud.not_evaluated"))
only_weak = st.toggle(t("res.cloud.only_weak"), key="res_only_weak")
shown_pairs = pairs[pairs["evaluation_score"] < 80] if only_weak else pairs
left, right = st.columns([3, 2])
with left:
    if shown_pairs.empty:
        st.info(t("res.cloud.empty"))
    else:
        st.pydeck_chart(
            ui.deck(
                figures.pair_arcs,
                shown_pairs,
                tooltip=t("res.cloud.tooltip"),
                theme=tname,
                outline=True,  # the unit boundaries
            ),
            height=420,
            key="res_cloud_map",
        )
    st.caption(t("res.cloud.legend"))
with right:
    ui.plotly_chart(
        ui.figure(
            figures.score_histogram,
            shown_pairs,
            grade_labels=grades,
            labels={
                "title": t("res.cloud.grades"),
                "y": t("res.cloud.pairs"),
                "empty": t("res.empty"),
                "not_evaluated": t("res.cloud.not_evaluated"),
            },
            template=tpl,
        ),
        key="res_cloud_grades",
    )
pair_cols = {
    "broadcast_school_name": t("res.col.broadcast"),
    "school_name": t("res.col.receiver"),
    "level": t("res.col.level"),
    "subjects": t("res.col.subjects"),
    "latest_semester": t("res.col.semester"),
    "status": t("res.col.status"),
    "student_count": t("res.col.students"),
    "evaluated_semester": t("res.col.evaluated_semester"),
    "evaluation_score": t("res.col.score"),
    "grade_label": t("res.col.grade"),
}
pair_table = tv_frame(
    privacy.suppress_small(shown_pairs, ["student_count"]),
    {"level": "level", "subjects": "subject[]", "status": "pair_status"},
)
ui.dataframe(
    pair_table[list(pair_cols)],
    hide_index=True,
    column_order=list(pair_cols),
    column_config={
        **pair_cols,
        "evaluation_score": st.column_config.NumberColumn(t("res.col.score"), format="%.0f"),
    },
    key="res_pairs_table",
)
export.download_buttons(
    pair_table[list(pair_cols)].rename(columns=pair_cols),
    "cloud_pairs",
    {"period": str(period), "scope": ",".join(scope)},
    key="res_pairs_dl",
)
st.caption(t("res.cloud.note"))

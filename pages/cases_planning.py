"""典型案例与任务清单 / Typical cases and task list: the yearly call for typical cases (work item
四) by unit and field, and the plan's task list (items 一–三 and every other item), overdue first.
Pilot and demonstration projects (六, 八) are on the digital-campus coverage page."""

import pandas as pd
import streamlit as st

from edusight import export, queries, theme, ui
from edusight.figures import items as figures
from edusight.i18n import col, current_lang, t

ui.page_header("page.cases_planning.title", "cp.intro")
scope = queries.viewer_scope()
lang = current_lang()
cases = queries.run("items_cases", scope)
tasks = queries.run("items_plan_deliverables", scope)

# --- 1. typical cases ------------------------------------------------------------------------------
st.subheader(t("cp.cases.header"))
years = sorted(cases["year"].unique(), reverse=True)
if not years:
    st.info(t("items.no_data"))
else:
    selected_years = sorted(cases.loc[cases["selected_count"] > 0, "year"].unique(), reverse=True)
    default_year = selected_years[0] if selected_years else years[0]  # the latest completed call
    year = st.selectbox(
        t("cp.year"), years, index=years.index(default_year), key="cp_year", help=t("cp.year.help")
    )
    cy = cases[cases["year"] == year].copy()
    tot = cy[["collected_count", "recommended_count", "selected_count"]].sum()
    k1, k2, k3 = st.columns(3)
    k1.metric(
        t("cp.kpi.collected"),
        f"{tot.collected_count:,.0f}",
        border=True,
        help=t("cp.kpi.collected.help", year=year),
    )
    k2.metric(
        t("cp.kpi.recommended"),
        f"{tot.recommended_count:,.0f}",
        border=True,
        help=t("cp.kpi.recommended.help", year=year),
    )
    k3.metric(
        t("cp.kpi.selected"),
        f"{tot.selected_count:,.0f} / 10",
        border=True,
        help=t("cp.kpi.selected.help", year=year),
    )
    stage_labels = {
        "only_collected": t("cp.stage.collected"),
        "only_recommended": t("cp.stage.recommended"),
        "selected_count": t("cp.stage.selected"),
    }
    by_unit = cy.groupby(col("name"), as_index=False)[
        ["collected_count", "recommended_count", "selected_count"]
    ].sum()
    by_unit["only_collected"] = by_unit["collected_count"] - by_unit["recommended_count"]
    by_unit["only_recommended"] = by_unit["recommended_count"] - by_unit["selected_count"]
    by_unit = by_unit.sort_values(["collected_count", "selected_count"], ascending=False)
    long = by_unit.melt(
        id_vars=col("name"), value_vars=list(stage_labels), var_name="stage", value_name="count"
    )
    long["stage"] = long["stage"].map(stage_labels)
    ui.plotly_chart(
        ui.figure(
            figures.stacked_bars,
            long,
            x=col("name"),
            y="count",
            color="stage",
            color_order=list(stage_labels.values()),
            horizontal=True,
            template=theme.plotly_template(),
            labels={
                "title": t("cp.units.title", year=year),
                "x": t("col.unit"),
                "y": t("cp.axis.cases"),
                "empty": t("items.empty"),
            },
        ),
        key="cp_units_chart",
    )
    cy["field"] = cy["field_zh"] if lang == "zh" else cy["field_en"]
    by_field = (
        cy.groupby("field", as_index=False)[
            ["collected_count", "recommended_count", "selected_count"]
        ]
        .sum()
        .sort_values("collected_count", ascending=False)
    )
    ui.plotly_chart(
        ui.figure(
            figures.grouped_hbar,
            by_field,
            y="field",
            series=[
                ("collected_count", t("cp.stage.all_collected")),
                ("recommended_count", t("cp.stage.all_recommended")),
                ("selected_count", t("cp.stage.selected")),
            ],
            pct_axis=False,
            template=theme.plotly_template(),
            labels={
                "title": t("cp.fields.title", year=year),
                "x": t("cp.axis.cases"),
                "empty": t("items.empty"),
            },
        ),
        key="cp_fields_chart",
    )
    st.caption(t("cp.cases.note"))

# --- 2. the task list ------------------------------------------------------------------------------
st.subheader(t("cp.tasks.header"))
if tasks.empty:
    st.info(t("cp.tasks.city_only"))
else:
    as_of = str(tasks["as_of"].iat[0])[:10]
    tasks["item_label"] = (
        tasks["label_zh"] if lang == "zh" else "(" + tasks["item_no"].astype(str) + ")"
    )
    tasks["status"] = tasks["status_zh"] if lang == "zh" else tasks["status_en"]
    tasks["title"] = tasks[f"title_{lang}"]
    # blank, not "None", for tasks that are not overdue
    tasks["overdue_text"] = tasks["overdue_days"].map(lambda d: "" if pd.isna(d) else f"{int(d):,}")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("cp.kpi.tasks"), f"{len(tasks):,}", border=True)
    k2.metric(t("cp.kpi.done"), f"{(tasks['status_zh'] == '已完成').sum():,}", border=True)
    k3.metric(
        t("cp.kpi.overdue"),
        f"{int(tasks['is_overdue'].sum()):,}",
        border=True,
        help=t("cp.kpi.overdue.help", as_of=as_of),
    )
    k4.metric(
        t("cp.kpi.progress"),
        f"{tasks['progress_pct'].mean():.0f}%",
        border=True,
        help=t("cp.kpi.progress.help"),
    )
    item_options = [None, *dict.fromkeys(tasks.sort_values("item_no")["item_no"])]
    item_titles = dict(
        zip(tasks["item_no"], tasks["item_label"] + " " + tasks["title"], strict=False)
    )
    item = st.selectbox(
        t("cp.item"),
        item_options,
        format_func=lambda i: t("cp.item.all") if i is None else item_titles[i],
        key="cp_item",
    )
    shown_tasks = tasks if item is None else tasks[tasks["item_no"] == item]
    shown = {
        "item_label": t("cockpit.col.item"),
        "task": t("cp.col.task"),
        "lead_office": t("cp.col.lead"),
        "due_on": t("cp.col.due"),
        "status": t("cp.col.status"),
        "progress_pct": t("cp.col.progress"),
        "overdue_text": t("cp.col.overdue_days"),
        "updated_on": t("cp.col.updated"),
        "remark": t("cp.col.remark"),
    }
    ui.dataframe(
        shown_tasks,
        hide_index=True,
        column_order=list(shown),
        column_config={
            **shown,
            "task": st.column_config.TextColumn(shown["task"], width="large"),
            "due_on": st.column_config.DateColumn(shown["due_on"]),
            "updated_on": st.column_config.DateColumn(shown["updated_on"]),
            "progress_pct": st.column_config.ProgressColumn(
                shown["progress_pct"], min_value=0, max_value=100, format="%d%%"
            ),
            "overdue_text": st.column_config.TextColumn(shown["overdue_text"], alignment="right"),
        },
        key="cp_tasks_table",
    )
    export.download_buttons(
        shown_tasks[list(shown)].rename(columns=shown),
        "plan_deliverables",
        {t("items.meta.as_of"): as_of, t("items.meta.method"): t("cp.tasks.note", as_of=as_of)},
        key="cp_export",
    )
    st.caption(t("cp.tasks.note", as_of=as_of))

# --- 3. pilots and demonstrations: on the coverage page ---------------------------------------------
st.subheader(t("cp.demo.header"))
st.markdown(t("cp.demo.body"))
st.page_link("pages/coverage.py", label=t("cp.demo.link"))

"""网络学习空间 / Online learning spaces (work item 五): spaces opened and monthly active teachers
and pupils, trend by month, by unit and school type."""

import streamlit as st

from edusight import export, privacy, queries, theme, ui
from edusight.figures import items as figures
from edusight.i18n import N_, col, current_lang, t

WHO = {"teachers": N_("ls.who.teachers"), "students": N_("ls.who.students")}
COLUMN = {"teachers": "teacher", "students": "student"}

ui.page_header("page.learning_space.title", "ls.intro")
scope = queries.viewer_scope()
period = ui.period()
lang = current_lang()
if period is None:
    st.info(t("items.no_data"))
    st.stop()

trend = queries.run("items_learning_space_trend", scope)
units = queries.run("items_learning_space_units", scope, period=period)
month = units["month"].iat[0] if len(units) else "—"
trend = trend[trend["month"] <= month]
who = (
    st.segmented_control(
        t("ls.who"), list(WHO), format_func=lambda k: t(WHO[k]), default="teachers", key="ls_who"
    )
    or "teachers"
)
c = COLUMN[who]

# --- 1. headline: the last month of the chosen quarter -------------------------------------------
totals = units[[f"{c}s_in_scope", f"{c}_space_count", f"active_{c}_count"]].sum()
opened, active, base = (
    totals[f"{c}_space_count"],
    totals[f"active_{c}_count"],
    totals[f"{c}s_in_scope"],
)
k1, k2, k3 = st.columns(3)
k1.metric(
    t(f"ls.kpi.opened.{who}"),
    f"{figures.pct(opened, base) or 0:.1f}%",
    border=True,
    help=t("ls.kpi.opened.help", opened=f"{opened:,.0f}", base=f"{base:,.0f}", month=month),
)
k2.metric(
    t(f"ls.kpi.active.{who}"),
    f"{figures.pct(active, opened) or 0:.1f}%",
    border=True,
    help=t("ls.kpi.active.help", active=f"{active:,.0f}", opened=f"{opened:,.0f}", month=month),
)
k3.metric(
    t("ls.kpi.schools"),
    f"{int(units['reporting_school_count'].sum()):,} / {int(units['schools_in_scope'].sum()):,}",
    border=True,
    help=t("ls.kpi.schools.help", month=month),
)

# --- 2. trend by month -----------------------------------------------------------------------------
st.subheader(t("ls.trend.header"))
ui.plotly_chart(
    ui.figure(
        figures.line_trend,
        trend,
        x="month",
        series=[
            (f"{c}s_in_scope", t(f"ls.series.scope.{who}")),
            (f"{c}_space_count", t(f"ls.series.opened.{who}")),
            (f"active_{c}_count", t(f"ls.series.active.{who}")),
        ],
        dashed=[f"{c}s_in_scope"],
        template=theme.plotly_template(),
        labels={
            "title": t(f"ls.trend.title.{who}", month=month),
            "x": t("items.axis.month"),
            "y": t(f"ls.axis.people.{who}"),
            "empty": t("items.empty"),
        },
    ),
    key="ls_trend_chart",
)
st.caption(t("ls.trend.note"))

# --- 3. by unit ------------------------------------------------------------------------------------
st.subheader(t("ls.units.header", month=month))
by_unit = units.groupby(["unit_code", col("name")], as_index=False, sort=False)[
    [f"{c}s_in_scope", f"{c}_space_count", f"active_{c}_count"]
].sum()
by_unit["opened_pct"] = [
    figures.pct(a, b)
    for a, b in zip(by_unit[f"{c}_space_count"], by_unit[f"{c}s_in_scope"], strict=True)
]
by_unit["active_pct"] = [
    figures.pct(a, b)
    for a, b in zip(by_unit[f"active_{c}_count"], by_unit[f"{c}_space_count"], strict=True)
]
by_unit = by_unit.sort_values("opened_pct", ascending=False, na_position="last")
ui.plotly_chart(
    ui.figure(
        figures.grouped_hbar,
        by_unit,
        y=col("name"),
        series=[("opened_pct", t("ls.col.opened_pct")), ("active_pct", t("ls.col.active_pct"))],
        template=theme.plotly_template(),
        target=90.0 if who == "teachers" else None,
        labels={
            "title": t(f"ls.units.title.{who}", month=month),
            "x": t("items.axis.pct"),
            "empty": t("items.empty"),
            "target": t("ls.target"),
        },
    ),
    key="ls_units_chart",
)

# --- 4. by unit and school type (table) -----------------------------------------------------------
table = units.assign(
    school_type_label=units["school_type"] if lang == "zh" else units["school_type_en"],
    opened_pct=[
        figures.pct(a, b)
        for a, b in zip(units[f"{c}_space_count"], units[f"{c}s_in_scope"], strict=True)
    ],
    active_pct=[
        figures.pct(a, b)
        for a, b in zip(units[f"active_{c}_count"], units[f"{c}_space_count"], strict=True)
    ],
)
shown = {
    col("name"): t("col.unit"),
    "school_type_label": t("items.col.school_type"),
    "reporting_school_count": t("ls.col.reporting_schools"),
    f"{c}s_in_scope": t(f"ls.col.scope.{who}"),
    f"{c}_space_count": t(f"ls.col.opened.{who}"),
    f"active_{c}_count": t(f"ls.col.active.{who}"),
    "opened_pct": t("ls.col.opened_pct"),
    "active_pct": t("ls.col.active_pct"),
}
people = [f"{c}s_in_scope", f"{c}_space_count", f"active_{c}_count"]
safe = privacy.suppressed_text(table, people)  # person counts 1–4 shown as "<5"
ui.dataframe(
    safe,
    hide_index=True,
    column_order=list(shown),
    column_config={
        **shown,
        **{k: st.column_config.TextColumn(shown[k], alignment="right") for k in people},
        "opened_pct": st.column_config.NumberColumn(shown["opened_pct"], format="%.1f%%"),
        "active_pct": st.column_config.NumberColumn(shown["active_pct"], format="%.1f%%"),
    },
    key="ls_table",
)
export.download_buttons(
    safe[list(shown)].rename(columns=shown),
    f"learning_space_{month}",
    {t("items.meta.month"): month, t("items.meta.method"): t("ls.note")},
    key="ls_export",
)
st.caption(t("ls.note"))

"""学生信息素养 / Pupils' IT literacy (work item 十五): IT course offering and qualified IT
teachers by unit; competition entries and awards by event and unit."""

import streamlit as st

from edusight import export, queries, theme, ui
from edusight.figures import items as figures
from edusight.i18n import col, current_lang, t

ui.page_header("page.literacy.title", "lit.intro")
scope = queries.viewer_scope()
lang = current_lang()
courses = queries.run("items_it_courses", scope)
comps = queries.run("items_competitions", scope)
if courses.empty and comps.empty:
    st.info(t("items.no_data"))
    st.stop()

c_year, c_comp = st.columns(2)
school_years = sorted(courses["school_year"].unique(), reverse=True)
school_year = c_year.selectbox(t("lit.school_year"), school_years, key="lit_school_year")
years = sorted(comps["year"].unique(), reverse=True)
events_per_year = comps.groupby("year")["event_zh"].nunique()
full_years = [y for y in years if events_per_year.get(y, 0) == events_per_year.max()]
default_year = full_years[0] if full_years else years[0]  # the latest year with every event held
year = c_comp.selectbox(
    t("lit.year"), years, index=years.index(default_year), key="lit_year", help=t("lit.year.help")
)

# --- 1. IT courses ---------------------------------------------------------------------------------
st.subheader(t("lit.courses.header", year=school_year))
cy = courses[courses["school_year"] == school_year].copy()
tot = cy[
    [
        "school_count",
        "offering_count",
        "practice_count",
        "it_teacher_count",
        "qualified_it_teacher_count",
    ]
].sum()
k1, k2, k3 = st.columns(3)
k1.metric(
    t("lit.kpi.offering"),
    f"{figures.pct(tot.offering_count, tot.school_count) or 0:.1f}%",
    border=True,
    help=t(
        "lit.kpi.offering.help",
        n=f"{tot.offering_count:,.0f}",
        d=f"{tot.school_count:,.0f}",
        year=school_year,
    ),
)
k2.metric(
    t("lit.kpi.practice"),
    f"{figures.pct(tot.practice_count, tot.school_count) or 0:.1f}%",
    border=True,
    help=t(
        "lit.kpi.practice.help",
        n=f"{tot.practice_count:,.0f}",
        d=f"{tot.school_count:,.0f}",
        year=school_year,
    ),
)
k3.metric(
    t("lit.kpi.qualified"),
    f"{figures.pct(tot.qualified_it_teacher_count, tot.it_teacher_count) or 0:.1f}%",
    border=True,
    help=t(
        "lit.kpi.qualified.help",
        n=f"{tot.qualified_it_teacher_count:,.0f}",
        d=f"{tot.it_teacher_count:,.0f}",
        year=school_year,
    ),
)
cy["offering_pct"] = [
    figures.pct(a, b) for a, b in zip(cy["offering_count"], cy["school_count"], strict=True)
]
cy["practice_pct"] = [
    figures.pct(a, b) for a, b in zip(cy["practice_count"], cy["school_count"], strict=True)
]
cy["qualified_pct"] = [
    figures.pct(a, b)
    for a, b in zip(cy["qualified_it_teacher_count"], cy["it_teacher_count"], strict=True)
]
cy = cy.sort_values(["offering_pct", "qualified_pct"], ascending=False)
ui.plotly_chart(
    ui.figure(
        figures.grouped_hbar,
        cy,
        y=col("name"),
        series=[
            ("offering_pct", t("lit.col.offering_pct")),
            ("qualified_pct", t("lit.col.qualified_pct")),
        ],
        template=theme.plotly_template(),
        target=100.0,
        labels={
            "title": t("lit.courses.title", year=school_year),
            "x": t("items.axis.pct"),
            "empty": t("items.empty"),
            "target": t("lit.target"),
        },
    ),
    key="lit_courses_chart",
)

# --- 2. competitions -------------------------------------------------------------------------------
st.subheader(t("lit.comp.header", year=year))
comps["event"] = comps["event_zh"] if lang == "zh" else comps["event_en"]
cm = comps[comps["year"] == year]
k4, k5, k6 = st.columns(3)
k4.metric(
    t("lit.kpi.entries"),
    f"{cm['entry_count'].sum():,.0f}",
    border=True,
    help=t("lit.kpi.entries.help", year=year),
)
k5.metric(
    t("lit.kpi.awards"),
    f"{cm['award_count'].sum():,.0f}",
    border=True,
    help=t("lit.kpi.awards.help", year=year),
)
k6.metric(
    t("lit.kpi.first"),
    f"{cm['first_prize_count'].sum():,.0f}",
    border=True,
    help=t("lit.kpi.first.help", year=year),
)
by_event = cm.groupby("event", as_index=False)[
    ["entry_count", "first_prize_count", "second_prize_count", "third_prize_count"]
].sum()
long = by_event.melt(
    id_vars="event",
    value_vars=["first_prize_count", "second_prize_count", "third_prize_count"],
    var_name="prize",
    value_name="count",
)
prize_labels = {
    "first_prize_count": t("lit.prize.first"),
    "second_prize_count": t("lit.prize.second"),
    "third_prize_count": t("lit.prize.third"),
}
long["prize"] = long["prize"].map(prize_labels)
ui.plotly_chart(
    ui.figure(
        figures.stacked_bars,
        long,
        x="event",
        y="count",
        color="prize",
        color_order=list(prize_labels.values()),
        horizontal=True,
        template=theme.plotly_template(),
        labels={
            "title": t("lit.comp.title", year=year),
            "x": t("lit.axis.event"),
            "y": t("lit.axis.awards"),
            "empty": t("items.empty"),
        },
    ),
    key="lit_comp_chart",
)
table = cm.groupby([col("name")], as_index=False)[
    [
        "school_count",
        "entry_count",
        "first_prize_count",
        "second_prize_count",
        "third_prize_count",
        "award_count",
    ]
].sum()
table["award_pct"] = [
    figures.pct(a, b) for a, b in zip(table["award_count"], table["entry_count"], strict=True)
]
table = table.sort_values("award_count", ascending=False)
shown = {
    col("name"): t("col.unit"),
    "school_count": t("lit.col.schools"),
    "entry_count": t("lit.col.entries"),
    "first_prize_count": t("lit.prize.first"),
    "second_prize_count": t("lit.prize.second"),
    "third_prize_count": t("lit.prize.third"),
    "award_count": t("lit.col.awards"),
    "award_pct": t("lit.col.award_pct"),
}
ui.dataframe(
    table,
    hide_index=True,
    column_order=list(shown),
    column_config={
        **shown,
        "award_pct": st.column_config.NumberColumn(shown["award_pct"], format="%.1f%%"),
    },
    key="lit_table",
)
export.download_buttons(
    table[list(shown)].rename(columns=shown),
    f"competitions_{year}",
    {t("items.meta.year"): str(year), t("items.meta.method"): t("lit.note")},
    key="lit_export",
)
st.caption(t("lit.note"))

"""数字校园覆盖 / Digital-campus coverage (work items 六, 七, 八): the map of units against their
targets, ranking, status × change, trend and projection, the schools of a unit, new technology."""

import datetime as dt

import pandas as pd
import streamlit as st

from edusight import export, pages, queries, theme, ui
from edusight.figures import coverage as figures
from edusight.i18n import N_, col, current_lang, t
from edusight.pagedata import coverage as pagedata

STATUS_LABELS = pagedata.STATUS_LABELS
LEVEL_LABELS = {b: N_(f"cov.level.{b}") for b, _ in figures.LEVEL_BANDS}
CHANGE_LABELS = {b: N_(f"cov.change.{b}") for b, _ in figures.CHANGE_BANDS}
DIMENSIONS = [
    "score_bandwidth", "score_wifi", "score_multimedia", "score_terminals",
    "score_platforms", "score_resources", "score_security", "score_support",
]  # fmt: skip
NEWTECH = {  # indicator column → (label key, value format, unit key)
    "ipv6_pct": (N_("cov.nt.ipv6_pct"), "{:.0f}%"),
    "demo_5g_count": (N_("cov.nt.demo_5g_count"), "{:.0f}"),
    "iot_pilot_count": (N_("cov.nt.iot_pilot_count"), "{:.0f}"),
    "smart_classroom_count": (N_("cov.nt.smart_classroom_count"), "{:.0f}"),
    "smart_classroom_pct": (N_("cov.nt.smart_classroom_pct"), "{:.1f}%"),
    "with_lab_pct": (N_("cov.nt.with_lab_pct"), "{:.0f}%"),
}
PROFILE = pages.by_path("pages/school_profile.py")


ui.page_header("page.coverage.title", "cov.intro")
scope = queries.viewer_scope()
period = ui.period()
lang = current_lang()
name = col("name")
tname = theme.current_theme()
tpl = theme.plotly_template()
if period is None:
    st.info(t("cov.no_data"))
    st.stop()

units = queries.run("coverage_units", scope, period=period)
units["category_label"] = units["category"] if lang == "zh" else units["category_en"]
names = dict(zip(units["unit_code"], units[name], strict=True))
has_schools = units[units["school_count"].notna()]

# --- controls: the unit to drill into (also set by a click on the map) -----------------------
sidebar_unit = ui.unit_filter()
if st.session_state.get("cov_unit") not in [queries.ALL, *names]:
    st.session_state["cov_unit"] = sidebar_unit if sidebar_unit in names else queries.ALL
c_unit, c_points = st.columns([3, 1], vertical_alignment="bottom")
chosen_unit = c_unit.selectbox(
    t("cov.unit_select"),
    [queries.ALL, *names],
    format_func=lambda u: t("cov.unit_all") if u == queries.ALL else names[u],
    key="cov_unit",
    help=t("cov.unit_select.help"),
)
unit = None if chosen_unit == queries.ALL else chosen_unit
show_schools = c_points.toggle(t("cov.show_schools"), value=True, key="cov_show_schools")

# --- 1. headline numbers ------------------------------------------------------------------------
cats = queries.run("coverage_categories", scope, period=period)
total = has_schools["school_count"].sum()
covered = has_schools["covered_count"].sum()
prev_cov = (
    (has_schools["prev_coverage_pct"] * has_schools["school_count"]).sum() / total
    if total and has_schools["prev_coverage_pct"].notna().all()
    else None
)
k1, k2, k3, k4 = st.columns(4)
k1.metric(
    t("cov.kpi.coverage"),
    figures.fmt_pct(100 * covered / total if total else None),
    delta=None if prev_cov is None else f"{100 * covered / total - prev_cov:+.1f} pp",
    help=t("cov.kpi.coverage.help", covered=f"{covered:,.0f}", total=f"{total:,.0f}"),
    border=True,
)
k2.metric(
    t("cov.kpi.meeting"),
    f"{int((has_schools['gap_pct'] >= 0).sum())} / {len(has_schools)}",
    help=t("cov.kpi.meeting.help"),
    border=True,
)
k3.metric(
    t("cov.kpi.on_course"),
    f"{int(has_schools['is_on_course'].fillna(False).astype(bool).sum())} / {len(has_schools)}",
    help=t("cov.kpi.on_course.help"),
    border=True,
)
k4.metric(
    t("cov.kpi.not_assessed"),
    f"{has_schools['not_assessed_count'].sum():,.0f}",
    help=t("cov.kpi.not_assessed.help"),
    border=True,
)
st.caption(t("cov.kpi.note", period=period, n=f"{total:,.0f}"))

# --- 2. the map and the ranking -------------------------------------------------------------------
st.subheader(t("cov.map.header"))
points = queries.run("coverage_school_points", scope, period=period)
map_key = f"cov_map_{unit or 'all'}_{tname}"


def _on_map_select() -> None:
    """A click on a division, a zone pin or a school drills into its unit."""
    code, school = figures.picked(st.session_state.get(map_key))
    if code in names:
        st.session_state["cov_unit"] = code
    if school:
        st.session_state["cov_picked_school"] = school


map_labels = {
    "tip_coverage": t("cov.map.tip_coverage"),
    "tip_target": t("cov.map.tip_target"),
    "tip_category": t("cov.map.tip_category"),
    "tip_score": t("cov.map.tip_score"),
    "no_schools": t("cov.map.no_schools"),
    "out_of_scope": t("cov.map.out_of_scope"),
    **{s: t(k) for s, k in STATUS_LABELS.items()},
}
left, right = st.columns([3, 2], gap="medium")
with left:
    st.pydeck_chart(
        ui.deck(
            figures.coverage_map,
            units,
            points,
            labels=map_labels,
            name_col=name,
            category_col="category_label",
            theme=tname,
            selected_unit=unit,
            show_schools=show_schools,
        ),
        height=540,
        on_select=_on_map_select,
        selection_mode="single-object",
        key=map_key,
    )
    st.html(
        figures.gap_legend_html(
            {
                "gap_title": t("cov.legend.gap"),
                "below": t("cov.legend.below"),
                "at": t("cov.legend.at"),
                "above": t("cov.legend.above"),
                "no_data": t("cov.legend.no_data"),
                "schools_title": t("cov.legend.schools"),
                **{s: t(k) for s, k in STATUS_LABELS.items()},
            },
            tname,
        )
    )
    st.caption(t("cov.map.note"))
with right:
    ui.plotly_chart(
        ui.figure(
            figures.ranking_bar,
            units,
            name_col=name,
            selected_unit=unit,
            template=tpl,
            labels={
                "title": t("cov.rank.title", period=period),
                "x": t("cov.col.coverage_pct"),
                "target": t("cov.col.target_pct"),
                "empty": t("cov.empty"),
                "hover": t("cov.rank.hover"),
            },
        ),
        key="cov_rank_chart",
    )
    st.caption(t("cov.rank.note"))

picked = st.session_state.get("cov_picked_school")
if picked is not None and picked in set(points["school_id"]):
    row = points[points["school_id"] == picked].iloc[0]
    st.page_link(
        PROFILE.path,
        label=t("cov.open_profile", school=row["school_name"]),
        icon="🏫",
        query_params={"school": picked},
    )

# --- 3. categories and status × change ------------------------------------------------------------
st.subheader(t("cov.cat.header"))
for box, c in zip(st.columns(max(len(cats), 1)), cats.itertuples(), strict=False):
    label = c.category if lang == "zh" else c.category_en
    box.metric(
        t("cov.cat.metric", category=label, target=f"{c.coverage_target_pct:.0f}"),
        figures.fmt_pct(c.coverage_pct),
        delta=None if pd.isna(c.gap_pct) else t("cov.cat.gap", gap=figures.fmt_pp(c.gap_pct)),
        border=True,
    )
    box.caption(
        t(
            "cov.cat.caption",
            covered=figures.fmt_int(c.covered_count),
            total=figures.fmt_int(c.school_count),
            units=c.unit_count,
            projected=figures.fmt_pct(c.projected_pct),
        )
        + (" " + t("cov.cat.assumption") if c.is_target_assumption else "")
    )
ui.plotly_chart(
    ui.figure(
        figures.status_change_grid,
        units,
        name_col=name,
        template=tpl,
        labels={
            "title": t("cov.grid.title", period=period),
            "x": t("cov.grid.x"),
            "y": t("cov.grid.y"),
            "empty": t("cov.empty"),
            "sep": t("cov.grid.sep"),
            **{f"level.{b}": t(k) for b, k in LEVEL_LABELS.items()},
            **{f"change.{b}": t(k) for b, k in CHANGE_LABELS.items()},
        },
    ),
    key="cov_grid_chart",
)
st.caption(t("cov.grid.note"))

# --- 4. trend and projection ------------------------------------------------------------------------
st.subheader(t("cov.trend.header"))
trend = queries.run("coverage_trend", scope, period=period)
deadline = units["deadline"].dropna().max() if units["deadline"].notna().any() else None
by_unit = st.radio(
    t("cov.trend.by"),
    ["category", "unit"],
    format_func={"category": t("cov.trend.by_category"), "unit": t("cov.trend.by_unit")}.get,
    horizontal=True,
    index=1 if unit else 0,
    key="cov_trend_by",
)
if by_unit == "unit":
    worst = has_schools.sort_values("gap_pct")["unit_code"].head(3).tolist()
    chosen = st.multiselect(
        t("cov.trend.units"),
        list(has_schools["unit_code"]),
        default=[unit] if unit in set(has_schools["unit_code"]) else worst,
        format_func=names.get,
        key="cov_trend_units",
        max_selections=8,
    )
    series = trend[(trend["series_kind"] == "unit") & trend["series_code"].isin(chosen)].copy()
    series["label"] = series[name]
    proj = units[units["unit_code"].isin(chosen)].assign(label=lambda d: d[name])
else:
    series = trend[trend["series_kind"] == "category"].copy()
    series["label"] = series["name_zh"] if lang == "zh" else series["name_en"]
    proj = cats.assign(label=lambda d: d["category"] if lang == "zh" else d["category_en"])
last_start = trend.loc[trend["period"] == period, "period_start"].max() if len(trend) else None
proj = proj.assign(period_start=last_start)[
    ["label", "period_start", "coverage_pct", "projected_pct"]
]
ui.plotly_chart(
    ui.figure(
        figures.trend_figure,
        series,
        proj,
        deadline=deadline or dt.date(2022, 12, 31),
        template=tpl,
        labels={
            "title": t("cov.trend.title"),
            "y": t("cov.col.coverage_pct"),
            "target": t("cov.col.target_pct"),
            "projection": t("cov.trend.projection"),
            "deadline": t("cov.trend.deadline", date=str(deadline)[:10]),
            "empty": t("cov.empty"),
        },
    ),
    key="cov_trend_chart",
)
st.caption(t("cov.trend.note"))

summary_cols = {
    name: t("cov.col.unit"),
    "category_label": t("cov.col.category"),
    "school_count": t("cov.col.school_count"),
    "covered_count": t("cov.col.covered_count"),
    "failing_count": t("cov.col.failing_count"),
    "not_assessed_count": t("cov.col.not_assessed_count"),
    "coverage_pct": t("cov.col.coverage_pct"),
    "coverage_target_pct": t("cov.col.target_pct"),
    "gap_pct": t("cov.col.gap_pp"),
    "change_pct": t("cov.col.change_pp"),
    "slope_pct_per_quarter": t("cov.col.slope_pp"),
    "projected_pct": t("cov.col.projected_pct"),
    "on_course": t("cov.col.on_course"),
}
summary = units.copy()
summary["on_course"] = summary["is_on_course"].map(
    lambda v: "—" if pd.isna(v) else (t("cov.yes") if v else t("cov.no"))
)
summary = summary.sort_values(["is_zone", "gap_pct"], na_position="last")
with st.expander(t("cov.summary.header"), expanded=False):
    ui.dataframe(
        summary,
        hide_index=True,
        column_order=list(summary_cols),
        column_config={
            **summary_cols,
            **{
                c: st.column_config.NumberColumn(summary_cols[c], format="%.1f%%")
                for c in ("coverage_pct", "projected_pct", "coverage_target_pct")
            },
            **{
                c: st.column_config.NumberColumn(summary_cols[c], format="%+.1f")
                for c in ("gap_pct", "change_pct", "slope_pct_per_quarter")
            },
        },
        key="cov_summary_table",
    )
    meta = {
        t("cov.meta.period"): period,
        t("cov.meta.scope"): t("cov.unit_all") if len(scope) > 1 else names.get(scope[0], ""),
        t("cov.meta.method"): t("cov.meta.method_text"),
        t("cov.meta.source"): t("cov.meta.source_text"),
    }
    out = summary[list(summary_cols)].rename(columns=summary_cols)
    export.download_buttons(out, f"coverage_units_{period}", meta, key="cov_summary")

# --- 5. drill-down: the schools of a unit -------------------------------------------------------
criteria = queries.run("coverage_criteria", scope)
crit_name = dict(zip(criteria["dimension"], criteria[name], strict=True))
pass_score = float(criteria["pass_weighted_score"].iat[0]) if len(criteria) else None
st.subheader(t("cov.drill.header", unit=names[unit]) if unit else t("cov.drill.header_all"))
detail = pagedata.school_rows(queries.db_key(), scope, period, unit, lang)
f_status, f_crit, f_text = st.columns([2, 2, 2])
statuses = f_status.multiselect(
    t("cov.drill.status"),
    list(figures.STATUSES),
    format_func=lambda s: t(STATUS_LABELS[s]),
    key="cov_status",
    placeholder=t("cov.drill.all"),
)
criterion = f_crit.selectbox(
    t("cov.drill.criterion"),
    [None, "score", *crit_name],
    format_func=lambda c: (
        t("cov.drill.any")
        if c is None
        else (
            t("cov.drill.below_score", score=f"{pass_score:.0f}") if c == "score" else crit_name[c]
        )
    ),
    key="cov_criterion",
)
search = f_text.text_input(
    t("cov.drill.search"), key="cov_search", placeholder=t("cov.drill.search_hint")
)

shown = detail
shown["profile_url"] = (
    f"{pages.page_url(PROFILE)}?school="
    + shown["school_id"]
    + f"&lang={lang}&theme={tname}&period={period}&unit={sidebar_unit or queries.ALL}"
)
if statuses:
    shown = shown[shown["status"].isin(statuses)]
if criterion == "score":
    shown = shown[shown["is_below"]]
elif criterion is not None:
    shown = shown[shown[criterion] < criteria.set_index("dimension").at[criterion, "min_score"]]
if search.strip():
    s = search.strip().lower()
    shown = shown[
        shown["school_name"].str.lower().str.contains(s, regex=False)
        | shown["school_id"].str.startswith(s)
    ]

drill_cols = {
    "school_name": t("cov.col.school"),
    "profile_url": t("cov.col.profile"),
    "unit_label": t("cov.col.unit"),
    "type_label": t("cov.col.school_type"),
    "status_label": t("cov.col.status"),
    "weighted_score": t("cov.col.weighted_score"),
    "reasons": t("cov.col.failed"),
    **{d: crit_name.get(d, d) for d in DIMENSIONS},
    "assessed_period": t("cov.col.assessed_period"),
    "last_assessed_on": t("cov.col.assessed_on"),
    "school_id": t("cov.col.school_id"),
}
if unit:
    drill_cols.pop("unit_label")
if shown.empty:
    st.info(t("cov.drill.empty"))
else:
    st.caption(
        t(
            "cov.drill.count",
            shown=len(shown),
            total=len(detail),
            period=period,
            score=f"{pass_score:.0f}" if pass_score is not None else "—",
        )
    )
    ui.dataframe(
        # the shown columns (and the codes behind the labels), not every column of the query
        shown[[*drill_cols, "status", "unit_code"]],
        hide_index=True,
        height=min(38 + 35 * len(shown), 460),
        column_order=list(drill_cols),
        column_config={
            **drill_cols,
            "profile_url": st.column_config.LinkColumn(
                drill_cols["profile_url"], display_text=t("cov.col.profile_link"), width="small"
            ),
            "weighted_score": st.column_config.NumberColumn(
                drill_cols["weighted_score"], format="%.1f", width="small"
            ),
            "reasons": st.column_config.ListColumn(drill_cols["reasons"], width="medium"),
            **{
                d: st.column_config.NumberColumn(drill_cols[d], format="%.0f", width="small")
                for d in DIMENSIONS
            },
            "last_assessed_on": st.column_config.DateColumn(drill_cols["last_assessed_on"]),
        },
        key="cov_schools_table",
    )
    meta = {
        t("cov.meta.period"): period,
        t("cov.meta.unit"): names[unit] if unit else t("cov.unit_all"),
        t("cov.meta.status"): "、".join(t(STATUS_LABELS[s]) for s in statuses)
        or t("cov.drill.all"),
        t("cov.meta.criterion"): ""
        if criterion is None
        else drill_cols.get(criterion, criterion)
        if criterion != "score"
        else t("cov.drill.below_score", score=f"{pass_score:.0f}"),
        t("cov.meta.search"): search.strip(),
        t("cov.meta.method"): t("cov.meta.method_text"),
        t("cov.meta.source"): t("cov.meta.source_text"),
    }
    out_cols = {k: v for k, v in drill_cols.items() if k != "profile_url"}
    out = shown[list(out_cols)].assign(reasons=shown["reasons"].map("；".join))
    out = out.rename(columns=out_cols)
    stem = f"coverage_schools_{unit or 'all'}_{period}"
    export.download_buttons(out, stem, meta, key="cov_schools")
st.caption(t("cov.drill.note"))

# --- 6. new technology and demonstration (items 六, 八) ------------------------------------------
st.subheader(t("cov.nt.header"))
newtech = queries.run("coverage_newtech_units", scope, period=period)
year = int(newtech["year"].dropna().iat[0]) if newtech["year"].notna().any() else None
indicator = st.selectbox(
    t("cov.nt.indicator"),
    list(NEWTECH),
    format_func=lambda c: t(NEWTECH[c][0]),
    key="cov_nt_indicator",
)
label_key, value_fmt = NEWTECH[indicator]
m_left, m_right = st.columns([3, 2], gap="medium")
with m_left:
    ui.plotly_chart(
        ui.figure(
            figures.indicator_map,
            newtech,
            value_col=indicator,
            name_col=name,
            template=tpl,
            value_fmt=value_fmt,
            labels={
                "title": t(label_key),
                "indicator": t(label_key),
                "tip_schools": t("cov.nt.tip_schools"),
                "out_of_scope": t("cov.map.out_of_scope"),
                "no_data": t("cov.legend.no_data"),
            },
        ),
        key="cov_nt_map",
    )
nt_cols = {
    name: t("cov.col.unit"),
    "school_count": t("cov.col.school_count"),
    "ipv6_pct": t("cov.nt.ipv6_pct"),
    "demo_5g_count": t("cov.nt.demo_5g_count"),
    "iot_pilot_count": t("cov.nt.iot_pilot_count"),
    "smart_classroom_count": t("cov.nt.smart_classroom_count"),
    "maker_lab_count": t("cov.nt.maker_lab_count"),
    "vr_lab_count": t("cov.nt.vr_lab_count"),
    "steam_lab_count": t("cov.nt.steam_lab_count"),
}
with m_right:
    ui.dataframe(
        newtech[list(nt_cols)],
        hide_index=True,
        height=430,
        column_order=list(nt_cols),
        column_config={
            **nt_cols,
            **{
                c: st.column_config.NumberColumn(nt_cols[c], format="%d", width="small")
                for c in list(nt_cols)[1:]
            },
            "ipv6_pct": st.column_config.NumberColumn(
                nt_cols["ipv6_pct"], format="%.0f%%", width="small"
            ),
        },
        key="cov_nt_table",
    )
st.caption(t("cov.nt.note", year=year or "—"))
nt_meta = {
    t("cov.meta.period"): period,
    t("cov.meta.year"): str(year or ""),
    t("cov.meta.source"): t("cov.nt.source"),
}
nt_out = newtech[list(nt_cols)].rename(columns=nt_cols)
export.download_buttons(nt_out, f"coverage_newtech_{year}", nt_meta, key="cov_nt")

demo = queries.run("coverage_demonstration_units", scope)
kind_col = "kind_zh" if lang == "zh" else "kind_en"
ui.plotly_chart(
    ui.figure(
        figures.demonstration_bar,
        demo,
        name_col=name,
        kind_col=kind_col,
        template=tpl,
        labels={
            "title": t("cov.demo.title"),
            "x": t("cov.demo.y"),
            "accepted": t("cov.demo.accepted"),
            "in_progress": t("cov.demo.in_progress"),
            "empty": t("cov.empty"),
        },
    ),
    key="cov_demo_chart",
)
st.caption(t("cov.demo.note"))

# --- 7. methodology -------------------------------------------------------------------------------
with st.expander(t("cov.method.header")):
    st.markdown(
        t(
            "cov.method.rule",
            score=f"{pass_score:.0f}" if pass_score is not None else "—",
            all_dims=t("cov.yes")
            if len(criteria) and bool(criteria["is_all_dimensions_min"].iat[0])
            else t("cov.no"),
        )
    )
    ui.dataframe(
        criteria.assign(weight_pct=criteria["weight"] * 100),
        hide_index=True,
        column_order=[name, "weight_pct", "min_score"],
        column_config={
            name: t("cov.method.dimension"),
            "weight_pct": st.column_config.NumberColumn(t("cov.method.weight"), format="%.0f%%"),
            "min_score": st.column_config.NumberColumn(t("cov.method.min_score"), format="%.0f"),
        },
        key="cov_criteria_table",
    )
    st.markdown(t("cov.method.text"))
    st.markdown(
        t(
            "cov.method.bands",
            levels="；".join(t(LEVEL_LABELS[b]) for b, _ in figures.LEVEL_BANDS),
            changes="；".join(t(CHANGE_LABELS[b]) for b, _ in figures.CHANGE_BANDS),
        )
    )

"""教育在线服务 / Online education services (work item 十三): applications, completion rate and
processing hours by service and month, with the seasonality of each service."""

import pandas as pd
import streamlit as st

from edusight import export, queries, theme, ui
from edusight.figures import items as figures
from edusight.i18n import current_lang, t

ui.page_header("page.services.title", "sv.intro")
scope = queries.viewer_scope()
period = ui.period()
lang = current_lang()
monthly = queries.run("items_services_monthly", scope)
if period is None or monthly.empty:
    st.info(t("items.no_data"))
    st.stop()

# window: the 12 months ending with the last month of the chosen quarter
year, quarter = int(period[:4]), int(period[-1])
end = pd.Period(year=year, month=quarter * 3, freq="M")
months = [str(end - i) for i in range(11, -1, -1)]
monthly["service"] = monthly["service_zh"] if lang == "zh" else monthly["service_en"]
services = list(dict.fromkeys(monthly.sort_values("service_code")["service"]))
choice = st.selectbox(
    t("sv.service"),
    [None, *services],
    format_func=lambda s: t("sv.service.all") if s is None else s,
    key="sv_service",
)
data = monthly if choice is None else monthly[monthly["service"] == choice]
data = data[data["month"] <= months[-1]]
window = data[data["month"].isin(months)]

# --- 1. headline: last 12 months ------------------------------------------------------------------
apps, done = window["application_count"].sum(), window["completed_count"].sum()
hours = (
    window["hours_x_completed"].sum() / window["completed_with_hours"].sum()
    if window["completed_with_hours"].sum()
    else None
)
with_wait = window[window["promised_hours"] > 0]
wait_hours = (
    with_wait["hours_x_completed"].sum() / with_wait["completed_with_hours"].sum()
    if with_wait["completed_with_hours"].sum()
    else None
)
sat = (
    window["satisfaction_x_applications"].sum() / window["applications_rated"].sum()
    if window["applications_rated"].sum()
    else None
)
span = t("sv.window", first=months[0], last=months[-1])
k1, k2, k3, k4 = st.columns(4)
k1.metric(t("sv.kpi.applications"), f"{apps:,.0f}", border=True, help=span)
k2.metric(
    t("sv.kpi.completed"),
    f"{figures.pct(done, apps) or 0:.1f}%",
    border=True,
    help=t("sv.kpi.completed.help", done=f"{done:,.0f}", apps=f"{apps:,.0f}", span=span),
)
k3.metric(
    t("sv.kpi.hours"),
    "—" if wait_hours is None else f"{wait_hours:.1f} h",
    border=True,
    help=t("sv.kpi.hours.help", span=span),
)
k4.metric(
    t("sv.kpi.satisfaction"),
    "—" if sat is None else f"{sat:.1f}%",
    border=True,
    help=t("sv.kpi.satisfaction.help", span=span),
)

# --- 2. monthly volumes by service (seasonality) --------------------------------------------------
st.subheader(t("sv.monthly.header"))
by_month = data.groupby(["month", "service"], as_index=False)["application_count"].sum()
in_months = set(by_month["service"].unique())
ui.plotly_chart(
    ui.figure(
        figures.stacked_bars,
        by_month,
        x="month",
        y="application_count",
        color="service",
        color_order=[s for s in services if s in in_months],
        template=theme.plotly_template(),
        labels={
            "title": t("sv.monthly.title"),
            "x": t("items.axis.month"),
            "y": t("sv.axis.applications"),
            "empty": t("items.empty"),
        },
    ),
    key="sv_monthly_chart",
)
season = data.assign(cal_month=data["month"].str[5:7].astype(int))
season = season.groupby(["service", "cal_month"], as_index=False)["application_count"].sum()
season["share_pct"] = (
    100
    * season["application_count"]
    / season.groupby("service")["application_count"].transform("sum")
)
ui.plotly_chart(
    ui.figure(
        figures.seasonality_heatmap,
        season,
        row="service",
        month="cal_month",
        value="share_pct",
        template=theme.plotly_template(),
        labels={
            "title": t("sv.season.title"),
            "x": t("sv.axis.calendar_month"),
            "colorbar": t("sv.season.colorbar"),
            "empty": t("items.empty"),
        },
    ),
    key="sv_season_chart",
)

# --- 3. by service (table) ------------------------------------------------------------------------
st.subheader(t("sv.table.header", span=span))
agg = window.groupby(["service_code", "service"], as_index=False).agg(
    application_count=("application_count", "sum"),
    completed_count=("completed_count", "sum"),
    hours_x_completed=("hours_x_completed", "sum"),
    completed_with_hours=("completed_with_hours", "sum"),
    promised_hours=("promised_hours", "max"),
    satisfaction_x_applications=("satisfaction_x_applications", "sum"),
    applications_rated=("applications_rated", "sum"),
)
agg["completed_pct"] = [
    figures.pct(a, b) for a, b in zip(agg["completed_count"], agg["application_count"], strict=True)
]
agg["avg_hours"] = (
    agg["hours_x_completed"] / agg["completed_with_hours"].where(agg["completed_with_hours"] > 0)
).round(1)
agg["satisfaction_pct"] = (
    agg["satisfaction_x_applications"]
    / agg["applications_rated"].where(agg["applications_rated"] > 0)
).round(1)
agg = agg.sort_values("application_count", ascending=False)
shown = {
    "service": t("sv.col.service"),
    "application_count": t("sv.col.applications"),
    "completed_count": t("sv.col.completed"),
    "completed_pct": t("sv.col.completed_pct"),
    "avg_hours": t("sv.col.avg_hours"),
    "promised_hours": t("sv.col.promised_hours"),
    "satisfaction_pct": t("sv.col.satisfaction_pct"),
}
ui.dataframe(
    agg[list(shown)],
    hide_index=True,
    height=35 * (len(agg) + 1) + 10,
    column_order=list(shown),
    column_config={
        **shown,
        "application_count": st.column_config.NumberColumn(
            shown["application_count"], format="localized"
        ),
        "completed_count": st.column_config.NumberColumn(
            shown["completed_count"], format="localized"
        ),
        "completed_pct": st.column_config.NumberColumn(shown["completed_pct"], format="%.1f%%"),
        "avg_hours": st.column_config.NumberColumn(shown["avg_hours"], format="%.1f"),
        "promised_hours": st.column_config.NumberColumn(shown["promised_hours"], format="%.0f"),
        "satisfaction_pct": st.column_config.NumberColumn(
            shown["satisfaction_pct"], format="%.1f%%"
        ),
    },
    key="sv_table",
)
export.download_buttons(
    agg[list(shown)].rename(columns=shown),
    f"online_services_{months[-1]}",
    {t("items.meta.window"): span, t("items.meta.method"): t("sv.note")},
    key="sv_export",
)
st.caption(t("sv.note"))

"""数据治理 / Data governance: the four base databases, the load report, the quarantine browser."""

import streamlit as st

from edusight import privacy, queries, theme, ui
from edusight.figures import governance as figures
from edusight.i18n import N_, col, current_lang, t

QUARANTINE_ROW_LIMIT = 5000
BASE_LABELS = {
    "students": N_("base.students"),
    "teachers": N_("base.teachers"),
    "schools": N_("base.schools"),
    "equipment": N_("base.equipment"),
}

ui.page_header("page.data_governance.title", "gov.intro")
scope = queries.viewer_scope()

# --- 1. the four base databases: size and freshness ------------------------------------------
st.subheader(t("gov.base.header"))
bases = queries.run("meta_base_db_counts", scope)
for box, row in zip(st.columns(len(bases)), bases.itertuples(), strict=True):
    box.metric(t(BASE_LABELS[row.base]), f"{row.row_count:,}", border=True)
    latest = "—" if row.latest_date is None or str(row.latest_date) == "NaT" else row.latest_date
    box.caption(t("gov.base.latest", date=str(latest)[:10], n=row.unit_count))
with st.expander(t("gov.base.by_unit")):
    st.dataframe(
        # person counts 1-4 shown as "<5" (edusight/privacy.py)
        privacy.suppressed_text(
            queries.run("meta_base_db_counts_by_unit", scope), ["students_count", "teachers_count"]
        ),
        hide_index=True,
        column_order=[
            col("name"),
            "students_count",
            "teachers_count",
            "schools_count",
            "equipment_count",
            "latest_date",
        ],
        column_config={
            col("name"): t("col.unit"),
            "students_count": st.column_config.TextColumn(t("base.students"), alignment="right"),
            "teachers_count": st.column_config.TextColumn(t("base.teachers"), alignment="right"),
            "schools_count": st.column_config.NumberColumn(t("base.schools"), format="localized"),
            "equipment_count": st.column_config.NumberColumn(
                t("base.equipment"), format="localized"
            ),
            "latest_date": st.column_config.DateColumn(t("col.latest_date")),
        },
    )

# --- 2. load report: per source and per file -------------------------------------------------
st.subheader(t("gov.load.header"))
rates = queries.run("meta_quarantine_rate_by_source", scope)
ui.plotly_chart(
    figures.quarantine_rate_bar(
        rates,
        label_col=col("title"),
        template=theme.plotly_template(),
        labels={
            "title": t("gov.load.fig_title"),
            "x": t("col.quarantine_rate_pct"),
            "rows_read": t("col.rows_read"),
            "rows_quarantined": t("col.rows_quarantined"),
            "empty": t("gov.load.empty"),
        },
    ),
    key="gov_rate_chart",
)
st.dataframe(
    queries.run("meta_load_report", scope),
    hide_index=True,
    column_order=[
        col("title"),
        "file",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "quarantine_rate_pct",
        "format",
        "encoding",
    ],
    column_config={
        col("title"): t("col.source"),
        "file": t("col.file"),
        "rows_read": st.column_config.NumberColumn(t("col.rows_read"), format="localized"),
        "rows_loaded": st.column_config.NumberColumn(t("col.rows_loaded"), format="localized"),
        "rows_quarantined": st.column_config.NumberColumn(
            t("col.rows_quarantined"), format="localized"
        ),
        "quarantine_rate_pct": st.column_config.NumberColumn(
            t("col.quarantine_rate_pct"), format="%.2f%%"
        ),
        "format": t("col.format"),
        "encoding": t("col.encoding"),
    },
)
st.caption(t("gov.load.note"))

# --- 3. quarantine browser -------------------------------------------------------------------
st.subheader(t("gov.q.header"))
facets = queries.run("meta_quarantine_facets", scope)
all_label = t("gov.q.all")
source_labels = {None: all_label, **dict(zip(rates["source"], rates[col("title")], strict=True))}
unit_labels = {None: all_label, "": t("unit.none"), **queries.unit_names(current_lang())}
c_source, c_rule, c_file, c_unit = st.columns(4)
source = c_source.selectbox(
    t("col.source"),
    [None, *sorted(facets["source"].unique())],
    format_func=lambda v: source_labels.get(v, v),
    key="gov_source",
)
rule = c_rule.selectbox(
    t("col.rule"),
    [None, *sorted(facets["rule"].dropna().unique())],
    format_func=lambda v: all_label if v is None else v,
    key="gov_rule",
)
file = c_file.selectbox(
    t("col.file"),
    [None, *sorted(facets["file"].unique())],
    format_func=lambda v: all_label if v is None else v,
    key="gov_file",
)
unit = c_unit.selectbox(
    t("col.unit"),
    [None, *sorted(facets["unit_code"].unique(), key=lambda u: (u == "", u))],
    format_func=lambda v: unit_labels.get(v, v),
    key="gov_unit",
)
issues = queries.run(
    "meta_quarantine",
    scope,
    source=source,
    rule=rule,
    file=file,
    unit=unit,
    limit=QUARANTINE_ROW_LIMIT,
)
total = int(issues["total_count"].iat[0]) if len(issues) else 0
issues[col("unit_name")] = issues[col("unit_name")].fillna(t("unit.none"))
if issues.empty:
    st.info(t("gov.q.empty"))
else:
    st.caption(t("gov.q.count", total=f"{total:,}", shown=f"{len(issues):,}"))
    shown = {
        col("source_title"): t("col.source"),
        "file": t("col.file"),
        "line": t("col.line"),
        "column_name": t("col.column_name"),
        "rule": t("col.rule"),
        "value": t("col.value"),
        "message": t("col.message"),
        col("unit_name"): t("col.unit"),
    }
    st.dataframe(
        issues,
        hide_index=True,
        height=420,
        column_order=list(shown),
        column_config={
            **shown,
            "line": st.column_config.NumberColumn(t("col.line"), format="%d", width="small"),
            "rule": st.column_config.TextColumn(t("col.rule"), width="small"),
            "message": st.column_config.TextColumn(t("col.message"), width="large"),
        },
        key="gov_quarantine_table",
    )
    st.download_button(
        t("gov.q.download"),
        data=issues[list(shown)].rename(columns=shown).to_csv(index=False).encode("utf-8-sig"),
        file_name="quarantine.csv",
        mime="text/csv",
        on_click="ignore",
        key="gov_download",
    )
st.caption(t("gov.q.note"))

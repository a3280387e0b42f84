"""数据治理 / Data governance (work items 九–十): the four base databases, conformance to the four
data standards, the source systems and their load report, the quarantine browser."""

import math

import streamlit as st

from edusight import export, privacy, queries, sources_catalog, theme, ui
from edusight.figures import governance as figures
from edusight.i18n import N_, col, current_lang, t
from edusight.pagedata import data_governance as pagedata

QUARANTINE_ROW_LIMIT = 5000
BASE_LABELS = {
    "students": N_("base.students"),
    "teachers": N_("base.teachers"),
    "schools": N_("base.schools"),
    "equipment": N_("base.equipment"),
}

STANDARDS = {
    "school_code": N_("gov.std.school_code"),
    "base_data": N_("gov.std.base_data"),
    "system_access": N_("gov.std.system_access"),
    "resource_metadata": N_("gov.std.resource_metadata"),
    "unmapped": N_("gov.std.unmapped"),
}


ui.page_header("page.data_governance.title", "gov.intro")
scope = queries.viewer_scope()
is_citywide = set(queries.all_units()) <= set(scope)
lang = current_lang()
rule_std = queries.run("governance_rule_standards", scope)

# --- 1. the four base databases: size and freshness ------------------------------------------
st.subheader(t("gov.base.header"))
bases = queries.run("meta_base_db_counts", scope)
for box, row in zip(st.columns(len(bases)), bases.itertuples(), strict=True):
    box.metric(t(BASE_LABELS[row.base]), f"{row.row_count:,}", border=True)
    if row.latest_date is None or str(row.latest_date) == "NaT":  # a roster: no record dates
        box.caption(t("gov.base.roster", n=row.unit_count), help=t("gov.base.roster.help"))
    else:
        box.caption(t("gov.base.latest", date=str(row.latest_date)[:10], n=row.unit_count))
with st.expander(t("gov.base.by_unit")):
    ui.dataframe(
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

# --- 2. conformance to the four standards of item (十) --------------------------------------
st.subheader(t("gov.conf.header"))
st.markdown(t("gov.conf.intro"))
rollups = pagedata.conformance_rollups(queries.db_key(), scope, is_citywide)
std_names = {k: t(v) for k, v in STANDARDS.items() if k != "unmapped"}
by_std = rollups["by_std"]
for box, (code, name) in zip(st.columns(len(std_names)), std_names.items(), strict=True):
    if code in by_std.index:
        r = by_std.loc[code]
        box.metric(name, f"{math.floor(r.conformance_pct * 100) / 100:.2f}%", border=True)
        box.caption(
            t(
                "gov.conf.card",
                failing=f"{int(r.rows_failing):,}",
                checked=f"{int(r.rows_checked):,}",
            )
        )
    else:
        box.metric(name, "—", border=True)
        box.caption(t("gov.conf.card_none"))
unit_names = {"": t("unit.none"), **queries.unit_names(lang)}
by_unit = rollups["by_unit"]
by_unit["unit"] = by_unit["unit_code"].map(unit_names).fillna(by_unit["unit_code"])
heat_labels = {
    "title": t("gov.conf.fig_title"),
    "rows_checked": t("gov.col.rows_checked"),
    "rows_failing": t("gov.col.rows_failing"),
    "conformance": t("gov.col.conformance_pct"),
    "empty": t("gov.conf.empty"),
}
ui.plotly_chart(
    ui.figure(
        figures.conformance_heatmap,
        by_unit,
        row_col="unit",
        standards=std_names,
        labels=heat_labels,
        template=theme.plotly_template(),
    ),
    key="gov_conf_chart",
)
st.caption(t("gov.conf.note"))
with st.expander(t("gov.conf.by_source")):
    titles = sources_catalog.catalog().set_index("source")[col("title")]
    by_source = rollups["by_source"]
    by_source["standard_name"] = by_source["standard"].map(std_names)
    by_source["source_title"] = by_source["source"].map(titles)
    shown_conf = {
        "standard_name": t("gov.col.standard"),
        "source_title": t("col.source"),
        "rows_checked": t("gov.col.rows_checked"),
        "rows_failing": t("gov.col.rows_failing"),
        "conformance_pct": t("gov.col.conformance_pct"),
    }
    ui.dataframe(
        by_source.sort_values(["standard", "conformance_pct"]),
        hide_index=True,
        column_order=list(shown_conf),
        column_config={
            **shown_conf,
            "rows_checked": st.column_config.NumberColumn(
                shown_conf["rows_checked"], format="localized"
            ),
            "rows_failing": st.column_config.NumberColumn(
                shown_conf["rows_failing"], format="localized"
            ),
            "conformance_pct": st.column_config.ProgressColumn(
                shown_conf["conformance_pct"], format="%.2f%%", min_value=0, max_value=100
            ),
        },
        key="gov_conf_table",
    )
    export.download_buttons(
        by_source[list(shown_conf)].rename(columns=shown_conf),
        "conformance_by_source",
        {
            t("gov.col.standard"): t("gov.conf.header"),
            t("col.unit"): ui.unit_label(ui.unit_filter()),
        },
        key="gov_conf_dl",
    )
with st.expander(t("gov.conf.metadata")):
    meta_el = queries.run("resources_metadata_conformance", scope)
    ui.dataframe(
        meta_el,
        hide_index=True,
        column_order=[
            col("element"),
            "is_required",
            "applicable_count",
            "conforming_count",
            "conforming_pct",
        ],
        column_config={
            col("element"): t("gov.col.element"),
            "is_required": st.column_config.CheckboxColumn(t("gov.col.is_required")),
            "applicable_count": st.column_config.NumberColumn(
                t("gov.col.applicable"), format="localized"
            ),
            "conforming_count": st.column_config.NumberColumn(
                t("gov.col.conforming"), format="localized"
            ),
            "conforming_pct": st.column_config.ProgressColumn(
                t("gov.col.conformance_pct"), format="%.1f%%", min_value=0, max_value=100
            ),
        },
        key="gov_meta_table",
    )
    st.caption(t("gov.conf.metadata_note"))

# --- 3. source systems: who feeds the platform and how their files loaded -------------------
st.subheader(t("gov.src.header"))
loads = queries.run("governance_sources", scope)
sources = sources_catalog.catalog().merge(loads, on="source", how="left")
sources["base_name"] = sources["base"].map({k: t(v) for k, v in BASE_LABELS.items()}).fillna("")
sources["is_clean"] = (sources["unknown_headers"].fillna("") == "") & (
    sources["unparsed_count"].fillna(0) == 0
)
built_at = str(loads["built_at"].iat[0])[:19].replace("T", " ") if len(loads) else "—"
st.caption(t("gov.src.count", n=len(sources), built=built_at))
shown_src = {
    col("title"): t("col.source"),
    "system": t("gov.col.system"),
    "base_name": t("gov.col.base"),
    "files": t("gov.col.files"),
    "rows_read": t("col.rows_read"),
    "rows_loaded": t("col.rows_loaded"),
    "loaded_pct": t("gov.col.loaded_pct"),
    "encodings": t("col.encoding"),
    "unknown_headers": t("gov.col.unknown_headers"),
    "unparsed_count": t("gov.col.unparsed"),
    "is_clean": t("gov.col.is_clean"),
}
ui.dataframe(
    sources,
    hide_index=True,
    column_order=list(shown_src),
    column_config={
        **shown_src,
        "system": st.column_config.TextColumn(shown_src["system"], width="large"),
        "rows_read": st.column_config.NumberColumn(shown_src["rows_read"], format="localized"),
        "rows_loaded": st.column_config.NumberColumn(shown_src["rows_loaded"], format="localized"),
        "loaded_pct": st.column_config.NumberColumn(shown_src["loaded_pct"], format="%.2f%%"),
        "unparsed_count": st.column_config.NumberColumn(
            shown_src["unparsed_count"], format="localized"
        ),
        "is_clean": st.column_config.CheckboxColumn(shown_src["is_clean"]),
    },
    key="gov_sources_table",
)
st.caption(t("gov.src.note"))

# --- 4. load report: per source and per file -------------------------------------------------
st.subheader(t("gov.load.header"))
rates = queries.run("meta_quarantine_rate_by_source", scope)
ui.plotly_chart(
    ui.figure(
        figures.quarantine_rate_bar,
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
ui.dataframe(
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

# --- 5. quarantine browser: which rows were rejected and why --------------------------------
st.subheader(t("gov.q.header"))
facets = queries.run("governance_quarantine_facets", scope)
all_label = t("gov.q.all")
source_labels = {None: all_label, **dict(zip(rates["source"], rates[col("title")], strict=True))}
rule_labels = {None: all_label, **dict(zip(facets["rule"], facets[col("rule_label")], strict=True))}
unit_labels = {None: all_label, **unit_names}
c_std, c_source, c_rule = st.columns(3)
c_file, c_unit = st.columns(2)
found_standards = set(facets["standard"].unique())
standard = c_std.selectbox(
    t("gov.col.standard"),
    [None, *[s for s in STANDARDS if s in found_standards]],
    format_func=lambda v: all_label if v is None else t(STANDARDS[v]),
    key="gov_standard",
)
narrowed = facets if standard is None else facets[facets["standard"] == standard]
source = c_source.selectbox(
    t("col.source"),
    [None, *sorted(narrowed["source"].unique())],
    format_func=lambda v: source_labels.get(v, v),
    key="gov_source",
)
if source is not None:
    narrowed = narrowed[narrowed["source"] == source]
rule = c_rule.selectbox(
    t("col.rule"),
    [None, *sorted(narrowed["rule"].dropna().unique())],
    format_func=lambda v: rule_labels.get(v, v) if v is None else f"{rule_labels.get(v, v)} ({v})",
    key="gov_rule",
)
file = c_file.selectbox(
    t("col.file"),
    [None, *sorted(narrowed["file"].unique())],
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
    "governance_quarantine",
    scope,
    standard=standard,
    source=source,
    rule=rule,
    file=file,
    unit=unit,
    limit=QUARANTINE_ROW_LIMIT,
)
total = int(issues["total_count"].iat[0]) if len(issues) else 0
issues[col("unit_name")] = issues[col("unit_name")].fillna(t("unit.none"))
issues["standard_name"] = (
    issues["standard"].map({k: t(v) for k, v in STANDARDS.items()}).fillna(t(STANDARDS["unmapped"]))
)
if issues.empty:
    st.info(t("gov.q.empty"))
else:
    st.caption(t("gov.q.count", total=f"{total:,}", shown=f"{len(issues):,}"))
    shown = {
        col("source_title"): t("col.source"),
        "file": t("col.file"),
        "line": t("col.line"),
        "column_name": t("col.column_name"),
        "standard_name": t("gov.col.standard"),
        col("rule_label"): t("col.rule"),
        col("explanation"): t("gov.col.explanation"),
        "value": t("col.value"),
        "message": t("gov.col.detail"),
        col("unit_name"): t("col.unit"),
    }
    ui.dataframe(
        # a page of rows; the shown columns and the codes behind the filters
        ui.paginate(issues, key="gov_quarantine_page")[
            [*shown, "standard", "source", "rule", "unit_code"]
        ],
        hide_index=True,
        height=420,
        column_order=list(shown),
        column_config={
            **shown,
            "line": st.column_config.NumberColumn(t("col.line"), format="%d", width="small"),
            col("explanation"): st.column_config.TextColumn(
                t("gov.col.explanation"), width="large"
            ),
            "message": st.column_config.TextColumn(t("gov.col.detail"), width="medium"),
        },
        key="gov_quarantine_table",
    )
    export.download_buttons(
        issues[[*shown, "rule"]].rename(columns={**shown, "rule": "rule_id"}),
        "quarantine",
        {
            t("gov.col.standard"): all_label if standard is None else t(STANDARDS[standard]),
            t("col.source"): source_labels.get(source, source),
            t("col.rule"): rule_labels.get(rule, rule),
            t("col.file"): file or all_label,
            t("col.unit"): unit_labels.get(unit, unit),
        },
        key="gov_download",
    )
st.caption(t("gov.q.note"))

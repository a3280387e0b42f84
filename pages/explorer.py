"""数据查询 / SQL explorer: read-only SQL over the marts the viewer may see (edusight/explorer.py)."""

import streamlit as st

from edusight import auth, explorer, export, pages, ui
from edusight.i18n import t
from edusight.queries import DatabaseUnavailable

RESULT_KEY = "_explorer_result"

ui.page_header("page.explorer.title", "explorer.intro")
scope = explorer.viewer_scope()
tables = explorer.visible(explorer.catalogue(), scope)
examples = {e.title_key: e for e in explorer.EXAMPLES}
if "explorer_sql" not in st.session_state:
    st.session_state["explorer_sql"] = explorer.EXAMPLES[0].sql


def load_example() -> None:
    chosen = st.session_state.get("explorer_example")
    if chosen in examples:
        st.session_state["explorer_sql"] = examples[chosen].sql


def run_query() -> None:
    """The Run button's callback: check, sandbox, run and audit; keep the outcome for display.
    Callbacks run before the script (and its access gate), so the role is checked here too."""
    if not auth.page_allowed(pages.by_path("pages/explorer.py"), auth.current_viewer()):
        return
    sql = st.session_state.get("explorer_sql", "")
    here = explorer.viewer_scope()
    try:
        st.session_state[RESULT_KEY] = (here, sql, explorer.execute(sql, here), None)
    except explorer.ExplorerError as err:
        st.session_state[RESULT_KEY] = (here, sql, None, err)
    except DatabaseUnavailable:  # the page says what to do when it reruns
        st.session_state.pop(RESULT_KEY, None)


# --- controls: examples, the query, run ----------------------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    st.selectbox(
        t("explorer.example"),
        list(examples),
        index=None,
        placeholder=t("explorer.example.placeholder"),
        format_func=t,
        key="explorer_example",
        on_change=load_example,
    )
    st.text_area(t("explorer.sql"), key="explorer_sql", height=240)
    st.button(t("explorer.run"), type="primary", key="explorer_run", on_click=run_query)
    st.caption(
        t(
            "explorer.limits",
            rows=f"{explorer.row_limit():,}",
            seconds=f"{explorer.timeout_s():g}",
        )
    )

# --- schema browser: the tables this viewer may query --------------------------------------------
with right:
    st.subheader(t("explorer.schema.header"))
    if not tables:
        st.info(t("explorer.schema.none"))
    else:
        overview = [
            {
                "table": f"marts.{tb.name}",
                "rule": t(explorer.RULE_LABELS[tb.rule]),
                "comment": tb.comment,
            }
            for tb in tables.values()
        ]
        ui.dataframe(
            overview,
            hide_index=True,
            column_order=["table", "comment", "rule"],
            column_config={
                "table": st.column_config.TextColumn(t("explorer.schema.table"), width="medium"),
                "rule": st.column_config.TextColumn(t("explorer.schema.rule"), width="small"),
                "comment": st.column_config.TextColumn(t("explorer.schema.comment"), width="large"),
            },
            key="explorer_tables",
        )
        chosen = st.selectbox(
            t("explorer.schema.columns_of"),
            list(tables),
            format_func=lambda n: f"marts.{n}",
            key="explorer_table",
        )
        ui.dataframe(
            [
                {"column": name, "type": kind, "comment": comment}
                for name, kind, comment in tables[chosen].columns
            ],
            hide_index=True,
            column_config={
                "column": t("explorer.schema.column"),
                "type": t("explorer.schema.type"),
                "comment": t("explorer.schema.comment"),
            },
            key="explorer_columns",
        )
    st.caption(t("explorer.schema.note"))

# --- the last result (run and audited by the Run button's callback) ------------------------------
stored = st.session_state.get(RESULT_KEY)
if stored and stored[0] == scope:  # a result of another scope (the sidebar changed) is dropped
    _, sql, result, err = stored
    st.subheader(t("explorer.result.header"))
    if err is not None:
        st.error(t(explorer.ERRORS.get(err.code, "explorer.error.sql")), icon="⚠️")
        if err.detail:
            st.code(err.detail, language=None)  # DuckDB's message, shown as text
    else:
        st.caption(
            t(
                "explorer.result.count",
                rows=f"{len(result.df):,}",
                seconds=f"{result.elapsed_s:.2f}",
            )
        )
        if result.truncated:
            st.warning(t("explorer.result.truncated", rows=f"{len(result.df):,}"))
        if result.suppressed:
            st.info(t("explorer.result.suppressed", columns=", ".join(result.suppressed)))
        ui.dataframe(result.df, hide_index=True, key="explorer_result_table")
        scope_text = (
            t("sidebar.unit.all", n=len(scope.units))
            if scope.every_unit
            else ", ".join(ui.unit_label(u) for u in scope.units)
        )
        export.download_buttons(
            result.df,
            "explorer_result",
            {
                t("explorer.meta.scope"): scope_text,
                t("explorer.meta.query"): " ".join(sql.split()),
                t("explorer.meta.note"): t("explorer.meta.note_text"),
            },
            key="explorer_download",
        )

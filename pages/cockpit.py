"""领导驾驶舱 / Leadership cockpit: the 18 work items of the 2021 plan with their indicators,
targets, status and a link to each item's page; headline numbers; prints on two A4 landscape pages."""

import streamlit as st

from edusight import auth, export, pages, queries, theme, ui
from edusight.figures import cockpit as figures
from edusight.i18n import N_, current_lang, t
from edusight.pagedata import cockpit as pagedata

STATUS_LABELS = pagedata.STATUS_LABELS
# work_items.csv `page` → page files, best first: the first one registered is linked (pages that
# do not exist yet fall back to the closest existing page)
PAGE_FOR = {
    "planning": ("pages/cases_planning.py",),
    "cases": ("pages/cases_planning.py",),
    "learning_space": ("pages/learning_space.py",),
    "coverage": ("pages/coverage.py",),
    "governance": ("pages/data_governance.py",),
    "exams": ("pages/exam_command.py", "pages/data_governance.py"),
    "resources": ("pages/resources.py", "pages/data_governance.py"),
    "services": ("pages/services.py",),
    "teachers": ("pages/teachers.py", "pages/teacher_training.py", "pages/school_profile.py"),
    "literacy": ("pages/literacy.py",),
    "security": ("pages/security.py", "pages/data_governance.py"),
}
PAGE_OVERRIDE = {8: "coverage"}  # demonstration projects (八) are shown on the coverage page
FALLBACK = "pages/data_governance.py"
TILES = [  # (indicator, label key)
    ("campus_coverage_pct", N_("cockpit.tile.coverage")),
    ("teacher20_done_pct", N_("cockpit.tile.teacher20")),
    ("resources_collected_count", N_("cockpit.tile.resources")),
    ("level3_overdue_count", N_("cockpit.tile.level3_overdue")),
    ("incidents_overdue_count", N_("cockpit.tile.incidents_overdue")),
]
PRINT_CSS = """<style>
@media print {
  @page { size: A4 landscape; margin: 8mm; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stApp"] {
    overflow: visible !important; height: auto !important; position: static !important; }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important;
    zoom: 0.72; }
  h1, h2, h3, [data-testid="stHeading"] { break-after: avoid; }
  [data-testid="stIFrame"], [data-testid="stExpander"], [data-testid="stPageLink"] {
    display: none !important; }
  [data-testid="stMetric"] { padding: 4px 8px !important; }
  /* the work items on paper: the HTML table, not the canvas one */
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]),
  [data-testid="stDataFrame"] { display: none !important; }
  .es-print-only { display: block !important; }
  .es-print-table { border-collapse: collapse; width: 100%; font-size: 12px; break-inside: auto; }
  .es-print-table th, .es-print-table td { border: 1px solid #d1d5db; padding: 3px 6px;
    text-align: left; vertical-align: top; color: #111827; }
  .es-print-table th { background: #f3f4f6; }
  .es-print-table tr { break-inside: avoid; }
}
.es-print-only { display: none; }
@media print {
  .js-plotly-plot, .js-plotly-plot .main-svg { max-width: 100% !important; }
}
</style>"""
PRINT_BUTTON = """<button onclick="window.parent.print()" style="font: 14px sans-serif;
 padding: 6px 14px; border-radius: 8px; border: 1px solid {border}; background: {bg};
 color: {fg}; cursor: pointer; width: 100%;">{label}</button>"""


ui.page_header("page.cockpit.title", "cockpit.intro")
scope = queries.viewer_scope()
lang = current_lang()
tname = theme.current_theme()
palette = theme.colors()
st.html(PRINT_CSS)

frames = pagedata.prepared(queries.db_key(), scope, lang)
rows, items, by_ind = frames["rows"], frames["items"], frames["by_ind"]
head = queries.run("cockpit_headline", scope).iloc[0]
is_city = len(scope) == len(queries.all_units())
as_of = rows["as_of"].dropna()
as_of_text = str(as_of.iat[0])[:10] if len(as_of) else "—"
prev_text = str(rows["prev_as_of"].dropna().iat[0])[:10] if len(as_of) else "—"
scope_text = t("cockpit.scope.city") if is_city else ", ".join(ui.unit_label(u) for u in scope)

c_caption, c_print = st.columns([6, 1], vertical_alignment="center")
c_caption.caption(t("cockpit.asof", as_of=as_of_text, prev=prev_text, scope=scope_text))
with c_print:
    st.iframe(  # our own constant HTML (no data in it): the print dialog of the parent page
        PRINT_BUTTON.format(
            label=t("cockpit.print"),
            border=palette["grid"],
            bg=palette["panel"],
            fg=palette["text"],
        ),
        height=44,
    )

# --- 1. headline tiles ---------------------------------------------------------------------------
row1, row2 = st.columns(4), st.columns(4)
boxes = [*row1, *row2]
for box, (label_key, value, help_key) in zip(
    boxes[:3],
    [
        (N_("cockpit.tile.schools"), head.school_count, N_("cockpit.tile.schools.help")),
        (N_("cockpit.tile.pupils"), head.student_count, N_("cockpit.tile.pupils.help")),
        (N_("cockpit.tile.teachers"), head.teacher_count, N_("cockpit.tile.teachers.help")),
    ],
    strict=True,
):
    box.metric(t(label_key), f"{int(value):,}", border=True, help=t(help_key))
for box, (code, label_key) in zip(boxes[3:], TILES, strict=True):
    if code not in by_ind.index:
        box.metric(t(label_key), "—", border=True, help=t("cockpit.tile.none"))
        continue
    r = by_ind.loc[code]
    box.metric(
        t(label_key),
        figures.format_value(r["value"], r["kind"]),
        border=True,
        help=t(
            "cockpit.tile.help",
            indicator=r["indicator_label"],
            period=r[f"period_{lang}"],
            num="—" if r["value_num"] != r["value_num"] else f"{r['value_num']:,.0f}",
            den="—" if r["value_den"] != r["value_den"] else f"{r['value_den']:,.0f}",
            target=r["target_text"],
            prev=r["prev_text"],
            prev_date=prev_text,
            status=r["status_text"],
        ),
    )
    # status, target and change in a year as text (the metric's delta pill is unreadable in the
    # dark theme)
    box.markdown(
        figures.status_markdown(r["status"], t(STATUS_LABELS[r["status"]]))
        + " · "
        + t("cockpit.tile.target", target=r["target_text"], change=r["change_text"])
    )

# --- 2. the 18 work items -------------------------------------------------------------------------
st.subheader(t("cockpit.items.header"))
counts = figures.status_counts(items)
st.markdown(
    t(
        "cockpit.items.counts",
        on_track=counts["on_track"],
        at_risk=counts["at_risk"],
        off_track=counts["off_track"],
        unrated=counts["info"] + counts["no_data"],
        total=len(items),
    )
)
link_query = "&".join(
    f"{k}={v}" for k in ui.URL_KEYS if (v := st.session_state.get(k)) not in (None, "")
)
viewer = auth.current_viewer()
# only pages this viewer may open (a page the role may not open is not in the navigation)
registered = {e.path: e for e in pages.PAGES if viewer is None or auth.page_allowed(e, viewer)}


def linked_page(item_no: int, page_key: str) -> pages.PageEntry:
    key = PAGE_OVERRIDE.get(item_no, page_key)
    path = next((p for p in (*PAGE_FOR.get(key, ()), FALLBACK) if p in registered), None)
    return registered[path] if path else pages.default_page()


table = items
# relative link with the view state; the page title rides in the fragment for display
linked = {i: linked_page(i, p) for i, p in zip(table["item_no"], table["page_key"], strict=True)}
table["page"] = [
    f"{pages.page_url(e)}?{link_query}#{t(e.title_key)}" for e in map(linked.get, table["item_no"])
]
item_cols = ["item", "title", "lead", "status_text", "driver_text", "page"]
ui.dataframe(
    # styled: the status in its colour (only the shown columns: styling costs per cell)
    table[item_cols].style.map(lambda v: figures.status_cell_css(v, tname), subset=["status_text"]),
    hide_index=True,
    row_height=30,
    height=30 * (len(table) + 1) + 3,
    column_order=item_cols,
    column_config={
        "item": st.column_config.TextColumn(t("cockpit.col.item"), width=56),
        "title": st.column_config.TextColumn(t("cockpit.col.title"), width=240),
        "lead": st.column_config.TextColumn(t("cockpit.col.lead"), width=120),
        "status_text": st.column_config.TextColumn(t("cockpit.col.status"), width=76),
        "driver_text": st.column_config.TextColumn(t("cockpit.col.driver"), width=390),
        "page": st.column_config.LinkColumn(
            t("cockpit.col.page"), display_text=r"#(.*)$", width=110
        ),
    },
    key="cockpit_items_table",
)
st.html(
    figures.table_print_html(
        table.assign(page_title=[t(linked[i].title_key) for i in table["item_no"]]).to_dict("records"),
        {"item": t("cockpit.col.item"), "title": t("cockpit.col.title"), "lead": t("cockpit.col.lead"),
         "status_text": t("cockpit.col.status"), "driver_text": t("cockpit.col.driver"),
         "page_title": t("cockpit.col.page")},
        "light",  # paper is white, whatever the screen
    )
)  # fmt: skip

# --- 3. progress against targets ------------------------------------------------------------------
rated = rows[rows["indicator"].notna() & ~rows["indicator"].isin(figures.TASK_INDICATORS)].copy()
rated["bar_label"] = rated["item_label"] + " " + rated["indicator_label"]
ui.plotly_chart(
    ui.figure(
        figures.progress_bar,
        rated,
        label_col="bar_label",
        template=theme.plotly_template(),
        labels={
            "title": t("cockpit.progress.title", as_of=as_of_text),
            "x": t("cockpit.progress.x"),
            "target": t("cockpit.progress.target"),
            "empty": t("cockpit.progress.empty"),
            **{s: t(STATUS_LABELS[s]) for s in figures.RATED},
        },
    ),
    key="cockpit_progress_chart",
)
st.caption(t("cockpit.progress.note"))

# --- 4. links to the item pages, every indicator, method ------------------------------------------
st.markdown(f"**{t('cockpit.links.header')}**")
targets = []
for e in linked.values():
    if e not in targets:
        targets.append(e)
link_boxes = [*st.columns(5), *st.columns(5)] if len(targets) > 5 else st.columns(len(targets))
for box, e in zip(link_boxes, targets, strict=False):
    here = [
        label for i, label in zip(table["item_no"], table["item"], strict=True) if linked[i] == e
    ]
    box.page_link(e.path, label=t(e.title_key), help=t("cockpit.links.items", items="".join(here)))

with st.expander(t("cockpit.detail.header")):
    detail = rows.dropna(subset=["indicator"])
    shown = {
        "item_label": t("cockpit.col.item"),
        "indicator_label": t("cockpit.col.indicator"),
        f"period_{lang}": t("cockpit.col.period"),
        "target_text": t("cockpit.col.target"),
        "value_text": t("cockpit.col.value"),
        "prev_text": t("cockpit.col.prev", prev=prev_text),
        "change_text": t("cockpit.col.change"),
        "status_text": t("cockpit.col.status"),
    }
    ui.dataframe(
        detail[list(shown)],
        hide_index=True,
        column_order=list(shown),
        column_config=shown,
        key="cockpit_detail_table",
    )
    export.download_buttons(
        detail[list(shown)].rename(columns=shown),
        "work_item_status",
        {
            t("cockpit.meta.scope"): scope_text,
            t("cockpit.meta.as_of"): as_of_text,
            t("cockpit.meta.method"): t("cockpit.method.short"),
        },
        key="cockpit_export",
    )

with st.expander(t("cockpit.method.header")):
    st.markdown(t("cockpit.method.body"))
st.caption(t("cockpit.method.short"))

"""Leadership cockpit (pages/cockpit.py): the work items and indicators with display texts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from edusight import queries
from edusight.figures import cockpit as figures
from edusight.i18n import N_, t

STATUS_LABELS = {s: N_(f"cockpit.status.{s}") for s in (*figures.RATED, *figures.UNRATED)}
SECTION_LABELS = {n: N_(f"cockpit.section.{n}") for n in range(1, 7)}
OFFICES = {  # lead offices as named in the plan → translated name
    "科技处": N_("cockpit.office.keji"),
    "市技装中心": N_("cockpit.office.jizhuang"),
    "普教处": N_("cockpit.office.pujiao"),
    "人事与教师处": N_("cockpit.office.renshi"),
}


@st.cache_data(show_spinner=False, max_entries=64)
def prepared(db: tuple, scope: tuple[str, ...], lang: str) -> dict[str, pd.DataFrame]:
    """The page's frames, with display texts in ``lang``: ``rows`` (one per item and indicator,
    ``cockpit_items``), ``items`` (one per work item: status, driver, labels) and ``by_ind``
    (one per indicator). The same for every run of one scope and language on one database."""
    del db  # cache key only: a new database is read afresh
    rows = queries.run("cockpit_items", scope)
    rows["item_label"] = (
        rows["label_zh"] if lang == "zh" else "(" + rows["item_no"].astype(str) + ")"
    )
    rows["indicator_label"] = rows[f"indicator_{lang}"]
    rows["uom"] = rows[f"uom_{lang}"]
    for out, value in (
        ("value_text", "value"),
        ("target_text", "target"),
        ("prev_text", "prev_value"),
    ):
        rows[out] = [
            figures.format_value(v, k, "" if k == "pct" else u)
            for v, k, u in zip(rows[value], rows["kind"], rows["uom"], strict=True)
        ]
    rows["change_text"] = [
        figures.change_text(v, p, k)
        for v, p, k in zip(rows["value"], rows["prev_value"], rows["kind"], strict=True)
    ]
    status_label = {s: t(key, lang=lang) for s, key in STATUS_LABELS.items()}
    rows["status_text"] = [
        "" if s != s or s is None else f"{figures.STATUS_ICON[s]} {status_label[s]}"
        for s in rows["status"]
    ]
    rated_rows = rows.dropna(subset=["indicator"])
    by_ind = rated_rows.drop_duplicates("indicator").set_index("indicator")

    items = figures.item_rollup(rows)
    ref = rows.drop_duplicates("item_no").set_index("item_no").loc[items["item_no"]]
    items["item"] = ref["item_label"].to_list()
    items["section"] = [t(SECTION_LABELS[int(n)], lang=lang) for n in ref["section_no"]]
    items["title"] = ref[f"title_{lang}"].to_list()
    items["lead"] = [
        ("、" if lang == "zh" else "; ").join(
            t(OFFICES[o], lang=lang) if o in OFFICES else o for o in offices.split("|")
        )
        for offices in ref["lead_offices"]
    ]
    items["status_text"] = [f"{figures.STATUS_ICON[s]} {status_label[s]}" for s in items["status"]]
    drivers = {
        (r.item_no, r.indicator): r
        for r in rated_rows[
            ["item_no", "indicator", "indicator_label", "value_text", "target_text", "prev_text"]
        ].itertuples(index=False)
    }
    items["driver_text"] = [
        t("cockpit.items.no_indicator", lang=lang)
        if (r := drivers.get((i, d))) is None
        else t(
            "cockpit.items.driver",
            lang=lang,
            indicator=r.indicator_label,
            value=r.value_text,
            target=r.target_text,
            prev=r.prev_text,
        )
        for i, d in zip(items["item_no"], items["driver"], strict=True)
    ]
    items["page_key"] = ref["page"].to_list()
    return {"rows": rows, "items": items, "by_ind": by_ind}

"""Digital-campus coverage (pages/coverage.py): the schools of the drill-down, ready to show."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from edusight import queries
from edusight.figures import coverage as figures
from edusight.i18n import N_, t

STATUS_LABELS = {s: N_(f"cov.status.{s}") for s in figures.STATUSES}


@st.cache_data(show_spinner=False, max_entries=64)
def school_rows(
    db: tuple, scope: tuple[str, ...], period: str, unit: str | None, lang: str
) -> pd.DataFrame:
    """``coverage_school_detail`` of ``unit`` (None: every unit in scope) at the end of
    ``period`` with its labels in ``lang`` (``status_label``, ``unit_label``, ``type_label``),
    ``is_below`` (weighted score under the pass mark) and ``reasons``: why the school is not
    covered, as a list (below the pass mark, then each failed criterion)."""
    del db  # cache key only: a new database is read afresh
    rows = queries.run("coverage_school_detail", scope, period=period, unit=unit)
    criteria = queries.run("coverage_criteria", scope)
    pass_score = float(criteria["pass_weighted_score"].iat[0]) if len(criteria) else None
    names = queries.unit_names(lang)
    rows["status_label"] = rows["status"].map(
        {s: t(k, lang=lang) for s, k in STATUS_LABELS.items()}
    )
    rows["unit_label"] = rows["unit_code"].map(names)
    rows["type_label"] = rows["school_type"] if lang == "zh" else rows["school_type_en"]
    rows["is_below"] = rows["weighted_score"] < (
        pass_score if pass_score is not None else float("inf")
    )
    below = t("cov.drill.below_score", lang=lang, score=f"{pass_score:.0f}" if pass_score else "—")
    failed = rows["failed_criteria_zh" if lang == "zh" else "failed_criteria_en"]
    rows["reasons"] = [
        ([below] if b else []) + (f.split("|") if f else [])
        for b, f in zip(rows["is_below"], failed, strict=True)
    ]
    return rows

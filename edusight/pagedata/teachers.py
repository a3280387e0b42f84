"""Teacher 2.0 (pages/teachers.py): the school table and the integrity flags, ready to show."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from edusight import privacy, queries
from edusight.i18n import N_, t

FLAG_KINDS = {
    "faster": N_("tch.flag.faster"),
    "unattended": N_("tch.flag.unattended"),
    "night": N_("tch.flag.night"),
    "all_online": N_("tch.flag.all_online"),
    "identical": N_("tch.flag.identical"),
}
HOLD_BACK = {
    "no_plan": N_("tch.hold.no_plan"),
    "hours_short": N_("tch.hold.hours_short"),
    "not_submitted": N_("tch.hold.not_submitted"),
    "failing": N_("tch.hold.failing"),
}
# counts of teachers in the school table: 1-4 shown as "<5" (edusight/privacy.py)
SMALL_COUNTS = [
    "flagged_teacher_count",
    "hours_short_count",
    "not_submitted_count",
    "failing_count",
]


def school_columns(lang: str) -> list[str]:
    """The columns of the school table, in display order."""
    return [
        "school_name",
        f"unit_name_{lang}",
        "school_type_en" if lang == "en" else "school_type",
        "is_plan_filed",
        "is_team_formed",
        "chosen_point_count",
        "teacher_count",
        "complete_pct",
        "quota_gap_pct",
        "hold_back_label",
        *SMALL_COUNTS[1:],
        SMALL_COUNTS[0],
    ]


@st.cache_data(show_spinner=False, max_entries=64)
def school_table(db: tuple, scope: tuple[str, ...], lang: str, only_lagging: bool) -> pd.DataFrame:
    """整校推进: one row per school (only those behind this year's quota when ``only_lagging``)
    with what holds it back in words and the teacher counts as display text, small ones "<5"."""
    del db  # cache key only: a new database is read afresh
    schools = queries.run("teachers_schools", scope)
    shown = schools[schools["quota_gap_pct"] > 0] if only_lagging else schools
    labels = {k: t(v, lang=lang) for k, v in HOLD_BACK.items()}
    shown = shown.assign(hold_back_label=shown["hold_back"].map(labels).fillna(""))
    table = privacy.suppressed_text(shown[school_columns(lang)], SMALL_COUNTS)
    # text columns as pandas text (Arrow): cheaper to cache and to send than Python objects
    return table.astype(dict.fromkeys(SMALL_COUNTS, "str"))


MISMATCH_COLUMNS = [
    "school_name",
    "unit_name_zh",
    "unit_name_en",
    "chosen_points",
    "smart_classroom_count",
    "terminals_per_pupil",
    "wifi_teaching_pct",
    "is_c_without_smart",
    "is_b_without_terminals",
]


@st.cache_data(show_spinner=False, max_entries=64)
def school_summary(db: tuple, scope: tuple[str, ...]) -> dict:
    """Counts over the schools in scope (``schools``, ``no_plan``: no development plan filed,
    ``c_without_smart``, ``b_without_terminals``) and the schools whose chosen abilities do not
    fit their equipment (``mismatch``)."""
    del db  # cache key only
    schools = queries.run("teachers_schools", scope)
    c, b = schools["is_c_without_smart"], schools["is_b_without_terminals"]
    return {
        "schools": len(schools),
        "no_plan": int((~schools["is_plan_filed"]).sum()),
        "c_without_smart": int(c.sum()),
        "b_without_terminals": int(b.sum()),
        "mismatch": schools.loc[c | b, MISMATCH_COLUMNS],
    }


def _labels(codes: pd.Series, kinds: dict[str, str]) -> pd.Series:
    """Flag codes ("night|faster") → translated labels; each distinct combination done once."""
    text = {s: "、".join(kinds[k] for k in s.split("|") if k in kinds) for s in codes.unique()}
    return codes.map(text)


@st.cache_data(show_spinner=False, max_entries=64)
def flags(db: tuple, scope: tuple[str, ...], lang: str) -> dict[str, pd.DataFrame]:
    """The flagged teachers with their flags in words (``teachers``) and flagged teachers per
    unit and kind of flag (``by_unit``: the is_flag_* columns summed per unit name)."""
    del db  # cache key only
    kinds = {k: t(v, lang=lang) for k, v in FLAG_KINDS.items()}
    df = queries.run("teachers_flags", scope)
    df["flag_labels"] = _labels(df["flags"], kinds)
    name = f"unit_name_{lang}"
    by_unit = df.groupby(name, as_index=False)[[f"is_flag_{k}" for k in kinds]].sum()
    return {"teachers": df, "by_unit": by_unit}


def session_labels(reasons: pd.Series, lang: str) -> pd.Series:
    """The reasons of flagged sessions in words."""
    return _labels(reasons, {k: t(v, lang=lang) for k, v in FLAG_KINDS.items()})

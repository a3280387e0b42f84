"""Disclosure control for aggregates about people.

The rule: a count of people from 1 to 4 is shown as "<5" in tables, downloads and explorer
results, so that a small group (a school's three left-behind pupils) cannot be singled out.
Zero stays zero (it discloses nothing about a person); counts of schools, rooms or devices are
not touched. A column is a count of people when its name ends in ``_count`` and names people
(``student_count``, ``teachers_count``, ``left_behind_count``…, see ``is_person_count``).

Where it is applied: the per-unit counts of the student and teacher databases on the
data-governance page, and every person-count column of an SQL explorer result (including
aliases and expressions computed from one, see ``edusight.explorer``). Pages of the other topics
apply ``suppress_small`` to their own person counts.

It is a guard against accidental disclosure in what is shown and downloaded, not a proof
against a determined analyst: sums and differences of published counts can still reveal a
small cell. That is why the explorer is limited to trusted roles and every query is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

SMALL_CELL = 5
MASK = "<5"

# words that make a *_count column a count of people
PERSON_WORDS = (
    "student",
    "pupil",
    "teacher",
    "staff",
    "migrant",
    "boarding",
    "left_behind",
    "candidate",
    "examinee",
    "trainee",
    "participant",
    "learner",
    "graduate",
    "applicant",
    "enrolled",
    "people",
    "person",
    "user",
    "member",
)
_PERSON_COUNT = re.compile(r"(^|_)(" + "|".join(PERSON_WORDS) + r")s?(_|$)")


def is_person_count(column: str) -> bool:
    """``student_count``, ``teachers_count``, ``left_behind_count`` → True;
    ``school_count``, ``row_count``, ``covered_count`` → False."""
    name = str(column).lower()
    return name.endswith("_count") and bool(_PERSON_COUNT.search(name.removesuffix("_count")))


def person_count_columns(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if is_person_count(c)]


def _small(values: pd.Series, threshold: int) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    return v.notna() & (v > 0) & (v < threshold)


def suppress_small(
    df: pd.DataFrame, columns: Iterable[str], threshold: int = SMALL_CELL
) -> pd.DataFrame:
    """A copy with person counts 1..threshold-1 replaced by "<threshold" (columns become text)."""
    out = df.copy()
    mask = f"<{threshold}"
    for c in columns:
        if c not in out.columns:
            continue
        small = _small(out[c], threshold)
        out[c] = out[c].astype(object).where(~small, mask)
    return out


def suppressed_text(
    df: pd.DataFrame, columns: Iterable[str], threshold: int = SMALL_CELL
) -> pd.DataFrame:
    """Like ``suppress_small`` but every value of the columns becomes display text ("12,345",
    "<5", "0", "" for missing), so a table widget shows one type per column."""
    out = df.copy()
    mask = f"<{threshold}"
    for c in columns:
        if c not in out.columns:
            continue
        seen: dict[float, str] = {}  # counts repeat: format each distinct one once
        text = []
        for v in pd.to_numeric(out[c], errors="coerce").tolist():
            if v is None or v is pd.NA or v != v:  # missing (None, NA or NaN)
                text.append("")
            elif 0 < v < threshold:
                text.append(mask)
            else:
                text.append(seen.get(v) or seen.setdefault(v, f"{v:,.0f}"))
        out[c] = pd.Series(text, index=out.index, dtype=object)
    return out


def is_suppressed(value: object) -> bool:
    return isinstance(value, str) and value.startswith("<")

"""Disclosure control for aggregates about people.

Counts of people below the threshold (default 5) are shown as "<5" in tables and exports about
people, so that a small group (a school's three left-behind pupils) cannot be singled out.
Zero stays zero: it discloses nothing about a person.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

SMALL_CELL = 5
MASK = "<5"


def suppress_small(
    df: pd.DataFrame, columns: Iterable[str], threshold: int = SMALL_CELL
) -> pd.DataFrame:
    """A copy with person counts 1..threshold-1 replaced by "<threshold" (columns become text)."""
    out = df.copy()
    mask = f"<{threshold}"
    for c in columns:
        if c not in out.columns:
            continue
        v = pd.to_numeric(out[c], errors="coerce")
        small = v.notna() & (v > 0) & (v < threshold)
        out[c] = out[c].astype(object).where(~small, mask)
    return out


def is_suppressed(value: object) -> bool:
    return isinstance(value, str) and value.startswith("<")

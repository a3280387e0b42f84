"""Safe downloads of what is on screen: CSV (UTF-8 with BOM, opens in Excel) and XLSX.

Spreadsheet formula injection is neutralized: a text cell starting with = + - @ (or a tab/CR)
gets a leading apostrophe, so Excel/WPS shows it as text instead of evaluating it. Numbers are
left alone. Every download carries a sheet/section with the filters applied and the method note.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(v: object) -> object:
    if isinstance(v, str) and v.startswith(DANGEROUS_PREFIXES):
        return "'" + v
    return v


def neutralize(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df whose text cells cannot be evaluated as formulas (and text column names)."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[c] = s.map(neutralize_cell).astype(object)
    out.columns = [neutralize_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, meta: Mapping[str, str] | None = None) -> bytes:
    """CSV with a BOM; `meta` (filters, source, method) as leading `# key: value` lines."""
    buf = io.StringIO()
    for k, v in (meta or {}).items():
        buf.write(f"# {neutralize_cell(str(k))}: {neutralize_cell(str(v))}\n")
    neutralize(df).to_csv(buf, index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx_bytes(
    df: pd.DataFrame, meta: Mapping[str, str] | None = None, sheet: str = "data"
) -> bytes:
    """XLSX with the table on the first sheet and filters/method on a second sheet 'about'."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        neutralize(df).to_excel(xw, sheet_name=sheet[:31], index=False)
        if meta:
            about = pd.DataFrame(
                {"item": list(meta.keys()), "value": [str(v) for v in meta.values()]}
            )
            neutralize(about).to_excel(xw, sheet_name="about", index=False)
    return buf.getvalue()


def download_buttons(
    df: pd.DataFrame,
    basename: str,
    meta: Mapping[str, str] | None = None,
    *,
    key: str,
    labels: tuple[str, str] | None = None,
) -> None:
    """CSV and XLSX download buttons for the table on screen; each download is audited.

    The file is written when the button is clicked (Streamlit's deferred download), not on
    every run of the page: an XLSX of a few thousand rows takes seconds to write, and most runs
    download nothing. The buttons hold a snapshot of ``df`` and ``meta`` as they are now. The
    download is recorded in the audit log as the file is written, under the viewer who saw the
    button; a click does not rerun the page (a rerun would replace the button's file while the
    browser still asks for the old one).
    """
    import streamlit as st

    from edusight import audit
    from edusight.i18n import t

    csv_label, xlsx_label = labels or (t("export.csv"), t("export.xlsx"))
    snapshot = df.copy(deep=False)  # copy-on-write: later edits by the page do not reach it
    meta = dict(meta or {})
    filters = "; ".join(f"{k}={v}" for k, v in meta.items())
    user = audit.current_user()

    def audited(fmt: str, write: Callable[[], bytes]) -> Callable[[], bytes]:
        def data() -> bytes:
            out = write()
            audit.record(
                "export", user=user, table=basename, format=fmt, rows=len(snapshot), filters=filters
            )
            return out

        return data

    c1, c2 = st.columns(2)
    c1.download_button(
        csv_label,
        audited("csv", lambda: to_csv_bytes(snapshot, meta)),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        xlsx_label,
        audited("xlsx", lambda: to_xlsx_bytes(snapshot, meta)),
        file_name=f"{basename}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )

"""Data governance (pages/data_governance.py): conformance to the four data standards."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from edusight import queries, sources_catalog


@st.cache_data(show_spinner=False, max_entries=64)
def conformance_rollups(
    db: tuple, scope: tuple[str, ...], is_citywide: bool
) -> dict[str, pd.DataFrame]:
    """Conformance to the standards (``sources_catalog.conformance_for_scope``) rolled up by
    standard (``by_std``), by unit and standard (``by_unit``) and by standard and source
    (``by_source``): pandas over a dozen queries, the same for every run of one scope."""
    del db  # cache key only: a new database is read afresh
    conf = sources_catalog.conformance_for_scope(queries.run, scope, is_citywide=is_citywide)
    return {
        "by_std": sources_catalog.rollup(conf, ["standard"]).set_index("standard"),
        "by_unit": sources_catalog.rollup(conf, ["unit_code", "standard"]),
        "by_source": sources_catalog.rollup(conf, ["standard", "source"]),
    }

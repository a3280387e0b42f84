"""The source systems that feed the platform, and the rules each export is checked against.

The list of sources is Python (``etl.sources.SOURCES``: the data contract), not a table of the
database, so the data-governance page reads it from here and joins it with the load report:

    from edusight import sources_catalog
    sources_catalog.catalog()          # one row per source: name, titles, system, base, files, key
    sources_catalog.contract_rules()   # one row per (source, rule id) the contract can produce

Everything here is pure (no Streamlit, no database): tests call it directly.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

# Rules the engine applies to every source, whatever its columns (etl/engine.py, etl/reader.py).
FILE_RULES = ("summary_row", "field_count")
STANDARDS = ("school_code", "base_data", "system_access", "resource_metadata")


def _pct_down(checked: pd.Series, failing: pd.Series) -> pd.Series:
    """Conformance % rounded down to 2 decimals: any failing row keeps it below 100.00."""
    return (10000.0 * (checked - failing) / checked // 1) / 100


def _unit_via(source) -> str | None:
    """How a row of the source is attributed to a unit (as the ETL does for meta.quarantine)."""
    if source.unit_column:
        return "unit"
    if any(c.name == "school_id" and c.ref for c in source.columns):
        return "school"
    return None


@cache
def _catalog() -> pd.DataFrame:
    from etl.sources import SOURCES

    rows = [
        {
            "source": s.name,
            "title_zh": s.title_zh,
            "title_en": s.title_en,
            "system": s.system,
            "base": s.base,
            "file_patterns": " · ".join(s.files),
            "key": " + ".join(s.key),
            "unit_via": _unit_via(s),
            "load_order": i,
        }
        for i, s in enumerate(SOURCES, start=1)
    ]
    return pd.DataFrame(rows)


def catalog() -> pd.DataFrame:
    """One row per source, in load order: ``source``, ``title_zh``, ``title_en``, ``system`` (the
    exporting system, ``Source.system``), ``base`` (students/teachers/schools/equipment or None),
    ``file_patterns``, ``key``, ``unit_via`` ("unit", "school" or None: rows are city-level)."""
    return _catalog().copy()


@cache
def _contract_rules() -> pd.DataFrame:
    from etl.engine import _checks
    from etl.sources import SOURCES

    rows = []
    for s in SOURCES:
        rules: set[str] = set(FILE_RULES)
        for c in s.columns:
            rules |= {rule for rule, _cond, _msg in _checks(c)}
        rules |= {rc.rule for rc in s.row_checks}
        if s.key:
            rules.add("duplicate_key")
        rows += [{"source": s.name, "rule": r} for r in sorted(rules)]
    return pd.DataFrame(rows)


def contract_rules() -> pd.DataFrame:
    """Every (source, rule id) the data contract can produce in ``meta.quarantine``."""
    return _contract_rules().copy()


def source_standards(rule_standards: pd.DataFrame) -> pd.DataFrame:
    """(source, standard) pairs: the standards whose rules the contract applies to each source.

    ``rule_standards``: ``rule``, ``standard`` (``data/reference/rule_standards.csv``).
    """
    pairs = contract_rules().merge(rule_standards[["rule", "standard"]], on="rule", how="inner")
    return pairs[["source", "standard"]].drop_duplicates().reset_index(drop=True)


def conformance(
    checked: pd.DataFrame,
    failing: pd.DataFrame,
    applicable: pd.DataFrame,
) -> pd.DataFrame:
    """Rows checked, rows failing and conformance per (standard, source, unit).

    ``checked``: ``source``, ``unit_code`` (None = city-level), ``rows_checked`` (rows read:
    loaded + rejected). ``failing``: ``source``, ``unit_code``, ``standard``, ``rows_failing``
    (distinct source rows that failed at least one rule of the standard). ``applicable``:
    ``source``, ``standard`` (``source_standards``). A standard counts only for the sources whose
    contract checks it; ``conformance_pct`` = 100 × (checked − failing) / checked.
    """
    cols = ["standard", "source", "unit_code", "rows_checked", "rows_failing", "conformance_pct"]
    if checked.empty or applicable.empty:
        return pd.DataFrame(columns=cols)
    key = ["standard", "source", "unit_code"]
    base = checked.merge(applicable, on="source", how="inner")
    base["unit_code"] = base["unit_code"].fillna("")
    fail = failing.assign(unit_code=failing["unit_code"].fillna(""))
    fail = fail.groupby(key, as_index=False)["rows_failing"].sum()
    out = base.merge(fail, on=key, how="left")
    out["rows_failing"] = out["rows_failing"].fillna(0).astype("int64")
    out["rows_checked"] = out["rows_checked"].astype("int64")
    out = out[out["rows_checked"] > 0]
    out["conformance_pct"] = _pct_down(out["rows_checked"], out["rows_failing"])
    out["unit_code"] = out["unit_code"].replace("", None)
    return out[cols].sort_values(key, na_position="last").reset_index(drop=True)


def rollup(conf: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum rows checked / failing of ``conformance(...)`` over the other keys, with the rate."""
    if conf.empty:
        return pd.DataFrame(columns=[*by, "rows_checked", "rows_failing", "conformance_pct"])
    g = conf.assign(unit_code=conf["unit_code"].fillna("")).groupby(by, as_index=False)
    out = g[["rows_checked", "rows_failing"]].sum()
    out["conformance_pct"] = _pct_down(out["rows_checked"], out["rows_failing"])
    return out


def conformance_for_scope(run, scope: tuple[str, ...], *, is_citywide: bool) -> pd.DataFrame:
    """``conformance(...)`` for the viewer's scope, from the governance queries.

    ``run``: ``edusight.queries.run`` (passed in, so this module stays free of Streamlit).
    Rows checked per (source, unit) = rows loaded (``governance_loaded_by_unit``) + rows rejected
    (``governance_rejected_by_unit``, standard 'any'); sources whose rows carry no unit count as
    city-level (unit None, city-wide viewers only) with all their rows read. The resource-metadata
    standard adds the loaded resources that miss a required element
    (``governance_resource_metadata_by_unit``, from ``marts.resource_metadata_checks``).
    """
    cat = catalog()
    rejected = run("governance_rejected_by_unit", scope)
    loaded_parts = [
        run("governance_loaded_by_unit", scope, stg_source=s)
        for s in cat.loc[cat["unit_via"].notna(), "source"]
    ]
    loaded = pd.concat(
        [p for p in loaded_parts if not p.empty]
        or [pd.DataFrame(columns=["source", "unit_code", "rows_loaded"])]
    )
    if is_citywide:
        files = run("governance_sources", scope)
        city = files[files["source"].isin(cat.loc[cat["unit_via"].isna(), "source"])]
        loaded = pd.concat(
            [loaded, city.assign(unit_code=None)[["source", "unit_code", "rows_loaded"]]]
        )
    any_rejected = rejected[rejected["standard"] == "any"][["source", "unit_code", "rows_failing"]]
    key = ["source", "unit_code"]
    checked = (
        pd.concat(
            [
                loaded.rename(columns={"rows_loaded": "n"})[[*key, "n"]],
                any_rejected.rename(columns={"rows_failing": "n"})[[*key, "n"]],
            ]
        )
        .assign(unit_code=lambda d: d["unit_code"].fillna(""))
        .groupby(key, as_index=False)["n"]
        .sum()
        .rename(columns={"n": "rows_checked"})
    )
    checked["unit_code"] = checked["unit_code"].replace("", None)
    metadata = run("governance_resource_metadata_by_unit", scope)
    failing = pd.concat(
        [
            rejected[rejected["standard"] != "any"],
            metadata[["source", "unit_code", "standard", "rows_failing"]],
        ]
    )
    applicable = source_standards(run("governance_rule_standards", scope))
    if not metadata.empty:
        applicable = pd.concat(
            [applicable, pd.DataFrame([{"source": "resources", "standard": "resource_metadata"}])]
        ).drop_duplicates()
    return conformance(checked, failing, applicable)

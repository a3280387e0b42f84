"""Every rule id the data contract can produce has a standard, a label and an explanation in
data/reference/rule_standards.csv, so a new rule cannot ship unlabelled."""

from __future__ import annotations

import re

import pandas as pd

from edusight import sources_catalog
from edusight.config import ROOT

CSV = ROOT / "data" / "reference" / "rule_standards.csv"
COLUMNS = ["rule", "standard", "label_zh", "label_en", "explanation_zh", "explanation_en"]
CJK = re.compile(r"[\u3400-\u9fff]")


def standards() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


def test_columns_and_one_row_per_rule():
    df = standards()
    assert list(df.columns) == COLUMNS
    assert df["rule"].is_unique
    assert set(df["standard"]) <= set(sources_catalog.STANDARDS)
    assert (df[COLUMNS] != "").all().all(), "empty cell in rule_standards.csv"


def test_every_rule_the_contract_can_produce_is_labelled():
    produced = set(sources_catalog.contract_rules()["rule"])
    missing = sorted(produced - set(standards()["rule"]))
    assert not missing, f"add these rules to {CSV.name}: {missing}"


def test_the_generic_and_school_code_rules_are_mapped_as_the_plan_asks():
    std = standards().set_index("rule")["standard"]
    assert std["school_id"] == std["school_id_type"] == "school_code"
    for rule in ("id_number", "credit_code", "xueji", "required", "type", "allowed_values"):
        assert std[rule] == "base_data"
    assert std["field_count"] == "system_access"


def test_english_labels_are_english():
    df = standards()
    assert not df["label_en"].str.contains(CJK).any()
    assert df["label_zh"].str.contains(CJK).all()


def test_source_standards_are_the_standards_of_each_sources_rules():
    pairs = sources_catalog.source_standards(standards())
    by_source = pairs.groupby("source")["standard"].agg(set)
    assert "school_code" in by_source["schools"]
    assert {"base_data", "system_access"} <= by_source["students"]
    assert "resource_metadata" in by_source["resources"]

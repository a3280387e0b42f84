"""Safe exports and small-cell suppression."""

import io

import openpyxl
import pandas as pd

from edusight.export import neutralize, to_csv_bytes, to_xlsx_bytes
from edusight.privacy import suppress_small


def test_formula_like_text_is_neutralized_numbers_are_not():
    df = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-a", "@SUM(A1)", "safe"], "n": [-1, 2, 3, 4, 5]}
    )
    out = neutralize(df)
    assert out["name"].tolist() == ['\'=HYPERLINK("x")', "'+1", "'-a", "'@SUM(A1)", "safe"]
    assert out["n"].tolist() == [-1, 2, 3, 4, 5]


def test_csv_has_bom_meta_lines_and_neutralized_cells():
    df = pd.DataFrame({"学校": ["=cmd|'/c calc'!A0"], "人数": [12]})
    data = to_csv_bytes(df, {"筛选": "锦江区", "方法": "=1+1"})
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "# 筛选: 锦江区" in text and "# 方法: '=1+1" in text
    assert "'=cmd" in text


def test_xlsx_cells_are_text_not_formulas():
    df = pd.DataFrame({"v": ["=1+1", "ok"]})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df, {"filter": "all"})))
    ws = wb["data"]
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"
    assert wb["about"]["B2"].value == "all"


def test_small_counts_are_suppressed_zero_and_large_kept():
    df = pd.DataFrame(
        {"school": ["a", "b", "c", "d"], "left_behind": [0, 3, 5, 12], "classes": [1, 2, 3, 4]}
    )
    out = suppress_small(df, ["left_behind"])
    assert out["left_behind"].tolist() == [0, "<5", 5, 12]
    assert out["classes"].tolist() == [1, 2, 3, 4]

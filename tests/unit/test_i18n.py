"""One catalogue, two languages, nothing missing, nothing left untranslated."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pandas as pd
import pytest

from edusight import i18n
from edusight.i18n import LANGS, N_, catalogue, col, current_lang, t

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "edusight").rglob("*.py")]
KEY_USE = re.compile(r"""\b(?:t|N_)\(\s*["']([A-Za-z0-9_.\-]+)["']""")
# identical in both languages on purpose (names, codes, symbols)
SAME_IN_BOTH: set[str] = set()


def used_keys() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in CODE:
        for key in KEY_USE.findall(path.read_text("utf-8")):
            found.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return found


def test_both_languages_have_the_same_keys():
    zh, en = set(catalogue("zh")), set(catalogue("en"))
    assert zh - en == set(), "keys missing in en.json"
    assert en - zh == set(), "keys missing in zh.json"


def test_every_key_used_in_code_is_in_the_catalogue():
    used = used_keys()
    assert used, "found no t(...) calls: is the pattern still right?"
    for lang in LANGS:
        missing = {k: v for k, v in used.items() if k not in catalogue(lang)}
        assert not missing, f"keys used in code but missing in {lang}.json: {missing}"


def test_no_value_is_left_untranslated():
    zh, en = catalogue("zh"), catalogue("en")
    same = [
        k for k in zh if zh[k] == en.get(k) and len(zh[k].strip()) > 3 and k not in SAME_IN_BOTH
    ]
    assert same == [], f"identical zh/en values (translate, or list in SAME_IN_BOTH): {same}"


def test_english_has_no_chinese_and_values_are_not_empty():
    cjk = re.compile(r"[\u3400-\u9fff]")
    for key, value in catalogue("en").items():
        assert value.strip(), f"en: empty value for {key}"
        assert not cjk.search(value), f"en: Chinese left in {key}: {value!r}"
    for key, value in catalogue("zh").items():
        assert value.strip(), f"zh: empty value for {key}"


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_placeholders_match_between_languages():
    zh, en = catalogue("zh"), catalogue("en")
    for key in zh:
        assert fields(zh[key]) == fields(en[key]), f"{key}: placeholders differ"


def test_t_translates_formats_and_falls_back():
    assert t("app.title", lang="zh") == "成都教育态势感知"
    assert t("app.title", lang="en") == "Chengdu Education Situational Awareness"
    assert t("sidebar.unit.all", lang="en", n=23) == "City-wide (23 units)"
    assert t("no.such.key", lang="en") == "no.such.key"
    assert N_("x.y") == "x.y"


def test_outside_streamlit_the_language_is_chinese():
    assert current_lang() == i18n.DEFAULT_LANG == "zh"
    assert t("nav.group.data") == "数据与分析"
    assert col("name") == "name_zh"
    assert col("name", "en") == "name_en"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogues_are_sorted_json(lang):
    import json

    from edusight.i18n import LOCALES_DIR

    for f in [LOCALES_DIR / f"{lang}.json", *sorted((LOCALES_DIR / lang).glob("*.json"))]:
        keys = list(json.loads(f.read_text(encoding="utf-8")))
        assert keys == sorted(keys), f"{f.name}: keep keys sorted (merge-friendly)"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_catalogue_parts_exist_in_both_languages(lang):
    from edusight.i18n import LOCALES_DIR

    mine = {p.name for p in (LOCALES_DIR / lang).glob("*.json")}
    other = {p.name for p in (LOCALES_DIR / ("en" if lang == "zh" else "zh")).glob("*.json")}
    assert mine == other


def _values(kind: str, lang: str = "zh") -> set[str]:
    return {k.removeprefix(f"val.{kind}.") for k in catalogue(lang) if k.startswith(f"val.{kind}.")}


def test_every_value_of_the_contracts_closed_lists_has_its_translation():
    from etl.sources import BY_NAME

    def allowed(source: str, column: str) -> set[str]:
        return set(next(c for c in BY_NAME[source].columns if c.name == column).values)

    assert _values("subject") == allowed("teachers", "subject") == allowed("resources", "subject")
    assert _values("title") == allowed("teachers", "title")
    assert _values("urban_rural") == allowed("schools", "urban_rural")
    assert _values("level") == allowed("resources", "level")
    assert _values("grade") == allowed("micro_assessments", "grade")
    assert _values("pair_status") == allowed("cloud_pairs", "status")
    assert _values("system_kind") == allowed("info_systems", "kind")
    assert _values("stage") == allowed("info_systems", "stage")
    assert allowed("info_systems", "admin_level") | allowed("security_drills", "level") == _values(
        "admin_level"
    )
    assert _values("category") == set(
        pd.read_csv(ROOT / "data/reference/categories.csv")["category"]
    )


def test_values_are_translated_and_unknown_ones_shown_as_they_are():
    from edusight.i18n import tv, tv_frame

    assert (
        tv("subject", "语文", lang="en") == "Chinese" and tv("subject", "语文", lang="zh") == "语文"
    )
    assert tv("subject", "书法", lang="en") == "书法"  # not in the list: shown, never hidden
    df = pd.DataFrame({"subjects": ["语文、数学", None], "level": ["小学", "大学"], "n": [1, 2]})
    en = tv_frame(df, {"subjects": "subject[]", "level": "level", "absent": "level"}, lang="en")
    assert en["subjects"].iloc[0] == "Chinese, Mathematics" and pd.isna(en["subjects"].iloc[1])
    assert list(en["level"]) == ["Primary", "大学"] and list(en["n"]) == [1, 2]
    assert df["level"].iloc[0] == "小学"  # the caller's frame is left alone
    zh = tv_frame(df, {"subjects": "subject[]", "level": "level"}, lang="zh")
    assert zh["subjects"].iloc[0] == "语文、数学" and list(zh["level"]) == ["小学", "大学"]

"""normalize_text_array takes shortcuts (ASCII, few distinct values, names); each must give what
plain NFKC + trim + '' → null gives."""

from __future__ import annotations

import random
import unicodedata

import pyarrow as pa
import pytest

from etl.reader import normalize_text_array


def plain(values: list[str | None]) -> list[str | None]:
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        v = unicodedata.normalize("NFKC", v).strip()
        out.append(v or None)
    return out


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


rng = random.Random(7)
CODES = [str(rng.randrange(10**9, 10**10)) for _ in range(3000)]
COLUMNS = {
    # all ASCII, with spaces to trim and empty values
    "ascii": [f" {c} " if i % 50 == 0 else ("" if i % 97 == 0 else c) for i, c in enumerate(CODES)],
    # mostly ASCII, the odd value in full-width digits or with an ideographic space
    "mostly_ascii": [
        fullwidth(c) if i % 40 == 0 else (c + "\u3000" if i % 55 == 0 else c)
        for i, c in enumerate(CODES)
    ],
    # few distinct values, not ASCII (enums, 是/否), a full-width variant and nulls among them
    "few_values": [
        rng.choice(["小学", "初中", "高中", "小学\u3000", "ｙ", "是", " 否"]) if i % 30 else None
        for i in range(3000)
    ],
    # many distinct non-ASCII values
    "many_values": [f"{rng.choice('张李王刘陈')}{fullwidth(str(i))}号 " for i in range(3000)],
}


@pytest.mark.parametrize("name", COLUMNS)
def test_each_shortcut_equals_plain_nfkc(name):
    values = COLUMNS[name]
    got = normalize_text_array(pa.array(values, pa.string()))
    assert got.to_pylist() == plain(values)


def test_a_chunked_column_gives_the_same():
    values = COLUMNS["mostly_ascii"]
    chunked = pa.chunked_array([values[:1000], values[1000:]], pa.string())
    assert normalize_text_array(chunked).to_pylist() == plain(values)


def test_trim_only_trims_and_empties_but_keeps_the_characters():
    got = normalize_text_array(pa.array(["\u3000张三 ", "\u3000", "ＡＢ"]), trim_only=True)
    assert got.to_pylist() == ["张三", None, "ＡＢ"]

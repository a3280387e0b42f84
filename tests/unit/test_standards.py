"""Tests for etl.standards: identifier validators (domain.md §9), their DuckDB twins, generators."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import numpy as np
import pytest

from etl import standards as st
from etl.standards import (
    HALFWIDTH_FROM,
    HALFWIDTH_TO,
    corrupt_check_char,
    credit_check_char,
    credit_code_ok,
    id_birth_date,
    id_check_char,
    id_gender,
    id_number_ok,
    make_credit_code,
    make_credit_codes,
    make_id_number,
    make_id_numbers,
    normalize_text,
    school_id_ok,
    school_id_type,
    sql_credit_code_ok,
    sql_id_birth_year,
    sql_id_gender,
    sql_id_number_ok,
    sql_normalize,
    sql_school_id_ok,
    sql_xueji_ok,
    to_halfwidth,
    xueji_ok,
)

VALID_IDS = ["11010519491231002X", "510104201001010019"]
VALID_CREDIT = "91350200776049653A"


def _with_check(first17: str) -> str:
    """An ID number whose check char is right, whatever else is wrong with it."""
    return first17 + id_check_char(first17)


def _fullwidth(s: str) -> str:
    return s.translate(str.maketrans(HALFWIDTH_TO[:94], HALFWIDTH_FROM[:94]))


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def run_sql(con, expr_fn, values):
    """Evaluate expr_fn('v') in DuckDB for each value, returning results in input order."""
    sql = (
        f"SELECT {expr_fn('v')} FROM (SELECT unnest($1::VARCHAR[]) AS v, "
        f"generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i"
    )
    return [row[0] for row in con.execute(sql, [list(values)]).fetchall()]


# ---------------------------------------------------------------------------------------------
# Text normalization
# ---------------------------------------------------------------------------------------------


def test_halfwidth_tables():
    assert len(HALFWIDTH_FROM) == len(HALFWIDTH_TO) == 96
    assert HALFWIDTH_FROM[0] == "\uff01" and HALFWIDTH_TO[0] == "!"
    assert HALFWIDTH_FROM[93] == "\uff5e" and HALFWIDTH_TO[93] == "~"
    assert HALFWIDTH_FROM[94:] == "\u3000\u00a0" and HALFWIDTH_TO[94:] == "  "


def test_to_halfwidth_and_normalize():
    assert to_halfwidth("ＡＢＣ１２３ｘ＇\u3000中") == "ABC123x' 中"
    assert normalize_text("\u3000５１０１\t\r\n") == "5101"
    assert normalize_text("\u00a0 a b \u3000") == "a b"
    assert normalize_text(" \t\u3000 ") is None
    assert normalize_text("") is None
    assert normalize_text(None) is None


def test_sql_normalize_escapes_quote_and_agrees(con):
    assert "''" in sql_normalize("v")  # full-width apostrophe maps to an escaped "'"
    rng = np.random.default_rng(7)
    pool = list("aZ09'\"\\%_ 中文") + ["\t", "\r", "\n", "\u3000", "\u00a0", "＇", "Ｘ", "１", "～"]
    values = ["".join(rng.choice(pool, size=rng.integers(0, 8))) for _ in range(2000)]
    values += [None, "", "   ", "\u3000\t"]
    assert run_sql(con, sql_normalize, values) == [normalize_text(v) for v in values]


# ---------------------------------------------------------------------------------------------
# 学校标识码
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("s", ["2151010001", "1151999999", "3451000000", "5151123456"])
def test_school_id_valid(s):
    assert school_id_ok(s)


@pytest.mark.parametrize(
    "s",
    ["2150010001", "2111010001", "215101000", "21510100011", "21510A0001", "", None, 2151010001],
)
def test_school_id_invalid(s):
    assert not school_id_ok(s)


def test_school_id_type_and_fullwidth():
    assert school_id_type("3451000123") == "34"
    assert st.SCHOOL_TYPE_CODES["34"] == "普通高中"
    with pytest.raises(ValueError):
        school_id_type("3450000123")
    fw = _fullwidth("2151010001")
    assert not school_id_ok(fw)
    assert school_id_ok(normalize_text(f"\u3000{fw} "))


# ---------------------------------------------------------------------------------------------
# 居民身份证号 (GB 11643)
# ---------------------------------------------------------------------------------------------


def test_id_check_char_known():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("51010420100101001") == "9"
    for bad in [
        "1101051949123100",
        "110105194912310021",
        "1101051949123100A",
        "１１０１０５１９４９１２３１００２",
    ]:
        with pytest.raises(ValueError):
            id_check_char(bad)


@pytest.mark.parametrize("s", VALID_IDS)
def test_id_valid(s):
    assert id_number_ok(s)


@pytest.mark.parametrize(
    "s",
    [
        "11010519491231002Y",  # not a check character
        "110105194912310021",  # wrong check char
        "510104201001010018",  # wrong check char
        "11010519491231002x",  # lowercase x is rejected
        _with_check("51010420100230001"),  # 2010-02-30, right check char
        _with_check("51010419000229001"),  # 1900 is not a leap year
        _with_check("51010418991231001"),  # before 1900
        _with_check("51010420310101001"),  # after 2030
        _with_check("51010420101301001"),  # month 13
        "51010420100101001",  # 17 chars
        "5101042010010100199",  # 19 chars
        "51010A201001010019",  # letter
        " 510104201001010019",  # not normalized
        "",
        None,
        510104201001010019,
    ],
)
def test_id_invalid(s):
    assert not id_number_ok(s)


def test_id_boundary_dates():
    assert id_number_ok(_with_check("51010419000101001"))
    assert id_number_ok(_with_check("51010420301231001"))
    assert id_number_ok(_with_check("51010420000229001"))  # 2000 is a leap year


def test_id_fullwidth_normalized_then_valid():
    fw = "\u3000" + _fullwidth("11010519491231002X") + "\t"
    assert not id_number_ok(fw)
    assert id_number_ok(normalize_text(fw))
    assert not id_number_ok(normalize_text("11010519491231002ｘ"))  # full-width lowercase x


def test_id_birth_date_and_gender():
    assert id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_gender("11010519491231002X") == "女"  # 17th digit 2
    assert id_birth_date("510104201001010019") == dt.date(2010, 1, 1)
    assert id_gender("510104201001010019") == "男"  # 17th digit 1
    for f in (id_birth_date, id_gender):
        with pytest.raises(ValueError):
            f("110105194912310021")


# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100)
# ---------------------------------------------------------------------------------------------


def test_credit_known():
    assert credit_check_char(VALID_CREDIT[:17]) == "A"
    assert credit_code_ok(VALID_CREDIT)
    assert make_credit_code(VALID_CREDIT[:17]) == VALID_CREDIT
    with pytest.raises(ValueError):
        credit_check_char("9135020077604965I")  # I is not in the alphabet
    with pytest.raises(ValueError):
        credit_check_char("913502007760496")


@pytest.mark.parametrize(
    "s",
    [
        "91350200776049653B",  # wrong check char
        "91350200776049653I",  # I not in alphabet
        "9135020077604965OA",  # O not in alphabet
        "91350200776049653a",  # lowercase
        "91350200776049653",  # 17 chars
        "91350200776049653AA",  # 19 chars
        " 91350200776049653A",
        "",
        None,
    ],
)
def test_credit_invalid(s):
    assert not credit_code_ok(s)


def test_credit_check_31_maps_to_zero():
    # S mod 31 == 0 → C18 = 31 → "0": all-zero prefix has S = 0.
    assert credit_check_char("0" * 17) == "0"
    assert credit_code_ok("0" * 18)


def test_credit_school_prefixes_and_fullwidth():
    public = make_credit_code("12510100" + "45071234" + "X")
    minban = make_credit_code("52510100" + "MA6C1234" + "5")
    assert credit_code_ok(public) and public.startswith(st.CREDIT_PREFIX_PUBLIC_SCHOOL)
    assert credit_code_ok(minban) and minban.startswith(st.CREDIT_PREFIX_MINBAN_SCHOOL)
    assert credit_code_ok(normalize_text(_fullwidth(VALID_CREDIT) + "\u3000"))


# ---------------------------------------------------------------------------------------------
# 学籍号
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "s",
    [
        "G11010519491231002X",
        "G510104201001010019",
        "J" + "0" * 18,
        "J123456789012345678",
        "L510104201001011234",
        "L510104200002291234",
    ],
)
def test_xueji_valid(s):
    assert xueji_ok(s)


@pytest.mark.parametrize(
    "s",
    [
        "G110105194912310021",  # bad ID check char
        "G11010519491231002x",
        "g11010519491231002X",
        "G510104201001010019 ",
        "J12345678901234567",  # 17 digits
        "J1234567890123456789",
        "J12345678901234567X",
        "L510104201002301234",  # 2010-02-30
        "L51010420100101123",
        "L51010420100101123A",
        "X510104201001010019",
        "510104201001010019",
        "G",
        "",
        None,
    ],
)
def test_xueji_invalid(s):
    assert not xueji_ok(s)


def test_xueji_fullwidth_normalized():
    assert xueji_ok(normalize_text(_fullwidth("G11010519491231002X")))


# ---------------------------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------------------------


def _random_id_inputs(rng, n):
    areas = rng.choice(np.array(["510104", "510105", "510107", "510112", "110105"]), n)
    dates = np.datetime64("1900-01-01") + rng.integers(0, 47_846, n).astype("timedelta64[D]")
    seqs = rng.integers(0, 1000, n)
    return areas, dates, seqs


def test_make_id_numbers_valid_and_match_scalar():
    rng = np.random.default_rng(1)
    areas, dates, seqs = _random_id_inputs(rng, 5000)
    ids = make_id_numbers(areas, dates, seqs)
    assert ids.shape == (5000,) and ids.dtype == np.dtype("<U18")
    for a, d, q, s in zip(areas, dates, seqs, ids, strict=True):
        assert id_number_ok(s)
        assert s == make_id_number(str(a), d.astype(dt.date), int(q))
        assert id_birth_date(s) == d.astype(dt.date)
        assert id_gender(s) == ("男" if q % 2 else "女")
        assert s.startswith(str(a)) and s[14:17] == f"{q:03d}"


def test_make_id_numbers_int_areas_and_broadcast():
    dates = np.array(["1949-12-31", "2010-01-01"], dtype="datetime64[D]")
    ids = make_id_numbers(np.array([110105, 510104]), dates, np.array([2, 1]))
    assert ids.tolist() == VALID_IDS
    same_area = make_id_numbers("510104", dates, 1)  # scalar area and seq broadcast
    assert same_area.tolist() == [
        make_id_number("510104", dt.date(1949, 12, 31), 1),
        "510104201001010019",
    ]
    assert make_id_numbers(np.array([], dtype=str), np.array([], "datetime64[D]"), 0).size == 0


def test_gender_parity():
    n = 1000
    dates = np.full(n, np.datetime64("2012-09-01"))
    ids = make_id_numbers(np.full(n, 510104), dates, np.arange(n))
    genders = [id_gender(s) for s in ids]
    assert genders[::2] == ["女"] * (n // 2)
    assert genders[1::2] == ["男"] * (n // 2)


@pytest.mark.parametrize(
    ("areas", "dates", "seqs"),
    [
        (["51010"], ["2010-01-01"], [1]),  # 5-digit area
        (["51010A"], ["2010-01-01"], [1]),
        (["５１０１０４"], ["2010-01-01"], [1]),
        ([1_000_000], ["2010-01-01"], [1]),
        (["510104"], ["1899-12-31"], [1]),
        (["510104"], ["2031-01-01"], [1]),
        (["510104"], ["NaT"], [1]),
        (["510104"], ["2010-01-01"], [1000]),
        (["510104"], ["2010-01-01"], [-1]),
    ],
)
def test_make_id_numbers_rejects_bad_input(areas, dates, seqs):
    with pytest.raises(ValueError):
        make_id_numbers(np.array(areas), np.array(dates, dtype="datetime64[D]"), np.array(seqs))


def test_make_id_number_scalar():
    assert make_id_number(110105, dt.date(1949, 12, 31), 2) == "11010519491231002X"
    assert make_id_number("510104", dt.date(2010, 1, 1), 1) == "510104201001010019"
    with pytest.raises(ValueError):
        make_id_number("51010", dt.date(2010, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("510104", dt.date(1899, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("510104", dt.date(2010, 1, 1), 1000)


def _random_credit_prefixes(rng, n):
    alphabet = np.array(list(st.CREDIT_ALPHABET))
    heads = rng.choice(np.array(["12510100", "52510104", "91510100"]), n)
    tails = ["".join(row) for row in rng.choice(alphabet, size=(n, 9))]
    return np.char.add(heads, np.array(tails))


def test_make_credit_codes_valid_and_match_scalar():
    rng = np.random.default_rng(2)
    prefixes = _random_credit_prefixes(rng, 3000)
    codes = make_credit_codes(prefixes)
    assert codes.dtype == np.dtype("<U18")
    for p, c in zip(prefixes, codes, strict=True):
        assert c == make_credit_code(str(p))
        assert credit_code_ok(c)
    assert make_credit_codes(np.array([VALID_CREDIT[:17]])).tolist() == [VALID_CREDIT]


@pytest.mark.parametrize(
    "prefix", ["9135020077604965", "913502007760496530", "9135020077604965I", "9135020077604965中"]
)
def test_make_credit_codes_rejects_bad_prefix(prefix):
    with pytest.raises(ValueError):
        make_credit_codes(np.array([prefix]))


def test_make_id_numbers_handles_millions_vectorized():
    """3 million valid ID numbers in one call (its speed is reported by `make bench`, not asserted)."""
    rng = np.random.default_rng(3)
    areas, dates, seqs = _random_id_inputs(rng, 3_000_000)
    ids = make_id_numbers(areas, dates, seqs)
    assert ids.shape == (3_000_000,)
    assert all(id_number_ok(s) for s in ids[::10_000])


# ---------------------------------------------------------------------------------------------
# corrupt_check_char
# ---------------------------------------------------------------------------------------------


def test_corrupt_check_char_always_fails():
    rng = np.random.default_rng(4)
    ids = make_id_numbers(*_random_id_inputs(rng, 1000))
    codes = make_credit_codes(_random_credit_prefixes(rng, 1000))
    for shift in (1, 5, 10, 31):
        for s in ids:
            bad = corrupt_check_char(s, shift)
            assert bad[:17] == s[:17] and bad != s
            assert re.fullmatch("[0-9]{17}[0-9X]", bad)
            assert not id_number_ok(bad)
            bad_g = corrupt_check_char("G" + s, shift)
            assert bad_g == "G" + bad and not xueji_ok(bad_g)
        for c in codes:
            bad = corrupt_check_char(c, shift)
            assert bad[:17] == c[:17] and bad[17] in st.CREDIT_ALPHABET
            assert not credit_code_ok(bad)


def test_corrupt_check_char_known_and_errors():
    bad = corrupt_check_char("11010519491231002X")
    assert bad != "11010519491231002X" and not id_number_ok(bad)
    assert not credit_code_ok(corrupt_check_char(VALID_CREDIT))
    for s in ["J" + "1" * 18, "5101042010010100", "", "ABC"]:
        with pytest.raises(ValueError):
            corrupt_check_char(s)
    with pytest.raises(ValueError):
        corrupt_check_char(VALID_CREDIT, shift=0)


# ---------------------------------------------------------------------------------------------
# SQL twins agree with Python
# ---------------------------------------------------------------------------------------------


def _mutations(rng, values, n):
    """Random one-character edits, truncations, case changes and padding of `values`."""
    pool = list("0123456789XxAIOZ中 ") + ["１", "\t"]
    out = []
    for _ in range(n):
        s = str(rng.choice(values))
        op = rng.integers(0, 5)
        i = int(rng.integers(0, len(s)))
        if op == 0:
            s = s[:i] + str(rng.choice(pool)) + s[i + 1 :]
        elif op == 1:
            s = s[:i] + s[i + 1 :]
        elif op == 2:
            s = s[:i] + str(rng.choice(pool)) + s[i:]
        elif op == 3:
            s = s.lower()
        else:
            s = " " + s
        out.append(s)
    return out


@pytest.fixture(scope="module")
def id_corpus():
    rng = np.random.default_rng(5)
    valid = make_id_numbers(*_random_id_inputs(rng, 2000)).tolist()
    corrupted = [
        corrupt_check_char(s, int(k))
        for s, k in zip(valid[:1000], rng.integers(1, 11, 1000), strict=True)
    ]
    # Random 8-digit "dates" (many impossible) with correct check chars.
    dates = [
        f"{y:04d}{m:02d}{d:02d}"
        for y, m, d in zip(
            rng.integers(1890, 2040, 1000),
            rng.integers(0, 14, 1000),
            rng.integers(0, 33, 1000),
            strict=True,
        )
    ]
    odd_dates = [_with_check(f"510104{d}{i % 1000:03d}") for i, d in enumerate(dates)]
    mutated = _mutations(rng, valid, 1000)
    values = valid + corrupted + odd_dates + mutated + VALID_IDS + [None, "", "11010519491231002x"]
    assert sum(map(id_number_ok, values)) > 2000  # the corpus has both outcomes in bulk
    assert sum(not id_number_ok(v) for v in values) > 2000
    return values


def test_sql_id_number_twin_agrees(con, id_corpus):
    assert run_sql(con, sql_id_number_ok, id_corpus) == [id_number_ok(v) for v in id_corpus]


def test_sql_id_derived_fields_agree(con, id_corpus):
    def birth_year(s):
        return id_birth_date(s).year if id_number_ok(s) else None

    def gender(s):
        return id_gender(s) if id_number_ok(s) else None

    assert run_sql(con, sql_id_birth_year, id_corpus) == [birth_year(v) for v in id_corpus]
    assert run_sql(con, sql_id_gender, id_corpus) == [gender(v) for v in id_corpus]


def test_sql_xueji_twin_agrees(con, id_corpus):
    rng = np.random.default_rng(6)
    g = ["G" + v for v in id_corpus if v]
    j = ["J" + "".join(map(str, rng.integers(0, 10, int(k)))) for k in rng.integers(16, 21, 500)]
    l_ = [
        "L510104" + v[6:14] + f"{i:04d}"
        for i, v in enumerate(id_corpus[:3000])
        if v and len(v) >= 14
    ]
    values = g + j + l_ + _mutations(rng, g[:2000] + j + l_, 1500) + [None, "", "G", "L", "J"]
    expected = [xueji_ok(v) for v in values]
    assert 1000 < sum(expected) < len(values) - 1000
    assert run_sql(con, sql_xueji_ok, values) == expected


def test_sql_credit_twin_agrees(con):
    rng = np.random.default_rng(8)
    valid = make_credit_codes(_random_credit_prefixes(rng, 2000)).tolist()
    corrupted = [
        corrupt_check_char(c, int(k))
        for c, k in zip(valid[:1000], rng.integers(1, 31, 1000), strict=True)
    ]
    values = valid + corrupted + _mutations(rng, valid, 1000) + [VALID_CREDIT, None, ""]
    expected = [credit_code_ok(v) for v in values]
    assert 2000 <= sum(expected) < len(values) - 1000
    assert run_sql(con, sql_credit_code_ok, values) == expected


def test_sql_school_id_twin_agrees(con):
    rng = np.random.default_rng(9)
    valid = [
        f"{t}51{n:06d}"
        for t, n in zip(
            rng.choice(["11", "21", "31", "34", "36", "51"], 1000),
            rng.integers(0, 10**6, 1000),
            strict=True,
        )
    ]
    values = valid + _mutations(rng, valid, 1000) + [None, "", "2150010001"]
    expected = [school_id_ok(v) for v in values]
    assert 1000 <= sum(expected) < len(values) - 500
    assert run_sql(con, sql_school_id_ok, values) == expected


def test_sql_twins_compose_with_normalize(con):
    raw = [
        "\u3000" + _fullwidth(VALID_IDS[0]) + "\t",
        _fullwidth(VALID_IDS[1]),
        " 11010519491231002ｘ ",
        None,
        "\u3000",
    ]
    expected = [id_number_ok(normalize_text(v)) for v in raw]
    assert expected == [True, True, False, False, False]
    assert run_sql(con, lambda c: sql_id_number_ok(sql_normalize(c)), raw) == expected
    assert run_sql(con, lambda c: sql_id_gender(sql_normalize(c)), raw) == [
        "女",
        "男",
        None,
        None,
        None,
    ]

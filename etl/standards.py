"""Validators and generators for the bureau's data standards (docs: domain.md §9 Identifiers).

Each validator comes as a pure-Python function and a DuckDB "SQL twin": a function that takes a
column expression and returns a SQL boolean expression, so the ETL can validate millions of rows in
one SQL pass. The two are kept in exact agreement (tests/unit/test_standards.py checks this).

Validators are strict about their input: they do not normalize. Run text through
`normalize_text` / `sql_normalize` first (full-width → half-width, trim). They return False (never
NULL, never raise) for None, non-strings and malformed values. Lowercase ``x`` as an ID check
character is rejected: GB 11643 writes it as uppercase ``X``.

The SQL twins repeat the column expression many times; when validating an expensive expression
(e.g. ``sql_normalize(raw)``), materialize it as a column first.

Generators (`make_id_numbers`, `make_credit_codes`) build identifiers as (n, 18) code-point
matrices with numpy (lookup tables + a weighted-sum matmul, no per-row Python), returning ``<U18``
arrays: 3 million ID numbers take about half a second.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

__all__ = [
    "CREDIT_ALPHABET",
    "HALFWIDTH_FROM",
    "HALFWIDTH_TO",
    "ID_CHECK_CHARS",
    "SCHOOL_TYPE_CODES",
    "corrupt_check_char",
    "credit_check_char",
    "credit_code_ok",
    "id_birth_date",
    "id_check_char",
    "id_gender",
    "id_number_ok",
    "make_credit_code",
    "make_credit_codes",
    "make_id_number",
    "make_id_numbers",
    "normalize_text",
    "school_id_ok",
    "school_id_type",
    "sql_credit_code_ok",
    "sql_id_birth_year",
    "sql_id_gender",
    "sql_id_number_ok",
    "sql_normalize",
    "sql_school_id_ok",
    "sql_xueji_ok",
    "to_halfwidth",
    "xueji_ok",
]

# --------------------------------------------------------------------------------------------
# Text normalization
# --------------------------------------------------------------------------------------------

#: Full-width ASCII U+FF01..U+FF5E, ideographic space U+3000 and NBSP U+00A0 ...
HALFWIDTH_FROM = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
#: ... map to ASCII U+0021..U+007E and plain spaces (same length, position by position).
HALFWIDTH_TO = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "

_HALFWIDTH_TABLE = str.maketrans(HALFWIDTH_FROM, HALFWIDTH_TO)
# Stripped at both ends. An explicit set (not str.strip()'s Unicode notion of whitespace) so the
# Python and SQL versions agree exactly.
_STRIP_CHARS = " \t\n\r\v\f"


def _sql_str(s: str) -> str:
    """Quote `s` as a SQL string literal (single quotes doubled)."""
    return "'" + s.replace("'", "''") + "'"


def to_halfwidth(s: str) -> str:
    """Translate full-width ASCII and ideographic/no-break spaces to half-width ASCII."""
    return s.translate(_HALFWIDTH_TABLE)


def normalize_text(s: str | None) -> str | None:
    """Half-width + trim spaces/tabs/CR/LF; empty result → None."""
    if s is None:
        return None
    out = to_halfwidth(s).strip(_STRIP_CHARS)
    return out or None


def sql_normalize(col: str) -> str:
    """DuckDB twin of `normalize_text`: ``nullif(trim(translate(col, FROM, TO), ws), '')``."""
    ws = " || ".join(f"chr({ord(c)})" for c in _STRIP_CHARS)
    return (
        f"nullif(trim(translate(({col}), {_sql_str(HALFWIDTH_FROM)}, {_sql_str(HALFWIDTH_TO)}), "
        f"{ws}), '')"
    )


# --------------------------------------------------------------------------------------------
# 学校标识码: AABBCCCCCC (AA type, BB province, 6-digit sequence; no check digit)
# --------------------------------------------------------------------------------------------

#: Common AA type codes of 学校标识码 (not exhaustive; the validator does not restrict AA).
SCHOOL_TYPE_CODES = {
    "11": "幼儿园",
    "21": "小学",
    "31": "普通初中",
    "34": "普通高中",
    "36": "中职",
    "51": "特殊教育",
}
_SICHUAN = "51"
_SCHOOL_ID_PATTERN = f"[0-9]{{2}}{_SICHUAN}[0-9]{{6}}"
_SCHOOL_ID_RE = re.compile(_SCHOOL_ID_PATTERN)


def school_id_ok(s: object) -> bool:
    """学校标识码: 10 ASCII digits with province code BB = 51 (四川)."""
    return isinstance(s, str) and _SCHOOL_ID_RE.fullmatch(s) is not None


def school_id_type(s: str) -> str:
    """The AA type code of a valid 学校标识码 (see `SCHOOL_TYPE_CODES`); ValueError if invalid."""
    if not school_id_ok(s):
        raise ValueError(f"invalid 学校标识码: {s!r}")
    return s[:2]


def sql_school_id_ok(col: str) -> str:
    """DuckDB twin of `school_id_ok`."""
    return f"coalesce(regexp_full_match(({col}), '{_SCHOOL_ID_PATTERN}'), false)"


# --------------------------------------------------------------------------------------------
# 居民身份证号 (GB 11643-1999): area(6) + YYYYMMDD + seq(3, odd = male) + check char
# --------------------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: Check character indexed by S mod 11 (GB 11643).
ID_CHECK_CHARS = "10X98765432"
#: Accepted birth-date range (inclusive) for ID numbers and L-type 学籍号.
BIRTH_MIN = dt.date(1900, 1, 1)
BIRTH_MAX = dt.date(2030, 12, 31)

_ID_PATTERN = "[0-9]{17}[0-9X]"
_ID_RE = re.compile(_ID_PATTERN)
_DIGITS17_RE = re.compile("[0-9]{17}")


def id_check_char(first17: str) -> str:
    """GB 11643 check character: "10X98765432"[Σ dᵢ·Wᵢ mod 11] over the first 17 digits."""
    if not isinstance(first17, str) or _DIGITS17_RE.fullmatch(first17) is None:
        raise ValueError(f"need 17 ASCII digits: {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _yyyymmdd(s: str) -> dt.date | None:
    """Parse 8 ASCII digits as a calendar date within [BIRTH_MIN, BIRTH_MAX], else None."""
    try:
        d = dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None
    return d if BIRTH_MIN <= d <= BIRTH_MAX else None


def id_number_ok(s: object) -> bool:
    """居民身份证号 (GB 11643): 17 digits + check [0-9X] (uppercase only), valid birth date
    1900-01-01..2030-12-31, and a matching check character."""
    if not isinstance(s, str) or _ID_RE.fullmatch(s) is None:
        return False
    return _yyyymmdd(s[6:14]) is not None and id_check_char(s[:17]) == s[17]


def id_birth_date(s: str) -> dt.date:
    """Birth date (digits 7–14) of a valid ID number; ValueError if invalid."""
    if not id_number_ok(s):
        raise ValueError(f"invalid 居民身份证号: {s!r}")
    return dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def id_gender(s: str) -> str:
    """'男' if the 17th digit is odd, '女' if even (GB 11643); ValueError if invalid."""
    if not id_number_ok(s):
        raise ValueError(f"invalid 居民身份证号: {s!r}")
    return "男" if int(s[16]) % 2 else "女"


def _sql_date8_ok(expr: str) -> str:
    """SQL: 8 digits in `expr` form a calendar date in [BIRTH_MIN, BIRTH_MAX] (never NULL)."""
    return (
        f"coalesce(CAST(try_strptime({expr}, '%Y%m%d') AS DATE) "
        f"BETWEEN DATE '{BIRTH_MIN.isoformat()}' AND DATE '{BIRTH_MAX.isoformat()}', false)"
    )


def sql_id_number_ok(col: str) -> str:
    """DuckDB twin of `id_number_ok` (regexp, try_strptime date, check char from 17 terms)."""
    c = f"({col})"
    total = " + ".join(
        f"(ascii(substr({c}, {i}, 1)) - 48) * {w}" for i, w in enumerate(ID_WEIGHTS, start=1)
    )
    return (
        f"(CASE WHEN regexp_full_match({c}, '{_ID_PATTERN}') THEN "
        f"{_sql_date8_ok(f'substr({c}, 7, 8)')} AND "
        f"substr('{ID_CHECK_CHARS}', (({total}) % 11) + 1, 1) = substr({c}, 18, 1) "
        f"ELSE false END)"
    )


def sql_id_birth_year(col: str) -> str:
    """DuckDB: birth year (INTEGER) of a valid ID number, NULL if invalid."""
    c = f"({col})"
    return f"(CASE WHEN {sql_id_number_ok(c)} THEN CAST(substr({c}, 7, 4) AS INTEGER) END)"


def sql_id_gender(col: str) -> str:
    """DuckDB twin of `id_gender`: '男'/'女' for a valid ID number, NULL if invalid."""
    c = f"({col})"
    return (
        f"(CASE WHEN {sql_id_number_ok(c)} THEN "
        f"CASE WHEN (ascii(substr({c}, 17, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END END)"
    )


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015): 17 chars + check char, alphabet of 31 (no I O S V Z)
# --------------------------------------------------------------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: Leading two characters: 事业单位 (public schools) / 民办非企业单位 (民办 schools) / 企业.
CREDIT_PREFIX_PUBLIC_SCHOOL = "12"
CREDIT_PREFIX_MINBAN_SCHOOL = "52"
CREDIT_PREFIX_COMPANY = "91"

_CREDIT_CLASS = "[0-9A-HJ-NPQRTUW-Y]"
_CREDIT_PATTERN = f"{_CREDIT_CLASS}{{18}}"
_CREDIT_RE = re.compile(_CREDIT_PATTERN)
_CREDIT17_RE = re.compile(f"{_CREDIT_CLASS}{{17}}")
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}


def credit_check_char(first17: str) -> str:
    """GB 32100 check char: C18 = 31 − (Σ value(cᵢ)·Wᵢ mod 31), 31 → 0, as an alphabet char."""
    if not isinstance(first17, str) or _CREDIT17_RE.fullmatch(first17) is None:
        raise ValueError(f"need 17 characters from {CREDIT_ALPHABET}: {first17!r}")
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_ok(s: object) -> bool:
    """统一社会信用代码 (GB 32100): 18 chars from the 31-char alphabet with a matching check."""
    if not isinstance(s, str) or _CREDIT_RE.fullmatch(s) is None:
        return False
    return credit_check_char(s[:17]) == s[17]


def sql_credit_code_ok(col: str) -> str:
    """DuckDB twin of `credit_code_ok` (value(c) = strpos(alphabet, c) − 1)."""
    c = f"({col})"
    alpha = f"'{CREDIT_ALPHABET}'"
    total = " + ".join(
        f"(strpos({alpha}, substr({c}, {i}, 1)) - 1) * {w}"
        for i, w in enumerate(CREDIT_WEIGHTS, start=1)
    )
    return (
        f"(CASE WHEN regexp_full_match({c}, '{_CREDIT_PATTERN}') THEN "
        f"substr({alpha}, ((31 - ({total}) % 31) % 31) + 1, 1) = substr({c}, 18, 1) "
        f"ELSE false END)"
    )


# --------------------------------------------------------------------------------------------
# 学籍号 (全国中小学生学籍信息管理): G + ID number | J + 18 digits | L + area(6) + YYYYMMDD + 4 digits
# --------------------------------------------------------------------------------------------

_XUEJI_J_RE = re.compile("J[0-9]{18}")
_XUEJI_L_RE = re.compile("L[0-9]{18}")


def xueji_ok(s: object) -> bool:
    """学籍号: "G" + valid ID number; "J" + 18 digits; "L" + 6-digit area + valid YYYYMMDD
    (1900..2030) + 4 digits. Only G carries a check character (that of the ID number)."""
    if not isinstance(s, str) or not s:
        return False
    kind = s[0]
    if kind == "G":
        return id_number_ok(s[1:])
    if kind == "J":
        return _XUEJI_J_RE.fullmatch(s) is not None
    if kind == "L":
        return _XUEJI_L_RE.fullmatch(s) is not None and _yyyymmdd(s[7:15]) is not None
    return False


def sql_xueji_ok(col: str) -> str:
    """DuckDB twin of `xueji_ok`."""
    c = f"({col})"
    return (
        f"(CASE substr({c}, 1, 1) "
        f"WHEN 'G' THEN {sql_id_number_ok(f'substr({c}, 2)')} "
        f"WHEN 'J' THEN regexp_full_match({c}, 'J[0-9]{{18}}') "
        f"WHEN 'L' THEN regexp_full_match({c}, 'L[0-9]{{18}}') "
        f"AND {_sql_date8_ok(f'substr({c}, 8, 8)')} "
        f"ELSE false END)"
    )


# --------------------------------------------------------------------------------------------
# Generators (synthetic data)
# --------------------------------------------------------------------------------------------

# Generators work on UCS-4 code-point matrices: a contiguous numpy ``<U{w}`` array *is* an
# (n, w) uint32 matrix, so strings go in and out as zero-copy views. Digits and their weighted
# check sums come from small lookup tables (gathers), not per-row Python or per-digit division.
_ID_CHECK_CODES = np.array([ord(c) for c in ID_CHECK_CHARS], dtype=np.uint32)
_ID_W = np.array(ID_WEIGHTS, dtype=np.int32)
_CREDIT_CODES = np.array([ord(c) for c in CREDIT_ALPHABET], dtype=np.uint32)
_CREDIT_W = np.array(CREDIT_WEIGHTS, dtype=np.int32)
_CREDIT_LUT = np.full(128, -1, dtype=np.int8)  # ASCII code point → value, -1 if not allowed
_CREDIT_LUT[_CREDIT_CODES] = np.arange(len(CREDIT_ALPHABET), dtype=np.int8)


def _as_codepoints(strings: np.ndarray) -> np.ndarray:
    """Equal-length ``<U{w}`` strings → (n, w) uint32 code-point matrix (a view)."""
    w = strings.dtype.itemsize // 4
    return np.ascontiguousarray(strings).view(np.uint32).reshape(-1, w)


# 000..999 as code points, and their weighted digit sums for ID positions 1-3, 4-6 and 15-17.
_DIG3 = _as_codepoints(np.char.zfill(np.arange(1000).astype("<U3"), 3))
_DIG3_VAL = _DIG3.astype(np.int32) - 48
_SUM_1_3, _SUM_4_6, _SUM_15_17 = (_DIG3_VAL @ _ID_W[i : i + 3] for i in (0, 3, 14))
# Every birth date BIRTH_MIN..BIRTH_MAX as YYYYMMDD code points, and its weighted sum (pos. 7-14).
_DAY0 = np.datetime64(BIRTH_MIN, "D")
_DATE8 = np.ascontiguousarray(
    _as_codepoints(np.datetime_as_string(np.arange(_DAY0, np.datetime64(BIRTH_MAX) + 1)))[
        :, [0, 1, 2, 3, 5, 6, 8, 9]
    ]
)
_SUM_7_14 = (_DATE8.astype(np.int32) - 48) @ _ID_W[6:14]


def _codepoints(arr: np.ndarray, width: int, what: str) -> np.ndarray:
    """1-D array of strings, each exactly `width` chars → (n, width) uint32 code-point matrix."""
    arr = np.asarray(arr)
    if arr.dtype.kind != "U":
        arr = arr.astype(str)
    if arr.size and np.any(np.strings.str_len(arr) != width):
        raise ValueError(f"{what}: every value must be {width} characters long")
    return _as_codepoints(arr.astype(f"<U{width}", copy=False))


def make_id_numbers(
    area_codes: np.ndarray, birth_dates: np.ndarray, seqs: np.ndarray
) -> np.ndarray:
    """Vectorized GB 11643 ID numbers (numpy ``<U18`` array, broadcast shape of the inputs).

    area_codes: 6-digit codes (str or int); birth_dates: datetime64[D] within 1900..2030;
    seqs: the 3-digit sequence 0..999 (odd → male, even → female: the caller sets parity).
    """
    a, d, q = np.broadcast_arrays(
        np.asarray(area_codes), np.asarray(birth_dates, dtype="datetime64[D]"), np.asarray(seqs)
    )
    shape = a.shape
    a, d, q = a.ravel(), d.ravel(), q.ravel()
    day = (d - _DAY0).astype(np.int64)
    if np.any(np.isnat(d)) or np.any((day < 0) | (day >= len(_DATE8))):
        raise ValueError(f"birth dates must be within {BIRTH_MIN}..{BIRTH_MAX}")
    if q.dtype.kind not in "iu" or np.any((q < 0) | (q > 999)):
        raise ValueError("sequence numbers must be integers in 0..999")

    out = np.empty((d.size, 18), dtype=np.uint32)
    if a.dtype.kind in "iu":
        if np.any((a < 0) | (a > 999_999)):
            raise ValueError("area codes must be in 0..999999")
        hi, lo = np.divmod(a, 1000)
        out[:, 0:3], out[:, 3:6] = _DIG3[hi], _DIG3[lo]
        total = _SUM_1_3[hi] + _SUM_4_6[lo]
    else:
        cp = _codepoints(a, 6, "area codes")
        if np.any((cp < 48) | (cp > 57)):
            raise ValueError("area codes must be 6 ASCII digits")
        out[:, 0:6] = cp
        total = (cp.astype(np.int32) - 48) @ _ID_W[:6]
    out[:, 6:14] = _DATE8[day]
    out[:, 14:17] = _DIG3[q]
    total += _SUM_7_14[day] + _SUM_15_17[q]
    out[:, 17] = _ID_CHECK_CODES[total % 11]
    return out.view("<U18").reshape(shape)


def make_id_number(area: str | int, date: dt.date, seq: int) -> str:
    """One GB 11643 ID number from area code, birth date and 3-digit sequence (scalar version)."""
    area_s = f"{area:06d}" if isinstance(area, int) else str(area)
    if not re.fullmatch("[0-9]{6}", area_s):
        raise ValueError(f"area code must be 6 digits: {area!r}")
    if not BIRTH_MIN <= date <= BIRTH_MAX:
        raise ValueError(f"birth date outside {BIRTH_MIN}..{BIRTH_MAX}: {date}")
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence must be in 0..999: {seq}")
    first17 = f"{area_s}{date:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def make_credit_codes(prefixes: np.ndarray) -> np.ndarray:
    """Vectorized GB 32100 credit codes: append the check char to 17-char prefixes (``<U18``)."""
    p = np.asarray(prefixes)
    shape = p.shape
    cp = _codepoints(p.ravel(), 17, "credit code prefixes")
    if np.any(cp > 127):
        raise ValueError(f"credit code prefixes must use only {CREDIT_ALPHABET}")
    vals = _CREDIT_LUT[cp]
    if np.any(vals < 0):
        raise ValueError(f"credit code prefixes must use only {CREDIT_ALPHABET}")
    total = vals @ _CREDIT_W  # int8 @ int32 → int32
    out = np.empty((cp.shape[0], 18), dtype=np.uint32)
    out[:, :17] = cp
    out[:, 17] = _CREDIT_CODES[(31 - total % 31) % 31]
    return out.view("<U18").reshape(shape)


def make_credit_code(first17: str) -> str:
    """One GB 32100 credit code: `first17` + its check character (scalar version)."""
    return first17 + credit_check_char(first17)


def corrupt_check_char(s: str, shift: int = 1) -> str:
    """Return `s` with a well-formed but wrong check character (for injecting bad data).

    Works on ID numbers (check from "0123456789X"), G-type 学籍号 (the embedded ID number) and
    credit codes (check from the 31-char alphabet). `shift` (≥ 1) picks which wrong character.
    An 18-digit string that passes as a credit code but not as an ID number is treated as a
    credit code; otherwise as an ID number. ValueError if `s` has no check character.
    """
    if shift < 1:
        raise ValueError("shift must be >= 1")
    if isinstance(s, str) and len(s) == 19 and s[0] == "G":
        return "G" + corrupt_check_char(s[1:], shift)
    if not isinstance(s, str) or len(s) != 18:
        raise ValueError(f"no check character to corrupt in {s!r}")
    first17 = s[:17]
    if _ID_RE.fullmatch(s) and not (credit_code_ok(s) and not id_number_ok(s)):
        right, alphabet = id_check_char(first17), "0123456789X"
    elif _CREDIT_RE.fullmatch(s):
        right, alphabet = credit_check_char(first17), CREDIT_ALPHABET
    else:
        raise ValueError(f"not a well-formed ID number or credit code: {s!r}")
    wrong = [ch for ch in alphabet if ch != right]
    return first17 + wrong[(shift - 1) % len(wrong)]


# --------------------------------------------------------------------------- vectorized (Arrow)
# Validating millions of identifiers in SQL costs seconds of CPU (17 substr() per value); these
# numpy twins gather the bytes of each value straight from the Arrow buffers and validate a whole
# column at once. They agree with the Python validators (tests/unit/test_standards_np.py).

_ID_W = np.array(ID_WEIGHTS, dtype=np.int64)
_ID_CHECK = np.frombuffer(ID_CHECK_CHARS.encode(), dtype=np.uint8)
_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _gather(arr, start: int, width: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(mask of values whose UTF-8 length is `length`, bytes[start:start+width] of those)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    lens = np.diff(offs)
    mask = lens == length
    if arr.null_count:
        mask &= arr.is_valid().to_numpy(zero_copy_only=False)  # np.asarray: 50× slower
    k = int(mask.sum())
    if not k:
        return mask, np.zeros((0, width), np.uint8)
    if k < n:  # keep the values of this length: packed back to back, one row each
        arr = arr.filter(pa.array(mask))
        offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + k + 1]
        data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    return mask, data[offs[0] : offs[0] + k * length].reshape(k, length)[:, start : start + width]


def _np_date8_ok(d: np.ndarray) -> np.ndarray:
    """d: (k, 8) digit values YYYYMMDD → valid calendar date in BIRTH_MIN..BIRTH_MAX."""
    d = d.astype(np.int32)
    y = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    mo = d[:, 4] * 10 + d[:, 5]
    dd = d[:, 6] * 10 + d[:, 7]
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mdays = _DAYS[np.clip(mo - 1, 0, 11)] + ((mo == 2) & leap)
    return (
        (y >= BIRTH_MIN.year)
        & (y <= BIRTH_MAX.year)
        & (mo >= 1)
        & (mo <= 12)
        & (dd >= 1)
        & (dd <= mdays)
    )


_ID_W16 = [np.uint16(w) for w in ID_WEIGHTS]  # weighted sums ≤ 9 × 10 × 17 fit in uint16


def _np_id_weighted_sum(d: np.ndarray) -> np.ndarray:
    """Σ digit × weight over the first 17 columns of d (k, ≥ 17), in uint16, one column at a
    time. Not a float matmul: BLAS threads, started beside the reader's own pool, spun for
    0.6 s of the 3.7 s the students' land took at scale 1, to compute 23 ms of sums."""
    acc = d[:, 0] * _ID_W16[0]
    for j in range(1, 17):
        acc += d[:, j] * _ID_W16[j]
    return acc


def _np_digits(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """m: (k, w) bytes → (digit values 0..9 as uint8, clipped; whether each byte is a digit)."""
    d = m - np.uint8(48)  # bytes below '0' wrap to large values
    return np.minimum(d, np.uint8(9)), d <= 9


def _np_id_parts(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """m: (k, 18) bytes of candidate ID numbers → (valid apart from the birth date, digit
    values, whether each byte is a digit). The digits serve the date check, which 学籍号 of
    kind L shares."""
    d, is_digit = _np_digits(m)
    last = m[:, 17]
    last_ok = is_digit[:, 17] | (last == ord("X"))
    check = _ID_CHECK[_np_id_weighted_sum(d) % 11]
    return is_digit[:, :17].all(axis=1) & last_ok & (check == last), d, is_digit


def np_id_number_ok(arr) -> np.ndarray:
    """Vectorized `id_number_ok` over an Arrow string array (nulls → False)."""
    mask, m = _gather(arr, 0, 18, 18)
    out = np.zeros(len(mask), dtype=bool)
    if len(m):
        ok, d, _ = _np_id_parts(m)
        out[mask] = ok & _np_date8_ok(d[:, 6:14])
    return out


def np_xueji_ok(arr) -> np.ndarray:
    """Vectorized `xueji_ok` over an Arrow string array (nulls → False).

    Each value of 19 characters is checked once as all three kinds (G + an ID number, J + 18
    digits, L + area + birth date + 4 digits; the ID's and L's birth dates sit at the same
    place) and keeps the result of its own kind: no per-kind copies of the bytes."""
    mask, m = _gather(arr, 0, 19, 19)
    out = np.zeros(len(mask), dtype=bool)
    if len(m):
        kind = m[:, 0]
        id_ok, d, is_digit = _np_id_parts(m[:, 1:])
        all_digits = is_digit.all(axis=1)
        date_ok = _np_date8_ok(d[:, 6:14])
        out[mask] = (
            ((kind == ord("G")) & id_ok & date_ok)
            | ((kind == ord("J")) & all_digits)
            | ((kind == ord("L")) & all_digits & date_ok)
        )
    return out

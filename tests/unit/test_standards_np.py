"""The vectorized (Arrow/numpy) validators agree with the Python ones."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from etl import standards as S


def _cases() -> list:
    rng = np.random.default_rng(3)
    n = 3000
    dates = np.datetime64("1950-01-01") + rng.integers(0, 70 * 365, n).astype("timedelta64[D]")
    ids = list(S.make_id_numbers(np.full(n, "510104"), dates, rng.integers(0, 1000, n)))
    bad = [S.corrupt_check_char(x) for x in ids[:500]]
    weird = [
        "11010519491231002X", "510104201001010019", "51010420100230001X", "5101042010010100",
        "5101042010010100199", "51010420100101001x", "a10104201001010019", "", "１１０１",
        "110105194912310021", "510104190002290015", "510104200002290019", "510104203101010015",
    ]  # fmt: skip
    mutated = []
    for x in ids[500:1500]:
        i = int(rng.integers(0, 18))
        mutated.append(x[:i] + str(int(rng.integers(0, 10))) + x[i + 1 :])
    return ids + bad + weird + mutated + [None]


@pytest.mark.parametrize("chunked", [False, True])
def test_np_id_numbers_agree_with_python(chunked):
    values = _cases()
    arr = pa.array(values, type=pa.string())
    if chunked:
        arr = pa.chunked_array([arr.slice(0, 100), arr.slice(100)])
    got = S.np_id_number_ok(arr)
    want = np.array([S.id_number_ok(v) for v in values])
    assert (got == want).all(), [v for v, g, w in zip(values, got, want) if g != w][:5]
    assert want.sum() > 1000 and (~want).sum() > 500


def test_np_xueji_agrees_with_python():
    ids = [v for v in _cases() if v]
    values = (
        ["G" + v for v in ids]
        + ["J" + v.replace("X", "1") for v in ids[:300]]
        + ["L510104" + d + "0123" for d in ("20100101", "20100230", "19991231", "20311301")]
        + ["X" + ids[0], "G", "J12345", "L5101042010010101234", None, "G" + ids[0] + "0"]
    )
    arr = pa.array(values, type=pa.string())
    got = S.np_xueji_ok(arr)
    want = np.array([S.xueji_ok(v) for v in values])
    assert (got == want).all(), [v for v, g, w in zip(values, got, want) if g != w][:5]


def test_sliced_arrays_respect_their_offset():
    arr = pa.array(["x", "510104201001010019", "11010519491231002X", "bad"]).slice(1, 2)
    assert S.np_id_number_ok(arr).tolist() == [True, True]


def test_dates_in_ids_respect_leap_years():
    ok = S.make_id_number("510104", dt.date(2000, 2, 29), 1)
    assert S.np_id_number_ok(pa.array([ok])).tolist() == [True]

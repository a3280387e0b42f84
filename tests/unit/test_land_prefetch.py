"""The build reads the next block of an export in a background thread (etl.engine._prefetch)."""

from __future__ import annotations

import threading

import pytest

from etl.engine import _prefetch


def _threads() -> int:
    return sum(t.name == "land-prefetch" for t in threading.enumerate())


def test_every_item_arrives_in_order():
    assert list(_prefetch(iter(range(1000)))) == list(range(1000))
    assert _threads() == 0


def test_an_error_while_reading_reaches_the_build():
    def items():
        yield 1
        raise ValueError("teachers.csv: bad block")

    got = []
    with pytest.raises(ValueError, match="teachers.csv"):
        for x in _prefetch(items()):
            got.append(x)
    assert got == [1]
    assert _threads() == 0


def test_stopping_early_stops_the_reader():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    for x in _prefetch(items(), depth=2):
        if x == 3:
            break
    assert _threads() == 0
    assert len(produced) < 10  # it did not read the rest of the file

"""The build reads the next block of an export in a background thread (etl.engine._prefetch)
and prepares blocks in a pool of threads, written in file order (etl.engine._ordered_map)."""

from __future__ import annotations

import threading
import time

import pytest

from etl.engine import _ordered_map, _prefetch


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


def _pool_threads() -> int:
    return sum(t.name.startswith("land-prepare") for t in threading.enumerate())


def test_prepared_blocks_come_in_file_order_whatever_finishes_first():
    def slow_for_even(i):
        time.sleep(0.002 if i % 2 == 0 else 0)  # the even blocks finish after the odd ones
        return i * 10

    assert list(_ordered_map(slow_for_even, iter(range(200)))) == [i * 10 for i in range(200)]
    assert _pool_threads() == 0


def test_an_error_while_preparing_reaches_the_build_and_stops_the_pool():
    def prepare(i):
        if i == 5:
            raise ValueError("students.csv: block 5")
        return i

    got = []
    with pytest.raises(ValueError, match="block 5"):
        for x in _ordered_map(prepare, iter(range(1000)), depth=3):
            got.append(x)
    assert got == [0, 1, 2, 3, 4]
    assert _pool_threads() == 0


def test_stopping_early_prepares_only_what_was_in_flight():
    done = []

    def prepare(i):
        done.append(i)
        return i

    for x in _ordered_map(prepare, iter(range(10_000)), depth=4):
        if x == 3:
            break
    assert _pool_threads() == 0
    assert len(done) < 12

"""Tables made one ahead in a helper thread: in order, errors where they belong, the thread always joined."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sims.data.ahead import made_ahead

pytestmark = pytest.mark.timeout(30)
SAFETY_S = 10.0  # a safety net: each wait below ends as soon as what it waits for happens


def _helpers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tables made ahead"]


def test_items_come_in_order_and_the_next_is_made_while_the_caller_holds_one() -> None:
    started = [threading.Event() for _ in range(4)]

    def items() -> Iterator[int]:
        for i in range(4):
            started[i].set()
            yield i

    got = []
    for item in made_ahead(items()):
        if item < 3:
            assert started[item + 1].wait(SAFETY_S), "the next item is made while this one is used"
        got.append(item)
    assert got == [0, 1, 2, 3] and not _helpers()


def test_no_more_than_depth_items_wait_made() -> None:
    made = []

    def items() -> Iterator[int]:
        for i in range(10):
            made.append(i)
            yield i

    ahead = made_ahead(items(), depth=2)
    assert next(ahead) == 0
    assert next(ahead) == 1
    ahead.close()
    assert len(made) <= 4 and not _helpers()  # 2 taken, at most 2 more made


def test_an_error_in_making_an_item_reaches_the_caller_in_its_place() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("chunk 2 is broken")

    got = []
    with pytest.raises(ValueError, match="chunk 2 is broken"):
        for item in made_ahead(items()):
            got.append(item)
    assert got == [1] and not _helpers()


def test_a_caller_that_stops_early_ends_the_helper_and_closes_the_source() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    with pytest.raises(RuntimeError, match="the disk is full"):
        for item in made_ahead(items()):
            if item == 2:
                raise RuntimeError("the disk is full")
    assert closed.is_set() and not _helpers()

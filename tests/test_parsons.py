"""Parsons puzzles: shuffled pieces, edits that keep the answer well-formed, and its source."""

from __future__ import annotations

import ast

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sims.levels.parsons import MAX_INDENT, Arrangement, ParsonsPuzzle

PRODUCER = ParsonsPuzzle(
    header="def run(self, me):",
    reference=(
        "while me.running():\n"
        "    item = me.make()\n"
        "    empty.acquire()\n"
        "    with mutex:\n"
        "        me.put(item)\n"
        "    full.release()\n"
    ),
    distractors=("with mutex:", "full.acquire()"),
)


def test_the_pieces_are_every_line_and_every_distractor_shuffled_by_the_seed() -> None:
    pieces = PRODUCER.pieces(seed=3)
    assert sorted(p.text for p in pieces) == sorted(
        ["while me.running():", "item = me.make()", "empty.acquire()", "with mutex:", "me.put(item)",
         "full.release()", "with mutex:", "full.acquire()"]
    )
    assert sum(p.distractor for p in pieces) == 2
    assert PRODUCER.pieces(seed=3) == pieces
    assert any(PRODUCER.pieces(seed) != pieces for seed in range(4, 10))


def test_the_solved_arrangement_is_the_reference() -> None:
    source = PRODUCER.solved(seed=7).source()
    assert source == "def run(self, me):\n" + "".join("    " + line + "\n" for line in PRODUCER.reference.splitlines())
    ast.parse(source)


def test_an_empty_answer_is_still_python() -> None:
    assert Arrangement.empty(PRODUCER, 0).source() == "def run(self, me):\n    pass\n"


def test_a_distractor_placed_becomes_part_of_the_code() -> None:
    answer = PRODUCER.solved(seed=1)
    distractor = next(i for i in answer.unused() if answer.pieces[i].text == "with mutex:")
    wrong = answer.insert(distractor, at=2, indent=1)  # with mutex: before empty.acquire(): the classic trap
    assert wrong.source().splitlines()[3] == "        with mutex:"
    assert distractor not in wrong.unused()


def test_a_piece_is_placed_once() -> None:
    answer = Arrangement.empty(PRODUCER, 0).insert(0, at=0)
    with pytest.raises(ValueError, match="piece 0 is not free"):
        answer.insert(0, at=1)


def test_a_new_line_takes_the_deepest_indent_its_place_allows() -> None:
    answer = Arrangement.empty(PRODUCER, 0).insert(0, 0).indent(0, 2)
    assert answer.insert(1, 1).placed[1].indent == 3
    assert answer.insert(1, 1, indent=1).placed[1].indent == 1
    assert answer.insert(1, 0).placed[0].indent == 0


edits = st.lists(
    st.tuples(st.sampled_from(["insert", "remove", "move", "indent"]), st.integers(-3, 10), st.integers(-3, 3)),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 50), steps=edits)
@example(seed=0, steps=[("insert", 0, 0)] * 3 + [("indent", 2, 3)] * 2 + [("insert", 3, 0)])  # past MAX_INDENT
def test_any_sequence_of_edits_keeps_the_answer_well_formed(seed: int, steps: list[tuple[str, int, int]]) -> None:
    answer = Arrangement.empty(PRODUCER, seed)
    for verb, at, by in steps:
        try:
            if verb == "insert":
                free = answer.unused()
                answer = answer.insert(free[at % len(free)], at) if free else answer
            elif verb == "remove":
                answer = answer.remove(at)
            elif verb == "move":
                answer = answer.move(at, by)
            else:
                answer = answer.indent(at, by)
        except IndexError:
            assert not 0 <= at < len(answer.placed)
    used = [p.piece for p in answer.placed]
    assert len(used) == len(set(used))
    assert set(used) | set(answer.unused()) == set(range(len(answer.pieces)))
    assert all(0 <= p.indent <= MAX_INDENT for p in answer.placed)
    assert answer.source().count("\n") == max(1, len(answer.placed)) + 1


def test_a_reference_indented_by_anything_but_four_spaces_is_refused() -> None:
    with pytest.raises(ValueError, match="multiples of four spaces"):
        ParsonsPuzzle("def run(self, me):", "while True:\n  me.step('x')\n").pieces(0)

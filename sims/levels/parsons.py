"""Parsons puzzles: the body of ``run`` given as shuffled lines (with distractors) to put in order.

For players without an editor. The arrangement the player builds, an order of pieces each at an
indent, becomes plain Python source (:meth:`Arrangement.source`), graded exactly like a file the
player wrote: by running it, never by comparing it with the reference (another order that works
is as good). Every value here is frozen; each edit returns a new arrangement, so the window keeps
an undo history for free and a test can replay any sequence of edits.
"""

from __future__ import annotations

import random

import attrs

INDENT = "    "
MAX_INDENT = 6  # nesting deeper than any puzzle's reference needs


def _body_lines(text: str) -> tuple[str, ...]:
    """The reference's non-blank lines, each with its indentation (4 spaces a level)."""
    lines = tuple(line.rstrip() for line in text.splitlines() if line.strip())
    for line in lines:
        spaces = len(line) - len(line.lstrip(" "))
        if spaces % len(INDENT) or "\t" in line[: spaces + 1]:
            raise ValueError(f"reference line {line.strip()!r}: indent with multiples of four spaces, no tabs")
    return lines


def _indent_of(line: str) -> int:
    return (len(line) - len(line.lstrip(" "))) // len(INDENT)


@attrs.frozen
class Piece:
    """One line the player may place: its code without indentation."""

    text: str
    distractor: bool  # not in the reference (never shown to the player; for verification only)


@attrs.frozen
class ParsonsPuzzle:
    """A role's ``run`` body to rebuild: the reference lines (indented) and the distractors."""

    header: str  # e.g. "def run(self, me):"
    reference: str  # the body, one statement a line, indented by 4 spaces a level
    distractors: tuple[str, ...] = ()

    def pieces(self, seed: int) -> tuple[Piece, ...]:
        """Every line of the reference and every distractor, stripped, in a seeded shuffled order."""
        pieces = [Piece(line.strip(), False) for line in _body_lines(self.reference)]
        pieces += [Piece(text.strip(), True) for text in self.distractors]
        random.Random(seed).shuffle(pieces)
        return tuple(pieces)

    def solved(self, seed: int) -> Arrangement:
        """The reference as an arrangement of this seed's pieces (what ``levels verify`` grades)."""
        pieces = self.pieces(seed)
        unused = [i for i, piece in enumerate(pieces) if not piece.distractor]
        placed = []
        for line in _body_lines(self.reference):
            index = next(i for i in unused if pieces[i].text == line.strip())
            unused.remove(index)
            placed.append(Placed(index, _indent_of(line)))
        return Arrangement(pieces, tuple(placed), self.header)


@attrs.frozen
class Placed:
    """A piece in the player's answer, at an indent (0 = the body of ``run``)."""

    piece: int
    indent: int


@attrs.frozen
class Arrangement:
    """The player's answer so far: which pieces, in which order, how deep."""

    pieces: tuple[Piece, ...]
    placed: tuple[Placed, ...] = ()
    header: str = "def run(self, me):"

    @classmethod
    def empty(cls, puzzle: ParsonsPuzzle, seed: int) -> Arrangement:
        return cls(puzzle.pieces(seed), (), puzzle.header)

    # -- what the player sees --------------------------------------------------------------
    def unused(self) -> tuple[int, ...]:
        """Pieces not yet placed, in the puzzle's shuffled order."""
        taken = {p.piece for p in self.placed}
        return tuple(i for i in range(len(self.pieces)) if i not in taken)

    def line(self, at: int) -> str:
        placed = self.placed[at]
        return INDENT * placed.indent + self.pieces[placed.piece].text

    def source(self) -> str:
        """The answer as Python: the header, then each placed line one level deeper."""
        body = [INDENT + self.line(at) for at in range(len(self.placed))] or [INDENT + "pass"]
        return "\n".join([self.header, *body]) + "\n"

    # -- edits (each returns a new arrangement) -------------------------------------------
    def insert(self, piece: int, at: int, indent: int | None = None) -> Arrangement:
        """Place an unused ``piece`` before position ``at`` (the end if past it)."""
        if piece not in self.unused():
            raise ValueError(f"piece {piece} is not free to place")
        at = max(0, min(at, len(self.placed)))
        deepest = min(self.placed[at - 1].indent + 1 if at else 0, MAX_INDENT)
        depth = deepest if indent is None else max(0, min(indent, deepest))
        placed = (*self.placed[:at], Placed(piece, depth), *self.placed[at:])
        return attrs.evolve(self, placed=placed)

    def remove(self, at: int) -> Arrangement:
        """Send the line at ``at`` back to the unused pieces."""
        self._check(at)
        return attrs.evolve(self, placed=self.placed[:at] + self.placed[at + 1 :])

    def move(self, at: int, by: int) -> Arrangement:
        """Move the line at ``at`` up (``by`` < 0) or down, keeping its indent."""
        self._check(at)
        to = max(0, min(at + by, len(self.placed) - 1))
        placed = list(self.placed)
        placed.insert(to, placed.pop(at))
        return attrs.evolve(self, placed=tuple(placed))

    def indent(self, at: int, by: int) -> Arrangement:
        """Indent the line at ``at`` deeper (``by`` > 0) or shallower, within 0..MAX_INDENT."""
        self._check(at)
        old = self.placed[at]
        placed = list(self.placed)
        placed[at] = Placed(old.piece, max(0, min(old.indent + by, MAX_INDENT)))
        return attrs.evolve(self, placed=tuple(placed))

    def _check(self, at: int) -> None:
        if not 0 <= at < len(self.placed):
            raise IndexError(f"no line {at} in an answer of {len(self.placed)}")

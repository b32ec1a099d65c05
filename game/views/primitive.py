"""The one way every primitive is drawn: name, capacity, holders, waiters in arrival order.

The same widget draws the dining table's ``seats``, the kitchen's ``empty``/``full``/
``mutex`` and the pass; only its size changes. An RLock shows its level, a Condition its
lock's holder and who waits for a notify, a Barrier its parties (arrived ones named).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from game import palette
from game.i18n import Tr, english, term, thing
from game.text import TextCache
from sims import ResourceKind
from sims.live import ResourceStatistics
from sims.rounds import AgentInfo

ITEM_SHIFT = 32  # kitchen item ids: (cook + 1) << 32 | dish number
TOKEN = 18  # token diameter in pixels
MAX_TOKENS = 16


def short_name(info: AgentInfo) -> str:
    """``philosopher 3`` → ``P3``, ``cook 0`` → ``C0``: the label drawn on tokens."""
    number = info.name.rsplit(" ", 1)[-1]
    return f"{info.role[:1].upper()}{number if number.isdigit() else info.index}"


def item_label(item: int) -> str:
    """A kitchen item id as ``c<cook>#<dish>``; other ids as they are."""
    cook = (item >> ITEM_SHIFT) - 1
    return f"c{cook}#{item & 0xFFFFFFFF}" if cook >= 0 else str(item)


def state_word(tr: Tr, view: Any) -> str:
    """``STOPPED`` (SIGSTOP) or the agent's state, in ``tr``'s language."""
    if view.stopped:
        return tr("agent.stopped")
    return term(tr, "state", palette.STATE_WORDS.get(view.state, "?"))


def _headline(
    res: ResourceStatistics, taken: int | None, tr: Tr, lock_name: str = ""
) -> tuple[str, tuple[int, int, int]]:
    if res.orphaned:
        return tr("prim.orphaned"), palette.BAD
    if res.kind == ResourceKind.CONTAINER:
        return tr("prim.slots", items=len(res.items), capacity=res.capacity), palette.TEXT
    if res.kind == ResourceKind.EVENT:
        return tr("prim.set" if res.is_set else "prim.clear"), (palette.GOOD if res.is_set else palette.DIM)
    if res.kind in (ResourceKind.LOCK, ResourceKind.RLOCK, ResourceKind.CONDITION, ResourceKind.CHANNEL):
        held = palette.FORK_HELD if res.holders else palette.GOOD
        if res.kind == ResourceKind.CONDITION:
            return tr("prim.lock_held" if res.holders else "prim.lock_free", lock=lock_name), held
        if res.recursion > 1:
            return tr("prim.level", level=res.recursion), held
        if not res.holders and res.waiters:  # (a condition answered above)
            # released, and the next one's acquire is not in the picture yet: never "free"
            return tr("prim.handing"), palette.TOKEN_PENDING
        return tr("prim.held" if res.holders else "prim.free"), held
    if res.kind == ResourceKind.BARRIER:
        if res.broken:
            return tr("prim.broken"), palette.BAD
        return tr("prim.arrived", waiting=len(res.waiters), parties=res.capacity), palette.TEXT
    free, out = permits(res, taken)
    if free + out == res.capacity:
        text = tr("prim.taken", out=out, capacity=res.capacity)
    else:  # released by agents that never acquired it: more (or fewer) permits than it started with
        text = tr("prim.taken_odd", out=out, free=free, capacity=res.capacity)
    return text, (palette.TOKEN_PENDING if res.pending else palette.TEXT)


def lock_colour(res: ResourceStatistics) -> tuple[int, int, int]:
    """A lock's colour: held, free, or passing to a waiter (no holder yet, someone waits): never free then."""
    if res.orphaned:
        return palette.BAD
    if res.holders:
        return palette.FORK_HELD
    return palette.TOKEN_PENDING if res.waiters else palette.FORK_FREE


def permits(res: ResourceStatistics, taken: int | None) -> tuple[int, int]:
    """(free, taken) permits of a semaphore; ``taken`` None: count its holders.

    A semaphore released by agents that did not acquire it (the kitchen's ``full``) can
    have more free permits than its starting capacity.
    """
    out = len(res.holders) if taken is None else taken
    return max(res.capacity - out, 0), max(out, 0)


class PrimitiveWidget:
    """Draws a :class:`ResourceStatistics` into a rectangle (height: :meth:`height`)."""

    def __init__(
        self, text: TextCache, name_of: Callable[[int], str], resource_name: Callable[[int], str] = str
    ) -> None:
        self.text = text
        self.name_of = name_of
        self.resource_name = resource_name  # a condition's lock is named in its headline
        self.tr: Tr = english  # the player's language: set by the view that owns the widget

    @staticmethod
    def height() -> int:
        return 78

    def draw(
        self, surface: Any, rect: Any, res: ResourceStatistics, highlight: bool = False, taken: int | None = None
    ) -> None:
        """``taken``: permits out (acquisitions minus releases); None when the holders say it all.

        A semaphore used as a signal (the kitchen's ``empty``/``full``) is acquired by one
        agent and released by another: its permits are drawn taken but not named.
        """
        import pygame

        if res.kind in (ResourceKind.CONDITION, ResourceKind.BARRIER):
            taken = None  # nothing is acquired from them: their holders and waiters say it all
        edge = palette.BAD if (highlight or res.orphaned or res.broken) else palette.PANEL_EDGE
        pygame.draw.rect(surface, palette.PANEL, rect, border_radius=6)
        pygame.draw.rect(surface, edge, rect, width=2 if highlight else 1, border_radius=6)
        line, colour = _headline(res, taken, self.tr, self.resource_name(res.lock) if res.lock >= 0 else "")
        kind = self._kind(res, line, colour, rect.w)
        title = self.text.draw(surface, f"{kind} ", (rect.x + 8, rect.y + 5), 13, palette.DIM)
        name = self.text.draw(surface, thing(self.tr, res.name), (title.right, rect.y + 3), 15, palette.TEXT, bold=True)
        room = rect.right - 8 - name.right - 10
        self.text.draw(
            surface, self.text.fit(line, 13, room), (rect.right - 8, rect.y + 5), 13, colour, anchor="topright"
        )
        if res.pending:
            note = self.tr("prim.pending", pending=res.pending)
            self.text.draw(surface, note, (rect.right - 8, rect.y + 28), 12, palette.TOKEN_PENDING, anchor="topright")
        self._tokens(surface, rect.x + 8, rect.y + 26, rect.w - 16, res, taken)
        self._waiters(surface, rect, res)

    def _kind(self, res: ResourceStatistics, line: str, colour: tuple[int, int, int], width: int) -> str:
        """The kind's full name (信号量 Semaphore), or its short one when the headline would not fit."""
        full = term(self.tr, "kind", res.kind)
        text = self.text
        need = sum(
            (
                text.render(f"{full} ", 13, palette.DIM).get_width(),
                text.render(thing(self.tr, res.name), 15, palette.TEXT, bold=True).get_width(),
                text.render(line, 13, colour).get_width(),
            )
        )
        return full if need + 26 <= width else term(self.tr, "kind_short", res.kind)

    def _tokens(self, surface: Any, x: int, y: int, width: int, res: ResourceStatistics, taken: int | None) -> None:
        if res.kind == ResourceKind.CONTAINER:
            self._slots(surface, x, y, width, res)
            return
        if res.kind == ResourceKind.EVENT:
            return
        if res.kind == ResourceKind.BARRIER:
            self._party(surface, x, y, width, res)
            return
        held: list[int | None] = list(res.holders)
        free, out = permits(res, taken)
        if out != len(held):
            held = [None] * out  # taken by some, given back by others: nobody to name
        total = max(res.capacity, out + free, 1) if res.kind == ResourceKind.SEMAPHORE else 1
        shown = min(total, MAX_TOKENS, max(1, width // (TOKEN + 6)))
        for i in range(shown):
            cx = x + TOKEN // 2 + i * (TOKEN + 6)
            self._token(
                surface, (cx, y + TOKEN // 2), i < out, held[i] if i < out else None, pending=i >= total - res.pending
            )
        if shown < total:
            self.text.draw(surface, f"+{total - shown}", (x + shown * (TOKEN + 6), y + 1), 13, palette.DIM)

    def _token(self, surface: Any, centre: tuple[int, int], out: bool, holder: int | None, pending: bool) -> None:
        import pygame

        if out:
            colour = palette.TOKEN_PENDING if pending else palette.TOKEN_HELD
            pygame.draw.circle(surface, colour, centre, TOKEN // 2)
            if holder is not None:
                self.text.draw(surface, self.name_of(holder), centre, 11, (20, 20, 24), bold=True, anchor="center")
            return
        colour = palette.TOKEN_PENDING if pending else palette.TOKEN_FREE
        pygame.draw.circle(surface, colour, centre, TOKEN // 2, width=2)
        if pending:  # a permit the shrink will take back: crossed out
            r = TOKEN // 3
            pygame.draw.line(surface, colour, (centre[0] - r, centre[1] - r), (centre[0] + r, centre[1] + r), 2)

    def _party(self, surface: Any, x: int, y: int, width: int, res: ResourceStatistics) -> None:
        """One place per party, in arrival order: the arrived named, the rest still to come."""
        shown = min(max(res.capacity, 1), MAX_TOKENS, max(1, width // (TOKEN + 6)))
        for i in range(shown):
            cx = x + TOKEN // 2 + i * (TOKEN + 6)
            here = res.waiters[i] if i < len(res.waiters) else None
            self._token(surface, (cx, y + TOKEN // 2), here is not None, here, pending=res.broken)
        if shown < res.capacity:
            self.text.draw(surface, f"+{res.capacity - shown}", (x + shown * (TOKEN + 6), y + 1), 13, palette.DIM)

    def _slots(self, surface: Any, x: int, y: int, width: int, res: ResourceStatistics) -> None:
        import pygame

        slots = max(res.capacity, 1)
        w = max(28, min(64, (width - (slots - 1) * 4) // slots))
        items = list(res.items)
        for i in range(min(slots, width // (w + 4))):
            box = pygame.Rect(x + i * (w + 4), y - 2, w, TOKEN + 4)
            filled = i < len(items)
            pygame.draw.rect(surface, palette.ITEM if filled else palette.PANEL_EDGE, box, 0 if filled else 1, 4)
            if filled:
                label = self.text.fit(item_label(items[i]), 11, w - 2)
                self.text.draw(surface, label, box.center, 11, (20, 20, 24), bold=True, anchor="center")

    def _waiters(self, surface: Any, rect: Any, res: ResourceStatistics) -> None:
        notify = res.kind == ResourceKind.CONDITION
        if res.waiters:
            names = " → ".join(self.name_of(a) for a in res.waiters)
            line, colour = self.tr("prim.notify_wait" if notify else "prim.waiting", names=names), palette.WARN
        else:
            line, colour = self.tr("prim.nobody_notify" if notify else "prim.nobody"), palette.DIM
        self.text.draw(surface, self.text.fit(line, 13, rect.w - 16), (rect.x + 8, rect.bottom - 22), 13, colour)

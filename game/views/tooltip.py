"""What hovering an agent shows: its real identity and what it is doing now."""

from __future__ import annotations

from typing import Any

from game import palette
from game.i18n import Tr, count, english, term, thing, who
from game.session import RoundSession
from game.text import TextCache
from sims import Backend


def agent_lines(session: RoundSession, agent: int, tr: Tr = english) -> list[str]:
    """The tooltip's lines, all from the session's telemetry and the host's identities."""
    snap = session.snapshot()
    layout = session.layout
    if snap is None or layout is None:
        return []
    view = snap.agents[agent]
    lines = [tr("tip.name", name=who(tr, view.name), role=term(tr, "role", view.role)), _identity(session, agent, tr)]
    state = tr("tip.stopped") if view.stopped else term(tr, "state", palette.STATE_WORDS.get(view.state, "?"))
    if view.exit_code is not None:
        state = tr("tip.killed" if view.exit_code < 0 else "tip.exited", code=view.exit_code)
    done = count(tr, view.operations, _operation(layout.scenario))
    lines.append(tr("tip.state", state=state, count=done))
    lines.append(_wait(session, view, snap.t_ns, tr))
    held = ", ".join(thing(tr, layout.resources[r].name) for r in view.holding) or tr("tip.nothing")
    lines.append(tr("tip.holding", held=held))
    return lines


def _identity(session: RoundSession, agent: int, tr: Tr) -> str:
    ident = session.identity(agent)
    if ident is None:
        return tr("tip.no_identity")
    if ident.backend == Backend.PROCESS:
        return tr("tip.process", pid=ident.pid)
    return tr("tip.thread", native_id=ident.native_id, pid=ident.pid)


def _wait(session: RoundSession, view: Any, now_ns: int, tr: Tr) -> str:
    layout = session.layout
    assert layout is not None
    if view.waiting_on < 0:
        return tr("tip.not_waiting")
    name = thing(tr, layout.resources[view.waiting_on].name)
    waited = max(0, now_ns - view.wait_since_ns) / 1e6
    limit = tr("tip.forever") if view.wait_timeout_ns < 0 else tr("tip.up_to", ms=view.wait_timeout_ns / 1e6)
    return tr("tip.waiting", name=name, waited=waited, limit=limit)


def _operation(scenario: str) -> str:
    from sims.scenarios import scenario_named

    return scenario_named(scenario).operation


def draw_tooltip(surface: Any, text: TextCache, pos: tuple[int, int], lines: list[str]) -> None:
    import pygame

    if not lines:
        return
    widths = [text.render(line, 13).get_width() for line in lines]
    box = pygame.Rect(pos[0] + 16, pos[1] + 12, max(widths) + 20, 18 * len(lines) + 12)
    box.clamp_ip(surface.get_rect())
    pygame.draw.rect(surface, (16, 17, 22), box, border_radius=6)
    pygame.draw.rect(surface, palette.ACCENT, box, width=1, border_radius=6)
    for i, line in enumerate(lines):
        colour = palette.TEXT if i else palette.ACCENT
        text.draw(surface, line, (box.x + 10, box.y + 6 + 18 * i), 13, colour, bold=i == 0)

"""Every key and mouse action, in one table: the scenes act on these, the help overlay lists them."""

from __future__ import annotations

import attrs


@attrs.frozen
class Binding:
    keys: str  # as shown to the player
    action: str
    where: str  # the scene it works in


BINDINGS: tuple[Binding, ...] = (
    Binding("F1 / H", "show or hide this help", "everywhere"),
    Binding("Esc", "back (arena → sandbox → title); closes an overlay", "everywhere"),
    Binding("Enter", "start (title, sandbox); results once the round has ended (arena)", "everywhere"),
    Binding("mouse: click a button, drag a slider, pick from a list", "use the widgets", "everywhere"),
    Binding("P / Space", "pause or resume the round (its agents really stop at their next step)", "arena"),
    Binding("+ / -", "grow or shrink the semaphore's capacity (a live Resize)", "arena"),
    Binding("] / [", "slower / faster: scale thinking, eating and cooking times", "arena"),
    Binding("R", "restart the round with the same settings", "arena"),
    Binding("B", "switch backend (thread ↔ process) and start a new round", "arena"),
    Binding("E", "end the round now", "arena"),
    Binding("mouse: hover an agent", "its real identity (pid or native thread id) and current wait", "arena"),
    Binding("mouse: hover a fork or primitive", "show it up close in the side panel", "arena"),
    Binding("mouse: click an agent", "select it (click empty space to clear)", "arena"),
    Binding("S / C / K", "selected process agent: SIGSTOP / SIGCONT / SIGKILL", "arena"),
    Binding("X", "export the round's files (same as diner run --out)", "results"),
    Binding("Q", "quit", "title"),
    Binding("C / L", "open the campaign / switch English ↔ 简体中文 (L on every campaign screen)", "title"),
    Binding("arrows + Enter, or click a card", "open a level (a locked one says which level opens it)", "levels"),
    Binding("I", "show the next hint", "briefing"),
    Binding("0-9, or click an agent", "let that agent take one step, to its next me.step(...)", "scheduler"),
    Binding("A / G", "auto: the OS schedules / gate: you schedule again", "scheduler"),
    Binding("V", "side panel: the agents' code with live lines ↔ the live numbers", "level"),
    Binding("N / R", "next level / try again", "debrief"),
)

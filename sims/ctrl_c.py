"""Ctrl-C that cannot be lost: our own SIGINT handler records it, the main loop raises it.

Python's default SIGINT handler raises KeyboardInterrupt in whatever bytecode the main
thread runs next. If that bytecode runs on behalf of C code that clears every error, the
exception vanishes, and CPython has already reset its "SIGINT arrived" flag: the press is
gone for good. The engine runs into exactly that: ``events["op"] == Op.STATE`` makes numpy
look up ``__array_ufunc__`` on the IntEnum's class, which runs the Python-level
``EnumType.__getattr__``, and numpy calls ``PyErr_Clear()`` on whatever that lookup raised
(numpy gh-14801, gh-20596). A Ctrl-C whose handler fires inside that lookup is swallowed
without a word and the round goes on polling (``tools/ctrlc_repro.py --mechanism`` shows it).

Inside :func:`recorded_ctrl_c` the first Ctrl-C only counts a press; the loop that owns the
main thread calls :meth:`CtrlC.check` between two steps, which raises KeyboardInterrupt
there, where nothing can swallow it. A second press raises at once, as Python's own handler
would: the way out if the program is stuck before it reaches a check.

A console entry point calls :func:`owned_from_here` first, before any heavy import: a press
while numpy and the engine load is counted instead of raised inside an import (where it
printed a traceback, or vanished and the round ran to its end), and one after the command's
work is done no longer escapes into the interpreter's exit (status -2).
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130  # what a shell reports for a command ended by Ctrl-C (128 + SIGINT)


class CtrlC:
    """The Ctrl-C presses recorded while a :func:`recorded_ctrl_c` block runs."""

    def __init__(self) -> None:
        self.presses = 0
        self._raised = False

    def __repr__(self) -> str:
        return f"<CtrlC {self.presses} pressed{', raised' if self._raised else ''}>"

    def check(self) -> None:
        """Raise KeyboardInterrupt here if Ctrl-C was pressed and not raised yet."""
        if self.presses and not self._raised:
            self._raised = True
            raise KeyboardInterrupt

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        if self.presses > 1:  # pressed again: the user wants out now. This one may be
            raise KeyboardInterrupt  # swallowed too, so check() still raises after it.


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def recorded_ctrl_c() -> Iterator[CtrlC]:
    """Record Ctrl-C instead of raising it wherever it lands, for the duration of the block.

    SIGINT is taken only from Python's default handler, in the main thread: where it is
    ignored (a background job) or handled by someone else, nothing is recorded. A nested
    block shares the outer block's record. A press still unraised when the block ends
    without an exception is raised then, so none is lost.
    """
    current = signal.getsignal(signal.SIGINT) if _in_main_thread() else None
    outer = getattr(current, "__self__", None)
    if isinstance(outer, CtrlC):
        yield outer
        return
    ctrl_c = CtrlC()
    if current is not signal.default_int_handler:
        yield ctrl_c
        return
    signal.signal(signal.SIGINT, ctrl_c._record)
    try:
        yield ctrl_c
    finally:
        signal.signal(signal.SIGINT, current)
    ctrl_c.check()


@contextmanager
def sigint_held_back(starts_processes: bool = True) -> Iterator[None]:
    """Block SIGINT in this thread while the block starts child processes.

    A child inherits the mask: a Ctrl-C sent to the process group while it is still
    importing stays pending in it instead of killing it with a traceback, and is discarded
    when the child sets SIGINT to ignored (as agents do). In this process the press waits
    for another thread or for the end of the block, then reaches the handler as usual.
    Where it starts processes, multiprocessing's resource tracker is started first if the
    block would start it: its start unblocks SIGINT in the calling thread, and every child
    started after it would then boot unprotected.
    """
    if starts_processes:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def owned_from_here(command: Callable[[], int], prog: str) -> int:
    """Run a program's ``command`` with Ctrl-C recorded from here until the process exits.

    The command's loops raise a press where they check (a :func:`recorded_ctrl_c` block
    inside shares this record); it ends the program with EXIT_INTERRUPTED and one line on
    stderr, never a traceback. A press no check saw came after the command's work was done
    (a round had ended, its result was being printed): the command's own status stands.
    """
    ctrl_c = CtrlC()
    if _in_main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, ctrl_c._record)  # left installed through the exit's clean-up
        # Registered first, so run last: the interpreter's finalization puts SIG_DFL back in
        # place of any Python handler, and a press there killed us (-2); an ignored one stays.
        atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)
    try:
        return command()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED

"""Reading a small text file someone else wrote (a level, a save) without trusting it.

A path may name a FIFO (opening or reading it waits for a writer that never comes), a device
such as ``/dev/zero`` (endless) or ``/dev/urandom``, a huge file, bytes that are not UTF-8, or
text that parses into structures nested deep enough to exhaust Python's recursion. So a file
is opened without blocking, read only if it is a regular file under ``MAX_BYTES``, decoded
strictly, and what it parses into is checked for depth without recursion.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

MAX_BYTES = 1 << 20  # a level or a save is a few kilobytes; a megabyte is generous
MAX_DEPTH = 32  # tables and lists inside each other; a level needs 4


class FileRefused(ValueError):
    """A file that is not read; the message says why, in ``must be X, got Y`` form."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises FileRefused for anything else, OSError if it cannot be opened at all (missing,
    no permission). A symlink is followed: what it points to must pass the same test.
    """
    # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"must be a regular file, got {_kind(info.st_mode)}")
        if info.st_size > limit:
            raise FileRefused(f"must be at most {limit} bytes, got {info.st_size}")
        chunks, size = [], 0
        while size <= limit:  # the file may grow while it is read
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"must be at most {limit} bytes, got more (it grew while read)")
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """``data`` as UTF-8, or FileRefused saying where it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4].hex(" ")
        raise FileRefused(f"must be UTF-8 text, got bytes {bad} at offset {error.start}") from None


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """A small regular UTF-8 file's text (FileRefused, or OSError if it cannot be opened)."""
    return decode(read_bytes(path, limit))


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """FileRefused if lists and tables in ``value`` nest deeper than ``limit`` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    raise FileRefused(f"must nest tables and lists at most {limit} deep, got deeper")
                stack.append((child, depth + 1))

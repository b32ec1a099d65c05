"""Wrapping text to a width in pixels, for English (at spaces) and Chinese (between characters)."""

from __future__ import annotations

import re
from typing import Any

# A run of Latin letters/digits/punctuation is one word; each CJK character (and each full-width
# punctuation mark) is a word of its own, so Chinese wraps anywhere without spaces.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKENS = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+|\\s+")
_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


def wrap(text: Any, words: str, size: int, width: int, bold: bool = False) -> list[str]:
    """Lines of ``words`` that each fit ``width`` pixels at ``size`` (``text`` is a TextCache)."""
    font = text.font(size, bold)
    lines: list[str] = []
    for paragraph in words.split("\n"):
        lines.extend(_wrap_one(font, paragraph, width))
    return lines


def _wrap_one(font: Any, paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(paragraph):
        trial = line + token
        if line.strip() and font.size(trial.rstrip())[0] > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = trial
    if line.strip() or not lines:
        lines.append(line.strip())
    return lines

"""Spaces in Chinese sentences made from templates.

A Chinese template keeps a space beside a placeholder, because what fills it may be Latin or a
number (``哲学家 0 在等 fork 1``); when the filling is Chinese on that side (``而 服务员 1``,
``理发师 在等``), the space is one between two Chinese characters, which Chinese never writes.
"""

from __future__ import annotations

import re

CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
"""Chinese (and Japanese) characters and punctuation, full-width forms included."""

_BETWEEN = re.compile(f"(?<=[{CJK}]) +(?=[{CJK}])")


def tidy(text: str) -> str:
    """``text`` without the spaces that stand between two Chinese characters."""
    return _BETWEEN.sub("", text)

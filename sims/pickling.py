"""Cheaper pickling for the small frozen values the engine host sends the window many of."""

from __future__ import annotations

import operator
from typing import Any, TypeVar, cast

import attrs

T = TypeVar("T")


def pickled_by_constructor(cls: type[T]) -> type[T]:
    """Pickle an attrs class as the arguments of its constructor.

    Unpickling then costs half of what attrs' per-field ``__setstate__`` does (and the pickle
    is smaller), which counts where a message holds hundreds of them: the ~130 views of each
    snapshot (one a frame) and the ~320 values of each rolling statistics message. Only for
    classes whose constructor takes every field as it is stored (no converters).
    """
    values = operator.attrgetter(*(field.name for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls))))

    def reduce(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls

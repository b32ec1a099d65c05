"""Item accounting for one container (a kitchen's pass): nothing lost, nothing served twice.

Cooks record ITEM_PUT and waiters ITEM_TAKEN with the item's id as value and the
container as resource. A correct round conserves items:
``produced == consumed - duplicated + on_pass + lost`` with ``lost == duplicated == 0``.
Every record given counts (engine records included: the engine may stock a container);
for a rolling window, pass the window's slice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from sims.rounds.statistics import KitchenStats
from sims.stats.intervals import Columns, time_ordered
from sims.telemetry import Op


def kitchen_stats(
    events: np.ndarray, container_index: int, final_items: Sequence[int], end_ns: int | None = None
) -> KitchenStats:
    """Where the items of container ``container_index`` went; ``final_items`` are the ids still in it.

    With ``end_ns`` everything is counted up to that instant, the one the round's other
    statistics stop at: a put or take an agent made while stopping is undone from
    ``final_items`` (read after every agent stopped) rather than counted.
    """
    cols = Columns.of(time_ordered(events))
    here = cols.resource == container_index
    puts = cols.select(here & (cols.op == Op.ITEM_PUT))
    takes = cols.select(here & (cols.op == Op.ITEM_TAKEN))
    final = np.asarray(final_items, dtype=np.int64)
    if end_ns is not None:
        late_puts, late_takes = puts.value[puts.t > end_ns], takes.value[takes.t > end_ns]
        final = _as_at_end(final, late_puts, late_takes)
        puts, takes = puts.select(puts.t <= end_ns), takes.select(takes.t <= end_ns)
    t, level = occupancy(puts.t, takes.t)
    return KitchenStats(
        container=container_index,
        produced=int(puts.t.size),
        consumed=int(takes.t.size),
        on_pass=int(final.size),
        lost=_lost(puts.value, takes.value, final),
        duplicated=_duplicated(puts.value, takes.value),
        max_occupancy=int(level.max(initial=0)),
        occupancy_t_ns=t,
        occupancy=level,
    )


def _as_at_end(final: np.ndarray, late_puts: np.ndarray, late_takes: np.ndarray) -> np.ndarray:
    """The items in the container at the cut-off: the final ones, less those put since, plus those taken since."""
    left = Counter(final.tolist())
    left.subtract(late_puts.tolist())
    left.update(late_takes.tolist())
    return np.fromiter(left.elements(), dtype=np.int64)


def _lost(put_ids: np.ndarray, taken_ids: np.ndarray, final: np.ndarray) -> int:
    """Distinct ids put that were neither taken nor are still in the container."""
    put = np.unique(put_ids)
    gone = ~np.isin(put, taken_ids) & ~np.isin(put, final)
    return int(gone.sum())


def _duplicated(put_ids: np.ndarray, taken_ids: np.ndarray) -> int:
    """Takes beyond the first of an id that was put, plus every take of an id never put."""
    ids, takes = np.unique(taken_ids, return_counts=True)
    was_put = np.isin(ids, put_ids)
    return int((takes[was_put] - 1).sum() + takes[~was_put].sum())


def occupancy(put_t: np.ndarray, take_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Puts minus takes so far, as the level after every change at each distinct time."""
    t = np.concatenate((put_t, take_t)).astype(np.int64)
    change = np.concatenate((np.ones(put_t.size, np.int64), np.full(take_t.size, -1, np.int64)))
    order = np.argsort(t, kind="stable")
    t = t[order]
    last_at_instant = np.append(t[1:] != t[:-1], True) if t.size else np.zeros(0, dtype=bool)
    return t[last_at_instant], np.cumsum(change[order])[last_at_instant]

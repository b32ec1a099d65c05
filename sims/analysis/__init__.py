"""Rounds on disk as tables: :func:`load_round` (one round's decoded tables) and
:func:`load_rounds` (one row per round), :func:`load_table` (one table of many rounds). See docs/analysis.md.
"""

from sims.analysis.load import RoundData, RoundDataError, load_round, load_rounds, load_table

__all__ = ["RoundData", "RoundDataError", "load_round", "load_rounds", "load_table"]

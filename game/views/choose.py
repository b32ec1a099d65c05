"""Which view draws a round: the table for the dining philosophers, the kitchen for the rest."""

from __future__ import annotations

from game.text import TextCache
from game.views.kitchen import KitchenView
from game.views.table import TableView
from sims.rounds.layout import RoundLayout


def scenario_view(text: TextCache, layout: RoundLayout) -> TableView | KitchenView:
    return TableView(text, layout) if layout.scenario == "dining" else KitchenView(text, layout)

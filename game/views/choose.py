"""Which view draws a round: the one its scenario declares (``Scenario.drawing``)."""

from __future__ import annotations

from game.text import TextCache
from game.views.kitchen import KitchenView
from game.views.roles import RolesView
from game.views.table import TableView
from sims.rounds import RoundLayout
from sims.scenarios import Drawing, scenario_named

RoundView = TableView | KitchenView

VIEWS: dict[Drawing, type[TableView] | type[KitchenView]] = {
    Drawing.TABLE: TableView,
    Drawing.KITCHEN: KitchenView,
    Drawing.ROLES: RolesView,
}


def scenario_view(text: TextCache, layout: RoundLayout) -> RoundView:
    """The view the round's scenario asks for, made for this layout."""
    return VIEWS[scenario_named(layout.scenario).drawing](text, layout)

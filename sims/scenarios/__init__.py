"""Scenarios: the lessons a round can run."""

from sims.scenarios.base import Drawing, ParamSpec, Scenario, Words
from sims.scenarios.gil_table import compact
from sims.scenarios.registry import scenario_named, scenarios

__all__ = ["Drawing", "ParamSpec", "Scenario", "Words", "compact", "scenario_named", "scenarios"]

"""Scenarios: the lessons a round can run."""

from sims.scenarios.base import Drawing, ParamSpec, Scenario, Words
from sims.scenarios.registry import scenario_named, scenarios

__all__ = ["Drawing", "ParamSpec", "Scenario", "Words", "scenario_named", "scenarios"]

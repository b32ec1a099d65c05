"""Scenarios: the lessons a round can run."""

from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.registry import scenario_named, scenarios

__all__ = ["ParamSpec", "Scenario", "scenario_named", "scenarios"]

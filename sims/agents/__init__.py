"""Agents: scenario logic written once, run as real threads or real processes."""

from sims.agents.backends import EXIT_DONE, EXIT_ERROR, EXIT_STOPPED, AgentRun, ThreadAgent, agent_class
from sims.agents.body import AgentBody
from sims.agents.me import Me

__all__ = ["EXIT_DONE", "EXIT_ERROR", "EXIT_STOPPED", "AgentBody", "AgentRun", "Me", "ThreadAgent", "agent_class"]

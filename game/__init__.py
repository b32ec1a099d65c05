"""Deadlock Diner's window: a pygame-ce front end over the engine in ``sims``."""

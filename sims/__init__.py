"""Deadlock Diner's engine: real agents on instrumented primitives, telemetry, statistics.

Never imports pygame: the window (``game``) depends on this package, not the reverse.
"""

"""A round as a Perfetto trace: Chrome Trace Event JSON (``trace.json.gz``) that ui.perfetto.dev
and chrome://tracing open.

What is where:
- every agent is a track on its real pid/tid, named with ``M`` metadata events; its states are
  slices there; its waits, its holds (one track per resource it held) and its hand-offs are
  tracks of their own in the same process (:mod:`sims.perfetto.tracks`);
- every resource is a track of a "resources" process whose pid no real process has, with its
  holds, in lanes where a semaphore's holds overlap; semaphores and containers also get
  counters (permits in use, capacity), so a live resize shows;
- a hand-off (a release that ends another agent's wait) is an arrow: two zero-length slices bound
  by ``bind_id`` with ``flow_out``/``flow_in`` (Perfetto orients an arrow by the start times of the
  slices it binds, so binding the long hold slices would draw some arrows backwards);
- steps, signals, the engine's commands and the deadlock are instants.

Times are microseconds from the round's start. The trace is built from the round's records a
chunk at a time (:mod:`sims.perfetto.build`), its rows formatted column-wise
(:mod:`sims.perfetto.rows`) and compressed as they come (:mod:`sims.perfetto.write`).
"""

from sims.perfetto.rows import unique_rows
from sims.perfetto.tracks import ENGINE_PID, RESOURCE_PID
from sims.perfetto.write import trace_lines, trace_pieces, write_trace

__all__ = ["ENGINE_PID", "RESOURCE_PID", "trace_lines", "trace_pieces", "unique_rows", "write_trace"]

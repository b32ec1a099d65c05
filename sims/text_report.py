"""Plain-text tables for the terminal: the scenario listing and a round's summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sims.oldnames import listing
from sims.rounds.result import RoundResult
from sims.rounds.stuck import stuck_behind_the_dead
from sims.rounds.summary import verdict
from sims.scenarios import Scenario


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if numeric[i] and n else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def render_listing(known: Mapping[str, Scenario]) -> str:
    """What ``diner list`` prints: every scenario, its strategies and parameters."""
    parts = []
    for name in sorted(known):
        s = known[name]
        backends = ", ".join(s.backends) + (f"  ({s.backend_note})" if s.backend_note else "")
        parts.append(f"{name}: {s.summary}\n  backends: {backends}\n  strategies (default {s.default_strategy}):")
        parts.extend(f"    {k:<12} {doc}" for k, doc in s.strategies.items())
        parts.append("  parameters (--set KEY=VALUE):")
        width = max([12, *(len(p.name) for p in s.params)])  # one column, however long a name
        for p in s.params:
            bounds = f" [{p.low:g}..{p.high:g}]" if p.low is not None and p.high is not None else ""
            choice = f" one of {'/'.join(p.choices)}" if p.choices else ""
            kind = f"{p.kind.__name__:<5} default {p.default!s:<8}"
            parts.append(f"    {p.name:<{width}} {kind}{bounds}{choice}  {p.help}")
        if s.old_names:
            parts.append(f"  old names (deprecated since Python 3.10): {listing(s.old_names)}")
        parts.append("")
    return "\n".join(parts).rstrip()


def render_result(result: RoundResult) -> str:
    """A readable summary of one round."""
    stats, layout = result.stats, result.layout
    head = (
        f"{layout.scenario} / {layout.strategy} on {layout.backend} ({len(layout.agents)} agents), "
        f"seed {result.config.seed}: {result.duration_s:.2f} s, ended by {result.end_reason}"
    )
    agents = table(
        ["agent", "ops", "per s", "wait p50 ms", "p95", "p99", "max", "hold mean ms"],
        [
            [
                a.name,
                a.operations,
                a.throughput_per_s,
                a.wait_ms.p50,
                a.wait_ms.p95,
                a.wait_ms.p99,
                a.wait_ms.max,
                a.hold_ms.mean,
            ]
            for a in stats.agents
        ],
    )
    resources = table(
        ["resource", "kind", "acquired", "utilisation", "max holders", "capacity", "hand-offs"],
        [
            [
                r.name,
                r.kind,
                r.acquisitions,
                r.utilisation,
                r.max_holders,
                f"{r.capacity_min}..{r.capacity_max}" if r.capacity_min != r.capacity_max else r.capacity_max,
                r.handoffs,
            ]
            for r in stats.resources
        ],
    )
    return "\n\n".join(
        part
        for part in (
            head,
            agents,
            resources if stats.resources else "",
            _verdict_lines(result),
            _scenario_lines(result),
        )
        if part
    )


def _verdict_lines(result: RoundResult) -> str:
    v, stats = verdict(result), result.stats
    lines = [
        f"throughput {stats.throughput_per_s:.1f} ops/s ({stats.operations_total} in all), "
        f"Jain fairness {stats.jain:.3f}, longest wait {stats.longest_wait_ms:.1f} ms",
    ]
    if v["cycle"]:
        c = v["cycle"]
        chain = " -> ".join(f"{a} waits for {r}" for a, r in zip(c["agents"], c["waiting_for"], strict=True))
        lines.append(f"DEADLOCK formed at {c['formed_s']:.3f} s (detected at {c['detected_s']:.3f} s): {chain}")
    elif v["stall"]:
        c = v["stall"]
        waits = ", ".join(f"{a} waits on {r}" for a, r in zip(c["agents"], c["waiting_for"], strict=True))
        lines.append(f"STALL (a lost wake-up: nobody left can wake them) at {c['formed_s']:.3f} s: {waits}")
    elif v["orphaned"]:
        lines.append("no deadlock cycle, but stuck: a killed agent still holds what others wait for")
    else:
        lines.append("no deadlock")
    if v["starved"]:
        lines.append(f"starved (no operation): {', '.join(v['starved'])}")
    if v["orphaned"]:
        lines.append(f"orphaned (held by a dead agent): {', '.join(v['orphaned'])}")
        agents, resources = result.layout.agents, result.layout.resources
        hops = [
            f"{agents[w.agent].name} waits for {resources[w.resource].name}, held by {agents[w.holder].name} (killed)"
            for w in stuck_behind_the_dead(result)
        ]
        if hops:
            lines.append(f"stuck for ever: {'; '.join(hops)}")
    lines.append(f"telemetry lost: {v['dropped_records']} records; {result.record_count} recorded")
    disk = result.disk
    if disk.folder:
        lines.append(f"records on disk: {disk.bytes / 1e6:.1f} MB in {disk.folder}")
    if disk.late:
        lines.append(
            f"{disk.late} records reached the engine over 0.5 s after they were written (a stopped agent?): "
            "hand-offs and permits in use around them are counted in the order they arrived"
        )
    if disk.note:
        lines.append(f"{disk.note}: the round ended there; {disk.unsaved} records counted but not written")
    return "\n".join(lines)


def _scenario_lines(result: RoundResult) -> str:
    simple = {k: v for k, v in result.scenario_stats.items() if isinstance(v, bool | int | float | str)}
    if not simple:
        return ""
    if result.config.scenario == "gil":  # the lecture's table and a verdict instead of 90 numbers
        from sims.scenarios.gil_table import lines

        return "\n".join(lines(simple))
    return "\n".join(f"{k}: {_cell(v)}" for k, v in simple.items())

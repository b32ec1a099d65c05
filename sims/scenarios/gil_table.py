"""The lecture's efficiency table from a ``gil`` round: line / threads / processes × CPU / file / wait.

Pure: it reads the round's scenario statistics (``sims.scenarios.gil``) and gives the cells,
the lecture's own numbers beside them, and a one-line verdict in English or Chinese, for the
terminal report and the window alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

ROWS = ("line", "thread", "process")
COLUMNS = ("cpu", "io", "wait")

_HEAD = {
    "en": {"line": "in line", "thread": "threads", "process": "processes", "cpu": "CPU", "io": "file IO",
           "wait": "waiting IO", "lecture": "lecture", "build": "build", "gil": "GIL", "free": "free-threaded",
           "cores": "cores", "share": "CPU share of the CPU jobs", "colon": ": ",
           "startup": "start-up of the last of the CPU jobs"},
    "zh": {"line": "依次执行", "thread": "多线程", "process": "多进程", "cpu": "计算密集", "io": "文件 IO",
           "wait": "等待型 IO", "lecture": "讲义", "build": "解释器", "gil": "有 GIL", "free": "无 GIL（自由线程）",
           "cores": "核心数", "share": "计算任务分到的 CPU 份额", "colon": "：",
           "startup": "最后一个计算任务的启动耗时"},
}  # fmt: skip

_VERDICTS = {
    "en": {
        "busy": "This machine cannot reproduce the lecture: the one-by-one CPU phase got {share:.0%} of a core "
        "({cores} cores, load {load:.1f}); the ratios above measure the load, not the GIL.",
        "gil": "Threads did not speed up CPU work (×{thread:.2f}) but processes did (×{process:.2f}): the GIL lets "
        "one thread run Python at a time. Waiting jobs: threads ×{wait:.2f}.",
        "free": "Free-threaded build (no GIL): threads sped up CPU work too (×{thread:.2f}; processes ×{process:.2f}).",
        "unclear": "No clear verdict: threads ×{thread:.2f}, processes ×{process:.2f} on CPU work; waiting jobs: "
        "threads ×{wait:.2f}. Try more jobs.",
    },
    "zh": {
        "busy": "这台机器复现不了讲义的结果：依次执行的计算任务只分到一个核心的 {share:.0%}"
        "（{cores} 个核心，负载 {load:.1f}）；上面的比值反映的是机器的繁忙程度，而不是 GIL。",
        "gil": "多线程没有让计算任务变快（×{thread:.2f}），多进程变快了（×{process:.2f}）：GIL 一次只让一个线程运行 "
        "Python 代码。等待型任务：多线程 ×{wait:.2f}。",
        "free": "这是无 GIL 的自由线程版本：多线程也让计算任务变快了（×{thread:.2f}；多进程 ×{process:.2f}）。",
        "unclear": "结论不明显：计算任务上多线程 ×{thread:.2f}、多进程 ×{process:.2f}；等待型任务：多线程 ×{wait:.2f}。"
        "试试更多的任务数。",
    },
}

SLOWER = 0.9
"""A ratio at or above this: no speed-up (threads on CPU work under the GIL)."""

FASTER = 0.8
"""A ratio at or below this: a real speed-up."""


@attrs.frozen
class Cell:
    """One cell: seconds this run took and the ratio to one-by-one, with the lecture's if it measured it."""

    seconds: float
    ratio: float
    lecture_seconds: float | None
    lecture_ratio: float | None


def cells(stats: Mapping[str, Any]) -> dict[tuple[str, str], Cell]:
    """Every (row, column) cell of the table."""
    out = {}
    for row in ROWS:
        for col in COLUMNS:
            seconds = float(stats.get(f"{row}_{col}_s", 0.0))
            ratio = 1.0 if row == "line" else float(stats.get(f"{row}_{col}_ratio", 0.0))
            lecture = stats.get(f"lecture_{row}_{col}_s")
            if row == "line":
                lecture_ratio = None if lecture is None else 1.0
            else:
                lecture_ratio = stats.get(f"lecture_{row}_{col}_ratio")
            out[row, col] = Cell(
                seconds,
                ratio,
                None if lecture is None else float(lecture),
                None if lecture_ratio is None else float(lecture_ratio),
            )
    return out


def verdict_key(stats: Mapping[str, Any]) -> str:
    """``busy`` (cannot reproduce), ``free`` (no GIL), ``gil`` (the lecture's result) or ``unclear``."""
    if not stats.get("reproducible", 0):
        return "busy"
    thread, process = float(stats.get("thread_cpu_ratio", 0)), float(stats.get("process_cpu_ratio", 0))
    if not stats.get("gil_enabled", 1) and thread <= FASTER:
        return "free"
    if thread >= SLOWER and 0 < process <= FASTER:
        return "gil"
    return "unclear"


def verdict(stats: Mapping[str, Any], language: str = "en") -> str:
    """One sentence that says what the table shows (or why it cannot)."""
    words = _VERDICTS["zh" if language == "zh" else "en"][verdict_key(stats)]
    return words.format(
        share=float(stats.get("line_cpu_cpu_share", 0.0)),
        cores=int(stats.get("cores", 0)),
        load=float(stats.get("load_1min", 0.0)),
        thread=float(stats.get("thread_cpu_ratio", 0.0)),
        process=float(stats.get("process_cpu_ratio", 0.0)),
        wait=float(stats.get("thread_wait_ratio", 0.0)),
    )


def lines(stats: Mapping[str, Any], language: str = "en") -> list[str]:
    """The table as text rows: each cell ``seconds (×ratio)``, the lecture's beside it where it has one."""
    head = _HEAD["zh" if language == "zh" else "en"]
    table = cells(stats)
    out = [" | ".join([" " * 10, *(f"{head[c]:<31}" for c in COLUMNS)]).rstrip()]
    for row in ROWS:
        parts = [f"{head[row]:<10}"]
        for col in COLUMNS:
            cell = table[row, col]
            text = f"{cell.seconds:6.2f} s ×{cell.ratio:4.2f}"
            if cell.lecture_ratio is not None:
                text += f" ({head['lecture']} ×{cell.lecture_ratio:4.2f})"
            parts.append(f"{text:<31}")
        out.append(" | ".join(parts).rstrip())
    out.append(startup_line(stats, language))
    out.append(_machine_line(stats, head))
    out.append(verdict(stats, language))
    return out


def _machine_line(stats: Mapping[str, Any], head: Mapping[str, str]) -> str:
    build = head["gil"] if stats.get("gil_enabled", 1) else head["free"]
    share = " ".join(f"{head[row]} {float(stats.get(f'{row}_cpu_cpu_share', 0.0)):.0%}" for row in ROWS)
    colon, cores = head["colon"], stats.get("cores", "?")
    return f"{head['build']}{colon}{build} · {head['cores']}{colon}{cores} · {head['share']}{colon}{share}"


def startup_line(stats: Mapping[str, Any], language: str = "en") -> str:
    """How long the last job waited to start: a thread against a process (the lecture's start-up cost)."""
    head = _HEAD["zh" if language == "zh" else "en"]
    thread = float(stats.get("thread_cpu_last_start_ms", 0.0))
    process = float(stats.get("process_cpu_last_start_ms", 0.0))
    ratio = f" (×{process / thread:.0f})" if thread > 0 else ""
    colon = head["colon"]
    return f"{head['startup']}{colon}{head['thread']} {thread:.2f} ms · {head['process']} {process:.1f} ms{ratio}"


def compact(stats: Mapping[str, Any], language: str = "en") -> list[str]:
    """The table for a narrow column: one line per way of running (ratios to one-by-one only)."""
    head = _HEAD["zh" if language == "zh" else "en"]
    table = cells(stats)
    out = []
    for row in ("thread", "process"):
        parts = []
        for col in COLUMNS:
            cell = table[row, col]
            lecture = ""
            if cell.lecture_ratio is not None:
                lecture = (
                    f"（{head['lecture']} ×{cell.lecture_ratio:.2f}）"
                    if language == "zh"
                    else f" (lecture ×{cell.lecture_ratio:.2f})"
                )
            parts.append(f"{head[col]} ×{cell.ratio:.2f}{lecture}")
        out.append(head[row] + ("：" if language == "zh" else ": ") + " · ".join(parts))
    return [*out, startup_line(stats, language), _machine_line(stats, head), verdict(stats, language)]

"""The round statistics a level goal may name, with what each means in both languages.

One registry, so a typo in a level file (``jian >= 0.9``) is a load error instead of a goal
that can never pass. To add a statistic, add one row to ``_TABLE`` below; ``kind`` says
whether goals compare it with ``true``/``false`` (``"bool"``) or with numbers (``"number"``).
"""

from __future__ import annotations

import difflib
import enum
import math
import types
from collections.abc import Mapping
from typing import Literal

import attrs

StatKind = Literal["number", "bool"]


class Clock(enum.Enum):
    """How a statistic depends on the round's time scale, so grading can undo a speed-up.

    At scale 0.5 (twice as fast) a round does twice the work in the same wall time: a
    ``COUNT`` of work done and a ``RATE`` double, a ``DURATION`` halves. ``NONE``: a ratio,
    a flag or an event that happens once whatever the pace.
    """

    NONE = "none"
    COUNT = "count"
    RATE = "rate"
    DURATION = "duration"


@attrs.frozen
class StatName:
    """A statistic's kind, the values it can take, and its short description for the goal list on screen.

    ``low``..``high`` is every value a round can report, so a goal outside it (``jain >= 2``)
    can never be met and the level checker refuses it. ``completed_only``: the statistic sees
    only waits that finished, so a guest who waits forever does not count; an upper bound on it
    must come with ``starved_count == 0``.
    """

    name: str
    kind: StatKind
    en: str
    zh: str
    low: float = 0.0
    high: float = math.inf
    clock: Clock = Clock.NONE
    completed_only: bool = False

    def describe(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


_TABLE: tuple[tuple[str, StatKind, str, str], ...] = (
    ("deadlock", "bool", "the round ended in a deadlock", "本轮以死锁告终"),
    ("stall", "bool", "every agent waited for a wake-up nobody left could give", "所有角色都在等一个没人能给的唤醒"),
    ("jain", "number", "Jain fairness index (1 = perfectly fair)", "Jain 公平指数（1 表示完全公平）"),
    ("p50_wait_ms", "number", "median wait for a resource (ms)", "等待资源的中位时间（毫秒）"),
    ("p95_wait_ms", "number", "95th-percentile wait for a resource (ms)", "等待资源的 95 分位时间（毫秒）"),
    ("mean_wait_ms", "number", "mean wait for a resource (ms)", "等待资源的平均时间（毫秒）"),
    ("p99_wait_ms", "number", "99th-percentile wait for a resource (ms)", "等待资源的 99 分位时间（毫秒）"),
    ("max_wait_ms", "number", "longest single wait for a resource (ms)", "单次等待资源的最长时间（毫秒）"),
    ("operations_total", "number", "meals eaten or items handled", "吃到的饭或处理的物品总数"),
    ("throughput_per_s", "number", "operations per second", "每秒完成的操作数"),
    ("starved_count", "number", "agents that never got their turn", "始终没轮到的角色数"),
    ("longest_wait_ms", "number", "longest time an agent went without service (ms)", "某个角色最长的空等时间（毫秒）"),
    ("timeouts_total", "number", "acquires that gave up after a timeout", "超时放弃的获取次数"),
    ("handoffs_total", "number", "times a resource passed straight to a waiter", "资源直接交给等待者的次数"),
    ("utilisation_mean", "number", "mean share of capacity in use (0–1)", "平均容量利用率（0–1）"),
    ("lost_updates", "number", "increments lost to a race", "因竞争而丢失的累加次数"),
    ("lost_share", "number", "share of increments lost to a race (0–1)", "因竞争而丢失的累加所占比例（0–1）"),
    ("expected", "number", "increments the agents made", "各角色实际做过的累加次数"),
    ("actual", "number", "what the shared counter says at the end", "结束时共享计数器上的数"),
    ("writer_max_wait_ms", "number", "longest wait of a writer (ms)", "写者的最长等待时间（毫秒）"),
    ("reader_max_wait_ms", "number", "longest wait of a reader (ms)", "读者的最长等待时间（毫秒）"),
    (
        "wake_p99_ms",
        "number",
        "99th-percentile delay from set() to waking (ms)",
        "从 set() 到被唤醒的 99 分位延迟（毫秒）",
    ),
    ("wake_p50_ms", "number", "median delay from set() to waking (ms)", "从 set() 到被唤醒的中位延迟（毫秒）"),
    ("wake_max_ms", "number", "longest delay from set() to waking (ms)", "从 set() 到被唤醒的最长延迟（毫秒）"),
    ("wake_mean_ms", "number", "mean delay from set() to waking (ms)", "从 set() 到被唤醒的平均延迟（毫秒）"),
    ("rings", "number", "times the Event was set()", "事件被 set() 的次数"),
    ("clears", "number", "times the Event was clear()ed", "事件被 clear() 的次数"),
    ("wakeups", "number", "waits that ended because of a set()", "因 set() 而结束的等待次数"),
    (
        "walk_ins",
        "number",
        "wait() calls that returned at once: the Event was already set",
        "立即返回的 wait() 次数：事件早已被设置",
    ),
    ("occupancy_mean", "number", "mean number of agents inside", "平均在场人数"),
    ("max_concurrent", "number", "most agents inside at once", "同时在场的最多人数"),
    ("over_capacity_moments", "number", "times more agents were inside than allowed", "超员发生的次数"),
    ("meals", "number", "meals served at the counter", "吧台上吃完的饭数"),
    ("seats_min", "number", "fewest seats in force during the round", "本轮中座位数的最小值"),
    ("seats_max", "number", "most seats in force during the round", "本轮中座位数的最大值"),
    ("capacity_changes", "number", "times the capacity was resized", "容量被调整的次数"),
    ("lost", "number", "items or messages that never arrived", "丢失（没有送达）的物品或消息数"),
    ("duplicated", "number", "items or messages taken twice", "被重复取走的物品或消息数"),
    ("produced", "number", "items produced", "生产出的物品数"),
    ("on_pass", "number", "items still waiting in the buffer at the end", "结束时仍留在缓冲区里的物品数"),
    ("max_occupancy", "number", "most items in the buffer at once", "缓冲区里同时存放的最多物品数"),
    ("duration_s", "number", "how long the round ran (s)", "本轮实际运行时长（秒）"),
    ("consumed", "number", "items consumed", "被消费的物品数"),
    ("orphaned_count", "number", "locks left held by a dead process", "被已死进程占着不放的锁数"),
    ("orders_sent", "number", "orders a cook announced with a signal", "厨师用信号通知的订单数"),
    ("sigusr1_received", "number", "SIGUSR1 signals the waiter handled", "服务员处理的 SIGUSR1 信号数"),
    ("timer_rang", "number", "times the alarm (SIGALRM) ended a pause()", "闹钟（SIGALRM）结束 pause() 的次数"),
    ("sigcont_received", "number", "SIGCONT signals agents noticed", "角色收到的 SIGCONT 信号数"),
    ("sigstop_sent", "number", "SIGSTOP signals sent", "发出的 SIGSTOP 信号数"),
    ("sigcont_sent", "number", "SIGCONT signals sent", "发出的 SIGCONT 信号数"),
    ("sigkill_sent", "number", "SIGKILL signals sent", "发出的 SIGKILL 信号数"),
    ("stove_max_queue", "number", "most cooks waiting for the stove at once", "同时排队等灶台的最多厨师数"),
    ("stove_wait_p50_ms", "number", "median wait for the stove (ms)", "等灶台的中位时间（毫秒）"),
    ("stove_wait_p99_ms", "number", "99th-percentile wait for the stove (ms)", "等灶台的 99 分位时间（毫秒）"),
    ("stove_wait_max_ms", "number", "longest wait for the stove (ms)", "等灶台的最长时间（毫秒）"),
    ("stove_wait_mean_ms", "number", "mean wait for the stove (ms)", "等灶台的平均时间（毫秒）"),
    ("message_p99_ms", "number", "99th-percentile message delivery time (ms)", "消息送达时间的 99 分位（毫秒）"),
    ("messages_total", "number", "messages delivered", "送达的消息总数"),
    (
        "pool_speedup",
        "number",
        "how many times faster the pool served the orders",
        "进程池处理订单比逐单建进程快多少倍",
    ),
    (
        "thread_cpu_ratio",
        "number",
        "CPU work: threads' time ÷ one-by-one time",
        "计算密集：多线程用时 ÷ 依次执行用时",
    ),
    (
        "process_cpu_ratio",
        "number",
        "CPU work: processes' time ÷ one-by-one time",
        "计算密集：多进程用时 ÷ 依次执行用时",
    ),
    ("thread_io_ratio", "number", "IO work: threads' time ÷ one-by-one time", "IO 密集：多线程用时 ÷ 依次执行用时"),
    (
        "process_io_ratio",
        "number",
        "IO work: processes' time ÷ one-by-one time",
        "IO 密集：多进程用时 ÷ 依次执行用时",
    ),
    (
        "over_capacity_ns",
        "number",
        "time more agents were inside than allowed (ns)",
        "超员（人数超过上限）的累计时间（纳秒）",
    ),
    ("messages_sent", "number", "messages sent", "发出的消息数"),
    ("meals_total", "number", "meals eaten by everyone", "所有人吃到的饭数"),
    ("meals_min", "number", "meals of the agent who ate least", "吃得最少的人吃到的饭数"),
    ("message_p50_ms", "number", "median message delivery time (ms)", "消息送达时间的中位数（毫秒）"),
    ("message_max_ms", "number", "longest message delivery time (ms)", "消息送达的最长时间（毫秒）"),
    ("message_mean_ms", "number", "mean message delivery time (ms)", "消息送达的平均时间（毫秒）"),
    (
        "map_speedup",
        "number",
        "how many times faster Pool.map served the orders than one process each",
        "Pool.map 比逐单建进程快多少倍",
    ),
    ("cores", "number", "CPU cores on this machine", "本机的 CPU 核心数"),
    ("dropped", "number", "items thrown away because there was no room", "因为没有空位而被丢弃的物品数"),
    ("putbacks", "number", "forks put back after failing to get the second", "拿不到第二把叉子而放回第一把的次数"),
    (
        "putbacks_per_meal",
        "number",
        "forks put back per meal eaten (livelock: many)",
        "每吃一顿饭放回叉子的次数（活锁时很多）",
    ),
    ("guest_cpu_ms", "number", "CPU time the guests used (ms)", "客人们占用的 CPU 时间（毫秒）"),
    (
        "cpu_us_per_entry",
        "number",
        "CPU time the guests used per entry (µs): what waiting costs",
        "客人每进门一次占用的 CPU 时间（微秒）：等待的代价",
    ),
    (
        "thread_wait_ratio",
        "number",
        "waiting jobs: threads' time ÷ one-by-one time",
        "等待型任务：多线程用时 ÷ 依次执行用时",
    ),
    (
        "process_wait_ratio",
        "number",
        "waiting jobs: processes' time ÷ one-by-one time",
        "等待型任务：多进程用时 ÷ 依次执行用时",
    ),
    (
        "line_cpu_cpu_share",
        "number",
        "share of a core the one-by-one CPU jobs got (1 = a whole core)",
        "依次执行的计算任务分到的 CPU 份额（1 表示一整个核心）",
    ),
    (
        "reproducible",
        "number",
        "1 if this machine gave the lab enough CPU to show the lecture's table",
        "本机给实验的 CPU 是否足以复现讲义的表格（1 表示足够）",
    ),
    ("waiter_killed", "bool", "a signal ended the waiter's process", "服务员进程被信号终止"),
    (
        "os_scheduled",
        "bool",
        "the operating system scheduled part of the round (A)",
        "本轮有一段由操作系统调度（按了 A）",
    ),
    ("round_time_s", "number", "how long the round ran in its own time (s)", "本轮按自身时钟计的时长（秒）"),
    ("closed", "bool", "every helper was gone: the main program could end", "帮手全部结束：主程序得以退出"),
    ("jobs_total", "number", "jobs handed to helpers (washers and rinsers)", "交给帮手的活儿（洗碗和冲洗）"),
    ("jobs_done", "number", "jobs the helpers finished", "帮手做完的活儿"),
    ("jobs_lost", "number", "jobs never finished (a helper killed or never hired)", "没做完的活儿（帮手被杀或没雇成）"),
    (
        "children_refused",
        "number",
        "child processes a daemon process was not allowed to start",
        "守护进程想启动却不被允许的子进程数",
    ),
    (
        "report_short",
        "number",
        "jobs the closing report missed (done after it was written)",
        "打烊报告漏掉的活儿（写报告时还没做完）",
    ),
    ("thread_start_us", "number", "median time to start one thread (µs)", "启动一个线程的中位耗时（微秒）"),
    ("process_start_us", "number", "median time to start one process (µs)", "启动一个进程的中位耗时（微秒）"),
    ("start_ratio", "number", "one process start, in thread starts", "启动一个进程抵得上启动多少个线程"),
    ("jobs_served", "number", "jobs of the rush served", "高峰中做完的订单数"),
    ("processes_per_job", "number", "processes started per job of the rush", "高峰中平均每张订单启动的进程数"),
    (
        "start_cost_vs_threads",
        "number",
        "start-up the crew paid per job, in thread starts",
        "平均每张订单付出的启动开销，折合线程启动次数",
    ),
    ("rush_vs_job", "number", "the rush's time ÷ one job's time", "高峰总用时 ÷ 一张订单的用时"),
)

_RANGES: Mapping[str, tuple[float, float]] = {
    "jain": (0.0, 1.0),
    "lost_share": (0.0, 1.0),
    "utilisation_mean": (0.0, 1.0),
    "lost_updates": (-math.inf, math.inf),  # expected minus actual: a broken counter may overshoot
}
"""Statistics whose values are not simply "0 or more" (counts, times, rates and ratios are)."""

_COUNTS = frozenset(
    {
        "operations_total", "meals", "consumed", "produced", "meals_total", "meals_min", "messages_total",
        "messages_sent", "expected", "actual", "rings", "clears", "wakeups", "orders_sent", "sigusr1_received",
        "putbacks", "guest_cpu_ms",
    }
)  # fmt: skip
"""Work done: grows with the number of round seconds that passed."""

_COMPLETED_ONLY = frozenset(
    {
        "p50_wait_ms", "p95_wait_ms", "p99_wait_ms", "mean_wait_ms", "max_wait_ms", "wake_p50_ms", "wake_p99_ms",
        "wake_max_ms", "wake_mean_ms", "stove_wait_p50_ms", "stove_wait_p99_ms", "stove_wait_max_ms",
        "stove_wait_mean_ms", "message_p50_ms", "message_p99_ms", "message_max_ms", "message_mean_ms",
    }
)  # fmt: skip
"""Wait statistics over finished waits only (``longest_wait_ms`` also counts open ones)."""


def _clock(name: str) -> Clock:
    if name in _COUNTS:
        return Clock.COUNT
    if name.endswith("_per_s"):
        return Clock.RATE
    if name.endswith(("_ms", "_ns")) or name == "duration_s":
        return Clock.DURATION
    return Clock.NONE


STATS: Mapping[str, StatName] = types.MappingProxyType(
    {
        row[0]: StatName(
            *row,
            *_RANGES.get(row[0], (0.0, math.inf)),
            clock=_clock(row[0]),
            completed_only=row[0] in _COMPLETED_ONLY,
        )
        for row in _TABLE
    }
)


def is_known(name: str) -> bool:
    return name in STATS


def suggest(name: str) -> str | None:
    """The closest known name, for 'did you mean' in load errors."""
    close = difflib.get_close_matches(name, list(STATS), n=1, cutoff=0.6)
    return close[0] if close else None

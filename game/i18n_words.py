"""The words of the levels' menus: knobs, option values and what each strategy does, in both languages.

English keeps the engine's identifiers (``think_ms``, ``backoff``) and the scenario's own
descriptions (``Scenario.strategies``); Chinese names each knob in words (short enough for the
briefing's label column) and each option value in words with its identifier beside it. A test
checks that every knob, option and strategy a shipped level offers has an entry here.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

_KNOBS_ZH = {
    "backoff": "退避方式",
    "capacity": "出菜台格数",
    "consumers": "服务员人数",
    "crew": "谁来做订单",
    "eat_ms": "吃饭时间（毫秒）",
    "jobs": "每组任务数",
    "join": "打烊前 join 洗碗工",
    "radio_daemon": "收音机设为守护进程",
    "washer_daemon": "洗碗工设为守护进程",
    "lock": "加锁",
    "sigusr1": "SIGUSR1 的处理方式",
    "orders": "订单数",
    "poll_ms": "偷看间隔（毫秒）",
    "seats": "座位数",
    "start_method": "进程启动方式",
    "think_ms": "思考时间（毫秒）",
    "window": "读写间隙（循环步数）",
    "workers": "工作进程数",
}

_OPTIONS_ZH = {
    "sigusr1.default": "默认动作（SIG_DFL）",
    "sigusr1.ignore": "忽略（SIG_IGN）",
    "sigusr1.handler": "处理函数（handler）",
    "backoff.fixed": "固定（fixed）",
    "backoff.random": "随机（random）",
    "crew.process": "每单一个进程（Process）",
    "crew.pool": "进程池（Pool）",
    "crew.thread-pool": "线程池（ThreadPool）",
    "crew.thread": "每单一个线程（Thread）",
    "start_method.spawn": "spawn",
    "start_method.forkserver": "forkserver",
}

_STRATEGIES_ZH = {
    "dining.naive": "先拿左手的叉子，再拿右手的：每位哲学家都可能拿着左叉永远等下去",
    "dining.ordered": "先拿编号小的叉子（资源分级）：等待永远连不成环",
    "dining.waiter": "领班手里有一个 N-1 个许可的信号量 seats：最多 N-1 人同时去拿叉子（可以在运行中调整）",
    "dining.trylock": "第二把叉子拿不到就放下第一把，退避一会儿再试（退避可以固定，也可以随机）",
    "kitchen.semaphores": "计数信号量 empty（K 个）和 full（0 个），再加一把互斥锁 mutex 保护出菜台",
    "kitchen.queue": "一个容量为 K 的队列（queue.Queue / multiprocessing.Queue）包办一切",
    "kitchen.qsize": (
        "队列加上“先看再做”：qsize() < K 才放菜，empty() 为假才取菜，都不等待；行动时答案已经过时，菜会被扔掉"
    ),
    "kitchen.no-mutex": (
        "只有两个信号量、没有互斥锁：两个厨师可能把菜放进同一格（丢一道菜），两个服务员可能端走同一道（重复上菜）"
    ),
    "race.value": "一个计数器：线程共享一个 Python 对象，进程共享 multiprocessing.Value('q', lock=False)",
    "race.array": (
        "一排计数器（tables 个）：线程用列表，进程用 multiprocessing.Array('q', lock=False)；每人加到自己那一格"
    ),
    "bell.ring": "客人阻塞在 Event.wait() 上；敲铃人 set() 开门，过一会儿 clear() 关门",
    "bell.peek": "客人从不阻塞：用 wait(0) 偷看一眼，没开就小睡 poll_ms 再看（延迟约为 poll_ms，还要占 CPU）",
    "seats.semaphore": "每位客人从信号量 seats（K 个许可）拿一个许可再坐下",
    "seats.sign": "没有信号量：客人先看牌子上的“已坐人数”，再去加一（先检查后行动的竞争）",
    "menu.reader": (
        "读者优先：读者占 room 的 R 个许可中的一个；写者要等 R 个许可同时空出来，读者络绎不绝时写者就进不去"
    ),
    "menu.writer": "写者优先：有写者在等时，新来的读者让路",
    "menu.fair": "公平：大家依次穿过一把旋转门锁 door；写者拿着门锁收齐 R 个许可",
    "signals.kitchen": "厨师们共用灶台（一把锁），每做好一道菜就用 SIGUSR1 通知服务员；服务员定好闹钟后 pause() 等待",
    "messages.chandy-misra": (
        "叉子和请求都是消息，相邻两人之间各有一条管道；脏叉子有人要就给，干净的吃完再给；永不死锁"
    ),
    "messages.selfish": "每人开局拿着左叉，吃之前什么都不给别人：一个由消息构成的死锁（meals_total 一直是 0）",
    "pool.compare": "同一批订单做三遍：Pool.apply_async（含进程池启动）、Pool.map（进程池已就绪）、每单新建一个进程",
    "gil.lecture": (
        "jobs 个计算任务（数数）、jobs 个文件读写任务和 jobs 个等待任务（sleep），各用三种方式跑：依次、线程、进程"
    ),
    "closing.closing": (
        "店主雇一台收音机（一直响到被停下）和几位洗碗工（各自再雇一位冲洗工），可以 join 洗碗工，写完打烊报告就结束"
    ),
    "startup.rush": "先给单次线程启动和进程启动计时，再由选定的班底应付这波订单高峰",
    "lineup.helpers": (
        "主角色（守护与非守护交替）各自启动一个守护和一个非守护帮手，"
        "只 join 非守护的那个就结束；观察者记录每个帮手的心跳何时停止"
    ),
}

WORDS_ZH: Mapping[str, str] = types.MappingProxyType(
    {f"knob.{k}": v for k, v in _KNOBS_ZH.items()}
    | {f"option.{k}": v for k, v in _OPTIONS_ZH.items()}
    | {f"strategy.{k}": v for k, v in _STRATEGIES_ZH.items()}
)
"""Chinese words by ``knob.NAME``, ``option.KNOB.VALUE`` and ``strategy.SCENARIO.NAME``."""


def knob_label(name: str, language: str) -> str:
    """A knob as the briefing labels it: its identifier in English, words and identifier in Chinese."""
    return WORDS_ZH.get(f"knob.{name}", name) if language == "zh" else name


def option_label(knob: str, value: str, language: str) -> str:
    return WORDS_ZH.get(f"option.{knob}.{value}", value) if language == "zh" else value


def strategy_text(scenario: str, strategy: str, english: str, language: str) -> str:
    """What a strategy does: the scenario's own English words, or their Chinese translation."""
    return WORDS_ZH.get(f"strategy.{scenario}.{strategy}", english) if language == "zh" else english

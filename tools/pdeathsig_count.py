"""How many parent-death signals a child gets when its multi-threaded parent is SIGKILLed.

    python tools/pdeathsig_count.py [--threads 3] [--tries 12]

``prctl(PR_SET_PDEATHSIG)`` watches the *thread* that started the child. When that thread
exits while other threads of its process still run, the kernel re-parents the child to one of
them and sends the signal; when that thread exits, again. A SIGKILLed process's threads exit
one by one, as each gets a CPU, so its child can get the signal several times: the engine
host's SIGTERM handler must act once (sims.engine.serve). Each try starts a parent with
``--threads`` threads (all but one busy in Python), whose child asks for a real-time signal
(queued, never merged) and counts them; the parent is SIGKILLed once the child is ready.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import signal
import subprocess
import sys
import threading

PR_SET_PDEATHSIG = 1
COUNT_FOR_S = 3.0


def child() -> None:
    got: list[int] = []
    signum = signal.SIGRTMIN
    signal.signal(signum, lambda s, f: got.append(s))
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    print("ready", flush=True)
    threading.Event().wait(COUNT_FOR_S)  # the parent is killed meanwhile; the signals interrupt the wait
    print(len(got), flush=True)


def parent(threads: int) -> None:
    for _ in range(threads - 1):
        threading.Thread(target=lambda: [sum(range(1000)) for _ in iter(int, 1)], daemon=True).start()
    subprocess.Popen([sys.executable, __file__, "--child"], stdout=sys.stdout)
    threading.Event().wait()


def one_try(threads: int) -> int:
    """Signals the child counted after its parent, with ``threads`` threads, was SIGKILLed."""
    run = subprocess.Popen(
        [sys.executable, __file__, "--parent", "--threads", str(threads)], stdout=subprocess.PIPE, text=True
    )
    assert run.stdout is not None
    if run.stdout.readline().strip() != "ready":
        raise RuntimeError("the child did not start")
    run.kill()
    run.wait()
    return int(run.stdout.readline())  # the child holds the pipe's write end until it prints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--tries", type=int, default=12)
    parser.add_argument("--parent", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
    elif args.parent:
        parent(args.threads)
    else:
        counts = collections.Counter(one_try(args.threads) for _ in range(args.tries))
        shown = ", ".join(f"{n} signal{'s' * (n != 1)}: {counts[n]}" for n in sorted(counts))
        print(f"{args.threads} threads in the killed parent, {args.tries} tries: {shown}")


if __name__ == "__main__":
    main()

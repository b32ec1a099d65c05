"""Work off the window's thread: answers come back, failures are reported, cancelling ends it all."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from game.background import BackgroundJob, JobFailed
from tests.helpers import wait_until

pytestmark = pytest.mark.timeout(60)


def add(a: int, b: int) -> int:
    return a + b


def fail(message: str) -> None:
    raise ValueError(message)


def vanish() -> None:
    import os

    os._exit(3)  # the worker ends without an answer (as a crash of the interpreter would)


def forever() -> None:
    while True:
        time.sleep(1)  # the worker's own idle loop: the test cancels it


def test_the_answer_comes_back_and_the_process_is_gone() -> None:
    job = BackgroundJob(add, 2, 3)
    wait_until(job.poll, timeout=30)
    assert job.answer == 5
    wait_until(lambda: job.poll() and job._process is None, timeout=30)  # reaped by a later poll, never waited for


def test_an_exception_is_an_answer_with_its_traceback() -> None:
    job = BackgroundJob(fail, "broken code")
    wait_until(job.poll, timeout=30)
    assert isinstance(job.answer, JobFailed) and "ValueError: broken code" in job.answer.error
    assert job.answer.raised == "ValueError: broken code" and not job.answer.ended


def test_a_worker_that_ends_without_an_answer_says_so() -> None:
    job = BackgroundJob(vanish)
    wait_until(job.poll, timeout=30)
    assert isinstance(job.answer, JobFailed) and job.answer.ended and job.answer.error == ""
    assert job.answer.exit_code in (3, None)  # None: it had not been reaped when its pipe closed
    job.close()


def test_a_job_that_never_ends_is_cancelled_without_waiting_for_it() -> None:
    job = BackgroundJob(forever)
    pid = job._process.pid
    assert not job.poll()
    job.close()
    stat = Path(f"/proc/{pid}/stat")
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    job.close()  # twice is fine

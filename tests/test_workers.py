"""The crawl's worker pool (crawler.workers): results, errors, dead workers, imports."""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future

import pytest

from crawler.workers import ProcessPool, WorkerDied


def loaded(module: str) -> bool:
    return module in sys.modules


def die() -> None:
    os._exit(3)


def pid_after(value: int) -> tuple[int, int]:
    return value, os.getpid()


@pytest.fixture
def pool():
    p = ProcessPool(1)
    yield p
    p.shutdown()


def test_results_and_errors_come_back_through_futures(pool):
    assert pool.submit(pow, 2, 10).result(timeout=60) == 1024
    with pytest.raises(ValueError, match="invalid literal"):
        pool.submit(int, "x").result(timeout=60)
    assert pool.submit(pow, 3, 2).result(timeout=60) == 9  # the worker lives on


def test_a_dead_worker_fails_its_job_only_and_is_replaced(pool):
    first = pool.submit(pid_after, 1).result(timeout=60)[1]
    with pytest.raises(WorkerDied, match="exit code 3"):
        pool.submit(die).result(timeout=60)
    value, second = pool.submit(pid_after, 2).result(timeout=60)
    assert value == 2 and second != first


def test_a_worker_gone_between_jobs_is_replaced_before_the_next_job(pool):
    import signal
    import time

    first = pool.submit(pid_after, 1).result(timeout=60)[1]
    os.kill(first, signal.SIGKILL)
    for _ in range(500):  # until it has exited (a zombie: its pipes are closed)
        with open(f"/proc/{first}/stat") as fh:
            if fh.read().split(")")[1].split()[0] == "Z":
                break
        time.sleep(0.01)
    value, second = pool.submit(pid_after, 2).result(timeout=60)
    assert value == 2 and second != first


def test_workers_that_keep_dying_break_the_pool_instead_of_looping(pool):
    for _ in range(2):
        with pytest.raises(WorkerDied):
            pool.submit(die).result(timeout=60)
    with pytest.raises(WorkerDied, match="keep exiting"):
        pool.submit(pow, 2, 2).result(timeout=60)


def test_a_job_that_cannot_be_sent_fails_alone(pool):
    with pytest.raises((TypeError, AttributeError)):
        pool.submit(pow, lambda: 1, 2).result(timeout=60)
    assert pool.submit(pow, 2, 3).result(timeout=60) == 8


def test_workers_import_only_what_their_jobs_need():
    """Unlike multiprocessing's spawn, a worker does not re-run the parent's __main__
    (for `provnews`, crawler.cli: Scrapy and Twisted, +30 MB per worker)."""
    import crawler.cli  # noqa: F401 (what the crawl process has loaded)

    assert "scrapy" in sys.modules
    p = ProcessPool(1)
    try:
        assert p.submit(loaded, "scrapy").result(timeout=60) is False
        assert p.submit(loaded, "twisted").result(timeout=60) is False
    finally:
        p.shutdown()


def test_shutdown_finishes_submitted_jobs_then_refuses_more():
    p = ProcessPool(2)
    futures: list[Future[int]] = [p.submit(pow, 2, n) for n in range(6)]
    p.shutdown()
    assert [f.result(timeout=0) for f in futures] == [2**n for n in range(6)]
    with pytest.raises(RuntimeError, match="after shutdown"):
        p.submit(pow, 2, 2)


def die_after(seconds: float) -> None:
    import time

    time.sleep(seconds)
    os._exit(4)


def length(data: bytes) -> int:
    return len(data)


def test_a_job_handed_ahead_survives_the_death_of_the_job_before_it(pool):
    """The worker holds its next job while it runs the current one; when it dies on the
    current one, the next was never started and goes to a new worker."""
    first = pool.submit(pid_after, 0).result(timeout=60)[1]
    doomed = pool.submit(die_after, 0.5)
    following = pool.submit(pid_after, 1)
    with pytest.raises(WorkerDied, match="exit code 4"):
        doomed.result(timeout=60)
    value, pid = following.result(timeout=60)
    assert value == 1 and pid != first


def test_large_jobs_go_through_memory_files_which_are_emptied_after_reading(pool):
    payload = os.urandom(5 << 20)
    assert pool.submit(length, payload).result(timeout=60) == len(payload)
    memfds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:provnews-jobs"):
                memfds.append(os.stat(f"/proc/self/fd/{fd}"))
        except OSError:  # the descriptor listdir itself used
            continue
    if hasattr(os, "memfd_create"):
        assert len(memfds) >= 2
    assert all(st.st_size == 0 for st in memfds)  # the worker gave the memory back


def test_an_initializer_that_cannot_be_sent_breaks_the_pool_with_its_reason():
    p = ProcessPool(1, initializer=lambda: None)  # a lambda cannot be pickled
    try:
        with pytest.raises(WorkerDied, match="cannot start a worker process"):
            p.submit(pow, 2, 2).result(timeout=60)
        with pytest.raises(WorkerDied):
            p.submit(pow, 2, 3).result(timeout=60)
    finally:
        p.shutdown()

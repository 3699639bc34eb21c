"""A pool of worker processes for a crawl's CPU work, without ``multiprocessing``.

``concurrent.futures.ProcessPoolExecutor`` with the spawn start method costs a crawl two
things it does not need: a resource-tracker process (~12 MB resident) and, in every
worker, a fresh import of the parent's ``__main__`` module; for the ``provnews`` command
that is ``crawler.cli``, which brings Scrapy and Twisted into each worker although a
worker never downloads (98 against 68 MB resident after a worker's imports). Here each
worker is ``python -m crawler.workers``, which imports only what its jobs import, and
talks to the crawl process over two pipes of its own (length-prefixed pickles), one job
at a time.

One thread per worker in the crawl process feeds it jobs from a shared queue and hands
back results as :class:`~concurrent.futures.Future` objects, so callers use ``wait`` and
``result()`` as with the standard executors. A worker that dies takes only its current
job with it (that future fails with :class:`WorkerDied`); the next job gets a new worker.
When two workers in a row die before finishing any job (they cannot start), the pool is
broken: every job then fails at once instead of starting processes in a loop.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, BinaryIO

_HEADER = struct.Struct("<Q")
_Worker = tuple[subprocess.Popen[bytes], BinaryIO, BinaryIO]  # the process, its two pipes


class WorkerDied(RuntimeError):
    """A worker process exited (crashed, was killed, or could not start) during a job."""


def _write(stream: BinaryIO, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _send(stream: BinaryIO, obj: object) -> None:
    _write(stream, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _read(stream: BinaryIO) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("worker pipe closed")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker pipe closed mid-message")
    return data


def _receive(stream: BinaryIO) -> Any:
    return pickle.loads(_read(stream))  # noqa: S301 (our own worker, over our own pipe)


class ProcessPool:
    """``workers`` processes, each started with ``initializer(*initargs)``."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()):
        if workers < 1:
            raise ValueError("a process pool needs at least one worker")
        self._init = (initializer, initargs)
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue())
        self._broken: str | None = None
        self._closed = False
        self._threads = [threading.Thread(target=self._drive, name=f"provnews-worker-{i}", daemon=True)
                         for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("cannot submit to a process pool after shutdown")
        future: Future[Any] = Future()
        self._jobs.put((future, fn, args))
        return future

    def shutdown(self, wait: bool = True) -> None:
        """Let the workers finish the jobs already submitted, then stop them."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    # -- one thread per worker process -------------------------------------------------
    def _start(self) -> _Worker:
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        try:
            proc = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
                [sys.executable, "-m", "crawler.workers", str(jobs_r), str(results_w)],
                pass_fds=(jobs_r, results_w), stdin=subprocess.DEVNULL)
        finally:
            os.close(jobs_r)
            os.close(results_w)
        to_worker = os.fdopen(jobs_w, "wb")
        from_worker = os.fdopen(results_r, "rb")
        _send(to_worker, self._init)
        return proc, to_worker, from_worker

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes], to_worker: BinaryIO, from_worker: BinaryIO) -> None:
        for stream in (to_worker, from_worker):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _deliver(self, worker: _Worker | None, job: bytes) -> _Worker:
        """Send the (pickled) job, to a new worker if there is none or this one has exited
        since its last job (the job was not delivered, so it is safe to send it again)."""
        if worker is not None:
            try:
                _write(worker[1], job)
                return worker
            except OSError:
                self._stop(*worker)
        worker = self._start()
        _write(worker[1], job)
        return worker

    def _drive(self) -> None:
        worker: _Worker | None = None
        finished = 0  # jobs the current worker finished
        failures = 0  # workers in a row that exited before finishing any job
        while (item := self._jobs.get()) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            if self._broken:
                future.set_exception(WorkerDied(self._broken))
                continue
            try:
                job = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # the job itself cannot be sent: no worker involved
                future.set_exception(exc)
                continue
            try:
                started = worker
                worker = self._deliver(worker, job)
                if worker is not started:
                    finished = 0
                del job
                data = _read(worker[2])
            except (OSError, EOFError) as exc:
                code = None
                if worker is not None:
                    self._stop(*worker)
                    code = worker[0].returncode
                worker = None
                # A worker that had finished jobs died on this one (a crash on a page): start
                # another. Workers that cannot finish even one job (cannot start) break the pool.
                failures = failures + 1 if finished == 0 else 1
                message = f"a worker process exited during a job (exit code {code}: {exc})"
                if failures >= 2:
                    self._broken = f"worker processes keep exiting; last: {message}"
                future.set_exception(WorkerDied(message))
                continue
            failures = 0
            finished += 1
            try:
                ok, value = pickle.loads(data)  # noqa: S301 (our own worker, over our own pipe)
            except Exception as exc:  # an exception class that cannot be rebuilt here
                future.set_exception(RuntimeError(f"a worker's reply could not be read: {exc!r}"))
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        if worker is not None:
            self._stop(*worker)


def _serve(jobs_fd: int, results_fd: int) -> None:
    """The worker's loop: run the initializer, then each job, until the pipe closes."""
    with os.fdopen(jobs_fd, "rb") as jobs, os.fdopen(results_fd, "wb") as results:
        initializer, initargs = _receive(jobs)
        if initializer is not None:
            initializer(*initargs)
        while True:
            try:
                fn, args = _receive(jobs)
            except EOFError:
                return
            try:
                reply: tuple[bool, Any] = (True, fn(*args))
            except Exception as exc:  # the job's own error goes back to its future
                reply = (False, exc)
            try:
                _send(results, reply)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                _send(results, (False, RuntimeError(f"result not picklable: {type(exc).__name__}: {exc}")))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))

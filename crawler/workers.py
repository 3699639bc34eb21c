"""A pool of worker processes for a crawl's CPU work, without ``multiprocessing``.

``concurrent.futures.ProcessPoolExecutor`` with the spawn start method costs a crawl two
things it does not need: a resource-tracker process (~12 MB resident) and, in every
worker, a fresh import of the parent's ``__main__`` module; for the ``provnews`` command
that is ``crawler.cli``, which brings Scrapy and Twisted into each worker although a
worker never downloads (98 against 68 MB resident after a worker's imports). Here each
worker is ``python -m crawler.workers``, which imports only what its jobs import.

One thread per worker in the crawl process feeds it jobs from a shared queue and hands
back results as :class:`~concurrent.futures.Future` objects, so callers use ``wait`` and
``result()`` as with the standard executors. A job (a pickle, ~2 MB for a batch of pages)
goes into one of two in-memory files the thread shares with its worker (Linux
``memfd``), and only its size and slot go down the pipe: one copy, where the job went
through the 64 KB pipe chunk by chunk (a worker spent ~10 % of its time waiting in that
read, in a py-spy profile of the bench crawl). With two slots the thread hands the
worker its next job while it works on the current one, so a worker does not sit idle
between batches waiting to be fed. Where there is no ``memfd`` the job goes down the
pipe itself, one at a time.

A worker that dies takes only its current job with it (that future fails with
:class:`WorkerDied`); a job handed to it ahead, not started, goes to the next worker.
When two workers in a row die before finishing any job (they cannot start), the pool is
broken: every job then fails at once instead of starting processes in a loop.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, BinaryIO

_HEADER = struct.Struct("<QI")  # payload size, slot (INLINE: the payload follows in the pipe)
INLINE = 0xFFFFFFFF
_Worker = tuple[subprocess.Popen[bytes], BinaryIO, BinaryIO]  # the process, its two pipes


class WorkerDied(RuntimeError):
    """A worker process exited (crashed, was killed, or could not start) during a job."""


def _pack(obj: object) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _write(stream: BinaryIO, data: bytes, slot: int = INLINE) -> None:
    stream.write(_HEADER.pack(len(data), slot))
    stream.write(data)
    stream.flush()


def _exactly(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes from the stream (which may be unbuffered: reads can come back short)."""
    data = stream.read(size)
    if data is None or len(data) == size:
        return data or b""
    parts = [data]
    got = len(data)
    while data and got < size:
        data = stream.read(size - got)
        if data:
            parts.append(data)
            got += len(data)
    return b"".join(parts)


def _read(stream: BinaryIO, slots: list[int] | tuple[int, ...] = ()) -> bytes:
    header = _exactly(stream, _HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("worker pipe closed")
    size, slot = _HEADER.unpack(header)
    if slot != INLINE:
        data = _pread(slots[slot], size)
        os.ftruncate(slots[slot], 0)  # its memory back at once, not when the slot is next used
        return data
    data = _exactly(stream, size)
    if len(data) < size:
        raise EOFError("worker pipe closed mid-message")
    return data


def _pread(fd: int, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        part = os.pread(fd, size - got, got)
        if not part:
            raise EOFError("job slot shorter than announced")
        parts.append(part)
        got += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)  # (b"" for an empty job)


def _pwrite(fd: int, data: bytes) -> None:
    view, done = memoryview(data), 0
    while done < len(data):
        done += os.pwrite(fd, view[done:], done)


def _receive(stream: BinaryIO, slots: list[int] | tuple[int, ...] = ()) -> Any:
    return pickle.loads(_read(stream, slots))  # noqa: S301 (our own worker, over our own pipe)


@dataclass
class _Job:
    future: Future[Any]
    data: bytes | None
    """The pickle while it is not in a slot (kept for the inline path only)."""
    slot: int = INLINE
    size: int = 0
    delivered: bool = False


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
        self._feeders = [_Feeder(self, i) for i in range(workers)]
        self._threads = [threading.Thread(target=f.run, name=f"provnews-worker-{i}", daemon=True)
                         for i, f in enumerate(self._feeders)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("cannot submit to a process pool after shutdown")
        future: Future[Any] = Future()
        self._jobs.put((future, fn, args))
        for feeder in self._feeders:  # a feeder waiting on its worker may take it ahead
            feeder.ring()
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


class _Feeder:
    """One thread of the pool: feeds one worker process (a new one after a death)."""

    def __init__(self, pool: ProcessPool, index: int):
        self.pool = pool
        self.slots: list[int] = []
        if hasattr(os, "memfd_create"):
            self.slots = [os.memfd_create(f"provnews-jobs-{index}-{k}", os.MFD_CLOEXEC) for k in range(2)]
        self.ahead = len(self.slots) or 1
        """Jobs a worker may hold: the one it runs and, with slots, the next."""
        self.bell = os.pipe() if self.ahead > 1 else None
        """Rung by ``submit``: wakes this thread while it waits for its worker's answer."""
        if self.bell is not None:
            os.set_blocking(self.bell[1], False)
        self.bell_lock = threading.Lock()
        self.worker: _Worker | None = None
        self.sent: deque[_Job] = deque()
        """Jobs the current worker holds, oldest (the one it runs) first."""
        self.finished = 0  # jobs the current worker finished
        self.failures = 0  # workers in a row that exited before finishing any job

    def ring(self) -> None:
        with self.bell_lock:  # not a closed (and maybe reused) descriptor
            if self.bell is not None:
                with contextlib.suppress(BlockingIOError):  # full: rung already
                    os.write(self.bell[1], b"\0")

    def run(self) -> None:
        stopping = False
        # Start the worker now: its imports and initializer (~1 s) overlap the crawl's
        # discovery instead of delaying the first batch.
        with contextlib.suppress(Exception):  # else the first job starts one, and finds out
            self.worker = self._start()
        try:
            while True:
                if not stopping and len(self.sent) < self.ahead and not (self.sent and self._other_idle()):
                    try:
                        item = self.pool._jobs.get(block=not self.sent)
                    except queue.Empty:  # none waiting: wait for the worker's answer below
                        pass
                    else:
                        if item is None:
                            stopping = True
                        else:
                            self._take(item)
                            continue
                if not self.sent:
                    if stopping:
                        return
                elif stopping or len(self.sent) >= self.ahead or self._answer_ready():
                    self._answer()
        finally:
            if self.worker is not None:
                self._stop(*self.worker)
            with self.bell_lock:
                bell, self.bell = self.bell, None
            for fd in [*self.slots, *(bell or ())]:
                os.close(fd)

    def _other_idle(self) -> bool:
        """Another feeder's worker has nothing to do: a job should go there, not ahead here."""
        return any(not f.sent for f in self.pool._feeders if f is not self)

    def _answer_ready(self) -> bool:
        """Wait for the worker's answer or a new job (the bell); True: the answer (or the
        worker's end) is there to read."""
        assert self.bell is not None
        if self.worker is None or not self.sent[0].delivered:
            return True  # nothing to wait for: _answer finds the worker gone
        answers = self.worker[2].fileno()
        poller = select.poll()  # not select(): a crawl's sockets can take fds above 1024
        poller.register(self.bell[0], select.POLLIN)
        poller.register(answers, select.POLLIN)
        ready = {fd for fd, _event in poller.poll()}
        if self.bell[0] in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self.bell[0], 4096)
        return answers in ready

    def _take(self, item: tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]) -> None:
        future, fn, args = item
        if not future.set_running_or_notify_cancel():
            return
        if self.pool._broken:
            future.set_exception(WorkerDied(self.pool._broken))
            return
        try:
            data = _pack((fn, args))
        except Exception as exc:  # the job itself cannot be sent: no worker involved
            future.set_exception(exc)
            return
        job = _Job(future, data, size=len(data))
        if self.slots:
            job.slot = next(k for k in range(len(self.slots)) if all(j.slot != k for j in self.sent))
            try:
                _pwrite(self.slots[job.slot], data)
            except OSError as exc:  # no memory for it: this job fails, the pool goes on
                future.set_exception(exc)
                return
            job.data = None
        del data
        self.sent.append(job)
        self._deliver(job)

    def _deliver(self, job: _Job) -> None:
        """Announce the job to the worker; to a new worker if there is none, or if this one
        exited while idle (nothing of its own is lost, so the job just goes to the next)."""
        if self.worker is not None:
            try:
                self._announce(self.worker, job)
                job.delivered = True
                return
            except OSError:
                if len(self.sent) > 1:
                    return  # it died on an earlier job: reading that job's answer finds out
                self._stop(*self.worker)
                self.worker = None
        job.delivered = True  # a new worker that cannot take its first job dies with it
        try:
            self.worker = self._start()
            self.finished = 0
            self._announce(self.worker, job)
        except OSError:
            pass  # _answer finds the worker gone (or never started) and fails the job
        except Exception as exc:  # the initializer cannot be sent: no worker can ever start
            self.pool._broken = f"cannot start a worker process: {type(exc).__name__}: {exc}"

    @staticmethod
    def _announce(worker: _Worker, job: _Job) -> None:
        if job.slot == INLINE:
            assert job.data is not None
            _write(worker[1], job.data)
        else:
            worker[1].write(_HEADER.pack(job.size, job.slot))
            worker[1].flush()

    def _answer(self) -> None:
        """Read the worker's answer to its oldest job; on its death fail that job only and
        hand the others (never started) to a new worker."""
        job = self.sent[0]
        try:
            if self.worker is None:
                raise EOFError("no worker process could be started")
            if not job.delivered:
                raise EOFError("the worker was gone before the job reached it")
            data = _read(self.worker[2])
        except (OSError, EOFError) as exc:
            self._died(exc)
            return
        self.sent.popleft()
        self.failures = 0
        self.finished += 1
        try:
            ok, value = pickle.loads(data)  # noqa: S301 (our own worker, over our own pipe)
        except Exception as exc:  # an exception class that cannot be rebuilt here
            job.future.set_exception(RuntimeError(f"a worker's reply could not be read: {exc!r}"))
            return
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)

    def _died(self, exc: BaseException) -> None:
        code = None
        if self.worker is not None:
            self._stop(*self.worker)
            code = self.worker[0].returncode
        self.worker = None
        jobs, self.sent = list(self.sent), deque()
        lost = jobs.pop(0) if jobs[0].delivered else None
        if lost is not None:
            # A worker that had finished jobs died on this one (a crash on a page): start
            # another. Workers that cannot finish even one job (cannot start) break the pool.
            self.failures = self.failures + 1 if self.finished == 0 else 1
            message = f"a worker process exited during a job (exit code {code}: {exc})"
            if self.pool._broken:  # no worker can start (the reason is there)
                message = self.pool._broken
            elif self.failures >= 2:
                self.pool._broken = f"worker processes keep exiting; last: {message}"
            lost.future.set_exception(WorkerDied(message))
        for job in jobs:  # handed over ahead, never started: the next worker runs them
            if self.pool._broken:
                job.future.set_exception(WorkerDied(self.pool._broken))
                continue
            job.delivered = False
            self.sent.append(job)
            self._deliver(job)

    # -- the worker process ------------------------------------------------------------
    def _start(self) -> _Worker:
        init = _pack(self.pool._init)  # before any process: an error here starts none
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        try:
            proc = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
                [sys.executable, "-m", "crawler.workers", str(jobs_r), str(results_w),
                 *map(str, self.slots)],
                pass_fds=(jobs_r, results_w, *self.slots), stdin=subprocess.DEVNULL)
        except BaseException:
            os.close(jobs_w)
            os.close(results_r)
            raise
        finally:
            os.close(jobs_r)
            os.close(results_w)
        to_worker = os.fdopen(jobs_w, "wb")
        from_worker = os.fdopen(results_r, "rb", buffering=0)  # nothing read ahead of poll()
        try:
            _write(to_worker, init)
        except BaseException:
            self._stop(proc, to_worker, from_worker)
            raise
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


def _serve(jobs_fd: int, results_fd: int, slots: list[int]) -> None:
    """The worker's loop: run the initializer, then each job, until the pipe closes."""
    with os.fdopen(jobs_fd, "rb") as jobs, os.fdopen(results_fd, "wb") as results:
        initializer, initargs = _receive(jobs, slots)
        if initializer is not None:
            initializer(*initargs)
        while True:
            try:
                fn, args = _receive(jobs, slots)
            except EOFError:
                return
            try:
                reply: tuple[bool, Any] = (True, fn(*args))
            except Exception as exc:  # the job's own error goes back to its future
                reply = (False, exc)
            try:
                _write(results, _pack(reply))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                problem = RuntimeError(f"result not picklable: {type(exc).__name__}: {exc}")
                _write(results, _pack((False, problem)))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), [int(fd) for fd in sys.argv[3:]])

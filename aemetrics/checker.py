"""The checker: Great Expectations in a worker process of the run (docs/quality.md, issue 10).

Importing GX costs ~2 s and validating is pure Python, so a run starts one worker process
(`running()`, multiprocessing's *spawn* context: the run process has DuckDB threads and is never
forked) that imports GX on the second core while the run ingests and builds. The run reads each
suite's frame from DuckDB and sends it (a pickled DataFrame) with the suite, described plainly
(`quality.Expect`); the worker builds the GX expectations, validates and sends back plain result
dicts (`quality._Gx.check`). The run stores results, quarantines rows and decides what blocks
exactly as before (`quality.PendingValidation.finish`): only where GX runs has moved.

Without a running checker (`current()` is None: tests calling `quality.validate`, notebooks, a
machine where the worker cannot start, or AEMETRICS_CHECKER=off) GX runs in the calling process
(`InProcess`): the same code and the same results. If the worker dies mid-run, the run fails
naming its exit code (`CheckerError`). The worker is always stopped when `running()` exits
(error, KeyboardInterrupt included), and stops itself when the run process disappears (killed).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

from aemetrics import quality
from aemetrics.processes import main_module_hidden

log = logging.getLogger("aemetrics.checker")

START_METHOD = "spawn"  # never fork: the run process has DuckDB (and Arrow) threads
DISABLE = "AEMETRICS_CHECKER"  # "off": validate in the run process (no worker)


class CheckerError(RuntimeError):
    """GX raised in the checker process; the message carries its traceback."""


class Pending:
    """A suite's GX result, to come."""

    def __init__(self, compute, on_cancel=None) -> None:
        self._compute = compute
        self._on_cancel = on_cancel
        self._value: list[dict] | None = None
        self._computed = False

    def result(self) -> list[dict] | None:
        """The result dicts (None: a quick frame's validation found a failure, quality._SecondLook)."""
        if not self._computed:
            self._value, self._computed = self._compute(), True
        return self._value

    def cancel(self) -> None:
        """The result will not be asked for (its frame went stale)."""
        self._compute = list
        if self._on_cancel is not None:
            self._on_cancel()


class InProcess:
    """GX in this process, one context for the validation; each suite validated when asked."""

    def __init__(self) -> None:
        self._gx: quality._Gx | None = None

    def submit(
        self,
        suite: quality.TableSuite,
        frame,
        extra: Sequence[tuple[quality.Expect, str]],
        whole=None,
        quick_only: bool = False,
    ) -> Pending:
        def compute() -> list[dict] | None:
            if self._gx is None:
                self._gx = quality._Gx()
            return self._gx.check(suite, frame, extra, whole, quick_only)

        return Pending(compute)


def _serve(tasks, results) -> None:
    """The worker: import GX, then validate each (id, suite, frame, extra, whole, quick_only) it is sent. (Warming GX
    up on a small frame was tried: it saved nothing on the first suites and cost ~0.1 s.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the run, which stops this worker
    parent = multiprocessing.parent_process()
    # GX draws (disabled) tqdm bars, and tqdm's default lock is a multiprocessing lock: a
    # semaphore the fast exit below would leave behind. A thread lock is all one process needs.
    import tqdm  # type: ignore[import-untyped]  # (a dependency of GX)

    tqdm.tqdm.set_lock(threading.RLock())
    gx = quality._Gx()
    while True:
        try:
            item = tasks.get(timeout=0.5)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return  # the run was killed: nobody will ask any more
            continue
        if item is None:  # the run has every answer: flush the last ones, then leave at once
            results.close()
            results.join_thread()
            os._exit(0)  # tearing down an interpreter holding GX takes ~0.5 s the run would wait for
        task_id, suite, frame, extra, whole, quick_only = item
        try:
            results.put((task_id, True, gx.check(suite, frame, extra, whole, quick_only)))
        except Exception:
            results.put((task_id, False, f"{suite.table}: {traceback.format_exc()}"))


class Checker:
    """The worker process and the two queues to it (tasks out, results back). Queues, not pipes:
    a put never blocks, so neither side can wait on the other with full buffers. Frames are not
    kept once sent; at most MAX_ROWS_IN_FLIGHT rows wait in the queue (beyond one frame)."""

    MAX_ROWS_IN_FLIGHT = 2_000_000

    def __init__(self) -> None:
        ctx: Any = multiprocessing.get_context(START_METHOD)  # typeshed: BaseContext lacks Process
        self._tasks = ctx.Queue()
        self._results = ctx.Queue()
        self._process = ctx.Process(
            target=_serve, args=(self._tasks, self._results), name="aemetrics-checker", daemon=True
        )
        self._ids = itertools.count()
        self._sent: dict[int, int] = {}  # task id -> rows, until its result is in
        self._done: dict[int, tuple[bool, Any]] = {}
        self._ever_sent = False
        self._lock = threading.Lock()  # Prefect may call from its task threads
        with main_module_hidden():
            self._process.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def submit(
        self,
        suite: quality.TableSuite,
        frame,
        extra: Sequence[tuple[quality.Expect, str]],
        whole=None,
        quick_only: bool = False,
    ) -> Pending:
        with self._lock:
            while self._sent and sum(self._sent.values()) + len(frame) > self.MAX_ROWS_IN_FLIGHT:
                self._receive()
            task_id = next(self._ids)
            self._sent[task_id] = len(frame)
            self._ever_sent = True
            self._tasks.put((task_id, suite, frame, list(extra), whole, quick_only))
        return Pending(lambda: self._result(task_id), lambda: self._cancel(task_id))

    def _cancel(self, task_id: int) -> None:
        with self._lock:
            self._sent.pop(task_id, None)  # its result is dropped when it comes
            self._done.pop(task_id, None)

    def _receive(self) -> None:
        """Take one result off the queue (the lock held); raise if the worker is gone."""
        try:
            got, ok, value = self._results.get(timeout=0.5)
        except queue.Empty:
            if not self._process.is_alive():
                raise CheckerError(
                    f"the checker process stopped (exit code {self._process.exitcode}) before it answered"
                ) from None
            return
        if self._sent.pop(got, None) is not None:  # else cancelled: dropped
            self._done[got] = (ok, value)

    def _result(self, task_id: int) -> list[dict]:
        with self._lock:
            while task_id not in self._done:
                if task_id not in self._sent:
                    raise CheckerError(f"task {task_id} was cancelled")
                self._receive()
            ok, value = self._done.pop(task_id)
        if not ok:
            raise CheckerError(value)
        return value

    def close(self) -> None:
        """Stop the worker and reap it: asked to stop when it was used (an idle worker flushes its
        queue and exits at once), else (or if it does not stop within 2 s: an error mid-run)
        terminated, then killed. A run that needed no checks (nothing changed) does not wait
        for GX's import to finish."""
        if self._ever_sent:
            with contextlib.suppress(Exception):
                self._tasks.put(None)
            self._process.join(2)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        for q in (self._tasks, self._results):
            q.cancel_join_thread()  # nothing left to deliver: never wait on a queue's feeder at exit
            q.close()


# the run's checker, in the run's context (a context variable, not a global: another run in
# another thread of this process, e.g. under `aemetrics serve`, must neither use nor stop it;
# Prefect runs a flow's tasks in copies of the flow's context, so they see it)
_current: contextvars.ContextVar[Checker | None] = contextvars.ContextVar("aemetrics_checker", default=None)


def current() -> Checker | None:
    """The checker of the run in progress in this context, if any."""
    return _current.get()


@contextlib.contextmanager
def running(enabled: bool = True) -> Iterator[Checker | None]:
    """Start the checker for the duration of a run (`current()` returns it); stop it on exit,
    whatever the exit. Yields None, and GX runs in the calling process, when not enabled, when
    this run already has one (nested), or when the worker cannot start."""
    checker = None
    if enabled and _current.get() is None and os.environ.get(DISABLE, "").lower() not in ("off", "0", "no"):
        try:
            checker = Checker()
        except Exception as exc:  # no multiprocessing here (no semaphores, no spawn): GX in this process
            log.warning("the checker process could not start (%s): validating in this process", exc)
    if checker is None:
        yield None
        return
    token = _current.set(checker)
    try:
        yield checker
    finally:
        _current.reset(token)
        checker.close()

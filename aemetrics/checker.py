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
(`InProcess`): the same code and the same results. If the worker dies, what it had not answered
is validated in the calling process. The worker is always stopped when `running()` exits (error,
KeyboardInterrupt included), and stops itself when the run process disappears (killed).
"""

from __future__ import annotations

import contextlib
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

    def result(self) -> list[dict]:
        if self._value is None:
            self._value = self._compute()
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

    def submit(self, suite: quality.TableSuite, frame, extra: Sequence[tuple[quality.Expect, str]]) -> Pending:
        def compute() -> list[dict]:
            if self._gx is None:
                self._gx = quality._Gx()
            return self._gx.check(suite, frame, extra)

        return Pending(compute)


def _warm_up(gx: quality._Gx) -> None:
    """Validate a three-row frame with every kind of expectation the suites use, so that GX's
    first-use costs (metric registries, lazy imports) are paid before the first real suite."""
    import pandas as pd

    when = pd.Timestamp("2025-01-01", tz="UTC")
    frame = pd.DataFrame(
        dict(k=["a", "b", "c"], r=["1", "2", "3"], t=[when] * 3, u=[when] * 3, s=["x", "y", "x"], f=[True] * 3)
    )
    e = quality.EXPECT
    expectations = [
        (e.ExpectColumnValuesToNotBeNull(column="k"), "quarantine"),
        (e.ExpectColumnValuesToBeBetween(column="t", min_value=quality.EARLIEST, max_value=quality.LATEST), "warn"),
        (e.ExpectColumnValuesToMatchRegex(column="k", regex="^[a-z]$"), "warn"),
        (e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="u", column_B="t", or_equal=True), "warn"),
        (e.ExpectCompoundColumnsToBeUnique(column_list=["k", "r"]), "warn"),
    ]
    gx.check(quality.TableSuite("warm_up", list(frame), expectations, keys=["k", "r"]), frame)
    others = [
        (e.ExpectColumnValuesToBeUnique(column="k"), "block"),
        (e.ExpectColumnValuesToBeInSet(column="s", value_set=["x", "y"]), "block"),
        (e.ExpectColumnValuesToBeInSet(column="f", value_set=[True]), "warn"),
        (e.ExpectTableRowCountToBeBetween(min_value=0), "warn"),
        (e.ExpectTableRowCountToEqual(value=3), "block"),
        (
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="u", column_B="t", or_equal=True, row_condition=quality.Condition("s", "!=", "y")
            ),
            "block",
        ),
        (e.ExpectColumnValuesToBeBetween(column="f", min_value=0, max_value=1), "block"),
    ]
    gx.check(quality.TableSuite("warm_up", list(frame), others, keys=["k"]), frame)


def _serve(tasks, results) -> None:
    """The worker: import GX, warm up, then validate each (id, suite, frame, extra) it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the run, which stops this worker
    parent = multiprocessing.parent_process()
    gx = quality._Gx()
    try:
        _warm_up(gx)
    except Exception:  # only a head start: the real suites report their own errors
        log.debug("checker warm-up failed", exc_info=True)
    while True:
        try:
            item = tasks.get(timeout=0.5)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return  # the run was killed: nobody will ask any more
            continue
        if item is None:
            return
        task_id, suite, frame, extra = item
        try:
            results.put((task_id, True, gx.check(suite, frame, extra)))
        except Exception:
            results.put((task_id, False, f"{suite.table}: {traceback.format_exc()}"))


class Checker:
    """The worker process and the two queues to it (tasks out, results back). Queues, not pipes:
    a put never blocks, so neither side can wait on the other with full buffers."""

    def __init__(self) -> None:
        ctx: Any = multiprocessing.get_context(START_METHOD)  # typeshed: BaseContext lacks Process
        self._tasks = ctx.Queue()
        self._results = ctx.Queue()
        self._process = ctx.Process(
            target=_serve, args=(self._tasks, self._results), name="aemetrics-checker", daemon=True
        )
        self._ids = itertools.count()
        self._sent: dict[int, tuple[quality.TableSuite, Any, Sequence]] = {}  # kept for the fallback
        self._done: dict[int, tuple[bool, Any]] = {}
        self._lock = threading.Lock()  # Prefect may call from its task threads
        self._fallback: InProcess | None = None
        self._process.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def submit(self, suite: quality.TableSuite, frame, extra: Sequence[tuple[quality.Expect, str]]) -> Pending:
        with self._lock:
            task_id = next(self._ids)
            self._sent[task_id] = (suite, frame, list(extra))
            if self._fallback is None:
                self._tasks.put((task_id, suite, frame, list(extra)))
        return Pending(lambda: self._result(task_id), lambda: self._cancel(task_id))

    def _cancel(self, task_id: int) -> None:
        with self._lock:
            self._sent.pop(task_id, None)  # its result is dropped when it comes
            self._done.pop(task_id, None)

    def _result(self, task_id: int) -> list[dict]:
        with self._lock:
            while task_id not in self._done and self._fallback is None:
                try:
                    got, ok, value = self._results.get(timeout=0.5)
                except queue.Empty:
                    if not self._process.is_alive():
                        log.warning(
                            "the checker process stopped (exit code %s): validating here", self._process.exitcode
                        )
                        self._fallback = InProcess()
                    continue
                self._done[got] = (ok, value)
                if got not in self._sent:  # cancelled
                    self._done.pop(got)
            if task_id in self._done:
                self._sent.pop(task_id, None)
                ok, value = self._done.pop(task_id)
                if not ok:
                    raise CheckerError(value)
                return value
            suite, frame, extra = self._sent.pop(task_id)
        assert self._fallback is not None
        return self._fallback.submit(suite, frame, extra).result()

    def close(self) -> None:
        """Stop the worker: asked to, then terminated, then killed; always reaped."""
        with contextlib.suppress(Exception):
            self._tasks.put(None)
        self._process.join(0.5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        for q in (self._tasks, self._results):
            q.cancel_join_thread()  # nothing left to deliver: never wait on a queue's feeder at exit
            q.close()


_current: Checker | None = None


def current() -> Checker | None:
    """The checker of the run in progress in this process, if any."""
    return _current


@contextlib.contextmanager
def running(enabled: bool = True) -> Iterator[Checker | None]:
    """Start the checker for the duration of a run (`current()` returns it); stop it on exit,
    whatever the exit. Yields None, and GX runs in the calling process, when not enabled, when
    another run of this process already has one, or when the worker cannot start."""
    global _current
    checker = None
    if enabled and _current is None and os.environ.get(DISABLE, "").lower() not in ("off", "0", "no"):
        try:
            checker = Checker()
        except Exception as exc:  # no multiprocessing here (no semaphores, no spawn): GX in this process
            log.warning("the checker process could not start (%s): validating in this process", exc)
    if checker is not None:
        _current = checker
    try:
        yield checker
    finally:
        if checker is not None:
            _current = None
            checker.close()

"""Runs that cannot corrupt: one run at a time per warehouse, work on a copy, swap at the end.

- `warehouse_lock(db)`: an exclusive lock file beside the warehouse; a second run waits up to
  `wait_seconds`, then stops with `WarehouseBusy` naming the holder.
- `staged_warehouse(db)`: the run writes a copy (`<db>.staging`); only a run that finishes
  replaces the warehouse, with one atomic rename. A run killed at any point leaves the previous
  file untouched (a stale copy is simply overwritten next time).
- `staged_site(site)`: pages are written to `<site>.staging`; a finished run swaps the folders.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


@contextmanager
def warehouse_lock(db: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    lock_path = _sidecar(Path(db), ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise WarehouseBusy(
                        f"{db}: another aemetrics run is using this warehouse ({holder}); "
                        "wait for it to finish or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock; the file stays (removing it would race)


@contextmanager
def staged_warehouse(db: Path) -> Iterator[Path]:
    """Yield a working copy of `db`; replace `db` with it only if the block succeeds."""
    db = Path(db)
    work = _sidecar(db, ".staging")
    for stale in (work, _sidecar(work, ".wal")):
        stale.unlink(missing_ok=True)
    if db.exists():
        shutil.copy2(db, work)
        wal = _sidecar(db, ".wal")
        if wal.exists():  # a previous process died before checkpointing: carry its log along
            shutil.copy2(wal, _sidecar(work, ".wal"))
    try:
        yield work
    except BaseException:
        work.unlink(missing_ok=True)
        _sidecar(work, ".wal").unlink(missing_ok=True)
        raise
    if _sidecar(work, ".wal").exists():
        raise RuntimeError(f"{work}: connection still open at swap time (WAL present)")
    os.replace(work, db)
    _sidecar(db, ".wal").unlink(missing_ok=True)


def recover_site(site: Path) -> None:
    """A run killed between the two renames of a swap leaves `<site>.previous`: put it back."""
    previous = _sidecar(site, ".previous")
    if previous.exists() and not site.exists():
        os.replace(previous, site)
    elif previous.exists():
        shutil.rmtree(previous)


@contextmanager
def staged_site(site: Path) -> Iterator[Path]:
    site = Path(site)
    recover_site(site)
    work = _sidecar(site, ".staging")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    previous = _sidecar(site, ".previous")
    if site.exists():
        os.replace(site, previous)
    os.replace(work, site)
    shutil.rmtree(previous, ignore_errors=True)

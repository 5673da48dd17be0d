"""Real runs killed mid-way leave the previous warehouse intact; a second run at once is refused."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

pytestmark = pytest.mark.prefect

MESSAGES = 40_000  # enough for a run to spend seconds parsing, so it can be killed mid-way


def write_big_mbox(path: Path) -> None:
    with path.open("w", encoding="ascii") as fh:
        for i in range(MESSAGES):
            fh.write(
                f"From client{i % 50}@brandco.com Mon Sep 29 10:00:00 2025\n"
                f"Message-ID: <bulk{i}@brandco.com>\nDate: Mon, 29 Sep 2025 10:{i % 60:02d}:00 +0800\n"
                f"From: client{i % 50}@brandco.com\nTo: li.wei@adagency.cn\nSubject: question {i}\n\nbody {i}\n\n"
            )


def counts(db: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select (select count(*) from raw_email_messages), (select count(*) from ingest_manifest), "
            "(select count(*) from quarantine)"
        ).fetchone()
    finally:
        con.close()


def start_ingest(exports: Path, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aemetrics.cli", "ingest", "--exports", str(exports), "--db", str(db), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(proc: subprocess.Popen, marker: str, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return line
    proc.kill()
    raise AssertionError(f"never saw {marker!r}; output:\n{''.join(seen)[-3000:]}")


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and Prefect's temporary server with it
    proc.wait(timeout=30)


@pytest.fixture()
def scenario(tmp_path, fixtures):
    exports = tmp_path / "exports"
    shutil.copytree(fixtures / "exports_small", exports)
    db = tmp_path / "w.duckdb"
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    con.close()
    write_big_mbox(exports / "email" / "big.mbox")
    return exports, db


def test_killed_runs_leave_the_previous_warehouse_intact(scenario):
    exports, db = scenario
    before = counts(db)
    # killed while parsing, then killed after loading and validating but before the swap
    for marker in ("to parse", "validation ingest"):
        proc = start_ingest(exports, db)
        wait_for(proc, marker)
        kill_group(proc)
        assert counts(db) == before, f"warehouse changed by a run killed at {marker!r}"
    # and the next run is not hindered by what the killed ones left behind
    done = start_ingest(exports, db)
    out, _ = done.communicate(timeout=600)
    assert done.returncode == 0, out[-3000:]
    assert counts(db)[0] == before[0] + MESSAGES


def test_a_second_run_at_once_is_refused_and_neither_corrupts(scenario):
    exports, db = scenario
    before = counts(db)
    first = start_ingest(exports, db)
    wait_for(first, "to parse")
    second = start_ingest(exports, db)
    out2, _ = second.communicate(timeout=300)
    assert second.returncode == 3, out2[-2000:]
    assert "another aemetrics run is using this warehouse" in out2 and f"pid {first.pid}" in out2
    out1, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out1[-3000:]
    after = counts(db)
    assert after[0] == before[0] + MESSAGES
    # a waiting run (--wait) simply goes after it and finds nothing new to do
    third = start_ingest(exports, db, "--wait", "120")
    out3, _ = third.communicate(timeout=600)
    assert third.returncode == 0, out3[-2000:]
    assert counts(db) == after

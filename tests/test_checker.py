"""The checker process (issue 10, "no fixed cost a small agency pays"): Great Expectations runs in
a worker process started with the run, and the build no longer waits for the raw checks.

Before, GX was imported and run in the run's own process, one step after the other (raw checks,
then build, then mart checks): there was no worker, so `checker.running()` did not exist and the
tests below fail on import. What must not change is the outcome: the same results, row counts,
quarantined rows and blocking failures as the plain, in-process, one-after-the-other run."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from aemetrics import checker, pipeline
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.pipeline import PLAIN, run_weekly
from aemetrics.progress import SILENT
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


def with_bad_dates(fixtures, tmp_path, bad_dates: bool = True):
    """The weekly scenario and two messages whose Date the raw checks quarantine (1970, 1985)."""
    out = tmp_path / "exports"
    shutil.copytree(fixtures / "scenarios" / "weekly", out)
    for eml in (fixtures / "checker").glob("*.eml") if bad_dates else ():
        shutil.copy(eml, out / "email" / eml.name)
    return out


@pytest.fixture()
def exports(fixtures, tmp_path):
    return with_bad_dates(fixtures, tmp_path)


def ingested(exports, db):
    """The warehouse after the ingest, plus a duplicated raw row: a loader bug, which blocks."""
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    con.execute("insert into raw_email_messages select * from raw_email_messages where message_id = 'q0@brandco.com'")
    return con


def outcome(con) -> dict[str, list]:
    """What the checks leave, without the run's id and clock."""
    return {
        "validation_results": con.execute(
            "select * exclude (run_id, checked_at) from validation_results order by all"
        ).fetchall(),
        "validation_row_counts": con.execute(
            "select * exclude (run_id, checked_at) from validation_row_counts order by all"
        ).fetchall(),
        "quarantine": con.execute("select * exclude (quarantined_at) from quarantine order by all").fetchall(),
        "raw_email_messages": con.execute("select message_id, record from raw_email_messages order by all").fetchall(),
        "obligations": con.execute(
            "select * exclude (evidence, evidence_items) from obligations order by obligation_id"
        ).fetchall(),
        "kpi_weekly": con.execute("select * from kpi_weekly order by all").fetchall(),
    }


def check_and_build(con):
    """The run's raw checks -> build -> mart checks (the ingest already ran)."""
    ingest_report = SimpleNamespace(records_quarantined=0, blocking_failures=[])
    return pipeline._check_and_build(con, ingest_report, Settings(), AS_OF, PLAIN, logging.getLogger("test"), SILENT)


@pytest.mark.parametrize("bad_dates", [True, False], ids=["rows-quarantined", "nothing-quarantined"])
def test_the_worker_and_the_plain_run_leave_the_same_results(bad_dates, fixtures, tmp_path, monkeypatch):
    """With rows quarantined the worker's run builds twice (its first build read them); without,
    its build, made while the raw checks ran, stands. Either way: the plain run's rows."""
    exports = with_bad_dates(fixtures, tmp_path, bad_dates)
    # the plain run: GX here, raw checks -> build -> mart checks one after the other
    monkeypatch.setenv(checker.DISABLE, "off")
    plain = ingested(exports, tmp_path / "plain.duckdb")
    try:
        with checker.running() as none:
            assert none is None and checker.current() is None
            raw, _, marts = check_and_build(plain)
        expected = outcome(plain)
    finally:
        plain.close()
    monkeypatch.delenv(checker.DISABLE)
    # the worker: GX in the checker process, the build speculative, rebuilt after the quarantine
    con = ingested(exports, tmp_path / "worker.duckdb")
    try:
        with checker.running() as worker:
            assert worker is not None and checker.current() is worker
            raw2, _, marts2 = check_and_build(con)
        got = outcome(con)
    finally:
        con.close()
    assert raw.records_quarantined == raw2.records_quarantined == (2 if bad_dates else 0)  # 1970 and 1985
    assert [r for r in expected["quarantine"] if r[2].startswith("fails")] == [
        (
            "email/dos-clock.eml",
            "file",
            "fails expect_column_values_to_be_between: sent_at=1985-01-01 01:00:00+00:00",
            "raw_email_messages",
            False,
        ),
        (
            "email/epoch-zero.eml",
            "file",
            "fails expect_column_values_to_be_between: sent_at=1970-01-01 00:00:00+00:00",
            "raw_email_messages",
            False,
        ),
    ][: 2 if bad_dates else 0]
    assert raw.blocking_failures and raw.blocking_failures == raw2.blocking_failures  # the duplicated row
    assert "raw_email_messages: expect_compound_columns_to_be_unique" in raw.blocking_failures[0]
    assert (marts.checks, marts.failed, marts.warnings) == (marts2.checks, marts2.failed, marts2.warnings)
    for table, rows in expected.items():
        assert got[table] == rows, table


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_is_gone_after_a_run_and_after_a_failing_run(exports, tmp_path):
    seen: list[int] = []

    def build_noting_the_worker(con, settings, as_of):
        worker = checker.current()
        assert worker is not None and worker.pid is not None and _alive(worker.pid)
        seen.append(worker.pid)
        return PLAIN.build(con, settings, as_of)

    steps = pipeline.Steps(build=build_noting_the_worker)
    summary = run_weekly(exports, tmp_path / "w.duckdb", Settings(), AS_OF, site=tmp_path / "site", steps=steps)
    assert summary.validation.checks > 300 and summary.site is not None
    assert seen and not _alive(seen[-1]) and checker.current() is None

    def failing_build(con, settings, as_of):
        seen.append(checker.current().pid)
        raise RuntimeError("planted build failure")

    with pytest.raises(RuntimeError, match="planted build failure"):
        run_weekly(exports, tmp_path / "w2.duckdb", Settings(), AS_OF, steps=pipeline.Steps(build=failing_build))
    assert not _alive(seen[-1]) and checker.current() is None

    def interrupted_build(con, settings, as_of):
        seen.append(checker.current().pid)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_weekly(exports, tmp_path / "w3.duckdb", Settings(), AS_OF, steps=pipeline.Steps(build=interrupted_build))
    assert not _alive(seen[-1]) and checker.current() is None
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:  # the run's checks were stored
        assert con.execute("select count(*) from validation_results where stage = 'build'").fetchone()[0] > 300
    finally:
        con.close()


def test_a_script_without_a_main_guard_runs_once(exports, tmp_path):
    """Spawn re-imports the caller's __main__ in the child: a script calling run_weekly without
    `if __name__ == "__main__":` would have run again in the checker process (and waited for, or
    taken, the warehouse lock). The checker starts with __main__ hidden."""
    marker = tmp_path / "runs.txt"
    script = tmp_path / "weekly.py"
    script.write_text(
        "from datetime import datetime\n"
        "from pathlib import Path\n"
        "from aemetrics.config import Settings\n"
        "from aemetrics.pipeline import run_weekly\n"
        f"with open({str(marker)!r}, 'a') as fh:\n"
        "    fh.write('run\\n')\n"
        f"summary = run_weekly(Path({str(exports)!r}), Path({str(tmp_path / 'w.duckdb')!r}), Settings(),\n"
        f"                     datetime.fromisoformat({AS_OF.isoformat()!r}))\n"
        "print('checks', summary.validation.checks)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]  # this checkout's aemetrics, as pytest imports it
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert marker.read_text() == "run\n"
    assert int(done.stdout.split("checks")[-1]) > 300

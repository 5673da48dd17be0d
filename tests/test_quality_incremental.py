"""Incremental raw checks (issue 10, docs/quality.md "Incremental raw checks"): a run checks only
the rows of the files whose rows have not passed the raw checks yet.

The old engine read and validated every row of every raw table on every run: on a second run
with one new file, the frames sent to GX held every message of the year (here 10 + 2 rows
instead of 2), so `test_a_second_run_checks_only_the_new_files_rows` fails on it. What must not
change is what is stored: the same results, counts, quarantined rows and blocking failures as
checking the whole table (each run compared below with a whole-table check of the same
warehouse)."""

from __future__ import annotations

import shutil
from collections import defaultdict

import pytest

from aemetrics import checker, quality
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

NEW_WEEK = "email/week-41.mbox"  # 2 messages: a question, and a reply dated 1970 (quarantined)


@pytest.fixture()
def exports(fixtures, tmp_path):
    out = tmp_path / "exports"
    shutil.copytree(fixtures / "scenarios" / "weekly", out)
    return out


@pytest.fixture()
def sent(monkeypatch):
    """The rows of each frame handed to GX, by table (GX in this process: no checker running): a
    suite's quick frame, then, when a check failed on it, the same rows with their values."""
    monkeypatch.setenv(checker.DISABLE, "off")
    rows: dict[str, list[int]] = defaultdict(list)
    submit = checker.InProcess.submit

    def counting(self, suite, frame, extra, whole=None, quick_only=False):
        rows[suite.table].append(len(frame))
        return submit(self, suite, frame, extra, whole, quick_only)

    monkeypatch.setattr(checker.InProcess, "submit", counting)
    return rows


def stored(con) -> dict[str, list]:
    """What the raw checks leave, without the run's id and clock."""
    return {
        "validation_results": con.execute(
            "select * exclude (run_id, checked_at) from validation_results where stage = 'ingest' order by all"
        ).fetchall(),
        "validation_row_counts": con.execute(
            "select * exclude (run_id, checked_at) from validation_row_counts order by all"
        ).fetchall(),
        "quarantine": con.execute("select * exclude (quarantined_at) from quarantine order by all").fetchall(),
        "raw_email_messages": con.execute("select message_id, record from raw_email_messages order by all").fetchall(),
    }


def checked_copy(con, tmp_path, name: str):
    """A copy of the warehouse whose raw checks will read every row (no file recorded as passed)."""
    con.execute("checkpoint")
    path = tmp_path / f"{name}.duckdb"
    con.execute(f"attach '{path}' as copy_db")
    con.execute("copy from database w to copy_db")
    con.execute("detach copy_db")
    other = open_warehouse(path)
    other.execute(f"delete from {quality.CHECKED_FILES}")
    return other


def test_a_second_run_checks_only_the_new_files_rows(exports, fixtures, tmp_path, sent):
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        emails = con.execute("select count(*) from raw_email_messages").fetchone()[0]
        first = quality.validate(con, "ingest")
        assert first.quarantined_rows == 0 and not first.failed
        assert sent["raw_email_messages"] == [emails] == [10]  # a first run reads every row
        first_results = stored(con)

        # one new file: only its rows are read; its 1970 reply is quarantined as before
        shutil.copy(fixtures / "incremental_checks" / "week-41.mbox", exports / NEW_WEEK)
        ingest_exports(exports, con, Settings())
        sent.clear()
        whole = checked_copy(con, tmp_path, "whole")
        second = quality.validate(con, "ingest")
        assert {t: n for t, n in sent.items() if n != [0]} == {"raw_email_messages": [2, 2]}  # CRM, staff: none
        assert len(sent) == len(quality.raw_suites())
        assert second.quarantined_rows == 1 and not second.failed and not second.warnings
        assert con.execute(
            "select source_file, record, reason from quarantine where reason like 'fails%'"
        ).fetchall() == [
            (NEW_WEEK, "message 2", "fails expect_column_values_to_be_between: sent_at=1970-01-01 00:00:00+00:00")
        ]
        # the same as checking every row (what the old engine did on this warehouse)
        try:
            full = quality.validate(whole, "ingest")
            assert (full.checks, full.quarantined_rows, full.failed) == (second.checks, 1, [])
            assert stored(whole) == stored(con)
        finally:
            whole.close()
        # the stored row count is the table's, not the frame's
        assert ("raw_email_messages", emails + 1) in stored(con)["validation_row_counts"]
        # the first run stored what a whole-table check stores: its frames held every row
        assert first_results["quarantine"] == [r for r in stored(con)["quarantine"] if r[0] != NEW_WEEK]
    finally:
        con.close()


def test_a_blocking_failure_in_an_old_file_is_found_again(exports, fixtures, tmp_path, sent):
    """A duplicated row (a loader bug: it blocks, and no row leaves the table) is reported by every
    run while it is there, as with whole-table checks: its file is not recorded as passed."""
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        con.execute(
            "insert into raw_email_messages select * from raw_email_messages where message_id = 'q0@brandco.com'"
        )
        first = quality.validate(con, "ingest")
        assert len(first.failed) == 1 and "expect_compound_columns_to_be_unique" in first.failed[0]
        shutil.copy(fixtures / "incremental_checks" / "week-41.mbox", exports / NEW_WEEK)
        ingest_exports(exports, con, Settings())
        sent.clear()
        second = quality.validate(con, "ingest")
        assert second.failed == first.failed
        assert sent["raw_email_messages"] == [8 + 2] * 2  # li.wei.mbox (7 + the copy) and the new file
    finally:
        con.close()


def test_changed_checks_read_every_row_again(exports, tmp_path, sent, monkeypatch):
    """A file passed under other checks (a new version of the rules) is checked again."""
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        quality.validate(con, "ingest")
        sent.clear()
        quality.validate(con, "ingest")
        assert sent["raw_email_messages"] == [0]  # nothing new
        suites = quality.raw_suites()
        suites[0].expectations = suites[0].expectations[1:]  # e.g. a rule dropped
        monkeypatch.setattr(quality, "raw_suites", lambda: suites)
        sent.clear()
        quality.validate(con, "ingest")
        assert sent["raw_email_messages"] == [10]
    finally:
        con.close()


def test_a_file_loaded_again_is_read_again(exports, tmp_path, sent):
    """A file dropped (--prune) and put back unchanged has its rows loaded again: its rows are
    checked again, though its content hash is the one that passed."""
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        quality.validate(con, "ingest")
        mailbox = exports / "email" / "wang.fang.mbox"
        kept = mailbox.read_bytes()
        mailbox.unlink()
        ingest_exports(exports, con, Settings(), prune_missing=True)
        sent.clear()
        assert quality.validate(con, "ingest").warnings  # 10 -> 7 messages: a drop of 30 % (the table's)
        assert sent["raw_email_messages"] == [0, 0]  # no row to read (twice: a check failed on the quick frame)
        mailbox.write_bytes(kept)
        ingest_exports(exports, con, Settings())
        sent.clear()
        quality.validate(con, "ingest")
        assert sent["raw_email_messages"] == [3]
    finally:
        con.close()

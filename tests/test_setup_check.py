"""Never a silent empty (issue 13): what is missing from the exports, and what it blocks, is said.

Before: `aemetrics run` on mail without staff.csv and without a CRM loaded the messages and
published "No data this week" everywhere with exit 0; an empty exports folder gave exit 0 and an
empty site."""

from __future__ import annotations

import subprocess
import sys

from aemetrics.config import STANDARD_IDS, Settings
from aemetrics.pipeline import run_weekly
from aemetrics.setup_check import has_export_files, setup_status
from aemetrics.warehouse import open_warehouse

AS_OF = "2025-10-13T09:00:00+08:00"


def test_mail_only_run_says_staff_and_crm_are_missing_and_what_they_block(fixtures, tmp_path):
    from datetime import datetime

    exports = fixtures / "scenarios" / "mail_only"
    summary = run_weekly(exports, tmp_path / "w.duckdb", Settings(), datetime.fromisoformat(AS_OF))
    status = {s.source: s for s in summary.setup}
    assert set(status) == {"staff", "crm", "calendar", "attendance", "clock", "email"}
    assert status["email"].found and status["email"].files == ["email/inbox.mbox"]
    assert not status["staff"].found and status["staff"].feeds == list(STANDARD_IDS)
    assert not status["crm"].found and "reply_12h" in status["crm"].feeds
    assert "friday_supervisor_report" not in status["crm"].feeds
    lines = summary.lines()
    assert "setup: missing staff directory: staff.csv, or the CRM's User.csv; blocks reply_12h, callback" in "\n".join(
        lines
    )
    assert any(line.startswith("setup: missing CRM accounts: crm/") and "monday_call" in line for line in lines)
    assert any(line.startswith("setup: missing calendars") and "agenda_48h" in line for line in lines)
    assert not any(line.startswith("setup: missing mailboxes") for line in lines)
    # one as_of, in the business time zone, like the site and the notebooks (was printed in UTC)
    assert any(line.startswith("build: as of 2025-10-13T09:00:00+08:00:") for line in lines)


def test_setup_status_of_a_complete_scenario(fixtures, tmp_path):
    from aemetrics.ingest.runner import ingest_exports

    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(fixtures / "scenarios" / "weekly", con, Settings())
    status = {s.source: s for s in setup_status(con)}
    con.close()
    # CRM users stand in for a staff directory (aemetrics.exports), so User.csv is listed with staff.csv
    assert status["staff"].found and status["staff"].files == ["crm/User.csv", "staff.csv"]
    assert status["crm"].found and "crm/Account.csv" in status["crm"].files
    assert not status["calendar"].found and status["calendar"].files == []


def test_setup_status_on_a_fresh_warehouse_reports_everything_missing(tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    assert [s.found for s in setup_status(con)] == [False] * 6
    con.close()


def test_a_folder_without_any_export_file_is_exit_2_naming_it(tmp_path):
    empty = tmp_path / "exports"
    (empty / "notes").mkdir(parents=True)
    (empty / "README.md").write_text("demo notes\n", encoding="utf-8")
    assert not has_export_files(empty)
    for command in ("run", "ingest"):
        done = subprocess.run(
            [sys.executable, "-m", "aemetrics.cli", command, "--exports", str(empty), "--db", str(tmp_path / "w.db")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"aemetrics: error: {empty}: no export file in this folder")
        assert not (tmp_path / "w.db").exists()


def test_an_archive_or_a_staff_file_counts_as_an_export(tmp_path):
    import zipfile

    (tmp_path / "a").mkdir()
    with zipfile.ZipFile(tmp_path / "a" / "takeout.zip", "w") as zf:
        zf.writestr("Takeout/Mail/All mail.mbox", "")
    assert has_export_files(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "staff.csv").write_text("email,name,role\n", encoding="utf-8")
    assert has_export_files(tmp_path / "b")

"""`aemetrics ingest` end to end, through the real Prefect flow, on every public corpus file."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

LAYOUT = {  # exports sub-folder -> corpus folders placed there (symlinked, never copied into the repo)
    "email": [
        "email-mbox",
        "email-parser-fixtures",
        "email-usrp-users-list",
        "email-notmuch-corpus",
        "email-outlook-msg",
        "email-enron-sample",
    ],
    "calendar": ["calendar-ics"],
    "crm": ["crm-salesforce", "crm-hubspot-fivetran"],
    "attendance": ["meeting-attendance"],
}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aemetrics.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ.copy(),
    )


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.mark.corpus
@pytest.mark.prefect
def test_every_corpus_file_loads_or_is_quarantined_and_a_rerun_changes_nothing(corpora, tmp_path):
    exports = tmp_path / "exports"
    for sub, folders in LAYOUT.items():
        (exports / sub).mkdir(parents=True)
        for name in folders:
            (exports / sub / name).symlink_to(corpora / name, target_is_directory=True)
    db = tmp_path / "w.duckdb"

    first = run_cli("ingest", "--exports", str(exports), "--db", str(db))
    assert first.returncode == 0, first.stderr[-3000:]
    counts = table_counts(db)
    n_files = sum(len(files) for _, _, files in os.walk(exports, followlinks=True))
    assert counts["ingest_manifest"] == n_files  # every file is accounted for
    con = duckdb.connect(str(db), read_only=True)
    unaccounted = con.execute(
        "select source_file from ingest_manifest m where rows_loaded = 0 "
        "and not exists (select 1 from quarantine q where q.source_file = m.source_file)"
    ).fetchall()
    no_reason = con.execute("select count(*) from quarantine where coalesce(reason, '') = ''").fetchone()[0]
    con.close()
    assert unaccounted == [] and no_reason == 0
    assert counts["raw_email_messages"] > 500 and counts["raw_calendar_events"] > 1000

    second = run_cli("ingest", "--exports", str(exports), "--db", str(db))
    assert second.returncode == 0, second.stderr[-3000:]
    assert table_counts(db) == counts  # every table, validation results included


def test_unusable_arguments_exit_2(tmp_path):
    missing = run_cli("ingest", "--exports", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb"))
    assert missing.returncode == 2 and "exports folder not found" in missing.stderr
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("business_timezone = 'Mars/Olympus'\n")
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "staff.csv").write_text("email,name,role\n")  # an empty folder is itself exit 2 (issue 13)
    r = run_cli(
        "ingest", "--exports", str(tmp_path / "ex"), "--db", str(tmp_path / "w.duckdb"), "--config", str(bad_config)
    )
    assert r.returncode == 2 and "bad.toml" in r.stderr
    not_a_db = tmp_path / "notes.duckdb"
    not_a_db.write_text("this is not a database")
    r = run_cli("ingest", "--exports", str(tmp_path / "ex"), "--db", str(not_a_db))
    assert r.returncode == 2 and "notes.duckdb" in r.stderr

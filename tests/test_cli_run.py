"""`aemetrics run` end to end through the real Prefect pipeline: ingest -> build -> validate -> site."""

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.prefect

AS_OF = "2025-10-13T09:00:00+08:00"


def run_cmd(exports: Path, db: Path, site: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "aemetrics.cli",
        "run",
        "--exports",
        str(exports),
        "--db",
        str(db),
        "--as-of",
        AS_OF,
        "--site",
        str(site),
    ]


def snapshot(db: Path, site: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        obligations = con.execute("select * from obligations order by obligation_id").fetchall()
        kpi = con.execute("select * from kpi_weekly order by all").fetchall()
    finally:
        con.close()
    pages = {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*.html"))
    }
    return obligations, kpi, pages


def test_run_writes_marts_and_site_and_a_killed_rerun_changes_nothing(fixtures, tmp_path):
    exports = fixtures / "scenarios" / "weekly"
    db, site = tmp_path / "w.duckdb", tmp_path / "site"

    first = subprocess.run(run_cmd(exports, db, site), capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "obligations" in first.stdout and f"site in {site}" in first.stdout
    obligations, kpi, pages = before = snapshot(db, site)
    assert obligations and kpi and "index.html" in pages
    con = duckdb.connect(str(db), read_only=True)
    as_of = con.execute("select as_of from run_info").fetchone()[0]
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    con.close()
    assert as_of.isoformat().startswith("2025-10-13T01:00:00")
    assert {"obligations", "kpi_weekly", "at_risk", "obligation_details", "validation_results"} <= tables

    # a run killed after building, before its warehouse and site are swapped in, changes nothing
    proc = subprocess.Popen(
        run_cmd(exports, db, site), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    for line in proc.stdout:
        if "built as of" in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert snapshot(db, site) == before

    # and a complete re-run on the same exports changes no obligation
    again = subprocess.run(run_cmd(exports, db, site), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert snapshot(db, site)[:2] == before[:2]

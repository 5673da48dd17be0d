"""Issue 10: no fixed cost for a small agency, incremental re-runs, a progress display.

Before issue 10 every `aemetrics run` was a Prefect flow (a temporary Prefect server started when
no API was configured: ~14 s), every run rebuilt and re-checked the whole warehouse and rewrote
every site file even when nothing had changed, and long runs showed no progress. The tests
below fail on that engine: it imported Prefect on every run, `RunSummary` had no `unchanged`,
the warehouse and every site file were replaced by each run, and nothing was drawn on a terminal.
No test here times anything (the timings are benchmarks/bench_tiny_run.py and
bench_incremental.py)."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from aemetrics.config import Settings
from aemetrics.pipeline import PLAIN, STAMP, run_weekly
from aemetrics.progress import Progress

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def files(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file: its bytes, inode and mtime (a rewritten file gets a new inode or mtime)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def no_build(*args):
    raise AssertionError("the build ran although nothing had changed")


@pytest.fixture(scope="module")
def first(fixtures, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast")
    exports = folder / "exports"
    shutil.copytree(fixtures / "scenarios" / "weekly", exports)
    db, site = folder / "w.duckdb", folder / "site"
    terminal = Terminal()
    summary = run_weekly(exports, db, Settings(), AS_OF, site=site, progress=Progress.for_terminal(terminal))
    return exports, db, site, summary, terminal.getvalue()


def test_progress_is_drawn_per_phase_on_a_terminal(first):
    """The old engine drew nothing: long runs were silent until the end."""
    *_, drawn = first
    for phase in ("[1/5 ingest]", "[2/5 raw checks]", "[3/5 build]", "[4/5 mart checks]", "[5/5 site]"):
        assert phase in drawn
    assert "parsed 7/7 files" in drawn  # files parsed / total
    assert drawn.endswith("\n") and "\r" in drawn


def test_progress_is_quiet_when_not_a_terminal():
    stream = io.StringIO()  # a pipe, a log file, cron
    progress = Progress.for_terminal(stream)
    progress.phase("ingest")
    progress.update("parsed 1/2 files")
    progress.done()
    assert stream.getvalue() == ""


def test_a_rerun_on_the_same_exports_rewrites_nothing(first):
    """The old engine rebuilt, re-checked, swapped in a new warehouse file and rewrote every page."""
    exports, db, site, summary, _ = first
    assert not summary.unchanged and (site / STAMP).read_text().strip() == summary.fingerprint
    before_db = (db.stat().st_ino, db.stat().st_mtime_ns)
    before_site = files(site)
    steps = dataclasses.replace(PLAIN, build=no_build, validate=no_build, write_site=no_build)
    again = run_weekly(exports, db, Settings(), AS_OF, site=site, steps=steps)
    assert again.unchanged and again.site_kept == site and again.site is None
    assert [line.split(":")[0] for line in again.lines()] == ["ingest", "build", "site"]
    assert "build: skipped" in again.lines()[1]
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == before_db
    assert files(site) == before_site


def test_a_changed_setting_or_as_of_rebuilds(first, tmp_path):
    exports, db0, *_ = first
    db = tmp_path / "w.duckdb"
    shutil.copy(db0, db)
    later = datetime.fromisoformat("2025-10-14T09:00:00+08:00")
    assert not run_weekly(exports, db, Settings(), later).unchanged
    assert run_weekly(exports, db, Settings(), later).unchanged
    assert not run_weekly(exports, db, dataclasses.replace(Settings(), reply_hours=24.0), later).unchanged


def test_a_new_file_rebuilds_and_rewrites_only_the_pages_that_changed(first, fixtures, tmp_path):
    """One more mail file: the build runs again; site files with the same bytes keep their inode
    and mtime (the old engine replaced the whole folder)."""
    exports0, db0, site0, _, _ = first
    exports, db, site = tmp_path / "exports", tmp_path / "w.duckdb", tmp_path / "site"
    shutil.copytree(exports0, exports)
    shutil.copy(db0, db)
    shutil.copytree(site0, site, copy_function=os.link)  # the same files, hard-linked: same inodes
    before = files(site)
    shutil.copy(fixtures / "scenarios" / "reply" / "email" / "weekend-question.eml", exports / "email")
    summary = run_weekly(exports, db, Settings(), AS_OF, site=site)
    assert not summary.unchanged and summary.ingest.files_parsed == 1 and summary.site is not None
    after = files(site)
    same = [rel for rel in after if rel in before and after[rel][0] == before[rel][0]]
    changed = [rel for rel in after if rel not in before or after[rel][0] != before[rel][0]]
    assert same and changed and summary.site.kept == len(same)
    assert all(after[rel][1:] == before[rel][1:] for rel in same)


def test_the_cli_without_a_prefect_api_runs_plain_and_never_imports_prefect(fixtures, tmp_path):
    """The old `aemetrics run` always ran the Prefect flow, on a temporary server when no API
    was configured. Now it says it runs plain, and Prefect is not even imported."""
    db, site = tmp_path / "w.duckdb", tmp_path / "site"
    code = (
        "import sys; from aemetrics.cli import main; "
        f"rc = main(['run', '--exports', {str(fixtures / 'scenarios' / 'weekly')!r}, '--db', {str(db)!r}, "
        f"'--site', {str(site)!r}, '--as-of', {AS_OF.isoformat()!r}]); "
        "print('prefect imported:', 'prefect' in sys.modules); sys.exit(rc)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # no profile configures an API
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "orchestration: plain" in done.stdout and "prefect imported: False" in done.stdout
    assert "\r" not in done.stderr and "[1/5 ingest]" not in done.stderr  # not a terminal: no progress
    assert "built as of" in done.stderr  # the log lines, as Prefect's console showed them
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from obligations").fetchone()[0] > 0
    finally:
        con.close()


def test_prefect_api_url_comes_from_the_environment(monkeypatch, tmp_path):
    from aemetrics.cli import prefect_api_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert prefect_api_url() is None
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert prefect_api_url() == "http://127.0.0.1:4200/api"

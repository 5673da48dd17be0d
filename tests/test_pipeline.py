"""aemetrics.pipeline: the run policy (lock, staging, what blocks publishing) as plain functions,
without Prefect. Before issue 9 the policy lived inside the Prefect flow (flows/pipeline.py) and
flows/publish.py wrote the site straight into its folder with no lock: the publish tests below
fail on that code (no WarehouseBusy, a half-written site)."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime

import duckdb
import pytest

from aemetrics.atomic import WarehouseBusy, warehouse_lock
from aemetrics.config import Settings
from aemetrics.pipeline import PLAIN, RunSummary, publish, run_weekly
from aemetrics.quality import ValidationReport

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


@pytest.fixture(scope="module")
def first_run(fixtures, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    db, site = folder / "w.duckdb", folder / "site"
    summary = run_weekly(fixtures / "scenarios" / "weekly", db, Settings(), AS_OF, site=site)
    return db, site, summary


def site_files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_run_weekly_builds_validates_and_publishes(first_run):
    db, site, summary = first_run
    assert isinstance(summary, RunSummary) and not summary.blocked and summary.failures == []
    assert summary.as_of.isoformat() == "2025-10-13T01:00:00+00:00"
    names = [line.split(":")[0] for line in summary.lines()]
    assert [s for s in names if s != "setup"] == ["ingest", "build", "validation", "site"]  # + what is missing
    assert summary.site.out_dir == site and site / "index.html" in summary.site.pages
    assert all(p.is_file() for p in summary.site.pages)  # the report names the swapped-in files
    assert not site.with_name("site.staging").exists() and not db.with_name("w.duckdb.staging").exists()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select as_of from run_info").fetchone()[0].isoformat().startswith("2025-10-13T01:00")
    finally:
        con.close()


def test_a_blocking_check_keeps_the_new_warehouse_and_the_old_site(first_run, fixtures, tmp_path):
    db0, site0, _ = first_run
    db, site = tmp_path / "w.duckdb", tmp_path / "site"
    shutil.copy(db0, db)
    shutil.copytree(site0, site)
    before = site_files(site)

    def failing_marts(con, stage):
        report = PLAIN.validate(con, stage)
        if stage == "build":
            report.failed.append("obligations: planted failure")
        return report

    steps = dataclasses.replace(PLAIN, validate=failing_marts)
    later = datetime.fromisoformat("2025-10-14T09:00:00+08:00")
    summary = run_weekly(fixtures / "scenarios" / "weekly", db, Settings(), later, site=site, steps=steps)
    assert summary.blocked and summary.site is None
    assert summary.failures == ["obligations: planted failure"]
    assert summary.lines()[-1] == "blocked: obligations: planted failure"
    assert site_files(site) == before  # the previous site stays up
    con = duckdb.connect(str(db), read_only=True)
    try:  # the run keeps its warehouse, so the failure can be inspected
        assert con.execute("select as_of from run_info").fetchone()[0].isoformat().startswith("2025-10-14T01:00")
    finally:
        con.close()


def test_without_a_site_nothing_is_blocked(first_run, fixtures, tmp_path):
    db0, _, _ = first_run
    db = tmp_path / "w.duckdb"
    shutil.copy(db0, db)
    steps = dataclasses.replace(PLAIN, validate=lambda con, stage: ValidationReport("r", stage, failed=["x"]))
    # a day later: with the first run's as_of nothing would be rebuilt nor checked (issue 10)
    later = datetime.fromisoformat("2025-10-14T09:00:00+08:00")
    summary = run_weekly(fixtures / "scenarios" / "weekly", db, Settings(), later, steps=steps)
    assert summary.failures == ["x", "x"] and not summary.blocked
    assert [line.split(":")[0] for line in summary.lines() if not line.startswith("setup:")] == [
        "ingest",
        "build",
        "validation",
    ]


def test_publish_waits_for_the_warehouse_lock(first_run, tmp_path):
    """flows/publish.py published with no lock, beside a run swapping the warehouse."""
    db, _, _ = first_run
    out = tmp_path / "site"
    with warehouse_lock(db):
        with pytest.raises(WarehouseBusy, match="another aemetrics run is using this warehouse"):
            publish(db, out, Settings(), "en")
    assert not out.exists()
    report = publish(db, out, Settings(), "en")
    assert report.out_dir == out and (out / "index.html").is_file() and out / "index.html" in report.pages


def test_a_failed_publish_leaves_the_previous_site(first_run, tmp_path):
    """flows/publish.py wrote straight into the site folder: a failure left it half written."""
    db, site0, _ = first_run
    site = tmp_path / "site"
    shutil.copytree(site0, site)
    before = site_files(site)

    def half_then_fail(con, out, settings, lang):
        (out / "index.html").write_text("half written")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        publish(db, site, Settings(), steps=dataclasses.replace(PLAIN, write_site=half_then_fail))
    assert site_files(site) == before

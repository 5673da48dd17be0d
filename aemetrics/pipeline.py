"""The run policy, in one place: what a run locks, where it writes, and what stops publishing.

- One run at a time per warehouse (`warehouse_lock`, waits `wait_seconds`, else `WarehouseBusy`).
- The warehouse is rebuilt on a copy (`staged_warehouse`) that replaces it only when every step
  succeeded; the site is written to a staging folder (`staged_site`) swapped in at the end. A run
  killed at any point leaves the previous warehouse and site as they were.
- A blocking validation failure (after ingest or after the build) stops publishing: the run
  keeps its warehouse, the previous site stays up, and `RunSummary.blocked` is true.

The steps themselves are plain functions (`Steps`); the Prefect flows (`aemetrics.flows`) pass
the same functions wrapped as tasks, so the policy is the same with and without Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from aemetrics.atomic import staged_site, staged_warehouse, warehouse_lock
from aemetrics.build import BuildReport, build
from aemetrics.config import Settings
from aemetrics.ingest import runner
from aemetrics.quality import ValidationReport, validate
from aemetrics.warehouse import open_warehouse

if TYPE_CHECKING:  # the site imports Plotly: only a run that publishes pays for it
    from aemetrics.site.publish import SiteReport


class Logger(Protocol):  # logging.Logger and Prefect's run logger (a LoggerAdapter) both fit
    def info(self, msg: str, *args: Any) -> Any: ...
    def error(self, msg: str, *args: Any) -> Any: ...


def _write_site(con: duckdb.DuckDBPyConnection, out: Path, settings: Settings, lang: str | None) -> SiteReport:
    from aemetrics.site.publish import publish_site

    return publish_site(con, out, settings, lang)


@dataclass(frozen=True)
class Steps:
    """The work of a run, one callable per step. Defaults: plain functions, in this process."""

    parse_batches: runner.BatchParser = runner.parse_in_processes
    validate: Callable[[duckdb.DuckDBPyConnection, str], ValidationReport] = validate
    build: Callable[[duckdb.DuckDBPyConnection, Settings, datetime], BuildReport] = build
    write_site: Callable[[duckdb.DuckDBPyConnection, Path, Settings, str | None], SiteReport] = _write_site


PLAIN = Steps()


@dataclass
class RunSummary:
    """What `run_weekly` did. `blocked`: a site was asked for and validation failures stopped it."""

    as_of: datetime
    ingest: runner.IngestReport
    build: BuildReport
    validation: ValidationReport  # the checks on the marts (the raw-table checks: ingest.blocking_failures)
    site: SiteReport | None = None
    failures: list[str] = field(default_factory=list)  # every blocking failure, raw tables and marts
    blocked: bool = False

    def lines(self) -> list[str]:
        """One `step: result` line per step that ran, as `aemetrics run` prints them."""
        out = [f"ingest: {self.ingest.summary()}", f"build: {self.build}", f"validation: {self.validation}"]
        if self.site is not None:
            out.append(f"site: {self.site}")
        if self.blocked:
            out.append(f"blocked: {'; '.join(self.failures)}")
        return out


def _logger(logger: Logger | None) -> Logger:
    return logger if logger is not None else logging.getLogger(__name__)


def ingest_and_validate(
    con: duckdb.DuckDBPyConnection,
    exports: Path,
    settings: Settings,
    *,
    prune: bool = False,
    steps: Steps = PLAIN,
    logger: Logger | None = None,
) -> runner.IngestReport:
    """Ingest into `con`, then the raw-table checks (which may quarantine rows). No lock, no staging:
    the caller holds both."""
    log = _logger(logger)
    report = runner.ingest_exports(
        exports, con, settings, prune_missing=prune, progress=log.info, parse_batches=steps.parse_batches
    )
    log.info(report.summary())
    checked = steps.validate(con, "ingest")
    report.records_quarantined += checked.quarantined_rows
    report.blocking_failures = checked.failed
    log.info("validation %s", checked)
    return report


def run_ingest(
    exports: Path,
    db: Path,
    settings: Settings,
    *,
    prune: bool = False,
    wait_seconds: float = 0.0,
    steps: Steps = PLAIN,
    logger: Logger | None = None,
) -> runner.IngestReport:
    """`aemetrics ingest`: ingest and check the raw tables, locked, on a copy swapped in at the end."""
    with warehouse_lock(Path(db), wait_seconds), staged_warehouse(Path(db)) as work:
        con = open_warehouse(work)
        try:
            return ingest_and_validate(con, Path(exports), settings, prune=prune, steps=steps, logger=logger)
        finally:
            con.close()


def _publish_locked(db: Path, site: Path, settings: Settings, lang: str | None, steps: Steps) -> SiteReport:
    """Write the site of `db` into a staging folder and swap it in. The caller holds the lock."""
    with staged_site(site) as staging:
        con = open_warehouse(db, read_only=True)
        try:
            report = steps.write_site(con, staging, settings, lang)
        finally:
            con.close()
    # the pages stand in `site` once swapped in
    report.pages = [site / p.relative_to(staging) for p in report.pages]
    report.csv_files = [site / p.relative_to(staging) for p in report.csv_files]
    report.removed = [site / p.relative_to(staging) for p in report.removed]
    report.out_dir = site
    return report


def publish(
    db: Path,
    site: Path,
    settings: Settings,
    lang: str | None = None,
    *,
    wait_seconds: float = 0.0,
    steps: Steps = PLAIN,
) -> SiteReport:
    """Publish the site of an already built warehouse: locked and staged like every run."""
    with warehouse_lock(Path(db), wait_seconds):
        return _publish_locked(Path(db), Path(site), settings, lang, steps)


def run_weekly(
    exports: Path,
    db: Path,
    settings: Settings,
    as_of: datetime | None = None,
    *,
    site: Path | None = None,
    prune: bool = False,
    wait_seconds: float = 0.0,
    steps: Steps = PLAIN,
    logger: Logger | None = None,
) -> RunSummary:
    """The weekly pipeline: ingest -> raw checks -> build as of `as_of` (aware; default now) -> mart
    checks -> the site (when `site` is given and no check blocks it)."""
    log = _logger(logger)
    when = (as_of or datetime.now(UTC)).astimezone(UTC)
    db = Path(db)
    with warehouse_lock(db, wait_seconds):
        with staged_warehouse(db) as work:
            con = open_warehouse(work)
            try:
                ingested = ingest_and_validate(con, Path(exports), settings, prune=prune, steps=steps, logger=log)
                built = steps.build(con, settings, when)
                log.info("built as of %s: %s", when.isoformat(), built)
                checked = steps.validate(con, "build")
            finally:
                con.close()
        summary = RunSummary(
            as_of=when,
            ingest=ingested,
            build=built,
            validation=checked,
            failures=ingested.blocking_failures + checked.failed,
        )
        if site is not None and summary.failures:
            summary.blocked = True
            log.error("validation failed, the previous site stays up: %s", "; ".join(summary.failures))
        elif site is not None:
            summary.site = _publish_locked(db, Path(site), settings, None, steps)
            log.info("site written to %s", site)
    return summary

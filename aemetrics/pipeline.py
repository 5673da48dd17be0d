"""The run policy, in one place: what a run locks, where it writes, and what stops publishing.

- One run at a time per warehouse (`warehouse_lock`, waits `wait_seconds`, else `WarehouseBusy`).
- The warehouse is rebuilt on a copy (`staged_warehouse`) that replaces it only when every step
  succeeded; the site is written to a staging folder (`staged_site`) swapped in at the end. A run
  killed at any point leaves the previous warehouse and site as they were.
- A blocking validation failure (after ingest or after the build) stops publishing: the run
  keeps its warehouse, the previous site stays up, and `RunSummary.blocked` is true.
- Nothing is redone that cannot have changed: when the ingest loaded no new, changed or pruned
  file and the warehouse was last built, unblocked, from the same files, settings, SQL and
  `as_of` (`run_fingerprint`), the build and the checks are skipped and the warehouse is not
  replaced; the site is rendered and only pages whose bytes changed are rewritten
  (`RunSummary.unchanged`). A re-run on the same exports changes no file.

The steps themselves are plain functions (`Steps`); the Prefect flows (`aemetrics.flows`) pass
the same functions wrapped as tasks, so the policy is the same with and without Prefect.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from aemetrics import __version__, checker
from aemetrics.atomic import staged_site, staged_warehouse, warehouse_lock
from aemetrics.build import BuildReport, build
from aemetrics.config import Settings
from aemetrics.ingest import runner
from aemetrics.progress import SILENT, Progress
from aemetrics.quality import BuildChecks, ValidationReport, start_validation, validate
from aemetrics.setup_check import SourceStatus, has_export_files, no_exports_message, setup_status
from aemetrics.warehouse import SQL_DIR, open_warehouse

if TYPE_CHECKING:  # the site imports Plotly: only a run that publishes pays for it
    from aemetrics.site.publish import SiteReport


class Logger(Protocol):  # logging.Logger and Prefect's run logger (a LoggerAdapter) both fit
    def info(self, msg: str, *args: Any) -> Any: ...
    def warning(self, msg: str, *args: Any) -> Any: ...
    def error(self, msg: str, *args: Any) -> Any: ...


def _import_site() -> None:
    """Import the site's modules (Plotly: ~0.4 s) ahead of publishing, while the checks run."""
    import aemetrics.site.publish  # noqa: F401


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
    unchanged: bool = False  # same files, settings, SQL and as_of as the last build: nothing rebuilt
    site_kept: Path | None = None  # unchanged, and the site there was published from this very build
    fingerprint: str | None = None  # run_fingerprint of what this warehouse was built from
    setup: list[SourceStatus] = field(default_factory=list)  # each source found or missing (setup_check)

    def lines(self) -> list[str]:
        """One `step: result` line per step that ran, as `aemetrics run` prints them."""
        out = [f"ingest: {self.ingest.summary()}"]
        out += [f"setup: {s.line()}" for s in self.setup if not s.found]  # what is missing and what it blocks
        if self.unchanged:
            out.append(
                f"build: skipped, the warehouse was built from the same files, settings and SQL as of "
                f"{self.as_of.isoformat()} (kept as it is)"
            )
        else:
            out += [f"build: {self.build}", f"validation: {self.validation}"]
        if self.site is not None:
            out.append(f"site: {self.site}")
        if self.site_kept is not None:
            out.append(f"site: {self.site_kept} was published from this build: kept as it is")
        if self.blocked:
            out.append(f"blocked: {'; '.join(self.failures)}")
        return out


def _logger(logger: Logger | None) -> Logger:
    return logger if logger is not None else logging.getLogger(__name__)


def _code_digest(sql_dir: Path = SQL_DIR) -> str:
    """The SQL of the models and checks and the package's Python (parsers aside, which only run on
    new files): a change to either, version bump or not, means a new build and a new site."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder, suffixes in ((sql_dir, (".sql", ".txt", ".yml")), (package, (".py",))):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in suffixes and "ingest" not in path.relative_to(folder).parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_fingerprint(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: datetime) -> str:
    """What a build depends on: every loaded file (path and sha256), the settings (and the content
    of the holidays file they name), the SQL and Python that build, check and publish, the package
    version and `as_of`. Equal fingerprints give equal warehouses and sites."""
    digest = hashlib.sha256()
    for source_file, sha in con.execute(
        "select source_file, sha256 from ingest_manifest order by source_file"
    ).fetchall():
        digest.update(f"{source_file}\0{sha}\n".encode())
    digest.update(f"{settings!r}\0{_code_digest()}\0{__version__}\0{as_of.astimezone(UTC).isoformat()}".encode())
    if settings.holidays_file is not None:  # a file the settings name: its content, not its name
        holidays = Path(settings.holidays_file)
        digest.update(holidays.read_bytes() if holidays.is_file() else b"(missing)")
    return digest.hexdigest()


def _last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the last complete, unblocked build of this warehouse (None: none)."""
    try:
        row = con.execute("select fingerprint from run_fingerprint where not blocked").fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None else row[0]


def _record_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str, blocked: bool) -> None:
    con.execute("create or replace table run_fingerprint (fingerprint varchar not null, blocked boolean not null)")
    con.execute("insert into run_fingerprint values (?, ?)", [fingerprint, blocked])


class _NothingChanged(Exception):
    """Raised inside the staged warehouse to discard the copy: the warehouse stays untouched."""


def _ingest(
    con: duckdb.DuckDBPyConnection,
    exports: Path,
    settings: Settings,
    prune: bool,
    steps: Steps,
    log: Logger,
    progress: Progress,
) -> runner.IngestReport:
    if Path(exports).is_dir() and not has_export_files(Path(exports)):
        raise runner.ExportsError(no_exports_message(Path(exports)))
    progress.phase("ingest")

    def say(message: str) -> None:
        log.info(message)
        progress.update(message)

    report = runner.ingest_exports(
        exports, con, settings, prune_missing=prune, progress=say, parse_batches=steps.parse_batches
    )
    log.info(report.summary())
    return report


def _validate_raw(
    con: duckdb.DuckDBPyConnection, report: runner.IngestReport, steps: Steps, log: Logger, progress: Progress
) -> runner.IngestReport:
    progress.phase("raw checks")
    checked = steps.validate(con, "ingest")
    report.records_quarantined += checked.quarantined_rows
    report.blocking_failures = checked.failed
    log.info("validation %s", checked)
    return report


def _check_and_build(
    con: duckdb.DuckDBPyConnection,
    ingested: runner.IngestReport,
    settings: Settings,
    when: datetime,
    steps: Steps,
    log: Logger,
    progress: Progress,
    while_waiting: Callable[[], object] | None = None,
) -> tuple[runner.IngestReport, BuildReport, ValidationReport]:
    """Raw checks -> build -> mart checks, with the same results as one after the other.

    With a checker process (aemetrics/checker.py) and the plain checks, the build does not wait
    for the raw checks: their frames are read and sent to the checker, the build runs on the raw
    tables as loaded and sends each model's frame as soon as the model is built
    (`quality.BuildChecks`), and only then are the raw results applied. When
    they quarantined no row, the raw tables the build read are the ones the checks leave (the
    build reads no validation or quarantine table), so the build stands; when they quarantined
    rows, the build and the mart frames are thrown away and the build runs again on the checked
    tables, as it would have run after them (a build replaces everything it writes: every run
    builds over the previous one). A build that failed on rows the checks then quarantine is
    retried the same way; on any other failure its error stands. `while_waiting` runs while the
    checker validates the last models (e.g. the site's imports)."""
    if steps.validate is not validate or checker.current() is None:  # Prefect tasks, or GX in this process
        ingested = _validate_raw(con, ingested, steps, log, progress)
        progress.phase("build")
        report = steps.build(con, settings, when)
        log.info("built %s", report)  # "built as of <as_of in the business time zone>: ..."
        progress.phase("mart checks")
        return ingested, report, steps.validate(con, "build")
    progress.phase("raw checks")
    raw = start_validation(con, "ingest")
    progress.phase("build")
    built, marts, error = _build_checking(con, settings, when, steps)
    checked = raw.finish(con)
    ingested.records_quarantined += checked.quarantined_rows
    ingested.blocking_failures = checked.failed
    log.info("validation %s", checked)
    if checked.quarantined_rows:
        marts.cancel()
        log.info("the raw checks quarantined %d rows: building on the checked tables", checked.quarantined_rows)
        built, marts, error = _build_checking(con, settings, when, steps)
    if error is not None:
        raise error
    assert built is not None
    log.info("built %s", built)  # "built as of <as_of in the business time zone>: ..."
    progress.phase("mart checks")
    pending = marts.start()
    if while_waiting is not None:
        while_waiting()
    return ingested, built, pending.finish(con)


def _build_checking(
    con: duckdb.DuckDBPyConnection, settings: Settings, when: datetime, steps: Steps
) -> tuple[BuildReport | None, BuildChecks, Exception | None]:
    """The build, each model's checks handed to the checker as soon as it is built (the plain
    build; another build step: after it). A failed build returns its error, its checks dropped."""
    marts = BuildChecks(con)
    try:
        if steps.build is build:
            return build(con, settings, when, on_model=marts.model_built), marts, None
        return steps.build(con, settings, when), marts, None
    except Exception as exc:  # maybe on rows the raw checks are about to quarantine
        marts.cancel()
        return None, BuildChecks(con), exc


def ingest_and_validate(
    con: duckdb.DuckDBPyConnection,
    exports: Path,
    settings: Settings,
    *,
    prune: bool = False,
    steps: Steps = PLAIN,
    logger: Logger | None = None,
    progress: Progress = SILENT,
) -> runner.IngestReport:
    """Ingest into `con`, then the raw-table checks (which may quarantine rows). No lock, no staging:
    the caller holds both."""
    log = _logger(logger)
    report = _ingest(con, exports, settings, prune, steps, log, progress)
    return _validate_raw(con, report, steps, log, progress)


def run_ingest(
    exports: Path,
    db: Path,
    settings: Settings,
    *,
    prune: bool = False,
    wait_seconds: float = 0.0,
    steps: Steps = PLAIN,
    logger: Logger | None = None,
    progress: Progress = SILENT,
) -> runner.IngestReport:
    """`aemetrics ingest`: ingest and check the raw tables, locked, on a copy swapped in at the end."""
    with warehouse_lock(Path(db), wait_seconds), checker.running(), staged_warehouse(Path(db)) as work:
        con = open_warehouse(work, memory_limit=settings.memory_limit)
        try:
            return ingest_and_validate(
                con, Path(exports), settings, prune=prune, steps=steps, logger=logger, progress=progress
            )
        finally:
            con.close()
            progress.done()


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _keep_unchanged_files(site: Path, staging: Path) -> int:
    """Put the published file (hard link: same inode, same mtime) in place of every staged file
    with the same bytes, so that swapping in the staged site rewrites only the files that changed.
    Returns how many files were kept."""
    kept = 0
    if not site.is_dir():
        return kept
    for new in sorted(p for p in staging.rglob("*") if p.is_file()):
        old = site / new.relative_to(staging)
        if not old.is_file() or not _same_bytes(old, new):
            continue
        link = new.with_name(new.name + ".keep")
        try:
            os.link(old, link)
        except OSError:  # no hard links here: the new copy stays
            continue
        os.replace(link, new)
        kept += 1
    return kept


def _site_files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


STAMP = ".aemetrics-run"  # in the site: the run_fingerprint of the build it was published from


def _read_stamp(site: Path) -> str | None:
    try:
        return (site / STAMP).read_text(encoding="utf-8").strip()
    except OSError:
        return None


class _SiteUnchanged(Exception):
    """Raised inside the staged site to discard it: every file is the published one."""


def _publish_locked(
    db: Path,
    site: Path,
    settings: Settings,
    lang: str | None,
    steps: Steps,
    progress: Progress = SILENT,
    stamp: str | None = None,
) -> SiteReport:
    """Write the site of `db` into a staging folder and swap it in. The caller holds the lock.
    Files whose bytes did not change keep their inode and mtime (`SiteReport.kept`); when no file
    changed at all the published folder is not touched."""
    progress.phase("site")
    try:
        with staged_site(site) as staging:
            con = open_warehouse(db, read_only=True, memory_limit=getattr(settings, "memory_limit", ""))
            try:
                report = steps.write_site(con, staging, settings, lang)
            finally:
                con.close()
            if stamp is not None:  # a re-run from the same build can then leave the site alone
                (staging / STAMP).write_text(stamp + "\n", encoding="utf-8")
            kept = _keep_unchanged_files(site, staging)
            if site.is_dir() and _site_files(staging) == _site_files(site):
                raise _SiteUnchanged
    except _SiteUnchanged:
        pass
    report.kept = kept
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
    progress: Progress = SILENT,
) -> RunSummary:
    """The weekly pipeline: ingest -> raw checks -> build as of `as_of` (aware; default now) -> mart
    checks -> the site (when `site` is given and no check blocks it). When the ingest changed
    nothing and the last build had the same fingerprint (`run_fingerprint`), the checks and the
    build are skipped and the warehouse is left untouched."""
    log = _logger(logger)
    when = (as_of or datetime.now(UTC)).astimezone(UTC)
    db = Path(db)
    try:
        with warehouse_lock(db, wait_seconds):
            summary = _run_locked(Path(exports), db, settings, when, prune, steps, log, progress, site is not None)
            if site is not None and summary.failures:
                summary.blocked = True
                log.error("validation failed, the previous site stays up: %s", "; ".join(summary.failures))
            elif site is not None and summary.unchanged and _read_stamp(Path(site)) == summary.fingerprint:
                summary.site_kept = Path(site)
                log.info("site %s was published from this build: kept as it is", site)
            elif site is not None:
                summary.site = _publish_locked(db, Path(site), settings, None, steps, progress, summary.fingerprint)
                log.info("site written to %s", site)
    finally:
        progress.done()
    return summary


def _run_locked(
    exports: Path,
    db: Path,
    settings: Settings,
    when: datetime,
    prune: bool,
    steps: Steps,
    log: Logger,
    progress: Progress,
    site_wanted: bool = False,
) -> RunSummary:
    try:
        # the checker process starts first: it imports GX on the second core during the ingest
        with checker.running(), staged_warehouse(db) as work:
            con = open_warehouse(work, memory_limit=settings.memory_limit)
            try:
                ingested = _ingest(con, exports, settings, prune, steps, log, progress)
                fingerprint = run_fingerprint(con, settings, when)
                if ingested.files_parsed == 0 and fingerprint == _last_fingerprint(con):
                    log.info("nothing changed since the last build (same files, settings, SQL, as_of): build skipped")
                    raise _NothingChanged(ingested, fingerprint)
                ingested, built, checked = _check_and_build(
                    con, ingested, settings, when, steps, log, progress, _import_site if site_wanted else None
                )
                setup = setup_status(con)
                failures = ingested.blocking_failures + checked.failed
                _record_fingerprint(con, fingerprint, blocked=bool(failures))
            finally:
                con.close()
    except _NothingChanged as unchanged:
        ingested, fingerprint = unchanged.args
        nothing = ValidationReport(run_id="", stage="build")
        return RunSummary(
            as_of=when,
            ingest=ingested,
            build=BuildReport(as_of=when, calendar_first_day=when.date(), calendar_last_day=when.date()),
            validation=nothing,
            unchanged=True,
            fingerprint=fingerprint,
        )
    for missing in (s for s in setup if not s.found):
        log.warning("setup: %s", missing.line())
    return RunSummary(
        as_of=when,
        ingest=ingested,
        build=built,
        validation=checked,
        failures=failures,
        fingerprint=fingerprint,
        setup=setup,
    )

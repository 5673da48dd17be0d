"""Ingest an exports folder into the warehouse: discover files, parse what is new or changed,
load rows and quarantined records in one transaction, and remember each file's hash.

The parse step is a plain function over a batch of files so that the Prefect flow can run
batches as tasks in parallel, and tests and notebooks can call it without Prefect.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from aemetrics.config import Settings
from aemetrics.ingest import archives
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.warehouse import insert_rows, raw_tables

log = logging.getLogger("aemetrics.ingest")

# Top-level folder (or file) of the exports folder -> kind, and the module that parses it.
KINDS = {
    "email": "email",
    "emails": "email",
    "mail": "email",
    "mailboxes": "email",
    "calendar": "calendar",
    "calendars": "calendar",
    "crm": "crm",
    "attendance": "attendance",
}
PARSERS = {
    "staff": "aemetrics.ingest.staff",
    "email": "aemetrics.ingest.email",
    "calendar": "aemetrics.ingest.calendar",
    "crm": "aemetrics.ingest.crm",
    "attendance": "aemetrics.ingest.attendance",
    "archive": "aemetrics.ingest.archives",
}


class ExportsError(RuntimeError):
    """The exports folder itself is unusable (missing, not a folder, unreadable)."""


@dataclass
class ParsedFile:
    src: SourceFile
    sha256: str
    size_bytes: int
    result: ParseResult


@dataclass
class IngestPlan:
    to_parse: list[SourceFile] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # already loaded with another hash
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the manifest, no longer in the folder
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class IngestReport:
    files_seen: int = 0
    files_parsed: int = 0
    files_unchanged: int = 0
    files_changed: int = 0
    files_missing: int = 0
    rows_loaded: dict[str, int] = field(default_factory=dict)
    records_quarantined: int = 0
    seconds: float = 0.0
    blocking_failures: list[str] = field(default_factory=list)  # from the validation after ingest

    def summary(self) -> str:
        rows = ", ".join(f"{t}={n}" for t, n in sorted(self.rows_loaded.items()) if n) or "none"
        return (
            f"{self.files_seen} files: {self.files_parsed} parsed ({self.files_changed} changed), "
            f"{self.files_unchanged} unchanged, {self.files_missing} no longer present; "
            f"rows loaded: {rows}; records quarantined: {self.records_quarantined}; "
            f"{self.seconds:.1f} s"
        )


def classify(rel: str) -> str:
    """The export kind of a file, from where it sits in the exports folder."""
    parts = rel.split("/")
    if len(parts) == 1:
        return "staff" if parts[0].lower() in ("staff.csv", "staff.xlsx") else "unknown"
    return KINDS.get(parts[0].lower(), "unknown")


def member_kind(archive_rel: str, member: str) -> str:
    """The kind of an archive member: as if the archive were the folder it contains (an archive
    under email/ holds e-mail); for an archive elsewhere, from the member's own folders (Google
    Takeout's `Takeout/Mail/All mail.mbox`, `Takeout/Calendar/x.ics`) or a top-level staff.csv."""
    parent = archive_rel.rsplit("/", 1)[0] if "/" in archive_rel else ""
    kind = classify(f"{parent}/{member}" if parent else member)
    if kind != "unknown":
        return kind
    for part in member.split("/")[:-1]:
        if part.lower() in KINDS:
            return KINDS[part.lower()]
    return "unknown"


def discover(exports_dir: Path, unpack_dir: Path | None = None) -> list[SourceFile]:
    """Every file under the exports folder, sorted, with its kind (hidden files included).

    With unpack_dir, every archive (.zip, .tar.gz, ...: recognised by content) is listed as
    kind 'archive' followed by its members, unpacked below unpack_dir (archives.unpack)."""
    if not exports_dir.exists():
        raise ExportsError(f"{exports_dir}: exports folder not found")
    if not exports_dir.is_dir():
        raise ExportsError(f"{exports_dir}: not a folder")
    paths = sorted(_walk(exports_dir))
    files = []
    for p in paths:
        rel = p.relative_to(exports_dir).as_posix()
        if unpack_dir is not None and archives.archive_format(p):
            archive = SourceFile(path=p, rel=rel, kind="archive")
            files.append(archive)
            try:
                files.extend(archives.unpack(archive, unpack_dir, member_kind))
            except OSError as exc:  # disk full, ...: the members unpacked so far are not used either
                log.warning("%s: cannot unpack the archive: %s", rel, exc)
                files = [f for f in files if not f.rel.startswith(f"{rel}!/")]
            continue
        files.append(SourceFile(path=p, rel=rel, kind=classify(rel)))
    return files


def _walk(root: Path) -> list[Path]:
    """Every file below root, following symlinked folders (exports are often linked in) once."""
    seen: set[tuple[int, int]] = set()
    out: list[Path] = []

    def fail(exc: OSError) -> None:
        raise ExportsError(f"{exc.filename}: cannot list this folder of the exports: {exc.strerror}") from exc

    for folder, dirs, files in os.walk(root, followlinks=True, onerror=fail):
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:  # a link loop: do not walk it twice
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        out.extend(Path(folder) / name for name in files if os.path.isfile(os.path.join(folder, name)))
    return out


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def plan(files: list[SourceFile], con: duckdb.DuckDBPyConnection) -> IngestPlan:
    """Which files need parsing: new ones and ones whose content changed."""
    known = dict(con.execute("select source_file, sha256 from ingest_manifest").fetchall())
    out = IngestPlan()
    for src in files:
        digest, size = file_digest(src.path)
        out.hashes[src.rel] = (digest, size)
        if known.get(src.rel) == digest:
            out.unchanged.append(src.rel)
            continue
        if src.rel in known:
            out.changed.append(src.rel)
        out.to_parse.append(src)
    present = {f.rel for f in files}
    out.missing = sorted(set(known) - present)
    return out


def _parser_module(src: SourceFile) -> str:
    """The module that parses a file of this kind; an Outlook .pst/.ost under email/ is told by
    its signature, whatever its name."""
    if src.kind == "email":
        from aemetrics.ingest.pst import is_pst

        if is_pst(src.path):
            return "aemetrics.ingest.pst"
    return PARSERS[src.kind]


def parse_file(src: SourceFile, settings: Settings) -> ParseResult:
    """Parse one file; never raises: an unreadable file becomes one quarantined record."""
    if src.kind == "unknown":
        result = ParseResult(parser=None)
        result.reject(
            "file",
            "not an export: put files under email/, calendar/, crm/, attendance/ or name it staff.csv (or staff.xlsx)",
        )
        return result
    module = importlib.import_module(_parser_module(src))
    try:
        if src.kind == "attendance":  # clock-in records (DingTalk 考勤, attendance_clock) by content
            from aemetrics.ingest import clock

            if clock.looks_like_clock(src.path):
                module = clock
        return module.parse(src, settings)
    except ParseError as exc:
        result = ParseResult(parser=None)
        result.reject("file", str(exc))
        return result
    except Exception as exc:  # a parser bug must not lose the rest of the run; it is named, not hidden
        log.exception("parser crashed on %s", src.rel)
        result = ParseResult(parser=None)
        result.reject("file", f"parser error ({type(exc).__name__}): {exc}")
        return result


def parse_files(
    files: Iterable[SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]]
) -> list[ParsedFile]:
    """Parse a batch of files (the unit of one Prefect task)."""
    out = []
    for src in files:
        digest, size = hashes[src.rel]
        out.append(ParsedFile(src=src, sha256=digest, size_bytes=size, result=parse_file(src, settings)))
    return out


def load(
    con: duckdb.DuckDBPyConnection, parsed: list[ParsedFile], report: IngestReport, replace: Iterable[str] = ()
) -> None:
    """Load every parsed file's rows, quarantine and manifest entry in one transaction.

    Rows of the files in `replace` (loaded before with other content) are deleted first. Rows
    are inserted one table at a time for all files together: per-file statements would cost
    more than the parsing on ten thousand small files.
    """
    now = datetime.now(UTC)
    by_table: dict[str, list[dict]] = {}
    quarantined: list[dict] = []
    manifest: list[dict] = []
    for pf in parsed:
        rel = pf.src.rel
        for table, rows in pf.result.rows.items():
            for row in rows:
                row.setdefault("source_file", rel)
            by_table.setdefault(table, []).extend(rows)
        # is_loaded: the quarantined record is still in a raw table (loaded but unusable, or loaded
        # with a note), as opposed to a record or a whole file that did not load
        loaded = {row.get("record") for rows in pf.result.rows.values() for row in rows}
        quarantined.extend(
            dict(
                source_file=rel,
                record=record,
                reason=reason,
                source_kind=pf.src.kind,
                quarantined_at=now,
                is_loaded=record in loaded,
            )
            for record, reason in pf.result.quarantined
        )
        manifest.append(
            dict(
                source_file=rel,
                sha256=pf.sha256,
                size_bytes=pf.size_bytes,
                source_kind=pf.src.kind,
                parser=pf.result.parser,
                rows_loaded=pf.result.row_count,
                rows_quarantined=len(pf.result.quarantined),
                loaded_at=now,
            )
        )
    con.execute("begin transaction")
    try:
        _delete_files(con, list(replace), raw_tables(con) + ["ingest_manifest"])
        for table, rows in by_table.items():
            report.rows_loaded[table] = report.rows_loaded.get(table, 0) + insert_rows(con, table, rows)
        insert_rows(con, "quarantine", quarantined)
        insert_rows(con, "ingest_manifest", manifest)
        report.records_quarantined += len(quarantined)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _delete_files(con: duckdb.DuckDBPyConnection, rels: list[str], tables: list[str]) -> None:
    if not rels:
        return
    for table in tables:
        con.execute(f'delete from "{table}" where source_file in (select unnest(?::varchar[]))', [rels])


def prune(con: duckdb.DuckDBPyConnection, missing: list[str]) -> None:
    """Forget files that are no longer in the exports folder (only when asked: --prune)."""
    if not missing:
        return
    con.execute("begin transaction")
    try:
        _delete_files(con, missing, raw_tables(con) + ["ingest_manifest"])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


MAX_BATCHES = 8  # a Prefect task costs ~0.1 s: a few big batches keep 2-4 workers busy for less


def batches(files: list[SourceFile], size: int) -> list[list[SourceFile]]:
    """Batches of at least `size` files, at most MAX_BATCHES of them (plus one per big mailbox)."""
    size = max(size, -(-len(files) // MAX_BATCHES))
    out: list[list[SourceFile]] = []
    current: list[SourceFile] = []
    for src in files:
        if src.path.stat().st_size > 20 * 1024 * 1024:
            out.append([src])
            continue
        current.append(src)
        if len(current) >= size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


BatchParser = Callable[[list[list[SourceFile]], Settings, dict[str, tuple[str, int]]], Iterable[list[ParsedFile]]]


def parse_in_turn(
    file_batches: list[list[SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]]
) -> Iterable[list[ParsedFile]]:
    """Parse the batches one after the other, in this process."""
    return (parse_files(batch, settings, hashes) for batch in file_batches)


def ingest_exports(
    exports_dir: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    prune_missing: bool = False,
    progress: Callable[[str], None] | None = None,
    parse_batches: BatchParser = parse_in_turn,
) -> IngestReport:
    """The whole ingest: discover, plan, parse what is new or changed, load.

    Plain by default (tests, notebooks); the Prefect flow passes a `parse_batches` that runs
    each batch as a task.
    """
    with tempfile.TemporaryDirectory(prefix="aemetrics-archives-") as unpack_dir:
        return _ingest(
            exports_dir,
            con,
            settings,
            Path(unpack_dir),
            prune_missing=prune_missing,
            progress=progress,
            parse_batches=parse_batches,
        )


def _ingest(
    exports_dir: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    unpack_dir: Path,
    *,
    prune_missing: bool,
    progress: Callable[[str], None] | None,
    parse_batches: BatchParser,
) -> IngestReport:
    started = time.perf_counter()
    say = progress or log.info
    files = discover(Path(exports_dir), unpack_dir)
    the_plan = plan(files, con)
    report = IngestReport(
        files_seen=len(files),
        files_parsed=len(the_plan.to_parse),
        files_unchanged=len(the_plan.unchanged),
        files_changed=len(the_plan.changed),
        files_missing=len(the_plan.missing),
    )
    say(f"{len(files)} files in {exports_dir}: {len(the_plan.to_parse)} to parse, {len(the_plan.unchanged)} unchanged")
    parsed: list[ParsedFile] = []
    file_batches = batches(the_plan.to_parse, settings.parse_batch_size)
    for batch_result in parse_batches(file_batches, settings, the_plan.hashes):
        parsed.extend(batch_result)
        say(f"parsed {len(parsed)}/{len(the_plan.to_parse)} files")
    load(con, parsed, report, replace=the_plan.changed)
    if prune_missing:
        prune(con, the_plan.missing)
    elif the_plan.missing:
        log.warning(
            "%d files loaded earlier are no longer in the exports folder; their rows are kept "
            "(use --prune to forget them): %s",
            len(the_plan.missing),
            ", ".join(the_plan.missing[:5]),
        )
    report.seconds = time.perf_counter() - started
    return report

"""Ingest an exports folder into the warehouse: discover files, parse what is new or changed,
load rows and quarantined records in one transaction, and remember each file's hash.

The parse step is a plain function over a batch of files so that the Prefect flow can run
batches as tasks in parallel, and tests and notebooks can call it without Prefect.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import logging
import multiprocessing
import multiprocessing.context
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson

from aemetrics.config import Settings
from aemetrics.ingest import archives
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.processes import main_module_hidden
from aemetrics.warehouse import column_types, create_raw_tables, insert_rows, raw_tables

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
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)  # of the files loaded before


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
    """Which files need parsing: new ones and ones whose content changed. Only the files loaded
    before are hashed here (to tell unchanged from changed); a new file is hashed by the worker
    that parses it (`parse_files`), in parallel, not before the parse starts (1.2 GB of exports
    took this process seconds before the first batch began)."""
    known = dict(con.execute("select source_file, sha256 from ingest_manifest").fetchall())
    out = IngestPlan()
    for src in files:
        if src.rel not in known:
            out.to_parse.append(src)
            continue
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
    """Parse a batch of files (the unit of one Prefect task). `hashes`: (sha256, bytes) of the
    files hashed by `plan`; any other file is hashed here."""
    return list(_parse_each(files, settings, hashes))


def _parse_each(
    files: Iterable[SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]]
) -> Iterator[ParsedFile]:
    """parse_files one file at a time: a batch's rows are not all held at once."""
    for src in files:
        digest, size = hashes.get(src.rel) or file_digest(src.path)
        yield ParsedFile(src=src, sha256=digest, size_bytes=size, result=parse_file(src, settings))


@dataclass
class ShardBatch:
    """What parsing one batch returns: where its rows are and how many, never the rows themselves
    (a worker process or a Dask worker sends back a few hundred bytes, not millions of dicts).

    shards: table -> Parquet file (a local path or any fsspec URL), one per table with rows,
    `quarantine` included; manifest: one small ingest_manifest entry per file (loaded_at is
    stamped at load time)."""

    shards: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    manifest: list[dict] = field(default_factory=list)


FLUSH_ROWS = 50_000  # rows held as Python dicts before they go into the batch's columnar buffer


def _is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def _local_path(url: str) -> str:
    return url[len("file://") :] if url.startswith("file://") else url


def parse_to_shards(
    batch: list[SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]], shard_dir: str, name: str
) -> ShardBatch:
    """Parse a batch of files and write its rows as Parquet shards `<shard_dir>/<name>.<table>.parquet`.

    The unit of work of a worker process or a Dask task. Rows go through `insert_rows` into an
    in-memory DuckDB holding the raw tables (e-mail rows: JSON files read with the same casts,
    straight into their shard: `_JsonParts`), so every value is cast exactly as loading them
    directly would; the shards then load with one `insert ... by name` per table (`loading`). `shard_dir` may be any fsspec URL (a shared folder or bucket, for
    a cluster). Python's cyclic garbage collector is paused meanwhile (`gc_paused`)."""
    with gc_paused():
        return _parse_to_shards(batch, settings, hashes, shard_dir, name)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a batch is parsed: the rows held until the shard
    is written are hundreds of thousands of objects without cycles, which every collection would
    walk again (a sixth of the CPU of an e-mail batch). Reference counting still frees everything
    as usual; cycles made meanwhile wait for the next collection after the batch."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_to_shards(
    batch: list[SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]], shard_dir: str, name: str
) -> ShardBatch:
    buffer = duckdb.connect(":memory:")
    parts = _JsonParts(tempfile.mkdtemp(prefix="aemetrics-rows-"))
    try:
        buffer.execute("set TimeZone = 'UTC'")
        buffer.execute("set threads = 1")  # one batch per core already: more threads only add overhead
        create_raw_tables(buffer)
        out = ShardBatch()
        pending: dict[str, list[dict]] = {}
        held = 0
        for pf in _parse_each(batch, settings, hashes):  # one file's rows at a time, flushed by FLUSH_ROWS
            rel = pf.src.rel
            for table, rows in pf.result.rows.items():
                for row in rows:
                    row.setdefault("source_file", rel)
                pending.setdefault(table, []).extend(rows)
                held += len(rows)
            # is_loaded: the quarantined record is still in a raw table (loaded but unusable, or loaded
            # with a note), as opposed to a record or a whole file that did not load
            loaded = (
                {row.get("record") for rows in pf.result.rows.values() for row in rows}
                if pf.result.quarantined
                else set()
            )
            pending.setdefault("quarantine", []).extend(
                dict(source_file=rel, record=record, reason=reason, source_kind=pf.src.kind, is_loaded=record in loaded)
                for record, reason in pf.result.quarantined
            )
            out.quarantined += len(pf.result.quarantined)
            out.manifest.append(
                dict(
                    source_file=rel,
                    sha256=pf.sha256,
                    size_bytes=pf.size_bytes,
                    source_kind=pf.src.kind,
                    parser=pf.result.parser,
                    rows_loaded=pf.result.row_count,
                    rows_quarantined=len(pf.result.quarantined),
                )
            )
            if held >= FLUSH_ROWS:
                _flush(buffer, pending, out, parts)
                held = 0
        _flush(buffer, pending, out, parts)
        for table in out.rows:
            url = f"{shard_dir.rstrip('/')}/{name}.{table}.parquet"
            if table in parts.buffered:
                parts.insert_into(buffer, table)  # the parts written after the last row insert_rows took
            if parts.files.get(table):  # straight from the JSON parts to Parquet, cast as inserting would
                out.shards[table] = _write_shard(buffer, f"({parts.select(buffer, table)})", url, [parts.files[table]])
            else:
                out.shards[table] = _write_shard(buffer, f'"{table}"', url)
        return out
    finally:
        buffer.close()
        shutil.rmtree(parts.folder, ignore_errors=True)


def _flush(
    buffer: duckdb.DuckDBPyConnection, pending: dict[str, list[dict]], out: ShardBatch, parts: _JsonParts
) -> None:
    for table, rows in pending.items():
        if not rows:
            continue
        if table in JSON_TABLES and parts.add(buffer, table, rows):
            n = len(rows)
        else:
            if table in JSON_TABLES:  # rows orjson cannot write: the parts before them go first, in order
                parts.insert_into(buffer, table)
                parts.buffered.add(table)
            n = insert_rows(buffer, table, rows)
        out.rows[table] = out.rows.get(table, 0) + n
    pending.clear()


# Tables whose rows hold only str, bool, None, lists of str and aware datetimes (the e-mail
# parsers' rows): they reach the buffer as one JSON document read by DuckDB, several times
# cheaper than the pandas frame of insert_rows, with the same casts.
JSON_TABLES = frozenset({"raw_email_messages"})


def _check_json_rows(table: str, types: dict[str, str], rows: list[dict]) -> None:
    """What insert_rows refuses (a column the table lacks, a naive datetime), refused alike."""
    unknown = set().union(*map(dict.keys, rows)) - types.keys()
    if unknown:
        raise ValueError(f"{table}: rows carry columns the table does not have: {sorted(unknown)}")
    for col, typ in types.items():
        if typ.startswith("TIMESTAMP WITH TIME ZONE"):
            for v in [r.get(col) for r in rows]:
                if v is None or (type(v) is datetime and v.tzinfo is UTC):  # the parsers' usual value
                    continue
                if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset() is None):
                    raise ValueError(f"{table}.{col}: naive datetime {v!r}; parsers must emit aware datetimes")


def _json_file(table: str, types: dict[str, str], rows: list[dict], folder: str) -> str | None:
    """The rows as one JSON array (orjson) in a new file of `folder`; None when orjson cannot
    write them (a lone surrogate in a string)."""
    _check_json_rows(table, types, rows)
    try:
        data = orjson.dumps(rows)
    except orjson.JSONEncodeError:
        return None
    fd, path = tempfile.mkstemp(prefix="aemetrics-rows-", suffix=".json", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _json_select(types: dict[str, str]) -> str:
    """The rows of the JSON files given as the one parameter (a list), read by DuckDB with every
    column declared, then cast to the column's type as insert_rows casts it (timestamps go as
    RFC 3339 text with their offset)."""
    read_as = ", ".join(f"'{c}': '{'VARCHAR' if t.startswith('TIMESTAMP') else t}'" for c, t in types.items())
    casts = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in types.items())
    return (
        f"select {casts} from read_json(?::varchar[], format = 'array', "
        f"columns = {{{read_as}}}, maximum_object_size = {JSON_MAX_OBJECT})"
    )


@dataclass
class _JsonParts:
    """The rows of a batch's JSON_TABLES, flushed as JSON files (one per flush, in order) that go
    straight into the table's Parquet shard with one `copy (select <casts> from read_json([...]))`:
    the casts `insert_rows` makes, without first inserting them into the buffer's table (a
    fifth of the CPU of an e-mail batch). A table some rows of which orjson cannot write is
    `buffered`: its parts go into the buffer's table in order, before and after those rows."""

    folder: str
    files: dict[str, list[str]] = field(default_factory=dict)
    buffered: set[str] = field(default_factory=set)
    _types: dict[str, dict[str, str]] = field(default_factory=dict)

    def types(self, buffer: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
        if table not in self._types:
            self._types[table] = column_types(buffer, table)
        return self._types[table]

    def add(self, buffer: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> bool:
        path = _json_file(table, self.types(buffer, table), rows, self.folder)
        if path is None:
            return False
        self.files.setdefault(table, []).append(path)
        return True

    def select(self, buffer: duckdb.DuckDBPyConnection, table: str) -> str:
        return _json_select(self.types(buffer, table))

    def insert_into(self, buffer: duckdb.DuckDBPyConnection, table: str) -> None:
        files = self.files.pop(table, [])
        if files:
            buffer.execute(f'insert into "{table}" by name {self.select(buffer, table)}', [files])


JSON_MAX_OBJECT = 2**31 - 1  # one row with a stored body can be big; DuckDB's default is 16 MB


def _write_shard(buffer: duckdb.DuckDBPyConnection, source: str, url: str, params: list | None = None) -> str:
    """Write `source` (a quoted table name or a parenthesised query with `params`) of the buffer
    as Parquet to `url` (local, or copied there with fsspec)."""
    if _is_local(url):
        buffer.execute(f"copy {source} to '{_local_path(url).replace(chr(39), chr(39) * 2)}' (format parquet)", params)
        return _local_path(url)
    import fsspec

    with tempfile.TemporaryDirectory(prefix="aemetrics-shard-") as tmp:
        local = os.path.join(tmp, "shard.parquet")
        buffer.execute(f"copy {source} to '{local.replace(chr(39), chr(39) * 2)}' (format parquet)", params)
        fs, path = fsspec.core.url_to_fs(url)
        fs.put_file(local, path)
    return url


def load_shards(
    con: duckdb.DuckDBPyConnection, parsed: list[ShardBatch], report: IngestReport, replace: Sequence[str] = ()
) -> None:
    """Load every batch's shards, quarantine and manifest entries in one transaction (`loading`)."""
    with loading(con, report, replace) as load:
        for batch in parsed:
            load(batch)


@contextmanager
def loading(
    con: duckdb.DuckDBPyConnection, report: IngestReport, replace: Sequence[str] = ()
) -> Iterator[Callable[[ShardBatch], None]]:
    """One transaction into which batches load as they are parsed: `load(batch)` inserts a batch's
    shards, one `insert ... by name select * from read_parquet([...])` per table, while the
    workers parse the next batches (the load no longer waits for the last one); the manifest
    entries are inserted and the transaction committed at the end (rolled back on any error, so
    a failed parse loads nothing, as before).

    Rows of the files in `replace` (loaded before with other content) are deleted first. Batches
    are loaded in batch order, so a table's rows stand in the order of the files, as parsed. One
    clock for the whole load: every row's `loaded_at` / `quarantined_at` is its start."""
    now = datetime.now(UTC)
    manifest: list[dict] = []
    con.execute("begin transaction")
    try:
        _delete_files(con, list(replace), raw_tables(con) + ["ingest_manifest"])

        def load(batch: ShardBatch) -> None:
            if any(not _is_local(url) for url in batch.shards.values()):
                _register_fsspec(con, list(batch.shards.values()))
            for table, url in batch.shards.items():
                stamp = " replace (?::timestamptz as quarantined_at)" if table == "quarantine" else ""
                params: list = [now, [url]] if stamp else [[url]]
                n = con.execute(
                    f'insert into "{table}" by name select *{stamp} from read_parquet(?::varchar[])', params
                ).fetchall()[0][0]
                if table != "quarantine":
                    report.rows_loaded[table] = report.rows_loaded.get(table, 0) + n
            manifest.extend(dict(entry, loaded_at=now) for entry in batch.manifest)
            report.records_quarantined += batch.quarantined

        yield load
        insert_rows(con, "ingest_manifest", manifest)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _register_fsspec(con: duckdb.DuckDBPyConnection, urls: list[str]) -> None:
    """Let DuckDB read shards on a remote fsspec filesystem (s3://, gcs://, memory://, ...)."""
    import fsspec

    registered = {fs for fs in con.list_filesystems()}
    for protocol in sorted({url.split("://", 1)[0] for url in urls if not _is_local(url)}):
        fs = fsspec.filesystem(protocol)
        if fs.protocol[0] not in registered and protocol not in registered:
            con.register_filesystem(fs)


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
BATCH_BYTES = 8 * 1024 * 1024  # at least one batch per this much export, so that every core has work
BIG_FILE = 20 * 1024 * 1024  # a mailbox this big is a batch on its own
# Parse time per byte against an mbox's: an .ics byte costs about eight (icalendar reads each
# content line character by character; 100 AEs: 3.2 MB of calendars ≈ 2 s of a core, 110 MB of
# mail ≈ 8 s). Batches are cut by this cost, so that a batch of calendars is not three times
# as long as a batch of mail (the last one then keeps one core busy alone).
COST_PER_BYTE = {"calendar": 8}


def is_archive_member(src: SourceFile) -> bool:
    """A file unpacked from an archive into this machine's temporary folder (`<archive>!/<member>`):
    a Dask worker on another machine cannot read it, so the client parses it."""
    return "!/" in src.rel


def batches(files: list[SourceFile], size: int) -> list[list[SourceFile]]:
    """The files in order, cut into batches of about equal parse cost (bytes, a calendar's
    counted COST_PER_BYTE times): one batch per `size` files or per BATCH_BYTES of cost,
    whichever gives more, at most MAX_BATCHES (plus one per big mailbox). Archive members never
    share a batch with other files (`is_archive_member`)."""
    if not files:
        return []
    sizes = [src.path.stat().st_size for src in files]
    costs = [nbytes * COST_PER_BYTE.get(src.kind, 1) for src, nbytes in zip(files, sizes, strict=True)]
    total = sum(c for c, nbytes in zip(costs, sizes, strict=True) if nbytes <= BIG_FILE)
    n = min(MAX_BATCHES, max(1, -(-len(files) // max(size, 1)), -(-total // BATCH_BYTES)))
    target = total / n
    out: list[list[SourceFile]] = []
    current: list[SourceFile] = []
    held = 0
    for src, nbytes, cost in zip(files, sizes, costs, strict=True):
        if nbytes > BIG_FILE:
            out.append([src])
            continue
        if current and (held >= target or is_archive_member(src) != is_archive_member(current[-1])):
            out.append(current)
            current, held = [], 0
        current.append(src)
        held += cost
    if current:
        out.append(current)
    return out


BatchParser = Callable[[list[list[SourceFile]], Settings, dict[str, tuple[str, int]], str], Iterable[ShardBatch]]


def batch_hashes(batch: list[SourceFile], hashes: dict[str, tuple[str, int]]) -> dict[str, tuple[str, int]]:
    """The known (sha256, bytes) of a batch's files (`plan` hashes only the files loaded before)."""
    return {src.rel: hashes[src.rel] for src in batch if src.rel in hashes}


def shard_name(i: int) -> str:
    return f"batch-{i:05d}"


def parse_in_turn(
    file_batches: list[list[SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]], shard_dir: str
) -> Iterable[ShardBatch]:
    """Parse the batches one after the other, in this process."""
    return (
        parse_to_shards(batch, settings, batch_hashes(batch, hashes), shard_dir, shard_name(i))
        for i, batch in enumerate(file_batches)
    )


def parse_workers(settings: Settings) -> int:
    """Worker processes of a local parse: `parse_workers`, else every core this process may use."""
    if settings.parse_workers > 0:
        return settings.parse_workers
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


POOL_BYTES = 16 * 1024 * 1024  # below this much to parse, a process pool costs more than it saves


def local_workers(file_batches: list[list[SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]]) -> int:
    """How many worker processes a local parse uses: one per core (`parse_workers`), at most one
    per batch; 1 (this process, no pool) below POOL_BYTES, where starting a pool (about a second)
    would cost more than the parse itself."""
    total = sum(src.path.stat().st_size for batch in file_batches for src in batch)
    if total < POOL_BYTES:
        return 1
    return max(1, min(parse_workers(settings), len(file_batches)))


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a fresh server process that has imported the parsers once
    (forkserver: never a fork of this process, whose threads may hold DuckDB's or Prefect's locks),
    each started with the caller's `__main__` hidden (`_HiddenMainProcess`)."""
    ctx = _HiddenMainContext()
    ctx.set_forkserver_preload(["aemetrics.ingest.runner", "aemetrics.ingest.email", "aemetrics.ingest.calendar"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


_STARTING = threading.Lock()  # Prefect's task threads submit to one pool at once


class _HiddenMainProcess(multiprocessing.context.ForkServerProcess):
    """A forkserver process started with `main_module_hidden` (the pool starts its workers as
    batches are submitted, from whichever thread submits)."""

    def start(self) -> None:
        with _STARTING, main_module_hidden():
            super().start()


class _HiddenMainContext(multiprocessing.context.ForkServerContext):
    Process = _HiddenMainProcess


def parse_in_processes(
    file_batches: list[list[SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]], shard_dir: str
) -> Iterable[ShardBatch]:
    """Parse the batches in a local pool of worker processes (one per core); a small ingest, one
    batch or one core parses in this process (`local_workers`). With `dask_address`, on that
    Dask cluster instead (`parse_on_dask`: a run without Prefect honours it too)."""
    if settings.dask_address:
        yield from parse_on_dask(file_batches, settings, hashes, shard_dir)
        return
    workers = local_workers(file_batches, settings, hashes)
    if workers <= 1:
        yield from parse_in_turn(file_batches, settings, hashes, shard_dir)
        return
    with process_pool(workers) as pool:
        futures = [
            pool.submit(parse_to_shards, batch, settings, batch_hashes(batch, hashes), shard_dir, shard_name(i))
            for i, batch in enumerate(file_batches)
        ]
        for future in futures:
            yield future.result()


def parse_on_dask(
    file_batches: list[list[SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]], shard_dir: str
) -> Iterable[ShardBatch]:
    """The batches as plain Dask tasks on the cluster at `dask_address` (the Prefect flow uses
    DaskTaskRunner instead, so that each batch is a task run). Archive members were unpacked on
    this machine only: their batches are parsed here while the cluster parses the rest."""
    from distributed import Client

    with Client(settings.dask_address) as client:
        futures = {
            i: client.submit(
                parse_to_shards, batch, settings, batch_hashes(batch, hashes), shard_dir, shard_name(i), pure=False
            )
            for i, batch in enumerate(file_batches)
            if not any(is_archive_member(src) for src in batch)
        }
        for i, batch in enumerate(file_batches):
            if i in futures:
                yield futures[i].result()
            else:
                yield parse_to_shards(batch, settings, batch_hashes(batch, hashes), shard_dir, shard_name(i))


@contextmanager
def run_shard_dir(settings: Settings, local_tmp: Path) -> Iterator[str]:
    """The folder of this run's shards: `<shard_dir>/run-<id>` when `shard_dir` is set (a path or
    fsspec URL every worker can reach), else a folder in this run's temporary directory; removed
    after loading."""
    if not settings.shard_dir:
        folder = local_tmp / "shards"
        folder.mkdir()
        yield str(folder)
        return
    import fsspec

    url = f"{settings.shard_dir.rstrip('/')}/run-{uuid.uuid4().hex}"
    fs, path = fsspec.core.url_to_fs(url)
    fs.makedirs(path, exist_ok=True)
    try:
        yield url
    finally:
        try:
            if fs.exists(path):
                fs.rm(path, recursive=True)
        except OSError as exc:  # a leftover folder is untidy, not wrong: say so and go on
            log.warning("%s: cannot remove this run's shards: %s", url, exc)


def ingest_exports(
    exports_dir: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    prune_missing: bool = False,
    progress: Callable[[str], None] | None = None,
    parse_batches: BatchParser = parse_in_processes,
) -> IngestReport:
    """The whole ingest: discover, plan, parse what is new or changed (into Parquet shards), load.

    Plain by default (tests, notebooks: a local process pool when there is more than one batch);
    the Prefect flow passes a `parse_batches` that runs each batch as a task (on Dask when
    `dask_address` is set).
    """
    with tempfile.TemporaryDirectory(prefix="aemetrics-ingest-") as tmp:
        unpack_dir = Path(tmp) / "archives"
        unpack_dir.mkdir()
        return _ingest(
            exports_dir,
            con,
            settings,
            unpack_dir,
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
    file_batches = batches(the_plan.to_parse, settings.parse_batch_size)
    with run_shard_dir(settings, unpack_dir.parent) as shard_dir, loading(con, report, the_plan.changed) as load:
        n_files = 0
        for batch_result in parse_batches(file_batches, settings, the_plan.hashes, shard_dir):
            load(batch_result)  # while the workers parse the next batches
            n_files += len(batch_result.manifest)
            say(f"parsed {n_files}/{len(the_plan.to_parse)} files")
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

"""Issue 10, "Parse on every core, load in bulk" and "Scale out on an existing engine".

Before issue 10 the parse ran in one Python thread (Prefect's thread pool: one core), returned
every row as Python dicts to the flow, and there was no way to use a Dask cluster: `--dask`
and `dask_address` did not exist. Now parse workers write Parquet shards and return paths and
counts; the shards load with one statement per table. These tests check that the warehouse is
the same, row for row, however the parse ran: in this process, in a local process pool, or on
a real `distributed.LocalCluster` through Prefect's DaskTaskRunner.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from aemetrics.config import Settings
from aemetrics.demo import generate_demo
from aemetrics.ingest import runner
from aemetrics.ingest.base import SourceFile
from aemetrics.warehouse import open_warehouse, raw_tables

STAMPS = {"quarantine": "quarantined_at", "ingest_manifest": "loaded_at"}  # the load's own clock


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    """The demo agency (mbox, ics, Salesforce, Zoom) plus what must be quarantined or comes from an
    archive: a file outside the known folders, an .ics without a VEVENT start, a zipped mailbox."""
    out = tmp_path_factory.mktemp("scale") / "exports"
    generate_demo(out)
    (out / "notes.txt").write_text("not an export\n", encoding="utf-8")
    (out / "calendar" / "broken.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:no-start@x\r\nSUMMARY:no start\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    (out / "calendar" / "garbage.ics").write_bytes(b"\x00\x01 not a calendar")
    mbox = next(iter(sorted((out / "email").glob("*.mbox"))))
    with zipfile.ZipFile(out / "email" / "old-mail.zip", "w") as z:
        z.write(mbox, "archive/old.mbox")
    return out


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every raw table, quarantine and the manifest, sorted, without the load's timestamps."""
    con = open_warehouse(db, read_only=True)
    try:
        out = {}
        for table in raw_tables(con) + ["quarantine", "ingest_manifest"]:
            exclude = f" exclude ({STAMPS[table]})" if table in STAMPS else ""
            out[table] = con.execute(f'select *{exclude} from "{table}" order by all').fetchall()
        return out
    finally:
        con.close()


def ingest(exports: Path, db: Path, settings: Settings, parse) -> runner.IngestReport:
    con = open_warehouse(db)
    try:
        return runner.ingest_exports(exports, con, settings, parse_batches=parse)
    finally:
        con.close()


@pytest.fixture(scope="module")
def in_process(exports, tmp_path_factory) -> tuple[Path, runner.IngestReport]:
    db = tmp_path_factory.mktemp("in-process") / "w.duckdb"
    return db, ingest(exports, db, Settings(), runner.parse_in_turn)


def test_in_process_load_keeps_every_file(in_process, exports):
    """Every file is in the manifest; what cannot load is quarantined with its reason."""
    db, report = in_process
    got = tables(db)
    files = {rel for rel, *_ in got["ingest_manifest"]}
    on_disk = {p.relative_to(exports).as_posix() for p in exports.rglob("*") if p.is_file()}
    assert on_disk <= files  # plus the zip's member, as 'email/old-mail.zip!/archive/old.mbox'
    assert "email/old-mail.zip!/archive/old.mbox" in files
    reasons = {(f, r) for f, r, *_ in got["quarantine"]}
    assert ("notes.txt", "file") in reasons and ("calendar/garbage.ics", "file") in reasons
    assert report.rows_loaded["raw_email_messages"] == len(got["raw_email_messages"]) > 8000
    assert report.records_quarantined == len(got["quarantine"])


def test_a_process_pool_loads_the_same_warehouse(in_process, exports, tmp_path, monkeypatch):
    """Two worker processes (the pool starts above POOL_BYTES; lowered so the demo needs it):
    the same rows, quarantine and manifest as the parse in this process."""
    monkeypatch.setattr(runner, "POOL_BYTES", 0)
    monkeypatch.setattr(runner, "BATCH_BYTES", 1024 * 1024)
    settings = Settings(parse_workers=2)
    report = ingest(exports, tmp_path / "pool.duckdb", settings, runner.parse_in_processes)
    assert tables(tmp_path / "pool.duckdb") == tables(in_process[0])
    assert report.rows_loaded == in_process[1].rows_loaded
    assert report.records_quarantined == in_process[1].records_quarantined


def test_reingest_from_shards_is_idempotent(in_process, exports, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(in_process[0], db)
    report = ingest(exports, db, Settings(), runner.parse_in_turn)
    assert report.files_parsed == 0 and report.rows_loaded == {}
    assert tables(db) == tables(in_process[0])


def test_batches_are_about_equal_in_bytes_and_keep_archive_members_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "BATCH_BYTES", 1000)
    files = []
    for i, n in enumerate([600, 600, 600, 600, 100, 100, 600]):
        p = tmp_path / f"f{i}.mbox"
        p.write_bytes(b"x" * n)
        files.append(SourceFile(path=p, rel=f"email/f{i}.mbox" if i != 4 else "email/a.zip!/m.mbox", kind="email"))
    got = [[f.path.name for f in b] for b in runner.batches(files, 200)]
    assert got == [["f0.mbox", "f1.mbox"], ["f2.mbox", "f3.mbox"], ["f4.mbox"], ["f5.mbox", "f6.mbox"]]
    assert [f for b in runner.batches(files, 200) for f in b] == files  # the files' order


def test_dask_is_an_option_of_run_and_ingest():
    from aemetrics.cli import build_parser

    for command in ("run", "ingest"):
        args = build_parser().parse_args([command, "--exports", "e", "--db", "w", "--dask", "tcp://10.0.0.5:8786"])
        assert args.dask == "tcp://10.0.0.5:8786"


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster: a scheduler and two worker processes of one thread each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local_cluster:
        yield local_cluster


def executed(cluster) -> dict[str, int]:
    import distributed

    with distributed.Client(cluster) as client:
        return client.run(lambda dask_worker: dask_worker.state.executed_count)


def test_a_run_without_prefect_parses_on_dask_too(in_process, exports, tmp_path, cluster):
    """`dask_address` in the settings of a plain ingest (no Prefect flow): the batches run as
    plain Dask tasks on the cluster; the warehouse is the same."""
    before = sum(executed(cluster).values())
    settings = Settings(dask_address=cluster.scheduler_address, parse_batch_size=20)
    report = ingest(exports, tmp_path / "plain-dask.duckdb", settings, runner.parse_in_processes)
    assert tables(tmp_path / "plain-dask.duckdb") == tables(in_process[0])
    assert report.rows_loaded == in_process[1].rows_loaded
    assert sum(executed(cluster).values()) - before >= 2


@pytest.mark.prefect
def test_a_dask_cluster_loads_the_same_warehouse(in_process, exports, tmp_path, cluster):
    """A real LocalCluster with two worker processes; the ingest flow with its address and the
    shards under a file:// URL (shard_dir, as a shared folder would be given): every raw table,
    the quarantine and the manifest are the same as the in-process parse's, and the run's shard
    folder is gone afterwards. The zipped mailbox is parsed by the flow itself (its member was
    unpacked on this machine only)."""
    from prefect.testing.utilities import prefect_test_harness

    from aemetrics.flows import ingest_flow

    shards = tmp_path / "shared-shards"
    config = tmp_path / "aemetrics.toml"
    config.write_text(f'shard_dir = "file://{shards}"\nparse_batch_size = 20\n', encoding="utf-8")
    before = executed(cluster)
    with prefect_test_harness(server_startup_timeout=90):
        report = ingest_flow(str(exports), str(tmp_path / "dask.duckdb"), str(config), dask=cluster.scheduler_address)
    after = executed(cluster)
    assert tables(tmp_path / "dask.duckdb") == tables(in_process[0])
    assert report.rows_loaded == in_process[1].rows_loaded
    assert len(after) == 2 and sum(after.values()) - sum(before.values()) >= 2  # parse tasks ran on the workers
    assert shards.is_dir() and list(shards.iterdir()) == []

"""Prefect flow: ingest an exports folder into the warehouse.

Thin on purpose: every step is a plain function in aemetrics.ingest.runner. Files are parsed
in batches, one task per batch, so a task runner can parse in parallel without paying
Prefect's per-task overhead on thousands of small .eml files. Loading happens in the flow
itself: DuckDB has one writer.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from aemetrics.atomic import staged_warehouse, warehouse_lock
from aemetrics import quality
from aemetrics.config import Settings, load_settings
from aemetrics.ingest import runner
from aemetrics.ingest.base import SourceFile
from aemetrics.warehouse import open_warehouse


@task(name="parse-files", cache_policy=NO_CACHE)
def parse_batch(batch: list[SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]]) -> list[runner.ParsedFile]:
    return runner.parse_files(batch, settings, hashes)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(con, stage: str):
    return quality.validate(con, stage)


def ingest_into(con, exports: Path, settings: Settings, prune: bool = False) -> runner.IngestReport:
    """The ingest with each batch of files parsed as a Prefect task (used by run too)."""
    logger = get_run_logger()

    def parse_in_tasks(file_batches, settings, hashes):
        # quote(): Prefect would otherwise walk every element of a batch looking for upstream futures
        futures = [parse_batch.submit(quote(batch), settings, quote({f.rel: hashes[f.rel] for f in batch}))
                   for batch in file_batches]
        return (future.result() for future in futures)

    report = runner.ingest_exports(exports, con, settings, prune_missing=prune, progress=logger.info,
                                   parse_batches=parse_in_tasks)
    logger.info(report.summary())
    return report


def ingest_and_validate(con, exports: Path, settings: Settings, prune: bool = False) -> runner.IngestReport:
    """Ingest, then the raw-table checkpoint (which may quarantine rows)."""
    report = ingest_into(con, exports, settings, prune)
    checked = validate_task(con, "ingest")
    report.records_quarantined += checked.quarantined_rows
    report.blocking_failures = checked.failed
    get_run_logger().info("validation %s", checked)
    return report


@flow(name="aemetrics-ingest", log_prints=True)
def ingest_flow(
    exports: str, db: str, config: str | None = None, prune: bool = False, wait_seconds: float = 0.0
) -> runner.IngestReport:
    settings = load_settings(config)
    with warehouse_lock(Path(db), wait_seconds), staged_warehouse(Path(db)) as work:
        con = open_warehouse(work)
        try:
            return ingest_and_validate(con, Path(exports), settings, prune)
        finally:
            con.close()


if __name__ == "__main__":
    import sys

    ingest_flow(sys.argv[1], sys.argv[2])

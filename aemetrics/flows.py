"""The Prefect flows: `aemetrics ingest`, `aemetrics run` / `serve`, and publishing on its own.

Thin on purpose. The run policy (lock, staging, what blocks publishing) is
`aemetrics.pipeline`; each flow calls it with `TASKS`, the same steps wrapped as Prefect tasks,
so a Prefect server (`aemetrics serve`, or any configured PREFECT_API_URL) sees every flow and
task run. Files are parsed in batches, one task per batch, so a task runner can parse in
parallel without paying Prefect's per-task overhead on thousands of small .eml files; loading
happens in the flow itself (DuckDB has one writer).

Flow parameters are plain strings: Prefect stores them with each run and deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from aemetrics import build as build_module
from aemetrics import pipeline, quality
from aemetrics.config import Settings, load_settings, with_overrides
from aemetrics.ingest import runner
from aemetrics.progress import Progress

if TYPE_CHECKING:  # the site imports Plotly: only a run that publishes pays for it
    from aemetrics.site import SiteReport


@task(name="parse-files", cache_policy=NO_CACHE)
def parse_batch(
    batch: list[runner.SourceFile],
    settings: Settings,
    hashes: dict[str, tuple[str, int]],
    shard_dir: str,
    name: str,
    pool: Executor | None = None,
) -> runner.ShardBatch:
    """Parse one batch into Parquet shards; returns their paths and counts. With `pool` (a local
    process pool) the task waits on a worker process; on Dask, the task itself runs on a worker."""
    if pool is None:
        return runner.parse_to_shards(batch, settings, hashes, shard_dir, name)
    return pool.submit(runner.parse_to_shards, batch, settings, hashes, shard_dir, name).result()


def parse_in_tasks(
    file_batches: list[list[runner.SourceFile]],
    settings: Settings,
    hashes: dict[str, tuple[str, int]],
    shard_dir: str,
) -> Iterable[runner.ShardBatch]:
    """One Prefect task per batch: on the Dask cluster at `settings.dask_address` (DaskTaskRunner),
    else in threads of this flow, each handing its batch to a local process pool."""
    if settings.dask_address:
        yield from _parse_on_dask(file_batches, settings, hashes, shard_dir)
        return
    workers = runner.local_workers(file_batches, settings, hashes)
    pool = runner.process_pool(workers) if workers > 1 else None
    try:
        # quote(): Prefect would otherwise walk every element of a batch looking for upstream futures
        futures = [
            parse_batch.submit(
                quote(batch),
                settings,  # type: ignore[call-overload]  # quote() unwraps
                quote(runner.batch_hashes(batch, hashes)),
                shard_dir,
                runner.shard_name(i),
                quote(pool),
            )
            for i, batch in enumerate(file_batches)
        ]
        for future in futures:
            yield future.result()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _parse_on_dask(
    file_batches: list[list[runner.SourceFile]],
    settings: Settings,
    hashes: dict[str, tuple[str, int]],
    shard_dir: str,
) -> Iterable[runner.ShardBatch]:
    """The parse tasks on an existing Dask cluster. Archive members were unpacked on this machine
    only: their batches are parsed here, in this flow, while the cluster parses the rest."""
    from prefect_dask import DaskTaskRunner

    with DaskTaskRunner(address=settings.dask_address) as task_runner:
        futures = {
            i: task_runner.submit(
                parse_batch,
                parameters=dict(
                    batch=batch,
                    settings=settings,
                    hashes=runner.batch_hashes(batch, hashes),
                    shard_dir=shard_dir,
                    name=runner.shard_name(i),
                ),
            )
            for i, batch in enumerate(file_batches)
            if not any(runner.is_archive_member(src) for src in batch)
        }
        for i, batch in enumerate(file_batches):
            if i in futures:
                yield futures[i].result()
            else:
                yield runner.parse_to_shards(
                    batch, settings, runner.batch_hashes(batch, hashes), shard_dir, runner.shard_name(i)
                )


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(con, stage: str) -> quality.ValidationReport:
    return quality.validate(con, stage)


@task(name="build-obligations", cache_policy=NO_CACHE)
def build_task(con, settings: Settings, as_of: datetime) -> build_module.BuildReport:
    return build_module.build(con, settings, as_of)


@task(name="write-site", cache_policy=NO_CACHE)
def write_site_task(con, out: Path, settings: Settings, lang: str | None) -> SiteReport:
    return pipeline.PLAIN.write_site(con, out, settings, lang)


TASKS = pipeline.Steps(
    parse_batches=parse_in_tasks, validate=validate_task, build=build_task, write_site=write_site_task
)


def _settings(config: str | None, dask: str | None = None, audience: str | None = None) -> Settings:
    return with_overrides(load_settings(config), dask_address=dask, site_audience=audience)


@flow(name="aemetrics-ingest", log_prints=True)
def ingest_flow(
    exports: str,
    db: str,
    config: str | None = None,
    prune: bool = False,
    wait_seconds: float = 0.0,
    dask: str | None = None,
) -> runner.IngestReport:
    """dask: a Dask scheduler address for the parse tasks (overrides `dask_address`)."""
    return pipeline.run_ingest(
        Path(exports),
        Path(db),
        _settings(config, dask),
        prune=prune,
        wait_seconds=wait_seconds,
        steps=TASKS,
        logger=get_run_logger(),
        progress=Progress.for_terminal(),  # silent unless stderr is a terminal (not under `serve`)
    )


@flow(name="aemetrics-weekly")
def weekly_flow(
    exports: str,
    db: str,
    as_of: str | None = None,
    config: str | None = None,
    site: str | None = None,
    prune: bool = False,
    wait_seconds: float = 0.0,
    audience: str | None = None,
    dask: str | None = None,
) -> pipeline.RunSummary:
    """as_of: ISO-8601 with a zone; default now. audience: management | ae, over the site_audience
    setting. dask: a Dask scheduler address for the parse tasks (overrides `dask_address`)."""
    settings = _settings(config, dask, audience)
    return pipeline.run_weekly(
        Path(exports),
        Path(db),
        settings,
        datetime.fromisoformat(as_of) if as_of else None,
        site=Path(site) if site else None,
        prune=prune,
        wait_seconds=wait_seconds,
        steps=TASKS,
        logger=get_run_logger(),
        progress=Progress.for_terminal(),  # silent unless stderr is a terminal (not under `serve`)
    )


@task(name="publish-site", cache_policy=NO_CACHE)
def publish_task(
    db: str, out: str, config: str | None = None, lang: str | None = None, wait_seconds: float = 0.0
) -> SiteReport:
    return pipeline.publish(Path(db), Path(out), load_settings(config), lang, wait_seconds=wait_seconds)


@flow(name="aemetrics-publish", log_prints=True)
def publish_flow(
    db: str, out: str, config: str | None = None, lang: str | None = None, wait_seconds: float = 0.0
) -> SiteReport:
    """Republish the site of a built warehouse (e.g. in another language), through the same
    locked, staged path as `aemetrics run --site`."""
    report = publish_task(db, out, config, lang, wait_seconds)
    get_run_logger().info(report.summary())
    return report


if __name__ == "__main__":  # python -m aemetrics.flows publish DB OUT [CONFIG [LANG]]
    import sys

    flows: dict[str, Callable[..., object]] = {"ingest": ingest_flow, "weekly": weekly_flow, "publish": publish_flow}
    if len(sys.argv) < 4 or sys.argv[1] not in flows:
        sys.exit("usage: python -m aemetrics.flows {ingest EXPORTS DB | weekly EXPORTS DB | publish DB OUT} [...]")
    print(flows[sys.argv[1]](*sys.argv[2:]))

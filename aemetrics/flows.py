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

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from aemetrics import build as build_module
from aemetrics import pipeline, quality
from aemetrics.config import Settings, load_settings
from aemetrics.ingest import runner
from aemetrics.progress import Progress

if TYPE_CHECKING:  # the site imports Plotly: only a run that publishes pays for it
    from aemetrics.site import SiteReport


@task(name="parse-files", cache_policy=NO_CACHE)
def parse_batch(
    batch: list[runner.SourceFile], settings: Settings, hashes: dict[str, tuple[str, int]]
) -> list[runner.ParsedFile]:
    return runner.parse_files(batch, settings, hashes)


def parse_in_tasks(
    file_batches: list[list[runner.SourceFile]], settings: Settings, hashes: dict[str, tuple[str, int]]
) -> Iterable[list[runner.ParsedFile]]:
    # quote(): Prefect would otherwise walk every element of a batch looking for upstream futures
    futures = [
        parse_batch.submit(
            quote(batch),
            settings,  # type: ignore[call-overload]  # quote() unwraps
            quote({f.rel: hashes[f.rel] for f in batch}),
        )
        for batch in file_batches
    ]
    return (future.result() for future in futures)


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


@flow(name="aemetrics-ingest", log_prints=True)
def ingest_flow(
    exports: str, db: str, config: str | None = None, prune: bool = False, wait_seconds: float = 0.0
) -> runner.IngestReport:
    return pipeline.run_ingest(
        Path(exports),
        Path(db),
        load_settings(config),
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
) -> pipeline.RunSummary:
    """as_of: ISO-8601 with a zone; default now. audience: management | ae, over the site_audience setting."""
    settings = load_settings(config)
    if audience:
        settings = dataclasses.replace(settings, site_audience=audience)
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

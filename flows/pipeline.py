"""The weekly pipeline as one Prefect flow: ingest -> build obligations -> publish the site.

Run once with `aemetrics run ...`, or keep it running on a schedule with `aemetrics serve`
(which calls `pipeline_flow.serve(cron=...)`).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aemetrics.atomic import staged_site, staged_warehouse, warehouse_lock
from aemetrics.config import Settings, load_settings
from aemetrics.warehouse import open_warehouse
from flows.ingest import ingest_and_validate, validate_task


@task(name="build-obligations", cache_policy=NO_CACHE)
def build_task(con, settings: Settings, as_of: datetime):
    from aemetrics.build import build

    return build(con, settings, as_of)


@task(name="publish-site", cache_policy=NO_CACHE)
def publish_task(con, site: Path, settings: Settings):
    from aemetrics.site.publish import publish_site

    return publish_site(con, site, settings)


@flow(name="aemetrics-weekly")
def pipeline_flow(
    exports: str,
    db: str,
    as_of: str | None = None,
    config: str | None = None,
    site: str | None = None,
    prune: bool = False,
    wait_seconds: float = 0.0,
) -> dict:
    """as_of: ISO-8601 with a zone; default now. Returns a summary of each step.

    The warehouse is rebuilt on a copy and swapped in only when every step succeeded; the site
    likewise. A run killed at any point leaves the previous warehouse and site as they were.
    """
    logger = get_run_logger()
    settings = load_settings(config)
    when = datetime.fromisoformat(as_of).astimezone(timezone.utc) if as_of else datetime.now(timezone.utc)
    summary: dict = {}
    with warehouse_lock(Path(db), wait_seconds):
        with staged_warehouse(Path(db)) as work:
            con = open_warehouse(work)
            try:
                ingested = ingest_and_validate(con, Path(exports), settings, prune)
                summary["ingest"] = ingested.summary()
                summary["build"] = str(build_task(con, settings, when))
                logger.info("built as of %s: %s", when.isoformat(), summary["build"])
                checked = validate_task(con, "build")
                summary["validation"] = str(checked)
            finally:
                con.close()
        failures = ingested.blocking_failures + checked.failed
        if site and failures:
            summary["site"] = None
            summary["blocked"] = "; ".join(failures)
            logger.error("validation failed, the previous site stays up: %s", summary["blocked"])
        elif site:
            with staged_site(Path(site)) as staging:
                con = open_warehouse(db, read_only=True)
                try:
                    published = publish_task(con, staging, settings)
                    published.out_dir = Path(site)  # where it stands once swapped in
                    summary["site"] = str(published)
                finally:
                    con.close()
            logger.info("site written to %s", site)
    return summary


if __name__ == "__main__":
    import sys

    pipeline_flow(*sys.argv[1:3])

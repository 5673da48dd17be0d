"""Prefect flow: publish the static site from a built warehouse.

Thin on purpose: the work is aemetrics.site.publish_site, which runs the same without Prefect.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aemetrics.config import load_settings
from aemetrics.site import SiteReport, publish_site


@task(name="publish-site", cache_policy=NO_CACHE)
def publish_task(db: str, out: str, config: str | None = None, lang: str | None = None) -> SiteReport:
    return publish_site(Path(db), Path(out), load_settings(config), lang)


@flow(name="aemetrics-publish", log_prints=True)
def publish_flow(db: str, out: str, config: str | None = None, lang: str | None = None) -> SiteReport:
    report = publish_task(db, out, config, lang)
    get_run_logger().info(report.summary())
    return report


if __name__ == "__main__":
    import sys

    publish_flow(sys.argv[1], sys.argv[2], *sys.argv[3:4])

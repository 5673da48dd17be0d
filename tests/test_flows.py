"""aemetrics.flows: thin Prefect wrappers around aemetrics.pipeline, every step a task run that a
Prefect API sees. Before issue 9 the flows were a top-level `flows` package that the CLI imported
back (aemetrics -> flows -> aemetrics), and `serve` deployed them by file path."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

pytestmark = pytest.mark.prefect

AS_OF = "2025-10-13T09:00:00+08:00"


@pytest.fixture(scope="module")
def prefect_api():
    """A Prefect server for this module, stopped at its end (not at interpreter exit)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def test_the_cli_uses_no_top_level_flows_package():
    import aemetrics.cli
    import aemetrics.flows

    source = open(aemetrics.cli.__file__, encoding="utf-8").read()
    assert "from flows" not in source and "import flows" not in source
    assert aemetrics.flows.weekly_flow.name == "aemetrics-weekly"


def test_the_top_level_flows_folder_holds_the_same_flows(tmp_path):
    """flows/ (the layout the brief pins) is the deployment entry point: the same flow objects,
    and each file says how to run it when called without arguments."""
    import subprocess
    import sys
    from pathlib import Path

    import aemetrics.flows
    import flows
    from flows import ingest, publish, weekly

    assert (flows.weekly_flow, flows.ingest_flow, flows.publish_flow) == (
        aemetrics.flows.weekly_flow,
        aemetrics.flows.ingest_flow,
        aemetrics.flows.publish_flow,
    )
    assert (weekly.weekly_flow, ingest.ingest_flow, publish.publish_flow) == (
        flows.weekly_flow,
        flows.ingest_flow,
        flows.publish_flow,
    )
    root = Path(flows.__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "flows.weekly"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 1 and "usage: python -m flows.weekly EXPORTS DB" in done.stderr


def test_serve_deploys_the_weekly_flow_by_module_path():
    from prefect.flows import load_flow_from_entrypoint
    from prefect.types.entrypoint import EntrypointType

    from aemetrics.flows import weekly_flow

    deployment = weekly_flow.to_deployment("aemetrics-weekly", entrypoint_type=EntrypointType.MODULE_PATH)
    assert deployment.entrypoint == "aemetrics.flows.weekly_flow"
    assert load_flow_from_entrypoint(deployment.entrypoint).name == "aemetrics-weekly"


def test_a_run_records_every_step_as_a_task_run(prefect_api, fixtures, tmp_path):
    from prefect import get_client

    from aemetrics.flows import weekly_flow

    state = weekly_flow(
        str(fixtures / "scenarios" / "weekly"),
        str(tmp_path / "w.duckdb"),
        as_of=AS_OF,
        site=str(tmp_path / "site"),
        return_state=True,
    )
    summary = state.result()
    assert summary.site is not None and (tmp_path / "site" / "index.html").is_file()

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs()
        return Counter(r.name.rsplit("-", 1)[0] for r in runs if r.flow_run_id == state.state_details.flow_run_id)

    names = asyncio.run(task_names())
    assert names["validate"] == 2 and names["build-obligations"] == 1 and names["write-site"] == 1
    assert names["parse-files"] >= 1


def test_a_run_without_a_prefect_api_records_nothing_and_builds_the_same_warehouse(prefect_api, fixtures, tmp_path):
    """Issue 10: with no Prefect API configured `aemetrics run` calls the same run policy in the
    process (the old CLI always went through the flow, on a temporary server): no flow run is
    recorded, and the warehouse is the one the Prefect flow builds."""
    import os

    import duckdb
    from prefect import get_client

    from aemetrics.cli import main
    from aemetrics.flows import weekly_flow

    async def flow_runs():
        async with get_client() as client:
            return len(await client.read_flow_runs())

    exports = fixtures / "scenarios" / "weekly"
    weekly_flow(str(exports), str(tmp_path / "prefect.duckdb"), as_of=AS_OF)
    recorded = asyncio.run(flow_runs())
    assert recorded >= 1
    saved = os.environ.pop("PREFECT_API_URL", None)
    try:
        assert main(["run", "--exports", str(exports), "--db", str(tmp_path / "plain.duckdb"), "--as-of", AS_OF]) == 0
    finally:
        if saved is not None:
            os.environ["PREFECT_API_URL"] = saved
    assert asyncio.run(flow_runs()) == recorded

    def tables(db):
        con = duckdb.connect(str(db), read_only=True)
        try:
            return {
                t: con.execute(f'select * from "{t}" order by all').fetchall()
                for t in ("obligations", "obligation_details", "kpi_weekly", "at_risk", "evidence_refs")
            }
        finally:
            con.close()

    assert tables(tmp_path / "plain.duckdb") == tables(tmp_path / "prefect.duckdb")


def test_under_a_flow_run_the_checks_run_in_the_checker_process(prefect_api, fixtures, tmp_path, monkeypatch):
    """Issue 10: under Prefect the `validate` task runs (visible as a task run) but hands every
    suite to the run's checker process (aemetrics/checker.py), which `run_weekly` starts first;
    GX is never set up in the flow's process. Counted here: the suites sent to the worker and the
    answers it sent back (every raw table's suite and every model's), and no GX context here."""
    from aemetrics import checker, quality
    from aemetrics.build import declared_models
    from aemetrics.flows import weekly_flow

    sent: list[str] = []
    answered: list[int] = []
    submit, result = checker.Checker.submit, checker.Checker._result

    def counting(self, suite, *args, **kwargs):
        sent.append(suite.table)
        return submit(self, suite, *args, **kwargs)

    def receiving(self, task_id):
        out = result(self, task_id)
        answered.append(task_id)
        return out

    def here(self):
        raise AssertionError("GX was set up in the flow's process")

    monkeypatch.delenv(checker.DISABLE, raising=False)
    monkeypatch.setattr(checker.Checker, "submit", counting)
    monkeypatch.setattr(checker.Checker, "_result", receiving)
    monkeypatch.setattr(quality._Gx, "__init__", here)
    state = weekly_flow(
        str(fixtures / "scenarios" / "weekly"), str(tmp_path / "w.duckdb"), as_of=AS_OF, return_state=True
    )
    summary = state.result()
    raw = [s.table for s in quality.raw_suites()]
    models = [p.stem for p in declared_models(quality.SQL_DIR)]
    assert sorted(sent) == sorted(raw + models) and len(answered) == len(sent)
    assert summary.validation.checks > 300 and not summary.failures

"""The engine against an independent oracle: the demo agency's ground truth (aemetrics.demo.truth
computes every status from the generator's own records, not from the files). The demo's exports
go through the real ingest runner and the build; every obligation the oracle knows must come out
with the same status. Known, documented differences (docs/decisions.md): the engine excuses
agenda/notice obligations of meetings put in the calendar after their deadline, evaluates
internal_notice_24h (the oracle does not), and starts the weeks at the first exported activity,
which in the demo is one agenda e-mail sent the Friday before the oracle's first week."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aemetrics import demo, quality
from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.demo import truth as truth_module
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime(2025, 12, 12, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def engine_key(standard: str, opening_key: str) -> str:
    """The oracle's key of an engine obligation."""
    if standard in ("monday_call", "friday_client_report"):
        _ae, account, week = opening_key.split("|")
        return f"{account}/{week}"
    if standard == "friday_supervisor_report":
        ae, week = opening_key.split("|")
        return f"{ae.split('@')[0]}/{week}"
    return opening_key.replace(" / ", "/")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    summary = demo.generate_demo(folder / "exports", seed=7)
    con = open_warehouse(folder / "warehouse.duckdb")
    try:
        ingest_exports(folder / "exports", con, Settings())
        build(con, Settings(), AS_OF)
        rows = con.execute(
            "select i.standard, i.opening_key, o.status from int_obligations i join obligations o using (obligation_id)"
        ).fetchall()
    finally:
        con.close()
    mine = {(s, engine_key(s, k)): status for s, k, status in rows}
    oracle = {}
    for r in truth_module.ground_truth(7, AS_OF):
        key = r["key"]
        if r["standard"] in ("monday_call", "friday_client_report"):
            account, week = key.split("/")
            key = f"{account[:15]}/{week}"
        oracle[(r["standard"], key)] = r["status"]
    return mine, oracle, summary.period_start


def test_every_oracle_obligation_has_the_oracles_status(compared):
    mine, oracle, _ = compared
    missing = sorted(k for k in oracle if k not in mine)
    assert missing == []
    differ = {k: (oracle[k], mine[k]) for k in oracle if mine[k] != oracle[k] and mine[k] != "excused"}
    assert differ == {}
    excused = [k for k in oracle if mine[k] == "excused"]
    assert {s for s, _ in excused} <= {"agenda_48h"} and len(excused) <= 3
    assert sum(1 for k in oracle if k[0] == "reply_12h") > 1000  # the comparison is not vacuous


def test_obligations_the_oracle_does_not_know_are_the_documented_ones(compared):
    mine, oracle, period_start = compared
    extra = {k for k in mine if k not in oracle}
    weekly = {"monday_call", "friday_client_report", "friday_supervisor_report"}
    issue_11 = {"client_file_complete", "festival_greeting", "market_info", "work_on_time"}  # no oracle yet
    assert {s for s, _ in extra} <= weekly | {"internal_notice_24h"} | issue_11
    early = {k for k in extra if k[0] in weekly}
    assert all(k[1].rsplit("/", 1)[1] < period_start.isoformat() for k in early), sorted(early)[:3]


def test_marts_pass_the_publishing_quality_gate(tmp_path_factory):
    """The build's marts satisfy every blocking expectation of aemetrics.quality (e.g. an AE on
    every obligation, due_at >= opened_at even for meetings booked after their deadline)."""
    from scenario_tools import build_copy, ingest_scenario

    db = ingest_scenario("meetings", tmp_path_factory)
    built = build_copy(db, datetime.fromisoformat("2025-09-27T12:00:00+08:00"), Settings(), "quality")
    try:
        report = quality.validate(built.con, "build")
    finally:
        built.con.close()
    assert report.checks > 0 and report.failed == []

"""The engine against an independent oracle: the demo agency's ground truth (aemetrics.demo.truth,
.extras and .truth_more compute every status from the generator's own records, not from the files).
The demo's exports go through the real ingest runner and the build; every obligation the oracle knows,
of all twenty standards, must come out with the same status. Known, documented differences
(docs/decisions.md): the engine excuses agenda obligations of meetings put in the calendar after their
deadline, and starts the weeks at the first exported activity, which in the demo is one agenda e-mail
sent the Friday before the oracle's first week."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aemetrics import demo, quality
from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.demo import extras as extras_module
from aemetrics.demo import truth as truth_module
from aemetrics.demo import truth_more
from aemetrics.ingest.runner import ingest_exports
from aemetrics.standards import load_registry
from aemetrics.warehouse import open_warehouse

AS_OF = datetime(2025, 12, 12, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CORE = {
    "reply_12h",
    "agenda_48h",
    "internal_notice_24h",
    "on_time",
    "minutes_24h",
    "monday_call",
    "friday_client_report",
    "friday_supervisor_report",
}
REGISTERED = {s.id for s in load_registry()}
GATE: dict = {}  # the demo build's validation report (fixture `compared`)
# the standards the oracle computes besides the core eight (demo.extras and demo.truth_more)
OTHERS = tuple(s for s in (*extras_module.STANDARDS, *truth_more.STANDARDS) if s not in CORE)


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
        GATE["build"] = quality.validate(con, "build")
    finally:
        con.close()
    mine = {(s, engine_key(s, k)): status for s, k, status in rows if s in CORE}
    oracle = {}
    for r in truth_module.ground_truth(7, AS_OF, CORE):
        key = r["key"]
        if r["standard"] in ("monday_call", "friday_client_report"):
            account, week = key.split("/")
            key = f"{account[:15]}/{week}"
        oracle[(r["standard"], key)] = r["status"]
    new = {(s, k): status for s, k, status in rows if s not in CORE}
    return mine, oracle, summary.period_start, new


def test_every_oracle_obligation_has_the_oracles_status(compared):
    mine, oracle, _, _ = compared
    missing = sorted(k for k in oracle if k not in mine)
    assert missing == []
    # the oracle does not excuse late-booked meetings for agenda_48h (it does for internal_notice_24h)
    late_booked = {k for k in oracle if k[0] == "agenda_48h" and mine[k] == "excused"}
    differ = {k: (oracle[k], mine[k]) for k in oracle if mine[k] != oracle[k] and k not in late_booked}
    assert differ == {}
    assert len(late_booked) <= 3
    assert {s for s, _ in oracle} == CORE  # every core standard is compared, internal_notice_24h included
    assert sum(1 for k in oracle if k[0] == "reply_12h") > 1000  # the comparison is not vacuous


def test_obligations_the_oracle_does_not_know_are_the_documented_ones(compared):
    mine, oracle, period_start, _ = compared
    weekly = {"monday_call", "friday_client_report", "friday_supervisor_report"}
    # the oracle models the core eight; the standards of issue 11 are checked by their own scenarios
    core = weekly | {"reply_12h", "agenda_48h", "internal_notice_24h", "on_time", "minutes_24h"}
    extra = {k for k in mine if k not in oracle and k[0] in core}
    assert {s for s, _ in extra} <= weekly
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


def _engine_status(new: dict, standard: str, key: str) -> str | None:
    """The engine's status of the obligation the oracle keys `key`: the row with that opening key
    (demo.truth_more gives the engine's keys), else (demo.extras: a Case / WorkOrder Id, or 'ae/date')
    the row of that standard whose opening_key holds the id (or the AE and the date)."""
    exact = [st for (s, k), st in new.items() if s == standard and k.replace(" / ", "/") == key]
    if exact:
        return exact[0]
    # Salesforce ids are keyed by their 15-character form (macro id_key)
    parts = [p[:15] if len(p) == 18 and p.isalnum() else p for p in key.split("/")]
    found = [st for (s, k), st in new.items() if s == standard and all(p in k for p in parts)]
    return found[0] if len(found) == 1 else None


@pytest.mark.parametrize("standard", OTHERS)
def test_the_other_standards_match_the_oracle(compared, standard):
    """The demo plants met and not-met cases of the other twelve standards (aemetrics/demo/extras.py,
    signoffs.py and the simulation); the oracle computes their statuses from STANDARDS.md. Every
    oracle row has the engine's status, and the engine has no row of that standard the oracle lacks."""
    _, _, _, new = compared
    oracle = truth_module.ground_truth(7, AS_OF, {standard})
    statuses = {r["status"] for r in oracle}
    assert "met" in statuses and statuses & {"late", "missed"}, statuses
    differ = {r["key"]: (r["status"], _engine_status(new, standard, r["key"])) for r in oracle}
    differ = {k: v for k, v in differ.items() if v[0] != v[1]}
    assert differ == {}, f"{len(differ)} of {len(oracle)} differ, e.g. {sorted(differ.items())[:5]}"
    assert len(oracle) == sum(1 for s, _ in new if s == standard)


def test_the_oracle_covers_every_registered_standard():
    """The twenty standards of the registry are the ones the comparisons above cover (no skips)."""
    assert REGISTERED == CORE | set(OTHERS)
    assert len(REGISTERED) == 20


def test_the_demo_obligations_hold_all_twenty_standards_met_and_not_met(compared):
    """Issue 11 "Done when": `obligations` on the demo holds all 20 standard ids, each with at least one
    met and one not-met (late or missed) row. Before the demo planted supervisor approvals and review
    meetings, minutes_signoff had no met row and post_project_review none either."""
    mine, _, _, new = compared
    statuses: dict[str, set[str]] = {}
    for (s, _k), st in [*mine.items(), *new.items()]:
        statuses.setdefault(s, set()).add(st)
    assert set(statuses) == REGISTERED
    lacking = {s: sorted(v) for s, v in statuses.items() if "met" not in v or not v & {"late", "missed"}}
    assert lacking == {}


def test_the_demo_plants_every_status_of_the_other_standards():
    """Every standard the oracle knows besides the core eight has met and not-met obligations in the
    oracle at the demo's as_of; the ones of demo.extras have met, late and missed."""
    rows = truth_module.ground_truth(7, AS_OF, set(OTHERS))
    for standard in OTHERS:
        statuses = {r["status"] for r in rows if r["standard"] == standard}
        assert "met" in statuses and statuses & {"late", "missed"}, (standard, statuses)
        if standard in extras_module.STANDARDS:
            assert statuses >= {"met", "late", "missed"}, (standard, statuses)


def test_the_demo_build_passes_the_publishing_gate(compared):
    """`make demo` publishes its site: the demo's marts pass every blocking check. Before, the 12
    reschedule_notice rows whose change came after the due (late: opened at the change, STANDARDS.md)
    failed the rule due_at >= opened_at, and the run stopped with "the site was not published"."""
    report = GATE["build"]
    assert report.checks > 0 and report.failed == []

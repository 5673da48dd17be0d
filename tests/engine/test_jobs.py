"""callback, work_order, estimate_first and same_day_close from the canonical CRM layout
(tests/fixtures/scenarios/jobs_canonical: activity types Call with call_type Missed / call_result, Request,
WorkOrder with what_id = the request, Estimate with what_id = the work order, closed_at), over the 2026 New
Year (1-3 Jan off, Sun 4 Jan a make-up working day). Expected values computed by hand (STANDARDS.md,
"Decisions for the other twelve").

The old engine (before issue 11) computed none of these standards: every row below was absent, and the
canonical Request / WorkOrder / Estimate rows were activities no standard read."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from scenario_tools import build_copy, ingest_scenario, local, oid

from aemetrics import quality
from aemetrics.config import Settings

AS_OF = datetime.fromisoformat("2026-01-09T20:00:00+08:00")
EARLY_AS_OF = datetime.fromisoformat("2026-01-06T20:00:00+08:00")
LI = "li.wei@brightad.cn"
STANDARDS = ["callback", "work_order", "estimate_first", "same_day_close"]


def D(mo: int, d: int, h: int = 0, mi: int = 0):
    return local(2025 if mo == 12 else 2026, mo, d, h, mi)


# (standard, opening key): (opened_at, due_at, fulfilled_at, status); every row's AE is Li Wei, account acc-1
EXPECTED = {
    # a-01 missed Wed 31 Dec 17:00 (wall clock: due Thu 05:00); a-02 outbound on the make-up Sunday 15:00
    ("callback", "a-01"): (D(12, 31, 17), D(1, 1, 5), D(1, 4, 15), "late"),
    ("work_order", "r-01"): (D(1, 5, 10), D(1, 5, 14), D(1, 5, 11), "met"),  # w-01 names r-01
    ("work_order", "r-02"): (D(1, 6, 9), D(1, 6, 13), D(1, 7, 9, 30), "late"),  # w-02 names none: earliest open
    ("estimate_first", "w-01"): (D(1, 5, 11), D(1, 5, 11), D(1, 5, 10, 30), "met"),  # e-01 names w-01
    ("estimate_first", "w-02"): (D(1, 7, 9, 30), D(1, 7, 9, 30), None, "missed"),  # e-02 Rejected
    ("same_day_close", "request|r-01"): (D(1, 5, 10), D(1, 6), D(1, 5, 18), "met"),
    ("same_day_close", "work_order|w-01"): (D(1, 5, 11), D(1, 6), D(1, 6, 9), "late"),
    ("same_day_close", "request|r-02"): (D(1, 6, 9), D(1, 7), None, "missed"),
    ("same_day_close", "work_order|w-02"): (D(1, 7, 9, 30), D(1, 8), None, "missed"),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return ingest_scenario("jobs_canonical", tmp_path_factory)


def _built(warehouse, as_of=AS_OF, settings=None, suffix="build"):
    built = build_copy(warehouse, as_of, settings, suffix=suffix)
    try:
        rows = built.rows("select * from obligations where list_contains(?, standard)", [STANDARDS])
    finally:
        built.con.close()
    return {r["obligation_id"]: r for r in rows}


def _as_expected(rows):
    return {
        oid(std, key): (opened, due, fulfilled, status, LI, "acc-1")
        for (std, key), (opened, due, fulfilled, status) in rows.items()
    }


def _got(obligations):
    return {
        i: (r["opened_at"], r["due_at"], r["fulfilled_at"], r["status"], r["ae"], r["client_account"])
        for i, r in obligations.items()
    }


def test_canonical_layout(warehouse):
    """Missed call (call_type Missed) answered by an outbound call; the Vendor's unanswered call (a-03) and the
    answered inbound call (a-04) open nothing; links by what_id; a rejected estimate is none; closed_at closes."""
    assert _got(_built(warehouse)) == _as_expected(EXPECTED)


def test_callback_on_the_business_hours_clock(warehouse):
    """reply_business_hours (the reply_12h clock): 12 working hours from Wed 31 Dec 17:00 are 1.5 h on Wednesday,
    9.5 h on the make-up Sunday 4 Jan and 1 h on Monday: due Mon 5 Jan 10:00, so the Sunday call-back is met.
    (Without the make-up day the due would be Mon 5 Jan 19:30 and the call still met: the due itself tells.)"""
    got = _built(warehouse, settings=replace(Settings(), reply_business_hours=True), suffix="business")
    row = got[oid("callback", "a-01")]
    assert (row["due_at"], row["fulfilled_at"], row["status"]) == (D(1, 5, 10), D(1, 4, 15), "met")


def test_work_order_hours_setting(warehouse):
    """work_order_hours = 2: r-01 is due Mon 12:00 (still met at 11:00), r-02 Tue 11:00 (late)."""
    got = _built(warehouse, settings=replace(Settings(), work_order_hours=2.0), suffix="two-hours")
    assert got[oid("work_order", "r-01")]["due_at"] == D(1, 5, 12)
    assert (got[oid("work_order", "r-02")]["due_at"], got[oid("work_order", "r-02")]["status"]) == (
        D(1, 6, 11),
        "late",
    )


def test_nothing_logged_after_as_of_is_seen(warehouse):
    """As of Tue 6 Jan 20:00: r-02 (raised Tue 09:00 but logged Wed 7 Jan 10:00) and w-02 (Wed) do not exist yet;
    w-01 closed Tue 09:00 is already late."""
    want = {k: v for k, v in EXPECTED.items() if not k[1].endswith(("r-02", "w-02"))}
    assert _got(_built(warehouse, as_of=EARLY_AS_OF, suffix="early")) == _as_expected(want)


def test_declared_checks_hold(warehouse):
    """The checks beside the models hold on canonical rows too (call_type Missed is an accepted direction)."""
    built = build_copy(warehouse, AS_OF, suffix="checks")
    try:
        report = quality.validate(built.con, "build")
    finally:
        built.con.close()
    assert report.failed == [] and report.warnings == []

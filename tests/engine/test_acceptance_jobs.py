"""Fourth blind acceptance scenario, computed by hand from STANDARDS.md: tests/fixtures/scenarios/acceptance_jobs.

The four standards of client jobs and calls over the 2026 New Year (1-3 Jan off, Sun 4 Jan a make-up working
day): callback, work_order, estimate_first and same_day_close, from Salesforce Task (CallType +
CallDisposition), Case, WorkOrder, Quote and Opportunity CSVs and one mbox. EXPECTED.md
(acceptance_jobs.EXPECTED.md) was written and committed before the engine ran.

The old engine (before issue 11) computed none of these standards: every row below was absent."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, built_and_expected, ingest_scenario, local, missing_and_extra, oid

from aemetrics import quality

AS_OF = datetime.fromisoformat("2026-01-09T20:00:00+08:00")
MA = "ma.lin@yunfan-ad.com"
MF, NL = "001000000000401AAA", "001000000000402AAA"
STANDARDS = ("callback", "work_order", "estimate_first", "same_day_close")


def D(mo: int, d: int, h: int = 0, mi: int = 0):
    """A Beijing wall-clock time of the scenario (Dec is 2025, Jan is 2026)."""
    return local(2025 if mo == 12 else 2026, mo, d, h, mi)


T, C, W = "00T000000000", "500000000000", "0WO000000000"

# (opening key, standard, ae, client_account, opened_at, due_at, fulfilled_at, status)
EXPECTED = [
    # callback: 12 h wall clock from the first missed call of a round
    (T + "401", "callback", MA, MF, D(12, 29, 10), D(12, 29, 22), D(12, 29, 15), "met"),  # 401+402, attempt 403
    (T + "405", "callback", MA, NL, D(12, 31, 18), D(1, 1, 6), D(1, 1, 9, 30), "late"),  # prospect; owner, not logger
    (T + "406", "callback", MA, MF, D(1, 5, 16), D(1, 6, 4), D(1, 5, 11), "met"),  # same-day date-only rule
    (T + "409", "callback", MA, NL, D(1, 8, 9), D(1, 8, 21), None, "missed"),
    (T + "410", "callback", MA, MF, D(1, 9, 12), D(1, 10), None, "open"),  # 411 logged after as_of
    # work_order: 4 working hours
    (C + "401", "work_order", MA, MF, D(12, 29, 10), D(12, 29, 14), D(12, 29, 13), "met"),
    (C + "402", "work_order", MA, MF, D(12, 31, 16), D(1, 4, 10, 30), D(1, 5, 9, 30), "late"),  # make-up Sunday
    (C + "403", "work_order", MA, NL, D(1, 2, 11), D(1, 4, 13), None, "missed"),  # holiday; account via contact
    (C + "407", "work_order", MA, MF, D(1, 9, 17), D(1, 12, 11, 30), None, "open"),
    # estimate_first: due at the work order's creation
    (W + "401", "estimate_first", MA, MF, D(12, 29, 13), D(12, 29, 13), D(12, 29, 12), "met"),
    (W + "402", "estimate_first", MA, MF, D(1, 5, 9, 30), D(1, 5, 9, 30), D(1, 8, 10), "late"),
    (W + "403", "estimate_first", MA, MF, D(1, 6, 15), D(1, 6, 15), None, "missed"),
    (W + "404", "estimate_first", MA, MF, D(1, 7, 10), D(1, 7, 10), D(1, 6, 16), "met"),  # quote via opportunity
    # same_day_close: 24:00 of the working day it opened (non-working day: of the next working day)
    ("request|" + C + "401", "same_day_close", MA, MF, D(12, 29, 10), D(12, 30), D(12, 29, 17), "met"),
    ("request|" + C + "402", "same_day_close", MA, MF, D(12, 31, 16), D(1, 1), D(1, 4, 11), "late"),
    ("request|" + C + "403", "same_day_close", MA, NL, D(1, 2, 11), D(1, 5), D(1, 5, 10), "late"),  # make-up Sunday
    ("request|" + C + "407", "same_day_close", MA, MF, D(1, 9, 17), D(1, 10), None, "open"),
    ("work_order|" + W + "401", "same_day_close", MA, MF, D(12, 29, 13), D(12, 30), D(12, 29, 18), "met"),
    ("work_order|" + W + "402", "same_day_close", MA, MF, D(1, 5, 9, 30), D(1, 6), D(1, 6, 10), "late"),
    ("work_order|" + W + "403", "same_day_close", MA, MF, D(1, 6, 15), D(1, 7), None, "missed"),
    ("work_order|" + W + "404", "same_day_close", MA, MF, D(1, 7, 10), D(1, 8), None, "missed"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    db = ingest_scenario("acceptance_jobs", tmp_path_factory)
    result = build_copy(db, AS_OF)
    yield result
    result.con.close()


@pytest.fixture(scope="module")
def obligations(built) -> dict[str, dict]:
    rows = built.rows("select * from obligations where list_contains(?, standard)", [list(STANDARDS)])
    return {r["obligation_id"]: r for r in rows}


def test_exactly_the_expected_obligations(obligations):
    """Nothing more: no row for the collapsed missed call 402, the answered call 404, the Vendor's call 408, the
    call logged after as_of (411); none for the Internal, Vendor, deleted and after-as_of Cases."""
    assert len(EXPECTED) == 21
    assert missing_and_extra(EXPECTED, obligations) == ([], [])


@pytest.mark.parametrize("row", EXPECTED, ids=lambda r: f"{r[1]}:{r[0]}")
def test_obligation(obligations, row):
    built_row, expected = built_and_expected(row, obligations)
    assert built_row == expected


@pytest.mark.parametrize("row", EXPECTED, ids=lambda r: f"{r[1]}:{r[0]}")
def test_fulfilled_at(obligations, row):
    key, std, *_, fulfilled_at, _status = row
    assert obligations[oid(std, key)]["fulfilled_at"] == fulfilled_at


def test_evidence_names_the_source_rows(built):
    """Every evidence item resolves to a row of its raw table (evidence_refs), and the text names the files."""
    unresolved = built.rows(
        "select * from evidence_refs where list_contains(?, standard) and not is_resolved", [list(STANDARDS)]
    )
    assert unresolved == []
    text = {
        r["obligation_id"]: r["evidence"]
        for r in built.rows(
            "select obligation_id, evidence from obligations where list_contains(?, standard)", [list(STANDARDS)]
        )
    }
    assert text[oid("callback", T + "401")] == (
        "missed call 00T000000000401AAA in crm/Task.csv (line 2) (未接) dated 2025-12-29; "
        "missed call 00T000000000402AAA in crm/Task.csv (line 3) (未接通) dated 2025-12-29; "
        "call back by ma.lin@yunfan-ad.com: activity 00T000000000403AAA in crm/Task.csv (line 4)"
    )
    assert text[oid("work_order", C + "402")] == (
        "request 500000000000402AAA in crm/Case.csv (line 3) (Origin Email); "
        "work order 0WO000000000402AAA in crm/WorkOrder.csv (line 3) (same account, no request named)"
    )
    assert (
        "estimate 0Q0000000000403AAA in crm/Quote.csv (line 4) (Draft) of the same account"
        in text[oid("estimate_first", W + "404")]
    )
    assert text[oid("same_day_close", "work_order|" + W + "402")].endswith(
        "closed: work order 0WO000000000402AAA in crm/WorkOrder.csv (line 3) at 2026-01-06 10:00 (LastModifiedDate)"
    )


def test_declared_checks_hold(built):
    """The checks beside the new models (and every other model) hold on this scenario."""
    report = quality.validate(built.con, "build")
    assert report.failed == [] and report.warnings == []

"""monday_call, friday_client_report and friday_supervisor_report on
tests/fixtures/scenarios/weekly (Salesforce User/Account/Contact/Task exports, staff.csv, sent
mail) around China's 2025 National Day: W39 ends on a make-up working Sunday (28 Sep), W40's
last working day is Tuesday 30 Sep, W41 starts with holidays (Mon 6 Oct - Wed 8 Oct) and ends
on a make-up working Saturday (11 Oct). As of Mon 13 Oct 2025 09:00 Beijing time."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

from aemetrics.config import Settings

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")
LI, WANG, ZHAO = "li.wei@adagency.cn", "wang.fang@adagency.cn", "zhao.lei@adagency.cn"
BRANDCO, DRINKCO, NEWCO = "001000000000001", "001000000000002", "001000000000005"  # 15-character join keys
W39, W40, W41, W42 = "2025-09-22", "2025-09-29", "2025-10-06", "2025-10-13"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    return ingest_scenario("weekly", tmp_path_factory)


@pytest.fixture(scope="module")
def built(ingested) -> Built:
    result = build_copy(ingested, AS_OF)
    yield result
    result.con.close()


def statuses(built: Built, standard: str) -> dict[tuple, tuple]:
    rows = built.rows(
        "select o.obligation_id, o.ae, o.fulfilled_at, o.status, d.week_start from obligations o "
        "join obligation_details d using (obligation_id) where o.standard = ?",
        [standard],
    )
    return {(r["ae"], str(r["week_start"])): (r["fulfilled_at"], r["status"]) for r in rows}


def test_weeks_run_from_first_activity_to_as_of_with_working_day_bounds(built):
    weeks = built.rows(
        "select cast(week_start as varchar) as w, first_working_day, last_working_day "
        "from int_weeks order by week_start"
    )
    assert [(r["w"], str(r["first_working_day"]), str(r["last_working_day"])) for r in weeks] == [
        (W39, "2025-09-22", "2025-09-28"),  # make-up Sunday is the last working day
        (W40, "2025-09-29", "2025-09-30"),  # National Day from Wednesday
        (W41, "2025-10-09", "2025-10-11"),  # Monday holiday; make-up Saturday
        (W42, "2025-10-13", "2025-10-17"),
    ]


def test_monday_call(built):
    assert statuses(built, "monday_call") == {
        (LI, W39): (None, "missed"),
        (WANG, W39): (None, "missed"),
        (LI, W40): (local(2025, 9, 29, 11), "met"),
        (WANG, W40): (local(2025, 9, 30, 10), "late"),  # found through the Task's WhoId contact
        (LI, W41): (local(2025, 10, 9, 10), "met"),  # Monday is a holiday: due Thursday 24:00
        (WANG, W41): (None, "missed"),  # only an inbound call
        (ZHAO, W41): (None, "missed"),  # NewCo was created on 8 Oct
        (LI, W42): (None, "open"),  # a 'Not Started' call is a plan, not a call
        (WANG, W42): (None, "open"),
        (ZHAO, W42): (None, "open"),
    }
    row = built.obligations("monday_call")[oid("monday_call", f"{LI}|{BRANDCO}|{W41}")]
    assert (row["opened_at"], row["due_at"], row["client_account"]) == (
        local(2025, 10, 9),
        local(2025, 10, 10),
        "001000000000001AAA",
    )
    assert "00T000000000004AAA" in row["evidence"] and "crm/Task.csv (line 5)" in row["evidence"]


def test_friday_client_report(built):
    assert statuses(built, "friday_client_report") == {
        (LI, W39): (local(2025, 9, 28, 16), "met"),  # sent on the make-up Sunday
        (WANG, W39): (None, "missed"),
        (LI, W40): (local(2025, 9, 30, 17), "met"),
        (WANG, W40): (local(2025, 10, 3, 10), "late"),  # during the holiday, inside the week
        (LI, W41): (local(2025, 10, 11, 10), "met"),  # make-up Saturday: due Saturday 24:00
        (WANG, W41): (local(2025, 10, 12, 10), "late"),  # Sunday: inside the week, after the deadline
        (ZHAO, W41): (None, "missed"),
        (LI, W42): (None, "open"),
        (WANG, W42): (None, "open"),
        (ZHAO, W42): (None, "open"),
    }
    w40 = built.obligations("friday_client_report")[oid("friday_client_report", f"{LI}|{BRANDCO}|{W40}")]
    assert w40["due_at"] == local(2025, 10, 1) and "confirmed by call 00T000000000003AAA" in w40["evidence"]
    w41 = built.obligations("friday_client_report")[oid("friday_client_report", f"{LI}|{BRANDCO}|{W41}")]
    assert w41["due_at"] == local(2025, 10, 12) and "not confirmed by phone" in w41["evidence"]
    confirmed = dict(
        built.con.execute(
            "select obligation_id, is_confirmed from int_obligations where standard = 'friday_client_report' "
            "and is_confirmed"
        ).fetchall()
    )
    assert confirmed == {w40["obligation_id"]: True}


def test_friday_report_confirmation_reaches_the_marts(built):
    """The handbook's 并以电话向对方确认: only Li Wei's W40 report was followed by a call that day.

    The old engine computed int_obligations.is_confirmed and dropped it: obligations,
    obligation_details and kpi_weekly had no such column, so the site could not show it."""
    w40 = oid("friday_client_report", f"{LI}|{BRANDCO}|{W40}")
    flags = dict(
        built.con.execute(
            "select obligation_id, is_confirmed from obligation_details where standard = 'friday_client_report'"
        ).fetchall()
    )
    assert {k for k, v in flags.items() if v} == {w40}
    assert built.con.execute("select count(*) from obligations where is_confirmed").fetchall() == [(1,)]
    assert built.con.execute(
        "select count(*) from obligation_details where standard <> 'friday_client_report' and is_confirmed is not null"
    ).fetchall() == [(0,)]
    confirmed = built.con.execute(
        "select week_start, confirmed, met + late from kpi_standard_weekly "
        "where standard = 'friday_client_report' and confirmed > 0"
    ).fetchall()
    assert [(str(w), c) for w, c, _ in confirmed] == [(W40, 1)]


def test_friday_supervisor_report(built):
    assert statuses(built, "friday_supervisor_report") == {
        (LI, W39): (None, "missed"),
        (WANG, W39): (None, "missed"),
        (ZHAO, W39): (None, "excused"),
        (LI, W40): (local(2025, 9, 30, 18), "met"),
        (WANG, W40): (None, "missed"),
        (ZHAO, W40): (None, "excused"),
        (LI, W41): (local(2025, 10, 11, 17), "met"),
        (WANG, W41): (local(2025, 10, 10, 16), "met"),
        (ZHAO, W41): (None, "excused"),
        (LI, W42): (None, "open"),
        (WANG, W42): (None, "open"),
        (ZHAO, W42): (None, "excused"),
    }


def test_prospects_and_deleted_accounts_have_no_weekly_obligations(built):
    accounts = {
        r["client_account"]
        for r in built.rows(
            "select distinct client_account from obligations where standard in ('monday_call', 'friday_client_report')"
        )
    }
    assert accounts == {"001000000000001AAA", "001000000000002AAA", "001000000000005AAA"}


def test_kpi_weekly_for_one_ae_and_week(built):
    """Wang Fang in W40: call late, report late, supervisor report missed -> rate 0 for each;
    Li Wei in W41: all three met -> 1."""
    rows = built.rows(
        "select standard, met, late, missed, open, excused, rate from kpi_weekly "
        "where ae = ? and iso_year = 2025 and iso_week = 40 "
        "and standard in ('monday_call', 'friday_client_report', 'friday_supervisor_report') order by standard",
        [WANG],
    )
    assert rows == [
        {"standard": "friday_client_report", "met": 0, "late": 1, "missed": 0, "open": 0, "excused": 0, "rate": 0.0},
        {
            "standard": "friday_supervisor_report",
            "met": 0,
            "late": 0,
            "missed": 1,
            "open": 0,
            "excused": 0,
            "rate": 0.0,
        },
        {"standard": "monday_call", "met": 0, "late": 1, "missed": 0, "open": 0, "excused": 0, "rate": 0.0},
    ]
    li = built.rows("select standard, met, rate from kpi_weekly where ae = ? and iso_week = 41 order by standard", [LI])
    assert [(r["standard"], r["met"], r["rate"]) for r in li] == [
        ("friday_client_report", 1, 1.0),
        ("friday_supervisor_report", 1, 1.0),
        ("monday_call", 1, 1.0),
    ]
    zhao = built.rows(
        "select excused, rate from kpi_weekly where ae = ? and standard = 'friday_supervisor_report' and iso_week = 41",
        [ZHAO],
    )
    assert zhao == [{"excused": 1, "rate": None}]  # nothing decided: no rate


def test_business_hours_count_the_make_up_sunday(ingested):
    """A client message on Saturday 27 Sep: the working clock starts on the make-up Sunday, so 12
    working hours end Monday 11:30 and the Monday 10:00 answer is met (late on the wall clock)."""
    wall = build_copy(ingested, AS_OF, Settings(), "wall-q0")
    business = build_copy(ingested, AS_OF, Settings(reply_business_hours=True), "business-q0")
    try:
        key = oid("reply_12h", "q0@brandco.com")
        assert (wall.obligations("reply_12h")[key]["status"]) == "late"
        row = business.obligations("reply_12h")[key]
        assert (row["due_at"], row["status"]) == (local(2025, 9, 29, 11, 30), "met")
    finally:
        wall.con.close()
        business.con.close()

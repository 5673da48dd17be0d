""" "N working hours after an instant" in one place: int_working_positions (issue 10).

The old engine wrote the working-minute position of an instant and the deadline N working hours after it
(two ASOF joins over int_working_intervals) three times, in reply_12h, callback and work_order, and had no
int_working_positions: both tests below fail on it. Scenario: tests/fixtures/scenarios/jobs_canonical (the
2026 New Year: 1-3 Jan off, Sun 4 Jan a make-up working day); the oracle is the Python calendar's
BusinessCalendar.add_business_minutes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from scenario_tools import build_copy, ingest_scenario, local, oid

from aemetrics.business_calendar import BusinessCalendar
from aemetrics.config import Settings
from aemetrics.warehouse import SQL_DIR

AS_OF = datetime.fromisoformat("2026-01-09T20:00:00+08:00")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = ingest_scenario("jobs_canonical", tmp_path_factory)
    # reply_hours and work_order_hours both 12: a request and a missed call at one instant share a row
    settings = replace(Settings(), reply_business_hours=True, work_order_hours=12.0)
    result = build_copy(db, AS_OF, settings, suffix="positions")
    yield result, settings
    result.con.close()


def test_the_working_hours_rule_is_written_once():
    """Only int_working_positions ASOF-joins the working intervals (the old engine: three models did)."""
    writers = sorted(
        path.stem
        for path in SQL_DIR.glob("*/*.sql")
        if "int_working_intervals" in (text := path.read_text(encoding="utf-8")) and re.search(r"\basof\b", text, re.I)
    )
    assert writers == ["int_working_positions"]


def test_positions_are_the_calendars_deadlines(built):
    """Every row's due_at is add_business_minutes(instant, working_hours * 60); every callback and work_order opening
    has its row; the missed call of Wed 31 Dec 17:00 is due Mon 5 Jan 10:00 (1.5 h Wednesday, 9.5 h on the
    make-up Sunday, 1 h Monday), the request of Mon 5 Jan 10:00 on Tue 6 Jan 12:30 (8.5 h Monday, 3.5 h Tuesday)."""
    result, settings = built
    calendar = BusinessCalendar(settings)
    rows = result.rows("select instant, working_hours, due_at from int_working_positions where instant is not null")
    assert rows
    for row in rows:
        assert row["due_at"] == calendar.add_business_minutes(row["instant"], row["working_hours"] * 60), row
    missing = result.rows(
        "select standard, opening_key from int_obligations where standard in ('callback', 'work_order')"
        " and not exists (select 1 from int_working_positions p where p.instant = opened_at and p.working_hours = 12)"
    )
    assert missing == []
    due = {
        r["obligation_id"]: r["due_at"]
        for r in result.rows(
            "select obligation_id, due_at from obligations where standard in ('callback', 'work_order')"
        )
    }
    assert due[oid("callback", "a-01")] == local(2026, 1, 5, 10)
    assert due[oid("work_order", "r-01")] == local(2026, 1, 6, 12, 30)

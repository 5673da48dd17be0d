"""The holidays warning only for an evaluated year without official data (issue 13).

Before: the demo (evaluated as of 12 Dec 2025) warned that 2027 is the holidays package's guess,
because a future meeting stretched the written calendar into 2027, a year nothing is judged in."""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from aemetrics.business_calendar import BusinessCalendar, write_business_days
from aemetrics.config import Settings


def _warnings(caplog, evaluated_until):
    caplog.clear()
    con = duckdb.connect()
    with caplog.at_level(logging.WARNING, logger="aemetrics.business_calendar"):
        write_business_days(con, BusinessCalendar(Settings()), date(2025, 9, 1), date(2027, 2, 1), evaluated_until)
    con.close()
    return [r.getMessage() for r in caplog.records if "holidays package's guess" in r.getMessage()]


def test_a_year_after_as_of_is_written_without_a_warning(caplog):
    assert _warnings(caplog, date(2025, 12, 12)) == []


def test_an_evaluated_year_without_official_data_still_warns(caplog):
    messages = _warnings(caplog, date(2027, 1, 15))
    assert len(messages) == 1 and "[2027]" in messages[0]
    assert _warnings(caplog, None) == messages  # without an as_of, every written year counts

"""Business calendar: hand-checked against the State Council notices (国务院办公厅 部分节假日安排的通知).

2025 (国办发明电〔2024〕12号): Spring Festival Jan 28-Feb 4 off, work Sun Jan 26 and Sat Feb 8;
National Day + Mid-Autumn Oct 1-8 off, work Sun Sep 28 and Sat Oct 11; Dragon Boat May 31-Jun 2.
2026 (国办发明电〔2025〕7号): Spring Festival Feb 15-23 off, work Sat Feb 14 and Sat Feb 28.
Working hours 09:00-18:30 (570 minutes) unless a test says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from aemetrics.business_calendar import (
    BUSINESS_DAYS_COLUMNS,
    LAST_OFFICIAL_YEAR,
    BusinessCalendar,
    business_days_rows,
    read_holidays_file,
    write_business_days,
)
from aemetrics.config import ConfigError, Settings

FIXTURES = Path(__file__).parent / "fixtures" / "config"
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = UTC


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar(Settings())


@pytest.fixture(scope="module")
def cal2027() -> BusinessCalendar:
    return BusinessCalendar(Settings(holidays_file=FIXTURES / "holidays-2027-spring.csv"))


@pytest.fixture(scope="module")
def ny() -> BusinessCalendar:
    return BusinessCalendar(Settings(business_timezone="America/New_York"))


# ---- days: 2025 National Day week, with two make-up weekend days ---------------------------------
def test_national_day_2025_days_off_and_makeup_weekend_days(cal):
    off = [date(2025, 10, d) for d in range(1, 9)]
    assert [cal.is_working_day(d) for d in off] == [False] * 8
    for makeup in (date(2025, 9, 28), date(2025, 10, 11)):  # Sun, Sat
        assert cal.is_working_day(makeup) and cal.is_makeup_workday(makeup)
        assert not cal.is_holiday(makeup) and cal.holiday_name(makeup) is None
    assert not cal.is_working_day(date(2025, 9, 27))  # the Saturday before stays off
    assert cal.holiday_name(date(2025, 10, 1)) == "国庆节"
    assert cal.holiday_name(date(2025, 10, 6)) == "中秋节"
    assert cal.holiday_name(date(2025, 10, 7)) == "休息日（由 2025-09-28 调休）"


def test_national_day_2025_iso_weeks_first_and_last_working_days(cal):
    # week 39 (Sep 22-28) ends on the make-up Sunday
    assert cal.last_working_day(2025, 39) == date(2025, 9, 28)
    # week 40 (Sep 29-Oct 5): Mon and Tue work, then the holiday
    assert cal.first_working_day(2025, 40) == date(2025, 9, 29)
    assert cal.last_working_day(2025, 40) == date(2025, 9, 30)
    # week 41 (Oct 6-12): Mon-Wed off, Thu first, the make-up Saturday last
    assert cal.first_working_day(2025, 41) == date(2025, 10, 9)
    assert cal.last_working_day(2025, 41) == date(2025, 10, 11)


def test_spring_festival_2025_matches_the_official_notice(cal):
    for d in (date(2025, 1, 28) + timedelta(days=i) for i in range(8)):  # Jan 28 - Feb 4
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2025, 2, 5))
    assert cal.is_makeup_workday(date(2025, 1, 26)) and cal.is_makeup_workday(date(2025, 2, 8))
    assert cal.holiday_name(date(2025, 1, 28)) == "农历除夕"
    # week 4 (Jan 20-26) ends on Sunday Jan 26; week 5 has one working day; week 6 ends on Saturday
    assert cal.last_working_day(2025, 4) == date(2025, 1, 26)
    assert cal.first_working_day(2025, 5) == cal.last_working_day(2025, 5) == date(2025, 1, 27)
    assert cal.first_working_day(2025, 6) == date(2025, 2, 5)
    assert cal.last_working_day(2025, 6) == date(2025, 2, 8)


def test_spring_festival_2026_week_8_entirely_off(cal):
    """Feb 15 (Sun) - Feb 23 (Mon) 2026 off: ISO week 8 (Feb 16-22) has no working day at all."""
    assert cal.first_working_day(2026, 8) is None and cal.last_working_day(2026, 8) is None
    assert cal.last_working_day(2026, 7) == date(2026, 2, 14)  # make-up Saturday
    assert cal.first_working_day(2026, 9) == date(2026, 2, 24)  # Mon 23 still off
    assert cal.last_working_day(2026, 9) == date(2026, 2, 28)  # make-up Saturday


def test_2020_covid_extension_week_entirely_off(cal):
    """2020's Spring Festival was extended to Feb 2 by decree: week 5 (Jan 27-Feb 2) all off."""
    assert cal.first_working_day(2020, 5) is None
    assert cal.first_working_day(2020, 6) == date(2020, 2, 3)


def test_weekend_holiday_versus_plain_weekend_inside_a_break(cal):
    # Dragon Boat Festival 2025 fell on Saturday May 31: a named holiday on a weekend
    assert cal.is_holiday(date(2025, 5, 31)) and cal.holiday_name(date(2025, 5, 31)) == "端午节"
    assert not cal.is_working_day(date(2025, 6, 2))  # its observed Monday
    # Saturday Feb 1 2025 is inside the Spring Festival break but only a weekend in the sources
    assert not cal.is_working_day(date(2025, 2, 1)) and not cal.is_holiday(date(2025, 2, 1))
    # half-day holidays (Army Day Fri Aug 1 2025, Children's Day Mon Jun 1 2026) are working days
    assert cal.is_working_day(date(2025, 8, 1)) and cal.is_working_day(date(2026, 6, 1))


def test_package_knows_2026_and_not_2027(cal):
    assert LAST_OFFICIAL_YEAR >= 2026
    assert not cal.is_estimated_year(2025) and not cal.is_estimated_year(2026)
    assert cal.is_estimated_year(2027)
    # without a holidays file, 2027 is the package's guess: New Year Friday off, observed Mondays off
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 5, 3))


def test_invalid_iso_week_raises(cal):
    with pytest.raises(ValueError):
        cal.first_working_day(2025, 53)  # 2025 has 52 ISO weeks


# ---- the user's holidays file and overrides --------------------------------------------------------
def test_holidays_file_2027_spring_festival_replaces_the_package_guess(cal2027):
    for d in (date(2027, 2, 5) + timedelta(days=i) for i in range(8)):  # Feb 5 - Feb 12
        assert not cal2027.is_working_day(d), d
    assert cal2027.holiday_name(date(2027, 2, 5)) == "农历除夕"
    assert cal2027.is_holiday(date(2027, 2, 6))  # named Saturday in the break
    assert cal2027.is_makeup_workday(date(2027, 1, 31))  # Sunday
    assert cal2027.is_makeup_workday(date(2027, 2, 20))  # Saturday, flag written "YES"
    assert cal2027.holiday_name(date(2027, 1, 31)) is None  # names only on days off
    assert cal2027.first_working_day(2027, 6) is None  # Feb 8-14 all off
    assert cal2027.last_working_day(2027, 5) == date(2027, 2, 4)
    assert cal2027.last_working_day(2027, 4) == date(2027, 1, 31)
    assert cal2027.last_working_day(2027, 7) == date(2027, 2, 20)
    # the file names 2027, so the package's guesses for 2027 are dropped: these are plain weekdays now
    assert not cal2027.is_estimated_year(2027)
    assert cal2027.is_working_day(date(2027, 1, 1))
    assert cal2027.is_working_day(date(2027, 5, 3))
    assert not cal2027.is_working_day(date(2027, 5, 1))  # still a Saturday


def test_holidays_file_wins_over_the_package_in_an_official_year(cal2027):
    assert not cal2027.is_working_day(date(2025, 12, 31))
    assert cal2027.is_holiday(date(2025, 12, 31)) and cal2027.holiday_name(date(2025, 12, 31)) == "公司年会"
    assert cal2027.is_working_day(date(2025, 10, 8)) and cal2027.holiday_name(date(2025, 10, 8)) is None
    assert not cal2027.is_working_day(date(2025, 10, 7))  # the rest of the package is kept
    assert cal2027.last_working_day(2025, 41) == date(2025, 10, 11)
    assert cal2027.first_working_day(2025, 41) == date(2025, 10, 8)


def test_calendar_overrides_win_over_the_holidays_file():
    cal = BusinessCalendar(
        Settings(
            holidays_file=FIXTURES / "holidays-2027-spring.csv",
            calendar_overrides={date(2027, 2, 12): True, date(2025, 12, 31): True, date(2025, 10, 1): False},
        )
    )
    assert cal.is_working_day(date(2027, 2, 12)) and not cal.is_makeup_workday(date(2027, 2, 12))
    assert cal.is_working_day(date(2025, 12, 31)) and cal.holiday_name(date(2025, 12, 31)) is None
    assert cal.holiday_name(date(2025, 10, 1)) == "国庆节"  # an override to "off" keeps the name


def test_overrides_alone_make_an_unknown_year_user_defined():
    cal = BusinessCalendar(Settings(calendar_overrides={date(2028, 1, 29): True}))  # a Saturday
    assert not cal.is_estimated_year(2028) and cal.is_makeup_workday(date(2028, 1, 29))


def test_holidays_file_excel_bom_and_crlf():
    assert read_holidays_file(FIXTURES / "holidays-excel-bom.csv") == {date(2027, 2, 5): (False, "农历除夕")}


def test_example_holidays_file_is_valid():
    days = read_holidays_file(Path(__file__).parents[1] / "examples" / "holidays-2027.csv")
    assert days[date(2027, 10, 9)] == (True, "国庆节调休上班")
    assert all(d.year == 2027 for d in days)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("holidays-bad-date.csv", "holidays-bad-date.csv:3: '2027-02-30' is not a date"),
        ("holidays-bad-flag.csv", "holidays-bad-flag.csv:3: is_working_day must be true or false, got 'maybe'"),
        ("holidays-contradiction.csv", "holidays-contradiction.csv:3: 2027-02-05 contradicts line 2"),
        ("holidays-no-header.csv", "holidays-no-header.csv:1: expected the header"),
        ("no-such-file.csv", "no-such-file.csv: holidays file not found"),
    ],
)
def test_bad_holidays_file_names_file_and_line(name, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        BusinessCalendar(Settings(holidays_file=FIXTURES / name))


def test_reversed_working_hours_rejected():
    with pytest.raises(ValueError, match="end must be after the start"):
        BusinessCalendar(Settings(work_start=time(18, 0), work_end=time(9, 0)))


# ---- instants -------------------------------------------------------------------------------------
def test_working_interval_and_day_end_in_utc(cal):
    assert cal.working_interval(date(2025, 9, 28)) == (z(2025, 9, 28, 1, 0), z(2025, 9, 28, 10, 30))
    assert cal.working_interval(date(2025, 10, 1)) is None
    assert cal.day_end(date(2025, 10, 1)) == z(2025, 10, 1, 16, 0)  # local 24:00
    assert cal.day_start(date(2025, 10, 1)) == z(2025, 9, 30, 16, 0)
    assert cal.working_interval(date(2025, 9, 29))[0].tzinfo == UTC


def test_business_minutes_across_a_weekend(cal):
    assert cal.business_minutes(sh(2025, 3, 14, 17, 0), sh(2025, 3, 17, 10, 0)) == 90 + 60


def test_business_minutes_across_national_day(cal):
    # Tue Sep 30 17:00 -> Thu Oct 9 10:00: Oct 1-8 off
    assert cal.business_minutes(sh(2025, 9, 30, 17, 0), sh(2025, 10, 9, 10, 0)) == 90 + 60


def test_business_minutes_counts_the_makeup_sunday(cal):
    # Fri Sep 26 18:00 -> Mon Sep 29 09:30: Sat off, Sun Sep 28 a full working day
    assert cal.business_minutes(sh(2025, 9, 26, 18, 0), sh(2025, 9, 29, 9, 30)) == 30 + 570 + 30


def test_business_minutes_mixed_zones_inputs_and_empty_spans(cal):
    # the same Friday-to-Monday span given in UTC
    assert cal.business_minutes(z(2025, 3, 14, 9, 0), z(2025, 3, 17, 2, 0)) == 150
    assert cal.business_minutes(sh(2025, 3, 17, 10, 0), sh(2025, 3, 14, 17, 0)) == 0.0  # negative: 0
    assert cal.business_minutes(sh(2025, 3, 15, 10, 0), sh(2025, 3, 15, 17, 0)) == 0.0  # Saturday
    assert cal.business_minutes(sh(2025, 3, 17, 9, 0, 30), sh(2025, 3, 17, 9, 1)) == 0.5


def test_naive_datetimes_rejected(cal):
    with pytest.raises(ValueError, match="naive"):
        cal.business_minutes(datetime(2025, 3, 14, 17), sh(2025, 3, 17, 10))
    with pytest.raises(ValueError, match="naive"):
        cal.add_business_minutes(datetime(2025, 3, 14, 17), 60)
    with pytest.raises(ValueError, match=">= 0"):
        cal.add_business_minutes(sh(2025, 3, 14, 17), -1)


def test_add_12_working_hours_from_friday(cal):
    # Fri 15:00: 210 min Friday, 510 on Monday -> Mon 17:30
    assert cal.add_business_minutes(sh(2025, 3, 14, 15, 0), 720) == sh(2025, 3, 17, 17, 30)
    # Fri 17:00: 90 Friday, 570 Monday, 60 Tuesday -> Tue 10:00
    assert cal.add_business_minutes(sh(2025, 3, 14, 17, 0), 720) == sh(2025, 3, 18, 10, 0)
    # Fri May 30 2025 15:00 before Dragon Boat (Sat-Mon off): 210 Friday, 510 Tuesday -> Tue Jun 3 17:30
    assert cal.add_business_minutes(sh(2025, 5, 30, 15, 0), 720) == sh(2025, 6, 3, 17, 30)
    # Fri Oct 10 2025 15:00: the make-up Saturday Oct 11 carries it -> Sat 17:30
    assert cal.add_business_minutes(sh(2025, 10, 10, 15, 0), 720) == sh(2025, 10, 11, 17, 30)


def test_add_business_minutes_edges(cal):
    assert cal.add_business_minutes(sh(2025, 3, 17, 9, 0), 570) == sh(2025, 3, 17, 18, 30)  # not Tue 09:00
    assert cal.add_business_minutes(sh(2025, 3, 15, 12, 0), 60) == sh(2025, 3, 17, 10, 0)  # from Saturday
    assert cal.add_business_minutes(sh(2025, 3, 15, 12, 0), 0) == sh(2025, 3, 15, 12, 0)
    assert cal.add_business_minutes(sh(2025, 3, 15, 12, 0), 60).tzinfo == UTC


@hsettings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 12, 20), max_value=datetime(2026, 3, 1), timezones=st.just(SH)),
    minutes=st.integers(min_value=1, max_value=6000),
)
def test_add_then_measure_round_trips(cal, start, minutes):
    end = cal.add_business_minutes(start, minutes)
    assert abs(cal.business_minutes(start, end) - minutes) < 1e-6


# ---- DST: a business time zone with summer time ----------------------------------------------------
def test_new_york_spring_forward_weekend(ny):
    # Fri Mar 7 2025 is EST (-5), Mon Mar 10 is EDT (-4): same local hours, different UTC
    assert ny.working_interval(date(2025, 3, 7)) == (z(2025, 3, 7, 14, 0), z(2025, 3, 7, 23, 30))
    assert ny.working_interval(date(2025, 3, 10)) == (z(2025, 3, 10, 13, 0), z(2025, 3, 10, 22, 30))
    start, end = datetime(2025, 3, 7, 17, 0, tzinfo=NY), datetime(2025, 3, 10, 10, 0, tzinfo=NY)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=64)  # the clock lost an hour
    assert ny.business_minutes(start, end) == 90 + 60
    assert ny.add_business_minutes(datetime(2025, 3, 7, 15, 0, tzinfo=NY), 720) == z(2025, 3, 10, 21, 30)
    # Sunday Mar 9 has 23 hours; Sunday Nov 2 has 25
    assert ny.day_end(date(2025, 3, 8)) == z(2025, 3, 9, 5, 0)
    assert ny.day_end(date(2025, 3, 9)) - ny.day_end(date(2025, 3, 8)) == timedelta(hours=23)
    assert ny.day_end(date(2025, 11, 2)) - ny.day_end(date(2025, 11, 1)) == timedelta(hours=25)


def test_working_day_that_contains_the_dst_change_counts_real_minutes():
    """Sunday Mar 9 2025 made a working day 00:00-12:00 New York: 11 real hours, not 12."""
    cal = BusinessCalendar(
        Settings(
            business_timezone="America/New_York",
            work_start=time(0, 0),
            work_end=time(12, 0),
            calendar_overrides={date(2025, 3, 9): True},
        )
    )
    assert cal.working_interval(date(2025, 3, 9)) == (z(2025, 3, 9, 5, 0), z(2025, 3, 9, 16, 0))
    assert cal.business_minutes(z(2025, 3, 9, 0, 0), z(2025, 3, 10, 0, 0)) == 660


# ---- the business_days table ----------------------------------------------------------------------
def test_rows_have_exactly_the_table_columns(cal):
    con = duckdb.connect()
    con.execute((Path(__file__).parents[1] / "sql" / "raw" / "business_days.sql").read_text())
    ddl_cols = [r[0] for r in con.execute("describe business_days").fetchall()]
    assert tuple(ddl_cols) == BUSINESS_DAYS_COLUMNS
    rows = business_days_rows(cal, date(2025, 9, 28), date(2025, 9, 28))
    assert list(rows[0]) == list(BUSINESS_DAYS_COLUMNS)
    assert rows[0]["iso_year"] == 2025 and rows[0]["iso_week"] == 39
    assert rows[0]["week_start"] == date(2025, 9, 22)
    with pytest.raises(ValueError, match="empty"):
        business_days_rows(cal, date(2025, 9, 28), date(2025, 9, 27))


def test_write_business_days_is_timezone_proof_and_replaces_content(cal):
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")
    assert write_business_days(con, cal, date(2025, 1, 1), date(2025, 1, 31)) == 31
    assert write_business_days(con, cal, date(2025, 9, 27), date(2025, 10, 12)) == 16  # replaces
    assert con.execute("select count(*), min(day), max(day) from business_days").fetchall() == [
        (16, date(2025, 9, 27), date(2025, 10, 12))
    ]
    got = con.execute(
        "select day, is_working_day, is_weekend, is_holiday, is_makeup_workday, holiday_name, iso_year, iso_week, "
        "week_start, epoch(day_start_at), epoch(day_end_at), epoch(work_start_at), epoch(work_end_at), "
        "strftime(work_start_at at time zone 'UTC', '%Y-%m-%d %H:%M') "
        "from business_days where day in ('2025-09-28', '2025-10-01') order by day"
    ).fetchall()
    assert got == [
        (
            date(2025, 9, 28),
            True,
            True,
            False,
            True,
            None,
            2025,
            39,
            date(2025, 9, 22),
            z(2025, 9, 27, 16).timestamp(),
            z(2025, 9, 28, 16).timestamp(),
            z(2025, 9, 28, 1).timestamp(),
            z(2025, 9, 28, 10, 30).timestamp(),
            "2025-09-28 01:00",
        ),
        (
            date(2025, 10, 1),
            False,
            False,
            True,
            False,
            "国庆节",
            2025,
            40,
            date(2025, 9, 29),
            z(2025, 9, 30, 16).timestamp(),
            z(2025, 10, 1, 16).timestamp(),
            None,
            None,
            None,
        ),
    ]
    # Python values come back as the same instants whatever the session zone
    (ws,) = con.execute("select work_start_at from business_days where day = '2025-10-11'").fetchone()
    assert ws == z(2025, 10, 11, 1, 0)
    # SQL can answer the weekly questions from the table alone
    assert con.execute(
        "select iso_week, min(day), max(day) from business_days where is_working_day group by 1 order by 1"
    ).fetchall() == [
        (39, date(2025, 9, 28), date(2025, 9, 28)),
        (40, date(2025, 9, 29), date(2025, 9, 30)),
        (41, date(2025, 10, 9), date(2025, 10, 11)),
    ]


def test_write_business_days_rolls_back_on_failure(cal):
    con = duckdb.connect()
    write_business_days(con, cal, date(2025, 1, 1), date(2025, 1, 7))
    bad = BusinessCalendar(Settings())
    bad.day_end = lambda d: None  # day_end_at is NOT NULL: the insert fails after the delete
    with pytest.raises(duckdb.ConstraintException):
        write_business_days(con, bad, date(2025, 2, 1), date(2025, 2, 3))
    assert con.execute("select count(*) from business_days").fetchall() == [(7,)]

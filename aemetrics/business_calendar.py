"""The business calendar: working days (with China's make-up working days, 调休) and hours.

Sources, later ones winning per date:
1. the `holidays` package (`holidays.China`): public holidays and `weekend_workdays`;
2. the user's holidays file (Settings.holidays_file, CSV `date,is_working_day,name`);
3. Settings.calendar_overrides (the [calendar.days] table of aemetrics.toml).

For a year after the package's last official State Council schedule the package only guesses
(statutory dates moved off weekends, no make-up days). Once the user's file or overrides name
any day of such a year, that guess is dropped for the whole year: the user's list is then the
year's complete set of exceptions to "Monday-Friday work" (copy the notice, nothing else).

All instants returned are aware UTC datetimes; days are local dates in the business time zone.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import holidays
import pandas as pd
from holidays.countries.china import ChinaStaticHolidays

from aemetrics.config import ConfigError, Settings
from aemetrics.warehouse import SQL_DIR

log = logging.getLogger(__name__)

UTC = UTC
# The package holds the official notices (国务院办公厅 部分节假日安排的通知) from 2001 up to this year.
FIRST_OFFICIAL_YEAR = 2001
LAST_OFFICIAL_YEAR = max(ChinaStaticHolidays.special_public_holidays)
BUSINESS_DAYS_DDL = SQL_DIR / "raw" / "business_days.sql"
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_MAX_SEARCH_DAYS = 3660  # add_business_minutes gives up after ten years without a working day


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_working_day: bool
    is_weekend: bool
    is_holiday: bool  # a day off that is not merely a Saturday/Sunday, or a named holiday
    is_makeup_workday: bool  # Saturday/Sunday that is a working day (调休)
    holiday_name: str | None  # only on days off


def read_holidays_file(path: str | Path) -> dict[date, tuple[bool, str | None]]:
    """Read a CSV `date,is_working_day,name` (header required; `#` lines and blank lines skipped).

    `is_working_day` is true/false (also yes/no, 1/0); `name` may be empty. Any bad line raises
    ConfigError naming the file and line: a calendar silently missing a day is worse than none.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except FileNotFoundError:
        raise ConfigError(f"{path}: holidays file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read holidays file: {exc}") from exc
    days: dict[date, tuple[bool, str | None]] = {}
    seen_at: dict[date, int] = {}
    header_seen = False
    for lineno, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not header_seen:
            if [c.lower() for c in cells[:2]] != ["date", "is_working_day"]:
                raise ConfigError(f"{path}:{lineno}: expected the header 'date,is_working_day,name', got {row!r}")
            header_seen = True
            continue
        if len(cells) < 2 or len(cells) > 3:
            raise ConfigError(f"{path}:{lineno}: expected 'date,is_working_day,name', got {row!r}")
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise ConfigError(f"{path}:{lineno}: {cells[0]!r} is not a date (YYYY-MM-DD)") from None
        flag = cells[1].lower()
        if flag not in _TRUE | _FALSE:
            raise ConfigError(f"{path}:{lineno}: is_working_day must be true or false, got {cells[1]!r}")
        entry = (flag in _TRUE, (cells[2] if len(cells) == 3 else "") or None)
        if day in days and days[day][0] != entry[0]:
            raise ConfigError(f"{path}:{lineno}: {day} contradicts line {seen_at[day]}")
        days[day], seen_at[day] = entry, lineno
    if not header_seen:
        raise ConfigError(f"{path}: empty holidays file (expected the header 'date,is_working_day,name')")
    return days


class BusinessCalendar:
    """Working days and hours of the business time zone; see the module docstring for sources."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        if settings.work_end <= settings.work_start:
            raise ValueError(
                f"working hours {settings.work_start}-{settings.work_end}: the end must be after the start "
                "(overnight shifts are not supported)"
            )
        self.settings = settings
        self.tz = settings.tz
        self.work_start: time = settings.work_start
        self.work_end: time = settings.work_end
        # Chinese names are deterministic; the package's default follows the process locale.
        self._package = holidays.China(language="zh_CN")
        user: dict[date, tuple[bool, str | None]] = {}
        if settings.holidays_file is not None:
            user.update(read_holidays_file(settings.holidays_file))
        for day, working in settings.calendar_overrides.items():
            name = user.get(day, (working, None))[1]
            user[day] = (bool(working), name)
        self._user = user
        self._user_years = {d.year for d in user}
        self._days: dict[date, DayInfo] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        return cls(settings)

    # ---- days -------------------------------------------------------------------------------
    def is_official_year(self, year: int) -> bool:
        """The package has the State Council's schedule (holidays and make-up days) for `year`."""
        return FIRST_OFFICIAL_YEAR <= year <= LAST_OFFICIAL_YEAR

    def is_estimated_year(self, year: int) -> bool:
        """Neither the package nor the user knows `year`: its days are the package's guess."""
        return not self.is_official_year(year) and year not in self._user_years

    def day(self, d: date) -> DayInfo:
        info = self._days.get(d)
        if info is None:
            info = self._days[d] = self._compute(d)
        return info

    def _compute(self, d: date) -> DayInfo:
        weekend = d.weekday() >= 5
        if self.is_official_year(d.year) or d.year not in self._user_years:
            working = self._package.is_working_day(d)
            name = self._package.get(d)
        else:  # user-supplied year beyond the package: the package's guess would only mislead
            working, name = not weekend, None
        if d in self._user:
            working, user_name = self._user[d]
            name = user_name or name
        if working:
            name = None
        return DayInfo(
            day=d,
            is_working_day=working,
            is_weekend=weekend,
            is_holiday=not working and (not weekend or name is not None),
            is_makeup_workday=working and weekend,
            holiday_name=name,
        )

    def is_working_day(self, d: date) -> bool:
        return self.day(d).is_working_day

    def is_holiday(self, d: date) -> bool:
        return self.day(d).is_holiday

    def is_makeup_workday(self, d: date) -> bool:
        return self.day(d).is_makeup_workday

    def holiday_name(self, d: date) -> str | None:
        return self.day(d).holiday_name

    def _week(self, iso_year: int, iso_week: int) -> list[date]:
        return [date.fromisocalendar(iso_year, iso_week, wd) for wd in range(1, 8)]

    def first_working_day(self, iso_year: int, iso_week: int) -> date | None:
        """First working day of the ISO week (None when the whole week is off)."""
        return next((d for d in self._week(iso_year, iso_week) if self.is_working_day(d)), None)

    def last_working_day(self, iso_year: int, iso_week: int) -> date | None:
        """Last working day of the ISO week; a make-up Saturday/Sunday can be it."""
        return next((d for d in reversed(self._week(iso_year, iso_week)) if self.is_working_day(d)), None)

    # ---- instants ---------------------------------------------------------------------------
    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz).astimezone(UTC)

    def day_start(self, d: date) -> datetime:
        """Local 00:00 of `d`, in UTC."""
        return self._at(d, time(0))

    def day_end(self, d: date) -> datetime:
        """Local 24:00 of `d` (= 00:00 of the next day), in UTC: "end of the day" in STANDARDS.md."""
        return self._at(d + timedelta(days=1), time(0))

    def working_interval(self, d: date) -> tuple[datetime, datetime] | None:
        """(start, end) of working hours on `d` in UTC, or None when `d` is not a working day."""
        if not self.is_working_day(d):
            return None
        return self._at(d, self.work_start), self._at(d, self.work_end)

    def local_date(self, dt: datetime) -> date:
        return _aware(dt, "dt").astimezone(self.tz).date()

    def business_minutes(self, start: datetime, end: datetime) -> float:
        """Minutes of [start, end) inside working intervals. An empty or negative span gives 0.0.

        Both must be aware (ValueError otherwise). Minutes are real elapsed minutes (UTC), so a
        working day that spans a DST change counts its true length.
        """
        start, end = _aware(start, "start"), _aware(end, "end")
        if end <= start:
            return 0.0
        total = timedelta()
        d, last = self.local_date(start), self.local_date(end)
        while d <= last:
            interval = self.working_interval(d)
            if interval is not None:
                lo, hi = max(start, interval[0]), min(end, interval[1])
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total / timedelta(minutes=1)

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant (UTC) when `minutes` working minutes have elapsed since `start`.

        A deadline that uses up a working day exactly ends at that day's end of hours (18:30),
        not at the next morning. `minutes` == 0 returns `start`; negative raises ValueError.
        """
        start = _aware(start, "start")
        if minutes < 0:
            raise ValueError(f"minutes must be >= 0, got {minutes}")
        if minutes == 0:
            return start
        remaining = timedelta(minutes=minutes)
        d = self.local_date(start)
        for _ in range(_MAX_SEARCH_DAYS):
            interval = self.working_interval(d)
            if interval is not None and interval[1] > start:
                lo = max(start, interval[0])
                if remaining <= interval[1] - lo:
                    return lo + remaining
                remaining -= interval[1] - lo
            d += timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {start.isoformat()}")


def _aware(dt: datetime, what: str) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"{what}: expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"{what}: naive datetime {dt!r}; attach a time zone")
    return dt.astimezone(UTC)


# ---- the business_days table (sql/raw/business_days.sql) -------------------------------------
BUSINESS_DAYS_COLUMNS = (
    "day",
    "is_working_day",
    "is_weekend",
    "is_holiday",
    "is_makeup_workday",
    "holiday_name",
    "iso_year",
    "iso_week",
    "week_start",
    "day_start_at",
    "day_end_at",
    "work_start_at",
    "work_end_at",
)


def business_days_rows(cal: BusinessCalendar, first: date, last: date) -> list[dict[str, Any]]:
    """One row per local day from `first` to `last` inclusive, with exactly the table's columns."""
    if last < first:
        raise ValueError(f"business_days range is empty: {first} > {last}")
    rows = []
    d = first
    while d <= last:
        info = cal.day(d)
        iso = d.isocalendar()
        interval = cal.working_interval(d)
        rows.append(
            {
                "day": d,
                "is_working_day": info.is_working_day,
                "is_weekend": info.is_weekend,
                "is_holiday": info.is_holiday,
                "is_makeup_workday": info.is_makeup_workday,
                "holiday_name": info.holiday_name,
                "iso_year": iso.year,
                "iso_week": iso.week,
                "week_start": d - timedelta(days=d.weekday()),
                "day_start_at": cal.day_start(d),
                "day_end_at": cal.day_end(d),
                "work_start_at": interval[0] if interval else None,
                "work_end_at": interval[1] if interval else None,
            }
        )
        d += timedelta(days=1)
    return rows


def write_business_days(
    con: duckdb.DuckDBPyConnection, cal: BusinessCalendar, first: date, last: date, evaluated_until: date | None = None
) -> int:
    """Replace the content of business_days with `first`..`last` in one transaction; returns rows.

    Logs a warning for each estimated year (no official schedule) that is evaluated: up to the year
    of `evaluated_until` (the as_of day) when given; the padding after as_of is written but not judged.

    Timestamps go in as pandas datetime64[us, UTC], so DuckDB stores the right instants whatever
    the connection's TimeZone setting.
    """
    rows = business_days_rows(cal, first, last)
    estimated = sorted(
        {
            r["day"].year
            for r in rows
            if cal.is_estimated_year(r["day"].year)
            and (evaluated_until is None or r["day"].year <= evaluated_until.year)
        }
    )
    if estimated:
        log.warning(
            "business calendar for %s is the holidays package's guess (no official schedule, no holidays "
            "file entries): add the State Council notice to the holidays file",
            estimated,
        )
    frame = pd.DataFrame(rows, columns=list(BUSINESS_DAYS_COLUMNS))
    for col in ("day_start_at", "day_end_at", "work_start_at", "work_end_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    for col in ("iso_year", "iso_week"):
        frame[col] = frame[col].astype("int32")
    frame["holiday_name"] = frame["holiday_name"].astype("object")
    con.execute(BUSINESS_DAYS_DDL.read_text(encoding="utf-8"))
    con.register("_business_days_rows", frame)
    try:
        con.begin()
        try:
            con.execute("delete from business_days")
            con.execute(
                "insert into business_days by name select "
                "cast(day as date) as day, is_working_day, is_weekend, is_holiday, is_makeup_workday, "
                "cast(holiday_name as varchar) as holiday_name, iso_year, iso_week, "
                "cast(week_start as date) as week_start, day_start_at, day_end_at, work_start_at, work_end_at "
                "from _business_days_rows"
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        con.unregister("_business_days_rows")
    return len(rows)


__all__ = [
    "BUSINESS_DAYS_COLUMNS",
    "BusinessCalendar",
    "DayInfo",
    "LAST_OFFICIAL_YEAR",
    "business_days_rows",
    "read_holidays_file",
    "write_business_days",
]

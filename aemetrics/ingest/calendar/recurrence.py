"""Recurrence: recurring-ical-events' series over our VEVENT components, and their expansion
(RRULE, RDATE, EXDATE, RECURRENCE-ID) up to a horizon, capped at MAX_OCCURRENCES per series."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import icalendar
from icalendar.prop import vRecur
from recurring_ical_events import EventAdapter, Occurrence, Series

from aemetrics.ingest.calendar.values import all_values

MAX_OCCURRENCES = 10_000  # per series: a safety cap, noted in quarantine when hit


class ComponentAdapter(EventAdapter):
    """recurring-ical-events' VEVENT adapter that gives back its component."""

    @property
    def component(self) -> icalendar.Event:
        return self._component


class ComponentOccurrence(Occurrence):
    @property
    def adapter(self) -> ComponentAdapter:
        return self._adapter


class ComponentSeries(Series):
    def occurrence(self, adapter, start=None, end=None) -> ComponentOccurrence:
        return ComponentOccurrence(adapter, start, end, sequence=self.sequence)


_PERIOD_DAYS = {
    "SECONDLY": 1 / 86400, "MINUTELY": 1 / 1440, "HOURLY": 1 / 24, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365,
}  # fmt: skip


def rate_per_day(rule: vRecur) -> float:
    """A generous estimate of a rule's occurrences per day. It sizes the first expansion
    window, so that a dense rule (FREQ=MINUTELY, no end) is never enumerated over years."""
    try:
        freq = str(rule.get("FREQ", ["DAILY"])[0]).upper()
        interval = max(1, int(rule.get("INTERVAL", [1])[0]))
        per_period = 1
        for key in ("BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH"):
            per_period *= max(1, len(rule.get(key, [])))
        per_period *= max(1, len(rule.get("BYDAY", []))) * {"MONTHLY": 5, "YEARLY": 53}.get(freq, 1)
        return per_period / (_PERIOD_DAYS.get(freq, 1) * interval)
    except Exception:
        return 1.0


def expand(
    series: ComponentSeries, start: datetime, horizon: datetime, utc: Callable[[Any], datetime]
) -> tuple[list[ComponentOccurrence], bool]:
    """The earliest MAX_OCCURRENCES occurrences from the series start to the horizon, and
    whether there were more. A dense rule is expanded over a growing window instead of
    being enumerated to the horizon."""
    core = series.recurrence.core if series.recurrence.has_core else None
    rate = sum(rate_per_day(r) for r in all_values(core.component, "RRULE")) if core else 0.0
    expected = rate * (horizon - start).total_seconds() / 86400 + (len(core.rdates) if core else 0)
    span = horizon - start
    if rate <= 0 or expected <= 2 * MAX_OCCURRENCES:
        stop = horizon
    else:  # about MAX_OCCURRENCES of them, since rate * span > 2 * MAX_OCCURRENCES
        stop = start + max(timedelta(days=1), span * (MAX_OCCURRENCES / expected))
    while True:
        found = list(series.between(start, stop))
        if len(found) > MAX_OCCURRENCES or stop >= horizon:
            break
        stop = horizon if (stop - start) * 4 >= span else start + (stop - start) * 4
    found.sort(key=lambda o: utc(o.start))
    return found[:MAX_OCCURRENCES], len(found) > MAX_OCCURRENCES

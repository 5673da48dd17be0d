"""iCalendar (.ics) exports -> raw_calendar_events (one row per occurrence) and
raw_calendar_attendees (one row per attendee per occurrence).

Google, Outlook/Exchange, Apple, Thunderbird and Lotus all write RFC 5545 with their own accents,
so a file is read leniently: it is cut into the components under VCALENDAR first (text.py) and
each VEVENT is parsed by `icalendar` on its own, so one broken event is quarantined while the
others load. Every time then gets an explicit zone (zones.py, Windows names in windows_zones.py),
and `recurring-ical-events` expands the series (RRULE, RDATE, EXDATE, RECURRENCE-ID) over a
deterministic window (recurrence.py). Property values are read in values.py, online meeting ids
found in meeting_ids.py, and parser.py runs one file and emits the rows. The rules are in
docs/formats.md#calendar.
"""

from __future__ import annotations

from aemetrics.ingest.calendar.meeting_ids import find_online_meeting_id
from aemetrics.ingest.calendar.parser import ATTENDEES, EVENTS, HORIZON_DAYS, PARSER, parse, parse_bytes
from aemetrics.ingest.calendar.recurrence import MAX_OCCURRENCES
from aemetrics.ingest.calendar.zones import known_zone

__all__ = [
    "ATTENDEES", "EVENTS", "HORIZON_DAYS", "MAX_OCCURRENCES", "PARSER", "find_online_meeting_id", "known_zone", "parse",
    "parse_bytes",
]  # fmt: skip

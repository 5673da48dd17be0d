"""The stateful part: one file's run. Reads each VEVENT (text.py), gives every time an explicit
zone (zones.py), groups components into series by UID and expands them (recurrence.py), and
emits one raw_calendar_events row per occurrence and one raw_calendar_attendees row per attendee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import x_wr_timezone
from icalendar.parser import Contentline
from icalendar.prop import vBroken, vDDDLists, vRecur

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.calendar.meeting_ids import MEETING_FIELDS, find_online_meeting_id
from aemetrics.ingest.calendar.recurrence import (
    MAX_OCCURRENCES,
    ComponentAdapter,
    ComponentOccurrence,
    ComponentSeries,
    expand,
)
from aemetrics.ingest.calendar.text import (
    Block,
    Split,
    decode_ics,
    logical_lines,
    name_of,
    not_ical_reason,
    split_components,
)
from aemetrics.ingest.calendar.values import all_values, cal_address, dt_start, dt_value, param, text_value, upper
from aemetrics.ingest.calendar.zones import Zones, known_zone

PARSER = "ics"
EVENTS = "raw_calendar_events"
ATTENDEES = "raw_calendar_attendees"
HORIZON_DAYS = 400  # series are expanded up to the file's latest timestamp + this
UTC = UTC
# Outside these years a conversion between zones can overflow datetime.
_MIN_YEAR, _MAX_YEAR = 2, 9000


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """Parse one .ics file. Raises ParseError when it is not iCalendar at all."""
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{src.rel}: cannot read file: {exc}") from exc
    return parse_bytes(data, src.rel, settings)


def parse_bytes(data: bytes, source_file: str, settings: Settings) -> ParseResult:
    """The parser proper, on the file's bytes."""
    text = decode_ics(data, source_file)
    split = split_components(logical_lines(text))
    if not split.seen_begin:
        raise ParseError(f"{source_file}: {not_ical_reason(text)}")
    return _Parser(split, source_file, settings).run()


# Properties whose broken value is dropped (with a note) rather than costing the event.
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "DTEND": (lambda v: isinstance(dt_value(v), date), "end taken from DURATION or the start"),
    "DURATION": (lambda v: isinstance(dt_value(v), timedelta), "end taken from the start"),
    "RRULE": (lambda v: isinstance(v, vRecur), "loaded as a single event"),
    "RDATE": (
        lambda v: isinstance(v, vDDDLists) and all(isinstance(dt_value(d), (date, tuple)) for d in v.dts),
        "RDATE ignored",
    ),
    "EXDATE": (
        lambda v: isinstance(v, vDDDLists) and all(isinstance(dt_value(d), date) for d in v.dts),
        "EXDATE ignored",
    ),
}


# --------------------------------------------------------------------------- the parser


@dataclass
class _Member:
    index: int  # the N of 'VEVENT N'
    event: icalendar.Event

    @property
    def record(self) -> str:
        return f"VEVENT {self.index}"


class _Parser:
    """One file's run: read the VEVENTs, group them into series by UID, expand, emit rows."""

    def __init__(self, split: Split, source_file: str, settings: Settings) -> None:
        self.split = split
        self.source_file = source_file
        self.business = settings.tz
        self.result = ParseResult(parser=PARSER)
        self._noted: set[tuple[str, str]] = set()
        self.loaded: set[int] = set()  # VEVENTs that produced rows
        self.rejected: set[int] = set()  # VEVENTs quarantined outright
        self.why_no_rows: dict[int, str] = {}
        self.statics: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        vtimezones: dict[str, list[str]] = {}
        for block in split.blocks:
            if block.kind == "VTIMEZONE":
                tzid = next((v for n, v in map(name_of, block.lines) if n == "TZID"), None)
                if tzid is not None:
                    vtimezones.setdefault(tzid.strip('"').strip(), block.lines)
        self.zones = Zones(vtimezones, self.business)
        self.calendar_zones = {cal: self._calendar_zone(cal, lines) for cal, lines in split.headers.items()}

    def note(self, record: str, reason: str) -> None:
        if (record, reason) not in self._noted:
            self._noted.add((record, reason))
            self.result.reject(record, reason)

    def reject(self, index: int, reason: str) -> None:
        self.rejected.add(index)
        self.note(f"VEVENT {index}", reason)

    def utc(self, value: date | datetime) -> datetime:
        """UTC of a value; a date means local midnight in the business time zone."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0), self.business)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.business)
        return value.astimezone(UTC)

    def _calendar_zone(self, cal: int, lines: list[str]) -> tzinfo | None:
        """X-WR-TIMEZONE (Google, Apple): the zone of the calendar's UTC and floating times."""
        for line in lines:
            if name_of(line)[0] != "X-WR-TIMEZONE":
                continue
            try:
                value = str(Contentline(line).parts()[2]).strip()
            except Exception:
                value = name_of(line)[1]
            if tz := known_zone(value):
                return tz
            self.note(f"VCALENDAR {cal + 1}", f"X-WR-TIMEZONE {value!r} is unknown: ignored")
        return None

    def run(self) -> ParseResult:
        counts: dict[str, int] = {}
        members: list[_Member] = []
        for block in self.split.blocks:
            counts[block.kind] = counts.get(block.kind, 0) + 1
            if block.kind == "VEVENT":
                member = self._read(counts["VEVENT"], block)
                if member is not None:
                    members.append(member)
            elif block.kind != "VTIMEZONE":
                self.note(f"{block.kind} {counts[block.kind]}", f"{block.kind} is not an event")
        if not counts.get("VEVENT") and not self.result.quarantined:
            self.note("VCALENDAR", "the calendar holds no VEVENT")
        if members:
            self._expand_all(members)
        for index in range(1, counts.get("VEVENT", 0) + 1):
            if index not in self.loaded and index not in self.rejected:
                self.note(f"VEVENT {index}", self.why_no_rows.get(index, "produced no occurrence"))
        return self.result

    # -- one VEVENT: parse, check, give every time an explicit zone

    def _read(self, index: int, block: Block) -> _Member | None:
        try:
            event = icalendar.Event.from_ical("\r\n".join(block.lines))
            if not isinstance(event, icalendar.Event):
                raise ValueError(f"not a VEVENT but a {event.name}")
            if "DTSTART" not in event:  # a DTSTART line icalendar could not even split
                raw = next((line for line in block.lines if name_of(line)[0] == "DTSTART"), None)
                self._load_without_start(index, event, f"unparseable DTSTART: {raw}" if raw else "missing DTSTART")
                return None
            member = _Member(index, event)
            return member if self._prepare(member, self.calendar_zones.get(block.calendar)) else None
        except Exception as exc:  # a malformed value nobody foresaw: this event only
            self.reject(index, f"unreadable VEVENT ({type(exc).__name__}): {exc}")
            return None

    def _load_without_start(self, index: int, event: icalendar.Event, reason: str) -> None:
        """An event without a usable start: no standard can use it, yet it stays visible
        (STANDARDS.md: nothing disappears silently): one row without start or occurrence key in
        raw_calendar_events (with its attendees), and the reason in quarantine."""
        self.reject(index, reason)
        try:
            member = _Member(index, event)
            uid = text_value(event, "UID") or f"{self.source_file}#{member.record}"
            static, people = self._static(member)
        except Exception:  # an event that cannot even be described stays in quarantine only
            return
        self.result.add(
            EVENTS,
            {
                "event_uid": uid,
                "occurrence_key": "",
                "start_at": None,
                "end_at": None,
                "is_all_day": False,
                "is_recurring": any(name in event for name in ("RRULE", "RDATE")),
                "is_override": "RECURRENCE-ID" in event,
                **static,
            },
        )
        for person in people:
            self.result.add(ATTENDEES, {"event_uid": uid, "occurrence_key": "", **person})

    def _prepare(self, member: _Member, calendar_zone: tzinfo | None) -> bool:
        event = member.event
        start = all_values(event, "DTSTART")[0]
        if not isinstance(dt_value(start), date):
            raw = str(start) if isinstance(start, vBroken) else start.to_ical().decode(errors="replace")
            self._load_without_start(member.index, event, f"unparseable DTSTART: {raw}")
            return False
        if not _MIN_YEAR <= start.dt.year <= _MAX_YEAR:
            self._load_without_start(
                member.index, event, f"DTSTART outside the years {_MIN_YEAR}-{_MAX_YEAR}: {start.dt}"
            )
            return False
        event["DTSTART"] = start
        rids = all_values(event, "RECURRENCE-ID")
        if rids and not isinstance(dt_value(rids[0]), date):
            self.reject(member.index, f"unparseable RECURRENCE-ID: {rids[0]}")
            return False
        if rids:
            event["RECURRENCE-ID"] = rids[0]
        for name, (valid, consequence) in _CHECKS.items():
            values = all_values(event, name)
            if values and not all(valid(v) for v in values):
                del event[name]
                self.note(member.record, f"unparseable {name}: {consequence}")
        if ends := all_values(event, "DTEND"):
            event["DTEND"] = ends[0]
        sequence = all_values(event, "SEQUENCE")
        if sequence:
            event["SEQUENCE"] = sequence[0]
            if not isinstance(sequence[0], int):
                del event["SEQUENCE"]
        self._localize(member, calendar_zone)
        return True

    def _localize(self, member: _Member, calendar_zone: tzinfo | None) -> None:
        """Give every DTSTART/DTEND/RECURRENCE-ID/RDATE/EXDATE an explicit zone: a TZID through
        Zones (the wall-clock time as written, in that zone); UTC and floating times through
        X-WR-TIMEZONE when the calendar has one (x-wr-timezone's rule); floating otherwise in
        the business time zone."""
        event = member.event
        walker = x_wr_timezone.UTCChangingWalker(calendar_zone) if calendar_zone else None

        def fix(value: Any, tzid: str | None) -> Any:
            if isinstance(value, tuple):  # an RDATE period: (start, end or duration)
                return tuple(fix(v, tzid) for v in value)
            if not isinstance(value, datetime):
                return value
            if tzid:
                tz, note = self.zones.get(tzid)
                if note:
                    self.note(member.record, note)
                return value.replace(tzinfo=tz)
            if walker is not None:
                value = walker.walk_value_datetime(value)
            return value.replace(tzinfo=self.business) if value.tzinfo is None else value

        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if (prop := event.get(name)) is not None:
                prop.dt = fix(prop.dt, param(prop, "TZID"))
        for name in ("RDATE", "EXDATE"):
            for prop in all_values(event, name):
                tzid = param(prop, "TZID")
                for item in prop.dts:
                    item.dt = fix(item.dt, tzid or param(item, "TZID"))
        dtstart = event["DTSTART"]
        if not isinstance(dtstart, icalendar.vDDDTypes):
            raise ValueError(f"DTSTART is not a date or time: {dtstart!r}")
        start = dtstart.dt
        if isinstance(start, datetime):
            for rule in all_values(event, "RRULE"):
                until = (rule.get("UNTIL") or [None])[0]
                if isinstance(until, datetime) and until.tzinfo is None:
                    rule["UNTIL"] = [until.replace(tzinfo=start.tzinfo).astimezone(UTC)]
                elif isinstance(until, date) and not isinstance(until, datetime):
                    # A date UNTIL on a timed series: that whole day counts.
                    rule["UNTIL"] = [datetime.combine(until, time(23, 59, 59), start.tzinfo).astimezone(UTC)]

    # -- expansion

    def _times(self, event: icalendar.Event, names: tuple[str, ...]) -> list[datetime]:
        """UTC of the named properties' values (RDATE periods: their starts; RRULE: UNTIL)."""
        values: list[Any] = []
        for name in names:
            for prop in all_values(event, name):
                if name == "RRULE":
                    values.extend(prop.get("UNTIL", []))
                elif name == "RDATE":
                    values.extend(dt_start(item) for item in prop.dts)
                else:
                    values.append(dt_start(prop))
        return [self.utc(v) for v in values if isinstance(v, date) and _MIN_YEAR <= v.year <= _MAX_YEAR]

    def _expand_all(self, members: list[_Member]) -> None:
        stamps = ("DTSTAMP", "LAST-MODIFIED", "CREATED", "DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "RRULE")
        latest = max(t for m in members for t in self._times(m.event, stamps))
        horizon = latest + timedelta(days=HORIZON_DAYS)
        groups: dict[str, list[_Member]] = {}
        for member in members:
            uid = text_value(member.event, "UID") or f"{self.source_file}#{member.record}"
            groups.setdefault(uid, []).append(member)
        for uid, group in groups.items():
            try:
                self._expand(uid, group, horizon)
            except Exception as exc:  # one series must not cost the file
                for member in group:
                    if member.index not in self.loaded:
                        self.reject(member.index, f"recurrence could not be expanded ({type(exc).__name__}): {exc}")

    def _expand(self, uid: str, group: list[_Member], horizon: datetime) -> None:
        if len(group) == 1 and not any(n in group[0].event for n in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")):
            # A single event (most of a calendar): what recurring-ical-events would give, cheaper.
            occ = ComponentOccurrence(ComponentAdapter(group[0].event))
            self._emit(uid, self._key(occ.start), occ, group[0], is_recurring=False, is_override=False)
            return
        by_component = {id(m.event): m for m in group}
        # On equal SEQUENCE recurring-ical-events keeps the first component it meets; put the
        # latest DTSTAMP first so that the newest version wins (RFC 5546 ordering).
        group = sorted(
            group, key=lambda m: -max((t.timestamp() for t in self._times(m.event, ("DTSTAMP",))), default=-1e18)
        )
        start = min(t for m in group for t in self._times(m.event, ("DTSTART", "RECURRENCE-ID", "RDATE")))
        start -= timedelta(days=1)
        try:
            series = ComponentSeries([ComponentAdapter(m.event) for m in group])
            occurrences, truncated = expand(series, start, horizon, self.utc)
        except Exception as exc:
            rules = ("RRULE", "RDATE", "EXDATE")
            if not any(name in m.event for m in group for name in rules):
                raise
            for member in group:  # load what the rules cannot break: the events as written
                if any(name in member.event for name in rules):
                    for name in rules:
                        member.event.pop(name, None)
                    problem = f"{type(exc).__name__}: {exc}"
                    self.note(member.record, f"recurrence unusable ({problem}): loaded as a single event")
            series = ComponentSeries([ComponentAdapter(m.event) for m in group])
            occurrences, truncated = expand(series, start, horizon, self.utc)
        core = series.recurrence.core if series.recurrence.has_core else None
        if truncated and core is not None:
            self.note(by_component[id(core.component)].record, f"series truncated at {MAX_OCCURRENCES} occurrences")
        has_rules = core is not None and any(n in core.component for n in ("RRULE", "RDATE"))
        seen: set[str] = set()
        for occ in occurrences:
            adapter = occ.adapter
            member = by_component[id(adapter.component)]
            rid = adapter.component.get("RECURRENCE-ID")
            if rid is None:
                scheduled = occ.start
            elif adapter.this_and_future:  # an occurrence moved along by a THISANDFUTURE override
                scheduled = occ.start - adapter.move_recurrences_by
            else:
                scheduled = rid.dt
            key = self._key(scheduled)
            if key in seen:
                self.note(member.record, f"occurrence {key} generated twice: kept once")
                continue
            seen.add(key)
            self._emit(uid, key, occ, member, is_recurring=has_rules or rid is not None, is_override=rid is not None)
        used = {id(a.component) for a in series.components}
        overrides_loaded = any(m.index in self.loaded and "RECURRENCE-ID" in m.event for m in group)
        for member in group:
            if id(member.event) not in used:
                reason = "superseded by a VEVENT with the same UID (and RECURRENCE-ID) and a higher SEQUENCE"
            elif "RECURRENCE-ID" in member.event:
                reason = (
                    "override of an occurrence the series does not have "
                    "(removed by EXDATE, or past the horizon or the cap)"
                )
            elif overrides_loaded:
                reason = "every occurrence of the series is replaced by a RECURRENCE-ID override (loaded from those)"
            else:
                reason = (
                    f"the series has no occurrence up to the horizon {horizon:%Y-%m-%d} "
                    "(UNTIL before DTSTART, or every occurrence removed by EXDATE)"
                )
            self.why_no_rows[member.index] = reason

    def _key(self, value: date | datetime) -> str:
        if not isinstance(value, datetime):
            return value.isoformat()
        return self.utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- rows

    def _static(self, member: _Member) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The per-component part of the rows, computed once however many occurrences it has."""
        if member.index in self.statics:
            return self.statics[member.index]
        event = member.event

        def stamp(name: str) -> datetime | None:
            times = self._times(event, (name,))
            return times[0] if times else None

        organizers = all_values(event, "ORGANIZER")
        organizer = organizers[0] if organizers else None
        sequence = event.get("SEQUENCE")
        static = {
            "summary": text_value(event, "SUMMARY"),
            "status": upper(text_value(event, "STATUS")),
            "organizer_email": cal_address(organizer) if organizer is not None else None,
            "organizer_name": param(organizer, "CN"),
            "location": text_value(event, "LOCATION"),
            "description": text_value(event, "DESCRIPTION"),
            "online_meeting_id": find_online_meeting_id(*(text_value(event, n) for n in MEETING_FIELDS)),
            "created_at": stamp("CREATED"),
            "dtstamp_at": stamp("DTSTAMP"),
            "last_modified_at": stamp("LAST-MODIFIED"),
            "sequence": int(sequence) if isinstance(sequence, int) else None,
            "tzid": param(event.get("DTSTART"), "TZID"),
            "source_file": self.source_file,
            "record": member.record,
        }
        people = [
            {
                "email": cal_address(attendee),
                "name": param(attendee, "CN"),
                "role": upper(param(attendee, "ROLE")),
                "partstat": upper(param(attendee, "PARTSTAT")),
                "cutype": upper(param(attendee, "CUTYPE")),
                "source_file": self.source_file,
                "record": member.record,
            }
            for attendee in all_values(event, "ATTENDEE")
        ]
        self.statics[member.index] = (static, people)
        return static, people

    def _emit(
        self, uid: str, key: str, occ: ComponentOccurrence, member: _Member, *, is_recurring: bool, is_override: bool
    ) -> None:
        static, people = self._static(member)
        start_at, end_at = self.utc(occ.start), self.utc(occ.end)
        self.result.add(
            EVENTS,
            {
                "event_uid": uid,
                "occurrence_key": key,
                "start_at": start_at,
                "end_at": max(start_at, end_at),
                "is_all_day": not isinstance(occ.start, datetime),
                "is_recurring": is_recurring,
                "is_override": is_override,
                **static,
            },
        )
        for person in people:
            self.result.add(ATTENDEES, {"event_uid": uid, "occurrence_key": key, **person})
        self.loaded.add(member.index)

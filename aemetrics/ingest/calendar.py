"""iCalendar (.ics) exports -> raw_calendar_events (one row per occurrence) and
raw_calendar_attendees (one row per attendee per occurrence).

Google, Outlook/Exchange, Apple, Thunderbird, Lotus and friends all write RFC 5545 with their own
accents, so the file is read leniently: it is split into its components first, and each VEVENT is
parsed by `icalendar` on its own, so that one broken event is quarantined while the others load.
Recurrences are expanded by `recurring-ical-events` (RRULE, RDATE, EXDATE, RECURRENCE-ID) over a
deterministic window, after every time has been given an explicit zone here (see `_Zones` and
docs/formats.md#calendar for the rules).
"""
from __future__ import annotations

import re
import warnings
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

import icalendar
import x_wr_timezone
from icalendar.parser import Contentline
from icalendar.prop import vBroken, vDDDLists, vDDDTypes
from recurring_ical_events import EventAdapter, Occurrence, Series

from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.windows_zones import iana_for_windows
from aemetrics.config import Settings

PARSER = "ics"
EVENTS = "raw_calendar_events"
ATTENDEES = "raw_calendar_attendees"
MAX_OCCURRENCES = 10_000  # per series; a safety cap, noted in quarantine when hit
HORIZON_DAYS = 400  # recurring series are expanded up to the file's latest timestamp + this
UTC = timezone.utc
# Years outside this range cannot be converted between zones safely (datetime overflows).
_MIN_YEAR, _MAX_YEAR = 2, 9000

# Components that stand directly under VCALENDAR; a new one starting closes an unclosed one.
_TOP_LEVEL = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
_PROPERTY_START = re.compile(r"^[A-Za-z0-9-]+[;:]")


# --------------------------------------------------------------------------- entry point


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """Parse one .ics file. Raises ParseError when the file is not iCalendar at all."""
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{src.rel}: cannot read file: {exc}") from exc
    return parse_bytes(data, src.rel, settings)


def parse_bytes(data: bytes, source_file: str, settings: Settings) -> ParseResult:
    """The parser proper, on the file's bytes (tests and notebooks call it directly)."""
    text = _decode(data, source_file)
    split = _split(_logical_lines(text))
    if not split.seen_begin:
        raise ParseError(f"{source_file}: {_not_ical_reason(text)}")
    return _Parser(split, source_file, settings).run()


# --------------------------------------------------------------------------- text -> components


def _decode(data: bytes, source_file: str) -> str:
    if not data.strip():
        raise ParseError(f"{source_file}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"{source_file}: broken UTF-16 text: {exc}") from exc
    if b"\x00" in data:
        raise ParseError(f"{source_file}: binary data (NUL bytes), not iCalendar text")
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Outlook exports may be GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _not_ical_reason(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return f"not iCalendar: looks like HTML/XML (e.g. a login page saved as .ics): {head[:60]!r}"
    return f"not iCalendar: no BEGIN:VCALENDAR or BEGIN:VEVENT line; starts with {head[:60]!r}"


def _logical_lines(text: str) -> list[str]:
    """Unfold content lines, leniently: any line ending (CRLF, LF, CR); a line that does not
    start like a property ('NAME;' or 'NAME:') continues the previous one (bad folding)."""
    out: list[str] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        if raw[:1] in (" ", "\t"):
            if out:
                out[-1] += raw[1:]
            continue
        if not raw.strip():
            continue
        if out and not _PROPERTY_START.match(raw):
            out[-1] += raw
            continue
        out.append(raw)
    return out


@dataclass
class _Block:
    kind: str  # VEVENT, VTODO, VTIMEZONE, X-CUSTOM, ...
    lines: list[str]
    calendar: int  # index of the VCALENDAR it sits in (bare components: their own)


@dataclass
class _Split:
    blocks: list[_Block] = field(default_factory=list)
    headers: dict[int, list[str]] = field(default_factory=dict)  # calendar -> property lines
    seen_begin: bool = False


def _name_of(line: str) -> tuple[str, str]:
    """(upper-case property name, value after the first colon) of a content line."""
    head, _, value = line.partition(":")
    return head.split(";", 1)[0].strip().upper(), value.strip()


def _split(lines: list[str]) -> _Split:
    """Cut the lines into the components that stand under VCALENDAR, tolerating missing or
    stray END lines. Nested components of a VEVENT (VALARM) are dropped: nothing here uses them,
    and broken alarms must not cost the event."""
    out = _Split()
    calendar = -1
    in_calendar = False
    cur: list[str] | None = None
    stack: list[str] = []

    def close() -> None:
        nonlocal cur
        if cur is not None:
            for name in reversed(stack):
                if name == stack[0] or stack[0] != "VEVENT":
                    cur.append(f"END:{name}")
            out.blocks.append(_Block(stack[0], cur, calendar))
        cur = None
        stack.clear()

    for line in lines:
        name, value = _name_of(line)
        if name == "BEGIN":
            comp = value.upper()
            out.seen_begin = out.seen_begin or comp in ("VCALENDAR", "VEVENT")
            if comp == "VCALENDAR":
                close()
                calendar += 1
                in_calendar = True
                out.headers[calendar] = []
                continue
            if cur is None or comp in _TOP_LEVEL:
                close()
                if not in_calendar:
                    calendar += 1
                cur, stack[:] = [f"BEGIN:{comp}"], [comp]
                continue
            stack.append(comp)
            if stack[0] != "VEVENT":
                cur.append(f"BEGIN:{comp}")
        elif name == "END":
            comp = value.upper()
            if cur is not None and comp in stack:
                while stack and stack[-1] != comp:
                    stack.pop()
                    if stack[0] != "VEVENT":
                        cur.append(f"END:{stack[-1] if False else comp}")
                if len(stack) == 1:
                    close()
                else:
                    stack.pop()
                    if stack[0] != "VEVENT":
                        cur.append(f"END:{comp}")
            elif comp == "VCALENDAR":
                close()
                in_calendar = False
        elif cur is not None:
            if len(stack) == 1 or stack[0] != "VEVENT":
                cur.append(line)
        elif in_calendar:
            out.headers[calendar].append(line)
    close()
    return out


# --------------------------------------------------------------------------- time zones


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {k.lower(): k for k in zoneinfo.available_timezones()}


def _zoneinfo(key: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(key)
    except Exception:  # unknown key, bad characters, a directory name...: not a zone
        return None


def known_zone(tzid: str) -> tzinfo | None:
    """The zone a TZID names without looking at the file: an IANA id, a Windows name
    ('China Standard Time'), or a vendor-prefixed IANA id ('/mozilla.org/20050126_1/America/New_York')."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    tz = _zoneinfo(name)
    if tz is None and (win := iana_for_windows(name)):
        tz = _zoneinfo(win)
    if tz is None and "/" in name:
        parts = [p for p in name.split("/") if p]
        for i in range(1, len(parts)):
            if tz := _zoneinfo("/".join(parts[i:])):
                break
    return tz


_OFFSET_IN_NAME = re.compile(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?", re.I)


def _guessed_zone(tzid: str) -> tuple[tzinfo, str] | None:
    """Last guesses for an unknown TZID: an IANA id with wrong case or spaces, or an offset
    written in the name ('(UTC+08:00) Beijing, Chongqing, ...')."""
    name = tzid.strip().strip('"').strip()
    for candidate in (name.lower(), name.replace(" ", "_").lower()):
        if key := _iana_by_lower().get(candidate):
            return zoneinfo.ZoneInfo(key), key
    if m := _OFFSET_IN_NAME.search(name):
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours < 24 and minutes < 60:
            delta = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
            return timezone(delta), f"the fixed offset UTC{sign}{hours:02d}:{minutes:02d} in its name"
    return None


class _Zones:
    """Resolves the TZIDs of one file. Known names first (IANA, Windows, vendor-prefixed);
    else the file's VTIMEZONE; else a guess from the name; else the business time zone.
    Each file gets its own resolver, so a custom TZID never borrows another file's definition."""

    def __init__(self, vtimezones: dict[str, list[str]], business: tzinfo) -> None:
        self._blocks = vtimezones
        self._business = business
        self._cache: dict[str, tuple[tzinfo, str | None]] = {}

    def get(self, tzid: str) -> tuple[tzinfo, str | None]:
        """(zone, note) where note says how an unknown TZID was read, else None."""
        if tzid not in self._cache:
            self._cache[tzid] = self._resolve(tzid)
        return self._cache[tzid]

    def _resolve(self, tzid: str) -> tuple[tzinfo, str | None]:
        if tz := known_zone(tzid):
            return tz, None
        key = tzid.strip().strip('"').strip()
        problem = "not defined in the file"
        if key in self._blocks:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    component = icalendar.Timezone.from_ical("\r\n".join(self._blocks[key]))
                    tz = component.to_tz(lookup_tzid=False)
                    tz.utcoffset(datetime(2020, 1, 1))  # fails now rather than mid-expansion
                return tz, None
            except Exception as exc:
                problem = f"its VTIMEZONE is unreadable ({exc})"
        if guess := _guessed_zone(key):
            return guess[0], f"TZID {tzid!r} is unknown and {problem}: times read in {guess[1]}"
        return self._business, f"TZID {tzid!r} is unknown and {problem}: times read in the business time zone {self._business}"


# --------------------------------------------------------------------------- recurrence


class _Adapter(EventAdapter):
    """recurring-ical-events' VEVENT adapter, giving back the component an occurrence came from."""

    @property
    def component(self) -> icalendar.Event:
        return self._component


class _Occurrence(Occurrence):
    @property
    def adapter(self) -> _Adapter:
        return self._adapter


class _Series(Series):
    def occurrence(self, adapter, start=None, end=None) -> _Occurrence:
        return _Occurrence(adapter, start, end, sequence=self.sequence)


_PERIOD_DAYS = {"SECONDLY": 1 / 86400, "MINUTELY": 1 / 1440, "HOURLY": 1 / 24, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}


def _rate_per_day(rrule: Any) -> float:
    """A generous estimate of a rule's occurrences per day, to size the first expansion window
    (so an unbounded SECONDLY rule is never enumerated over years)."""
    try:
        freq = str(rrule.get("FREQ", ["DAILY"])[0]).upper()
        interval = max(1, int(rrule.get("INTERVAL", [1])[0]))
        per_period = 1
        for key in ("BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS"):
            per_period *= max(1, len(rrule.get(key, [])))
        days = rrule.get("BYDAY", [])
        per_period *= max(1, len(days)) * {"MONTHLY": 5, "YEARLY": 53}.get(freq, 1)
        return per_period / (_PERIOD_DAYS.get(freq, 1) * interval)
    except Exception:
        return 1.0


# --------------------------------------------------------------------------- values


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(component: icalendar.Component, name: str) -> str | None:
    value = _first(component.get(name))
    if value is None or isinstance(value, vBroken):
        return None if value is None else str(value)
    if isinstance(value, list):
        return None
    text = str(value).strip()
    return text or None


def _param(value: Any, name: str) -> str | None:
    params = getattr(value, "params", None)
    if not params:
        return None
    raw = params.get(name)
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        raw = ", ".join(str(v) for v in raw)
    raw = str(raw).strip().strip('"').strip()
    return raw or None


def _address(value: Any) -> str | None:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower() or None


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


_ZOOM_URL = re.compile(r"zoom(?:gov)?\.(?:us|com\.cn|com)/(?:j|w|s|wc(?:/join)?)/(\d{9,11})(?!\d)", re.I)
_ZOOM_CONFNO = re.compile(r"zoom\w*://[^\s]*?confno=(\d{9,11})(?!\d)", re.I)
_TEAMS_URL = re.compile(r"teams\.(?:microsoft|live)\.com/meet/(\d{9,15})(?!\d)", re.I)
_LABELLED_ID = re.compile(
    r"(?:meeting\s*(?:id|number|no\.?)|webinar\s*id|会议\s*(?:号码?|id|编号)|腾讯会议(?:号)?)"
    r"(?:\s*[(（][^)）\n]{0,30}[)）])?\s*[:：#]?\s*"
    r"(\d(?:[ \u00a0\u3000-]?\d){8,13})(?!\d)",
    re.I,
)


def find_online_meeting_id(*texts: str | None) -> str | None:
    """Digits of the first Zoom/Teams/Webex/Tencent meeting id in the texts, in order: a join
    link ('zoom.us/j/81234567890?pwd=..') or a labelled number ('Meeting ID: 812 3456 7890',
    '会议号：812 3456 7890', Teams 'Meeting ID: 123 456 789 012')."""
    for text in texts:
        if not text:
            continue
        for pattern in (_ZOOM_URL, _ZOOM_CONFNO, _TEAMS_URL, _LABELLED_ID):
            if m := pattern.search(text):
                return re.sub(r"\D", "", m.group(1))
    return None


_MEETING_FIELDS = (
    "LOCATION",
    "URL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "CONFERENCE",
    "X-GOOGLE-CONFERENCE",
    "DESCRIPTION",
    "X-ALT-DESC",
)


# --------------------------------------------------------------------------- the parser


@dataclass
class _Member:
    index: int  # N of 'VEVENT N'
    event: icalendar.Event

    @property
    def record(self) -> str:
        return f"VEVENT {self.index}"


class _Parser:
    def __init__(self, split: _Split, source_file: str, settings: Settings) -> None:
        self.split = split
        self.source_file = source_file
        self.business = settings.tz
        self.result = ParseResult(parser=PARSER)
        self.loaded: set[int] = set()  # VEVENT indexes that produced rows
        self.rejected: set[int] = set()  # VEVENT indexes quarantined outright
        vtimezones: dict[str, list[str]] = {}
        for block in split.blocks:
            if block.kind == "VTIMEZONE":
                for line in block.lines:
                    name, value = _name_of(line)
                    if name == "TZID":
                        vtimezones.setdefault(value.strip('"').strip(), block.lines)
                        break
        self.zones = _Zones(vtimezones, self.business)
        self.floating = {cal: self._calendar_zone(cal, lines) for cal, lines in split.headers.items()}

    # -- helpers

    def note(self, record: str, reason: str) -> None:
        if (record, reason) not in self.result.quarantined:
            self.result.reject(record, reason)

    def reject(self, member: _Member, reason: str) -> None:
        self.rejected.add(member.index)
        self.result.reject(member.record, reason)

    def _calendar_zone(self, cal: int, lines: list[str]) -> tzinfo | None:
        """X-WR-TIMEZONE (Google, Apple): the zone of the calendar's UTC and floating times."""
        for line in lines:
            if _name_of(line)[0] != "X-WR-TIMEZONE":
                continue
            try:
                value = str(Contentline(line).parts()[2]).strip()
            except Exception:
                value = _name_of(line)[1]
            if tz := known_zone(value):
                return tz
            self.note(f"VCALENDAR {cal + 1}", f"X-WR-TIMEZONE {value!r} is unknown: ignored")
        return None

    def utc(self, value: date | datetime) -> datetime:
        """UTC of a value: dates at local midnight of the business zone, floating in it too."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0), self.business)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.business)
        return value.astimezone(UTC)

    # -- run

    def run(self) -> ParseResult:
        counts: dict[str, int] = {}
        members: list[_Member] = []
        for block in self.split.blocks:
            counts[block.kind] = counts.get(block.kind, 0) + 1
            if block.kind == "VTIMEZONE":
                continue
            if block.kind != "VEVENT":
                self.result.reject(f"{block.kind} {counts[block.kind]}", f"{block.kind} is not an event")
                continue
            member = self._read(counts["VEVENT"], block)
            if member is not None:
                members.append(member)
        if not counts.get("VEVENT") and not self.result.quarantined:
            self.result.reject("VCALENDAR", "the calendar holds no VEVENT")
        if members:
            self._expand_all(members)
        for index in range(1, counts.get("VEVENT", 0) + 1):
            if index not in self.loaded and index not in self.rejected:
                self.result.reject(f"VEVENT {index}", self._why_no_rows.get(index, "produced no occurrence"))
        return self.result

    # -- one VEVENT: parse, check, give every time an explicit zone

    def _read(self, index: int, block: _Block) -> _Member | None:
        member = _Member(index, None)  # type: ignore[arg-type]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                event = icalendar.Event.from_ical("\r\n".join(block.lines))
        except Exception as exc:
            self.reject(member, f"unreadable VEVENT: {exc}")
            return None
        member.event = event
        try:
            return self._prepare(member, self.floating.get(block.calendar))
        except Exception as exc:  # a malformed value we did not foresee: this event only
            self.reject(member, f"unreadable VEVENT ({type(exc).__name__}): {exc}")
            return None

    def _prepare(self, member: _Member, calendar_zone: tzinfo | None) -> _Member | None:
        event = member.event
        start = _first(event.get("DTSTART"))
        if start is None:
            self.reject(member, "missing DTSTART")
            return None
        if isinstance(start, vBroken) or not isinstance(getattr(start, "dt", None), date):
            raw = str(start) if isinstance(start, vBroken) else start.to_ical().decode(errors="replace")
            self.reject(member, f"unparseable DTSTART: {raw}")
            return None
        if not _MIN_YEAR <= start.dt.year <= _MAX_YEAR:
            self.reject(member, f"DTSTART out of the supported years {_MIN_YEAR}-{_MAX_YEAR}: {start.dt}")
            return None
        event["DTSTART"] = start
        rid = event.get("RECURRENCE-ID")
        if rid is not None and (isinstance(_first(rid), vBroken) or not isinstance(getattr(_first(rid), "dt", None), date)):
            self.reject(member, f"unparseable RECURRENCE-ID: {_first(rid)}")
            return None
        for name, consequence in (
            ("DTEND", "end taken from DURATION or start"),
            ("DURATION", "end taken from start"),
            ("RRULE", "loaded as a single event"),
            ("RDATE", "RDATE ignored"),
            ("EXDATE", "EXDATE ignored"),
        ):
            values = event.get(name)
            listed = values if isinstance(values, list) else [values]
            if values is not None and any(isinstance(v, vBroken) or not hasattr(v, "dt" if name not in ("RRULE", "RDATE", "EXDATE") else "params") for v in listed):
                del event[name]
                self.note(member.record, f"unparseable {name}: {consequence}")
        for name in ("DTEND", "RECURRENCE-ID"):
            if isinstance(event.get(name), list):
                event[name] = event[name][0]
        sequence = event.get("SEQUENCE")
        if sequence is not None and not isinstance(_first(sequence), int):
            del event["SEQUENCE"]
        elif isinstance(sequence, list):
            event["SEQUENCE"] = sequence[0]
        self._localize(member, calendar_zone)
        return member

    def _localize(self, member: _Member, calendar_zone: tzinfo | None) -> None:
        """Give every DTSTART/DTEND/RECURRENCE-ID/RDATE/EXDATE an explicit zone: TZID via _Zones,
        UTC and floating via X-WR-TIMEZONE (x-wr-timezone's rule) else floating in the business zone."""
        event = member.event
        walker = x_wr_timezone.UTCChangingWalker(calendar_zone) if calendar_zone else None

        def fix(value: Any, tzid: str | None) -> Any:
            if isinstance(value, tuple):  # an RDATE period (start, end or duration)
                return tuple(fix(v, tzid) for v in value)
            if not isinstance(value, datetime):
                return value
            if tzid:
                tz, note = self.zones.get(tzid)
                if note:
                    self.note(member.record, note)
                return value.replace(tzinfo=tz)  # the wall-clock time as written, in that zone
            if walker is not None:
                value = walker.walk_value_datetime(value)
            return value.replace(tzinfo=self.business) if value.tzinfo is None else value

        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = event.get(name)
            if isinstance(prop, vDDDTypes):
                prop.dt = fix(prop.dt, _param(prop, "TZID"))
        for name in ("RDATE", "EXDATE"):
            props = event.get(name)
            for prop in props if isinstance(props, list) else [props] if props is not None else []:
                if isinstance(prop, vDDDLists):
                    tzid = _param(prop, "TZID")
                    for item in prop.dts:
                        item.dt = fix(item.dt, tzid or _param(item, "TZID"))
        start = event["DTSTART"].dt
        rules = event.get("RRULE")
        if isinstance(start, datetime):
            for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
                until = _first(rule.get("UNTIL")) if hasattr(rule, "get") else None
                if isinstance(until, datetime) and until.tzinfo is None:
                    rule["UNTIL"] = [until.replace(tzinfo=start.tzinfo).astimezone(UTC)]
                elif isinstance(until, date) and not isinstance(until, datetime):
                    # A date UNTIL on a timed series: the whole of that day counts.
                    rule["UNTIL"] = [datetime.combine(until, time(23, 59, 59), start.tzinfo).astimezone(UTC)]

    # -- expansion

    def _timestamps(self, member: _Member) -> list[datetime]:
        """Timestamps that bound the expansion horizon (see docs/formats.md#calendar)."""
        event = member.event
        values: list[Any] = []
        for name in ("DTSTAMP", "LAST-MODIFIED", "CREATED", "DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = _first(event.get(name))
            if prop is not None and hasattr(prop, "dt"):
                values.append(prop.dt)
        for name in ("RDATE",):
            props = event.get(name)
            for prop in props if isinstance(props, list) else [props] if props is not None else []:
                values.extend(_first(list(d.dt)) if isinstance(d.dt, tuple) else d.dt for d in getattr(prop, "dts", []))
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            if hasattr(rule, "get") and (until := _first(rule.get("UNTIL"))) is not None:
                values.append(until)
        out = []
        for value in values:
            if isinstance(value, date) and _MIN_YEAR <= value.year <= _MAX_YEAR:
                out.append(self.utc(value))
        return out

    def _expand_all(self, members: list[_Member]) -> None:
        latest = max((t for m in members for t in self._timestamps(m)), default=None)
        horizon = (latest or datetime.now(UTC)) + timedelta(days=HORIZON_DAYS)
        self._why_no_rows: dict[int, str] = {}
        groups: dict[str, list[_Member]] = {}
        for member in members:
            uid = _text(member.event, "UID") or f"{self.source_file}#{member.record}"
            groups.setdefault(uid, []).append(member)
        self._statics: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for uid, group in groups.items():
            try:
                self._expand(uid, group, horizon)
            except Exception as exc:  # one series must not cost the file
                for member in group:
                    if member.index not in self.loaded:
                        self.reject(member, f"recurrence could not be expanded ({type(exc).__name__}): {exc}")

    def _series(self, group: list[_Member]) -> tuple[_Series, dict[int, _Member]]:
        adapters = {id(m.event): m for m in group}
        try:
            return _Series([_Adapter(m.event) for m in group]), adapters
        except Exception as exc:
            for member in group:
                event = member.event
                if any(name in event for name in ("RRULE", "RDATE", "EXDATE")):
                    for name in ("RRULE", "RDATE", "EXDATE"):
                        event.pop(name, None)
                    self.note(member.record, f"recurrence rule unusable ({exc}): loaded as a single event")
            return _Series([_Adapter(m.event) for m in group]), adapters

    def _expand(self, uid: str, group: list[_Member], horizon: datetime) -> None:
        series, by_component = self._series(group)
        start = min(t for m in group for t in self._timestamps(m)[3:4] or [self.utc(m.event["DTSTART"].dt)])
        start = min([start] + [self.utc(m.event["RECURRENCE-ID"].dt) for m in group if "RECURRENCE-ID" in m.event])
        start -= timedelta(days=1)
        core = series.recurrence.core if series.recurrence.has_core else None
        core_rules = bool(core and any(n in core.component for n in ("RRULE", "RDATE")))
        occurrences, truncated = self._occurrences(series, core, start, horizon)
        if truncated and core is not None:
            self.note(by_component[id(core.component)].record, f"series truncated at {MAX_OCCURRENCES} occurrences")
        seen: set[str] = set()
        for occ in occurrences:
            adapter = occ.adapter
            member = by_component[id(adapter.component)]
            rid = adapter.component.get("RECURRENCE-ID")
            if rid is None:
                scheduled = occ.start
            elif adapter.this_and_future:
                scheduled = occ.start - adapter.move_recurrences_by
            else:
                scheduled = rid.dt
            key = self._key(scheduled)
            if key in seen:
                self.note(member.record, f"occurrence {key} generated twice: kept once")
                continue
            seen.add(key)
            self._emit(uid, key, occ, member, is_recurring=core_rules or rid is not None, is_override=rid is not None)
        used = {id(a.component) for a in series.components}
        for member in group:
            if member.index in self.loaded:
                continue
            if id(member.event) not in used:
                self._why_no_rows[member.index] = "superseded by another VEVENT with the same UID and RECURRENCE-ID and a higher SEQUENCE"
            elif "RECURRENCE-ID" in member.event:
                self._why_no_rows[member.index] = "override of an occurrence the series does not have (removed by EXDATE, or after the horizon)"
            else:
                self._why_no_rows[member.index] = (
                    f"no occurrence of the series before the horizon {horizon:%Y-%m-%d} "
                    "(all removed by EXDATE or replaced by overrides)"
                )

    def _occurrences(self, series: _Series, core: _Adapter | None, start: datetime, horizon: datetime) -> tuple[list[_Occurrence], bool]:
        """Occurrences from the series start to the horizon, the earliest MAX_OCCURRENCES of them.
        A dense rule is expanded over a growing window so it is never enumerated for years."""
        rules = core.component.get("RRULE") if core is not None else None
        rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
        rate = sum(_rate_per_day(r) for r in rules)
        rdates = len(core.rdates) if core is not None else 0
        span_days = max(1.0, (horizon - start).total_seconds() / 86400)
        if rate * span_days + rdates <= 2 * MAX_OCCURRENCES:
            stop = horizon
        else:
            stop = min(horizon, start + timedelta(days=max(1.0, MAX_OCCURRENCES / max(rate, 1e-9))))
        while True:
            found = list(series.between(start, stop))
            if len(found) > MAX_OCCURRENCES or stop >= horizon:
                break
            stop = min(horizon, start + (stop - start) * 4)
        found.sort(key=lambda o: self.utc(o.start))
        return found[:MAX_OCCURRENCES], len(found) > MAX_OCCURRENCES

    def _key(self, value: date | datetime) -> str:
        if not isinstance(value, datetime):
            return value.isoformat()
        return self.utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- rows

    def _static(self, member: _Member) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The per-component part of its rows, computed once however many occurrences it has."""
        if member.index in self._statics:
            return self._statics[member.index]
        event = member.event
        organizer = _first(event.get("ORGANIZER"))

        def stamp(name: str) -> datetime | None:
            prop = _first(event.get(name))
            value = getattr(prop, "dt", None)
            if isinstance(value, date) and _MIN_YEAR <= value.year <= _MAX_YEAR:
                return self.utc(value)
            return None

        sequence = event.get("SEQUENCE")
        texts = [_text(event, name) for name in _MEETING_FIELDS]
        start_prop = event["DTSTART"]
        static = {
            "summary": _text(event, "SUMMARY"),
            "status": _upper(_text(event, "STATUS")),
            "organizer_email": _address(organizer) if organizer is not None else None,
            "organizer_name": _param(organizer, "CN"),
            "location": _text(event, "LOCATION"),
            "description": _text(event, "DESCRIPTION"),
            "online_meeting_id": find_online_meeting_id(*texts),
            "created_at": stamp("CREATED"),
            "dtstamp_at": stamp("DTSTAMP"),
            "last_modified_at": stamp("LAST-MODIFIED"),
            "sequence": int(sequence) if isinstance(sequence, int) else None,
            "tzid": _param(start_prop, "TZID"),
            "source_file": self.source_file,
            "record": member.record,
        }
        attendees = event.get("ATTENDEE")
        people = []
        for attendee in attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []:
            people.append(
                {
                    "email": _address(attendee),
                    "name": _param(attendee, "CN"),
                    "role": _upper(_param(attendee, "ROLE")),
                    "partstat": _upper(_param(attendee, "PARTSTAT")),
                    "cutype": _upper(_param(attendee, "CUTYPE")),
                    "source_file": self.source_file,
                    "record": member.record,
                }
            )
        self._statics[member.index] = (static, people)
        return static, people

    def _emit(self, uid: str, key: str, occ: _Occurrence, member: _Member, *, is_recurring: bool, is_override: bool) -> None:
        static, people = self._static(member)
        start_at, end_at = self.utc(occ.start), self.utc(occ.end)
        if end_at < start_at:
            end_at = start_at
        self.result.add(
            EVENTS,
            {
                "event_uid": uid,
                "occurrence_key": key,
                "start_at": start_at,
                "end_at": end_at,
                "is_all_day": not isinstance(occ.start, datetime),
                "is_recurring": is_recurring,
                "is_override": is_override,
                **static,
            },
        )
        for person in people:
            self.result.add(ATTENDEES, {"event_uid": uid, "occurrence_key": key, **person})
        self.loaded.add(member.index)


__all__ = ["MAX_OCCURRENCES", "HORIZON_DAYS", "PARSER", "find_online_meeting_id", "known_zone", "parse", "parse_bytes"]

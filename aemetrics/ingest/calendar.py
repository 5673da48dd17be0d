"""iCalendar (.ics) exports -> raw_calendar_events (one row per occurrence) and
raw_calendar_attendees (one row per attendee per occurrence).

Google, Outlook/Exchange, Apple, Thunderbird and Lotus all write RFC 5545 with their own accents,
so a file is read leniently: it is cut into the components under VCALENDAR first and each VEVENT
is parsed by `icalendar` on its own, so one broken event is quarantined while the others load.
Every time then gets an explicit zone here (`_Zones`), and `recurring-ical-events` expands the
series (RRULE, RDATE, EXDATE, RECURRENCE-ID) over a deterministic window. The rules are in
docs/formats.md#calendar.
"""
from __future__ import annotations

import re
import warnings
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Callable

import icalendar
import x_wr_timezone
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.parser import Contentline
from icalendar.prop import vBroken, vDDDLists, vRecur
from recurring_ical_events import EventAdapter, Occurrence, Series

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.windows_zones import iana_for_windows

# icalendar warns when it strips a vendor prefix from a TZID ('/mozilla.org/.../America/New_York');
# known_zone() makes the same guess on purpose, so the warning is noise in every run's log.
warnings.filterwarnings("ignore", category=GloballyUniqueTZIDGuessed)

PARSER = "ics"
EVENTS = "raw_calendar_events"
ATTENDEES = "raw_calendar_attendees"
MAX_OCCURRENCES = 10_000  # per series: a safety cap, noted in quarantine when hit
HORIZON_DAYS = 400  # series are expanded up to the file's latest timestamp + this
UTC = timezone.utc
# Outside these years a conversion between zones can overflow datetime.
_MIN_YEAR, _MAX_YEAR = 2, 9000

# Components that stand directly under VCALENDAR: one starting closes an unclosed one.
_TOP_LEVEL = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
# 'NAME;...' or 'NAME:...' but not a bare URL ('https://...') in an unescaped description.
_PROPERTY_START = re.compile(r"^[A-Za-z0-9-]+(?:;|:(?!//)|$)")
_BEGIN_END = re.compile(r"^(?:BEGIN|END)\s*:", re.I)


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """Parse one .ics file. Raises ParseError when it is not iCalendar at all."""
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{src.rel}: cannot read file: {exc}") from exc
    return parse_bytes(data, src.rel, settings)


def parse_bytes(data: bytes, source_file: str, settings: Settings) -> ParseResult:
    """The parser proper, on the file's bytes."""
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
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Outlook installs may write GBK
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
    """Unfold content lines leniently: any line ending; a line that does not start like a
    property continues the previous one (exporters that fold without the leading space).
    Nothing is glued onto a BEGIN/END line: that would hide a whole component."""
    out: list[str] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        folded = raw[:1] in (" ", "\t")
        if not folded and not raw.strip():
            continue
        if out and (folded or not _PROPERTY_START.match(raw)) and not _BEGIN_END.match(out[-1]):
            out[-1] += raw[1:] if folded else raw
        elif raw.strip():
            out.append(raw[1:] if folded else raw)
    return out


@dataclass
class _Block:
    kind: str  # VEVENT, VTODO, VTIMEZONE, X-CUSTOM, ...
    lines: list[str]
    calendar: int  # the VCALENDAR it sits in


@dataclass
class _Split:
    blocks: list[_Block] = field(default_factory=list)
    headers: dict[int, list[str]] = field(default_factory=dict)  # calendar -> its property lines
    seen_begin: bool = False


def _name_of(line: str) -> tuple[str, str]:
    """(upper-case name, text after the first colon) of a content line."""
    head, _, value = line.partition(":")
    return head.split(";", 1)[0].strip().upper(), value.strip()


def _split(lines: list[str]) -> _Split:
    """Cut lines into the components under VCALENDAR, tolerating missing and stray END lines.
    A VEVENT keeps only the properties read here: its VALARMs, ATTACHments, CATEGORIES and
    vendor X- properties cannot break it, and the 1.6 MB Google export parses faster."""
    out = _Split()
    calendar, in_calendar = -1, False
    cur: list[str] | None = None
    stack: list[str] = []

    def keep_nested() -> bool:
        return stack[0] != "VEVENT"

    def close() -> None:
        nonlocal cur
        if cur is not None:
            for name in reversed(stack[1:]):
                if keep_nested():
                    cur.append(f"END:{name}")
            cur.append(f"END:{stack[0]}")
            out.blocks.append(_Block(stack[0], cur, calendar))
        cur = None
        stack.clear()

    for line in lines:
        name, value = _name_of(line)
        if name == "BEGIN" and value:
            comp = value.upper()
            out.seen_begin = out.seen_begin or comp == "VCALENDAR" or comp in _TOP_LEVEL
            if comp == "VCALENDAR":
                close()
                calendar, in_calendar = calendar + 1, True
                out.headers[calendar] = []
            elif cur is None or comp in _TOP_LEVEL:
                close()
                if not in_calendar:  # a bare component, outside any VCALENDAR
                    calendar += 1
                cur, stack[:] = [f"BEGIN:{comp}"], [comp]
            else:
                stack.append(comp)
                if keep_nested():
                    cur.append(f"BEGIN:{comp}")
        elif name == "END" and value:
            comp = value.upper()
            if cur is not None and comp in stack:
                while stack[-1] != comp:  # close what was left open inside
                    inner = stack.pop()
                    if keep_nested():
                        cur.append(f"END:{inner}")
                if len(stack) == 1:
                    close()
                else:
                    stack.pop()
                    if keep_nested():
                        cur.append(f"END:{comp}")
            elif comp == "VCALENDAR":
                close()
                in_calendar = False
        elif cur is not None:
            if keep_nested() or (len(stack) == 1 and name in _VEVENT_PROPERTIES):
                cur.append(line)
        elif in_calendar:
            out.headers[calendar].append(line)
    close()
    return out


_VEVENT_PROPERTIES = {
    "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "SEQUENCE",
    "STATUS", "SUMMARY", "ORGANIZER", "ATTENDEE", "CREATED", "DTSTAMP", "LAST-MODIFIED",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK", "CONFERENCE", "LOCATION", "URL", "DESCRIPTION", "X-ALT-DESC",
}  # fmt: skip


# --------------------------------------------------------------------------- time zones


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {k.lower(): k for k in zoneinfo.available_timezones()}


def _zoneinfo(key: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(key)
    except Exception:  # unknown key, bad characters, a folder name...: not a zone
        return None


def known_zone(tzid: str) -> tzinfo | None:
    """The zone a TZID names by itself: an IANA id, a Windows name ('China Standard Time'),
    or a vendor-prefixed IANA id ('/mozilla.org/20050126_1/America/New_York'); quotes ignored."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    tz = _zoneinfo(name)
    if tz is None and (win := iana_for_windows(name)):
        tz = _zoneinfo(win)
    if tz is None and "/" in name:
        parts = [p for p in name.split("/") if p]
        for i in range(len(parts)):
            if tz := _zoneinfo("/".join(parts[i:])):
                break
    return tz


_OFFSET_IN_NAME = re.compile(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?", re.I)


def _guessed_zone(name: str) -> tuple[tzinfo, str] | None:
    """Last guesses for an unknown TZID: an IANA id with the wrong case or spaces, or an
    offset written in the name ('(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi')."""
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
    """Resolves one file's TZIDs: a known name first (IANA, Windows, vendor-prefixed); else the
    file's VTIMEZONE; else a guess from the name; else the business time zone (the last two are
    noted). A resolver per file, so a custom TZID never borrows another file's definition
    (icalendar's own cache of VTIMEZONEs is process-wide)."""

    def __init__(self, vtimezones: dict[str, list[str]], business: tzinfo) -> None:
        self._blocks = vtimezones
        self._business = business
        self._cache: dict[str, tuple[tzinfo, str | None]] = {}

    def get(self, tzid: str) -> tuple[tzinfo, str | None]:
        """(zone, note): the note says how an unknown TZID was read."""
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
                component = icalendar.Timezone.from_ical("\r\n".join(self._blocks[key]))
                tz = component.to_tz(lookup_tzid=False)
                tz.utcoffset(datetime(2020, 1, 1))  # fail here rather than mid-expansion
                return tz, None
            except Exception as exc:
                problem = f"its VTIMEZONE is unreadable ({exc})"
        if guess := _guessed_zone(key):
            return guess[0], f"TZID {tzid!r} is unknown and {problem}: times read in {guess[1]}"
        where = f"the business time zone {self._business}"
        return self._business, f"TZID {tzid!r} is unknown and {problem}: times read in {where}"


# --------------------------------------------------------------------------- recurrence


class _Adapter(EventAdapter):
    """recurring-ical-events' VEVENT adapter that gives back its component."""

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


_PERIOD_DAYS = {
    "SECONDLY": 1 / 86400, "MINUTELY": 1 / 1440, "HOURLY": 1 / 24, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365,
}  # fmt: skip


def _rate_per_day(rule: vRecur) -> float:
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


# --------------------------------------------------------------------------- values


def _all(component: icalendar.Component, name: str) -> list[Any]:
    """Every value of a property (icalendar returns one value, or a list when repeated)."""
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(component: icalendar.Component, name: str) -> str | None:
    values = _all(component, name)
    if not values or isinstance(values[0], list):
        return None
    text = str(values[0]).strip()
    return text or None


def _param(value: Any, name: str) -> str | None:
    params = getattr(value, "params", None)
    raw = params.get(name) if params else None
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        raw = ", ".join(str(v) for v in raw)
    raw = str(raw).strip().strip('"').strip()
    return raw or None


def _address(value: Any) -> str | None:
    text = str(value).strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    return text.strip().lower() or None


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _dt(value: Any) -> Any:
    """The value of a date/time property, or None when it is broken (vBroken raises on .dt)."""
    return None if isinstance(value, vBroken) else getattr(value, "dt", None)


def _dt_of(value: Any) -> Any:
    """The date/datetime of a property value; for an RDATE period, its start."""
    dt = _dt(value)
    return dt[0] if isinstance(dt, tuple) and dt else dt


_ZOOM_URL = re.compile(r"zoom(?:gov)?\.(?:us|com\.cn|com)/(?:j|w|s|wc(?:/join)?)/(\d{9,11})(?!\d)", re.I)
_ZOOM_CONFNO = re.compile(r"zoom\w*://\S*?confno=(\d{9,11})(?!\d)", re.I)
_TEAMS_URL = re.compile(r"teams\.(?:microsoft|live)\.com/meet/(\d{9,15})(?!\d)", re.I)
_LABELLED_ID = re.compile(
    r"(?:meeting\s*(?:id|number|no\.?)|webinar\s*id|会议\s*(?:号码?|id|编号)|腾讯会议(?:号)?)"
    r"(?:\s*[(（][^)）\n]{0,30}[)）])?\s*[:：#]?\s*"
    r"(\d(?:[ \u00a0\u3000-]?\d){8,13})(?!\d)",
    re.I,
)
_MEETING_FIELDS = (
    "LOCATION",
    "URL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "CONFERENCE",
    "DESCRIPTION",
    "X-ALT-DESC",
)


def find_online_meeting_id(*texts: str | None) -> str | None:
    """Digits of the first Zoom/Teams/Webex/Tencent meeting id in the texts, taken in order:
    a join link ('zoom.us/j/81234567890?pwd=..') or a labelled number ('Meeting ID: 812 3456 7890',
    '会议号：812 3456 7890', Teams 'Meeting ID: 123 456 789 012')."""
    for text in texts:
        if not text:
            continue
        for pattern in (_ZOOM_URL, _ZOOM_CONFNO, _TEAMS_URL, _LABELLED_ID):
            if m := pattern.search(text):
                return re.sub(r"\D", "", m.group(1))
    return None


# Properties whose broken value is dropped (with a note) rather than costing the event.
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "DTEND": (lambda v: isinstance(_dt(v), date), "end taken from DURATION or the start"),
    "DURATION": (lambda v: isinstance(_dt(v), timedelta), "end taken from the start"),
    "RRULE": (lambda v: isinstance(v, vRecur), "loaded as a single event"),
    "RDATE": (
        lambda v: isinstance(v, vDDDLists) and all(isinstance(_dt(d), (date, tuple)) for d in v.dts),
        "RDATE ignored",
    ),
    "EXDATE": (lambda v: isinstance(v, vDDDLists) and all(isinstance(_dt(d), date) for d in v.dts), "EXDATE ignored"),
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

    def __init__(self, split: _Split, source_file: str, settings: Settings) -> None:
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
                tzid = next((v for n, v in map(_name_of, block.lines) if n == "TZID"), None)
                if tzid is not None:
                    vtimezones.setdefault(tzid.strip('"').strip(), block.lines)
        self.zones = _Zones(vtimezones, self.business)
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

    def _read(self, index: int, block: _Block) -> _Member | None:
        try:
            event = icalendar.Event.from_ical("\r\n".join(block.lines))
            if "DTSTART" not in event:  # a DTSTART line icalendar could not even split
                raw = next((line for line in block.lines if _name_of(line)[0] == "DTSTART"), None)
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
            uid = _text(event, "UID") or f"{self.source_file}#{member.record}"
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
        start = _all(event, "DTSTART")[0]
        if not isinstance(_dt(start), date):
            raw = str(start) if isinstance(start, vBroken) else start.to_ical().decode(errors="replace")
            self._load_without_start(member.index, event, f"unparseable DTSTART: {raw}")
            return False
        if not _MIN_YEAR <= start.dt.year <= _MAX_YEAR:
            self._load_without_start(member.index, event, f"DTSTART outside the years {_MIN_YEAR}-{_MAX_YEAR}: {start.dt}")
            return False
        event["DTSTART"] = start
        rids = _all(event, "RECURRENCE-ID")
        if rids and not isinstance(_dt(rids[0]), date):
            self.reject(member.index, f"unparseable RECURRENCE-ID: {rids[0]}")
            return False
        if rids:
            event["RECURRENCE-ID"] = rids[0]
        for name, (valid, consequence) in _CHECKS.items():
            values = _all(event, name)
            if values and not all(valid(v) for v in values):
                del event[name]
                self.note(member.record, f"unparseable {name}: {consequence}")
        if ends := _all(event, "DTEND"):
            event["DTEND"] = ends[0]
        sequence = _all(event, "SEQUENCE")
        if sequence:
            event["SEQUENCE"] = sequence[0]
            if not isinstance(sequence[0], int):
                del event["SEQUENCE"]
        self._localize(member, calendar_zone)
        return True

    def _localize(self, member: _Member, calendar_zone: tzinfo | None) -> None:
        """Give every DTSTART/DTEND/RECURRENCE-ID/RDATE/EXDATE an explicit zone: a TZID through
        _Zones (the wall-clock time as written, in that zone); UTC and floating times through
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
                prop.dt = fix(prop.dt, _param(prop, "TZID"))
        for name in ("RDATE", "EXDATE"):
            for prop in _all(event, name):
                tzid = _param(prop, "TZID")
                for item in prop.dts:
                    item.dt = fix(item.dt, tzid or _param(item, "TZID"))
        start = event["DTSTART"].dt
        if isinstance(start, datetime):
            for rule in _all(event, "RRULE"):
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
            for prop in _all(event, name):
                if name == "RRULE":
                    values.extend(prop.get("UNTIL", []))
                elif name == "RDATE":
                    values.extend(_dt_of(item) for item in prop.dts)
                else:
                    values.append(_dt_of(prop))
        return [self.utc(v) for v in values if isinstance(v, date) and _MIN_YEAR <= v.year <= _MAX_YEAR]

    def _expand_all(self, members: list[_Member]) -> None:
        stamps = ("DTSTAMP", "LAST-MODIFIED", "CREATED", "DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "RRULE")
        latest = max(t for m in members for t in self._times(m.event, stamps))
        horizon = latest + timedelta(days=HORIZON_DAYS)
        groups: dict[str, list[_Member]] = {}
        for member in members:
            uid = _text(member.event, "UID") or f"{self.source_file}#{member.record}"
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
            occ = _Occurrence(_Adapter(group[0].event))
            self._emit(uid, self._key(occ.start), occ, group[0], is_recurring=False, is_override=False)
            return
        by_component = {id(m.event): m for m in group}
        # On equal SEQUENCE recurring-ical-events keeps the first component it meets; put the
        # latest DTSTAMP first so that the newest version wins (RFC 5546 ordering).
        group = sorted(group, key=lambda m: -max((t.timestamp() for t in self._times(m.event, ("DTSTAMP",))), default=-1e18))
        start = min(t for m in group for t in self._times(m.event, ("DTSTART", "RECURRENCE-ID", "RDATE")))
        start -= timedelta(days=1)
        try:
            series = _Series([_Adapter(m.event) for m in group])
            occurrences, truncated = self._occurrences(series, start, horizon)
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
            series = _Series([_Adapter(m.event) for m in group])
            occurrences, truncated = self._occurrences(series, start, horizon)
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

    def _occurrences(self, series: _Series, start: datetime, horizon: datetime) -> tuple[list[_Occurrence], bool]:
        """The earliest MAX_OCCURRENCES occurrences from the series start to the horizon, and
        whether there were more. A dense rule is expanded over a growing window instead of
        being enumerated to the horizon."""
        core = series.recurrence.core if series.recurrence.has_core else None
        rate = sum(_rate_per_day(r) for r in _all(core.component, "RRULE")) if core else 0.0
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
        found.sort(key=lambda o: self.utc(o.start))
        return found[:MAX_OCCURRENCES], len(found) > MAX_OCCURRENCES

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

        organizers = _all(event, "ORGANIZER")
        organizer = organizers[0] if organizers else None
        sequence = event.get("SEQUENCE")
        static = {
            "summary": _text(event, "SUMMARY"),
            "status": _upper(_text(event, "STATUS")),
            "organizer_email": _address(organizer) if organizer is not None else None,
            "organizer_name": _param(organizer, "CN"),
            "location": _text(event, "LOCATION"),
            "description": _text(event, "DESCRIPTION"),
            "online_meeting_id": find_online_meeting_id(*(_text(event, n) for n in _MEETING_FIELDS)),
            "created_at": stamp("CREATED"),
            "dtstamp_at": stamp("DTSTAMP"),
            "last_modified_at": stamp("LAST-MODIFIED"),
            "sequence": int(sequence) if isinstance(sequence, int) else None,
            "tzid": _param(event.get("DTSTART"), "TZID"),
            "source_file": self.source_file,
            "record": member.record,
        }
        people = [
            {
                "email": _address(attendee),
                "name": _param(attendee, "CN"),
                "role": _upper(_param(attendee, "ROLE")),
                "partstat": _upper(_param(attendee, "PARTSTAT")),
                "cutype": _upper(_param(attendee, "CUTYPE")),
                "source_file": self.source_file,
                "record": member.record,
            }
            for attendee in _all(event, "ATTENDEE")
        ]
        self.statics[member.index] = (static, people)
        return static, people

    def _emit(
        self, uid: str, key: str, occ: _Occurrence, member: _Member, *, is_recurring: bool, is_override: bool
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


__all__ = ["HORIZON_DAYS", "MAX_OCCURRENCES", "PARSER", "find_online_meeting_id", "known_zone", "parse", "parse_bytes"]

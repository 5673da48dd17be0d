"""Online-meeting attendance reports: Zoom participant reports and Microsoft Teams lists.

Layouts, recognised by their header rows (any language the alias tables know):
- Zoom participants report, plain or with the meeting-summary block on top
  (Meeting ID, Topic, Start Time, ... / blank row / participant table); English or localised.
- Teams classic attendance list: an event log 'Full Name / User Action / Timestamp' whose
  Joined/Left events are paired into sessions per participant.
- Teams attendance report: '1. Summary' key/value lines, '2. Participants' (first join /
  last leave per person) and '3. In-Meeting Activities' (one row per join/leave session).
Neither tool writes a time zone: times are read in settings.attendance_tz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest.addresses import is_email, normalize_email
from aemetrics.ingest.base import ParseError, ParseResult, RowError, SourceFile, utc
from aemetrics.ingest.csvread import Record, read_sheet

TABLE = "raw_attendance"


def norm(name: str) -> str:
    """Header key: NFKC (full-width to ASCII), lower case, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).lower() if ch.isalnum())


# Participant-table columns of Zoom reports, by normalised header (English, Japanese, Chinese).
ZOOM_COLUMNS = {
    "nameoriginalname": "name",
    "name": "name",
    "participant": "name",
    "participantname": "name",
    "名前元の名前": "name",
    "名前": "name",
    "名称原始名称": "name",
    "姓名原始名称": "name",
    "名称": "name",
    "姓名": "name",
    "useremail": "email",
    "email": "email",
    "ユーザーメール": "email",
    "メール": "email",
    "メールアドレス": "email",
    "用户邮箱": "email",
    "用户电子邮件": "email",
    "邮箱": "email",
    "电子邮件": "email",
    "jointime": "join",
    "参加時刻": "join",
    "参加時間": "join",
    "加入时间": "join",
    "入会时间": "join",
    "leavetime": "leave",
    "退出時刻": "leave",
    "退出時間": "leave",
    "离开时间": "leave",
    "退出时间": "leave",
    "durationminutes": "duration",
    "totaldurationminutes": "duration",
    "所要時間分": "duration",
    "持续时间分钟": "duration",
    "时长分钟": "duration",
    "参会时长分钟": "duration",
}
# The meeting-summary block of the full Zoom export ('User Email' there is the host's).
ZOOM_SUMMARY = {
    "meetingid": "meeting_id",
    "webinarid": "meeting_id",
    "id": "meeting_id",
    "ミーティングid": "meeting_id",
    "会议id": "meeting_id",
    "topic": "topic",
    "トピック": "topic",
    "主题": "topic",
    "会议主题": "topic",
    "starttime": "start",
    "開始時刻": "start",
    "開始時間": "start",
    "开始时间": "start",
    "endtime": "end",
    "終了時刻": "end",
    "終了時間": "end",
    "结束时间": "end",
    "useremail": "organizer_email",
    "hostemail": "organizer_email",
    "email": "organizer_email",
    "ユーザーメール": "organizer_email",
    "用户邮箱": "organizer_email",
}
TEAMS_COLUMNS = {
    "name": "name",
    "fullname": "name",
    "firstjoin": "join",
    "jointime": "join",
    "lastleave": "leave",
    "leavetime": "leave",
    "inmeetingduration": "duration",
    "duration": "duration",
    "email": "email",
    "participantidupn": "upn",
    "role": "role",
}
TEAMS_SUMMARY = {
    "meetingtitle": "topic",
    "title": "topic",
    "starttime": "start",
    "meetingstarttime": "start",
    "endtime": "end",
    "meetingendtime": "end",
    "meetingid": "meeting_id",
}
TEAMS_JOIN, TEAMS_LEAVE = {"joined", "joined before"}, {"left"}


# --- local times -------------------------------------------------------------------------

_LOCAL = re.compile(
    r"^(\d{1,4})([/.-])(\d{1,2})[/.-](\d{1,4})(?:,\s*|\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"\s*([AaPp])?\.?(?:[Mm]\.?)?$"
)


def _parts(value: str) -> re.Match[str] | None:
    return _LOCAL.match(value.strip())


def infer_dayfirst(values: list[str], default: bool) -> bool:
    """Whether a/b/yyyy means day/month in this file: decided by any a or b above 12,
    else 12-hour clocks (AM/PM) mean the US month/day order, else `default`."""
    day_first = month_first = twelve_hour = False
    for v in values:
        m = _parts(v)
        if not m or len(m[1]) == 4 or m[2] == ".":
            continue
        a, b = int(m[1]), int(m[3])
        day_first |= a > 12
        month_first |= b > 12
        twelve_hour |= m[8] is not None
    if day_first and month_first:
        raise ParseError("dates in this file are day/month and month/day at once: cannot tell which is which")
    if day_first or month_first:
        return day_first
    return False if twelve_hour else default


def parse_local(value: str, tz: tzinfo, dayfirst: bool) -> datetime | None:
    """'3/5/2024 9:03:12 AM', '2024/03/05 9:03', '11/12/2020, 12:27:24', '7/22/26, 7:02:11 PM'
    read as wall-clock time in `tz`, returned in UTC; '' -> None; ValueError if impossible."""
    v = value.strip()
    if not v:
        return None
    m = _parts(v)
    if not m:
        raise ValueError("not a date and time")
    a, sep, b, c, hh, mm, ss, ampm = m.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif sep == "." or dayfirst:
        day, month, year = int(a), int(b), int(c)
    else:
        month, day, year = int(a), int(b), int(c)
    if len(c) == 2 and len(a) != 4:
        year += 2000
    hour = int(hh)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if ampm in "Pp" else 0)
    return utc(datetime(year, month, day, hour, int(mm), int(ss or 0), tzinfo=tz))


def parse_minutes(value: str) -> float | None:
    """Zoom's '128' or Teams' '1h 27m 51s' / '47m 3s' / '00:47:03' as minutes."""
    v = value.strip()
    if not v:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", v):
        return float(v)
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", v)
    if m:
        return int(m[1] or 0) * 60 + int(m[2]) + int(m[3]) / 60
    m = re.fullmatch(r"(?:(\d+)\s*h(?:rs?)?)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s(?:ec)?)?", v)
    if m and any(m.groups()):
        return int(m[1] or 0) * 60 + int(m[2] or 0) + int(m[3] or 0) / 60
    raise ValueError("not a duration")


def digits(value: str | None) -> str | None:
    d = re.sub(r"\D", "", value or "")
    return d or None


def email_or_none(*values: str | None) -> str | None:
    """The first value that is an address; Zoom's truncated 'taro1…' is not one."""
    for v in values:
        e = normalize_email(v or "")
        if e and is_email(e):
            return e
    return None


# --- rows --------------------------------------------------------------------------------


@dataclass
class Meeting:
    platform: str
    meeting_id: str | None = None
    topic: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    organizer_email: str | None = None

    def row(self, src: SourceFile, record: str, **participant: Any) -> dict[str, Any]:
        join_at, leave_at = participant.get("join_at"), participant.get("leave_at")
        if join_at and leave_at and leave_at < join_at:
            raise RowError(f"leave time {leave_at.isoformat()} is before join time {join_at.isoformat()}")
        return dict(
            platform=self.platform,
            meeting_id=self.meeting_id,
            topic=self.topic,
            meeting_start_at=self.start_at,
            meeting_end_at=self.end_at,
            organizer_email=self.organizer_email,
            participant_name=participant.get("name"),
            participant_email=participant.get("email"),
            join_at=join_at,
            leave_at=leave_at,
            duration_minutes=participant.get("duration"),
            role=participant.get("role"),
            source_file=src.rel,
            record=record,
        )


def _columns(record: Record, aliases: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, name in enumerate(record.fields):
        key = aliases.get(norm(name))
        if key and key not in out:
            out[key] = i
    return out


def _get(record: Record, cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    return record.fields[i].strip() if i is not None and i < len(record.fields) else ""


def _convert(what: str, fn, *args):
    try:
        return fn(*args)
    except ValueError as exc:
        raise RowError(f"{what} {args[0]!r}: {exc}") from None


# --- Zoom --------------------------------------------------------------------------------


def _zoom_header(records: list[Record]) -> int | None:
    for i, rec in enumerate(records):
        cols = _columns(rec, ZOOM_COLUMNS)
        if "name" in cols and ("join" in cols or "duration" in cols) and len(rec.fields) >= 3:
            return i
    return None


def parse_zoom(src: SourceFile, records: list[Record], at: int, settings: Settings, result: ParseResult) -> None:
    header = records[at]
    cols = _columns(header, ZOOM_COLUMNS)
    meeting = Meeting("zoom")
    body = [r for r in records[at + 1 :] if not r.is_blank]
    before = [r for r in records[:at] if not r.is_blank]
    times = [_get(r, cols, k) for r in body for k in ("join", "leave")]
    summary_cols: dict[str, int] = {}
    values: Record | None = None
    if before:
        summary_cols = _columns(before[0], ZOOM_SUMMARY)
        if "meeting_id" in summary_cols or ("topic" in summary_cols and "start" in summary_cols):
            values = before[1] if len(before) > 1 else None
            before = before[2:]
            if values is not None:
                times += [_get(values, summary_cols, "start"), _get(values, summary_cols, "end")]
    for rec in before:
        result.reject(f"line {rec.line}", "unexpected record above the participant table (not a meeting summary)")
    dayfirst = infer_dayfirst(times, default=False)  # Zoom's own default is US month/day
    if values is not None:
        meeting.meeting_id = digits(_get(values, summary_cols, "meeting_id"))
        meeting.topic = _get(values, summary_cols, "topic") or None
        meeting.organizer_email = email_or_none(_get(values, summary_cols, "organizer_email"))
        try:
            meeting.start_at = _convert(
                "meeting start time", parse_local, _get(values, summary_cols, "start"), settings.attendance_tz, dayfirst
            )
            meeting.end_at = _convert(
                "meeting end time", parse_local, _get(values, summary_cols, "end"), settings.attendance_tz, dayfirst
            )
        except RowError as exc:
            meeting.start_at = meeting.end_at = None
            result.reject(f"line {values.line}", f"meeting summary: {exc}; participants loaded without meeting times")
    else:
        # Zoom names the download participants_<meeting id>.csv: the only place the id is.
        m = re.search(r"participants_(\d{9,12})(?:\D|$)", src.rel)
        meeting.meeting_id = m[1] if m else None
    for rec in body:
        record = f"line {rec.line}"
        try:
            if len(rec.fields) > len(header.fields) and any(f.strip() for f in rec.fields[len(header.fields) :]):
                raise RowError(f"{len(rec.fields)} fields but the header has {len(header.fields)}: a broken row")
            tz = settings.attendance_tz
            row = meeting.row(
                src,
                record,
                name=_get(rec, cols, "name") or None,
                email=email_or_none(_get(rec, cols, "email")),
                join_at=_convert("join time", parse_local, _get(rec, cols, "join"), tz, dayfirst),
                leave_at=_convert("leave time", parse_local, _get(rec, cols, "leave"), tz, dayfirst),
                duration=_convert("duration", parse_minutes, _get(rec, cols, "duration")),
            )
        except RowError as exc:
            result.reject(record, str(exc))
            continue
        result.add(TABLE, row)


# --- Teams -------------------------------------------------------------------------------


def _is_event_log(rec: Record) -> bool:
    keys = {norm(f) for f in rec.fields}
    return {"fullname", "useraction", "timestamp"} <= keys


def parse_teams_events(
    src: SourceFile, records: list[Record], at: int, settings: Settings, result: ParseResult
) -> None:
    """Pair each participant's Joined/Left events, in time order, into sessions."""
    header = records[at]
    keys = [norm(f) for f in header.fields]
    col: dict[str, int] = {
        k: keys.index(k) for k in ("fullname", "useraction", "timestamp", "role", "email") if k in keys
    }
    body = [r for r in records[at + 1 :] if not r.is_blank]
    dayfirst = infer_dayfirst([_field(r, col["timestamp"]) for r in body], default=True)  # 24 h d/m/y: en-GB, de
    meeting = Meeting("teams")
    events: dict[str, list[tuple[datetime, int, str, Record]]] = {}
    for rec in body:
        record = f"line {rec.line}"
        name, action = _field(rec, col["fullname"]), _field(rec, col["useraction"]).lower()
        try:
            if not name:
                raise RowError("empty Full Name")
            if action not in TEAMS_JOIN | TEAMS_LEAVE:
                raise RowError(
                    f"unknown User Action {_field(rec, col['useraction'])!r} (expected Joined, Joined before or Left)"
                )
            ts = _convert("Timestamp", parse_local, _field(rec, col["timestamp"]), settings.attendance_tz, dayfirst)
            if ts is None:
                raise RowError("empty Timestamp")
        except RowError as exc:
            result.reject(record, str(exc))
            continue
        kind = "join" if action in TEAMS_JOIN else "leave"
        events.setdefault(name, []).append((ts, rec.line, kind, rec))

    for name, evs in events.items():
        evs.sort(key=lambda e: (e[0], e[1]))
        open_join: tuple[datetime, Record] | None = None
        for ts, _, kind, rec in evs:
            if kind == "join":
                if open_join:  # a second join without a leave: the first session's end is unknown
                    _emit(result, meeting, src, open_join[1], name, col, open_join[0], None)
                open_join = (ts, rec)
            elif open_join:
                _emit(result, meeting, src, open_join[1], name, col, open_join[0], ts)
                open_join = None
            else:  # left without a join: present since before the list started
                _emit(result, meeting, src, rec, name, col, None, ts)
        if open_join:
            _emit(result, meeting, src, open_join[1], name, col, open_join[0], None)


def _field(rec: Record, i: int | None) -> str:
    return rec.fields[i].strip() if i is not None and i < len(rec.fields) else ""


def _emit(
    result: ParseResult,
    meeting: Meeting,
    src: SourceFile,
    rec: Record,
    name: str,
    col: dict[str, int],
    join_at: datetime | None,
    leave_at: datetime | None,
) -> None:
    duration = (leave_at - join_at).total_seconds() / 60 if join_at and leave_at else None
    result.add(
        TABLE,
        meeting.row(
            src,
            f"line {rec.line}",
            name=name,
            email=email_or_none(_field(rec, col.get("email"))),
            role=_field(rec, col.get("role")) or None,
            join_at=join_at,
            leave_at=leave_at,
            duration=duration,
        ),
    )


_SECTION = re.compile(r"^\s*\d+\.\s*\S")


_TEAMS_MARKS = {
    "1summary",
    "meetingsummary",
    "2participants",
    "3inmeetingactivities",
    "firstjoin",
    "lastleave",
    "inmeetingduration",
    "participantidupn",
    "totalnumberofparticipants",
    "attendedparticipants",
}


def _is_teams_report(records: list[Record]) -> bool:
    """Teams' own words somewhere, and a table with name, join and leave columns."""
    marked = any(norm(f) in _TEAMS_MARKS for rec in records for f in rec.fields)
    return marked and any({"name", "join", "leave"} <= _columns(rec, TEAMS_COLUMNS).keys() for rec in records)


def parse_teams_report(src: SourceFile, records: list[Record], settings: Settings, result: ParseResult) -> None:
    """Summary key/values, then tables found by their header rows (section titles are localised)."""
    summary: dict[str, tuple[str, Record]] = {}
    tables: list[tuple[str, dict[str, int], list[Record]]] = []  # (kind, columns, rows)
    current: tuple[str, dict[str, int], list[Record]] | None = None
    for rec in records:
        filled = [f for f in rec.fields if f.strip()]
        if not filled:
            current = None
            continue
        cols = _columns(rec, TEAMS_COLUMNS)
        if "name" in cols and "join" in cols and "leave" in cols:
            kind = "participants" if any(norm(f) == "firstjoin" for f in rec.fields) else "sessions"
            current = (kind, cols, [])
            tables.append(current)
        elif len(filled) == 1 and _SECTION.match(filled[0]):
            current = None  # '2. Participants', '3. In-Meeting Activities', ...
        elif current is not None:
            current[2].append(rec)
        elif len(filled) <= 2:
            key = TEAMS_SUMMARY.get(norm(rec.fields[0]))
            if key and key not in summary:
                summary[key] = (rec.fields[1].strip() if len(rec.fields) > 1 else "", rec)
            # other summary lines (participant count, average time, ...) are statistics, not records
        else:
            result.reject(f"line {rec.line}", "unexpected record outside the report's tables")

    stamps = [v for k, (v, _) in summary.items() if k in ("start", "end")]
    stamps += [_get(r, cols, k) for _, cols, rows in tables for r in rows for k in ("join", "leave")]
    dayfirst = infer_dayfirst(stamps, default=True)
    tz = settings.attendance_tz
    meeting = Meeting(
        "teams",
        topic=summary.get("topic", ("", None))[0] or None,
        meeting_id=digits(summary.get("meeting_id", ("", None))[0]),
    )
    for key in ("start", "end"):
        if key in summary:
            value, rec = summary[key]
            try:
                setattr(meeting, f"{key}_at", parse_local(value, tz, dayfirst))
            except ValueError as exc:
                result.reject(f"line {rec.line}", f"meeting summary {key} time {value!r}: {exc}")

    people: list[tuple[Record, dict[str, Any]]] = []
    sessions: list[tuple[Record, dict[str, Any]]] = []
    for kind, cols, rows in tables:
        for rec in rows:
            try:
                person = dict(
                    name=_get(rec, cols, "name") or None,
                    email=email_or_none(_get(rec, cols, "email"), _get(rec, cols, "upn")),
                    role=_get(rec, cols, "role") or None,
                    join_at=_convert("join time", parse_local, _get(rec, cols, "join"), tz, dayfirst),
                    leave_at=_convert("leave time", parse_local, _get(rec, cols, "leave"), tz, dayfirst),
                    duration=_convert("duration", parse_minutes, _get(rec, cols, "duration")),
                )
                if person["join_at"] and person["leave_at"] and person["leave_at"] < person["join_at"]:
                    raise RowError(
                        f"leave time {person['leave_at'].isoformat()} is before join time {person['join_at'].isoformat()}"
                    )
            except RowError as exc:
                result.reject(f"line {rec.line}", str(exc))
                continue
            (people if kind == "participants" else sessions).append((rec, person))

    organizers = [p for _, p in people + sessions if (p["role"] or "").lower() == "organizer" and p["email"]]
    meeting.organizer_email = organizers[0]["email"] if organizers else None
    # Sessions are the table's grain; the Participants table (first join, last leave) is the
    # per-person summary of them and loads only for people without any session row.
    roles = {_who(p): p["role"] for _, p in people if p["role"]}
    covered = {_who(p) for _, p in sessions}
    for rec, p in sessions:
        p["role"] = p["role"] or roles.get(_who(p))
        result.add(TABLE, meeting.row(src, f"line {rec.line}", **p))
    for rec, p in people:
        if _who(p) not in covered:
            result.add(TABLE, meeting.row(src, f"line {rec.line}", **p))


def _who(p: dict[str, Any]) -> str:
    return p["email"] or (p["name"] or "").casefold()


# --- entry point -------------------------------------------------------------------------


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    from aemetrics.ingest import meeting_cn  # Tencent Meeting / Feishu; imports this module

    if meeting_cn.is_xlsx(src.path):
        return meeting_cn.parse(src, settings)
    sheet = read_sheet(src.path)
    records = sheet.records
    first = next((i for i, r in enumerate(records) if not r.is_blank), None)
    if first is None:
        raise ParseError("no records: empty attendance report")
    if _is_event_log(records[first]):
        result = ParseResult(parser="teams-events")
        parse_teams_events(src, records, first, settings, result)
        return result
    if _is_teams_report(records):
        result = ParseResult(parser="teams-report")
        parse_teams_report(src, records, settings, result)
        return result
    cn = meeting_cn.parse_sheets(src, [(None, records)], settings)
    if cn is not None:
        return cn
    at = _zoom_header(records)
    if at is not None:
        result = ParseResult(parser="zoom")
        parse_zoom(src, records, at, settings, result)
        return result
    shown = sheet.delimiter.join(records[first].fields)[:200]
    raise ParseError(
        f"unknown attendance report layout: first record {shown!r} (expected a Zoom participants report, a Teams attendance list, a Tencent Meeting or a Feishu export)"
    )

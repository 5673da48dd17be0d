"""Participant exports of the meeting tools Chinese offices use: 腾讯会议 (Tencent Meeting) and
飞书 (Feishu / Lark), as .xlsx or saved as .csv -> raw_attendance (docs/formats.md, Attendance).

- Tencent Meeting: label/value lines on top (会议主题：, 会议号：, 预定开始时间：, ...), then the
  participant table (用户昵称（入会昵称）, 首次入会时间, 最后退会时间, 入会次数, 累计参会时长, 身份);
  a second sheet 成员参会明细 holds one row per join (入会时间, 退会时间, 单次参会时长). Older
  exports have one sheet with 入会时间 / 退会时间 and `--` for "still in". Times are local.
- Feishu: one table, one row per join: 参会人, 部门, 用户ID, 工号, 邮箱, 入会时间, 离会时间,
  参会时长, 离会原因, 会议 ID; times like `2022.07.21 11:04:52 (GMT+08:00)`.

Recognised by header rows, never by file name. Sessions without an address are matched to
staff by name in SQL (stg_staff.meeting_names, int_obligations__on_time).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest import xlsx
from aemetrics.ingest.attendance import (
    TABLE,
    Meeting,
    RowError,
    _columns,
    _convert,
    _get,
    digits,
    email_or_none,
    norm,
)
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile, utc
from aemetrics.ingest.csvread import Record

Sheet = tuple[str | None, list[Record]]  # (sheet name, or None for a CSV file; records)

# --- reading .xlsx: the shared reader (aemetrics/ingest/xlsx.py)


def is_xlsx(path: Path) -> bool:
    """A workbook, or a broken zip that should have been one (read_workbook then says why)."""
    if xlsx.is_workbook(path):
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def xlsx_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook as records; `line` is the 1-based row number."""
    return [(sheet.name, xlsx.sheet_records(sheet)) for sheet in xlsx.read_workbook(path)]


def record_name(sheet: str | None, rec: Record) -> str:
    return f"line {rec.line}" if sheet is None else f"row {rec.line} ({sheet})"


# --- values ------------------------------------------------------------------------------

_CN_DURATION = re.compile(
    r"(?:(\d+)\s*(?:小时|时|h))?\s*(?:(\d+)\s*(?:分钟|分|min|m))?\s*(?:(\d+)\s*(?:秒钟|秒|s))?", re.I
)


def parse_cn_minutes(value: str) -> float | None:
    """'01:02:03', '62', '1小时2分钟3秒', '45分钟', '30秒' as minutes; '' or '--' -> None."""
    v = value.strip()
    if not v or v in ("--", "-"):
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", v):
        return float(v)
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", v)
    if m:
        return int(m[1] or 0) * 60 + int(m[2]) + int(m[3]) / 60
    m = _CN_DURATION.fullmatch(v)
    if m and any(m.groups()):
        return int(m[1] or 0) * 60 + int(m[2] or 0) + int(m[3] or 0) / 60
    raise ValueError("not a duration")


_FEISHU_TIME = re.compile(
    r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:\(?\s*(?:GMT|UTC)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\s*\)?)?"
)


def parse_cn_time(value: str, tz) -> datetime | None:
    """'2024-01-01 09:00:00', '2024/1/1 9:00', '2022.07.21 11:04:52 (GMT+08:00)' in UTC;
    without an offset the time is wall-clock time in `tz`; '' and '--' (still in) -> None."""
    v = value.strip()
    if not v or v in ("--", "-"):
        return None
    m = _FEISHU_TIME.fullmatch(v)
    if not m:
        raise ValueError("not a date and time")
    y, mo, d, hh, mi, ss, sign, oh, om = m.groups()
    zone = tz
    if sign:
        offset = timedelta(hours=int(oh), minutes=int(om or 0))
        zone = timezone(-offset if sign == "-" else offset)
    return utc(datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), tzinfo=zone))


# --- column tables (compared after norm(): NFKC, lower case, letters and digits only) ---------

SUMMARY = {
    "会议主题": "topic",
    "会议名称": "topic",
    "会议号": "meeting_id",
    "会议id": "meeting_id",
    "预定开始时间": "start",
    "预约开始时间": "start",
    "会议开始时间": "start",
    "开始时间": "start",
    "预定结束时间": "end",
    "预约结束时间": "end",
    "会议结束时间": "end",
    "结束时间": "end",
    "会议创建者": "creator",
    "累计会议时长": "total",
    "参会用户总数": "count",
    "参会人数": "count",
}
TENCENT_COLUMNS = {
    "用户昵称入会昵称": "name",
    "用户昵称": "name",
    "入会昵称": "name",
    "昵称": "name",
    "参会者": "name",
    "首次入会时间": "join",
    "入会时间": "join",
    "最后退会时间": "leave",
    "退会时间": "leave",
    "累计参会时长": "duration",
    "单次参会时长": "duration",
    "参会时长": "duration",
    "身份": "role",
    "角色": "role",
    "邮箱": "email",
    "用户邮箱": "email",
    "入会次数": "joins",
    "用户名称": "name",
    "成员名称": "name",
    "参会成员": "name",
    "用户身份": "role",
    "最后离会时间": "leave",
    "离会时间": "leave",
    "累计参会时长分钟": "duration",
    "参会时长分钟": "duration",
}
FEISHU_COLUMNS = {
    "参会人": "name",
    "参会人名称": "name",
    "参会者": "name",
    "姓名": "name",
    "邮箱": "email",
    "电子邮箱": "email",
    "入会时间": "join",
    "离会时间": "leave",
    "参会时长": "duration",
    "会议id": "meeting_id",
    "会议号": "meeting_id",
    "会议主题": "topic",
    "会议名称": "topic",
    "离会原因": "leave_reason",
    "用户id": "user_id",
    "工号": "employee_no",
    "部门": "department",
    "身份": "role",
    "角色": "role",
    "加入时间": "join",
    "离开时间": "leave",
    "参会时长分钟": "duration",
}
_TENCENT_MARKS = {"首次入会时间", "最后退会时间", "累计参会时长", "单次参会时长", "退会时间", "用户昵称入会昵称"}
_FEISHU_MARKS = {"离会时间", "离会原因", "参会人", "工号", "用户id"}


def _label(rec: Record) -> tuple[str, str] | None:
    """A summary line 'label：value' (value in column B, or after the colon in A) -> (key, value)."""
    filled = [f.strip() for f in rec.fields if f.strip()]
    if not filled or len(filled) > 2:
        return None
    head, _, rest = filled[0].replace("：", ":").partition(":")
    key = SUMMARY.get(norm(head))
    if key is None:
        return None
    value = filled[1] if len(filled) > 1 else rest.strip()
    return key, value


def _header_at(records: list[Record], marks: set[str], table: dict[str, str]) -> int | None:
    for i, rec in enumerate(records):
        keys = {norm(f) for f in rec.fields}
        cols = _columns(rec, table)
        if keys & marks and "name" in cols and "join" in cols:
            return i
    return None


def recognise(sheets: list[Sheet]) -> str | None:
    """'tencent' | 'feishu' | None, from the header rows of any sheet."""
    for _, records in sheets:
        if _header_at(records, _TENCENT_MARKS, TENCENT_COLUMNS) is not None:
            return "tencent"
        if _header_at(records, _FEISHU_MARKS, FEISHU_COLUMNS) is not None:
            return "feishu"
    return None


def parse_sheets(src: SourceFile, sheets: list[Sheet], settings: Settings) -> ParseResult | None:
    """The rows of a Tencent Meeting or Feishu export; None when it is neither."""
    kind = recognise(sheets)
    if kind == "tencent":
        result = ParseResult(parser="tencent-meeting")
        parse_tencent(src, sheets, settings, result)
        return result
    if kind == "feishu":
        result = ParseResult(parser="feishu-meeting")
        parse_feishu(src, sheets, settings, result)
        return result
    return None


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """An .xlsx under attendance/: Tencent Meeting or Feishu, else a ParseError naming the sheets."""
    sheets = xlsx_sheets(src.path)
    result = parse_sheets(src, sheets, settings)
    if result is None:
        names = ", ".join(name or "" for name, _ in sheets)
        raise ParseError(
            f"unknown attendance workbook layout (sheets: {names}): expected a Tencent Meeting "
            "or Feishu participant export"
        )
    return result


# --- Tencent Meeting -----------------------------------------------------------------------


def _table(
    sheet: str | None,
    records: list[Record],
    at: int,
    table: dict[str, str],
    result: ParseResult,
    meeting: dict[str, tuple[str, str]],
) -> tuple[dict[str, int], list[Record]]:
    """Summary lines above the header go into `meeting` (first wins); other records above it are
    quarantined; the rows below are returned with the header's columns."""
    for rec in records[:at]:
        if rec.is_blank:
            continue
        lv = _label(rec)
        if lv is None:
            result.reject(record_name(sheet, rec), "unexpected record above the participant table (not a summary line)")
        elif lv[0] not in meeting:
            meeting[lv[0]] = (lv[1], record_name(sheet, rec))
    header = records[at]
    return _columns(header, table), [r for r in records[at + 1 :] if not r.is_blank]


def _meeting(platform: str, summary: dict[str, tuple[str, str]], settings: Settings, result: ParseResult) -> Meeting:
    meeting = Meeting(
        platform,
        meeting_id=digits(summary.get("meeting_id", ("", ""))[0]),
        topic=summary.get("topic", ("", ""))[0].strip() or None,
    )
    for key in ("start", "end"):
        if key in summary:
            value, where = summary[key]
            try:
                setattr(meeting, f"{key}_at", parse_cn_time(value, settings.attendance_tz))
            except ValueError as exc:
                result.reject(where, f"meeting summary {key} time {value!r}: {exc}")
    return meeting


def _person(rec: Record, cols: dict[str, int], tz) -> dict[str, Any]:
    leave_raw = _get(rec, cols, "leave")
    person = dict(
        name=_get(rec, cols, "name") or None,
        email=email_or_none(_get(rec, cols, "email")),
        role=_get(rec, cols, "role") or None,
        join_at=_convert("join time", parse_cn_time, _get(rec, cols, "join"), tz),
        leave_at=_convert("leave time", parse_cn_time, leave_raw, tz),
        duration=_convert("duration", parse_cn_minutes, _get(rec, cols, "duration")),
    )
    if person["name"] is None and person["email"] is None:
        raise RowError("no participant name")
    if person["join_at"] is None:
        raise RowError("empty join time")
    return person


def _who(p: dict[str, Any]) -> str:
    return p["email"] or (p["name"] or "").casefold()


def parse_tencent(src: SourceFile, sheets: list[Sheet], settings: Settings, result: ParseResult) -> None:
    """Sessions from the per-join sheet (成员参会明细) when there is one; people without a session
    row come from the overview (首次入会时间 / 最后退会时间); the role (身份) from the overview."""
    summary: dict[str, tuple[str, str]] = {}
    tables: list[tuple[str, str | None, dict[str, int], list[Record]]] = []
    for sheet, records in sheets:
        at = _header_at(records, _TENCENT_MARKS | {"入会时间"}, TENCENT_COLUMNS)
        if at is None:
            if any(not r.is_blank for r in records):
                result.reject(f"sheet {sheet}" if sheet else "file", "no participant table in this sheet")
            continue
        cols, rows = _table(sheet, records, at, TENCENT_COLUMNS, result, summary)
        overview = any(norm(f) in ("首次入会时间", "最后退会时间", "最后离会时间") for f in records[at].fields)
        tables.append(("people" if overview else "sessions", sheet, cols, rows))
    meeting = _meeting("tencent", summary, settings, result)
    tz = settings.attendance_tz
    people: list[tuple[str, dict[str, Any]]] = []
    sessions: list[tuple[str, dict[str, Any]]] = []
    for kind, sheet, cols, rows in tables:
        for rec in rows:
            where = record_name(sheet, rec)
            try:
                p = _person(rec, cols, tz)
            except RowError as exc:
                result.reject(where, str(exc))
                continue
            (people if kind == "people" else sessions).append((where, p))
    roles = {_who(p): p["role"] for _, p in people if p["role"]}
    covered = {_who(p) for _, p in sessions}
    for where, p in sessions:
        p["role"] = p["role"] or roles.get(_who(p))
        _add(result, meeting, src, where, p)
    for where, p in people:
        if _who(p) not in covered:
            _add(result, meeting, src, where, p)


def _add(result: ParseResult, meeting: Meeting, src: SourceFile, where: str, p: dict[str, Any]) -> None:
    try:
        result.add(TABLE, meeting.row(src, where, **p))
    except RowError as exc:
        result.reject(where, str(exc))


# --- Feishu --------------------------------------------------------------------------------


def parse_feishu(src: SourceFile, sheets: list[Sheet], settings: Settings, result: ParseResult) -> None:
    """One row per join; the meeting id (and topic) come from the row's own columns, else from
    summary lines above the table, so one file may hold several meetings."""
    tz = settings.attendance_tz
    for sheet, records in sheets:
        at = _header_at(records, _FEISHU_MARKS, FEISHU_COLUMNS)
        if at is None:
            if any(not r.is_blank for r in records):
                result.reject(f"sheet {sheet}" if sheet else "file", "no participant table in this sheet")
            continue
        summary: dict[str, tuple[str, str]] = {}
        cols, rows = _table(sheet, records, at, FEISHU_COLUMNS, result, summary)
        base = _meeting("feishu", summary, settings, result)
        width = len(records[at].fields)
        for rec in rows:
            where = record_name(sheet, rec)
            try:
                if len(rec.fields) > width and any(f.strip() for f in rec.fields[width:]):
                    raise RowError(f"{len(rec.fields)} fields but the header has {width}: a broken row")
                p = _person(rec, cols, tz)
            except RowError as exc:
                result.reject(where, str(exc))
                continue
            meeting = Meeting(
                "feishu",
                meeting_id=digits(_get(rec, cols, "meeting_id")) or base.meeting_id,
                topic=_get(rec, cols, "topic") or base.topic,
                start_at=base.start_at,
                end_at=base.end_at,
            )
            _add(result, meeting, src, where, p)


__all__ = ["parse", "parse_sheets", "recognise", "xlsx_sheets", "is_xlsx", "parse_cn_time", "parse_cn_minutes"]

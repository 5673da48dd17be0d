"""Clock-in records for `work_on_time` (docs/formats.md, "Clock-in records") → raw_clock_ins.

Two layouts, recognised by their header row, from a workbook or a CSV under exports/attendance/:
- **DingTalk 考勤报表** (钉钉 → 考勤 → 报表 → 导出): sheet 原始记录 (one row per punch: 姓名, 部门,
  工号, UserId, 考勤日期 `25-10-09 星期四`, 考勤时间 `09:00`, 打卡时间 `08:55`, 打卡结果 正常/迟到/
  缺卡/外勤/补卡..., 打卡备注) and sheet 打卡时间 (one row per person-day: 日期 and the day's times
  `08:55 18:35`, or `上班1打卡时间` / `下班1打卡时间` columns). Title rows above the header (`原始记录
  统计日期：...`, `报表生成时间：...`) are skipped: the header is the first row holding 姓名 and a date
  column. Sheets of other reports (月度汇总, 每日统计 without times) are not read and say so.
- **attendance_clock** (canonical): `email, date, clock_in_at` (a timestamp with offset, or a
  wall-clock `HH:MM[:SS]` in the attendance time zone; empty = no clock-in that day).

One row per person-day punch (a 缺卡 or leave row has no time), with the export's own name,
UserId, 工号 and result kept for matching and explanation later; our working hours decide
lateness, not 打卡结果 (STANDARDS.md, work_on_time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest import xlsx
from aemetrics.ingest.addresses import is_email, normalize_email
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile, utc
from aemetrics.ingest.csvread import Record, extra_fields, read_sheet

TABLE = "raw_clock_ins"
NAME_COLS = ("姓名", "name", "员工姓名")
DATE_COLS = ("考勤日期", "日期", "date", "工作日")
USERID_COLS = ("userid", "user id", "用户id", "钉钉id")
EMPNO_COLS = ("工号", "员工工号", "employee_no", "employee id")
DEPT_COLS = ("部门", "department")
SCHEDULED_COLS = ("考勤时间", "班次时间")
PUNCH_COLS = ("打卡时间", "clock_at")
RESULT_COLS = ("打卡结果", "考勤结果", "result")
NOTE_COLS = ("打卡备注", "异常打卡原因", "管理员修改备注", "审批单")
SLOT = re.compile(r"^(上班|下班)(\d*)打卡时间$")
LEAVE_WORDS = ("请假", "休假", "调休", "事假", "病假", "年假", "婚假", "产假", "丧假")
MISSING_WORDS = ("缺卡", "未打卡")
CANONICAL = ("email", "date", "clock_in_at")


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _header_at(records: list[Record]) -> int | None:
    """Index of the DingTalk header row (first row with a name and a date column) in the first 15."""
    for i, rec in enumerate(records[:15]):
        if _find(rec.fields, NAME_COLS) is not None and _find(rec.fields, DATE_COLS) is not None:
            return i
    return None


def is_clock_header(header: list[str]) -> bool:
    low = {h.strip().lower() for h in header}
    return set(CANONICAL) <= low


def looks_like_clock(path: Path) -> bool:
    """A DingTalk attendance workbook/CSV or an attendance_clock file: by content, not by name."""
    try:
        if xlsx.is_workbook(path):
            sheets = xlsx.read_workbook(path)
            return any(_sheet_kind(xlsx.sheet_records(s)) for s in sheets)
        sheet = read_sheet(path)
    except ParseError:
        return False
    return _sheet_kind(sheet.records) is not None


def _sheet_kind(records: list[Record]) -> str | None:
    nonblank = [r for r in records if not r.is_blank]
    if nonblank and is_clock_header(nonblank[0].fields):
        return "canonical"
    at = _header_at(nonblank)
    if at is None:
        return None
    header = nonblank[at].fields
    if _find(header, PUNCH_COLS) is not None or any(SLOT.match(h.strip()) for h in header):
        return "dingtalk"
    return None


_DAY = re.compile(
    r"^(\d{2}|\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?(?:\s*(?:星期|周)[一二三四五六日天])?$"
)


def parse_day(value: str) -> date:
    """`25-10-09 星期四`, `2025-10-09`, `2025/10/9`, `2025年10月9日`, a date cell, a serial number."""
    v = value.strip()
    if xlsx.is_serial(v):
        return xlsx.from_serial(float(v)).date()
    m = _DAY.match(v)
    if not m:
        raise ValueError("not a date")
    year = int(m[1]) + (2000 if len(m[1]) == 2 else 0)
    return date(year, int(m[2]), int(m[3]))


_TIME = re.compile(r"^(?:次日)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_punch(value: str, day: date, tz: Any) -> datetime:
    """A punch time on `day` (wall clock in `tz`): `08:55`, `08:55:12`, `次日01:10` (the next day),
    a full `2025-10-09 08:55[:12]` / datetime cell, or a serial number."""
    v = value.strip()
    if xlsx.is_serial(v) and "." in v and float(v) < 1:  # a time-only cell stored as a day fraction
        dt = datetime.combine(day, time()) + timedelta(days=float(v))
    elif xlsx.is_serial(v):
        dt = xlsx.from_serial(float(v))
    else:
        m = _TIME.match(v)
        if m:
            dt = datetime.combine(day, time(int(m[1]), int(m[2]), int(m[3] or 0)))
            if v.startswith("次日"):
                dt += timedelta(days=1)
        else:
            m = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$", v)
            if not m:
                raise ValueError("not a clock time")
            dt = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
    return utc(dt.replace(tzinfo=tz))


def _flags(result: str, note: str) -> dict[str, Any]:
    text = f"{result} {note}"
    leave = next((w for w in LEAVE_WORDS if w in result), None)
    return dict(
        is_field="外勤" in text,
        is_correction="补卡" in text,
        leave_type=leave,
        is_missing=any(w in result for w in MISSING_WORDS),
    )


def _line_name(sheet: str, line: int) -> str:
    return f"line {line}"


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    result = ParseResult(parser="clock")
    tz = settings.attendance_tz
    if xlsx.is_workbook(src.path):
        sheets = [(s.name, xlsx.sheet_records(s)) for s in xlsx.read_workbook(src.path)]
        name: Callable[[str, int], str] = xlsx.record_name
    else:
        sheets = [("", read_sheet(src.path).records)]
        name = _line_name
    read_any = False
    for sheet, records in sheets:
        kind = _sheet_kind(records)
        if kind is None:
            if any(not r.is_blank for r in records):
                result.reject(
                    f"sheet {sheet}" if sheet else "file",
                    "not a clock-in table (no 姓名 + 考勤日期/日期 + 打卡时间 header): not read",
                )
            continue
        read_any = True
        rec_name = partial(name, sheet)
        if kind == "canonical":
            _canonical(records, src, tz, result, rec_name)
        else:
            result.parser = "clock-dingtalk"
            _dingtalk(records, src, tz, result, rec_name)
    if not read_any:
        raise ParseError(
            "no clock-in table: neither a DingTalk 考勤报表 (原始记录 / 打卡时间) nor an "
            "attendance_clock file (email,date,clock_in_at)"
        )
    return result


def _row(header: list[str], rec: Record) -> list[str]:
    return [rec.fields[i].strip() if i < len(rec.fields) else "" for i in range(len(header))]


def _canonical(
    records: list[Record], src: SourceFile, tz: Any, result: ParseResult, rec_name: Callable[[int], str]
) -> None:
    from aemetrics.ingest.crm import parse_timestamp

    result.parser = "clock-canonical"
    nonblank = [r for r in records if not r.is_blank]
    header = [h.strip() for h in nonblank[0].fields]
    while header and not header[-1]:
        header.pop()
    col = {h.lower(): i for i, h in reversed(list(enumerate(header)))}
    for rec in nonblank[1:]:
        record = rec_name(rec.line)
        if extra_fields(header, rec):
            result.reject(record, f"{len(rec.fields)} fields but the header has {len(header)}: a broken row")
            continue
        cells = _row(header, rec)
        email = normalize_email(cells[col["email"]])
        if not is_email(email):
            result.reject(record, f"email {cells[col['email']]!r}: not an email address")
            continue
        try:
            day = parse_day(cells[col["date"]])
        except ValueError:
            result.reject(record, f"date {cells[col['date']]!r}: not a date (YYYY-MM-DD)")
            continue
        raw = cells[col["clock_in_at"]]
        try:
            if not raw:
                clock_at = None
            elif _TIME.match(raw) or (xlsx.is_serial(raw) and float(raw) < 1):
                clock_at = parse_punch(raw, day, tz)
            else:
                clock_at = parse_timestamp(raw, naive=tz)  # no offset: the clock's wall-clock time
        except ValueError as exc:
            result.reject(record, f"clock_in_at {raw!r}: {exc}")
            continue
        result.add(
            TABLE,
            dict(
                platform="canonical",
                person_name=None,
                userid=None,
                employee_no=None,
                department=None,
                email=email,
                work_date=day,
                clock_at=clock_at,
                scheduled_time=None,
                punch_type="上班",
                result=None if clock_at else "缺卡",
                is_field=False,
                is_correction=False,
                leave_type=None,
                source_file=src.rel,
                record=record,
            ),
        )


def _dingtalk(
    records: list[Record], src: SourceFile, tz: Any, result: ParseResult, rec_name: Callable[[int], str]
) -> None:
    nonblank = [r for r in records if not r.is_blank]
    at = _header_at(nonblank)
    assert at is not None  # _sheet_kind found the header row
    header = [h.strip() for h in nonblank[at].fields]
    while header and not header[-1]:
        header.pop()
    i_name, i_date = _find(header, NAME_COLS), _find(header, DATE_COLS)
    i_uid, i_emp, i_dept = _find(header, USERID_COLS), _find(header, EMPNO_COLS), _find(header, DEPT_COLS)
    i_sched, i_punch, i_result = _find(header, SCHEDULED_COLS), _find(header, PUNCH_COLS), _find(header, RESULT_COLS)
    notes = [i for i in (_find(header, (n,)) for n in NOTE_COLS) if i is not None]
    assert i_name is not None and i_date is not None  # the header row has both (_header_at)
    slots = [(i, m) for i, h in enumerate(header) if (m := SLOT.match(h))]
    for rec in nonblank[at + 1 :]:
        record = rec_name(rec.line)
        if extra_fields(header, rec):
            result.reject(record, f"{len(rec.fields)} fields but the header has {len(header)}: a broken row")
            continue
        cells = _row(header, rec)
        person = cells[i_name]
        uid = cells[i_uid] if i_uid is not None else ""
        emp = cells[i_emp] if i_emp is not None else ""
        if not (person or uid or emp):
            result.reject(record, "no 姓名, UserId or 工号: whose punch is it?")
            continue
        try:
            day = parse_day(cells[i_date])
        except ValueError:
            result.reject(record, f"{header[i_date]} {cells[i_date]!r}: not a date (e.g. 25-10-09 星期四)")
            continue
        base = dict(
            platform="dingtalk",
            person_name=person or None,
            userid=uid or None,
            employee_no=emp or None,
            department=(cells[i_dept] or None) if i_dept is not None else None,
            email=None,
            work_date=day,
            source_file=src.rel,
            record=record,
        )
        note = " ".join(cells[i] for i in notes)
        outcome = cells[i_result] if i_result is not None else ""
        # (punch text, scheduled time, 上班/下班, result) of each punch this row holds
        punches: list[tuple[str, str | None, str | None, str]] = []
        if i_sched is not None and i_punch is not None:  # 原始记录: one row per punch
            planned = cells[i_sched]
            kind = "上班" if "上班" in planned else "下班" if "下班" in planned else None
            punches.append((cells[i_punch], re.sub(r"[^\d:]", "", planned) or None, kind, outcome))
        elif slots:
            for i, m in slots:
                res_i = _find(header, (f"{m[1]}{m[2]}打卡结果",))
                punches.append((cells[i], None, m[1], cells[res_i] if res_i is not None else outcome))
        else:  # 打卡时间 sheet: every time of the day in one cell, earliest first
            assert i_punch is not None  # _sheet_kind: a 打卡时间 column, or slot columns
            times = [t for t in re.split(r"[\s,，;；、]+", cells[i_punch]) if t]
            punches = [(t, None, "上班" if n == 0 else None, outcome) for n, t in enumerate(times)] or [
                ("", None, None, outcome)
            ]
        for text, sched, kind, res in punches:
            flags = _flags(res, note)
            try:
                clock_at = parse_punch(text, day, tz) if text and not flags["is_missing"] else None
            except ValueError:
                result.reject(
                    record, f"{header[i_punch] if i_punch is not None else '打卡时间'} {text!r}: not a clock time"
                )
                break
            if clock_at is None and not (flags["is_missing"] or flags["leave_type"] or res):
                continue  # an empty slot (no second shift) says nothing
            result.add(
                TABLE,
                dict(
                    base,
                    clock_at=clock_at,
                    scheduled_time=sched,
                    punch_type=kind,
                    result=res or None,
                    is_field=flags["is_field"],
                    is_correction=flags["is_correction"],
                    leave_type=flags["leave_type"],
                ),
            )

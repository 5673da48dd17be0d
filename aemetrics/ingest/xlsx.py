"""Excel workbooks (.xlsx, also .xlsm/.xls/.ods as calamine reads them) as tables of text cells.

Every parser that accepts a CSV accepts a workbook too: it asks `is_workbook(path)` (the file's
content decides, not its name) and reads `workbook_tables(path)`, one `csvread.Table` per sheet,
whose records carry the sheet's 1-based row number in `line` (name them with `record_name`).
Cells become text the CSV parsers already read:

- text as written (ends stripped); whole numbers without `.0` (`45939`), others as Python
  writes them; booleans `true` / `false`;
- a cell Excel stores as a date/time (a date-formatted serial number) becomes ISO text without
  an offset: `2025-10-09T09:03:00`, `2025-10-09` (date only), `09:03:00` (time only). Excel has
  no time zones: the parser decides the zone (docs/formats.md, "Excel workbooks");
- an unformatted number in a date column is an Excel serial number: `from_serial(45939.375)`.

Read with python-calamine (a maintained Rust reader; it never evaluates formulas, it reads their
cached values). A workbook that cannot be opened (encrypted, broken zip, not a workbook) is a
ParseError naming why.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aemetrics.ingest.base import ParseError
from aemetrics.ingest.csvread import Record, Table, clean_header

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and encrypted .xlsx) are OLE2 files
EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug
MAX_SERIAL = 2958465  # 9999-12-31


@dataclass(frozen=True)
class SheetRows:
    """One sheet: its name and every row from A1 (blank rows kept), cells as calamine gives them."""

    name: str
    rows: list[list[Any]]


def is_workbook(path: Path) -> bool:
    """An .xlsx/.xlsm (a zip holding xl/workbook.xml), an .ods, or an OLE2 .xls: by content."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    if head.startswith(OLE2):
        return path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb")  # .msg files are OLE2 too
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names and "mimetype" in names


MAX_UNPACKED = 512 * 1024 * 1024  # a workbook's parts, unpacked: beyond this it is a zip bomb
MAX_RATIO = 200  # ... or when they unpack to more than 200 times the file (real sheets: ~5-20)


def _check_size(path: Path) -> None:
    """Refuse a zip bomb before calamine unpacks it into memory."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (.xls): calamine says what it is
    packed = max(path.stat().st_size, 1)
    if unpacked > MAX_UNPACKED or (unpacked > 50 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        raise ParseError(f"workbook unpacks to {unpacked} bytes from {packed}: refused (a zip bomb?)")


def read_workbook(path: Path) -> list[SheetRows]:
    """Every worksheet of a workbook, in order; ParseError when it cannot be read."""
    import python_calamine

    _check_size(path)
    try:
        wb = python_calamine.load_workbook(str(path))
        out = []
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            out.append(SheetRows(name=name, rows=[list(r) for r in sheet.to_python(skip_empty_area=False)]))
        return out
    except ParseError:
        raise
    except Exception as exc:  # calamine raises its own errors, zip errors, password errors
        raise ParseError(f"cannot read the workbook: {type(exc).__name__}: {exc}") from None


def cell_text(value: Any) -> str:
    """A cell as the text a CSV of the same sheet would hold (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() if value.microsecond < 1000 else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, timedelta):
        seconds = int(round(value.total_seconds()))
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


def sheet_records(sheet: SheetRows) -> list[Record]:
    """Every row of a sheet as a csvread Record (blank rows included), `line` = row number."""
    return [Record(line=i + 1, fields=[cell_text(v) for v in row]) for i, row in enumerate(sheet.rows)]


def sheet_table(sheet: SheetRows, header_row: int | None = None) -> Table:
    """A sheet as a plain table: the header is `header_row` (1-based) or the first non-blank row."""
    records = [r for r in sheet_records(sheet) if not r.is_blank]
    if header_row is not None:
        records = [r for r in records if r.line >= header_row]
    if not records:
        raise ParseError(f"sheet {sheet.name}: no header: the sheet holds no records")
    head, rows = records[0], records[1:]
    header = [clean_header(h) for h in head.fields]
    while header and not header[-1]:  # calamine pads rows to the sheet's width
        header.pop()
    return Table(header=header, header_line=head.line, rows=rows, encoding="xlsx", delimiter="")


def workbook_tables(path: Path, kinds: Iterable[str] = ()) -> list[tuple[str, Table]]:
    """The sheets to read as tables: those named like one of `kinds` (case-insensitive, e.g. a
    sheet `Accounts` or `accounts 2024` for kind `accounts`), else the first non-empty sheet."""
    sheets = [s for s in read_workbook(path) if any(cell_text(v) for row in s.rows for v in row)]
    if not sheets:
        raise ParseError("empty workbook: no sheet holds any cell")
    wanted = [k.lower() for k in kinds]
    named = [s for s in sheets if any(k in s.name.lower() for k in wanted)]
    return [(s.name, sheet_table(s)) for s in (named or sheets[:1])]


def record_name(sheet: str, line: int) -> str:
    """The quarantine/raw `record` of a workbook row: `sheet Accounts row 5`."""
    return f"sheet {sheet} row {line}"


def from_serial(serial: float) -> datetime:
    """An Excel serial date number (1900 date system) as a naive datetime."""
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError("not an Excel date serial number")
    return EXCEL_EPOCH + timedelta(days=serial)


_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")


def is_serial(text: str) -> bool:
    """Text that is an Excel serial number (as cell_text writes an unformatted date cell)."""
    return bool(_SERIAL.match(text.strip()))


__all__ = [
    "SheetRows",
    "is_workbook",
    "read_workbook",
    "cell_text",
    "sheet_records",
    "sheet_table",
    "workbook_tables",
    "record_name",
    "from_serial",
    "is_serial",
]

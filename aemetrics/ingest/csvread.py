"""Robust reading of the CSV files users export from CRMs, Zoom, Teams and spreadsheets.

Real exports come in whatever encoding the exporting program chose (UTF-8 with or without a
BOM, UTF-16 with or without a BOM, GBK/GB18030 from Excel on Chinese Windows, cp1252 from
old Data Loader extracts) and with comma, tab or semicolon delimiters. Every record keeps the
1-based physical line where it starts, so quarantine and evidence can point at it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from aemetrics.ingest.base import ParseError

DELIMITERS = ("\t", ",", ";")  # in order of preference on a tie: prose has commas, rarely tabs
_LINE_END = re.compile(r"\r\n|\n|\r")  # the only line ends csv knows; str.splitlines knows more
# C0 controls other than tab/CR/LF (and FF, seen in pasted text): many of them means binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Record:
    line: int  # 1-based physical line where the record starts
    fields: list[str]

    @property
    def is_blank(self) -> bool:
        return all(not f.strip() for f in self.fields)


@dataclass(frozen=True)
class Sheet:
    """Every record of a file (blank ones included: block layouts need them)."""

    records: list[Record]
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class Table:
    """A plain CSV: the first non-blank record is the header, the other non-blank ones rows."""

    header: list[str]
    header_line: int
    rows: list[Record]
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with; ParseError when it is not text at all."""
    if not data:
        raise ParseError("empty file")
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(enc), enc), enc
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"starts with a {enc} byte-order mark but is not valid {enc}: {exc.reason} at byte {exc.start + len(bom)}"
                ) from exc
    if b"\x00" in data:
        return _decode_utf16_without_bom(data)
    for enc in ("utf-8", "gb18030", "cp1252"):
        try:
            return _checked(data.decode(enc), enc), enc
        except UnicodeDecodeError:
            continue
    # latin-1 maps every byte; reached only for cp1252's five undefined bytes.
    return _checked(data.decode("latin-1"), "latin-1"), "latin-1"


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str]:
    # ASCII-heavy UTF-16 has its NULs at odd offsets (LE) or even offsets (BE).
    sample = data[:4096]
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    enc = "utf-16-le" if odd >= even else "utf-16-be"
    if max(odd, even) < len(sample) // 8 or len(data) % 2:
        raise ParseError("not a text file: contains NUL bytes and does not look like UTF-16")
    try:
        return _checked(data.decode(enc), enc), enc
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a text file: contains NUL bytes and is not valid {enc}: {exc.reason}") from exc


def _checked(text: str, enc: str) -> str:
    if "\x00" in text:
        raise ParseError(f"not a text file: NUL characters after decoding as {enc}")
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise ParseError(f"not a text file: many control characters after decoding as {enc}")
    return text


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one found (outside quotes) on the most of the first lines."""
    lines = [ln for ln in _LINE_END.split(text[:65536])[:30] if ln.strip()]
    best, best_key = ",", (0, 0)
    for delim in DELIMITERS:
        counts = [_count_outside_quotes(ln, delim) for ln in lines]
        key = (sum(1 for c in counts if c), sum(counts))
        if key > best_key:
            best, best_key = delim, key
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def parse_text(text: str, delimiter: str | None = None) -> tuple[list[Record], str]:
    """Records with their starting physical lines (quoted fields may span lines)."""
    delimiter = delimiter or sniff_delimiter(text)
    pieces = _physical_lines(text)
    reader = csv.reader(pieces, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    records: list[Record] = []
    start = 1
    try:
        for fields in reader:
            records.append(Record(line=start, fields=fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"CSV syntax error in the record starting at line {start}: {exc}") from exc
    return records, delimiter


def _physical_lines(text: str) -> list[str]:
    pieces, pos = [], 0
    for m in _LINE_END.finditer(text):
        pieces.append(text[pos : m.end()])
        pos = m.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


def read_sheet(source: bytes | str | Path, delimiter: str | None = None) -> Sheet:
    data = _bytes(source)
    text, encoding = decode(data)
    records, delim = parse_text(text, delimiter)
    return Sheet(records=records, encoding=encoding, delimiter=delim)


def read_table(source: bytes | str | Path, delimiter: str | None = None) -> Table:
    """A plain CSV file: header (BOM and surrounding spaces stripped) and its non-blank rows."""
    sheet = read_sheet(source, delimiter)
    records = [r for r in sheet.records if not r.is_blank]
    if not records:
        raise ParseError("no header: the file holds no records")
    head, rows = records[0], records[1:]
    return Table(
        header=[clean_header(h) for h in head.fields],
        header_line=head.line,
        rows=rows,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
    )


def clean_header(name: str) -> str:
    return name.replace("\ufeff", "").strip()


def row_dict(header: list[str], record: Record) -> dict[str, str]:
    """A row keyed by header name (first occurrence wins); short rows are padded with ''."""
    out: dict[str, str] = {}
    for i, name in enumerate(header):
        if name not in out:
            out[name] = record.fields[i] if i < len(record.fields) else ""
    return out


def extra_fields(header: list[str], record: Record) -> list[str]:
    """Non-empty values beyond the header's width: a sign of a broken (shifted) row."""
    return [f for f in record.fields[len(header) :] if f.strip()]


def _bytes(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from exc


__all__ = [
    "Record",
    "Sheet",
    "Table",
    "decode",
    "sniff_delimiter",
    "parse_text",
    "read_sheet",
    "read_table",
    "clean_header",
    "row_dict",
    "extra_fields",
]

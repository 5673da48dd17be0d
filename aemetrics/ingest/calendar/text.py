"""Text -> components: decode an .ics file, unfold its content lines leniently and cut them into
the components under VCALENDAR, so that one broken component never costs the others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aemetrics.ingest.base import ParseError

# Components that stand directly under VCALENDAR: one starting closes an unclosed one.
_TOP_LEVEL = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
# 'NAME;...' or 'NAME:...' but not a bare URL ('https://...') in an unescaped description.
_PROPERTY_START = re.compile(r"^[A-Za-z0-9-]+(?:;|:(?!//)|$)")
_BEGIN_END = re.compile(r"^(?:BEGIN|END)\s*:", re.I)


def decode_ics(data: bytes, source_file: str) -> str:
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


def not_ical_reason(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return f"not iCalendar: looks like HTML/XML (e.g. a login page saved as .ics): {head[:60]!r}"
    return f"not iCalendar: no BEGIN:VCALENDAR or BEGIN:VEVENT line; starts with {head[:60]!r}"


def logical_lines(text: str) -> list[str]:
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
class Block:
    kind: str  # VEVENT, VTODO, VTIMEZONE, X-CUSTOM, ...
    lines: list[str]
    calendar: int  # the VCALENDAR it sits in


@dataclass
class Split:
    blocks: list[Block] = field(default_factory=list)
    headers: dict[int, list[str]] = field(default_factory=dict)  # calendar -> its property lines
    seen_begin: bool = False


def name_of(line: str) -> tuple[str, str]:
    """(upper-case name, text after the first colon) of a content line."""
    head, _, value = line.partition(":")
    return head.split(";", 1)[0].strip().upper(), value.strip()


def split_components(lines: list[str]) -> Split:
    """Cut lines into the components under VCALENDAR, tolerating missing and stray END lines.
    A VEVENT keeps only the properties read here: its VALARMs, ATTACHments, CATEGORIES and
    vendor X- properties cannot break it, and the 1.6 MB Google export parses faster."""
    out = Split()
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
            out.blocks.append(Block(stack[0], cur, calendar))
        cur = None
        stack.clear()

    for line in lines:
        name, value = name_of(line)
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

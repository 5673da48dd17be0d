"""mbox mailboxes: the real 'From ' separator lines (not 'From Russia with love' in a body),
verified Content-Length, and one row per message (split_mbox, parse_mbox)."""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.email.bodies import approval_flags, message_text_for_flags
from aemetrics.ingest.email.headers import BLANK_LINE, Headers
from aemetrics.ingest.email.rows import TABLE, build_row

MAX_HEADER_BYTES = 1 << 20  # a header block is never this long; bounds the search in garbage
_MONTH = rb"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_WEEKDAY = rb"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?[ \t]+"
_ENVELOPE_DATE = re.compile(
    rb"(?:" + _WEEKDAY + rb")?(?:" + _MONTH + rb"[ \t]+\d{1,2}|\d{1,2}[ \t]+" + _MONTH + rb"(?:[ \t]+\d{2,4})?)"
    rb"[ \t]+\d{1,2}:\d{2}",
    re.I,
)
_SEPARATOR = re.compile(rb"From (\S+)(?:[ \t]+(.*?))?[ \t]*")
# 'From <sender> <date>' where the date starts as _ENVELOPE_DATE wants: what _SEPARATOR and
# _ENVELOPE_DATE accept together, read in place (the date ends in a digit, before any trailing space)
_DATED_SEPARATOR = re.compile(rb"From \S+[ \t]+(?i:" + _ENVELOPE_DATE.pattern + rb")")
_FIELD_START = re.compile(rb"[!-9;-~]+[ \t]*:")


def looks_like_separator(buf: Any, p: int) -> tuple[bool, int]:
    """Is the line at p a real mbox 'From ' line? -> (answer, start of the next line).

    `From <sender> [<date>]`, where the sender is an address, '-' (Netscape/Thunderbird) or
    MAILER-DAEMON when no date follows; with a date (asctime or RFC 2822) any sender is taken.
    'From Russia with love' in a body is neither."""
    nl = buf.find(b"\n", p, p + 1000)
    if nl < 0:
        if len(buf) - p >= 1000:
            return False, p
        nl = len(buf)
    if _DATED_SEPARATOR.match(buf, p, nl) is not None:  # the usual line, without slicing it out
        return True, min(nl + 1, len(buf))
    m = _SEPARATOR.fullmatch(buf[p:nl].rstrip(b"\r"))
    if m is None:
        return False, p
    sender, rest = m.group(1), m.group(2)
    if rest:
        ok = _ENVELOPE_DATE.match(rest) is not None
    else:
        ok = sender == b"-" or b"@" in sender or sender.upper() == b"MAILER-DAEMON"
    return ok, min(nl + 1, len(buf))


def _separator_in_context(buf: Any, p: int, base: int) -> bool:
    """A real separator line that also sits where one can: at the start, after a blank line,
    or directly before a header field (Netscape and MimeKit mboxes have no blank line)."""
    ok, line_end = looks_like_separator(buf, p)
    if not ok:
        return False
    if p <= base or buf[p - 2 : p] == b"\n\n" or buf[p - 3 : p] == b"\n\r\n":
        return True
    return _FIELD_START.match(buf, line_end, min(len(buf), line_end + 200)) is not None


def _next_separator(buf: Any, pos: int, end: int, base: int) -> int | None:
    """The first real separator line starting in [pos, end) (pos is at a line start or on its '\\n')."""
    if pos <= base and _separator_in_context(buf, base, base):
        return base
    while True:
        i = buf.find(b"\nFrom ", max(pos - 1, 0), end)
        if i < 0:
            return None
        if _separator_in_context(buf, i + 1, base):
            return i + 1
        pos = i + 2


def _content_length_end(buf: Any, body_start: int, value: bytes | None) -> int | None:
    """Where Content-Length says the message ends, if a separator (or the end of file) is there."""
    try:
        length = int(value.strip()) if value else -1
    except ValueError:
        return None
    if length < 0:
        return None
    target = body_start + length
    if target >= len(buf):
        return len(buf) if target == len(buf) else None
    for skip in (0, 1, 2):
        p = target + skip
        if buf[p : p + 5] == b"From " and (skip == 0 or buf[target:p] in (b"\n", b"\r\n")):
            if looks_like_separator(buf, p)[0]:
                return p
    if len(buf) - target <= 64 and not buf[target:].strip():  # only line breaks left
        return len(buf)
    return None


class MboxMessage:
    __slots__ = ("number", "header_start", "header_end", "body_start", "end", "headers")

    def __init__(
        self, number: int, header_start: int, header_end: int, body_start: int, end: int, headers: Headers
    ) -> None:
        self.number, self.header_start, self.header_end = number, header_start, header_end
        self.body_start, self.end, self.headers = body_start, end, headers


def split_mbox(buf: Any, base: int = 0) -> Iterator[MboxMessage]:
    """The messages of an mbox, in order. A message ends where its verified Content-Length
    says, else at the next real separator line (see _separator_in_context)."""
    pos = _next_separator(buf, base, len(buf), base)
    number = 0
    while pos is not None:
        number += 1
        nl = buf.find(b"\n", pos)
        header_start = len(buf) if nl < 0 else nl + 1
        if buf[header_start : header_start + 1] == b"\n" or buf[header_start : header_start + 2] == b"\r\n":
            header_end = header_start
            body_start = header_start + (1 if buf[header_start : header_start + 1] == b"\n" else 2)
        else:
            m = BLANK_LINE.search(buf, header_start, header_start + MAX_HEADER_BYTES)
            if m:
                header_end, body_start = m.start() + 1, m.end()
            else:  # no blank line: a headers-only (or cut) message, or garbage
                header_end = body_start = min(len(buf), header_start + MAX_HEADER_BYTES)
        # a message cut before its blank line, directly followed by the next one
        nxt = _next_separator(buf, header_start, header_end, base)
        if nxt is not None:
            yield MboxMessage(number, header_start, nxt, nxt, nxt, Headers(buf[header_start:nxt]))
            pos = nxt
            continue
        headers = Headers(buf[header_start:header_end])
        cl = headers.fields.get("content-length")
        end = _content_length_end(buf, body_start, cl[0]) if cl else None
        if end is not None:
            nxt = end if end < len(buf) else None
        else:
            nxt = _next_separator(buf, body_start, len(buf), base)
            end = len(buf) if nxt is None else nxt
        headers._buf, headers._body = buf, (body_start, min(end, body_start + 16384))
        yield MboxMessage(number, header_start, header_end, body_start, end, headers)
        pos = nxt


_MBOXRD_QUOTE = re.compile(rb"^>(>*From )", re.M)


def parse_mbox(src: SourceFile, settings: Settings) -> ParseResult:
    result = ParseResult(parser="mbox")
    with src.path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return result  # an empty mailbox folder: nothing to load, nothing lost
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            _read_mbox(buf, src, settings, result)
    return result


def _read_mbox(buf: Any, src: SourceFile, settings: Settings, result: ParseResult) -> None:
    base = 3 if buf[:3] == b"\xef\xbb\xbf" else 0
    first = _next_separator(buf, base, len(buf), base)
    if first is None:
        raise ParseError(f"{src.rel}: not an mbox file: no 'From ' separator line")
    if buf[base:first].strip():
        result.reject("preamble", f"{first - base} bytes before the first 'From ' line are not a message")
    for msg in split_mbox(buf, base):
        record = f"message {msg.number}"
        h = msg.headers
        if not h.usable:
            missing = "no From, To, Cc, Date, Subject or Message-ID header"
            if msg.end >= len(buf) and buf[len(buf) - 1 :] != b"\n":
                result.reject(record, f"truncated at the end of the file: {missing}")
            else:
                result.reject(record, missing if h.field_lines else "empty message: no header lines")
            continue
        # the text is read for the approval flags of minutes_signoff; stored only with store_bodies
        end = msg.end  # the line break before the next 'From ' line belongs to the mbox format
        if end < len(buf) and buf[end - 1 : end] == b"\n":
            end -= 2 if buf[end - 2 : end] == b"\r\n" else 1
        raw = buf[msg.header_start : max(end, msg.header_start)]
        if b">From " in raw:
            raw = _MBOXRD_QUOTE.sub(rb"\1", raw)
        text = message_text_for_flags(
            h, raw, raw[msg.body_start - msg.header_start :], store_bodies=settings.store_bodies
        )
        body = text if settings.store_bodies else None
        result.add(TABLE, build_row(h, source_file=src.rel, record=record, body_text=body, flags=approval_flags(text)))

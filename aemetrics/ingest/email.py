"""E-mail exports -> raw_email_messages: mbox mailboxes, single .eml files, Outlook .msg files.

Only headers are read unless settings.store_bodies: the header block of each message is
split with one regular expression and only the fields the warehouse keeps are decoded,
which is several times faster than Python's mailbox module (benchmarks/bench_mbox.py,
docs/benchmarks.md). Every decision on odd input is documented in docs/formats.md#email.
"""
from __future__ import annotations

import base64
import binascii
import email
import email.policy
import hashlib
import logging
import mmap
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile, utc
from aemetrics.ingest.email_headers import (
    MAX_TEXT,
    address_list,
    clean_text,
    decode_charset,
    decode_raw,
    decode_text,
    message_id,
    msg_ids,
    parse_addresses,
    parse_date,
)

TABLE = "raw_email_messages"
COLUMNS = (
    "message_id", "has_message_id", "sent_at", "date_header", "from_addr", "from_name", "to_addrs",
    "cc_addrs", "subject", "in_reply_to", "references", "auto_submitted", "precedence", "list_id",
    "x_autoreply", "content_type", "thread_index", "thread_topic", "gm_thread_id", "body_text",
    "source_file", "record",
)
SYNTHETIC_DOMAIN = "aemetrics.invalid"
# The fields kept; any other header is skipped without being decoded.
WANTED = frozenset({
    b"message-id", b"date", b"from", b"to", b"cc", b"subject", b"in-reply-to", b"references",
    b"auto-submitted", b"precedence", b"list-id", b"x-autoreply", b"x-autorespond",
    b"content-type", b"thread-index", b"thread-topic", b"x-gm-thrid",
    b"content-length", b"content-transfer-encoding",
})
MAX_HEADER_BYTES = 1 << 20  # a header block is never this long; bounds the search in garbage
USABLE = ("from", "to", "cc", "date", "subject", "message-id")  # a message needs one of these

log = logging.getLogger(__name__)


def email_kind(path: Path) -> str | None:
    """'mbox' | 'eml' | 'msg' from the file name; None for anything else."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in (".mbox", ".mbx") or name == "mbox":
        return "mbox"
    if suffix == ".eml":
        return "eml"
    if suffix == ".msg":
        return "msg"
    return _sniff_kind(path)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?\S?")


def _sniff_kind(path: Path) -> str | None:
    """Files without a telling suffix (maildir 'cur/1529425589.M6P2.host:2,S', Thunderbird's
    'Inbox'): decide from the first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(_OLE_MAGIC):
        return "msg"
    if head.startswith(b"From "):
        return "mbox"
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    return "eml" if _HEADER_LINE.match(first) else None


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """One e-mail export file -> rows of raw_email_messages (+ quarantined messages)."""
    kind = email_kind(src.path)
    if kind is None:
        raise ParseError(f"{src.rel}: not an e-mail file (expected .mbox, .mbx, a file named mbox, .eml or .msg)")
    try:
        if kind == "mbox":
            result = parse_mbox(src, settings)
        elif kind == "eml":
            result = parse_eml(src, settings)
        else:
            result = parse_msg(src, settings)
    except OSError as exc:
        raise ParseError(f"{src.rel}: cannot read the file: {exc}") from exc
    return list_undated(result)


UNDATED = "loaded, but no standard can use a message without a date"


def list_undated(result: ParseResult) -> ParseResult:
    """A message without a usable Date stays in raw_email_messages and is also listed in
    quarantine with the reason (STANDARDS.md: nothing disappears silently)."""
    for row in result.rows.get(TABLE, []):
        if row["sent_at"] is None:
            header = row.get("date_header")
            problem = f"unusable Date header {header!r}" if header else "no Date header"
            result.reject(row["record"], f"{problem}: {UNDATED}")
    return result


# ---------------------------------------------------------------- header blocks

# Unfolding: a line break not followed by a new field continues the field before it. That is
# RFC 5322 folding (the next line starts with a space) and also the folding some senders do
# without the space (=?utf-8?B?...?= at the start of a line). Whitespace runs are collapsed later.
_UNFOLD = re.compile(rb"\r?\n(?![!-9;-~]+[ \t]*:|\r?\n|\Z)")
_FIELD_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*([^\r\n]*)", re.M)
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]+)""", re.I)
_BLANK_LINE = re.compile(rb"\n\r?\n")


class Headers:
    """The kept fields of one header block, decoded on demand (first occurrence wins)."""

    def __init__(self, block: bytes, buf: Any = b"", body_start: int = 0, body_end: int = 0) -> None:
        self.block = block
        # the body's first charset= is the hint for raw 8-bit headers of a multipart message
        self._buf, self._body = buf, (body_start, min(body_end, body_start + 16384))
        self.fields: dict[str, list[bytes]] = {}
        self.field_lines = 0
        for name, value in _FIELD_LINE.findall(_UNFOLD.sub(b" ", block)):
            self.field_lines += 1
            name = name.lower()
            if name in WANTED:
                self.fields.setdefault(name.decode(), []).append(value)
        self._hint: str | None | bool = False

    def _charset_hint(self) -> str | None:
        if self._hint is False:
            m = _CHARSET_PARAM.search(b"\n".join(self.fields.get("content-type", [])))
            if m is None:
                m = _CHARSET_PARAM.search(self._buf, *self._body)
            self._hint = m.group(1).decode("ascii") if m else None
        return self._hint  # type: ignore[return-value]

    def _decode(self, value: bytes) -> str:
        if value.isascii():
            return value.decode("ascii")
        return decode_raw(value, self._charset_hint())

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.fields.get(name)
        return self._decode(values[0]).strip() if values else default

    def get_all(self, name: str) -> list[str]:
        return [self._decode(v) for v in self.fields.get(name, [])]

    @property
    def usable(self) -> bool:
        return any(self.fields.get(n) for n in USABLE)


def synthetic_id(raw_header: bytes) -> str:
    """A deterministic id for a message without Message-ID: the SHA-1 of its header block
    with line endings normalised, so the same message in an mbox and as .eml gets one id."""
    normalized = b"\n".join(line.rstrip() for line in raw_header.replace(b"\r\n", b"\n").split(b"\n")).strip()
    return f"{hashlib.sha1(normalized).hexdigest()}@{SYNTHETIC_DOMAIN}"


def _scalar(value: str | None) -> str | None:
    return clean_text(value) if value is not None else None


def build_row(h: Headers, *, source_file: str, record: str, body_text: str | None) -> dict[str, Any]:
    """The raw_email_messages row of one parsed header block."""
    mid = message_id(h.get("message-id"))
    date_header = _scalar(h.get("date"))
    senders = parse_addresses(h.get("from"))
    from_name, from_addr = senders[0] if senders else (None, None)
    if from_addr is None and h.get("from"):  # 'From: Undisclosed' - keep who it claims to be
        from_name = decode_text(h.get("from", "").strip("<> "), 500)
    auto = None
    # Not X-Auto-Response-Suppress: it asks others not to auto-reply to this message and is set
    # on person-written mail too (docs/decisions.md, E-mail).
    for name in ("x-autoreply", "x-autorespond"):
        if (auto := _scalar(h.get(name))) is not None:
            break
    return {
        "message_id": mid or synthetic_id(h.block),
        "has_message_id": mid is not None,
        "sent_at": parse_date(date_header),
        "date_header": date_header,
        "from_addr": from_addr,
        "from_name": from_name,
        "to_addrs": address_list(*h.get_all("to")),
        "cc_addrs": address_list(*h.get_all("cc")),
        "subject": decode_text(h.get("subject")),
        "in_reply_to": next(iter(msg_ids(h.get("in-reply-to"))), None),
        "references": msg_ids(" ".join(h.get_all("references"))),
        "auto_submitted": _scalar(h.get("auto-submitted")),
        "precedence": _scalar(h.get("precedence")),
        "list_id": decode_text(h.get("list-id")),
        "x_autoreply": auto,
        "content_type": _content_type(h.get("content-type")),
        "thread_index": _scalar(h.get("thread-index")),
        "thread_topic": decode_text(h.get("thread-topic")),
        "gm_thread_id": _scalar(h.get("x-gm-thrid")),
        "body_text": body_text,
        "source_file": source_file,
        "record": record,
    }


_MIME_TYPE = re.compile(r"\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)")


def _content_type(value: str | None) -> str | None:
    """'Multipart/Report; report-type=...' -> 'multipart/report'; None when absent or malformed."""
    m = _MIME_TYPE.match(value or "")
    return m.group(1).lower()[:200] if m else None


def message_text(h: Headers, raw_message: bytes, body: bytes) -> str | None:
    """The message's text (only with store_bodies): a single-part text/plain body is decoded
    directly; anything else goes through Python's MIME parser (body_of)."""
    if _content_type(h.get("content-type")) not in (None, "text/plain"):
        return body_of(raw_message)
    cte = (h.get("content-transfer-encoding") or "").strip().lower()
    try:
        if cte == "base64":
            body = binascii.a2b_base64(body)
        elif cte == "quoted-printable":
            body = binascii.a2b_qp(body)
    except (binascii.Error, ValueError):
        return body_of(raw_message)
    m = _CHARSET_PARAM.search((h.get("content-type") or "").encode("ascii", "replace"))
    text = decode_charset(body, m.group(1).decode("ascii")) if m else decode_raw(body)
    return text.replace("\x00", "")


def body_of(raw_message: bytes) -> str | None:
    """The first text/plain part that is not an attachment, decoded, via Python's MIME parser."""
    try:
        msg = email.message_from_bytes(raw_message, policy=email.policy.compat32)
        for part in msg.walk():
            if part.get_content_type() != "text/plain":
                continue
            if (part.get("Content-Disposition") or "").strip().lower().startswith("attachment"):
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = part.get_content_charset()
                text = decode_charset(payload, charset) if charset else decode_raw(payload)
                return text.replace("\x00", "")
        return None
    except Exception:  # a broken MIME structure must not cost the message its header row
        log.debug("body not readable", exc_info=True)
        return None


# ---------------------------------------------------------------- .eml

def parse_eml(src: SourceFile, settings: Settings) -> ParseResult:
    result = ParseResult(parser="eml")
    data = src.path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    start = len(data) - len(data.lstrip(b"\r\n"))
    if data.startswith(b"From ", start) and _looks_like_separator(data, start)[0]:  # cut from an mbox
        nl = data.find(b"\n", start)
        start = len(data) if nl < 0 else nl + 1
    m = _BLANK_LINE.search(data, start)
    if data.startswith(b"\n", start) or data.startswith(b"\r\n", start):
        block_end, body_start = start, start + (1 if data[start:start + 1] == b"\n" else 2)
    elif m:
        block_end, body_start = m.start() + 1, m.end()
    else:
        block_end = body_start = len(data)
    h = Headers(data[start:block_end], data, body_start, len(data))
    if h.field_lines == 0:
        raise ParseError(f"{src.rel}: not an e-mail message: no header lines")
    if not h.usable:
        raise ParseError(f"{src.rel}: not an e-mail message: no From, To, Cc, Date, Subject or Message-ID header")
    body = message_text(h, data[start:], data[body_start:]) if settings.store_bodies else None
    result.add(TABLE, build_row(h, source_file=src.rel, record="file", body_text=body))
    return result


# ---------------------------------------------------------------- mbox

_MONTH = rb"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_WEEKDAY = rb"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?[ \t]+"
_ENVELOPE_DATE = re.compile(
    rb"(?:" + _WEEKDAY + rb")?(?:" + _MONTH + rb"[ \t]+\d{1,2}|\d{1,2}[ \t]+" + _MONTH + rb"(?:[ \t]+\d{2,4})?)"
    rb"[ \t]+\d{1,2}:\d{2}",
    re.I,
)
_SEPARATOR = re.compile(rb"From (\S+)(?:[ \t]+(.*?))?[ \t]*")
_FIELD_START = re.compile(rb"[!-9;-~]+[ \t]*:")


def _looks_like_separator(buf: Any, p: int) -> tuple[bool, int]:
    """Is the line at p a real mbox 'From ' line? -> (answer, start of the next line).

    `From <sender> [<date>]`, where the sender is an address, '-' (Netscape/Thunderbird) or
    MAILER-DAEMON when no date follows; with a date (asctime or RFC 2822) any sender is taken.
    'From Russia with love' in a body is neither."""
    nl = buf.find(b"\n", p, p + 1000)
    if nl < 0:
        if len(buf) - p >= 1000:
            return False, p
        nl = len(buf)
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
    ok, line_end = _looks_like_separator(buf, p)
    if not ok:
        return False
    if p <= base or buf[p - 2:p] == b"\n\n" or buf[p - 3:p] == b"\n\r\n":
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
        if buf[p:p + 5] == b"From " and (skip == 0 or buf[target:p] in (b"\n", b"\r\n")):
            if _looks_like_separator(buf, p)[0]:
                return p
    if len(buf) - target <= 64 and not buf[target:].strip():  # only line breaks left
        return len(buf)
    return None


class MboxMessage:
    __slots__ = ("number", "header_start", "header_end", "body_start", "end", "headers")

    def __init__(self, number: int, header_start: int, header_end: int, body_start: int, end: int,
                 headers: Headers) -> None:
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
        if buf[header_start:header_start + 1] == b"\n" or buf[header_start:header_start + 2] == b"\r\n":
            header_end = header_start
            body_start = header_start + (1 if buf[header_start:header_start + 1] == b"\n" else 2)
        else:
            m = _BLANK_LINE.search(buf, header_start, header_start + MAX_HEADER_BYTES)
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
        end = _content_length_end(buf, body_start, cl[0] if cl else None)
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
            if msg.end >= len(buf) and buf[len(buf) - 1:] != b"\n":
                result.reject(record, f"truncated at the end of the file: {missing}")
            else:
                result.reject(record, missing if h.field_lines else "empty message: no header lines")
            continue
        body = None
        if settings.store_bodies:
            end = msg.end  # the line break before the next 'From ' line belongs to the mbox format
            if end < len(buf) and buf[end - 1:end] == b"\n":
                end -= 2 if buf[end - 2:end] == b"\r\n" else 1
            raw = buf[msg.header_start:max(end, msg.header_start)]
            if b">From " in raw:
                raw = _MBOXRD_QUOTE.sub(rb"\1", raw)
            body = message_text(h, raw, raw[msg.body_start - msg.header_start:])
        result.add(TABLE, build_row(h, source_file=src.rel, record=record, body_text=body))


# ---------------------------------------------------------------- Outlook .msg

# Message classes that are e-mail. Meeting requests, responses and cancellations travel as
# mail between people (and can carry an agenda), so they load; delivery reports (REPORT.*)
# load like bounces do from mbox. Contacts, notes, appointments, tasks, journal entries and
# posts are items of a mailbox, not messages anyone sent: quarantined.
MAIL_CLASSES = ("ipm.note", "ipm.schedule.meeting.", "report.", "ipm.outlook.recall", "ipm.sharing")
# ANSI (non-Unicode) .msg without PR_MESSAGE_CODEPAGE: the code page from the locale id.
_LCID_CODEPAGE = {1041: "cp932", 2052: "gb18030", 4100: "gb18030", 1028: "cp950", 3076: "cp950",
                  5124: "cp950", 1042: "cp949", 1049: "cp1251", 1058: "cp1251", 1032: "cp1253",
                  1037: "cp1255", 1025: "cp1256", 1054: "cp874", 1055: "cp1254", 1066: "cp1258"}
_CPID_CODEPAGE = {932: "cp932", 50220: "cp932", 50221: "cp932", 50222: "cp932", 51932: "cp932",
                  936: "gb18030", 54936: "gb18030", 20936: "gb18030", 52936: "gb18030",
                  950: "cp950", 949: "cp949", 51949: "cp949", 50225: "cp949"}


def is_mail_class(message_class: str) -> bool:
    """Is an Outlook message class (PR_MESSAGE_CLASS) an e-mail? See MAIL_CLASSES."""
    return message_class.strip().lower().startswith(MAIL_CLASSES)


def _open_msg(path: Path, **kwargs: Any) -> Any:
    from extract_msg import openMsg  # imported lazily: it is slow to import

    return openMsg(str(path), delayAttachments=True, strict=False, **kwargs)


def _ansi_codepage(msg: Any) -> str | None:
    """The code page of PT_STRING8 properties when extract_msg would guess Latin-9."""
    try:
        if msg.areStringsUnicode or "3FFD0003" in msg.props:
            return None
        lcid = msg.getPropertyVal("3FF10003")
        cpid = msg.getPropertyVal("3FDE0003")
    except Exception:
        return None
    return _LCID_CODEPAGE.get(lcid) or _CPID_CODEPAGE.get(cpid)


def parse_msg(src: SourceFile, settings: Settings) -> ParseResult:
    result = ParseResult(parser="msg")
    logging.getLogger("extract_msg").setLevel(logging.ERROR)  # it warns about every odd property
    try:
        msg = _open_msg(src.path)
    except Exception as exc:
        raise ParseError(f"{src.rel}: not an Outlook .msg file: {exc}") from exc
    try:
        codepage = _ansi_codepage(msg)
        if codepage:
            msg.close()
            msg = _open_msg(src.path, overrideEncoding=codepage)
        cls = (msg.classType or "").replace("\x00", "").strip()
        if not is_mail_class(cls):
            result.reject("file", f"Outlook item of class {cls or '(none)'} is not an e-mail")
            return result
        row = _msg_row(msg, src, settings)
        if not (row["has_message_id"] or row["sent_at"] or row["from_addr"] or row["from_name"]
                or row["to_addrs"] or row["cc_addrs"] or row["subject"]):
            result.reject("file", f"Outlook {cls} without sender, recipients, date, subject or Message-ID "
                                  "(an empty draft)")
            return result
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(f"{src.rel}: Outlook .msg file not readable: {type(exc).__name__}: {exc}") from exc
    finally:
        try:
            msg.close()
        except Exception:
            pass
    result.add(TABLE, row)
    return result


def _prop(msg: Any, tag: str) -> str | None:
    try:
        value = msg.getStringStream(f"__substg1.0_{tag}")
    except Exception:
        return None
    value = value.replace("\x00", "").strip() if isinstance(value, str) else None
    return value or None


def _smtp(*candidates: str | None) -> str | None:
    for c in candidates:
        if c and "@" in c and " " not in c.strip():
            return c.strip().lower()
    return None


def _msg_recipients(msg: Any, kind: int) -> list[str]:
    out: dict[str, None] = {}
    for r in getattr(msg, "recipients", None) or []:
        try:
            if int(r.type) != kind:
                continue
            addr = _smtp(r.smtpAddress, r.email)
        except Exception:
            continue
        if addr:
            out.setdefault(addr, None)
    return list(out)


def _msg_row(msg: Any, src: SourceFile, settings: Settings) -> dict[str, Any]:
    """A .msg as a header block: the transport headers (what the message carried on the wire)
    when saved, completed field by field from MAPI properties."""
    transport = _prop(msg, "007D") or ""
    if transport.startswith("Microsoft Mail Internet Headers Version 2.0"):
        transport = transport[43:].lstrip()
    raw = transport.encode("utf-8")
    h = Headers(_BLANK_LINE.split(raw.replace(b"\r\n", b"\n"), 1)[0] if raw else b"")
    row = build_row(h, source_file=src.rel, record="file", body_text=None)

    subject = _prop(msg, "0037")
    if subject is not None:  # MAPI holds the subject as the user saw it, already decoded
        row["subject"] = clean_text(subject)
    if not row["has_message_id"] and (mid := message_id(_prop(msg, "1035"))):
        row["message_id"], row["has_message_id"] = mid, True
    if row["sent_at"] is None:  # no Date header, or one that cannot be read
        sent = None
        try:
            if msg.isSent:
                sent = msg.props.date or msg.getPropertyVal("0E060040")
        except Exception:
            sent = None
        row["sent_at"] = utc(sent) if isinstance(sent, datetime) and sent.tzinfo else None
    if row["from_addr"] is None:
        name = _prop(msg, "0042") or _prop(msg, "0C1A")
        row["from_addr"] = _smtp(_prop(msg, "5D02"), _prop(msg, "0065"), _prop(msg, "5D01"), _prop(msg, "0C1F"))
        row["from_name"] = clean_text(name, 500) if name else row["from_name"]
    if not row["to_addrs"]:
        row["to_addrs"] = _msg_recipients(msg, 1)
    if not row["cc_addrs"]:
        row["cc_addrs"] = _msg_recipients(msg, 2)
    if row["in_reply_to"] is None:
        row["in_reply_to"] = next(iter(msg_ids(_prop(msg, "1042"))), None)
    if not row["references"]:
        row["references"] = msg_ids(_prop(msg, "1039"))
    if row["thread_index"] is None:
        try:
            index = msg.getStream("__substg1.0_00710102")
        except Exception:
            index = None
        row["thread_index"] = base64.b64encode(index).decode("ascii") if index else None
    if row["thread_topic"] is None:
        row["thread_topic"] = clean_text(_prop(msg, "0070"))
    if not row["has_message_id"]:
        row["message_id"] = _msg_synthetic_id(msg, raw, row)
    if settings.store_bodies:
        try:
            body = msg.body
            row["body_text"] = body.replace("\x00", "") if isinstance(body, str) else None
        except Exception:
            row["body_text"] = None
    return row


def _msg_synthetic_id(msg: Any, transport: bytes, row: dict[str, Any]) -> str:
    """From the transport headers when saved; else from what identifies the item in MAPI:
    PR_SEARCH_KEY (unique per message), creation time and the visible fields."""
    if transport.strip():
        return synthetic_id(transport)
    try:
        search_key = (msg.getStream("__substg1.0_300B0102") or b"").hex()
        created = msg.getPropertyVal("30070040")
    except Exception:
        search_key, created = "", None
    fields = [search_key, str(created or "")] + [
        str(row.get(k) or "") for k in ("subject", "from_addr", "sent_at", "to_addrs", "cc_addrs", "thread_index")]
    return synthetic_id("\n".join(fields).encode("utf-8"))


__all__ = ["parse", "parse_mbox", "parse_eml", "parse_msg", "split_mbox", "email_kind", "is_mail_class", "Headers",
           "build_row", "synthetic_id", "TABLE", "COLUMNS", "MAX_TEXT"]

"""Outlook .msg files (extract_msg): the transport headers when saved, completed field by
field from MAPI properties; items that are not e-mail are quarantined."""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile, utc
from aemetrics.ingest.email.bodies import approval_flags
from aemetrics.ingest.email.headers import BLANK_LINE, Headers
from aemetrics.ingest.email.msgids import message_id, msg_ids
from aemetrics.ingest.email.rows import TABLE, build_row, synthetic_id
from aemetrics.ingest.email.text import clean_text

# Message classes that are e-mail. Meeting requests, responses and cancellations travel as
# mail between people (and can carry an agenda), so they load; delivery reports (REPORT.*)
# load like bounces do from mbox. Contacts, notes, appointments, tasks, journal entries and
# posts are items of a mailbox, not messages anyone sent: quarantined.
MAIL_CLASSES = ("ipm.note", "ipm.schedule.meeting.", "report.", "ipm.outlook.recall", "ipm.sharing")
# ANSI (non-Unicode) .msg without PR_MESSAGE_CODEPAGE: the code page from the locale id.
LCID_CODEPAGE = {
    1041: "cp932",
    2052: "gb18030",
    4100: "gb18030",
    1028: "cp950",
    3076: "cp950",
    5124: "cp950",
    1042: "cp949",
    1049: "cp1251",
    1058: "cp1251",
    1032: "cp1253",
    1037: "cp1255",
    1025: "cp1256",
    1054: "cp874",
    1055: "cp1254",
    1066: "cp1258",
}
CPID_CODEPAGE = {
    932: "cp932",
    50220: "cp932",
    50221: "cp932",
    50222: "cp932",
    51932: "cp932",
    936: "gb18030",
    54936: "gb18030",
    20936: "gb18030",
    52936: "gb18030",
    950: "cp950",
    949: "cp949",
    51949: "cp949",
    50225: "cp949",
}


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
    return LCID_CODEPAGE.get(lcid) or CPID_CODEPAGE.get(cpid)


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
        if not (
            row["has_message_id"]
            or row["sent_at"]
            or row["from_addr"]
            or row["from_name"]
            or row["to_addrs"]
            or row["cc_addrs"]
            or row["subject"]
        ):
            result.reject(
                "file", f"Outlook {cls} without sender, recipients, date, subject or Message-ID (an empty draft)"
            )
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
    h = Headers(BLANK_LINE.split(raw.replace(b"\r\n", b"\n"), 1)[0] if raw else b"")
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
    try:  # read for the approval flags of minutes_signoff; stored only with store_bodies
        body = msg.body
        text = body.replace("\x00", "") if isinstance(body, str) else None
    except Exception:
        text = None
    row["has_approval_word"], row["has_negation_word"] = approval_flags(text)
    row["body_text"] = text if settings.store_bodies else None
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
        str(row.get(k) or "") for k in ("subject", "from_addr", "sent_at", "to_addrs", "cc_addrs", "thread_index")
    ]
    return synthetic_id("\n".join(fields).encode("utf-8"))

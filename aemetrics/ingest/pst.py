"""Outlook personal folders (.pst) and offline folders (.ost) -> raw_email_messages, read with
libpff-python (pypff). Every mail item of every folder becomes one row shaped like the .msg and
.eml rows (email.build_row): the transport headers saved with the item are read as an .eml
header block, and what they lack comes from MAPI properties. Appointments, contacts, tasks,
notes and other non-mail items are skipped and counted: one quarantine entry per message class.
Recognised by content (the `!BDN` signature), not by name. docs/formats.md, "Outlook .pst / .ost".
"""

from __future__ import annotations

import base64
import builtins
import codecs
import logging
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile, utc
from aemetrics.ingest.email import TABLE, Headers, build_row, is_mail_class, list_undated, synthetic_id
from aemetrics.ingest.email.bodies import approval_flags
from aemetrics.ingest.email.charsets import decode_raw
from aemetrics.ingest.email.headers import BLANK_LINE
from aemetrics.ingest.email.msg import CPID_CODEPAGE, LCID_CODEPAGE
from aemetrics.ingest.email.msgids import message_id, msg_ids
from aemetrics.ingest.email.text import clean_text

log = logging.getLogger(__name__)

PST_MAGIC = b"!BDN"
# MAPI property tags read here (PR_*)
MESSAGE_CLASS, SUBJECT, SENDER_NAME, SENT_REPR_NAME = 0x001A, 0x0037, 0x0C1A, 0x0042
SENT_REPR_EMAIL, SENDER_EMAIL, SENDER_SMTP, SENT_REPR_SMTP = 0x0065, 0x0C1F, 0x5D01, 0x5D02
INTERNET_MESSAGE_ID, IN_REPLY_TO, REFERENCES = 0x1035, 0x1042, 0x1039
CONVERSATION_INDEX, CONVERSATION_TOPIC, MESSAGE_FLAGS = 0x0071, 0x0070, 0x0E07
SEARCH_KEY, CREATION_TIME = 0x300B, 0x3007
MESSAGE_CODEPAGE, INTERNET_CPID, LOCALE_ID = 0x3FFD, 0x3FDE, 0x3FF1
RECIPIENT_TYPE, EMAIL_ADDRESS, SMTP_ADDRESS = 0x0C15, 0x3003, 0x39FE
MSGFLAG_UNSENT = 0x8
PT_STRING8, PT_UNICODE, PT_LONG = 0x1E, 0x1F, 0x03


def is_pst(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == PST_MAGIC
    except OSError:
        return False


class Props:
    """The properties of one record set (a message, or one recipient), by tag."""

    def __init__(self, record_set: Any, codepage: str = "cp1252") -> None:
        self.entries: dict[int, Any] = {}
        for entry in record_set.entries:
            self.entries.setdefault(entry.entry_type, entry)
        self.codepage = codepage

    def raw(self, tag: int) -> bytes | None:
        entry = self.entries.get(tag)
        try:
            return entry.data if entry is not None else None
        except Exception:
            return None

    def int(self, tag: int) -> int | None:
        data = self.raw(tag)
        entry = self.entries.get(tag)
        if data is None or entry is None or entry.value_type != PT_LONG or len(data) < 4:
            return None
        return struct.unpack("<i", data[:4])[0]

    def str(self, tag: builtins.int) -> str | None:  # builtins: `int` here is the method above
        entry, data = self.entries.get(tag), self.raw(tag)
        if entry is None or not data:
            return None
        if entry.value_type == PT_UNICODE:
            text = data.decode("utf-16-le", "replace")
        elif entry.value_type == PT_STRING8:
            text = data.decode(self.codepage, "replace")
        else:
            return None
        text = text.replace("\x00", "").strip()
        return text or None

    def time(self, tag: builtins.int) -> datetime | None:
        entry = self.entries.get(tag)
        try:
            value = entry.data_as_datetime if entry is not None else None
        except Exception:
            return None
        if not isinstance(value, datetime) or value.year < 1971:
            return None
        return utc(value.replace(tzinfo=UTC)) if value.tzinfo is None else utc(value)


def _codepage(props: Props) -> str:
    """The code page of the item's PT_STRING8 properties (ANSI files)."""
    cp = props.int(MESSAGE_CODEPAGE)
    if cp == 65001:
        return "utf-8"
    if cp in CPID_CODEPAGE:
        return CPID_CODEPAGE[cp]
    if cp and cp > 0:
        try:
            codecs.lookup(f"cp{cp}")
            return f"cp{cp}"
        except LookupError:
            pass
    return LCID_CODEPAGE.get(props.int(LOCALE_ID) or 0) or CPID_CODEPAGE.get(props.int(INTERNET_CPID) or 0) or "cp1252"


def _smtp(*candidates: str | None) -> str | None:
    for c in candidates:
        if c and "@" in c and " " not in c.strip():
            return c.strip().lower()
    return None


def walk(folder: Any, path: str = "") -> Iterator[tuple[str, int, Any]]:
    """(folder path, 1-based position, item) for every item of every folder, depth first."""
    for i in range(folder.number_of_sub_messages):
        try:
            item = folder.get_sub_message(i)
        except Exception as exc:
            yield path, i + 1, exc
            continue
        yield path, i + 1, item
    for j in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(j)
        name = (sub.name or f"folder {j + 1}").replace("\x00", "").strip()
        yield from walk(sub, f"{path}/{name}" if path else name)


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    import pypff  # libpff-python

    result = ParseResult(parser="pst")
    pst = pypff.file()
    try:
        pst.open(str(src.path))
    except Exception as exc:
        raise ParseError(f"{src.rel}: not a readable Outlook .pst/.ost file: {exc}") from exc
    skipped: dict[str, int] = {}
    try:
        for folder, number, item in walk(pst.root_folder):
            record = f"item {number} in {folder or '(root)'}"
            if isinstance(item, Exception):
                result.reject(record, f"Outlook item not readable: {item}")
                continue
            try:
                props = Props(item.get_record_set(0))
                props.codepage = _codepage(props)
                cls = props.str(MESSAGE_CLASS) or ""
                if not is_mail_class(cls):
                    skipped[cls or "(none)"] = skipped.get(cls or "(none)", 0) + 1
                    continue
                row = _row(item, props, src, record, settings)
            except Exception as exc:
                log.debug("pst item", exc_info=True)
                result.reject(record, f"Outlook item not readable: {type(exc).__name__}: {exc}")
                continue
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
                    record, f"Outlook {cls} without sender, recipients, date, subject or Message-ID (an empty draft)"
                )
                continue
            result.add(TABLE, row)
    finally:
        try:
            pst.close()
        except Exception:
            pass
    for cls, count in sorted(skipped.items()):
        result.reject(
            f"items of class {cls}",
            f"{count} Outlook item{'s' if count > 1 else ''} of class {cls} skipped: not e-mail",
        )
    return list_undated(result)


def _recipients(item: Any, codepage: str) -> dict[int, list[str]]:
    out: dict[int, dict[str, None]] = {1: {}, 2: {}}
    recipients = item.recipients
    if recipients is None:
        return {k: [] for k in out}
    for i in range(recipients.number_of_record_sets):
        p = Props(recipients.get_record_set(i), codepage)
        kind = p.int(RECIPIENT_TYPE)
        addr = _smtp(p.str(SMTP_ADDRESS), p.str(EMAIL_ADDRESS))
        if kind in out and addr:
            out[kind].setdefault(addr, None)
    return {k: list(v) for k, v in out.items()}


def _row(item: Any, props: Props, src: SourceFile, record: str, settings: Settings) -> dict[str, Any]:
    """Transport headers first (what the message carried on the wire), completed from MAPI."""
    transport = item.transport_headers or ""
    if transport.startswith("Microsoft Mail Internet Headers Version 2.0"):
        transport = transport[43:].lstrip()
    raw = transport.encode("utf-8")
    h = Headers(BLANK_LINE.split(raw.replace(b"\r\n", b"\n"), 1)[0] if raw else b"")
    row = build_row(h, source_file=src.rel, record=record, body_text=None)

    subject = item.subject  # pypff strips the subject-prefix marker MAPI stores in PR_SUBJECT
    if subject:
        row["subject"] = clean_text(subject.replace("\x00", ""))
    if not row["has_message_id"] and (mid := message_id(props.str(INTERNET_MESSAGE_ID))):
        row["message_id"], row["has_message_id"] = mid, True
    if row["sent_at"] is None and not (props.int(MESSAGE_FLAGS) or 0) & MSGFLAG_UNSENT:
        row["sent_at"] = _time(item, "client_submit_time") or _time(item, "delivery_time")
    if row["from_addr"] is None:
        name = props.str(SENT_REPR_NAME) or props.str(SENDER_NAME)
        row["from_addr"] = _smtp(
            props.str(SENT_REPR_SMTP), props.str(SENT_REPR_EMAIL), props.str(SENDER_SMTP), props.str(SENDER_EMAIL)
        )
        row["from_name"] = clean_text(name, 500) if name else row["from_name"]
    if not row["to_addrs"] or not row["cc_addrs"]:
        recipients = _recipients(item, props.codepage)
        row["to_addrs"] = row["to_addrs"] or recipients[1]
        row["cc_addrs"] = row["cc_addrs"] or recipients[2]
    if row["in_reply_to"] is None:
        row["in_reply_to"] = next(iter(msg_ids(props.str(IN_REPLY_TO))), None)
    if not row["references"]:
        row["references"] = msg_ids(props.str(REFERENCES))
    if row["thread_index"] is None and (index := props.raw(CONVERSATION_INDEX)):
        row["thread_index"] = base64.b64encode(index).decode("ascii")
    if row["thread_topic"] is None:
        row["thread_topic"] = clean_text(props.str(CONVERSATION_TOPIC))
    if not row["has_message_id"]:
        row["message_id"] = _synthetic(props, raw, row)
    try:  # read for the approval flags of minutes_signoff; stored only with store_bodies
        body = item.plain_text_body
    except Exception:
        body = None
    text = decode_raw(body).replace("\x00", "") if isinstance(body, bytes) else None
    row["has_approval_word"], row["has_negation_word"] = approval_flags(text)
    row["body_text"] = text if settings.store_bodies else None
    return row


def _time(item: Any, name: str) -> datetime | None:
    try:
        value = getattr(item, name)
    except Exception:
        return None
    if not isinstance(value, datetime) or value.year < 1971:
        return None
    return utc(value.replace(tzinfo=UTC)) if value.tzinfo is None else utc(value)  # FILETIME is UTC


def _synthetic(props: Props, transport: bytes, row: dict[str, Any]) -> str:
    """As for .msg: over the transport headers when saved, else over PR_SEARCH_KEY, the creation
    time and the visible fields."""
    if transport.strip():
        return synthetic_id(transport)
    created = props.time(CREATION_TIME)
    fields = [(props.raw(SEARCH_KEY) or b"").hex(), created.isoformat() if created else ""] + [
        str(row.get(k) or "") for k in ("subject", "from_addr", "sent_at", "to_addrs", "cc_addrs", "thread_index")
    ]
    return synthetic_id("\n".join(fields).encode("utf-8"))


__all__ = ["parse", "is_pst", "PST_MAGIC"]

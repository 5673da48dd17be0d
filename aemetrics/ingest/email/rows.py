"""The raw_email_messages row of a parsed header block (build_row), and the synthetic id of a
message without Message-ID."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aemetrics.ingest.email.address_lists import address_list, parse_addresses
from aemetrics.ingest.email.dates import parse_date_header
from aemetrics.ingest.email.headers import Headers
from aemetrics.ingest.email.msgids import message_id, msg_ids
from aemetrics.ingest.email.text import clean_text, decode_text

TABLE = "raw_email_messages"
COLUMNS = (
    "message_id",
    "has_message_id",
    "sent_at",
    "date_header",
    "from_addr",
    "from_name",
    "to_addrs",
    "cc_addrs",
    "subject",
    "in_reply_to",
    "references",
    "auto_submitted",
    "precedence",
    "list_id",
    "x_autoreply",
    "content_type",
    "thread_index",
    "thread_topic",
    "gm_thread_id",
    "body_text",
    "has_approval_word",
    "has_negation_word",
    "source_file",
    "record",
)
SYNTHETIC_DOMAIN = "aemetrics.invalid"


def synthetic_id(raw_header: bytes) -> str:
    """A deterministic id for a message without Message-ID: the SHA-1 of its header block
    with line endings normalised, so the same message in an mbox and as .eml gets one id."""
    normalized = b"\n".join(line.rstrip() for line in raw_header.replace(b"\r\n", b"\n").split(b"\n")).strip()
    return f"{hashlib.sha1(normalized).hexdigest()}@{SYNTHETIC_DOMAIN}"


def _scalar(value: str | None) -> str | None:
    return clean_text(value) if value is not None else None


def build_row(
    h: Headers,
    *,
    source_file: str,
    record: str,
    body_text: str | None,
    flags: tuple[bool | None, bool | None] = (None, None),
) -> dict[str, Any]:
    """The raw_email_messages row of one parsed header block. flags: (has_approval_word,
    has_negation_word) of the body's first 1,000 characters (bodies.approval_flags); None when
    the body was not read."""
    mid = message_id(h.get("message-id"))
    date_header = _scalar(h.get("date"))
    senders = parse_addresses(h.get("from"))
    from_name, from_addr = senders[0] if senders else (None, None)
    if from_addr is None and h.get("from"):  # 'From: Undisclosed' - keep who it claims to be
        from_name = decode_text((h.get("from") or "").strip("<> "), 500)
    auto = None
    # Not X-Auto-Response-Suppress: it asks others not to auto-reply to this message and is set
    # on person-written mail too (docs/decisions.md, E-mail).
    for name in ("x-autoreply", "x-autorespond"):
        if (auto := _scalar(h.get(name))) is not None:
            break
    return {
        "message_id": mid or synthetic_id(h.block),
        "has_message_id": mid is not None,
        "sent_at": parse_date_header(date_header),
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
        "content_type": content_type(h.get("content-type")),
        "thread_index": _scalar(h.get("thread-index")),
        "thread_topic": decode_text(h.get("thread-topic")),
        "gm_thread_id": _scalar(h.get("x-gm-thrid")),
        "body_text": body_text,
        "has_approval_word": flags[0],
        "has_negation_word": flags[1],
        "source_file": source_file,
        "record": record,
    }


_MIME_TYPE = re.compile(r"\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)")


def content_type(value: str | None) -> str | None:
    """'Multipart/Report; report-type=...' -> 'multipart/report'; None when absent or malformed."""
    m = _MIME_TYPE.match(value or "")
    return m.group(1).lower()[:200] if m else None

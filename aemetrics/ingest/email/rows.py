"""The raw_email_messages row of a parsed header block (build_row), and the synthetic id of a
message without Message-ID."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

from aemetrics.ingest.email.address_lists import address_list, parse_addresses
from aemetrics.ingest.email.dates import parse_date_header, rfc5322_date
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
    the body was not read.

    Only the fields the block has are decoded (most messages have half of them); the values a
    mailbox repeats (senders, recipients, content types) are read once (_sender, _addresses)."""
    t = h.texts()
    mid = message_id(t["message-id"]) if "message-id" in t else None
    date_header = t.get("date")
    sent_at = None
    if date_header is not None:
        sent_at = rfc5322_date(date_header)  # the common form: already clean text, read directly
        if sent_at is None:
            date_header = clean_text(date_header)
            sent_at = parse_date_header(date_header)
    from_name, from_addr = _sender(t["from"]) if "from" in t else (None, None)
    auto = None
    # Not X-Auto-Response-Suppress: it asks others not to auto-reply to this message and is set
    # on person-written mail too (docs/decisions.md, E-mail).
    for name in ("x-autoreply", "x-autorespond"):
        if name in t and (auto := clean_text(t[name])) is not None:
            break
    return {
        "message_id": mid or synthetic_id(h.block),
        "has_message_id": mid is not None,
        "sent_at": sent_at,
        "date_header": date_header,
        "from_addr": from_addr,
        "from_name": from_name,
        "to_addrs": _addresses(h.get_all("to")) if "to" in h.fields else [],
        "cc_addrs": _addresses(h.get_all("cc")) if "cc" in h.fields else [],
        "subject": decode_text(t["subject"]) if "subject" in t else None,
        "in_reply_to": next(iter(msg_ids(t["in-reply-to"])), None) if "in-reply-to" in t else None,
        "references": msg_ids(" ".join(h.get_all("references"))) if "references" in h.fields else [],
        "auto_submitted": clean_text(t["auto-submitted"]) if "auto-submitted" in t else None,
        "precedence": clean_text(t["precedence"]) if "precedence" in t else None,
        "list_id": decode_text(t["list-id"]) if "list-id" in t else None,
        "x_autoreply": auto,
        "content_type": content_type(t["content-type"]) if "content-type" in t else None,
        "thread_index": clean_text(t["thread-index"]) if "thread-index" in t else None,
        "thread_topic": decode_text(t["thread-topic"]) if "thread-topic" in t else None,
        "gm_thread_id": clean_text(t["x-gm-thrid"]) if "x-gm-thrid" in t else None,
        "body_text": body_text,
        "has_approval_word": flags[0],
        "has_negation_word": flags[1],
        "source_file": source_file,
        "record": record,
    }


@functools.lru_cache(maxsize=4096)  # a mailbox has a few hundred senders
def _sender(value: str | None) -> tuple[str | None, str | None]:
    """(from_name, from_addr) of a From header; with no address, the name it claims
    ('From: Undisclosed')."""
    senders = parse_addresses(value)
    from_name, from_addr = senders[0] if senders else (None, None)
    if from_addr is None and value:
        from_name = decode_text(value.strip("<> "), 500)
    return from_name, from_addr


def _addresses(values: list[str]) -> list[str]:
    """address_list of a To or Cc header (usually one occurrence, whose list is remembered)."""
    if len(values) == 1:
        return list(_address_list(values[0]))
    return address_list(*values)


@functools.lru_cache(maxsize=8192)
def _address_list(value: str) -> tuple[str, ...]:
    return tuple(address_list(value))


_MIME_TYPE = re.compile(r"\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)")


@functools.lru_cache(maxsize=1024)  # a mailbox has a few dozen Content-Type values
def content_type(value: str | None) -> str | None:
    """'Multipart/Report; report-type=...' -> 'multipart/report'; None when absent or malformed."""
    m = _MIME_TYPE.match(value or "")
    return m.group(1).lower()[:200] if m else None

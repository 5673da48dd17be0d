"""Message text (only with settings.store_bodies): a single-part text/plain body decoded
directly, anything else through Python's MIME parser."""

from __future__ import annotations

import binascii
import email
import email.policy
import logging

from aemetrics.ingest.email.charsets import decode_charset, decode_raw
from aemetrics.ingest.email.headers import CHARSET_PARAM, Headers
from aemetrics.ingest.email.rows import content_type

log = logging.getLogger(__name__)


def message_text(h: Headers, raw_message: bytes, body: bytes) -> str | None:
    """The message's text (only with store_bodies): a single-part text/plain body is decoded
    directly; anything else goes through Python's MIME parser (body_of)."""
    if content_type(h.get("content-type")) not in (None, "text/plain"):
        return body_of(raw_message)
    cte = (h.get("content-transfer-encoding") or "").strip().lower()
    try:
        if cte == "base64":
            body = binascii.a2b_base64(body)
        elif cte == "quoted-printable":
            body = binascii.a2b_qp(body)
    except (binascii.Error, ValueError):
        return body_of(raw_message)
    m = CHARSET_PARAM.search((h.get("content-type") or "").encode("ascii", "replace"))
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

"""Message text: a single-part text/plain body decoded directly, anything else through Python's
MIME parser. The text is stored only with settings.store_bodies; every message's first 1,000
characters are read for the approval / negation words of minutes_signoff (approval_flags), and
only the two flags are kept (STANDARDS.md, minutes_signoff)."""

from __future__ import annotations

import binascii
import email
import email.policy
import functools
import logging
import re

from aemetrics.ingest.email.charsets import decode_charset, decode_raw
from aemetrics.ingest.email.headers import CHARSET_PARAM, Headers
from aemetrics.ingest.email.rows import content_type

log = logging.getLogger(__name__)

# minutes_signoff (STANDARDS.md "Decisions for the other twelve"): a supervisor's approval of a
# minutes draft holds one of these words and none of the negations. Negations are looked for
# first and cut out, so '不同意' or 'not approved' is never read as '同意' / 'approved'.
APPROVAL_WORDS = ("同意", "批准", "可以发", "通过", "没问题", "approved", "ok to send", "lgtm")
NEGATION_WORDS = ("不同意", "不批准", "不可以", "暂不", "驳回", "not approved", "rejected")
FLAG_CHARS = 1000
_NEGATION = re.compile("|".join(re.escape(w) for w in NEGATION_WORDS), re.IGNORECASE)
_APPROVAL = re.compile(
    "|".join(r"\b" + re.escape(w) + r"\b" if w.isascii() else re.escape(w) for w in APPROVAL_WORDS), re.IGNORECASE
)
# A reply quotes the message it answers: the quoted part is someone else's words.
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original message|原始邮件|原始郵件)|(发件人|寄件者|from)\s*[:：]|在 .{0,80}写道[:：]|on .{0,120}wrote:)",
    re.IGNORECASE | re.MULTILINE,
)


def approval_flags(text: str | None) -> tuple[bool | None, bool | None]:
    """(has_approval_word, has_negation_word) in the first 1,000 characters of a body, before
    any quoted text; (None, None) when there is no readable body."""
    if text is None:
        return None, None
    head = text[:FLAG_CHARS]
    quote = _QUOTE_START.search(head)
    if quote:
        head = head[: quote.start()]
    has_negation = _NEGATION.search(head) is not None
    has_approval = _APPROVAL.search(_NEGATION.sub(" ", head) if has_negation else head) is not None
    return has_approval, has_negation


def message_text(h: Headers, raw_message: bytes, body: bytes) -> str | None:
    """The message's text (only with store_bodies): a single-part text/plain body is decoded
    directly; anything else goes through Python's MIME parser (body_of)."""
    return _text(h, h.get("content-type"), raw_message, body)


def _text(h: Headers, ctype: str | None, raw_message: bytes, body: bytes) -> str | None:
    """message_text, given the Content-Type header (ctype)."""
    if content_type(ctype) not in (None, "text/plain"):
        return body_of(raw_message)
    cte = (h.get("content-transfer-encoding") or "").strip().lower()
    try:
        if cte == "base64":
            body = binascii.a2b_base64(body)
        elif cte == "quoted-printable":
            body = binascii.a2b_qp(body)
    except (binascii.Error, ValueError):
        return body_of(raw_message)
    charset = _declared_charset(ctype)
    text = decode_charset(body, charset) if charset is not None else decode_raw(body)
    return text.replace("\x00", "")


@functools.lru_cache(maxsize=1024)  # a mailbox has a few dozen Content-Type values
def _declared_charset(ctype: str | None) -> str | None:
    m = CHARSET_PARAM.search((ctype or "").encode("ascii", "replace"))
    return m.group(1).decode("ascii") if m else None


FLAG_SCAN_BYTES = 65536


def message_text_for_flags(h: Headers, raw_message: bytes, body: bytes, *, store_bodies: bool) -> str | None:
    """The text approval_flags reads. Without store_bodies only the first 1,000 characters matter, so a
    multipart message is parsed from its first 64 KiB only (attachments after the text are not decoded)."""
    ctype = h.get("content-type")
    if store_bodies or content_type(ctype) in (None, "text/plain"):
        return _text(h, ctype, raw_message, body)
    return body_of(bytes(raw_message[:FLAG_SCAN_BYTES]))


def body_of(raw_message: bytes) -> str | None:
    """The first text/plain part that is not an attachment, decoded, via Python's MIME parser.

    The parser is first given the message's first PREFIX_BYTES only: when that part ends there (a
    later part has begun after it), nothing after can change it, and the rest (attachments, the
    HTML alternative) is not parsed. Otherwise the whole message is parsed, as before."""
    if len(raw_message) > PREFIX_BYTES:
        found = _first_text(raw_message[:PREFIX_BYTES], settled=True)
        if found is not _UNSETTLED:
            return found  # type: ignore[return-value]
    return _first_text(raw_message, settled=False)  # type: ignore[return-value]


PREFIX_BYTES = 4096  # a text part and the start of the next one usually fit (multipart/alternative, mixed)
_UNSETTLED = object()


def _first_text(raw_message: bytes, *, settled: bool) -> object:
    """body_of on raw_message; with settled, _UNSETTLED unless the part found is followed by
    another part (so raw_message holds all of it) or raw_message cannot be parsed."""
    try:
        msg = email.message_from_bytes(raw_message, policy=email.policy.compat32)
        walker = msg.walk()
        for part in walker:
            if part.get_content_type() != "text/plain":
                continue
            if (part.get("Content-Disposition") or "").strip().lower().startswith("attachment"):
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                if settled and next(walker, None) is None:
                    return _UNSETTLED
                charset = part.get_content_charset()
                text = decode_charset(payload, charset) if charset else decode_raw(payload)
                return text.replace("\x00", "")
        return _UNSETTLED if settled else None
    except Exception:  # a broken MIME structure must not cost the message its header row
        if settled:
            return _UNSETTLED
        log.debug("body not readable", exc_info=True)
        return None

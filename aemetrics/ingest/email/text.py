"""Unstructured header text (Subject, Thread-Topic, List-Id, display names): RFC 2047
encoded-words in any charset, whitespace collapsed, capped at MAX_TEXT."""

from __future__ import annotations

import binascii
import functools
import re

from aemetrics.ingest.email.charsets import decode_charset, norm_charset

MAX_TEXT = 2000  # cap of stored free-text values (a 400,000-character Subject is spam, not data)

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_WSP_RUN = re.compile(r"[ \t\r\n\f\v]+")
_NOT_B64 = re.compile(r"[^A-Za-z0-9+/]")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(enc: str, text: str) -> bytes | None:
    if enc in "bB":
        try:
            return binascii.a2b_base64(text)
        except (binascii.Error, ValueError):  # bad padding or stray characters: repair
            data = _NOT_B64.sub("", text)
            try:
                return binascii.a2b_base64(data + "=" * (-len(data) % 4))
            except (binascii.Error, ValueError):
                return None
    raw = text.encode("latin-1", errors="replace").replace(b"_", b" ")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_rfc2047(value: str) -> str:
    """Decode encoded-words in any charset. Whitespace between adjacent encoded-words is
    dropped (RFC 2047 section 6.2); adjacent words in one charset are joined as bytes first,
    because real clients split a multi-byte character across two words."""
    if "=?" not in value:
        return value
    whole = _ENCODED_WORD.fullmatch(value)
    if whole is not None:  # the common case, one encoded-word and nothing else: the same text, sooner
        data = _word_bytes(whole.group(2), whole.group(3))
        return value if data is None else decode_charset(data, norm_charset(whole.group(1)))
    out: list[str] = []
    pending: list[bytes] = []
    pending_cs: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_cs
        if pending:
            out.append(decode_charset(b"".join(pending), pending_cs))
        pending, pending_cs = [], None

    for m in _ENCODED_WORD.finditer(value):
        gap = value[pos : m.start()]
        data = _word_bytes(m.group(2), m.group(3))
        if data is None:  # undecodable word: keep it as written
            continue
        cs = norm_charset(m.group(1))
        if gap and (not pending or _BETWEEN_WORDS.fullmatch(gap) is None):
            flush()
            out.append(gap)
        if pending and cs != pending_cs:
            flush()
        pending.append(data)
        pending_cs = cs
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def clean_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    """Collapse runs of ASCII whitespace (folding leftovers) to one space, drop NULs, strip,
    cap; empty -> None."""
    if value is None:
        return None
    if len(value) > 4 * limit:  # bound the work on absurd values before the regex
        value = value[: 4 * limit]
    if "\x00" in value:
        value = value.replace("\x00", "")
    if "  " in value or "\t" in value or "\n" in value or "\r" in value or "\f" in value or "\v" in value:
        value = _WSP_RUN.sub(" ", value)
    value = value.strip(" ")
    return value[:limit] or None


def decode_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    """An unstructured header (Subject, Thread-Topic, List-Id...): RFC 2047, unfolded, capped."""
    if value is None:
        return None
    if len(value) > 8 * limit:
        value = value[: 8 * limit]
    return _decode_text(value, limit)


@functools.lru_cache(maxsize=8192)  # thread subjects, list ids and topics repeat
def _decode_text(value: str, limit: int) -> str | None:
    return clean_text(decode_rfc2047(value), limit)

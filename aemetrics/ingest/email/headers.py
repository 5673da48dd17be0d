"""One message's header block: split into fields with one regular expression, only the
fields the warehouse keeps (WANTED) are decoded, on demand."""

from __future__ import annotations

import re
from typing import Any

from aemetrics.ingest.email.charsets import decode_raw

# The fields kept; any other header is skipped without being decoded.
WANTED = frozenset(
    {
        b"message-id",
        b"date",
        b"from",
        b"to",
        b"cc",
        b"subject",
        b"in-reply-to",
        b"references",
        b"auto-submitted",
        b"precedence",
        b"list-id",
        b"x-autoreply",
        b"x-autorespond",
        b"content-type",
        b"thread-index",
        b"thread-topic",
        b"x-gm-thrid",
        b"content-length",
        b"content-transfer-encoding",
    }
)
USABLE = ("from", "to", "cc", "date", "subject", "message-id")  # a message needs one of these

# Unfolding: a line break not followed by a new field continues the field before it. That is
# RFC 5322 folding (the next line starts with a space) and also the folding some senders do
# without the space (=?utf-8?B?...?= at the start of a line). Whitespace runs are collapsed later.
_UNFOLD = re.compile(rb"\r?\n(?![!-9;-~]+[ \t]*:|\r?\n|\Z)")
_FIELD_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*([^\r\n]*)", re.M)
CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]+)""", re.I)
BLANK_LINE = re.compile(rb"\n\r?\n")


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
            m = CHARSET_PARAM.search(b"\n".join(self.fields.get("content-type", [])))
            if m is None:
                m = CHARSET_PARAM.search(self._buf, *self._body)
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

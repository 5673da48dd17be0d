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
# The same fields in one pass over a block whose every line break is followed by a new field, by
# folding whitespace, by a blank line or by the end (nearly every block: _ODD_BREAK finds the
# others, which take the two steps above). There a break continues the field exactly when a
# space or tab follows it, so the pattern reads folds in place of the spaces unfolding would
# leave; the breaks in a value are made spaces afterwards (Headers).
_ODD_START = re.compile(rb"(?![!-9;-~]+[ \t]*:|[ \t]|\r?\n|\Z)")
_ODD_BREAK = re.compile(rb"\n(?![!-9;-~]+[ \t]*:|[ \t]|\r?\n|\Z)")
_FOLD_WSP = rb"(?:[ \t]|\r?\n(?=[ \t]))*"
_FIELD = re.compile(rb"^([!-9;-~]+)" + _FOLD_WSP + rb":" + _FOLD_WSP + rb"([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.M)


def _learn(name: bytes) -> str | None:
    """The WANTED key of a field name as written (None: not kept), remembered in _KEYS."""
    lower = name.lower()
    key = lower.decode() if lower in WANTED else None
    if len(_KEYS) < _MAX_KEYS:  # a spam run of random names does not grow it without bound
        _KEYS[name] = key
    return key


_KEYS: dict[bytes, str | None] = {}  # a field name as written -> its WANTED key (None: not kept)
_MAX_KEYS = 4096
CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]+)""", re.I)
BLANK_LINE = re.compile(rb"\n\r?\n")


class Headers:
    """The kept fields of one header block, decoded on demand (first occurrence wins)."""

    def __init__(self, block: bytes, buf: Any = b"", body_start: int = 0, body_end: int = 0) -> None:
        self.block = block
        # the body's first charset= is the hint for raw 8-bit headers of a multipart message
        self._buf, self._body = buf, (body_start, min(body_end, body_start + 16384))
        fields: dict[str, list[bytes]] = {}
        odd = _ODD_START.match(block) is not None or _ODD_BREAK.search(block) is not None
        pairs = _FIELD_LINE.findall(_UNFOLD.sub(b" ", block)) if odd else _FIELD.findall(block)
        self.field_lines = len(pairs)
        for name, value in pairs:
            key = _KEYS.get(name, "")
            if key == "":
                key = _learn(name)
            if key is None:
                continue
            if not odd and b"\n" in value:  # the folds _FIELD read: unfolded as _UNFOLD does
                value = value.replace(b"\r\n", b" ").replace(b"\n", b" ")
            if key in fields:
                fields[key].append(value)
            else:
                fields[key] = [value]
        self.fields = fields
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

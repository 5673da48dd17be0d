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
LISTED = frozenset({"to", "cc", "references", "content-length"})  # read whole (get_all) or as bytes

# Unfolding: a line break not followed by a new field continues the field before it. That is
# RFC 5322 folding (the next line starts with a space) and also the folding some senders do
# without the space (=?utf-8?B?...?= at the start of a line). Whitespace runs are collapsed later.
_UNFOLD = re.compile(rb"\r?\n(?![!-9;-~]+[ \t]*:|\r?\n|\Z)")
_FIELD_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*([^\r\n]*)", re.M)
_FIELD_NAME = re.compile(rb"([!-9;-~]+)[ \t]*")  # what comes before a field line's first colon
CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]+)""", re.I)
BLANK_LINE = re.compile(rb"\n\r?\n")


def unfolded_fields(block: bytes) -> list[tuple[bytes, bytes]]:
    """(name, value) of every field line of a header block, unfolded (the definition)."""
    return _FIELD_LINE.findall(_UNFOLD.sub(b" ", block))


# Nearly every block is read line by line instead, several times faster: a block whose every line
# is a field line, a folded line (it starts with a space or tab), a blank line or the end. There
# a line break continues the field exactly when a space or tab follows it, so a field's value is
# its lines joined with a space (each without the CR of its CRLF), from the first character
# after the colon and the whitespace after it, up to the first CR left: unfolded_fields' value.
# Any other block (a line that is none of these) is read by unfolded_fields.
_KEYS: dict[bytes, str] = {}  # what precedes a line's colon -> its WANTED key, _SKIP or _ODD
_MAX_KEYS = 4096
_SKIP = "-"  # a field that is not kept
_ODD = "!"  # not a field name: the block is read by unfolded_fields


def _learn(name: bytes) -> str:
    m = _FIELD_NAME.fullmatch(name)
    if m is None:
        key = _ODD
    else:
        lower = m.group(1).lower()
        key = lower.decode() if lower in WANTED else _SKIP
    if len(_KEYS) < _MAX_KEYS:  # a spam run of random names does not grow it without bound
        _KEYS[name] = key
    return key


def _value(parts: list[bytes]) -> bytes:
    """The unfolded value of a field from its lines: what follows the colon, then the folded lines."""
    value = parts[0] if len(parts) == 1 else b" ".join(p[:-1] if p[-1:] == b"\r" else p for p in parts)
    value = value.lstrip(b" \t")
    cr = value.find(b"\r")
    return value if cr < 0 else value[:cr]


def _read_lines(block: bytes) -> tuple[dict[str, list[bytes]], int] | None:
    """(kept fields, number of field lines) of a block read line by line; None for an odd block."""
    lines = block.split(b"\n")
    if lines[-1] == b"\r":  # a CR at the very end is no blank line
        return None
    fields: dict[str, list[bytes]] = {}
    count = 0
    values: list[bytes] | None = None  # the values of the kept field being read (its value last)
    rest = b""  # what follows that field's colon
    parts: list[bytes] | None = None  # its lines, once it is folded
    for line in lines:
        first = line[:1]
        if first == b" " or first == b"\t":
            if values is not None:
                if parts is None:
                    parts = [rest]
                parts.append(line)
                values[-1] = _value(parts)
            continue
        name, colon, rest = line.partition(b":")
        if not colon:
            if line and line != b"\r":
                return None
            values = None  # a blank line
            continue
        key = _KEYS.get(name) or _learn(name)
        if key == _ODD:
            return None
        count += 1
        if key == _SKIP:
            values = None
            continue
        parts = None
        values = fields.get(key)
        if values is None:
            values = fields[key] = []
        value = rest.lstrip(b" \t")
        cr = value.find(b"\r")
        values.append(value if cr < 0 else value[:cr])
    return fields, count


class Headers:
    """The kept fields of one header block, decoded on demand (first occurrence wins)."""

    def __init__(self, block: bytes, buf: Any = b"", body_start: int = 0, body_end: int = 0) -> None:
        self.block = block
        # the body's first charset= is the hint for raw 8-bit headers of a multipart message
        self._buf, self._body = buf, (body_start, min(body_end, body_start + 16384))
        read = _read_lines(block)
        if read is None:
            pairs = unfolded_fields(block)
            self.field_lines = len(pairs)
            self.fields: dict[str, list[bytes]] = {}
            for name, value in pairs:
                name = name.lower()
                if name in WANTED:
                    self.fields.setdefault(name.decode(), []).append(value)
        else:
            self.fields, self.field_lines = read
        self._hint: str | None | bool = False
        self._texts: dict[str, str] | None = None

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
        if name in LISTED:
            values = self.fields.get(name)
            return self._decode(values[0]).strip() if values else default
        return self.texts().get(name, default)

    def texts(self) -> dict[str, str]:
        """The first value of every kept field but the LISTED ones, decoded and stripped (what get
        returns), decoded once."""
        if self._texts is None:
            self._texts = {
                key: (v.decode("ascii") if (v := values[0]).isascii() else decode_raw(v, self._charset_hint())).strip()
                for key, values in self.fields.items()
                if key not in LISTED
            }
        return self._texts

    def get_all(self, name: str) -> list[str]:
        return [self._decode(v) for v in self.fields.get(name, [])]

    @property
    def usable(self) -> bool:
        return not self.fields.keys().isdisjoint(USABLE)  # every list in fields has a value

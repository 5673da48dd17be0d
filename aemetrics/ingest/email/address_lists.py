"""Address-list headers (From, To, Cc): (display name, address) pairs, tolerating groups,
encoded names, missing commas and stray separators. Each address found ends in
aemetrics.ingest.addresses.normalize_email, like every other parser's."""

from __future__ import annotations

import functools
import re

from aemetrics.ingest.addresses import normalize_email
from aemetrics.ingest.email.text import clean_text, decode_rfc2047

_ADDR_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?'  # quoted string (an unterminated one runs to the end)
    r"|\((?:[^()\\]|\\.)*\)?"  # comment (nesting is flattened)
    r"|<[^<>]*>?"  # angle address
    r"|=\?[^?\s]+\?[bBqQ]\?[^?]*\?="  # encoded-word: atomic, may hide commas
    r"|[,;:]"
    r"|[ \t\r\n]+"
    r'|[^"(<,;: \t\r\n]+'
)
_ADDR_OK = re.compile(r"[^\s]+@[^@\s]+")  # UUCP relics have '@' in the local part
_QUOTED_PAIR = re.compile(r"\\(.)")
_IN_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_LOCAL_OK = re.compile(r"[^\s@<>()\",;:]+")


def _clean_addr(text: str, local_ok: bool = False) -> str | None:
    """A lower-cased address, or None. A bare local part (<MAILER-DAEMON>) only when it was
    written in angle brackets."""
    text = text.strip().strip("'\"<>.,;").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if ":" in text:  # obsolete source route <@a,@b:user@host>
        text = text.rsplit(":", 1)[1]
    if len(text) > 320 or not (_ADDR_OK.fullmatch(text) or (local_ok and _LOCAL_OK.fullmatch(text))):
        return None
    return normalize_email(text)  # here: text.lower(), as it has no space, colon or mailto: left


def _name_of(tokens: list[str]) -> str | None:
    parts = []
    for t in tokens:
        if t.startswith('"'):
            t = t[1:-1] if t.endswith('"') and len(t) > 1 else t[1:]
            if "\\" in t:
                t = _QUOTED_PAIR.sub(r"\1", t)
        parts.append(t)
    name = clean_text(decode_rfc2047("".join(parts)), 500)
    if name:
        name = name.strip("'\" ") or None
    return name


def _element(tokens: list[str]) -> list[tuple[str | None, str]]:
    """One list element (between commas) -> (name, address) pairs."""
    angles = [i for i, t in enumerate(tokens) if t.startswith("<")]
    comments = [t[1:-1] if t.endswith(")") else t[1:] for t in tokens if t.startswith("(")]
    if angles:
        last = angles[-1]
        inner = tokens[last][1:].rstrip(">")
        if "(" in inner:
            inner = _IN_COMMENT.sub("", inner)
        addr = _clean_addr("".join(inner.split()), local_ok=True)  # obsolete 'a @ b . c' spacing
        if addr is None:
            return []
        name = _name_of([t for t in tokens[:last] if not t.startswith("(")])
        if name is None and comments:
            name = _name_of(comments)
        return [(name, addr)]
    # no angle brackets: bare addr-spec(s), possibly several separated by spaces only
    words, current = [], ""
    for t in tokens:
        if t.startswith("(") or t[0] in " \t\r\n":
            if current:
                words.append(current)
            current = ""
        else:
            current += t
    if current:
        words.append(current)
    found = [a for a in (_clean_addr(w) for w in words if "@" in w) if a]
    if len(found) == 1 and comments:
        return [(_name_of(comments), found[0])]
    return [(None, a) for a in found]


# The common case, '"Name" <a@b>, Name <c@d>, e@f', without the tokenizer (it is 3x slower).
_SIMPLE_ELEMENT = re.compile(
    r'[ \t]*(?:("[^"\\]*"|[^",<>();:\\@]*?)[ \t]*<([^<>()\s,;:"\\]+)>|([^\s",<>();:\\]+@[^\s",<>();:\\@]+))'
    r"[ \t]*(?:,|$)"
)


def _simple_list(value: str) -> list[tuple[str | None, str]] | None:
    out: list[tuple[str | None, str]] = []
    pos, end = 0, len(value)
    while pos < end:
        m = _SIMPLE_ELEMENT.match(value, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(2) is not None:
            addr = _clean_addr(m.group(2), local_ok=True)
            name = _name_of([m.group(1)]) if m.group(1) else None
        else:
            addr, name = _clean_addr(m.group(3)), None
        if addr:
            out.append((name, addr))
        pos = m.end()
    return out


def parse_addresses(value: str | None) -> list[tuple[str | None, str]]:
    """(display name, lower-cased address) pairs of an address-list header. Groups
    ('team: a@x, b@y;'), encoded names, missing commas and stray separators are tolerated;
    elements without a usable address are skipped."""
    if not value:
        return []
    return list(_parse_addresses(value))


@functools.lru_cache(maxsize=8192)  # a mailbox repeats the same few correspondents
def _parse_addresses(value: str) -> tuple[tuple[str | None, str], ...]:
    simple = _simple_list(value)
    if simple is not None:
        return tuple(simple)
    tokens = _ADDR_TOKEN.findall(value)
    out: list[tuple[str | None, str]] = []
    current: list[str] = []
    for t in tokens:
        if t in (",", ";"):
            out.extend(_element(current))
            current = []
        elif t == ":" and not any(x.startswith("<") for x in current):
            current = []  # the display name of a group is not an address
        else:
            current.append(t)
    out.extend(_element(current))
    return tuple(out)


def address_list(*values: str | None) -> list[str]:
    """Addresses of one or more header occurrences, duplicates removed keeping order."""
    seen: dict[str, None] = {}
    for v in values:
        if v:
            for _, addr in _parse_addresses(v):
                seen.setdefault(addr, None)
    return list(seen)

"""Message-ID, In-Reply-To and References: the <msg-id>s of a header."""

from __future__ import annotations

import re

from aemetrics.ingest.email.text import MAX_TEXT

_MSG_ID = re.compile(r"<([^<>]*)>")
_PAREN = re.compile(r"\([^()]*\)")
_WSP = re.compile(r"\s+")


# A header of plain <msg-id>s only (no comment, no whitespace inside the brackets), the common
# case: read with one expression; msg_ids gives the same list for it.
_PLAIN_IDS = re.compile(r"[ \t]*<[!-'*-;=?-~]+>(?:[ \t]*<[!-'*-;=?-~]+>)*[ \t]*")
_PLAIN_ID_INNER = re.compile(r"<([!-'*-;=?-~]+)>")
_ONE_ID = re.compile(r"[ \t]*<([!-'*-;=?-~]+)>[ \t]*")


def msg_ids(value: str | None) -> list[str]:
    """Every <msg-id> in order, without <> and inner whitespace, duplicates dropped."""
    if not value:
        return []
    one = _ONE_ID.fullmatch(value)
    if one is not None:
        return [one.group(1)]
    if _PLAIN_IDS.fullmatch(value) is not None:
        ids = _PLAIN_ID_INNER.findall(value)
        return ids if len(ids) == 1 else list(dict.fromkeys(ids))
    seen: dict[str, None] = {}
    for m in _MSG_ID.finditer(value):
        mid = m.group(1)
        if "(" in mid:
            mid = _PAREN.sub("", mid)
        mid = "".join(mid.split())
        if mid:
            seen.setdefault(mid, None)
    return list(seen)


def message_id(value: str | None) -> str | None:
    """Message-ID without <>; a bare id (no brackets) is taken as written."""
    if value is None:
        return None
    ids = msg_ids(value)
    if ids:
        return ids[0][:MAX_TEXT]
    bare = _WSP.sub("", re.sub(r"\([^()]*\)", "", value)).strip("<>")
    return bare[:MAX_TEXT] or None

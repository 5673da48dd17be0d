"""The Date header -> an aware UTC datetime (RFC 5322, its obsolete forms, and what mailers write)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_COMMENT = re.compile(r"\([^()]*\)")
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)
_SPACED_COLON = re.compile(r"(?<=\d) ?: ?(?=\d)")
_COLON_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})\s*$")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MIN_YEAR, MAX_YEAR = 1970, 2100


def parse_date_header(value: str | None) -> datetime | None:
    """A Date header -> aware UTC datetime, or None.

    RFC 5322 and its obsolete forms (2-digit years, no weekday, named zones such as GMT, EST
    or CST read as RFC 822 defines them). 'GMT+8' / 'UTC+08:00' and '+08:00' are read as
    offsets; ISO 8601 is accepted. No zone, '-0000' or an unknown zone name: the time is
    taken as UTC. Years outside 1970-2100 are clock errors: None.
    """
    if not value:
        return None
    text = value[:300]
    for _ in range(3):  # comments, even nested ones
        if "(" not in text:
            break
        text = _COMMENT.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        return None
    if " :" in text or ": " in text:
        text = _SPACED_COLON.sub(":", text)
    if "GMT" in text or "UT" in text:
        text = _GMT_OFFSET.sub(lambda m: f"{m.group(1)}{int(m.group(2)):02d}{m.group(3) or '00'}", text)
    if text[-3:-2] == ":":
        text = _COLON_OFFSET.sub(r"\1\2\3", text)
    dt = None
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        if _ISO.match(text):
            try:
                dt = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                dt = None
    if dt is None:
        return None
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if abs(dt.utcoffset() or timedelta(0)) > timedelta(hours=15):
        return None  # not a real zone offset
    try:
        dt = dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None

"""The Date header -> an aware UTC datetime (RFC 5322, its obsolete forms, and what mailers write)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_COMMENT = re.compile(r"\([^()]*\)")
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)
_SPACED_COLON = re.compile(r"(?<=\d) ?: ?(?=\d)")
_COLON_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})\s*$")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MIN_YEAR, MAX_YEAR = 1970, 2100


_CN_MONTHS = ["十二", "十一", "十", "九", "八", "七", "六", "五", "四", "三", "二", "一"]
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_CN_WEEKDAY = re.compile(r"^(?:星期|周|週|礼拜)[一二三四五六日天],?\s*")
_CN_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_MONTH = re.compile(r"(?<![\d年])(十二|十一|十|九|八|七|六|五|四|三|二|一|1[0-2]|[1-9])\s*月(?!\s*\d{1,2}\s*日)")


def _chinese_date(text: str) -> str:
    """Dates some Chinese-locale mailers write: '星期二, 09 一月 2024 09:00:00 +0800',
    '2024年1月9日 09:00:00 +0800' -> RFC 5322 spelling."""
    text = _CN_WEEKDAY.sub("", text)
    text = _CN_YMD.sub(
        lambda m: f"{int(m[3])} {_MONTH_ABBR[int(m[2]) - 1]} {m[1]}" if 1 <= int(m[2]) <= 12 else m[0], text
    )

    def month(m: re.Match[str]) -> str:
        v = m[1]
        n = int(v) if v.isdigit() else 12 - _CN_MONTHS.index(v)
        return _MONTH_ABBR[n - 1]

    return _CN_MONTH.sub(month, text)


# The Date most mailers write, 'Mon, 06 Jan 2025 07:30:00 +0800' (the weekday and the seconds may
# be left out), read without email.utils; anything else takes the general path below.
_RFC5322 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2})(?::([0-9]{2}))? ([+-])(1[0-4]|0[0-9])([0-5][0-9])"
)
_MONTH_NUMBER = {name: i for i, name in enumerate(_MONTH_ABBR, 1)}
_OFFSETS: dict[tuple[str, str, str], timedelta] = {}


def rfc5322_date(value: str) -> datetime | None:
    """parse_date_header of a Date in the common RFC 5322 form; None when it is not in that form
    or is not a valid time (the general path then decides). The same instant, in UTC, as
    email.utils.parsedate_to_datetime followed by astimezone(UTC)."""
    m = _RFC5322.fullmatch(value)
    if m is None:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = m.groups()
    if not MIN_YEAR - 1 <= int(year) <= MAX_YEAR + 1:
        return None
    offset = _OFFSETS.get((sign, off_h, off_m))
    if offset is None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        offset = _OFFSETS.setdefault((sign, off_h, off_m), -offset if sign == "-" else offset)
    try:
        local = datetime(
            int(year), _MONTH_NUMBER[month], int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    dt = local - offset
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None


def parse_date_header(value: str | None) -> datetime | None:
    """A Date header -> aware UTC datetime, or None.

    RFC 5322 and its obsolete forms (2-digit years, no weekday, named zones such as GMT, EST
    or CST read as RFC 822 defines them). 'GMT+8' / 'UTC+08:00' and '+08:00' are read as
    offsets; ISO 8601 is accepted. No zone, '-0000' or an unknown zone name: the time is
    taken as UTC. Years outside 1970-2100 are clock errors: None.
    """
    if not value:
        return None
    fast = rfc5322_date(value)
    if fast is not None:
        return fast
    text = value[:300]
    for _ in range(3):  # comments, even nested ones
        if "(" not in text:
            break
        text = _COMMENT.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        return None
    if not text.isascii():
        text = _chinese_date(text)
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
        dt = dt.replace(tzinfo=UTC)
    if abs(dt.utcoffset() or timedelta(0)) > timedelta(hours=15):
        return None  # not a real zone offset
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None

"""Time zones of TZIDs: IANA ids, Windows names (windows_zones), vendor-prefixed ids, a file's
VTIMEZONEs, last guesses from the name, and the business time zone as the fallback."""

from __future__ import annotations

import re
import warnings
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

import icalendar
from icalendar.error import GloballyUniqueTZIDGuessed

from aemetrics.ingest.calendar.windows_zones import iana_for_windows

# icalendar warns when it strips a vendor prefix from a TZID ('/mozilla.org/.../America/New_York');
# known_zone() makes the same guess on purpose, so the warning is noise in every run's log.
warnings.filterwarnings("ignore", category=GloballyUniqueTZIDGuessed)


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {k.lower(): k for k in zoneinfo.available_timezones()}


def _zoneinfo(key: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(key)
    except Exception:  # unknown key, bad characters, a folder name...: not a zone
        return None


def known_zone(tzid: str) -> tzinfo | None:
    """The zone a TZID names by itself: an IANA id, a Windows name ('China Standard Time'),
    or a vendor-prefixed IANA id ('/mozilla.org/20050126_1/America/New_York'); quotes ignored."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    tz = _zoneinfo(name)
    if tz is None and (win := iana_for_windows(name)):
        tz = _zoneinfo(win)
    if tz is None and "/" in name:
        parts = [p for p in name.split("/") if p]
        for i in range(len(parts)):
            if tz := _zoneinfo("/".join(parts[i:])):
                break
    return tz


_OFFSET_IN_NAME = re.compile(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?", re.I)


def _guessed_zone(name: str) -> tuple[tzinfo, str] | None:
    """Last guesses for an unknown TZID: an IANA id with the wrong case or spaces, or an
    offset written in the name ('(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi')."""
    for candidate in (name.lower(), name.replace(" ", "_").lower()):
        if key := _iana_by_lower().get(candidate):
            return zoneinfo.ZoneInfo(key), key
    if m := _OFFSET_IN_NAME.search(name):
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours < 24 and minutes < 60:
            delta = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
            return timezone(delta), f"the fixed offset UTC{sign}{hours:02d}:{minutes:02d} in its name"
    return None


class Zones:
    """Resolves one file's TZIDs: a known name first (IANA, Windows, vendor-prefixed); else the
    file's VTIMEZONE; else a guess from the name; else the business time zone (the last two are
    noted). A resolver per file, so a custom TZID never borrows another file's definition
    (icalendar's own cache of VTIMEZONEs is process-wide)."""

    def __init__(self, vtimezones: dict[str, list[str]], business: tzinfo) -> None:
        self._blocks = vtimezones
        self._business = business
        self._cache: dict[str, tuple[tzinfo, str | None]] = {}

    def get(self, tzid: str) -> tuple[tzinfo, str | None]:
        """(zone, note): the note says how an unknown TZID was read."""
        if tzid not in self._cache:
            self._cache[tzid] = self._resolve(tzid)
        return self._cache[tzid]

    def _resolve(self, tzid: str) -> tuple[tzinfo, str | None]:
        if tz := known_zone(tzid):
            return tz, None
        key = tzid.strip().strip('"').strip()
        problem = "not defined in the file"
        if key in self._blocks:
            try:
                component = icalendar.Timezone.from_ical("\r\n".join(self._blocks[key]))
                if not isinstance(component, icalendar.Timezone):
                    raise ValueError(f"not a VTIMEZONE but a {component.name}")
                tz = component.to_tz(lookup_tzid=False)
                tz.utcoffset(datetime(2020, 1, 1))  # fail here rather than mid-expansion
                return tz, None
            except Exception as exc:
                problem = f"its VTIMEZONE is unreadable ({exc})"
        if guess := _guessed_zone(key):
            return guess[0], f"TZID {tzid!r} is unknown and {problem}: times read in {guess[1]}"
        where = f"the business time zone {self._business}"
        return self._business, f"TZID {tzid!r} is unknown and {problem}: times read in {where}"

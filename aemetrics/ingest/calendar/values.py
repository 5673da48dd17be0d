"""Reading property values of a parsed VEVENT: every value of a repeated property, text,
parameters, calendar addresses, and date/time values that may be broken."""

from __future__ import annotations

from typing import Any

import icalendar
from icalendar.prop import vBroken

from aemetrics.ingest.addresses import normalize_email


def all_values(component: icalendar.Component, name: str) -> list[Any]:
    """Every value of a property (icalendar returns one value, or a list when repeated)."""
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text_value(component: icalendar.Component, name: str) -> str | None:
    values = all_values(component, name)
    if not values or isinstance(values[0], list):
        return None
    text = str(values[0]).strip()
    return text or None


def param(value: Any, name: str) -> str | None:
    params = getattr(value, "params", None)
    raw = params.get(name) if params else None
    if raw is None:
        return None
    if isinstance(raw, (list, tuple)):
        raw = ", ".join(str(v) for v in raw)
    raw = str(raw).strip().strip('"').strip()
    return raw or None


def cal_address(value: Any) -> str | None:
    """An ORGANIZER/ATTENDEE address ('mailto:Li.Wei@x.cn'), normalised like every parser's."""
    return normalize_email(str(value)) or None


def upper(value: str | None) -> str | None:
    return value.upper() if value else None


def dt_value(value: Any) -> Any:
    """The value of a date/time property, or None when it is broken (vBroken raises on .dt)."""
    return None if isinstance(value, vBroken) else getattr(value, "dt", None)


def dt_start(value: Any) -> Any:
    """The date/datetime of a property value; for an RDATE period, its start."""
    dt = dt_value(value)
    return dt[0] if isinstance(dt, tuple) and dt else dt

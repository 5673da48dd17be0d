"""Which exports each standard needs, and which of them the warehouse holds (the setup checklist).

A standard whose data is missing shows "no data — needs <export>" instead of a rate: with no
calendar there are no meetings, so no agenda can be late, and a 100 % (or a 0 %) would be a lie.

NEEDS is a small stand-in for the standards registry (issue 11), which will carry a `needs`
field per standard; `missing_exports` takes any such mapping, so the registry can replace it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

# export id -> (raw tables whose rows count as "found", Chinese, English label)
EXPORTS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "staff": (("raw_staff", "raw_crm_users"), "员工名录", "staff directory (staff.csv or CRM users)"),
    "crm_accounts": (("raw_crm_accounts",), "CRM 客户", "CRM accounts (Account.csv)"),
    "crm_activities": (("raw_crm_activities",), "CRM 活动", "CRM activities (Task/Event.csv)"),
    "email": (("raw_email_messages",), "邮件", "mailboxes (mbox / .eml)"),
    "calendar": (("raw_calendar_events",), "日历", "calendars (.ics)"),
    "attendance": (("raw_attendance", "raw_clock_ins"), "考勤", "attendance (clock-ins)"),
}
# labels of the registry's export ids (`needs` in sql/intermediate/int_obligations__*.yml) not above
REGISTRY_LABELS: dict[str, tuple[str, str]] = {
    "crm": ("CRM", "CRM exports (crm/)"),
    "clock": ("打卡记录", "clock-in records (DingTalk 考勤)"),
}

# standard id -> the exports its obligations are built from (the core eight; issue 11's registry replaces this)
NEEDS: dict[str, tuple[str, ...]] = {
    "reply_12h": ("email", "staff", "crm_accounts"),
    "agenda_48h": ("calendar", "email", "staff"),
    "internal_notice_24h": ("calendar", "email", "staff"),
    "on_time": ("calendar", "attendance", "staff"),
    "minutes_24h": ("calendar", "email", "staff"),
    "monday_call": ("crm_activities", "crm_accounts", "staff"),
    "friday_client_report": ("email", "crm_accounts", "staff"),
    "friday_supervisor_report": ("email", "staff"),
}


@dataclass(frozen=True)
class Export:
    export: str
    rows: int
    standards: tuple[str, ...]  # the standards that need it

    @property
    def found(self) -> bool:
        return self.rows > 0


def export_rows(count_rows: Callable[[str], int | None]) -> dict[str, int]:
    """Rows per export, from a function giving a raw table's row count (None: no such table)."""
    return {e: sum(count_rows(t) or 0 for t in tables) for e, (tables, _, _) in EXPORTS.items()}


def checklist(rows: Mapping[str, int], needs: Mapping[str, tuple[str, ...]] = NEEDS) -> list[Export]:
    """The setup checklist: every export, found or missing, with the standards it feeds."""
    return [Export(e, int(rows.get(e, 0)), tuple(s for s, n in needs.items() if e in n)) for e in EXPORTS]


def missing_exports(standard: str, rows: Mapping[str, int], needs: Mapping[str, tuple[str, ...]] = NEEDS) -> list[str]:
    """The exports a standard needs that the warehouse does not hold (empty: it can be evaluated)."""
    return [e for e in needs.get(standard, ()) if int(rows.get(e, 0)) == 0]


def export_label(export: str, lang: str) -> str:
    zh, en = EXPORTS[export][1:] if export in EXPORTS else REGISTRY_LABELS.get(export, (export, export))
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")


def checklist_frame(items: list[Export]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"export": i.export, "found": i.found, "rows": i.rows, "standards": " ".join(i.standards)} for i in items],
        columns=["export", "found", "rows", "standards"],
    )

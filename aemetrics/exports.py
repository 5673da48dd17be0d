"""The exports a user brings, in one place: what each is called, where its files go, which raw
tables hold it, and (from the standards registry's `needs`) which standards it feeds.

The run summary's setup lines (`setup_check`), the site's setup checklist and its "no data —
needs …" (`site.pages`), and `Warehouse.standards()`'s `missing_exports` all read this module.
An export is *found* when one of its raw tables holds at least one row: a file that loaded
nothing does not count, nor do rows quarantined by the raw checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Export:
    id: str  # the vocabulary of the registry's `needs` (sql/intermediate/int_obligations__*.yml)
    label_zh: str
    label_en: str  # what a person calls it
    hint: str  # its file types, shown after the label on the site
    where: str  # where its files go in the exports folder (the run summary's setup lines)
    tables: tuple[str, ...]  # raw tables that hold it: any row means found
    files: str  # which ingest_manifest rows are its files (a SQL condition)


EXPORTS: tuple[Export, ...] = (
    Export(
        "staff",
        "员工名录",
        "staff directory",
        "staff.csv or CRM users",
        "staff.csv, or the CRM's User.csv",
        ("raw_staff", "raw_crm_users"),
        "source_kind = 'staff' or (source_kind = 'crm' and lower(parser) like '%user%')",
    ),
    Export(
        "crm",
        "CRM 客户",
        "CRM accounts",
        "Account.csv, Task.csv, ...",
        "crm/ (Salesforce Account.csv, Contact.csv, ... or the canonical layout)",
        ("raw_crm_accounts",),
        "source_kind = 'crm'",
    ),
    Export(
        "calendar",
        "日历",
        "calendars",
        ".ics",
        "calendar/ (*.ics)",
        ("raw_calendar_events",),
        "source_kind = 'calendar'",
    ),
    Export(
        "attendance",
        "会议出席",
        "attendance",
        "Zoom / Teams / Tencent Meeting reports",
        "attendance/ (Zoom / Teams / Tencent Meeting / Feishu participant reports)",
        ("raw_attendance",),
        "source_kind = 'attendance' and parser not like 'clock%'",
    ),
    Export(
        "clock",
        "打卡记录",
        "clock-in records",
        "DingTalk 考勤",
        "attendance/ (DingTalk 考勤 .xlsx, or the canonical clock-in CSV)",
        ("raw_clock_ins",),
        "source_kind = 'attendance' and parser like 'clock%'",
    ),
    Export(
        "email",
        "邮件",
        "mailboxes",
        "mbox / .eml / .msg / .pst",
        "email/ (*.mbox, *.eml, *.msg, *.pst)",
        ("raw_email_messages",),
        "source_kind = 'email'",
    ),
)
BY_ID = {e.id: e for e in EXPORTS}
EXPORT_IDS = tuple(BY_ID)


def export_rows(count_rows: Callable[[str], int | None]) -> dict[str, int]:
    """Rows per export, from a function giving a raw table's row count (None: no such table)."""
    return {e.id: sum(count_rows(t) or 0 for t in e.tables) for e in EXPORTS}


def needs_of(standards: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
    """Standard id -> the exports it needs, from (id, registry `needs`) pairs; the staff directory
    for every standard (without it nobody is an AE, so every standard is empty)."""
    return {sid: tuple(dict.fromkeys(["staff", *needs])) for sid, needs in standards}


def registry_needs() -> dict[str, tuple[str, ...]]:
    from aemetrics.standards import registry

    return needs_of((s.id, s.needs) for s in registry())


def feeds(export: str, needs: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The standards (in registry order) that need `export`: what its absence blocks."""
    return tuple(s for s, n in needs.items() if export in n)


def missing_exports(standard: str, rows: Mapping[str, int], needs: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The exports a standard needs that the warehouse does not hold (empty: it can be evaluated)."""
    return [e for e in needs.get(standard, ()) if int(rows.get(e, 0)) == 0]


def label(export: str, lang: str) -> str:
    """'calendars (.ics)', '日历 (.ics)', or both for a bilingual page."""
    e = BY_ID[export]
    return {"zh": f"{e.label_zh} ({e.hint})", "en": f"{e.label_en} ({e.hint})"}.get(
        lang, f"{e.label_zh} {e.label_en} ({e.hint})"
    )

"""What the exports hold, and what a missing part blocks: the run summary and the site's setup
checklist read the same `setup_status(con)`.

A source is *found* when its raw table holds at least one row (a file that loaded nothing does
not count). `feeds` names the standards of STANDARDS.md that need the source: without the staff
directory nobody is an AE, so every standard is empty; without CRM accounts nobody is a client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from aemetrics.config import STANDARD_IDS


@dataclass(frozen=True)
class Source:
    source: str  # staff | crm | calendar | attendance | email
    label: str  # what a person calls it
    export: str  # where it goes in the exports folder
    tables: tuple[str, ...]  # raw tables that hold it (any row: found)
    kinds: tuple[str, ...]  # ingest_manifest.source_kind of its files
    feeds: tuple[str, ...]  # standards that need it


SOURCES: tuple[Source, ...] = (
    Source(
        "staff",
        "staff directory",
        "staff.csv, or the CRM's User.csv",
        ("raw_staff", "raw_crm_users"),
        ("staff",),
        STANDARD_IDS,  # who is an AE (and their supervisor): every standard
    ),
    Source(
        "crm",
        "CRM accounts",
        "crm/ (Salesforce Account.csv, Contact.csv, ... or the canonical layout)",
        ("raw_crm_accounts",),
        ("crm",),
        tuple(s for s in STANDARD_IDS if s not in ("friday_supervisor_report", "work_on_time")),  # who is a client
    ),
    Source(
        "calendar",
        "calendars",
        "calendar/ (*.ics)",
        ("raw_calendar_events",),
        ("calendar",),
        ("agenda_48h", "internal_notice_24h", "on_time", "reschedule_notice", "minutes_24h", "post_project_review"),
    ),
    Source(
        "attendance",
        "attendance",
        "attendance/ (Zoom / Teams reports, clock-in exports)",
        ("raw_attendance", "raw_clock_ins"),
        ("attendance",),
        ("on_time", "work_on_time"),
    ),
    Source(
        "email",
        "mailboxes",
        "email/ (*.mbox, *.eml, *.msg)",
        ("raw_email_messages",),
        ("email",),
        (
            "reply_12h",
            "agenda_48h",
            "minutes_24h",
            "minutes_signoff",
            "friday_client_report",
            "friday_supervisor_report",
            "festival_greeting",
            "market_info",
        ),
    ),
)


@dataclass
class SourceStatus:
    source: str
    label: str
    export: str
    found: bool
    files: list[str] = field(default_factory=list)  # export files of this kind that loaded rows
    feeds: list[str] = field(default_factory=list)  # standards that need it

    def line(self) -> str:
        """`missing staff directory: staff.csv, ...; blocks reply_12h, ...` or `found ...: N files`."""
        if self.found:
            return f"found {self.label}: {len(self.files)} files"
        return f"missing {self.label}: {self.export}; blocks {', '.join(self.feeds)}"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'main'").fetchall()
    return {r[0] for r in rows}


def setup_status(con: duckdb.DuckDBPyConnection) -> list[SourceStatus]:
    """Each source of SOURCES, found or missing, with its loaded files and the standards it feeds."""
    present = _tables(con)
    out = []
    for src in SOURCES:
        found = any(
            t in present and con.execute(f'select count(*) from "{t}"').fetchall()[0][0] > 0 for t in src.tables
        )
        files: list[str] = []
        if "ingest_manifest" in present:
            marks = ", ".join("?" for _ in src.kinds)
            files = [
                r[0]
                for r in con.execute(
                    f"select source_file from ingest_manifest where source_kind in ({marks}) and rows_loaded > 0 "
                    "order by source_file",
                    list(src.kinds),
                ).fetchall()
            ]
        out.append(SourceStatus(src.source, src.label, src.export, found, files, list(src.feeds)))
    return out


def has_export_files(exports: Path) -> bool:
    """True when the folder holds at least one file ingest reads (staff.csv, email/, calendar/, crm/,
    attendance/, or an archive anywhere), without parsing any. Stops at the first one."""
    from aemetrics.ingest import archives
    from aemetrics.ingest.runner import classify

    for folder, dirs, files in os.walk(exports, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if classify(path.relative_to(exports).as_posix()) != "unknown" or archives.archive_format(path):
                return True
    return False


def no_exports_message(exports: Path) -> str:
    return (
        f"{exports}: no export file in this folder: expected staff.csv, email/, calendar/, crm/ or attendance/ "
        "(see README, 'Use it on your own exports')"
    )

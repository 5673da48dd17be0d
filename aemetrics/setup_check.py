"""What the exports hold, and what a missing part blocks: the run summary's setup lines. The
exports, their raw tables and the standards they feed are defined once, in `aemetrics.exports`
(the site's checklist reads the same).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from aemetrics import exports as ex


@dataclass
class SourceStatus:
    source: str  # an export id of aemetrics.exports: staff | crm | calendar | attendance | clock | email
    label: str
    export: str  # where its files go
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
    """Each export of aemetrics.exports, found or missing, with its loaded files and the standards it feeds."""
    present = _tables(con)
    rows = ex.export_rows(
        lambda t: con.execute(f'select count(*) from "{t}"').fetchall()[0][0] if t in present else None
    )
    needs = ex.registry_needs()
    out = []
    for e in ex.EXPORTS:
        files: list[str] = []
        if "ingest_manifest" in present:
            files = [
                r[0]
                for r in con.execute(
                    f"select source_file from ingest_manifest where ({e.files}) and rows_loaded > 0 order by source_file"
                ).fetchall()
            ]
        out.append(SourceStatus(e.id, e.label_en, e.where, rows[e.id] > 0, files, list(ex.feeds(e.id, needs))))
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

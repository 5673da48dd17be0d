"""The contract every parser follows: one file in, rows for raw tables and quarantine out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aemetrics.config import Settings


class ParseError(Exception):
    """The whole file cannot be read as its kind; the message says why (goes to quarantine)."""


class RowError(ValueError):
    """One record cannot be loaded; the message is its quarantine reason."""


@dataclass
class ParseResult:
    """Rows keyed by raw table name, and records that could not be loaded."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (record, reason)
    parser: str | None = None

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def reject(self, record: str, reason: str) -> None:
        self.quarantined.append((record, reason))

    @property
    def row_count(self) -> int:
        return sum(len(v) for v in self.rows.values())


@dataclass(frozen=True)
class SourceFile:
    """An export file: its absolute path and its path relative to the exports folder."""

    path: Path
    rel: str  # '/'-separated, relative to the exports folder: the value of every row's source_file
    kind: str  # staff | email | calendar | crm | attendance


def utc(dt: datetime) -> datetime:
    """An aware datetime in UTC. Naive input is a programming error here: say so loudly."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"naive datetime {dt!r}: attach a time zone before storing")
    return dt.astimezone(UTC)


__all__ = ["ParseError", "ParseResult", "RowError", "SourceFile", "Settings", "utc"]

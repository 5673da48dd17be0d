"""Helpers shared by the parser tests."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def raw_columns(table: str) -> set[str]:
    """The columns of a raw table, from its DDL in sql/raw: the contract every parser meets."""
    con = duckdb.connect()
    con.execute((ROOT / "sql" / "raw" / f"{table}.sql").read_text(encoding="utf-8"))
    rows = con.execute("select column_name from information_schema.columns where table_name = ?", [table]).fetchall()
    return {r[0] for r in rows}

"""The DuckDB warehouse: open it, create the raw tables, and insert parsed rows by name."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd


def _sql_dir() -> Path:
    """sql/ of the checkout (DESIGN.md keeps it at the top level); a wheel ships it as aemetrics/sql."""
    checkout = Path(__file__).resolve().parent.parent / "sql"
    return checkout if (checkout / "models.txt").is_file() else Path(__file__).resolve().parent / "sql"


SQL_DIR = _sql_dir()


class WarehouseError(RuntimeError):
    """The database file cannot be opened or written."""


def open_warehouse(db_path: str | Path, read_only: bool = False, memory_limit: str = "") -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse with every raw table present and UTC sessions.
    memory_limit: DuckDB's (setting `memory_limit`; it spills to disk beyond); "": DuckDB's default."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except (duckdb.IOException, duckdb.Error) as exc:
        raise WarehouseError(f"{db_path}: cannot open the warehouse: {exc}") from exc
    con.execute("set TimeZone = 'UTC'")
    # DuckDB's own bar would print into logs and pipes; the run has its own (aemetrics/progress.py)
    con.execute("set enable_progress_bar = false")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    if not read_only:
        create_raw_tables(con)
    return con


def check_usable(db_path: str | Path) -> None:
    """Fail early, naming the file, when the warehouse cannot be used; changes nothing."""
    db_path = Path(db_path)
    if db_path.exists():
        if not db_path.is_file():
            raise WarehouseError(f"{db_path}: not a file")
        open_warehouse(db_path, read_only=True).close()
    else:
        parent = db_path.parent.resolve()
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK):
            raise WarehouseError(f"{db_path}: cannot create the warehouse here ({parent} is not writable)")


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in sorted((SQL_DIR / "raw").glob("*.sql")):
        con.execute(ddl.read_text(encoding="utf-8"))


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables that hold rows of export files (every one has source_file)."""
    rows = con.execute(
        "select table_name from information_schema.columns "
        "where column_name = 'source_file' and table_schema = 'main' "
        "and table_name not in ('ingest_manifest') order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ? and table_schema = 'main' order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def _as_utc_series(values: list[Any], table: str, column: str) -> pd.Series:
    for v in values:
        if isinstance(v, datetime) and (v.tzinfo is None or v.utcoffset() is None):
            raise ValueError(f"{table}.{column}: naive datetime {v!r}; parsers must emit aware datetimes")
    return pd.Series(pd.to_datetime(pd.Series(values, dtype="object"), utc=True), dtype="datetime64[us, UTC]")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert dict rows into `table` by column name; unknown keys are a programming error."""
    rows = list(rows)
    if not rows:
        return 0
    types = column_types(con, table)
    unknown = set().union(*(r.keys() for r in rows)) - types.keys()
    if unknown:
        raise ValueError(f"{table}: rows carry columns the table does not have: {sorted(unknown)}")
    data: dict[str, Any] = {}
    for col, typ in types.items():
        values = [r.get(col) for r in rows]
        if typ.startswith("TIMESTAMP WITH TIME ZONE"):
            data[col] = _as_utc_series(values, table, col)
        else:
            data[col] = pd.Series(values, dtype="object")
    frame = pd.DataFrame(data)
    con.register("_aemetrics_rows", frame)
    try:
        casts = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in types.items())
        con.execute(f'insert into "{table}" by name select {casts} from _aemetrics_rows')
    finally:
        con.unregister("_aemetrics_rows")
    return len(rows)

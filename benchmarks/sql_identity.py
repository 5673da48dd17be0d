"""The same build from two sql/ folders: every model table identical, row for row.

    .venv/bin/python benchmarks/sql_identity.py BASE_SQL_DIR [WAREHOUSE [AS_OF]]

BASE_SQL_DIR is the reference sql/ folder (e.g. an export of the last commit before a
rewrite: `git archive HEAD~3 sql | tar -x -C /tmp/base`); the other is the sql/ folder beside
this script (this checkout's, whichever aemetrics package is imported).
WAREHOUSE is a warehouse with raw tables (copied, never written) or an exports folder (ingested
first, e.g. tests/fixtures/scenarios/mail_rules); without one, the demo agency is generated and
ingested. AS_OF: an ISO instant (default 2026-01-05T08:30+08:00 for a warehouse,
the demo's export time for the demo). Both copies are built as of the same instant, then every model of
sql/models.txt is compared with EXCEPT ALL both ways (floating columns compared exactly; the
build's own clock, `built_at`, left out). Prints each model's seconds on both sides and exits 1
on any difference.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2026-01-05T08:30+08:00")
DEMO_AS_OF = datetime.fromisoformat("2025-12-15T08:30+08:00")  # the demo's export time
NEW_SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
CLOCK_COLUMNS = {"built_at"}  # the build's wall clock: differs between any two builds


def demo_warehouse(tmp: Path) -> Path:
    from aemetrics.demo import generate_demo
    from aemetrics.ingest.runner import ingest_exports

    exports = tmp / "exports"
    generate_demo(exports)
    db = tmp / "demo.duckdb"
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    con.close()
    return db


def ingested(exports: Path, tmp: Path) -> Path:
    from aemetrics.ingest.runner import ingest_exports

    db = tmp / "exports.duckdb"
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    con.close()
    return db


def compare(base_sql: Path, raw: Path, tmp: Path, as_of: datetime) -> int:
    sides = {}
    for side, sql_dir in (("base", base_sql), ("new", NEW_SQL_DIR)):
        db = tmp / f"{side}.duckdb"
        shutil.copy(raw, db)
        con = open_warehouse(db)
        sides[side] = build(con, Settings(), as_of, sql_dir=sql_dir)
        con.close()
    base, new = sides["base"], sides["new"]
    con = open_warehouse(tmp / "new.duckdb")
    con.execute(f"attach '{tmp / 'base.duckdb'}' as base (read_only)")
    failures = 0
    print(f"base: {base_sql}\nnew:  {NEW_SQL_DIR}")
    print(f"{'model':45s} {'rows':>9s} {'base s':>7s} {'new s':>7s}  result")
    for name in base.models:
        if name not in new.models:
            print(f"{name:45s} missing from the new build")
            failures += 1
            continue
        cols_base = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'base' and table_name = ?"
            " order by column_index",
            [name],
        ).fetchall()
        cols_new = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = current_database()"
            " and schema_name = 'main' and table_name = ? order by column_index",
            [name],
        ).fetchall()
        if cols_base != cols_new:
            print(f"{name:45s} columns differ: {sorted(set(cols_base) ^ set(cols_new))}")
            failures += 1
            continue
        cols = ", ".join(f'"{c}"' for c, _ in cols_new if c not in CLOCK_COLUMNS)
        only_base = con.execute(
            f'select count(*) from (select {cols} from base.main."{name}" except all select {cols} from main."{name}")'
        ).fetchone()[0]
        only_new = con.execute(
            f'select count(*) from (select {cols} from main."{name}" except all select {cols} from base.main."{name}")'
        ).fetchone()[0]
        ok = only_base == 0 and only_new == 0 and base.row_counts[name] == new.row_counts[name]
        failures += not ok
        result = "identical" if ok else f"DIFFER: {only_base} rows only in base, {only_new} only in new"
        print(
            f"{name:45s} {new.row_counts[name]:9d} {base.model_seconds[name]:7.2f} {new.model_seconds[name]:7.2f}  {result}"
        )
    print(
        f"build seconds: base {base.seconds:.2f}, new {new.seconds:.2f}; {len(base.models)} models, {failures} differ"
    )
    con.close()
    return failures


def main(argv: list[str]) -> int:
    base_sql = Path(argv[1])
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if len(argv) > 2:
            source = Path(argv[2])
            raw = ingested(source, tmp) if source.is_dir() else source
            return compare(base_sql, raw, tmp, datetime.fromisoformat(argv[3]) if len(argv) > 3 else AS_OF)
        return compare(base_sql, demo_warehouse(tmp), tmp, DEMO_AS_OF)


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv) else 0)

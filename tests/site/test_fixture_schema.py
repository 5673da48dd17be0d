"""The hand-made fixture warehouse has the real tables: built from sql/ (raw DDL and models), not copied."""

import duckdb

MARTS = ["obligations", "obligation_details", "kpi_weekly", "at_risk", "aes", "run_info", "run_notes", "evidence_refs"]


def columns(db, tables):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position",
                [t],
            ).fetchall()
            for t in tables
        }
    finally:
        con.close()


def test_fixture_tables_are_the_real_models(fixture_db, demo_db):
    """Before, tests/site/conftest.py created the marts from a hand-copied DDL string (and
    test_quality.py from two more): a column a model added or dropped went unnoticed there."""
    tables = [*MARTS, "ingest_manifest", "quarantine", "validation_results"]
    assert columns(fixture_db, tables) == columns(demo_db, tables)

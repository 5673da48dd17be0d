"""Checks beside the models (issue 9 item 4): every model of sql/models.txt declares its grain
(and keys, not-nulls, accepted values) in sql/<layer>/<model>.yml, and the build's validation
runs them with Great Expectations, naming the model, the column and the failing rows.

Before, only obligations, kpi_weekly and evidence_refs were checked (their rules written in
aemetrics/quality.py); a staging or intermediate model could double its rows unnoticed."""

import shutil
from datetime import UTC, datetime

import pytest

from aemetrics.build import build, declared_models
from aemetrics.config import Settings
from aemetrics.quality import (
    build_suites,
    load_model_checks,
    models_without_checks,
    validate,
)
from aemetrics.warehouse import SQL_DIR, insert_rows, open_warehouse

AS_OF = datetime(2025, 10, 15, 2, tzinfo=UTC)
STAFF = [
    dict(
        email=f"{n}@agency.cn",
        name=n,
        role="ae",
        team="T",
        supervisor_email="boss@agency.cn",
        source_file="staff.csv",
        record=f"line {i}",
    )
    for i, n in enumerate(["li.wei", "wang.fang"], 2)
]


@pytest.fixture()
def con(tmp_path):
    c = open_warehouse(tmp_path / "w.duckdb")
    yield c
    c.close()


@pytest.fixture()
def sql_copy(tmp_path):
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy)
    return copy


def duplicate_rows(model_sql):
    text = model_sql.read_text(encoding="utf-8")
    assert text.rstrip().endswith("select * from final")
    model_sql.write_text(text.rstrip() + " union all select * from final\n", encoding="utf-8")


def test_every_model_declares_its_grain():
    """A model added to models.txt without its checks file fails here, saying what to add."""
    missing = models_without_checks()
    assert not missing, "models without checks:\n" + "\n".join(missing)
    for path in declared_models():
        assert load_model_checks(path).grain is not None


def test_declared_columns_exist_in_the_models(con):
    """Every column a checks file names is a column of its model (a build over no exports)."""
    build(con, Settings(), AS_OF)
    suites, errors = build_suites(con)
    assert errors == []
    assert [s.table for s in suites] == [p.stem for p in declared_models()]


def test_a_model_without_checks_is_named_with_what_to_add(con, sql_copy):
    (sql_copy / "marts" / "kpi_new.sql").write_text("select 1 as x\n", encoding="utf-8")
    with open(sql_copy / "models.txt", "a", encoding="utf-8") as listing:
        listing.write("marts/kpi_new\n")
    assert models_without_checks(sql_copy) == [
        (
            "marts/kpi_new.sql: create marts/kpi_new.yml with at least `grain: [<the columns that identify one row>]` "
            "(docs/quality.md)"
        )
    ]
    build(con, Settings(), AS_OF, sql_dir=sql_copy)
    report = validate(con, "build", sql_dir=sql_copy)
    assert report.blocks_publishing and "kpi_new.yml" in report.failed[0]
    (sql_copy / "marts" / "kpi_new.yml").write_text("grain: [x]\n", encoding="utf-8")
    assert models_without_checks(sql_copy) == []
    assert not validate(con, "build", sql_dir=sql_copy).blocks_publishing


def test_a_broken_grain_in_an_intermediate_model_warns_naming_model_column_and_rows(con, sql_copy):
    """int_aes with every row twice: two AEs, four failing rows; intermediate checks warn."""
    duplicate_rows(sql_copy / "intermediate" / "int_aes.sql")
    insert_rows(con, "raw_staff", STAFF)
    build(con, Settings(), AS_OF, sql_dir=sql_copy)
    report = validate(con, "build", sql_dir=sql_copy)
    found = [w for w in report.warnings if w.startswith("int_aes:")]
    assert len(found) == 1, report.warnings
    assert "expect_column_values_to_be_unique(ae)" in found[0] and "(4 failing rows)" in found[0]
    stored = con.execute(
        "select column_name, unexpected_count, action from validation_results "
        "where table_name = 'int_aes' and not success"
    ).fetchall()
    assert stored == [("ae", 4, "warn")]


def test_a_broken_grain_in_a_mart_blocks_publishing(con, sql_copy):
    """aes with every row twice blocks publishing, and so does the mart built from it."""
    duplicate_rows(sql_copy / "marts" / "aes.sql")
    insert_rows(con, "raw_staff", STAFF)
    build(con, Settings(), AS_OF, sql_dir=sql_copy)
    report = validate(con, "build", sql_dir=sql_copy)
    assert report.blocks_publishing
    # aes and ae_scorecard (one '*' row per row of aes) both have every AE twice: both block
    assert [f.split(":")[0] for f in report.failed] == ["aes", "ae_scorecard"], report.failed
    assert report.failed[0].startswith("aes: expect_column_values_to_be_unique(ae)")
    assert report.failed[0].endswith("(4 failing rows)")
    assert report.failed[1].startswith("ae_scorecard: expect_compound_columns_to_be_unique(ae,standard)")


def test_a_null_key_in_a_mart_blocks_and_a_bad_value_in_staging_warns(con):
    build(con, Settings(), AS_OF)
    t = datetime(2025, 9, 29, 2, tzinfo=UTC)
    insert_rows(
        con,
        "obligations",
        [dict(obligation_id="o1", standard=None, ae="a@x", opened_at=t, due_at=t, status="met", evidence="m")],
    )
    insert_rows(con, "stg_email__recipients", [dict(message_id="m1", address="a@x", recipient_type="bcc")])
    report = validate(con, "build")
    assert any(
        f.startswith("obligations: expect_column_values_to_not_be_null(standard)") and "(1 failing rows)" in f
        for f in report.failed
    ), report.failed
    assert any(
        w.startswith("stg_email__recipients: expect_column_values_to_be_in_set(recipient_type)")
        for w in report.warnings
    ), report.warnings

"""Great Expectations checkpoints: bad raw rows are quarantined, bad marts block, drops warn."""

from datetime import UTC, datetime, timedelta

import pytest

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.quality import validate
from aemetrics.warehouse import insert_rows, open_warehouse

UTC = UTC
AS_OF = datetime(2025, 10, 15, 2, tzinfo=UTC)


@pytest.fixture()
def con(tmp_path):
    c = open_warehouse(tmp_path / "w.duckdb")
    yield c
    c.close()


@pytest.fixture()
def built(con):
    """Every table of the real DDL and models (the build over no exports), marts emptied."""
    build(con, Settings(), AS_OF)
    for mart in ["obligations", "kpi_weekly", "evidence_refs", "aes"]:
        con.execute(f'delete from "{mart}"')
    insert_rows(con, "aes", [dict(ae="a@x"), dict(ae="b@x")])
    return con


def mail(mid, sent, record):
    return dict(message_id=mid, has_message_id=True, sent_at=sent, source_file="email/a.mbox", record=record)


def test_raw_rows_out_of_range_are_quarantined_with_the_check_as_reason(con):
    insert_rows(
        con,
        "raw_email_messages",
        [
            mail("a", datetime(2025, 9, 29, 2, tzinfo=UTC), "message 1"),
            mail("b", datetime(1970, 1, 1, tzinfo=UTC), "message 2"),  # an epoch-zero Date header
            mail("c", None, "message 3"),  # no Date: kept, the engine ignores it
        ],
    )
    report = validate(con, "ingest")
    assert report.quarantined_rows == 1 and not report.failed
    assert con.execute("select message_id from raw_email_messages order by 1").fetchall() == [("a",), ("c",)]
    ((source_file, record, reason),) = con.execute("select source_file, record, reason from quarantine").fetchall()
    assert (source_file, record) == ("email/a.mbox", "message 2")
    assert "expect_column_values_to_be_between" in reason and "1970-01-01" in reason
    stored = con.execute(
        "select expectation, success, unexpected_count from validation_results "
        "where table_name = 'raw_email_messages' and column_name = 'sent_at'"
    ).fetchall()
    assert stored == [("expect_column_values_to_be_between", False, 1)]


def test_row_count_drop_over_15_percent_is_flagged(con):
    base = datetime(2025, 9, 29, tzinfo=UTC)
    insert_rows(
        con, "raw_email_messages", [mail(f"m{i}", base + timedelta(hours=i), f"message {i}") for i in range(20)]
    )
    assert validate(con, "ingest").warnings == []
    con.execute(
        "delete from raw_email_messages where record in ('message 0', 'message 1', 'message 2')"
    )  # 17/20: -15 %
    assert validate(con, "ingest").warnings == []
    con.execute("delete from raw_email_messages where record = 'message 3'")  # 16/17: fine against the last run
    assert validate(con, "ingest").warnings == []
    con.execute(
        "delete from raw_email_messages where record in ('message 4', 'message 5', 'message 6')"
    )  # 13/16: -19 %
    warnings = validate(con, "ingest").warnings
    assert len(warnings) == 1 and "raw_email_messages" in warnings[0] and "13" in warnings[0]


def test_marts_with_impossible_values_block_publishing(built):
    con = built
    t = datetime(2025, 9, 29, 2, tzinfo=UTC)
    insert_rows(
        con,
        "obligations",
        [
            dict(
                obligation_id="o1",
                standard="reply_12h",
                ae="a@x",
                opened_at=t,
                due_at=t + timedelta(hours=12),
                status="met",
                evidence="m1",
            ),
            dict(
                obligation_id="o2",
                standard="reply_12h",
                ae="a@x",
                opened_at=t,
                due_at=t - timedelta(hours=1),
                status="late",
                evidence="m2",
            ),
            dict(
                obligation_id="o3", standard="reply_12h", ae="a@x", opened_at=t, due_at=t, status="done", evidence="m3"
            ),
            dict(  # a reschedule made after its deadline opens at the change (STANDARDS.md): not a failure
                obligation_id="o4",
                standard="reschedule_notice",
                ae="a@x",
                opened_at=t,
                due_at=t - timedelta(hours=5),
                status="late",
                evidence="m4",
            ),
        ],
    )
    week = dict(
        standard="reply_12h", team="N", iso_year=2025, iso_week=40, week_start=t.date(), missed=0, open=0, excused=0
    )
    insert_rows(
        con,
        "kpi_weekly",
        [dict(week, ae="a@x", met=3, late=1, rate=0.75), dict(week, ae="b@x", met=1, late=0, rate=1.5)],
    )
    report = validate(con, "build")
    assert report.blocks_publishing
    failed = " | ".join(report.failed)
    assert "due_at>=opened_at" in failed  # o2 is due before it opened
    due_check = next(f for f in report.failed if "due_at>=opened_at" in f)
    assert due_check.endswith("(1 failing rows)"), due_check  # o2 only: o4 is a reschedule_notice
    assert "expect_column_values_to_be_in_set(status)" in failed  # 'done' is no status
    assert "kpi_weekly: expect_column_values_to_be_between(rate)" in failed  # 1.5
    assert len(report.failed) == 3


def test_clean_marts_pass(built):
    con = built
    t = datetime(2025, 9, 29, 2, tzinfo=UTC)
    insert_rows(
        con,
        "obligations",
        [
            dict(
                obligation_id="o1",
                standard="reply_12h",
                ae="a@x",
                opened_at=t,
                due_at=t + timedelta(hours=12),
                status="open",
                evidence="m1",
            ),
        ],
    )
    report = validate(con, "build")
    assert not report.blocks_publishing and not report.warnings
    results = con.execute(
        "select table_name, count(*) from validation_results where stage = 'build' "
        "and table_name = 'obligations' group by 1"
    ).fetchall()
    assert results == [("obligations", 13)]  # 1 grain, 7 not-null, 1 status, 1 reference, 2 rules, row count


def test_evidence_naming_a_row_that_is_not_there_blocks_publishing(built):
    con = built
    t = datetime(2025, 9, 29, 2, tzinfo=UTC)
    insert_rows(
        con,
        "obligations",
        [
            dict(obligation_id=o, standard="reply_12h", ae="a@x", opened_at=t, due_at=t, status="met", evidence="m")
            for o in ("o1", "o2")
        ],
    )
    insert_rows(
        con,
        "evidence_refs",
        [
            dict(
                obligation_id="o1",
                standard="reply_12h",
                item_no=1,
                kind="email",
                source_file="email/a.mbox",
                record="message 1",
                source_table="raw_email_messages",
                is_resolved=True,
            ),
            dict(
                obligation_id="o2",
                standard="reply_12h",
                item_no=1,
                kind="email",
                source_file="email/gone.mbox",
                record="message 9",
                source_table=None,
                is_resolved=False,
            ),
        ],
    )
    report = validate(con, "build")
    assert report.failed and "evidence_refs" in report.failed[0] and "False" in report.failed[0]

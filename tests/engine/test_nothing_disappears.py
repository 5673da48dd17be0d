"""Nothing disappears silently (STANDARDS.md): a record that loads but that no standard can use
stays in its raw table AND is listed in `quarantine` with its reason, so that the site's
data-quality section counts it. tests/fixtures/scenarios/unusable holds, in real export formats:
an mbox with a client message whose Date header the gateway dropped and one whose Date is
written in Chinese, an .eml saved without Date, an Outlook .ics with an event without DTSTART
and one whose DTSTART cannot be read, and a Salesforce Task.csv with a call without
ActivityDate (and a deleted task without one, which is ignored by rule, not unusable).

The old engine loaded the messages with sent_at null and listed nothing; it did not load the
start-less events at all (only quarantine named them); it dated the undated call at its
CreatedDate and used it as evidence; its quarantine had no way to tell a loaded record from a
rejected one, so the site counted the .eml without Date as a file rejected whole.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from scenario_tools import SCENARIOS

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.quality import validate
from aemetrics.site import metrics
from aemetrics.warehouse import open_warehouse, raw_tables

AS_OF = datetime.fromisoformat("2026-03-06T12:00:00+08:00")
UNDATED_MAIL = "loaded, but no standard can use a message without a date"
UNDATED_CRM = "loaded, but no standard can use an activity without a date"
EXPECTED = {  # (source_file, record): reason; every one still in its raw table (is_loaded)
    ("email/li.wei.mbox", "message 2"): f"no Date header: {UNDATED_MAIL}",
    ("email/li.wei.mbox", "message 3"): f"unusable Date header '2026年3月4日 星期三 上午9:00': {UNDATED_MAIL}",
    ("email/saved-minutes.eml", "file"): f"no Date header: {UNDATED_MAIL}",
    ("calendar/li.wei.ics", "VEVENT 2"): "missing DTSTART",
    ("calendar/li.wei.ics", "VEVENT 3"): "unparseable DTSTART: 2026-03-06 14:00",
    ("crm/Task.csv", "line 3"): "no activity date (ActivityDate, CompletedDateTime and StartDateTime are empty): "
    + UNDATED_CRM,
}


@pytest.fixture()
def exports(tmp_path) -> Path:
    target = tmp_path / "exports"
    shutil.copytree(SCENARIOS / "unusable", target)
    return target


def snapshot(con) -> dict[str, list]:
    tables = raw_tables(con) + ["ingest_manifest"]
    return {t: sorted(map(repr, con.execute(f'select * from "{t}"').fetchall())) for t in tables}


def quarantine(con) -> dict[tuple, tuple]:
    rows = con.execute("select source_file, record, reason, is_loaded from quarantine").fetchall()
    return {(f, r): (reason, loaded) for f, r, reason, loaded in rows}


def test_unusable_records_stay_in_their_raw_table_and_are_listed(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    report = ingest_exports(exports, con, Settings())
    assert report.records_quarantined == 6
    assert quarantine(con) == {key: (reason, True) for key, reason in EXPECTED.items()}
    mail = con.execute(
        "select source_file, record, message_id, sent_at from raw_email_messages where sent_at is null order by 1, 2"
    ).fetchall()
    assert mail == [
        ("email/li.wei.mbox", "message 2", "nodate@brandco.com", None),
        ("email/li.wei.mbox", "message 3", "baddate@brandco.com", None),
        ("email/saved-minutes.eml", "file", "draft-no-date@adagency.cn", None),
    ]
    events = con.execute(
        "select record, event_uid, occurrence_key, start_at, summary from raw_calendar_events "
        "where start_at is null order by record"
    ).fetchall()
    assert events == [
        ("VEVENT 2", "brandco-tbd-2026", "", None, "BrandCo review (time to be agreed)"),
        ("VEVENT 3", "brandco-typo-2026", "", None, "BrandCo media plan"),
    ]
    attendees = con.execute(
        "select record, email from raw_calendar_attendees where occurrence_key = '' order by 1"
    ).fetchall()
    assert attendees == [("VEVENT 2", "chen.jing@brandco.com"), ("VEVENT 3", "chen.jing@brandco.com")]
    calls = con.execute("select record, activity_at, is_deleted from raw_crm_activities order by record").fetchall()
    assert [(r, at is None, deleted) for r, at, deleted in calls] == [
        ("line 2", False, False),
        ("line 3", True, False),
        ("line 4", True, True),
    ]  # line 4: deleted, not listed
    # the raw-table checks (Great Expectations) do not throw the start-less events out
    checked = validate(con, "ingest")
    assert checked.quarantined_rows == 0 and not checked.failed
    assert con.execute("select count(*) from raw_calendar_events").fetchone()[0] == 3
    con.close()


def test_second_ingest_changes_nothing_and_a_changed_file_replaces_its_quarantine_rows(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    before = snapshot(con)
    again = ingest_exports(exports, con, Settings())
    assert (again.files_parsed, again.records_quarantined) == (0, 0)
    assert snapshot(con) == before
    # the call gets its ActivityDate: its quarantine row goes, the others stay as they were
    task = exports / "crm" / "Task.csv"
    task.write_text(task.read_text().replace("Follow up on the quote,,", "Follow up on the quote,2026-03-04,"))
    changed = ingest_exports(exports, con, Settings())
    assert (changed.files_parsed, changed.files_changed, changed.records_quarantined) == (1, 1, 0)
    expected = {key: (reason, True) for key, reason in EXPECTED.items() if key[0] != "crm/Task.csv"}
    assert quarantine(con) == expected
    assert con.execute("select count(*) from raw_crm_activities where activity_at is not null").fetchone()[0] == 2
    con.close()


def test_unusable_records_serve_and_open_nothing_and_the_site_counts_them(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    build(con, Settings(), AS_OF)
    meetings = [r[0] for r in con.execute("select occurrence_id from int_client_meetings").fetchall()]
    assert meetings == ["brandco-kickoff-2026 / 2026-03-05T02:00:00Z"]
    evidence = " ".join(r[0] for r in con.execute("select evidence from obligations").fetchall())
    for unusable in (
        "nodate@brandco.com",
        "baddate@brandco.com",
        "draft-no-date",
        "crm/Task.csv (line 3)",
        "(VEVENT 2)",
        "(VEVENT 3)",
    ):
        assert unusable not in evidence
    # neither undated client question opens a reply obligation
    assert con.execute("select count(*) from obligations where standard = 'reply_12h'").fetchone()[0] == 0
    manifest = con.execute("select * from ingest_manifest").df()
    kinds, reasons = metrics.quality(manifest, con.execute("select * from quarantine").df())
    kinds = kinds.set_index("source_kind")
    # files, files rejected whole, rows loaded, records quarantined, of which still loaded:
    # the .eml without Date is record 'file' but it loaded: no file was rejected
    assert kinds.loc["email"].tolist() == [2, 0, 4, 3, 3]
    assert kinds.loc["calendar"].tolist() == [1, 0, 6, 2, 2]
    assert kinds.loc["crm"].tolist() == [4, 0, 7, 1, 1]
    assert reasons["count"].sum() == 6
    con.close()

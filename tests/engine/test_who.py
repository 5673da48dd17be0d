"""Who is a client, who is an AE, the supervisor report's recipients, as_of for CRM activities and the
direction of CRM e-mails (issue 8 items 4, 5, 6, 7, 9b).

tests/fixtures/scenarios/who: staff.csv (a 客户主任 and a Senior AE), Salesforce User/Account/Contact/
Task exports and Li Wei's mbox, in ISO weeks 10-11 of 2026 (Mon 2 Mar - Sun 15 Mar, no holiday).
tests/fixtures/scenarios/who_emailmessage: a Salesforce EmailMessage export (and the Task it belongs to),
added to the who scenario in one test. tests/fixtures/scenarios/who_noroles: a staff.csv without a role
column.
Every expected value below is computed by hand from those files and STANDARDS.md."""

from __future__ import annotations

import html
import shutil
from datetime import datetime

import pytest
from scenario_tools import SCENARIOS, Built, build_copy, ingest_scenario, local, oid

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.site import publish_site
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2026-03-09T09:00:00+08:00")  # Monday of W11
AS_OF_TUE = datetime.fromisoformat("2026-03-03T18:00:00+08:00")  # Tuesday of W10
LI, WU, ZHANG = "li.wei@agency.cn", "wu.jie@agency.cn", "zhang.min@agency.cn"
BRANDCO, NEWCO, TEACO = "001000000000001", "001000000000003", "001000000000004"
W10, W11 = "2026-03-02", "2026-03-09"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    return ingest_scenario("who", tmp_path_factory)


@pytest.fixture(scope="module")
def built(ingested) -> Built:
    result = build_copy(ingested, AS_OF)
    yield result
    result.con.close()


def weekly(built: Built, standard: str) -> dict[str, tuple]:
    return {
        r["obligation_id"]: (r["fulfilled_at"], r["status"])
        for r in built.rows(
            "select obligation_id, fulfilled_at, status from obligations where standard = ?", [standard]
        )
    }


# -- item 5: who is a client -------------------------------------------------------------------


def test_vendor_media_and_social_site_addresses_open_no_reply(built):
    """A printer (Type 'Vendor - Print') mails Li; a weibo.com user mails Li (BrandCo's Website is
    weibo.com/brandco); a media owner (Type 媒体, known by its domain) mails Li: none is a client, so the
    only reply_12h is Chen Jing's (an exact contact of BrandCo), answered 2 h later. The old engine
    opened four obligations (three of them missed)."""
    rows = built.rows(
        "select obligation_id, opened_at, fulfilled_at, status from obligations where standard = 'reply_12h'"
    )
    assert [(r["obligation_id"], r["opened_at"], r["fulfilled_at"], r["status"]) for r in rows] == [
        (oid("reply_12h", "q1@brandco.cn"), local(2026, 3, 3, 14), local(2026, 3, 3, 16), "met")
    ]
    kinds = dict(
        built.con.execute(
            "select email, identity_kind from int_identities where email in "
            "('wu.gang@printco.cn', 'fan123@weibo.com', 'ad@mediaco.cn', 'chen.jing@brandco.cn', 'tang.yu@teaco.cn')"
        ).fetchall()
    )
    assert kinds == {
        "wu.gang@printco.cn": "other",
        "fan123@weibo.com": "other",
        "ad@mediaco.cn": "other",
        "chen.jing@brandco.cn": "client",
        "tang.yu@teaco.cn": "client",
    }


def test_account_types_that_are_not_clients(built):
    """The type, or a word of it, begins with a configured non-client type (case-insensitive); a customer
    type wins. The old engine had no such flag (every account's contacts and domain made clients)."""
    flags = dict(built.con.execute("select account_name, is_non_client from stg_crm__accounts").fetchall())
    assert flags == {
        "BrandCo": False,
        "PrintCo": True,
        "NewCo": False,
        "TeaCo": False,
        "MediaCo": True,
        "AdTech": True,
        "ChannelCo": False,
    }


def test_public_and_social_domains_are_configurable(ingested):
    """With social_domains emptied, weibo.com is BrandCo's domain again and the fan's mail opens a reply_12h
    (missed: nobody answered); the vendor and the media owner still open nothing."""
    result = build_copy(ingested, AS_OF, Settings(social_domains=[]), "no-social")
    try:
        keys = {
            r["obligation_id"]: r["status"]
            for r in result.rows("select obligation_id, status from obligations where standard = 'reply_12h'")
        }
        assert keys == {oid("reply_12h", "q1@brandco.cn"): "met", oid("reply_12h", "f1@weibo.com"): "missed"}
    finally:
        result.con.close()


# -- item 6: who is an AE ----------------------------------------------------------------------


def test_chinese_and_senior_roles_are_aes(built):
    """客户主任 (Li Wei) and 'Senior AE' (Wu Jie) are AEs; Supervisor and Designer are not. The old engine
    knew neither role: no AE, no weekly obligation at all."""
    assert [r["ae"] for r in built.rows("select ae from int_aes order by ae")] == [LI, WU]
    assert built.rows("select message from run_notes") == []


# -- item 7: as_of for CRM activities and the account's creation ---------------------------------


def test_call_logged_on_wednesday_for_monday_is_not_seen_on_tuesday(ingested):
    """Task 1: ActivityDate Mon 2 Mar, CreatedDate Wed 4 Mar 11:00, no CompletedDateTime. As of Tue 3 Mar
    18:00 it does not exist yet: BrandCo's W10 monday_call is missed (the old engine placed it at Mon 09:00
    and called it met). Re-running that as_of after Wednesday gives what a Tuesday run gave: the same
    obligations as a build without Task 1."""
    tuesday = build_copy(ingested, AS_OF_TUE, suffix="tuesday")
    try:
        calls = weekly(tuesday, "monday_call")
        assert calls == {
            oid("monday_call", f"{LI}|{BRANDCO}|{W10}"): (None, "missed"),
            oid("monday_call", f"{LI}|{TEACO}|{W10}"): (local(2026, 3, 2, 10, 30), "met"),
        }
        everything = tuesday.rows("select obligation_id, status, fulfilled_at, evidence from obligations order by 1")
        tuesday.con.execute("delete from raw_crm_activities where activity_id = '00T000000000001AAA'")
        build(tuesday.con, Settings(), AS_OF_TUE)
        assert (
            tuesday.rows("select obligation_id, status, fulfilled_at, evidence from obligations order by 1")
            == everything
        )
    finally:
        tuesday.con.close()


def test_date_only_activities_are_placed_on_their_day(built):
    """As of Mon 9 Mar the Wednesday-logged call is seen and placed at the end of Monday 2 Mar (its
    CreatedDate is another day): met (the old engine: Mon 09:00). NewCo (created Wed 4 Mar 10:00) owes no
    W10 Monday call (the old engine: missed) but owes W10's report, met by a CRM e-mail whose ActivityDate
    is Fri 6 Mar and CreatedDate Fri 15:00, the same day: placed at 15:00 (the old engine: 09:00)."""
    assert weekly(built, "monday_call") == {
        oid("monday_call", f"{LI}|{BRANDCO}|{W10}"): (local(2026, 3, 3), "met"),
        oid("monday_call", f"{LI}|{TEACO}|{W10}"): (local(2026, 3, 2, 10, 30), "met"),
        oid("monday_call", f"{LI}|{BRANDCO}|{W11}"): (None, "open"),
        oid("monday_call", f"{LI}|{TEACO}|{W11}"): (None, "open"),
        oid("monday_call", f"{LI}|{NEWCO}|{W11}"): (None, "open"),
    }
    activities = dict(built.con.execute("select activity_id, activity_at from int_crm_activities_resolved").fetchall())
    assert activities["00T000000000001AAA"] == local(2026, 3, 3)
    assert activities["00T000000000004AAA"] == local(2026, 3, 6, 15)


# -- item 9b: a client's inbound report logged in the CRM is not the agency's report -------------


def test_inbound_crm_report_does_not_fulfil(built):
    """BrandCo's only 'report' in W10 is Chen Jing's own 周报, logged by Email to Salesforce (Description
    'From: Chen Jing <chen.jing@brandco.cn>'): missed (the old engine: met Thu 14:05). NewCo's report is
    Li's e-mail logged with 'From: Li Wei <li.wei@agency.cn>': met. TeaCo's is an e-mail."""
    assert weekly(built, "friday_client_report") == {
        oid("friday_client_report", f"{LI}|{BRANDCO}|{W10}"): (None, "missed"),
        oid("friday_client_report", f"{LI}|{NEWCO}|{W10}"): (local(2026, 3, 6, 15), "met"),
        oid("friday_client_report", f"{LI}|{TEACO}|{W10}"): (local(2026, 3, 6, 17), "met"),
        oid("friday_client_report", f"{LI}|{BRANDCO}|{W11}"): (None, "open"),
        oid("friday_client_report", f"{LI}|{NEWCO}|{W11}"): (None, "open"),
        oid("friday_client_report", f"{LI}|{TEACO}|{W11}"): (None, "open"),
    }
    flags = {
        r["activity_id"]: (r["email_from"], r["is_outbound_email"], r["is_outbound_call"])
        for r in built.rows(
            "select activity_id, email_from, is_outbound_email, is_outbound_call from int_crm_activities_resolved"
        )
    }
    assert flags["00T000000000003AAA"] == ("chen.jing@brandco.cn", False, False)
    assert flags["00T000000000004AAA"] == (LI, True, False)


@pytest.fixture(scope="module")
def with_email_messages(tmp_path_factory) -> Built:
    """The who scenario plus tests/fixtures/scenarios/who_emailmessage: a second Task file (Task 5, logged
    from Outlook) and the EmailMessage export, copied into one exports folder and ingested."""
    exports = tmp_path_factory.mktemp("who-emailmessage") / "exports"
    shutil.copytree(SCENARIOS / "who", exports)
    shutil.copytree(SCENARIOS / "who_emailmessage", exports, dirs_exist_ok=True)
    con = open_warehouse(exports.parent / "warehouse.duckdb")
    ingest_exports(exports, con, Settings())
    assert con.execute("select source_file, record, reason from quarantine").fetchall() == []
    result = Built(con=con, report=build(con, Settings(), AS_OF))
    yield result
    con.close()


def test_email_message_export_gives_its_task_the_direction(with_email_messages):
    """Task 5 ('Email: Re: BrandCo 周报 第10周', nothing in its Description) is Chen Jing's follow-up: the
    EmailMessage export (ActivityId = Task 5) says Incoming = true, so it fulfils nothing and BrandCo's W10
    report stays missed. Without the EmailMessage, Task 5 would be taken as sent by the agency (met Thu
    16:02). The old engine rejected EmailMessage.csv as an unknown layout. EmailMessages linked to a Task
    are not activities of their own."""
    built = with_email_messages
    assert weekly(built, "friday_client_report")[oid("friday_client_report", f"{LI}|{BRANDCO}|{W10}")] == (
        None,
        "missed",
    )
    rows = {
        r["activity_id"]: r
        for r in built.rows(
            "select activity_id, call_direction, email_from, is_outbound_email from int_crm_activities_resolved"
        )
    }
    assert (
        rows["00T000000000005AAA"]["call_direction"],
        rows["00T000000000005AAA"]["email_from"],
        rows["00T000000000005AAA"]["is_outbound_email"],
    ) == ("inbound", "chen.jing@brandco.cn", False)
    assert (rows["00T000000000004AAA"]["call_direction"], rows["00T000000000004AAA"]["is_outbound_email"]) == (
        "outbound",
        True,
    )
    assert not any(i.startswith("02s") for i in rows)


# -- item 4: the supervisor report -------------------------------------------------------------


def test_client_report_copying_the_supervisor_is_no_supervisor_report(built):
    """Li's only 周报 in W10 went To TeaCo's Tang Yu with Zhang Min in Cc: missed (the old engine: met Fri
    17:00). Wu Jie's 周报及下周工作计划 To Zhang Min alone: met."""
    assert weekly(built, "friday_supervisor_report") == {
        oid("friday_supervisor_report", f"{LI}|{W10}"): (None, "missed"),
        oid("friday_supervisor_report", f"{WU}|{W10}"): (local(2026, 3, 6, 18), "met"),
        oid("friday_supervisor_report", f"{LI}|{W11}"): (None, "open"),
        oid("friday_supervisor_report", f"{WU}|{W11}"): (None, "open"),
    }


# -- item 6: a staff directory without roles ----------------------------------------------------

AS_OF_NR = datetime.fromisoformat("2026-03-07T09:00:00+08:00")  # Saturday after W10


@pytest.fixture(scope="module")
def noroles(tmp_path_factory):
    return ingest_scenario("who_noroles", tmp_path_factory)


def test_directory_without_roles_gives_the_owners_of_client_accounts(noroles):
    """staff.csv has no role column: Li Wei owns BrandCo (a customer) and is an AE; Zhang Min owns only a
    prospect and Sun Hao nothing. The old engine found no AE and opened no weekly obligation."""
    result = build_copy(noroles, AS_OF_NR, suffix="noroles")
    try:
        assert [r["ae"] for r in result.rows("select ae from int_aes")] == [LI]
        rows = {
            r["obligation_id"]: (r["fulfilled_at"], r["status"])
            for r in result.rows(
                "select obligation_id, fulfilled_at, status from obligations "
                "where standard in ('monday_call', 'friday_client_report', 'friday_supervisor_report')"
            )
        }
        assert rows == {
            oid("monday_call", f"{LI}|001000000000001|{W10}"): (local(2026, 3, 2, 10), "met"),
            oid("friday_client_report", f"{LI}|001000000000001|{W10}"): (None, "missed"),
            oid("friday_supervisor_report", f"{LI}|{W10}"): (local(2026, 3, 6, 18), "met"),
        }
        assert result.report.notes == []
    finally:
        result.con.close()


def test_no_ae_at_all_is_said(noroles, tmp_path):
    """When nobody's role matches and nobody owns a client account (here: no type is a customer type),
    the run says so: run_notes, the build report (the run summary) and the site's index. The old engine
    said nothing."""
    result = build_copy(noroles, AS_OF_NR, Settings(customer_type_prefixes=["Key Account"]), "no-ae")
    try:
        assert result.rows("select count(*) as n from int_aes") == [{"n": 0}]
        assert result.rows(
            "select count(*) as n from obligations where standard like '%report' or standard = 'monday_call'"
        ) == [{"n": 0}]
        [note] = result.report.notes
        assert note.startswith("The staff directory staff.csv names no AE: no role matches ae, account executive, ")
        assert "客户主任" in note
        assert note.endswith("and no one owns a client account; weekly standards have no obligations")
        assert f"NOTE: {note}" in str(result.report)
        publish_site(result.con, tmp_path / "site", None, "en")
        index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
        assert "Notes on this run" in index and html.escape(note) in index
    finally:
        result.con.close()

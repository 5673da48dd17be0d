"""CRM exports: Salesforce files recognised by header, the canonical layout, clear rejections."""

import json
from datetime import date
from pathlib import Path

import pytest
from ingest_tools import raw_columns, utc

from aemetrics.config import Settings
from aemetrics.ingest import crm
from aemetrics.ingest.base import ParseError, SourceFile
from aemetrics.ingest.csvread import read_table

ROOT = Path(__file__).resolve().parents[2]
SF = "crm-salesforce"


def parse(path: Path, settings: Settings | None = None):
    result = crm.parse(SourceFile(path=path, rel=f"crm/{path.name}", kind="crm"), settings or Settings())
    for table, rows in result.rows.items():  # the contract: exactly the raw table's columns
        cols = raw_columns(table)
        assert all(set(r) == cols for r in rows), table
    return result


def by_record(result, table: str) -> dict[str, dict]:
    return {r["record"]: r for r in result.rows[table]}


# --- Salesforce: real exports ------------------------------------------------------------


@pytest.mark.corpus
def test_workbench_account_export_with_bom_and_plus0000_timestamps(corpora):
    result = parse(corpora / SF / "data-cloud-workshop/Account.csv")
    assert result.parser == "crm-salesforce-account" and result.quarantined == []
    rows = by_record(result, "raw_crm_accounts")
    assert len(rows) == 22
    walker = rows["line 3"]
    assert (walker["account_id"], walker["name"], walker["website"], walker["industry"]) == (
        "001Ec00000GGw3hIAD",
        "Walker Henson and Compton",
        "www.WalkerHensonandCompton.com",
        "Finance",
    )
    assert (walker["annual_revenue"], walker["employees"], walker["owner_id"]) == (6759560.0, 577, "005Ec000004oBPNIA2")
    assert walker["created_at"] == utc(2024, 1, 22, 14, 49, 34)  # '2024-01-22T14:49:34.000+0000'
    assert walker["account_type"] is None and walker["is_deleted"] is None  # empty cells are nulls
    fields = json.loads(walker["fields_json"])  # every column, custom ones and compound JSON included
    assert (
        fields["Classification__c"] == "Prospect" and json.loads(fields["BillingAddress"])["city"] == "Katherinemouth"
    )
    assert len(fields) == 56


@pytest.mark.corpus
def test_data_loader_account_extract_uppercase_headers_cp1252_and_dotzero_z(corpora):
    result = parse(corpora / SF / "dataloader/accountData.csv")
    rows = by_record(result, "raw_crm_accounts")
    assert len(rows) == 423 and result.quarantined == []
    sfdc = rows["line 413"]
    assert (sfdc["account_id"], sfdc["name"], sfdc["account_type"], sfdc["annual_revenue"], sfdc["employees"]) == (
        "001x0000002lBtmAAE",
        "salesforce.com",
        "Customer",
        60000000.0,
        350,
    )
    assert sfdc["created_at"] == utc(2005, 11, 22, 19, 36, 11)  # '2005-11-22T19:36:11.000Z'
    assert sfdc["is_deleted"] is False  # "false"
    assert rows["line 87"]["name"] == "Crédito Inmobiliario Terras"  # a Latin-1 byte, not GB18030 mojibake
    assert sorted(r["account_type"] for r in rows.values() if r["account_type"]) == [
        "Customer",
        "Prospect",
        "Prospect",
        "Prospect",
    ]


@pytest.mark.corpus
def test_contact_export(corpora):
    rows = by_record(parse(corpora / SF / "data-cloud-workshop/Contact.csv"), "raw_crm_contacts")
    assert len(rows) == 102
    assert rows["line 3"] == dict(
        contact_id="003Ec00000Cz30UIAR",
        account_id="001Ec00000GGw3hIAD",
        email="ashley.brock@example.com",
        name="Ashley Brock",
        owner_id="005Ec000004oBPNIA2",
        is_deleted=None,
        source_file="crm/Contact.csv",
        record="line 3",
    )
    assert sum(1 for r in rows.values() if r["account_id"]) == 18


@pytest.mark.corpus
def test_task_export_polymorphic_who_and_date_only_activities(corpora):
    """WhoId is a Contact (003) or a Lead (00Q); a task with only ActivityDate happened on that local day, at
    its CreatedDate when that falls on the same day, else at the day's end (STANDARDS.md, as_of rules)."""
    rows = by_record(parse(corpora / SF / "data-cloud-workshop/Task.csv"), "raw_crm_activities")
    assert len(rows) == 75
    assert sum(r["who_id"].startswith("00Q") for r in rows.values()) == 15
    t = rows["line 4"]  # AccountId filled, WhatId empty
    assert (t["activity_id"], t["object_type"], t["subject"], t["status"]) == (
        "00TEc00000Co1WjMAJ",
        "Task",
        "Insurance Consultation",
        "Not Started",
    )
    assert (t["account_id"], t["what_id"], t["activity_date"]) == ("001Ec00000GGw40IAD", None, date(2023, 12, 24))
    assert t["activity_at"] == utc(2023, 12, 24, 16, 0)  # created 23 Jan 2024: 24:00 of 24 Dec, Asia/Shanghai
    assert t["created_at"] == utc(2024, 1, 23, 17, 50, 51)
    assert t["activity_type"] == "Task"  # TaskSubtype 'Task' and no standard Type column
    lead_task = rows["line 32"]
    assert lead_task["who_id"] == "00QEc00000BBaeqMAD" and lead_task["account_id"] is None
    in_utc = by_record(
        parse(corpora / SF / "data-cloud-workshop/Task.csv", Settings(business_timezone="UTC")), "raw_crm_activities"
    )
    assert in_utc["line 4"]["activity_at"] == utc(2023, 12, 25, 0, 0)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, reason",
    [
        ("data-cloud-workshop/Lead.csv", "Salesforce Lead export: not used by any standard"),
        ("data-cloud-workshop/Campaign.csv", "Salesforce Campaign export: not used by any standard"),
        ("data-cloud-workshop/CampaignMember.csv", "Salesforce CampaignMember export: not used by any standard"),
        (
            "dataloader/success0413060133.csv",
            "Data Loader success status file: not used by any standard (it lists records a load wrote)",
        ),
        (
            "dataloader/error0413060133.csv",
            "Data Loader error status file: not used by any standard (it lists records a load rejected)",
        ),
    ],
)
def test_recognised_but_unused_objects_are_one_quarantine_entry(corpora, name, reason):
    result = parse(corpora / SF / name)
    assert result.rows == {} and result.quarantined == [("file", reason)]


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, message",
    [
        ("dataloader/csvtext_BOM_UTF8.csv", "unknown CSV layout: header column1,column2,column3"),
        ("dataloader/csvtext_BOM_UTF16LE.csv", "unknown CSV layout: header column1,column2,column3"),
        ("dataloader/timeZoneFormatTesting.csv", "unknown CSV layout: header Name,Date"),
        ("dataloader/insertTaskWithContactAsWhoCsv.csv", "unknown CSV layout: header Subject,Who:Contact-email"),
        ("dataloader/dateWithTimeZone.csv", "Salesforce-style CSV without an Id column"),
    ],
)
def test_files_that_are_not_exports_are_parse_errors(corpora, name, message):
    with pytest.raises(ParseError) as exc:
        parse(corpora / SF / name)
    assert str(exc.value).startswith(message)


@pytest.mark.corpus
def test_hubspot_fivetran_tables_load_as_canonical_rows(corpora):
    """The old engine rejected all ten Fivetran tables (`unknown CSV layout`); now nine load
    (owners, companies, contacts, deals, calls, e-mails, meetings, two association tables) and the
    untyped engagement table is one quarantine entry."""
    files = sorted((corpora / "crm-hubspot-fivetran").glob("*.csv"))
    assert len(files) == 10
    loaded = {}
    for path in files:
        result = parse(path)
        loaded[path.name] = {t: len(rows) for t, rows in result.rows.items()}
        if path.name == "engagement_data.csv":
            assert result.quarantined == [
                (
                    "file",
                    "Fivetran HubSpot engagement table: not used by any standard "
                    "(the typed engagement_call/_email/_meeting tables are read)",
                )
            ]
    assert loaded["company_data.csv"] == {"raw_crm_accounts": 24}
    assert loaded["owner_data.csv"] == {"raw_crm_users": 100}
    assert loaded["deal_data.csv"] == {"raw_crm_opportunities": 44}
    assert loaded["engagement_meeting_data.csv"] == {"raw_crm_activities": 100}
    assert loaded["engagement_contact_data.csv"] == {"raw_crm_activity_links": 1}
    meeting = parse(corpora / "crm-hubspot-fivetran" / "engagement_meeting_data.csv").rows["raw_crm_activities"][0]
    assert (meeting["activity_id"], meeting["activity_type"], meeting["start_at"], meeting["end_at"]) == (
        "3416212491",
        "Meeting",
        utc(2019, 9, 26, 13, 0),
        utc(2019, 9, 26, 14, 30),
    )


@pytest.mark.corpus
def test_salesforce_case_and_opportunity_exports_load(corpora):
    """The old engine put Case and Opportunity exports in quarantine as unused files."""
    cases = parse(corpora / SF / "data-cloud-workshop/Case.csv").rows["raw_crm_cases"]
    assert len(cases) == 40
    first = cases[0]
    assert (first["case_id"], first["case_number"], first["status"], first["is_closed"], first["closed_at"]) == (
        "500Ec000009YUY8IAO",
        "00001014",
        "Closed",
        True,
        utc(2024, 1, 23, 13, 26, 8),
    )
    opps = parse(corpora / SF / "dataloader/opportunityData.csv").rows["raw_crm_opportunities"]
    assert len(opps) == 38
    assert (opps[0]["stage"], opps[0]["is_won"], opps[0]["close_date"]) == ("Closed Won", True, date(2005, 11, 9))


@pytest.mark.corpus
def test_data_loader_timestamp_formats(corpora):
    """timeZoneFormatTesting.csv: the same instants written with offsets in US and ISO order."""
    t = read_table(corpora / SF / "dataloader/timeZoneFormatTesting.csv")
    got = {r.fields[0]: crm.parse_timestamp(r.fields[1]) for r in t.rows}
    assert got["A"] == got["AT"] == utc(2009, 7, 14, 18, 14, 45)  # 07/15/2009 02:14:45+0800
    assert got["B"] == got["BT"] == utc(2009, 7, 14, 6, 14, 45)  # 07/13/2009 22:14:45-0800
    assert got["C"] == got["F"] == got["CT"] == got["FT"] == utc(2009, 7, 14, 12, 14, 45)
    assert got["D"] == got["DT"] == utc(2009, 7, 14, 14, 14, 45)
    assert got["E"] == got["ET"] == utc(2009, 7, 14, 10, 14, 45)
    d = read_table(corpora / SF / "dataloader/dateWithTimeZone.csv")
    with pytest.raises(ValueError, match="two time zones"):
        crm.parse_timestamp(d.rows[0].fields[7])  # '2010-10-14T12:00:00.000Z-0300'
    assert crm.parse_timestamp(d.rows[1].fields[8]) == utc(2010, 10, 14)  # no zone: Salesforce exports are UTC


def test_timestamp_variants():
    assert crm.parse_timestamp("2023-01-05T10:00:00.000Z") == utc(2023, 1, 5, 10)
    assert crm.parse_timestamp("2023-01-05T10:00:00.000+0000") == utc(2023, 1, 5, 10)
    assert crm.parse_timestamp("2023-01-05T18:00:00+08:00") == utc(2023, 1, 5, 10)
    assert crm.parse_timestamp("2023-01-05") == utc(2023, 1, 5)
    assert crm.parse_timestamp("  ") is None
    with pytest.raises(ValueError, match="offset is required"):
        crm.parse_timestamp("2023-01-05T10:00:00", naive=None)
    for bad in ("2023-02-30T10:00:00Z", "2023-01-05T24:00:00Z", "yesterday", "2023-01-05T10:00:00+25:00"):
        with pytest.raises(ValueError):
            crm.parse_timestamp(bad)


# --- Salesforce: our fixtures ------------------------------------------------------------


def test_data_loader_user_extract_booleans_and_bad_rows(fixtures):
    result = parse(fixtures / "crm/salesforce/User.csv")
    rows = by_record(result, "raw_crm_users")
    assert [(r["user_id"], r["email"], r["name"], r["manager_id"], r["is_active"]) for r in rows.values()] == [
        ("0055j000004AbCdAAK", "li.wei@adagency.cn", "Li Wei", "0055j000004AbCeAAK", True),
        ("0055j000004AbCeAAK", "zhang.min@adagency.cn", "Zhang Min", None, True),  # ISACTIVE "1"
    ]
    assert result.quarantined == [
        ("line 4", "EMAIL 'integration at adagency': not an email address"),
        ("line 5", "ISACTIVE 'maybe': not a boolean (true/false/1/0)"),
    ]


def test_event_timestamp_variants_and_impossible_rows(fixtures):
    result = parse(fixtures / "crm/salesforce/Event.csv")
    rows = by_record(result, "raw_crm_activities")
    plus0000, offset, naive = rows["line 2"], rows["line 3"], rows["line 4"]
    assert plus0000["start_at"] == plus0000["activity_at"] == utc(2023, 1, 5, 10) and plus0000["end_at"] == utc(
        2023, 1, 5, 11
    )
    assert (plus0000["object_type"], plus0000["activity_type"], plus0000["account_id"]) == (
        "Event",
        "Meeting",
        "0015j00000QwE01AAA",
    )
    assert offset["start_at"] == utc(2023, 1, 6, 10) and offset["end_at"] == utc(
        2023, 1, 6, 10, 30
    )  # +08:00; end from DurationInMinutes
    assert offset["account_id"] is None and offset["what_id"] == "0065j00000OpP01AAA"  # WhatId is an Opportunity
    assert offset["is_deleted"] is False  # "0"
    assert (
        naive["start_at"] == utc(2023, 1, 9, 4, 30) and naive["account_id"] == "0015j00000QwE02AAA"
    )  # from WhatId 001...
    assert result.quarantined == [
        ("line 5", "ActivityDate '2023-02-30': day is out of range for month"),
        ("line 6", "EndDateTime 2023-01-10T09:00:00+00:00 is before StartDateTime 2023-01-10T10:00:00+00:00"),
    ]


def test_utf16_task_export_activity_time_rules_and_multiline_description(fixtures):
    """activity_at: CompletedDateTime, else ActivityDate 09:00 business time; without either it
    stays empty (CreatedDate is when it was logged, not when it happened; the old engine took it)."""
    result = parse(fixtures / "crm/salesforce/Task_utf16.csv")
    rows = by_record(result, "raw_crm_activities")
    assert list(rows) == ["line 2", "line 4", "line 5", "line 6"]  # line 3 is the Description's second line
    call = rows["line 2"]
    assert call["activity_at"] == utc(2023, 1, 5, 10)  # CompletedDateTime 18:00+08:00
    assert (call["activity_type"], call["call_type"], call["account_id"]) == ("Call", "Inbound", "0015j00000QwE01AAA")
    assert rows["line 4"]["activity_at"] == utc(2023, 1, 6, 1) and rows["line 4"]["activity_type"] == "Email"
    assert rows["line 5"]["activity_type"] == "Call"  # TaskSubtype 'Task' yields to Type 'Call'
    # no date, CreatedDate 2023-01-10T02:00Z: loaded without activity_at; deleted, so ignored by
    # rule rather than unusable: not listed in quarantine
    assert rows["line 6"]["activity_at"] is None and rows["line 6"]["is_deleted"] is True
    assert rows["line 6"]["created_at"] == utc(2023, 1, 10, 2)
    assert result.quarantined == [("line 7", "CompletedDateTime '2023-01-11T25:00:00Z': hour must be in 0..23")]


# --- canonical layout --------------------------------------------------------------------


def test_canonical_accounts_keep_every_column_in_fields_json(fixtures):
    result = parse(fixtures / "crm/canonical/accounts.csv")
    rows = by_record(result, "raw_crm_accounts")
    acme = rows["line 2"]
    assert (acme["account_type"], acme["annual_revenue"], acme["employees"]) == ("Customer - Direct", 12000000.0, 850)
    assert acme["created_at"] == utc(2022, 3, 1, 1)
    assert json.loads(acme["fields_json"])["brand"] == "Acme Crunch"
    assert rows["line 3"]["annual_revenue"] is None
    assert result.quarantined == [("line 4", "annual_revenue '12 million': not a number")]


def test_canonical_activities_need_an_offset(fixtures):
    result = parse(fixtures / "crm/canonical/activities.csv")
    rows = by_record(result, "raw_crm_activities")
    assert list(rows) == ["line 2", "line 3", "line 5", "line 6"]
    assert rows["line 5"]["activity_at"] is None  # no date: loaded, and listed in quarantine
    assert rows["line 2"]["activity_at"] == utc(2024, 3, 4, 1, 15) and rows["line 2"]["who_id"] == "c-001"
    assert rows["line 3"]["subject"] == "周报 第10周" and rows["line 3"]["call_type"] is None
    assert rows["line 6"]["subject"] == "Call back about the quote,\nand the budget"
    assert {r["object_type"] for r in rows.values()} == {"canonical"}
    assert result.quarantined == [
        ("line 4", "activity_at '2024-03-11 09:30:00': no UTC offset (ISO-8601 with an offset is required)"),
        ("line 5", "activity_at is empty: loaded, but no standard can use an activity without a date"),
    ]


def test_canonical_users_and_contacts(fixtures):
    users = parse(fixtures / "crm/canonical/users.csv")
    assert [r["email"] for r in users.rows["raw_crm_users"]] == ["li.wei@adagency.cn", "zhang.min@adagency.cn"]
    assert users.quarantined == [("line 4", "user_id is empty")]
    contacts = parse(fixtures / "crm/canonical/contacts.csv")
    assert [(r["contact_id"], r["email"]) for r in contacts.rows["raw_crm_contacts"]] == [
        ("c-001", "wang.fang@acme-foods.example"),
        ("c-002", None),
    ]
    assert contacts.quarantined == [("line 4", "duplicate id c-001, first at line 2")]


def test_canonical_file_missing_a_column_says_which(tmp_path):
    path = tmp_path / "acts.csv"
    path.write_text("activity_id,activity_type,subject,account_id,owner_id,activity_at\n")
    with pytest.raises(
        ParseError, match="canonical CRM activities layout .*missing column\\(s\\) call_type, contact_id"
    ):
        parse(path)


# --- every corpus file -------------------------------------------------------------------


@pytest.mark.corpus
def test_every_corpus_csv_is_rows_quarantine_or_parse_error(corpora):
    """All 33 CSVs of every corpus (attendance and e-mail ones too) fed to the CRM parser."""
    outcomes = {}
    for path in sorted(corpora.rglob("*.csv")):
        rel = path.relative_to(corpora).as_posix()
        try:
            result = parse(path)
        except ParseError as exc:
            assert str(exc), rel
            outcomes[rel] = "error"
            continue
        assert result.rows or result.quarantined, rel
        outcomes[rel] = "rows" if result.rows else "quarantine"
    assert len(outcomes) == 33
    hubspot = [
        f"crm-hubspot-fivetran/{n}_data.csv"
        for n in (
            "company",
            "contact",
            "deal",
            "engagement_call",
            "engagement_company",
            "engagement_contact",
            "engagement_email",
            "engagement_meeting",
            "owner",
        )
    ]
    assert sorted(k for k, v in outcomes.items() if v == "rows") == hubspot + [
        f"{SF}/data-cloud-workshop/Account.csv",
        f"{SF}/data-cloud-workshop/Case.csv",
        f"{SF}/data-cloud-workshop/Contact.csv",
        f"{SF}/data-cloud-workshop/Opportunity.csv",
        f"{SF}/data-cloud-workshop/Task.csv",
        f"{SF}/dataloader/accountData.csv",
        f"{SF}/dataloader/opportunityData.csv",
    ]
    # Lead, Campaign, CampaignMember, two Data Loader status files, Fivetran engagement_data
    assert sum(v == "quarantine" for v in outcomes.values()) == 6


def test_logged_email_sender_and_direction_from_a_task():
    """Email to Salesforce / Outlook logging keep the message text in Description: the first From: (or
    发件人：) line names the sender; only the address is kept. Direction columns win when present."""
    assert (
        crm.email_from_header("From: Chen Jing <Chen.Jing@BrandCo.cn>\nTo: li.wei@agency.cn\n\nBody")
        == "chen.jing@brandco.cn"
    )
    assert crm.email_from_header("发件人：李伟 <li.wei@agency.cn>\n收件人：ma.chao@newco.cn") == "li.wei@agency.cn"
    assert crm.email_from_header("To: a@b.cn\nSubject: 周报\nBody:\n" + "x" * 1000 + "\nFrom: late@b.cn") is None
    assert crm.email_from_header("周一电话:确认本周排期") is None and crm.email_from_header(None) is None
    header = ["Id", "Incoming", "Direction__c"]
    from aemetrics.ingest.csvread import Record

    def row(*values: str) -> crm.Row:
        return crm.Row(header, Record(line=2, fields=list(values)), None)

    assert crm.email_direction(row("00T1", "true", "")) == "Inbound"
    assert crm.email_direction(row("00T1", "false", "")) == "Outbound"
    assert crm.email_direction(row("00T1", "", "Outbound")) == "Outbound"
    assert crm.email_direction(row("00T1", "", "")) is None

"""The CRM sources of issue 11 (Case, WorkOrder, Quote, Opportunity, ProcessInstance, Task call
results, Account client-file fields), HubSpot UI exports (issue 12 item 5) and canonical CRM files
as Excel workbooks (item 6). Fixtures: tests/fixtures/crm/salesforce-objects, hubspot-ui; the
workbooks are written by tests/ingest/xlsx_tools.py."""

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from ingest_tools import raw_columns, utc
from xlsx_tools import write_xlsx

from aemetrics.config import Settings
from aemetrics.ingest import crm
from aemetrics.ingest.base import ParseError, SourceFile


def parse(path: Path, settings: Settings | None = None):
    result = crm.parse(SourceFile(path=path, rel=f"crm/{path.name}", kind="crm"), settings or Settings())
    for table, rows in result.rows.items():  # the contract: exactly the raw table's columns
        cols = raw_columns(table)
        assert all(set(r) == cols for r in rows), (table, set(rows[0]) ^ cols)
    return result


def by_record(result, table: str) -> dict[str, dict]:
    return {r["record"]: r for r in result.rows[table]}


SFO = Path(__file__).resolve().parents[1] / "fixtures" / "crm" / "salesforce-objects"
HUB = Path(__file__).resolve().parents[1] / "fixtures" / "crm" / "hubspot-ui"


# --- Salesforce objects ------------------------------------------------------------------


def test_case_export_loads_requests_with_origin_and_closed_date():
    """The old engine put a Case export in quarantine as one 'not used by any standard' entry."""
    result = parse(SFO / "Case.csv")
    cases = by_record(result, "raw_crm_cases")
    assert set(cases) == {"line 2", "line 3", "line 5"}
    first = cases["line 2"]
    assert (first["case_id"], first["case_number"], first["account_id"], first["origin"], first["status"]) == (
        "500A000001",
        "00001001",
        "001A000001",
        "Email",
        "Closed",
    )
    assert (first["created_at"], first["closed_at"], first["is_closed"]) == (
        utc(2025, 10, 9, 1, 15),
        utc(2025, 10, 9, 9, 30),
        True,
    )
    assert json.loads(first["fields_json"])["Subject"] == "需要新的KV方案"
    assert cases["line 3"]["origin"] == "Internal" and cases["line 3"]["closed_at"] is None
    assert cases["line 5"]["is_deleted"] is True  # loaded; the models ignore deleted rows
    assert result.quarantined == [
        ("line 4", "CreatedDate '2025-10-32T02:00:00.000+0000': day is out of range for month")
    ]


def test_work_order_quote_opportunity_and_approval_exports():
    """Each was an 'unknown CSV layout' (WorkOrder, Quote, ProcessInstance) or an unused file
    (Opportunity) on the old engine."""
    wo = by_record(parse(SFO / "WorkOrder.csv"), "raw_crm_work_orders")
    assert (
        wo["line 2"]["work_order_id"],
        wo["line 2"]["case_id"],
        wo["line 2"]["status"],
        wo["line 2"]["end_at"],
        wo["line 2"]["last_modified_at"],
    ) == ("0WOA000001", "500A000001", "Completed", None, utc(2025, 10, 9, 10, 5))
    assert wo["line 3"]["case_id"] is None and wo["line 3"]["account_id"] == "001A000001"
    quotes = by_record(parse(SFO / "Quote.csv"), "raw_crm_quotes")
    assert [(q["quote_id"], q["opportunity_id"], q["status"], q["created_at"]) for q in quotes.values()] == [
        ("0Q0A000001", "006A000001", "Approved", utc(2025, 10, 9, 2, 30)),
        ("0Q0A000002", "006A000001", "Rejected", utc(2025, 10, 10, 7, 0)),
    ]
    opps = by_record(parse(SFO / "Opportunity.csv"), "raw_crm_opportunities")
    assert (opps["line 2"]["is_won"], opps["line 2"]["close_date"], opps["line 2"]["stage"]) == (
        True,
        date(2025, 10, 15),
        "Closed Won",
    )
    assert opps["line 3"]["is_won"] is False
    approvals = by_record(parse(SFO / "ProcessInstance.csv"), "raw_crm_approvals")
    assert (
        approvals["line 2"]["target_object_id"],
        approvals["line 2"]["status"],
        approvals["line 2"]["completed_at"],
        approvals["line 2"]["last_actor_id"],
    ) == ("0Q0A000001", "Approved", utc(2025, 10, 9, 3, 0), "005A000009")
    assert approvals["line 3"]["completed_at"] is None and approvals["line 3"]["status"] == "Pending"


def test_task_call_disposition_is_kept():
    """The old engine read CallType but dropped CallDisposition: a missed call looked answered."""
    calls = by_record(parse(SFO / "Task_calls.csv"), "raw_crm_activities")
    missed, back = calls["line 2"], calls["line 3"]
    assert (missed["activity_type"], missed["call_type"], missed["call_result"]) == ("Call", "Inbound", "未接")
    # ActivityDate 2025-10-09 and CreatedDate 09:05 Shanghai on that day: placed at CreatedDate
    assert missed["activity_at"] == utc(2025, 10, 9, 1, 5) and missed["created_at"] == utc(2025, 10, 9, 1, 5)
    assert (back["call_type"], back["call_result"]) == ("Outbound", "Reached")


def test_account_client_file_fields():
    """Fax, billing address and Short_Name__c were only in fields_json on the old engine."""
    acc = by_record(parse(SFO / "Account_client_file.csv"), "raw_crm_accounts")
    acme = acc["line 2"]
    assert (acme["phone"], acme["fax"], acme["address"], acme["short_name"]) == (
        "021-5555 0101",
        "021-5555 0102",
        "南京西路 100 号, 上海, 200040",
        "艾克美",
    )
    fields = json.loads(acme["fields_json"])
    assert (fields["Brand__c"], fields["Product__c"], fields["Budget__c"]) == ("艾克美", "薯片", "800000")
    assert acc["line 3"]["fax"] == "无"  # a placeholder: the client-file model treats it as empty


# --- HubSpot UI exports ------------------------------------------------------------------


def test_hubspot_companies_and_contacts():
    """The old engine rejected every HubSpot export: `unknown CSV layout`."""
    comp = by_record(parse(HUB / "hubspot-crm-exports-all-companies-2025-10-20.csv"), "raw_crm_accounts")
    acme = comp["line 2"]
    assert (acme["account_id"], acme["name"], acme["owner_id"], acme["website"], acme["account_type"]) == (
        "9001",
        "Acme Foods",
        "Li Wei",
        "acme-foods.example",
        "Customer",
    )
    assert acme["created_at"] == utc(2025, 1, 10, 2, 0)  # 10:00 in Shanghai (the portal's wall clock)
    assert acme["annual_revenue"] == 12000000 and acme["address"] == "100 Nanjing Rd, Shanghai"
    contacts = parse(HUB / "hubspot-crm-exports-all-contacts-2025-10-20.csv")
    (zhang,) = contacts.rows["raw_crm_contacts"]
    assert (zhang["contact_id"], zhang["account_id"], zhang["email"], zhang["name"], zhang["owner_id"]) == (
        "5001",
        "9001",
        "zhang.san@acme-foods.example",
        "Zhang San",
        "Li Wei",
    )
    assert contacts.quarantined == [("line 3", "Email 'not-an-address': not an email address")]


def test_hubspot_calls_meetings_and_emails_become_activities():
    calls = parse(HUB / "hubspot-crm-exports-calls-2025-10-20.csv")
    rows = by_record(calls, "raw_crm_activities")
    missed = rows["line 2"]
    assert (missed["object_type"], missed["activity_type"], missed["call_type"], missed["call_result"]) == (
        "hubspot",
        "Call",
        "Inbound",
        "No answer",
    )
    assert (missed["account_id"], missed["who_id"], missed["owner_id"], missed["activity_at"]) == (
        "9001",
        "5001",
        "Li Wei",
        utc(2025, 10, 9, 1, 15),
    )
    assert rows["line 3"]["call_type"] == "Outbound"
    # 03/04/2025: March 4 or 3 April? never guessed
    assert calls.quarantined == [
        (
            "line 4",
            "Activity date '03/04/2025 10:00': ambiguous date order (day/month or month/day?): write it as YYYY-MM-DD",
        )
    ]
    (meeting,) = parse(HUB / "hubspot-crm-exports-meetings-2025-10-20.csv").rows["raw_crm_activities"]
    assert (meeting["activity_type"], meeting["subject"], meeting["start_at"], meeting["end_at"]) == (
        "Meeting",
        "Acme 项目复盘",
        utc(2025, 10, 20, 6, 0),
        utc(2025, 10, 20, 7, 0),
    )
    emails = by_record(parse(HUB / "hubspot-crm-exports-emails-2025-10-20.csv"), "raw_crm_activities")
    assert (emails["line 2"]["call_type"], emails["line 3"]["call_type"]) == ("Inbound", "Outbound")
    assert emails["line 3"]["subject"] == "中秋快乐"


def test_hubspot_ui_export_as_xlsx(tmp_path):
    """HubSpot's XLSX download: date cells are the portal's wall-clock time."""
    path = write_xlsx(
        tmp_path / "hubspot-crm-exports-calls.xlsx",
        {
            "Calls": [
                [
                    "Record ID",
                    "Call title",
                    "Activity date",
                    "Call direction",
                    "Call outcome",
                    "Activity assigned to",
                    "Associated Company IDs",
                ],
                [7001, "Call with Zhang San", datetime(2025, 10, 9, 9, 15), "Inbound", "No answer", "Li Wei", 9001],
            ]
        },
    )
    (row,) = parse(path).rows["raw_crm_activities"]
    assert (row["activity_id"], row["account_id"], row["activity_at"], row["record"]) == (
        "7001",
        "9001",
        utc(2025, 10, 9, 1, 15),
        "sheet Calls row 2",
    )


# --- canonical files as workbooks ---------------------------------------------------------

ACTIVITY_HEADER = [
    "activity_id",
    "activity_type",
    "call_type",
    "subject",
    "account_id",
    "contact_id",
    "owner_id",
    "activity_at",
    "closed_at",
    "call_result",
    "what_id",
]


def test_canonical_activities_workbook_new_types_dates_and_ambiguity(tmp_path):
    """The old engine could not read a workbook at all (`not text`), and knew no closed_at."""
    path = write_xlsx(
        tmp_path / "销售易导出.xlsx",
        {
            "activities": [
                ACTIVITY_HEADER,
                [
                    "r-1",
                    "Request",
                    None,
                    "要一版新海报",
                    "acc-001",
                    "c-001",
                    "u-li",
                    datetime(2025, 10, 9, 9, 15),
                    datetime(2025, 10, 9, 17, 0),
                    None,
                    None,
                ],
                [
                    "w-1",
                    "WorkOrder",
                    None,
                    "海报",
                    "acc-001",
                    None,
                    "u-li",
                    "2025-10-09 10:00",
                    "2025/10/09 16:30",
                    None,
                    "r-1",
                ],
                ["c-1", "Call", "Missed", "来电", "acc-001", "c-001", "u-li", 45939.375, None, "未接", None],
                [
                    "g-1",
                    "Greeting",
                    None,
                    "中秋快乐",
                    "acc-001",
                    "c-001",
                    "u-li",
                    "2025-10-01T08:00:00+08:00",
                    None,
                    None,
                    None,
                ],
                ["x-1", "Estimate", None, "报价", "acc-001", None, "u-li", "03/04/2025 10:00", None, None, "w-1"],
                ["x-2", "Estimate", None, "报价", "acc-001", None, "u-li", "13/10/2025 10:00", None, None, "w-1"],
            ]
        },
    )
    result = parse(path)
    rows = by_record(result, "raw_crm_activities")
    req = rows["sheet activities row 2"]
    assert (req["object_type"], req["activity_type"], req["activity_at"], req["closed_at"]) == (
        "canonical",
        "Request",
        utc(2025, 10, 9, 1, 15),
        utc(2025, 10, 9, 9, 0),
    )
    wo = rows["sheet activities row 3"]
    assert (wo["what_id"], wo["activity_at"], wo["closed_at"]) == (
        "r-1",
        utc(2025, 10, 9, 2, 0),
        utc(2025, 10, 9, 8, 30),
    )
    call = rows["sheet activities row 4"]  # 45939.375 = 2025-10-09 09:00 (an Excel serial number)
    assert (call["call_type"], call["call_result"], call["activity_at"]) == ("Missed", "未接", utc(2025, 10, 9, 1, 0))
    assert rows["sheet activities row 5"]["activity_at"] == utc(2025, 10, 1, 0, 0)
    assert rows["sheet activities row 7"]["activity_at"] == utc(2025, 10, 13, 2, 0)  # 13 > 12: day/month
    assert result.quarantined == [
        (
            "sheet activities row 6",
            "activity_at '03/04/2025 10:00': ambiguous date order (day/month or month/day?): write it as YYYY-MM-DD",
        )
    ]


def test_canonical_workbook_with_several_kinds_and_short_name(tmp_path):
    path = write_xlsx(
        tmp_path / "crm.xlsx",
        {
            "说明": [["本文件由纷享销客导出"]],
            "accounts": [
                ["account_id", "name", "account_type", "owner_id", "website", "short_name", "fax", "brand"],
                [
                    "acc-001",
                    "上海艾克美食品有限公司",
                    "Customer",
                    "u-li",
                    "acme.example.cn",
                    "艾克美",
                    "021-5555 0102",
                    "艾克美",
                ],
            ],
            "users": [["user_id", "email", "name", "manager_id"], ["u-li", "Li.Wei@Agency.example", "李伟", None]],
        },
    )
    result = parse(path)
    (acc,) = result.rows["raw_crm_accounts"]
    assert (acc["short_name"], acc["fax"], acc["record"]) == ("艾克美", "021-5555 0102", "sheet accounts row 2")
    assert json.loads(acc["fields_json"])["brand"] == "艾克美"
    (user,) = result.rows["raw_crm_users"]
    assert (user["email"], user["record"]) == ("li.wei@agency.example", "sheet users row 2")
    assert result.quarantined == []


def test_broken_workbooks_are_parse_errors(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a zip header and nothing else: read as CSV, not text
    with pytest.raises(ParseError):
        parse(bad)
    empty = write_xlsx(tmp_path / "empty.xlsx", {"Sheet1": []})
    with pytest.raises(ParseError, match="empty workbook"):
        parse(empty)
    odd = write_xlsx(tmp_path / "odd.xlsx", {"Sheet1": [["foo", "bar"], [1, 2]]})
    result = parse(odd)
    assert result.rows == {} and result.quarantined == [("sheet Sheet1", "unknown CSV layout: header foo,bar")]


def test_hubspot_deals_become_opportunities():
    """A won deal is a completed project (post_project_review); the old engine rejected the file."""
    deals = by_record(parse(HUB / "hubspot-crm-exports-all-deals-2025-10-20.csv"), "raw_crm_opportunities")
    won = deals["line 2"]
    assert (
        won["opportunity_id"],
        won["account_id"],
        won["is_won"],
        won["is_closed"],
        won["close_date"],
        won["owner_id"],
    ) == ("3001", "9001", True, True, date(2025, 10, 15), "Li Wei")
    assert (deals["line 3"]["is_won"], deals["line 3"]["close_date"]) == (False, None)

"""The issue 11/12 sources through the whole ingest: staff.xlsx, a DingTalk workbook and a
canonical CRM workbook under the exports folder load with provenance, broken ones are
quarantined, and a second ingest changes nothing."""

from datetime import date, datetime
from pathlib import Path

from test_clock import dingtalk_workbook
from xlsx_tools import write_xlsx

from aemetrics.config import Settings
from aemetrics.ingest import staff
from aemetrics.ingest.base import SourceFile
from aemetrics.ingest.runner import classify, ingest_exports
from aemetrics.warehouse import open_warehouse


def make_exports(root: Path) -> Path:
    (root / "attendance").mkdir(parents=True)
    (root / "crm").mkdir()
    write_xlsx(
        root / "staff.xlsx",
        {
            "员工": [
                ["邮箱", "姓名", "角色", "主管邮箱", "钉钉UserId", "工号"],
                ["Li.Wei@agency.example", "李伟", "AE", "boss@agency.example", "0123456", "A001"],
                ["wang.fang@agency.example", "王芳", "AE", "boss@agency.example", None, "A002"],
                ["bad address", "坏", "AE", None, None, None],
            ]
        },
    )
    dingtalk_workbook(root / "attendance" / "考勤报表.xlsx")
    write_xlsx(
        root / "crm" / "accounts.xlsx",
        {
            "Sheet1": [
                ["account_id", "name", "account_type", "owner_id", "website", "created_at"],
                ["acc-001", "Acme", "Customer", "u-li", "acme.example", datetime(2025, 1, 10, 10, 0)],
                ["acc-002", "Beta", "Prospect", "u-li", "beta.example", "02/03/2025"],
            ]
        },
    )
    (root / "crm" / "broken.xlsx").write_bytes(b"PK\x03\x04not really a workbook")
    return root


def test_staff_xlsx_with_directory_keys(tmp_path):
    """The old engine read only staff.csv: staff.xlsx was 'not an export'."""
    assert classify("staff.xlsx") == "staff"
    path = make_exports(tmp_path / "exports") / "staff.xlsx"
    result = staff.parse(SourceFile(path=path, rel="staff.xlsx", kind="staff"), Settings())
    li, wang = result.rows["raw_staff"]
    assert (li["email"], li["name"], li["role"], li["dingtalk_userid"], li["employee_no"], li["record"]) == (
        "li.wei@agency.example",
        "李伟",
        "ae",
        "0123456",
        "A001",
        "sheet 员工 row 2",
    )
    assert (wang["dingtalk_userid"], wang["employee_no"]) == (None, "A002")
    assert result.quarantined == [("sheet 员工 row 4", "invalid staff email 'bad address'")]


def test_workbooks_through_the_ingest_are_idempotent(tmp_path):
    exports = make_exports(tmp_path / "exports")
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())

    def count(table: str) -> int:
        return con.execute(f"select count(*) from {table}").fetchone()[0]

    assert count("raw_staff") == 2
    assert count("raw_clock_ins") == 10  # 8 punches in 原始记录 + 2 in 打卡时间
    assert count("raw_crm_accounts") == 1
    parsers = dict(con.execute("select source_file, parser from ingest_manifest").fetchall())
    assert parsers["attendance/考勤报表.xlsx"] == "clock-dingtalk"
    quarantine = dict(con.execute("select source_file || ' | ' || record, reason from quarantine").fetchall())
    assert quarantine["crm/accounts.xlsx | sheet Sheet1 row 3"].startswith(
        "created_at '02/03/2025': ambiguous date order"
    )
    assert "crm/broken.xlsx | file" in quarantine
    assert quarantine["staff.xlsx | sheet 员工 row 4"] == "invalid staff email 'bad address'"
    assert con.execute(
        "select work_date, userid from raw_clock_ins where record = 'sheet 原始记录 row 4'"
    ).fetchall() == [(date(2025, 10, 9), "0123456")]
    before = [count(t) for t in ("raw_staff", "raw_clock_ins", "raw_crm_accounts", "quarantine")]
    again = ingest_exports(exports, con, Settings())
    assert again.files_parsed == 0
    assert [count(t) for t in ("raw_staff", "raw_clock_ins", "raw_crm_accounts", "quarantine")] == before

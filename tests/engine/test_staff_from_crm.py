"""Without staff.csv, staff come from the Salesforce User export (Email, ManagerId): the weekly
scenario with its directory removed still yields the same AEs, supervisors and weekly standards."""

import shutil
from datetime import datetime

from scenario_tools import SCENARIOS

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


def warehouse(exports, db):
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    build(con, Settings(), AS_OF)
    return con


def test_crm_users_stand_in_for_a_missing_staff_directory(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(SCENARIOS / "weekly", exports)
    (exports / "staff.csv").unlink()
    con = warehouse(exports, tmp_path / "crm.duckdb")
    staff = {
        r[0]: r[1:] for r in con.execute("select email, role, supervisor_email, staff_source from stg_staff").fetchall()
    }
    # li.wei and wang.fang own customer accounts -> AEs; ManagerId 005...003 is zhang.min
    assert staff["li.wei@adagency.cn"] == ("ae", "zhang.min@adagency.cn", "crm_users")
    assert staff["wang.fang@adagency.cn"] == ("ae", "zhang.min@adagency.cn", "crm_users")
    assert staff["zhang.min@adagency.cn"][0] == "staff"  # owns no customer account
    supervisor_reports = con.execute(
        "select distinct ae from obligations where standard = 'friday_supervisor_report' order by 1"
    ).fetchall()
    assert ("li.wei@adagency.cn",) in supervisor_reports and ("wang.fang@adagency.cn",) in supervisor_reports

    # the client-facing standards do not depend on where the directory came from
    with_directory = warehouse(SCENARIOS / "weekly", tmp_path / "dir.duckdb")
    query = (
        "select obligation_id, status from obligations where standard in "
        "('monday_call', 'friday_client_report') order by 1"
    )
    assert con.execute(query).fetchall() == with_directory.execute(query).fetchall()

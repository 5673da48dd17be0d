"""People who left (issue 13): `aes.has_left` from an inactive CRM user (User.IsActive false) or
from a staff directory that no longer lists them; ae_scorecard keeps them out of team medians.

The old engine had no such column: a leaver was ranked and counted in their team's median like
anyone else. Built on the weekly scenario (staff.csv, Salesforce User/Account/Task, two mboxes).
"""

import shutil
from datetime import datetime

from scenario_tools import SCENARIOS

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


def _warehouse(exports, db):
    con = open_warehouse(db)
    ingest_exports(exports, con, Settings())
    build(con, Settings(), AS_OF)
    return con


def test_inactive_crm_user_has_left_and_leaves_the_team_median(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(SCENARIOS / "weekly", exports)
    users = exports / "crm" / "User.csv"
    text = users.read_text(encoding="utf-8")
    users.write_text(
        text.replace("wang.fang@adagency.cn,005000000000003AAA,true", "wang.fang@adagency.cn,005000000000003AAA,false"),
        encoding="utf-8",
    )
    con = _warehouse(exports, tmp_path / "w.duckdb")
    left = dict(con.execute("select ae, has_left from aes").fetchall())
    active = dict(con.execute("select ae, is_active from aes").fetchall())
    assert left["wang.fang@adagency.cn"] is True and active["wang.fang@adagency.cn"] is False
    assert left["li.wei@adagency.cn"] is False and active["li.wei@adagency.cn"] is True
    # li.wei's team (North) median no longer includes wang.fang: it is li.wei's own rate
    rate, median = con.execute(
        "select rate_12w, team_median_12w from ae_scorecard where ae = 'li.wei@adagency.cn' and standard = '*'"
    ).fetchone()
    assert median == rate
    assert con.execute(
        "select has_left from ae_scorecard where ae = 'wang.fang@adagency.cn' and standard = '*'"
    ).fetchone() == (True,)
    # her obligations stay
    assert con.execute("select count(*) from obligations where ae = 'wang.fang@adagency.cn'").fetchone()[0] > 0


def test_gone_from_the_directory_has_left(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(SCENARIOS / "weekly", exports)
    staff = exports / "staff.csv"
    staff.write_text(
        "".join(line for line in staff.read_text(encoding="utf-8").splitlines(True) if "wang.fang" not in line),
        encoding="utf-8",
    )
    con = _warehouse(exports, tmp_path / "w.duckdb")
    left = dict(con.execute("select ae, has_left from aes").fetchall())
    assert left["li.wei@adagency.cn"] is False
    assert left.get("wang.fang@adagency.cn", True) is True  # listed only while accountable: then marked
    assert not any(v for k, v in left.items() if k != "wang.fang@adagency.cn")

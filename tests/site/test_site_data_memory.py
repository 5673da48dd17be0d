"""Issue 10, the site's memory at 1,000 AEs: the site step kept every week's obligations in pandas
(`SiteData.all_obl`: 1.2 M rows, ~1.5 GB at 1,000 AEs) for the old weeks' CSVs, the client pages'
names, tiers and AEs, the week picker, the AE order and the old week pages' heat maps. Now only the
weeks listed row by row (the 12 weeks, the running week, the drill-down window) are loaded; the rest
is SQL aggregates (`ObligationFacts`) and one week read at a time as its CSV is written.

On the hand-made warehouse of conftest.py: obligations from W29 (07-14) to the running week W42
(10-13); the 12-week window is W30 (07-21) – W41 (10-06).
"""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pandas as pd

from aemetrics.api import Warehouse, connect
from aemetrics.site import drill
from aemetrics.site.pages import ObligationFacts, SiteData


def test_the_site_loads_only_the_listed_weeks_and_reads_an_older_week_alone(fixture_db, tmp_path):
    """The old SiteData.load held every week (W29 included) in `all_obl`; W29 is now neither in
    recent_obl nor in memory until its CSV is written, and what is read for it is that week's rows."""
    db = tmp_path / "wh.duckdb"
    shutil.copy(fixture_db, db)
    wh = connect(db)
    try:
        data = SiteData.load(wh, drill_weeks=2)  # drill-down window W41 – W42: less than the 12 weeks
        every = wh.obligations()
        assert date(2025, 7, 14) in set(every["week_start"])  # the W29 reply outside the window
        assert min(data.recent_obl["week_start"]) == date(2025, 7, 21)  # W30: the 12 weeks' first
        assert len(data.recent_obl) == int((every["week_start"] >= date(2025, 7, 21)).sum())
        facts = data.facts
        assert facts.mondays[0] == date(2025, 7, 14) and data.eval_weeks[0] == date(2025, 7, 14)
        assert facts.accounts == sorted(set(every["client_account"].dropna()))
        assert facts.order == {a: i for i, a in enumerate(sorted(set(data.aes["ae"]) | set(every["ae"].dropna())))}
        # an older week: exactly its rows, in the warehouse's order, only the CSV's columns
        w29 = facts.week_rows(date(2025, 7, 14))
        expected = every[every["week_start"] == date(2025, 7, 14)]
        assert list(w29.columns) == drill.OLD_WEEK_FIELDS
        assert w29["obligation_id"].tolist() == expected["obligation_id"].tolist()
        # show_subjects = false: an old week's subjects are the standard's name too
        hidden = facts.week_rows(date(2025, 7, 14), subject_of=lambda s: f"<{s}>")
        assert hidden["subject"].tolist() == [f"<{s}>" for s in expected["standard"]]
        # an old week's page: only the late or missed replies its heat map counts, of its 12 weeks
        old = data.for_week(date(2025, 8, 4))  # W32: window W21 – W32
        assert set(old.obl.columns) == {"week_start", "opened_at", "standard", "status"}
        assert set(old.obl["week_start"]) <= {date(2025, 7, 14), date(2025, 7, 21)}
        assert set(old.obl["standard"]) == {"reply_12h"} and set(old.obl["status"]) <= {"late", "missed"}
    finally:
        wh.close()


def _details(rows: list[tuple]) -> Warehouse:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(
        "create table obligation_details (obligation_id varchar, standard varchar, ae varchar, team varchar, "
        "client_account varchar, client_name varchar, client_tier varchar, status varchar, "
        "opened_at timestamptz, week_start date)"
    )
    con.executemany("insert into obligation_details values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return Warehouse(con)


def test_a_clients_names_tiers_and_aes_latest_first_from_sql():
    """A client page names the client's latest name and tier and lists its AEs latest first. The old
    site sorted every obligation of every week in pandas to find them; the SQL aggregate must give the
    same lists, with the warehouse order's ties (same opened_at: the larger obligation_id is later)
    and an obligation without opened_at last in that order, so latest."""
    monday = date(2025, 9, 29)
    wh = _details(
        [
            ("o1", "reply_12h", "a@x.cn", "T1", "C1", "Old Name", "B", "met", "2025-10-01 02:00:00+00", monday),
            ("o2", "reply_12h", "b@x.cn", "T1", "C1", "New Name", "A", "late", "2025-10-03 02:00:00+00", monday),
            ("o3", "reply_12h", "c@x.cn", "T2", "C1", None, None, "missed", "2025-10-03 02:00:00+00", monday),
            ("o0", "monday_call", "d@x.cn", None, "C1", None, None, "met", None, monday),
            ("o4", "reply_12h", "a@x.cn", "T1", "C2", "Second", None, "met", "2025-09-30 01:00:00+00", monday),
            ("o5", "reply_12h", "b@x.cn", "T1", None, None, None, "met", "2025-09-30 01:00:00+00", monday),
        ]
    )
    facts = ObligationFacts.load(wh, pd.DataFrame({"ae": ["a@x.cn", "e@x.cn"]}))
    assert facts.client_seen["C1"] == {
        "client_name": ["New Name", "Old Name"],
        "client_tier": ["A", "B"],
        "ae": ["d@x.cn", "c@x.cn", "b@x.cn", "a@x.cn"],
    }
    assert facts.client_seen["C2"] == {"client_name": ["Second"], "ae": ["a@x.cn"]}
    assert facts.accounts == ["C1", "C2"] and facts.mondays == [monday]
    # the old pandas computation on the same rows (Warehouse.obligations' order, then latest first)
    every = wh.sql("select * from obligation_details order by opened_at, obligation_id")
    for col in ("client_name", "client_tier", "ae"):
        seen = every[every[col].notna()]
        old = seen.groupby("client_account")[col].agg(lambda c: list(dict.fromkeys(reversed(c.tolist()))))
        assert {a: facts.client_seen[a][col] for a in old.index} == old.to_dict()
    # the AE order and the AEs of each team and client for the obligations page's index
    assert facts.order == {"a@x.cn": 0, "b@x.cn": 1, "c@x.cn": 2, "d@x.cn": 3, "e@x.cn": 4}
    assert facts.teams == {"(none)": [3], "T1": [0, 1], "T2": [2]}
    assert facts.client_aes == {"(none)": [1], "C1": [0, 1, 2, 3], "C2": [0]}
    # the late or missed replies (old week pages' heat maps), by week
    assert len(facts.late_replies(monday, date(2025, 10, 6))) == 2
    assert facts.late_replies(date(2025, 10, 6), date(2025, 10, 13)).empty

"""Issue 10, a site that works at 1,000 AEs: the obligations page's data files only for the last
`site_drill_weeks` weeks (up to the running week); an older week is a CSV download per week, and the
page says so when a figure or link asks for it.

On the hand-made warehouse of conftest.py: obligations from W29 (07-14) to the running week W42
(10-13). With site_drill_weeks = 2 the window is W41 (10-06, the week under review) and W42.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd

from aemetrics.site import publish_site


def _index(out: Path) -> dict:
    page = (out / "obligations.html").read_text(encoding="utf-8")
    return json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))


def test_only_the_last_drill_weeks_have_data_files_older_weeks_are_csvs(fixture_db, tmp_path):
    """The old site wrote data files for every week of the year (158 MB at 100 AEs × 52 weeks, about
    1.7 GB at 1,000 AEs); a link to an old week now says it is outside the window and where its rows are."""
    db = tmp_path / "wh.duckdb"
    shutil.copy(fixture_db, db)
    out = publish_site(db, tmp_path / "site", SimpleNamespace(site_drill_weeks=2)).out_dir
    weeks = {re.match(r"obl-(\d{4}-\d\d-\d\d)-", p.name).group(1) for p in (out / "data").glob("obl-*.js")}
    assert weeks == {"2025-10-06", "2025-10-13"}
    index = _index(out)
    assert set(index["files"]) == {"2025-10-06", "2025-10-13"}
    assert index["window"]["from"] == "2025-10-06" and index["window"]["weeks"] == 2
    # every older week with obligations: a CSV of every row, named in the index
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_week = dict(
            con.execute(
                "select week_start, count(*) from obligation_details where week_start < date '2025-10-06' group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert index["window"]["csv"]["2025-09-29"] == "weeks/2025-W40-obligations.csv"
    assert len(index["window"]["csv"]) == len(per_week)
    for monday, n in per_week.items():
        csv = pd.read_csv(out / index["window"]["csv"][monday.isoformat()], encoding="utf-8-sig")
        assert len(csv) == n and set(csv["week_start"]) == {monday.isoformat()}
    w40 = pd.read_csv(out / "weeks" / "2025-W40-obligations.csv", encoding="utf-8-sig")
    # W40: reply_12h 3/4, minutes_24h 0/1, monday_call 2/2 (conftest)
    assert (w40["standard"] == "reply_12h").sum() >= 4 and {"obligation_id", "status", "evidence"} <= set(w40)
    # what the page shows for an old week and for a week in the window is checked in a real browser:
    # tests/browser/test_site_browser.py::test_obligations_page_names_the_window_and_the_csv_of_an_old_week
    # 0: every week, no CSV of old weeks
    every = publish_site(db, tmp_path / "all", SimpleNamespace(site_drill_weeks=0)).out_dir
    assert "2025-09-29" in _index(every)["files"] and not list((every / "weeks").glob("*-obligations.csv"))

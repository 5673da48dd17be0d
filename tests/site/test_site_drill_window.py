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
import subprocess
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from aemetrics.site import publish_site

# the page's script run in Node with the few DOM calls it makes: the HTML it renders for a hash
NODE_RUN = r"""
const fs = require("fs");
const html = fs.readFileSync(process.argv[1], "utf8");
const els = {};
const dir = require("path").dirname(process.argv[1]);
const doc = { listeners: {}, head: { appendChild(s) {  // a data file: run it now, as the browser would
    new Function("AEM_OBL", fs.readFileSync(dir + "/" + s.src, "utf8"))(window.AEM_OBL); s.onload(); } },
  getElementById(id) { return els[id] || (els[id] = { innerHTML: "" }); },
  createElement() { return {}; }, querySelectorAll() { return []; },
  addEventListener(ev, f) { this.listeners[ev] = f; } };
global.document = doc;
global.window = { location: { hash: process.argv[2] }, addEventListener() {}, AEM: { enhance() {} } };
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
for (const s of scripts) if (s.includes("AEM_INDEX") || s.includes("AEM_OBL")) new Function("window", "document", s)(window, document);
doc.listeners.DOMContentLoaded();
process.stdout.write(els.obl.innerHTML);
"""


def _index(out: Path) -> dict:
    page = (out / "obligations.html").read_text(encoding="utf-8")
    return json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))


def _render(out: Path, hash_: str) -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("no Node.js to run the obligations page's script")
    proc = subprocess.run([node, "-e", NODE_RUN, str(out / "obligations.html"), hash_], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


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
    # the page for an old week: names the setting and links the CSV; a week in the window lists its rows
    old = _render(out, "#week=2025-09-29&standard=reply_12h")
    assert "outside the drill-down window" in old and "site_drill_weeks" in old
    assert "href='weeks/2025-W40-obligations.csv'" in old
    assert "no obligations" not in old
    recent = _render(out, "#week=2025-10-06&standard=reply_12h")
    assert "outside" not in recent and "site_drill_weeks" not in recent
    # W41 reply_12h (conftest): li.wei met 3 late 1, zhang.min met 2 missed 1, wang.fang met 4, chen.jie excused 1
    assert "12 obligations · excused 1 · late 1 · met 9 · missed 1" in recent
    # 0: every week, no CSV of old weeks
    every = publish_site(db, tmp_path / "all", SimpleNamespace(site_drill_weeks=0)).out_dir
    assert "2025-09-29" in _index(every)["files"] and not list((every / "weeks").glob("*-obligations.csv"))

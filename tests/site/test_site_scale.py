"""Issue 10, the site at scale: every page stays under the limit and every drill-down data file
stays bounded however many AEs, teams and evidence rows there are; long lists are cut on the page
with the number of rows they hold, and complete in their CSVs.

The fixture warehouse of conftest.py with, added in SQL, 320 AEs in 40 teams, each with one met,
one late and one missed reply_12h in W41 (960 obligations in one week × standard), and one late
obligation of li.wei whose evidence names 5,000 export rows. The KPI marts are rebuilt from the
rows by the real SQL (conftest.build_kpi_marts).

The old site failed here: the scorecard listed all 5,000 evidence labels of one obligation (1.09 MB:
`publish_site` refused it, "pages over 1000000 bytes"); had it not, `data/obl-2025-10-06-reply_12h.js`
held all 972 obligations of the week (a file per week × standard that grows with the agency) and
the index drew a column and a bar group per team (40).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aemetrics.site import publish_site
from aemetrics.site.drill import CHUNK_ROWS
from aemetrics.site.html import MAX_ROWS
from aemetrics.site.pages import MAX_SOURCES, MAX_TEAMS
from aemetrics.site.publish import MAX_PAGE_BYTES

N_AES, N_TEAMS, N_REFS = 320, 40, 5000
WEEK = "2025-10-06"


def _grow(db: Path, build_kpi_marts) -> str:
    """Add the AEs, teams, obligations and evidence rows described above; returns the obligation
    whose evidence names N_REFS rows."""
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            f"insert into aes by name select 'ae' || lpad(i::varchar, 3, '0') || '@big.cn' as ae, "
            f"'员工' || i as name, 'team ' || lpad((i % {N_TEAMS})::varchar, 2, '0') as team "
            f"from range({N_AES}) t(i)"
        )
        rows = f"""
            select 'big-' || i || '-' || s.status as obligation_id, 'reply_12h' as standard,
                   'ae' || lpad(i::varchar, 3, '0') || '@big.cn' as ae,
                   'acc-' || chr(65 + (i % 3)::int) as client_account,
                   timestamptz '2025-10-07 02:00:00+00' + to_minutes(i) as opened_at,
                   timestamptz '2025-10-07 14:00:00+00' + to_minutes(i) as due_at,
                   case s.status when 'met' then timestamptz '2025-10-07 03:00:00+00'
                        when 'late' then timestamptz '2025-10-08 03:00:00+00' end as fulfilled_at,
                   s.status as status, 'reply <m' || i || '@big.cn>' as evidence,
                   '员工' || i as ae_name, 'team ' || lpad((i % {N_TEAMS})::varchar, 2, '0') as team,
                   'client ' || chr(65 + (i % 3)::int) as client_name, chr(65 + (i % 3)::int) as client_tier,
                   'Re: 排期 ' || i as subject, 2025 as iso_year, 41 as iso_week, date '{WEEK}' as week_start
            from range({N_AES}) t(i), (values ('met'), ('late'), ('missed')) s(status)
        """
        con.execute(
            f"insert into obligations by name select * exclude (ae_name, team, client_name, client_tier, "
            f"subject, iso_year, iso_week, week_start) from ({rows})"
        )
        con.execute(f"insert into obligation_details by name {rows}")
        oid = con.execute(
            "select obligation_id from obligation_details where ae = 'li.wei@agency.cn' and status = 'late' "
            "order by opened_at desc limit 1"
        ).fetchone()[0]
        con.execute(
            "insert into evidence_refs by name select ? as obligation_id, 'reply_12h' as standard, i as item_no, "
            "'email' as kind, 'cc' as role, 'm' || i || '@client.example' as key, 'email/li.wei.mbox' as source_file, "
            "'message ' || i as record, null as source_table, false as is_resolved from range(1, ? + 1) t(i)",
            [oid, N_REFS],
        )
        build_kpi_marts(con)
    finally:
        con.close()
    return oid


@pytest.fixture(scope="module")
def big_site(fixture_db, kpi_marts, tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    db = folder / "big.duckdb"
    shutil.copy(fixture_db, db)
    oid = _grow(db, kpi_marts)
    return publish_site(db, folder / "site", None, "zh-en"), db, oid


def test_every_page_under_the_limit_and_every_data_file_bounded(big_site):
    report, db, _ = big_site
    assert report.page_bytes and max(report.page_bytes.values()) <= MAX_PAGE_BYTES, report.summary()
    week_files = sorted((report.out_dir / "data").glob(f"obl-{WEEK}-reply_12h*.js"))
    assert len(week_files) >= 3  # late or missed: 2 files of at most 500; the others: 1
    got: list[list] = []
    for f in week_files:
        text = f.read_text(encoding="utf-8")
        rows, _ = json.loads(text.strip()[len("AEM_OBL(") : -2])
        assert len(rows) <= CHUNK_ROWS, f.name
        got += rows
    con = duckdb.connect(str(db), read_only=True)
    try:
        want = con.execute(
            "select obligation_id, status from obligation_details where standard = 'reply_12h' and week_start = ?",
            [WEEK],
        ).fetchall()
    finally:
        con.close()
    assert sorted((r[0], r[7]) for r in got) == sorted(want)  # every obligation once, in some file


def test_the_index_names_each_files_status_group_and_ae_range(big_site):
    """The obligations page reads only the files a filter can match: their group and AE range are in
    its index, and every row of a file lies in its range."""
    report, db, _ = big_site
    page = (report.out_dir / "obligations.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))
    parts = index["files"][WEEK]["reply_12h"]
    assert isinstance(parts, list) and {p[0] for p in parts} == {"l", "o"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        (n_week,) = con.execute(
            "select count(*) from obligation_details where standard = 'reply_12h' and week_start = ?", [WEEK]
        ).fetchone()
    finally:
        con.close()
    assert n_week > 3 * N_AES and sum(p[4] for p in parts) == n_week
    for group, part, first, last, n in parts:
        path = report.out_dir / f"data/obl-{WEEK}-reply_12h-{group}{part}.js"
        rows, _ = json.loads(path.read_text(encoding="utf-8").strip()[len("AEM_OBL(") : -2])
        assert len(rows) == n
        assert all(first <= index["aes"][r[2]][2] <= last for r in rows), path.name
        assert all((r[7] in ("late", "missed")) == (group == "l") for r in rows), path.name
    team = index["teams"]["team 07"]
    assert len(team) == N_AES // N_TEAMS  # the AEs whose files a team filter reads
    # the week's other standards stay one file each, named as before, with their AE range and rows
    for std, path in index["files"][WEEK].items():
        if std == "reply_12h":
            continue
        rows, _ = json.loads((report.out_dir / path).read_text(encoding="utf-8").strip()[len("AEM_OBL(") : -2])
        first, last, n = index["whole"][WEEK][std]
        assert n == len(rows) and all(first <= index["aes"][r[2]][2] <= last for r in rows if r[2]), path


def test_long_lists_are_cut_on_the_page_and_complete_in_the_csv(big_site, read_table):
    report, _, _ = big_site
    site = report.out_dir
    html = (site / "index.html").read_text(encoding="utf-8")
    league = read_table(site / "index.html", "league-table")
    csv = pd.read_csv(site / "index-league.csv", encoding="utf-8-sig")
    assert len(csv) == N_AES + 4 and len(league) == 1 + MAX_ROWS  # header and rows
    assert f"{MAX_ROWS:,} / {N_AES + 4:,}" in html  # the page says how many rows the table has
    shown = set(re.findall(r'href="ae/([^"]+)\.html"', html.split('id="league-table"')[1].split("</table>")[0]))
    slugs = {ae.split("@")[0] for ae in csv["ae"]}
    assert len(shown) == MAX_ROWS and shown <= slugs  # every listed row is in the CSV
    teams = pd.read_csv(site / "index-teams.csv", encoding="utf-8-sig")
    assert teams["team"].nunique() == N_TEAMS + 2  # every team in the CSV (and the fixture's two)
    assert len(read_table(site / "index.html", "teams")[0]) == 1 + MAX_TEAMS  # standard, then a column per team
    assert f"{MAX_TEAMS:,} / {N_TEAMS + 2:,}" in html  # 12 team columns on the page, and how many teams


def test_an_evidence_cell_names_a_few_rows_and_links_to_all(big_site):
    report, _, oid = big_site
    scorecard = (report.out_dir / "ae" / "li.wei.html").read_text(encoding="utf-8")
    cell = scorecard.split(f"o={oid}&amp;", 1)[1].split("</td>", 1)[0]
    assert scorecard.count("email/li.wei.mbox · message ") == MAX_SOURCES
    assert f"+{N_REFS - MAX_SOURCES:,}</a>" in scorecard and cell
    rows, _ = json.loads(
        next(
            p.read_text(encoding="utf-8")
            for p in (report.out_dir / "data").glob("obl-*-reply_12h*.js")
            if oid in p.read_text(encoding="utf-8")
        ).strip()[len("AEM_OBL(") : -2]
    )
    assert len(next(r for r in rows if r[0] == oid)[-1]) == N_REFS  # the obligation's page has every one

"""Issue 13 on the site: from a number to its evidence, every evaluated week, client pages, the
setup checklist and "no data — needs <export>", people who left, and pages that stay small.

Built on the hand-made warehouse of conftest.py (its docstring works out every figure), with a
few rows added per test: an email header and the evidence_refs row naming it, a staff-directory
row, an AE marked as gone.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import duckdb
import pytest

from aemetrics.exports import export_rows, feeds, missing_exports, needs_of, registry_needs
from aemetrics.site import publish_site
from aemetrics.site.html import MAX_ROWS, Cell, table
from aemetrics.site.labels import Labels


def _data_file(path: Path) -> tuple[list, list]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("AEM_OBL(") and text.rstrip().endswith(");")
    rows, raws = json.loads(text.strip()[len("AEM_OBL(") : -2])
    return rows, raws


@pytest.fixture
def warehouse(fixture_db, tmp_path) -> Path:
    db = tmp_path / "wh.duckdb"
    shutil.copy(fixture_db, db)
    return db


def _add_email_evidence(db: Path) -> str:
    """ob-01's evidence names message 7 of email/li.wei.mbox, which holds a body."""
    con = duckdb.connect(str(db))
    try:
        oid = con.execute(
            "select obligation_id from obligation_details where standard = 'reply_12h' and status = 'late' "
            "and ae = 'li.wei@agency.cn' order by opened_at desc limit 1"
        ).fetchone()[0]
        con.execute(
            "insert into raw_email_messages (message_id, has_message_id, sent_at, date_header, from_addr, from_name, "
            "to_addrs, subject, body_text, source_file, record) values ('m7@client.example', true, "
            "timestamptz '2025-10-10 11:00:00+00', 'Fri, 10 Oct 2025 19:00:00 +0800', 'buyer@client.example', "
            "'Buyer', ['li.wei@agency.cn'], 'Where is the quote?', 'SECRET BODY TEXT', 'email/li.wei.mbox', 'message 7')"
        )
        con.execute(
            "insert into evidence_refs (obligation_id, standard, item_no, kind, role, key, source_file, record, "
            "source_table, is_resolved) values (?, 'reply_12h', 1, 'email', 'opened_by', 'm7@client.example', "
            "'email/li.wei.mbox', 'message 7', 'raw_email_messages', true)",
            [oid],
        )
    finally:
        con.close()
    return oid


def test_every_figure_links_to_its_obligations(site):
    """The old site's cards, standards rows, team cells and league rates were plain text: no way
    from 81.8 % to the eleven replies behind it."""
    html = (site.out_dir / "index.html").read_text(encoding="utf-8")
    week = "week=2025-10-06"
    assert f'href="obligations.html#{week}&amp;standard=reply_12h"' in html  # card and standards row
    assert f"obligations.html#{week}&amp;standard=reply_12h&amp;team={quote('华东组')}" in html  # team cell
    assert f"obligations.html#{week}&amp;ae=li.wei@agency.cn" in html  # league row
    assert f"obligations.html#{week}&standard=reply_12h&team={quote('华东组')}" in html  # team bar (plot JSON)
    assert "standard=reply_12h&status=late,missed&weekday=4&hour=19" in html  # heat-map cell (plot JSON)
    eq = (site.out_dir / "equal-treatment.html").read_text(encoding="utf-8")
    assert "obligations.html#week=2025-07-21," in eq and "tier=" in eq
    rows, _ = _data_file(site.out_dir / "data" / "obl-2025-10-06-reply_12h.js")
    by_ae: dict[str, list[str]] = {}
    for r in rows:
        by_ae.setdefault(r[2], []).append(r[7])
    # W41 reply_12h: li.wei met 3 late 1, zhang.min met 2 missed 1, wang.fang met 4, chen.jie excused 1
    assert sorted(by_ae["li.wei@agency.cn"]) == ["late", "met", "met", "met"]
    assert sorted(by_ae["zhang.min@agency.cn"]) == ["met", "met", "missed"]
    assert sorted(by_ae["wang.fang@agency.cn"]) == ["met"] * 4
    assert by_ae["chen.jie@agency.cn"] == ["excused"]
    page = (site.out_dir / "obligations.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))
    assert index["files"]["2025-10-06"]["reply_12h"] == "data/obl-2025-10-06-reply_12h.js"
    assert index["latest"] == "2025-10-06"


def test_evidence_rows_are_readable_without_bodies(warehouse, tmp_path):
    """The old scorecard named an evidence row ('email/li.wei.mbox · message 7') without showing it;
    now the row's header fields are in the data file (never its body unless store_bodies)."""
    oid = _add_email_evidence(warehouse)
    out = publish_site(warehouse, tmp_path / "site").out_dir
    rows, raws = _data_file(out / "data" / "obl-2025-10-06-reply_12h.js")
    row = next(r for r in rows if r[0] == oid)
    label, _, raw_no = row[-1][0]
    assert label == "email/li.wei.mbox · message 7"
    fields = raws[raw_no]
    assert fields["subject"] == "Where is the quote?" and fields["from_addr"] == "buyer@client.example"
    assert "body_text" not in fields
    assert "SECRET BODY" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.js"))
    scorecard = (out / "ae" / "li.wei.html").read_text(encoding="utf-8")
    # the label is a link; os/oa name the standard and AE so that only their data file is read
    assert (
        f'href="../obligations.html#week=2025-10-06&amp;o={oid}&amp;os=reply_12h&amp;oa=li.wei@agency.cn"' in scorecard
    )
    out2 = publish_site(warehouse, tmp_path / "site2", SimpleNamespace(store_bodies=True)).out_dir
    _, raws2 = _data_file(out2 / "data" / "obl-2025-10-06-reply_12h.js")
    assert raws2[0]["body_text"] == "SECRET BODY TEXT"


def test_every_evaluated_week_keeps_its_page_and_the_running_week_shows_so_far(site):
    """The old site only had the latest complete week; W40 needed a re-run with another as_of."""
    w40 = site.out_dir / "weeks" / "2025-W40.html"
    assert w40.is_file() and (site.out_dir / "weeks" / "2025-W30.html").is_file()
    assert not (site.out_dir / "weeks" / "2025-W41.html").exists()  # the latest is index.html
    df = __import__("pandas").read_csv(site.out_dir / "weeks" / "2025-W40-standards.csv", encoding="utf-8-sig")
    rates = dict(zip(df["standard"], df["rate"], strict=True))
    assert rates["reply_12h"] == 0.75 and rates["minutes_24h"] == 0.0  # W40: 3/4, 0/1
    html = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'class="week-picker"' in html and 'value="weeks/2025-W40.html"' in html
    assert 'id="so-far"' in html and "obligations.html#week=2025-10-13" in html
    so_far = __import__("pandas").read_csv(site.out_dir / "index-so-far.csv", encoding="utf-8-sig")
    assert so_far.set_index("standard").loc["reply_12h", "met"] == 1  # W42: one met reply so far
    for page in ("equal-treatment.html", "obligations.html", "ae/li.wei.html"):
        assert 'class="week-picker"' in (site.out_dir / page).read_text(encoding="utf-8"), page


def test_a_page_per_client_account(site):
    """The old site had no client view: 'how are we treating BrandX?' had no answer."""
    pages = sorted(p.name for p in (site.out_dir / "clients").glob("*.html"))
    assert pages
    html = (site.out_dir / "clients" / pages[0]).read_text(encoding="utf-8")
    assert "../ae/" in html and 'id="client-obligations"' in html and "obligations.html#week=" in html


def test_setup_checklist_and_no_data(warehouse, tmp_path):
    """The old site showed 'No data this week' without saying a staff directory or calendar was
    missing; a standard without its export could read 0 % or 100 %."""
    out = publish_site(warehouse, tmp_path / "site").out_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="setup"' in html and "calendars (.ics)" in html and "missing" in html
    setup = __import__("pandas").read_csv(out / "index-setup.csv", encoding="utf-8-sig").set_index("export")
    assert not setup["found"].any()
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into raw_staff (email, name, role, team, source_file, record) "
        "values ('li.wei@agency.cn', '李伟', 'AE', '华东组', 'staff.csv', 'line 2')"
    )
    con.close()
    out = publish_site(warehouse, tmp_path / "site2").out_dir
    setup = __import__("pandas").read_csv(out / "index-setup.csv", encoding="utf-8-sig").set_index("export")
    assert bool(setup.loc["staff", "found"]) and not bool(setup.loc["calendar", "found"])
    assert "agenda_48h" in setup.loc["calendar", "standards"]


def test_missing_exports_come_from_the_registry_and_the_raw_tables():
    """One list of exports (aemetrics.exports): the checklist, the run summary and the registry's
    `needs` used to keep three, and the site's covered only the core eight standards."""
    rows = export_rows({"raw_email_messages": 10, "raw_crm_users": 3, "raw_attendance": 0}.get)
    assert rows == {"staff": 3, "crm": 0, "calendar": 0, "attendance": 0, "clock": 0, "email": 10}
    needs = registry_needs()
    assert missing_exports("reply_12h", rows, needs) == ["crm"]
    assert missing_exports("on_time", rows, needs) == ["calendar", "attendance", "crm"]
    assert missing_exports("friday_supervisor_report", rows, needs) == []
    assert missing_exports("work_on_time", rows, needs) == ["clock"]
    assert missing_exports("a_new_standard", rows, needs_of([("a_new_standard", ["calendar"])])) == ["calendar"]
    # the staff directory feeds every standard (who is an AE); the CRM every standard about clients
    assert feeds("staff", needs) == tuple(needs)
    assert "friday_supervisor_report" not in feeds("crm", needs) and "minutes_signoff" in feeds("crm", needs)


def test_a_person_who_left_is_marked_unranked_and_out_of_team_medians(warehouse, tmp_path, kpi_marts):
    """Before, an AE who had left was ranked like everyone and counted in the team median."""
    con = duckdb.connect(str(warehouse))
    con.execute("update aes set has_left = true, is_active = false where ae = 'zhang.min@agency.cn'")
    for mart in (
        "kpi_weekly",
        "kpi_standard_weekly",
        "kpi_team_weekly",
        "ae_scorecard",
        "kpi_tier_rates",
        "kpi_tier_gaps",
    ):
        con.execute(f"drop table if exists {mart}")
    kpi_marts(con)
    li = con.execute(
        "select team_median from ae_scorecard where ae = 'li.wei@agency.cn' and standard = '*'"
    ).fetchone()[0]
    con.close()
    assert li == pytest.approx(8 / 9)  # 李伟 alone: 张敏 (4/6) left; before: median(8/9, 4/6) = 0.778
    out = publish_site(warehouse, tmp_path / "site").out_dir
    league = __import__("pandas").read_csv(out / "index-league.csv", encoding="utf-8-sig")
    zhang = league[league["ae"] == "zhang.min@agency.cn"].iloc[0]
    assert __import__("pandas").isna(zhang["rank"]) and zhang["rate"] == pytest.approx(4 / 6)
    assert league["rank"].dropna().tolist() == [1, 2]  # 李伟, 王芳
    html = (out / "ae" / "zhang.min.html").read_text(encoding="utf-8")
    assert "left-badge" in html and 'id="late-missed"' in html  # marked; obligations still listed


def test_long_tables_are_cut_on_the_page_and_whole_in_the_csv():
    """A site of 1,000 AEs had a 3.8 MB index: every league row was on the page."""
    rows = [[Cell(str(i))] for i in range(1000)]
    html = table(["n"], rows, Labels("en"), "x.csv")
    assert html.count("<tr>") == MAX_ROWS + 1 and "300 / 1,000" in html


def test_stale_client_and_week_pages_are_removed(fixture_db, tmp_path):
    out = tmp_path / "s"
    publish_site(fixture_db, out)
    (out / "clients" / "gone.html").write_text("x", encoding="utf-8")
    (out / "weeks" / "2020-W01.html").write_text("x", encoding="utf-8")
    report = publish_site(fixture_db, out)
    assert {p.name for p in report.removed} == {"gone.html", "2020-W01.html"}

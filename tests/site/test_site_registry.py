"""The site shows every standard of the registry, grouped by the handbook's sections, and a standard
with nothing in the exports says "no data" and which export would feed it, never 0 % or 100 %
(issue 11). Before, the review and the scorecards listed only standards that had obligations, in
the order of a hand-written dict, with no sections."""

from __future__ import annotations

from datetime import date

import pandas as pd

from aemetrics.site import metrics
from aemetrics.standards import load_registry

SECTION_ROWS = [
    "沟通 Communication",
    "会议 Meetings",
    "日常沟通 Weekly rhythm",
    "再次提升 Account care",
    "工作习惯 Work habits",
]


def test_review_lists_every_standard_under_its_section(site, read_table):
    rows = read_table(site.out_dir / "index.html", "standards")[1:]
    firsts = [r[0] for r in rows]
    for s in load_registry():
        assert any(f.startswith(s.label_zh) for f in firsts), s.id
    assert [r[0] for r in rows if len(r) == 1] == SECTION_ROWS  # the handbook's five sections, in order
    on_time = next(r for r in rows if r[0].startswith("开会不迟到"))  # no attendance report in the fixture
    assert on_time[1].startswith("无数据 no data") and not any("%" in c for c in on_time)


def test_every_scorecard_lists_every_standard_under_its_section(site, read_table):
    rows = read_table(site.out_dir / "ae" / "li.wei.html", "ae-rates")[1:]
    assert [r[0] for r in rows if len(r) == 1] == SECTION_ROWS
    assert len([r for r in rows if len(r) > 1]) == len(load_registry())
    assert next(r for r in rows if r[0].startswith("12小时"))[1] != "无数据 no data"


def test_no_data_names_the_exports_the_ingest_did_not_load():
    standards = pd.DataFrame(
        {
            "standard": ["reply_12h", "on_time", "work_on_time"],
            "section": ["communication", "meetings", "work_habits"],
            "position": [1, 2, 3],
            "missing_exports": [[], ["attendance"], ["clock"]],
        }
    )
    weekly = pd.DataFrame(
        [
            dict(standard="reply_12h", week_start=date(2025, 10, 6), rate=0.5, met=1, late=1, missed=0)
            | dict(open=0, excused=0, confirmed=0)
        ]
    )
    weeks = metrics.Weeks.ending(date(2025, 10, 6))
    table = metrics.standards_table(weekly, weeks, metrics.Options(), standards)
    assert list(table["standard"]) == ["reply_12h", "on_time", "work_on_time"]
    assert list(table["has_data"]) == [True, False, False]
    assert list(table["needs"]) == ["", "attendance", "clock"]
    assert table["rate"].iloc[1:].isna().all() and (table["target"] == 0.95).all()
    assert list(table["section"]) == ["communication", "meetings", "work_habits"]


def test_setup_status_names_each_exports_files_and_counts_only_loaded_rows(tmp_path):
    """Clock-ins and meeting attendance share attendance/ but are two exports; CRM users stand in
    for a staff directory; a file that loaded nothing feeds nothing."""
    from aemetrics.setup_check import setup_status
    from aemetrics.warehouse import open_warehouse

    con = open_warehouse(tmp_path / "w.duckdb")
    con.execute("delete from ingest_manifest")
    for f, kind, parser, rows in [
        ("email/a.mbox", "email", "mbox", 3),
        ("attendance/考勤.xlsx", "attendance", "clock-dingtalk", 5),
        ("attendance/zoom.csv", "attendance", "zoom", 0),
        ("crm/User.csv", "crm", "salesforce:User", 2),
        ("calendar/a.ics", "calendar", "ics", 0),
    ]:
        con.execute(
            "insert into ingest_manifest values (?, 'x', 1, ?, ?, ?, 0, now())",
            [f, kind, parser, rows],
        )
    con.execute("insert into raw_crm_users (user_id, source_file, record) values ('005A', 'crm/User.csv', 'line 2')")
    status = {s.source: s for s in setup_status(con)}
    con.close()
    assert status["clock"].files == ["attendance/考勤.xlsx"] and status["attendance"].files == []
    assert status["staff"].files == ["crm/User.csv"] and status["staff"].found
    assert status["crm"].files == ["crm/User.csv"] and not status["crm"].found  # users are not client accounts
    assert not status["clock"].found  # the raw table is what counts: raw_clock_ins is empty here

"""The published site on the hand-made warehouse (see conftest.py for how each figure is derived)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from aemetrics.api import WarehouseNotBuilt
from aemetrics.site import publish_site


def csv(site, name: str) -> pd.DataFrame:
    return pd.read_csv(site.out_dir / name, encoding="utf-8-sig")


def test_each_standard_this_week_last_week_and_change(site, read_table):
    """minutes_24h 3 met + 1 late = 3/4 → 75 %; reply_12h 9/11 (the excused one not counted)."""
    rows = read_table(site.out_dir / "index.html", "standards")
    got = {r[0]: r[1:4] for r in rows[1:] if len(r) > 1 and not r[1].startswith("无数据")}  # section rows: 1 cell
    assert got == {
        "12小时内回复 / Reply within 12 h": ["81.8%", "75%", "+6.8 pp"],
        "提前48小时发议程 / Agenda 48 h before": ["50%", "—", "—"],
        "24小时内发会议记录 / Minutes within 24 h": ["75%", "0%", "+75 pp"],
        "周一致电客户 / Monday call": ["100%", "100%", "±0 pp"],
    }
    firsts = [r[0] for r in rows[1:]]
    assert firsts[:2] == ["沟通 Communication", "12小时内回复 / Reply within 12 h"]  # section, then its standards
    assert firsts.index("会议 Meetings") < firsts.index("提前48小时发议程 / Agenda 48 h before")  # catalogue order
    reply = next(r for r in rows[1:] if r[0].startswith("12小时"))
    assert reply[4:10] == ["95%", "9", "1", "1", "0", "1"]  # target, met, late, missed, open, excused
    assert "未达标 Below target" in reply[10]


def test_standards_csv_holds_fractions_and_counts(site):
    df = csv(site, "index-standards.csv").set_index("standard")
    assert list(df.index[df["has_data"]]) == ["reply_12h", "agenda_48h", "minutes_24h", "monday_call"]
    assert df.loc["minutes_24h", ["met", "late", "missed"]].tolist() == [3, 1, 0]
    assert df.loc["minutes_24h", "rate"] == 0.75
    assert df.loc["reply_12h", "rate"] == pytest.approx(9 / 11)
    assert pd.isna(df.loc["agenda_48h", "rate_last_week"])
    assert df.loc["monday_call", "on_target"] == True  # noqa: E712 (CSV bool)


def test_league_orders_by_rate_and_keeps_unevaluated_ae_last(site, read_table):
    """李伟 8/9, 王芳 5/6, 张敏 4/6; 陈杰 only has an excused reply: listed, unranked."""
    rows = read_table(site.out_dir / "index.html", "league-table")[1:]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("1", "李伟", "88.9%"),
        ("2", "王芳", "83.3%"),
        ("3", "张敏", "66.7%"),
        ("—", "陈杰", "—"),
    ]
    assert [r[-1] for r in rows] == ["1", "0", "1", "1"]  # at-risk counts
    html = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="ae/li.wei.html"' in html and 'href="ae/chen.jie.html"' in html


def test_late_reply_heatmap_counts_by_local_opening_time(site):
    """Two late replies opened Fri 19:xx; the Tue 07:30 one (Mon 23:30 UTC) lands on Tuesday;
    the Mon 00:30 one (Sunday in UTC) is inside W30; the W29 one is outside the 12 weeks."""
    df = csv(site, "index-late-reply-heatmap.csv")
    assert len(df) == 7 * 24
    cells = {(r.weekday, r.hour): r.count for r in df.itertuples() if r.count}
    assert cells == {(4, 19): 2, (5, 10): 1, (1, 7): 1, (0, 0): 1}
    assert df.loc[(df.weekday == 4) & (df.hour == 19), "weekday_name"].item() == "周五 Fri"


def test_teams_side_by_side(site, read_table):
    rows = read_table(site.out_dir / "index.html", "teams")
    assert rows[0] == ["标准 Standard", "华东组", "华北组"]
    got = {r[0]: r[1:] for r in rows[1:]}
    assert got["12小时内回复 / Reply within 12 h"] == ["71.4%", "100%"]  # 5/7 and 4/4
    assert got["提前48小时发议程 / Agenda 48 h before"] == ["100%", "0%"]
    assert got["24小时内发会议记录 / Minutes within 24 h"] == ["75%", "—"]
    df = csv(site, "index-teams.csv")
    east = df[(df.team == "华东组") & (df.standard == "reply_12h")].iloc[0]
    assert (east.met, east.evaluated) == (5, 7)


def test_at_risk_list_soonest_first_in_business_time(site, read_table):
    rows = read_table(site.out_dir / "index.html", "at-risk-table")[1:]
    assert [(r[0], r[4], r[5]) for r in rows] == [
        ("李伟", "2025-10-15 20:00", "10.0 h"),
        ("陈杰", "2025-10-16 14:00", "28.0 h"),
        ("张敏", "2025-10-18 00:00", "62.0 h"),
    ]
    df = csv(site, "index-at-risk.csv")
    assert df["due_at"].tolist()[0] == "2025-10-15T20:00:00+08:00"


def test_data_quality_per_source_kind_and_grouped_reasons(site, read_table):
    kinds = csv(site, "index-quality-sources.csv").set_index("source_kind")
    # files, rejected whole, rows loaded, quarantined, of which still loaded (unusable): the .eml
    # without Date is record 'file' but loaded, so it is not a file rejected whole
    assert kinds.loc["email"].tolist() == [3, 1, 51, 4, 3]
    assert kinds.loc["attendance"].tolist() == [1, 0, 3, 2, 0]
    assert kinds.loc["unknown"].tolist() == [1, 1, 0, 1, 0]  # quarantine row without source_kind: from the manifest
    reasons = csv(site, "index-quarantine-reasons.csv")
    assert reasons.iloc[0].tolist() == ["email", "no Date header", 3, 2, "email/b.eml · file"]
    assert reasons.iloc[1].tolist() == ["attendance", "unparseable join time '…'", 2, 1, "attendance/zoom.csv · line 5"]
    assert reasons["count"].sum() == 8
    rows = read_table(site.out_dir / "index.html", "quarantine-reasons")
    assert ["email", "no Date header", "3", "2", "email/b.eml · file"] == rows[1]


def test_great_expectations_results_are_shown_failures_first(site, read_table):
    header, *rows = read_table(site.out_dir / "index.html", "checks")
    assert header[2] == "校验规则 Expectation"
    assert rows[0][:5] == ["ingest", "raw_attendance", "expect_table_row_count_to_be_between", "—", "未通过 Fail"]
    assert rows[0][6:] == ["warn", "3"]
    assert rows[1][1:5] == ["raw_email_messages", "expect_column_values_to_not_be_null", "message_id", "通过 Pass"]
    assert len(csv(site, "index-checks.csv")) == 2


def test_a_scorecard_page_for_every_ae(site):
    pages = sorted(p.name for p in (site.out_dir / "ae").glob("*.html"))
    assert pages == ["chen.jie.html", "li.wei.html", "wang.fang.html", "zhang.min.html"]


def test_scorecard_rates_against_team_median(site, read_table):
    """李伟 reply: this week 3/4; 张敏 2/3 → team median 70.8 %; 12 weeks 5/7 vs 张敏 2/5 → median 55.7 %."""
    rows = read_table(site.out_dir / "ae" / "li.wei.html", "ae-rates")
    reply = next(r for r in rows if r[0].startswith("12小时"))
    assert reply[1:10] == ["75%", "70.8%", "71.4%", "55.7%", "95%", "5", "1", "1", "1"]
    minutes = next(r for r in rows if r[0].startswith("24小时"))
    assert minutes[3] == "66.7%"  # W41 2 met + W40 1 missed


def test_scorecard_lists_late_and_missed_with_escaped_evidence(site, read_table):
    page = site.out_dir / "ae" / "li.wei.html"
    rows = read_table(page, "late-missed")[1:]
    assert [(r[1], r[2], r[4]) for r in rows] == [
        ("延迟 Late", "华美食品", "2025-10-10 19:30"),
        ("未完成 Missed", "华美食品", "2025-09-30 15:00"),
        ("未完成 Missed", "华美食品", "2025-09-16 07:30"),  # Mon 23:30 in UTC; W29's late one is outside the window
    ]
    assert rows[0][3] == "回复：<b>报价</b> & 排期" and rows[0][7] == "2.0 h"
    html = page.read_text(encoding="utf-8")
    assert "回复：&lt;b&gt;报价&lt;/b&gt; &amp; 排期" in html and "<b>报价</b>" not in html
    due = read_table(page, "at-risk-table")[1:]
    assert due == [["12小时内回复 / Reply within 12 h", "华美食品", "2025-10-15 08:00", "2025-10-15 20:00", "10.0 h"]]
    late = pd.read_csv(site.out_dir / "ae" / "li.wei-late-missed.csv", encoding="utf-8-sig")
    assert late["obligation_id"].tolist() == ["ob-04", "ob-27", "ob-30"]


def test_equal_treatment_flags_gap_between_tiers(site, read_table):
    """All standards: B 10/11 vs C 4/8 → 40.9 pp; reply_12h: B 7/7 vs C 2/5 → 60 pp; others have < 5 per tier.

    Both gaps are also significant at 0.05 (critical z 1.960): pooled p = 14/19,
    z = 0.4091 / sqrt(14/19 · 5/19 · (1/11 + 1/8)) = 0.4091 / 0.20461 = 1.999; reply_12h pooled 9/12,
    z = 0.6 / sqrt(0.75 · 0.25 · (1/7 + 1/5)) = 0.6 / 0.25355 = 2.366. Wilson 95 % of A 7/10:
    (0.7 + 1.9600²/20 ± 1.9600 · sqrt(0.21/10 + 1.9600²/400)) / (1 + 1.9600²/10) = [39.7 %, 89.2 %]."""
    gaps = csv(site, "equal-treatment-gaps.csv")
    assert gaps[["standard", "best_tier", "worst_tier", "is_significant", "flagged"]].values.tolist() == [
        ["*", "B", "C", True, True],
        ["reply_12h", "B", "C", True, True],
    ]
    assert gaps["gap"].tolist() == pytest.approx([10 / 11 - 0.5, 0.6])
    assert gaps["z"].tolist() == pytest.approx([1.99935, 2.36643], abs=1e-4)
    rows = read_table(site.out_dir / "equal-treatment.html", "tier-rates")
    assert rows[0] == ["标准 Standard", "A", "B", "C", "unknown"]
    assert rows[1] == [
        "全部标准 / All standards",
        "70% [39.7%–89.2%] (7/10)",
        "90.9% [62.3%–98.4%] (10/11)",
        "50% [21.5%–78.5%] (4/8)",
        "100% [34.2%–100%] (2/2)",
    ]


def test_equal_treatment_threshold_and_minimum_from_settings(fixture_db, tmp_path, kpi_marts):
    """The threshold, minimum and level are build settings (run_params): the marts are rebuilt with them."""
    from aemetrics.config import Settings

    db = tmp_path / "copy.duckdb"
    db.write_bytes(Path(fixture_db).read_bytes())
    con = duckdb.connect(str(db))
    kpi_marts(con, Settings(equal_treatment_gap=0.5, equal_treatment_min_n=6, equal_treatment_alpha=0.01))
    con.close()
    report = publish_site(db, tmp_path / "site", None, "en")
    gaps = pd.read_csv(tmp_path / "site" / "equal-treatment-gaps.csv", encoding="utf-8-sig")
    # with at least 6 per tier only A (10), B (11), C (8) pooled compare: 90.9 % vs 50 % < 50 pp: not flagged
    # (and z 1.999 < 2.576, the critical z at 0.01: not significant either)
    assert gaps[["standard", "is_significant", "flagged"]].values.tolist() == [["*", False, False]]
    text = re.sub(r"<[^>]+>", "", (tmp_path / "site" / "equal-treatment.html").read_text(encoding="utf-8"))
    assert "Threshold: 50 pp" in text and "Significance level: 0.01" in text
    assert report.week.startswith("2025-W41")


def test_target_comes_from_settings(fixture_db, tmp_path):
    publish_site(fixture_db, tmp_path, SimpleNamespace(kpi_target=0.8, kpi_targets={"minutes_24h": 0.7}), "en")
    df = pd.read_csv(tmp_path / "index-standards.csv", encoding="utf-8-sig").set_index("standard")
    assert df.loc["reply_12h", ["target", "on_target"]].tolist() == [0.8, True]
    assert df.loc["minutes_24h", ["target", "on_target"]].tolist() == [0.7, True]
    assert df.loc["agenda_48h", "on_target"] == False  # noqa: E712


def test_bilingual_by_default_and_single_language_on_request(site, fixture_db, tmp_path):
    both = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert "本周" in both and "This week" in both and '<html lang="zh">' in both
    publish_site(fixture_db, tmp_path / "en", None, "en")
    publish_site(fixture_db, tmp_path / "zh", None, "zh")
    en = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    zh = (tmp_path / "zh" / "index.html").read_text(encoding="utf-8")
    assert "This week" in en and "本周" not in en and "李伟" in en  # names stay as written
    assert "本周" in zh and "This week" not in zh
    with pytest.raises(ValueError, match="lang 'fr'"):
        publish_site(fixture_db, tmp_path / "fr", None, "fr")
    assert not (tmp_path / "fr").exists()


def test_plotly_written_once_and_pages_small(site):
    js = list(site.out_dir.rglob("plotly*.js"))
    assert [p.relative_to(site.out_dir).as_posix() for p in js] == ["plotly.min.js"]
    assert js[0].stat().st_size > 3_000_000
    for page in site.pages:
        html = page.read_text(encoding="utf-8")
        root = "../" if page.parent.name in ("ae", "clients", "weeks") else ""
        assert html.count("<script src=") == 2 and f'<script src="{root}plotly.min.js">' in html
        assert f'<script src="{root}site.js">' in html  # the site's own table/drill-down script
        assert page.stat().st_size < 1_000_000
    index = (site.out_dir / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="plotly-graph-div"', index)) >= 3
    assert (
        len(re.findall(r'class="plotly-graph-div"', (site.out_dir / "ae" / "li.wei.html").read_text(encoding="utf-8")))
        >= 3
    )


def test_every_table_links_an_existing_csv(site):
    for page in site.pages:
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'href="([^"]+\.csv)"', html)
        if page.name == "obligations.html":  # its rows are the data/ files, built by site.js
            continue
        assert links, page
        assert html.count("<table") <= len(links)
        for href in links:
            assert (page.parent / href).is_file(), f"{page.name} links missing {href}"


def test_republish_removes_scorecards_of_people_gone(fixture_db, tmp_path):
    (tmp_path / "ae").mkdir()
    (tmp_path / "ae" / "left.company.html").write_text("old", encoding="utf-8")
    report = publish_site(fixture_db, tmp_path)
    assert [p.name for p in report.removed] == ["left.company.html"]


def test_empty_marts_render_empty_states(empty_db, tmp_path):
    report = publish_site(empty_db, tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "本周无数据" in html and "No data this week" in html
    assert "尚无导入记录" in html
    assert [p.name for p in report.pages] == ["index.html", "equal-treatment.html", "obligations.html"]
    assert (tmp_path / "index-league.csv").is_file()


def test_warehouse_without_marts_says_build_first(tmp_path):
    db = tmp_path / "raw_only.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(WarehouseNotBuilt, match="build the marts first"):
        publish_site(db, tmp_path / "site")


def test_ae_missing_from_aes_still_gets_a_page(fixture_db, tmp_path, kpi_marts):
    """An obligation whose AE is not in `aes` (e.g. staff directory gap) is not lost from the site."""
    db = tmp_path / "copy.duckdb"
    db.write_bytes(Path(fixture_db).read_bytes())
    con = duckdb.connect(str(db))
    con.execute("delete from aes where ae = 'wang.fang@agency.cn'")
    con.execute("update aes set name = null, team = null where ae = 'li.wei@agency.cn'")
    con.execute("update obligation_details set team = null where ae = 'li.wei@agency.cn'")
    kpi_marts(con)
    con.close()
    publish_site(db, tmp_path / "site")
    assert (tmp_path / "site" / "ae" / "wang.fang.html").is_file()
    league = pd.read_csv(tmp_path / "site" / "index-league.csv", encoding="utf-8-sig")
    assert league["name"].tolist()[:2] == [
        "li.wei@agency.cn",
        "wang.fang@agency.cn",
    ]  # the address stands in for the name
    teams = pd.read_csv(tmp_path / "site" / "index-teams.csv", encoding="utf-8-sig")
    assert "未分组 · No team" in set(teams["team"])

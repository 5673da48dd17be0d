"""End to end: the demo agency → ingest → SQL build → site. Every figure the site shows is
re-derived here straight from the marts with independent SQL (not through aemetrics.api)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from aemetrics.site import publish_site


@pytest.fixture(scope="module")
def demo(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-site")
    report = publish_site(demo_db, out)
    con = duckdb.connect(str(demo_db), read_only=True)
    con.execute("set TimeZone = 'Asia/Shanghai'")
    week = con.execute("select (date_trunc('week', as_of) - interval 7 day)::date from run_info").fetchall()[0][0]
    yield report, con, week
    con.close()


def _csv(report, name):
    return pd.read_csv(report.out_dir / name, encoding="utf-8-sig")


def test_demo_week_is_the_last_complete_one(demo):
    report, con, week = demo
    as_of = con.execute("select as_of from run_info").fetchall()[0][0]
    assert week.isoformat() == "2025-12-01" and as_of.isoformat().startswith("2025-12-12T20:00")
    assert report.week.startswith("2025-W49")


def test_demo_standard_rates_match_the_marts(demo):
    report, con, week = demo
    expected = dict(
        con.execute(
            "select standard, sum(met) / sum(met + late + missed) from kpi_weekly where week_start = ? "
            "group by standard having sum(met + late + missed) > 0",
            [week],
        ).fetchall()
    )
    got = _csv(report, "index-standards.csv").dropna(subset=["rate"]).set_index("standard")["rate"].to_dict()
    assert len(expected) >= 6
    assert got == pytest.approx(expected)


def test_demo_league_matches_the_marts_and_is_ordered(demo):
    report, con, week = demo
    league = _csv(report, "index-league.csv")
    expected = dict(
        con.execute(
            "select ae, sum(met) / sum(met + late + missed) from kpi_weekly where week_start = ? "
            "group by ae having sum(met + late + missed) > 0",
            [week],
        ).fetchall()
    )
    ranked = league.dropna(subset=["rate"])
    assert dict(zip(ranked["ae"], ranked["rate"], strict=True)) == pytest.approx(expected)
    assert ranked["rate"].is_monotonic_decreasing
    every_ae = {r[0] for r in con.execute("select ae from aes union select ae from obligations").fetchall()}
    assert set(league["ae"]) == every_ae


def test_demo_heatmap_total_and_hot_cell_match_the_marts(demo):
    report, con, week = demo
    rows = con.execute(
        "select isodow(opened_at) - 1 as d, hour(opened_at) as h, count(*) from obligation_details "
        "where standard = 'reply_12h' and status in ('late', 'missed') "
        "and week_start between ? - interval 77 day and ? group by all",
        [week, week],
    ).fetchall()
    heat = _csv(report, "index-late-reply-heatmap.csv")
    assert heat["count"].sum() == sum(n for _, _, n in rows) > 0
    got = {(r.weekday, r.hour): r.count for r in heat.itertuples() if r.count}
    assert got == {(d, h): n for d, h, n in rows}


def test_demo_scorecards_at_risk_and_quality(demo):
    report, con, _ = demo
    aes = {r[0] for r in con.execute("select ae from aes union select ae from obligations").fetchall()}
    assert len([p for p in report.pages if p.parent.name == "ae"]) == len(aes)
    assert max(report.page_bytes.values()) < 1_000_000
    assert len(_csv(report, "index-at-risk.csv")) == con.execute("select count(*) from at_risk").fetchall()[0][0]
    kinds = _csv(report, "index-quality-sources.csv").set_index("source_kind")
    manifest = dict(con.execute("select source_kind, count(*) from ingest_manifest group by 1").fetchall())
    assert kinds["files"].to_dict() == manifest
    quarantined = con.execute("select count(*) from quarantine").fetchall()[0][0]
    assert _csv(report, "index-quarantine-reasons.csv")["count"].sum() == quarantined

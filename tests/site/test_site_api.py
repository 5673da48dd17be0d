"""The analyst API (aemetrics.connect) on the hand-made warehouse."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

import aemetrics
from aemetrics.api import Warehouse, WarehouseNotBuilt

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def wh(fixture_db):
    with aemetrics.connect(fixture_db) as w:
        yield w


def test_connect_is_read_only(wh):
    with pytest.raises(duckdb.Error, match="read-only"):
        wh.con.execute("delete from obligations")


def test_connect_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no warehouse file"):
        aemetrics.connect(tmp_path / "nope.duckdb")


def test_kpi_weekly_filters_and_local_dates(wh):
    df = wh.kpi_weekly(ae="li.wei@agency.cn", standard="reply_12h")
    assert df["week_start"].tolist() == [
        date(2025, 7, 14),
        date(2025, 9, 15),
        date(2025, 9, 29),
        date(2025, 10, 6),
        date(2025, 10, 13),
    ]
    w41 = df[df["week_start"] == date(2025, 10, 6)].iloc[0]
    assert (w41.met, w41.late, w41.missed, w41.rate) == (3, 1, 0, 0.75)
    assert len(wh.kpi_weekly(team="华北组", since=date(2025, 10, 6), until=date(2025, 10, 13))) == 4


def test_timestamps_come_back_in_the_business_time_zone(wh):
    ob = wh.obligations(ae="li.wei@agency.cn", status="missed")
    first = ob.iloc[0]
    assert first["opened_at"] == datetime(2025, 9, 16, 7, 30, tzinfo=SHANGHAI)
    assert str(first["opened_at"].tz) == "Asia/Shanghai"
    assert wh.run_info().as_of == datetime(2025, 10, 15, 10, 0, tzinfo=SHANGHAI)


def test_reply_times_weekday_and_hour_are_local(wh):
    """ob-30 opened Tue 07:30 in Shanghai, which is Monday 23:30 UTC."""
    rt = wh.reply_times(ae="li.wei@agency.cn").set_index("obligation_id")
    assert (rt.loc["ob-30", "weekday"], rt.loc["ob-30", "hour"]) == (1, 7)
    assert rt.loc["ob-04", "hours_to_fulfil"] == 14.0


def test_rates_recomputed_from_counts_not_averaged(wh):
    """Team 华东组 reply_12h in W41: 李伟 3/4 and 张敏 2/3 → 5/7, not the mean of 75 % and 66.7 %."""
    df = wh.rates(by=["team", "standard"], since=date(2025, 10, 6), until=date(2025, 10, 13))
    row = df[(df.team == "华东组") & (df.standard == "reply_12h")].iloc[0]
    assert (row.met, row.evaluated, row.rate) == (5, 7, pytest.approx(5 / 7))
    agenda = df[(df.team == "华北组") & (df.standard == "agenda_48h")].iloc[0]
    assert agenda.rate == 0.0


def test_rates_use_the_sql_macro_and_filter_by_standard(wh):
    """li.wei reply_12h over the window W30–W41: W41 3/4, W40 2/2, W38 0/1 → 5/7 (the W29 one outside).

    rates() sums kpi_weekly in SQL and divides with the macro kpi_rate; `by` must name kpi_weekly columns
    (the old pandas summarise took any column and recomputed the formula in Python)."""
    df = wh.rates(
        by="ae", standard="reply_12h", ae="li.wei@agency.cn", since=date(2025, 7, 21), until=date(2025, 10, 13)
    )
    assert df[["ae", "met", "evaluated"]].values.tolist() == [["li.wei@agency.cn", 5, 7]]
    assert df["rate"].iloc[0] == pytest.approx(5 / 7)
    with pytest.raises(ValueError, match="not among"):
        wh.rates(by="rate; drop table aes")


def test_kpi_marts_through_the_api(wh):
    """The same rows the site reads: W41 reply_12h 9/11 over everyone; 李伟's team median 70.8 %; the pooled
    tier gap B against C flagged."""
    std = wh.kpi_standard_weekly(standard="reply_12h", since=date(2025, 10, 6), until=date(2025, 10, 13))
    assert std[["met", "evaluated"]].values.tolist() == [[9, 11]]
    card = wh.ae_scorecard(ae="li.wei@agency.cn", standard="reply_12h").iloc[0]
    assert card["team_median"] == pytest.approx((3 / 4 + 2 / 3) / 2) and card["week_start"] == date(2025, 10, 6)
    gaps = wh.tier_gaps(standard="*").iloc[0]
    assert (gaps["best_tier"], gaps["worst_tier"], bool(gaps["flagged"])) == ("B", "C", True)
    assert set(wh.tier_rates(standard="*")["client_tier"]) == {"A", "B", "C", "unknown"}
    assert wh.kpi_team_weekly(team="华东组", standard="reply_12h", since=date(2025, 10, 6), until=date(2025, 10, 13))[
        "rate"
    ].tolist() == [pytest.approx(5 / 7)]
    assert wh.equal_treatment_settings() == {
        "equal_treatment_gap": 0.1,
        "equal_treatment_min_n": 5,
        "equal_treatment_alpha": 0.05,
    }


def test_latest_complete_week(wh):
    assert wh.latest_complete_week() == date(2025, 10, 6)


@pytest.mark.parametrize(
    "as_of, week",
    [
        ("2025-10-13 00:00:00+08", date(2025, 10, 6)),  # Monday midnight: the week before has just ended
        ("2025-10-12 23:59:00+08", date(2025, 9, 29)),  # Sunday night: W41 is not over yet
        ("2025-10-12 16:30:00+00", date(2025, 10, 6)),  # Monday 00:30 in Shanghai although Sunday in UTC
    ],
)
def test_latest_complete_week_edges(as_of, week):
    con = duckdb.connect()
    con.execute("create table run_info (as_of timestamptz, built_at timestamptz, business_timezone varchar)")
    con.execute("insert into run_info values (?::timestamptz, null, 'Asia/Shanghai')", [as_of])
    assert Warehouse(con).latest_complete_week() == week


def test_missing_mart_is_named(tmp_path):
    db = tmp_path / "raw.duckdb"
    duckdb.connect(str(db)).close()
    with aemetrics.connect(db) as w, pytest.raises(WarehouseNotBuilt, match="no table 'kpi_weekly'"):
        w.kpi_weekly()


def test_wraps_an_open_connection_without_closing_it(fixture_db):
    con = duckdb.connect(str(fixture_db), read_only=True)
    with aemetrics.connect(con) as w:
        assert len(w.aes()) == 4
    assert con.execute("select count(*) from aes").fetchall() == [(4,)]
    con.close()


def test_evidence_sources_since_a_week(fixtures, tmp_path):
    """evidence_sources(since=): only the evidence of obligations of that week and later, read in SQL
    (the site reads its 12 weeks and drill-down window; at 1,000 AEs the whole table is millions of rows)."""
    from datetime import datetime

    from aemetrics.config import Settings
    from aemetrics.pipeline import run_weekly

    db = tmp_path / "w.duckdb"
    run_weekly(fixtures / "scenarios" / "acceptance", db, Settings(), datetime.fromisoformat("2026-02-27T15:00+08:00"))
    with aemetrics.connect(db) as wh:
        every, obl = wh.evidence_sources(), wh.obligations()
        weeks = sorted(set(obl.loc[obl["obligation_id"].isin(set(every["obligation_id"])), "week_start"]))
        assert len(weeks) >= 2, "the scenario has evidence over several weeks"
        since = weeks[-1]
        later = set(obl.loc[obl["week_start"] >= since, "obligation_id"])
        got = wh.evidence_sources(since=since)
        expected = every[every["obligation_id"].isin(later)].reset_index(drop=True)
        assert 0 < len(got) < len(every)
        pd.testing.assert_frame_equal(got, expected)
        one = sorted(later & set(every["obligation_id"]))[0]
        assert set(wh.evidence_sources(one, since=since)["obligation_id"]) == {one}
        assert wh.evidence_sources(one, since=since + (since - weeks[-2])).empty

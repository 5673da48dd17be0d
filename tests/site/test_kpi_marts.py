"""The KPI marts (sql/marts: kpi_standard_weekly, kpi_team_weekly, ae_scorecard, kpi_tier_rates,
kpi_tier_gaps) built by the project's SQL over a small hand-made obligation_details, every expected
value worked out on paper.

as_of = Wed 2025-10-15 10:00 Asia/Shanghai: the week under review is W41 (Mon 2025-10-06); the
12-week window W30 (07-21) – W41. Every obligation below is a client obligation of W41 unless said.

Equal treatment, tiers A and B (critical z at alpha 0.05: 1.95996):
  reply_12h    A 4/5 = 80 %  B 3/5 = 60 %   gap 20 pp  pooled 7/10:
               z = 0.2 / sqrt(0.7 · 0.3 · (1/5 + 1/5)) = 0.2 / 0.28983 = 0.6901  → not significant
  agenda_48h   A 22/25 = 88 %  B 19/25 = 76 %  gap 12 pp  pooled 41/50:
               z = 0.12 / sqrt(0.82 · 0.18 · 2/25) = 0.12 / 0.10866 = 1.1043  → not significant
  monday_call  A 352/400 = 88 %  B 304/400 = 76 %  gap 12 pp  pooled 0.82:
               z = 0.12 / sqrt(0.82 · 0.18 · 2/400) = 0.12 / 0.027166 = 4.4173  → flagged
  minutes_24h  A 1/1, B 0/1: fewer than 5 per tier, no comparison
  '*'          A 379/431, B 326/431 (the minutes included): compared, gap 53/431 = 12.30 pp
Wilson 95 % of A reply 4/5: (0.8 + 1.96²/10 ± 1.96 · sqrt(0.16/5 + 1.96²/100)) / (1 + 1.96²/5)
  = [0.3755, 0.9638]; of A monday 352/400: [0.8445, 0.9083].

AEs (team 华东组: li, zhang, zhou; 华北组: wang), W41 reply_12h only (the rest belongs to wang):
  li 2/2 = 100 %, zhang 1/2 = 50 %, zhou nothing evaluated (1 open) → team median 75 % (zhou left out)
  W40 li 0/1 → li's 12 weeks 2/3; zhang 1/2 → team median 12w (66.7 % + 50 %)/2 = 58.3 %
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest

from aemetrics.config import Settings

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2025, 10, 15, 10, 0, tzinfo=TZ)
W41, W40 = date(2025, 10, 6), date(2025, 9, 29)
LI, ZHANG, ZHOU, WANG = "li@a.cn", "zhang@a.cn", "zhou@a.cn", "wang@a.cn"
TEAM = {LI: "华东组", ZHANG: "华东组", ZHOU: "华东组", WANG: "华北组"}


def _rows() -> list[tuple]:
    """(standard, ae, week_start, status, client_tier, is_confirmed)."""
    rows = []

    def add(standard, ae, week, tier, met, other, other_status="missed", confirmed=None):
        rows.extend((standard, ae, week, "met", tier, confirmed) for _ in range(met))
        rows.extend((standard, ae, week, other_status, tier, None) for _ in range(other))

    add("reply_12h", LI, W41, "A", 2, 0)
    add("reply_12h", ZHANG, W41, "A", 1, 1)
    add("reply_12h", ZHOU, W41, "A", 0, 1, "open")
    add("reply_12h", WANG, W41, "A", 1, 0)  # A 4/5 with li 2 and zhang 1 (+1 missed)
    add("reply_12h", WANG, W41, "B", 3, 2, "late")  # B 3/5
    add("reply_12h", LI, W40, "C", 0, 1)  # li W40 missed (tier C: 1 case, not compared)
    add("agenda_48h", WANG, W41, "A", 22, 3)
    add("agenda_48h", WANG, W41, "B", 19, 6)
    add("monday_call", WANG, W41, "A", 352, 48)
    add("monday_call", WANG, W41, "B", 304, 96)
    add("minutes_24h", WANG, W41, "A", 1, 0)
    add("minutes_24h", WANG, W41, "B", 0, 1)
    add("friday_client_report", WANG, W41, None, 2, 0, confirmed=True)  # no tier: not a client obligation here
    add("friday_client_report", WANG, W41, None, 1, 1, "late", confirmed=False)
    add("reply_12h", LI, date(2025, 7, 14), "A", 0, 1)  # W29: outside the 12-week window
    return rows


@pytest.fixture(scope="module")
def marts(kpi_marts):
    def build(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            "create table obligation_details (standard varchar, ae varchar, team varchar, iso_year integer, "
            "iso_week integer, week_start date, status varchar, client_tier varchar, is_confirmed boolean)"
        )
        con.executemany(
            "insert into obligation_details values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (std, ae, TEAM[ae], *week.isocalendar()[:2], week, status, tier, confirmed)
                for std, ae, week, status, tier, confirmed in _rows()
            ],
        )
        con.execute(
            "create table aes as select *, false as has_left from (values (?, 'Li', ?), (?, 'Zhang', ?), "
            "(?, 'Zhou', ?), (?, 'Wang', ?)) t(ae, name, team)",
            [LI, TEAM[LI], ZHANG, TEAM[ZHANG], ZHOU, TEAM[ZHOU], WANG, TEAM[WANG]],
        )
        con.execute("create table at_risk as select ? as ae, 'reply_12h' as standard", [ZHOU])
        kpi_marts(con, settings, AS_OF)
        return con

    return build


def test_tier_gap_needs_significance(marts):
    """The old engine (pandas, aemetrics/site/metrics.tier_rates) flagged every gap above 10 pp with 5
    cases per tier: reply_12h (20 pp over 5 + 5) and agenda_48h (12 pp over 25 + 25) were flagged."""
    con = marts()
    gaps = {
        r[0]: r[1:]
        for r in con.execute(
            "select standard, best_tier, worst_tier, gap, z, is_above_threshold, is_significant, flagged "
            "from kpi_tier_gaps"
        ).fetchall()
    }
    assert set(gaps) == {"*", "reply_12h", "agenda_48h", "monday_call"}  # minutes_24h: 1 per tier
    assert gaps["reply_12h"][:2] == ("A", "B") and gaps["reply_12h"][2] == pytest.approx(0.2)
    assert gaps["reply_12h"][3] == pytest.approx(0.6901, abs=1e-4)
    assert gaps["reply_12h"][4:] == (True, False, False)
    assert gaps["agenda_48h"][2:4] == (pytest.approx(0.12), pytest.approx(1.1043, abs=1e-4))
    assert gaps["agenda_48h"][4:] == (True, False, False)
    assert gaps["monday_call"][2:4] == (pytest.approx(0.12), pytest.approx(4.4173, abs=1e-4))
    assert gaps["monday_call"][4:] == (True, True, True)
    assert gaps["*"][2] == pytest.approx(53 / 431) and gaps["*"][5] is True
    assert con.execute("select distinct critical_z, alpha from kpi_tier_gaps").fetchall() == [
        (pytest.approx(1.95996, abs=1e-5), 0.05)
    ]


def test_tier_rates_carry_wilson_intervals(marts):
    con = marts()
    rates = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "select standard, client_tier, met, evaluated, rate, rate_low, rate_high, is_compared from kpi_tier_rates"
        ).fetchall()
    }
    assert rates[("reply_12h", "A")] == (
        4,
        5,
        pytest.approx(0.8),
        pytest.approx(0.37553, abs=1e-5),
        pytest.approx(0.96378, abs=1e-5),
        True,
    )
    assert rates[("monday_call", "A")][3:5] == (pytest.approx(0.84449, abs=1e-5), pytest.approx(0.90828, abs=1e-5))
    assert rates[("reply_12h", "C")][:2] == (0, 1) and rates[("reply_12h", "C")][5] is False  # W40, under min_n
    assert ("friday_client_report", "A") not in rates  # no tier: not a client obligation
    assert rates[("*", "A")][:2] == (379, 431)  # the W29 one is outside the window


def test_level_and_minimum_are_settings(marts):
    """alpha 0.30 (critical z 1.036): agenda_48h's z 1.104 is now significant; min_n 26 leaves it out."""
    con = marts(Settings(equal_treatment_alpha=0.30))
    flagged = dict(con.execute("select standard, flagged from kpi_tier_gaps").fetchall())
    assert flagged["agenda_48h"] is True and flagged["reply_12h"] is False
    con = marts(Settings(equal_treatment_min_n=26))
    assert {r[0] for r in con.execute("select standard from kpi_tier_gaps").fetchall()} == {"*", "monday_call"}


def test_ae_scorecard_rates_and_team_medians(marts):
    con = marts()
    card = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "select ae, standard, met, evaluated, rate, team_median, rate_12w, team_median_12w, at_risk, week_start "
            "from ae_scorecard"
        ).fetchall()
    }
    assert card[(LI, "reply_12h")][:6] == (
        2,
        2,
        1.0,
        pytest.approx(0.75),
        pytest.approx(2 / 3),
        pytest.approx((2 / 3 + 0.5) / 2),
    )
    assert card[(ZHOU, "reply_12h")][:3] == (0, 0, None) and card[(ZHOU, "reply_12h")][6] == 1  # open: at risk
    assert card[(ZHOU, "reply_12h")][3] == pytest.approx(0.75)  # the team's median, without zhou
    assert card[(WANG, "reply_12h")][3] == pytest.approx(4 / 6)  # alone in 华北组: own rate
    assert card[(LI, "*")][:3] == (2, 2, 1.0) and card[(LI, "*")][7] == W41
    assert (ZHOU, "*") in card  # every AE has the pooled row (the league table)


def test_standard_and_team_weekly_add_counts_then_divide(marts):
    """reply_12h W41: li 2/2, zhang 1/2, wang 4/6 → 7/10 over everyone, 3/4 for 华东组 (not the mean of rates)."""
    con = marts()
    std = con.execute(
        "select met, evaluated, open, rate from kpi_standard_weekly where standard = 'reply_12h' and week_start = ?",
        [W41],
    ).fetchall()
    assert std == [(7, 10, 1, pytest.approx(0.7))]
    team = con.execute(
        "select met, evaluated, rate from kpi_team_weekly "
        "where standard = 'reply_12h' and team = '华东组' and week_start = ?",
        [W41],
    ).fetchall()
    assert team == [(3, 4, pytest.approx(0.75))]
    friday = con.execute(
        "select met, late, confirmed from kpi_standard_weekly where standard = 'friday_client_report'"
    ).fetchall()
    assert friday == [(3, 1, 2)]


def test_the_rate_formula_is_written_once():
    """kpi_rate (sql/macros.sql) is the only code that divides met by met + late + missed (comments and
    aemetrics/demo, the demo's independent ground truth, aside). The old engine had it in kpi_weekly.sql,
    aemetrics/api.summarise and aemetrics/site/metrics.tier_rates."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"met\W*/\W*(sum\()?\W*met\W*\+", re.I)
    files = [*root.glob("sql/**/*.sql"), *(p for p in root.glob("aemetrics/**/*.py") if "demo" not in p.parts)]
    hits = [
        p.relative_to(root).as_posix()
        for p in files
        if pattern.search(re.sub(r"--[^\n]*|#[^\n]*", "", p.read_text(encoding="utf-8")))
    ]
    assert hits == ["sql/macros.sql"]

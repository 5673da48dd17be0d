"""The figures the site shows, computed from mart DataFrames with pandas (no I/O, no HTML).

Every rate is re-derived from counts: met / (met + late + missed) over whatever is summed
(weeks, AEs, teams), never an average of rates. A rate with nothing evaluated is null and
shows as "—".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from aemetrics.api import summarise
from aemetrics.site.labels import STANDARDS

TREND_WEEKS = 12
LATE = ("late", "missed")


@dataclass(frozen=True)
class Options:
    """Presentation settings; read from Settings attributes when present, else these defaults."""

    target: float = 0.95
    targets: dict[str, float] | None = None  # per standard id, overrides `target`
    tier_gap: float = 0.10  # equal treatment: flag a gap between tiers above this (rate points)
    tier_min_n: int = 5  # ... comparing only tiers with at least this many evaluated obligations

    @classmethod
    def from_settings(cls, settings: Any) -> "Options":
        return cls(
            target=float(getattr(settings, "kpi_target", cls.target)),
            targets=dict(getattr(settings, "kpi_targets", None) or {}),
            tier_gap=float(getattr(settings, "equal_treatment_gap", cls.tier_gap)),
            tier_min_n=int(getattr(settings, "equal_treatment_min_n", cls.tier_min_n)),
        )

    def target_for(self, standard: str) -> float:
        return float((self.targets or {}).get(standard, self.target))


@dataclass(frozen=True)
class Weeks:
    """The week under review, the one before, and the 12-week window ending with it."""

    this: date
    last: date
    start: date  # first Monday of the window
    end: date  # Monday after the week under review (exclusive)

    @classmethod
    def ending(cls, this_week: date, n: int = TREND_WEEKS) -> "Weeks":
        return cls(this_week, this_week - timedelta(days=7), this_week - timedelta(days=7 * (n - 1)), this_week + timedelta(days=7))

    @property
    def mondays(self) -> list[date]:
        return [self.start + timedelta(days=7 * i) for i in range((self.end - self.start).days // 7)]

    def label(self, monday: date | None = None) -> str:
        monday = monday or self.this
        y, w, _ = monday.isocalendar()
        return f"{y}-W{w:02d} ({monday:%m-%d}–{monday + timedelta(days=6):%m-%d})"


def standard_order(ids: Any) -> list[str]:
    """Catalogue order (STANDARDS.md), unknown ids after, alphabetically."""
    known = [s for s in STANDARDS if s in set(ids)]
    return known + sorted(set(ids) - set(known))


def in_window(df: pd.DataFrame, weeks: Weeks) -> pd.DataFrame:
    if df.empty:
        return df
    return df[(df["week_start"] >= weeks.start) & (df["week_start"] < weeks.end)]


def standards_table(kpi: pd.DataFrame, weeks: Weeks, opts: Options) -> pd.DataFrame:
    """One row per standard seen in the window: this week's and last week's rate, target, counts."""
    window = in_window(kpi, weeks)
    cols = ["standard", "rate", "rate_last_week", "change", "target", "on_target", "met", "late", "missed", "open", "excused"]
    if window.empty:
        return pd.DataFrame(columns=cols)
    this = summarise(window[window["week_start"] == weeks.this], ["standard"]).set_index("standard")
    last = summarise(window[window["week_start"] == weeks.last], ["standard"]).set_index("standard")
    rows = []
    for std in standard_order(window["standard"].unique()):
        counts = this.loc[std] if std in this.index else None
        rate = _val(counts, "rate")
        prev = _val(last.loc[std] if std in last.index else None, "rate")
        target = opts.target_for(std)
        rows.append({
            "standard": std, "rate": rate, "rate_last_week": prev,
            "change": rate - prev if rate is not None and prev is not None else None,
            "target": target, "on_target": None if rate is None else bool(rate >= target - 1e-12),
            **{c: int(counts[c]) if counts is not None else 0 for c in ("met", "late", "missed", "open", "excused")},
        })
    return pd.DataFrame(rows, columns=cols)


def _val(row: Any, col: str) -> float | None:
    if row is None or pd.isna(row[col]):
        return None
    return float(row[col])


def trend(kpi: pd.DataFrame, weeks: Weeks, by: str = "standard") -> pd.DataFrame:
    """Rate per `by` value and week over the window (every week present; null where none evaluated)."""
    window = in_window(kpi, weeks)
    if window.empty:
        return pd.DataFrame(columns=[by, "week_start", "met", "late", "missed", "evaluated", "rate"])
    out = summarise(window, [by, "week_start"])
    grid = pd.MultiIndex.from_product([out[by].unique(), weeks.mondays], names=[by, "week_start"])
    out = out.set_index([by, "week_start"]).reindex(grid).reset_index()
    if by == "standard":
        order = {s: i for i, s in enumerate(standard_order(out["standard"].unique()))}
        out = out.sort_values(["standard", "week_start"], key=lambda c: c.map(order) if c.name == "standard" else c)
        out = out.reset_index(drop=True)
    for c in ("met", "late", "missed", "open", "excused", "evaluated"):
        out[c] = out[c].fillna(0).astype(int)
    return out


def teams_table(kpi: pd.DataFrame, week: date) -> pd.DataFrame:
    """Rate per standard × team for one week (long form)."""
    rows = kpi[kpi["week_start"] == week] if not kpi.empty else kpi
    out = summarise(rows, ["team", "standard"])
    if out.empty:
        return out
    order = {s: i for i, s in enumerate(standard_order(out["standard"].unique()))}
    return out.sort_values(["standard", "team"], key=lambda s: s.map(order) if s.name == "standard" else s).reset_index(drop=True)


def league(kpi: pd.DataFrame, aes: pd.DataFrame, at_risk: pd.DataFrame, week: date) -> pd.DataFrame:
    """Every AE ranked by this week's overall rate (all standards pooled).

    Ties break on more obligations evaluated, then name; AEs with nothing evaluated come last,
    unranked, so nobody disappears from the table.
    """
    cols = ["rank", "ae", "name", "team", "rate", "met", "late", "missed", "evaluated", "at_risk"]
    week_rows = kpi[kpi["week_start"] == week] if not kpi.empty else kpi
    per_ae = summarise(week_rows, ["ae"]).set_index("ae") if not week_rows.empty else pd.DataFrame()
    risk = at_risk.groupby("ae").size() if not at_risk.empty else pd.Series(dtype=int)
    people = aes[["ae", "name", "team"]].copy()
    extra = sorted(set(per_ae.index) - set(people["ae"]))  # an AE in the KPIs but not in aes still shows
    if extra:
        people = pd.concat([people, pd.DataFrame({"ae": extra, "name": extra, "team": None})], ignore_index=True)
    rows = []
    for p in people.itertuples(index=False):
        c = per_ae.loc[p.ae] if p.ae in per_ae.index else None
        rows.append({
            "ae": p.ae, "name": p.ae if pd.isna(p.name) else p.name, "team": p.team,
            "rate": _val(c, "rate"),
            **{k: int(c[k]) if c is not None else 0 for k in ("met", "late", "missed", "evaluated")},
            "at_risk": int(risk.get(p.ae, 0)),
        })
    df = pd.DataFrame(rows, columns=cols[1:])
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["_has"] = df["rate"].notna()
    df = df.sort_values(["_has", "rate", "evaluated", "name"], ascending=[False, False, False, True]).drop(columns="_has")
    df.insert(0, "rank", [i + 1 if pd.notna(r) else None for i, r in enumerate(df["rate"])])
    df["rank"] = df["rank"].astype("Int64")
    return df.reset_index(drop=True)


def late_reply_heatmap(obl: pd.DataFrame, weeks: Weeks) -> pd.DataFrame:
    """7 × 24 counts (weekday 0 = Monday × local hour) of reply_12h late or missed, by opened_at."""
    grid = pd.DataFrame(0, index=range(7), columns=range(24))
    if obl.empty:
        return grid
    rows = in_window(obl, weeks)
    rows = rows[(rows["standard"] == "reply_12h") & rows["status"].isin(LATE)]
    for (d, h), n in rows.groupby([rows["opened_at"].dt.day_of_week, rows["opened_at"].dt.hour]).size().items():
        grid.loc[d, h] = int(n)
    return grid


def ae_standards(kpi: pd.DataFrame, aes: pd.DataFrame, at_risk: pd.DataFrame, ae: str, weeks: Weeks, opts: Options) -> pd.DataFrame:
    """One AE's rates this week and over 12 weeks, beside the median of their team's AEs."""
    cols = ["standard", "rate", "team_median", "rate_12w", "team_median_12w", "target", "met", "late", "missed", "at_risk"]
    window = in_window(kpi, weeks)
    team = aes.loc[aes["ae"] == ae, "team"]
    team = team.iloc[0] if len(team) else None
    mates = set(aes.loc[aes["team"] == team, "ae"]) | {ae} if team is not None else {ae}
    window = window[window["ae"].isin(mates)]
    risk = at_risk[at_risk["ae"] == ae].groupby("standard").size() if not at_risk.empty else pd.Series(dtype=int)
    stds = standard_order(set(window.loc[window["ae"] == ae, "standard"]) | set(risk.index))
    if not stds:
        return pd.DataFrame(columns=cols)
    week = summarise(window[window["week_start"] == weeks.this], ["standard", "ae"])
    span = summarise(window, ["standard", "ae"])
    rows = []
    for std in stds:
        w, s = week[week["standard"] == std], span[span["standard"] == std]
        mine = s[s["ae"] == ae]
        rows.append({
            "standard": std,
            "rate": _first(w[w["ae"] == ae]["rate"]),
            "team_median": _median(w["rate"]),
            "rate_12w": _first(mine["rate"]),
            "team_median_12w": _median(s["rate"]),
            "target": opts.target_for(std),
            **{k: int(mine[k].sum()) for k in ("met", "late", "missed")},
            "at_risk": int(risk.get(std, 0)),
        })
    return pd.DataFrame(rows, columns=cols)


def _first(s: pd.Series) -> float | None:
    s = s.dropna()
    return float(s.iloc[0]) if len(s) else None


def _median(s: pd.Series) -> float | None:
    s = s.dropna()  # AEs with nothing evaluated do not pull the median
    return float(s.median()) if len(s) else None


def tier_rates(obl: pd.DataFrame, weeks: Weeks, opts: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates per standard × client tier over the window, and per standard the largest gap.

    Only client obligations count (client_tier not null). The gap compares named tiers
    (not 'unknown') that have at least opts.tier_min_n evaluated obligations.
    """
    long_cols = ["standard", "client_tier", "met", "late", "missed", "evaluated", "rate"]
    gap_cols = ["standard", "best_tier", "best_rate", "worst_tier", "worst_rate", "gap", "flagged"]
    rows = in_window(obl, weeks) if not obl.empty else obl
    if not rows.empty:
        rows = rows[rows["status"].isin(("met", "late", "missed")) & rows["client_tier"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=long_cols), pd.DataFrame(columns=gap_cols)
    counts = rows.assign(n=1).pivot_table(index=["standard", "client_tier"], columns="status", values="n", aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=["met", "late", "missed"], fill_value=0).reset_index()
    counts.columns.name = None
    # standard '*' pools every standard: the headline comparison between tiers
    pooled = counts.groupby("client_tier", as_index=False)[["met", "late", "missed"]].sum().assign(standard="*")
    counts = pd.concat([counts, pooled], ignore_index=True)
    counts["evaluated"] = counts["met"] + counts["late"] + counts["missed"]
    counts["rate"] = counts["met"] / counts["evaluated"]
    order = {s: i for i, s in enumerate(["*"] + standard_order(set(counts["standard"]) - {"*"}))}
    counts = counts.sort_values(["standard", "client_tier"], key=lambda s: s.map(order) if s.name == "standard" else s)
    counts = counts[long_cols].reset_index(drop=True)
    gaps = []
    for std, g in counts.groupby("standard", sort=False):
        g = g[(g["client_tier"] != "unknown") & (g["evaluated"] >= opts.tier_min_n)]
        if len(g) < 2:
            continue
        best, worst = g.loc[g["rate"].idxmax()], g.loc[g["rate"].idxmin()]
        gap = float(best["rate"] - worst["rate"])
        gaps.append({"standard": std, "best_tier": best["client_tier"], "best_rate": float(best["rate"]),
                     "worst_tier": worst["client_tier"], "worst_rate": float(worst["rate"]), "gap": gap,
                     "flagged": gap > opts.tier_gap + 1e-12})
    return counts, pd.DataFrame(gaps, columns=gap_cols)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’")


def reason_group(reason: str) -> str:
    """Quoted values vary record by record; group reasons by the text around them."""
    return _QUOTED.sub("'…'", str(reason)).strip()


def quality(manifest: pd.DataFrame, quarantine: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per source kind: files, files rejected whole, rows loaded, records quarantined (of which still
    in their raw table: loaded but unusable, or loaded with a note); and reasons grouped."""
    kind_cols = ["source_kind", "files", "files_rejected", "rows_loaded", "records_quarantined", "records_kept"]
    reason_cols = ["source_kind", "reason", "count", "files", "example"]
    q = quarantine.copy()
    if not q.empty:
        kinds = dict(zip(manifest["source_file"], manifest["source_kind"])) if not manifest.empty else {}
        q["source_kind"] = q["source_kind"].fillna(q["source_file"].map(kinds)).fillna("unknown")
        # is_loaded: the record is still in its raw table (an .eml without Date is record 'file'
        # but was loaded); null (rows written before the column existed) means not loaded
        loaded = q["is_loaded"] if "is_loaded" in q.columns else pd.Series(False, index=q.index)
        q["is_loaded"] = loaded.astype("boolean").fillna(False).astype(bool)
    kinds = sorted(set(manifest["source_kind"].dropna()) | set(q["source_kind"] if not q.empty else []))
    per_kind = []
    for kind in kinds:
        m = manifest[manifest["source_kind"] == kind] if not manifest.empty else manifest
        k = q[q["source_kind"] == kind] if not q.empty else q
        per_kind.append({
            "source_kind": kind,
            "files": int(len(m)),
            "files_rejected": int(k.loc[(k["record"] == "file") & ~k["is_loaded"], "source_file"].nunique())
            if not k.empty else 0,
            "rows_loaded": int(m["rows_loaded"].sum()) if not m.empty else 0,
            "records_quarantined": int(len(k)),
            "records_kept": int(k["is_loaded"].sum()) if not k.empty else 0,
        })
    reasons = []
    if not q.empty:
        q["group"] = q["reason"].map(reason_group)
        for (kind, group), g in q.groupby(["source_kind", "group"], sort=False):
            first = g.iloc[0]
            reasons.append({"source_kind": kind, "reason": group, "count": int(len(g)),
                            "files": int(g["source_file"].nunique()), "example": f"{first['source_file']} · {first['record']}"})
    reasons_df = pd.DataFrame(reasons, columns=reason_cols)
    if not reasons_df.empty:
        reasons_df = reasons_df.sort_values(["count", "source_kind", "reason"], ascending=[False, True, True]).reset_index(drop=True)
    return pd.DataFrame(per_kind, columns=kind_cols), reasons_df

"""The figures the site shows, shaped from the KPI marts for display (no I/O, no HTML).

Every count and rate comes from SQL (sql/marts: kpi_standard_weekly, kpi_team_weekly,
ae_scorecard, kpi_tier_rates, kpi_tier_gaps; the rate is the macro kpi_rate); this module
only selects, orders and lays out rows. A rate with nothing evaluated is null and shows as "—".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from aemetrics.site.labels import STANDARDS
from aemetrics.standards import registry

REGISTRY_TARGETS = {s.id: s.kpi_target for s in registry() if s.kpi_target is not None}

TREND_WEEKS = 12
LATE = ("late", "missed")


@dataclass(frozen=True)
class Options:
    """Presentation settings; read from Settings attributes when present, else these defaults."""

    target: float = 0.95
    targets: dict[str, float] | None = None  # per standard id, overrides `target`
    # equal treatment, shown in the page's note when the warehouse predates run_params' columns
    # (the flag itself is computed by the build: kpi_tier_gaps)
    tier_gap: float = 0.10  # a gap between tiers above this (rate points) ...
    tier_min_n: int = 5  # ... between tiers with at least this many evaluated obligations ...
    tier_alpha: float = 0.05  # ... significant at this level

    @classmethod
    def from_settings(cls, settings: Any) -> Options:
        return cls(
            target=float(getattr(settings, "kpi_target", cls.target)),
            # a registry entry's kpi_target, overridden by the setting kpi_targets
            targets={**REGISTRY_TARGETS, **dict(getattr(settings, "kpi_targets", None) or {})},
            tier_gap=float(getattr(settings, "equal_treatment_gap", cls.tier_gap)),
            tier_min_n=int(getattr(settings, "equal_treatment_min_n", cls.tier_min_n)),
            tier_alpha=float(getattr(settings, "equal_treatment_alpha", cls.tier_alpha)),
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
    def ending(cls, this_week: date, n: int = TREND_WEEKS) -> Weeks:
        return cls(
            this_week,
            this_week - timedelta(days=7),
            this_week - timedelta(days=7 * (n - 1)),
            this_week + timedelta(days=7),
        )

    @property
    def mondays(self) -> list[date]:
        return [self.start + timedelta(days=7 * i) for i in range((self.end - self.start).days // 7)]

    def label(self, monday: date | None = None) -> str:
        monday = monday or self.this
        y, w, _ = monday.isocalendar()
        return f"{y}-W{w:02d} ({monday:%m-%d}–{monday + timedelta(days=6):%m-%d})"


def standard_order(ids: Any) -> list[str]:
    """Catalogue order (STANDARDS.md), unknown ids after, alphabetically."""
    given = set(ids)
    known = [s for s in STANDARDS if s in given]
    return known + sorted(given - set(known))


def in_window(df: pd.DataFrame, weeks: Weeks) -> pd.DataFrame:
    if df.empty:
        return df
    return df[(df["week_start"] >= weeks.start) & (df["week_start"] < weeks.end)]


COUNTS = ("met", "late", "missed", "open", "excused")


def standards_table(
    std_weekly: pd.DataFrame, weeks: Weeks, opts: Options, standards: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per standard seen in the window: this week's and last week's rate (kpi_standard_weekly),
    the change in rate points, the target, this week's counts and the Friday reports confirmed by phone.
    With the registry (`standards`: Warehouse.standards()), every standard of it, grouped by section."""
    window = in_window(std_weekly, weeks)
    cols = ["standard", "rate", "rate_last_week", "change", "target", "on_target", *COUNTS, "confirmed"]
    if window.empty:
        return with_registry(pd.DataFrame(columns=cols), standards, opts)
    # this and last week's row of each standard, read from column lists (no pandas row per standard)
    values = {c: window[c].tolist() for c in ("rate", *COUNTS, "confirmed") if c in window}
    this: dict[str, _Row] = {}
    last: dict[str, _Row] = {}
    for i, (week, std) in enumerate(zip(window["week_start"].tolist(), window["standard"].tolist(), strict=True)):
        for rows_of, monday in ((this, weeks.this), (last, weeks.last)):
            if week == monday:
                if std in rows_of:
                    raise ValueError(f"standards_table: more than one row for standard {std!r}, week {week}")
                rows_of[std] = _Row(values, i)
    rows = []
    for std in standard_order(window["standard"].unique()):
        counts = this.get(std)
        rate = _val(counts, "rate")
        prev = _val(last.get(std), "rate")
        target = opts.target_for(std)
        rows.append(
            {
                "standard": std,
                "rate": rate,
                "rate_last_week": prev,
                "change": rate - prev if rate is not None and prev is not None else None,
                "target": target,
                "on_target": None if rate is None else bool(rate >= target - 1e-12),
                **{c: int(counts[c]) if counts is not None else 0 for c in (*COUNTS, "confirmed")},
            }
        )
    return with_registry(pd.DataFrame(rows, columns=cols), standards, opts)


def with_registry(table: pd.DataFrame, standards: pd.DataFrame | None, opts: Options) -> pd.DataFrame:
    """A per-standard table with every standard of the registry, in registry order (unknown ids
    after) and with its `section`; a standard with no row gets `has_data` false, no rates and no
    counts, and `needs`: the exports it needs that the ingest did not load ("no data — needs ...",
    never 0 % or 100 %). Without a registry the table is returned as it was."""
    if standards is None or standards.empty:
        return table
    seen = set(table["standard"])
    blank = {c: (0 if c in (*COUNTS, "confirmed", "at_risk") else None) for c in table.columns}
    extra = [{**blank, "standard": s, "target": opts.target_for(s)} for s in standards["standard"] if s not in seen]
    out = pd.concat([table, pd.DataFrame(extra, columns=table.columns)], ignore_index=True) if extra else table.copy()
    position = dict(zip(standards["standard"], standards["position"], strict=True))
    out["has_data"] = out["standard"].isin(seen)
    out["section"] = out["standard"].map(dict(zip(standards["standard"], standards["section"], strict=True)))
    missing_exports = dict(zip(standards["standard"], standards["missing_exports"], strict=True))
    out["needs"] = [
        "" if has else ", ".join(missing_exports.get(s) or [])
        for s, has in zip(out["standard"], out["has_data"], strict=True)
    ]
    # registry position, then id (a stable sort, as sort_values(kind="stable") on both)
    ids = out["standard"].tolist()
    unknown = len(position) + 1
    perm = sorted(range(len(ids)), key=lambda i: (position.get(ids[i], unknown), ids[i]))
    return out.take(perm).reset_index(drop=True)


class _Row:
    """Row i of a frame's column lists: row[c] is the value of column c (a KeyError if it has none)."""

    def __init__(self, values: dict[str, list], i: int) -> None:
        self._values, self._i = values, i

    def __getitem__(self, col: str) -> Any:
        return self._values[col][self._i]


def _val(row: Any, col: str) -> float | None:
    if row is None or pd.isna(row[col]):
        return None
    return float(row[col])


def trend(rates: pd.DataFrame, weeks: Weeks, by: str = "standard") -> pd.DataFrame:
    """Rows of a weekly KPI mart (one per `by` value and week, rate computed in SQL) laid on the
    window's grid: every week present, null rate and zero counts where nothing was opened.
    (Laid out in plain Python: a scorecard per AE asks for one, 1,000 of them at 1,000 AEs.)"""
    cols = [by, "week_start", "met", "late", "missed", "open", "excused", "evaluated", "rate"]
    window = in_window(rates, weeks)
    if window.empty:
        return pd.DataFrame(columns=cols)
    counts = ("met", "late", "missed", "open", "excused")
    found: dict[tuple, list] = {}
    for key, week, *values in zip(
        window[by].tolist(),
        window["week_start"].tolist(),
        *(window[c].tolist() for c in (*counts, "rate")),
        strict=True,
    ):
        if (key, week) in found:
            raise ValueError(f"trend: more than one row for {by} {key!r}, week {week}")
        found[(key, week)] = values
    keys = list(dict.fromkeys(window[by].tolist()))
    if by == "standard":
        keys = standard_order(keys)
    none = [0] * len(counts) + [float("nan")]
    rows = [[k, w, *found.get((k, w), none)] for k in keys for w in weeks.mondays]
    out = pd.DataFrame(
        {
            by: [r[0] for r in rows],
            "week_start": [r[1] for r in rows],
            **{c: [_count(r[2 + i]) for r in rows] for i, c in enumerate(counts)},
            "evaluated": [_count(r[2] + r[3] + r[4]) for r in rows],
            "rate": pd.Series([r[7] for r in rows], dtype="float64"),
        },
        columns=cols,
    )
    if not rows:  # columns of Python ints are int64 already: only empty ones need the cast
        for c in (*counts, "evaluated"):
            out[c] = out[c].astype(int)
    return out


def _count(value: Any) -> int:
    """A count of the grid: 0 where there is none (null)."""
    return 0 if value is None or value != value else int(value)


def outcomes(kpi: pd.DataFrame, weeks: Weeks) -> pd.DataFrame:
    """Met / late / missed counts per week of the window (kpi_weekly rows of one AE): counts only, no rate."""
    cols = ["week_start", "met", "late", "missed"]
    window = in_window(kpi, weeks)
    if window.empty:
        return pd.DataFrame(columns=cols)
    sums: dict = {}
    for week, *counts in zip(*(window[c].tolist() for c in cols), strict=True):
        total = sums.setdefault(week, [0, 0, 0])
        for i, n in enumerate(counts):
            total[i] += n
    per_week = [sums.get(w, [0, 0, 0]) for w in weeks.mondays]
    out = pd.DataFrame(
        {"week_start": weeks.mondays, **{c: [int(s[i]) for s in per_week] for i, c in enumerate(cols[1:])}},
        columns=cols,
    )
    return out if per_week else out.astype({c: int for c in cols[1:]})  # Python ints: int64 already


def teams_table(team_weekly: pd.DataFrame, week: date) -> pd.DataFrame:
    """Rate per standard × team for one week (kpi_team_weekly, long form), catalogue order."""
    cols = ["team", "standard", *COUNTS, "evaluated", "rate"]
    out = team_weekly[team_weekly["week_start"] == week] if not team_weekly.empty else team_weekly
    if out.empty:
        return pd.DataFrame(columns=cols)
    out = out[cols]
    order = {s: i for i, s in enumerate(standard_order(out["standard"].unique()))}
    return out.sort_values(["standard", "team"], key=lambda s: s.map(order) if s.name == "standard" else s).reset_index(
        drop=True
    )


def league(scorecard: pd.DataFrame, left: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every AE ranked by this week's overall rate (ae_scorecard, standard '*': all standards pooled).

    Ties break on more obligations evaluated, then name; AEs with nothing evaluated come last,
    unranked, so nobody disappears from the table. AEs who left (`left`, aes.has_left) stay in the
    table with their figures but unranked, after the ranked ones.
    """
    cols = ["rank", "ae", "name", "team", "rate", "met", "late", "missed", "evaluated", "at_risk"]
    df = scorecard[scorecard["standard"] == "*"] if not scorecard.empty else scorecard
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df[cols[1:]].copy()
    df["_has"] = df["rate"].notna() & ~df["ae"].isin(set(left))
    df = df.sort_values(["_has", "rate", "evaluated", "name"], ascending=[False, False, False, True])
    df.insert(0, "rank", [i + 1 if h else None for i, h in enumerate(df["_has"])])
    df = df.drop(columns="_has")
    df["rank"] = df["rank"].astype("Int64")
    df["rate"] = df["rate"].astype(float)
    return df.reset_index(drop=True)


def late_reply_heatmap(obl: pd.DataFrame, weeks: Weeks) -> pd.DataFrame:
    """7 × 24 counts (weekday 0 = Monday × local hour) of reply_12h late or missed, by opened_at."""
    grid = pd.DataFrame(0, index=range(7), columns=range(24))
    if obl.empty:
        return grid
    rows = in_window(obl, weeks)
    rows = rows[(rows["standard"] == "reply_12h") & rows["status"].isin(LATE)]
    if rows.empty:
        return grid
    opened = rows["opened_at"]
    if not isinstance(opened.dtype, pd.DatetimeTZDtype):
        counts = rows.groupby([opened.dt.day_of_week.rename("d"), opened.dt.hour.rename("h")]).size()
        full = counts.unstack(fill_value=0).reindex(index=range(7), columns=range(24), fill_value=0).astype("int64")
        return full.rename_axis(index=None, columns=None)
    # local wall time in whole hours since 1970-01-01 (a Thursday): weekday and hour by arithmetic
    local = opened.dt.tz_localize(None).to_numpy()
    local = local[~np.isnat(local)].astype("datetime64[h]").astype(np.int64)
    days, hour = np.divmod(local, 24)
    counts = np.zeros((7, 24), dtype=np.int64)
    np.add.at(counts, ((days + 3) % 7, hour), 1)
    return pd.DataFrame(counts, index=range(7), columns=range(24))


def ae_standards(
    scorecard: pd.DataFrame, ae: str, opts: Options, standards: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One AE's rates this week and over 12 weeks beside their team's median (ae_scorecard), with the target.
    With the registry (`standards`), every standard of it, grouped by section (with_registry)."""
    cols = [
        "standard",
        "rate",
        "team_median",
        "rate_12w",
        "team_median_12w",
        "target",
        "met",
        "late",
        "missed",
        "at_risk",
    ]
    mine = scorecard[(scorecard["ae"] == ae) & (scorecard["standard"] != "*")] if not scorecard.empty else scorecard
    if mine.empty:
        return with_registry(pd.DataFrame(columns=cols), standards, opts)
    # one row per standard (the last if repeated); the columns read, one pandas call each
    need = [
        "standard",
        "rate",
        "team_median",
        "rate_12w",
        "team_median_12w",
        "met_12w",
        "late_12w",
        "missed_12w",
        "at_risk",
    ]
    values = zip(*(mine[c].tolist() for c in need), strict=True)
    by_std = {r["standard"]: r for r in (dict(zip(need, row, strict=True)) for row in values)}
    rows = [
        {
            "standard": std,
            **{c: _val(by_std[std], c) for c in ("rate", "team_median", "rate_12w", "team_median_12w")},
            "target": opts.target_for(std),
            "met": int(by_std[std]["met_12w"]),
            "late": int(by_std[std]["late_12w"]),
            "missed": int(by_std[std]["missed_12w"]),
            "at_risk": int(by_std[std]["at_risk"]),
        }
        for std in standard_order(list(by_std))
    ]
    return with_registry(pd.DataFrame(rows, columns=cols), standards, opts)


def tier_rates(rates: pd.DataFrame, gaps: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """kpi_tier_rates (rate and Wilson interval per standard × tier) and kpi_tier_gaps (largest gap, z,
    flag), in display order: '*' (every standard pooled) first, then the catalogue."""
    long_cols = [
        "standard",
        "client_tier",
        "met",
        "late",
        "missed",
        "evaluated",
        "rate",
        "rate_low",
        "rate_high",
        "is_compared",
    ]
    gap_cols = [
        "standard",
        "best_tier",
        "best_rate",
        "best_n",
        "worst_tier",
        "worst_rate",
        "worst_n",
        "gap",
        "z",
        "critical_z",
        "is_above_threshold",
        "is_significant",
        "flagged",
    ]
    if rates.empty:
        return pd.DataFrame(columns=long_cols), pd.DataFrame(columns=gap_cols)
    order = {s: i for i, s in enumerate(["*"] + standard_order(set(rates["standard"]) - {"*"}))}
    key = lambda c: c.map(order) if c.name == "standard" else c  # noqa: E731
    rates = rates.sort_values(["standard", "client_tier"], key=key)[long_cols].reset_index(drop=True)
    gaps = (
        gaps.sort_values("standard", key=key)[gap_cols].reset_index(drop=True)
        if not gaps.empty
        else pd.DataFrame(columns=gap_cols)
    )
    for c in ("is_compared",):
        rates[c] = rates[c].astype(bool)
    for c in ("is_above_threshold", "is_significant", "flagged"):
        if not gaps.empty:
            gaps[c] = gaps[c].astype(bool)
    return rates, gaps


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
        kind_of = dict(zip(manifest["source_file"], manifest["source_kind"], strict=True)) if not manifest.empty else {}
        q["source_kind"] = q["source_kind"].fillna(q["source_file"].map(kind_of)).fillna("unknown")
        # is_loaded: the record is still in its raw table (an .eml without Date is record 'file'
        # but was loaded); null (rows written before the column existed) means not loaded
        loaded = q["is_loaded"] if "is_loaded" in q.columns else pd.Series(False, index=q.index)
        q["is_loaded"] = loaded.astype("boolean").fillna(False).astype(bool)
    kinds = sorted(set(manifest["source_kind"].dropna()) | set(q["source_kind"] if not q.empty else []))
    per_kind = []
    for kind in kinds:
        m = manifest[manifest["source_kind"] == kind] if not manifest.empty else manifest
        k = q[q["source_kind"] == kind] if not q.empty else q
        per_kind.append(
            {
                "source_kind": kind,
                "files": int(len(m)),
                "files_rejected": int(k.loc[(k["record"] == "file") & ~k["is_loaded"], "source_file"].nunique())
                if not k.empty
                else 0,
                "rows_loaded": int(m["rows_loaded"].sum()) if not m.empty else 0,
                "records_quarantined": int(len(k)),
                "records_kept": int(k["is_loaded"].sum()) if not k.empty else 0,
            }
        )
    reasons = []
    if not q.empty:
        q["group"] = q["reason"].map(reason_group)
        for (kind, group), g in q.groupby(["source_kind", "group"], sort=False):
            first = g.iloc[0]
            reasons.append(
                {
                    "source_kind": kind,
                    "reason": group,
                    "count": int(len(g)),
                    "files": int(g["source_file"].nunique()),
                    "example": f"{first['source_file']} · {first['record']}",
                }
            )
    reasons_df = pd.DataFrame(reasons, columns=reason_cols)
    if not reasons_df.empty:
        reasons_df = reasons_df.sort_values(
            ["count", "source_kind", "reason"], ascending=[False, True, True]
        ).reset_index(drop=True)
    return pd.DataFrame(per_kind, columns=kind_cols), reasons_df

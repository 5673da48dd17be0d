"""The pages of the site: each function returns a Page (its HTML and the CSV of every table on it).

CSV files hold the table's data (rates as fractions, times in the business time zone with
their offset, stable snake_case headers) so a download can be re-used; the page shows the
same rows formatted for people.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from aemetrics import exports as ex
from aemetrics.api import RunInfo, Warehouse
from aemetrics.site import charts, drill, metrics
from aemetrics.site.drill import NO_VALUE, obl_href
from aemetrics.site.html import (
    DASH,
    MAX_ROWS,
    Cell,
    count,
    empty,
    esc,
    hours,
    link,
    missing,
    num,
    page,
    pct,
    points,
    rate_cell,
    section,
    shown,
    table,
    text,
    when,
)
from aemetrics.site.labels import Labels
from aemetrics.site.metrics import Options, Weeks


@dataclass
class Page:
    path: str  # relative to the site folder, '/' separated
    html: str
    csvs: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # path relative to the site folder -> rows


class LazyFrames(Mapping[str, pd.DataFrame]):
    """CSV frames made when they are written, one at a time (the old weeks' obligations: at 1,000 AEs
    a year of them would otherwise sit in memory together)."""

    def __init__(self, makers: dict[str, Callable[[], pd.DataFrame]]) -> None:
        self._makers = makers

    def __getitem__(self, path: str) -> pd.DataFrame:
        return self._makers[path]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


@dataclass
class SiteData:
    """Everything the pages read, loaded once from the marts."""

    info: RunInfo
    weeks: Weeks
    aes: pd.DataFrame
    kpi: pd.DataFrame  # kpi_weekly: standard × AE × week
    std_weekly: pd.DataFrame  # kpi_standard_weekly: standard × week, every AE
    team_weekly: pd.DataFrame  # kpi_team_weekly: standard × team × week
    scorecard: pd.DataFrame  # ae_scorecard: AE × standard ('*' pooled), week under review and 12 weeks
    tiers: pd.DataFrame  # kpi_tier_rates
    gaps: pd.DataFrame  # kpi_tier_gaps
    obl: pd.DataFrame  # obligation_details of the 12-week window
    at_risk: pd.DataFrame
    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    validation: pd.DataFrame
    slugs: dict[str, str] = field(default_factory=dict)  # ae email -> page name
    standards: pd.DataFrame | None = None  # the registry with missing_exports (Warehouse.standards())
    notes: list[str] = field(default_factory=list)  # run_notes: e.g. the staff directory names no AE
    equal: dict | None = None  # equal_treatment_gap / _min_n / _alpha of the build (run_params)
    sources: Mapping[str, list[dict]] = field(default_factory=dict)  # obligation_id -> evidence_refs rows (late/missed)
    # obligation_details from the first week a page or data file lists row by row (the 12 weeks, the
    # drill-down window) on: at 1,000 AEs a year of obligations is 1.2 M rows, older weeks are read one
    # at a time (`facts.week_rows`) and summed up in SQL (`facts`)
    recent_obl: pd.DataFrame | None = None
    facts: ObligationFacts | None = None  # what the site needs of every week's obligations (SQL aggregates)
    refs: pd.DataFrame | None = None  # evidence_refs of every obligation
    raw: dict = field(default_factory=dict)  # (raw table, file, record) -> its fields as JSON (drill.raw_rows)
    exports: dict[str, int] = field(default_factory=dict)  # export id -> rows loaded (aemetrics.exports)
    eval_weeks: list[date] = field(default_factory=list)  # every evaluated week up to the week under review
    running: date | None = None  # Monday of the unfinished week ("so far")
    ae_week_rates: pd.DataFrame | None = None  # wh.rates(by=[ae, week_start]): the league of a past week
    client_slugs: dict[str, str] = field(default_factory=dict)  # client_account -> page name
    left: set[str] = field(default_factory=set)  # AEs who left (aes.has_left)
    latest: date | None = None  # the week under review of the latest run (index.html)
    subject_of: Callable[[str], str] | None = None  # show_subjects = false: a standard's name for the subject

    @classmethod
    def load(cls, wh: Warehouse, store_bodies: bool = False, drill_weeks: int = 0) -> SiteData:
        """drill_weeks (site_drill_weeks; 0: every week): `raw` only for the drill-down window's evidence.
        Older weeks' obligations are read later, one week at a time (`facts.week_rows`): `wh` must stay
        open while the pages are written."""
        info = wh.run_info()
        weeks = Weeks.ending(wh.latest_complete_week())
        aes = wh.aes()
        kpi = wh.kpi_weekly(since=weeks.start, until=weeks.end)  # the scorecards' 12 weeks
        since = drill.window_start(weeks.this + timedelta(days=7), drill_weeks)
        # the obligations listed row by row: the 12 weeks, the running week and the drill-down window
        first = None if since is None else min(since, weeks.start)
        recent = _shared_strings(_obligations(wh, first), REPEATED)
        obl = recent[(recent["week_start"] >= weeks.start) & (recent["week_start"] < weeks.end)].reset_index(drop=True)
        at_risk = wh.at_risk()
        known = set(aes["ae"])
        with_kpi = {r[0] for r in wh.con.execute("select distinct ae from kpi_weekly").fetchall()}  # every week
        extra = sorted((with_kpi | set(obl["ae"]) | set(at_risk["ae"])) - known - {None})
        if extra:  # an AE with obligations but missing from `aes` still gets a page
            aes = pd.concat([aes, pd.DataFrame({"ae": extra, "name": extra})], ignore_index=True)
        if "name" in aes:  # no name in the staff directory: show the address rather than a blank
            aes["name"] = [a if missing(n) else n for a, n in zip(aes["ae"], aes["name"], strict=True)]
        data = cls(
            info,
            weeks,
            aes,
            kpi,
            wh.kpi_standard_weekly(),
            wh.kpi_team_weekly(),
            wh.ae_scorecard(),
            wh.tier_rates(),
            wh.tier_gaps(),
            obl,
            at_risk,
            wh.ingest_manifest(),
            wh.quarantine(),
            wh.validation_results(),
        )
        data.slugs = ae_slugs(list(aes["ae"]))
        data.standards = wh.standards()
        data.notes = wh.run_notes()
        data.equal = wh.equal_treatment_settings()
        data.recent_obl = recent
        data.facts = ObligationFacts.load(wh, aes)
        # evidence rows only where a page or a data file shows them: the 12 weeks and the drill window
        refs = wh.evidence_sources(since=None if since is None else min(since, weeks.start))
        data.refs = _shared_strings(refs, ["kind", "role", "source_file", "source_table"])
        data.sources = _evidence_sources(data.refs, obl)
        data.raw = drill.raw_rows(wh, store_bodies=store_bodies, since=since)
        tables = set(wh.tables())
        if any(t.startswith("raw_") for t in tables):  # a warehouse of marts only cannot say what was exported
            data.exports = ex.export_rows(
                lambda t: int(wh.sql(f"select count(*) as n from {t}")["n"].iloc[0]) if t in tables else None
            )
        seen = data.facts.mondays
        first_week = seen[0] if seen else weeks.this
        data.eval_weeks = [first_week + timedelta(days=7 * i) for i in range((weeks.this - first_week).days // 7 + 1)]
        data.running = weeks.this + timedelta(days=7)
        data.latest = weeks.this
        data.ae_week_rates = wh.rates(by=["ae", "week_start"])
        data.client_slugs = client_slugs(data.facts.accounts)
        if "has_left" in aes:
            data.left = set(aes.loc[aes["has_left"].fillna(False).astype(bool), "ae"])
        return data

    def for_week(self, monday: date) -> SiteData:
        """The same data seen from an earlier week: its review, league from kpi_weekly (rates in SQL);
        `obl`: what its page shows of the obligations (the late-reply heat map's rows of its 12 weeks)."""
        weeks = Weeks.ending(monday)
        week = _grouped(self, "ae_week_rates", "week_start").get(monday, pd.DataFrame())
        names = _names(self)
        teams = dict(zip(self.aes["ae"], self.aes["team"], strict=True)) if "team" in self.aes else {}
        board = pd.DataFrame(
            {
                "ae": list(self.aes["ae"]),
                "name": [names.get(a, a) for a in self.aes["ae"]],
                "team": [teams.get(a) for a in self.aes["ae"]],
                "standard": "*",
            }
        )
        cols = ["met", "late", "missed", "evaluated", "rate"]
        if not week.empty:
            board = board.merge(week[["ae", *cols]], on="ae", how="left")
        for c in cols:
            if c not in board:
                board[c] = None
        for c in cols[:4]:
            board[c] = board[c].fillna(0).astype(int)
        board["at_risk"] = 0
        window = self.facts.late_replies(weeks.start, weeks.end) if self.facts is not None else self.obl.iloc[0:0]
        return replace(self, weeks=weeks, scorecard=board, obl=window)


# obligation_details columns the site reads: the pages, the CSVs and the drill-down's data files
OBL_COLUMNS = ["week_start", *drill.ROW_FIELDS, "is_confirmed"]


def _obligations(wh: Warehouse, since: date | None) -> pd.DataFrame:
    """obligation_details (the site's columns) of the weeks from `since` on (None: every week) and those
    without a week, in Warehouse.obligations' order."""
    wh._require("obligation_details")
    have = set(wh.sql("select * from obligation_details limit 0").columns)
    cols = ", ".join(f'"{c}"' for c in OBL_COLUMNS if c in have)
    where = "" if since is None else " where week_start >= ? or week_start is null"
    return wh.sql(
        f"select {cols} from obligation_details{where} order by opened_at, obligation_id",
        [since] if since is not None else [],
    )


@dataclass
class ObligationFacts:
    """What the site needs of every week's obligations, from SQL aggregates over obligation_details
    (at 1,000 AEs a year is 1.2 M rows: never in memory at once)."""

    wh: Warehouse
    mondays: list[date]  # every week_start, sorted
    accounts: list[str]  # every client account, sorted (client_slugs)
    standards: list[str]  # every standard, sorted
    order: dict[str, int]  # drill.ae_order: the AEs of `aes` and of every obligation
    teams: dict[str, list[int]]  # drill.ae_groups by team
    client_aes: dict[str, list[int]]  # drill.ae_groups by client_account
    # client_account -> the client's names, tiers and AEs, most recently opened obligation first
    client_seen: dict[str, dict[str, list]]
    columns: list[str]  # the columns of obligation_details
    _late: pd.DataFrame  # reply_12h late or missed: week_start, opened_at, standard, status (by week_start)
    _late_weeks: list[date]

    @classmethod
    def load(cls, wh: Warehouse, aes: pd.DataFrame) -> ObligationFacts:
        def distinct(col: str) -> list:
            return [
                r[0]
                for r in wh.con.execute(
                    f'select distinct "{col}" from obligation_details where "{col}" is not null'
                ).fetchall()
            ]

        wh._require("obligation_details")
        order = drill.ae_order(aes, pd.DataFrame({"ae": distinct("ae")}))

        def groups(key: str) -> dict[str, list[int]]:
            pairs = wh.con.execute(f'select distinct "{key}", ae from obligation_details').fetchall()
            return drill.ae_groups(pd.DataFrame(pairs, columns=[key, "ae"]), key, order)

        # a client's names, tiers and AEs, latest first: ordered by the last obligation naming each, its
        # place in Warehouse.obligations' order (opened_at, nulls last, then obligation_id) as a key
        # compared in a hash aggregate (no sort of every obligation)
        rows = wh.con.execute(
            """
            with keyed as (
                select
                    client_account,
                    client_name,
                    client_tier,
                    ae,
                    {
                        'no_time': opened_at is null,
                        'opened': coalesce(opened_at, timestamptz '1970-01-01 00:00:00+00'),
                        'id': obligation_id
                    } as place
                from obligation_details
                where client_account is not null
            ),

            seen as (
                select 'client_name' as field, client_account, client_name as value, max(place) as last_place
                from keyed where client_name is not null group by client_account, client_name
                union all
                select 'client_tier' as field, client_account, client_tier as value, max(place) as last_place
                from keyed where client_tier is not null group by client_account, client_tier
                union all
                select 'ae' as field, client_account, ae as value, max(place) as last_place
                from keyed where ae is not null group by client_account, ae
            )

            select field, client_account, value from seen order by field, client_account, last_place desc
            """
        ).fetchall()
        client_seen: dict[str, dict[str, list]] = {}
        for fld, account, value in rows:
            client_seen.setdefault(account, {}).setdefault(fld, []).append(value)
        late = _shared_strings(
            wh.sql(
                "select week_start, opened_at, standard, status from obligation_details "
                "where standard = 'reply_12h' and status in ('late', 'missed') and week_start is not null "
                "order by week_start"
            ),
            ["standard", "status"],
        )
        return cls(
            wh,
            sorted(distinct("week_start")),
            sorted(distinct("client_account")),
            sorted(distinct("standard")),
            order,
            groups("team"),
            groups("client_account"),
            client_seen,
            list(wh.sql("select * from obligation_details limit 0").columns),
            late,
            late["week_start"].tolist(),
        )

    def late_replies(self, start: date, end: date) -> pd.DataFrame:
        """The reply_12h late or missed obligations of the weeks start <= week_start < end."""
        lo, hi = bisect.bisect_left(self._late_weeks, start), bisect.bisect_left(self._late_weeks, end)
        return self._late.iloc[lo:hi]

    def week_rows(self, monday: date, subject_of: Callable[[str], str] | None = None) -> pd.DataFrame:
        """Every obligation of one week (drill.OLD_WEEK_FIELDS), in Warehouse.obligations' order; with
        `subject_of` (show_subjects = false) the subject is the standard's name."""
        cols = ", ".join(f'"{c}"' for c in drill.OLD_WEEK_FIELDS if c in self.columns)
        rows = self.wh.sql(
            f"select {cols} from obligation_details where week_start = ? order by opened_at, obligation_id", [monday]
        )
        if subject_of is not None and "subject" in rows and not rows.empty:
            rows["subject"] = [subject_of(s) for s in rows["standard"]]
        return rows


def _grouped(data: SiteData, frame: str, key: str) -> dict:
    """data.<frame> split by `key` once per SiteData (not a mask over the whole frame per page)."""
    df = getattr(data, frame)
    name = f"_by_{key}_{frame}"
    cached = data.__dict__.get(name)
    if cached is None or cached[0] is not df:
        groups = dict(tuple(df.groupby(key, sort=False))) if df is not None and not df.empty else {}
        cached = (df, groups)
        data.__dict__[name] = cached
    return cached[1]


# obligation_details columns whose values repeat from row to row (an AE, a client, a status)
REPEATED = ["standard", "ae", "ae_name", "team", "client_account", "client_name", "client_tier", "status"]


def _shared_strings(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One Python string per distinct value in these columns: DuckDB's frames hold a new string
    object per cell, which at 1,000 AEs (1.2 M obligations) is most of the site's memory. Values and
    dtypes are unchanged."""
    for column in columns:
        if column not in frame:
            continue
        dtype = frame[column].dtype
        if pd.api.types.is_object_dtype(dtype):
            seen: dict = {}
            frame[column] = [seen.setdefault(v, v) for v in frame[column].tolist()]
        elif isinstance(dtype, pd.StringDtype) and dtype.storage == "python":  # pandas 3's str: Python objects too
            seen = {}
            frame[column] = pd.array([seen.setdefault(v, v) for v in frame[column].tolist()], dtype=dtype)
    return frame


def _evidence_sources(refs: pd.DataFrame, obl: pd.DataFrame) -> Mapping[str, list[dict]]:
    """The export rows named by the evidence of the obligations the scorecards list (late, missed):
    evidence_refs (already loaded for the data files, in obligation and item order) of those ids."""
    if obl.empty or refs.empty:
        return {}
    ids = set(obl.loc[obl["status"].isin(["late", "missed"]), "obligation_id"])
    if not ids:
        return {}
    return EvidenceSources(refs, ids)


class EvidenceSources(Mapping[str, list[dict]]):
    """obligation_id -> its evidence_refs rows (dicts), for the ids given; a row's dict is made when a
    page asks for it (a scorecard shows a few hundred rows at most: at 1,000 AEs the dicts of every late
    or missed obligation of 12 weeks were a quarter of a million)."""

    def __init__(self, refs: pd.DataFrame, ids: set[str]) -> None:
        self._cols = list(refs.columns)
        self._values = [refs[c].tolist() for c in self._cols]
        self._ids = refs["obligation_id"].tolist()
        try:  # evidence_sources orders by obligation_id: the rows of an id are found by bisection
            self._sorted = all(a <= b for a, b in zip(self._ids, self._ids[1:], strict=False))
        except TypeError:  # a null id
            self._sorted = False
        self._spans: dict[str, list[int]] = {}
        if not self._sorted:  # the positions of each id's rows
            for i, oid in enumerate(self._ids):
                if oid in ids:
                    self._spans.setdefault(oid, []).append(i)
        # in the order of evidence_refs, as the dict this replaces
        self._keys = list(dict.fromkeys(oid for oid in self._ids if oid in ids))
        self._wanted = set(self._keys)

    def _positions(self, oid: str) -> list[int] | range:
        if not self._sorted:
            return self._spans[oid]
        return range(bisect.bisect_left(self._ids, oid), bisect.bisect_right(self._ids, oid))

    def __getitem__(self, oid: str) -> list[dict]:
        if oid not in self._wanted:
            raise KeyError(oid)
        cols, columns = self._cols, self._values
        return [dict(zip(cols, [values[i] for values in columns], strict=True)) for i in self._positions(oid)]

    def get(self, oid: str, default: Any = None) -> Any:  # Mapping.get goes through a KeyError per miss
        return self[oid] if oid in self._wanted else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def ae_slugs(emails: list[str]) -> dict[str, str]:
    """Page names from the email's local part; the domain is added only where two AEs share one."""

    def clean(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("._") or "ae"

    locals_ = {e: clean(e.split("@")[0]) for e in emails}
    seen: dict[str, int] = {}
    for v in locals_.values():
        seen[v] = seen.get(v, 0) + 1
    return {e: (v if seen[v] == 1 else clean(e.replace("@", "_at_"))) for e, v in locals_.items()}


def client_slugs(accounts: list[str]) -> dict[str, str]:
    """Page names of client accounts: the account id made file-safe, numbered where two collide."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for acc in accounts:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", str(acc)).strip("._") or "client"
        slug, n = base, 2
        while slug.lower() in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug.lower())
        out[acc] = slug
    return out


def week_page(monday: date) -> str:
    y, w, _ = monday.isocalendar()
    return f"weeks/{y}-W{w:02d}.html"


def picker(data: SiteData, labels: Labels, root: str, current: date | None) -> str:
    """The week picker of every page: each evaluated week's review, and the running week so far
    (the same for every page of a folder: made once, 5,000 pages at 1,000 AEs)."""
    key = (labels.lang, root, current, data.running, data.latest, tuple(data.eval_weeks))
    out = _PICKERS.get(key)
    if out is None:
        if len(_PICKERS) >= 256:
            _PICKERS.clear()
        out = _PICKERS[key] = _picker(data, labels, root, current)
    return out


_PICKERS: dict[tuple, str] = {}


def _picker(data: SiteData, labels: Labels, root: str, current: date | None) -> str:
    opts = []
    if data.running is not None:
        opts.append(
            f'<option value="{esc(obl_href(root, data.running))}">{esc(data.weeks.label(data.running))} — '
            f"{esc(labels.text('so_far'))}</option>"
        )
    for monday in reversed(data.eval_weeks):
        href = f"{root}index.html" if monday == data.latest else f"{root}{week_page(monday)}"
        sel = " selected" if monday == current else ""
        opts.append(f'<option value="{esc(href)}"{sel}>{esc(data.weeks.label(monday))}</option>')
    if current is None:
        opts.insert(0, f'<option value="" selected>{esc(labels.text("week"))}…</option>')
    return (
        f'<div class="weeks"><label><span class="small">{labels.html("week")}</span> '
        f'<select class="week-picker" aria-label="week">{"".join(opts)}</select></label></div>'
    )


def _no_data(labels: Labels, missing_exports: list[str]) -> str:
    """'no data — needs calendars (.ics)': a standard whose export is missing has no rate at all."""
    what = ", ".join(ex.label(e, labels.lang) for e in missing_exports)
    return f'<span class="nodata">{labels.html("no_data_needs")} {esc(what)}</span>'


def _setup(data: SiteData, labels: Labels, csvs: dict) -> str:
    std = data.standards
    needs = ex.registry_needs() if std is None else ex.needs_of(zip(std["standard"], std["needs"], strict=True))
    items = [(e.id, data.exports.get(e.id, 0), ex.feeds(e.id, needs)) for e in ex.EXPORTS]
    csvs["index-setup.csv"] = pd.DataFrame(
        [{"export": e, "found": rows > 0, "rows": rows, "standards": " ".join(feeds)} for e, rows, feeds in items],
        columns=["export", "found", "rows", "standards"],
    )
    lis = []
    for export, rows, feeds in items:
        state = "found" if rows else "missing_export"
        stds = ", ".join(labels.standard(s) for s in feeds) or "—"
        lis.append(
            f'<li><span class="{"found" if rows else "missing"}">{"✓" if rows else "✗"} '
            f"{labels.html(state)}</span> <b>{esc(ex.label(export, labels.lang))}</b> "
            f'({count(rows)}) → <span class="small">{esc(stds)}</span></li>'
        )
    return f'<ul class="checklist">{"".join(lis)}</ul>' + _csv_link(labels, "index-setup.csv")


def _rate_link(rate, target, href: str) -> Cell:
    c = rate_cell(rate, target)
    c.html = f'<a href="{esc(href)}">{c.html}</a>'
    return c


def _names(data: SiteData) -> dict[str, str]:
    """AE -> display name; computed once per SiteData (every page asks: 1,000 AEs × 1,000 pages)."""
    cached = data.__dict__.get("_people")
    if cached is None or cached[0] is not data.aes:
        cached = (data.aes, {r.ae: (r.name if not missing(r.name) else r.ae) for r in data.aes.itertuples()})
        data.__dict__["_people"] = cached
    return cached[1]


def _rows_of(data: SiteData, frame: str, ae: str, late: bool = False, times: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of one AE in data.<frame> (late or missed only if `late`): the frame is grouped once per
    SiteData, not filtered again for each of 1,000 scorecards; `times`: columns whose CSV text is made
    once for the whole frame (_with_iso), not per page."""
    df = getattr(data, frame)
    key = f"_by_ae_{frame}_{late}_{times}"
    cached = data.__dict__.get(key)
    if cached is None or cached[0] is not df:
        rows = df[df["status"].isin(metrics.LATE)] if late and not df.empty else df
        rows = _with_iso(rows, times)
        # each AE's positions: the AE's rows are taken when their page asks (not a copy of every group)
        groups = rows.groupby("ae", sort=False).indices if not rows.empty else {}
        cached = (df, groups, rows)
        data.__dict__[key] = cached
    positions = cached[1].get(ae)
    return cached[2].take(positions) if positions is not None else cached[2].iloc[0:0]


def forget_groups(data: SiteData) -> None:
    """Drop what _rows_of and _grouped keep for the scorecards once they are written."""
    for key in [k for k in data.__dict__ if k.startswith("_by_")]:
        del data.__dict__[key]


def ae_pages(data: SiteData, labels: Labels, opts: Options) -> Iterator[Page]:
    """A scorecard per AE, made one at a time as they are written; their grouped rows then let go."""
    for ae in data.aes["ae"]:
        yield ae_page(data, ae, labels, opts)
    forget_groups(data)


def _meta(data: SiteData, labels: Labels, extra: str = "") -> str:
    info = data.info
    parts = [
        f"{labels.html('sample_week')}: <b>{esc(data.weeks.label())}</b>",
        f"{labels.html('as_of')}: <b>{esc(when(info.as_of))}</b>",
        f"{labels.html('timezone')}: <b>{esc(info.business_timezone)}</b>",
    ]
    if info.built_at is not None:
        parts.append(f"{labels.html('built_at')}: {esc(when(info.built_at))}")
    return f'<p class="meta">{extra}{" · ".join(parts)}</p>'


def _std_names(labels: Labels, ids) -> dict[str, str]:
    names = {s: labels.standard(s) for s in ids}
    names["*"] = labels.text("all_standards", sep=" / ")
    return names


def _grouped_by_section(df: pd.DataFrame, rows: list[list[Cell]], labels: Labels, width: int) -> list[list[Cell]]:
    """The rows of a per-standard table (registry order) under a heading row for each handbook
    section (沟通 / 会议 / 日常沟通 / 再次提升 / 工作习惯); a standard outside the registry last, ungrouped."""
    if "section" not in df:
        return rows
    out: list[list[Cell]] = []
    previous = None
    for sec, row in zip(df["section"], rows, strict=True):
        if not missing(sec) and sec != previous:
            out.append([Cell(f"<b>{labels.html(sec)}</b>", "group", span=width)])
        previous = sec
        out.append(row)
    return out


def _has_data(row) -> bool:
    return bool(getattr(row, "has_data", True))


def _no_data_cells(row, labels: Labels, width: int) -> list[Cell]:
    """A standard with nothing in the exports: 'no data', with the exports it needs that were not
    loaded (registry `needs` against ingest_manifest); never a 0 % or 100 %."""
    needs = getattr(row, "needs", "") or ""
    note = labels.html("no_data_standard")
    if needs:
        note += f" — {labels.html('needs')} {esc(needs)}"
    return [Cell(f'<span class="muted no-data">{note}</span>', "no-data"), *[Cell("", "") for _ in range(width - 1)]]


def _status_badge(status: str, labels: Labels) -> Cell:
    return Cell(f'<span class="badge {esc(status)}">{labels.html(status)}</span>')


def _on_target_badge(on_target, labels: Labels) -> Cell:
    if on_target is None or missing(on_target):
        return Cell('<span class="badge muted">—</span>')
    key, cls = ("on_target", "good") if on_target else ("below_target", "bad")
    return Cell(f'<span class="badge {cls}">{labels.html(key)}</span>')


TIMES = ("opened_at", "due_at", "fulfilled_at")
ISO = "iso:"  # prefix of a column holding another's CSV text, made once for a whole frame (_with_iso)


def _local(df: pd.DataFrame, cols: Sequence[str], fields: list[str] | None = None) -> pd.DataFrame:
    """CSV copy (of `fields` only, in that order, when given): timestamps as ISO text with the business
    offset (Excel-friendly, unambiguous); the text _with_iso made where `df` has it."""
    out = df.reindex(columns=fields) if fields is not None else df.copy()
    for c in cols:
        if c in out:
            out[c] = df[ISO + c] if ISO + c in df else _iso(out[c])
    return out


def _with_iso(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """df with the CSV text (ISO + column) and the page text (WHEN + column: html.when) of its timestamp
    columns `cols` beside them: formatted once for a frame split into many pages, not once per page.
    Both are cell by cell, so a slice of them is what formatting the slice would give."""
    if not cols:
        return df
    return df.assign(
        **{ISO + c: _iso(df[c]) for c in cols if c in df}, **{WHEN + c: _when_text(df[c]) for c in cols if c in df}
    )


WHEN = "when:"  # prefix of a column holding another's html.when text (_with_iso)


def _when_text(col: pd.Series) -> list[str]:
    """html.when of each value, a whole timestamp column at once."""
    stamps = _local_stamps(col)
    if stamps is not None:  # numpy writes 'YYYY-MM-DDTHH:MM' in C
        local, _, there = stamps
        text = np.datetime_as_string(local.astype("datetime64[m]"), unit="m").tolist()
        return [t[:10] + " " + t[11:] if k else DASH for t, k in zip(text, there, strict=True)]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        text = col.dt.strftime("%Y-%m-%d %H:%M").tolist()
        return [v if isinstance(v, str) else DASH for v in text]
    return [when(v) for v in col.tolist()]


def _records(df: pd.DataFrame, cols: Sequence[str]) -> Iterator[tuple]:
    """The values of `cols` row by row (None for a column df lacks), a timestamp column as its html.when
    text where _with_iso made it: itertuples would make a Timestamp of every cell of every column."""
    n = len(df)
    return zip(
        *(df[WHEN + c].tolist() if WHEN + c in df else df[c].tolist() if c in df else [None] * n for c in cols),
        strict=True,
    )


def _iso(col: pd.Series) -> pd.Series:
    """Timestamp.isoformat() of each value ('' for none), a whole column at once when it is zoned and
    whole seconds (the local time formatted in C, the offset once per distinct value)."""
    stamps = _local_stamps(col)
    if stamps is None:
        return col.map(lambda v: v.isoformat() if not missing(v) else "")
    local, utc, there = stamps
    text = np.datetime_as_string(local.astype("datetime64[s]"), unit="s").tolist()  # 'YYYY-MM-DDTHH:MM:SS'
    secs = (local - utc).astype("timedelta64[s]").astype(np.int64).tolist()
    offsets = {
        s: f"{'-' if s < 0 else '+'}{abs(s) // 3600:02d}:{abs(s) % 3600 // 60:02d}"
        for s in {s for s, k in zip(secs, there, strict=True) if k}
    }
    out = [t + offsets[s] if k else "" for t, s, k in zip(text, secs, there, strict=True)]
    return pd.Series(out, index=col.index, dtype=object, name=col.name)


def _local_stamps(col: pd.Series) -> tuple[np.ndarray, np.ndarray, list[bool]] | None:
    """A zoned timestamp column of whole seconds and years 1000-9999 as numpy arrays: local wall
    time, UTC, and which values are there (not NaT); None for any other column."""
    if not isinstance(col.dtype, pd.DatetimeTZDtype):
        return None
    dt = col.dt
    local = dt.tz_localize(None).to_numpy()
    utc = dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    there = ~np.isnat(local)
    values = local[there]
    if (values.astype("datetime64[s]") != values).any():  # fractions of a second
        return None
    years = values.astype("datetime64[Y]").astype(np.int64) + 1970
    if len(years) and (years.min() < 1000 or years.max() > 9999):  # numpy would not write them as strftime does
        return None
    return local, utc, there.tolist()


# -- index.html ------------------------------------------------------------------------------
def index_page(data: SiteData, labels: Labels, opts: Options, path: str = "index.html") -> Page:
    """The weekly review of data.weeks.this; path 'index.html' (latest week) or weeks/<YYYY-Www>.html."""
    L, weeks = labels, data.weeks
    root = "../" if "/" in path else ""
    pre = path.rsplit("/", 1)[0] + "/" if "/" in path else ""  # CSV files beside the page
    stem = path.rsplit("/", 1)[-1].removesuffix(".html")
    is_latest = path == "index.html"
    std = metrics.standards_table(data.std_weekly, weeks, opts, data.standards)
    # standards without data whose exports were not loaded (registry `needs`): "no data — needs ...", never a rate
    lacking = {
        r.standard: [e.strip() for e in str(r.needs).split(",") if e.strip()]
        for r in std.itertuples()
        if not _has_data(r) and bool(getattr(r, "needs", None))
    }
    names = _std_names(L, std["standard"])
    csvs: dict[str, pd.DataFrame] = {}
    parts: list[str] = []
    name_of = (lambda f: f"{pre}{stem}-{f}") if not is_latest else (lambda f: f"index-{f}")

    # what the reader must be told first (run_notes: a directory without any AE, ...)
    if data.notes:
        notes = "".join(f'<p class="bad">{esc(note)}</p>' for note in data.notes)
        parts.append(section("run-notes", L.html("run_notes"), notes))

    # setup checklist: what was found, what is missing and what it blocks (first when something is missing)
    setup = ""
    if is_latest and data.exports:
        setup = section("setup", L.html("setup"), _setup(data, L, csvs), L.html("setup_note"))
        if lacking:
            parts.append(setup)

    # headline cards: each opens the obligations behind it
    this_week = std[(std["met"] + std["late"] + std["missed"] > 0) | std["standard"].isin(list(lacking))]
    if this_week.empty:
        parts.append(section("summary", L.html("summary"), empty(L)))
    else:
        cards = []
        for r in this_week.itertuples():
            href = esc(obl_href(root, weeks.this, standard=r.standard))
            if r.standard in lacking:
                cards.append(
                    f'<a class="kpi-link" href="{href}"><div class="kpi nodata"><div class="k-name">{esc(names[r.standard])}</div>'
                    f'<div class="k-rate">{_no_data(L, lacking[r.standard])}</div></div></a>'
                )
                continue
            cls = "good" if r.on_target else "bad"
            cards.append(
                f'<a class="kpi-link" href="{href}"><div class="kpi {cls}"><div class="k-name">{esc(names[r.standard])}</div>'
                f'<div class="k-rate">{esc(pct(r.rate))}</div>'
                f'<div class="k-sub">{L.html("last_week")} {esc(pct(r.rate_last_week))} · {esc(points(r.change))}<br>'
                f"{L.html('target')} {esc(pct(r.target))} · {r.met}/{r.met + r.late + r.missed}</div></div></a>"
            )
        parts.append(f'<div class="kpis">{"".join(cards)}</div>')

    # standards table
    csvs[name_of("standards.csv")] = std
    rows = [
        [
            link(obl_href(root, weeks.this, standard=r.standard), names[r.standard]),
            *(
                [
                    _rate_link(r.rate, r.target, obl_href(root, weeks.this, standard=r.standard)),
                    rate_cell(r.rate_last_week, r.target),
                    num(points(r.change)),
                    num(pct(r.target)),
                    num(count(r.met)),
                    num(count(r.late)),
                    num(count(r.missed)),
                    num(count(r.open)),
                    num(count(r.excused)),
                    _on_target_badge(r.on_target, L),
                    num(_confirmed(r)),
                ]
                if _has_data(r)
                else _no_data_cells(r, L, 11)
            ),
        ]
        for r in std.itertuples()
    ]
    rows = _grouped_by_section(std, rows, L, 12)
    heads = [
        L.html(k)
        for k in (
            "standard",
            "this_week",
            "last_week",
            "change",
            "target",
            "met",
            "late",
            "missed",
            "open",
            "excused",
            "status",
            "confirmed_phone",
        )
    ]
    body = table(
        heads, rows, L, name_of("standards.csv").split("/")[-1], numeric=[*range(1, 10), 11], table_id="standards"
    )
    if std.empty:
        body = empty(L) + body
    parts.append(section("standards", L.html("per_standard"), body))

    # 12-week trend
    tr = metrics.trend(data.std_weekly, weeks, "standard")
    csvs[name_of("trend.csv")] = tr
    chart = charts.trend(
        tr, "standard", _std_names(L, tr["standard"]), L, opts.target, L.text("weekly_rate_by_standard"), "chart-trend"
    )
    parts.append(
        section("trend", L.html("trend_12w"), (chart or empty(L)) + _csv_link(L, name_of("trend.csv").split("/")[-1]))
    )

    # teams side by side
    teams = metrics.teams_table(data.team_weekly, weeks.this)
    if not teams.empty:  # an AE missing from the staff directory has no team: still counted, named so
        teams["team"] = teams["team"].fillna(L.text("no_team"))
    csvs[name_of("teams.csv")] = teams
    teams, teams_note = _most_evaluated_teams(teams, L)
    chart = charts.grouped_rates(
        teams,
        "standard",
        "team",
        _std_names(L, teams["standard"]) if not teams.empty else {},
        L,
        opts.target,
        f"{L.text('team_rates')} — {weeks.label()}",
        "chart-teams",
        link=lambda s, t: obl_href(root, weeks.this, standard=s, team=NO_VALUE if t == L.text("no_team") else t),
    )
    team_names = sorted(teams["team"].dropna().unique()) if not teams.empty else []
    rows = []
    team_rate = (
        {} if teams.empty else dict(zip(zip(teams["standard"], teams["team"], strict=True), teams["rate"], strict=True))
    )
    for s in metrics.standard_order(teams["standard"].unique()) if not teams.empty else []:
        cells = [text(names.get(s, s))]
        for t in team_names:
            rate = team_rate.get((s, t))
            team_filter = NO_VALUE if t == L.text("no_team") else t
            cells.append(_rate_link(rate, opts.target_for(s), obl_href(root, weeks.this, standard=s, team=team_filter)))
        rows.append(cells)
    team_table = table(
        [L.html("standard")] + [esc(t) for t in team_names],
        rows,
        L,
        name_of("teams.csv").split("/")[-1],
        numeric=range(1, len(team_names) + 1),
        table_id="teams",
    )
    parts.append(section("teams", L.html("teams"), (chart or empty(L)) + teams_note + team_table))

    # league table
    lg = metrics.league(data.scorecard, left=data.left)
    csvs[name_of("league.csv")] = lg
    rows = [
        [
            num("—" if missing(r.rank) else str(int(r.rank))),
            Cell(
                link(f"{root}ae/{data.slugs.get(r.ae, r.ae)}.html", r.name).html
                + (f' <span class="badge left-badge">{L.html("has_left")}</span>' if r.ae in data.left else ""),
                "nowrap",
            ),
            text(r.team, "nowrap"),
            _rate_link(r.rate, opts.target, obl_href(root, weeks.this, ae=r.ae)),
            num(count(r.met)),
            num(count(r.late)),
            num(count(r.missed)),
            num(count(r.evaluated)),
            num(count(r.at_risk)),
        ]
        for r in shown(lg).itertuples()
    ]
    heads = [L.html(k) for k in ("rank", "ae", "team", "this_week", "met", "late", "missed", "evaluated", "at_risk")]
    ranked = lg[lg["rank"].notna()]
    chart = charts.league(ranked.head(60), L, opts.target, L.text("ae_rates_week"), "chart-league")
    league_table = table(
        heads,
        rows,
        L,
        name_of("league.csv").split("/")[-1],
        numeric=[0, *range(3, 9)],
        table_id="league-table",
        filters=[2],
        total=len(lg),
    )
    parts.append(
        section(
            "league",
            L.html("league"),
            f'<div class="grid2 wide-left"><div>{league_table}</div><div>{chart or empty(L)}</div></div>',
            L.html("left_note") if data.left else "",
        )
    )

    # heat map of late replies
    grid = metrics.late_reply_heatmap(data.obl, weeks)
    long = grid.stack().rename("count").reset_index()
    long.columns = ["weekday", "hour", "count"]
    long.insert(1, "weekday_name", [L.weekday(d) for d in long["weekday"]])
    csvs[name_of("late-reply-heatmap.csv")] = long
    window = weeks.mondays

    def cell_link(d: int, h: int) -> str:
        return obl_href(root, window, standard="reply_12h", status="late,missed", weekday=d, hour=h)

    chart = charts.heatmap(
        grid, L, f"{L.text('heatmap')} ({data.info.business_timezone})", "chart-heatmap", link=cell_link
    )
    all_late = obl_href(root, window, standard="reply_12h", status="late,missed")
    parts.append(
        section(
            "heatmap",
            L.html("heatmap"),
            (chart or empty(L, "no_rows"))
            + f'<a class="csv" href="{esc(all_late)}">→ {L.html("obligation_list")}</a> '
            + _csv_link(L, name_of("late-reply-heatmap.csv").split("/")[-1]),
            L.html("heatmap_note"),
        )
    )

    if is_latest:
        # at-risk list, beside this unfinished week so far
        risk = section(
            "at-risk",
            L.html("at_risk"),
            _at_risk_table(data, L, "index-at-risk.csv", csvs, names, with_ae=True),
            L.html("at_risk_note"),
        )
        parts.append(f'<div class="grid2">{risk}{_so_far(data, L, opts, csvs)}</div>')

        # data quality
        parts.append(section("data-quality", L.html("data_quality"), _quality(data, L, csvs)))
        if not lacking:
            parts.append(setup)

    title = (
        f"{L.text('weekly_review')} · {weeks.label()}"
        if L.lang != "zh-en"
        else f"{L.text('weekly_review')} — {weeks.label()}"
    )
    html = page(title, "\n".join(parts), L, root, "index", _meta(data, L), picker(data, L, root, weeks.this))
    return Page(path, html, csvs)


MAX_TEAMS = 12  # team columns (and bar groups) on a page; the CSV holds every team


def _most_evaluated_teams(teams: pd.DataFrame, L: Labels) -> tuple[pd.DataFrame, str]:
    """The MAX_TEAMS teams with the most obligations evaluated this week (a large agency has a hundred
    teams: a column each would make the page grow with the agency), and the note saying so."""
    names = teams["team"].dropna().unique() if not teams.empty else []
    if len(names) <= MAX_TEAMS:
        return teams, ""
    size = teams.groupby("team")["evaluated"].sum().sort_values(ascending=False, kind="stable")
    keep = sorted(size.index[:MAX_TEAMS])
    note = (
        f'<p class="note more">{L.html("teams")}: {MAX_TEAMS:,} / {len(names):,} '
        f"({L.html('evaluated')}) — {L.html('rest_in_csv')}</p>"
    )
    return teams[teams["team"].isin(keep)], note


def _so_far(data: SiteData, L: Labels, opts: Options, csvs: dict) -> str:
    """The running week up to as_of: each standard's counts and rate so far (kpi_standard_weekly)."""
    monday = data.running
    sw = data.std_weekly
    rows_df = sw[sw["week_start"] == monday] if not sw.empty else sw
    cols = ["standard", "met", "late", "missed", "open", "excused", "rate"]
    rows_df = rows_df.reindex(columns=cols)
    order = {s: i for i, s in enumerate(metrics.standard_order(rows_df["standard"]))}
    rows_df = rows_df.sort_values("standard", key=lambda c: c.map(order)) if not rows_df.empty else rows_df
    csvs["index-so-far.csv"] = rows_df
    rows = [
        [
            link(obl_href("", monday, standard=r.standard), L.standard(r.standard)),
            _rate_link(r.rate, opts.target_for(r.standard), obl_href("", monday, standard=r.standard)),
            num(count(r.met)),
            num(count(r.late)),
            num(count(r.missed)),
            num(count(r.open)),
        ]
        for r in rows_df.itertuples()
    ]
    heads = [L.html(k) for k in ("standard", "rate", "met", "late", "missed", "open")]
    body = table(heads, rows, L, "index-so-far.csv", numeric=range(1, 6), table_id="so-far")
    title = f'{L.html("so_far")} <span class="en">{esc(data.weeks.label(monday))}</span>'
    return section("so-far", title, body, L.html("so_far_note"))


def _confirmed(r) -> str:
    """friday_client_report: reports confirmed by phone the same day, of the reports sent (met + late: '2/3'); else —."""
    if r.standard != "friday_client_report":
        return "—"
    return f"{int(r.confirmed)}/{int(r.met) + int(r.late)}"


def _csv_link(labels: Labels, href: str) -> str:
    return f'<a class="csv" href="{esc(href)}" download>↓ {labels.html("download_csv")}</a>'


def _at_risk_table(
    data: SiteData, L: Labels, csv_name: str, csvs: dict, names: dict, with_ae: bool, ae: str | None = None
) -> str:
    risk = data.at_risk if ae is None else _rows_of(data, "at_risk", ae, times=("opened_at", "due_at"))
    people = _names(data)
    cols = ["ae", "standard", "client_account", "client_name", "opened_at", "due_at", "hours_left", "obligation_id"]
    csvs[csv_name] = _local(risk, ["opened_at", "due_at"], cols)
    href = csv_name.split("/")[-1]
    rows = []
    fields = ["ae", "standard", "client_name", "client_account", "opened_at", "due_at", "hours_left"]
    # (a time is its html.when text where _rows_of made it: when() of that text is the text)
    for who, standard, client, account, opened, due, left in _records(shown(risk), fields):
        cells = [link(f"ae/{data.slugs.get(who, who)}.html", people.get(who, who))] if with_ae else []
        cells += [
            text(L.standard(standard)),
            text(client if not missing(client) else account, "client"),
            num(when(opened)),
            num(when(due)),
            num(hours(left), "bad" if not missing(left) and left < 12 else ""),
        ]
        rows.append(cells)
    heads = ([L.html("ae")] if with_ae else []) + [
        L.html(k) for k in ("standard", "client", "opened_at", "due_at", "hours_left")
    ]
    first = 1 if with_ae else 0
    return table(heads, rows, L, href, numeric=range(first + 2, first + 5), table_id="at-risk-table", total=len(risk))


def _quality(data: SiteData, L: Labels, csvs: dict) -> str:
    kinds, reasons = metrics.quality(data.manifest, data.quarantine)
    csvs["index-quality-sources.csv"] = kinds
    csvs["index-quarantine-reasons.csv"] = reasons
    if kinds.empty:
        return empty(L, "no_ingest") + _csv_link(L, "index-quality-sources.csv")
    rows = [
        [
            text(r.source_kind),
            num(count(r.files)),
            num(count(r.files_rejected), "bad" if r.files_rejected else ""),
            num(count(r.rows_loaded)),
            num(count(r.records_quarantined), "bad" if r.records_quarantined else ""),
            num(count(r.records_kept)),
        ]
        for r in kinds.itertuples()
    ]
    heads = [
        L.html(k)
        for k in ("source_kind", "files", "files_rejected", "rows_loaded", "records_quarantined", "records_kept")
    ]
    left = table(heads, rows, L, "index-quality-sources.csv", numeric=range(1, 6), table_id="quality-sources")
    rows = [
        [text(r.source_kind), text(r.reason), num(count(r.count)), num(count(r.files)), Cell(esc(r.example), "small")]
        for r in shown(reasons).itertuples()
    ]
    heads = [L.html(k) for k in ("source_kind", "reason", "count", "files", "example")]
    right = table(
        heads,
        rows,
        L,
        "index-quarantine-reasons.csv",
        numeric=[2, 3],
        table_id="quarantine-reasons",
        total=len(reasons),
    )
    # work_on_time: people of the clock-in exports who match no staff member (run_notes clock_unmatched)
    unmatched = "".join(
        f'<p class="bad">{esc(n)}</p>' for n in data.notes if n.startswith("People in the clock-in exports")
    )
    if unmatched:
        right += f"<h3>{L.html('clock_unmatched')}</h3>{unmatched}"
    return f"{left}<h3>{L.html('quarantine_reasons')}</h3>{right}<h3>{L.html('checks')}</h3>{_checks(data, L, csvs)}"


def _checks(data: SiteData, L: Labels, csvs: dict) -> str:
    """The Great Expectations results of the run: failures first, then every passed check."""
    checks = data.validation
    csvs["index-checks.csv"] = checks
    rows = [
        [
            text(r.stage),
            text(r.table_name),
            text(r.expectation),
            text(r.column_name),
            Cell(L.html("pass") if r.success else L.html("fail"), "good" if r.success else "bad"),
            num(count(r.unexpected_count)),
            text(r.action),
            Cell(esc(r.observed or ""), "small"),
        ]
        for r in shown(checks).itertuples()
    ]
    heads = [
        L.html(k) for k in ("stage", "table", "expectation", "column", "result", "count", "on_failure", "observed")
    ]
    failed = int((~checks["success"].astype(bool)).sum()) if len(checks) else 0
    summary = (
        f'<p class="meta">{L.html("checks")}: {len(checks)} · {L.html("pass")} {len(checks) - failed} · '
        f"{L.html('fail')} <b>{failed}</b></p>"
    )
    return summary + table(heads, rows, L, "index-checks.csv", numeric=[5], table_id="checks", total=len(checks))


# -- ae/<slug>.html --------------------------------------------------------------------------
def ae_page(data: SiteData, ae: str, labels: Labels, opts: Options) -> Page:
    L, weeks = labels, data.weeks
    slug = data.slugs[ae]
    person = _grouped(data, "aes", "ae")[ae].iloc[0]
    name = person["name"] if not missing(person.get("name")) else ae
    csvs: dict[str, pd.DataFrame] = {}
    parts: list[str] = []

    # rates against target and team median
    st = metrics.ae_standards(_rows_of(data, "scorecard", ae), ae, opts, data.standards)
    names = _std_names(L, st["standard"])
    csvs[f"ae/{slug}-rates.csv"] = st
    rows = [
        [
            link(
                obl_href("../", weeks.mondays, ae=ae, standard=None if r.standard == "*" else r.standard),
                names[r.standard],
            ),
            *(
                [
                    _rate_link(r.rate, r.target, obl_href("../", weeks.this, ae=ae, standard=r.standard)),
                    num(pct(r.team_median)),
                    rate_cell(r.rate_12w, r.target),
                    num(pct(r.team_median_12w)),
                    num(pct(r.target)),
                    num(count(r.met)),
                    num(count(r.late)),
                    num(count(r.missed)),
                    num(count(r.at_risk)),
                ]
                if _has_data(r)
                else _no_data_cells(r, L, 9)
            ),
        ]
        for r in st.itertuples()
    ]
    rows = _grouped_by_section(st, rows, L, 10)
    heads = [
        L.html("standard"),
        L.html("this_week"),
        L.html("team_median"),
        L.html("last_12w"),
        L.html("team_median_12w"),
        L.html("target"),
        L.html("met"),
        L.html("late"),
        L.html("missed"),
        L.html("at_risk"),
    ]
    rates_table = table(heads, rows, L, f"{slug}-rates.csv", numeric=range(1, 10), table_id="ae-rates")
    st = st[st["has_data"]] if "has_data" in st else st  # no bars for a standard without data
    bars = (
        pd.concat(
            [
                st.assign(series="ae", rate=st["rate_12w"]),
                st.assign(series="team", rate=st["team_median_12w"]),
            ]
        )
        if not st.empty
        else st
    )
    if not bars.empty:  # counts only label the AE's own bars
        bars["evaluated"] = (bars["met"] + bars["late"] + bars["missed"]).where(bars["series"] == "ae", 0)
        bars["met"] = bars["met"].where(bars["series"] == "ae", 0)
    chart = charts.grouped_rates(
        bars,
        "standard",
        "series",
        names,
        L,
        opts.target,
        f"{L.text('rates_vs_team')} ({L.text('last_12w')})",
        "chart-ae-rates",
        group_names={"ae": f"{name}", "team": L.text("team_median")},
    )
    parts.append(section("rates", L.html("rates_vs_team"), (chart or empty(L)) + rates_table))

    # 12-week trend and weekly outcomes
    mine = _rows_of(data, "kpi", ae)
    tr = metrics.trend(mine, weeks, "standard")
    csvs[f"ae/{slug}-trend.csv"] = tr
    trend_chart = charts.trend(
        tr,
        "standard",
        _std_names(L, tr["standard"]),
        L,
        opts.target,
        L.text("weekly_rate_by_standard"),
        "chart-ae-trend",
    )
    out_chart = charts.outcomes(metrics.outcomes(mine, weeks), L, L.text("weekly_outcomes"), "chart-ae-outcomes")
    parts.append(section("trend", L.html("trend_12w"), (trend_chart or empty(L)) + _csv_link(L, f"{slug}-trend.csv")))
    parts.append(section("outcomes", L.html("weekly_outcomes"), out_chart or empty(L)))

    # late and missed obligations with evidence
    bad = _rows_of(data, "obl", ae, late=True, times=TIMES)
    bad = bad.sort_values("opened_at", ascending=False) if not bad.empty else bad
    cols = [
        "standard",
        "status",
        "client_account",
        "client_name",
        "subject",
        "opened_at",
        "due_at",
        "fulfilled_at",
        "hours_late",
        "evidence",
        "is_confirmed",
        "obligation_id",
    ]
    csvs[f"ae/{slug}-late-missed.csv"] = _local(bad, TIMES, cols)
    fields = ["standard", "status", "client_account", "client_name", "subject", *TIMES, "hours_late", "evidence"]
    fields += ["obligation_id", "week_start", "ae", "is_confirmed"]
    rows = [
        [
            text(L.standard(standard)),
            _status_badge(status, L),
            _client_cell(data, account, client, "../"),
            text(subject, "subject"),
            num(opened, "wrap"),  # html.when text (_with_iso)
            num(due, "wrap"),
            num(fulfilled, "wrap"),
            num(hours(hours_late)),
            _evidence(
                evidence,
                data.sources.get(oid, []),
                obl_href("../", week, o=oid, os=standard, oa=who) if not missing(week) else None,
            ),
            _confirmed_cell(confirmed, L),
        ]
        for (
            standard,
            status,
            account,
            client,
            subject,
            opened,
            due,
            fulfilled,
            hours_late,
            evidence,
            oid,
            week,
            who,
            confirmed,
        ) in _records(shown(bad), fields)
    ]
    heads = [
        L.html(k)
        for k in (
            "standard",
            "status",
            "client",
            "subject",
            "opened_at",
            "due_at",
            "fulfilled_at",
            "hours_late",
            "evidence",
            "confirmed_phone",
        )
    ]
    parts.append(
        section(
            "late-missed",
            f'{L.html("late_missed")} <span class="en">({L.html("last_12w")})</span>',
            table(
                heads, rows, L, f"{slug}-late-missed.csv", numeric=range(4, 8), table_id="late-missed", total=len(bad)
            ),
        )
    )

    # what falls due next
    parts.append(
        section(
            "due-next",
            L.html("due_next"),
            _at_risk_table(data, L, f"ae/{slug}-due-next.csv", csvs, names, with_ae=False, ae=ae),
        )
    )

    who = [f"<b>{esc(ae)}</b>"]
    if ae in data.left:
        who.append(f'<span class="badge left-badge">{L.html("has_left")}</span>')
    who.append(f'<a href="{esc(obl_href("../", weeks.this, ae=ae))}">{L.html("obligation_list")}</a>')
    if not missing(person.get("team")):
        who.append(f"{L.html('team')}: <b>{esc(person['team'])}</b>")
    if not missing(person.get("supervisor_email")):
        who.append(f"{L.html('supervisor')}: {esc(person['supervisor_email'])}")
    meta = f'<p class="meta">{" · ".join(who)}</p>' + _meta(data, L)
    title = f"{name} — {L.text('scorecard')}"
    html = page(title, "\n".join(parts), L, "../", "ae", meta, picker(data, L, "../", None))
    return Page(f"ae/{slug}.html", html, csvs)


def _client_cell(data: SiteData, account, name, root: str) -> Cell:
    label = name if not missing(name) else account
    if missing(account) or account not in data.client_slugs:
        return text(label, "client")
    return link(f"{root}clients/{data.client_slugs[account]}.html", label, "client")


def _confirmed_cell(is_confirmed, L: Labels) -> Cell:
    """The Friday report's phone confirmation (并以电话向对方确认); — for other standards."""
    if is_confirmed is None or missing(is_confirmed):
        return Cell("—", "small")
    return Cell(
        L.html("confirmed_yes" if is_confirmed else "confirmed_no"), "small " + ("good" if is_confirmed else "bad")
    )


MAX_SOURCES = 5  # export rows named under one evidence cell; the obligation's page shows them all


def _evidence(evidence, sources: list[dict] | None = None, href: str | None = None) -> Cell:
    """Evidence references can run to several Message-IDs: folded, full text one click away. Below the
    sentence, each export row it names (evidence_refs) as a label 'email/li.wei.mbox · message 3' whose
    title says what the row is (kind, role, key, raw table); the exports are not published, so the
    label names the row rather than linking to it (docs/site.md)."""
    if missing(evidence):
        return Cell("—", "small evidence")
    ev = str(evidence)
    sources = sources or []
    rows = "".join(_source_label(s, href) for s in sources[:MAX_SOURCES])
    if len(sources) > MAX_SOURCES and href:  # the obligation's page lists every one
        rows += f'<a class="source" href="{esc(href)}">+{len(sources) - MAX_SOURCES:,}</a>'
    elif len(sources) > MAX_SOURCES:
        rows += f'<span class="source">+{len(sources) - MAX_SOURCES:,}</span>'
    refs = f'<span class="sources">{rows}</span>' if rows else ""
    if len(ev) <= 40:
        return Cell(esc(ev) + refs, "small evidence")
    return Cell(f"<details><summary>{esc(ev[:30])}…</summary>{esc(ev)}</details>" + refs, "small evidence")


def _source_label(src: dict, href: str | None = None) -> str:
    """One export row of an obligation's evidence: readable label, details in the title; a link to the
    obligation's page view, which shows the row's fields (message header, event, CRM row)."""
    where = f"{src['source_file']} · {src['record']}"
    title = (
        f"{src.get('role') or ''} {src.get('kind') or ''} {src.get('key') or ''}: "
        f"{src.get('source_table') or 'row not in the warehouse'}, {src['source_file']} ({src['record']})"
    ).strip()
    if href:
        return f'<a class="source" href="{esc(href)}" title="{esc(title)}">{esc(where)}</a>'
    return f'<span class="source" title="{esc(title)}">{esc(where)}</span>'


# -- equal-treatment.html --------------------------------------------------------------------
def equal_treatment_page(data: SiteData, labels: Labels, opts: Options) -> Page:
    L, weeks = labels, data.weeks
    tiers, gaps = metrics.tier_rates(data.tiers, data.gaps)
    names = _std_names(L, set(tiers["standard"]))
    csvs = {"equal-treatment-rates.csv": tiers, "equal-treatment-gaps.csv": gaps}
    parts = []
    chart = charts.grouped_rates(
        tiers,
        "standard",
        "client_tier",
        names,
        L,
        opts.target,
        f"{L.text('equal_treatment')} — {L.text('tier')} ({L.text('last_12w')})",
        "chart-tiers",
        link=lambda s, t: obl_href("", weeks.mondays, standard=None if s == "*" else s, tier=t),
    )
    win = weeks.mondays

    def std_filter(std_id):
        return None if std_id == "*" else std_id

    rows = [
        [
            link(
                obl_href("", win, standard=std_filter(r.standard), tier=f"{r.best_tier},{r.worst_tier}"),
                names.get(r.standard, r.standard),
            ),
            text(r.best_tier),
            num(f"{pct(r.best_rate)} ({count(r.best_n)})"),
            text(r.worst_tier),
            num(f"{pct(r.worst_rate)} ({count(r.worst_n)})"),
            num(points(r.gap).lstrip("+±"), "bad" if r.flagged else ""),
            num("—" if missing(r.z) else f"{r.z:.2f}"),
            Cell(L.html("significant" if r.is_significant else "not_significant"), "bad" if r.is_significant else ""),
            Cell(
                f'<span class="badge {"bad" if r.flagged else "good"}">{L.html("gap_flagged" if r.flagged else "gap_ok")}</span>'
            ),
        ]
        for r in gaps.itertuples()
    ]
    heads = [
        L.html(k)
        for k in ("standard", "best_tier", "rate", "worst_tier", "rate", "gap", "z_stat", "significant", "flag")
    ]
    equal = data.equal or {}
    gap = float(equal.get("equal_treatment_gap", opts.tier_gap))
    min_n = int(equal.get("equal_treatment_min_n", opts.tier_min_n))
    alpha = float(equal.get("equal_treatment_alpha", opts.tier_alpha))
    note = (
        f"{L.html('equal_note')} {L.html('threshold')}: {esc(points(gap).lstrip('+'))}; "
        f"{L.html('min_n')}: {min_n}; {L.html('alpha')}: {alpha:g} ({L.html('ci')}: {1 - alpha:.0%})."
    )
    parts.append(
        section(
            "gaps",
            L.html("gap"),
            table(heads, rows, L, "equal-treatment-gaps.csv", numeric=[2, 4, 5, 6], table_id="tier-gaps"),
            note,
        )
    )
    # standards down, tiers across: each cell 'rate [low–high] (met/evaluated)', the Wilson interval at 1 - alpha
    tier_names = sorted(set(tiers["client_tier"]), key=lambda t: (t == "unknown", t))
    rows = []
    for std_id in list(dict.fromkeys(tiers["standard"])):
        target = opts.target if std_id == "*" else opts.target_for(std_id)
        cells = [text(names.get(std_id, std_id))]
        for tier in tier_names:
            m = tiers[(tiers["standard"] == std_id) & (tiers["client_tier"] == tier)]
            if m.empty:
                cells.append(num("—"))
            else:
                r = m.iloc[0]
                tier_key = tier
                c = _rate_link(r["rate"], target, obl_href("", win, standard=std_filter(std_id), tier=tier_key))
                c.html += (
                    f' <span class="small">[{esc(pct(r["rate_low"]))}–{esc(pct(r["rate_high"]))}] '
                    f"({int(r['met'])}/{int(r['evaluated'])})</span>"
                )
                cells.append(c)
        rows.append(cells)
    heads = [L.html("standard")] + [esc(t) for t in tier_names]
    parts.append(
        section(
            "tiers",
            L.html("tier"),
            (chart or empty(L))
            + table(
                heads,
                rows,
                L,
                "equal-treatment-rates.csv",
                numeric=range(1, len(tier_names) + 1),
                table_id="tier-rates",
            ),
        )
    )
    parts.insert(0, section("tiers-explained", L.html("tiers_explained"), f"<p>{L.html('tiers_text')}</p>"))
    parts.append(
        section("gap-makers", L.html("gap_makers"), _gap_makers(data, gaps, names, L, csvs), L.html("gap_makers_note"))
    )
    window = f"{weeks.label(weeks.start).split(' ')[0]} – {weeks.label().split(' ')[0]}"
    meta = _meta(data, L, f"{L.html('last_12w')}: <b>{esc(window)}</b> · ")
    html = page(L.text("equal_treatment"), "\n".join(parts), L, "", "equal", meta, picker(data, L, "", None))
    return Page("equal-treatment.html", html, csvs)


def _gap_makers(data: SiteData, gaps: pd.DataFrame, names: dict, L: Labels, csvs: dict) -> str:
    """For each flagged gap, the worst tier's late and missed obligations counted by AE and by client
    (obligation_details of the 12-week window): who and which clients make the gap."""
    cols = ["standard", "tier", "by", "ae", "client_account", "client_name", "late", "missed"]
    out = []
    obl = data.obl
    flagged = gaps[gaps["flagged"]] if not gaps.empty else gaps
    for g in flagged.itertuples():
        rows = obl[(obl["client_tier"] == g.worst_tier) & obl["status"].isin(metrics.LATE)] if not obl.empty else obl
        if g.standard != "*":
            rows = rows[rows["standard"] == g.standard]
        for by, keys in (("ae", ["ae"]), ("client", ["client_account", "client_name"])):
            counted = rows.groupby(keys, dropna=False)["status"].value_counts().unstack(fill_value=0)
            for key, c in counted.iterrows():
                key = key if isinstance(key, tuple) else (key,)
                rec = {
                    "standard": g.standard,
                    "tier": g.worst_tier,
                    "by": by,
                    "late": int(c.get("late", 0)),
                    "missed": int(c.get("missed", 0)),
                }
                rec.update(dict(zip(keys, key, strict=True)))
                out.append(rec)
    frame = pd.DataFrame(out, columns=cols)
    if not frame.empty:
        frame = (
            frame.assign(_n=frame["late"] + frame["missed"])
            .sort_values(["standard", "by", "_n"], ascending=[True, True, False])
            .drop(columns="_n")
        )
    csvs["equal-treatment-gap-makers.csv"] = frame
    people = _names(data)
    win = data.weeks.mondays
    rows = []
    for r in shown(frame).itertuples():
        std = None if r.standard == "*" else r.standard
        if r.by == "ae":
            who = link(f"ae/{data.slugs.get(r.ae, r.ae)}.html", people.get(r.ae, r.ae))
            href = obl_href("", win, standard=std, tier=r.tier, ae=r.ae, status="late,missed")
        else:
            who = _client_cell(data, r.client_account, r.client_name, "")
            href = obl_href("", win, standard=std, tier=r.tier, client=r.client_account, status="late,missed")
        rows.append(
            [
                text(names.get(r.standard, r.standard)),
                text(r.tier),
                text(r.by),
                who,
                num(count(r.late)),
                num(count(r.missed)),
                link(href, "→"),
            ]
        )
    heads = [
        L.html("standard"),
        L.html("tier"),
        "",
        L.html("ae") + " / " + L.html("client"),
        L.html("late"),
        L.html("missed"),
        L.html("obligation_list"),
    ]
    return table(
        heads,
        rows,
        L,
        "equal-treatment-gap-makers.csv",
        numeric=[4, 5],
        table_id="gap-makers",
        filters=[0, 2],
        total=len(frame),
    )


# -- clients/<account>.html ------------------------------------------------------------------
def client_pages(data: SiteData, labels: Labels, opts: Options) -> Iterator[Page]:
    """A page per client account: its AE(s), its obligations over the 12 weeks and its weekly outcomes.
    Made one at a time, as they are written (4,000 clients: not every page in memory at once)."""
    L, weeks = labels, data.weeks
    obl, facts = data.recent_obl, data.facts
    if obl is None or facts is None or not facts.accounts:
        return
    people = _names(data)
    window = obl[(obl["week_start"] >= weeks.start) & (obl["week_start"] < weeks.end + timedelta(days=7))]
    # the pandas work once for every client (400 clients: not a sort and a count per page)
    window = _with_iso(window.sort_values("opened_at", ascending=False, kind="stable"), TIMES)
    in_window = window.groupby("client_account", sort=False).indices if not window.empty else {}  # positions
    cols = ["week_start", "met", "late", "missed"]
    counts = (
        window.groupby(["client_account", "week_start", "status"]).size().unstack(fill_value=0)
        if not window.empty
        else pd.DataFrame()
    )
    counts = counts.reindex(columns=cols[1:], fill_value=0)
    per_client = {acc: g.droplevel(0) for acc, g in counts.groupby(level=0)} if not counts.empty else {}
    ocols = ["standard", "status", "ae", "subject", "opened_at", "due_at", "fulfilled_at", "evidence", "obligation_id"]
    # the CSV copy and the table's values of the whole window once: a client's are its positions in them
    # (_local and _records are cell by cell; a take of every column of the window per client was slow)
    listed_csv = _local(window, TIMES, ocols)
    values = list(_records(window, ["standard", "status", "ae", "subject", *TIMES, "week_start", "obligation_id"]))
    nothing = np.array([], dtype=np.intp)
    for account in facts.accounts:  # every client of every week (their names, tiers and AEs: SQL)
        slug = data.client_slugs[account]
        seen = facts.client_seen.get(account, {})
        names_seen = seen.get("client_name") or [account]
        tiers_seen = seen.get("client_tier") or [None]
        name, tier = names_seen[0], tiers_seen[0]
        aes = seen.get("ae") or []
        mine = in_window.get(account, nothing)  # positions in window, newest first (window is sorted)
        csvs: dict[str, pd.DataFrame] = {}
        per_week = per_client.get(account)
        trend = (
            per_week.reindex(weeks.mondays, fill_value=0).rename_axis("week_start").reset_index()
            if per_week is not None
            else pd.DataFrame(columns=cols)
        )
        chart = charts.outcomes(trend, L, L.text("weekly_outcomes"), "chart-client-outcomes")
        csvs[f"clients/{slug}-obligations.csv"] = listed_csv.take(mine)
        trs = [
            [
                text(L.standard(standard)),
                _status_badge(status, L),
                link(f"../ae/{data.slugs.get(ae, ae)}.html", people.get(ae, ae)) if not missing(ae) else text(None),
                text(subject, "subject"),
                num(opened, "wrap"),  # html.when text (_with_iso)
                num(due, "wrap"),
                num(fulfilled, "wrap"),
                link(obl_href("../", week, o=oid, os=standard, oa=ae), "→"),
            ]
            for standard, status, ae, subject, opened, due, fulfilled, week, oid in (
                values[i]
                for i in mine[:MAX_ROWS]  # the rows html.shown puts on the page
            )
        ]
        heads = [L.html(k) for k in ("standard", "status", "ae", "subject", "opened_at", "due_at", "fulfilled_at")] + [
            L.html("evidence")
        ]
        body = table(
            heads,
            trs,
            L,
            f"{slug}-obligations.csv",
            numeric=[4, 5, 6],
            table_id="client-obligations",
            filters=[0, 1],
            total=len(mine),
        )
        who = [f"<b>{esc(account)}</b>"]
        if tier:
            who.append(f"{L.html('tier')}: <b>{esc(tier)}</b>")
        who.append(
            f"{L.html('ae')}: "
            + ", ".join(
                f'<a href="../ae/{esc(data.slugs.get(a, a))}.html">{esc(people.get(a, a))}</a>'
                + (f' <span class="badge left-badge">{L.html("has_left")}</span>' if a in data.left else "")
                for a in aes
            )
        )
        who.append(f'<a href="{esc(obl_href("../", weeks.mondays, client=account))}">{L.html("obligation_list")}</a>')
        meta = f'<p class="meta">{" · ".join(who)}</p>' + _meta(data, L)
        parts = [
            section("outcomes", L.html("weekly_outcomes"), chart or empty(L)),
            section("obligations", L.html("obligations_12w"), body),
        ]
        html = page(
            f"{name} — {L.text('client_page')}", "\n".join(parts), L, "../", "", meta, picker(data, L, "../", None)
        )
        yield Page(f"clients/{slug}.html", html, csvs)


# -- obligations.html ------------------------------------------------------------------------
def _old_week_csv(facts: ObligationFacts, monday: date, subject_of: Callable[[str], str] | None) -> pd.DataFrame:
    """weeks/<YYYY-Www>-obligations.csv: a week outside the drill-down window, every obligation (read
    from the warehouse when the file is written: one week in memory at a time)."""
    rows = facts.week_rows(monday, subject_of)
    return _local(rows, TIMES, drill.OLD_WEEK_FIELDS)


def obligations_page(
    data: SiteData,
    labels: Labels,
    shards: list[drill.Shard] | None = None,
    order: dict[str, int] | None = None,
    drill_weeks: int = 0,
) -> Page:
    """The list behind every figure: filtered by the URL hash, rows from the data/obl-*.js files the
    filter needs (site.js): `shards` and `order` as drill.week_data_files wrote them. With `drill_weeks`
    (site_drill_weeks; 0: every week) only the last weeks up to the running one have data files; each
    older week's obligations go to weeks/<YYYY-Www>-obligations.csv, which the page names for such a week."""
    from aemetrics.site.static import OBLIGATIONS_JS

    L = labels
    people = _names(data)
    facts = data.facts
    std_ids = facts.standards if facts is not None else []
    if order is None:
        order = facts.order if facts is not None else drill.ae_order(data.aes, None)
    since = drill.window_start(data.running or data.weeks.this + timedelta(days=7), drill_weeks)
    if shards is None:
        recent = drill.split_window(data.recent_obl, since)[0]
        shards = drill.week_data_files(recent, data.refs, data.raw, order)[1]
    makers: dict[str, Callable[[], pd.DataFrame]] = {}
    old_csv: dict[str, str] = {}
    if facts is not None and since is not None:
        for monday in facts.mondays:
            if monday < since:  # before the drill-down window: a CSV of the week instead of data files
                path = week_page(monday).removesuffix(".html") + "-obligations.csv"
                makers[path] = functools.partial(_old_week_csv, facts, monday, data.subject_of)
                old_csv[monday.isoformat()] = path
    csvs = LazyFrames(makers)
    window = {"from": since.isoformat() if since else None, "weeks": drill_weeks, "csv": old_csv}
    index = drill.index_script(
        shards,
        data.latest or data.weeks.this,
        {s: L.standard(s) for s in std_ids},
        {a: (people.get(a, a), data.slugs.get(a, a)) for a in data.aes["ae"]},
        data.client_slugs,
        order,
        facts.teams if facts is not None else {},
        facts.client_aes if facts is not None else {},
        window,
    )
    body = (
        f'<p class="meta" id="obl-filter"></p><section class="card" id="obl"><div class="empty">…</div></section>'
        f"<script>window.AEM_INDEX = {index};</script><script>{OBLIGATIONS_JS}</script>"
    )
    html = page(L.text("obligation_list"), body, L, "", "obligations", _meta(data, L), picker(data, L, "", None))
    return Page("obligations.html", html, csvs)


__all__ = [
    "Page",
    "SiteData",
    "index_page",
    "ae_page",
    "equal_treatment_page",
    "client_pages",
    "obligations_page",
    "ae_slugs",
    "client_slugs",
    "week_page",
]

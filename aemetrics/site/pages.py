"""The pages of the site: each function returns a Page (its HTML and the CSV of every table on it).

CSV files hold the table's data (rates as fractions, times in the business time zone with
their offset, stable snake_case headers) so a download can be re-used; the page shows the
same rows formatted for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from aemetrics.api import RunInfo, Warehouse
from aemetrics.site import charts, metrics
from aemetrics.site.html import (
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
    csvs: dict[str, pd.DataFrame] = field(default_factory=dict)  # path relative to the site folder -> rows


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
    notes: list[str] = field(default_factory=list)  # run_notes: e.g. the staff directory names no AE
    equal: dict | None = None  # equal_treatment_gap / _min_n / _alpha of the build (run_params)
    sources: dict[str, list[dict]] = field(default_factory=dict)  # obligation_id -> evidence_refs rows (late/missed)

    @classmethod
    def load(cls, wh: Warehouse) -> SiteData:
        info = wh.run_info()
        weeks = Weeks.ending(wh.latest_complete_week())
        aes = wh.aes()
        kpi = wh.kpi_weekly()
        obl = wh.obligations(since=weeks.start, until=weeks.end)
        at_risk = wh.at_risk()
        known = set(aes["ae"])
        extra = sorted((set(kpi["ae"]) | set(obl["ae"]) | set(at_risk["ae"])) - known - {None})
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
        data.notes = wh.run_notes()
        data.equal = wh.equal_treatment_settings()
        data.sources = _evidence_sources(wh, obl)
        return data


def _evidence_sources(wh: Warehouse, obl: pd.DataFrame) -> dict[str, list[dict]]:
    """The export rows named by the evidence of the obligations the scorecards list (late, missed)."""
    if obl.empty:
        return {}
    ids = sorted(set(obl.loc[obl["status"].isin(["late", "missed"]), "obligation_id"]))
    if not ids:
        return {}
    out: dict[str, list[dict]] = {}
    for row in wh.evidence_sources(ids).to_dict("records"):
        out.setdefault(row["obligation_id"], []).append(row)
    return out


def ae_slugs(emails: list[str]) -> dict[str, str]:
    """Page names from the email's local part; the domain is added only where two AEs share one."""

    def clean(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("._") or "ae"

    locals_ = {e: clean(e.split("@")[0]) for e in emails}
    seen: dict[str, int] = {}
    for v in locals_.values():
        seen[v] = seen.get(v, 0) + 1
    return {e: (v if seen[v] == 1 else clean(e.replace("@", "_at_"))) for e, v in locals_.items()}


def _names(data: SiteData) -> dict[str, str]:
    return {r.ae: (r.name if not missing(r.name) else r.ae) for r in data.aes.itertuples()}


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


def _status_badge(status: str, labels: Labels) -> Cell:
    return Cell(f'<span class="badge {esc(status)}">{labels.html(status)}</span>')


def _on_target_badge(on_target, labels: Labels) -> Cell:
    if on_target is None or missing(on_target):
        return Cell('<span class="badge muted">—</span>')
    key, cls = ("on_target", "good") if on_target else ("below_target", "bad")
    return Cell(f'<span class="badge {cls}">{labels.html(key)}</span>')


def _local(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """CSV copy: timestamps as ISO text with the business offset (Excel-friendly, unambiguous)."""
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = out[c].map(lambda v: v.isoformat() if not missing(v) else "")
    return out


# -- index.html ------------------------------------------------------------------------------
def index_page(data: SiteData, labels: Labels, opts: Options) -> Page:
    L, weeks = labels, data.weeks
    std = metrics.standards_table(data.std_weekly, weeks, opts)
    names = _std_names(L, std["standard"])
    csvs: dict[str, pd.DataFrame] = {}
    parts: list[str] = []

    # what the reader must be told first (run_notes: a directory without any AE, ...)
    if data.notes:
        notes = "".join(f'<p class="bad">{esc(note)}</p>' for note in data.notes)
        parts.append(section("run-notes", L.html("run_notes"), notes))

    # headline cards
    this_week = std[std["met"] + std["late"] + std["missed"] > 0]
    if this_week.empty:
        parts.append(section("summary", L.html("summary"), empty(L)))
    else:
        cards = []
        for r in this_week.itertuples():
            cls = "good" if r.on_target else "bad"
            cards.append(
                f'<div class="kpi {cls}"><div class="k-name">{esc(names[r.standard])}</div>'
                f'<div class="k-rate">{esc(pct(r.rate))}</div>'
                f'<div class="k-sub">{L.html("last_week")} {esc(pct(r.rate_last_week))} · {esc(points(r.change))}<br>'
                f"{L.html('target')} {esc(pct(r.target))} · {r.met}/{r.met + r.late + r.missed}</div></div>"
            )
        parts.append(f'<div class="kpis">{"".join(cards)}</div>')

    # standards table
    csvs["index-standards.csv"] = std
    rows = [
        [
            text(names[r.standard]),
            rate_cell(r.rate, r.target),
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
        for r in std.itertuples()
    ]
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
    body = table(heads, rows, L, "index-standards.csv", numeric=[*range(1, 10), 11], table_id="standards")
    if std.empty:
        body = empty(L) + body
    parts.append(section("standards", L.html("per_standard"), body))

    # 12-week trend
    tr = metrics.trend(data.std_weekly, weeks, "standard")
    csvs["index-trend.csv"] = tr
    chart = charts.trend(
        tr, "standard", _std_names(L, tr["standard"]), L, opts.target, L.text("weekly_rate_by_standard"), "chart-trend"
    )
    parts.append(section("trend", L.html("trend_12w"), (chart or empty(L)) + _csv_link(L, "index-trend.csv")))

    # teams side by side
    teams = metrics.teams_table(data.team_weekly, weeks.this)
    if not teams.empty:  # an AE missing from the staff directory has no team: still counted, named so
        teams["team"] = teams["team"].fillna(L.text("no_team"))
    csvs["index-teams.csv"] = teams
    chart = charts.grouped_rates(
        teams,
        "standard",
        "team",
        _std_names(L, teams["standard"]) if not teams.empty else {},
        L,
        opts.target,
        f"{L.text('team_rates')} — {weeks.label()}",
        "chart-teams",
    )
    team_names = sorted(teams["team"].dropna().unique()) if not teams.empty else []
    rows = []
    for s in metrics.standard_order(teams["standard"].unique()) if not teams.empty else []:
        cells = [text(names.get(s, s))]
        for t in team_names:
            m = teams[(teams["standard"] == s) & (teams["team"] == t)]
            rate = m["rate"].iloc[0] if len(m) else None
            cells.append(rate_cell(rate, opts.target_for(s)))
        rows.append(cells)
    team_table = table(
        [L.html("standard")] + [esc(t) for t in team_names],
        rows,
        L,
        "index-teams.csv",
        numeric=range(1, len(team_names) + 1),
        table_id="teams",
    )
    parts.append(section("teams", L.html("teams"), (chart or empty(L)) + team_table))

    # league table
    lg = metrics.league(data.scorecard)
    csvs["index-league.csv"] = lg
    rows = [
        [
            num("—" if missing(r.rank) else str(int(r.rank))),
            link(f"ae/{data.slugs.get(r.ae, r.ae)}.html", r.name, "nowrap"),
            text(r.team, "nowrap"),
            rate_cell(r.rate, opts.target),
            num(count(r.met)),
            num(count(r.late)),
            num(count(r.missed)),
            num(count(r.evaluated)),
            num(count(r.at_risk)),
        ]
        for r in lg.itertuples()
    ]
    heads = [L.html(k) for k in ("rank", "ae", "team", "this_week", "met", "late", "missed", "evaluated", "at_risk")]
    chart = charts.league(lg, L, opts.target, L.text("ae_rates_week"), "chart-league")
    parts.append(
        section(
            "league",
            L.html("league"),
            f'<div class="grid2 wide-left"><div>{table(heads, rows, L, "index-league.csv", numeric=[0, *range(3, 9)], table_id="league-table")}</div>'
            f"<div>{chart or empty(L)}</div></div>",
        )
    )

    # heat map of late replies
    grid = metrics.late_reply_heatmap(data.obl, weeks)
    long = grid.stack().rename("count").reset_index()
    long.columns = ["weekday", "hour", "count"]
    long.insert(1, "weekday_name", [L.weekday(d) for d in long["weekday"]])
    csvs["index-late-reply-heatmap.csv"] = long
    chart = charts.heatmap(grid, L, f"{L.text('heatmap')} ({data.info.business_timezone})", "chart-heatmap")
    parts.append(
        section(
            "heatmap",
            L.html("heatmap"),
            (chart or empty(L, "no_rows")) + _csv_link(L, "index-late-reply-heatmap.csv"),
            L.html("heatmap_note"),
        )
    )

    # at-risk list
    parts.append(
        section(
            "at-risk",
            L.html("at_risk"),
            _at_risk_table(data, L, "index-at-risk.csv", csvs, names, with_ae=True),
            L.html("at_risk_note"),
        )
    )

    # data quality
    parts.append(section("data-quality", L.html("data_quality"), _quality(data, L, csvs)))

    title = (
        f"{L.text('weekly_review')} · {weeks.label()}"
        if L.lang != "zh-en"
        else f"{L.text('weekly_review')} — {weeks.label()}"
    )
    return Page("index.html", page(title, "\n".join(parts), L, "", "index", _meta(data, L)), csvs)


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
    risk = data.at_risk if ae is None else data.at_risk[data.at_risk["ae"] == ae]
    people = _names(data)
    cols = ["ae", "standard", "client_account", "client_name", "opened_at", "due_at", "hours_left", "obligation_id"]
    csvs[csv_name] = _local(risk.reindex(columns=cols), ["opened_at", "due_at"])
    href = csv_name.split("/")[-1]
    rows = []
    for r in risk.itertuples():
        cells = [link(f"ae/{data.slugs.get(r.ae, r.ae)}.html", people.get(r.ae, r.ae))] if with_ae else []
        cells += [
            text(L.standard(r.standard)),
            text(r.client_name if not missing(r.client_name) else r.client_account, "client"),
            num(when(r.opened_at)),
            num(when(r.due_at)),
            num(hours(r.hours_left), "bad" if not missing(r.hours_left) and r.hours_left < 12 else ""),
        ]
        rows.append(cells)
    heads = ([L.html("ae")] if with_ae else []) + [
        L.html(k) for k in ("standard", "client", "opened_at", "due_at", "hours_left")
    ]
    first = 1 if with_ae else 0
    return table(heads, rows, L, href, numeric=range(first + 2, first + 5), table_id="at-risk-table")


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
        for r in reasons.itertuples()
    ]
    heads = [L.html(k) for k in ("source_kind", "reason", "count", "files", "example")]
    right = table(heads, rows, L, "index-quarantine-reasons.csv", numeric=[2, 3], table_id="quarantine-reasons")
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
        for r in checks.itertuples()
    ]
    heads = [
        L.html(k) for k in ("stage", "table", "expectation", "column", "result", "count", "on_failure", "observed")
    ]
    failed = int((~checks["success"].astype(bool)).sum()) if len(checks) else 0
    summary = (
        f'<p class="meta">{L.html("checks")}: {len(checks)} · {L.html("pass")} {len(checks) - failed} · '
        f"{L.html('fail')} <b>{failed}</b></p>"
    )
    return summary + table(heads, rows, L, "index-checks.csv", numeric=[5], table_id="checks")


# -- ae/<slug>.html --------------------------------------------------------------------------
def ae_page(data: SiteData, ae: str, labels: Labels, opts: Options) -> Page:
    L, weeks = labels, data.weeks
    slug = data.slugs[ae]
    person = data.aes[data.aes["ae"] == ae].iloc[0]
    name = person["name"] if not missing(person.get("name")) else ae
    csvs: dict[str, pd.DataFrame] = {}
    parts: list[str] = []

    # rates against target and team median
    st = metrics.ae_standards(data.scorecard, ae, opts)
    names = _std_names(L, st["standard"])
    csvs[f"ae/{slug}-rates.csv"] = st
    rows = [
        [
            text(names[r.standard]),
            rate_cell(r.rate, r.target),
            num(pct(r.team_median)),
            rate_cell(r.rate_12w, r.target),
            num(pct(r.team_median_12w)),
            num(pct(r.target)),
            num(count(r.met)),
            num(count(r.late)),
            num(count(r.missed)),
            num(count(r.at_risk)),
        ]
        for r in st.itertuples()
    ]
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
    mine = data.kpi[data.kpi["ae"] == ae] if not data.kpi.empty else data.kpi
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
    bad = data.obl[(data.obl["ae"] == ae) & data.obl["status"].isin(metrics.LATE)] if not data.obl.empty else data.obl
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
    csvs[f"ae/{slug}-late-missed.csv"] = _local(bad.reindex(columns=cols), ["opened_at", "due_at", "fulfilled_at"])
    rows = [
        [
            text(L.standard(r.standard)),
            _status_badge(r.status, L),
            text(r.client_name if not missing(r.client_name) else r.client_account, "client"),
            text(r.subject, "subject"),
            num(when(r.opened_at), "wrap"),
            num(when(r.due_at), "wrap"),
            num(when(r.fulfilled_at), "wrap"),
            num(hours(r.hours_late)),
            _evidence(r.evidence, data.sources.get(r.obligation_id, [])),
            _confirmed_cell(getattr(r, "is_confirmed", None), L),
        ]
        for r in bad.itertuples()
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
            table(heads, rows, L, f"{slug}-late-missed.csv", numeric=range(4, 8), table_id="late-missed"),
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
    if not missing(person.get("team")):
        who.append(f"{L.html('team')}: <b>{esc(person['team'])}</b>")
    if not missing(person.get("supervisor_email")):
        who.append(f"{L.html('supervisor')}: {esc(person['supervisor_email'])}")
    meta = f'<p class="meta">{" · ".join(who)}</p>' + _meta(data, L)
    title = f"{name} — {L.text('scorecard')}"
    return Page(f"ae/{slug}.html", page(title, "\n".join(parts), L, "../", "ae", meta), csvs)


def _confirmed_cell(is_confirmed, L: Labels) -> Cell:
    """The Friday report's phone confirmation (并以电话向对方确认); — for other standards."""
    if is_confirmed is None or missing(is_confirmed):
        return Cell("—", "small")
    return Cell(
        L.html("confirmed_yes" if is_confirmed else "confirmed_no"), "small " + ("good" if is_confirmed else "bad")
    )


def _evidence(evidence, sources: list[dict] | None = None) -> Cell:
    """Evidence references can run to several Message-IDs: folded, full text one click away. Below the
    sentence, each export row it names (evidence_refs) as a label 'email/li.wei.mbox · message 3' whose
    title says what the row is (kind, role, key, raw table); the exports are not published, so the
    label names the row rather than linking to it (docs/site.md)."""
    if missing(evidence):
        return Cell("—", "small evidence")
    ev = str(evidence)
    rows = "".join(_source_label(s) for s in sources or [])
    refs = f'<span class="sources">{rows}</span>' if rows else ""
    if len(ev) <= 40:
        return Cell(esc(ev) + refs, "small evidence")
    return Cell(f"<details><summary>{esc(ev[:30])}…</summary>{esc(ev)}</details>" + refs, "small evidence")


def _source_label(src: dict) -> str:
    """One export row of an obligation's evidence: readable label, details in the title."""
    where = f"{src['source_file']} · {src['record']}"
    title = (
        f"{src.get('role') or ''} {src.get('kind') or ''} {src.get('key') or ''}: "
        f"{src.get('source_table') or 'row not in the warehouse'}, {src['source_file']} ({src['record']})"
    ).strip()
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
    )
    rows = [
        [
            text(names.get(r.standard, r.standard)),
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
                c = rate_cell(r["rate"], target)
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
    window = f"{weeks.label(weeks.start).split(' ')[0]} – {weeks.label().split(' ')[0]}"
    meta = _meta(data, L, f"{L.html('last_12w')}: <b>{esc(window)}</b> · ")
    return Page("equal-treatment.html", page(L.text("equal_treatment"), "\n".join(parts), L, "", "equal", meta), csvs)


__all__ = ["Page", "SiteData", "index_page", "ae_page", "equal_treatment_page", "ae_slugs"]

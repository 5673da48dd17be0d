"""HTML building blocks: the page shell, tables, cards, number formats and the site stylesheet.

Plain f-strings; every value from the warehouse goes through `esc()` (html.escape) exactly
once, in the cell/heading helpers here, so pages cannot be broken by a subject like "<b>".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from aemetrics.site.labels import Labels

DASH = "—"
MAX_ROWS = 300  # rows of one table on a page; the CSV beside it holds them all


# Names, standards, subjects and labels repeat on every page: each escaped once. A plain dict is
# looked up faster than lru_cache's wrapper (~670K calls at 100 AEs); emptied when it is full.
_ESCAPED: dict[str, str] = {}
_ESCAPED_MAX = 1 << 18


def esc(value: Any) -> str:
    if type(value) is str:
        out = _ESCAPED.get(value)
        if out is None:
            if len(_ESCAPED) >= _ESCAPED_MAX:
                _ESCAPED.clear()
            out = _ESCAPED[value] = escape(value, quote=True)
        return out
    return escape("" if value is None else str(value), quote=True)


# the types of a table's cells, by whether they are missing: no pandas call for these
_NEVER_MISSING = frozenset({str, int, bool, pd.Timestamp, datetime, date, np.int64, np.bool_, np.int32})
_ALWAYS_MISSING = frozenset({type(pd.NaT), type(pd.NA), type(None)})


def missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (what a null becomes in a DataFrame)."""
    kind = type(value)
    if kind in _NEVER_MISSING:  # the common cells
        return False
    if kind is float or kind is np.float64:
        return value != value
    if kind in _ALWAYS_MISSING:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like: not a missing scalar
        return False


def pct(rate: Any) -> str:
    """0.75 -> '75%', 0.8181 -> '81.8%', None -> '—'."""
    if missing(rate):
        return DASH
    text = f"{float(rate) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def points(delta: Any) -> str:
    """A change of rate in percentage points: '+5 pp', '−25 pp'."""
    if missing(delta):
        return DASH
    value = float(delta) * 100
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    sign = "+" if value > 0.0005 else ("−" if value < -0.0005 else "±")
    return f"{sign}{text} pp"


def when(ts: Any) -> str:
    """An aware timestamp as local wall-clock text (the API already converted it)."""
    if missing(ts):
        return DASH
    if isinstance(ts, datetime):
        if ts.year >= 1000:  # what strftime writes, without its cost (pd.Timestamp's is slow)
            return f"{ts.year}-{ts.month:02d}-{ts.day:02d} {ts.hour:02d}:{ts.minute:02d}"
        return ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(ts, date):
        return ts.isoformat()
    return str(ts)


def hours(value: Any) -> str:
    return DASH if missing(value) else f"{float(value):.1f} h"


def count(value: Any) -> str:
    return DASH if missing(value) else f"{int(value):,}"


@dataclass
class Cell:
    """A table cell: `html` is trusted markup built by the helpers; text goes through esc()."""

    html: str
    cls: str = ""
    sort: Any = None
    span: int = 1  # columns it spans (a group heading row: one cell across the table)


def text(value: Any, cls: str = "") -> Cell:
    return Cell(esc(value) if not missing(value) else DASH, cls)


_NUM_CLS = {"": "num", "wrap": "num wrap"}


def num(value: str, cls: str = "") -> Cell:
    return Cell(esc(value), _NUM_CLS.get(cls) or f"num {cls}".strip())


def rate_cell(rate: Any, target: float | None = None) -> Cell:
    cls = "num"
    if not missing(rate) and target is not None:
        cls += " good" if float(rate) >= target - 1e-12 else " bad"
    return Cell(esc(pct(rate)), cls)


def link(href: str, label: Any, cls: str = "") -> Cell:
    return Cell(f'<a href="{esc(href)}">{esc(label)}</a>', cls)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    labels: Labels,
    csv_href: str | None = None,
    numeric: Iterable[int] = (),
    table_id: str = "",
    max_rows: int | None = MAX_ROWS,
    filters: Iterable[int] = (),
    total: int | None = None,
) -> str:
    """A readable table with a CSV download link; an empty table becomes an empty-state note.

    The page holds at most `max_rows` rows (a site of 1,000 AEs stays under the page limit); the
    note under it says how many more there are, and the CSV holds every row. Headers listed in
    `filters` get a drop-down filter; site.js makes every table sortable and searchable. `total`: the
    number of rows of the whole table when the caller built only the first `max_rows` (`shown`)."""
    rows = list(rows)
    n = max(total or 0, len(rows))
    download = f'<a class="csv" href="{esc(csv_href)}" download>↓ {labels.html("download_csv")}</a>' if csv_href else ""
    if not rows:
        return f'<div class="empty">{labels.html("no_rows")}</div>{download}'
    more = ""
    if max_rows is not None and n > max_rows:
        more = (
            f'<p class="note more">{labels.html("rows_shown")}: {max_rows:,} / {n:,} — {labels.html("rest_in_csv")}</p>'
        )
        rows = rows[:max_rows]
    numeric, filters = set(numeric), set(filters)
    head = "".join(
        f'<th class="{"num" if i in numeric else ""}"{" data-filter" if i in filters else ""}>{h}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        [
            "<tr>"
            + "".join([f'<td class="{c.cls}"{f" colspan={c.span}" if c.span > 1 else ""}>{c.html}</td>' for c in r])
            + "</tr>"
            for r in rows
        ]
    )
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return (
        f'<div class="table-wrap"><table{ident} class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
        f"{more}{download}"
    )


def shown(frame: Any, max_rows: int | None = MAX_ROWS) -> Any:
    """The rows of a frame a table puts on its page (pass `total=len(frame)` to `table`): cells are
    built for these only."""
    return frame if max_rows is None else frame.head(max_rows)


def section(anchor: str, title_html: str, body: str, note_html: str = "") -> str:
    note = f'<p class="note">{note_html}</p>' if note_html else ""
    return f'<section id="{esc(anchor)}" class="card"><h2>{title_html}</h2>{note}{body}</section>'


def empty(labels: Labels, key: str = "no_data") -> str:
    return f'<div class="empty">{labels.html(key)}</div>'


def page(
    title: str, body: str, labels: Labels, root: str, active: str, subtitle_html: str = "", picker_html: str = ""
) -> str:
    """The shell every page shares: head (one stylesheet, one plotly.min.js), nav bar, footer."""
    nav_items = [
        ("index.html", "weekly_review", "index"),
        ("index.html#league", "scorecards", "ae"),
        ("equal-treatment.html", "equal_treatment", "equal"),
        ("obligations.html", "obligation_list", "obligations"),
    ]
    nav = "".join(
        f'<a class="{"active" if key == active else ""}" href="{root}{href}">{labels.html(label)}</a>'
        for href, label, key in nav_items
    )
    return f"""<!doctype html>
<html lang="{labels.html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="stylesheet" href="{root}site.css">
<script src="{root}plotly.min.js"></script>
<script src="{root}site.js"></script>
</head>
<body>
<header class="topbar"><div class="brand">{labels.html("site_title")}</div><nav>{nav}</nav>{picker_html}</header>
<main>
<div class="page-head"><h1>{esc(title)}</h1>{subtitle_html}</div>
{body}
</main>
<footer>aemetrics · {labels.html("privacy")}</footer>
</body>
</html>
"""


CSS = """
:root { --ink:#1f2933; --muted:#667085; --line:#e4e7ec; --bg:#f5f7fa; --card:#fff; --accent:#1d4ed8;
        --good:#067647; --good-bg:#ecfdf3; --bad:#b42318; --bad-bg:#fef3f2; --nav:#0f1f3d; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei",
             "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
.topbar { position:sticky; top:0; z-index:10; display:flex; align-items:center; gap:28px;
          padding:0 28px; height:52px; background:var(--nav); color:#fff; box-shadow:0 1px 3px rgba(0,0,0,.2); }
.topbar .brand { font-weight:600; font-size:15px; letter-spacing:.3px; }
.topbar .brand .en { color:#9fb3d9; font-weight:400; }
.topbar nav { display:flex; gap:4px; flex-wrap:wrap; }
.topbar nav a { color:#d6e0f5; text-decoration:none; padding:6px 12px; border-radius:6px; }
.topbar nav a .en { color:#8ea3c9; font-size:12px; }
.topbar nav a:hover, .topbar nav a.active { background:rgba(255,255,255,.12); color:#fff; }
main { max-width:1280px; margin:0 auto; padding:20px 28px 40px; }
.page-head h1 { margin:8px 0 4px; font-size:24px; }
.page-head .meta { color:var(--muted); margin:0 0 12px; }
.page-head .meta b { color:var(--ink); font-weight:600; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 20px 18px;
        margin:16px 0; box-shadow:0 1px 2px rgba(16,24,40,.04); }
.card h2 { margin:0 0 6px; font-size:17px; }
.en { color:var(--muted); font-weight:400; }
h2 .en { font-size:.85em; }
.note { color:var(--muted); margin:0 0 10px; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
.grid2 > .card { margin:0; }
.grid2.wide-left { grid-template-columns:3fr 2fr; }
td.nowrap { white-space:nowrap; }
td.client { min-width:9em; }
td.subject { min-width:12em; }
td.evidence { min-width:12em; max-width:16em; }
td.evidence summary { cursor:pointer; }
td.evidence details[open] summary { margin-bottom:4px; }
td.evidence .source { display:block; color:#555; font-family:monospace; font-size:90%; }
@media (max-width: 1000px) { .grid2, .grid2.wide-left { grid-template-columns:1fr; } }
.kpis { display:grid; grid-template-columns:repeat(auto-fill, minmax(200px, 1fr)); gap:12px; margin:12px 0; }
.kpi { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--line); border-radius:10px; padding:12px 14px; }
.kpi.good { border-left-color:var(--good); } .kpi.bad { border-left-color:var(--bad); }
.kpi .k-name { font-size:13px; color:var(--ink); min-height:2.6em; }
.kpi .k-rate { font-size:28px; font-weight:650; font-variant-numeric:tabular-nums; }
.kpi.good .k-rate { color:var(--good); } .kpi.bad .k-rate { color:var(--bad); }
.kpi .k-sub { color:var(--muted); font-size:12px; }
.table-wrap { overflow-x:auto; max-height:560px; overflow-y:auto; border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { position:sticky; top:0; background:#f9fafb; font-weight:600; font-size:13px; z-index:1; vertical-align:bottom; }
th .en { display:block; font-size:11px; white-space:nowrap; }
tbody tr:nth-child(even) { background:#fcfcfd; }
tbody tr:hover { background:#f0f5ff; }
td:first-child { min-width:150px; }
td.num, th.num { text-align:right; white-space:nowrap; }
td.num.wrap { white-space:normal; min-width:6.5em; }
td.good { color:var(--good); font-weight:600; } td.bad { color:var(--bad); font-weight:600; }
td.small, .small { font-size:12px; color:var(--muted); word-break:break-all; }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; white-space:nowrap; }
.badge.good { background:var(--good-bg); color:var(--good); } .badge.bad { background:var(--bad-bg); color:var(--bad); }
.badge.late { background:#fffaeb; color:#b54708; } .badge.missed { background:var(--bad-bg); color:var(--bad); }
.badge.muted { background:#f2f4f7; color:var(--muted); }
a { color:var(--accent); }
a.csv { display:inline-block; margin-top:8px; font-size:12px; text-decoration:none; }
a.csv:hover { text-decoration:underline; }
.empty { padding:22px; text-align:center; color:var(--muted); background:#f9fafb; border:1px dashed var(--line); border-radius:8px; }
td.group { background:#f9fafb; color:var(--ink, #101828); padding-top:10px; }
td.no-data { color:var(--muted); font-style:italic; }
.chart { min-height:200px; }
footer { text-align:center; color:var(--muted); font-size:12px; padding:24px; }
.topbar { height:auto; min-height:52px; flex-wrap:wrap; row-gap:4px; padding-top:6px; padding-bottom:6px; }
.topbar .weeks { margin-left:auto; }
.topbar select.week-picker { max-width:100%; font:inherit; padding:3px 6px; border-radius:6px; }
.grid2 > * { min-width:0; }
.js-plotly-plot, .plotly-graph-div { max-width:100%; }
.table-tools { display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin:4px 0 6px; }
.table-tools input, .table-tools select { font:inherit; padding:3px 6px; border:1px solid var(--line); border-radius:6px; max-width:100%; }
th.sortable { cursor:pointer; } th[data-dir="asc"]::after { content:" ▲"; } th[data-dir="desc"]::after { content:" ▼"; }
a.kpi-link { color:inherit; text-decoration:none; display:block; }
a.kpi-link:hover .kpi { border-color:var(--accent); }
.kpi.nodata { border-left-color:var(--muted); } .kpi.nodata .k-rate { font-size:15px; color:var(--muted); }
td.nodata, span.nodata { color:var(--muted); font-style:italic; }
.checklist li { margin:2px 0; } .checklist .found { color:var(--good); } .checklist .missing { color:var(--bad); font-weight:600; }
.left-badge { background:#f2f4f7; color:var(--muted); }
table.kv th { position:static; width:12em; } table.kv td { word-break:break-word; }
a.source { display:block; font-family:monospace; font-size:90%; }
@media (max-width: 700px) {
  .topbar { position:static; padding:6px 12px; gap:8px; }
  .topbar nav a { padding:4px 6px; }
  .topbar .weeks { margin-left:0; width:100%; }
  main { padding:12px 10px 30px; }
  .card { padding:12px 10px; }
  .page-head h1 { font-size:20px; overflow-wrap:anywhere; }
  td:first-child { min-width:0; }
  td.client, td.subject, td.evidence { min-width:0; }
  .kpis { grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); }
  .table-wrap { max-width:100%; }
}
@media print {
  .topbar, .noprint, a.csv, .table-tools, footer { display:none !important; }
  body { background:#fff; font-size:11px; }
  main { max-width:none; padding:0; }
  .card { box-shadow:none; border:none; padding:4px 0; break-inside:auto; }
  .table-wrap { max-height:none !important; overflow:visible !important; border:none; }
  th { position:static; }
  tr { break-inside:avoid; }
  tbody tr { display:table-row !important; }
  .chart, .js-plotly-plot, .plotly-graph-div, .kpi, .grid2 > div { break-inside:avoid; page-break-inside:avoid; }
  .grid2, .grid2.wide-left { grid-template-columns:1fr; }
  details > *:not(summary) { display:block; }
  a { color:inherit; text-decoration:none; }
}
"""

"""Plotly figures of the site. Each builder returns an HTML <div> (no plotly.js: the page loads
plotly.min.js once) or None when there is nothing to draw, so the page shows an empty state.

Figures are plain dicts rendered with validate=False: building graph_objects validates and
deep-copies the template on every update (~70 ms a figure), which made a site of 50 AEs slow.
The dicts use only documented Plotly attributes; the browser test checks they draw.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.io as pio

from aemetrics.site.html import missing
from aemetrics.site.labels import Labels

FONT = 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
PALETTE = ["#1d4ed8", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#ec4899", "#84cc16", "#64748b", "#14b8a6"]
STATUS_COLOURS = {"met": "#12b76a", "late": "#f79009", "missed": "#d92d20"}
TARGET_COLOUR = "#b42318"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@lru_cache(maxsize=1)
def _template() -> dict:
    return pio.templates["plotly_white"].to_plotly_json()


def _layout(title: str, height: int = 360, **kw: Any) -> dict:
    layout = {
        "template": _template(),
        "height": height,
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "font": {"family": FONT, "size": 12, "color": "#1f2933"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        # legends at the right: below the plot they collide with the x-axis title once they wrap
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        "hoverlabel": {"font": {"family": FONT}},
        "shapes": [],
        "annotations": [],
    }
    layout.update(kw)
    return layout


def _rate_axis(labels: Labels, top: float = 1.05) -> dict:
    return {"tickformat": ".0%", "range": [0, top], "title": {"text": labels.text("rate")}}


def _div(data: list[dict], layout: dict, div_id: str) -> str:
    html = pio.to_html(
        {"data": data, "layout": layout},
        config=CONFIG,
        include_plotlyjs=False,
        full_html=False,
        validate=False,
        div_id=div_id,
    )
    return f'<div class="chart">{html}</div>'


def _target_line(layout: dict, target: float, labels: Labels, vertical: bool = False) -> None:
    line = {"dash": "dash", "color": TARGET_COLOUR, "width": 1.5}
    if vertical:  # no room for a label above a bar list: the axis title names the target
        layout["shapes"].append(
            {"type": "line", "xref": "x", "x0": target, "x1": target, "yref": "paper", "y0": 0, "y1": 1, "line": line}
        )
        return
    layout["shapes"].append(
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": target, "y1": target, "line": line}
    )
    layout["annotations"].append(
        {
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": "y",
            "y": target,
            "yanchor": "bottom",
            "showarrow": False,
            "text": f"{labels.text('target')} {target:.0%}",
            "font": {"color": TARGET_COLOUR, "size": 11},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    )


def _zero_if_nan(values) -> list:
    return [0 if missing(v) else v for v in values]


def _none_if_nan(values) -> list:
    return [None if pd.isna(v) else float(v) for v in values]


def trend(
    trend_df: pd.DataFrame, by: str, names: dict[str, str], labels: Labels, target: float, title: str, div_id: str
) -> str | None:
    """Weekly rate lines, one per `by` value (in the caller's order), with the target dashed."""
    if trend_df.empty or trend_df["rate"].notna().sum() == 0:
        return None
    data = []
    for i, (key, g) in enumerate(_by_week(trend_df, by)):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": names.get(key, str(key)),
                "x": [d.isoformat() for d in g["week_start"]],
                "y": _none_if_nan(g["rate"]),
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
                "connectgaps": False,
                "customdata": [[int(m), int(n)] for m, n in zip(g["met"], g["evaluated"], strict=True)],
                "hovertemplate": "%{x|%Y-%m-%d}: %{y:.1%} (%{customdata[0]}/%{customdata[1]})<extra>%{fullData.name}</extra>",
            }
        )
    layout = _layout(
        title,
        xaxis={"title": {"text": labels.text("week")}, "type": "date", "tickformat": "%m-%d"},
        yaxis=_rate_axis(labels),
    )
    _target_line(layout, target, labels)
    return _div(data, layout, div_id)


def _by_week(df: pd.DataFrame, by: str) -> list[tuple[Any, dict[str, list]]]:
    """Each `by` value (first seen first) with its rows' week_start, rate, met and evaluated in week
    order: the rows `df[df[by] == key].sort_values("week_start")` picks (a missing key: none), as
    lists, without a pandas filter and sort per line (a trend's grid has each week once per key)."""
    cols = {c: df[c].tolist() for c in ("week_start", "rate", "met", "evaluated")}
    weeks = cols["week_start"]
    rows: dict[Any, list[int]] = {}
    for n, k in enumerate(df[by].tolist()):
        rows.setdefault(k, []).append(n)
    out = []
    for key in dict.fromkeys(df[by]):
        idx = [] if missing(key) else rows.get(key, [])
        picked = [weeks[n] for n in idx]
        if len(set(picked)) == len(picked) and not any(missing(w) for w in picked):
            idx = sorted(idx, key=weeks.__getitem__)
            out.append((key, {c: [v[n] for n in idx] for c, v in cols.items()}))
        else:  # a week twice or missing: pandas' own order
            g = df[df[by] == key].sort_values("week_start")
            out.append((key, {c: g[c].tolist() for c in cols}))
    return out


def grouped_rates(
    df: pd.DataFrame,
    x: str,
    group: str,
    x_names: dict[str, str],
    labels: Labels,
    target: float,
    title: str,
    div_id: str,
    group_names: dict[str, str] | None = None,
    link=None,
) -> str | None:
    """Bars of rate per x value, one colour per group (teams, tiers, AE against team median).
    `link(x, group)` gives the href of a bar's obligations (last item of its customdata; site.js
    opens it on click)."""
    df = df[df["rate"].notna()] if not df.empty else df
    if df.empty:
        return None
    x_order = list(dict.fromkeys(df[x]))
    ticks = [x_names.get(v, str(v)).replace(" / ", "<br>") for v in x_order]
    data = []
    keys = sorted(df[group].unique(), key=str)
    for i, (key, g) in enumerate(zip(keys, _bars(df, x, group, x_order, keys), strict=True)):
        data.append(
            _interval(
                {
                    "type": "bar",
                    "name": (group_names or {}).get(key, str(key)),
                    "x": ticks,
                    "y": _none_if_nan(g["rate"]),
                    "marker": {"color": PALETTE[i % len(PALETTE)]},
                    "textposition": "outside",
                    "cliponaxis": False,
                    "textfont": {"size": 11 if len(x_order) * df[group].nunique() <= 16 else 9},
                    "text": [f"{v:.0%}" if pd.notna(v) else "" for v in g["rate"]],
                    "customdata": [
                        [int(m), int(n)] + ([link(xv, key)] if link is not None else [])
                        for xv, m, n in zip(x_order, _zero_if_nan(g["met"]), _zero_if_nan(g["evaluated"]), strict=True)
                    ],
                    "hovertemplate": "%{x}: %{y:.1%} (%{customdata[0]}/%{customdata[1]})<extra>%{fullData.name}</extra>",
                },
                g,
            )
        )
    tick_size = 12 if len(x_order) <= 5 else 10  # eight two-line names side by side must not touch
    layout = _layout(
        title,
        barmode="group",
        xaxis={
            "title": {"text": labels.text("standard")},
            "tickangle": 0,
            "type": "category",
            "tickfont": {"size": tick_size},
        },
        yaxis=_rate_axis(labels, 1.15),
    )
    _target_line(layout, target, labels)
    return _div(data, layout, div_id)


def _bars(df: pd.DataFrame, x: str, group: str, x_order: list, keys: list) -> list[Any]:
    """For each group key, its rows in x_order (`df[df[group] == key].set_index(x).reindex(x_order)`:
    NaN where the key has no row for an x) as lists of rate, met, evaluated (and rate_low,
    rate_high), without a pandas filter and reindex per group. A missing x, or an x twice in a
    group: pandas' own frames."""
    cols = [c for c in ("rate", "met", "evaluated", "rate_low", "rate_high") if c in df.columns]
    if df[x].isna().any():
        return [df[df[group] == key].set_index(x).reindex(x_order) for key in keys]
    lists = {c: df[c].tolist() for c in cols}
    at: dict[Any, dict[Any, int]] = {}
    twice = set()
    for n, (k, xv) in enumerate(zip(df[group].tolist(), df[x].tolist(), strict=True)):
        if xv in at.setdefault(k, {}):
            twice.add(k)
        at[k][xv] = n
    nan = float("nan")
    out: list[Any] = []
    for key in keys:
        if key in twice:  # pandas says why it cannot
            out.append(df[df[group] == key].set_index(x).reindex(x_order))
            continue
        rows = {} if missing(key) else at.get(key, {})
        picked = [rows.get(xv) for xv in x_order]
        out.append({c: [nan if n is None else v[n] for n in picked] for c, v in lists.items()})
    return out


def _interval(trace: dict, g: Any) -> dict:
    """Error bars from the mart's confidence interval (kpi_tier_rates.rate_low / rate_high) when present."""
    if "rate_low" not in g or "rate_high" not in g:
        return trace
    rate, low, high = _none_if_nan(g["rate"]), _none_if_nan(g["rate_low"]), _none_if_nan(g["rate_high"])
    trace["error_y"] = {
        "type": "data",
        "symmetric": False,
        "thickness": 1,
        "width": 3,
        "color": "#475467",
        "array": [h - r if h is not None and r is not None else None for r, h in zip(rate, high, strict=True)],
        "arrayminus": [r - lo if lo is not None and r is not None else None for r, lo in zip(rate, low, strict=True)],
    }
    return trace


def league(df: pd.DataFrame, labels: Labels, target: float, title: str, div_id: str) -> str | None:
    """Horizontal bars of each AE's rate this week, best at the top."""
    df = df[df["rate"].notna()]
    if df.empty:
        return None
    df = df.iloc[::-1]  # Plotly draws the first bar at the bottom
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": _none_if_nan(df["rate"]),
            "y": list(df["name"]),
            "marker": {"color": ["#12b76a" if r >= target - 1e-12 else "#f04438" for r in df["rate"]]},
            "text": [f"{r:.0%}  ({m}/{n})" for r, m, n in zip(df["rate"], df["met"], df["evaluated"], strict=True)],
            "textposition": "auto",
            "hovertemplate": "%{y}: %{x:.1%}<extra></extra>",
        }
    ]
    x_axis = _rate_axis(labels)
    x_axis["title"] = {"text": f"{labels.text('rate')} ({labels.text('target')} {target:.0%})"}
    layout = _layout(
        title,
        height=max(260, 36 * len(df) + 110),
        showlegend=False,
        xaxis=x_axis,
        yaxis={"title": {"text": labels.text("ae")}, "type": "category", "automargin": True},
    )
    _target_line(layout, target, labels, vertical=True)
    return _div(data, layout, div_id)


def heatmap(grid: pd.DataFrame, labels: Labels, title: str, div_id: str, link=None) -> str | None:
    """Weekday × hour counts; cells with 0 stay blank so the hot spots stand out. `link(weekday, hour)`
    gives the href of a cell's obligations (customdata; site.js opens it on click)."""
    top = int(grid.values.max())
    if top == 0:
        return None
    z = [[int(v) for v in row] for row in grid.values]
    data = [
        {
            "type": "heatmap",
            "z": z,
            "x": [f"{h:02d}" for h in grid.columns],
            "y": [labels.weekday(d) for d in grid.index],
            "colorscale": [[0, "#f8fafc"], [0.0001, "#fee4e2"], [1, TARGET_COLOUR]],
            "xgap": 2,
            "ygap": 2,
            "text": [[str(v) if v else "" for v in row] for row in z],
            "texttemplate": "%{text}",
            "colorbar": {"title": {"text": labels.text("count")}, "dtick": max(1, top // 5)},
            "hovertemplate": "%{y} %{x}:00 — %{z}<extra></extra>",
        }
    ]
    if link is not None:
        data[0]["customdata"] = [[link(int(d), int(h)) for h in grid.columns] for d in grid.index]
    layout = _layout(
        title,
        height=340,
        xaxis={"title": {"text": f"{labels.text('hour')} (00–23)"}, "type": "category"},
        yaxis={"title": {"text": labels.text("weekday")}, "type": "category", "autorange": "reversed"},
    )
    return _div(data, layout, div_id)


def outcomes(df: pd.DataFrame, labels: Labels, title: str, div_id: str) -> str | None:
    """Stacked bars of met / late / missed per week."""
    if df.empty:
        return None
    counts = {status: df[status].tolist() for status in ("met", "late", "missed")}  # one pandas call each
    if sum(sum(v) for v in counts.values()) == 0:
        return None
    x = [d.isoformat() for d in df["week_start"].tolist()]
    data = [
        {
            "type": "bar",
            "name": labels.text(status),
            "x": list(x),
            "y": [int(v) for v in counts[status]],
            "marker": {"color": STATUS_COLOURS[status]},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra>%{fullData.name}</extra>",
        }
        for status in ("met", "late", "missed")
    ]
    layout = _layout(
        title,
        height=300,
        barmode="stack",
        xaxis={"title": {"text": labels.text("week")}, "type": "date", "tickformat": "%m-%d"},
        yaxis={"title": {"text": labels.text("count")}, "rangemode": "tozero"},
    )
    return _div(data, layout, div_id)

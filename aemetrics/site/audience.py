"""Who sees what: the data a site is written from, filtered for its audience (issue 13).

- `management` (default): every AE, every client; today's site.
- `ae`: one self-contained folder per AE, written from `for_ae(data, ae)`: that AE's scorecard,
  obligations, clients and evidence only. Other AEs' names and addresses are replaced in the free
  text the AE's own rows carry (evidence, subjects), so a colleague who covered a reply is
  "a colleague", not named.
- `show_subjects = false`: every message subject is replaced by the standard's name.

The pages themselves do not change: they are written from the filtered data.
"""

from __future__ import annotations

import dataclasses
import re
from html import escape

import numpy as np
import pandas as pd

from aemetrics.site import drill
from aemetrics.site.labels import Labels

AUDIENCES = ("management", "ae")
COLLEAGUE = "(colleague)"
# A CSV cell that a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# fields of raw export rows that carry a message's or event's subject text
SUBJECT_FIELDS = frozenset({"subject", "summary", "thread_topic", "description", "topic", "location"})


def hide_subjects(data, labels: Labels):
    """The data with each subject replaced by its obligation's standard name (show_subjects = false)."""
    obl = data.obl.copy()
    if "subject" in obl and not obl.empty:
        obl["subject"] = [labels.standard(s) for s in obl["standard"]]
    risk = data.at_risk.copy()
    if "subject" in risk and not risk.empty:
        risk["subject"] = [labels.standard(s) for s in risk["standard"]]
    every = data.recent_obl
    if every is not None and "subject" in every and not every.empty:
        every = every.copy()
        every["subject"] = [labels.standard(s) for s in every["standard"]]
    # the drill-down's evidence rows (message headers, events, CRM rows) lose their subject-like fields
    raw = {key: drill.without_fields(row, SUBJECT_FIELDS) for key, row in data.raw.items()}
    # older weeks' obligations (read as their CSVs are written): subject_of gives their subjects
    return dataclasses.replace(data, obl=obl, at_risk=risk, recent_obl=every, raw=raw, subject_of=labels.standard)


def _scrub(value, pattern: re.Pattern | None):
    if pattern is None or not isinstance(value, str):
        return value
    return pattern.sub(COLLEAGUE, value)


def _others_pattern(data, ae: str) -> re.Pattern | None:
    """Other AEs' addresses and names (longest first), for replacing in free text."""
    words = set()
    for r in data.aes.itertuples():
        if r.ae == ae:
            continue
        local = r.ae.split("@")[0] if isinstance(r.ae, str) else None  # their mailbox file: email/li.wei.mbox
        for w in (r.ae, getattr(r, "name", None), local if local and len(local) >= 4 else None):
            if isinstance(w, str) and w.strip():
                words.add(w.strip())
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def for_ae(data, ae: str):
    """SiteData holding only what concerns `ae`: their row of `aes`, their KPIs, scorecard, obligations,
    at-risk list and evidence. Team-wide tables (medians are columns of the AE's own scorecard rows)
    and the export inventory (file names name mailboxes) are left out."""
    others = _others_pattern(data, ae)

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty or "ae" not in frame:
            return frame.iloc[0:0] if "ae" in frame else frame
        out = frame[frame["ae"] == ae].copy()
        for col in out.columns:
            if col != "ae" and _is_text(out[col]):
                out[col] = out[col].map(lambda v: _scrub(v, others))
        return out

    obl = mine(data.obl)
    ids = set(obl["obligation_id"]) if "obligation_id" in obl else set()
    sources = {
        oid: [{k: _scrub(v, others) for k, v in row.items()} for row in rows]
        for oid, rows in data.sources.items()
        if oid in ids
    }
    empty = data.manifest.iloc[0:0]
    return dataclasses.replace(
        data,
        aes=data.aes[data.aes["ae"] == ae].copy(),
        kpi=mine(data.kpi),
        std_weekly=data.std_weekly.iloc[0:0],
        team_weekly=data.team_weekly.iloc[0:0],
        scorecard=mine(data.scorecard),
        tiers=data.tiers.iloc[0:0],
        gaps=data.gaps.iloc[0:0],
        obl=obl,
        at_risk=mine(data.at_risk),
        manifest=empty,
        quarantine=data.quarantine.iloc[0:0],
        validation=data.validation.iloc[0:0],
        slugs={ae: data.slugs[ae]},
        notes=[],
        sources=sources,
    )


def _is_text(column: pd.Series) -> bool:
    return is_text_dtype(column.dtype)


def is_text_dtype(dtype) -> bool:
    """Object or string dtype: a column whose text cells neutralise_formulas looks at."""
    return bool(dtype == np.dtype("O")) or pd.api.types.is_string_dtype(dtype)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell starting with = + - @ (or a tab / carriage return) is prefixed
    with ' so a spreadsheet shows it as text instead of running it. Numbers are left alone."""
    out = frame.copy(deep=False)
    for col in out.columns:
        column = out[col]
        if _is_text(column) and _may_start_formula(column):
            values = column.tolist()
            if any(isinstance(v, str) and v.startswith(FORMULA_START) for v in values):
                out[col] = ["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in values]
    return out


def _may_start_formula(column: pd.Series) -> bool:
    """False only when no cell of the text column starts with a FORMULA_START character: its
    non-missing cells joined (C speed) hold none of them after a separator. Cells that are not
    text, or a NUL in the text, answer True: the caller then looks at every cell."""
    values = column.to_numpy(dtype=object)
    try:
        joined = "\x00" + "\x00".join(values)
    except TypeError:  # a missing value, date, number or other object among the cells
        try:
            joined = "\x00" + "\x00".join(values[~pd.isna(values)])
        except TypeError:
            return True
    return any("\x00" + c in joined for c in FORMULA_START)


def standalone_nav(html: str) -> str:
    """An AE's own folder has no review or equal-treatment page: the nav keeps only the scorecard."""
    return re.sub(r"<nav>.*?</nav>", "<nav></nav>", html, count=1, flags=re.DOTALL)


def redirect_page(target: str, title: str) -> str:
    target, title = escape(target), escape(title)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>{title}</title></head>'
        f'<body><a href="{target}">{title}</a></body></html>\n'
    )

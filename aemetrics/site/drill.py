"""From a number to its evidence: the obligations page, its per-week data files and the links to it.

Every figure of the site links to `obligations.html#week=…&standard=…&ae=…` (or team, tier,
client, status, weekday, hour); the page loads `data/obl-<Monday>.js` for the weeks named and
lists the obligations that match, each with the export rows its evidence names (evidence_refs
joined to the raw tables: message header, calendar event, CRM row, staff row). Message bodies
(`raw_email_messages.body_text`) are left out unless `store_bodies` is on.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import pandas as pd

from aemetrics.api import Warehouse
from aemetrics.site.html import missing

# columns never published: message bodies (unless store_bodies)
BODY_COLUMNS = {"body_text"}
# columns left out of the readable view: machine detail that only makes the data files bigger
NOISE_COLUMNS = {
    "description",
    "fields_json",
    "references",
    "thread_index",
    "gm_thread_id",
    "has_message_id",
    "content_type",
    "dtstamp_at",
    "sequence",
    "occurrence_key",
    "is_all_day",
    "is_override",
}
MAX_VALUE = 200  # characters of one field in the readable view
NO_VALUE = "(none)"  # a filter value matching a null (an AE without a team, an obligation without a tier)
ROW_FIELDS = [
    "obligation_id",
    "standard",
    "ae",
    "team",
    "client_account",
    "client_name",
    "client_tier",
    "status",
    "opened_at",
    "due_at",
    "fulfilled_at",
    "hours_late",
    "subject",
    "evidence",
]


def obl_href(root: str = "", week: date | list[date] | None = None, **filters: Any) -> str:
    """A link to the obligations behind a figure; filters with None are left out (no filter)."""
    parts = []
    if week is not None:
        weeks = week if isinstance(week, list) else [week]
        parts.append("week=" + ",".join(w.isoformat() for w in weeks))
    for key, value in filters.items():
        if value is None or missing(value):
            continue
        value = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{key}={quote(value, safe='@.,-_')}")
    return f"{root}obligations.html#{'&'.join(parts)}"


def raw_rows(wh: Warehouse, store_bodies: bool = False) -> dict[tuple[str, str, str], dict[str, str]]:
    """(raw table, source_file, record) -> the row's fields as text, for every row evidence names."""
    if not wh.has("evidence_refs"):
        return {}
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    tables = wh.sql("select distinct source_table from evidence_refs where source_table is not null")
    for table in tables["source_table"]:
        if not wh.has(table):
            continue
        cols = [
            c
            for c in wh.sql(f"select * from {table} limit 0").columns
            if (store_bodies or c not in BODY_COLUMNS) and c not in NOISE_COLUMNS
        ]
        select = ", ".join(f'"{c}"' for c in cols)
        rows = wh.sql(
            f"select {select} from {table} t where exists (select 1 from evidence_refs r where "
            f"r.source_table = '{table}' and r.source_file = t.source_file and r.record = t.record)"
        )
        for rec in rows.to_dict("records"):
            key = (table, str(rec["source_file"]), str(rec["record"]))
            if key in out:  # a recurring event: one row per occurrence, the first is enough
                continue
            out[key] = {k: _text(v)[:MAX_VALUE] for k, v in rec.items() if not _empty(v)}
    return out


def _empty(v: Any) -> bool:
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        return len(v) == 0 if hasattr(v, "__len__") else False
    return bool(missing(v)) or (isinstance(v, str) and v == "")


def _text(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S %z")
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if hasattr(v, "tolist"):
        return ", ".join(str(x) for x in v.tolist())
    return str(v)


def week_data_files(
    obl: pd.DataFrame, refs: pd.DataFrame, rows: dict[tuple[str, str, str], dict[str, str]]
) -> dict[str, str]:
    """data/obl-<Monday>-<standard>.js per week and standard: the obligations as arrays (field order:
    OBLIGATIONS_JS), then the raw rows their evidence names, each once per file (refs point at them)."""
    by_obl: dict[str, list] = {}
    if not refs.empty:
        for r in refs.itertuples():
            label = f"{r.source_file} · {r.record}"
            what = r.source_table or "row not in the warehouse"
            title = f"{r.role or ''} {r.kind or ''} {r.key or ''}: {what}".strip()
            key = (r.source_table, str(r.source_file), str(r.record)) if r.source_table else None
            by_obl.setdefault(r.obligation_id, []).append([label, title, key])
    files: dict[str, str] = {}
    if obl.empty:
        return files
    for (week, standard), g in obl.groupby(["week_start", "standard"]):
        recs: list[list] = []
        raws: list[dict] = []
        raw_no: dict[tuple, int] = {}
        for r in g.itertuples():
            items = []
            for label, title, key in by_obl.get(r.obligation_id, []):
                if key is None or key not in rows:
                    items.append([label, title, -1])
                    continue
                if key not in raw_no:
                    raw_no[key] = len(raws)
                    raws.append(rows[key])
                items.append([label, title, raw_no[key]])
            opened = r.opened_at
            rec = [_cell(getattr(r, f, None)) for f in ROW_FIELDS]
            rec += [
                None if missing(opened) else int(opened.weekday()),
                None if missing(opened) else int(opened.hour),
                week.isoformat(),
                items,
            ]
            recs.append(rec)
        body = json.dumps([recs, raws], ensure_ascii=False, separators=(",", ":"))
        safe = body.replace("</", "<\\/")
        files[data_file(week, standard)] = f"AEM_OBL({safe});\n"
    return files


def data_file(week: date, standard: str) -> str:
    return f"data/obl-{week.isoformat()}-{standard}.js"


def _cell(v: Any) -> Any:
    if missing(v):
        return None
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, float):
        return round(v, 1)
    return str(v) if not isinstance(v, (int, bool)) else v


def index_script(
    shards: list[tuple[date, str]],
    latest: date,
    standards: dict[str, str],
    aes: dict[str, tuple[str, str]],
    clients: dict[str, str],
) -> str:
    """window.AEM_INDEX for the obligations page: the data files of each week, names and page slugs."""
    files: dict[str, dict[str, str]] = {}
    for week, standard in shards:
        files.setdefault(week.isoformat(), {})[standard] = data_file(week, standard)
    index = {
        "latest": latest.isoformat(),
        "files": files,
        "standards": standards,
        "aes": {k: list(v) for k, v in aes.items()},
        "clients": clients,
    }
    return json.dumps(index, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")

"""From a number to its evidence: the obligations page, its per-week data files and the links to it.

Every figure of the site links to `obligations.html#week=…&standard=…&ae=…` (or team, tier,
client, status, weekday, hour); the page loads `data/obl-<Monday>.js` for the weeks named and
lists the obligations that match, each with the export rows its evidence names (evidence_refs
joined to the raw tables: message header, calendar event, CRM row, staff row). Message bodies
(`raw_email_messages.body_text`) are left out unless `store_bodies` is on.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pandas as pd

from aemetrics.api import Warehouse, WarehouseNotBuilt
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
    """A link to the obligations behind a figure; filters with None are left out (no filter).
    (Called for every row of every table: names, standards and statuses are quoted once each.)"""
    parts = []
    if week is not None:
        if type(week) is date:  # the common case: one week
            parts.append("week=" + week.isoformat())
        else:
            weeks = week if isinstance(week, list) else [week]
            parts.append("week=" + ",".join(w.isoformat() for w in weeks))
    for key, value in filters.items():
        if value is None:
            continue
        if type(value) is str:
            quoted = _QUOTED.get(value)
            if quoted is None:
                quoted = _quoted(value)
        elif missing(value):
            continue
        else:
            quoted = _quoted(",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value))
        parts.append(f"{key}={quoted}")
    return f"{root}obligations.html#{'&'.join(parts)}"


# a value's quoted text, looked up in a plain dict (faster than lru_cache's wrapper); emptied when full
_QUOTED: dict[str, str] = {}
_QUOTED_MAX = 1 << 16


def _quoted(value: str) -> str:
    out = _QUOTED.get(value)
    if out is None:
        if len(_QUOTED) >= _QUOTED_MAX:
            _QUOTED.clear()
        out = _QUOTED[value] = quote(value, safe="@.,-_")
    return out


def raw_rows(wh: Warehouse, store_bodies: bool = False, since: date | None = None) -> dict[tuple[str, str, str], str]:
    """(raw table, source_file, record) -> the row's fields as text, as the JSON object the data files
    hold (one string per row: at 1,000 AEs a quarter of a million message headers, which as dicts of
    strings were the largest thing the site held), for every row evidence names (with `since`: the
    evidence of obligations of weeks from that Monday on, the drill-down window).

    One query per raw table that turns every field into its text in DuckDB (times in the business
    time zone with their offset, lists joined by ", ", cut at MAX_VALUE, empty as null)."""
    if not wh.has("evidence_refs"):
        return {}
    out: dict[tuple[str, str, str], str] = {}
    try:
        tz = wh.tz.key
    except WarehouseNotBuilt:
        tz = "UTC"
    tables = wh.sql("select distinct source_table from evidence_refs where source_table is not null")
    recent = (
        " and obligation_id in (select obligation_id from obligation_details where week_start >= ?)"
        if since is not None and wh.has("obligation_details")
        else ""
    )
    for table in sorted(tables["source_table"]):
        if not wh.has(table):
            continue
        types = wh.con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        cols = [(c, t) for c, t in types if (store_bodies or c not in BODY_COLUMNS) and c not in NOISE_COLUMNS]
        select = ", ".join(_text_sql(f't."{c}"', t, tz) for c, t in cols)
        # a recurring event has one row per occurrence: the first is enough
        result = wh.con.execute(
            f'select t."source_file"::varchar, t."record"::varchar, {select} from {table} t semi join '
            f"(select distinct source_file, record from evidence_refs where source_table = ?{recent}) r "
            f"on r.source_file = t.source_file and r.record = t.record",
            [table, *([since] if recent else [])],
        )
        names = [c for c, _ in cols]
        while rows := result.fetchmany(10_000):  # not every row's tuple at once
            for file, record, *values in rows:
                key = (table, file, record)
                if key in out:
                    continue
                out[key] = _json({k: v for k, v in zip(names, values, strict=True) if v is not None})
    return out


def _json(value: Any) -> str:
    """The data files' JSON (compact, UTF-8 text as it is)."""
    return _ENCODER.encode(value)


# what json.dumps(value, ensure_ascii=False, separators=(",", ":")) uses, made once (dumps makes an
# encoder per call when given options: a call per raw row and per data file)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def without_fields(row: str, fields: Collection[str]) -> str:
    """A raw row of raw_rows without these fields (show_subjects = false)."""
    return _json({k: v for k, v in json.loads(row).items() if k not in fields})


def _text_sql(col: str, data_type: str, tz: str) -> str:
    """SQL for a column as the readable view's text (drill.raw_rows); null when empty."""
    t = data_type.upper()
    zone = tz.replace("'", "''")
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        local = f"timezone('{zone}', {col})"
        off = f"(epoch({local}::timestamp) - epoch({col}))::bigint"
        text = (
            f"strftime({local}, '%Y-%m-%d %H:%M:%S') || ' ' || (case when {off} < 0 then '-' else '+' end) || "
            f"lpad((abs({off}) // 3600)::varchar, 2, '0') || lpad(((abs({off}) % 3600) // 60)::varchar, 2, '0')"
        )
    elif t.startswith("TIMESTAMP"):
        text = f"strftime({col}, '%Y-%m-%d %H:%M:%S')"
    elif t.endswith("[]"):
        text = f"array_to_string({col}, ', ')"
    elif t == "BOOLEAN":
        text = f"case when {col} then 'True' when not {col} then 'False' end"
    else:
        text = f"{col}::varchar"
    return f"left(nullif({text}, ''), {MAX_VALUE})"


DRILL_WEEKS = 13  # default of the site_drill_weeks setting: the running week and the 12 before it
OLD_WEEK_FIELDS = ["week_start", *ROW_FIELDS]  # columns of weeks/<YYYY-Www>-obligations.csv


def window_start(running: date, weeks: int) -> date | None:
    """The first Monday of the drill-down window: the last `weeks` weeks up to and including the running
    ("so far") week; None when `weeks` is 0 (every week has data files)."""
    if weeks <= 0:
        return None
    return running - timedelta(days=7 * (weeks - 1))


def split_window(obl: pd.DataFrame | None, since: date | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The obligations of the drill-down window (data files) and the older ones (a CSV per week)."""
    if obl is None or obl.empty or since is None:
        return obl, (obl.iloc[0:0] if obl is not None else None)
    old = (obl["week_start"] < since).to_numpy()
    return obl[~old], obl[old]


CHUNK_ROWS = 500  # obligations of one data file at most (one AE's week × standard × status group may exceed it)
LATE_MISSED = ("late", "missed")


@dataclass
class Shard:
    """One data file: obligations of a week × standard, all of them (`group` '*') or, past CHUNK_ROWS,
    those late or missed ('l') or the others ('o'), cut by AE (first..last: positions in the index's AE
    list; -1 for obligations without an AE) so a filter loads only the files that can match it."""

    week: date
    standard: str
    group: str
    part: int
    first: int
    last: int
    rows: int

    @property
    def path(self) -> str:
        if self.group == "*":
            return data_file(self.week, self.standard)
        return f"data/obl-{self.week.isoformat()}-{self.standard}-{self.group}{self.part}.js"


def _cells(col: pd.Series) -> list:
    """_cell over a whole column: datetimes formatted at once, floats rounded, nulls None."""
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col.dtype):
        text = col.dt.strftime("%Y-%m-%d %H:%M")
        return [v if isinstance(v, str) else None for v in text.tolist()]
    if pd.api.types.is_float_dtype(col.dtype):
        return [None if v != v else round(v, 1) for v in col.tolist()]
    return [v if type(v) is str else _cell(v) for v in col.tolist()]


def week_data_files(
    obl: pd.DataFrame,
    refs: pd.DataFrame,
    rows: dict[tuple[str, str, str], str],
    ae_order: dict[str, int] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[DataFiles, list[Shard]]:
    """The data files of the obligations page and what each holds. One file per week and standard
    (data/obl-<Monday>-<standard>.js); a week × standard of more than `chunk_rows` obligations is
    split by status group and AE into files of at most `chunk_rows` each (an AE with more in one
    group gets files of its own), so no file grows with the number of AEs. A file holds the
    obligations as arrays (field order: OBLIGATIONS_JS), then the raw rows their evidence names,
    each once per file (refs point at them). The files' text is made as they are read (DataFiles)."""
    files = DataFiles(obl, refs, rows)
    shards: list[Shard] = []
    if obl is None or obl.empty:
        return files, shards
    order = ae_order if ae_order is not None else {a: i for i, a in enumerate(sorted(set(obl["ae"].dropna())))}
    ae_pos = [order.get(a, -1) if not missing(a) else -1 for a in obl["ae"].tolist()]
    late = obl["status"].isin(LATE_MISSED).tolist()
    groups: dict[tuple, list[int]] = {}
    for i, (w, s) in enumerate(zip(obl["week_start"].tolist(), obl["standard"].tolist(), strict=True)):
        groups.setdefault((w, s), []).append(i)
    for (week, standard), members in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if len(members) <= chunk_rows:
            parts = [("*", members)]
        else:
            parts = [(g, [i for i in members if late[i] == (g == "l")]) for g in ("l", "o")]
        for group, idx in parts:
            if not idx:
                continue
            idx = sorted(idx, key=lambda i: ae_pos[i]) if group != "*" else idx
            cuts = [idx[n : n + chunk_rows] for n in range(0, len(idx), chunk_rows)] if group != "*" else [idx]
            for part, chunk in enumerate(cuts):
                shard = Shard(week, standard, group, part, ae_pos[chunk[0]], ae_pos[chunk[-1]], len(chunk))
                if group == "*":
                    shard.first, shard.last = min(ae_pos[i] for i in chunk), max(ae_pos[i] for i in chunk)
                files.add(shard.path, week, chunk)
                shards.append(shard)
    return files, shards


class DataFiles(Mapping[str, str]):
    """Path -> a data file's text, made when it is read: one week's rows are laid out at a time (in
    path order, a week after the other), so a site of 1,000 AEs never holds every file's text or
    every row of the drill-down window as Python lists at once."""

    def __init__(
        self, obl: pd.DataFrame | None, refs: pd.DataFrame | None, rows: dict[tuple[str, str, str], str]
    ) -> None:
        self._obl, self._refs, self._rows = obl, refs, rows
        self._chunks: dict[str, tuple[Any, list[int]]] = {}  # path -> (week, positions in obl)
        self._members: dict[Any, list[int]] = {}  # week -> positions of its obligations in obl
        self._week: tuple[Any, dict[int, int], list[list], list, dict[str, list]] | None = None

    def add(self, path: str, week: Any, chunk: list[int]) -> None:
        self._chunks[path] = (week, chunk)
        self._members.setdefault(week, []).extend(chunk)

    def __getitem__(self, path: str) -> str:
        week, chunk = self._chunks[path]
        if self._week is None or self._week[0] != week:
            self._week = None  # the previous week's rows go before the next week's are made
            self._week = self._lay_out(week)
        _, local, recs, ids, by_obl = self._week
        return _data_js([local[i] for i in chunk], recs, ids, by_obl, self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def __len__(self) -> int:
        return len(self._chunks)

    def _lay_out(self, week: Any) -> tuple[Any, dict[int, int], list[list], list, dict[str, list]]:
        """One week's obligations as the files' arrays, and their evidence (evidence_refs)."""
        assert self._obl is not None
        members = sorted(set(self._members[week]))
        local = {i: n for n, i in enumerate(members)}
        obl = self._obl.take(members)
        ids = obl["obligation_id"].tolist()
        by_obl: dict[str, list] = {}
        refs = self._refs
        if refs is not None and not refs.empty:
            refs = refs[refs["obligation_id"].isin(set(ids))]
            for oid, file, record, table, role, kind, key in zip(
                refs["obligation_id"].tolist(),
                refs["source_file"].tolist(),
                refs["record"].tolist(),
                refs["source_table"].tolist(),
                refs["role"].tolist(),
                refs["kind"].tolist(),
                refs["key"].tolist(),
                strict=True,
            ):
                table = _str(table)
                label = f"{file} · {record}"
                what = table or "row not in the warehouse"
                title = f"{_str(role)} {_str(kind)} {_str(key)}: {what}".strip()
                ref_key = (table, str(file), str(record)) if table else None
                by_obl.setdefault(oid, []).append([label, title, ref_key])
        opened = obl["opened_at"]
        weekday = [None if v != v else int(v) for v in opened.dt.day_of_week.tolist()]
        hour = [None if v != v else int(v) for v in opened.dt.hour.tolist()]
        cols = [_cells(obl[f]) if f in obl else [None] * len(obl) for f in ROW_FIELDS]
        weeks = [w.isoformat() if not missing(w) else None for w in obl["week_start"].tolist()]
        recs = [[*fields, wd, hr, wk] for *fields, wd, hr, wk in zip(*cols, weekday, hour, weeks, strict=True)]
        return week, local, recs, ids, by_obl


def _str(v: Any) -> str:
    """A text cell of evidence_refs; '' for a null."""
    if type(v) is str:
        return v
    return "" if v is None or v != v else str(v)


def _data_js(chunk: list[int], recs: list[list], ids: list, by_obl: dict, rows: dict) -> str:
    """A data file: the rows `chunk` (positions in recs and ids), then the raw rows (JSON already)."""
    out: list[list] = []
    raws: list[str] = []
    raw_no: dict[tuple, int] = {}
    for i in chunk:
        items = []
        for label, title, key in by_obl.get(ids[i], ()):
            if key is None or key not in rows:
                items.append([label, title, -1])
                continue
            n = raw_no.get(key)
            if n is None:
                n = raw_no[key] = len(raws)
                raws.append(rows[key])
            items.append([label, title, n])
        out.append([*recs[i], items])
    body = f"[{_json(out)},[{','.join(raws)}]]".replace("</", "<\\/")  # json.dumps([out, raws]), rows as given
    return f"AEM_OBL({body});\n"


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
    shards: list[Shard],
    latest: date,
    standards: dict[str, str],
    aes: dict[str, tuple[str, str]],
    clients: dict[str, str],
    ae_order: dict[str, int] | None = None,
    teams: dict[str, list[int]] | None = None,
    client_aes: dict[str, list[int]] | None = None,
    window: dict[str, Any] | None = None,
) -> str:
    """window.AEM_INDEX for the obligations page: the data files of each week and standard (a path, with
    its [first AE, last AE, rows] in `whole`, or when split the list of [group, part, first AE, last AE,
    rows] the path is made from), names and
    page slugs, each AE's position in the files' AE order, the AEs of each team and client (the
    files a team or client filter needs), and the drill-down window (`window`: `from`, the first Monday
    with data files, null for every week; `weeks`, the site_drill_weeks setting; `csv`, Monday -> the
    CSV download of an older week's obligations)."""
    files: dict[str, dict[str, Any]] = {}
    whole: dict[str, dict[str, list[int]]] = {}  # a file of a whole week × standard: [first AE, last AE, rows]
    for s in shards:
        by_std = files.setdefault(s.week.isoformat(), {})
        if s.group == "*":
            by_std[s.standard] = s.path
            whole.setdefault(s.week.isoformat(), {})[s.standard] = [s.first, s.last, s.rows]
        else:
            by_std.setdefault(s.standard, []).append([s.group, s.part, s.first, s.last, s.rows])
    order = ae_order or {}
    index = {
        "latest": latest.isoformat(),
        "files": files,
        "whole": whole,
        "standards": standards,
        "aes": {k: [*v, order.get(k, -1)] for k, v in aes.items()},
        "clients": {k: v for k, v in clients.items() if k != v},  # the others: the account id itself
        "teams": teams or {},
        "client_aes": client_aes or {},
        "chunk": CHUNK_ROWS,
        "window": window or {"from": None, "weeks": 0, "csv": {}},
    }
    return json.dumps(index, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def ae_groups(obl: pd.DataFrame, key: str, order: dict[str, int]) -> dict[str, list[int]]:
    """Team or client -> the positions (ae_order) of the AEs its obligations belong to; a null key is
    NO_VALUE, an obligation without a known AE is -1."""
    out: dict[str, set[int]] = {}
    if obl is None or obl.empty or key not in obl:
        return {}
    for k, a in set(zip(obl[key].tolist(), obl["ae"].tolist(), strict=True)):
        name = NO_VALUE if missing(k) else str(k)
        out.setdefault(name, set()).add(order.get(a, -1) if not missing(a) else -1)
    return {k: sorted(v) for k, v in sorted(out.items())}


def ae_order(aes: pd.DataFrame, obl: pd.DataFrame | None) -> dict[str, int]:
    """Every AE (of `aes` and of the obligations) -> its position in sorted order: the data files are cut
    along it."""
    names = set(aes["ae"].dropna()) if "ae" in aes else set()
    if obl is not None and not obl.empty:
        names |= set(obl["ae"].dropna())
    return {a: i for i, a in enumerate(sorted(str(a) for a in names))}

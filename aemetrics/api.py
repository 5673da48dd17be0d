"""The analyst API: read the finished marts of a warehouse as pandas DataFrames.

    import aemetrics
    wh = aemetrics.connect("build/demo.duckdb")
    wh.kpi_weekly(ae="li.wei@agency.cn", standard="reply_12h")   # or ae="Li Wei": an email or a name

An unknown AE, status or standard raises ValueError naming the accepted values (a typo never
returns an empty frame).

The connection is read-only: analysts, notebooks and the site never change the warehouse.
Every timestamp comes back time-zone aware, converted to the business time zone recorded in
`run_info` (an instant is the same instant in any zone; local clock times are what people read).
Dates (`week_start`) come back as `datetime.date`. The read queries live here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from aemetrics.exports import export_rows, missing_exports, needs_of
from aemetrics.warehouse import SQL_DIR

MARTS = (
    "obligations",
    "obligation_details",
    "kpi_weekly",
    "kpi_standard_weekly",
    "kpi_team_weekly",
    "at_risk",
    "aes",
    "ae_scorecard",
    "kpi_tier_rates",
    "kpi_tier_gaps",
    "run_info",
)
EVALUATED = ("met", "late", "missed")  # the statuses a rate counts (STANDARDS.md)
STATUSES = (*EVALUATED, "open", "excused")  # every status of an obligation
GROUPABLE = ("standard", "ae", "team", "iso_year", "iso_week", "week_start")  # kpi_weekly columns rates() groups by


class WarehouseNotBuilt(RuntimeError):
    """A mart the caller needs is missing: the warehouse has not been built yet."""


@dataclass(frozen=True)
class RunInfo:
    as_of: datetime  # aware, business time zone
    built_at: datetime | None
    business_timezone: str


class Warehouse:
    """Read-only access to one warehouse; use as a context manager or call close()."""

    def __init__(self, con: duckdb.DuckDBPyConnection, owns: bool = False, db_path: Path | None = None):
        self.con = con
        self.db_path = db_path
        self._owns = owns
        self._run_info: RunInfo | None = None

    # -- plumbing -------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns:
            self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tables(self) -> set[str]:
        rows = self.con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
        return {r[0] for r in rows}

    def has(self, table: str) -> bool:
        return table in self.tables()

    def _require(self, table: str) -> None:
        if not self.has(table):
            where = f" {self.db_path}" if self.db_path else ""
            raise WarehouseNotBuilt(f"warehouse{where} has no table {table!r}: build the marts first (aemetrics run)")

    def sql(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Any read query; timestamps converted to the business time zone like every helper."""
        return self._localise(self.con.execute(query, params or []).df())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.run_info().business_timezone)

    def _localise(self, df: pd.DataFrame) -> pd.DataFrame:
        if df.empty and not len(df.columns):
            return df
        try:
            tz = self.tz
        except WarehouseNotBuilt:  # no run yet (e.g. only raw tables): show UTC
            tz = ZoneInfo("UTC")
        for col in df.columns:
            dtype = df[col].dtype
            if isinstance(dtype, pd.DatetimeTZDtype):
                df[col] = df[col].dt.tz_convert(tz)
            elif pd.api.types.is_datetime64_dtype(dtype) and col in {"week_start", "day", "date"}:
                df[col] = df[col].dt.date
        return df

    def _check(self, filters: dict[str, Any]) -> dict[str, Any]:
        """Filters with AEs given by email or name resolved to emails; an unknown AE, status or standard
        raises ValueError naming the accepted values (a typo would otherwise return an empty frame)."""
        from aemetrics.config import STANDARD_IDS

        out = dict(filters)
        if out.get("ae") is not None:
            out["ae"] = self.resolve_ae(out["ae"])
        for col, known in (("status", STATUSES), ("standard", (*STANDARD_IDS, "*"))):
            value = out.get(col)
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            unknown = [v for v in values if v not in known]
            if unknown:
                raise ValueError(f"{col}={unknown[0]!r} is not a known {col}; known: {', '.join(known)}")
        return out

    def resolve_ae(self, ae: str | list[str]) -> list[str]:
        """AE emails from emails or names (case-insensitive, as in wh.aes()); an unknown one raises ValueError."""
        values = [ae] if isinstance(ae, str) else list(ae)
        self._require("aes")
        rows = self.con.execute("select ae, name from aes").fetchall()
        by_email = {str(e).lower(): e for e, _ in rows if e}
        by_name: dict[str, list[str]] = {}
        for e, n in rows:
            if n:
                by_name.setdefault(str(n).strip().lower(), []).append(e)
        found: list[str] = []
        for v in values:
            key = str(v).strip().lower()
            if key in by_email:
                found.append(by_email[key])
            elif key in by_name:
                found.extend(by_name[key])
            elif "@" in key and self._has_obligations_of(key):  # an AE with obligations missing from `aes`
                found.append(key)
            else:
                examples = ", ".join(f"{e} ({n})" for e, n in rows[:3])
                raise ValueError(f"unknown AE {v!r}: give an email or a name from wh.aes(), e.g. {examples}")
        return found

    def _has_obligations_of(self, email: str) -> bool:
        if not self.has("obligations"):
            return False
        return bool(self.con.execute("select count(*) from obligations where ae = ?", [email]).fetchall()[0][0])

    def _select(self, table: str, filters: dict[str, Any], order: str) -> pd.DataFrame:
        self._require(table)
        filters = self._check(filters)
        where, params = [], []
        for col, value in filters.items():
            if value is None:
                continue
            values = [value] if isinstance(value, (str, int, float, date)) else list(value)
            if col.endswith(">="):
                where.append(f'"{col[:-2]}" >= ?')
                params.append(value)
            elif col.endswith("<"):
                where.append(f'"{col[:-1]}" < ?')
                params.append(value)
            else:
                where.append(f'"{col}" in ({", ".join("?" for _ in values)})')
                params.extend(values)
        clause = f" where {' and '.join(where)}" if where else ""
        return self.sql(f'select * from "{table}"{clause} order by {order}', params)

    # -- marts ----------------------------------------------------------------------------
    def run_info(self) -> RunInfo:
        if self._run_info is None:
            self._require("run_info")
            rows = self.con.execute("select as_of, built_at, business_timezone from run_info").fetchall()
            if not rows:
                raise WarehouseNotBuilt("run_info is empty: build the marts first (aemetrics run)")
            as_of, built_at, tz_name = rows[0]
            tz = ZoneInfo(tz_name or "Asia/Shanghai")
            self._run_info = RunInfo(
                as_of=as_of.astimezone(tz),
                built_at=built_at.astimezone(tz) if built_at else None,
                business_timezone=tz.key,
            )
        return self._run_info

    def aes(self) -> pd.DataFrame:
        """One row per AE: ae (email), name, team, supervisor_email, has_left, is_active."""
        return self._select("aes", {}, "team, name, ae")

    def kpi_weekly(
        self,
        ae: str | list[str] | None = None,
        standard: str | list[str] | None = None,
        team: str | list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> pd.DataFrame:
        """Counts and rate per standard × AE × ISO week; `since`/`until` bound week_start (until exclusive)."""
        return self._select(
            "kpi_weekly",
            {"ae": ae, "standard": standard, "team": team, "week_start>=": since, "week_start<": until},
            "week_start, standard, ae",
        )

    def obligations(
        self,
        ae: str | list[str] | None = None,
        standard: str | list[str] | None = None,
        status: str | list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> pd.DataFrame:
        """Obligations with names, team, client, tier, subject and week (the obligation_details mart)."""
        return self._select(
            "obligation_details",
            {"ae": ae, "standard": standard, "status": status, "week_start>=": since, "week_start<": until},
            "opened_at, obligation_id",
        )

    def at_risk(self, ae: str | list[str] | None = None) -> pd.DataFrame:
        """Open obligations with the hours left before they fall due, soonest first."""
        return self._select("at_risk", {"ae": ae}, "due_at, ae, obligation_id")

    def reply_times(
        self, ae: str | list[str] | None = None, since: date | None = None, until: date | None = None
    ) -> pd.DataFrame:
        """reply_12h obligations with local weekday (0 = Monday) and hour of the client's message, and hours to reply."""
        df = self.obligations(ae=ae, standard="reply_12h", since=since, until=until)
        df["weekday"] = df["opened_at"].dt.day_of_week  # 0 = Monday, business time zone
        df["hour"] = df["opened_at"].dt.hour
        return df

    def kpi_standard_weekly(
        self, standard: str | list[str] | None = None, since: date | None = None, until: date | None = None
    ) -> pd.DataFrame:
        """Counts and rate per standard × ISO week over every AE (the kpi_standard_weekly mart)."""
        return self._select(
            "kpi_standard_weekly",
            {"standard": standard, "week_start>=": since, "week_start<": until},
            "week_start, standard",
        )

    def kpi_team_weekly(
        self,
        standard: str | list[str] | None = None,
        team: str | list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> pd.DataFrame:
        """Counts and rate per standard × team × ISO week (the kpi_team_weekly mart)."""
        return self._select(
            "kpi_team_weekly",
            {"standard": standard, "team": team, "week_start>=": since, "week_start<": until},
            "week_start, standard, team",
        )

    def ae_scorecard(self, ae: str | list[str] | None = None, standard: str | list[str] | None = None) -> pd.DataFrame:
        """Per AE × standard ('*' = all pooled): the week under review and 12 weeks, rates, team medians, at risk."""
        return self._select("ae_scorecard", {"ae": ae, "standard": standard}, "ae, standard")

    def tier_rates(self, standard: str | list[str] | None = None) -> pd.DataFrame:
        """Equal treatment: per standard ('*' pooled) × client tier over 12 weeks, rate and Wilson interval."""
        return self._select("kpi_tier_rates", {"standard": standard}, "standard, client_tier")

    def tier_gaps(self, standard: str | list[str] | None = None) -> pd.DataFrame:
        """Equal treatment: per standard the largest gap between tiers, its z statistic and the flag."""
        return self._select("kpi_tier_gaps", {"standard": standard}, "standard")

    def equal_treatment_settings(self) -> dict[str, float] | None:
        """equal_treatment_gap, _min_n, _alpha the marts were built with (run_params), None before any build."""
        if not self.has("run_params"):
            return None
        cols = {
            r[0]
            for r in self.con.execute(
                "select column_name from information_schema.columns where table_name = 'run_params'"
            ).fetchall()
        }
        wanted = ["equal_treatment_gap", "equal_treatment_min_n", "equal_treatment_alpha"]
        if not set(wanted) <= cols:
            return None
        row = self.con.execute(f"select {', '.join(wanted)} from run_params").fetchone()
        return dict(zip(wanted, row, strict=True)) if row else None

    def rates(
        self,
        by: str | list[str] = "standard",
        since: date | None = None,
        until: date | None = None,
        ae: str | list[str] | None = None,
        standard: str | list[str] | None = None,
    ) -> pd.DataFrame:
        """kpi_weekly's counts added up per group, rate = the SQL macro kpi_rate of the sums (never a mean of rates)."""
        by = [by] if isinstance(by, str) else list(by)
        unknown = [c for c in by if c not in GROUPABLE]
        if unknown or not by:
            raise ValueError(f"rates(by=...): {unknown or by} not among {', '.join(GROUPABLE)}")
        self._require("kpi_weekly")
        self._macros()
        checked = self._check({"ae": ae, "standard": standard})
        ae, standard = checked["ae"], checked["standard"]
        where: list[str] = []
        params: list[object] = []
        for col, value in (("ae", ae), ("standard", standard)):
            if value is not None:
                values = [value] if isinstance(value, str) else list(value)
                where.append(f'"{col}" in ({", ".join("?" for _ in values)})')
                params.extend(values)
        if since is not None:
            where.append("week_start >= ?")
            params.append(since)
        if until is not None:
            where.append("week_start < ?")
            params.append(until)
        keys = ", ".join(f'"{c}"' for c in by)
        clause = f" where {' and '.join(where)}" if where else ""
        sums = ", ".join(f"cast(sum({c}) as bigint) as {c}" for c in ("met", "late", "missed", "open", "excused"))
        return self.sql(
            f"select {keys}, {sums}, cast(sum(met + late + missed) as bigint) as evaluated, "
            f"kpi_rate(sum(met), sum(late), sum(missed)) as rate from kpi_weekly{clause} "
            f"group by {keys} order by {keys}",
            params,
        )

    def _macros(self) -> None:
        """The build's SQL macros (kpi_rate, ...) as temporary macros of this connection (read-only is fine)."""
        if not getattr(self, "_macros_loaded", False):
            self.con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
            self._macros_loaded = True

    def week_bounds(self, week_start: date) -> tuple[datetime, datetime]:
        """The ISO week starting on `week_start` as aware local datetimes [start, end)."""
        start = datetime.combine(week_start, datetime.min.time(), self.tz)
        return start, datetime.combine(week_start + timedelta(days=7), datetime.min.time(), self.tz)

    def latest_complete_week(self) -> date:
        """Monday of the latest ISO week that ended at or before as_of (business time zone)."""
        as_of = self.run_info().as_of
        this_monday = as_of.date() - timedelta(days=as_of.weekday())
        return this_monday - timedelta(days=7)

    def standards(self) -> pd.DataFrame:
        """The registry of standards (the `standards` table the build writes, in registry order:
        handbook section, then order), with `missing_exports`: the exports in `needs` of which the
        warehouse holds no row (aemetrics.exports; docs/standards.md). Before a build: the project's registry."""
        if self.has("standards"):
            df = self.con.execute("select * from standards order by position").df()
        else:
            from aemetrics.standards import registry

            df = pd.DataFrame(
                [
                    dict(
                        standard=s.id,
                        section=s.section,
                        section_zh=s.section_labels[0],
                        section_en=s.section_labels[1],
                        position=i,
                        label_zh=s.label_zh,
                        label_en=s.label_en,
                        handbook=s.handbook,
                        needs=list(s.needs),
                        evidence=list(s.evidence),
                        kpi_target=s.kpi_target,
                    )
                    for i, s in enumerate(registry(), 1)
                ]
            )
        rows = export_rows(
            lambda t: self.con.execute(f'select count(*) from "{t}"').fetchall()[0][0] if self.has(t) else None
        )
        needs = needs_of(zip(df["standard"], df["needs"], strict=True))
        df["needs"] = df["needs"].map(list)
        df["missing_exports"] = [missing_exports(s, rows, needs) for s in df["standard"]]
        return df

    def ingest_manifest(self) -> pd.DataFrame:
        if not self.has("ingest_manifest"):
            return pd.DataFrame(columns=["source_file", "source_kind", "rows_loaded", "rows_quarantined"])
        return self.sql("select * from ingest_manifest order by source_kind, source_file")

    def quarantine(self) -> pd.DataFrame:
        if not self.has("quarantine"):
            return pd.DataFrame(columns=["source_file", "record", "reason", "source_kind", "is_loaded"])
        return self.sql("select * from quarantine order by source_file, record")

    def run_notes(self) -> list[str]:
        """What the run must tell its reader in words (marts/run_notes: e.g. no AE in the staff directory)."""
        if not self.has("run_notes"):
            return []
        return [r[0] for r in self.con.execute("select message from run_notes order by note_kind").fetchall()]

    def evidence_sources(self, obligation_id: str | list[str] | None = None, since: date | None = None) -> pd.DataFrame:
        """The export rows each obligation's evidence names (evidence_refs: one row per evidence item,
        in the order of obligations.evidence_items); empty when the warehouse has no evidence_refs.
        since: only obligations of that week (Monday) and later."""
        cols = [
            "obligation_id",
            "item_no",
            "kind",
            "role",
            "key",
            "source_file",
            "record",
            "source_table",
            "is_resolved",
        ]
        if not self.has("evidence_refs"):
            return pd.DataFrame(columns=cols)
        if since is None:
            return self._select("evidence_refs", {"obligation_id": obligation_id}, "obligation_id, item_no")[cols]
        later = self.sql(  # in SQL: at 1,000 AEs evidence_refs holds millions of rows
            f"select {', '.join(cols)} from evidence_refs where obligation_id in "
            "(select obligation_id from obligation_details where week_start >= ?) order by obligation_id, item_no",
            [since],
        )
        if obligation_id is None:
            return later
        wanted = {obligation_id} if isinstance(obligation_id, str) else set(obligation_id)
        return later[later["obligation_id"].isin(wanted)].reset_index(drop=True)

    def validation_results(self) -> pd.DataFrame:
        """The latest Great Expectations results of each stage (ingest, build); docs/quality.md."""
        cols = [
            "stage",
            "table_name",
            "expectation",
            "column_name",
            "success",
            "unexpected_count",
            "observed",
            "action",
        ]
        if not self.has("validation_results"):
            return pd.DataFrame(columns=cols)
        return self.sql(
            f"select {', '.join(cols)} from validation_results "
            "order by success, stage, table_name, expectation, column_name"
        )


def connect(db: str | Path | duckdb.DuckDBPyConnection | Warehouse) -> Warehouse:
    """Open a warehouse read-only (a path), or wrap an open DuckDB connection (not closed by us)."""
    if isinstance(db, Warehouse):
        return db
    if isinstance(db, duckdb.DuckDBPyConnection):
        return Warehouse(db)
    path = Path(db)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no warehouse file here (build one with `aemetrics run` or `aemetrics demo`)")
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    return Warehouse(con, owns=True, db_path=path)

"""Great Expectations checkpoints at the edges of the pipeline (policy: docs/quality.md).

GX on DuckDB through SQLAlchemy is broken, so every table is validated through GX's pandas
data source on a DataFrame read from DuckDB. Three kinds of failure:
- quarantine: rows of a raw table that fail a row-level check leave the table and go to
  `quarantine` with the check as the reason; the rest of the run goes on.
- block: a mart that fails (duplicate keys, impossible statuses, rates outside [0, 1],
  unresolvable evidence) stops publishing; the previous site stays up.
- warn: recorded and shown (e.g. a row-count drop of more than 15 % since the previous run).
Every result is stored in `validation_results`.
"""
from __future__ import annotations

import logging
import math
import os
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import duckdb

from aemetrics.warehouse import insert_rows

log = logging.getLogger("aemetrics.quality")

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
STATUSES = ["met", "late", "missed", "open", "excused"]
ROW_DROP = 0.15


@dataclass
class TableSuite:
    table: str
    columns: list[str]  # what to read (never message bodies)
    expectations: list[tuple[Any, str]]  # (GX expectation, action on failure)
    keys: list[str] = field(default_factory=lambda: ["source_file", "record"])


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _in_range(gxe, column: str):
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=EARLIEST, max_value=LATEST)


def raw_suites() -> list[TableSuite]:
    gxe = _gxe()
    q = "quarantine"

    def one_row_per_record(*extra: str):  # two rows for one record would be a loader bug
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "record", *extra]), "block"

    return [
        TableSuite("raw_email_messages", ["message_id", "sent_at", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="message_id"), q),
            (_in_range(gxe, "sent_at"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_calendar_events", ["event_uid", "occurrence_key", "start_at", "end_at", "created_at", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="event_uid"), q),
            (_in_range(gxe, "start_at"), q),
            (_in_range(gxe, "created_at"), q),
            (gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_at", column_B="start_at", or_equal=True), q),
            one_row_per_record("occurrence_key"),
        ]),
        TableSuite("raw_calendar_attendees", ["event_uid", "occurrence_key", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="event_uid"), q),
            (gxe.ExpectColumnValuesToNotBeNull(column="occurrence_key"), q),
        ]),
        TableSuite("raw_crm_activities", ["activity_id", "activity_at", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="activity_id"), q),
            (_in_range(gxe, "activity_at"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_crm_users", ["user_id", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="user_id"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_crm_accounts", ["account_id", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="account_id"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_crm_contacts", ["contact_id", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="contact_id"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_staff", ["email", "source_file", "record"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="email"), q),
            (gxe.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[^@\s]+@[^@\s]+$"), q),
            one_row_per_record(),
        ]),
        TableSuite("raw_attendance", ["join_at", "leave_at", "source_file", "record"], [
            (_in_range(gxe, "join_at"), q),
            (gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="leave_at", column_B="join_at", or_equal=True, ignore_row_if="either_value_is_missing"), q),
            one_row_per_record(),
        ]),
    ]


def mart_suites() -> list[TableSuite]:
    gxe = _gxe()
    b = "block"
    return [
        TableSuite("obligations", ["obligation_id", "standard", "ae", "opened_at", "due_at", "fulfilled_at", "status", "evidence"], [
            (gxe.ExpectColumnValuesToNotBeNull(column="obligation_id"), b),
            (gxe.ExpectColumnValuesToBeUnique(column="obligation_id"), b),
            (gxe.ExpectColumnValuesToBeInSet(column="status", value_set=STATUSES), b),
            (gxe.ExpectColumnValuesToNotBeNull(column="ae"), b),
            (gxe.ExpectColumnValuesToNotBeNull(column="evidence"), b),
            (gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="due_at", column_B="opened_at", or_equal=True), b),
            (_in_range(gxe, "opened_at"), b),
        ], keys=["obligation_id"]),
        TableSuite("kpi_weekly", ["standard", "ae", "iso_year", "iso_week", "met", "late", "missed", "open", "excused", "rate"], [
            (gxe.ExpectColumnValuesToBeBetween(column="rate", min_value=0, max_value=1), b),
            (gxe.ExpectCompoundColumnsToBeUnique(column_list=["standard", "ae", "iso_year", "iso_week"]), b),
            *[(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0), b) for c in ["met", "late", "missed", "open", "excused"]],
        ], keys=["standard", "ae", "iso_year", "iso_week"]),
        TableSuite("evidence_refs", ["obligation_id", "source_file", "record", "is_resolved"], [
            (gxe.ExpectColumnValuesToBeInSet(column="is_resolved", value_set=[True]), b),
        ], keys=["obligation_id", "source_file", "record"]),
    ]


@dataclass
class ValidationReport:
    run_id: str
    stage: str
    checks: int = 0
    failed: list[str] = field(default_factory=list)
    quarantined_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def blocks_publishing(self) -> bool:
        return bool(self.failed)

    def __str__(self) -> str:
        return (f"{self.stage}: {self.checks} checks, {len(self.failed)} blocking failures, "
                f"{self.quarantined_rows} rows quarantined, {len(self.warnings)} warnings")


class _Gx:
    """One ephemeral GX context per validation pass."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.ctx.data_sources.add_pandas("warehouse")

    def run(self, suite: TableSuite, frame, extra: list[tuple[Any, str]] = ()) -> list[tuple[Any, str]]:
        gx = self.gx
        name = f"{suite.table}-{uuid.uuid4().hex[:8]}"
        batch_def = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        expectations = list(suite.expectations) + list(extra)
        gx_suite = self.ctx.suites.add(gx.ExpectationSuite(name=name, expectations=[e for e, _ in expectations]))
        definition = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_def, suite=gx_suite))
        with warnings.catch_warnings():
            # GX reads tz-aware columns through Series.values; pandas 3 warns about it on every check
            warnings.filterwarnings("ignore", message="Series.values returning an ndarray that drops timezone")
            result = definition.run(
                batch_parameters={"dataframe": frame},
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": suite.keys},
            )
        # results come back in suite order; match them by the id GX gave each expectation
        action_of = {e.id: a for e, a in zip(gx_suite.expectations, (a for _, a in expectations))}
        return [(r, action_of[r.expectation_config.id]) for r in result.results]


def _describe(r) -> tuple[str, str | None]:
    cfg = r.expectation_config
    column = cfg.kwargs.get("column") or ",".join(cfg.kwargs.get("column_list") or []) or (
        f"{cfg.kwargs.get('column_A')}>={cfg.kwargs.get('column_B')}" if cfg.kwargs.get("column_A") else None)
    return cfg.type, column


def _observed(r) -> str:
    if r.exception_info and r.exception_info.get("raised_exception"):
        return f"error: {r.exception_info.get('exception_message')}"[:500]
    res = r.result or {}
    if "observed_value" in res:
        return str(res["observed_value"])[:500]
    return str(res.get("partial_unexpected_list", [])[:5])[:500]


def _table_exists(con, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()[0])


def _previous_count(con, table: str) -> int | None:
    row = con.execute(
        "select row_count from validation_row_counts where table_name = ? order by checked_at desc limit 1", [table]
    ).fetchone()
    return None if row is None else row[0]


def validate(con: duckdb.DuckDBPyConnection, stage: str, run_id: str | None = None) -> ValidationReport:
    """Run the stage's suites ('ingest': raw tables, 'build': marts) and apply the policy."""
    gxe = _gxe()
    run_id = run_id or uuid.uuid4().hex
    report = ValidationReport(run_id=run_id, stage=stage)
    now = datetime.now(timezone.utc)
    gx = _Gx()
    results_rows: list[dict] = []
    counts_rows: list[dict] = []
    suites = raw_suites() if stage == "ingest" else mart_suites()
    for suite in suites:
        if not _table_exists(con, suite.table):
            continue
        # flag a drop of more than 15 % against the previous run (always checked, so that every
        # run stores the same set of results)
        previous = _previous_count(con, suite.table) or 0
        extra = [(gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous * (1 - ROW_DROP))), "warn")]
        cols = ", ".join(f'"{c}"' for c in suite.columns)
        frame = con.execute(f'select {cols} from "{suite.table}"').df()
        to_quarantine: dict[tuple, str] = {}
        for r, action in gx.run(suite, frame, extra):
            report.checks += 1
            expectation, column = _describe(r)
            ok = bool(r.success)
            results_rows.append(dict(
                run_id=run_id, checked_at=now, stage=stage, table_name=suite.table, expectation=expectation,
                column_name=column, success=ok, unexpected_count=(r.result or {}).get("unexpected_count"),
                observed=None if ok else _observed(r), action=action,
            ))
            if ok:
                continue
            label = f"{suite.table}: {expectation}({column}) {_observed(r)}"
            if action == "warn":
                report.warnings.append(label)
            elif action == "quarantine" and (r.result or {}).get("unexpected_index_list"):
                for item in r.result["unexpected_index_list"]:
                    key = tuple(item[k] for k in suite.keys)
                    values = ", ".join(f"{k}={v}" for k, v in item.items() if k not in suite.keys)
                    to_quarantine.setdefault(key, f"fails {expectation}: {values}")
            else:
                report.failed.append(label)
        if to_quarantine:
            _quarantine_rows(con, suite.table, to_quarantine, now)
            report.quarantined_rows += len(to_quarantine)
        count = con.execute(f'select count(*) from "{suite.table}"').fetchone()[0]
        counts_rows.append(dict(run_id=run_id, checked_at=now, table_name=suite.table, row_count=count))
    # keep the latest results of each stage and the latest count of each table: re-running on
    # the same exports must change no row anywhere, these tables included
    con.execute("delete from validation_results where stage = ?", [stage])
    con.execute("delete from validation_row_counts where table_name in (select unnest(?::varchar[]))",
                [[r["table_name"] for r in counts_rows]])
    insert_rows(con, "validation_results", results_rows)
    insert_rows(con, "validation_row_counts", counts_rows)
    for w in report.warnings:
        log.warning("validation warning: %s", w)
    for f in report.failed:
        log.error("validation failure: %s", f)
    return report


def _quarantine_rows(con, table: str, rows: dict[tuple, str], now: datetime) -> None:
    con.execute("begin transaction")
    try:
        for (source_file, record), reason in rows.items():
            con.execute(f'delete from "{table}" where source_file = ? and record = ?', [source_file, record])
        insert_rows(con, "quarantine", [
            dict(source_file=sf, record=rec, reason=reason, source_kind=table, quarantined_at=now, is_loaded=False)
            for (sf, rec), reason in rows.items()
        ])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise

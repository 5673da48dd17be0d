"""Great Expectations checkpoints at the edges of the pipeline (policy: docs/quality.md).

GX on DuckDB through SQLAlchemy is broken, so every table is validated through GX's pandas
data source on a DataFrame read from DuckDB. Three kinds of failure:
- quarantine: rows of a raw table that fail a row-level check leave the table and go to
  `quarantine` with the check as the reason; the rest of the run goes on.
- block: a mart that fails (duplicate keys, impossible statuses, rates outside [0, 1],
  unresolvable evidence) stops publishing; the previous site stays up.
- warn: recorded and shown (e.g. a row-count drop of more than 15 % since the previous run).
Every result is stored in `validation_results`.

After the build every model of sql/models.txt is checked against the declarations in the YAML
file beside its SQL (sql/<layer>/<model>.yml: grain, not_null, accepted_values, references),
one GX validation per model; on marts, grain, not-null and accepted values block publishing,
everything else warns (MODEL_CHECK_ACTIONS).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from aemetrics.warehouse import SQL_DIR, insert_rows

log = logging.getLogger("aemetrics.quality")

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
STATUSES = ["met", "late", "missed", "open", "excused"]
ROW_DROP = 0.15


@dataclass(frozen=True)
class Condition:
    """A GX row condition, plainly: `column op value` (op: == or !=); built in GX by `to_gx`."""

    column: str
    op: str
    value: Any

    def to_gx(self):
        column = _column(self.column)
        return column == self.value if self.op == "==" else column != self.value


@dataclass(frozen=True)
class Expect:
    """A GX expectation, described plainly: its class in `great_expectations.expectations` and its
    arguments. Describing a suite imports no GX; the expectation is built where it is validated
    (`to_gx`: in the checker process, aemetrics/checker.py, or in this one)."""

    kind: str
    kwargs: dict[str, Any]

    def to_gx(self):
        kwargs = {k: v.to_gx() if isinstance(v, Condition) else v for k, v in self.kwargs.items()}
        return getattr(_gxe(), self.kind)(**kwargs)


class _Expectations:
    """`EXPECT.ExpectColumnValuesToNotBeNull(column="x")` describes what
    `gxe.ExpectColumnValuesToNotBeNull(column="x")` would build."""

    def __getattr__(self, kind: str):
        if not kind.startswith("Expect"):
            raise AttributeError(kind)
        return lambda **kwargs: Expect(kind, kwargs)


EXPECT: Any = _Expectations()


@dataclass
class TableSuite:
    table: str
    columns: list[str]  # what to read (never message bodies)
    expectations: list[tuple[Expect, str]]  # (GX expectation, described; action on failure)
    keys: list[str] = field(default_factory=lambda: ["source_file", "record"])
    count_drop: bool = True  # also warn when the row count drops by more than ROW_DROP
    query: str | None = None  # how to read the frame; default: the columns of the table
    # per-row (or per-file) checks of a raw table: only the rows of files not yet passed are read
    # (docs/quality.md "Incremental raw checks")
    incremental: bool = False


# What a failed model check does, by layer and kind of check (docs/quality.md). A broken grain
# or a null key in staging or intermediate shows in the marts built on it, which block.
MODEL_CHECK_ACTIONS = {
    "marts": {"grain": "block", "not_null": "block", "accepted_values": "block", "references": "warn"},
    "intermediate": {"grain": "warn", "not_null": "warn", "accepted_values": "warn", "references": "warn"},
    "staging": {"grain": "warn", "not_null": "warn", "accepted_values": "warn", "references": "warn"},
}
CHECK_KINDS = ("grain", "not_null", "accepted_values", "references")


class ChecksError(ValueError):
    """A model's checks file is missing or malformed; the message names the file."""


@dataclass
class ModelChecks:
    """The declarations of sql/<layer>/<model>.yml (docs/quality.md "Checks beside the models")."""

    model: str
    layer: str
    path: Path
    grain: list[str]  # the columns that identify one row; [] = the model has exactly one row
    not_null: list[str] = field(default_factory=list)
    accepted_values: dict[str, list] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # column -> "<model>.<column>" (nulls pass)

    @property
    def columns(self) -> list[str]:
        cols = [*self.grain, *self.not_null, *self.accepted_values, *self.references]
        return list(dict.fromkeys(cols))


def checks_file(model_sql: Path) -> Path:
    """Where a model's checks are declared: the YAML file beside its SQL."""
    return model_sql.with_suffix(".yml")


def _names(path: Path, key: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ChecksError(f"{path}: {key} must be a list of column names, got {value!r}")
    return value


def load_model_checks(model_sql: Path) -> ModelChecks:
    """Read the checks declared beside one model file; errors name the file."""
    path = checks_file(model_sql)
    if not path.is_file():
        raise ChecksError(
            f"{model_sql}: no checks declared: create {path} with at least "
            f"`grain: [<the columns that identify one row>]` (docs/quality.md)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ChecksError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ChecksError(f"{path}: expected a mapping of {', '.join(CHECK_KINDS)}")
    unknown = sorted(set(data) - set(CHECK_KINDS) - {"standard"})  # standard: the registry's (standards.py)
    if unknown:
        raise ChecksError(f"{path}: unknown keys {unknown}; allowed: {', '.join(CHECK_KINDS)}, standard")
    if "grain" not in data:
        raise ChecksError(f"{path}: no grain: add `grain: [<the columns that identify one row>]`")
    accepted = data.get("accepted_values") or {}
    references = data.get("references") or {}
    if not isinstance(accepted, dict) or not all(isinstance(v, list) and v for v in accepted.values()):
        raise ChecksError(f"{path}: accepted_values must map each column to a list of values")
    if not isinstance(references, dict) or not all(
        isinstance(v, str) and v.count(".") == 1 for v in references.values()
    ):
        raise ChecksError(f"{path}: references must map each column to '<model>.<column>'")
    return ModelChecks(
        model=model_sql.stem,
        layer=model_sql.parent.name,
        path=path,
        grain=_names(path, "grain", data["grain"] or []),
        not_null=_names(path, "not_null", data.get("not_null") or []),
        accepted_values=accepted,
        references=references,
    )


def models_without_checks(sql_dir: Path = SQL_DIR) -> list[str]:
    """The models of sql/models.txt with no checks file beside them, each with what to add."""
    from aemetrics.build import declared_models

    return [
        f"{p.relative_to(sql_dir)}: create {checks_file(p).relative_to(sql_dir)} with at least "
        f"`grain: [<the columns that identify one row>]` (docs/quality.md)"
        for p in declared_models(sql_dir)
        if not checks_file(p).is_file()
    ]


def model_suite(con, checks: ModelChecks, extra: Sequence[tuple[Expect, str]] = ()) -> TableSuite:
    """One GX suite with every declared check of a model (plus `extra`), actions by layer."""
    gxe = EXPECT
    action = MODEL_CHECK_ACTIONS.get(checks.layer, MODEL_CHECK_ACTIONS["staging"])
    expectations: list[tuple[Expect, str]] = []
    if not checks.grain:
        expectations.append((gxe.ExpectTableRowCountToEqual(value=1), action["grain"]))
    elif len(checks.grain) == 1:
        expectations.append((gxe.ExpectColumnValuesToBeUnique(column=checks.grain[0]), action["grain"]))
    else:
        expectations.append((gxe.ExpectCompoundColumnsToBeUnique(column_list=checks.grain), action["grain"]))
    for column in checks.not_null:
        expectations.append((gxe.ExpectColumnValuesToNotBeNull(column=column), action["not_null"]))
    for column, values in checks.accepted_values.items():
        expectations.append(
            (gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values), action["accepted_values"])
        )
    for column in checks.references:
        # DuckDB finds the value (a join); GX checks the flag: a value set of thousands of keys
        # inside a GX expectation costs seconds
        expectations.append(
            (
                gxe.ExpectColumnValuesToBeInSet(column=reference_column(checks, column), value_set=[True]),
                action["references"],
            )
        )
    return TableSuite(checks.model, checks.columns, [*expectations, *extra], keys=checks.grain or [], count_drop=False)


def reference_column(checks: ModelChecks, column: str) -> str:
    """The name of the computed flag 'the value is found in the referenced model'."""
    return f"{column} in {checks.references[column]}"


def model_frame_sql(checks: ModelChecks, columns: list[str]) -> str:
    """The select that reads a model for its checks: the checked columns and one flag per reference."""
    cols = [f'm."{c}"' for c in columns]
    for column, target in checks.references.items():
        table, target_column = target.split(".")
        cols.append(
            f'm."{column}" is null or exists (select 1 from "{table}" t where t."{target_column}" = m."{column}") '
            f'as "{reference_column(checks, column)}"'
        )
    return f'select {", ".join(cols)} from "{checks.model}" m'


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _column(name: str):
    """A GX row-condition column (conditions are objects since GX 1.9; strings are deprecated)."""
    from great_expectations.expectations.row_conditions import Column

    return Column(name)


def _in_range(gxe, column: str):
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=EARLIEST, max_value=LATEST)


def raw_suites() -> list[TableSuite]:
    gxe = EXPECT
    q = "quarantine"

    def one_row_per_record(*extra: str):  # two rows for one record would be a loader bug
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "record", *extra]), "block"

    return [
        TableSuite(
            "raw_email_messages",
            ["message_id", "sent_at", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="message_id"), q),
                (_in_range(gxe, "sent_at"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_calendar_events",
            ["event_uid", "occurrence_key", "start_at", "end_at", "created_at", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="event_uid"), q),
                (_in_range(gxe, "start_at"), q),
                (_in_range(gxe, "created_at"), q),
                (gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_at", column_B="start_at", or_equal=True), q),
                one_row_per_record("occurrence_key"),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_calendar_attendees",
            ["event_uid", "occurrence_key", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="event_uid"), q),
                (gxe.ExpectColumnValuesToNotBeNull(column="occurrence_key"), q),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_crm_activities",
            ["activity_id", "activity_at", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="activity_id"), q),
                (_in_range(gxe, "activity_at"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_crm_users",
            ["user_id", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="user_id"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_crm_accounts",
            ["account_id", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="account_id"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_crm_contacts",
            ["contact_id", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="contact_id"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_staff",
            ["email", "source_file", "record"],
            [
                (gxe.ExpectColumnValuesToNotBeNull(column="email"), q),
                (gxe.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[^@\s]+@[^@\s]+$"), q),
                one_row_per_record(),
            ],
            incremental=True,
        ),
        TableSuite(
            "raw_attendance",
            ["join_at", "leave_at", "source_file", "record"],
            [
                (_in_range(gxe, "join_at"), q),
                (
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="leave_at", column_B="join_at", or_equal=True, ignore_row_if="either_value_is_missing"
                    ),
                    q,
                ),
                one_row_per_record(),
            ],
            incremental=True,
        ),
    ]


def mart_suites() -> list[TableSuite]:
    """The mart rules a declaration cannot say (ranges, column pairs); they block publishing.

    Grain, not-nulls and accepted values of the marts are declared beside their SQL
    (sql/marts/*.yml) and run in the same validation as these."""
    gxe = EXPECT
    b = "block"
    return [
        TableSuite(
            "obligations",
            ["obligation_id", "standard", "opened_at", "due_at"],
            [
                (
                    # reschedule_notice opens at the change, which may come after its deadline (STANDARDS.md:
                    # "opened at the change ... else late"); every other standard opens by its deadline
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="due_at",
                        column_B="opened_at",
                        or_equal=True,
                        row_condition=Condition("standard", "!=", "reschedule_notice"),
                    ),
                    b,
                ),
                (_in_range(gxe, "opened_at"), b),
            ],
            keys=["obligation_id"],
        ),
        TableSuite(
            "kpi_weekly",
            ["standard", "ae", "iso_year", "iso_week", "met", "late", "missed", "open", "excused", "rate"],
            [
                (gxe.ExpectColumnValuesToBeBetween(column="rate", min_value=0, max_value=1), b),
                *[
                    (gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0), b)
                    for c in ["met", "late", "missed", "open", "excused"]
                ],
            ],
            keys=["standard", "ae", "iso_year", "iso_week"],
        ),
        TableSuite(
            "evidence_refs",
            ["obligation_id", "source_file", "record", "is_resolved"],
            [],
            keys=["obligation_id", "source_file", "record"],
        ),
    ]


def _columns_of(con, tables: Sequence[str] | None = None) -> dict[str, set[str]]:
    """The columns of every table (or of `tables`), as the connection sees them."""
    sql = "select table_name, column_name from information_schema.columns"
    rows = (
        con.execute(f"{sql} where table_name in (select unnest(?::varchar[]))", [list(tables)]).fetchall()
        if tables is not None
        else con.execute(sql).fetchall()
    )
    columns_of: dict[str, set[str]] = {}
    for table, column in rows:
        columns_of.setdefault(table, set()).add(column)
    return columns_of


def _model_suite(
    con, checks: ModelChecks | ChecksError, columns_of: dict[str, set[str]], extras: dict[str, TableSuite]
) -> TableSuite | str:
    """One model's suite (its declared checks and its mart rules from `extras`), or the error."""
    if isinstance(checks, ChecksError):
        return str(checks)
    absent = [c for c in checks.columns if c not in columns_of[checks.model]]
    absent += [t for t in checks.references.values() if t.split(".")[1] not in columns_of.get(t.split(".")[0], ())]
    if absent:
        return f"{checks.path}: declares columns that {checks.model} does not have: {', '.join(absent)}"
    suite = model_suite(con, checks)
    extra = extras.get(checks.model)
    if extra is not None:  # one validation per model: the declared checks and the mart's rules
        suite.expectations += extra.expectations
        suite.columns = list(dict.fromkeys([*suite.columns, *extra.columns]))
        suite.keys, suite.count_drop = extra.keys, True
    suite.query = model_frame_sql(checks, suite.columns)
    return suite


def _load_checks(path: Path) -> ModelChecks | ChecksError:
    try:
        return load_model_checks(path)
    except ChecksError as exc:
        return exc


def build_suites(con, sql_dir: Path | None = None) -> tuple[list[TableSuite], list[str]]:
    """After the build: one suite per model of sql/models.txt (its declared checks, and for the
    marts of mart_suites() their extra rules), in build order; and the declaration errors."""
    from aemetrics.build import declared_models

    extras = {s.table: s for s in mart_suites()}
    suites: list[TableSuite] = []
    errors: list[str] = []
    columns_of = _columns_of(con)
    for path in declared_models(sql_dir or SQL_DIR):
        if path.stem not in columns_of:
            continue
        got = _model_suite(con, _load_checks(path), columns_of, extras)
        if isinstance(got, str):
            errors.append(got)
        else:
            suites.append(got)
            extras.pop(path.stem, None)
    return suites + [s for s in extras.values() if s.table in columns_of], errors


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
        return (
            f"{self.stage}: {self.checks} checks, {len(self.failed)} blocking failures, "
            f"{self.quarantined_rows} rows quarantined, {len(self.warnings)} warnings"
        )


class _Gx:
    """One ephemeral GX context per validation pass."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.execution_engine import pandas_execution_engine

        # GX fingerprints every frame it is given (an md5 over a pandas hash of every value, twice
        # per validation: the batch is fetched again by `validate`) for a batch marker we never
        # read or store; it was a third of the checks' time. Frames of at least HASH_THRESHOLD
        # bytes are not hashed: the threshold 0 turns it off (results and counts are unchanged).
        pandas_execution_engine.HASH_THRESHOLD = 0
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.ctx.data_sources.add_pandas("warehouse")
        # one asset for every table: each validation passes its own DataFrame
        self.batch_def = self.source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
        from great_expectations.expectations.expectation import (
            ColumnMapExpectation,
            ColumnPairMapExpectation,
            MulticolumnMapExpectation,
        )

        self.row_wise = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)

    def run(
        self, suite: TableSuite, frame, extra: Sequence[tuple[Expect, str]] = (), quick_only: bool = False
    ) -> list[tuple[Any, str]] | None:
        """Every expectation of the suite in one validation of `frame`, with its action.

        A suite that quarantines nothing is first validated with GX's BOOLEAN_ONLY results (half
        the cost: no unexpected values are gathered); only when one of its expectations fails is
        it validated again with SUMMARY, for the counts and values that are stored. Passing
        results carry what SUMMARY gives them: unexpected_count 0 for row-wise expectations.
        `quick_only`: `frame` is a quick frame (`quick_frame`): the BOOLEAN_ONLY pass alone,
        None when an expectation fails (the suite is then validated again on its frame)."""
        expectations = [(e.to_gx(), a) for e, a in [*suite.expectations, *extra]]
        if not quick_only and any(a == "quarantine" for _, a in expectations):
            # the failing rows' keys only where they are needed (to quarantine them)
            fmt = {"result_format": "COMPLETE", "unexpected_index_column_names": suite.keys}
            return self._validate(suite, frame, expectations, fmt)
        quick = self._validate(suite, frame, expectations, {"result_format": "BOOLEAN_ONLY"})
        if not all(r.success for r, _ in quick):
            if quick_only:
                return None
            return self._validate(suite, frame, expectations, {"result_format": "SUMMARY"})
        for r, _ in quick:
            expectation = expectations[r.expectation_config.meta["aemetrics_check"]][0]
            r.result = {"unexpected_count": 0} if isinstance(expectation, self.row_wise) else {}
        return quick

    def check(
        self,
        suite: TableSuite,
        frame,
        extra: Sequence[tuple[Expect, str]] = (),
        whole=None,
        quick_only: bool = False,
    ) -> list[dict] | None:
        """`run`, each result described plainly (what `validate` stores and decides on): the same
        dicts whether GX runs here or in the checker process. `whole`: `frame` holds only some of
        the table's rows (incremental raw checks), and `whole` is a frame without columns with as
        many rows as the table: the table-level `extra` (its row count) is validated on it.
        `quick_only`: see `run`; None: an expectation failed on the quick frame."""
        if whole is None or not extra:
            results = self.run(suite, frame, extra, quick_only)
        else:
            rows = self.run(suite, frame, (), quick_only)
            table = self.run(TableSuite(suite.table, [], [], keys=[]), whole, extra, quick_only)
            results = None if rows is None or table is None else [*rows, *table]
        if results is None:
            return None
        out = []
        for r, action in results:
            expectation, column = _describe(r)
            ok = bool(r.success)
            result = r.result or {}
            out.append(
                dict(
                    expectation=expectation,
                    column=column,
                    success=ok,
                    unexpected_count=result.get("unexpected_count"),
                    observed=None if ok else _observed(r),
                    unexpected_index_list=None if ok else result.get("unexpected_index_list"),
                    action=action,
                )
            )
        return out

    def _validate(
        self, suite: TableSuite, frame, expectations: list[tuple[Any, str]], result_format: dict
    ) -> list[tuple[Any, str]]:
        # the suite is not stored (storing suites and validation definitions in the context costs
        # more than validating); each expectation carries its position, to find its action
        tagged = [
            e.copy(update={"meta": {**(e.meta or {}), "aemetrics_check": i}}) for i, (e, _) in enumerate(expectations)
        ]
        gx_suite = self.gx.ExpectationSuite(name=f"{suite.table}-{uuid.uuid4().hex[:8]}", expectations=tagged)
        with warnings.catch_warnings():
            # GX reads tz-aware columns through Series.values; pandas 3 warns about it on every check
            warnings.filterwarnings("ignore", message="Series.values returning an ndarray that drops timezone")
            batch = self.batch_def.get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(gx_suite, result_format=result_format)
        out = []
        for r in result.results:
            config = r.expectation_config
            if config is None:  # GX sets it on every result of a suite's validation
                raise RuntimeError(f"{suite.table}: a validation result without its expectation")
            out.append((r, expectations[config.meta["aemetrics_check"]][1]))
        return out


def _describe(r) -> tuple[str, str | None]:
    cfg = r.expectation_config
    column = (
        cfg.kwargs.get("column")
        or ",".join(cfg.kwargs.get("column_list") or [])
        or (f"{cfg.kwargs.get('column_A')}>={cfg.kwargs.get('column_B')}" if cfg.kwargs.get("column_A") else None)
    )
    return cfg.type, column


def _observed(r) -> str:
    if r.exception_info and r.exception_info.get("raised_exception"):
        return f"error: {r.exception_info.get('exception_message')}"[:500]
    res = r.result or {}
    if "observed_value" in res:
        return str(res["observed_value"])[:500]
    return str(res.get("partial_unexpected_list", [])[:5])[:500]


def _table_exists(con, table: str) -> bool:
    return bool(
        con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()[0]
    )


def _previous_count(con, table: str) -> int | None:
    row = con.execute(
        "select row_count from validation_row_counts where table_name = ? order by checked_at desc limit 1", [table]
    ).fetchone()
    return None if row is None else row[0]


def validate(
    con: duckdb.DuckDBPyConnection, stage: str, run_id: str | None = None, *, sql_dir: Path | None = None
) -> ValidationReport:
    """Run the stage's suites and apply the policy: 'ingest': the raw tables; 'build': every model
    of sql/models.txt against its declared checks (sql_dir: another copy of sql/, as build's).
    GX runs in the run's checker process when one is running (aemetrics/checker.py), else here."""
    return start_validation(con, stage, run_id, sql_dir=sql_dir).finish(con)


@dataclass
class PendingValidation:
    """A stage's suites, their frames read and handed to GX (`start_validation`); `finish` applies
    the results. Between the two the caller may do other work on the connection, as long as it
    changes none of the tables read (the frames are snapshots: nothing is re-read but row counts)."""

    run_id: str
    stage: str
    report: ValidationReport
    checked: list[tuple[TableSuite, Any]]  # each suite with its pending GX result (checker.Pending)
    in_worker: bool  # GX runs in the checker process
    files_read: dict[str, list[str]] = field(default_factory=dict)  # incremental suites: table -> files read

    def cancel(self) -> None:
        """Drop the results (e.g. the frames went stale: the tables were rebuilt)."""
        for _, pending in self.checked:
            pending.cancel()

    def finish(self, con: duckdb.DuckDBPyConnection) -> ValidationReport:
        """Wait for the results; store them, quarantine rows and list warnings and failures."""
        report, stage, run_id = self.report, self.stage, self.run_id
        now = datetime.now(UTC)
        results_rows: list[dict] = []
        counts_rows: list[dict] = []
        for suite, pending in self.checked:
            to_quarantine: dict[tuple, str] = {}
            results = pending.result()
            for r in results:
                report.checks += 1
                expectation, column, ok, action = r["expectation"], r["column"], r["success"], r["action"]
                results_rows.append(
                    dict(
                        run_id=run_id,
                        checked_at=now,
                        stage=stage,
                        table_name=suite.table,
                        expectation=expectation,
                        column_name=column,
                        success=ok,
                        unexpected_count=r["unexpected_count"],
                        observed=r["observed"],
                        action=action,
                    )
                )
                if ok:
                    continue
                failing = r["unexpected_count"]
                label = f"{suite.table}: {expectation}({column}) {r['observed']}" + (
                    f" ({failing} failing rows)" if failing else ""
                )
                if action == "warn":
                    report.warnings.append(label)
                elif action == "quarantine" and r["unexpected_index_list"]:
                    for item in r["unexpected_index_list"]:
                        key = tuple(item[k] for k in suite.keys)
                        values = ", ".join(f"{k}={v}" for k, v in item.items() if k not in suite.keys)
                        to_quarantine.setdefault(key, f"fails {expectation}: {values}")
                else:
                    report.failed.append(label)
            if to_quarantine:
                _quarantine_rows(con, suite.table, to_quarantine, now)
                report.quarantined_rows += len(to_quarantine)
            if suite.table in self.files_read:
                passed = _files_passed(self.files_read[suite.table], results)
                if passed:
                    _record_checked(con, suite, passed, now)
            if suite.count_drop:
                count = con.execute(f'select count(*) from "{suite.table}"').fetchall()[0][0]
                counts_rows.append(dict(run_id=run_id, checked_at=now, table_name=suite.table, row_count=count))
        # keep the latest results of each stage and the latest count of each table: re-running on
        # the same exports must change no row anywhere, these tables included
        con.execute("delete from validation_results where stage = ?", [stage])
        con.execute(
            "delete from validation_row_counts where table_name in (select unnest(?::varchar[]))",
            [[r["table_name"] for r in counts_rows]],
        )
        insert_rows(con, "validation_results", results_rows)
        insert_rows(con, "validation_row_counts", counts_rows)
        for w in report.warnings:
            log.warning("validation warning: %s", w)
        for f in report.failed:
            log.error("validation failure: %s", f)
        return report


CHECKED_FILES = "validation_checked_files"
ROW_COUNT = "expect_table_row_count_to_be_between"  # the one table-level check of the raw tables


def suite_fingerprint(suite: TableSuite) -> str:
    """What a table's checks are (a file passed under other checks is checked again)."""
    return hashlib.sha256(repr((suite.table, suite.columns, suite.keys, suite.expectations)).encode()).hexdigest()[:16]


def _files_to_check(con: duckdb.DuckDBPyConnection, suite: TableSuite) -> tuple[list[str | None], bool]:
    """The files of a raw table whose rows are to be checked: the files without a current entry in
    `validation_checked_files` (new, changed or loaded again since their rows passed, never
    passed, or passed under other checks; a null source_file is listed as None); and whether
    every file is listed."""
    rows = con.execute(
        f"""
        with files as (select distinct source_file from "{suite.table}")
        select f.source_file, c.checked_file is not null
        from files f
        left join ingest_manifest m on m.source_file = f.source_file
        left join {CHECKED_FILES} c
            on c.table_name = ? and c.checked_file = f.source_file and c.suite = ?
            and c.sha256 = m.sha256 and c.loaded_at = m.loaded_at
        """,
        [suite.table, suite_fingerprint(suite)],
    ).fetchall()
    to_check = sorted({f for f, passed in rows if not passed}, key=lambda f: (f is None, f or ""))
    return to_check, len(to_check) == len({f for f, _ in rows})


def _submit(con: duckdb.DuckDBPyConnection, gx, suite: TableSuite, files_read: dict | None = None):
    """Read the suite's frame and hand it to GX (`gx`: the checker, or checker.InProcess).

    An incremental suite (the raw tables) reads only the rows of the files `_files_to_check`
    lists, in table order, and its row count comes from the table (`whole`); the files read are
    put in `files_read` (table -> files), to be recorded once their rows pass."""
    # flag a drop of more than 15 % against the previous run (always checked, so that every
    # run stores the same set of results)
    extra = []
    if suite.count_drop:
        previous = _previous_count(con, suite.table) or 0
        extra = [(EXPECT.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous * (1 - ROW_DROP))), "warn")]
    cols = ", ".join(f'"{c}"' for c in suite.columns)
    query, params, whole = suite.query or f'select {cols} from "{suite.table}"', [], None
    if (
        suite.incremental
        and suite.query is None
        and _table_exists(con, CHECKED_FILES)
        and _table_exists(con, "ingest_manifest")
    ):
        files, every_file = _files_to_check(con, suite)
        if files_read is not None:
            files_read[suite.table] = [f for f in files if f is not None]
        if not every_file:
            named = [f for f in files if f is not None]
            null = " or source_file is null" if None in files else ""
            query = f"{query} where source_file in (select unnest(?::varchar[])){null}"
            params = [named]
            count = con.execute(f'select count(*) from "{suite.table}"').fetchall()[0][0]
            whole = pd.DataFrame(index=pd.RangeIndex(count))  # the table's length, no column
    # the frame, values and all, in table order: a sample of failing values is taken in this order
    # (a model's reference flags are a join, whose order DuckDB does not fix from read to read)
    ordered = f"{query} order by rowid"
    types = {d[0]: str(d[1]) for d in con.execute(f"select * from ({query}) as q limit 0", params).description}
    quick = quick_frame(suite, extra, query, types)
    if quick is None:
        return gx.submit(suite, con.execute(ordered, params).df(), extra, whole)
    quick_sql, quick_suite = quick
    first = gx.submit(quick_suite, con.execute(quick_sql, params).df(), extra, whole, quick_only=True)
    return _SecondLook(first, lambda: gx.submit(suite, con.execute(ordered, params).df(), extra, whole))


# GX's first pass (BOOLEAN_ONLY: pass or fail, no values) of these expectations needs of a
# column only which of its values are equal and which are null: a hash of each value says as much
IDENTITY_ONLY = frozenset(
    ["ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToNotBeNull"]
)
IN_SET = "ExpectColumnValuesToBeInSet"


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quick_frame(
    suite: TableSuite, extra: Sequence[tuple[Expect, str]], query: str, types: dict[str, str]
) -> tuple[str, TableSuite] | None:
    """The quick frame of a suite (its select over `query`, whose columns have DuckDB `types`) and
    the suite to validate on it: only the columns its expectations read, and of those
    - a column of single values (not a list, struct or map: pandas cannot tell those apart) that
      only uniqueness and not-null checks read: a 64-bit hash of its value (null stays null):
      equal values have equal hashes;
    - a text column that one accepted-values check (text values) and not-null checks read:
      whether its value is accepted (null stays null), checked as "in [true]" (as a reference
      flag is).
    So a quick frame that passes passes on its values, and the stored results are those of a
    passing BOOLEAN_ONLY pass (`_Gx.run`: the same expectation, column and counts). A failure, or
    a hash collision (two values, one hash: a duplicate that is not), sends the suite's frame,
    values and all, for the validation as before (`_SecondLook`). Reading, pickling and checking
    64-bit integers and booleans costs a fraction of Python strings (issue 10: 1.8 M e-mail
    recipients). None: no column to encode (the frame is read as before)."""
    kinds: dict[str, set[str]] = {}
    value_sets: dict[str, list[tuple]] = {}
    for expect, _ in [*suite.expectations, *extra]:
        kw = expect.kwargs
        named = [kw[k] for k in ("column", "column_A", "column_B") if k in kw] + list(kw.get("column_list") or [])
        for column in named:
            kinds.setdefault(column, set()).add(expect.kind)
            if expect.kind == IN_SET:
                value_sets.setdefault(column, []).append(tuple(kw.get("value_set") or ()))
        for condition in (v for v in kw.values() if isinstance(v, Condition)):
            kinds.setdefault(condition.column, set()).add("row_condition")

    def encoding(column: str) -> str:
        kind = types.get(column, "")
        if kinds[column] <= IDENTITY_ONLY and kind and not kind.endswith("]") and "(" not in kind:
            return "hash"
        values = value_sets.get(column, [])
        if (
            kind == "VARCHAR"
            and kinds[column] <= {IN_SET, "ExpectColumnValuesToNotBeNull"}
            and len(values) == 1
            and values[0]
            and all(isinstance(v, str) for v in values[0])
        ):
            return "accepted"
        return "value"

    encoded = {c: encoding(c) for c in kinds}
    if all(e == "value" for e in encoded.values()):
        return None
    columns = []
    for c, how in encoded.items():
        if how == "hash":
            columns.append(f'case when "{c}" is null then null else (hash("{c}") >> 1)::bigint end as "{c}"')
        elif how == "accepted":
            accepted = ", ".join(_sql_literal(v) for v in value_sets[c][0])
            columns.append(f'case when "{c}" is null then null else "{c}" in ({accepted}) end as "{c}"')
        else:
            columns.append(f'"{c}"')
    expectations = [
        (Expect(IN_SET, {**e.kwargs, "value_set": [True]}), a)
        if e.kind == IN_SET and encoded[e.kwargs["column"]] == "accepted"
        else (e, a)
        for e, a in suite.expectations
    ]
    return f"select {', '.join(columns)} from ({query}) as checked", replace(suite, expectations=expectations)


class _SecondLook:
    """A suite's result from its quick frame, or, when that found a failure, from its frame read
    again (at `finish`: the tables are as they were when the quick frame was read)."""

    def __init__(self, quick, again) -> None:
        self._quick, self._again = quick, again
        self._pending: Any = None  # the second validation, once sent

    def result(self) -> list[dict]:
        if self._pending is None:
            got = self._quick.result()
            if got is not None:
                return got
            self._pending = self._again()
        return self._pending.result()

    def cancel(self) -> None:
        self._quick.cancel()
        if self._pending is not None:
            self._pending.cancel()


def _files_passed(files: list[str], results: list[dict]) -> list[str]:
    """The files read whose rows now all pass: a failing row that was quarantined left its table;
    one that stays (a failure that blocks) is read again by the next run, as the whole table was.
    A failure naming no row (GX raised) passes no file."""
    staying: set[str] = set()
    for r in results:
        if r["success"] or r["expectation"] == ROW_COUNT:  # the row count: the whole table's, every run
            continue
        if not r["unexpected_index_list"]:
            return []
        if r["action"] != "quarantine":
            staying.update(item.get("source_file") for item in r["unexpected_index_list"])
    return [f for f in files if f not in staying]


def _record_checked(con: duckdb.DuckDBPyConnection, suite: TableSuite, files: list[str], now: datetime) -> None:
    """The rows of `files` passed the table's checks (or their failing rows were quarantined):
    a later run does not read them again while the file and the checks are unchanged."""
    fingerprint = suite_fingerprint(suite)
    con.execute(
        f"""delete from {CHECKED_FILES} where table_name = ? and (suite <> ?
            or checked_file in (select unnest(?::varchar[]))
            or checked_file not in (select source_file from ingest_manifest))""",
        [suite.table, fingerprint, files],
    )
    con.execute(
        f"""insert into {CHECKED_FILES}
            select ?, source_file, sha256, loaded_at, ?, ? from ingest_manifest
            where source_file in (select unnest(?::varchar[]))""",
        [suite.table, fingerprint, now, files],
    )


def _gx_here_or_there():
    from aemetrics import checker

    return checker.current() or checker.InProcess()


def start_validation(
    con: duckdb.DuckDBPyConnection, stage: str, run_id: str | None = None, *, sql_dir: Path | None = None
) -> PendingValidation:
    """Read every frame of the stage's suites and hand each to GX: to the run's checker process
    when one is running (it validates while this process goes on), else to a GX context here,
    run when `finish` asks for the result."""
    if stage != "ingest":
        return BuildChecks(con, sql_dir).start(run_id)
    gx = _gx_here_or_there()
    report = ValidationReport(run_id=run_id or uuid.uuid4().hex, stage=stage)
    files_read: dict[str, list[str]] = {}
    checked = [
        (suite, _submit(con, gx, suite, files_read)) for suite in raw_suites() if _table_exists(con, suite.table)
    ]
    return PendingValidation(report.run_id, stage, report, checked, in_worker=_in_worker(gx), files_read=files_read)


def _in_worker(gx) -> bool:
    from aemetrics import checker

    return not isinstance(gx, checker.InProcess)


class BuildChecks:
    """The build stage's suites (`build_suites`), each handed to GX as soon as its model is built.

    `model_built` is the build's `on_model`: when a model and the models its references name are
    built, its suite is made and its frame read and sent, so the checker validates the early
    models while the later ones build. A model is created once per build (`create or replace
    table <model> as ...`) and never written again by it, so what is read then is what would be
    read after the build. `start` does the rest, as `build_suites` would, and returns them all in
    its order. Without a build in progress, `start` alone is the plain build-stage validation."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sql_dir: Path | None = None) -> None:
        from aemetrics.build import declared_models

        self.con = con
        self.paths = declared_models(sql_dir or SQL_DIR)
        self.models = {p.stem for p in self.paths}
        self.extras = {s.table: s for s in mart_suites()}
        self.gx = _gx_here_or_there()
        self.built: set[str] = set()
        self.checks: dict[str, ModelChecks | ChecksError] = {}
        self.started: dict[str, tuple[TableSuite, Any] | str] = {}  # model -> (suite, pending) or error

    def _start(self, path: Path, columns_of: dict[str, set[str]]) -> None:
        got = _model_suite(self.con, self.checks[path.stem], columns_of, self.extras)
        self.started[path.stem] = got if isinstance(got, str) else (got, _submit(self.con, self.gx, got))

    def model_built(self, name: str) -> None:
        self.built.add(name)
        for path in self.paths:
            if path.stem in self.started or path.stem not in self.built:
                continue
            checks = self.checks.setdefault(path.stem, _load_checks(path))
            targets = [] if isinstance(checks, ChecksError) else [t.split(".")[0] for t in checks.references.values()]
            if set(targets) & self.models <= self.built:
                self._start(path, _columns_of(self.con, [path.stem, *targets]))

    def cancel(self) -> None:
        """The build failed or is redone: the results of what was sent are dropped."""
        for started in self.started.values():
            if not isinstance(started, str):
                started[1].cancel()

    def start(self, run_id: str | None = None) -> PendingValidation:
        report = ValidationReport(run_id=run_id or uuid.uuid4().hex, stage="build")
        columns_of = _columns_of(self.con)
        checked: list[tuple[TableSuite, Any]] = []
        extras = dict(self.extras)
        for path in self.paths:
            if path.stem not in columns_of:
                continue
            if path.stem not in self.started:
                self.checks.setdefault(path.stem, _load_checks(path))
                self._start(path, columns_of)
            started = self.started[path.stem]
            if isinstance(started, str):
                report.failed.append(started)  # a missing or wrong declaration is a bug: it blocks until fixed
            else:
                checked.append(started)
                extras.pop(path.stem, None)
        checked += [(s, _submit(self.con, self.gx, s)) for s in extras.values() if s.table in columns_of]
        return PendingValidation(report.run_id, "build", report, checked, in_worker=_in_worker(self.gx))


def _quarantine_rows(con, table: str, rows: dict[tuple, str], now: datetime) -> None:
    con.execute("begin transaction")
    try:
        for source_file, record in rows:
            con.execute(f'delete from "{table}" where source_file = ? and record = ?', [source_file, record])
        insert_rows(
            con,
            "quarantine",
            [
                dict(source_file=sf, record=rec, reason=reason, source_kind=table, quarantined_at=now, is_loaded=False)
                for (sf, rec), reason in rows.items()
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise

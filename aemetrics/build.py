"""Build obligations and KPI tables from the raw tables: SQL does every KPI, this only runs it.

1. the run's parameters become tables (run_params, classification_keywords,
   customer_type_prefixes, identity_lists) that the models join, never SQL text formatted here;
2. business_days is written for the data's date range (padded) by the business calendar;
3. the models of sql/models.txt run in that order in one transaction, each file one `select`
   wrapped in `create or replace table <file name> as ...`: a failing model leaves the previous
   build's tables untouched and names the file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import NormalDist

import duckdb

from aemetrics.business_calendar import BusinessCalendar, write_business_days
from aemetrics.config import Settings
from aemetrics.standards import MODEL_PREFIX, MODELS_GLOB, RegistryError, contract_errors, load_registry, sql_type
from aemetrics.warehouse import SQL_DIR, create_raw_tables

log = logging.getLogger("aemetrics.build")

MODEL_LAYERS = ("staging", "intermediate", "marts")
CALENDAR_PAD = timedelta(weeks=4)  # business-hours deadlines and weeks reach past the data


class BuildError(RuntimeError):
    """A model or the model list is wrong; the message names the file."""


@dataclass
class BuildReport:
    as_of: datetime
    calendar_first_day: date
    calendar_last_day: date
    models: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)  # model -> rows
    statuses: dict[str, int] = field(default_factory=dict)  # obligation status -> count
    model_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # run_notes: what the reader must be told (no AE, ...)

    def __str__(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "none"
        return (
            f"as of {self.as_of.isoformat()}: {self.row_counts.get('obligations', 0)} obligations ({statuses}); "
            f"{len(self.models)} models; calendar {self.calendar_first_day}..{self.calendar_last_day}; "
            f"{self.seconds:.1f} s"
        ) + "".join(f"\nNOTE: {note}" for note in self.notes)


def declared_models(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The model files in build order (sql/models.txt); every model file must be listed once.

    The line `intermediate/int_obligations__*` stands for every standard of the registry
    (aemetrics/standards.py) in registry order, less those listed by name; each standard's model
    must run before intermediate/int_obligations, which unions them."""
    listing = sql_dir / "models.txt"
    lines: list[tuple[int, str]] = []
    for lineno, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            lines.append((lineno, entry))
    try:
        standards = load_registry(sql_dir)
    except RegistryError as exc:
        raise BuildError(str(exc)) from exc
    named = {entry for _, entry in lines}
    paths: list[Path] = []
    globs = 0
    for lineno, entry in lines:
        if entry == MODELS_GLOB:
            globs += 1
            if globs > 1:
                raise BuildError(f"{listing}:{lineno}: {MODELS_GLOB} is listed twice")
            paths.extend(
                sql_dir / f"intermediate/{s.model}.sql" for s in standards if f"intermediate/{s.model}" not in named
            )
            continue
        path = sql_dir / f"{entry}.sql"
        if not path.is_file():
            raise BuildError(f"{listing}:{lineno}: model {entry!r} has no file {path}")
        if path in paths:
            raise BuildError(f"{listing}:{lineno}: model {entry!r} is listed twice")
        paths.append(path)
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise BuildError(f"{listing}: two models share a table name")
    on_disk = {p for layer in MODEL_LAYERS for p in (sql_dir / layer).glob("*.sql")}
    unlisted = sorted(str(p.relative_to(sql_dir)) for p in on_disk - set(paths))
    if unlisted:
        raise BuildError(f"{listing}: model files not in the build order: {', '.join(unlisted)}")
    if "int_obligations" in names:
        union_at = names.index("int_obligations")
        late = [s.model for s in standards if s.model in names and names.index(s.model) > union_at]
        if late:
            raise BuildError(
                f"{listing}: {', '.join(late)} must come before intermediate/int_obligations (it unions every standard)"
            )
    return paths


def model_sql(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The single select statement of a model file."""
    text = path.read_text(encoding="utf-8")
    statements = con.extract_statements(text)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise BuildError(f"{path}: a model must be exactly one select statement")
    return statements[0].query


def _aware_utc(as_of: datetime) -> datetime:
    if not isinstance(as_of, datetime) or as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError(f"as_of must be an aware datetime, got {as_of!r}")
    return as_of.astimezone(UTC)


def critical_z(alpha: float) -> float:
    """Two-sided critical value of the standard normal at level alpha (1.96 for 0.05).

    DuckDB has no normal quantile function; the test itself runs in SQL (kpi_tier_gaps)."""
    if not 0 < float(alpha) < 1:
        raise ValueError(f"equal_treatment_alpha {alpha} must be between 0 and 1 (exclusive)")
    return NormalDist().inv_cdf(1 - float(alpha) / 2)


def write_parameters(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: datetime, built_at: datetime, sql_dir: Path = SQL_DIR
) -> None:
    con.execute((sql_dir / "build" / "parameters.sql").read_text(encoding="utf-8"))
    params = {
        "as_of": as_of,
        "built_at": built_at,
        "business_timezone": settings.business_timezone,
        "work_start": settings.work_start,
        "work_end": settings.work_end,
        "reply_hours": float(settings.reply_hours),
        "reply_business_hours": bool(settings.reply_business_hours),
        "agenda_hours": float(settings.agenda_hours),
        "internal_notice_hours": float(settings.internal_notice_hours),
        "minutes_hours": float(settings.minutes_hours),
        "on_time_grace_minutes": float(settings.on_time_grace_minutes),
        "subject_thread_window_days": int(settings.subject_thread_window_days),
        "minutes_match_days": int(settings.minutes_match_days),
        "work_order_hours": float(settings.work_order_hours),
        "reschedule_notice_hours": float(settings.reschedule_notice_hours),
        "minutes_confirm_working_days": int(settings.minutes_confirm_working_days),
        "project_review_working_days": int(settings.project_review_working_days),
        "equal_treatment_gap": float(settings.equal_treatment_gap),
        "equal_treatment_min_n": int(settings.equal_treatment_min_n),
        "equal_treatment_alpha": float(settings.equal_treatment_alpha),
        "equal_treatment_z": critical_z(settings.equal_treatment_alpha),
        "client_file_days": int(settings.client_file_days),
        "festival_greeting_days": int(settings.festival_greeting_days),
        "work_on_time_grace_minutes": float(settings.work_on_time_grace_minutes),
    }
    # the registry's thresholds: a run_params column each (named as the setting), besides the ones
    # parameters.sql declares; a number is a double (docs/standards.md)
    declared = {r[0] for r in con.execute("select column_name from (describe run_params)").fetchall()}
    standards = load_registry(sql_dir)
    for s in standards:
        for name, default in s.thresholds.items():
            if name in params:
                continue
            if name not in declared:
                con.execute(f'alter table run_params add column "{name}" {sql_type(default)}')
                declared.add(name)
            value = settings.threshold(name, default)
            params[name] = float(value) if sql_type(default) == "double" else value
    columns = ", ".join(f'"{c}"' for c in params)
    marks = ", ".join("?" for _ in params)
    con.execute(f"insert into run_params ({columns}) values ({marks})", list(params.values()))
    # the registry as a table (the site, the notebooks) and the models int_obligations unions
    con.executemany(
        "insert into standards values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                s.id,
                s.section,
                s.section_labels[0],
                s.section_labels[1],
                position,
                s.label_zh,
                s.label_en,
                s.handbook,
                list(s.needs),
                list(s.evidence),
                settings.kpi_targets.get(s.id, s.kpi_target if s.kpi_target is not None else settings.kpi_target),
            )
            for position, s in enumerate(standards, 1)
        ],
    )
    con.execute("set variable standard_models = ?", [[s.model for s in standards]])
    keywords = [(kind, word) for kind, words in settings.keywords.items() for word in words if str(word).strip()]
    if keywords:
        con.executemany("insert into classification_keywords (kind, keyword) values (?, ?)", keywords)
    prefixes = [(p,) for p in settings.customer_type_prefixes if str(p).strip()]
    if prefixes:
        con.executemany("insert into customer_type_prefixes (prefix) values (?)", prefixes)
    identity = [
        (kind, " ".join(str(v).split()).lower(), ordinal)
        for kind, values in (
            ("non_client_account_type", settings.non_client_account_types),
            ("public_mail_domain", settings.public_mail_domains),
            ("social_domain", settings.social_domains),
            ("agency_domain", settings.agency_domains),
            ("ae_role", settings.ae_roles),
            ("missed_call_result", settings.missed_call_results),
            ("internal_request_origin", settings.internal_request_origins),
            ("festival", settings.festival_names),
        )
        for ordinal, v in enumerate(values)
        if str(v).strip()
    ]
    if identity:
        con.executemany("insert into identity_lists (kind, value, ordinal) values (?, ?, ?)", identity)
    client_file = [
        (f, c.strip(), i)
        for f, columns in settings.client_file_fields.items()
        for i, c in enumerate(columns.split("|"))
        if c.strip()
    ]
    if client_file:
        con.executemany("insert into client_file_fields (field, column_name, ordinal) values (?, ?, ?)", client_file)


def write_calendar(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: datetime, sql_dir: Path = SQL_DIR
) -> tuple[date, date]:
    """business_days over the data's local dates and as_of, padded by four weeks each side."""
    query = (sql_dir / "build" / "data_date_range.sql").read_text(encoding="utf-8")
    first, last = con.execute(query, [settings.business_timezone, as_of]).fetchall()[0]
    first, last = first - CALENDAR_PAD, last + CALENDAR_PAD
    as_of_day = as_of.astimezone(settings.tz).date()  # years after as_of are written, not evaluated
    write_business_days(con, BusinessCalendar(settings), first, last, evaluated_until=as_of_day)
    return first, last


def build(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    as_of: datetime,
    *,
    sql_dir: Path | None = None,
    on_model: Callable[[str], None] | None = None,
) -> BuildReport:
    """Compute every obligation and KPI table as of `as_of` (aware; nothing dated later is seen).

    sql_dir: another copy of the sql/ folder (tests); default the project's.
    on_model: called with each model's name once it is built (in the build's transaction), e.g.
    to start its checks while the next models build (quality.BuildChecks).
    """
    started = time.perf_counter()
    sql_dir = sql_dir or SQL_DIR
    as_of = _aware_utc(as_of)
    built_at = datetime.now(UTC)
    con.execute("set TimeZone = 'UTC'")
    create_raw_tables(con)
    models = declared_models(sql_dir)
    sql = {path: model_sql(con, path) for path in models}
    first, last = write_calendar(con, settings, as_of, sql_dir)
    # as_of is shown in the business time zone everywhere (summary, site, notebooks): one instant, one clock
    report = BuildReport(as_of=as_of.astimezone(settings.tz), calendar_first_day=first, calendar_last_day=last)

    limit = con.execute("select current_setting('memory_limit')").fetchall()[0][0]  # named if a model exceeds it
    # every ASOF join runs as one: under its threshold (a left side estimated at <= 64 rows, which
    # the optimizer may guess after a group by however large the input) DuckDB runs a nested loop
    # that is quadratic per thread (reply_12h's answers once took 9 s instead of 0.6 s at 100 AEs)
    asof_threshold = con.execute("select current_setting('asof_loop_join_threshold')").fetchall()[0][0]
    con.execute("set asof_loop_join_threshold = 0")
    con.execute("begin transaction")
    try:
        con.execute((sql_dir / "macros.sql").read_text(encoding="utf-8"))
        write_parameters(con, settings, as_of, built_at, sql_dir)
        for path in models:
            name = path.stem
            model_started = time.perf_counter()
            try:
                con.execute(f'create or replace table "{name}" as {sql[path]}')
                report.row_counts[name] = con.execute(f'select count(*) from "{name}"').fetchall()[0][0]
            except duckdb.OutOfMemoryException as exc:
                raise BuildError(
                    f"{path.parent.name}/{path.name}: DuckDB ran out of memory within its limit of {limit}: raise "
                    f"`memory_limit` in aemetrics.toml, or leave it empty for 80 % of RAM (docs/configuration.md)"
                ) from exc
            except duckdb.Error as exc:
                raise BuildError(f"{path.parent.name}/{path.name}: {exc}") from exc
            if name.startswith(MODEL_PREFIX):  # a standard: the obligation contract's columns
                columns = con.execute(f'select column_name, column_type from (describe "{name}")').fetchall()
                errors = contract_errors(name, columns, f"{path.parent.name}/{path.name}")
                if errors:
                    raise BuildError("; ".join(errors))
            report.models.append(name)
            report.model_seconds[name] = time.perf_counter() - model_started
            if on_model is not None:
                on_model(name)
        report.statuses = dict(con.execute("select status, count(*) from obligations group by status").fetchall())
        report.notes = [r[0] for r in con.execute("select message from run_notes order by note_kind").fetchall()]
        for note in report.notes:
            log.warning("%s", note)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"set asof_loop_join_threshold = {int(asof_threshold)}")
    report.seconds = time.perf_counter() - started
    log.debug("built %s", report)  # the run policy logs it (pipeline.py), once
    return report


__all__ = ["BuildError", "BuildReport", "build", "declared_models", "model_sql"]

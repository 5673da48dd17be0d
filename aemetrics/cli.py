"""The `aemetrics` command: ingest, run, demo."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path


def _prefect_defaults() -> None:
    # A local run needs no Prefect server: Prefect starts a temporary one. Keep it quiet and patient.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")


def _as_of(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--as-of {text!r}: not an ISO-8601 timestamp") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--as-of {text!r}: give a time zone, e.g. 2025-10-13T00:00:00+08:00")
    return value.astimezone(timezone.utc)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aemetrics", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="load an exports folder into the warehouse")
    ing.add_argument("--exports", required=True, type=Path, help="folder with staff.csv, email/, calendar/, crm/, attendance/")
    ing.add_argument("--db", required=True, type=Path, help="DuckDB warehouse file (created if missing)")
    ing.add_argument("--config", type=Path, help="aemetrics.toml (default: built-in defaults)")
    ing.add_argument("--prune", action="store_true", help="forget files loaded earlier that are no longer in the folder")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _prefect_defaults()
    from aemetrics.config import ConfigError, load_settings
    from aemetrics.ingest.runner import ExportsError
    from aemetrics.warehouse import WarehouseError

    try:
        if args.config is not None:
            load_settings(args.config)  # fail before Prefect starts
        if not args.exports.is_dir():
            raise ExportsError(f"{args.exports}: exports folder not found")
        if args.command == "ingest":
            from flows.ingest import ingest_flow

            report = ingest_flow(str(args.exports), str(args.db), str(args.config) if args.config else None, args.prune)
            print(report.summary())
    except (ConfigError, ExportsError, WarehouseError) as exc:
        print(f"aemetrics: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `aemetrics` command: ingest, run, demo."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
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
    return value.astimezone(UTC)


def _path(value: Path | None, resolve: bool = False) -> str | None:
    """Flow parameters are plain strings (Prefect stores them); None stays None."""
    if value is None:
        return None
    return str(value.resolve() if resolve else value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aemetrics", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="load an exports folder into the warehouse")
    ing.add_argument(
        "--exports", required=True, type=Path, help="folder with staff.csv, email/, calendar/, crm/, attendance/"
    )
    ing.add_argument("--db", required=True, type=Path, help="DuckDB warehouse file (created if missing)")
    ing.add_argument("--config", type=Path, help="aemetrics.toml (default: built-in defaults)")
    ing.add_argument(
        "--prune", action="store_true", help="forget files loaded earlier that are no longer in the folder"
    )
    ing.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for another run to finish"
    )
    ing.add_argument(
        "--dask", metavar="ADDRESS", help="parse on this Dask scheduler, e.g. tcp://host:8786 (docs/scale.md)"
    )

    run = sub.add_parser("run", help="ingest, build obligations and KPIs, publish the site: the weekly pipeline")
    run.add_argument("--exports", required=True, type=Path)
    run.add_argument("--db", required=True, type=Path)
    run.add_argument("--as-of", type=_as_of, help="evaluate as of this ISO-8601 instant (default: now)")
    run.add_argument("--config", type=Path)
    run.add_argument("--site", type=Path, help="write the static site here")
    run.add_argument("--prune", action="store_true")
    run.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for another run to finish"
    )
    run.add_argument(
        "--dask", metavar="ADDRESS", help="parse on this Dask scheduler, e.g. tcp://host:8786 (docs/scale.md)"
    )

    serve = sub.add_parser("serve", help="run the weekly pipeline on a cron schedule (Prefect flow.serve)")
    serve.add_argument("--exports", required=True, type=Path)
    serve.add_argument("--db", required=True, type=Path)
    serve.add_argument("--config", type=Path)
    serve.add_argument("--site", type=Path)
    serve.add_argument("--cron", default="0 7 * * 1", help="cron in --timezone (default: Mondays 07:00)")
    serve.add_argument("--timezone", default="Asia/Shanghai")

    demo = sub.add_parser("demo", help="write the demo agency's exports (deterministic)")
    demo.add_argument("--out", required=True, type=Path)
    demo.add_argument("--seed", type=int, default=7)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _prefect_defaults()
    from aemetrics.atomic import WarehouseBusy, warehouse_lock
    from aemetrics.config import ConfigError, load_settings
    from aemetrics.ingest.runner import ExportsError
    from aemetrics.warehouse import WarehouseError, check_usable

    try:
        if args.command == "demo":
            from aemetrics.demo import generate_demo

            print(generate_demo(args.out, seed=args.seed))
            return 0
        if args.config is not None:
            load_settings(args.config)  # fail before Prefect starts
        if not args.exports.is_dir():
            raise ExportsError(f"{args.exports}: exports folder not found")
        check_usable(args.db)  # an unusable database fails here, with its name, before any work
        if args.command in ("ingest", "run"):
            with warehouse_lock(args.db, args.wait):  # busy: say so now, not after starting Prefect
                pass
        if args.command == "ingest":
            from aemetrics.flows import ingest_flow

            report = ingest_flow(str(args.exports), str(args.db), _path(args.config), args.prune, args.wait, args.dask)
            print(report.summary())
        elif args.command == "run":
            from aemetrics.flows import weekly_flow

            summary = weekly_flow(
                str(args.exports),
                str(args.db),
                as_of=args.as_of.isoformat() if args.as_of else None,
                config=_path(args.config),
                site=_path(args.site),
                prune=args.prune,
                wait_seconds=args.wait,
                dask=args.dask,
            )
            for line in summary.lines():
                print(line)
            if summary.blocked:
                print(
                    "aemetrics: validation failed; the site was not published (see validation_results)", file=sys.stderr
                )
                return 1
        elif args.command == "serve":
            from prefect.schedules import Cron
            from prefect.settings import PREFECT_API_URL

            if not PREFECT_API_URL.value():
                print(
                    "aemetrics: note: schedules need a Prefect server; start one with `prefect server start` "
                    "and set PREFECT_API_URL=http://127.0.0.1:4200/api (see README)",
                    file=sys.stderr,
                )

            from prefect.types.entrypoint import EntrypointType

            from aemetrics.flows import weekly_flow

            weekly_flow.serve(
                name="aemetrics-weekly",
                schedule=Cron(args.cron, timezone=args.timezone),
                entrypoint_type=EntrypointType.MODULE_PATH,  # aemetrics.flows.weekly_flow, from any folder
                parameters={
                    "exports": _path(args.exports, True),
                    "db": _path(args.db, True),
                    "config": _path(args.config, True),
                    "site": _path(args.site, True),
                },
            )
    except (ConfigError, ExportsError, WarehouseError) as exc:
        print(f"aemetrics: error: {exc}", file=sys.stderr)
        return 2
    except WarehouseBusy as exc:
        print(f"aemetrics: busy: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

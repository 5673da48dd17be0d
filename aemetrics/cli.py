"""The `aemetrics` command: ingest, run, demo."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aemetrics.config import Settings


def _prefect_defaults() -> None:
    # A local run needs no Prefect server: Prefect starts a temporary one. Keep it quiet and patient.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")


def prefect_api_url() -> str | None:
    """The configured Prefect API, if any, without importing Prefect when nothing can configure one
    (importing it costs ~1 s): PREFECT_API_URL in the environment, else Prefect's own settings when
    a profile, prefect.toml, .env or pyproject.toml here may set it."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    places = [profiles, Path(".env"), Path("prefect.toml"), Path("pyproject.toml")]

    def may_set(path: Path) -> bool:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return "PREFECT_API_URL" in text or path.name == "prefect.toml" or "[tool.prefect" in text

    if not any(may_set(p) for p in places):
        return None
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _plain_logging(progress_on_terminal: bool) -> None:
    """Log lines on stderr for a run without Prefect, as Prefect's console would show them; on a
    terminal the progress display replaces the INFO lines (warnings and errors still show)."""
    import logging

    logging.basicConfig(
        level=logging.WARNING if progress_on_terminal else logging.INFO,
        format="%(asctime)s | %(levelname)-7s | %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in ("great_expectations", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


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


def _orchestration(through_prefect: bool) -> str:
    if through_prefect:
        where = prefect_api_url() or "a temporary local Prefect server"
        return f"orchestration: Prefect flow (every flow and task run recorded in {where})"
    return (
        "orchestration: plain, in this process (no Prefect API configured, nothing recorded in Prefect; "
        "set PREFECT_API_URL, e.g. to `prefect server start`, or pass --prefect to record the run)"
    )


DESCRIPTION = """Measure how well account executives keep their client-service standards.

commands:
  ingest   load an exports folder into the warehouse (new and changed files only)
  run      the weekly pipeline: ingest, checks, the standards as of --as-of, the site
  serve    the weekly pipeline on a cron schedule (needs a Prefect server)
  demo     write the demo agency's exports (deterministic)

Exit codes: 0 done, 1 checks blocked publishing, 2 unusable arguments, exports folder,
configuration or database, 3 another run holds the warehouse."""

AUDIENCES = ("management", "ae")


def _common(p: argparse.ArgumentParser, site: bool = True) -> None:
    p.add_argument(
        "--exports",
        required=True,
        type=Path,
        help="exports folder: staff.csv, email/, calendar/, crm/, attendance/ (any part may be missing; required)",
    )
    p.add_argument("--db", required=True, type=Path, help="DuckDB warehouse file, created if missing (required)")
    p.add_argument("--config", type=Path, help="settings file, e.g. aemetrics.toml (default: none, built-in defaults)")
    if site:
        p.add_argument("--site", type=Path, help="write the static site into this folder (default: no site)")
        p.add_argument(
            "--audience",
            choices=AUDIENCES,
            help="management: one site with every AE; ae: one self-contained folder per AE under --site, "
            "holding only that AE's scorecard, clients and evidence (default: the site_audience setting, "
            "management)",
        )


def _settings(args: argparse.Namespace) -> Settings:
    """The settings file's values, with what the command line overrides (--dask, --audience)."""
    from aemetrics.config import load_settings, with_overrides

    return with_overrides(
        load_settings(args.config),
        dask_address=getattr(args, "dask", None),
        site_audience=getattr(args, "audience", None),
    )


def build_parser() -> argparse.ArgumentParser:
    from aemetrics import __version__

    p = argparse.ArgumentParser(
        prog="aemetrics", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"aemetrics {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{ingest,run,serve,demo}")
    wait_help = "wait up to this many seconds for another run on the same warehouse to finish, else exit 3 (default: 0)"

    ing = sub.add_parser(
        "ingest",
        help="load an exports folder into the warehouse",
        description="load an exports folder into the warehouse",
    )
    _common(ing, site=False)
    ing.add_argument(
        "--prune",
        action="store_true",
        help="forget files loaded earlier that are no longer in the folder (default: keep)",
    )
    ing.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=wait_help)

    run = sub.add_parser(
        "run",
        help="ingest, build obligations and KPIs, publish the site: the weekly pipeline",
        description="ingest, build obligations and KPIs, publish the site: the weekly pipeline",
    )
    _common(run)
    run.add_argument(
        "--as-of",
        type=_as_of,
        help="evaluate as of this ISO-8601 instant with its zone, e.g. 2025-10-13T09:00:00+08:00 (default: now)",
    )
    run.add_argument(
        "--prune",
        action="store_true",
        help="forget files loaded earlier that are no longer in the folder (default: keep)",
    )
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=wait_help)
    for command in (ing, run):
        command.add_argument(
            "--dask",
            metavar="ADDRESS",
            help="parse on this Dask scheduler, e.g. tcp://host:8786 (docs/scale.md; default: the dask_address "
            "setting, else a local process pool)",
        )
        command.add_argument(
            "--prefect",
            action="store_true",
            help="run as a Prefect flow even when no Prefect API is configured (starts a temporary server, "
            "~15 s); with PREFECT_API_URL set the run is always a Prefect flow (default: off)",
        )

    serve = sub.add_parser(
        "serve",
        help="run the weekly pipeline on a cron schedule (Prefect flow.serve)",
        description="run the weekly pipeline on a cron schedule (Prefect flow.serve)",
    )
    _common(serve)
    serve.add_argument(
        "--cron",
        default="0 7 * * 1",
        help="schedule, a cron expression in --timezone (default: '0 7 * * 1', Mondays 07:00)",
    )
    serve.add_argument("--timezone", default="Asia/Shanghai", help="time zone of --cron (default: Asia/Shanghai)")

    demo = sub.add_parser(
        "demo",
        help="write the demo agency's exports (deterministic)",
        description="write the demo agency's exports (deterministic)",
    )
    demo.add_argument("--out", required=True, type=Path, help="folder to write the demo exports into (required)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the demo agency (default: 7)")
    demo.add_argument(
        "--locale",
        choices=["en", "cn"],
        default="en",
        help="en (default): Zoom CSVs, Salesforce CSVs, staff.csv, one mbox per person; cn: the same agency "
        "as a Chinese agency hands it over: 腾讯会议 xlsx, canonical CRM xlsx, staff.xlsx, a Google Takeout zip",
    )
    return p


PREFECT_HOWTO = (
    "schedules need a Prefect server: start one with `.venv/bin/prefect server start`, then "
    "export PREFECT_API_URL=http://127.0.0.1:4200/api (see README)"
)


def _prefect_server_problem() -> str | None:
    """Why `serve` cannot schedule (no PREFECT_API_URL, or no server answers there), None when it can."""
    import urllib.request

    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return f"no Prefect server configured: {PREFECT_HOWTO}"
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=5) as response:
            response.read()
    except OSError as exc:
        return f"no Prefect server answers at {url} ({exc}): {PREFECT_HOWTO}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _prefect_defaults()
    from aemetrics.atomic import WarehouseBusy, warehouse_lock
    from aemetrics.config import ConfigError, load_settings
    from aemetrics.ingest.runner import ExportsError
    from aemetrics.warehouse import WarehouseError, check_usable

    try:
        if args.command == "demo":
            from aemetrics.demo import generate_demo, readme_path
            from aemetrics.demo.locale_cn import generate_demo_cn

            print((generate_demo_cn if args.locale == "cn" else generate_demo)(args.out, seed=args.seed))
            print(f"what was planted, and the ground truth: {readme_path(args.out)}")
            return 0
        if args.config is not None:
            load_settings(args.config)  # fail before Prefect starts
        if not args.exports.is_dir():
            raise ExportsError(f"{args.exports}: exports folder not found")
        from aemetrics.setup_check import has_export_files, no_exports_message

        if not has_export_files(args.exports):  # an empty folder is a mistake, not an empty week
            raise ExportsError(no_exports_message(args.exports))
        check_usable(args.db)  # an unusable database fails here, with its name, before any work
        if args.command in ("ingest", "run"):
            with warehouse_lock(args.db, args.wait):  # busy: say so now, not after starting Prefect
                pass
        through_prefect = args.command in ("ingest", "run") and (args.prefect or prefect_api_url() is not None)
        if args.command in ("ingest", "run"):
            print(_orchestration(through_prefect))
        if args.command == "ingest" and through_prefect:
            from aemetrics.flows import ingest_flow

            report = ingest_flow(str(args.exports), str(args.db), _path(args.config), args.prune, args.wait, args.dask)
            print(report.summary())
        elif args.command == "ingest":
            from aemetrics.pipeline import run_ingest
            from aemetrics.progress import Progress

            progress = Progress.for_terminal()
            _plain_logging(progress.stream is not None)
            report = run_ingest(
                args.exports,
                args.db,
                _settings(args),
                prune=args.prune,
                wait_seconds=args.wait,
                progress=progress,
            )
            print(report.summary())
        elif args.command == "run":
            from aemetrics.progress import Progress

            progress = Progress.for_terminal()
            if through_prefect:
                from aemetrics.flows import weekly_flow

                summary = weekly_flow(
                    str(args.exports),
                    str(args.db),
                    as_of=args.as_of.isoformat() if args.as_of else None,
                    config=_path(args.config),
                    site=_path(args.site),
                    prune=args.prune,
                    wait_seconds=args.wait,
                    audience=args.audience,
                    dask=args.dask,
                )
            else:
                from aemetrics.pipeline import run_weekly

                _plain_logging(progress.stream is not None)
                summary = run_weekly(
                    args.exports,
                    args.db,
                    _settings(args),
                    args.as_of,
                    site=args.site,
                    prune=args.prune,
                    wait_seconds=args.wait,
                    progress=progress,
                )
            for line in summary.lines():
                print(line)
            if summary.blocked:
                print(
                    "aemetrics: validation failed; the site was not published (see validation_results)", file=sys.stderr
                )
                return 1
        elif args.command == "serve":
            problem = _prefect_server_problem()
            if problem:
                print(f"aemetrics: error: {problem}", file=sys.stderr)
                return 2
            from prefect.schedules import Cron
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
                    "audience": args.audience,
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

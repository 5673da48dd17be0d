"""`aemetrics run` on an agency-year against a plain-script baseline, measured in the same run.

    .venv/bin/python benchmarks/bench_agency_year.py --aes 100 [--weeks 52] [--data DIR] [--phases]

Generates the agency-year (benchmarks/agency_year.py; reused from --data DIR when it is
there), then times, each in its own process, one after the other:

  project   `aemetrics run --exports ... --db <new> --as-of ... --site <new>`: the whole weekly
            run (Prefect flow, ingest, checks, build, site), as a user starts it
  baseline  benchmarks/baseline_reply_12h.py: the mboxes read with `mailbox`, reply_12h alone in pandas

and prints both wall-clock times, the ratio, and each process's peak memory (ru_maxrss of
the process and the children it waited for, from os.wait4). With --phases, the ingest is also
timed in this process with the parse on one core (`parse_in_turn`) and on every core
(`parse_in_processes`), to show where the time goes. Nothing here is asserted: figures go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # this checkout's aemetrics, not an installed one
import agency_year  # noqa: E402


def timed_process(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Wall seconds, peak memory in MB, and stdout of one process (and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, cwd=HERE.parent)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd[:4])} failed ({proc.returncode}):\n{out}")
    return seconds, usage.ru_maxrss / 1024, out


def phases(exports: Path, tmp: Path) -> None:
    from aemetrics.config import Settings
    from aemetrics.ingest import runner
    from aemetrics.warehouse import open_warehouse

    for name, parse in [("one core", runner.parse_in_turn), ("every core", runner.parse_in_processes)]:
        con = open_warehouse(tmp / f"phase-{name.replace(' ', '-')}.duckdb")
        said: list[float] = []  # when each progress line came: planned, then one per parsed batch
        start = time.perf_counter()
        runner.ingest_exports(
            exports,
            con,
            Settings(),
            parse_batches=parse,
            progress=lambda _, said=said: said.append(time.perf_counter()),
        )
        end = time.perf_counter()
        con.close()
        print(
            f"  ingest_exports, parse on {name:10s} {end - start:7.2f} s: discover+sha256 {said[0] - start:.2f}, "
            f"parse+shards {said[-1] - said[0]:.2f}, load {end - said[-1]:.2f}"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--aes", type=int, default=100)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--data", type=Path, help="generate into / reuse this folder (default: a temporary one)")
    p.add_argument("--phases", action="store_true", help="also time the ingest on one core and on every core")
    a = p.parse_args()
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="aemetrics-bench-") as tmp_name:
        tmp = Path(tmp_name)
        exports = a.data or tmp / "exports"
        start = time.perf_counter()
        if not (exports / "staff.csv").exists():
            agency_year.generate(exports, a.aes, a.weeks)
        files = [f for f in exports.rglob("*") if f.is_file()]
        size = sum(f.stat().st_size for f in files) / 1e6
        print(
            f"agency-year: {a.aes} AEs x {a.weeks} weeks, {len(files)} files, {size:.0f} MB "
            f"(ready in {time.perf_counter() - start:.1f} s); {os.cpu_count()} cores, {platform.python_version()}"
        )
        as_of = agency_year.as_of(a.weeks).isoformat()
        t_run, mem_run, out = timed_process(
            [
                python,
                "-m",
                "aemetrics.cli",
                "run",
                "--exports",
                str(exports),
                "--db",
                str(tmp / "w.duckdb"),
                "--as-of",
                as_of,
                "--site",
                str(tmp / "site"),
            ],
            env,
            ok=(0, 1),  # 1: a check blocked publishing, still a complete run
        )
        for line in out.splitlines():
            if line.split(":", 1)[0] in ("ingest", "build", "validation", "site", "blocked"):
                print(f"  {line}")
        t_base, mem_base, out = timed_process([python, str(HERE / "baseline_reply_12h.py"), str(exports), as_of], env)
        for line in out.splitlines():
            print(f"  {line}")
        if a.phases:
            phases(exports, tmp)
    print(f"{'project: aemetrics run (whole run, site included)':52s} {t_run:7.2f} s  peak {mem_run:6.0f} MB")
    print(f"{'baseline: mailbox + pandas, reply_12h alone':52s} {t_base:7.2f} s  peak {mem_base:6.0f} MB")
    print(f"ratio project / baseline: {t_run / t_base:.2f} (goal: 0.25 or less)")


if __name__ == "__main__":
    main()

"""The second weekly run, one new week of mail added, against the first run.

    .venv/bin/python benchmarks/bench_incremental.py [--data /tmp/ay100]

By default the demo agency (`aemetrics demo`: 12 AEs, 15 mailboxes, 8,827 messages, calendars, CRM, 285
Zoom reports) is split at a week boundary: the first run sees every mailbox without its last
week and is built as of that week's start; then each mailbox's last week arrives as a new file
(`email/<name>.week.mbox`: the weekly export of one more week) and the second run is built a
week later; a third run on the same exports and as_of must change nothing. Every timing is the
wall clock of `aemetrics run` in a new process (no Prefect API configured), with --site.

Prints each run's time, the ratio second / first (goal <= 0.20) and third / first, and what
the second run spent per step.

With --data DIR the agency-year of benchmarks/agency_year.py in DIR (52 weeks; copied, never
changed) is split the same way: the first run as of the Monday of its last week, the second as
of the Monday after it (agency_year.as_of()).
"""

from __future__ import annotations

import argparse
import hashlib
import mailbox
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

from aemetrics.demo import generate_demo

ROOT = Path(__file__).resolve().parents[1]
SECOND_AS_OF = datetime(2025, 12, 15, 0, 30, tzinfo=UTC)  # the demo's own evaluation instant


def split_mail(exports: Path, cut: datetime, new_week: Path) -> int:
    """Move every message dated at or after `cut` out of each mailbox into new_week/<name>.week.mbox."""
    moved = 0
    new_week.mkdir(parents=True, exist_ok=True)
    for path in sorted((exports / "email").glob("*.mbox")):
        box = mailbox.mbox(str(path), create=False)
        keep, later = [], []
        for msg in box:
            try:
                sent = parsedate_to_datetime(str(msg["Date"]))
            except (TypeError, ValueError):
                sent = None
            (later if sent is not None and sent >= cut else keep).append(msg)
        box.close()
        if not later:
            continue
        for target, messages in ((path, keep), (new_week / f"{path.stem}.week.mbox", later)):
            target.unlink(missing_ok=True)
            out = mailbox.mbox(str(target))
            for msg in messages:
                out.add(msg)
            out.flush()
            out.close()
        moved += len(later)
    return moved


def tree_digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(exports: Path, db: Path, site: Path, as_of: datetime) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    cmd = [sys.executable, "-m", "aemetrics.cli", "run", "--exports", str(exports), "--db", str(db)]
    cmd += ["--site", str(site), "--as-of", as_of.isoformat()]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (user + system) of the process: steadier than wall clock on a shared machine
    print(f"    cpu {after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime:6.2f} s for: {' '.join(cmd[2:5])}")
    if done.returncode != 0:
        sys.exit(f"run failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, help="an agency-year folder of benchmarks/agency_year.py (default: the demo)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        exports, later = Path(tmp) / "exports", Path(tmp) / "later"
        if args.data:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            import agency_year

            shutil.copytree(args.data, exports)
            second = agency_year.as_of().astimezone(UTC)
            what = f"agency-year {args.data}"
        else:
            generate_demo(exports)
            (exports / "README.md").unlink(missing_ok=True)
            second, what = SECOND_AS_OF, "demo agency"
        first = second - timedelta(days=7)
        moved = split_mail(exports, first, later)
        db, site = Path(tmp) / "w.duckdb", Path(tmp) / "site"
        print(f"{what}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {moved} messages held back")

        t1, out1 = run(exports, db, site, first)
        print(f"first run (baseline), as of {first:%Y-%m-%d}:       {t1:6.2f} s")
        for p in later.iterdir():
            p.rename(exports / "email" / p.name)
        before = tree_digest(site)
        t2, out2 = run(exports, db, site, second)
        after = tree_digest(site)
        rewritten = sum(1 for k, v in after.items() if before.get(k, (None, None))[1] != v[1])
        print(f"second run, one new week of mail, as of {second:%Y-%m-%d}: {t2:6.2f} s  {t2 / t1:.2f}x")
        print(f"    site files rewritten: {rewritten} of {len(after)}")
        for line in out2.splitlines():
            print(f"    {line[:170]}")
        db_before = db.stat().st_mtime_ns
        t3, out3 = run(exports, db, site, second)
        print(f"third run, same exports and as_of:            {t3:6.2f} s  {t3 / t1:.2f}x")
        unchanged = tree_digest(site) == after and db.stat().st_mtime_ns == db_before
        print(f"    warehouse and site untouched: {unchanged}")


if __name__ == "__main__":
    main()

"""`aemetrics run` on a tiny exports folder, against a plain script doing reply_12h alone.

    .venv/bin/python benchmarks/bench_tiny_run.py [EXPORTS] [--as-of ISO] [--prefect]

EXPORTS defaults to tests/fixtures/scenarios/acceptance (2 AEs, 5 weeks of mail, calendars, CRM
and Zoom exports: 23 files). Every timing is the wall clock of a new process, as a user sees it:

- project: `aemetrics run --exports EXPORTS --db new.duckdb --site new-site --as-of ...` with no
  Prefect API configured (the run is plain, in the process), then the same command again (the
  re-run on the same exports: nothing changed);
- with --prefect also `aemetrics run --prefect` (a Prefect flow on a temporary server: the
  design before issue 10, for comparison);
- baseline: this file run as `--baseline EXPORTS`: read every mailbox with the `mailbox` module
  (and .eml files with `email`), compute reply_12h alone with pandas (client message -> first
  staff reply in the same thread within 12 h), print the counts.

Prints each time, and the ratio project / baseline.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXPORTS = ROOT / "tests" / "fixtures" / "scenarios" / "acceptance"
DEFAULT_AS_OF = "2026-02-27T15:00:00+08:00"


def baseline(exports: Path, as_of: str) -> None:
    """The plain script: mailbox + pandas, reply_12h alone (no staging, checks, other standards, site)."""
    import email
    import email.policy
    import email.utils
    import mailbox

    import pandas as pd

    staff = pd.read_csv(exports / "staff.csv")
    agency = {e.split("@", 1)[1].lower() for e in staff["email"].dropna()}
    rows = []
    messages = []
    for path in sorted((exports / "email").rglob("*")):
        if path.suffix == ".mbox":
            messages += list(mailbox.mbox(str(path), create=False))
        elif path.suffix == ".eml":
            messages.append(email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32))
    for msg in messages:
        sender = email.utils.parseaddr(str(msg.get("From", "")))[1].lower()
        refs = str(msg.get("References", "") or "").split() or str(msg.get("In-Reply-To", "") or "").split()
        try:
            sent = email.utils.parsedate_to_datetime(str(msg.get("Date")))
        except (TypeError, ValueError):
            continue
        rows.append(
            dict(
                message_id=str(msg.get("Message-ID", "")).strip(),
                root=refs[0] if refs else str(msg.get("Message-ID", "")).strip(),
                sent_at=pd.Timestamp(sent).tz_convert("UTC"),
                staff=sender.rsplit("@", 1)[-1] in agency,
            )
        )
    frame = pd.DataFrame(rows).drop_duplicates("message_id")
    roots = dict(zip(frame.message_id, frame.root, strict=True))
    frame["thread"] = frame.root.map(lambda r: roots.get(r, r))
    frame = frame[frame.sent_at <= pd.Timestamp(as_of).tz_convert("UTC")].sort_values("sent_at")
    asks = frame[~frame.staff]
    answers = frame[frame.staff][["thread", "sent_at"]].rename(columns={"sent_at": "answer_at"})
    matched = pd.merge_asof(asks, answers, left_on="sent_at", right_on="answer_at", by="thread", direction="forward")
    met = (matched.answer_at - matched.sent_at <= pd.Timedelta(hours=12)).sum()
    print(f"baseline: {len(frame)} messages, {len(matched)} client messages, {met} answered within 12 h")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (user + system) of the process: steadier than wall clock on a shared machine
    print(f"    cpu {after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime:6.2f} s for: {' '.join(cmd[2:5])}")
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    as_of = argv[argv.index("--as-of") + 1] if "--as-of" in argv else DEFAULT_AS_OF
    args = [a for a in args if a != as_of]
    exports = Path(args[0]).resolve() if args else DEFAULT_EXPORTS
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    n_files = sum(1 for p in exports.rglob("*") if p.is_file() and p.suffix != ".md")
    print(f"{exports}: {n_files} files; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        run = [sys.executable, "-m", "aemetrics.cli", "run", "--exports", str(exports), "--as-of", as_of]
        db, site = Path(tmp) / "w.duckdb", Path(tmp) / "site"
        t_first, out = timed([*run, "--db", str(db), "--site", str(site)], env)
        print(f"project, first run (plain, no Prefect API):        {t_first:6.2f} s")
        for line in out.splitlines():
            print(f"    {line[:160]}")
        t_again, out = timed([*run, "--db", str(db), "--site", str(site)], env)
        print(f"project, re-run on the same exports:               {t_again:6.2f} s")
        if "--prefect" in argv:
            t_prefect, _ = timed([*run, "--prefect", "--db", str(Path(tmp) / "p.duckdb"), "--site", str(site)], env)
            print(f"project, first run as a Prefect flow (--prefect): {t_prefect:6.2f} s")
        t_base, out = timed([sys.executable, __file__, "--baseline", str(exports), as_of], env)
        print(f"baseline, mailbox + pandas reply_12h:              {t_base:6.2f} s   ({out.strip()})")
        print(
            f"ratio project first run / baseline: {t_first / t_base:.2f}x; re-run / baseline: {t_again / t_base:.2f}x"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline"]:
        baseline(Path(sys.argv[2]), sys.argv[3])
    else:
        main(sys.argv[1:])

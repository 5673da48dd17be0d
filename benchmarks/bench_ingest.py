"""Ingest of many small .eml files: our batched Prefect flow against plain baselines.

    .venv/bin/python benchmarks/bench_ingest.py [N_FILES]

Measured in one run on the same generated folder:
  plain      a loop over the files with email.message_from_binary_file (full parse, no storage)
  ingest     aemetrics.ingest.runner.ingest_exports: header parse + load into DuckDB, no Prefect
  flow       the Prefect ingest flow (batches of files per task), temporary server already warm
  per-file   the same flow shape with one Prefect task per file (what batching avoids), on a
             tenth of the files, scaled up
Figures are printed as ratios to `plain`.
"""

from __future__ import annotations

import email
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from prefect import flow  # noqa: E402

from aemetrics.config import Settings  # noqa: E402
from aemetrics.flows import parse_batch, parse_in_tasks  # noqa: E402
from aemetrics.ingest import runner  # noqa: E402
from aemetrics.warehouse import open_warehouse  # noqa: E402


def make_exports(root: Path, n: int) -> Path:
    mail = root / "exports" / "email"
    mail.mkdir(parents=True)
    for i in range(n):
        (mail / f"{i:06d}.eml").write_text(
            f"Message-ID: <m{i}@brandco.com>\nDate: Mon, 29 Sep 2025 10:{i % 60:02d}:00 +0800\n"
            f"From: Client {i % 40} <client{i % 40}@brandco.com>\nTo: li.wei@adagency.cn\n"
            f"Subject: =?UTF-8?B?5rS75Yqo5pa55qGI?= {i}\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n" + "body line\n" * 40
        )
    return root / "exports"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(n: int) -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        exports = make_exports(Path(tmp), n)
        files = sorted((exports / "email").iterdir())

        def plain():
            for p in files:
                with p.open("rb") as fh:
                    email.message_from_binary_file(fh)

        def ingest():
            con = open_warehouse(Path(tmp) / "plain.duckdb")
            runner.ingest_exports(exports, con, settings)
            con.close()

        @flow(name="bench-batched")
        def batched():
            con = open_warehouse(Path(tmp) / "flow.duckdb")
            runner.ingest_exports(exports, con, settings, parse_batches=parse_in_tasks)
            con.close()

        tenth = runner.discover(exports)[: max(1, n // 10)]
        hashes = {f.rel: runner.file_digest(f.path) for f in tenth}

        @flow(name="bench-per-file")
        def per_file():
            shards = Path(tmp) / "per-file-shards"
            shards.mkdir(exist_ok=True)
            futures = [
                parse_batch.submit([f], settings, {f.rel: hashes[f.rel]}, str(shards), runner.shard_name(i))
                for i, f in enumerate(tenth)
            ]
            for fut in futures:
                fut.result()

        @flow(name="warm-up")
        def warm():
            return 1

        warm()  # start Prefect's temporary server outside the timings
        t_plain = timed(plain)
        t_ingest = timed(ingest)
        t_flow = timed(batched)
        t_per_file = timed(per_file) * (n / len(tenth))
    print(f"{n} .eml files on {os.cpu_count()} cores")
    print(f"{'plain loop (email.message_from_binary_file)':48s} {t_plain:7.2f} s  1.00x")
    for name, t in [
        ("ingest_exports (parse + load into DuckDB)", t_ingest),
        ("Prefect flow, batched tasks", t_flow),
        ("Prefect flow, one task per file (scaled)", t_per_file),
    ]:
        print(f"{name:48s} {t:7.2f} s  {t / t_plain:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

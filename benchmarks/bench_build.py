"""The SQL build at scale: the demo agency's mail multiplied K times, then every standard built.

    .venv/bin/python benchmarks/bench_build.py [K]

Prints the build's total time and its heaviest models, and compares the reply_12h matching
model (`int_obligations__reply_12h`: rounds of client messages, the first staff answer after
them) with a plain pandas baseline doing the same matching with `merge_asof` on the same
resolved messages and threads, measured in the same run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.demo import generate_demo
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime(2025, 12, 12, 12, tzinfo=UTC)

COPY_MAIL = """
insert into raw_email_messages by name
with copies as (
    select raw_email_messages.*, '#' || copy.range as suffix
    from raw_email_messages cross join range(1, ?) as copy
)
select * exclude (suffix) replace (
    message_id || suffix as message_id,
    in_reply_to || suffix as in_reply_to,
    list_transform("references", lambda r: r || suffix) as "references",
    thread_index || suffix as thread_index,
    gm_thread_id || suffix as gm_thread_id,
    thread_topic || suffix as thread_topic,
    subject || suffix as subject,
    source_file || suffix as source_file
)
from copies
"""


def pandas_reply_rounds(messages: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """reply_12h by hand: inquiries split into rounds by the previous answer, each round
    answered by the first staff message to a client after it opened."""
    m = messages.merge(threads[["message_id", "thread_id"]], on="message_id")
    inquiries = m[(m.from_kind == "client") & m.has_staff_recipient].sort_values("sent_at")
    answers = m[(m.from_kind == "staff") & m.has_client_recipient][["thread_id", "sent_at"]].sort_values("sent_at")
    answers = answers.assign(answer_at=answers.sent_at)
    split = pd.merge_asof(
        inquiries,
        answers.rename(columns={"answer_at": "previous_answer_at"}),
        on="sent_at",
        by="thread_id",
        direction="backward",
        allow_exact_matches=True,
    )
    rounds = (
        split.groupby(["thread_id", split.previous_answer_at.fillna(pd.Timestamp(0, tz="UTC"))], sort=False)
        .agg(opened_at=("sent_at", "min"))
        .reset_index()
        .sort_values("opened_at")
    )
    answered = pd.merge_asof(
        rounds,
        answers[["thread_id", "answer_at"]].sort_values("answer_at"),
        left_on="opened_at",
        right_on="answer_at",
        by="thread_id",
        direction="forward",
        allow_exact_matches=False,
    )
    due = answered.opened_at + pd.Timedelta(hours=12)
    answered["status"] = "open"
    answered.loc[answered.answer_at <= due, "status"] = "met"
    answered.loc[answered.answer_at > due, "status"] = "late"
    answered.loc[answered.answer_at.isna() & (due < pd.Timestamp(AS_OF)), "status"] = "missed"
    return answered


def main(k: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        exports = Path(tmp) / "exports"
        generate_demo(exports)
        con = open_warehouse(Path(tmp) / "w.duckdb")
        ingest_exports(exports, con, Settings())
        if k > 1:
            con.execute(COPY_MAIL, [k])
        n_mail = con.execute("select count(*) from raw_email_messages").fetchone()[0]
        report = build(con, Settings(), AS_OF)
        messages = con.execute(
            "select * from int_email_messages_resolved where is_visible and not is_auto_generated and sent_at <= ?",
            [AS_OF],
        ).df()
        threads = con.execute("select * from int_email_threads").df()
        n_sql = con.execute("select count(*) from obligations where standard = 'reply_12h'").fetchone()[0]
        con.close()
    start = time.perf_counter()
    rounds = pandas_reply_rounds(messages, threads)
    t_pandas = time.perf_counter() - start
    t_sql = report.model_seconds["int_obligations__reply_12h"]
    print(f"{n_mail:,} raw messages (demo x{k}) on {os.cpu_count()} cores")
    print(
        f"whole build (37 models, all standards): {report.seconds:.2f} s, {report.row_counts['obligations']:,} obligations"
    )
    for name, secs in sorted(report.model_seconds.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {name:42s} {secs:6.2f} s")
    print(f"reply_12h matching, pandas merge_asof baseline: {t_pandas:6.2f} s  1.00x  ({len(rounds):,} rounds)")
    print(
        f"reply_12h matching, SQL model:                  {t_sql:6.2f} s  {t_sql / t_pandas:.2f}x  "
        f"({n_sql:,} obligations; the SQL also resolves accounts, AEs and business hours)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

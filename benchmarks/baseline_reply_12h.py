"""The baseline of the agency-year benchmark: a plain script computing reply_12h alone.

    .venv/bin/python benchmarks/baseline_reply_12h.py EXPORTS AS_OF [AGENCY_DOMAIN]

What someone would write without aemetrics: read every mbox under EXPORTS/email with Python's
`mailbox` module (the headers it needs: Message-ID, Date, From, To, Cc, In-Reply-To,
References), deduplicate by Message-ID, thread by the first References id (else In-Reply-To,
else itself), and match client inquiries to the first staff answer with pandas `merge_asof`
(benchmarks/bench_build.py `pandas_reply_rounds`: rounds split by the previous answer, 12 hours,
calendar time). Staff are the addresses of the agency's domain, clients everyone else except
list mail. Prints the number of rounds per status and the seconds.
"""

from __future__ import annotations

import mailbox
import sys
import time
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_build  # noqa: E402


def read(exports: Path, agency: str) -> pd.DataFrame:
    rows = []
    for path in sorted((exports / "email").glob("*.mbox")):
        for msg in mailbox.mbox(path, create=False):
            if msg.get("Precedence") or msg.get("List-Id"):
                continue
            sender = getaddresses([msg.get("From", "")])
            recipients = [a.lower() for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]
            refs = (msg.get("References") or "").split() or (msg.get("In-Reply-To") or "").split()
            message_id = (msg.get("Message-ID") or "").strip()
            try:
                sent_at = parsedate_to_datetime(msg["Date"])
            except (TypeError, ValueError):
                continue
            from_addr = sender[0][1].lower() if sender else ""
            rows.append(
                dict(
                    message_id=message_id,
                    thread_id=refs[0] if refs else message_id,
                    sent_at=sent_at,
                    from_kind="staff" if from_addr.endswith("@" + agency) else "client",
                    has_staff_recipient=any(a.endswith("@" + agency) for a in recipients),
                    has_client_recipient=any(not a.endswith("@" + agency) for a in recipients),
                )
            )
    frame = pd.DataFrame(rows).drop_duplicates("message_id")
    frame["sent_at"] = pd.to_datetime(frame.sent_at, utc=True)
    return frame


def main(exports: Path, as_of: datetime, agency: str) -> None:
    start = time.perf_counter()
    messages = read(exports, agency)
    read_s = time.perf_counter() - start
    bench_build.AS_OF = as_of
    rounds = bench_build.pandas_reply_rounds(messages.drop(columns="thread_id"), messages[["message_id", "thread_id"]])
    total = time.perf_counter() - start
    statuses = rounds.status.value_counts().to_dict()
    print(f"baseline: {len(messages):,} messages, {len(rounds):,} rounds {statuses}")
    print(f"baseline seconds: read {read_s:.2f}, total {total:.2f}")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        datetime.fromisoformat(sys.argv[2]),
        sys.argv[3] if len(sys.argv) > 3 else "xingheadv.com.cn",
    )

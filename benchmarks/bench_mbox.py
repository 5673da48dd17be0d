"""How fast does aemetrics read a big mbox, compared with Python's own mailbox module?

Generates (deterministically, into a temporary folder) an mbox of about 20,000 realistic
messages: Chinese and English subjects in RFC 2047 (GB2312, GBK, UTF-8), replies with
In-Reply-To/References, Outlook Thread-Index, list mail, auto-replies, multipart bodies and
some base64 attachments, escaped and unescaped 'From ' lines in bodies. Then times

  baseline  a plain loop over mailbox.mbox reading every message's headers
  ours      aemetrics.ingest.email.parse on the same file (headers only, the default)
  ours+body the same with store_bodies=True (text/plain bodies decoded)
  ingest    aemetrics.ingest.runner.ingest_exports on a folder holding the mbox: parse + load

and prints the figures and the ratio. Usage:
    .venv/bin/python benchmarks/bench_mbox.py [--messages 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import mailbox
import os
import platform
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from aemetrics.config import Settings
from aemetrics.ingest.base import SourceFile
from aemetrics.ingest.email import clear_caches, parse
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

FIELDS = (
    "Message-ID",
    "Date",
    "From",
    "To",
    "Cc",
    "Subject",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "X-Autoreply",
    "Content-Type",
    "Thread-Index",
    "Thread-Topic",
    "X-GM-THRID",
)
SUBJECTS = [
    "活动方案",
    "会议议程 周三",
    "会议纪要",
    "本周工作进度报告",
    "市场信息 第12期",
    "新年快乐",
    "Q3 media plan",
    "Agenda for Thursday",
    "Minutes: kick-off",
    "Weekly status report",
    "报价单 确认",
    "工作单 #4411",
    "Re: 预算调整",
    "market update",
    "请确认参会人员",
]
PEOPLE = [
    ("李伟", "li.wei@adagency.cn"),
    ("王芳", "wang.fang@adagency.cn"),
    ("张敏", "zhang.min@adagency.cn"),
    ("Chen Jing", "chen.jing@brandco.com"),
    ("Liu Yang", "liu.yang@brandco.com"),
    ("Anna Schmidt", "anna@retailer.de"),
    ("客户服务", "service@foodco.cn"),
    ("Tom Baker", "tom@media.example"),
]
TZS = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=1))]


def _encode_subject(rng: random.Random, text: str) -> str:
    if text.isascii():
        return text
    charset = rng.choice(["gb2312", "gbk", "utf-8"])
    data = text.encode("gb18030" if charset != "utf-8" else "utf-8")
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def _addr(rng: random.Random, person: tuple[str, str]) -> str:
    name, addr = person
    if not name.isascii():
        name = f"=?utf-8?B?{base64.b64encode(name.encode()).decode()}?="
    return f'"{name}" <{addr}>' if rng.random() < 0.5 else f"{name} <{addr}>"


def generate(path: Path, n: int, seed: int = 20261127) -> int:
    """Write an mbox of n messages; returns its size in bytes."""
    rng = random.Random(seed)
    start = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    ids: list[str] = []
    with path.open("wb") as out:
        for i in range(n):
            sender, *rcpts = rng.sample(PEOPLE, 1 + rng.randint(1, 3))
            sent = start + timedelta(minutes=7 * i + rng.randint(0, 6))
            mid = f"{i:06d}.{rng.getrandbits(40):010x}@{sender[1].split('@')[1]}"
            subject = rng.choice(SUBJECTS)
            headers = [
                f"Return-Path: <{sender[1]}>",
                f"Received: from mail{rng.randint(1, 9)}.example.net (mail.example.net [192.0.2.{rng.randint(1, 254)}])"
                f"\n\tby mx.adagency.cn with ESMTPS id {rng.getrandbits(32):08x}; {format_datetime(sent)}",
                f"Message-ID: <{mid}>",
                f"Date: {format_datetime(sent.astimezone(rng.choice(TZS)))}",
                f"From: {_addr(rng, sender)}",
                f"To: {', '.join(_addr(rng, p) for p in rcpts[:2])}",
            ]
            if len(rcpts) > 2:
                headers.append(f"Cc: {_addr(rng, rcpts[2])}")
            if ids and rng.random() < 0.5:
                parent = rng.choice(ids[-50:])
                subject = rng.choice(["Re: ", "回复：", "答复: ", "RE: "]) + subject
                headers += [f"In-Reply-To: <{parent}>", f"References: <{ids[0]}>\n <{parent}>"]
            headers.append(f"Subject: {_encode_subject(rng, subject)}")
            if rng.random() < 0.3:
                headers += [
                    f"Thread-Index: {base64.b64encode(rng.randbytes(22)).decode()}",
                    f"Thread-Topic: {_encode_subject(rng, subject)}",
                ]
            if rng.random() < 0.05:
                headers += ["Auto-Submitted: auto-replied", "X-Autoreply: yes"]
            if rng.random() < 0.1:
                headers += ["Precedence: list", "List-Id: <media.lists.example>"]
            text = "\n".join(
                rng.choice(
                    [
                        "您好，附件是本周的方案，请查收。",
                        "Please find the plan attached.",
                        "From the team: thanks!",
                        "Best regards,",
                        "> quoted line",
                        "",
                    ]
                )
                for _ in range(rng.randint(5, 60))
            )
            headers.append("MIME-Version: 1.0")
            if rng.random() < 0.3:
                boundary = f"==b{rng.getrandbits(48):012x}"
                attachment = base64.encodebytes(rng.randbytes(rng.choice([2000, 8000, 40000]))).decode()
                headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
                body = (
                    f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    f"{text}\n--{boundary}\nContent-Type: application/pdf; name=plan.pdf\n"
                    f"Content-Disposition: attachment; filename=plan.pdf\nContent-Transfer-Encoding: base64\n\n"
                    f"{attachment}--{boundary}--\n"
                )
            else:
                headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
                body = text + "\n"
            # mboxrd-escape body lines that a reader could take for separators, as mail stores do
            body = "\n".join((">" + line) if line.startswith("From ") else line for line in body.split("\n"))
            envelope = f"From {sender[1]} {sent.strftime('%a %b %d %H:%M:%S %Y')}\n"
            out.write((envelope + "\n".join(headers) + "\n\n" + body + "\n").encode("utf-8"))
            ids.append(mid)
    return path.stat().st_size


def baseline(path: Path) -> int:
    count = 0
    for msg in mailbox.mbox(str(path), create=False):
        for field in FIELDS:
            msg.get(field)
        count += 1
    return count


def ours(path: Path, store_bodies: bool = False) -> int:
    clear_caches()  # each run starts cold: no help from the previous one
    result = parse(SourceFile(path=path, rel=path.name, kind="email"), Settings(store_bodies=store_bodies))
    assert not result.quarantined, result.quarantined[:3]
    return result.row_count


def ingest(path: Path) -> int:
    """The whole ingest of a folder holding this one mailbox: parse + load into a new DuckDB file."""
    clear_caches()
    exports = path.parent / "exports"
    (exports / "email").mkdir(parents=True, exist_ok=True)
    link = exports / "email" / path.name
    if not link.exists():
        link.symlink_to(path)
    db = path.parent / "bench.duckdb"
    db.unlink(missing_ok=True)
    con = open_warehouse(db)
    try:
        report = ingest_exports(exports, con, Settings())
    finally:
        con.close()
    return report.rows_loaded["raw_email_messages"]


def best_of(repeat: int, fn, *args) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        count = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each reader; the best time counts")
    args = ap.parse_args()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    print(f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="aemetrics-bench-") as tmp:
        path = Path(tmp) / "bench.mbox"
        size = generate(path, args.messages)
        print(f"mbox: {args.messages} messages, {size / 1e6:.1f} MB")
        t_base, n_base = best_of(args.repeat, baseline, path)
        t_ours, n_ours = best_of(args.repeat, ours, path)
        t_body, n_body = best_of(args.repeat, ours, path, True)
        t_ingest, n_ingest = best_of(args.repeat, ingest, path)
        assert n_base == n_ours == n_body == n_ingest == args.messages, (n_base, n_ours, n_body, n_ingest)
        print(f"{'reader':<42}{'seconds':>9}{'msg/s':>10}{'vs baseline':>13}")
        for name, t in [
            ("mailbox.mbox, every message's headers", t_base),
            ("aemetrics parse (headers only, default)", t_ours),
            ("aemetrics parse, store_bodies=True", t_body),
            ("aemetrics ingest (parse + load DuckDB)", t_ingest),
        ]:
            print(f"{name:<42}{t:>9.2f}{args.messages / t:>10.0f}{t_base / t:>12.1f}x")
        print(f"ratio baseline/ours: {t_base / t_ours:.1f}x faster")


if __name__ == "__main__":
    main()

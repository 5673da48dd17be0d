"""Broken and hostile files added to a working scenario (the demo agency): every one is named in
quarantine, the run still succeeds, and no obligation changes."""

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aemetrics import quality
from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.demo import generate_demo
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime(2025, 12, 12, 12, tzinfo=UTC)


def broken_files(exports: Path) -> dict[str, bytes]:
    """Relative path -> content of each hostile file."""
    mbox = next((exports / "email").glob("*.mbox")).read_bytes()
    cut = mbox.index(b"\nFrom ", len(mbox) // 3) + 200  # mid-way through a message's headers
    return {
        "email/truncated copy.mbox": mbox[:cut],
        "email/random bytes.eml": bytes(range(256)) * 7,
        "email/客户 邮件 备份.eml": b"\x89PNG\r\n\x1a\n" + bytes(500),
        "email/no-date.eml": b"Message-ID: <nodate@vendor.example>\nFrom: promo@vendor.example\n"
        b"To: someone@vendor.example\nSubject: no date here\n\nhello\n",
        "email/huge-subject.eml": b"Message-ID: <huge@vendor.example>\nDate: Mon, 29 Sep 2025 10:00:00 +0800\n"
        b"From: promo@vendor.example\nTo: someone@vendor.example\nSubject: " + b"x" * 400_000 + b"\n\nhello\n",
        "calendar/login page.ics": b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
        b"<body><form action='/login'><input name='user'></form></body></html>\n",
        "calendar/bad dtstart.ics": (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:broken-1\r\n"
            b"DTSTART:2025-13-45T99:00\r\nDTEND:20251001T100000Z\r\nSUMMARY:broken\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
        "crm/日程 导出.csv": "编号,名称,随便\n1,甲,乙\n".encode("gb18030"),
        "attendance/impossible times.csv": (
            b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
            b"999 888 7777,Ghost meeting,10/09/2025 10:00:00 AM,10/09/2025 11:00:00 AM,ghost@vendor.example,60,1\n\n"
            b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            b"Ghost,ghost@vendor.example,10/09/2025 11:00:00 AM,10/09/2025 10:00:00 AM,60,Yes\n"
            b"Ghost,ghost@vendor.example,13/45/2025 99:00:00 AM,10/09/2025 10:00:00 AM,60,Yes\n"
        ),
    }


def run_once(exports: Path, db: Path):
    con = open_warehouse(db)
    try:
        ingest_exports(exports, con, Settings())
        ingest_check = quality.validate(con, "ingest")
        build(con, Settings(), AS_OF)
        build_check = quality.validate(con, "build")
        # evidence last; evidence_items is compared through evidence, the sentence rendered from it
        obligations = con.execute(
            "select * exclude (evidence, evidence_items), evidence from obligations order by obligation_id"
        ).fetchall()
        quarantined = {r[0] for r in con.execute("select distinct source_file from quarantine").fetchall()}
        return obligations, quarantined, ingest_check.failed + build_check.failed
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "exports"
    generate_demo(out, seed=7)
    return out


def test_broken_files_change_no_obligation_and_are_all_quarantined(demo_exports, tmp_path):
    clean, _, failures = run_once(demo_exports, tmp_path / "clean.duckdb")
    assert clean and failures == []

    hostile = tmp_path / "exports"
    shutil.copytree(demo_exports, hostile)
    files = broken_files(hostile)
    for rel, data in files.items():
        (hostile / rel).parent.mkdir(parents=True, exist_ok=True)
        (hostile / rel).write_bytes(data)
    dirty, quarantined, failures = run_once(hostile, tmp_path / "hostile.duckdb")

    assert failures == []  # the run succeeds: nothing blocks publishing
    # these load (their messages are real, if odd) and open nothing; every other one is quarantined
    loads = {"email/no-date.eml", "email/huge-subject.eml", "email/truncated copy.mbox"}
    missing = set(files) - quarantined - loads
    assert missing == set(), f"broken files not named in quarantine: {missing}"

    # not one obligation changed, not one field of one; evidence may only name the truncated copy
    # of a mailbox as one more file a message was found in
    def without_copy(evidence: str) -> str:
        return re.sub(
            r"email/truncated copy\.mbox \(message \d+\)(, )?|, email/truncated copy\.mbox \(message \d+\)",
            "",
            evidence,
        )

    assert [row[:-1] + (without_copy(row[-1]),) for row in dirty] == clean
    assert sum("truncated copy" in row[-1] for row in dirty) > 0

"""Outlook .pst files (issue 12 item 3), read in place from ../shared/corpora/email-outlook-pst (skipped when
the corpus is absent; nothing of it is copied into the repository). The old engine quarantined a .pst as
"not an e-mail file" and loaded none of its 17 messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_tools import raw_columns

from aemetrics.config import Settings
from aemetrics.ingest.base import SourceFile
from aemetrics.ingest.runner import parse_file


def parse(path, rel, settings=None):
    return parse_file(SourceFile(path=path, rel=rel, kind="email"), settings or Settings())


@pytest.fixture(scope="module")
def pst_dir(corpora):
    d = corpora / "email-outlook-pst" / "go-pst"
    if not d.is_dir():
        # the corpus is read in place and never committed (brief): without it there is no real .pst here
        pytest.skip(f"Outlook .pst corpus not found at {d} (../shared/corpora/email-outlook-pst)")
    return d


def test_unicode_pst_every_mail_item_of_every_folder(pst_dir):
    result = parse(pst_dir / "support.pst", "email/archive/support.pst")
    assert result.parser == "pst" and result.quarantined == []
    rows = result.rows["raw_email_messages"]
    assert set(rows[0]) == raw_columns("raw_email_messages")
    folders = [r["record"].split(" in ", 1)[1] for r in rows]
    assert folders.count("Top of Personal Folders/Drafts") == 6
    assert folders.count("Top of Personal Folders/Sent Messages") == 11
    first_sent = next(r for r in rows if r["record"] == "item 1 in Top of Personal Folders/Sent Messages")
    # from the transport headers: Date: Fri, 6 Mar 2015 17:21:42 +0100
    assert first_sent["message_id"] == "9300164F-BD56-4421-87E8-61035D726E39@hackingteam.com"
    assert first_sent["sent_at"] == datetime(2015, 3, 6, 16, 21, 42, tzinfo=UTC)
    assert (first_sent["from_addr"], first_sent["from_name"]) == ("support@hackingteam.com", "RCS Support")
    assert first_sent["subject"] == "Desktop exploits suspension notice"
    assert first_sent["thread_index"].startswith("AdBYKaQOSl")  # PR_CONVERSATION_INDEX, base64
    assert sum(r["subject"] is None for r in rows) == 3  # drafts without a subject load too
    assert all(r["has_message_id"] for r in rows)


def test_ansi_pst_appointment_skipped_with_a_count(pst_dir):
    result = parse(pst_dir / "32-bit.pst", "email/32-bit.pst")
    assert result.rows.get("raw_email_messages", []) == []
    assert result.quarantined == [
        ("items of class IPM.Appointment", "1 Outlook item of class IPM.Appointment skipped: not e-mail")
    ]


def test_recognised_by_content_and_broken_file_quarantined(pst_dir, tmp_path):
    renamed = tmp_path / "backup.bin"
    renamed.write_bytes((pst_dir / "support.pst").read_bytes())
    assert len(parse(renamed, "email/backup.bin").rows["raw_email_messages"]) == 17
    broken = tmp_path / "cut.pst"
    broken.write_bytes((pst_dir / "support.pst").read_bytes()[:2000])
    result = parse(broken, "email/cut.pst")
    assert result.rows == {} and result.quarantined[0][0] == "file"
    assert "not a readable Outlook .pst/.ost file" in result.quarantined[0][1]

"""Fourth blind acceptance scenario, computed by hand from STANDARDS.md: tests/fixtures/scenarios/acceptance_followups.

The four follow-up standards of issue 11 (minutes_signoff, minutes_confirmed, reschedule_notice,
post_project_review) on Hanxing Ad over the 2026 New Year (1-3 Jan off, Sun 4 Jan a make-up working day), in
real export formats: staff.csv, Salesforce User/Account/Contact/Task/ProcessInstance/Opportunity CSVs, an mbox and
.eml files (GB/UTF-8 encoded-word subjects, 回复：/Re:, quoted replies), a Google .ics with RECURRENCE-ID overrides
(one moved, one cancelled) and cancelled single events. As of Fri 9 Jan 2026 20:00 Beijing.

The traps, each named in acceptance_followups.EXPECTED.md (written and committed before the engine ran): a
supervisor's 同意 in the body (flags read at ingest, bodies not stored) before the send (met) and an LGTM after it
(late) with an earlier "Not approved" ignored; a CRM ProcessInstance approval; the phone confirmation due on the
make-up Sunday; a missed inbound call that confirms nothing; a call logged after as_of; an e-mail announcing a move
before the (late) calendar change; a cancellation under 24 h; a client-organised cancellation (nothing); 10 working
days across the holiday; a review meeting naming the account without "Co., Ltd." that serves the earliest project;
a lost opportunity and one due before the first evaluated week (nothing).

The old engine computed none of these four standards: every row below was missing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scenario_tools import SCENARIOS, Built, build_copy, ingest_scenario, local, missing_and_extra, oid

SCENARIO = SCENARIOS / "acceptance_followups"
AS_OF = datetime.fromisoformat("2026-01-09T20:00:00+08:00")
ZHAO = "zhao.lei@hanxing-ad.com"
JC, SL = "001000000000401AAA", "001000000000402AAA"
FOUR = ("minutes_signoff", "minutes_confirmed", "reschedule_notice", "post_project_review")


def D(mo: int, d: int, h: int = 0, mi: int = 0):
    """A Beijing wall-clock time of the scenario (Nov/Dec are 2025, Jan is 2026)."""
    return local(2025 if mo >= 11 else 2026, mo, d, h, mi)


MIN1, MIN2, MIN3, MIN4 = (f"fu-min{i}@hanxing-ad.com" for i in range(1, 5))
JCW = "jincheng-weekly@hanxing-ad.com / "

# (opening key, standard, ae, client_account, opened_at, due_at, fulfilled_at, status)
EXPECTED = [
    (MIN1, "minutes_signoff", ZHAO, JC, D(12, 31, 15), D(12, 31, 15), D(12, 31, 11), "met"),
    (MIN2, "minutes_signoff", ZHAO, SL, D(1, 5, 18), D(1, 5, 18), D(1, 5, 19), "late"),
    (MIN3, "minutes_signoff", ZHAO, JC, D(1, 7, 16), D(1, 7, 16), D(1, 7, 14, 30), "met"),
    (MIN4, "minutes_signoff", ZHAO, JC, D(1, 8, 17), D(1, 8, 17), None, "missed"),
    (MIN1, "minutes_confirmed", ZHAO, JC, D(12, 31, 15), D(1, 5), D(1, 4, 11), "met"),  # make-up Sunday
    (MIN2, "minutes_confirmed", ZHAO, SL, D(1, 5, 18), D(1, 7), D(1, 7, 10), "late"),
    (MIN3, "minutes_confirmed", ZHAO, JC, D(1, 7, 16), D(1, 9), None, "missed"),
    (MIN4, "minutes_confirmed", ZHAO, JC, D(1, 8, 17), D(1, 10), None, "open"),
    (JCW + "2025-12-24T02:00:00Z", "reschedule_notice", ZHAO, JC, D(12, 24, 9), D(12, 23, 10), D(12, 23, 9), "met"),
    (JCW + "2025-12-31T02:00:00Z", "reschedule_notice", ZHAO, JC, D(12, 29, 10), D(12, 30, 10), D(12, 29, 10), "met"),
    (
        "starlight-tasting-20260109@hanxing-ad.com / 2026-01-09T07:00:00Z",
        "reschedule_notice", ZHAO, SL, D(1, 9, 9), D(1, 8, 15), D(1, 9, 9), "late",
    ),
    ("opportunity 006000000000401AAA", "post_project_review", ZHAO, JC, D(12, 27), D(1, 13), D(1, 7, 15), "met"),
    ("opportunity 006000000000403AAA", "post_project_review", ZHAO, SL, D(12, 20), D(1, 6), D(1, 8, 10), "late"),
    ("opportunity 006000000000402AAA", "post_project_review", ZHAO, SL, D(12, 22, 10), D(1, 7), None, "missed"),
    ("opportunity 006000000000404AAA", "post_project_review", ZHAO, JC, D(1, 6), D(1, 20), None, "open"),
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return ingest_scenario("acceptance_followups", tmp_path_factory)


@pytest.fixture(scope="module")
def built(warehouse) -> Built:
    b = build_copy(warehouse, AS_OF)
    yield b
    b.con.close()


@pytest.fixture(scope="module")
def obligations(built) -> dict[str, dict]:
    return {
        r["obligation_id"]: r
        for r in built.rows("select * from obligations where list_contains(?, standard)", [list(FOUR)])
    }


def test_exactly_the_expected_obligations(obligations):
    """Nothing more: no reschedule_notice for the unchanged 7 Jan occurrence or the client-organised cancellation, no
    post_project_review for the lost opportunity or the one due before the first evaluated week, no minutes
    obligation for the internal draft and approvals."""
    assert len(EXPECTED) == 15
    assert missing_and_extra(EXPECTED, obligations) == ([], [])


@pytest.mark.parametrize("row", EXPECTED, ids=[f"{r[1]}:{r[0]}" for r in EXPECTED])
def test_each_obligation(row, obligations):
    key, std, ae, account, opened_at, due_at, fulfilled_at, status = row
    got = obligations[oid(std, key)]
    assert (got["ae"], got["client_account"], got["opened_at"], got["due_at"], got["fulfilled_at"], got["status"]) == (
        ae, account, opened_at, due_at, fulfilled_at, status,
    )  # fmt: skip


def test_evidence_names_rows(built):
    """Every evidence item of the four standards resolves to a raw row (file and record)."""
    unresolved = built.rows(
        "select standard, kind, source_file, record from evidence_refs where not is_resolved and list_contains(?, standard)",
        [list(FOUR)],
    )
    assert unresolved == []
    ev = {r["obligation_id"]: r["evidence"] for r in built.rows("select obligation_id, evidence from obligations")}
    assert "crm/ProcessInstance.csv (line 2)" in ev[oid("minutes_signoff", MIN3)]
    assert "email/qin.yue/01-min1-ok.eml (file)" in ev[oid("minutes_signoff", MIN1)]
    assert "crm/Task.csv (line 2)" in ev[oid("minutes_confirmed", MIN1)]
    assert "crm/Opportunity.csv (line 4)" in ev[oid("post_project_review", "opportunity 006000000000403AAA")]
    assert "calendar/zhao.lei.ics" in ev[oid("reschedule_notice", JCW + "2025-12-24T02:00:00Z")]


def test_bodies_are_not_stored_only_flags(built):
    """STANDARDS.md: bodies stay unstored; the parser keeps the approval / negation flags of the first 1,000
    characters (quoted text cut: e7's quoted 'OK to send?' is the AE's words, its own 'LGTM' approves)."""
    rows = {
        r["message_id"]: r
        for r in built.rows(
            "select message_id, body_text, has_approval_word, has_negation_word from raw_email_messages"
        )
    }
    assert all(r["body_text"] is None for r in rows.values())
    assert (
        rows["fu-min1-ok@hanxing-ad.com"]["has_approval_word"],
        rows["fu-min1-ok@hanxing-ad.com"]["has_negation_word"],
    ) == (True, False)
    assert (
        rows["fu-min2-no@hanxing-ad.com"]["has_approval_word"],
        rows["fu-min2-no@hanxing-ad.com"]["has_negation_word"],
    ) == (False, True)
    assert rows["fu-min2-lgtm@hanxing-ad.com"]["has_approval_word"] is True
    assert rows["fu-min1-draft@hanxing-ad.com"]["has_approval_word"] is False

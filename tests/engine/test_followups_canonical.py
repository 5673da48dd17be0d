"""minutes_signoff, minutes_confirmed and post_project_review from the canonical CRM layout (issue 11), across the
2025 National Day break (1-8 Oct off; Sun 28 Sep and Sat 11 Oct make-up working days). Exports: staff.csv, the
canonical users/accounts/contacts/activities CSVs (Approval with what_id = the minutes' Message-ID, a Rejected
Approval, call_type Missed, an answered Inbound call, ProjectCompleted), an mbox and an Outlook .ics (TZID "China
Standard Time"). As of Fri 17 Oct 2025 12:00 Beijing. Hand computation in each row's comment. The old engine computed
none of these standards (no row at all)."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import build_copy, ingest_scenario, local, oid

AS_OF = datetime.fromisoformat("2025-10-17T12:00:00+08:00")
LI, QH = "li.na@mingyue-ad.com", "acc-701"
MIN1, MIN2 = "cf-min1@mingyue-ad.com", "cf-min2@mingyue-ad.com"

EXPECTED = [
    # Approval ap-1 (what_id = <cf-min1@...>) at 16:00, before the 17:00 send
    (MIN1, "minutes_signoff", local(2025, 9, 29, 17), local(2025, 9, 29, 17), local(2025, 9, 29, 16), "met"),
    # ap-2 is Rejected: no approval
    (MIN2, "minutes_signoff", local(2025, 9, 30, 15), local(2025, 9, 30, 15), None, "missed"),
    # due 24:00 Tue 30 Sep; mc-1 is a missed call; mc-2 (9 Oct) is beyond 7 days after this due
    (MIN1, "minutes_confirmed", local(2025, 9, 29, 17), local(2025, 10, 1), None, "missed"),
    # next working day after Tue 30 Sep is Thu 9 Oct (1-8 Oct off): due 24:00 Thu 9; mc-2 answered inbound 11:00
    (MIN2, "minutes_confirmed", local(2025, 9, 30, 15), local(2025, 10, 10), local(2025, 10, 9, 11), "met"),
    # 10th working day after Fri 26 Sep: Sun 28, Mon 29, Tue 30, Thu 9, Fri 10, Sat 11, Mon 13, Tue 14, Wed 15, Thu 16;
    # "青禾项目复盘" names the account by its short name
    (
        "activity pc-1",
        "post_project_review",
        local(2025, 9, 26, 18),
        local(2025, 10, 17),
        local(2025, 10, 15, 14),
        "met",
    ),
]


@pytest.fixture(scope="module")
def obligations(tmp_path_factory):
    built = build_copy(ingest_scenario("followups_canonical", tmp_path_factory), AS_OF)
    try:
        yield {
            r["obligation_id"]: r
            for r in built.rows(
                "select * from obligations where standard in "
                "('minutes_signoff', 'minutes_confirmed', 'reschedule_notice', 'post_project_review')"
            )
        }
    finally:
        built.con.close()


def test_exactly_these(obligations):
    assert set(obligations) == {oid(std, key) for key, std, *_ in EXPECTED}


@pytest.mark.parametrize("row", EXPECTED, ids=[f"{r[1]}:{r[0]}" for r in EXPECTED])
def test_row(row, obligations):
    key, std, opened_at, due_at, fulfilled_at, status = row
    got = obligations[oid(std, key)]
    assert (got["ae"], got["client_account"], got["opened_at"], got["due_at"], got["fulfilled_at"], got["status"]) == (
        LI, QH, opened_at, due_at, fulfilled_at, status,
    )  # fmt: skip
    assert "crm/activities.csv (line" in got["evidence"] or status == "missed"

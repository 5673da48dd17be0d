"""Second held-back acceptance scenario, computed by hand: tests/fixtures/scenarios/acceptance_national_day.

Mingde Ad around the 2025 Mid-Autumn / National Day holiday (1-8 Oct off; Sun 28 Sep and Sat 11 Oct are
make-up working days): AEs Li Wei and Chen Jing (supervisor Zhou Min) and Wang Fang (supervisor Huang Tao);
JadeTea (Customer - Direct, Li), RiverAuto (Customer - Channel, Chen), LotusDairy (Customer - Direct, Wang,
no CRM contact: its people are clients through the Website domain), PeakSports (Prospect, Chen). W39 ends on
the make-up Sunday, W40's last working day is Tue 30 Sep, W41's first is Thu 9 Oct and its last the make-up
Saturday. Real export formats: staff.csv (Chinese headers, mixed-case emails), Salesforce User/Account/
Contact/Task, two mboxes and an .eml folder (GB2312/GBK subjects, 回复：/答复:, "Li, Wei" display names,
+0000 Dates), Google .ics (biweekly series with a RECURRENCE-ID move, client-organised, all-day, holiday and
back-filled events), Zoom participant reports with the summary block. As of Sat 11 Oct 2025 20:00 Beijing.

Every expected value was written in acceptance_national_day.EXPECTED.md (beside the folder) before the
engine ran, with a one-line hand computation each. Both runs (53 rows, then 54 after four traps were made
decisive) matched the engine exactly; no engine bug was found, so there is no xfail case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scenario_tools import SCENARIOS, built_and_expected, local, missing_and_extra, oid

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

SCENARIO = SCENARIOS / "acceptance_national_day"
AS_OF = datetime.fromisoformat("2025-10-11T20:00:00+08:00")
LATER_AS_OF = datetime.fromisoformat("2025-10-12T12:00:00+08:00")
LI, CHEN, WANG = "li.wei@mingde-ad.com", "chen.jing@mingde-ad.com", "wang.fang@mingde-ad.com"
ZHOU, HUANG = "zhou.min@mingde-ad.com", "huang.tao@mingde-ad.com"
JADE, RIVER, LOTUS, PEAK = "001000000000201AAA", "001000000000202AAA", "001000000000203AAA", "001000000000204AAA"
W39, W40, W41 = "2025-09-22", "2025-09-29", "2025-10-06"

# meetings: UID / occurrence key (the scheduled start in UTC; a moved occurrence keeps its RECURRENCE-ID)
BIWEEKLY = "jadetea-biweekly-2025@google.com / "
M1_0924 = BIWEEKLY + "2025-09-24T06:00:00Z"
M1_1008 = BIWEEKLY + "2025-10-08T06:00:00Z"  # moved to Fri 10 Oct 14:00
M2 = "riverauto-q4-brief-20250925@riverauto.cn / 2025-09-25T02:00:00Z"  # organised by the client
M3 = "lotus-national-day-onsite-2025@google.com / 2025-10-02T07:00:00Z"  # holiday
M5 = "peaksports-pitch-20251010@google.com / 2025-10-10T02:00:00Z"  # prospect, booked late
M6 = "riverauto-q4-review-20251014@google.com / 2025-10-14T02:00:00Z"
M7 = "jadetea-store-review-20251010@google.com / 2025-10-10T08:00:00Z"  # back-filled after AS_OF


def L(mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0):
    return local(2025, mo, d, h, mi, s)


def wk(ae: str, account: str, week: str) -> str:
    return f"{ae}|{account[:15]}|{week}"


# (opening key, standard, ae, client_account, opened_at, due_at, fulfilled_at, status)
EXPECTED = [
    # reply_12h: opening Message-ID
    (
        "nd-r1-q@jadetea.com.cn",
        "reply_12h",
        LI,
        JADE,
        L(9, 22, 10),
        L(9, 22, 22),
        L(9, 22, 21, 30),
        "met",
    ),  # +0000 Date; "Li, Wei"
    (
        "nd-r2-q1@riverauto.cn",
        "reply_12h",
        CHEN,
        RIVER,
        L(9, 23, 9),
        L(9, 23, 21),
        L(9, 23, 22),
        "late",
    ),  # 3 client msgs, 1 round
    (
        "nd-r2-q4@riverauto.cn",
        "reply_12h",
        CHEN,
        RIVER,
        L(9, 24, 9, 30),
        L(9, 24, 21, 30),
        L(9, 24, 10),
        "met",
    ),  # next round
    (
        "nd-r3-q@lotusdairy.com.cn",
        "reply_12h",
        WANG,
        LOTUS,
        L(9, 25, 9),
        L(9, 25, 21),
        L(9, 25, 15),
        "met",
    ),  # References only
    (
        "nd-r4-q@jadetea.com.cn",
        "reply_12h",
        LI,
        JADE,
        L(10, 2, 10),
        L(10, 2, 22),
        L(10, 2, 22, 30),
        "late",
    ),  # OOO; colleague
    (
        "nd-r5-q@riverauto.cn",
        "reply_12h",
        CHEN,
        RIVER,
        L(10, 9, 10),
        L(10, 9, 22),
        L(10, 9, 23, 30),
        "late",
    ),  # fwd ignored; Cc
    ("nd-r6-q@peaksports.com", "reply_12h", CHEN, PEAK, L(10, 10, 9), L(10, 10, 21), None, "missed"),  # prospect
    (
        "nd-r8-q@lotusdairy.com.cn",
        "reply_12h",
        WANG,
        LOTUS,
        L(10, 10, 9, 30),
        L(10, 10, 21, 30),
        L(10, 10, 14),
        "met",
    ),  # subject thread
    (
        "nd-r7-q@lotusdairy.com.cn",
        "reply_12h",
        WANG,
        LOTUS,
        L(10, 11, 10),
        L(10, 11, 22),
        None,
        "open",
    ),  # answer after as_of
    # agenda_48h
    (M1_0924, "agenda_48h", LI, JADE, L(9, 22), L(9, 22, 14), L(9, 22, 11), "met"),
    (M1_1008, "agenda_48h", LI, JADE, L(10, 6), L(10, 8, 14), L(10, 9, 9, 30), "late"),  # moved occurrence
    (M2, "agenda_48h", CHEN, RIVER, L(9, 22), L(9, 23, 10), None, "missed"),
    (M3, "agenda_48h", WANG, LOTUS, L(9, 30, 11), L(9, 30, 15), L(9, 30, 16), "late"),  # opened at CREATED
    (M5, "agenda_48h", CHEN, PEAK, L(10, 8, 10), L(10, 8, 10), None, "excused"),  # booked after the deadline
    (M6, "agenda_48h", CHEN, RIVER, L(10, 9, 15), L(10, 12, 10), None, "open"),  # draft to a non-attendee
    # internal_notice_24h
    (M1_0924, "internal_notice_24h", LI, JADE, L(9, 22), L(9, 23, 14), L(9, 15, 10), "met"),
    (M1_1008, "internal_notice_24h", LI, JADE, L(10, 6), L(10, 9, 14), L(9, 15, 10), "met"),  # series invitation
    (M2, "internal_notice_24h", CHEN, RIVER, L(9, 22), L(9, 24, 10), L(9, 19, 15), "met"),  # client's invitation
    (M3, "internal_notice_24h", WANG, LOTUS, L(9, 30, 11), L(10, 1, 15), L(9, 28, 10), "met"),  # e-mail before CREATED
    (M5, "internal_notice_24h", CHEN, PEAK, L(10, 9, 9), L(10, 9, 10), L(10, 9, 9), "met"),
    # on_time
    (
        M1_1008,
        "on_time",
        LI,
        JADE,
        L(10, 10, 14),
        L(10, 10, 14),
        L(10, 10, 14, 0, 30),
        "late",
    ),  # id in DESCRIPTION; 30 s
    (M2, "on_time", CHEN, RIVER, L(9, 25, 10), L(9, 25, 10), L(9, 25, 9, 58), "met"),  # 2 minutes early
    # minutes_24h
    (M1_0924, "minutes_24h", LI, JADE, L(9, 24, 15), L(9, 25, 15), L(9, 25, 11), "met"),
    (M2, "minutes_24h", CHEN, RIVER, L(9, 25, 11, 30), L(9, 26, 11, 30), L(9, 26, 14), "late"),  # to the organiser
    (M3, "minutes_24h", WANG, LOTUS, L(10, 2, 16), L(10, 3, 16), None, "missed"),
    (M5, "minutes_24h", CHEN, PEAK, L(10, 10, 11), L(10, 11, 11), L(10, 11, 10, 30), "met"),  # make-up Saturday
    (M1_1008, "minutes_24h", LI, JADE, L(10, 10, 15), L(10, 11, 15), L(10, 11, 10), "met"),  # make-up Saturday
    # monday_call: ae|account (15 characters)|week Monday
    (wk(LI, JADE, W39), "monday_call", LI, JADE, L(9, 22), L(9, 23), L(9, 22, 10), "met"),
    (wk(CHEN, RIVER, W39), "monday_call", CHEN, RIVER, L(9, 22), L(9, 23), L(9, 23, 11), "late"),
    (wk(WANG, LOTUS, W39), "monday_call", WANG, LOTUS, L(9, 22), L(9, 23), None, "missed"),  # inbound only
    (wk(LI, JADE, W40), "monday_call", LI, JADE, L(9, 29), L(9, 30), L(9, 29, 9, 30), "met"),  # account via WhoId
    (wk(CHEN, RIVER, W40), "monday_call", CHEN, RIVER, L(9, 29), L(9, 30), L(10, 2, 11), "late"),  # holiday call
    (
        wk(WANG, LOTUS, W40),
        "monday_call",
        WANG,
        LOTUS,
        L(9, 29),
        L(9, 30),
        L(9, 29, 16),
        "met",
    ),  # WhatId; date only: at CreatedDate (issue 8 item 7)
    (wk(LI, JADE, W41), "monday_call", LI, JADE, L(10, 9), L(10, 10), L(10, 9, 10), "met"),  # Thu 9 Oct
    (
        wk(CHEN, RIVER, W41),
        "monday_call",
        CHEN,
        RIVER,
        L(10, 9),
        L(10, 10),
        L(10, 10, 9),
        "late",
    ),  # Not Started ignored
    (wk(WANG, LOTUS, W41), "monday_call", WANG, LOTUS, L(10, 9), L(10, 10), L(10, 7, 15), "met"),  # inside the week
    # friday_client_report
    (wk(LI, JADE, W39), "friday_client_report", LI, JADE, L(9, 22), L(9, 29), L(9, 26, 17), "met"),
    (wk(CHEN, RIVER, W39), "friday_client_report", CHEN, RIVER, L(9, 22), L(9, 29), L(9, 28, 11), "met"),  # make-up Sun
    (wk(WANG, LOTUS, W39), "friday_client_report", WANG, LOTUS, L(9, 22), L(9, 29), None, "missed"),
    (wk(LI, JADE, W40), "friday_client_report", LI, JADE, L(9, 29), L(10, 1), L(9, 30, 16), "met"),  # Tue 30 Sep
    (wk(CHEN, RIVER, W40), "friday_client_report", CHEN, RIVER, L(9, 29), L(10, 1), L(10, 3, 10), "late"),
    (
        wk(WANG, LOTUS, W40),
        "friday_client_report",
        WANG,
        LOTUS,
        L(9, 29),
        L(10, 1),
        L(9, 29, 9),
        "met",
    ),  # domain client
    (wk(LI, JADE, W41), "friday_client_report", LI, JADE, L(10, 6), L(10, 12), None, "open"),  # sent after as_of
    (wk(CHEN, RIVER, W41), "friday_client_report", CHEN, RIVER, L(10, 6), L(10, 12), L(10, 11, 10), "met"),
    (wk(WANG, LOTUS, W41), "friday_client_report", WANG, LOTUS, L(10, 6), L(10, 12), None, "open"),
    # friday_supervisor_report: ae|week Monday
    (f"{LI}|{W39}", "friday_supervisor_report", LI, None, L(9, 22), L(9, 29), L(9, 26, 18), "met"),
    (f"{CHEN}|{W39}", "friday_supervisor_report", CHEN, None, L(9, 22), L(9, 29), L(9, 28, 20), "met"),
    (
        f"{WANG}|{W39}",
        "friday_supervisor_report",
        WANG,
        None,
        L(9, 22),
        L(9, 29),
        None,
        "missed",
    ),  # to the wrong supervisor
    (f"{LI}|{W40}", "friday_supervisor_report", LI, None, L(9, 29), L(10, 1), L(9, 30, 17, 30), "met"),
    (f"{CHEN}|{W40}", "friday_supervisor_report", CHEN, None, L(9, 29), L(10, 1), None, "missed"),
    (f"{WANG}|{W40}", "friday_supervisor_report", WANG, None, L(9, 29), L(10, 1), L(10, 1, 0, 30), "late"),  # +0000
    (f"{LI}|{W41}", "friday_supervisor_report", LI, None, L(10, 6), L(10, 12), L(10, 10, 18), "met"),
    # issue 8 item 4: the 10-11 report went To a colleague with the supervisor only in Cc, so it no longer counts
    (f"{CHEN}|{W41}", "friday_supervisor_report", CHEN, None, L(10, 6), L(10, 12), None, "open"),
    (f"{WANG}|{W41}", "friday_supervisor_report", WANG, None, L(10, 6), L(10, 12), None, "open"),
]

# As of Sun 12 Oct 12:00 (EXPECTED.md, "Second as_of"): these rows change or appear, all others stay.
LATER = {
    (wk(LI, JADE, W41), "friday_client_report"): (L(10, 11, 21), "met"),
    (wk(WANG, LOTUS, W41), "friday_client_report"): (None, "missed"),
    (f"{WANG}|{W41}", "friday_supervisor_report"): (None, "missed"),
    (f"{CHEN}|{W41}", "friday_supervisor_report"): (None, "missed"),  # supervisor only in Cc (issue 8 item 4)
    ("nd-r7-q@lotusdairy.com.cn", "reply_12h"): (L(10, 11, 21), "met"),
    (M6, "agenda_48h"): (L(10, 12, 9), "met"),
}
LATER_NEW = [
    (M7, "agenda_48h", LI, JADE, L(10, 8, 16), L(10, 8, 16), None, "excused"),
    (M7, "minutes_24h", LI, JADE, L(10, 10, 17), L(10, 11, 17), None, "missed"),
]


def _case_id(row) -> str:
    return f"{row[1]}:{row[0]}"


def _read(db: Path, as_of: datetime) -> dict[str, dict]:
    con = open_warehouse(db)
    try:
        build(con, Settings(), as_of)
        cur = con.execute("select * from obligations")
        names = [d[0] for d in cur.description]
        return {r[names.index("obligation_id")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("acceptance-national-day") / "warehouse.duckdb"
    con = open_warehouse(db)
    try:
        ingest_exports(SCENARIO, con, Settings())
        quarantined = con.execute("select source_file, record, reason from quarantine").fetchall()
    finally:
        con.close()
    assert quarantined == []  # EXPECTED.md sits beside the folder, not in it
    return db


@pytest.fixture(scope="module")
def obligations(warehouse) -> dict[str, dict]:
    return _read(warehouse, AS_OF)


def test_exactly_the_expected_obligations(obligations):
    """Nothing more: no PeakSports weekly (prospect), no all-day launch day, no 22 Oct occurrence, no
    internal notice for the 14 Oct review (opens Mon 13 Oct), no back-filled 10 Oct store review (CREATED
    after as_of), no r2-q2/r2-q3 (same round), no auto-reply, newsletter or mail dated after as_of."""
    assert len(EXPECTED) == 54
    assert missing_and_extra(EXPECTED, obligations) == ([], [])


@pytest.mark.parametrize("row", EXPECTED, ids=_case_id)
def test_obligation(obligations, row):
    built, expected = built_and_expected(row, obligations)
    assert built == expected


@pytest.mark.parametrize("row", EXPECTED, ids=_case_id)
def test_fulfilled_at(obligations, row):
    key, std, *_, fulfilled_at, _status = row
    assert obligations[oid(std, key)]["fulfilled_at"] == fulfilled_at


def test_evidence_details(obligations):
    """One round names the two later client messages; a message in two mailboxes is one message with both
    sources; the Zoom report of the moved occurrence is matched by the id written in DESCRIPTION (its topic
    differs from the summary); Wang's W39 report went to Zhou Min, but her supervisor is Huang Tao."""
    r2 = obligations[oid("reply_12h", "nd-r2-q1@riverauto.cn")]["evidence"]
    assert "+2 later client message" in r2 and "<nd-r2-a@mingde-ad.com>" in r2
    r4 = obligations[oid("reply_12h", "nd-r4-q@jadetea.com.cn")]["evidence"]
    assert "email/chen.jing/11-store-traffic.eml" in r4 and "email/li.wei.mbox" in r4
    assert "<nd-r4-a@mingde-ad.com>" in r4 and "nd-r4-ooo" not in r4
    on_time = obligations[oid("on_time", M1_1008)]["evidence"]
    assert "jadetea-biweekly-1010.csv" in on_time and "matched by meeting_id" in on_time
    assert HUANG in obligations[oid("friday_supervisor_report", f"{WANG}|{W39}")]["evidence"]


def test_later_as_of(warehouse):
    """As of Sun 12 Oct 12:00 the Saturday-evening mail is seen, the W41 deadlines (Sun 00:00) have passed and
    the store review back-filled on Saturday 21:00 exists; the hand computation is in EXPECTED.md."""
    later = _read(warehouse, LATER_AS_OF)
    want = {}
    for key, std, ae, account, opened_at, due_at, fulfilled_at, status in EXPECTED:
        fulfilled_at, status = LATER.get((key, std), (fulfilled_at, status))
        want[oid(std, key)] = (std, ae, account, opened_at, due_at, fulfilled_at, status)
    for key, std, *rest in LATER_NEW:
        want[oid(std, key)] = (std, *rest)
    covered = {v[0] for v in want.values()}  # the core eight; the standards of issue 11 have their own scenarios
    got = {
        i: (r["standard"], r["ae"], r["client_account"], r["opened_at"], r["due_at"], r["fulfilled_at"], r["status"])
        for i, r in later.items()
        if r["standard"] in covered
    }
    assert len(want) == 56
    assert {i: v for i, v in got.items() if want.get(i) != v} == {}
    assert want.keys() == got.keys()

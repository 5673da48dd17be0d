"""One event, one truth (STANDARDS.md "Matching rules for meetings", last bullet) on
tests/fixtures/scenarios/one_truth: Li Wei's Google Calendar export (the organiser's copies),
Zhang Min's older export of the same events (stale attendee copies) and a saved update that
cancels one occurrence, as of Fri 20 Mar 2026 12:00 Beijing time.

- brandco-weekly-2026: moved by the organiser from Tue 10:00 to 14:00 (SEQUENCE 2, COUNT=3);
  Zhang Min's copy still has 10:00 (SEQUENCE 0) and an override moving 17 Mar 10:00 to 11:00
  (SEQUENCE 1); the update file cancels 10 Mar 14:00 with an override alone (SEQUENCE 3).
- brandco-review-2026: cut short by the organiser (UNTIL 12 Mar, SEQUENCE 1); the stale copy
  has COUNT=3 (a third occurrence on 19 Mar) and an override moving 12 Mar 15:00 to 16:00 with
  SEQUENCE 0 and a LAST-MODIFIED later than the organiser's (an older version of that
  occurrence: it does not apply).
- brandco-standup-2026: a one-off on Fri 6 Mar 10:00 in the organiser's copy (SEQUENCE 1), a
  daily series of three in the stale copy.
- brandco-call-0304: organised by the client; both copies SEQUENCE 0; Zhang Min's has the later
  LAST-MODIFIED (moved to 17:00) but the earlier DTSTAMP.

The old engine kept the newest version per (UID, occurrence start): the 10:00 weekly meetings,
the 19 Mar review and the 7-8 Mar stand-ups survived as phantom meetings, the agenda and
minutes of 3 Mar served the phantom 10:00 meeting (the real 14:00 one read missed), the
stand-up of 6 Mar opened every meeting obligation four times under one obligation_id (51
obligations, 48 distinct ids), and the call stayed at 16:00 (DTSTAMP decided before
LAST-MODIFIED). Expected values worked out by hand from the files.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

AS_OF = datetime.fromisoformat("2026-03-20T12:00:00+08:00")
W = "brandco-weekly-2026@google.com / "
R = "brandco-review-2026@google.com / "
WEEKLY_0303, WEEKLY_0317 = W + "2026-03-03T06:00:00Z", W + "2026-03-17T06:00:00Z"
REVIEW_0305, REVIEW_0312 = R + "2026-03-05T07:00:00Z", R + "2026-03-12T07:00:00Z"
STANDUP = "brandco-standup-2026@google.com / 2026-03-06T02:00:00Z"
CALL = "brandco-call-0304@google.com / 2026-03-04T09:00:00Z"
MEETINGS = (WEEKLY_0303, WEEKLY_0317, REVIEW_0305, REVIEW_0312, STANDUP, CALL)
MEETING_STANDARDS = ("agenda_48h", "internal_notice_24h", "minutes_24h")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    db = ingest_scenario("one_truth", tmp_path_factory)
    result = build_copy(db, AS_OF)
    yield result
    result.con.close()


def statuses(built: Built, standard: str) -> dict[str, tuple]:
    keys = {oid(standard, k): k for k in MEETINGS}
    return {keys.get(i, i): (r["fulfilled_at"], r["status"]) for i, r in built.obligations(standard).items()}


def test_every_copy_stays_in_the_raw_table(built):
    """The losing copies are not thrown away at ingest: 18 occurrence rows from three files."""
    per_file = {
        r["source_file"]: r["n"]
        for r in built.rows("select source_file, count(*) as n from raw_calendar_events group by 1")
    }
    assert per_file == {"calendar/li.wei-cancel-0310.ics": 1, "calendar/li.wei.ics": 7, "calendar/zhang.min.ics": 10}


def test_the_winning_copy_decides_the_whole_series(built):
    occurrences = {
        r["occurrence_id"]: (r["start_at"], r["is_cancelled"], r["source_file"])
        for r in built.rows("select occurrence_id, start_at, is_cancelled, source_file from stg_calendar__occurrences")
    }
    assert occurrences == {
        WEEKLY_0303: (local(2026, 3, 3, 14), False, "calendar/li.wei.ics"),
        # the cancellation saved on its own has a higher SEQUENCE than the winner's occurrence
        W + "2026-03-10T06:00:00Z": (local(2026, 3, 10, 14), True, "calendar/li.wei-cancel-0310.ics"),
        WEEKLY_0317: (local(2026, 3, 17, 14), False, "calendar/li.wei.ics"),
        REVIEW_0305: (local(2026, 3, 5, 15), False, "calendar/li.wei.ics"),
        REVIEW_0312: (local(2026, 3, 12, 15), False, "calendar/li.wei.ics"),  # not the stale 16:00
        STANDUP: (local(2026, 3, 6, 10), False, "calendar/li.wei.ics"),
        CALL: (local(2026, 3, 4, 17), False, "calendar/zhang.min.ics"),  # later LAST-MODIFIED wins
    }
    ids = [r["occurrence_id"] for r in built.rows("select occurrence_id from int_client_meetings")]
    assert sorted(ids) == sorted(MEETINGS)


def test_obligations_only_for_the_real_meetings_and_no_duplicate_ids(built):
    rows = built.rows(
        "select obligation_id, standard from obligations where standard in "
        "('agenda_48h', 'internal_notice_24h', 'minutes_24h')"
    )
    assert len(rows) == len({r["obligation_id"] for r in rows}) == 18
    assert {r["obligation_id"] for r in rows} == {oid(s, m) for s in MEETING_STANDARDS for m in MEETINGS}


def test_agenda_and_minutes_serve_the_1400_meeting(built):
    assert statuses(built, "agenda_48h") == {
        WEEKLY_0303: (local(2026, 3, 1, 10), "met"),  # due Sun 1 Mar 14:00
        WEEKLY_0317: (None, "missed"),
        REVIEW_0305: (None, "missed"),
        REVIEW_0312: (None, "missed"),
        STANDUP: (None, "missed"),
        CALL: (None, "missed"),
    }
    assert statuses(built, "minutes_24h") == {
        WEEKLY_0303: (local(2026, 3, 3, 16), "met"),  # due Wed 4 Mar 15:00
        WEEKLY_0317: (None, "missed"),
        REVIEW_0305: (None, "missed"),
        REVIEW_0312: (None, "missed"),
        STANDUP: (None, "missed"),
        CALL: (None, "missed"),
    }
    due = {k: built.obligations("minutes_24h")[oid("minutes_24h", k)]["due_at"] for k in (STANDUP, CALL)}
    assert due == {STANDUP: local(2026, 3, 7, 10, 30), CALL: local(2026, 3, 5, 18)}


def test_internal_notice_uses_the_first_created_over_every_copy(built):
    """The invitation reached Zhang Min when the event first entered a calendar (CREATED, the
    same in every copy here); moving the series does not make a new invitation."""
    assert statuses(built, "internal_notice_24h") == {
        WEEKLY_0303: (local(2026, 2, 20, 10), "met"),
        WEEKLY_0317: (local(2026, 2, 20, 10), "met"),
        REVIEW_0305: (local(2026, 2, 20, 10), "met"),
        REVIEW_0312: (local(2026, 2, 20, 10), "met"),
        STANDUP: (local(2026, 2, 20, 10), "met"),
        CALL: (local(2026, 2, 22, 10), "met"),
    }
    call = built.obligations("internal_notice_24h")[oid("internal_notice_24h", CALL)]
    assert call["ae"] == "li.wei@adagency.cn" and "reached: 2/2" in call["evidence"]

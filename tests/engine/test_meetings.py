"""agenda_48h, internal_notice_24h, minutes_24h and on_time on tests/fixtures/scenarios/meetings
(Google Calendar exports of Li Wei and Wang Fang plus a cancellation file, their sent mail, Zoom
participant reports with the summary block), as of Sat 27 Sep 2025 12:00 Beijing time.
Expected values worked out by hand from the files."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

AS_OF = datetime.fromisoformat("2025-09-27T12:00:00+08:00")
BRANDCO, DRINKCO = "001000000000001AAA", "001000000000002AAA"
LI, WANG = "li.wei@adagency.cn", "wang.fang@adagency.cn"
WEEKLY = "brandco-weekly-2025@google.com / "
SEP04, SEP18, SEP25 = WEEKLY + "2025-09-04T02:00:00Z", WEEKLY + "2025-09-18T02:00:00Z", WEEKLY + "2025-09-25T02:00:00Z"
REVIEW = "brandco-creative-review@google.com / 2025-09-26T07:00:00Z"
QUARTERLY = "040000008200E00074C5B7101A82E00800000000DRINKCOQ3 / 2025-09-23T06:00:00Z"
LUNCH = "brandco-lunch@google.com / 2025-09-24T04:00:00Z"  # the client declined: still a client meeting
MEETING_STANDARDS = ("agenda_48h", "internal_notice_24h", "minutes_24h", "on_time")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    db = ingest_scenario("meetings", tmp_path_factory)
    result = build_copy(db, AS_OF)
    yield result
    result.con.close()


def status_of(built: Built, standard: str) -> dict[str, tuple]:
    keys = {oid(standard, k): k for k in (SEP04, SEP18, SEP25, REVIEW, QUARTERLY, LUNCH)}
    return {keys.get(i, i): (r["fulfilled_at"], r["status"]) for i, r in built.obligations(standard).items()}


def test_client_meetings_are_the_recurring_occurrences_minus_exdate_and_cancelled(built):
    """Sep 11 is an EXDATE; the DrinkCo kickoff was cancelled by a later SEQUENCE in another file;
    the team sync has no client; the all-day launch is not a meeting; the lunch whose only client
    declined is still on the calendar with the client, so it is a client meeting."""
    ids = {r["occurrence_id"] for r in built.rows("select occurrence_id from int_client_meetings")}
    assert ids == {SEP04, SEP18, SEP25, REVIEW, QUARTERLY, LUNCH}
    cancelled = built.rows(
        "select is_cancelled, sequence, source_file from stg_calendar__occurrences "
        "where event_uid = 'drinkco-kickoff@google.com'"
    )
    assert cancelled == [{"is_cancelled": True, "sequence": 1, "source_file": "calendar/wang.fang-cancelled.ics"}]
    opened = {
        r["opening_key"]
        for r in built.rows(
            "select opening_key from int_obligations where standard in ('agenda_48h', 'internal_notice_24h', 'minutes_24h', 'on_time')"
        )
    }
    assert opened <= {SEP04, SEP18, SEP25, REVIEW, QUARTERLY, LUNCH}


def test_agenda_48h(built):
    assert status_of(built, "agenda_48h") == {
        SEP04: (local(2025, 9, 1, 15), "met"),
        SEP18: (local(2025, 9, 17, 9), "late"),  # sent 25 hours ahead
        SEP25: (None, "missed"),
        REVIEW: (None, "excused"),  # put in the calendar 6 h before it started
        QUARTERLY: (local(2025, 9, 22, 10), "excused"),  # the client booked it 24 h ahead
        LUNCH: (None, "missed"),
    }
    row = built.obligations("agenda_48h")[oid("agenda_48h", SEP18)]
    assert (row["ae"], row["client_account"], row["due_at"]) == (LI, BRANDCO, local(2025, 9, 16, 10))
    assert row["opened_at"] == local(2025, 9, 15)  # Monday 00:00 of the deadline's week
    assert "<ag2@adagency.cn>" in row["evidence"] and "calendar/li.wei.ics (VEVENT 1)" in row["evidence"]
    late_booked = built.obligations("agenda_48h")[oid("agenda_48h", REVIEW)]
    # created Fri 09:00, after its Wed 15:00 deadline: opened at the deadline, never after it
    assert late_booked["opened_at"] == late_booked["due_at"] == local(2025, 9, 24, 15)


def test_internal_notice_24h(built):
    assert status_of(built, "internal_notice_24h") == {
        SEP04: (local(2025, 8, 25, 10), "met"),  # the series' CREATED reached Zhang Min
        SEP18: (local(2025, 8, 25, 10), "met"),
        SEP25: (local(2025, 8, 25, 10), "met"),
        REVIEW: (local(2025, 9, 26, 9), "excused"),
        QUARTERLY: (local(2025, 9, 22, 14), "met"),  # invitation exactly at the deadline counts
    }
    row = built.obligations("internal_notice_24h")[oid("internal_notice_24h", QUARTERLY)]
    # the organiser is the client, so both staff attendees are internal attendees; the AE is the owner
    assert row["ae"] == WANG and "reached: 2/2" in row["evidence"]


def test_minutes_24h(built):
    assert status_of(built, "minutes_24h") == {
        SEP04: (local(2025, 9, 4, 17), "met"),
        SEP18: (local(2025, 9, 19, 12), "late"),  # 25 hours after the end
        SEP25: (None, "missed"),
        REVIEW: (None, "open"),  # ended Fri 16:00, due Sat 16:00 > as_of
        QUARTERLY: (local(2025, 9, 24, 15), "met"),  # exactly 24 h after the end
        LUNCH: (None, "missed"),
    }
    risk = built.rows("select standard, hours_left from at_risk where obligation_id = ?", [oid("minutes_24h", REVIEW)])
    assert risk == [{"standard": "minutes_24h", "hours_left": 4.0}]


def test_on_time(built):
    """Sep 4: joined 09:58:10 (met); Sep 18: first join 10:03:15 of two sessions (late, the same
    Zoom meeting id as Sep 4, told apart by time); the quarterly review matched by topic and time;
    Sep 25 has no report and is not counted."""
    assert status_of(built, "on_time") == {
        SEP04: (local(2025, 9, 4, 9, 58, 10), "met"),
        SEP18: (local(2025, 9, 18, 10, 3, 15), "late"),
        QUARTERLY: (local(2025, 9, 23, 13, 59, 30), "met"),
    }
    matched = dict(
        built.con.execute(
            "select source_file, any_value(occurrence_id) from int_meeting_attendance_matched group by source_file"
        ).fetchall()
    )
    assert matched == {
        "attendance/zoom/brandco-0904.csv": SEP04,
        "attendance/zoom/brandco-0918.csv": SEP18,
        "attendance/zoom/drinkco-0923.csv": QUARTERLY,
    }


def test_meeting_ae_is_organiser_else_account_owner(built):
    aes = dict(built.con.execute("select occurrence_id, ae from int_client_meetings").fetchall())
    assert aes == {SEP04: LI, SEP18: LI, SEP25: LI, REVIEW: LI, QUARTERLY: WANG, LUNCH: LI}
    accounts = {r["client_account"] for r in built.rows("select client_account from int_client_meetings")}
    assert accounts == {BRANDCO, DRINKCO}

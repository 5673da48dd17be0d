"""Which meeting an agenda or minutes e-mail serves (STANDARDS.md "Matching rules for meetings"), staff
replies that are no new evidence ("Classification of messages") and CRM minutes activities, on
tests/fixtures/scenarios/meeting_matching: Li Wei's Google Calendar export and mbox, Wang Fang's calendar
and .eml files, a Salesforce Task export; as of Fri 6 Feb 2026 12:00 Beijing time.

- BrandCo weekly, Tue 13, 20, 27 Jan and 3 Feb 10:00-11:00 (Li Wei, Chen Jing).
  Agendas: 会议议程 Fri 9 Jan 10:00; Chen Jing's 回复：会议议程 Mon 12 Jan 09:30 and Li Wei's
  回复：会议议程 11:00 confirming the attendees (In-Reply-To); "BrandCo weekly 议程 2026-01-27" Fri 23 Jan
  10:00; "BrandCo Weekly agenda 2/3" Mon 2 Feb 09:00.
  Minutes: none for 13 Jan; 会议纪要 Tue 20 Jan 10:50 (while the meeting runs); "BrandCo  weekly 会议纪要"
  Tue 27 Jan 16:00; "会议纪要 2/3" Tue 3 Feb 15:00.
  Progress reports: "BrandCo 周报 第3周" Fri 16 Jan 17:00; the client's 回复 Sat 17 Jan; Li Wei's
  回复：BrandCo 周报 第3周 Mon 19 Jan 10:00; "BrandCo 周报 第4周" Sat 24 Jan 10:00.
- DrinkCo (Wang Fang, Liu Yang): Q1 planning Wed 14 Jan 14:00-16:00, media review Wed 21 Jan 14:00-15:00,
  store visit Thu 22 Jan 10:00 (cancelled), budget Wed 28 Jan 14:00-15:00. Minutes: 会议纪要 Wed 14 Jan
  18:00; the client's comments 回复：会议纪要 Thu 15 Jan; Wang Fang's answer "Re: 会议纪要" Wed 21 Jan 16:30
  (same thread); "会议纪要 1月22日" Thu 22 Jan 12:00 (names the cancelled visit); "Fwd: 会议纪要" Wed 28 Jan
  15:30 (forwarded in the same thread, In-Reply-To set).
- TeaCo (Li Wei, Zhao Lei): creative review Fri 16 Jan 10:00-11:00 and media plan 14:00-15:00; the series
  "TeaCo monthly" Thu 22 and Fri 23 Jan 10:00-11:00. Minutes: 会议纪要 Fri 16 Jan 16:00, then "TeaCo
  creative review 会议纪要 1.16" 16:30; a Salesforce Task of Type 会议纪要 "TeaCo monthly 会议纪要 1/22"
  completed Thu 22 Jan 14:00, and a call "确认会议纪要 TeaCo monthly 1/23" (a call, not minutes).
  Agendas: "会议议程 1/16 14:00" Wed 14 Jan 09:00; "TeaCo monthly 议程 2026/1/23" Mon 19 Jan 09:00,
  "TeaCo monthly 议程" Tue 20 Jan 09:00.
- Li Wei to Zhang Min (supervisor): "周报及下周计划 W4" Fri 23 Jan 17:00; his "Re:" with questions Mon 26 Jan
  09:00 and her "Re:" answer 10:00.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

AS_OF = datetime.fromisoformat("2026-02-06T12:00:00+08:00")
LI = "li.wei@adagency.cn"
BRANDCO = "001000000000001AAA"
WEEKLY = "brandco-weekly-2026@google.com / "
JAN13, JAN20, JAN27, FEB03 = (
    WEEKLY + d for d in ("2026-01-13T02:00:00Z", "2026-01-20T02:00:00Z", "2026-01-27T02:00:00Z", "2026-02-03T02:00:00Z")
)
PLANNING = "drinkco-q1-planning@google.com / 2026-01-14T06:00:00Z"
MEDIA_REVIEW = "drinkco-media-review@google.com / 2026-01-21T06:00:00Z"
STORE_VISIT = "drinkco-store-visit@google.com / 2026-01-22T02:00:00Z"
BUDGET = "drinkco-budget@google.com / 2026-01-28T06:00:00Z"
CREATIVE = "teaco-creative-0116@google.com / 2026-01-16T02:00:00Z"
MEDIA_PLAN = "teaco-media-0116@google.com / 2026-01-16T06:00:00Z"
MONTHLY22 = "teaco-monthly-2026@google.com / 2026-01-22T02:00:00Z"
MONTHLY23 = "teaco-monthly-2026@google.com / 2026-01-23T02:00:00Z"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    db = ingest_scenario("meeting_matching", tmp_path_factory)
    result = build_copy(db, AS_OF)
    yield result
    result.con.close()


def statuses(built: Built, standard: str, keys: list[str]) -> dict[str, tuple]:
    got = built.obligations(standard)
    return {k: (got[oid(standard, k)]["fulfilled_at"], got[oid(standard, k)]["status"]) for k in keys}


def served_by(built: Built, kind: str) -> dict[str, str]:
    """evidence (Message-ID or CRM activity id) -> the occurrence it serves."""
    return dict(
        built.con.execute(
            "select coalesce(message_id, activity_id), occurrence_id from int_meeting_mail_matched where evidence_kind = ?",
            [kind],
        ).fetchall()
    )


def test_minutes_of_a_weekly_series_go_to_the_latest_meeting(built):
    """13 Jan has no minutes: it is missed, and each later minutes e-mail serves its own meeting (the one
    of 20 Jan sent at 10:50, while the meeting ran; 27 Jan named by the series title with a doubled space;
    3 Feb named by the date 2/3). The old engine gave each e-mail to the earliest ended meeting without
    minutes: late (20 Jan 10:50), late (27 Jan 16:00), late (3 Feb 15:00), missed."""
    assert statuses(built, "minutes_24h", [JAN13, JAN20, JAN27, FEB03]) == {
        JAN13: (None, "missed"),
        JAN20: (local(2026, 1, 20, 10, 50), "met"),
        JAN27: (local(2026, 1, 27, 16), "met"),
        FEB03: (local(2026, 2, 3, 15), "met"),
    }
    row = built.obligations("minutes_24h")[oid("minutes_24h", JAN20)]
    assert (row["ae"], row["client_account"]) == (LI, BRANDCO)
    assert row["evidence"] == (
        "meeting UID brandco-weekly-2026@google.com occurrence 2026-01-20T02:00:00Z in calendar/li.wei.ics (VEVENT 1)"
        " ending 2026-01-20 11:00; minutes from li.wei@adagency.cn Message-ID <bm1@adagency.cn> in"
        " email/li.wei.mbox (message 6)"
    )


def test_a_reply_confirming_the_agenda_is_not_the_next_meetings_agenda(built):
    """Li Wei's 回复：会议议程 of 12 Jan confirms the attendees of 13 Jan: no agenda for 20 Jan (missed).
    27 Jan is named by 2026-01-27, 3 Feb by 2/3 (sent 25 h ahead: late). The old engine let the reply
    serve 20 Jan: met, met, met, late."""
    assert statuses(built, "agenda_48h", [JAN13, JAN20, JAN27, FEB03]) == {
        JAN13: (local(2026, 1, 9, 10), "met"),
        JAN20: (None, "missed"),
        JAN27: (local(2026, 1, 23, 10), "met"),
        FEB03: (local(2026, 2, 2, 9), "late"),
    }
    evidence = built.rows(
        "select message_id, is_staff_reply, is_agenda, is_agenda_evidence from int_email_evidence "
        "where message_id like 'ba%' order by message_id"
    )
    assert [(r["message_id"], r["is_staff_reply"], r["is_agenda"], r["is_agenda_evidence"]) for r in evidence] == [
        ("ba1@adagency.cn", False, True, True),
        ("ba2@brandco.com", False, True, False),  # the client's answer: not from staff
        ("ba3@adagency.cn", True, True, False),  # the staff reply in the agenda's thread
        ("ba4@adagency.cn", False, True, True),
        ("ba5@adagency.cn", False, True, True),
    ]


def test_replies_to_comments_and_cancelled_meetings_fill_no_minutes_a_forward_does(built):
    """DrinkCo: "Re: 会议纪要" answers the client's comments on the 14 Jan minutes (same thread): it is not
    the minutes of 21 Jan; "会议纪要 1月22日" names the cancelled store visit and serves nothing (it is not
    shifted to 21 Jan); the forward "Fwd: 会议纪要" in the same thread is evidence for 28 Jan. The old
    engine let the reply serve 21 Jan (met)."""
    assert statuses(built, "minutes_24h", [PLANNING, MEDIA_REVIEW, BUDGET]) == {
        PLANNING: (local(2026, 1, 14, 18), "met"),
        MEDIA_REVIEW: (None, "missed"),
        BUDGET: (local(2026, 1, 28, 15, 30), "met"),
    }
    served = served_by(built, "minutes")
    assert served["dm1@adagency.cn"] == PLANNING and served["dm4@adagency.cn"] == BUDGET
    assert "dm3@adagency.cn" not in served and "dm5@adagency.cn" not in served
    flags = dict(
        built.con.execute(
            "select message_id, is_minutes_evidence from int_email_evidence where message_id like 'dm%'"
        ).fetchall()
    )
    assert flags == {
        "dm1@adagency.cn": True,
        "dm2@drinkco.com.cn": False,
        "dm3@adagency.cn": False,
        "dm5@adagency.cn": True,
        "dm4@adagency.cn": True,
    }
    assert built.rows("select count(*) as n from int_client_meetings where occurrence_id = ?", [STORE_VISIT]) == [
        {"n": 0}
    ]


def test_two_meetings_one_day_the_subject_decides_else_the_later(built):
    """TeaCo, Fri 16 Jan: 会议纪要 at 16:00 names nothing and serves the later meeting (media plan); the
    creative review's minutes at 16:30 name it (title and 1.16). The old engine gave the 16:00 e-mail to
    the creative review and the 16:30 one to the media plan (both met, the wrong way round)."""
    assert statuses(built, "minutes_24h", [CREATIVE, MEDIA_PLAN]) == {
        CREATIVE: (local(2026, 1, 16, 16, 30), "met"),
        MEDIA_PLAN: (local(2026, 1, 16, 16), "met"),
    }
    served = served_by(built, "minutes")
    assert (served["tm1@adagency.cn"], served["tm2@adagency.cn"]) == (MEDIA_PLAN, CREATIVE)


def test_agenda_names_its_date_else_the_first_upcoming(built):
    """ "TeaCo monthly 议程 2026/1/23" (Mon 19 Jan) names the 23 Jan occurrence; the series title alone on
    20 Jan names both and the default rule takes the first unserved upcoming one, 22 Jan. The old engine
    served 22 Jan with the first e-mail and 23 Jan with the second."""
    assert statuses(built, "agenda_48h", [MONTHLY22, MONTHLY23]) == {
        MONTHLY22: (local(2026, 1, 20, 9), "met"),
        MONTHLY23: (local(2026, 1, 19, 9), "met"),
    }
    served = served_by(built, "agenda")
    assert (served["ta1@adagency.cn"], served["ta2@adagency.cn"]) == (MONTHLY23, MONTHLY22)


def test_a_crm_minutes_activity_fulfils_minutes(built):
    """The Salesforce Task of Type 会议纪要 names 1/22: met at its CompletedDateTime, with the activity id and
    file line as evidence; the confirming call of 23 Jan is not minutes (23 Jan missed). The old engine
    used no CRM activity for minutes: 22 Jan missed."""
    assert statuses(built, "minutes_24h", [MONTHLY22, MONTHLY23]) == {
        MONTHLY22: (local(2026, 1, 22, 14), "met"),
        MONTHLY23: (None, "missed"),
    }
    evidence = built.obligations("minutes_24h")[oid("minutes_24h", MONTHLY22)]["evidence"]
    assert evidence.endswith("; minutes: CRM activity 00T000000000101AAA in crm/Task.csv (line 2)")


def test_a_reply_to_last_weeks_report_is_not_this_weeks_report(built):
    """Li Wei's 回复：BrandCo 周报 第3周 on Mon 19 Jan answers the client's questions on week 3's report:
    week 4 is fulfilled only by the new report of Sat 24 Jan, after Friday's deadline (late). The old
    engine counted the Monday reply: met."""
    rows = built.obligations("friday_client_report")
    week3 = rows[oid("friday_client_report", f"{LI}|001000000000001|2026-01-12")]
    week4 = rows[oid("friday_client_report", f"{LI}|001000000000001|2026-01-19")]
    assert (week3["fulfilled_at"], week3["status"]) == (local(2026, 1, 16, 17), "met")
    assert (week4["fulfilled_at"], week4["status"]) == (local(2026, 1, 24, 10), "late")
    assert "<wr4@adagency.cn>" in week4["evidence"]


def test_minutes_match_days_bounds_the_default_rule(tmp_path_factory):
    """With minutes_match_days = 0, the 20 Jan minutes (sent before the end) still serve 20 Jan, but the
    DrinkCo forward at 15:30 on 28 Jan (30 minutes after the end) no longer reaches the budget meeting."""
    from aemetrics.config import Settings

    db = ingest_scenario("meeting_matching", tmp_path_factory)
    zero = build_copy(db, AS_OF, Settings(minutes_match_days=0), suffix="zero")
    try:
        assert statuses(zero, "minutes_24h", [JAN20, BUDGET]) == {
            JAN20: (local(2026, 1, 20, 10, 50), "met"),
            BUDGET: (None, "missed"),
        }
        assert zero.rows("select minutes_match_days from run_params") == [{"minutes_match_days": 0}]
    finally:
        zero.con.close()


def test_a_reply_to_the_supervisors_questions_is_not_next_weeks_report(built):
    """Li Wei's "周报及下周计划 W4" to Zhang Min on Fri 23 Jan meets week 4; his "Re:" with questions on
    Mon 26 Jan and her "Re:" answer at 10:00 are one thread: her answer is no report for week 5
    (missed). The old engine counted it: met on Mon 26 Jan."""
    rows = built.obligations("friday_supervisor_report")
    week4 = rows[oid("friday_supervisor_report", f"{LI}|2026-01-19")]
    week5 = rows[oid("friday_supervisor_report", f"{LI}|2026-01-26")]
    assert (week4["fulfilled_at"], week4["status"]) == (local(2026, 1, 23, 17), "met")
    assert (week5["fulfilled_at"], week5["status"]) == (None, "missed")


def test_a_start_time_in_the_subject_picks_between_two_meetings_of_one_day(built):
    """ "会议议程 1/16 14:00" (Wed 14 Jan 09:00) names the date of both TeaCo meetings of Fri 16 Jan and the
    start time of the media plan: it is that meeting's agenda (met), the creative review has none
    (missed). The old engine gave it to the first upcoming meeting, the creative review."""
    assert statuses(built, "agenda_48h", [CREATIVE, MEDIA_PLAN]) == {
        CREATIVE: (None, "missed"),
        MEDIA_PLAN: (local(2026, 1, 14, 9), "met"),
    }

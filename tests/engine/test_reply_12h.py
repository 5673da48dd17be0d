"""reply_12h on tests/fixtures/scenarios/reply (mailboxes of Li Wei and Wang Fang, Salesforce
users/accounts/contacts, staff.csv), evaluated as of Sat 20 Sep 2025 12:00 Beijing time.
Every expected value below was worked out by hand from the fixture files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

from aemetrics.business_calendar import BusinessCalendar
from aemetrics.config import Settings

AS_OF = datetime.fromisoformat("2025-09-20T12:00:00+08:00")
BRANDCO, DRINKCO, PROSPECTCO = "001000000000001AAA", "001000000000002AAA", "001000000000003AAA"
LI, WANG = "li.wei@adagency.cn", "wang.fang@adagency.cn"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    return ingest_scenario("reply", tmp_path_factory)


@pytest.fixture(scope="module")
def wall(ingested) -> Built:
    built = build_copy(ingested, AS_OF, Settings(), "wall")
    yield built
    built.con.close()


@pytest.fixture(scope="module")
def business(ingested) -> Built:
    built = build_copy(ingested, AS_OF, Settings(reply_business_hours=True), "business")
    yield built
    built.con.close()


def reply(built: Built, message_id: str) -> dict:
    return built.obligations("reply_12h")[oid("reply_12h", message_id)]


def test_exactly_the_expected_obligations_open(wall):
    """Eight client inquiries open obligations; follow-ups, staff mail, the newsletter, vendor
    mail and everything dated after as_of open none."""
    expected = {
        "a1@brandco.com",
        "b1@brandco.com",
        "c1@brandco.com",
        "e2@brandco.com",
        "l1@drinkco.com.cn",
        "h1@drinkco.com.cn",
        "i1@prospect.cn",
        "f2@brandco.com",
    }
    assert set(wall.obligations("reply_12h")) == {oid("reply_12h", m) for m in expected}


def test_consecutive_client_messages_open_one_obligation_at_the_first(wall):
    row = reply(wall, "a1@brandco.com")
    assert (row["opened_at"], row["due_at"], row["fulfilled_at"], row["status"]) == (
        local(2025, 9, 15, 9),
        local(2025, 9, 15, 21),
        local(2025, 9, 15, 14),
        "met",
    )
    assert (row["ae"], row["client_account"]) == (LI, BRANDCO)
    assert "+1 later client message" in row["evidence"] and "<a3@adagency.cn>" in row["evidence"]


def test_colleague_answer_fulfils_but_obligation_stays_with_account_ae(wall):
    row = reply(wall, "b1@brandco.com")
    assert (row["ae"], row["fulfilled_at"], row["status"]) == (LI, local(2025, 9, 16, 11, 30), "met")
    assert f"answered by {WANG}" in row["evidence"]


def test_same_message_in_two_mailboxes_is_one_message(wall):
    """b1/b2 are in both exported mailboxes: one message each, both copies kept as evidence."""
    rows = wall.rows(
        "select message_id, copy_count, sources from stg_email__messages "
        "where message_id in ('b1@brandco.com', 'b2@adagency.cn') order by message_id"
    )
    assert [(r["message_id"], r["copy_count"]) for r in rows] == [("b1@brandco.com", 2), ("b2@adagency.cn", 2)]
    assert rows[0]["sources"] == ["email/li.wei.mbox (message 4)", "email/wang.fang.mbox (message 1)"]
    assert "email/wang.fang.mbox (message 1)" in reply(wall, "b1@brandco.com")["evidence"]


def test_out_of_office_auto_reply_does_not_answer(wall):
    auto = wall.rows(
        "select is_auto_generated, auto_generated_reason from stg_email__messages where message_id = 'c2@adagency.cn'"
    )[0]
    assert auto["is_auto_generated"] and "Auto-Submitted" in auto["auto_generated_reason"]
    assert "out-of-office subject" in auto["auto_generated_reason"]  # 自动回复: ...
    row = reply(wall, "c1@brandco.com")
    assert (row["fulfilled_at"], row["status"]) == (None, "missed")


def test_bulk_list_mail_and_vendor_mail_open_nothing(wall):
    flags = dict(
        wall.con.execute(
            "select message_id, is_auto_generated from stg_email__messages "
            "where message_id in ('d1@news.brandco.com', 'd2@printvendor.com')"
        ).fetchall()
    )
    assert flags == {"d1@news.brandco.com": True, "d2@printvendor.com": False}
    kinds = dict(
        wall.con.execute(
            "select email, identity_kind from int_identities "
            "where email in ('news@brandco.com', 'sales@printvendor.com', 'events@prospect.cn')"
        ).fetchall()
    )
    # the newsletter comes from the client's domain (a client address) but is bulk; the vendor is 'other'
    assert kinds == {"news@brandco.com": "client", "sales@printvendor.com": "other", "events@prospect.cn": "client"}
    ids = set(wall.obligations("reply_12h"))
    assert oid("reply_12h", "d1@news.brandco.com") not in ids and oid("reply_12h", "d2@printvendor.com") not in ids


def test_client_reply_in_thread_started_by_staff_opens_one_late(wall):
    """e1 (Li Wei) starts the thread; the client's 回复：(full-width colon) opens; answered 23 h later."""
    row = reply(wall, "e2@brandco.com")
    assert (row["opened_at"], row["due_at"], row["fulfilled_at"], row["status"]) == (
        local(2025, 9, 18, 10),
        local(2025, 9, 18, 22),
        local(2025, 9, 19, 9),
        "late",
    )
    threads = dict(
        wall.con.execute(
            "select message_id, thread_id from int_email_threads "
            "where message_id in ('e1@adagency.cn', 'e2@brandco.com', 'e3@adagency.cn')"
        ).fetchall()
    )
    assert set(threads.values()) == {"e1@adagency.cn"}


def test_reference_loop_is_one_thread_and_answered(wall):
    threads = dict(
        wall.con.execute(
            "select message_id, thread_id from int_email_threads "
            "where message_id in ('l1@drinkco.com.cn', 'l2@adagency.cn')"
        ).fetchall()
    )
    assert threads["l1@drinkco.com.cn"] == threads["l2@adagency.cn"]
    row = reply(wall, "l1@drinkco.com.cn")
    assert (row["ae"], row["client_account"], row["status"]) == (WANG, DRINKCO, "met")


def test_reply_without_in_reply_to_is_threaded_by_subject(wall):
    """h2 has no In-Reply-To/References; '回复：报价确认' matches the GB2312-encoded '报价确认'."""
    method = wall.rows("select thread_id, thread_method from int_email_threads where message_id = 'h2@adagency.cn'")[0]
    assert method == {"thread_id": "h1@drinkco.com.cn", "thread_method": "subject"}
    row = reply(wall, "h1@drinkco.com.cn")
    assert (row["fulfilled_at"], row["status"]) == (local(2025, 9, 19, 15), "met")


def test_client_message_with_staff_only_in_cc_opens(wall):
    row = reply(wall, "i1@prospect.cn")
    assert (row["ae"], row["client_account"], row["status"]) == (LI, PROSPECTCO, "missed")


def test_mail_after_as_of_is_unseen(wall):
    """f1 (18:00) is not seen at all; f3 answers f2 at 13:00, after as_of, so f2 is still open."""
    seen = {r[0] for r in wall.con.execute("select message_id from int_email_threads").fetchall()}
    assert "f1@brandco.com" not in seen and "f3@adagency.cn" not in seen
    row = reply(wall, "f2@brandco.com")
    assert (row["due_at"], row["fulfilled_at"], row["status"]) == (local(2025, 9, 20, 20), None, "open")
    risk = wall.rows("select hours_left, as_of from at_risk where obligation_id = ?", [row["obligation_id"]])
    assert risk == [{"hours_left": 8.0, "as_of": AS_OF.astimezone(UTC)}]


def test_kpi_weekly_rate_hand_computed(wall):
    """Li Wei, ISO week 2025-W38: met a1, b1; late e2; missed c1, i1; open f2 -> 2 / 5."""
    row = wall.rows("select * from kpi_weekly where standard = 'reply_12h' and ae = ? and iso_week = 38", [LI])[0]
    assert (row["met"], row["late"], row["missed"], row["open"], row["excused"]) == (2, 1, 2, 1, 0)
    assert row["rate"] == pytest.approx(0.4)
    assert (row["team"], str(row["week_start"])) == ("North", "2025-09-15")
    wang = wall.rows("select met, rate from kpi_weekly where standard = 'reply_12h' and ae = ?", [WANG])
    assert wang == [{"met": 2, "rate": 1.0}]


def test_business_hours_deadlines(business):
    """09:00-18:30 working days: 12 working hours = the rest of the day + the next morning."""
    expected = {
        "a1@brandco.com": (local(2025, 9, 16, 11, 30), "met"),  # Mon 09:00 + 9.5 h + 2.5 h
        "e2@brandco.com": (local(2025, 9, 19, 12, 30), "met"),  # late on the wall clock, met here
        "c1@brandco.com": (local(2025, 9, 18, 11, 30), "missed"),
        "i1@prospect.cn": (local(2025, 9, 22, 13, 30), "open"),  # Fri 11:00 + 7.5 h + Mon 4.5 h
        "f2@brandco.com": (local(2025, 9, 23, 11, 30), "open"),  # Saturday: the clock starts Monday
    }
    for message_id, (due, status) in expected.items():
        row = reply(business, message_id)
        assert (row["due_at"], row["status"]) == (due, status), message_id


def test_business_hours_sql_agrees_with_the_python_calendar(business):
    cal = BusinessCalendar(Settings())
    for row in business.obligations("reply_12h").values():
        assert row["due_at"] == cal.add_business_minutes(row["opened_at"], 12 * 60), row["evidence"]

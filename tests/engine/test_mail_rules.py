"""Issue 8 item 10, the smaller mail rules, on tests/fixtures/scenarios/mail_rules (Li Wei's
mailbox as .eml files, Wang Fang's as mbox, Salesforce users/accounts/contacts, staff.csv),
evaluated as of Sat 17 Jan 2026 12:00 Beijing time. Every expected value was worked out by hand
from the fixture files; each test's docstring says what the old engine did.

BrandCo is owned by Li Wei; NoOwner Trading has no owner in the CRM. reply_12h is due 12 hours
after the client's message (wall clock); as_of is after every deadline, so an unanswered
inquiry is missed.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2026-01-17T12:00:00+08:00")
BRANDCO, NOOWNER = "001000000000001AAA", "001000000000004AAA"
LI, WANG = "li.wei@adagency.cn", "wang.fang@adagency.cn"

# opening Message-ID -> (ae, client_account, opened_at, due_at, fulfilled_at, status)
EXPECTED = {
    "a1@noowner.cn": (WANG, NOOWNER, local(2026, 1, 12, 10), local(2026, 1, 12, 22), local(2026, 1, 12, 12), "met"),
    "a3@noowner.cn": (WANG, NOOWNER, local(2026, 1, 12, 11), local(2026, 1, 12, 23), None, "missed"),
    "b1@brandco.com": (LI, BRANDCO, local(2026, 1, 13, 9), local(2026, 1, 13, 21), local(2026, 1, 13, 10, 30), "met"),
    "b3@brandco.com": (LI, BRANDCO, local(2026, 1, 13, 14), local(2026, 1, 14, 2), local(2026, 1, 13, 16), "met"),
    "c1@brandco.com": (LI, BRANDCO, local(2026, 1, 14, 10), local(2026, 1, 14, 22), local(2026, 1, 15, 9, 30), "late"),
    "c4@brandco.com": (LI, BRANDCO, local(2026, 1, 14, 11), local(2026, 1, 14, 23), None, "missed"),
    "d2@brandco.com": (LI, BRANDCO, local(2026, 1, 15, 14), local(2026, 1, 16, 2), local(2026, 1, 15, 16), "met"),
    "d5@brandco.com": (LI, BRANDCO, local(2026, 1, 16, 10), local(2026, 1, 16, 22), local(2026, 1, 16, 10, 30), "met"),
    "d10@brandco.com": (LI, BRANDCO, local(2026, 1, 16, 11), local(2026, 1, 16, 23), local(2026, 1, 16, 12), "met"),
    "d8@brandco.com": (LI, BRANDCO, local(2026, 1, 16, 14), local(2026, 1, 17, 2), local(2026, 1, 16, 15), "met"),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    return ingest_scenario("mail_rules", tmp_path_factory)


@pytest.fixture(scope="module")
def built(ingested) -> Built:
    b = build_copy(ingested, AS_OF)
    yield b
    b.con.close()


def reply(built: Built, message_id: str) -> tuple:
    row = built.obligations("reply_12h")[oid("reply_12h", message_id)]
    return tuple(row[f] for f in ("ae", "client_account", "opened_at", "due_at", "fulfilled_at", "status"))


def message(built: Built, message_id: str) -> dict:
    (row,) = built.rows("select * from stg_email__messages where message_id = ?", [message_id])
    return row


def test_exactly_the_expected_reply_obligations(built):
    """Old engine: b1 (a client's Outlook mail carrying X-Auto-Response-Suppress) opened nothing;
    a1, a3 went to Li Wei; b3, d2, d10, d8 were missed; c4 was met by an auto-reply."""
    assert set(built.obligations("reply_12h")) == {oid("reply_12h", m) for m in EXPECTED}
    assert {m: reply(built, m) for m in EXPECTED} == EXPECTED


def test_fallback_ae_is_the_first_staff_address_in_to_in_header_order(built):
    """NoOwner Trading has no CRM owner: Ma Lin writes To: Wang Fang, Li Wei (a1), and To: Gao
    Ming, Cc: Wang Fang, Li Wei (a3). The AE is Wang Fang, first as written; the old engine
    sorted the addresses and made Li Wei accountable for both."""
    assert reply(built, "a1@noowner.cn")[0] == WANG
    assert reply(built, "a3@noowner.cn")[0] == WANG
    rows = built.rows(
        "select address, recipient_type, header_position from stg_email__recipients "
        "where message_id = 'a3@noowner.cn' order by recipient_type desc, header_position"
    )
    assert [tuple(r.values()) for r in rows] == [("gao.ming@noowner.cn", "to", 1), (WANG, "cc", 1), (LI, "cc", 2)]


def test_x_auto_response_suppress_alone_is_not_auto_generated(built):
    """b1 (Chen Jing) and b4 (Li Wei's answer) are person-written Outlook mail carrying
    X-Auto-Response-Suppress: All and nothing else automatic. Old engine: both auto-generated,
    so b1 opened nothing and b3 was missed for want of b4."""
    for mid in ("b1@brandco.com", "b4@adagency.cn"):
        row = message(built, mid)
        assert (row["is_auto_generated"], row["auto_generated_reason"]) == (False, "")
    assert reply(built, "b1@brandco.com")[-2:] == (local(2026, 1, 13, 10, 30), "met")
    assert reply(built, "b3@brandco.com")[-2:] == (local(2026, 1, 13, 16), "met")


def test_x_auto_response_suppress_values_ingested_by_the_old_parser_are_ignored(ingested):
    """A warehouse ingested before this change holds X-Auto-Response-Suppress values in
    x_autoreply (the old parser read them there); unchanged files are not parsed again, so
    staging ignores those values while a real X-Autoreply (yes) still counts."""
    old = ingested.with_name("old-parser.duckdb")
    shutil.copyfile(ingested, old)
    con = open_warehouse(old)
    con.execute(
        "update raw_email_messages set x_autoreply = 'All' where message_id in ('b1@brandco.com', 'b4@adagency.cn')"
    )
    con.execute("update raw_email_messages set x_autoreply = 'OOF, AutoReply' where message_id = 'd5@brandco.com'")
    con.execute("update raw_email_messages set x_autoreply = 'yes' where message_id = 'd6@adagency.cn'")
    con.close()
    b = build_copy(old, AS_OF)
    try:
        flags = dict(
            b.con.execute(
                "select message_id, is_auto_generated from stg_email__messages where message_id in "
                "('b1@brandco.com', 'b4@adagency.cn', 'd5@brandco.com', 'd6@adagency.cn')"
            ).fetchall()
        )
    finally:
        b.con.close()
    assert flags == {"b1@brandco.com": False, "b4@adagency.cn": False, "d5@brandco.com": False, "d6@adagency.cn": True}


def test_outlook_chinese_out_of_office_subjects_are_auto_generated(built):
    """c2 is Outlook zh-CN's automatic reply, exactly as Exchange sends it (X-Auto-Response-Suppress
    and X-MS-Exchange-Inbox-Rules-Loop, no Auto-Submitted): '自动答复: 排期确认'; c5 is a zh-TW
    client-side rule reply '自動回覆: 物料清单' with no header at all. Only the subject tells. Old
    engine: c2 was auto only through X-Auto-Response-Suppress (now not a marker) and c5 was an
    answer, so c4 was met at 11:02."""
    for mid in ("c2@adagency.cn", "c5@adagency.cn"):
        row = message(built, mid)
        assert (row["is_auto_generated"], row["auto_generated_reason"]) == (True, "out-of-office subject")
    assert reply(built, "c1@brandco.com")[-2:] == (local(2026, 1, 15, 9, 30), "late")  # not the 10:01 auto-reply
    assert reply(built, "c4@brandco.com")[-2:] == (None, "missed")


def test_gateway_tags_and_unicode_spaces_in_reply_prefixes(built):
    """The client's replies lost their In-Reply-To/References: d2 '【外部】回复：报价确认' (a gateway
    tag), d10 '回复：\u3000答复: 回复：\u3000下周拍摄安排' (nested prefixes after an ideographic
    space), d8 '[EXT] RE:\u00a0Media plan' (tag and no-break space). Each is a reply by its subject
    and joins the thread Li Wei started, where the next answer (In-Reply-To an earlier message of
    that thread) fulfils it. Old engine: d2 and d8 were not replies, d10's key kept
    '答复: 回复：\u3000', so each started its own thread and was missed."""
    expected = {
        "d2@brandco.com": ("报价确认", True, "d1@adagency.cn", "subject"),
        "d10@brandco.com": ("下周拍摄安排", True, "d4@adagency.cn", "subject"),
        "d8@brandco.com": ("media plan", True, "d7@adagency.cn", "subject"),
    }
    got = {
        r["message_id"]: (r["subject_key"], r["has_reply_prefix"], r["thread_id"], r["thread_method"])
        for r in built.rows(
            "select m.message_id, m.subject_key, m.has_reply_prefix, t.thread_id, t.thread_method "
            "from stg_email__messages m join int_email_threads t using (message_id) "
            "where m.message_id in ('d2@brandco.com', 'd10@brandco.com', 'd8@brandco.com')"
        )
    }
    assert got == expected
    for mid in expected:
        assert reply(built, mid)[-1] == "met"
    # a subject's own brackets are not a gateway tag
    row = message(built, "e1@adagency.cn")
    assert (row["subject_key"], row["has_reply_prefix"]) == ("[brandco] 周报 第3周", False)


@pytest.mark.parametrize(
    "subject, key, is_reply",
    [
        ("【外部】回复：周报", "周报", True),
        ("【外部邮件】 RE: Re[2]: 周报", "周报", True),
        ("回复：【外部】回复：报价确认", "报价确认", True),
        ("[External] FW: [EXT] 会议纪要 1月7日", "会议纪要 1月7日", False),
        ("［外部］答复：议程\u3000", "议程", True),
        ("转发：\u3000回复：周报", "周报", False),
        ("【会议纪要】品牌周会", "【会议纪要】品牌周会", False),
        ("Re:\u00a0\u3000 weekly\u3000report", "weekly report", True),
        ("Report: Q1", "report: q1", False),
        ("[EXTERNAL]Re: [USRP-users] block names", "[usrp-users] block names", True),  # a list tag stays
    ],
)
def test_subject_macros(built, subject, key, is_reply):
    """subject_key / has_reply_prefix (sql/macros.sql), the one definition every model uses."""
    assert built.con.execute("select subject_key(?), has_reply_prefix(?)", [subject, subject]).fetchone() == (
        key,
        is_reply,
    )

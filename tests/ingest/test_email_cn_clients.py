"""QQ Mail, Tencent Exmail (腾讯企业邮) through Foxmail, NetEase 163 (Coremail) and 126/Foxmail .eml downloads
(issue 12 item 7), written in tests/fixtures/email/cn-clients in each client's shape: GB18030 encoded-words
with the display name inside quotes, a GB2312 label carrying a GBK-only character (镕) split across two
words mid-character, Foxmail's comma-separated X-Mailer, raw 8-bit GBK headers with the charset only in a
body part, 回复： / 回复:Re: prefixes, a '(CST)' comment after +0800. Values checked by hand.

The old engine already read all four files right (these tests prove it); what failed was a Date header
with Chinese weekday and month names ('星期二, 09 一月 2024 09:00:00 +0800', '2024年1月9日 09:00:00 +0800'):
sent_at was null and the message was listed as undated."""

from __future__ import annotations

import duckdb
import pytest
from ingest_tools import ROOT, utc

from aemetrics.config import Settings
from aemetrics.ingest import email
from aemetrics.ingest.base import SourceFile
from aemetrics.ingest.email.dates import parse_date_header as parse_date

CN = ROOT / "tests" / "fixtures" / "email" / "cn-clients"


def row(name: str) -> dict:
    result = email.parse(SourceFile(path=CN / name, rel=f"email/{name}", kind="email"), Settings(store_bodies=True))
    assert result.quarantined == []
    (only,) = result.rows["raw_email_messages"]
    return only


def test_qq_mail_reply():
    r = row("qqmail-reply.eml")
    assert (r["from_name"], r["from_addr"]) == ("小李", "2850001234@qq.com")
    assert r["subject"] == "回复：会议纪要 1月8日"
    assert r["sent_at"] == utc(2024, 1, 8, 2, 1, 2)
    assert r["to_addrs"] == ["chen.jing@brandco.com"] and r["cc_addrs"] == ["zhang.min@adagency.cn"]
    assert r["message_id"] == "tencent_3F1A2B3C4D5E6F708192A3B4C5D6E7F8A909@qq.com"
    assert r["in_reply_to"] == "CAB7x0p=Q1@mail.brandco.com"
    assert r["body_text"] == "陈总好，\r\n会议纪要已附上，请查收。\r\n李伟\r\n"  # GB18030 base64 part


def test_exmail_through_foxmail():
    r = row("exmail-foxmail.eml")
    assert (r["from_name"], r["from_addr"]) == ("朱镕", "zhu.rong@adagency.cn")  # 镕 is GBK, labelled GB2312
    assert r["subject"] == "回复：BrandCo 周报 第2周"  # the character cut between two encoded-words
    assert r["sent_at"] == utc(2024, 1, 9, 1)
    assert r["body_text"] == "本周进度见附件。\r\n"


def test_netease_163_coremail():
    r = row("netease-163-reply.eml")
    assert (r["from_name"], r["from_addr"]) == ("李伟", "li_wei_ae@163.com")
    assert r["subject"] == "回复:Re: 会议议程"
    assert r["sent_at"] == utc(2024, 1, 10, 6, 30, 5)  # '+0800 (CST)': the comment is not a zone
    assert r["in_reply_to"] == "5f0a1b2c.3d4e.18cf0a1b2c3.Coremail.chen.jing@brandco.com"
    assert r["body_text"] == "议程确认，周四见。\r\n"


def test_raw_gbk_headers_from_foxmail_126():
    r = row("foxmail-126-raw-gbk.eml")
    assert (r["from_name"], r["from_addr"]) == ("王芳", "wangfang_ae@126.com")
    assert r["subject"] == "回复：DrinkCo 会议纪要（1月10日）"
    assert r["to_addrs"] == ["liu.yang@drinkco.com.cn"]
    assert r["body_text"] == "收到，谢谢。\r\n"


@pytest.mark.parametrize(
    "subject, key",
    [
        ("回复：会议纪要 1月8日", "会议纪要 1月8日"),
        ("回复:Re: 会议议程", "会议议程"),
        ("RE: 回复：BrandCo 周报 第2周", "brandco 周报 第2周"),
        ("回覆：会议议程", "会议议程"),
    ],
)
def test_reply_prefixes_of_these_clients(subject, key):
    con = duckdb.connect()
    con.execute((ROOT / "sql" / "macros.sql").read_text(encoding="utf-8"))
    assert con.execute("select has_reply_prefix(?), subject_key(?)", [subject, subject]).fetchone() == (True, key)


@pytest.mark.parametrize(
    "value", ["星期二, 09 一月 2024 09:00:00 +0800", "2024年1月9日 09:00:00 +0800", "周二, 9 1月 2024 09:00:00 +0800"]
)
def test_chinese_locale_dates(value):
    """The old engine returned None for each of these (unusable Date header)."""
    assert parse_date(value) == utc(2024, 1, 9, 1)
    assert parse_date("2024年13月9日 09:00:00 +0800") is None

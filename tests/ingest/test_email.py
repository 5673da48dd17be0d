"""E-mail parsers: mbox (Content-Length, unescaped 'From ' lines, truncation), .eml, Outlook .msg.

Expected values were checked by hand against the files: the small ones in tests/fixtures/email
(written for these tests) and the public corpora in ../shared/corpora (see each PROVENANCE.md).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections import Counter
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from ingest_tools import utc

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, SourceFile
from aemetrics.ingest.email import COLUMNS, TABLE, UNDATED, email_kind, is_mail_class, parse
from aemetrics.ingest.email.address_lists import _ADDR_TOKEN, _element, _simple_list, parse_addresses
from aemetrics.ingest.email.charsets import decode_raw
from aemetrics.ingest.email.dates import parse_date_header
from aemetrics.ingest.email.text import decode_rfc2047

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "email"


def run(path: Path, rel: str | None = None, **settings):
    return parse(SourceFile(path=path, rel=rel or path.name, kind="email"), Settings(**settings))


def rows(path: Path, **settings) -> list[dict]:
    return run(path, **settings).rows.get(TABLE, [])


def by_record(path: Path, **settings) -> dict[str, dict]:
    return {r["record"]: r for r in rows(path, **settings)}


# ---------------------------------------------------------------- own fixtures


def test_chinese_client_mbox_gb2312_subjects_no_date_and_truncated_last_message():
    """回复：(full-width colon) in GB2312, a GBK-only character (喆) declared as GB2312, a body line
    'From the desk of ...' after a blank line (not a separator), a message without Date, and
    the last message cut inside its Content-Type header (usable headers: it loads)."""
    result = run(FIX / "chinese-client.mbox")
    # the message without Date loads, and is listed in quarantine (nothing disappears silently)
    assert result.parser == "mbox" and result.quarantined == [("message 3", f"no Date header: {UNDATED}")]
    got = {r["record"]: r for r in result.rows[TABLE]}
    assert list(got) == ["message 1", "message 2", "message 3", "message 4"]
    for r in got.values():
        assert tuple(r) == COLUMNS and r["source_file"] == "chinese-client.mbox" and r["body_text"] is None

    q1, r1, nodate, cut = got.values()
    assert q1["subject"] == "活动方案" and q1["message_id"] == "q1@brandco.com" and q1["has_message_id"]
    assert q1["sent_at"] == utc(2025, 9, 29, 2, 0) and q1["date_header"] == "Mon, 29 Sep 2025 10:00:00 +0800 (CST)"
    assert (q1["from_addr"], q1["from_name"]) == ("chen.jing@brandco.com", "陈静")  # lower-cased, RFC 2047 name
    assert q1["to_addrs"] == ["li.wei@adagency.cn"]
    assert q1["cc_addrs"] == ["wang.fang@adagency.cn", "li.wei@adagency.cn"]  # duplicate removed, order kept

    assert r1["subject"] == "回复：活动方案"
    assert r1["in_reply_to"] == "q1@brandco.com" and r1["references"] == ["q0@brandco.com", "q1@brandco.com"]
    assert r1["thread_index"] == "AdkwQ1R3b3RoZXJpbmRleA==" and r1["thread_topic"] == "活动方案"
    assert r1["sent_at"] == utc(2025, 9, 29, 7, 30)

    assert nodate["subject"] == "王喆的周报"  # 喆 is GBK, not GB2312: decoded as GB18030
    assert nodate["sent_at"] is None and nodate["date_header"] is None

    assert cut["subject"] == "答复: 会议纪要" and cut["sent_at"] == utc(2025, 9, 30, 2, 15)
    assert cut["content_type"] == "multipart/mixed"


def test_mbox_bodies_only_with_store_bodies_and_decoded_from_gb2312():
    got = by_record(FIX / "chinese-client.mbox", store_bodies=True)
    assert got["message 1"]["body_text"] == "李经理：请把国庆活动方案发给我。\n"
    assert got["message 2"]["body_text"].startswith("方案见附件。\n\nFrom the desk of Li Wei:")
    assert got["message 4"]["body_text"] is None  # cut before its body


def test_truncated_mbox_quarantines_a_last_message_without_usable_headers():
    result = run(FIX / "truncated-envelope.mbox")
    assert [r["record"] for r in result.rows[TABLE]] == ["message 1"]
    assert result.quarantined == [
        ("message 2", "truncated at the end of the file: no From, To, Cc, Date, Subject or Message-ID header")
    ]


def test_content_length_is_honoured_where_it_lands_on_a_separator_and_ignored_where_wrong():
    """Message 1 quotes a complete 'From someone@example.com <date>' line after a blank line:
    only its Content-Length keeps it inside; message 2's Content-Length (3) is wrong."""
    got = rows(FIX / "content-length.mbox", store_bodies=True)
    assert [r["message_id"] for r in got] == ["cl1@adagency.cn", "cl2@adagency.cn", "cl3@adagency.cn"]
    assert "From someone@example.com Mon Sep 29 12:00:00 2025\n" in got[0]["body_text"]
    assert got[1]["body_text"] == "This body is longer than its Content-Length says.\n"


def test_eml_without_date_or_message_id_gets_a_deterministic_synthetic_id():
    (row,) = rows(FIX / "no-date.eml")
    header = (FIX / "no-date.eml").read_bytes().split(b"\n\n")[0]
    assert row["message_id"] == hashlib.sha1(header).hexdigest() + "@aemetrics.invalid"
    assert row["has_message_id"] is False and row["sent_at"] is None and row["record"] == "file"
    assert row["subject"] == "draft without Date and Message-ID"


def test_address_lists_groups_encoded_names_missing_commas_and_repeated_cc():
    (row,) = rows(FIX / "addresses.eml")
    # group 'Sales team: ...;' members kept, empty group 'undisclosed-recipients:;' dropped, duplicate removed
    assert row["to_addrs"] == ["wang.fang@adagency.cn", "li.wei@adagency.cn"]
    # 'a@x b@y' without a comma, then a second 'cc:' header repeating one of them
    assert row["cc_addrs"] == ["zhang.min@adagency.cn", "chen.jing@brandco.com"]
    assert (row["from_addr"], row["from_name"]) == ("chen.jing@brandco.com", "陈静")  # name from a (comment)
    assert row["subject"] == "Re: 周报 – week 40"  # Q-encoded UTF-8 over two folded words
    assert row["sent_at"] == utc(2025, 9, 29, 2, 0)  # '29 Sep 25 10:00 GMT+8': 2-digit year, no weekday


def test_auto_reply_fields_as_written():
    (row,) = rows(FIX / "autoreply.eml")
    assert row["auto_submitted"] == "auto-replied" and row["precedence"] == "bulk"
    assert row["list_id"] == "Brandco announcements <announce.brandco.com>"
    # X-Auto-Response-Suppress asks others not to auto-reply; it is not read (the old parser
    # stored its 'All' here, which made person-written Outlook mail auto-generated)
    assert row["x_autoreply"] is None
    assert row["content_type"] == "multipart/report" and row["gm_thread_id"] == "1844347792267117879"
    assert row["sent_at"] == utc(2025, 10, 2, 8, 0)  # '-0000' read as UTC


def test_x_autoreply_is_read_beside_x_auto_response_suppress():
    (row,) = rows(FIX / "foxmail-autoreply.eml")  # X-Auto-Response-Suppress: All comes first
    assert (row["x_autoreply"], row["subject"]) == ("yes", "自动回复: 周报")


def test_raw_undeclared_gbk_bytes_in_headers():
    (row,) = rows(FIX / "raw-gbk-subject.eml")
    assert row["subject"] == "回复：报价单" and row["from_name"] == "客户服务部"


def test_random_bytes_as_eml_is_a_parse_error(tmp_path):
    path = tmp_path / "random-bytes.eml"
    path.write_bytes(b"\x00\x13\xff\xfe garbage \x01\x02")
    with pytest.raises(ParseError, match="not an e-mail message: no header lines"):
        run(path)


def test_400000_character_subject_is_capped_and_fast(tmp_path):
    path = tmp_path / "huge.eml"
    path.write_bytes(b"From: a@b.c\nSubject: " + "报价".encode() * 200_000 + b"\n\nx\n")
    started = time.perf_counter()
    (row,) = rows(path)
    assert time.perf_counter() - started < 2.0
    assert row["subject"] == "报价" * 1000 and len(row["subject"]) == 2000


def test_empty_mbox_loads_nothing_and_a_text_file_is_not_an_mbox(tmp_path):
    (tmp_path / "empty.mbox").write_bytes(b"")
    assert run(tmp_path / "empty.mbox").row_count == 0
    (tmp_path / "notes.mbox").write_text("just some notes\nFrom Russia with love\n")
    with pytest.raises(ParseError, match="no 'From ' separator line"):
        run(tmp_path / "notes.mbox")


def test_file_kinds_by_name(tmp_path):
    assert email_kind(Path("Inbox.MBOX")) == "mbox" and email_kind(Path("x/mbox")) == "mbox"
    assert email_kind(Path("a.mbx")) == "mbox" and email_kind(Path("a.eml")) == "eml"
    assert email_kind(Path("a.msg")) == "msg" and email_kind(Path("a.txt")) is None  # missing file: no sniffing
    (tmp_path / "a.txt").write_text("this is a note, not mail\n")
    with pytest.raises(ParseError, match="not an e-mail file"):
        run(tmp_path / "a.txt")


def test_files_without_a_telling_name_are_sniffed(tmp_path):
    """maildir names ('...:2,S'), Thunderbird's extension-less 'Inbox' mbox, Outlook OLE files."""
    maildir = tmp_path / "1529425589.M615261P21663.len:2,S"
    maildir.write_text("From: a@b.c\nMessage-ID: <x@b.c>\nSubject: hi\n\nbody\n")
    inbox = tmp_path / "Inbox"
    inbox.write_text("From a@b.c Mon Sep 29 10:00:00 2025\nFrom: a@b.c\nSubject: one\n\nx\n")
    ole = tmp_path / "saved"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert [email_kind(p) for p in (maildir, inbox, ole)] == ["eml", "mbox", "msg"]
    assert run(maildir).rows["raw_email_messages"][0]["message_id"] == "x@b.c"
    assert run(inbox).rows["raw_email_messages"][0]["subject"] == "one"


@pytest.mark.parametrize(
    "cls, mail",
    [
        ("IPM.Note", True),
        ("IPM.Note.SMIME.MultipartSigned", True),
        ("IPM.Schedule.Meeting.Request", True),
        ("IPM.Schedule.Meeting.Canceled", True),
        ("IPM.Schedule.Meeting.Resp.Pos", True),
        ("REPORT.IPM.Note.NDR", True),
        ("IPM.Contact", False),
        ("IPM.StickyNote", False),
        ("IPM.Appointment", False),
        ("IPM.Task", False),
        ("IPM.Activity", False),
        ("IPM.Post", False),
        ("IPM.DistList", False),
    ],
)
def test_outlook_message_classes_meeting_requests_are_mail(cls, mail):
    assert is_mail_class(cls) is mail


# ---------------------------------------------------------------- header decoding


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Thu, 16 Jun 2016 22:14:41 -0400", utc(2016, 6, 17, 2, 14, 41)),
        ("Fri, 28 Oct 2022 13:50:27 +0800 (CST)", utc(2022, 10, 28, 5, 50, 27)),  # zone comment ignored
        ("21 Nov 97 09:55:06 GMT", utc(1997, 11, 21, 9, 55, 6)),  # 2-digit year, no weekday
        ("Wed, 9 Jan 2002 19:47:50 MST", utc(2002, 1, 10, 2, 47, 50)),  # RFC 822 zone name
        ("Thu, 1 Jan 2020 10:00:00 CST", utc(2020, 1, 1, 16, 0)),  # CST is RFC 822's US Central
        ("Thu, 1 Jan 2020 10:00:00 GMT+8", utc(2020, 1, 1, 2, 0)),
        ("Thu, 1 Jan 2020 10:00:00 UTC+05:30", utc(2020, 1, 1, 4, 30)),
        ("Thu, 1 Jan 2020 10:00:00 +08:00", utc(2020, 1, 1, 2, 0)),
        ("Thu, 1 Jan 2020 10:00:00 -0000", utc(2020, 1, 1, 10, 0)),  # unknown zone: UTC
        ("Thu, 1 Jan 2020 10:00:00", utc(2020, 1, 1, 10, 0)),  # no zone: UTC
        ("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", utc(1997, 11, 21, 15, 55, 6)),  # RFC 2822 A.6.3
        ("2025-09-29 10:00:00+08:00", utc(2025, 9, 29, 2, 0)),  # ISO 8601
        ("Mon, 30 Jun 3609 15:33:50 +0600", None),  # a clock error, not a date
        ("Wed, 15 Dec 2010    59:10 -0500", None),
        ("<HR>", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_obsolete_forms(raw, expected):
    assert parse_date_header(raw) == expected


@pytest.mark.parametrize(
    "encoded, expected",
    [
        ("=?gb2312?B?zfWGtLXE1tyxqA==?=", "王喆的周报"),  # GBK character declared as GB2312
        ("=?big5?B?pGquYbuh?=", "大家說"),
        ("=?big5?B?ne8=?=", "嘅"),  # Cantonese, HKSCS only: not in plain Big5
        ("=?ISO-2022-JP?B?GyRCJF4kXyRgJGEkYhsoQg==?=", "まみむめも"),
        ("=?shift_jis?B?h0A=?=", "①"),  # NEC row 13: CP932 only
        ("=?ks_c_5601-1987?B?jGM=?=", "똠"),  # CP949 bytes, not EUC-KR
        ("=?EUC-KR?Q?NOTE:_=C7=D1=B1=B9=B8=BB?=", "NOTE: 한국말"),
        ("=?x-unknown?Q?caf=C3=A9?=", "café"),  # unknown charset: UTF-8
        ("=?x-unknown?Q?caf=E9?=", "caf\ufffd"),  # ... with replacement
        ("=?NONE?B?VEVTVA=?=", "TEST"),  # bad padding
        ("=?utf-8?B?5Zue?= =?utf-8?B?5aSN?=", "回复"),  # whitespace between words dropped
        ("=?utf-8?B?5Zs=?=\r\n =?utf-8?B?nuWkjQ==?=", "回复"),  # a character split across two words
        ("Re: =?utf-8?Q?=E4=BD=A0?= there", "Re: 你 there"),
    ],
)
def test_rfc2047_in_any_charset(encoded, expected):
    assert decode_rfc2047(encoded) == expected


def test_raw_header_bytes_utf8_then_gb18030_then_latin1():
    assert decode_raw("周报".encode()) == "周报"
    assert decode_raw("周报".encode("gb18030")) == "周报"
    # Latin-1 words leave odd runs of 8-bit bytes: not GB (corpus: invalid_subject_characters.eml)
    assert decode_raw("Formação Final Verão".encode("latin-1")) == "Formação Final Verão"
    assert decode_raw("大家說".encode("big5"), "big5") == "大家說"  # the message's own charset first


# ---------------------------------------------------------------- property tests


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_as_eml_raise_only_parse_error(tmp_path, data):
    path = tmp_path / "any.eml"
    path.write_bytes(data)
    try:
        got = rows(path)
    except ParseError:
        return
    assert len(got) == 1 and tuple(got[0]) == COLUMNS


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_as_mbox_raise_only_parse_error(tmp_path, data):
    path = tmp_path / "any.mbox"
    path.write_bytes(b"From a@b.c Mon Sep 29 10:00:00 2025\n" + data)
    result = run(path)  # starts with a separator: never a ParseError
    assert result.row_count + len(result.quarantined) >= 1


SUBJECT_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)


def _expected_subject(s: str) -> str | None:
    collapsed = " ".join(part for part in s.split(" ") if part)
    return collapsed or None


def _words(data: bytes, charset: str, size: int) -> str:
    # chunks cut at arbitrary byte offsets, as Outlook and others do
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    return "\r\n ".join(f"=?{charset}?B?{base64.b64encode(c).decode()}?=" for c in chunks)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SUBJECT_TEXT, charset=st.sampled_from(["utf-8", "gb18030"]), size=st.integers(1, 45), q=st.booleans())
def test_unicode_subjects_round_trip_through_rfc2047(tmp_path, text, charset, size, q):
    data = text.encode(charset)
    if q:
        quoted = "".join(chr(b) if chr(b).isalnum() and b < 128 else f"={b:02X}" for b in data)
        encoded = f"=?{charset}?Q?{quoted}?="
    else:
        encoded = _words(data, charset, size)
    path = tmp_path / "s.eml"
    path.write_bytes(b"From: a@b.c\r\nSubject: " + encoded.encode("ascii") + b"\r\n\r\nbody\r\n")
    (row,) = rows(path)
    assert row["subject"] == _expected_subject(text)


NAME = st.text(st.sampled_from("abcXYZ 李伟.-'"), max_size=12)
ADDR = st.builds(
    "{}@{}.{}".format,
    st.sampled_from(["li.wei", "Chen", "x", "a.b-c"]),
    st.sampled_from(["adagency", "BrandCo", "b"]),
    st.sampled_from(["cn", "com"]),
)


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(NAME, ADDR, st.sampled_from(["quoted", "bare", "angle"])), min_size=1, max_size=5))
def test_fast_address_path_agrees_with_the_tokenizer(items):
    parts = []
    for name, addr, form in items:
        if form == "quoted":
            parts.append(f'"{name}" <{addr}>')
        elif form == "angle":
            parts.append(f"{name.replace(chr(39), '')} <{addr}>")
        else:
            parts.append(addr)
    value = ", ".join(parts)
    fast = _simple_list(value)
    assert fast is not None
    slow = []
    for element in value.split(", "):
        slow.extend(_element(_ADDR_TOKEN.findall(element)))
    assert fast == slow == parse_addresses(value)


# ---------------------------------------------------------------- real corpora


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, count",
    [
        ("mimekit/content-length.mbox", 29),  # Netscape 1996: Content-Length, no blank line before 'From - '
        ("mimekit/issue1189.mbox", 4),  # Gmail-style 'From 1844347792267117879@xxx' lines without date
        ("mimekit/simple.mbox", 3),
        ("mimekit/unmunged.mbox", 2),  # BOM, 'From Russia with love' twice in bodies; no Date header
        ("sisimai/mbox-0.mbox", 37),  # CRLF, real bounces
        ("sisimai/mbox-1.mbox", 1),
    ],
)
def test_corpus_mbox_message_counts(corpora, name, count):
    result = run(corpora / "email-mbox" / name)
    undated = (
        [(f"message {i}", f"no Date header: {UNDATED}") for i in (1, 2)] if name == "mimekit/unmunged.mbox" else []
    )
    assert result.row_count == count and result.quarantined == undated
    assert [r["record"] for r in result.rows[TABLE]] == [f"message {i}" for i in range(1, count + 1)]


@pytest.mark.corpus
def test_corpus_content_length_mbox_values(corpora):
    got = by_record(corpora / "email-mbox/mimekit/content-length.mbox")
    first = got["message 1"]
    assert first["message_id"] == "19960722000255.AAA26598@navstar1.mcom.com"
    assert first["sent_at"] == utc(1996, 7, 22, 1, 2, 55)  # 'Sun, 21 Jul 1996 17:02:55 -0800'
    assert first["subject"] == "Re: mailusr1@navstar1 3.0b6gold #1"
    assert got["message 29"]["subject"] == "RE: problem with relative urls and applets"
    # message 5 holds a 747,282-byte Content-Length: the next message starts right after it
    assert got["message 6"]["message_id"] == "19960209013311.izzy@scr.atm.com"


@pytest.mark.corpus
def test_corpus_unmunged_from_lines_and_no_date(corpora):
    got = rows(corpora / "email-mbox/mimekit/unmunged.mbox", store_bodies=True)
    assert [r["subject"] for r in got] == [
        "This is a test message with an unmunged From line",
        "Another test message with an unmunged From line",
    ]
    assert all(r["sent_at"] is None and not r["has_message_id"] for r in got)
    assert "From Russia with love\nYear: 1963" in got[1]["body_text"]


@pytest.mark.corpus
def test_corpus_chinese_threads_gb2312_subjects_dates_and_references(corpora):
    base = corpora / "email-usrp-users-list"
    (r,) = rows(base / "thread-tpm-n310-gb2312/20200923123552_fd2a6e4ace.eml")
    assert r["subject"] == "[USRP-users] 回复: 回复: 回复: what is the TPM used for N310"
    assert r["sent_at"] == utc(2020, 9, 23, 12, 35, 52)
    assert r["in_reply_to"] == "f9aa10db-8d4e-51ea-5652-979d9939a2ac@ettus.com"
    assert r["references"] == [
        "HK0PR03MB5091FC4CE234C553C0B88B319D3E0@HK0PR03MB5091.apcprd03.prod.outlook.com",
        "5F638040.9080705@gmail.com",
        "HK0PR03MB50919AB20089C910BEC329AE9D3F0@HK0PR03MB5091.apcprd03.prod.outlook.com",
        "5F6566A9.5090205@gmail.com",
        "HK0PR03MB5091857473EEA99A15FDE29C9D3D0@HK0PR03MB5091.apcprd03.prod.outlook.com",  # followed by ','
        "f9aa10db-8d4e-51ea-5652-979d9939a2ac@ettus.com",
    ]
    assert r["to_addrs"] == ["usrp-users@lists.ettus.com", "marcus.mueller@ettus.com"]  # GB2312 name
    assert r["thread_topic"] == "[USRP-users] 回复: 回复: what is the TPM used for N310"
    assert r["precedence"] == "list" and r["list_id"] == (
        "USRP-related discussion and support <usrp-users.lists.ettus.com>"
    )

    (r,) = rows(base / "thread-synchronization-gb2312/20190820215506_7c73b415ec.eml")
    assert r["subject"] == "[USRP-users] 回复: A Question about Synchronization"
    assert r["thread_index"] == "AQHVV44LCwgGm8pm8kSBfS7PPTudmacEUDZA"
    assert r["from_name"] == "Jiang, Fengyang via USRP-users"

    (r,) = rows(base / "thread-tpm-n310-gb2312/20200922145138_aba823b47a.eml")  # UTF-8 reply to GB2312
    assert r["subject"] == "Re: [USRP-users] 回复: 回复: what is the TPM used for N310"
    assert r["from_name"] == "Marcus Müller via USRP-users"

    (r,) = rows(base / "thread-b205mini-gbk/20221028135027_95a2785277.eml")  # Coremail, '+0800 (CST)'
    assert r["sent_at"] == utc(2022, 10, 28, 5, 50, 27)
    assert r["in_reply_to"] == "492835ae-7a8a-28fa-8be5-2338aabb58bc@gmail.com"
    assert r["cc_addrs"] == ["usrp-users@lists.ettus.com"]


@pytest.mark.corpus
def test_corpus_big5_and_gb2312_subjects(corpora):
    base = corpora / "email-parser-fixtures"
    (r,) = rows(base / "mikel-mail/error_emails/content_transfer_encoding_empty.eml")
    # raw Big5 that went through Latin-1 -> UTF-8 on the way; the message declares charset=big5
    assert r["subject"] == (
        "4d8119\u3000(大補泡麵專賣) 大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版 (英語教學)\u30008afb90"
    )
    (r,) = rows(base / "spamscope-mail-parser/mail_test_12.eml")
    assert r["subject"] == "代开各地增值税发票" and r["from_name"] == "张先生"
    assert r["sent_at"] == utc(2018, 5, 13, 4, 32, 22)
    (r,) = rows(base / "mikel-mail/rfc2822/example14.eml")  # ISO-2022-JP
    assert r["subject"] == "Re: TEST テストテスト"
    (r,) = rows(base / "mikel-mail/plain_emails/raw_email.eml")  # EUC-KR
    assert r["subject"] == "NOTE: 한국말로 하는 것"
    (r,) = rows(base / "msgreader-eml/UTF-8_Test.eml")  # continuation lines without leading space
    assert r["subject"] == "【要確認】●普通自転車（ノーパンクタイヤ） 再予約通知 2023/11/29 12:00 - 13:00"


@pytest.mark.corpus
def test_corpus_obsolete_syntax_and_malformed_address_lists(corpora):
    base = corpora / "email-parser-fixtures/mikel-mail"
    (r,) = rows(base / "rfc2822/example13.eml")  # 'From  : John Doe <jdoe@machine(comment).  example>'
    assert (r["from_addr"], r["message_id"]) == ("jdoe@machine.example", "1234@local.machine.example")
    assert r["sent_at"] == utc(1997, 11, 21, 15, 55, 6)
    (r,) = rows(base / "error_emails/weird_to_header.eml")  # 'To: , a, b'
    assert r["to_addrs"] == ["user-example@aol.com", "e-s-a-s-2200@app.ar.com"]
    (r,) = rows(base / "plain_emails/raw_email_with_at_display_name.eml")  # 'Mikel@Lindsaar <raasdnil@...>'
    assert r["to_addrs"] == ["smith@gmail.com", "raasdnil@gmail.com", "tom@gmail.com"]
    (r,) = rows(base / "plain_emails/raw_email_bad_time.eml")  # year 3609
    assert r["sent_at"] is None and r["date_header"] == "Mon, 30 Jun 3609 15:33:50 +0600"
    (r,) = rows(base / "error_emails/multiple_references_with_one_invalid.eml")
    assert r["references"] == ["foo@bar.net", "baz@bar.net", "invalid.something@bar.net"]


@pytest.mark.corpus
def test_corpus_notmuch_reference_loop_duplicates_and_repeated_cc(corpora):
    base = corpora / "email-notmuch-corpus/edge"
    (a,) = rows(base / "broken/loop/loop-12.eml")
    (b,) = rows(base / "broken/loop/loop-21.eml")
    assert (a["message_id"], a["in_reply_to"]) == ("mid-loop-12@example.org", "mid-loop-21@example.org")
    assert (b["message_id"], b["in_reply_to"]) == ("mid-loop-21@example.org", "mid-loop-12@example.org")
    dups = [rows(base / f"duplicate/msg-3-{i}.eml")[0] for i in range(1, 6)]
    assert {d["message_id"] for d in dups} == {"87r2ecrr6x.fsf@zephyr.silentflame.com"}  # one row per file
    (cc,) = rows(base / "broken/broken-cc.eml")  # 'Cc:' and 'cc:' headers
    assert cc["cc_addrs"] == ["bob@example.org", "charles@example.org"]


@pytest.mark.corpus
def test_corpus_outlook_msg_mail(corpora):
    base = corpora / "email-outlook-msg"
    result = run(base / "sicos-msgreader/HtmlSampleEmail.msg")
    assert result.parser == "msg"
    (r,) = result.rows[TABLE]
    assert r["subject"] == "HtmlSampleEmail" and r["record"] == "file"
    assert (r["from_addr"], r["from_name"]) == ("chris.wilson@leeds.gov.uk", "Wilson, Chris")
    assert r["to_addrs"] == ["chris.wilson@leeds.gov.uk"]
    assert r["sent_at"] == utc(2017, 10, 23, 7, 31, 3)  # transport header 'Mon, 23 Oct 2017 08:31:03 +0100'
    assert r["message_id"] == "6BA412B7BBD2FD42861293C22F31BF8F1AEC9B57@pifmbx04.Leeds.gov.uk"

    (r,) = rows(base / "hiraoka-msgreader/nonUnicodeCP932.msg")  # ANSI strings, code page from the locale
    assert r["subject"] == "日本語 Non Unicode タイトル"
    (r,) = rows(base / "hiraoka-msgreader/sent.msg")  # no transport headers: MAPI properties
    assert (r["from_addr"], r["to_addrs"], r["subject"]) == (
        "xmailuser@xmailserver.test",
        ["xmailuser@xmailserver.test"],
        "Sent time",
    )
    assert r["sent_at"].replace(microsecond=0) == utc(2021, 2, 15, 8, 19, 4)
    assert not r["has_message_id"] and r["message_id"].endswith("@aemetrics.invalid")
    (r,) = rows(base / "hiraoka-msgreader/200_recipients.msg")
    assert len(r["to_addrs"]) == 200 and r["to_addrs"][0] == "xmailuser1@xmailserver.test"
    (r,) = rows(base / "sicos-msgreader/EmailWithSpecialCharsInSubject.msg")
    assert r["subject"] == "Un sujet bien défini Àéroport mañana être ouïe électricité così próxima à Ô"
    (r,) = rows(base / "hiraoka-msgreader/Hello_plusCJK.msg", store_bodies=True)
    assert r["body_text"] == "Hello\r\nC 你好\r\nJ こんにちは\r\nK 안녕하세요\r\n"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, cls",
    [
        ("hiraoka-msgreader/contactUnicode.msg", "IPM.Contact"),
        ("hiraoka-msgreader/A_memo.msg", "IPM.StickyNote"),
        ("hiraoka-msgreader/Appointment_sample_EST.msg", "IPM.Appointment"),
    ],
)
def test_corpus_outlook_items_that_are_not_mail_are_quarantined(corpora, name, cls):
    result = run(corpora / "email-outlook-msg" / name)
    assert result.row_count == 0
    assert result.quarantined == [("file", f"Outlook item of class {cls} is not an e-mail")]


@pytest.mark.corpus
@pytest.mark.parametrize("cls, loads", [("IPM.Schedule.Meeting.Request", True), ("IPM.Task", False)])
def test_corpus_meeting_request_msg_is_mail_a_task_is_not(corpora, tmp_path, cls, loads):
    """No meeting request in the corpora: a real mail with only its message class changed."""
    import olefile
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    with olefile.OleFileIO(str(corpora / "email-outlook-msg/sicos-msgreader/TxtSampleEmail.msg")) as ole:
        writer.fromOleFile(ole)
    writer.editEntry(["__substg1.0_001A001F"], data=cls.encode("utf-16-le"))
    writer.write(str(tmp_path / "item.msg"))
    result = run(tmp_path / "item.msg")
    if loads:
        (r,) = result.rows[TABLE]
        assert (r["subject"], r["sent_at"]) == ("TxtSampleEmail", utc(2017, 10, 23, 7, 31, 27))
    else:
        assert result.row_count == 0 and result.quarantined == [
            ("file", f"Outlook item of class {cls} is not an e-mail")
        ]


def test_a_corrupt_msg_is_a_parse_error(tmp_path):
    (tmp_path / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0 not really an OLE file")
    with pytest.raises(ParseError, match="not an Outlook .msg file"):
        run(tmp_path / "broken.msg")


CORPUS_EMAIL = [
    "email-mbox",
    "email-parser-fixtures",
    "email-usrp-users-list",
    "email-notmuch-corpus",
    "email-outlook-msg",
]


@pytest.mark.corpus
def test_corpus_every_file_loads_or_is_quarantined_and_nothing_else_raises(corpora):
    """Each corpus .eml/.mbox/.msg: rows, quarantined records with a reason, or ParseError."""
    files = sorted(
        p for folder in CORPUS_EMAIL for p in (corpora / folder).rglob("*") if p.suffix in (".eml", ".mbox", ".msg")
    )
    assert len(files) == 6 + 162 + 154 + 256 + 39
    loaded = quarantined = errors = 0
    reasons = set()
    undated = Counter()
    for path in files:
        try:
            result = run(path, rel=path.relative_to(corpora).as_posix())
        except ParseError:
            errors += 1
            continue
        for row in result.rows.get(TABLE, []):
            assert tuple(row) == COLUMNS and row["message_id"] and row["record"]
            assert row["sent_at"] is None or row["sent_at"].tzinfo is UTC
            assert row["subject"] is None or len(row["subject"]) <= 2000
        # nothing disappears silently: every loaded message without a usable Date is also listed
        no_date = {row["record"] for row in result.rows.get(TABLE, []) if row["sent_at"] is None}
        listed = {record for record, reason in result.quarantined if reason.endswith(UNDATED)}
        assert no_date == listed, path
        for _record, reason in result.quarantined:
            if reason.endswith(UNDATED):
                undated[(path.suffix, reason.split(" '")[0].split(":")[0])] += 1
        loaded += result.row_count
        quarantined += len(result.quarantined) - len(listed)
        reasons.update(
            reason.split(" of class ")[-1] for _, reason in result.quarantined if not reason.endswith(UNDATED)
        )
    # 6 mboxes hold 76 messages; 611 single-message files, of which 14 Outlook items are no mail
    # (12 appointments, a contact, a sticky note) and 2 are empty Outlook drafts
    assert (loaded, quarantined, errors) == (76 + 611 - 14 - 2, 14 + 2, 0)
    # Loaded but undated, checked by hand against the files: mimekit unmunged.mbox has no Date in
    # either message; 14 .eml have no Date header; 7 have one that cannot be read ('<HR>',
    # 'Wed, 15 Dec 2010 59:10 -0500', year 3609, 'Pn, 29 paX 2007', a bare 'Thu,', 13 Feb 1969,
    # notmuch's 'Thu Jan 01 00:00:10 +0000' without a year); 10 .msg are unsent items without
    # any date (no transport headers, no PR_CLIENT_SUBMIT_TIME).
    assert undated == {
        (".mbox", "no Date header"): 2,
        (".eml", "no Date header"): 14,
        (".eml", "unusable Date header"): 7,
        (".msg", "no Date header"): 10,
    }
    assert reasons == {
        "IPM.Appointment is not an e-mail",
        "IPM.StickyNote is not an e-mail",
        "IPM.Contact is not an e-mail",
        "Outlook IPM.Note without sender, recipients, date, subject or Message-ID (an empty draft)",
    }

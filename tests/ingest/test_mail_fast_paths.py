"""The fast paths of the mail ingest (issue 10, "parse on every core, load in bulk") give exactly
what the general code gives: each is checked against the definition it replaces, on generated
input that mixes the usual forms with the odd ones.

The old engine had none of these paths (no `unfolded_fields`, `rfc5322_date`, `_insert_json`,
`gc_paused`): every test here fails on it with an ImportError. Byte-identical raw tables on real
exports (the corpora, the demo, a 100-AE agency-year) were compared with EXCEPT ALL when the
paths were written (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aemetrics.ingest.email.dates import MAX_YEAR, MIN_YEAR, parse_date_header, rfc5322_date
from aemetrics.ingest.email.headers import WANTED, Headers, unfolded_fields
from aemetrics.ingest.email.mbox import _ENVELOPE_DATE, _SEPARATOR, looks_like_separator
from aemetrics.ingest.email.msgids import _MSG_ID, _PAREN, msg_ids
from aemetrics.ingest.runner import ShardBatch, _flush, _JsonParts, gc_paused
from aemetrics.warehouse import create_raw_tables, insert_rows


def fields_by_definition(block: bytes) -> tuple[dict[str, list[bytes]], int]:
    """What Headers kept before it read blocks line by line: unfold, then one field per line."""
    pairs = unfolded_fields(block)
    fields: dict[str, list[bytes]] = {}
    for name, value in pairs:
        if name.lower() in WANTED:
            fields.setdefault(name.lower().decode(), []).append(value)
    return fields, len(pairs)


NAMES = [b"From", b"TO", b"cc", b"Subject", b"Date", b"References", b"Received", b"X-Foo", b"Subject ", b"bad name"]
PIECES = [b"", b" ", b"\t", b":", b"value", b"x\ry", b"a\r\r", b"=?gb2312?B?1tA=?=", b"\xe4\xb8\xad", b"<a@b> <c@d>"]
line = st.one_of(
    st.builds(
        lambda n, a, b: n + b":" + a + b, st.sampled_from(NAMES), st.sampled_from(PIECES), st.sampled_from(PIECES)
    ),
    st.builds(lambda ws, v: ws + v, st.sampled_from([b" ", b"\t"]), st.sampled_from(PIECES)),  # a folded line
    st.sampled_from([b"", b"\r", b"junk", b"From x@y Mon Jan  6 07:30:00 2025", b"\n:"]),  # blank or odd
)
block = st.builds(
    lambda lines, sep, end: sep.join(lines) + end,
    st.lists(line, max_size=8),
    st.sampled_from([b"\n", b"\r\n", b"\r\r\n"]),
    st.sampled_from([b"", b"\n", b"\r\n", b"\r"]),
)


@settings(max_examples=400, deadline=None)
@given(block)
def test_headers_read_line_by_line_as_the_unfolding_defines(data):
    h = Headers(data)
    assert (h.fields, h.field_lines) == fields_by_definition(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_headers_of_any_bytes_as_the_unfolding_defines(data):
    h = Headers(data)
    assert (h.fields, h.field_lines) == fields_by_definition(data)


def test_folded_fields_are_unfolded_like_before():
    data = b"Subject:\r\n  =?utf-8?B?5aW9?=\r\n\tend\r\nTo: a@b,\n c@d\nX-Foo: y\n bar\nDate: Mon, 6 Jan 2025 07:30:00 +0800\r\n"
    h = Headers(data)
    assert h.fields["subject"] == [b"=?utf-8?B?5aW9?= \tend"]
    assert h.fields["to"] == [b"a@b,  c@d"]
    assert (h.fields, h.field_lines) == fields_by_definition(data)


def general_date(value: str) -> datetime | None:
    """parse_date_header's general path for an RFC 5322 date (email.utils, then UTC and the year range)."""
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    dt = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    if abs(dt.utcoffset() or timedelta(0)) > timedelta(hours=15):
        return None
    dt = dt.astimezone(UTC)
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2110, 12, 31)),
    st.integers(min_value=-14 * 60 - 59, max_value=14 * 60 + 59),
)
def test_the_usual_date_form_is_read_as_email_utils_reads_it(moment, offset_minutes):
    text = format_datetime(moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)), microsecond=0))
    assert rfc5322_date(text) in (None, general_date(text))
    assert parse_date_header(text) == general_date(text)
    if parse_date_header(text) is not None:
        assert parse_date_header(text).tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "Mon, 06 Jan 2025 07:30:00 -0000",  # no zone information: taken as UTC
        "Thu, 01 Jan 1970 00:30:00 +0100",  # before 1970 in UTC: a clock error
        "Mon, 30 Feb 2025 07:30:00 +0800",  # no such day
        "Mon, 06 Jan 2025 24:00:00 +0800",
        "Mon, 06 Jan 2025 07:30 +0800",  # no seconds
        "6 Jan 2025 07:30:00 +1459",
    ],
)
def test_edge_dates_agree_with_the_general_path(text):
    assert parse_date_header(text) == general_date(text)


def ids_by_definition(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for m in _MSG_ID.finditer(value):
        mid = "".join(_PAREN.sub("", m.group(1)).split())
        if mid:
            seen.setdefault(mid, None)
    return list(seen)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["<", ">", "a@b", "<a@b>", "<c@d>", " ", "\t", "(x)", "\xa0", "中", ","]), max_size=8))
def test_msg_ids_fast_path_agrees(parts):
    value = "".join(parts)
    assert msg_ids(value) == ids_by_definition(value)


def separator_by_definition(line: bytes) -> bool:
    m = _SEPARATOR.fullmatch(line.rstrip(b"\r"))
    if m is None:
        return False
    sender, rest = m.group(1), m.group(2)
    if rest:
        return _ENVELOPE_DATE.match(rest) is not None
    return sender == b"-" or b"@" in sender or sender.upper() == b"MAILER-DAEMON"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"x@y", b"-", b" ", b"\t", b"Mon ", b"jan ", b"6", b"07:30", b"\r", b"2025"]), max_size=10
    )
)
def test_separator_fast_path_agrees(parts):
    line = b"From " + b"".join(parts)
    assert looks_like_separator(line + b"\n", 0)[0] == separator_by_definition(line)


def buffer() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    create_raw_tables(con)
    return con


ROWS = [
    dict(
        message_id="a@x",
        has_message_id=True,
        sent_at=datetime(2025, 1, 6, 7, 30, 0, 123456, tzinfo=UTC),
        date_header="Mon, 06 Jan 2025 07:30:00 +0000",
        from_addr="li.wei@x.cn",
        from_name='李伟 "quoted" \\ back\nslash',
        to_addrs=["a@x", "b@y"],
        cc_addrs=[],
        subject="回复：报价单\x01\t",
        references=["r1", "r2"],
        has_approval_word=False,
        has_negation_word=None,
        source_file="email/a.mbox",
        record="message 1",
    ),
    dict(
        message_id="b@x",
        has_message_id=False,
        sent_at=datetime(2025, 1, 6, 15, 30, tzinfo=timezone(timedelta(hours=8))),
        to_addrs=[],
        references=[],
        body_text="x" * 100_000,
        source_file="email/a.mbox",
        record="message 2",
    ),
    dict(message_id="c@x", has_message_id=True, sent_at=None, source_file="email/b.eml", record="file"),
]


def _insert_json(buffer, table: str, rows: list[dict]) -> int:
    """The e-mail rows through the batch's own path: flushed as JSON parts (`_flush`), then read
    into the buffer's table as the shard is (`_JsonParts.insert_into`)."""
    out, parts = ShardBatch(), _JsonParts(tempfile.mkdtemp(prefix="aemetrics-rows-test-"))
    try:
        _flush(buffer, {table: rows}, out, parts)
        parts.insert_into(buffer, table)
    finally:
        shutil.rmtree(parts.folder, ignore_errors=True)
    return out.rows[table]


def test_rows_as_json_load_exactly_as_insert_rows_loads_them():
    """The e-mail rows go to the shard buffer as JSON; the loaded values are the pandas path's."""
    by_json, by_pandas = buffer(), buffer()
    assert _insert_json(by_json, "raw_email_messages", [dict(r) for r in ROWS]) == 3
    insert_rows(by_pandas, "raw_email_messages", [dict(r) for r in ROWS])
    got = by_json.execute("select * from raw_email_messages order by message_id").fetchall()
    assert got == by_pandas.execute("select * from raw_email_messages order by message_id").fetchall()
    assert got[0][2] == datetime(2025, 1, 6, 7, 30, 0, 123456, tzinfo=UTC)
    assert got[1][2] == datetime(2025, 1, 6, 7, 30, tzinfo=UTC)


def test_rows_as_json_refuse_what_insert_rows_refuses():
    with pytest.raises(ValueError, match="naive datetime"):
        _insert_json(buffer(), "raw_email_messages", [dict(ROWS[2], sent_at=datetime(2025, 1, 6))])
    with pytest.raises(ValueError, match="columns the table does not have"):
        _insert_json(buffer(), "raw_email_messages", [dict(ROWS[2], nonsense=1)])


def test_a_lone_surrogate_fails_as_it_did_through_pandas():
    """orjson cannot write it; insert_rows takes the rows and DuckDB refuses them as before."""
    row = dict(ROWS[2], subject=b"+2D0-".decode("utf-7"))
    with pytest.raises(duckdb.Error, match="surrogate"):
        _insert_json(buffer(), "raw_email_messages", [row])


def test_gc_is_paused_during_a_batch_and_restored():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


def multipart(parts: list[tuple[str, str]], boundary: str = "b1", close: bool = True) -> bytes:
    """A multipart/mixed message of (headers, body) parts."""
    out = [f'Content-Type: multipart/mixed; boundary="{boundary}"', "", "preamble"]
    for headers, body in parts:
        out += [f"--{boundary}", headers, "", body]
    if close:
        out.append(f"--{boundary}--")
    return "\n".join(out).encode("utf-8")


TEXT = "Content-Type: text/plain; charset=utf-8"
ATTACHED = "Content-Type: text/plain\nContent-Disposition: attachment; filename=a.txt"
PDF = "Content-Type: application/pdf\nContent-Transfer-Encoding: base64"
ALTERNATIVE = 'Content-Type: multipart/alternative; boundary="b2"'


@pytest.mark.parametrize(
    "raw",
    [
        multipart([(TEXT, "同意，可以发。"), (PDF, "QUJD\n" * 3000)]),  # text first, big attachment after
        multipart([(PDF, "QUJD\n" * 3000), (TEXT, "approved")]),  # text only after the first 4 KiB
        multipart([(TEXT, "x" * 5000 + " not approved"), (PDF, "QUJD\n" * 10)]),  # text longer than the prefix
        multipart([(ATTACHED, "approved"), (TEXT, "rejected"), (PDF, "QUJD\n" * 2000)]),
        multipart([(PDF, "QUJD\n" * 10), (TEXT, "last part, unclosed " * 400)], close=False),
        multipart(
            [
                (ALTERNATIVE, "\n".join(["--b2", TEXT, "", "lgtm", "--b2", "Content-Type: text/html", "", "<p>"])),
                (PDF, "QUJD\n" * 3000),
            ]
        ),  # fmt: skip
        multipart([(TEXT, "no boundary ever closes it " * 300)], boundary="zz", close=False),
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n' + b"\xff\xfe" * 5000,
        b"Content-Type: text/html\n\n" + b"<p>" * 3000,
    ],
)
def test_a_multipart_body_read_from_its_first_bytes_is_the_whole_parse(raw):
    from aemetrics.ingest.email.bodies import _first_text, body_of

    assert len(raw) > 4096
    assert body_of(raw) == _first_text(raw, settled=False)


def test_the_usual_multipart_is_read_from_its_first_bytes_only():
    from aemetrics.ingest.email.bodies import _UNSETTLED, PREFIX_BYTES, _first_text

    raw = multipart([(TEXT, "同意"), (PDF, "QUJD\n" * 3000)])
    assert _first_text(raw[:PREFIX_BYTES], settled=True) == "同意"
    assert _first_text(multipart([(PDF, "QUJD\n" * 3000), (TEXT, "x")])[:PREFIX_BYTES], settled=True) is _UNSETTLED

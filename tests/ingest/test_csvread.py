"""csvread: encodings, delimiters and physical line numbers of real exports; never a crash."""

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aemetrics.ingest.base import ParseError
from aemetrics.ingest.csvread import decode, read_sheet, read_table, sniff_delimiter

SF = "crm-salesforce/dataloader"


@pytest.mark.corpus
def test_utf8_bom_and_utf16le_bom_dataloader_files_read_the_same(corpora):
    a = read_table(corpora / SF / "csvtext_BOM_UTF8.csv")
    b = read_table(corpora / SF / "csvtext_BOM_UTF16LE.csv")
    assert (a.encoding, b.encoding) == ("utf-8", "utf-16-le")
    assert a.header == b.header == ["column1", "column2", "column3"]  # BOM not glued to the first name
    assert (
        [r.fields for r in a.rows]
        == [r.fields for r in b.rows]
        == [["row1-1", "row1-2", "row1-3"], ["row2-1", "row2-2", "row2-3"]]
    )
    assert [r.line for r in b.rows] == [2, 3]


@pytest.mark.corpus
def test_cp1252_dataloader_extract_falls_back_past_gb18030(corpora):
    """accountData.csv has Latin-1 bytes ('Cr\\xe9dito', 'N\\xba') that are invalid UTF-8 and GB18030."""
    t = read_table(corpora / SF / "accountData.csv")
    assert t.encoding == "cp1252"
    names = {r.fields[3] for r in t.rows}
    assert "Crédito Inmobiliario Terras" in names and "Pébéo of America" in names


@pytest.mark.corpus
def test_teams_utf16_tab_separated_list(corpora):
    t = read_table(corpora / "meeting-attendance/teams/meetingAttendanceList_utf16.csv")
    assert (t.encoding, t.delimiter) == ("utf-16-le", "\t")
    assert t.header == ["Full Name", "User Action", "Timestamp"]
    assert len(t.rows) == 38 and t.rows[-1].line == 39
    assert t.rows[22].fields == ["Müller Franz", "Joined", "11/12/2020, 12:32:41"]


def test_utf16_without_bom_is_found_by_its_nul_bytes(fixtures):
    t = read_table(fixtures / "attendance/teams_events_nobom.csv")
    assert (t.encoding, t.delimiter) == ("utf-16-le", "\t")
    assert t.rows[0].fields == ["Li Wei", "Joined before", "3/5/2024, 8:59:40 AM"]


def test_utf16_big_endian_with_bom():
    data = b"\xfe\xff" + "名字,email\r\n张三,a@b.cn\r\n".encode("utf-16-be")
    t = read_table(data)
    assert t.encoding == "utf-16-be" and t.rows[0].fields == ["张三", "a@b.cn"]


def test_gbk_semicolon_file_is_read_as_gb18030(fixtures):
    t = read_table(fixtures / "staff/staff_gbk.csv")
    assert (t.encoding, t.delimiter) == ("gb18030", ";")
    assert t.header == ["邮箱", "姓名", "角色", "团队", "主管邮箱"]


def test_multiline_quoted_field_keeps_the_line_where_the_record_starts(fixtures):
    t = read_table(fixtures / "staff/staff.csv")
    chen = next(r for r in t.rows if r.fields[0] == "chen.jing@adagency.cn")
    assert chen.line == 6 and chen.fields[1] == "Chen\nJing"
    assert [r.line for r in t.rows][-3:] == [8, 9, 11]  # line 10 is blank


def test_lone_cr_line_ends_count_and_unicode_line_separators_do_not():
    t = read_table("a,b\r1,x\u2028y\r2,\x85z\r".encode())
    assert [(r.line, r.fields) for r in t.rows] == [(2, ["1", "x\u2028y"]), (3, ["2", "\x85z"])]


def test_delimiter_is_the_one_on_most_lines_outside_quotes():
    assert sniff_delimiter('name;note\n"Li, Wei";"a, b, c"\nWang;x\n') == ";"
    assert sniff_delimiter("1. Summary\nMeeting title\tWeekly, Acme\nStart time\t3/5/24, 9:00 AM\n") == "\t"
    assert sniff_delimiter("just one column\nvalue\n") == ","


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"\x00\x01\x02\x03\x04\x05\x06\x07\xff\x00\x10\x00\x00\x00\x00\x01\x02", "not a text file"),
        (b"\xef\xbb\xbf\xff\xfe bad", "utf-8 byte-order mark"),
        (bytes(range(1, 32)) * 10, "control characters"),
        (b"\n\n ,, \n", "no header"),
    ],
)
def test_unreadable_files_raise_parse_error_naming_why(data, reason):
    with pytest.raises(ParseError, match=reason):
        read_table(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_but_parse_error(data):
    try:
        sheet = read_sheet(data)
    except ParseError:
        return
    assert all(r.line >= 1 for r in sheet.records)
    assert [r.line for r in sheet.records] == sorted(r.line for r in sheet.records)


_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")) | st.sampled_from('\n\r\t,;" '), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_cell, min_size=1, max_size=5), min_size=1, max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_written_csv_reads_back_with_its_physical_line_numbers(rows, encoding):
    buf, lines, line = io.StringIO(), [], 1
    writer = csv.writer(buf)
    for row in rows:
        before = buf.tell()
        writer.writerow(row)
        lines.append(line)
        line += len(re.findall(r"\r\n|\n|\r", buf.getvalue()[before:]))
    text = buf.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    sheet = read_sheet(data, delimiter=",")
    assert [r.fields for r in sheet.records] == rows
    assert [r.line for r in sheet.records] == lines
    assert decode(data)[0] == text

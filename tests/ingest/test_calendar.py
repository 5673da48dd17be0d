"""The .ics parser: hand-checked rows from our own fixtures and from real exports in the corpus
(Google, Exchange/Outlook, Apple, Thunderbird, Lotus, khal), plus a run over every corpus file
and property tests on arbitrary text."""

from __future__ import annotations

import time
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from ingest_tools import utc

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.calendar import MAX_OCCURRENCES, find_online_meeting_id, known_zone, parse, parse_bytes
from aemetrics.ingest.calendar.windows_zones import LEGACY, WINDOWS_ZONES, iana_for_windows

# The parser silences this icalendar warning at import; pytest restores filters per test.
pytestmark = pytest.mark.filterwarnings("ignore::icalendar.error.GloballyUniqueTZIDGuessed")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendar"
SHANGHAI = Settings()
EVENTS, ATTENDEES = "raw_calendar_events", "raw_calendar_attendees"
EVENT_COLUMNS = {
    "event_uid", "occurrence_key", "start_at", "end_at", "is_all_day", "is_recurring", "is_override",
    "summary", "status", "organizer_email", "organizer_name", "location", "description",
    "online_meeting_id", "created_at", "dtstamp_at", "last_modified_at", "sequence", "tzid",
    "source_file", "record",
}  # fmt: skip
ATTENDEE_COLUMNS = {
    "event_uid",
    "occurrence_key",
    "email",
    "name",
    "role",
    "partstat",
    "cutype",
    "source_file",
    "record",
}


def parse_fixture(name: str, settings: Settings = SHANGHAI) -> ParseResult:
    path = FIXTURES / name
    return parse(SourceFile(path=path, rel=f"calendar/{name}", kind="calendar"), settings)


def parse_corpus(corpora: Path, rel: str, settings: Settings = SHANGHAI) -> ParseResult:
    path = corpora / "calendar-ics" / rel
    return parse(SourceFile(path=path, rel=rel, kind="calendar"), settings)


def parse_text(text: str, settings: Settings = SHANGHAI) -> ParseResult:
    return parse_bytes(text.encode("utf-8"), "calendar/test.ics", settings)


def events(result: ParseResult, uid: str | None = None) -> list[dict]:
    """The occurrences (rows with a start)."""
    rows = result.rows.get(EVENTS, [])
    return [r for r in rows if r["start_at"] is not None and (uid is None or r["event_uid"] == uid)]


def startless(result: ParseResult) -> dict[str, dict]:
    """Events loaded without a usable start (also listed in quarantine), by record."""
    return {r["record"]: r for r in result.rows.get(EVENTS, []) if r["start_at"] is None}


def by_key(result: ParseResult, uid: str) -> dict[str, dict]:
    return {r["occurrence_key"]: r for r in events(result, uid)}


def check_contract(result: ParseResult) -> None:
    """Every row carries exactly the raw table's columns, aware UTC times, a unique key."""
    keys, startless_keys = set(), set()
    quarantined = {record for record, _ in result.quarantined}
    for row in result.rows.get(EVENTS, []):
        assert set(row) == EVENT_COLUMNS
        assert row["record"].startswith("VEVENT ")
        if row["start_at"] is None:  # an event without a usable start: loaded, and listed in quarantine
            assert row["end_at"] is None and row["occurrence_key"] == "" and row["record"] in quarantined
            startless_keys.add((row["event_uid"], ""))
            continue
        assert row["start_at"].utcoffset().total_seconds() == 0 and row["end_at"] >= row["start_at"]
        keys.add((row["event_uid"], row["occurrence_key"]))
    assert len(keys) == len(events(result))
    for row in result.rows.get(ATTENDEES, []):
        assert set(row) == ATTENDEE_COLUMNS
        assert (row["event_uid"], row["occurrence_key"]) in keys | startless_keys


# --------------------------------------------------------------------------- our fixtures

GOOGLE_SERIES = "7kq2m0client0weekly@google.com"


def test_google_weekly_series_with_exdate_moved_and_cancelled_occurrence():
    """Thursdays 10:00 Shanghai, COUNT=8: 10-30 removed by EXDATE, 10-16 moved to Friday
    15:00 (keeps its key), 11-06 cancelled by an override (kept, status CANCELLED)."""
    result = parse_fixture("google-weekly-client.ics")
    check_contract(result)
    rows = by_key(result, GOOGLE_SERIES)
    assert sorted(rows) == [
        "2025-10-09T02:00:00Z", "2025-10-16T02:00:00Z", "2025-10-23T02:00:00Z", "2025-11-06T02:00:00Z",
        "2025-11-13T02:00:00Z", "2025-11-20T02:00:00Z", "2025-11-27T02:00:00Z",
    ]  # fmt: skip
    first = rows["2025-10-09T02:00:00Z"]
    assert (first["start_at"], first["end_at"]) == (utc(2025, 10, 9, 2), utc(2025, 10, 9, 3))
    assert first["is_recurring"] and not first["is_override"] and first["record"] == "VEVENT 1"
    assert (first["organizer_email"], first["organizer_name"]) == ("zhang.wei@agency.example", "Zhang Wei")
    assert first["online_meeting_id"] == "81234567890"  # from the Zoom link in LOCATION
    assert (first["sequence"], first["tzid"], first["status"]) == (2, "Asia/Shanghai", "CONFIRMED")
    assert first["created_at"] == utc(2025, 9, 25, 2) and first["last_modified_at"] == utc(2025, 10, 15, 3)
    moved = rows["2025-10-16T02:00:00Z"]
    assert (moved["start_at"], moved["end_at"]) == (utc(2025, 10, 17, 7), utc(2025, 10, 17, 8))
    assert moved["is_override"] and moved["record"] == "VEVENT 2"
    assert moved["summary"] == "Client weekly sync (moved to Friday)"
    cancelled = rows["2025-11-06T02:00:00Z"]
    assert cancelled["status"] == "CANCELLED" and cancelled["is_override"] and cancelled["record"] == "VEVENT 3"
    assert result.quarantined == [("VTODO 1", "VTODO is not an event")]


def test_google_attendees_follow_their_occurrence():
    """Master occurrences carry the master's 3 attendees, overrides their own; the email
    alarm's ATTENDEE is not a participant."""
    result = parse_fixture("google-weekly-client.ics")
    rows = [a for a in result.rows[ATTENDEES] if a["event_uid"] == GOOGLE_SERIES]
    assert len(rows) == 5 * 3 + 2 + 1
    li_na = {a["occurrence_key"]: a["partstat"] for a in rows if a["email"] == "li.na@client.example"}
    assert li_na["2025-10-09T02:00:00Z"] == "NEEDS-ACTION"
    assert li_na["2025-10-16T02:00:00Z"] == "ACCEPTED"
    assert li_na["2025-11-06T02:00:00Z"] == "DECLINED"
    wang = next(a for a in rows if a["name"] == "Wang Fang")
    assert (wang["email"], wang["role"], wang["cutype"]) == (
        "wang.fang@client.example",
        "OPT-PARTICIPANT",
        "INDIVIDUAL",
    )
    room = next(a for a in result.rows[ATTENDEES] if a["cutype"] == "RESOURCE")
    assert room["email"] == "c_188abc@resource.calendar.google.com" and room["name"] == "Room 3F"


def test_google_single_event_in_utc_with_teams_meeting_id_in_description():
    result = parse_fixture("google-weekly-client.ics")
    [kickoff] = events(result, "1a2b3c4d5e6f7kickoff@google.com")
    assert kickoff["occurrence_key"] == "2025-10-08T02:00:00Z"
    assert (kickoff["start_at"], kickoff["end_at"]) == (utc(2025, 10, 8, 2), utc(2025, 10, 8, 3, 30))
    assert not kickoff["is_recurring"] and kickoff["tzid"] is None
    assert kickoff["online_meeting_id"] == "123456789012"
    assert kickoff["location"] == "Client HQ, 8F"


def test_google_all_day_event_spans_business_midnights():
    """国庆节 1-8 October (DTEND 10-09 exclusive): local midnights in Asia/Shanghai, in UTC."""
    result = parse_fixture("google-weekly-client.ics")
    [holiday] = events(result, "20251001_national_day@google.com")
    assert holiday["occurrence_key"] == "2025-10-01" and holiday["is_all_day"]
    assert (holiday["start_at"], holiday["end_at"]) == (utc(2025, 9, 30, 16), utc(2025, 10, 8, 16))


def test_outlook_china_standard_time_event_in_utc():
    """Exchange writes the Windows zone name; 14:00 China Standard Time is 06:00 UTC."""
    result = parse_fixture("outlook-china-standard-time.ics")
    check_contract(result)
    review = events(result)[0]
    assert review["occurrence_key"] == "2025-10-15T06:00:00Z"
    assert (review["start_at"], review["end_at"]) == (utc(2025, 10, 15, 6), utc(2025, 10, 15, 7, 30))
    assert review["tzid"] == "China Standard Time"
    assert (review["organizer_email"], review["organizer_name"]) == ("wang.lei@agency.example", "王磊")
    assert review["online_meeting_id"] == "123456789012"  # '会议 ID: 123 456 7' folded '89 012'
    assert review["summary"] == "季度复盘会 Quarterly review"


def test_outlook_folded_attendees_and_room():
    result = parse_fixture("outlook-china-standard-time.ics")
    people = {a["email"]: a for a in result.rows[ATTENDEES] if a["record"] == "VEVENT 1"}
    assert set(people) == {"chen.jing@client.example", "liu.yang@agency.example", "room3f@agency.example"}
    assert people["chen.jing@client.example"]["partstat"] == "ACCEPTED"
    assert people["liu.yang@agency.example"]["role"] == "OPT-PARTICIPANT"
    assert people["room3f@agency.example"]["cutype"] == "ROOM"
    assert people["room3f@agency.example"]["name"] == "会议室 3F"


def test_outlook_weekly_until_and_exdate_in_a_windows_zone():
    """Mondays 10:00 until 11-10 10:00 (inclusive), 11-03 excluded: three occurrences."""
    result = parse_fixture("outlook-china-standard-time.ics")
    rows = [r for r in events(result) if r["record"] == "VEVENT 2"]
    assert [r["occurrence_key"] for r in rows] == [
        "2025-10-20T02:00:00Z",
        "2025-10-27T02:00:00Z",
        "2025-11-10T02:00:00Z",
    ]
    assert all(r["is_recurring"] and not r["is_override"] for r in rows)


def test_unparseable_dtstart_quarantines_that_event_only():
    result = parse_fixture("outlook-china-standard-time.ics")
    assert result.quarantined == [("VEVENT 3", "unparseable DTSTART: 2025-10-22 14:00")]
    assert {r["record"] for r in events(result)} == {"VEVENT 1", "VEVENT 2"}
    # nothing disappears silently: the event stays in the raw table, without a start
    [unusable] = startless(result).values()
    assert (unusable["record"], unusable["occurrence_key"], unusable["start_at"], unusable["end_at"]) == (
        "VEVENT 3",
        "",
        None,
        None,
    )
    assert result.parser == "ics"


# --------------------------------------------------------------------------- small built cases


def vcalendar(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""])


def test_floating_time_is_read_in_the_business_time_zone():
    text = vcalendar("BEGIN:VEVENT", "UID:f", "DTSTART:20251015T090000", "DTEND:20251015T100000", "END:VEVENT")
    [row] = events(parse_text(text))
    assert row["start_at"] == utc(2025, 10, 15, 1)
    [row] = events(parse_text(text, Settings(business_timezone="Europe/Berlin")))
    assert row["start_at"] == utc(2025, 10, 15, 7)


def test_unknown_tzid_without_vtimezone_falls_back_to_business_zone_and_says_so():
    text = vcalendar("BEGIN:VEVENT", "UID:u", "DTSTART;TZID=Head Office:20251015T090000", "END:VEVENT")
    result = parse_text(text)
    [row] = events(result)
    assert row["start_at"] == utc(2025, 10, 15, 1) and row["end_at"] == row["start_at"]
    assert row["tzid"] == "Head Office"
    [(record, reason)] = result.quarantined
    assert record == "VEVENT 1" and "TZID 'Head Office' is unknown" in reason and "Asia/Shanghai" in reason


def custom_zone_file(offset: str) -> str:
    return vcalendar(
        "BEGIN:VTIMEZONE", "TZID:Customized Time Zone", "BEGIN:STANDARD", "DTSTART:16010101T000000",
        f"TZOFFSETFROM:{offset}", f"TZOFFSETTO:{offset}", "END:STANDARD", "END:VTIMEZONE",
        "BEGIN:VEVENT", "UID:c", "DTSTART;TZID=Customized Time Zone:20251015T090000", "END:VEVENT",
    )  # fmt: skip


def test_custom_tzid_is_resolved_per_file_not_from_an_earlier_file():
    """Exchange's 'Customized Time Zone' means a different zone in each file; icalendar caches
    VTIMEZONEs process-wide, so the second file must not borrow the first file's offset."""
    [first] = events(parse_text(custom_zone_file("+0300")))
    [second] = events(parse_text(custom_zone_file("-0500")))
    assert first["start_at"] == utc(2025, 10, 15, 6)
    assert second["start_at"] == utc(2025, 10, 15, 14)


def test_horizon_is_latest_timestamp_plus_400_days():
    """An endless daily series stops at DTSTAMP (2025-03-01) + 400 days = 2026-04-05 00:00 UTC."""
    text = vcalendar(
        "BEGIN:VEVENT", "UID:d", "DTSTAMP:20250301T000000Z", "DTSTART;TZID=Asia/Shanghai:20250101T090000",
        "DURATION:PT30M", "RRULE:FREQ=DAILY", "END:VEVENT",
    )  # fmt: skip
    rows = events(parse_text(text))
    assert len(rows) == 365 + 94
    assert rows[-1]["occurrence_key"] == "2026-04-04T01:00:00Z"
    assert rows[-1]["end_at"] == utc(2026, 4, 4, 1, 30)


def test_dense_endless_series_is_truncated_at_the_cap_quickly():
    text = vcalendar(
        "BEGIN:VEVENT",
        "UID:m",
        "DTSTAMP:20250301T000000Z",
        "DTSTART:20250101T000000Z",
        "RRULE:FREQ=MINUTELY",
        "END:VEVENT",
    )
    started = time.process_time()
    result = parse_text(text)
    assert time.process_time() - started < 10
    rows = events(result)
    assert len(rows) == MAX_OCCURRENCES == 10_000
    assert rows[0]["occurrence_key"] == "2025-01-01T00:00:00Z"
    assert rows[-1]["occurrence_key"] == "2025-01-07T22:39:00Z"  # minute 9999
    assert result.quarantined == [("VEVENT 1", "series truncated at 10000 occurrences")]


def test_missing_end_lines_and_bad_folding_are_tolerated():
    """No END:VEVENT/END:VCALENDAR, LF endings, a description wrapped without the leading space."""
    text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:t\nDTSTART:20251015T020000Z\nDESCRIPTION:Zoom 会议\nMeeting ID: 812 3456 7890\n"
    [row] = events(parse_text(text))
    assert row["start_at"] == utc(2025, 10, 15, 2)
    assert row["online_meeting_id"] == "81234567890"


def test_html_login_page_saved_as_ics_is_a_parse_error():
    html = b"<!DOCTYPE html>\n<html><head><title>Sign in - Google Accounts</title></head><body></body></html>"
    with pytest.raises(ParseError, match="HTML"):
        parse_bytes(html, "calendar/basic.ics", SHANGHAI)


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", b"BEGIN:VCARD\r\nFN:Li Na\r\nEND:VCARD\r\n"])
def test_empty_or_non_calendar_file_is_a_parse_error(data):
    with pytest.raises(ParseError, match="calendar/x.ics"):
        parse_bytes(data, "calendar/x.ics", SHANGHAI)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://us02web.zoom.us/j/81234567890?pwd=AbCdEf123", "81234567890"),
        ("Join: https://company.zoom.com.cn/j/6123456789", "6123456789"),
        ("Meeting ID: 812 3456 7890\nPasscode: 123456", "81234567890"),
        ("会议号：812 3456 7890", "81234567890"),
        ("Microsoft Teams\nMeeting ID: 123 456 789 012\nPasscode: Ab12Cd", "123456789012"),
        ("https://teams.microsoft.com/meet/29831234567890?p=xyz", "29831234567890"),
        ("Meeting number (access code): 2634 123 4567", "26341234567"),
        ("腾讯会议：123-456-789", "123456789"),
        ("飞书视频会议 https://vc.feishu.cn/j/987654321", "987654321"),
        ("Lark: https://vc.larksuite.com/j/123456789012?from=cal", "123456789012"),
        ("Room 3F, call +86 10 1234 5678", None),
        ("", None),
    ],
)
def test_online_meeting_id(text, expected):
    assert find_online_meeting_id(text) == expected


def test_online_meeting_id_takes_the_first_field_that_has_one():
    assert find_online_meeting_id("Room 3F", None, "Meeting ID: 987 6543 2100") == "98765432100"


@pytest.mark.parametrize(
    "tzid, zone",
    [
        ("China Standard Time", "Asia/Shanghai"),
        ('"W. Europe Standard Time"', "Europe/Berlin"),
        ("eastern standard time", "America/New_York"),
        ("/mozilla.org/20050126_1/America/New_York", "America/New_York"),
        ("/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("/Europe/Stockholm", "Europe/Stockholm"),
        ("Asia/Shanghai", "Asia/Shanghai"),
    ],
)
def test_known_zone(tzid, zone):
    assert known_zone(tzid) == zoneinfo.ZoneInfo(zone)


def test_known_zone_rejects_unknown_names():
    assert known_zone("Customized Time Zone") is None and known_zone("") is None


def test_windows_zone_table_is_complete_and_valid():
    """CLDR windowsZones has ~139 Windows ids; every target must exist in tzdata."""
    assert len(WINDOWS_ZONES) >= 135
    for name, iana in {**WINDOWS_ZONES, **LEGACY}.items():
        assert zoneinfo.ZoneInfo(iana), name
    assert iana_for_windows("Tokyo Standard Time") == "Asia/Tokyo"
    assert iana_for_windows("Singapore Standard Time") == "Asia/Singapore"


# --------------------------------------------------------------------------- real exports


@pytest.mark.corpus
def test_apple_ical_exdate_with_tzid_removes_two_of_seven(corpora):
    """Apple iCal 2.0: daily COUNT=7 at 12:00 Brisbane, EXDATE 3 and 4 January: 5 rows."""
    result = parse_corpus(corpora, "ical4j/valid/EXDATE.ics")
    check_contract(result)
    assert [r["occurrence_key"] for r in events(result)] == [
        "2006-01-01T02:00:00Z", "2006-01-02T02:00:00Z", "2006-01-05T02:00:00Z", "2006-01-06T02:00:00Z", "2006-01-07T02:00:00Z",
    ]  # fmt: skip
    assert events(result)[0]["end_at"] == utc(2006, 1, 1, 3)  # DURATION:PT1H


@pytest.mark.corpus
def test_exdate_in_utc_against_a_chicago_series_across_dst(corpora):
    """Weekly 05:15 Chicago until 2009-01-02, two EXDATEs written in UTC: 87 - 2 = 85 rows;
    after the November DST change 05:15 CST is 11:15 UTC."""
    result = parse_corpus(corpora, "ical4j/valid/EXDATE-IN-UTC.ics")
    keys = [r["occurrence_key"] for r in events(result)]
    assert len(keys) == 85
    assert keys[:2] == ["2007-05-08T10:15:00Z", "2007-05-29T10:15:00Z"]
    assert "2007-05-15T10:15:00Z" not in keys and "2007-05-22T10:15:00Z" not in keys
    assert "2007-11-06T11:15:00Z" in keys and keys[-1] == "2008-12-30T11:15:00Z"


@pytest.mark.corpus
def test_thunderbird_moved_occurrence_keeps_its_recurrence_id_as_key(corpora):
    """Lightning: the 8 March 02:00 Berlin occurrence moved to 01:00 (00:00 UTC)."""
    result = parse_corpus(corpora, "recurring-ical-events/recurring_events_moved.ics")
    rows = by_key(result, "a0c78729-30b1-4ba3-a86e-6aedd995d788")
    assert sorted(rows) == [
        "2019-03-07T01:00:00Z",
        "2019-03-08T01:00:00Z",
        "2019-03-09T01:00:00Z",
        "2019-03-10T01:00:00Z",
    ]
    moved = rows["2019-03-08T01:00:00Z"]
    assert moved["start_at"] == utc(2019, 3, 8, 0) and moved["is_override"] and moved["record"] == "VEVENT 4"


@pytest.mark.corpus
def test_khal_cancelled_recurrence_is_kept_with_status_cancelled(corpora):
    result = parse_corpus(corpora, "khal/event_rrule_recuid_cancelled.ics")
    rows = by_key(result, "event_rrule_recurrence_id")
    assert len(rows) == 6
    assert rows["2014-07-14T05:00:00Z"]["status"] == "CANCELLED"
    assert rows["2014-07-07T05:00:00Z"]["start_at"] == utc(2014, 7, 7, 7)  # moved from 07:00 to 09:00 Berlin


@pytest.mark.corpus
@pytest.mark.parametrize(
    "rel, tzid, start",
    [
        ("icalendar/calendars/issue_836_do_not_quote_tzid.ics", "Eastern Standard Time", utc(2024, 10, 28, 21)),
        ("icalendar/calendars/timezone_same_start.ics", "Pacific Standard Time", utc(2017, 2, 24, 20)),
        ("khal/tz_windows_format.ics", "New Zealand Standard Time", utc(2019, 11, 20, 0)),
    ],
)
def test_exchange_windows_zone_names(corpora, rel, tzid, start):
    """Exchange 2010 / khal: Windows zone names (one quoted); EDT, PST and NZDT applied."""
    result = parse_corpus(corpora, rel)
    [row] = events(result)
    assert (row["tzid"], row["start_at"]) == (tzid, start)
    assert result.quarantined == []


@pytest.mark.corpus
def test_globally_unique_tzids_of_evolution_and_lightning(corpora):
    result = parse_corpus(corpora, "icalendar/calendars/issue_313_globally_unique_tzid.ics")
    starts = {r["tzid"]: r["start_at"] for r in events(result)}
    assert starts == {
        "/freeassociation.sourceforge.net/Europe/Berlin": utc(2020, 4, 26, 12),
        "/mozilla.org/20070129_1/America/New_York": utc(2020, 4, 26, 18),
        "/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires": utc(2020, 4, 26, 17),
    }


@pytest.mark.corpus
def test_lotus_notes_custom_tzid_attendees_and_organizer(corpora):
    """Lotus Notes 6 (CalConnect): TZID 'Eastern' defined only by its VTIMEZONE; 09:00 EDT."""
    result = parse_corpus(corpora, "ical4j/valid/calconnect.ics")
    rows = events(result)
    assert [r["start_at"] for r in rows] == [utc(2005, 4, d, 13) for d in range(11, 16)]
    assert rows[0]["organizer_email"] == "icalchair@coffeebean.com"  # written iCalChair@
    assert rows[0]["organizer_name"] == "iCal Chair/CoffeeBean"
    first = [a for a in result.rows[ATTENDEES] if a["occurrence_key"] == "2005-04-11T13:00:00Z"]
    assert [(a["email"], a["role"], a["partstat"]) for a in first] == [
        ("icalchair@coffeebean.com", "CHAIR", "ACCEPTED"),
        ("icalparticipant@coffeebean.com", "REQ-PARTICIPANT", "NEEDS-ACTION"),
    ]


@pytest.mark.corpus
def test_outlook_all_day_holidays(corpora):
    """Outlook 12 holiday export: VALUE=DATE events start at Shanghai midnight."""
    result = parse_corpus(corpora, "recurring-ical-events/Germany.ics")
    rows = events(result)
    assert len(rows) == 159 and all(r["is_all_day"] for r in rows)
    assert (rows[0]["summary"], rows[0]["occurrence_key"]) == ("Germany: New Years Day", "2008-01-01")
    assert (rows[0]["start_at"], rows[0]["end_at"]) == (utc(2007, 12, 31, 16), utc(2008, 1, 1, 16))


@pytest.mark.corpus
def test_google_x_wr_timezone_utc_series_follows_the_calendar_dst(corpora):
    """Google writes this biweekly series in UTC (14:00Z) with X-WR-TIMEZONE Europe/Kiev: it
    repeats at 17:00 Kiev time, so at 15:00 UTC once Kiev leaves summer time."""
    result = parse_corpus(corpora, "node-ical/biweekly-exdate-until.ics")
    keys = set(by_key(result, "1234567-ABCD-ABCD-ABCD-123456789012"))
    assert {"2017-08-14T14:00:00Z", "2017-10-24T14:00:00Z", "2017-11-06T15:00:00Z"} <= keys


@pytest.mark.corpus
def test_google_endless_weekly_series_stops_at_the_horizon(corpora):
    """Mondays 11:30 Lisbon, no end; DTSTAMP 2020-10-26 + 400 days -> last 2021-11-29; a Zoom
    id inside an HTML description."""
    result = parse_corpus(corpora, "recurring-ical-events/issue_48_daylight_aware_repeats.ics")
    rows = events(result)
    assert len(rows) == 63
    assert (rows[0]["occurrence_key"], rows[-1]["occurrence_key"]) == ("2020-09-21T10:30:00Z", "2021-11-29T11:30:00Z")
    assert rows[0]["online_meeting_id"] == "93800310242"


@pytest.mark.corpus
def test_google_full_export_is_fast_and_keeps_attendees(corpora):
    """The 1.6 MB Google export: 4778 VEVENTs, 512 ATTENDEE lines (50 of them inside email
    alarms, which are not participants)."""
    path = corpora / "calendar-ics" / "recurring-ical-events/benchmark/issue42.ics"
    started = time.process_time()
    result = parse(SourceFile(path=path, rel="issue42.ics", kind="calendar"), SHANGHAI)
    assert time.process_time() - started < 8
    check_contract(result)
    assert result.quarantined == []
    people = result.rows[ATTENDEES]
    assert Counter(a["partstat"] for a in people) == {"ACCEPTED": 298, "NEEDS-ACTION": 164}
    team_day = [r for r in events(result) if r["record"] == "VEVENT 1256"]
    assert len(team_day) == 1
    assert (team_day[0]["start_at"], team_day[0]["end_at"]) == (utc(2016, 6, 10, 6), utc(2016, 6, 10, 16))
    assert team_day[0]["organizer_email"] == "csilla.baski@knorr-bremse.com"
    assert team_day[0]["location"] == "Szigetmonostor"
    assert sum(a["record"] == "VEVENT 1256" for a in people) == 104


@pytest.mark.corpus
def test_same_sequence_newest_dtstamp_wins_and_the_older_is_noted(corpora):
    """ical4j incoming.ics: two REQUESTs with SEQUENCE 2; the later DTSTAMP (19:00 pool party)
    wins, the earlier is quarantined as superseded, METHOD:REPLY/CANCEL parts lack DTSTART."""
    result = parse_corpus(corpora, "ical4j/valid/incoming.ics")
    [row] = events(result)
    assert (row["record"], row["summary"], row["start_at"]) == ("VEVENT 2", "Pool party", utc(1997, 7, 1, 19))
    reasons = dict(result.quarantined)
    assert reasons["VEVENT 1"].startswith("superseded by a VEVENT with the same UID")
    assert reasons["VEVENT 4"] == "missing DTSTART"
    assert "VEVENT 4" in startless(result)  # loaded without a start, and listed in quarantine


@pytest.mark.corpus
def test_ical4j_invalid_files_load_leniently(corpora):
    """KOrganizer with lower-case names (BEGIN:Vcalendar, pRoDiD, Cn=); a Mozilla file that
    breaks the line after each property name ('DTSTART\\n :2004...')."""
    lower = parse_corpus(corpora, "ical4j/invalid/korganizer-lowercase.ics")
    assert [r["occurrence_key"] for r in events(lower)] == ["2005-01-16", "2006-01-16"]
    assert events(lower)[0]["organizer_email"] == "tom@eastmond.org"
    folded = parse_corpus(corpora, "ical4j/invalid/CalendarDataFile.ics")
    rows = events(folded)
    assert len(rows) == 449 and rows[0]["start_at"] == utc(2004, 9, 24, 13, 5) and rows[0]["status"] == "TENTATIVE"


@pytest.mark.corpus
def test_bom_and_todo_only_files_explain_themselves(corpora):
    bom = parse_corpus(corpora, "icalendar/calendars/bom_calendar.ics")
    assert bom.rows == {} and bom.quarantined == [("VCALENDAR", "the calendar holds no VEVENT")]
    todo = parse_corpus(corpora, "icalendar/todos/example.ics")
    assert todo.quarantined == [("VTODO 1", "VTODO is not an event")]


@pytest.mark.corpus
def test_every_corpus_file_loads_or_explains_itself(corpora):
    """All 410 files: rows, or quarantine reasons, or ParseError; never another exception."""
    files = sorted((corpora / "calendar-ics").rglob("*.ics"))
    assert len(files) == 410
    outcome = Counter()
    for path in files:
        rel = path.relative_to(corpora).as_posix()
        try:
            result = parse(SourceFile(path=path, rel=rel, kind="calendar"), SHANGHAI)
        except ParseError as exc:
            assert rel in str(exc)
            outcome["ParseError"] += 1
            continue
        check_contract(result)
        assert result.row_count or result.quarantined, rel
        assert all(reason for _, reason in result.quarantined), rel
        unusable = startless(result)
        reasons = dict(result.quarantined)
        assert all(
            reasons[record].split(":")[0]
            in ("missing DTSTART", "unparseable DTSTART", "DTSTART outside the years 2-9000")
            for record in unusable
        ), rel
        outcome["start-less rows"] += len(unusable)
        if events(result):
            outcome["occurrences"] += 1
        else:
            outcome["start-less events only" if unusable else "quarantine only"] += 1
    # Many library test files hold VEVENTs without DTSTART, or only VTODO/VTIMEZONE parts. Since
    # "nothing disappears silently", a VEVENT without a usable start loads (one row without start)
    # and is listed in quarantine: 94 such VEVENTs (82 without DTSTART, 12 with one that cannot be
    # read, e.g. icalendar's broken_ical.ics 'DTSTART;;VALUE=DATE-TIME:...'); 41 of the 89 files
    # that used to be "quarantine only" hold nothing else (checked by hand: every VEVENT block
    # of those files lacks a readable DTSTART line).
    assert outcome == {
        "occurrences": 314,
        "start-less events only": 41,
        "quarantine only": 48,
        "start-less rows": 94,
        "ParseError": 7,
    }


# --------------------------------------------------------------------------- properties


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_gives_a_result_or_a_parse_error(text):
    try:
        result = parse_bytes(text.encode("utf-8"), "calendar/fuzz.ics", SHANGHAI)
    except ParseError:
        return
    check_contract(result)


_LINES = st.sampled_from(
    [
        "BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VTODO", "END:VTODO",
        "BEGIN:VALARM", "END:VALARM", "BEGIN:VTIMEZONE", "END:VTIMEZONE", "BEGIN:STANDARD", "END:STANDARD",
        "TZID:Customized Time Zone", "TZOFFSETFROM:+0800", "TZOFFSETTO:+0800", "TZOFFSETTO:+5744",
        "X-WR-TIMEZONE:Asia/Shanghai", "X-WR-TIMEZONE:Mars/Olympus",
        "UID:a", "UID:b", "SEQUENCE:1", "SEQUENCE:x", "STATUS:CANCELLED",
        "DTSTART:20251015T020000Z", "DTSTART:20251015", "DTSTART;VALUE=DATE:20251015", "DTSTART:2025-10-15",
        "DTSTART;TZID=China Standard Time:20251015T100000", "DTSTART;TZID=Customized Time Zone:20251015T100000",
        "DTSTART;TZID=Nowhere:20251015T100000", "DTSTART:00001231T000000Z", "DTEND:20251015T030000Z",
        "DTEND:20251014T030000Z", "DURATION:PT1H", "DURATION:PT-2H", "DURATION:P1D",
        "RRULE:FREQ=WEEKLY;COUNT=5", "RRULE:FREQ=DAILY;UNTIL=20251101T000000Z", "RRULE:FREQ=DAILY",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", "RRULE:FREQ=BOGUS", "RRULE:FREQ=DAILY;UNTIL=20240101",
        "RDATE:20251020T020000Z", "RDATE;VALUE=PERIOD:20251021T020000Z/PT2H", "RDATE:garbage",
        "EXDATE:20251022T020000Z", "EXDATE;VALUE=DATE:20251023", "EXDATE:garbage",
        "RECURRENCE-ID:20251022T020000Z", "RECURRENCE-ID;RANGE=THISANDFUTURE:20251029T020000Z",
        "RECURRENCE-ID:nonsense", "ORGANIZER;CN=A:mailto:A@X.EXAMPLE", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@y",
        "ATTENDEE;CN=\"Q, R\":MAILTO:", "LOCATION:https://zoom.us/j/81234567890", "DESCRIPTION:会议号：812 3456 7890",
        " folded continuation", "garbage line without colon", "",
    ]
)  # fmt: skip


@st.composite
def _calendars(draw) -> list[str]:
    """A VCALENDAR of VEVENTs built from the lines above, some lines missing or out of place."""
    lines = ["BEGIN:VCALENDAR"]
    for _ in range(draw(st.integers(0, 4))):
        body = [
            draw(st.sampled_from(["UID:a", "UID:b", "UID:c"])),
            draw(_LINES.filter(lambda x: x.startswith("DTSTART"))),
        ]
        body += draw(st.lists(_LINES, max_size=8))
        lines += ["BEGIN:VEVENT", *draw(st.permutations(body)), *draw(st.sampled_from([["END:VEVENT"], []]))]
    return lines + draw(st.sampled_from([["END:VCALENDAR"], []]))


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(_LINES, max_size=40), _calendars()))
def test_icalendar_shaped_noise_gives_a_result_or_a_parse_error(lines):
    """Whatever the lines, a result or ParseError; and every VEVENT either gave rows or has a
    reason in quarantine (nothing silent)."""
    try:
        result = parse_bytes("\r\n".join(lines).encode("utf-8"), "calendar/fuzz.ics", SHANGHAI)
    except ParseError:
        return
    check_contract(result)
    explained = {r["record"] for r in events(result)} | {record for record, _ in result.quarantined}
    assert {f"VEVENT {n}" for n in range(1, lines.count("BEGIN:VEVENT") + 1)} <= explained

"""Zoom and Teams attendance reports: sessions with UTC join/leave times, odd rows quarantined."""

from collections import Counter
from pathlib import Path

import pytest
from ingest_tools import raw_columns, utc

from aemetrics.config import Settings
from aemetrics.ingest import attendance
from aemetrics.ingest.base import ParseError, SourceFile

ROOT = Path(__file__).resolve().parents[2]
MA = "meeting-attendance"


def parse(path: Path, tz: str | None = None):
    result = attendance.parse(
        SourceFile(path=path, rel=f"attendance/{path.name}", kind="attendance"), Settings(attendance_timezone=tz)
    )
    cols = raw_columns("raw_attendance")
    assert all(set(r) == cols for r in result.rows.get("raw_attendance", []))
    return result


def rows(result) -> dict[str, dict]:
    return {r["record"]: r for r in result.rows.get("raw_attendance", [])}


# --- Zoom --------------------------------------------------------------------------------


@pytest.mark.corpus
def test_zoom_plain_report_one_row_per_join_including_rejoins(corpora):
    result = parse(corpora / MA / "zoom/participants_heroes.csv", tz="America/New_York")
    got = rows(result)
    assert len(got) == 31 and result.quarantined == [] and result.parser == "zoom"
    loki = got["line 2"]
    assert (loki["participant_name"], loki["participant_email"]) == (
        "015_Loki (Loki Laufeyson)",
        "loki_asgardian@marvel.com",
    )
    assert loki["join_at"] == utc(2021, 11, 19, 14, 54, 15)  # 09:54:15 AM EST
    assert loki["leave_at"] == utc(2021, 11, 19, 17, 1, 59)  # 12:01:59 PM EST
    assert loki["duration_minutes"] == 128.0 and loki["platform"] == "zoom"
    assert loki["meeting_id"] is None and loki["meeting_start_at"] is None  # the plain layout names no meeting
    power_girl = [r for r in got.values() if r["participant_email"] == "power-girl_kryptonian@dc.com"]
    assert [(r["record"], r["join_at"]) for r in power_girl] == [
        ("line 5", utc(2021, 11, 19, 15, 8, 26)),
        ("line 16", utc(2021, 11, 19, 15, 11, 31)),
    ]


@pytest.mark.corpus
def test_zoom_summary_block_and_non_padded_hours(corpora):
    """The full export: meeting summary, blank ',,,,,,' row, then participants; '9:54:15 AM'."""
    full = rows(parse(corpora / MA / "zoom/participants_heroes_full.csv"))
    plain = rows(parse(corpora / MA / "zoom/participants_heroes.csv"))
    assert len(full) == 31
    loki = full["line 5"]
    assert (loki["meeting_id"], loki["topic"], loki["organizer_email"]) == (
        "60245167821",
        "Heroes meeting",
        "green-goblin_human@marvel.com",
    )
    assert (loki["meeting_start_at"], loki["meeting_end_at"]) == (
        utc(2021, 11, 19, 2),
        utc(2021, 11, 19, 4),
    )  # Asia/Shanghai default
    assert loki["join_at"] == plain["line 2"]["join_at"] == utc(2021, 11, 19, 1, 54, 15)  # '9:54:15' == '09:54:15'
    assert sorted(r["join_at"] for r in full.values()) == sorted(r["join_at"] for r in plain.values())


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name, count, first, last",
    [
        ("ja_example.csv", 204, ("太郎1", utc(2020, 12, 7, 23, 35), utc(2020, 12, 8, 3, 39), 245.0), "line 205"),
        ("ja_example2.csv", 114, ("次郎1", utc(2020, 12, 7, 23, 55), utc(2020, 12, 8, 3, 41), 226.0), "line 115"),
    ],
)
def test_zoom_japanese_headers_are_mapped(corpora, name, count, first, last):
    """名前 (元の名前) / ユーザーメール / 参加時刻 / 退出時刻 / 所要時間（分）; 'yyyy/m/d H:mm' in Tokyo."""
    result = parse(corpora / MA / "zoom" / name, tz="Asia/Tokyo")
    got = rows(result)
    assert len(got) == count and result.quarantined == [] and list(got)[-1] == last
    row = got["line 2"]
    assert (row["participant_name"], row["join_at"], row["leave_at"], row["duration_minutes"]) == first
    assert row["participant_email"] is None  # 'taro1…' is a truncated address, not an address


def test_zoom_report_with_spaced_meeting_id_and_bad_rows(fixtures):
    result = parse(fixtures / "attendance/zoom_summary_812.csv")
    got = rows(result)
    assert list(got) == ["line 5", "line 6", "line 7"]
    assert {r["meeting_id"] for r in got.values()} == {"81234567890"}  # '812 3456 7890'
    assert {r["organizer_email"] for r in got.values()} == {"li.wei@adagency.cn"}
    li = got["line 5"]
    assert li["join_at"] == utc(2024, 3, 5, 1, 3, 12) and li["meeting_start_at"] == utc(2024, 3, 5, 1)
    assert got["line 7"]["participant_name"] == "Wang, Fang (Acme)" and got["line 7"]["leave_at"] == utc(
        2024, 3, 5, 4, 0, 1
    )
    assert result.quarantined == [
        ("line 8", "leave time 2024-03-05T01:20:00+00:00 is before join time 2024-03-05T01:40:00+00:00"),
        ("line 9", "join time '3/5/2024 13:05:00 PM': hour 13 with AM/PM"),
    ]


# --- Teams -------------------------------------------------------------------------------


@pytest.mark.corpus
def test_teams_utf16_event_log_is_paired_into_sessions(corpora):
    """Joined/Left events per person, 24-hour 'dd/mm/yyyy, HH:MM:SS' (an Austrian school: 11 Dec 2020)."""
    result = parse(corpora / MA / "teams/meetingAttendanceList_utf16.csv", tz="Europe/Vienna")
    got = rows(result)
    assert result.parser == "teams-events" and result.quarantined == []
    assert len(got) == 19  # 38 events, all paired
    assert Counter(r["participant_name"] for r in got.values()) == {
        "Mustermann Max": 4,
        "Musterfrau Franziska": 3,
        "Huber Uwe": 4,
        "Müller Franz": 2,
        "Müller Hans": 6,
    }
    first = got["line 2"]
    assert (first["join_at"], first["leave_at"]) == (utc(2020, 12, 11, 11, 27, 24), utc(2020, 12, 11, 11, 45, 18))
    assert first["duration_minutes"] == pytest.approx(17.9) and first["platform"] == "teams"
    assert got["line 38"]["participant_name"] == "Müller Hans"
    assert (got["line 38"]["join_at"], got["line 38"]["leave_at"]) == (
        utc(2020, 12, 11, 14, 57, 29),
        utc(2020, 12, 11, 14, 57, 36),
    )
    assert all(r["join_at"] < r["leave_at"] for r in got.values())


def test_teams_event_log_unpaired_events_and_bad_lines(fixtures):
    """No BOM (found by NUL bytes); 'Joined before'; a second join without a leave; a leave
    without a join; an unknown action and an impossible minute are quarantined."""
    result = parse(fixtures / "attendance/teams_events_nobom.csv")
    got = rows(result)
    assert [(r["participant_name"], r["join_at"], r["leave_at"]) for r in got.values()] == [
        ("Li Wei", utc(2024, 3, 5, 0, 59, 40), utc(2024, 3, 5, 2, 1)),  # 'Joined before' pairs like 'Joined'
        ("Wang Fang", utc(2024, 3, 5, 1, 4, 30), utc(2024, 3, 5, 1, 30)),
        ("Wang Fang", utc(2024, 3, 5, 1, 35), None),  # still in the meeting when the list was saved
        ("Zhao Lei", None, utc(2024, 3, 5, 1, 20)),  # there before the list started
        ("Zhao Lei", utc(2024, 3, 5, 1, 25), None),
        ("Zhao Lei", utc(2024, 3, 5, 1, 45), utc(2024, 3, 5, 1, 50)),
    ]
    assert list(got) == ["line 2", "line 3", "line 6", "line 7", "line 8", "line 9"]
    assert result.quarantined == [
        ("line 11", "unknown User Action 'Raised hand' (expected Joined, Joined before or Left)"),
        ("line 12", "Timestamp '3/5/2024, 9:71:00 AM': minute must be in 0..59"),
    ]


def test_teams_new_layout_summary_participants_and_activities(fixtures):
    result = parse(fixtures / "attendance/teams_report_new_layout.csv")
    got = rows(result)
    assert result.parser == "teams-report"
    # sessions from '3. In-Meeting Activities'; Zhao Lei has none, so his Participants row loads
    assert [(r["record"], r["participant_name"], r["role"]) for r in got.values()] == [
        ("line 17", "Li Wei", "Organizer"),
        ("line 18", "Wang Fang", "Presenter"),
        ("line 19", "Wang Fang", "Presenter"),
        ("line 13", "Zhao Lei (Guest)", "Attendee"),
    ]
    li = got["line 17"]
    assert (li["topic"], li["organizer_email"], li["participant_email"]) == (
        "Acme Q2 media plan review",
        "li.wei@adagency.cn",
        "li.wei@adagency.cn",
    )
    assert (li["meeting_start_at"], li["meeting_end_at"]) == (utc(2024, 3, 5, 1, 0, 12), utc(2024, 3, 5, 2, 1))
    assert li["duration_minutes"] == pytest.approx(60.8)  # '1h 0m 48s'
    assert got["line 19"]["join_at"] == utc(2024, 3, 5, 1, 35) and got["line 13"]["participant_email"] is None
    assert result.quarantined == [
        ("line 20", "leave time 2024-03-05T01:58:30+00:00 is before join time 2024-03-05T01:59:00+00:00")
    ]


# --- time parsing and layouts ------------------------------------------------------------


def test_day_month_order_is_decided_per_file():
    assert attendance.infer_dayfirst(["13/05/2024 9:00", "1/05/2024 9:00"], default=False) is True
    assert attendance.infer_dayfirst(["05/13/2024 9:00"], default=True) is False
    assert attendance.infer_dayfirst(["3/5/2024 9:03:12 AM"], default=True) is False  # AM/PM: US order
    assert attendance.infer_dayfirst(["3/5/2024 9:03"], default=True) is True
    with pytest.raises(ParseError, match="day/month and month/day"):
        attendance.infer_dayfirst(["13/05/2024 9:00", "05/13/2024 9:00"], default=False)


def test_local_time_formats():
    from zoneinfo import ZoneInfo

    sh = ZoneInfo("Asia/Shanghai")
    assert attendance.parse_local("2024/03/05 9:03", sh, False) == utc(2024, 3, 5, 1, 3)
    assert attendance.parse_local("3/5/2024 12:03:12 AM", sh, False) == utc(2024, 3, 4, 16, 3, 12)
    assert attendance.parse_local("7/22/26, 7:02:11 PM", sh, False) == utc(2026, 7, 22, 11, 2, 11)
    assert attendance.parse_local("11.12.2020, 12:27:24", sh, False) == utc(2020, 12, 11, 4, 27, 24)  # dots: d.m.y
    assert attendance.parse_local("", sh, False) is None
    for bad in ("2024/02/30 9:00", "next tuesday", "3/5/2024 0:10 PM"):
        with pytest.raises(ValueError):
            attendance.parse_local(bad, sh, False)
    assert attendance.parse_minutes("1h 27m 51s") == pytest.approx(87.85)
    assert attendance.parse_minutes("00:47:03") == pytest.approx(47.05)


def test_a_csv_that_is_no_attendance_report_is_a_parse_error(fixtures):
    with pytest.raises(ParseError, match="unknown attendance report layout"):
        parse(fixtures / "crm/canonical/users.csv")


@pytest.mark.corpus
def test_every_corpus_csv_is_rows_quarantine_or_parse_error(corpora):
    """All 33 CSVs of every corpus fed to the attendance parser: only the 5 reports load."""
    loaded = []
    for path in sorted(corpora.rglob("*.csv")):
        try:
            result = parse(path)
        except ParseError as exc:
            assert str(exc)
            continue
        assert result.rows or result.quarantined, path
        if result.rows:
            loaded.append(path.relative_to(corpora).as_posix())
    assert loaded == [
        f"{MA}/teams/meetingAttendanceList_utf16.csv",
        f"{MA}/zoom/ja_example.csv",
        f"{MA}/zoom/ja_example2.csv",
        f"{MA}/zoom/participants_heroes.csv",
        f"{MA}/zoom/participants_heroes_full.csv",
    ]

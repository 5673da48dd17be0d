"""Tencent Meeting and Feishu participant exports (issue 12 items 1-2). The .xlsx fixtures in
tests/fixtures/attendance/cn were written by xlsx_writer.py (run it to regenerate); values checked by
hand. The old engine rejected every one of these files (no .xlsx reader; unknown CSV layout)."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from ingest_tools import raw_columns, utc
from xlsx_writer import FEISHU, TENCENT_DETAIL, TENCENT_OVERVIEW, write_xlsx

from aemetrics.config import Settings
from aemetrics.ingest import attendance
from aemetrics.ingest.base import ParseError, SourceFile
from aemetrics.ingest.meeting_cn import parse_cn_minutes, parse_cn_time

CN = Path(__file__).resolve().parents[1] / "fixtures" / "attendance" / "cn"


def parse(path: Path, rel: str | None = None):
    return attendance.parse(SourceFile(path=path, rel=rel or f"attendance/{path.name}", kind="attendance"), Settings())


def test_tencent_two_sheets_sessions_from_the_detail_sheet():
    result = parse(CN / "tencent-brandco.xlsx")
    assert result.parser == "tencent-meeting" and result.quarantined == []
    rows = result.rows["raw_attendance"]
    assert set(rows[0]) == raw_columns("raw_attendance")
    got = [
        (r["record"], r["participant_name"], r["join_at"], r["leave_at"], r["duration_minutes"], r["role"])
        for r in rows
    ]
    assert got == [
        ("row 2 (成员参会明细)", "小李(李伟)", utc(2024, 1, 8, 1, 58, 30), utc(2024, 1, 8, 2, 30), 31.5, "主持人"),
        ("row 3 (成员参会明细)", "小李(李伟)", utc(2024, 1, 8, 2, 33), utc(2024, 1, 8, 3, 2), 29.0, "主持人"),
        ("row 4 (成员参会明细)", "陈静", utc(2024, 1, 8, 2, 1), utc(2024, 1, 8, 3, 0), 59.0, "普通参会者"),
        # no detail row: from the overview; '--' = still in
        ("row 12 (成员参会概况)", "王芳", utc(2024, 1, 8, 2, 20), None, None, "联席主持人"),
    ]
    assert {(r["platform"], r["meeting_id"], r["topic"], r["meeting_start_at"], r["meeting_end_at"]) for r in rows} == {
        ("tencent", "123456789", "BrandCo 周会", utc(2024, 1, 8, 2), utc(2024, 1, 8, 3))
    }


def test_tencent_saved_as_csv_half_width_colons_gbk(tmp_path):
    lines = [",".join(str(c) for c in r) for r in TENCENT_OVERVIEW]
    text = "\r\n".join(lines).replace("：", ":") + "\r\n"
    path = tmp_path / "report.csv"
    path.write_bytes(text.encode("gb18030"))
    result = parse(path)
    assert result.parser == "tencent-meeting" and result.quarantined == []
    rows = result.rows["raw_attendance"]
    assert [(r["record"], r["participant_name"], r["join_at"]) for r in rows] == [
        ("line 10", "小李(李伟)", utc(2024, 1, 8, 1, 58, 30)),
        ("line 11", "陈静", utc(2024, 1, 8, 2, 1)),
        ("line 12", "王芳", utc(2024, 1, 8, 2, 20)),
    ]
    assert rows[0]["meeting_id"] == "123456789" and rows[0]["duration_minutes"] == 58.5


def test_tencent_broken_rows_quarantined(tmp_path):
    overview = [list(r) for r in TENCENT_OVERVIEW]
    overview[9][1] = "2024-02-30 09:00:00"  # impossible date
    overview[10][2] = "2024-01-08 09:00:00"  # leaves before joining
    overview.insert(7, ["导出时间", "x", "y"])  # a line above the table that is no summary line
    path = write_xlsx(tmp_path / "t.xlsx", [("成员参会概况", overview), ("成员参会明细", TENCENT_DETAIL[:1])])
    result = parse(path)
    reasons = dict(result.quarantined)
    assert set(reasons) == {"row 8 (成员参会概况)", "row 11 (成员参会概况)", "row 12 (成员参会概况)"}
    assert "join time '2024-02-30 09:00:00'" in reasons["row 11 (成员参会概况)"]
    assert "before join time" in reasons["row 12 (成员参会概况)"]
    assert [r["participant_name"] for r in result.rows["raw_attendance"]] == ["王芳"]


def test_feishu_offsets_ids_and_durations():
    result = parse(CN / "feishu-drinkco.xlsx")
    assert result.parser == "feishu-meeting" and result.quarantined == []
    rows = result.rows["raw_attendance"]
    got = [
        (
            r["participant_name"],
            r["participant_email"],
            r["join_at"],
            r["leave_at"],
            round(r["duration_minutes"], 2),
            r["meeting_id"],
            r["topic"],
        )
        for r in rows
    ]
    assert got == [
        (
            "李伟",
            "li.wei@adagency.cn",
            utc(2022, 7, 21, 3, 4, 52),
            utc(2022, 7, 21, 4, 0, 10),
            55.3,
            "6912345678",
            "DrinkCo 复盘",
        ),
        ("刘洋", None, utc(2022, 7, 21, 3, 0, 5), utc(2022, 7, 21, 4, 1), 60.92, "6912345678", "DrinkCo 复盘"),
    ]


def test_feishu_csv_without_space_in_meeting_id_and_broken_rows(tmp_path):
    header = [h.replace("会议 ID", "会议ID") for h in FEISHU[0]]
    rows = [header, FEISHU[1], list(FEISHU[2])]
    rows[2][5] = "2022.07.21 25:00:05 (GMT+08:00)"
    path = tmp_path / "飞书.csv"
    path.write_text(
        "\n".join(",".join(str(c) for c in r) for r in rows) + "\nx,,,,,,,,,,,extra\n", encoding="utf-8-sig"
    )
    result = parse(path)
    assert result.parser == "feishu-meeting"
    assert [r["meeting_id"] for r in result.rows["raw_attendance"]] == ["6912345678"]
    assert dict(result.quarantined).keys() == {"line 3", "line 4"}


def test_not_a_meeting_workbook_and_not_a_workbook(tmp_path):
    with pytest.raises(ParseError, match="unknown attendance workbook layout"):
        parse(write_xlsx(tmp_path / "a.xlsx", [("Sheet1", [["a", "b"], [1, 2]])]))
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ParseError, match="cannot read the workbook"):
        parse(bad)


def test_values():
    tz = timezone(timedelta(hours=8))
    assert parse_cn_time("2022.07.21 11:04:52 (GMT+08:00)", UTC) == utc(2022, 7, 21, 3, 4, 52)
    assert parse_cn_time("2024/1/8 9:00", tz) == utc(2024, 1, 8, 1)
    assert parse_cn_time("--", tz) is None
    assert parse_cn_minutes("1小时2分钟3秒") == pytest.approx(62.05)
    assert parse_cn_minutes("45分钟") == 45 and parse_cn_minutes("01:00:30") == 60.5
    with pytest.raises(ValueError):
        parse_cn_minutes("很久")


def test_staff_meeting_names_column(tmp_path):
    """The old staff parser dropped the column (extra columns are ignored); raw_staff had no meeting_names."""
    from aemetrics.ingest import staff

    path = tmp_path / "staff.csv"
    path.write_text(
        "邮箱,姓名,会议昵称\nli.wei@adagency.cn,李伟,阿伟；小李\nwang.fang@adagency.cn,王芳,\n", encoding="utf-8"
    )
    rows = staff.parse(SourceFile(path=path, rel="staff.csv", kind="staff"), Settings()).rows["raw_staff"]
    assert [(r["email"], r["meeting_names"]) for r in rows] == [
        ("li.wei@adagency.cn", "阿伟；小李"),
        ("wang.fang@adagency.cn", None),
    ]
    assert set(rows[0]) == raw_columns("raw_staff")

"""Clock-in records for work_on_time (issue 11): the DingTalk 考勤报表 workbook and the canonical
attendance_clock CSV → raw_clock_ins. The old engine had no clock-in table: a DingTalk workbook
under attendance/ was rejected whole (not text) and attendance_clock.csv as an unknown layout."""

from datetime import date, datetime
from pathlib import Path

import pytest
from ingest_tools import raw_columns, utc
from xlsx_tools import write_xlsx

from aemetrics.config import Settings
from aemetrics.ingest import clock
from aemetrics.ingest.base import ParseError, SourceFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def parse(path: Path):
    assert clock.looks_like_clock(path)
    result = clock.parse(SourceFile(path=path, rel=f"attendance/{path.name}", kind="attendance"), Settings())
    cols = raw_columns("raw_clock_ins")
    assert all(set(r) == cols for r in result.rows.get("raw_clock_ins", [])), cols
    return result


HEADER = [
    "姓名",
    "考勤组",
    "部门",
    "工号",
    "职位",
    "UserId",
    "考勤日期",
    "考勤时间",
    "打卡时间",
    "打卡结果",
    "打卡地址",
    "打卡备注",
    "异常打卡原因",
    "打卡设备",
    "管理员修改备注",
]


def dingtalk_workbook(path: Path) -> Path:
    return write_xlsx(
        path,
        {
            "原始记录": [
                ["原始记录 统计日期：2025-10-09 至 2025-10-10"],
                ["报表生成时间：2025-10-11 10:00"],
                HEADER,
                [
                    "李伟",
                    "默认",
                    "客户部",
                    "A001",
                    "AE",
                    "0123456",
                    "25-10-09 星期四",
                    "上班 09:00",
                    "08:55",
                    "正常",
                    "上海市静安区",
                    "",
                    "",
                    "iPhone",
                    "",
                ],
                [
                    "李伟",
                    "默认",
                    "客户部",
                    "A001",
                    "AE",
                    "0123456",
                    "25-10-09 星期四",
                    "下班 18:30",
                    "18:40",
                    "正常",
                    "上海市静安区",
                    "",
                    "",
                    "iPhone",
                    "",
                ],
                [
                    "王芳",
                    "默认",
                    "客户部",
                    "A002",
                    "AE",
                    "0234567",
                    "25-10-09 星期四",
                    "上班 09:00",
                    "09:12",
                    "迟到",
                    "上海市静安区",
                    "",
                    "",
                    "Android",
                    "",
                ],
                [
                    "王芳",
                    "默认",
                    "客户部",
                    "A002",
                    "AE",
                    "0234567",
                    "25-10-10 星期五",
                    "上班 09:00",
                    "",
                    "缺卡",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "王芳",
                    "默认",
                    "客户部",
                    "A002",
                    "AE",
                    "0234567",
                    "25-10-10 星期五",
                    "下班 18:30",
                    "18:31",
                    "正常",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "张三",
                    "默认",
                    "客户部",
                    "",
                    "AE",
                    "",
                    "25-10-10 星期五",
                    "上班 09:00",
                    "10:05",
                    "外勤",
                    "客户现场",
                    "拜访客户",
                    "",
                    "",
                    "",
                ],
                [
                    "赵六",
                    "默认",
                    "客户部",
                    "A004",
                    "AE",
                    "0456789",
                    "25-10-10 星期五",
                    "上班 09:00",
                    "09:00",
                    "补卡审批通过",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "钱七",
                    "默认",
                    "客户部",
                    "A005",
                    "AE",
                    "0567890",
                    "25-10-10 星期五",
                    "上班 09:00",
                    "",
                    "请假",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "李伟",
                    "默认",
                    "客户部",
                    "A001",
                    "AE",
                    "0123456",
                    "2025-13-01",
                    "上班 09:00",
                    "08:50",
                    "正常",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "李伟",
                    "默认",
                    "客户部",
                    "A001",
                    "AE",
                    "0123456",
                    "25-10-10 星期五",
                    "上班 09:00",
                    "8点50",
                    "正常",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ],
            "打卡时间": [
                ["打卡时间 统计日期：2025-10-09 至 2025-10-10"],
                ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "打卡时间"],
                ["李伟", "默认", "客户部", "A001", "AE", "0123456", "25-10-09 星期四", "08:55 18:40"],
            ],
            "月度汇总": [["月度汇总 统计日期：2025-10-01 至 2025-10-31"], ["姓名", "出勤天数"], ["李伟", 22]],
        },
    )


def test_dingtalk_raw_records_sheet(tmp_path):
    result = parse(dingtalk_workbook(tmp_path / "考勤报表_20251001-20251031.xlsx"))
    assert result.parser == "clock-dingtalk"
    rows = [r for r in result.rows["raw_clock_ins"] if r["record"].startswith("sheet 原始记录")]
    first = rows[0]
    assert (
        first["platform"],
        first["person_name"],
        first["userid"],
        first["employee_no"],
        first["department"],
        first["work_date"],
        first["clock_at"],
        first["scheduled_time"],
        first["punch_type"],
        first["result"],
        first["record"],
    ) == (
        "dingtalk",
        "李伟",
        "0123456",
        "A001",
        "客户部",
        date(2025, 10, 9),
        utc(2025, 10, 9, 0, 55),
        "09:00",
        "上班",
        "正常",
        "sheet 原始记录 row 4",
    )
    by = {(r["person_name"], r["work_date"], r["punch_type"]): r for r in rows}
    late = by[("王芳", date(2025, 10, 9), "上班")]
    assert late["clock_at"] == utc(2025, 10, 9, 1, 12) and late["result"] == "迟到"
    missing = by[("王芳", date(2025, 10, 10), "上班")]
    assert missing["clock_at"] is None and missing["result"] == "缺卡"
    field = by[("张三", date(2025, 10, 10), "上班")]  # no UserId, no 工号: kept by name, matched later
    assert (field["is_field"], field["clock_at"], field["userid"], field["employee_no"]) == (
        True,
        utc(2025, 10, 10, 2, 5),
        None,
        None,
    )
    fixed = by[("赵六", date(2025, 10, 10), "上班")]
    assert fixed["is_correction"] is True and fixed["clock_at"] == utc(2025, 10, 10, 1, 0)
    leave = by[("钱七", date(2025, 10, 10), "上班")]
    assert (leave["leave_type"], leave["clock_at"]) == ("请假", None)
    assert len(rows) == 8
    assert sorted(result.quarantined) == [
        ("sheet 原始记录 row 12", "考勤日期 '2025-13-01': not a date (e.g. 25-10-09 星期四)"),
        ("sheet 原始记录 row 13", "打卡时间 '8点50': not a clock time"),
        ("sheet 月度汇总", "not a clock-in table (no 姓名 + 考勤日期/日期 + 打卡时间 header): not read"),
    ]


def test_dingtalk_punch_times_sheet(tmp_path):
    result = parse(dingtalk_workbook(tmp_path / "kq.xlsx"))
    rows = [r for r in result.rows["raw_clock_ins"] if r["record"] == "sheet 打卡时间 row 3"]
    assert [(r["clock_at"], r["punch_type"]) for r in rows] == [
        (utc(2025, 10, 9, 0, 55), "上班"),
        (utc(2025, 10, 9, 10, 40), None),
    ]


def test_canonical_attendance_clock_csv():
    result = parse(FIXTURES / "attendance" / "clock" / "attendance_clock.csv")
    assert result.parser == "clock-canonical"
    rows = {r["record"]: r for r in result.rows["raw_clock_ins"]}
    assert (rows["line 2"]["email"], rows["line 2"]["work_date"], rows["line 2"]["clock_at"]) == (
        "li.wei@agency.example",
        date(2025, 10, 9),
        utc(2025, 10, 9, 0, 58),
    )
    assert rows["line 3"]["clock_at"] == utc(2025, 10, 10, 1, 7)
    assert rows["line 4"]["clock_at"] is None and rows["line 4"]["result"] == "缺卡"
    assert result.quarantined == [
        ("line 5", "clock_in_at '9点': not a timestamp"),
        ("line 6", "email 'not-an-address': not an email address"),
        ("line 7", "date '2025/13/45': not a date (YYYY-MM-DD)"),
    ]


def test_canonical_attendance_clock_as_xlsx_with_date_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "clock.xlsx",
        {
            "attendance_clock": [
                ["email", "date", "clock_in_at"],
                ["li.wei@agency.example", date(2025, 10, 9), datetime(2025, 10, 9, 8, 58)],
            ]
        },
    )
    (row,) = parse(path).rows["raw_clock_ins"]
    assert (row["work_date"], row["clock_at"], row["record"]) == (
        date(2025, 10, 9),
        utc(2025, 10, 9, 0, 58),
        "sheet attendance_clock row 2",
    )


def test_a_workbook_without_a_clock_table_is_not_clock(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [["姓名", "出勤天数"], ["李伟", 22]]})
    assert not clock.looks_like_clock(path)
    with pytest.raises(ParseError, match="no clock-in table"):
        clock.parse(SourceFile(path=path, rel="attendance/x.xlsx", kind="attendance"), Settings())


def test_day_formats():
    assert clock.parse_day("25-10-09 星期四") == date(2025, 10, 9)
    assert clock.parse_day("2025年10月9日") == date(2025, 10, 9)
    assert clock.parse_day("2025-10-09T00:00:00") == date(2025, 10, 9)
    assert clock.parse_day("45939") == date(2025, 10, 9)

"""A tiny .xlsx writer for test fixtures (openpyxl is not a dependency): inline strings and numbers,
one worksheet per (name, rows). Run as a script to regenerate tests/fixtures/attendance/cn/*.xlsx
and the engine scenario's Tencent report."""

from __future__ import annotations

from pathlib import Path

from aemetrics.demo.xlsx_writer import write_xlsx as write_workbook

Rows = list[list[object]]


def write_xlsx(path: Path, sheets: list[tuple[str, Rows]]) -> Path:
    """One worksheet per (name, rows), written by the demo's writer (aemetrics/demo/xlsx_writer.py)."""
    return write_workbook(path, dict(sheets))


# --- the committed fixtures ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1] / "fixtures"

TENCENT_TOP = [
    ["会议主题：", "BrandCo 周会"],
    ["会议号：", "123 456 789"],
    ["会议创建者：", "小李(李伟)"],
    ["预定开始时间：", "2024-01-08 10:00:00"],
    ["预定结束时间：", "2024-01-08 11:00:00"],
    ["累计会议时长：", "01:05:00"],
    ["参会用户总数：", 3],
    [],
]
TENCENT_OVERVIEW = TENCENT_TOP + [
    ["用户昵称（入会昵称）", "首次入会时间", "最后退会时间", "入会次数", "累计参会时长", "身份"],
    ["小李(李伟)", "2024-01-08 09:58:30", "2024-01-08 11:02:00", 2, "00:58:30", "主持人"],
    ["陈静", "2024-01-08 10:01:00", "2024-01-08 11:00:00", 1, "00:59:00", "普通参会者"],
    ["王芳", "2024-01-08 10:20:00", "--", 1, "--", "联席主持人"],
]
TENCENT_DETAIL = [
    ["用户昵称（入会昵称）", "入会时间", "退会时间", "单次参会时长"],
    ["小李(李伟)", "2024-01-08 09:58:30", "2024-01-08 10:30:00", "00:31:30"],
    ["小李(李伟)", "2024-01-08 10:33:00", "2024-01-08 11:02:00", "00:29:00"],
    ["陈静", "2024-01-08 10:01:00", "2024-01-08 11:00:00", "00:59:00"],
]
FEISHU = [
    ["参会人", "部门", "用户ID", "工号", "邮箱", "入会时间", "离会时间", "参会时长", "离会原因", "会议 ID", "会议主题"],
    [
        "李伟",
        "客户部",
        "ou_1a2b",
        "A001",
        "Li.Wei@adagency.cn",
        "2022.07.21 11:04:52 (GMT+08:00)",
        "2022.07.21 12:00:10 (GMT+08:00)",
        "55分钟18秒",
        "主动离会",
        "6912 345 678",
        "DrinkCo 复盘",
    ],
    [
        "刘洋",
        "",
        "",
        "",
        "",
        "2022.07.21 11:00:05 (GMT+08:00)",
        "2022.07.21 12:01:00 (GMT+08:00)",
        "1小时0分55秒",
        "会议结束",
        "6912 345 678",
        "DrinkCo 复盘",
    ],
]


def scenario_tencent_rows() -> list[tuple[str, Rows]]:
    """The engine scenario's report (tests/fixtures/scenarios/tencent)."""
    top = [
        ["会议主题:", "TeaCo 周会"],
        ["会议号:", "987654321"],
        ["会议创建者:", "阿伟(Li Wei)"],
        ["预定开始时间:", "2026-03-03 10:00:00"],
        ["预定结束时间:", "2026-03-03 11:00:00"],
        ["累计会议时长:", "01:00:00"],
        ["参会用户总数:", 2],
        [],
    ]
    return [
        (
            "成员参会概况",
            top
            + [
                ["用户昵称（入会昵称）", "首次入会时间", "最后退会时间", "入会次数", "累计参会时长", "身份"],
                ["阿伟(Li Wei)", "2026-03-03 09:59:00", "2026-03-03 11:00:00", 1, "01:01:00", "主持人"],
                ["茶茶", "2026-03-03 10:00:30", "2026-03-03 11:00:00", 1, "00:59:30", "普通参会者"],
            ],
        )
    ]


def main() -> None:
    cn = ROOT / "attendance" / "cn"
    write_xlsx(cn / "tencent-brandco.xlsx", [("成员参会概况", TENCENT_OVERVIEW), ("成员参会明细", TENCENT_DETAIL)])
    write_xlsx(cn / "feishu-drinkco.xlsx", [("Sheet1", FEISHU)])
    write_xlsx(ROOT / "scenarios" / "tencent" / "attendance" / "teaco-0303.xlsx", scenario_tencent_rows())
    second = scenario_tencent_rows()[0][1]
    second = [list(r) for r in second]
    second[3][1], second[4][1] = "2026-03-10 10:00:00", "2026-03-10 11:00:00"
    second[9][1], second[9][2] = "2026-03-10 10:07:00", "2026-03-10 11:00:00"
    second[9][0] = "阿伟"  # the alias in staff.csv meeting_names
    second[10][1], second[10][2] = "2026-03-10 10:00:00", "2026-03-10 11:00:00"
    write_xlsx(ROOT / "scenarios" / "tencent" / "attendance" / "teaco-0310.xlsx", [("成员参会概况", second)])
    third = [list(r) for r in scenario_tencent_rows()[0][1]]
    third[3][1], third[4][1] = "2026-03-17 10:00:00", "2026-03-17 11:00:00"
    third[9] = ["Wei(外包)", "2026-03-17 09:58:00", "2026-03-17 11:00:00", 1, "01:02:00", "主持人"]  # not Li Wei
    third[10][1], third[10][2] = "2026-03-17 10:00:00", "2026-03-17 11:00:00"
    write_xlsx(ROOT / "scenarios" / "tencent" / "attendance" / "teaco-0317.xlsx", [("成员参会概况", third)])


if __name__ == "__main__":
    main()

"""aemetrics/ingest/xlsx.py: workbooks as tables of text cells (issue 12 item 6)."""

import zipfile
from datetime import date, datetime, time

import pytest
from xlsx_tools import write_xlsx

from aemetrics.ingest import xlsx
from aemetrics.ingest.base import ParseError


def test_cells_become_csv_text_and_rows_keep_their_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {
            "第一页": [
                ["标题行"],
                [],
                ["a", "b", "c", "d"],
                ["x", 45939, 1.5, datetime(2025, 10, 9, 9, 3)],
                [None, date(2025, 1, 2), True, None],
            ]
        },
    )
    assert xlsx.is_workbook(path)
    ((name, table),) = xlsx.workbook_tables(path)
    assert name == "第一页" and table.header == ["标题行"]  # the first non-blank row is the header
    t = xlsx.sheet_table(xlsx.read_workbook(path)[0], header_row=3)
    assert t.header == ["a", "b", "c", "d"] and t.header_line == 3
    assert [(r.line, r.fields) for r in t.rows] == [
        (4, ["x", "45939", "1.5", "2025-10-09T09:03:00"]),
        (5, ["", "2025-01-02", "true", ""]),
    ]
    assert xlsx.record_name("第一页", 4) == "sheet 第一页 row 4"
    assert xlsx.cell_text(time(9, 5)) == "09:05:00"


def test_serial_numbers():
    assert xlsx.from_serial(45939.375) == datetime(2025, 10, 9, 9, 0)
    assert xlsx.is_serial("45939.375") and not xlsx.is_serial("2025-10-09")
    with pytest.raises(ValueError):
        xlsx.from_serial(0)


def test_sheets_named_like_a_kind_else_the_first(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"说明": [["readme"]], "Accounts 2025": [["account_id"]], "空": []})
    assert [n for n, _ in xlsx.workbook_tables(path, ("accounts",))] == ["Accounts 2025"]
    assert [n for n, _ in xlsx.workbook_tables(path, ("users",))] == ["说明"]


def test_not_workbooks_and_bombs(tmp_path):
    csv = tmp_path / "a.xlsx"
    csv.write_text("a,b\n1,2\n")
    assert not xlsx.is_workbook(csv)  # a CSV named .xlsx is read as the CSV it is
    zipped = tmp_path / "b.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "hi")
    assert not xlsx.is_workbook(zipped)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    assert xlsx.is_workbook(bomb)
    with pytest.raises(ParseError, match="zip bomb"):
        xlsx.read_workbook(bomb)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("xl/workbook.xml", "not xml at all <<<")
    with pytest.raises(ParseError, match="cannot read the workbook"):
        xlsx.read_workbook(broken)

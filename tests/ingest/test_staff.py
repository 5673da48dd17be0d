"""Staff directory: who is staff; bad rows are quarantined with a reason, never dropped."""

from pathlib import Path

import pytest
from ingest_tools import raw_columns

from aemetrics.config import Settings
from aemetrics.ingest import staff
from aemetrics.ingest.base import ParseError, SourceFile
from aemetrics.ingest.csvread import read_table

ROOT = Path(__file__).resolve().parents[2]


def parse(path: Path):
    return staff.parse(SourceFile(path=path, rel="staff.csv", kind="staff"), Settings())


def test_staff_rows_are_normalised_and_every_bad_row_has_a_reason(fixtures):
    """BOM, mixed-case header names, an extra Phone column, spaces and capitals in emails,
    a quoted name spanning two lines, a blank line and a row with one cell too many."""
    result = parse(fixtures / "staff/staff.csv")
    rows = result.rows["raw_staff"]
    assert [(r["email"], r["name"], r["role"], r["team"], r["supervisor_email"], r["record"]) for r in rows] == [
        ("li.wei@adagency.cn", "Li Wei", "ae", "North", "zhang.min@adagency.cn", "line 2"),
        ("zhang.min@adagency.cn", "Zhang Min", "supervisor", "North", None, "line 3"),
        ("chen.jing@adagency.cn", "Chen\nJing", "ae", "South", "zhang.min@adagency.cn", "line 6"),
    ]
    assert result.quarantined == [
        ("line 4", "empty staff email"),
        ("line 5", "invalid staff email 'wang.fang-at-adagency.cn'"),
        ("line 8", "duplicate staff email li.wei@adagency.cn, first at line 2"),
        ("line 9", "invalid supervisor_email 'boss at agency' for zhao.lei@adagency.cn"),
        ("line 11", "7 fields but the header has 6: a broken row"),
    ]
    assert all(set(r) == raw_columns("raw_staff") for r in rows)
    assert {r["source_file"] for r in rows} == {"staff.csv"}


def test_gbk_file_with_chinese_headers_and_semicolons(fixtures):
    """Excel on Chinese Windows saves 'CSV' as GBK; headers 邮箱/姓名/角色/团队/主管邮箱."""
    rows = parse(fixtures / "staff/staff_gbk.csv").rows["raw_staff"]
    assert [(r["email"], r["name"], r["role"], r["team"], r["supervisor_email"]) for r in rows] == [
        ("liu.yang@adagency.cn", "刘洋", "ae", "华北组", "zhang.min@adagency.cn"),
        ("zhang.min@adagency.cn", "张敏", "supervisor", "华北组", None),
    ]


def test_missing_email_column_is_a_parse_error_naming_the_header(fixtures):
    with pytest.raises(ParseError, match=r"no 'email' column \(header: Name,Role,Team\)"):
        parse(fixtures / "staff/staff_no_email.csv")


def test_header_only_file_loads_nothing_and_rejects_nothing(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("email,name,role,team,supervisor_email\n")
    result = parse(path)
    assert result.rows == {} and result.quarantined == []


@pytest.mark.corpus
def test_corpus_csvs_given_as_staff_are_rows_quarantine_or_parse_error(corpora):
    """A misplaced export (a Zoom report saved as staff.csv) must fail clearly, not crash."""
    for path in sorted(corpora.rglob("*.csv")):
        try:
            result = parse(path)
        except ParseError as exc:
            assert str(exc)
            continue
        # every data record became a row or a quarantined record: none vanished
        assert result.row_count + len(result.quarantined) == len(read_table(path).rows), path

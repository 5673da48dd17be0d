"""The staff directory (exports/staff.csv): who is staff, their role, team and supervisor.

Columns email,name,role,team,supervisor_email, matched case-insensitively (a few Chinese
header names are accepted too); extra columns are ignored. Only email is required.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aemetrics.config import Settings
from aemetrics.ingest import xlsx
from aemetrics.ingest.addresses import is_email, normalize_email
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.csvread import extra_fields, read_table, row_dict

TABLE = "raw_staff"
COLUMNS = ("email", "name", "role", "team", "supervisor_email", "dingtalk_userid", "employee_no", "meeting_names")
# Header aliases (lower-cased): what spreadsheets kept by a Chinese office tend to say.
ALIASES = {
    "email": "email",
    "e-mail": "email",
    "邮箱": "email",
    "电子邮件": "email",
    "邮件地址": "email",
    "name": "name",
    "姓名": "name",
    "名字": "name",
    "role": "role",
    "角色": "role",
    "职位": "role",
    "岗位": "role",
    "team": "team",
    "团队": "team",
    "小组": "team",
    "部门": "team",
    "supervisor_email": "supervisor_email",
    "supervisor email": "supervisor_email",
    "supervisor": "supervisor_email",
    "主管邮箱": "supervisor_email",
    "上级邮箱": "supervisor_email",
    # attendance exports name people by these (work_on_time)
    "dingtalk_userid": "dingtalk_userid",
    "userid": "dingtalk_userid",
    "钉钉userid": "dingtalk_userid",
    "钉钉id": "dingtalk_userid",
    "employee_no": "employee_no",
    "工号": "employee_no",
    "员工工号": "employee_no",
    # other names a person joins online meetings as (Tencent Meeting nicknames), ';'-separated
    "meeting_names": "meeting_names",
    "meeting names": "meeting_names",
    "会议昵称": "meeting_names",
    "入会昵称": "meeting_names",
    "别名": "meeting_names",
}


def _line_name(line: int) -> str:
    return f"line {line}"


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    if xlsx.is_workbook(src.path):  # staff.xlsx: the sheet named like staff/员工/通讯录, else the first
        sheet, table = xlsx.workbook_tables(src.path, ("staff", "员工", "通讯录", "花名册"))[0]
        record_name: Callable[[int], str] = partial(xlsx.record_name, sheet)
    else:
        table = read_table(src.path)
        record_name = _line_name
    columns: dict[str, str] = {}  # canonical column -> header name in this file
    for name in table.header:
        canon = ALIASES.get(name.lower())
        if canon and canon not in columns:
            columns[canon] = name
    if "email" not in columns:
        raise ParseError(f"staff directory: no 'email' column (header: {','.join(table.header)})")

    result = ParseResult(parser="staff")
    first_seen: dict[str, str] = {}
    for rec in table.rows:
        record = record_name(rec.line)
        row = row_dict(table.header, rec)
        values = {c: row[columns[c]].strip() if c in columns else "" for c in COLUMNS}
        if extra_fields(table.header, rec):
            result.reject(record, f"{len(rec.fields)} fields but the header has {len(table.header)}: a broken row")
            continue
        email = normalize_email(values["email"])
        if not email:
            result.reject(record, "empty staff email")
            continue
        if not is_email(email):
            result.reject(record, f"invalid staff email {values['email']!r}")
            continue
        supervisor = normalize_email(values["supervisor_email"]) or None
        if supervisor and not is_email(supervisor):
            result.reject(record, f"invalid supervisor_email {values['supervisor_email']!r} for {email}")
            continue
        if email in first_seen:
            result.reject(record, f"duplicate staff email {email}, first at {first_seen[email]}")
            continue
        first_seen[email] = record
        result.add(
            TABLE,
            {
                "email": email,
                "name": values["name"] or None,
                "role": values["role"].lower() or None,
                "team": values["team"] or None,
                "supervisor_email": supervisor,
                "dingtalk_userid": values["dingtalk_userid"] or None,
                "employee_no": values["employee_no"] or None,
                "meeting_names": values["meeting_names"] or None,
                "source_file": src.rel,
                "record": record,
            },
        )
    return result

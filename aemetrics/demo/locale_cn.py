"""The demo agency's exports as a Chinese agency hands them over (`aemetrics demo --locale cn`).

`generate_demo_cn(out_dir, seed)` writes the ordinary demo (same seed, same world) into a private
temporary folder, reads its files back with the project's own parsers (aemetrics.ingest) and writes
them into `out_dir` in the formats an agency in China exports (docs/formats.md):

- `staff.csv` -> `staff.xlsx`, sheet 员工, Chinese headers (邮箱, 姓名, 角色, 团队, 主管邮箱, 会议昵称);
- the Salesforce User/Account/Contact/Task CSVs -> one canonical CRM workbook
  `crm/客户管理系统导出.xlsx` with sheets users, accounts, contacts, activities
  (docs/canonical-crm.md); the other Salesforce objects (Case, WorkOrder, ...) are copied as written;
- each Zoom participants report -> a 腾讯会议 participant export (`attendance/tencent/*.xlsx`:
  sheets 成员参会概况 and 成员参会明细, people as nicknames, no addresses);
- the calendars' Zoom invitations -> 腾讯会议 invitations (link, `#腾讯会议：123-456-789`, 会议密码), the
  会议号 being the one the participant exports carry;
- one AE's mailbox and calendar -> a Google Takeout archive at the top of the folder
  (`takeout-20251215T003000Z-001.zip`: `Takeout/Mail/All mail.mbox`, `Takeout/Calendar/<name>.ics`);
- every other file is copied byte for byte.

The converter works from whatever files the generator wrote: a file it does not know how to convert
is copied unchanged. Workbooks and the zip carry fixed dates, so the same seed writes the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aemetrics.config import Settings
from aemetrics.demo.world import SH
from aemetrics.demo.xlsx_writer import write_xlsx

if TYPE_CHECKING:
    from aemetrics.demo import DemoSummary

LOCALES = ("en", "cn")
TAKEOUT_AE = "zhang.wei"  # whose mailbox and calendar come as a Google Takeout archive
TAKEOUT_NAME = "takeout-20251215T003000Z-001.zip"
CRM_WORKBOOK = "crm/客户管理系统导出.xlsx"
ZIP_DATE = (2025, 12, 15, 8, 30, 0)
# Online-meeting nicknames: some staff join under a nickname the directory lists in 会议昵称
# (matched by name or alias, docs/decisions.md on_time); the others join under their own name.
NICKNAMES = {"zhang.wei": "阿伟(张伟)", "wang.fang": "Fiona Wang", "yang.lei": "磊磊"}
ROLES = {"ae": "客户经理", "supervisor": "客户总监"}

# What generate_demo_cn owns inside out_dir besides what generate_demo owns (aemetrics.demo._OWNED).
OWNED = ["staff.xlsx", TAKEOUT_NAME, CRM_WORKBOOK, "attendance/tencent/*.xlsx"]
_CANONICAL = {
    "raw_crm_users": "users",
    "raw_crm_accounts": "accounts",
    "raw_crm_contacts": "contacts",
    "raw_crm_activities": "activities",
}
USERS = ["user_id", "email", "name", "manager_id", "is_active"]
ACCOUNTS = [
    "account_id",
    "name",
    "account_type",
    "owner_id",
    "website",
    "industry",
    "phone",
    "fax",
    "address",
    "short_name",
    "annual_revenue",
    "employees",
    "is_deleted",
    "created_at",
]
CONTACTS = ["contact_id", "account_id", "email", "name", "owner_id", "is_deleted"]
ACTIVITIES = [
    "activity_id",
    "activity_type",
    "call_type",
    "subject",
    "account_id",
    "contact_id",
    "owner_id",
    "activity_at",
    "status",
    "what_id",
    "activity_date",
    "start_at",
    "end_at",
    "created_at",
    "is_deleted",
    "closed_at",
    "call_result",
]
# Salesforce __c fields of the client file, under the canonical names client_file_fields reads
CLIENT_FILE = {"Brand__c": "brand", "Product__c": "product", "Ad_Volume__c": "ad_volume", "Budget__c": "budget"}


def generate_demo_cn(out_dir: str | Path, seed: int = 7) -> DemoSummary:
    """Write the Chinese-agency variant of the demo into `out_dir`; returns the demo's DemoSummary
    (its `files` name the converted files)."""
    from aemetrics.demo import _OWNED, generate_demo, readme_path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for pattern in [*_OWNED, *OWNED]:
        for old in out.glob(pattern):
            old.unlink()
    with tempfile.TemporaryDirectory(prefix="aemetrics-demo-") as tmp:
        src = Path(tmp) / "exports"
        summary = generate_demo(src, seed=seed)
        files = convert(src, out, summary.files)
        readme = readme_path(src).read_text(encoding="utf-8")
    readme_path(out).write_text(_readme_note() + readme, encoding="utf-8")
    return dataclasses.replace(summary, out_dir=out, files=dict(sorted(files.items())))


def _readme_note() -> str:
    return (
        "# Chinese-agency variant (`aemetrics demo --locale cn`)\n\n"
        f"The same agency as below, handed over as a Chinese agency would: `staff.xlsx` (Chinese headers), "
        f"a canonical CRM workbook (`{CRM_WORKBOOK}`) instead of the Salesforce User/Account/Contact/Task "
        "CSVs, 腾讯会议 participant exports (`attendance/tencent/`) instead of the Zoom reports, and "
        f"{TAKEOUT_AE}'s mailbox and calendar as a Google Takeout archive (`{TAKEOUT_NAME}`). File names "
        "below are those of the English variant.\n\n"
    )


def convert(src: Path, out: Path, written: dict[str, int]) -> dict[str, int]:
    """Convert the demo exports in `src` (their relative paths and record counts in `written`) into
    `out`; returns the relative paths written with their record counts."""
    from aemetrics.ingest import runner
    from aemetrics.ingest.base import SourceFile

    settings = Settings()
    files: dict[str, int] = {}
    crm: dict[str, list[dict]] = {}
    takeout: dict[str, Path] = {}
    for rel in sorted(written):
        path = src / rel
        parsed = None
        if rel == "staff.csv" or rel.startswith(("crm/", "attendance/zoom/")):
            parsed = runner.parse_file(SourceFile(path, rel, runner.classify(rel)), settings)
            if parsed.quarantined:  # convert only what loads whole; anything else is copied as is
                parsed = None
        if parsed is not None and rel == "staff.csv":
            files["staff.xlsx"] = _write_staff(out / "staff.xlsx", parsed.rows["raw_staff"])
        elif parsed is not None and rel.startswith("crm/") and _canonical_only(parsed.rows):
            for table, rows in parsed.rows.items():
                crm.setdefault(_CANONICAL[table], []).extend(rows)
        elif parsed is not None and rel.startswith("attendance/zoom/") and parsed.rows.get("raw_attendance"):
            name = Path(rel).stem.replace("participants_", "腾讯会议_参会成员_") + ".xlsx"
            target = out / "attendance" / "tencent" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            files[f"attendance/tencent/{name}"] = _write_tencent(target, parsed.rows["raw_attendance"])
        elif rel.startswith("calendar/") and rel.endswith(".ics"):
            target = out / rel if rel != f"calendar/{TAKEOUT_AE}.ics" else src / "takeout-calendar.ics"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tencent_calendar(path.read_bytes().decode("utf-8")).encode("utf-8"))
            if rel == f"calendar/{TAKEOUT_AE}.ics":
                takeout[rel] = target
            else:
                files[rel] = written[rel]
        elif rel == f"email/{TAKEOUT_AE}.mbox":
            takeout[rel] = path
        else:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / rel)
            files[rel] = written[rel]
    if crm:
        (out / CRM_WORKBOOK).parent.mkdir(parents=True, exist_ok=True)
        files[CRM_WORKBOOK] = _write_crm(out / CRM_WORKBOOK, crm)
    if takeout:
        files[TAKEOUT_NAME] = _write_takeout(out / TAKEOUT_NAME, takeout, written, _staff_name(src, TAKEOUT_AE))
    return files


def _canonical_only(rows: dict[str, list[dict]]) -> bool:
    """A CRM file whose rows the canonical layout holds whole: users, accounts, contacts, and Tasks or
    Events (an EmailMessage, a Case, ... stays in its Salesforce file)."""
    activities = rows.get("raw_crm_activities", [])
    return (
        bool(rows)
        and set(rows) <= set(_CANONICAL)
        and all(r.get("object_type") in ("Task", "Event") for r in activities)
    )


# ------------------------------------------------------------------ values
def _text(value) -> object:
    """A raw row's value as a workbook cell: timestamps as ISO text with their offset (local time),
    dates as YYYY-MM-DD text, booleans true/false, None empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(SH).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _local(value: datetime) -> str:
    return value.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S")


def _hms(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# ------------------------------------------------------------------ staff.xlsx
def _write_staff(path: Path, rows: list[dict]) -> int:
    """The staff list as an office keeps it in Excel: sheet 员工, Chinese headers, roles in Chinese,
    and the online-meeting nicknames (会议昵称) of those who join under one."""
    sheet: list[list] = [["姓名", "邮箱", "角色", "团队", "主管邮箱", "会议昵称"]]
    for r in rows:
        key = r["email"].split("@")[0]
        role = r["role"] or ""
        sheet.append(
            [r["name"], r["email"], ROLES.get(role, role), r["team"], r["supervisor_email"], NICKNAMES.get(key)]
        )
    write_xlsx(path, {"员工": sheet})
    return len(rows)


# ------------------------------------------------------------------ canonical CRM workbook
def _write_crm(path: Path, tables: dict[str, list[dict]]) -> int:
    import json

    sheets: dict[str, list[list]] = {}
    columns = {"users": USERS, "accounts": ACCOUNTS, "contacts": CONTACTS, "activities": ACTIVITIES}
    for kind in ("users", "accounts", "contacts", "activities"):
        rows = tables.get(kind, [])
        if not rows:
            continue
        cols = list(columns[kind])
        extra = list(CLIENT_FILE.values()) if kind == "accounts" else []
        sheet: list[list] = [cols + extra]
        for r in rows:
            values = {**r, "contact_id": r.get("who_id", r.get("contact_id"))}
            line = [_text(values.get(c)) for c in cols]
            if extra:
                fields = json.loads(r.get("fields_json") or "{}")
                line += [fields.get(k) or None for k in CLIENT_FILE]
            sheet.append(line)
        sheets[kind] = sheet
    write_xlsx(path, sheets)
    return sum(len(s) - 1 for s in sheets.values())


# ------------------------------------------------------------------ 腾讯会议
def _nickname(row: dict, names: dict[str, str]) -> str:
    email = row.get("participant_email") or ""
    key = email.split("@")[0]
    if email in names:
        return NICKNAMES.get(key, names[email])
    return row["participant_name"] or email


def _write_tencent(path: Path, rows: list[dict]) -> int:
    """One Zoom report's sessions as a 腾讯会议 participant export (overview + per-join sheets)."""
    first = rows[0]
    staff = {r["participant_email"]: r["participant_name"] for r in rows if r.get("participant_email")}
    host = first.get("organizer_email")
    people: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["join_at"], r["participant_name"] or "")):
        people.setdefault(_nickname(r, staff), []).append(r)
    start, end = first["meeting_start_at"], first["meeting_end_at"]
    top: list[list] = [
        ["会议主题：", first["topic"]],
        ["会议号：", tencent_id(first["meeting_id"], spaced=True)],
        ["会议创建者：", _nickname({"participant_email": host, "participant_name": staff.get(host)}, staff)],
        ["预定开始时间：", _local(start)],
        ["预定结束时间：", _local(end)],
        ["累计会议时长：", _hms(end - start)],
        ["参会用户总数：", len(people)],
        [],
        ["用户昵称（入会昵称）", "首次入会时间", "最后退会时间", "入会次数", "累计参会时长", "身份"],
    ]
    detail: list[list] = [["用户昵称（入会昵称）", "入会时间", "退会时间", "单次参会时长"]]
    for nick, sessions in people.items():
        is_host = any(s.get("participant_email") and s["participant_email"] == host for s in sessions)
        total = sum((s["leave_at"] - s["join_at"] for s in sessions), timedelta())
        top.append(
            [
                nick,
                _local(sessions[0]["join_at"]),
                _local(max(s["leave_at"] for s in sessions)),
                len(sessions),
                _hms(total),
                "主持人" if is_host else "普通参会者",
            ]
        )
    for r in sorted(rows, key=lambda r: (r["join_at"], r["participant_name"] or "")):
        detail.append(
            [_nickname(r, staff), _local(r["join_at"]), _local(r["leave_at"]), _hms(r["leave_at"] - r["join_at"])]
        )
    write_xlsx(path, {"成员参会概况": top, "成员参会明细": detail})
    return len(detail) - 1


# ------------------------------------------------------------------ calendars: 腾讯会议 links
def tencent_id(zoom_id: str, *, spaced: bool = False) -> str:
    """The 9-digit 会议号 standing for a Zoom meeting id (deterministic; tests/test_demo_cn.py checks
    that no two meetings of the demo get the same one)."""
    n = int(hashlib.sha256(zoom_id.encode()).hexdigest(), 16) % 900_000_000 + 100_000_000
    digits = str(n)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if spaced else digits


def _tencent_link(zoom_id: str) -> str:
    code = int(hashlib.sha256(b"dm" + zoom_id.encode()).hexdigest(), 16)
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    out = ""
    for _ in range(12):
        code, r = divmod(code, len(alphabet))
        out += alphabet[r]
    return f"https://meeting.tencent.com/dm/{out}"


_ZOOM_LINK = re.compile(r"https://zoom\.us/j/(\d+)\?pwd=\w+")
_ZOOM_INVITE = re.compile(r"([^\\:]+?) is inviting you to a scheduled Zoom meeting\.\\n\\nJoin Zoom Meeting\\n")
_ZOOM_ID = re.compile(r"Meeting ID: (\d{3}) (\d{4}) (\d{4})")


def tencent_calendar(text: str) -> str:
    """A Google Calendar export whose Zoom invitations become 腾讯会议 ones: the link in LOCATION and
    DESCRIPTION, the invitation text, `#腾讯会议：123-456-789` for the meeting id, 会议密码 for the
    passcode. Lines are unfolded, rewritten and folded again (RFC 5545, 75 octets)."""
    from aemetrics.demo.meetings import _fold

    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")
    out = []
    for line in lines:
        if line.startswith(("LOCATION", "DESCRIPTION")):
            line = _ZOOM_LINK.sub(lambda m: _tencent_link(m[1]), line)
            line = _ZOOM_INVITE.sub(
                lambda m: f"{m[1]} 邀请您参加腾讯会议\\n\\n点击链接入会，或添加至会议列表：\\n", line
            )
            line = _ZOOM_ID.sub(
                lambda m: "#腾讯会议：" + tencent_id("".join(m.groups()), spaced=True).replace(" ", "-"), line
            )
            line = line.replace("Passcode: ", "会议密码：")
        out.append(_fold(line) if line else line)
    return "\r\n".join(out)


# ------------------------------------------------------------------ Google Takeout
def _staff_name(src: Path, key: str) -> str:
    """The directory name of staff member `key` (the calendar's name in Takeout), else `key`."""
    import csv

    with (src / "staff.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("email", "").split("@")[0] == key:
                return row.get("name") or key
    return key


def _write_takeout(path: Path, members: dict[str, Path], written: dict[str, int], calendar_name: str) -> int:
    """One person's Google Takeout download: mail as `Takeout/Mail/All mail.mbox`, the calendar as
    `Takeout/Calendar/<calendar name>.ics` (UTF-8 names, zip flag bit 11 set by zipfile)."""
    names = {
        f"email/{TAKEOUT_AE}.mbox": "Takeout/Mail/All mail.mbox",
        f"calendar/{TAKEOUT_AE}.ics": f"Takeout/Calendar/{calendar_name}.ics",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in sorted(members):
            info = zipfile.ZipInfo(names[rel], date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, members[rel].read_bytes())
    return sum(written[rel] for rel in members)

"""CSV exports of the demo agency: staff directory, Salesforce data export, Zoom participant reports."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from aemetrics.demo import names as N
from aemetrics.demo.traffic import Task, ZoomReport
from aemetrics.demo.world import EXPORT_AT, SH, UTC, World

BOM = "\ufeff"


def _csv(rows: Sequence[Sequence[object]], *, crlf: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


def sf_time(dt: datetime | None) -> str:
    """Salesforce export timestamps: UTC with milliseconds and a +0000 offset."""
    if dt is None:
        return ""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _b(v: bool) -> str:
    return "true" if v else "false"


# ------------------------------------------------------------------ staff directory
def write_staff(path: Path, world: World) -> int:
    """staff.csv as an office keeps it: saved from Excel (UTF-8 with BOM, CRLF)."""
    rows: list[list[object]] = [["email", "name", "role", "team", "supervisor_email"]]
    for p in world.supervisors + world.aes:
        rows.append([p.email, p.name, p.role, p.team, p.supervisor.email if p.supervisor else ""])
    path.write_text(BOM + _csv(rows, crlf=True), encoding="utf-8", newline="")
    return len(rows) - 1


# ------------------------------------------------------------------ Salesforce
USER_COLS = [
    "Id",
    "Username",
    "LastName",
    "FirstName",
    "Name",
    "CompanyName",
    "Division",
    "Department",
    "Title",
    "Email",
    "Phone",
    "Alias",
    "CommunityNickname",
    "IsActive",
    "TimeZoneSidKey",
    "UserRoleId",
    "LocaleSidKey",
    "EmailEncodingKey",
    "ProfileId",
    "UserType",
    "LanguageLocaleKey",
    "ManagerId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "LastLoginDate",
]
ACCOUNT_COLS = [
    "Id",
    "IsDeleted",
    "MasterRecordId",
    "Name",
    "Type",
    "ParentId",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "Phone",
    "Fax",
    "Website",
    "Industry",
    "AnnualRevenue",
    "NumberOfEmployees",
    "Description",
    "OwnerId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "LastActivityDate",
    "AccountSource",
    "Brand__c",
    "Product__c",
    "Ad_Volume__c",
    "Budget__c",
    "Key_People__c",
    "Projects__c",
]
CONTACT_COLS = [
    "Id",
    "IsDeleted",
    "MasterRecordId",
    "AccountId",
    "LastName",
    "FirstName",
    "Salutation",
    "Name",
    "MailingCity",
    "MailingCountry",
    "Phone",
    "MobilePhone",
    "Email",
    "Title",
    "Department",
    "OwnerId",
    "HasOptedOutOfEmail",
    "DoNotCall",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "LastActivityDate",
]
TASK_COLS = [
    "Id",
    "WhoId",
    "WhatId",
    "Subject",
    "ActivityDate",
    "Status",
    "Priority",
    "IsHighPriority",
    "OwnerId",
    "Description",
    "IsDeleted",
    "AccountId",
    "IsClosed",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "IsArchived",
    "CallDurationInSeconds",
    "CallType",
    "CallDisposition",
    "CallObject",
    "ReminderDateTime",
    "IsReminderSet",
    "TaskSubtype",
    "CompletedDateTime",
]


def _write_sf(path: Path, cols: list[str], rows: Sequence[Mapping[str, object]]) -> int:
    out = [cols] + [[r.get(c) for c in cols] for r in rows]
    path.write_text(BOM + _csv(out), encoding="utf-8", newline="")
    return len(rows)


def write_crm(folder: Path, world: World, tasks: list[Task]) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    admin, director, departed = world.crm_only_users[1], world.crm_only_users[0], world.crm_only_users[2]
    roles = {
        "ae": "00E5g000001XaEiEAK",
        "supervisor": "00E5g000001XaEdEAK",
        "director": "00E5g000001XaEYEA0",
        "admin": "",
        "departed": "00E5g000001XaEiEAK",
    }
    profiles = {"admin": "00e5g000000RkLmAAK"}
    created0 = datetime(2019, 3, 4, 2, 11, 40, tzinfo=UTC)
    users = []
    for p in [admin, director, *world.supervisors, *world.aes, departed]:
        manager = {"ae": p.supervisor, "supervisor": director, "departed": p.supervisor}.get(p.role)
        users.append(
            {
                "Id": p.sf_id,
                "Username": p.email,
                "LastName": p.name if p.role == "admin" else p.name[0],
                "FirstName": "" if p.role == "admin" else p.name[1:],
                "Name": p.name,
                "CompanyName": N.AGENCY_NAME,
                "Department": p.team or "管理层",
                "Title": {
                    "ae": "客户经理",
                    "supervisor": "客户总监",
                    "director": "副总经理",
                    "admin": "系统管理员",
                    "departed": "客户经理",
                }[p.role],
                "Email": p.email,
                "Alias": (p.family[:1] + p.given[:4]),
                "CommunityNickname": p.key,
                "IsActive": _b(p.role != "departed"),
                "TimeZoneSidKey": "Asia/Shanghai",
                "UserRoleId": roles[p.role],
                "LocaleSidKey": "zh_CN",
                "EmailEncodingKey": "UTF-8",
                "ProfileId": profiles.get(p.role, "00e5g000000RkLnAAK"),
                "UserType": "Standard",
                "LanguageLocaleKey": "zh_CN",
                "ManagerId": manager.sf_id if manager else "",
                "CreatedDate": sf_time(created0),
                "CreatedById": admin.sf_id,
                "LastModifiedDate": sf_time(
                    datetime(2025, 7, 21, 9, 3, tzinfo=UTC) if p.role == "departed" else created0
                ),
                "LastModifiedById": admin.sf_id,
                "SystemModstamp": sf_time(
                    datetime(2025, 7, 21, 9, 3, tzinfo=UTC) if p.role == "departed" else created0
                ),
                "LastLoginDate": ""
                if p.role == "departed"
                else sf_time(EXPORT_AT.astimezone(UTC).replace(hour=0, minute=12)),
            }
        )
    last_activity: dict[str, datetime] = {}
    for t in tasks:
        if t.status == "Completed":
            last_activity[t.account.sf_id] = max(last_activity.get(t.account.sf_id, t.activity_at), t.activity_at)
    accounts, contacts = [], []
    for a in world.accounts:
        f = a.fill
        la = last_activity.get(a.sf_id)
        accounts.append(
            {
                "Id": a.sf_id,
                "IsDeleted": "false",
                "Name": a.name,
                "Type": a.type,
                "BillingStreet": a.street if f["street"] else "",
                "BillingCity": a.city[0],
                "BillingState": a.city[1],
                "BillingPostalCode": a.city[2],
                "BillingCountry": "中国",
                "Phone": a.phone,
                "Fax": a.fax,
                "Website": a.website,
                "Industry": a.industry if f["industry"] else "",
                "AnnualRevenue": a.revenue,
                "NumberOfEmployees": a.employees,
                "OwnerId": a.owner.sf_id,
                "CreatedDate": sf_time(a.created),
                "CreatedById": admin.sf_id,
                "LastModifiedDate": sf_time(a.created.replace(year=2025, month=6)),
                "LastModifiedById": a.owner.sf_id,
                "SystemModstamp": sf_time(a.created.replace(year=2025, month=6)),
                "LastActivityDate": la.astimezone(SH).date().isoformat() if la else "",
                "AccountSource": "Referral" if a.is_customer else "Trade Show",
                "Brand__c": a.brand,
                "Product__c": f"{a.brand}系列产品" if f["product"] else "",
                "Ad_Volume__c": int((a.revenue or 5e8) * 0.04) if f["ad_volume"] else "",
                "Budget__c": int((a.revenue or 5e8) * 0.03) if f["budget"] else "",
                "Key_People__c": "、".join(c.name for c in a.listed_contacts[:2]) if f["key_people"] else "",
                "Projects__c": "年度品牌传播；双十一大促" if f["projects"] else "",
            }
        )
        for c in a.listed_contacts:
            contacts.append(
                {
                    "Id": c.sf_id,
                    "IsDeleted": "false",
                    "AccountId": a.sf_id,
                    "LastName": c.last,
                    "FirstName": c.first,
                    "Salutation": "",
                    "Name": c.name,
                    "MailingCity": a.city[0],
                    "MailingCountry": "中国",
                    "Phone": a.phone or "",
                    "MobilePhone": f"1{3 + len(c.email) % 6}{abs(hash_digits(c.email)):09d}"[:11],
                    "Email": c.email,
                    "Title": c.title,
                    "Department": "市场部",
                    "OwnerId": a.owner.sf_id,
                    "HasOptedOutOfEmail": "false",
                    "DoNotCall": "false",
                    "CreatedDate": sf_time(a.created),
                    "CreatedById": a.owner.sf_id if a.owner.is_staff else admin.sf_id,
                    "LastModifiedDate": sf_time(a.created),
                    "LastModifiedById": admin.sf_id,
                    "SystemModstamp": sf_time(a.created),
                    "LastActivityDate": "",
                }
            )
    task_rows = []
    for t in sorted(tasks, key=lambda t: (t.created, t.sf_id)):
        closed = t.status == "Completed"
        task_rows.append(
            {
                "Id": t.sf_id,
                "WhoId": t.contact.sf_id if t.contact else "",
                "WhatId": t.account.sf_id,
                "Subject": t.subject,
                "ActivityDate": t.activity_date.isoformat(),
                "Status": t.status,
                "Priority": "Normal",
                "IsHighPriority": "false",
                "OwnerId": t.owner.sf_id,
                "IsDeleted": "false",
                "AccountId": t.account.sf_id,
                "IsClosed": _b(closed),
                "CreatedDate": sf_time(t.created),
                "CreatedById": t.owner.sf_id,
                "LastModifiedDate": sf_time(t.created),
                "LastModifiedById": t.owner.sf_id,
                "SystemModstamp": sf_time(t.created),
                "IsArchived": "false",
                "CallDurationInSeconds": t.duration_s if t.call_type else "",
                "CallType": t.call_type or "",
                "CallDisposition": t.disposition or "",
                "IsReminderSet": "false",
                "TaskSubtype": t.subtype,
                "CompletedDateTime": sf_time(t.completed) if closed else "",
            }
        )
    return {
        "crm/User.csv": _write_sf(folder / "User.csv", USER_COLS, users),
        "crm/Account.csv": _write_sf(folder / "Account.csv", ACCOUNT_COLS, accounts),
        "crm/Contact.csv": _write_sf(folder / "Contact.csv", CONTACT_COLS, contacts),
        "crm/Task.csv": _write_sf(folder / "Task.csv", TASK_COLS, task_rows),
    }


def hash_digits(text: str) -> int:
    """A stable number from text (Python's hash() changes per process)."""
    n = 0
    for ch in text.encode():
        n = (n * 131 + ch) % 1_000_000_007
    return n


# ------------------------------------------------------------------ Zoom
def zoom_time(dt: datetime) -> str:
    """Zoom's report format: local time, no zone, MM/DD/YYYY and an hour without a leading zero."""
    t = dt.astimezone(SH)
    hour = t.hour % 12 or 12
    return f"{t:%m/%d/%Y} {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def write_zoom(folder: Path, reports: list[ZoomReport]) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for r in reports:
        name = f"participants_{r.meeting_id}_{r.occurrence.start.astimezone(SH):%Y%m%d}.csv"
        unique = len({(row.name, row.email) for row in r.rows})
        head: list[list[object]] = [
            ["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"],
            [
                r.meeting_id,
                r.topic,
                zoom_time(r.start),
                zoom_time(r.end),
                r.host.email,
                math.ceil((r.end - r.start).total_seconds() / 60),
                unique,
            ],
        ]
        body: list[list[object]] = [
            ["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"]
        ]
        for row in sorted(r.rows, key=lambda x: (x.join, x.name)):
            body.append(
                [
                    row.name,
                    row.email,
                    zoom_time(row.join),
                    zoom_time(row.leave),
                    max(1, math.ceil((row.leave - row.join).total_seconds() / 60)),
                    "Yes" if row.guest else "No",
                ]
            )
        (folder / name).write_text(BOM + _csv(head) + "\n" + _csv(body), encoding="utf-8", newline="")
        counts[f"attendance/zoom/{name}"] = len(body) - 1
    return counts

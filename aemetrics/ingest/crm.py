"""CRM exports: Salesforce data-export CSVs and the canonical layout (docs/canonical-crm.md).

A file is recognised by its header, never by its name: Data Loader writes UPPERCASE API
names, the Setup > Data Export and Workbench write them as-is, and users rename files.
Salesforce User/Account/Contact/Task/Event/EmailMessage files load; Salesforce objects no standard uses
(Lead, Opportunity, Case, Campaign, CampaignMember, Data Loader status files) are put in
quarantine as one entry so that nothing is silently ignored; anything else is a ParseError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import partial
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest import xlsx
from aemetrics.ingest.addresses import is_email, normalize_email
from aemetrics.ingest.base import ParseError, ParseResult, RowError, SourceFile, utc
from aemetrics.ingest.csvread import Record, Table, extra_fields, read_table

USERS, ACCOUNTS, CONTACTS, ACTIVITIES = "raw_crm_users", "raw_crm_accounts", "raw_crm_contacts", "raw_crm_activities"
CASES, WORK_ORDERS, QUOTES = "raw_crm_cases", "raw_crm_work_orders", "raw_crm_quotes"
OPPORTUNITIES, APPROVALS = "raw_crm_opportunities", "raw_crm_approvals"

# The canonical layout: required columns, then optional ones (docs/canonical-crm.md).
CANONICAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "activities": (
        ("activity_id", "activity_type", "call_type", "subject", "account_id", "contact_id", "owner_id", "activity_at"),
        (
            "status",
            "what_id",
            "activity_date",
            "start_at",
            "end_at",
            "created_at",
            "is_deleted",
            "closed_at",
            "call_result",
        ),
    ),
    "contacts": (("contact_id", "account_id", "email", "name"), ("owner_id", "is_deleted")),
    "accounts": (
        ("account_id", "name", "account_type", "owner_id", "website"),
        (
            "industry",
            "annual_revenue",
            "employees",
            "phone",
            "is_deleted",
            "created_at",
            "short_name",
            "address",
            "fax",
        ),
    ),
    "users": (("user_id", "email", "name", "manager_id"), ("is_active",)),
}


# --- values -----------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z)?\s*([+-]\d{2}:?\d{2})?$"
)
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z)?\s*([+-]\d{2}:?\d{2})?$")


def parse_timestamp(value: str, *, naive: timezone | None = UTC) -> datetime | None:
    """A Salesforce-style timestamp as an aware UTC datetime; '' -> None.

    Accepts '2023-01-05T10:00:00.000Z', '...000+0000', '2023-01-05T18:00:00+08:00',
    '2023-01-05 10:00:00', date-only '2023-01-05' (00:00) and Data Loader's
    '07/15/2009 02:14:45+0800'. Values without an offset are read in `naive` (Salesforce
    exports are UTC); with naive=None they are refused. Raises ValueError otherwise.
    """
    v = value.strip()
    if not v:
        return None
    m = _ISO.match(v)
    if m:
        y, mo, d, hh, mm, ss, frac, z, off = m.groups()
    else:
        m = _US.match(v)
        if not m:
            raise ValueError("not a timestamp")
        mo, d, y, hh, mm, ss, z, off = m.groups()
        frac = None
    if z and off:
        raise ValueError("two time zones in one timestamp")
    micro = int((frac or "0")[:6].ljust(6, "0"))
    dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    if z:
        tz: Any = UTC
    elif off:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError("impossible UTC offset")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    elif naive is None:
        raise ValueError("no UTC offset (ISO-8601 with an offset is required)")
    else:
        tz = naive
    return utc(dt.replace(tzinfo=tz))


def parse_date(value: str) -> date | None:
    v = value.strip()
    if not v:
        return None
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", v)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", v)
    if m:  # Data Loader's default date format is US month/day/year
        return date(int(m[3]), int(m[1]), int(m[2]))
    raise ValueError("not a date")


def parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if not v:
        return None
    if v in ("true", "1", "yes", "y"):
        return True
    if v in ("false", "0", "no", "n"):
        return False
    raise ValueError("not a boolean (true/false/1/0)")


def parse_number(value: str) -> float | None:
    v = value.strip()
    if not v:
        return None
    try:
        out = float(v)
    except ValueError:
        raise ValueError("not a number") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return out


def parse_int(value: str) -> int | None:
    out = parse_number(value)
    if out is None:
        return None
    if out != int(out):
        raise ValueError("not a whole number")
    return int(out)


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(.*)$")
_YMD = re.compile(r"^(\d{4})\s*(?:[/.年])\s*(\d{1,2})\s*(?:[/.月])\s*(\d{1,2})(?:\s*日)?(.*)$")


def excel_text(value: str) -> str:
    """A date written as text in a workbook, rewritten to ISO order, never guessing: 2025/10/9,
    2025.10.9 and 2025年10月9日 are year-month-day; a/b/yyyy is day/month when a > 12,
    month/day when b > 12, and refused when both could be the month (ValueError)."""
    v = value.strip()
    m = _YMD.match(v)
    if m:
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}{m[4]}"
    m = _SLASHED.match(v)
    if m:
        a, b = int(m[1]), int(m[2])
        if a > 12 >= b:
            day_, month = a, b
        elif b > 12 >= a:
            month, day_ = a, b
        elif a == b:
            month = day_ = a
        else:
            raise ValueError("ambiguous date order (day/month or month/day?): write it as YYYY-MM-DD")
        return f"{m[3]}-{month:02d}-{day_:02d}{m[4]}"
    return v


def excel_timestamp(value: str, tz: Any) -> datetime | None:
    """A workbook timestamp: an Excel serial number or a date cell (local time in `tz`: Excel
    has no zones), or text as in CSV files (a text value without offset is local time too)."""
    v = value.strip()
    if not v:
        return None
    if xlsx.is_serial(v):
        return utc(xlsx.from_serial(float(v)).replace(tzinfo=tz))
    return parse_timestamp(excel_text(v), naive=tz)


def excel_date(value: str) -> date | None:
    v = value.strip()
    if not v:
        return None
    if xlsx.is_serial(v):
        return xlsx.from_serial(float(v)).date()
    v = excel_text(v)
    m = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00)?$", v)  # a date cell with a zero time
    return parse_date(m[1] if m else v)


class Row:
    """One record, read by column name case-insensitively; conversions raise RowError."""

    def __init__(self, header: list[str], rec: Record, naive_tz: Any, excel: bool = False):
        self.values: dict[str, str] = {}
        self.names: dict[str, str] = {}  # lower-case -> as written, for messages
        for i, name in enumerate(header):
            self.values.setdefault(name.lower(), rec.fields[i] if i < len(rec.fields) else "")
            self.names.setdefault(name.lower(), name)
        self.naive_tz = naive_tz
        self.excel = excel  # a workbook row: serial numbers are dates, an ambiguous a/b/yyyy is refused

    def raw(self, name: str) -> str:
        return self.values.get(name.lower(), "")

    def text(self, *names: str) -> str | None:
        for name in names:
            v = self.raw(name).strip()
            if v:
                return v
        return None

    def _convert(self, name: str, fn: Callable[[str], Any]) -> Any:
        try:
            return fn(self.raw(name))
        except ValueError as exc:
            raise RowError(f"{self.name(name)} {self.raw(name).strip()!r}: {exc}") from None

    def name(self, name: str) -> str:
        return self.names.get(name.lower(), name)

    def ts(self, name: str) -> datetime | None:
        if self.excel:
            return self._convert(name, lambda v: excel_timestamp(v, self.naive_tz))
        return self._convert(name, lambda v: parse_timestamp(v, naive=self.naive_tz))

    def day(self, name: str) -> date | None:
        if self.excel:
            return self._convert(name, excel_date)
        return self._convert(name, parse_date)

    def flag(self, name: str) -> bool | None:
        return self._convert(name, parse_bool)

    def number(self, name: str) -> float | None:
        return self._convert(name, parse_number)

    def integer(self, name: str) -> int | None:
        return self._convert(name, parse_int)

    def email(self, name: str) -> str | None:
        v = normalize_email(self.raw(name))
        if v and not is_email(v):
            raise RowError(f"{self.name(name)} {self.raw(name).strip()!r}: not an email address")
        return v or None

    def required(self, name: str) -> str:
        v = self.text(name)
        if v is None:
            raise RowError(f"{self.name(name)} is empty")
        return v

    def person_name(self) -> str | None:
        return self.text("name") or " ".join(p for p in (self.text("firstname"), self.text("lastname")) if p) or None


# --- recognising the layout --------------------------------------------------------------

UNUSED_REASON = "not used by any standard"


def detect(table: Table) -> tuple[str, str]:
    """(family, object): ('salesforce', 'Task'), ('canonical', 'accounts'), ('unused', why)."""
    header = table.header
    h = {c.lower() for c in header}
    for kind, (required, _) in CANONICAL.items():
        if set(required) <= h:
            return "canonical", kind
    for kind, (required, _) in CANONICAL.items():
        key = required[0]
        if key in h and len(set(required[1:]) & h) >= 2:
            missing = [c for c in required if c not in h]
            raise ParseError(
                f"canonical CRM {kind} layout (docs/canonical-crm.md): missing column(s) {', '.join(missing)}"
            )
    if any(c.startswith(("_fivetran", "property_")) for c in h):
        raise ParseError(
            f"unknown CSV layout: header {_shown(header)} (a Fivetran-replicated HubSpot table: "
            "not supported; convert it to the canonical layout, docs/canonical-crm.md)"
        )
    if header and header[-1] == "ERROR":
        return "unused", f"Data Loader error status file: {UNUSED_REASON} (it lists records a load rejected)"
    if header and header[0] == "ID" and header[-1] == "STATUS" and _all_start(table, -1, "Item "):
        return "unused", f"Data Loader success status file: {UNUSED_REASON} (it lists records a load wrote)"
    if "id" not in h:
        if len(
            h & {"ownerid", "createddate", "accountid", "whoid", "whatid", "isdeleted", "annualrevenue", "stagename"}
        ) or any(c.endswith("__c") for c in h):
            raise ParseError(
                f"Salesforce-style CSV without an Id column (a Data Loader import file?): header {_shown(header)}"
            )
        raise ParseError(f"unknown CSV layout: header {_shown(header)}")
    if "workordernumber" in h:
        return "salesforce", "WorkOrder"
    if "casenumber" in h:
        return "salesforce", "Case"
    if "quotenumber" in h or {"opportunityid", "expirationdate"} <= h:
        return "salesforce", "Quote"
    if "targetobjectid" in h and h & {"processdefinitionid", "completeddate", "status"}:
        return "salesforce", "ProcessInstance"
    if "stagename" in h or {"closedate", "probability"} <= h or {"iswon", "closedate"} <= h:
        return "salesforce", "Opportunity"
    unused = {
        "Lead": bool({"isconverted", "convertedaccountid"} & h),
        "CampaignMember": "campaignid" in h and bool({"leadid", "contactid", "leadorcontactid"} & h),
        "Campaign": bool(
            {"numberofleads", "expectedresponse", "budgetedcost", "numbersent", "campaignmemberrecordtypeid"} & h
        ),
    }
    for obj, hit in unused.items():
        if hit:
            return "unused", f"Salesforce {obj} export: {UNUSED_REASON}"
    if "incoming" in h and h & {"fromaddress", "toaddress", "messagedate"}:
        return "salesforce", "EmailMessage"
    if "subject" in h and h & {
        "startdatetime",
        "enddatetime",
        "activitydatetime",
        "isalldayevent",
        "durationinminutes",
        "eventsubtype",
    }:
        return "salesforce", "Event"
    if "subject" in h and h & {"whoid", "whatid"} and h & {"activitydate", "status", "tasksubtype", "calltype"}:
        return "salesforce", "Task"
    if "email" in h and h & {"username", "managerid", "profileid", "userroleid"}:
        return "salesforce", "User"
    if "accountid" in h and h & {"email", "lastname"}:
        return "salesforce", "Contact"
    if "name" in h and h & {"type", "ownerid", "website", "billingcity", "industry", "accountnumber"}:
        return "salesforce", "Account"
    raise ParseError(f"unknown CSV layout: header {_shown(header)}")


def _shown(header: list[str]) -> str:
    text = ",".join(header)
    return text if len(text) <= 200 else text[:200] + "..."


def _all_start(table: Table, col: int, prefix: str) -> bool:
    values = [r.fields[col] for r in table.rows if len(r.fields) == len(table.header) and r.fields[col].strip()]
    return bool(values) and all(v.startswith(prefix) for v in values)


# --- building rows -----------------------------------------------------------------------


def _fields_json(header: list[str], rec: Record) -> str:
    out: dict[str, str] = {}
    for i, name in enumerate(header):
        key, n = name, 2
        while key in out:  # a repeated column name keeps both values
            key, n = f"{name}_{n}", n + 1
        out[key] = rec.fields[i] if i < len(rec.fields) else ""
    return json.dumps(out, ensure_ascii=False)


def sf_user(r: Row) -> dict[str, Any]:
    return dict(
        user_id=r.required("id"),
        email=r.email("email"),
        name=r.person_name(),
        manager_id=r.text("managerid"),
        is_active=r.flag("isactive"),
    )


def sf_account(r: Row) -> dict[str, Any]:
    street_city = [
        r.text(c) for c in ("billingstreet", "billingcity", "billingstate", "billingpostalcode", "billingcountry")
    ]
    return dict(
        account_id=r.required("id"),
        name=r.text("name"),
        account_type=r.text("type"),
        owner_id=r.text("ownerid"),
        website=r.text("website"),
        industry=r.text("industry"),
        annual_revenue=r.number("annualrevenue"),
        employees=r.integer("numberofemployees"),
        phone=r.text("phone"),
        is_deleted=r.flag("isdeleted"),
        created_at=r.ts("createddate"),
        short_name=r.text("short_name__c", "shortname__c"),
        fax=r.text("fax"),
        address=", ".join(p for p in street_city if p) or None,
    )


# --- the other Salesforce objects the handbook's standards read (STANDARDS.md, "Where the
# evidence of the other standards comes from") ------------------------------------------


def _common(r: Row) -> dict[str, Any]:
    return dict(
        owner_id=r.text("ownerid"),
        created_at=r.ts("createddate"),
        is_deleted=r.flag("isdeleted"),
        last_modified_at=r.ts("lastmodifieddate"),
    )


def sf_case(r: Row) -> dict[str, Any]:
    """A client request (Case): Origin tells internal ones apart; ClosedDate closes it."""
    return dict(
        case_id=r.required("id"),
        case_number=r.text("casenumber"),
        account_id=r.text("accountid"),
        contact_id=r.text("contactid"),
        origin=r.text("origin"),
        status=r.text("status"),
        case_type=r.text("type"),
        subject=r.text("subject"),
        is_closed=r.flag("isclosed"),
        closed_at=r.ts("closeddate"),
        **_common(r),
    )


def sf_work_order(r: Row) -> dict[str, Any]:
    return dict(
        work_order_id=r.required("id"),
        work_order_number=r.text("workordernumber"),
        case_id=r.text("caseid"),
        account_id=r.text("accountid"),
        status=r.text("status"),
        subject=r.text("subject"),
        start_at=r.ts("startdate"),
        end_at=r.ts("enddate"),
        **_common(r),
    )


def sf_quote(r: Row) -> dict[str, Any]:
    return dict(
        quote_id=r.required("id"),
        quote_number=r.text("quotenumber"),
        name=r.text("name"),
        opportunity_id=r.text("opportunityid"),
        account_id=r.text("accountid"),
        status=r.text("status"),
        **_common(r),
    )


def sf_opportunity(r: Row) -> dict[str, Any]:
    return dict(
        opportunity_id=r.required("id"),
        name=r.text("name"),
        account_id=r.text("accountid"),
        stage=r.text("stagename"),
        is_won=r.flag("iswon"),
        is_closed=r.flag("isclosed"),
        close_date=r.day("closedate"),
        amount=r.number("amount"),
        **_common(r),
    )


def sf_approval(r: Row) -> dict[str, Any]:
    """A ProcessInstance (an approval process run): TargetObjectId is the approved record."""
    return dict(
        approval_id=r.required("id"),
        target_object_id=r.text("targetobjectid"),
        status=r.text("status"),
        submitted_by_id=r.text("submittedbyid", "createdbyid"),
        last_actor_id=r.text("lastactorid"),
        completed_at=r.ts("completeddate"),
        created_at=r.ts("createddate"),
        is_deleted=r.flag("isdeleted"),
        last_modified_at=r.ts("lastmodifieddate"),
    )


def sf_contact(r: Row) -> dict[str, Any]:
    return dict(
        contact_id=r.required("id"),
        account_id=r.text("accountid"),
        email=r.email("email"),
        name=r.person_name(),
        owner_id=r.text("ownerid"),
        is_deleted=r.flag("isdeleted"),
    )


def _activity_type(r: Row, subtype_col: str, generic: str) -> str | None:
    # TaskSubtype 'Task' / EventSubtype 'Event' say nothing; a filled-in Type is more precise.
    subtype = r.text(subtype_col)
    if subtype and subtype != generic:
        return subtype
    return r.text("type") or subtype


_FROM_HEADER = re.compile(r"^[ \t>]*(?:from|发件人|寄件者)[ \t]*[:：](.*)$", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def email_from_header(description: str | None) -> str | None:
    """The sender of a logged e-mail: the address on the first From:/发件人: header line in the first
    1,000 characters of a Task's Description (Email to Salesforce and Outlook/Gmail logging keep
    the message text there). Only the address is kept, never the body."""
    if not description:
        return None
    m = _FROM_HEADER.search(description[:1000])
    if not m:
        return None
    address = _ADDRESS.search(m.group(1))
    return address.group(0).lower() if address else None


def email_direction(r: Row) -> str | None:
    """A stated direction: CallType, a Direction/Direction__c column, or EmailMessage-style Incoming."""
    stated = r.text("calltype", "direction", "direction__c")
    if stated:
        return stated
    incoming = r.flag("incoming") if r.raw("incoming").strip() else None
    return None if incoming is None else ("Inbound" if incoming else "Outbound")


def place_dated(day: date | None, stamps: tuple[datetime | None, ...], settings: Settings) -> datetime | None:
    """When a date-only activity (Salesforce ActivityDate) happened (STANDARDS.md, as_of rules):
    at the first of `stamps` (CompletedDateTime, CreatedDate) that falls on that local day, else
    at the end (24:00) of that day. A call logged on Wednesday for Monday happened Monday 24:00."""
    if day is None:
        return None
    for stamp in stamps:
        if stamp is not None and stamp.astimezone(settings.tz).date() == day:
            return stamp
    return utc(datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=settings.tz))


def sf_activity(r: Row, obj: str, settings: Settings) -> dict[str, Any]:
    what_id = r.text("whatid")
    account_id = r.text("accountid") or (what_id if what_id and what_id.startswith("001") else None)
    activity_date = r.day("activitydate")
    created_at = r.ts("createddate")
    if obj == "Event":
        start_at = r.ts("startdatetime") or r.ts("activitydatetime")
        end_at = r.ts("enddatetime")
        minutes = r.integer("durationinminutes")
        if end_at is None and start_at is not None and minutes is not None:
            end_at = start_at + timedelta(minutes=minutes)
        if start_at and end_at and end_at < start_at:
            raise RowError(f"EndDateTime {end_at.isoformat()} is before StartDateTime {start_at.isoformat()}")
        activity_type = _activity_type(r, "eventsubtype", "Event")
    else:
        start_at = end_at = None
        activity_type = _activity_type(r, "tasksubtype", "Task")
    completed_at = r.ts("completeddatetime")
    # A date-only activity is placed by place_dated; no date at all (CreatedDate says when it was
    # logged, not when it happened): activity_at stays empty, the row loads and is listed in
    # quarantine (parse, UNDATED).
    activity_at = start_at or place_dated(activity_date, (completed_at, created_at), settings) or completed_at
    return dict(
        activity_id=r.required("id"),
        object_type=obj,
        activity_type=activity_type,
        call_type=email_direction(r),
        subject=r.text("subject"),
        status=r.text("status"),
        who_id=r.text("whoid"),
        what_id=what_id,
        account_id=account_id,
        owner_id=r.text("ownerid"),
        activity_at=activity_at,
        activity_date=activity_date,
        start_at=start_at,
        end_at=end_at,
        created_at=created_at,
        is_deleted=r.flag("isdeleted"),
        email_from=email_from_header(r.text("description")),
        linked_activity_id=None,
        call_result=r.text("calldisposition", "callresult__c", "call_result__c"),
        closed_at=None,
    )


# EmailMessage.Status: 0 New, 1 Read, 2 Replied, 3 Sent, 4 Forwarded, 5 Draft.
EMAIL_STATUS = {"0": "New", "1": "Read", "2": "Replied", "3": "Sent", "4": "Forwarded", "5": "Draft"}


def sf_email_message(r: Row) -> dict[str, Any]:
    """An EmailMessage (Enhanced Email, Outlook/Gmail logging): the one Salesforce record that says
    whether an e-mail came in (Incoming). ActivityId links it to its Task, which then takes this
    direction and sender (stg_crm__activities); bodies (TextBody, HtmlBody) are never read."""
    incoming = r.flag("incoming")
    related = r.text("relatedtoid")
    status = r.text("status")
    sender = _ADDRESS.search(r.raw("fromaddress"))
    created_at = r.ts("createddate")
    return dict(
        activity_id=r.required("id"),
        object_type="EmailMessage",
        activity_type="Email",
        call_type=None if incoming is None else ("Inbound" if incoming else "Outbound"),
        subject=r.text("subject"),
        status=EMAIL_STATUS.get(status or "", status),
        who_id=None,
        what_id=related or r.text("parentid"),
        account_id=related if related and related.startswith("001") else None,
        owner_id=r.text("createdbyid"),
        activity_at=r.ts("messagedate") or created_at,
        activity_date=None,
        start_at=None,
        end_at=None,
        created_at=created_at,
        is_deleted=r.flag("isdeleted"),
        email_from=sender.group(0).lower() if sender else None,
        linked_activity_id=r.text("activityid"),
        call_result=None,
        closed_at=None,
    )


def canonical_row(kind: str, r: Row) -> dict[str, Any]:
    if kind == "users":
        return dict(
            user_id=r.required("user_id"),
            email=r.email("email"),
            name=r.text("name"),
            manager_id=r.text("manager_id"),
            is_active=r.flag("is_active"),
        )
    if kind == "accounts":
        return dict(
            account_id=r.required("account_id"),
            name=r.text("name"),
            account_type=r.text("account_type"),
            owner_id=r.text("owner_id"),
            website=r.text("website"),
            industry=r.text("industry"),
            annual_revenue=r.number("annual_revenue"),
            employees=r.integer("employees"),
            phone=r.text("phone"),
            is_deleted=r.flag("is_deleted"),
            created_at=r.ts("created_at"),
            short_name=r.text("short_name"),
            address=r.text("address"),
            fax=r.text("fax"),
        )
    if kind == "contacts":
        return dict(
            contact_id=r.required("contact_id"),
            account_id=r.text("account_id"),
            email=r.email("email"),
            name=r.text("name"),
            owner_id=r.text("owner_id"),
            is_deleted=r.flag("is_deleted"),
        )
    activity_at = r.ts("activity_at")  # empty: the row loads and is listed in quarantine (parse, UNDATED)
    start_at, end_at = r.ts("start_at"), r.ts("end_at")
    if start_at and end_at and end_at < start_at:
        raise RowError("end_at is before start_at")
    return dict(
        activity_id=r.required("activity_id"),
        object_type="canonical",
        activity_type=r.text("activity_type"),
        call_type=r.text("call_type"),
        subject=r.text("subject"),
        status=r.text("status"),
        who_id=r.text("contact_id"),
        what_id=r.text("what_id"),
        account_id=r.text("account_id"),
        owner_id=r.text("owner_id"),
        activity_at=activity_at,
        activity_date=r.day("activity_date"),
        start_at=start_at,
        end_at=end_at,
        created_at=r.ts("created_at"),
        is_deleted=r.flag("is_deleted"),
        email_from=None,
        linked_activity_id=None,
        call_result=r.text("call_result"),
        closed_at=r.ts("closed_at"),
    )  # canonical files state an e-mail's direction in call_type


SF_TABLES = {
    "User": USERS,
    "Account": ACCOUNTS,
    "Contact": CONTACTS,
    "Task": ACTIVITIES,
    "Event": ACTIVITIES,
    "EmailMessage": ACTIVITIES,
    "Case": CASES,
    "WorkOrder": WORK_ORDERS,
    "Quote": QUOTES,
    "Opportunity": OPPORTUNITIES,
    "ProcessInstance": APPROVALS,
}
CANONICAL_TABLES = {"users": USERS, "accounts": ACCOUNTS, "contacts": CONTACTS, "activities": ACTIVITIES}
ID_COLUMN = {
    USERS: "user_id",
    ACCOUNTS: "account_id",
    CONTACTS: "contact_id",
    ACTIVITIES: "activity_id",
    CASES: "case_id",
    WORK_ORDERS: "work_order_id",
    QUOTES: "quote_id",
    OPPORTUNITIES: "opportunity_id",
    APPROVALS: "approval_id",
}
# Workbook sheets read as CRM tables: named like a kind of file, else the first sheet.
SHEET_KINDS = (
    "users",
    "accounts",
    "contacts",
    "activities",
    "companies",
    "calls",
    "meetings",
    "emails",
    "cases",
    "work orders",
    "workorders",
    "quotes",
    "opportunities",
    "approvals",
)


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """A CSV, or a workbook whose sheets are read as CSVs (docs/formats.md, "Excel workbooks")."""
    if xlsx.is_workbook(src.path):
        results = []
        for sheet, table in xlsx.workbook_tables(src.path, SHEET_KINDS):
            try:
                res = parse_table(table, src, settings, partial(xlsx.record_name, sheet), excel=True)
                res.quarantined = [(f"sheet {sheet}" if rec == "file" else rec, why) for rec, why in res.quarantined]
                results.append(res)
            except ParseError as exc:
                results.append(ParseResult(quarantined=[(f"sheet {sheet}", str(exc))]))
        return merge_results(results)
    return parse_table(read_table(src.path), src, settings)


def merge_results(results: list[ParseResult]) -> ParseResult:
    out = ParseResult(parser="+".join(sorted({r.parser for r in results if r.parser})) or None)
    for res in results:
        for table, rows in res.rows.items():
            out.rows.setdefault(table, []).extend(rows)
        out.quarantined.extend(res.quarantined)
    return out


def _line(line: int) -> str:
    return f"line {line}"


def parse_table(
    table: Table, src: SourceFile, settings: Settings, record_name: Callable[[int], str] = _line, excel: bool = False
) -> ParseResult:
    from aemetrics.ingest import hubspot  # HubSpot UI exports and Fivetran tables map onto canonical rows

    hub = hubspot.detect(table.header)
    if hub:
        return hubspot.parse_table(hub, table, src, settings, record_name, excel)
    family, obj = detect(table)
    naive_tz: tzinfo | None  # the zone of times written without one
    if family == "unused":
        result = ParseResult(parser="crm-salesforce-unused")
        result.reject("file", obj)
        return result
    if family == "canonical":
        # canonical CSV files must carry offsets; workbook cells have no zone: business time zone
        target, naive_tz = CANONICAL_TABLES[obj], (settings.tz if excel else None)
        build: Callable[[Row], dict[str, Any]] = partial(canonical_row, obj)
        result = ParseResult(parser=f"crm-canonical-{obj}")
    else:
        target, naive_tz = SF_TABLES[obj], UTC  # Salesforce exports are in UTC
        builders: dict[str, Callable[[Row], dict[str, Any]]] = {
            "User": sf_user,
            "Account": sf_account,
            "Contact": sf_contact,
            "Task": lambda r: sf_activity(r, "Task", settings),
            "Event": lambda r: sf_activity(r, "Event", settings),
            "EmailMessage": sf_email_message,
            "Case": sf_case,
            "WorkOrder": sf_work_order,
            "Quote": sf_quote,
            "Opportunity": sf_opportunity,
            "ProcessInstance": sf_approval,
        }
        build = builders[obj]
        result = ParseResult(parser=f"crm-salesforce-{obj.lower()}")
    load_rows(table, build, target, family, result, src, record_name, naive_tz, excel)
    return result


def load_rows(
    table: Table,
    build: Callable[[Row], dict[str, Any]],
    target: str,
    family: str,
    result: ParseResult,
    src: SourceFile,
    record_name: Callable[[int], str],
    naive_tz: Any,
    excel: bool,
) -> None:
    """Build one row per record into `target`; broken, unreadable and duplicate ones go to quarantine."""
    first_seen: dict[str, str] = {}
    for rec in table.rows:
        record = record_name(rec.line)
        if extra_fields(table.header, rec):
            result.reject(record, f"{len(rec.fields)} fields but the header has {len(table.header)}: a broken row")
            continue
        try:
            row = build(Row(table.header, rec, naive_tz, excel))
        except RowError as exc:
            result.reject(record, str(exc))
            continue
        key = row[ID_COLUMN[target]]
        if key in first_seen:
            result.reject(record, f"duplicate id {key}, first at {first_seen[key]}")
            continue
        first_seen[key] = record
        if target in (ACCOUNTS, CASES, WORK_ORDERS, QUOTES, OPPORTUNITIES, APPROVALS) and "fields_json" not in row:
            row["fields_json"] = _fields_json(table.header, rec)
        row["source_file"] = src.rel
        row["record"] = record
        result.add(target, row)
        if target == ACTIVITIES and row["activity_at"] is None and not row["is_deleted"]:
            result.reject(record, UNDATED_REASON[family])


# STANDARDS.md "Nothing disappears silently": an activity without a date stays in
# raw_crm_activities and is listed in quarantine.
UNDATED = "loaded, but no standard can use an activity without a date"
UNDATED_REASON = {
    "salesforce": f"no activity date (ActivityDate, CompletedDateTime and StartDateTime are empty): {UNDATED}",
    "canonical": f"activity_at is empty: {UNDATED}",
    "hubspot": f"no activity date (Activity date / Create Date are empty): {UNDATED}",
}

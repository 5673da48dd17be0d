"""HubSpot exports mapped onto the canonical CRM rows (docs/formats.md, "HubSpot").

Two shapes, each recognised by its header:
- **UI exports** (the CSV/XLSX that "Export" writes from the Contacts, Companies, Calls, Meetings
  and Emails views): display-name headers (`Record ID`, `First Name`, `Create Date`, `Activity
  date`, `Call direction`, `Contact owner`, ...). Times carry no zone: they are the portal's
  wall-clock time, read in the business time zone; a/b/yyyy dates whose order cannot be told
  are refused (never guessed).
- **Fivetran-replicated tables** (`_fivetran_synced`, `property_*` API names): owner, company,
  contact, deal, engagement_call / _email / _meeting, and the engagement_company /
  engagement_contact association tables. Fivetran writes UTC.

Owners in UI exports are display names (`Contact owner` = `Li Wei`): `owner_id` keeps the name
as written and matching it to staff is left to the models (users are not in a UI export).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseResult, SourceFile
from aemetrics.ingest.csvread import Table

LINKS = "raw_crm_activity_links"


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


def detect(header: list[str]) -> str | None:
    """'ui-contacts', 'ui-companies', 'ui-deals', 'ui-calls', 'ui-meetings', 'ui-emails', 'ft-<table>' or None."""
    h = {_norm(c) for c in header}
    if "record id" in h:
        if h & {"call direction", "call outcome", "call title", "call notes"}:
            return "ui-calls"
        if h & {"meeting name", "meeting start time", "meeting outcome"}:
            return "ui-meetings"
        if h & {"email subject", "email direction", "email send status"}:
            return "ui-emails"
        if h & {"deal name", "deal stage"}:
            return "ui-deals"
        if h & {"first name", "last name", "contact owner"} or ("email" in h and "company name" not in h):
            return "ui-contacts"
        if h & {"company name", "company owner", "company domain name"}:
            return "ui-companies"
        return None
    if not any(c.startswith(("fivetran", "property ")) for c in h):
        return None
    raw = {c.lower() for c in header}
    if {"owner_id", "email", "first_name"} <= raw:
        return "ft-owner"
    if "deal_id" in raw:
        return "ft-deal"
    if "engagement_id" in raw and "company_id" in raw:
        return "ft-engagement_company"
    if "engagement_id" in raw and "contact_id" in raw:
        return "ft-engagement_contact"
    if "engagement_id" in raw and ("start_time" in raw or "title" in raw):
        return "ft-engagement_meeting"
    if "engagement_id" in raw and "property_hs_email_subject" in raw:
        return "ft-engagement_email"
    if "engagement_id" in raw:
        return "ft-engagement_call"
    if {"id", "property_email"} <= raw or {"id", "property_firstname"} <= raw:
        return "ft-contact"
    if {"id", "property_name"} <= raw:
        return "ft-company"
    if {"id", "type", "portal_id"} <= raw:
        return "ft-engagement"
    return None


def _first_id(value: str | None) -> str | None:
    """`Associated Company IDs` may list several ids (`123;456`): the first is the account."""
    if not value:
        return None
    for sep in (";", ","):
        value = value.split(sep)[0]
    return value.strip() or None


def _direction(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    if "inbound" in v or "incoming" in v:
        return "Inbound"
    if "outbound" in v or v in ("email", "sent", "forwarded email", "outgoing"):
        return "Outbound"
    return value.strip()


def ui_row(kind: str, r: Any) -> tuple[str, dict[str, Any]]:
    from aemetrics.ingest.crm import ACCOUNTS, ACTIVITIES, CONTACTS, OPPORTUNITIES

    rid = r.required("record id")
    if kind == "ui-companies":
        address = (
            ", ".join(
                p
                for p in (r.text("street address"), r.text("city"), r.text("state/region"), r.text("country/region"))
                if p
            )
            or None
        )
        return ACCOUNTS, dict(
            account_id=rid,
            name=r.text("company name", "name"),
            account_type=r.text("type", "lifecycle stage"),
            owner_id=r.text("company owner"),
            website=r.text("website url", "company domain name"),
            industry=r.text("industry"),
            annual_revenue=r.number("annual revenue"),
            employees=r.integer("number of employees"),
            phone=r.text("phone number"),
            is_deleted=None,
            created_at=r.ts("create date"),
            short_name=None,
            address=address,
            fax=r.text("fax number", "fax"),
        )
    if kind == "ui-contacts":
        name = " ".join(p for p in (r.text("first name"), r.text("last name")) if p) or None
        return CONTACTS, dict(
            contact_id=rid,
            account_id=_first_id(
                r.text("associated company ids", "associated company id", "company id", "primary associated company id")
            ),
            email=r.email("email"),
            name=name,
            owner_id=r.text("contact owner"),
            is_deleted=None,
        )
    if kind == "ui-deals":
        stage = r.text("deal stage")
        won = stage.lower().replace(" ", "") in ("closedwon", "赢单", "成交") if stage else None
        close = r.ts("close date")
        return OPPORTUNITIES, dict(
            opportunity_id=rid,
            name=r.text("deal name"),
            account_id=_first_id(r.text("associated company ids", "associated company id")),
            stage=stage,
            is_won=won,
            is_closed=(won or "closed" in stage.lower()) if stage else None,
            close_date=close.astimezone(r.naive_tz).date() if close else None,
            amount=r.number("amount"),
            owner_id=r.text("deal owner"),
            created_at=r.ts("create date"),
            is_deleted=None,
            last_modified_at=None,
        )
    activity_type = {"ui-calls": "Call", "ui-meetings": "Meeting", "ui-emails": "Email"}[kind]
    activity_at = r.ts("activity date") or r.ts("meeting start time") or r.ts("create date")
    start_at = r.ts("meeting start time") if kind == "ui-meetings" else None
    end_at = r.ts("meeting end time") if kind == "ui-meetings" else None
    if kind == "ui-calls":
        call_type, subject = _direction(r.text("call direction")), r.text("call title", "call notes")
    elif kind == "ui-emails":
        call_type, subject = _direction(r.text("email direction")), r.text("email subject")
    else:
        call_type, subject = None, r.text("meeting name", "meeting title")
    return ACTIVITIES, dict(
        activity_id=rid,
        object_type="hubspot",
        activity_type=activity_type,
        call_type=call_type,
        subject=subject,
        status=r.text("call status", "meeting outcome", "email send status"),
        who_id=_first_id(r.text("associated contact ids", "associated contact id")),
        what_id=_first_id(r.text("associated deal ids", "associated deal id")),
        account_id=_first_id(r.text("associated company ids", "associated company id")),
        owner_id=r.text("activity assigned to", "hubspot owner", "created by"),
        activity_at=activity_at,
        activity_date=None,
        start_at=start_at,
        end_at=end_at,
        created_at=r.ts("create date"),
        is_deleted=None,
        email_from=None,
        linked_activity_id=None,
        call_result=r.text("call outcome"),
        closed_at=None,
    )


def ft_row(kind: str, r: Any) -> tuple[str, dict[str, Any]]:
    from aemetrics.ingest.crm import ACCOUNTS, ACTIVITIES, CONTACTS, OPPORTUNITIES, USERS

    deleted = r.flag("_fivetran_deleted") if r.raw("_fivetran_deleted").strip() else r.flag("is_deleted")
    if kind == "ft-owner":
        name = " ".join(p for p in (r.text("first_name"), r.text("last_name")) if p) or None
        email = r.text("email")
        return USERS, dict(
            user_id=r.required("owner_id"),
            email=email.lower() if email and "@" in email else None,
            name=name,
            manager_id=None,
            is_active=None,
        )
    if kind == "ft-company":
        address = (
            ", ".join(
                p
                for p in (
                    r.text("property_address"),
                    r.text("property_address_2"),
                    r.text("property_city"),
                    r.text("property_state"),
                    r.text("property_country"),
                )
                if p
            )
            or None
        )
        return ACCOUNTS, dict(
            account_id=r.required("id"),
            name=r.text("property_name"),
            account_type=r.text("property_type", "property_lifecyclestage"),
            owner_id=r.text("property_hubspot_owner_id"),
            website=r.text("property_website", "property_domain"),
            industry=r.text("property_industry"),
            annual_revenue=r.number("property_annualrevenue"),
            employees=r.integer("property_numberofemployees"),
            phone=r.text("property_phone"),
            is_deleted=deleted,
            created_at=r.ts("property_createdate"),
            short_name=None,
            address=address,
            fax=r.text("property_fax"),
        )
    if kind == "ft-contact":
        name = " ".join(p for p in (r.text("property_firstname"), r.text("property_lastname")) if p) or None
        email = r.text("property_email")
        return CONTACTS, dict(
            contact_id=r.required("id"),
            account_id=r.text("property_associatedcompanyid"),
            email=email.lower() if email and "@" in email else None,
            name=name,
            owner_id=r.text("property_hubspot_owner_id"),
            is_deleted=deleted,
        )
    if kind == "ft-deal":
        stage = r.text("deal_pipeline_stage_id", "property_dealstage")
        won = r.text("property_hs_is_closed_won")
        return OPPORTUNITIES, dict(
            opportunity_id=r.required("deal_id"),
            name=r.text("property_dealname"),
            account_id=r.text("property_associatedcompanyid"),
            stage=stage,
            is_won=r.flag("property_hs_is_closed_won") if won else (stage == "closedwon" if stage else None),
            is_closed=r.flag("property_hs_is_closed") if r.text("property_hs_is_closed") else None,
            close_date=(r.ts("property_closedate").date() if r.text("property_closedate") else None),
            amount=r.number("property_amount"),
            owner_id=r.text("owner_id", "property_hubspot_owner_id"),
            created_at=r.ts("property_createdate"),
            is_deleted=deleted,
            last_modified_at=None,
        )
    if kind in ("ft-engagement_company", "ft-engagement_contact"):
        linked = "account" if kind == "ft-engagement_company" else "contact"
        return LINKS, dict(
            activity_id=r.required("engagement_id"),
            linked_id=r.required(f"{'company' if linked == 'account' else 'contact'}_id"),
            linked_type=linked,
        )
    activity_type = {"ft-engagement_call": "Call", "ft-engagement_email": "Email", "ft-engagement_meeting": "Meeting"}[
        kind
    ]
    start_at = r.ts("start_time") if kind == "ft-engagement_meeting" else None
    end_at = r.ts("end_time") if kind == "ft-engagement_meeting" else None
    return ACTIVITIES, dict(
        activity_id=r.required("engagement_id"),
        object_type="hubspot",
        activity_type=activity_type,
        call_type=_direction(r.text("property_hs_call_direction", "property_hs_email_direction")),
        subject=r.text("property_hs_email_subject", "title", "property_hs_call_title"),
        status=r.text("property_hs_call_status", "meeting_outcome"),
        who_id=None,
        what_id=None,
        account_id=None,
        owner_id=r.text("property_hubspot_owner_id"),
        activity_at=start_at or r.ts("property_hs_timestamp"),
        activity_date=None,
        start_at=start_at,
        end_at=end_at,
        created_at=r.ts("property_hs_createdate"),
        is_deleted=deleted,
        email_from=None,
        linked_activity_id=None,
        call_result=r.text("property_hs_call_disposition"),
        closed_at=None,
    )


def parse_table(
    kind: str, table: Table, src: SourceFile, settings: Settings, record_name: Callable[[int], str], excel: bool
) -> ParseResult:
    from aemetrics.ingest import crm

    result = ParseResult(parser=f"crm-hubspot-{kind}")
    if kind == "ft-engagement":
        result.reject(
            "file",
            "Fivetran HubSpot engagement table: not used by any standard (the typed "
            "engagement_call/_email/_meeting tables are read)",
        )
        return result
    ui = kind.startswith("ui-")
    # UI exports: the portal's wall-clock time, never a guessed date order; Fivetran: UTC
    naive_tz = settings.tz if ui else UTC

    def build(r: Any) -> dict[str, Any]:
        return (ui_row if ui else ft_row)(kind, r)[1]

    target = _target(kind)  # fixed per kind
    if target == LINKS:
        _load_links(table, build, result, src, record_name, naive_tz)
        return result
    crm.load_rows(table, build, target, "hubspot", result, src, record_name, naive_tz, excel=True)
    return result


def _target(kind: str) -> str:
    from aemetrics.ingest import crm

    return {
        "ui-companies": crm.ACCOUNTS,
        "ui-contacts": crm.CONTACTS,
        "ui-deals": crm.OPPORTUNITIES,
        "ft-owner": crm.USERS,
        "ft-company": crm.ACCOUNTS,
        "ft-contact": crm.CONTACTS,
        "ft-deal": crm.OPPORTUNITIES,
        "ft-engagement_company": LINKS,
        "ft-engagement_contact": LINKS,
    }.get(kind, crm.ACTIVITIES)


def _load_links(
    table: Table,
    build: Callable[[Any], dict[str, Any]],
    result: ParseResult,
    src: SourceFile,
    record_name: Callable[[int], str],
    naive_tz: Any,
) -> None:
    from aemetrics.ingest import crm
    from aemetrics.ingest.csvread import extra_fields

    for rec in table.rows:
        record = record_name(rec.line)
        if extra_fields(table.header, rec):
            result.reject(record, f"{len(rec.fields)} fields but the header has {len(table.header)}: a broken row")
            continue
        try:
            row = build(crm.Row(table.header, rec, naive_tz, True))
        except crm.RowError as exc:
            result.reject(record, str(exc))
            continue
        row.update(source_file=src.rel, record=record)
        result.add(LINKS, row)

"""What the demo simulation produces besides mail: CRM tasks, Zoom reports, planned intents; and
the little text helpers (dates, salutations, signatures) its mail bodies share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aemetrics.demo import names as N
from aemetrics.demo.meetings import Occurrence
from aemetrics.demo.world import Account, Contact, Person, at, local

WEEKDAY_CN = "一二三四五六日"


@dataclass(eq=False)
class Task:
    sf_id: str
    owner: Person
    account: Account
    contact: Contact | None
    subject: str
    subtype: str  # Call | Task
    call_type: str | None  # Outbound | Inbound
    completed: datetime | None  # CompletedDateTime; None when only ActivityDate was logged
    activity_date: date
    created: datetime
    status: str = "Completed"
    duration_s: int | None = None
    disposition: str | None = None
    kind: str = "call"  # monday_call | report_call | minutes_call | inbound | callback | todo

    @property
    def activity_at(self) -> datetime:
        """When it happened (STANDARDS.md, as_of rules): on its ActivityDate, at CompletedDateTime or else
        CreatedDate when that falls on the same local day, else at the end (24:00) of that day."""
        for stamp in (self.completed, self.created):
            if stamp is not None and local(stamp).date() == self.activity_date:
                return stamp
        return at(self.activity_date + timedelta(days=1), 0)


@dataclass
class ZoomRow:
    name: str
    email: str
    join: datetime
    leave: datetime
    guest: bool
    person: object = None


@dataclass(eq=False)
class ZoomReport:
    occurrence: Occurrence
    meeting_id: str
    topic: str
    host: Person
    start: datetime
    end: datetime
    rows: list[ZoomRow] = field(default_factory=list)


@dataclass(eq=False)
class Planned:
    """What the generator meant to happen for one obligation (for the README and tests)."""

    standard: str
    ae: str
    intent: str  # on_time | late | missing
    when: datetime | None = None
    detail: str = ""


def fmt_day(t: datetime) -> str:
    t = local(t)
    return f"{t.month}月{t.day}日（周{WEEKDAY_CN[t.weekday()]}）"


def sign(p: Person) -> str:
    return f"{p.name}\n{N.AGENCY_NAME} {p.team or ''}\nM: {p.email}"


def csign(c: Contact) -> str:
    return f"{c.name}\n{c.account.name} {c.title}"


def salute(c: Contact) -> str:
    if c.english:
        return c.first
    if "总" in c.title or "副总裁" in c.title:
        return f"{c.last}总"
    return f"{c.last}经理" if "经理" in c.title else c.name

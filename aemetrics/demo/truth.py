"""Ground truth of the demo: the standards' statuses computed from what the generator wrote.

These follow STANDARDS.md literally, on the generator's own records (its threads, meeting
occurrences, CRM tasks and Zoom reports) rather than on parsed files, so they are an independent
oracle for the SQL marts. Occurrences that start after the export are left out.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from aemetrics.config import DEFAULT_KEYWORDS
from aemetrics.demo.mail import Message
from aemetrics.demo.meetings import Event, client_occurrences
from aemetrics.demo.traffic import Simulation
from aemetrics.demo.world import EXPORT_AT, WEEKS, World, at, is_working_day, week_days

STATUSES = ("met", "late", "missed", "open")
_PREFIX = re.compile(r"^\s*(re|fw|fwd|aw|回复|答复|转发)\s*[:：]\s*", re.I)


def strip_prefixes(subject: str) -> str:
    while True:
        m = _PREFIX.match(subject)
        if not m:
            return subject
        subject = subject[m.end():]


def has_keyword(subject: str, kind: str) -> bool:
    s = strip_prefixes(subject).lower()
    return any(k.lower() in s for k in DEFAULT_KEYWORDS[kind])


def _status(fulfilled: datetime | None, due: datetime) -> str:
    if fulfilled is not None:
        return "met" if fulfilled <= due else "late"
    return "missed" if due < EXPORT_AT else "open"


def _is_auto(m: Message) -> bool:
    return m.auto or any(k in ("Precedence", "List-Id") for k, _ in m.headers)


class Truth:
    def __init__(self, world: World, sim: Simulation, events: list[Event]):
        self.w = world
        self.sim = sim
        self.events = events
        self.staff = {p.email: p for p in world.staff}
        self.by_contact = {c.email: a for a in world.accounts for c in a.listed_contacts}
        self.by_domain = {a.domain: a for a in world.accounts}
        self.rows: list[dict[str, Any]] = []

    def account_of(self, addr: str) -> Any:
        return self.by_contact.get(addr) or self.by_domain.get(addr.split("@")[1])

    def is_client(self, addr: str) -> bool:
        return self.account_of(addr) is not None

    def _add(self, standard: str, ae: str, status: str, opened: datetime, due: datetime, fulfilled: datetime | None,
             key: str) -> None:
        self.rows.append({"standard": standard, "ae": ae, "status": status, "opened_at": opened, "due_at": due,
                          "fulfilled_at": fulfilled, "key": key})

    def compute(self) -> list[dict[str, Any]]:
        self.reply_12h()
        self.agenda_and_minutes()
        self.on_time()
        self.weekly()
        return self.rows

    def counts(self) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, Counter]] = {}
        for r in self.rows:
            out.setdefault(r["standard"], {}).setdefault(r["ae"], Counter())[r["status"]] += 1
        return {s: {ae: {k: c[k] for k in STATUSES} for ae, c in sorted(per.items())} for s, per in sorted(out.items())}

    # ---------------------------------------------------------------- reply_12h
    def reply_12h(self) -> None:
        for th in self.sim.mail.threads:
            pending: tuple[Message, Any, str] | None = None
            for m in sorted(th.messages, key=lambda m: (m.when_utc, m.msg_id)):
                if _is_auto(m):
                    continue
                recipients = [*m.to, *m.cc]
                if not m.sender.is_staff and self.is_client(m.sender.email):
                    staff_rcpt = [p for p in recipients if p.email in self.staff]
                    if staff_rcpt and pending is None:
                        acct = self.account_of(m.sender.email)
                        ae = acct.owner.email if acct.owner.is_staff else staff_rcpt[0].email
                        pending = (m, acct, ae)
                elif m.sender.is_staff and pending and any(self.is_client(p.email) for p in recipients if not p.is_staff):
                    first, _, ae = pending
                    due = first.when_utc + timedelta(hours=12)
                    self._add("reply_12h", ae.split("@")[0], _status(m.when_utc, due), first.when_utc, due, m.when_utc,
                              first.msg_id)
                    pending = None
            if pending:
                first, _, ae = pending
                due = first.when_utc + timedelta(hours=12)
                self._add("reply_12h", ae.split("@")[0], _status(None, due), first.when_utc, due, None, first.msg_id)

    # ---------------------------------------------------------------- meetings
    def agenda_and_minutes(self) -> None:
        occs = [o for o in client_occurrences(self.events) if o.status != "CANCELLED" and o.start <= EXPORT_AT]
        staff_mail = sorted((m for m in self.sim.mail.messages if m.sender.is_staff and not _is_auto(m)),
                            key=lambda m: (m.when_utc, m.msg_id))
        for kind, standard in (("agenda", "agenda_48h"), ("minutes", "minutes_24h")):
            served: dict[int, datetime] = {}
            for m in staff_mail:
                if not has_keyword(m.subject, kind):
                    continue
                rcpt = {p.email for p in [*m.to, *m.cc]}
                cands = [o for o in occs if id(o) not in served and rcpt & {c.email for c in o.event.clients}]
                if kind == "agenda":
                    cands = [o for o in cands if o.start > m.when]
                else:
                    cands = [o for o in cands if o.end < m.when]
                if cands:
                    served[id(cands[0])] = m.when_utc
            for o in occs:
                ae = o.event.organizer.key
                if kind == "agenda":
                    due = o.start - timedelta(hours=48)
                    self._add(standard, ae, _status(served.get(id(o)), due), due, due, served.get(id(o)),
                              f"{o.event.uid}/{o.key}")
                elif o.end <= EXPORT_AT:
                    due = o.end + timedelta(hours=24)
                    self._add(standard, ae, _status(served.get(id(o)), due), o.end, due, served.get(id(o)),
                              f"{o.event.uid}/{o.key}")

    def on_time(self) -> None:
        for r in self.sim.zoom:
            joins = [row.join for row in r.rows if row.email == r.host.email]
            first = min(joins)
            start = r.occurrence.start
            self._add("on_time", r.host.key, "met" if first <= start else "late", start, start, first,
                      f"{r.occurrence.event.uid}/{r.occurrence.key}")

    # ---------------------------------------------------------------- weekly rhythm
    def weekly(self) -> None:
        calls = [t for t in self.sim.tasks if t.subtype == "Call" and t.call_type == "Outbound"]
        staff_mail = [m for m in self.sim.mail.messages if m.sender.is_staff and not _is_auto(m)]
        # (sent, client accounts addressed) of client progress reports; (sent, sender, recipients) to supervisors
        reports = [(m.when, {id(self.account_of(p.email)) for p in [*m.to, *m.cc] if not p.is_staff})
                   for m in staff_mail if has_keyword(m.subject, "weekly_report")]
        sup_reports = [(m.when, m.sender, [*m.to, *m.cc]) for m in staff_mail
                       if has_keyword(m.subject, "supervisor_report")]
        for w in range(WEEKS):
            week = week_days(w)
            wd = [d for d in week if is_working_day(d)]
            start, end = at(week[0], 0), at(week[-1] + timedelta(1), 0)
            first_due, last_due = at(wd[0] + timedelta(1), 0), at(wd[-1] + timedelta(1), 0)
            wk_calls = [t for t in calls if start <= t.activity_at < end]
            wk_reports = [r for r in reports if start <= r[0] < end]
            for ae in self.w.aes:
                for acct in [a for a in ae.accounts if a.is_customer]:
                    ev = sorted(t.activity_at for t in wk_calls if t.account is acct)
                    got = ev[0] if ev else None
                    self._add("monday_call", ae.key, _status(got, first_due), at(wd[0], 0), first_due, got,
                              f"{acct.sf_id}/{week[0]}")
                    reps = sorted(when for when, accts in wk_reports if id(acct) in accts)
                    got = reps[0] if reps else None
                    self._add("friday_client_report", ae.key, _status(got, last_due), start, last_due, got,
                              f"{acct.sf_id}/{week[0]}")
                sup = ae.supervisor
                reps = sorted(when for when, sender, rcpt in sup_reports
                              if start <= when < end and sender is ae and sup in rcpt)
                got = reps[0] if reps else None
                self._add("friday_supervisor_report", ae.key, _status(got, last_due), start, last_due, got,
                          f"{ae.key}/{week[0]}")


def rate(c: dict[str, int]) -> float | None:
    n = c["met"] + c["late"] + c["missed"]
    return c["met"] / n if n else None

"""Ground truth of the demo: the standards' statuses computed from what the generator made.

They follow STANDARDS.md literally, on the generator's own records (its threads, meeting
occurrences, CRM tasks and Zoom reports) rather than on parsed files, so they are an independent
oracle for the SQL marts. Evaluated as of an instant: nothing dated after it is seen, neither as
an obligation nor as evidence. Choices where the standard leaves room (state them when comparing):
- a meeting occurrence counts once it has started (agenda_48h, on_time) or ended (minutes_24h)
  by as_of; reply obligations open at the first client message, weekly ones at the week's start;
- "client" = an address on a CRM contact or at an account's web domain (prospects included);
- a progress report counts when any staff member sends it to an address of that account.
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
from aemetrics.demo.world import EXPORT_AT, UTC, WEEKS, World, at, is_working_day, week_days
from aemetrics.demo.world import SH as TZ

STATUSES = ("met", "late", "missed", "open")
_PREFIX = re.compile(r"^\s*(re|fw|fwd|aw|回复|答复|转发)\s*[:：]\s*", re.I)


def strip_prefixes(subject: str) -> str:
    while True:
        m = _PREFIX.match(subject)
        if not m:
            return subject
        subject = subject[m.end() :]


_REPLY = re.compile(r"^\s*(re|aw|回复|答复)\s*[:：]", re.I)
_FORWARD = re.compile(r"^\s*(fw|fwd|转发)\s*[:：]", re.I)
_FULL_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", strip_prefixes(text or "").lower())


def _named(subject: str, occurrences: list[Any]) -> list[Any] | None:
    """The occurrences a subject names (its full title, a local date written 1月7日, 1/7, 1.7,
    2026-01-07 or 2026/1/7, a local start time 14:00; every kind of name found must match), or
    None when it names none of them."""
    s = _name_key(subject)
    full = {(int(y), int(mo), int(d)) for y, mo, d in _FULL_DATE.findall(s)}
    rest = _FULL_DATE.sub(" ", s)
    month_days = {(int(a), int(b)) for a, b in re.findall(r"(\d+)(?:[/.]|月)(\d+)", rest)}
    times = {(int(h), int(mi)) for h, mi in re.findall(r"(\d{1,2})[:：](\d{2})", s)}

    def title(o: Any) -> str:
        return _name_key(o.event.summary)

    def on_date(o: Any) -> bool:
        t = o.start.astimezone(TZ)
        return (t.year, t.month, t.day) in full or (t.month, t.day) in month_days

    def at_time(o: Any) -> bool:
        t = o.start.astimezone(TZ)
        return (t.hour, t.minute) in times

    titled = [o for o in occurrences if title(o) and title(o) in s]
    longest = max((len(title(o)) for o in titled), default=0)
    has_date, has_time = any(map(on_date, occurrences)), any(map(at_time, occurrences))
    if not (titled or has_date or has_time):
        return None
    return [
        o
        for o in occurrences
        if (not titled or (o in titled and len(title(o)) == longest))
        and (not has_date or on_date(o))
        and (not has_time or at_time(o))
    ]


def has_keyword(subject: str, kind: str) -> bool:
    s = strip_prefixes(subject).lower()
    return any(k.lower() in s for k in DEFAULT_KEYWORDS[kind])


def _is_auto(m: Message) -> bool:
    return m.auto or any(k in ("Precedence", "List-Id") for k, _ in m.headers)


class Truth:
    def __init__(self, world: World, sim: Simulation, events: list[Event], as_of: datetime = EXPORT_AT):
        if as_of.tzinfo is None:
            raise ValueError(f"as_of {as_of!r} is naive: give a time zone")
        self.w = world
        self.sim = sim
        self.events = events
        self.as_of = as_of
        self.staff = {p.email: p for p in world.staff}
        self.by_contact = {c.email: a for a in world.accounts for c in a.listed_contacts}
        self.by_domain = {a.domain: a for a in world.accounts}
        self.rows: list[dict[str, Any]] = []
        self.mail = [m for m in sim.mail.messages if m.when <= as_of]  # what an export at as_of would hold

    def account_of(self, addr: str) -> Any:
        return self.by_contact.get(addr) or self.by_domain.get(addr.split("@")[1])

    def is_client(self, addr: str) -> bool:
        return self.account_of(addr) is not None

    def _status(self, fulfilled: datetime | None, due: datetime) -> str:
        if fulfilled is not None:
            return "met" if fulfilled <= due else "late"
        return "missed" if due < self.as_of else "open"

    def _add(
        self, standard: str, ae: str, opened: datetime, due: datetime, fulfilled: datetime | None, key: str
    ) -> None:
        if opened > self.as_of:
            return
        self.rows.append(
            {
                "standard": standard,
                "ae": ae,
                "status": self._status(fulfilled, due),
                "opened_at": opened.astimezone(UTC),
                "due_at": due.astimezone(UTC),
                "fulfilled_at": fulfilled.astimezone(UTC) if fulfilled else None,
                "key": key,
            }
        )

    def compute(self) -> list[dict[str, Any]]:
        self.reply_12h()
        self.agenda_and_minutes()
        self.on_time()
        self.weekly()
        return self.rows

    def counts(self) -> dict[str, dict[str, dict[str, int]]]:
        return counts(self.rows)

    # ---------------------------------------------------------------- reply_12h
    def reply_12h(self) -> None:
        visible = {id(m) for m in self.mail}
        for th in self.sim.mail.threads:
            pending: tuple[Message, str] | None = None
            for m in sorted((m for m in th.messages if id(m) in visible), key=lambda m: (m.when_utc, m.msg_id)):
                if _is_auto(m):
                    continue
                recipients = [*m.to, *m.cc]
                if not m.sender.is_staff and self.is_client(m.sender.email):
                    staff_rcpt = [p for p in recipients if p.email in self.staff]
                    if staff_rcpt and pending is None:
                        acct = self.account_of(m.sender.email)
                        pending = (m, acct.owner.key if acct.owner.is_staff else staff_rcpt[0].key)
                elif (
                    m.sender.is_staff and pending and any(self.is_client(p.email) for p in recipients if not p.is_staff)
                ):
                    first, ae = pending
                    self._add("reply_12h", ae, first.when, first.when + timedelta(hours=12), m.when, first.msg_id)
                    pending = None
            if pending:
                first, ae = pending
                self._add("reply_12h", ae, first.when, first.when + timedelta(hours=12), None, first.msg_id)

    # ---------------------------------------------------------------- meetings
    def agenda_and_minutes(self) -> None:
        """STANDARDS.md "Matching rules for meetings": each agenda (minutes) e-mail from staff, in
        sending order, serves among the meetings its subject names (title, local date, start time;
        all it can serve when it names none) that are not yet served, the first starting after it
        (agenda) / the latest started before it and ended at most 7 days before it (minutes). A
        subject naming only served or cancelled meetings serves nothing; a staff reply in a thread
        that already holds an e-mail of the same kind with that client is no evidence."""
        every = client_occurrences(self.events)
        occs = [o for o in every if o.status != "CANCELLED" and o.start <= self.as_of]
        staff_mail = sorted(
            (m for m in self.mail if m.sender.is_staff and not _is_auto(m)), key=lambda m: (m.when_utc, m.msg_id)
        )
        for kind, standard in (("agenda", "agenda_48h"), ("minutes", "minutes_24h")):
            served: dict[int, datetime] = {}
            for m in staff_mail:
                if not has_keyword(m.subject, kind) or self._repeats(m, kind):
                    continue
                rcpt = {p.email for p in [*m.to, *m.cc]}
                related = [o for o in every if rcpt & {c.email for c in o.event.clients}]
                named = _named(m.subject, related)
                pool = [
                    o
                    for o in (named if named is not None else related)
                    if o.status != "CANCELLED" and o.start <= self.as_of and id(o) not in served
                ]
                if kind == "agenda":
                    cands = [o for o in pool if o.start > m.when]
                else:  # the latest started one, ended at most 7 days before
                    cands = [o for o in reversed(pool) if o.start < m.when <= o.end + timedelta(days=7)]
                if cands:
                    served[id(cands[0])] = m.when
            for o in occs:
                key = f"{o.event.uid}/{o.key}"
                if kind == "agenda":
                    due = o.start - timedelta(hours=48)
                    self._add(standard, o.event.organizer.key, due, due, served.get(id(o)), key)
                elif o.end <= self.as_of:
                    self._add(
                        standard, o.event.organizer.key, o.end, o.end + timedelta(hours=24), served.get(id(o)), key
                    )

    def _accounts(self, m: Message) -> set[int]:
        return {id(self.account_of(p.email)) for p in [m.sender, *m.to, *m.cc] if self.is_client(p.email)}

    def _repeats(self, m: Message, kind: str) -> bool:
        """A staff reply in a thread that already holds an earlier message of this kind with its client."""
        if not (_REPLY.match(m.subject) or (m.parent is not None and not _FORWARD.match(m.subject))):
            return False
        mine = self._accounts(m)
        return any(
            x.thread is m.thread
            and (x.when_utc, x.msg_id) < (m.when_utc, m.msg_id)
            and has_keyword(x.subject, kind)
            and self._accounts(x) & mine
            for x in self.mail
        )

    def on_time(self) -> None:
        for r in self.sim.zoom:
            if r.end > self.as_of:
                continue  # the report is downloaded after the meeting
            first = min(row.join for row in r.rows if row.email == r.host.email)
            start = r.occurrence.start
            self._add("on_time", r.host.key, start, start, first, f"{r.occurrence.event.uid}/{r.occurrence.key}")

    # ---------------------------------------------------------------- weekly rhythm
    def weekly(self) -> None:
        calls = [
            t
            for t in self.sim.tasks
            if t.subtype == "Call"
            and t.call_type == "Outbound"
            and t.activity_at <= self.as_of
            and t.created <= self.as_of
        ]  # seen once logged
        staff_mail = [m for m in self.mail if m.sender.is_staff and not _is_auto(m)]
        # (sent, client accounts addressed) of progress reports; (sent, sender, recipients) of plans
        reports = [
            (m.when, {id(self.account_of(p.email)) for p in [*m.to, *m.cc] if not p.is_staff})
            for m in staff_mail
            if has_keyword(m.subject, "weekly_report")
        ]
        plans = [(m.when, m.sender, [*m.to, *m.cc]) for m in staff_mail if has_keyword(m.subject, "supervisor_report")]
        for w in range(WEEKS):
            week = week_days(w)
            wd = [d for d in week if is_working_day(d)]
            start, end = at(week[0], 0), at(week[-1] + timedelta(1), 0)
            first_due, last_due = at(wd[0] + timedelta(1), 0), at(wd[-1] + timedelta(1), 0)
            wk_calls = [t for t in calls if start <= t.activity_at < end]
            wk_reports = [r for r in reports if start <= r[0] < end]
            for ae in self.w.aes:
                for acct in [a for a in ae.accounts if a.is_customer]:
                    got = min((t.activity_at for t in wk_calls if t.account is acct), default=None)
                    self._add("monday_call", ae.key, at(wd[0], 0), first_due, got, f"{acct.sf_id}/{week[0]}")
                    got = min((when for when, accts in wk_reports if id(acct) in accts), default=None)
                    self._add("friday_client_report", ae.key, start, last_due, got, f"{acct.sf_id}/{week[0]}")
                got = min(
                    (
                        when
                        for when, sender, rcpt in plans
                        if start <= when < end and sender is ae and ae.supervisor in rcpt
                    ),
                    default=None,
                )
                self._add("friday_supervisor_report", ae.key, start, last_due, got, f"{ae.key}/{week[0]}")


def counts(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    out: dict[str, dict[str, Counter]] = {}
    for r in rows:
        out.setdefault(r["standard"], {}).setdefault(r["ae"], Counter())[r["status"]] += 1
    return {s: {ae: {k: c[k] for k in STATUSES} for ae, c in sorted(per.items())} for s, per in sorted(out.items())}


def rate(c: dict[str, int]) -> float | None:
    n = c["met"] + c["late"] + c["missed"]
    return c["met"] / n if n else None


def ground_truth(
    seed: int = 7, as_of: datetime | None = None, standards: set[str] | None = None
) -> list[dict[str, Any]]:
    """The demo's ground-truth obligations as of `as_of` (default: the export time), without writing files,
    of `standards` (default: all the oracle knows: the core eight and demo.extras.STANDARDS).

    Each row: standard, ae (e-mail local part), status, opened_at, due_at, fulfilled_at (UTC), key
    (the opening Message-ID, 'UID/occurrence_key' of a meeting, 'account_id/week_monday', or for the
    other standards a Case / WorkOrder Id or 'ae/date': demo.extras.extras_truth).
    """
    from aemetrics.demo.extras import extras_truth, plan_extras
    from aemetrics.demo.meetings import plan_meetings
    from aemetrics.demo.plants import plant
    from aemetrics.demo.truth_more import more_truth
    from aemetrics.demo.world import build_world, rng_for

    world = build_world(seed)
    events = plan_meetings(world, rng_for(seed, "meetings"))
    sim = Simulation(world, events, seed)
    sim.run()
    extras = plan_extras(world, rng_for(seed, "extras"))  # as generate_demo: after the simulation
    plant(world, events, sim, extras, seed)
    core = Truth(world, sim, events, as_of or EXPORT_AT)
    rows = core.compute() + extras_truth(extras, as_of or EXPORT_AT)
    rows += more_truth(world, sim, events, extras, as_of or EXPORT_AT, core)
    return [r for r in rows if standards is None or r["standard"] in standards]

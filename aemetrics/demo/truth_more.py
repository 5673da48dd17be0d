"""Ground truth of the standards the core oracle (demo.truth) and demo.extras do not cover:
internal_notice_24h, callback, reschedule_notice, minutes_signoff, minutes_confirmed,
client_file_complete, festival_greeting, market_info and post_project_review.

Written from STANDARDS.md ("Decisions for the other twelve", the meetings' matching rules) on the
generator's own records (threads and bodies, meeting occurrences, CRM tasks, accounts, opportunities),
not on the files nor the SQL: an independent oracle. Keys are the engine's opening keys (Message-ID,
'UID/occurrence', Task or account 15-character Id, 'ae|account|YYYY-MM', 'account|festival|day',
'opportunity <Id>'), so that rows compare one to one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from aemetrics.config import DEFAULT_KEYWORDS
from aemetrics.demo.extras import Extras, _row
from aemetrics.demo.mail import Message
from aemetrics.demo.meetings import Event, Occurrence, client_occurrences
from aemetrics.demo.plants import working_day_after
from aemetrics.demo.records import Task
from aemetrics.demo.traffic import Simulation
from aemetrics.demo.truth import Truth, _is_auto, _named, has_keyword, strip_prefixes
from aemetrics.demo.world import World, _calendar, at, is_working_day, local

STANDARDS = (
    "internal_notice_24h",
    "callback",
    "reschedule_notice",
    "minutes_signoff",
    "minutes_confirmed",
    "client_file_complete",
    "festival_greeting",
    "market_info",
    "post_project_review",
)
FESTIVALS = ("元旦", "春节", "劳动节", "端午节", "中秋节", "国庆节")  # STANDARDS.md, festival_greeting
GREETING_DAYS = 7
CLIENT_FILE_DAYS = 30
REVIEW_WORKING_DAYS = 10
REPLY_HOURS = 12
MATCH_DAYS = 7  # minutes_match_days: the reach of approvals, confirming calls and internal notices
NOT_REACHED = ("未接", "未接通", "missed", "no answer", "voicemail")
APPROVAL_WORDS = ("同意", "批准", "可以发", "通过", "没问题", "approved", "ok to send", "lgtm")
NEGATION_WORDS = ("不同意", "不批准", "不可以", "暂不", "驳回", "not approved", "rejected")
RESCHEDULE_WORDS = ("改期", "延期", "取消", "推迟", "reschedule", "postpone", "cancel")
PLACEHOLDERS = {"", "无", "暂无", "待定", "-", "n/a", "tbd"}


def sid(sf_id: str) -> str:
    """The 15-character form of a Salesforce Id (the engine's keys)."""
    return sf_id[:15]


def approves(body: str) -> bool:
    """An approval word and no negation in the body's first 1,000 characters."""
    head = body[:1000].lower()
    negated = any(w in head for w in NEGATION_WORDS)
    for w in NEGATION_WORDS:
        head = head.replace(w, " ")
    return not negated and any(w in head for w in APPROVAL_WORDS)


def end_of_day(d: date) -> datetime:
    return at(d + timedelta(1), 0)


class MoreTruth:
    def __init__(
        self, world: World, sim: Simulation, events: list[Event], extras: Extras, as_of: datetime, core: Truth
    ):
        self.w, self.sim, self.events, self.extras, self.as_of, self.core = world, sim, events, extras, as_of, core
        self.mail = core.mail  # sent at or before as_of
        self.staff_mail = sorted(
            (m for m in self.mail if m.sender.is_staff and not _is_auto(m)), key=lambda m: (m.when_utc, m.msg_id)
        )
        self.tasks = [t for t in sim.tasks if t.activity_at <= as_of and t.created <= as_of]
        self.window_start = self._window_start()
        self.rows: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ shared
    def _window_start(self) -> datetime:
        """Monday 00:00 of the week of the first dated activity (message, meeting occurrence, CRM activity,
        attendance record) at or before as_of."""
        stamps = [m.when for m in self.mail]
        stamps += [o.start for e in self.events if e.kind != "leave" for o in e.occurrences() if o.start <= self.as_of]
        stamps += [t.activity_at for t in self.tasks]
        stamps += [r.rows[0].join for r in self.sim.zoom if r.rows and r.end <= self.as_of]
        stamps += [at(p.day, 0) for p in self.extras.punches if at(p.day, 0) <= self.as_of]
        first = local(min(stamps)).date()
        return at(first - timedelta(first.weekday()), 0)

    def add(self, standard: str, ae: str, opened: datetime, due: datetime, fulfilled: datetime | None, key: str):
        """A row, when in the window: opened at or before as_of, due on or after the window start."""
        if opened > self.as_of or due < self.window_start:
            return None
        row = _row(standard, ae, opened, due, fulfilled, key, self.as_of)
        self.rows.append(row)
        return row

    def minutes_mail(self) -> list[tuple[Message, Any]]:
        """Minutes e-mails sent to a client (a staff reply in a thread that already holds minutes with that
        client is no new minutes), with their client account."""
        out = []
        for m in self.staff_mail:
            if not has_keyword(m.subject, "minutes") or self.core._repeats(m, "minutes"):
                continue
            clients = [self.core.account_of(p.email) for p in [*m.to, *m.cc] if self.core.is_client(p.email)]
            if clients:
                out.append((m, clients[0]))
        return out

    def compute(self) -> list[dict[str, Any]]:
        self.internal_notice_24h()
        self.callback()
        self.reschedule_notice()
        self.minutes_signoff()
        self.minutes_confirmed()
        self.client_file_complete()
        self.festival_greeting()
        self.market_info()
        self.post_project_review()
        return self.rows

    # ------------------------------------------------------------------ meetings
    def internal_notice_24h(self) -> None:
        """Each client meeting occurrence with internal attendees besides the organiser: the invitation
        (the event's creation) by start - 24 h. Booked after that deadline: excused."""
        for o in client_occurrences(self.events):
            ev = o.event
            if o.status == "CANCELLED" or o.start > self.as_of or not [p for p in ev.internal if p is not ev.organizer]:
                continue
            due = o.start - timedelta(hours=24)
            reached = []
            for p in [x for x in ev.internal if x is not ev.organizer]:
                mails = [
                    m.when
                    for m in self.staff_mail
                    if o.start - timedelta(days=MATCH_DAYS) <= m.when < o.start
                    and p in [*m.to, *m.cc]
                    and names(m.subject, o, self.events, m.when, "upcoming")
                ]
                reached.append(min([ev.created, *mails]))
            fulfilled = max(reached)
            row = self.add(
                "internal_notice_24h", ev.organizer.key, min(ev.created, due), due, fulfilled, f"{ev.uid}/{o.key}"
            )
            if row is not None and ev.writes_created and fulfilled > due:
                row["status"] = "excused"  # booked (CREATED) after the deadline and not served in time

    def reschedule_notice(self) -> None:
        """Client occurrences the (staff) organiser moved (RECURRENCE-ID override) or cancelled, dated by
        LAST-MODIFIED: opened at the change, fulfilled by it or an earlier e-mail to a client attendee with
        a reschedule word naming the meeting; met when 24 h before the original start, else late."""
        for o in client_occurrences(self.events):
            ev = o.event
            if not (o.moved or o.status == "CANCELLED") or not ev.organizer.is_staff:
                continue
            override = ev.overrides.get(o.recurrence_id) if o.recurrence_id else None
            changed = override.last_modified if override else ev.last_modified
            original = o.recurrence_id or o.start
            notices = [
                m.when
                for m in self.staff_mail
                if m.when < changed
                and {p.email for p in [*m.to, *m.cc]} & {c.email for c in ev.clients}
                and any(w in strip_prefixes(m.subject).lower() for w in RESCHEDULE_WORDS)
                and names(m.subject, o, self.events, m.when, "upcoming", scheduled=True)
            ]
            fulfilled = min([changed, *notices])
            self.add(
                "reschedule_notice",
                ev.organizer.key,
                changed,
                original - timedelta(hours=24),
                fulfilled,
                f"{ev.uid}/{o.key}",
            )

    def _served_meeting(self, m: Message) -> Occurrence | None:
        """The meeting a minutes e-mail serves (STANDARDS.md: it names one, else the latest ended one with
        that client without minutes): the core oracle's matching, reused for the meeting's start."""
        rcpt = {p.email for p in [*m.to, *m.cc]}
        related = [
            o
            for o in client_occurrences(self.events)
            if rcpt & {c.email for c in o.event.clients} and o.status != "CANCELLED"
        ]
        named = _named(m.subject, related)
        pool = named if named is not None else related
        cands = [o for o in reversed(pool) if o.start < m.when <= o.end + timedelta(days=7)]
        return cands[0] if cands else None

    def minutes_signoff(self) -> None:
        """Each minutes e-mail to a client, due at its sending: an approval e-mail from the sender's
        supervisor to the sender (approval word, no negation, in the body), in the minutes' thread or whose
        subject holds the minutes' subject or names the meeting, sent after the meeting started; before the
        send met, after late, none missed. Each approval serves one minutes e-mail: the earliest it can."""
        minutes = self.minutes_mail()
        meetings = {id(m): self._served_meeting(m) for m, _ in minutes}
        approvals = [a for a in self.staff_mail if approves(a.body)]
        chosen: dict[int, list[datetime]] = {}
        for a in approvals:
            can = [m for m, _acct in minutes if self._approves_minutes(a, m, meetings[id(m)])]
            after = [m for m in can if m.when >= a.when]
            target = after[0] if after else (can[-1] if can else None)
            if target is not None:
                chosen.setdefault(id(target), []).append(a.when)
        got: dict[int, datetime] = {}
        for m, _acct in minutes:  # several approvals: the latest before the send, else the first after
            whens = chosen.get(id(m), [])
            before = [w for w in whens if w <= m.when]
            if whens:
                got[id(m)] = max(before) if before else min(whens)
        for m, acct in minutes:
            occ = meetings[id(m)]
            ae = occ.event.organizer.key if occ is not None else acct.owner.key
            self.add("minutes_signoff", ae, m.when, m.when, got.get(id(m)), m.msg_id)

    def _approves_minutes(self, a: Message, m: Message, occ: Occurrence | None) -> bool:
        """Approval `a` can sign minutes `m`: from m's sender's supervisor to the sender, sent after the
        meeting started (else within 7 days before the send), in m's thread or holding m's subject or
        naming m's meeting."""
        if a is m or m.sender.supervisor is not a.sender or m.sender not in [*a.to, *a.cc]:
            return False
        since = occ.start if occ is not None else m.when - timedelta(days=MATCH_DAYS)
        if a.when <= since:
            return False
        subject = strip_prefixes(m.subject).strip().lower()
        if a.thread is m.thread or (subject and subject in strip_prefixes(a.subject).lower()):
            return True
        return occ is not None and names(a.subject, occ, self.events, a.when, "latest")

    def minutes_confirmed(self) -> None:
        """Each minutes e-mail to a client: an outbound call to that account or an answered inbound call from
        it, logged after the send, by 24:00 of the next working day. One call confirms one e-mail."""
        calls = sorted(
            (t for t in self.tasks if t.subtype == "Call" and t.status == "Completed" and _confirms(t)),
            key=lambda t: (t.activity_at, t.sf_id),
        )
        minutes = self.minutes_mail()
        got: dict[int, datetime] = {}
        for t in calls:
            for m, acct in minutes:
                if id(m) in got or acct is not t.account:
                    continue
                # a CRM call is a dated record placed in its day: the same local day counts as after the send
                due = end_of_day(working_day_after(local(m.when).date(), 1))
                if t.activity_at > due + timedelta(days=MATCH_DAYS):
                    continue  # calls count up to minutes_match_days after the due (docs/decisions.md)
                if t.activity_at > m.when or t.activity_date == local(m.when).date():
                    got[id(m)] = t.activity_at
                    break
        for m, acct in minutes:
            occ = self._served_meeting(m)
            ae = occ.event.organizer.key if occ is not None else acct.owner.key
            due = end_of_day(working_day_after(local(m.when).date(), 1))
            self.add("minutes_confirmed", ae, m.when, due, got.get(id(m)), m.msg_id)

    # ------------------------------------------------------------------ communication
    def callback(self) -> None:
        """Unanswered inbound client calls open one; later missed calls from the account before a staff
        call-back collapse into it. The first later outbound call to the account or staff e-mail to one of
        its contacts fulfils it (a CRM call is placed in its day: evidence on the same local day counts as
        after it); due opened + 12 h. Each piece of evidence serves one obligation."""
        missed: dict[int, list[Task]] = {}
        evidence: dict[int, list[datetime]] = {}
        for t in self.tasks:
            if t.subtype != "Call":
                continue
            if t.call_type == "Inbound" and any(w in (t.disposition or "").lower() for w in NOT_REACHED):
                missed.setdefault(id(t.account), []).append(t)
            elif t.call_type == "Outbound":
                evidence.setdefault(id(t.account), []).append(t.activity_at)
        for m in self.staff_mail:
            for key in {id(self.core.account_of(p.email)) for p in [*m.to, *m.cc] if self.core.is_client(p.email)}:
                evidence.setdefault(key, []).append(m.when)
        for key, calls in missed.items():
            free = sorted(evidence.get(key, []))
            current: Task | None = None
            got: datetime | None = None
            for t in sorted(calls, key=lambda t: (t.activity_at, t.sf_id)):
                if current is not None and (got is None or t.activity_at < got):
                    continue  # before a call-back: the same obligation
                if current is not None:
                    self._callback_row(current, got)
                current = t
                day = local(t.activity_at).date()
                got = next((e for e in free if e > t.activity_at or local(e).date() == day), None)
                if got is not None:
                    free.remove(got)
            if current is not None:
                self._callback_row(current, got)

    def _callback_row(self, t: Task, fulfilled: datetime | None) -> None:
        opened = t.activity_at
        self.add(
            "callback", t.account.owner.key, opened, opened + timedelta(hours=REPLY_HOURS), fulfilled, sid(t.sf_id)
        )

    # ------------------------------------------------------------------ account care
    def active_accounts(self) -> list[Any]:
        return [a for a in self.w.accounts if a.is_customer and a.owner.role == "ae"]

    def client_file_complete(self) -> None:
        """Each active client account once: every required field filled at as_of (met), else missed once
        due (creation + 30 days, never before the window start), open before."""
        with_projects = {id(o.account) for o in self.extras.opportunities}
        for a in self.active_accounts():
            f = a.fill
            fields = [
                a.name,
                a.brand,
                f"{a.brand}系列产品" if f["product"] else "",
                a.street if f["street"] else a.city[0],
                a.phone or "",
                a.fax or "",
                "x" if f["ad_volume"] or a.revenue else "",
                "x" if id(a) in with_projects else "",
                "x" if f["budget"] else "",
                "x" if a.listed_contacts else "",
            ]
            complete = all(str(v).strip().lower() not in PLACEHOLDERS for v in fields)
            opened = max(a.created, self.window_start)
            due = max(a.created + timedelta(days=CLIENT_FILE_DAYS), self.window_start)
            row = _row("client_file_complete", a.owner.key, opened, due, None, sid(a.sf_id), self.as_of)
            if complete:
                row["status"] = "met"
            self.rows.append(row)

    def _care_mail(self, kind: str) -> list[tuple[datetime, Any]]:
        """(sent, account) of staff e-mails of `kind` (greeting / market_info) to an account's contacts;
        a staff reply in a thread already holding one with that client is no new evidence."""
        out = []
        for m in self.staff_mail:
            if not has_keyword(m.subject, kind) or self.core._repeats(m, kind):
                continue
            accts = {
                id(self.core.account_of(p.email)): self.core.account_of(p.email)
                for p in [*m.to, *m.cc]
                if self.core.is_client(p.email) and not p.is_staff
            }
            out += [(m.when, a) for a in accts.values()]
        return out

    def festivals(self) -> list[tuple[str, date, date]]:
        """(name, first day, last day of its break) of the festivals of the business calendar near the demo."""
        cal = _calendar()
        start = local(self.window_start).date() - timedelta(10)
        out = []
        d = start
        while d <= local(self.as_of).date() + timedelta(10):
            name = cal.holiday_name(d)
            if name in FESTIVALS and cal.holiday_name(d - timedelta(1)) != name:
                end = d
                while not is_working_day(end + timedelta(1)):
                    end += timedelta(1)
                out.append((name, d, end))
            d += timedelta(1)
        return out

    def festival_greeting(self) -> None:
        """Each festival x client or prospect account existing before its first day: a greeting from 00:00
        seven days before to 24:00 of the first day (met), later inside the break (late), else missed. One
        greeting serves every festival whose window or break holds it."""
        greetings = self._care_mail("greeting")
        for name, first, last in self.festivals():
            window = at(first - timedelta(GREETING_DAYS), 0)
            for a in self.w.accounts:
                if a.created >= at(first, 0):
                    continue
                got = min((w for w, x in greetings if x is a and window <= w < end_of_day(last)), default=None)
                self.add(
                    "festival_greeting",
                    a.owner.key,
                    max(window, a.created),
                    end_of_day(first),
                    got,
                    f"{sid(a.sf_id)}|{name}|{first.isoformat()}",
                )

    def market_info(self) -> None:
        """Each active client account x calendar month: market / media information inside the month (met),
        else missed once the month's last working day has ended (no late), open while it runs."""
        infos = self._care_mail("market_info")
        m0 = local(self.window_start).date().replace(day=1)
        end_month = local(self.as_of).date().replace(day=1)
        while m0 <= end_month:
            nxt = (m0 + timedelta(32)).replace(day=1)
            last_wd = nxt - timedelta(1)
            while not is_working_day(last_wd):
                last_wd -= timedelta(1)
            for a in self.active_accounts():
                opened = max(at(m0, 0), self.window_start, a.created)
                if a.created >= end_of_day(last_wd):
                    continue
                got = min((w for w, x in infos if x is a and at(m0, 0) <= w < at(nxt, 0)), default=None)
                due = end_of_day(last_wd)
                row = self.add(
                    "market_info", a.owner.key, opened, due, got, f"{a.owner.email}|{sid(a.sf_id)}|{m0:%Y-%m}"
                )
                if row is not None and got is not None:
                    row["status"] = "met"  # no late: evidence inside the month meets it
            m0 = nxt

    def post_project_review(self) -> None:
        """Each won opportunity (its CloseDate the completion day): a review meeting (title with a review
        word naming the account or the opportunity) starting on or after that day, by 24:00 of the 10th
        working day after it (met), later (late), none (missed). One meeting reviews one project."""
        words = [k.lower() for k in DEFAULT_KEYWORDS["project_review"]]
        meetings = sorted(
            (
                o
                for e in self.events
                if e.kind != "leave"
                for o in e.occurrences()
                if o.status != "CANCELLED" and o.start <= self.as_of and e.created <= self.as_of
            ),
            key=lambda o: (o.start, o.event.uid),
        )
        used: set[int] = set()
        for opp in sorted(self.extras.opportunities, key=lambda o: (o.close_date, o.sf_id)):
            if not opp.is_won:
                continue
            created = local(opp.created)
            opened = opp.created if created.date() == opp.close_date else end_of_day(opp.close_date)
            due = end_of_day(working_day_after(opp.close_date, REVIEW_WORKING_DAYS))
            got = None
            for o in meetings:
                title = re.sub(r"\s+", "", o.event.summary.lower())
                names = (
                    re.sub(r"\s+", "", opp.name.lower()) in title
                    or re.sub(r"\s+", "", opp.account.name.lower()) in title
                )
                if (
                    id(o) not in used
                    and any(w in title for w in words)
                    and names
                    and local(o.start).date() >= opp.close_date
                ):
                    used.add(id(o))
                    got = o.start
                    break
            self.add("post_project_review", opp.account.owner.key, opened, due, got, f"opportunity {opp.sf_id}")


def names(subject: str, o: Occurrence, events: list[Event], sent: datetime, pick: str, scheduled: bool = False) -> bool:
    """The subject names occurrence `o` (STANDARDS.md "What names a meeting"): among the client meetings
    with o's account, it holds the title or a local date of o; when it names several, the default rule
    picks ('upcoming': the first starting after `sent`, as an agenda; 'latest': the latest started before
    it, as minutes). `scheduled`: dates are the original (RECURRENCE-ID) starts, as a notice of a move
    names the original date."""
    pool = [
        SimpleNamespace(event=x.event, start=(x.recurrence_id or x.start) if scheduled else x.start, occ=x)
        for e in events
        if e.kind == "client" and e.account is o.event.account
        for x in e.occurrences()
    ]
    named = _named(subject, pool)
    if not named:
        return False
    named = sorted(named, key=lambda x: x.start)
    if len(named) > 1:
        if pick == "upcoming":
            named = [x for x in named if x.start > sent][:1]
        else:
            named = [x for x in named if x.start < sent][-1:]
    return any(x.occ.event is o.event and x.occ.key == o.key for x in named)


def _confirms(t: Task) -> bool:
    """An outbound call, or an inbound one that was answered (missed calls do not confirm)."""
    if t.call_type == "Outbound":
        return True
    return t.call_type == "Inbound" and not any(w in (t.disposition or "").lower() for w in NOT_REACHED)


def more_truth(
    world: World, sim: Simulation, events: list[Event], extras: Extras, as_of: datetime, core: Truth
) -> list[dict[str, Any]]:
    return MoreTruth(world, sim, events, extras, as_of, core).compute()

"""What happens in the demo agency over the 16 weeks: mail, CRM calls and Zoom meetings.

Each concern draws from its own seeded random stream, so changing one (say, newsletters) does not
reshuffle the others. Behaviour comes from the AE's Profile (world.PROFILES); the planted facts
are listed in the generated README.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aemetrics.demo import names as N
from aemetrics.demo.mail import FORWARD_PREFIX, Mailroom, Message, Sender
from aemetrics.demo.meetings import Event, Occurrence, client_occurrences
from aemetrics.demo.world import (COACHING_DAY, COVER, EXPORT_AT, LEAVE, PROFILES, WEEKS, Account, Contact, Person,
                                  World, at, awake, days, is_working_day, local, poisson, rng_for, week_days,
                                  week_index, work_after, work_before)

WEEKDAY_CN = "一二三四五六日"
NATIONAL_DAY_OOO = (at(date(2025, 9, 30), 12), at(date(2025, 10, 9), 0))  # many leave at noon on the eve


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
        """When it happened as the CRM parser reads it: CompletedDateTime, else ActivityDate 09:00."""
        return self.completed if self.completed is not None else at(self.activity_date, 9)


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


def _fmt_day(t: datetime) -> str:
    t = local(t)
    return f"{t.month}月{t.day}日（周{WEEKDAY_CN[t.weekday()]}）"


def _sign(p: Person) -> str:
    return f"{p.name}\n{N.AGENCY_NAME} {p.team or ''}\nM: {p.email}"


def _csign(c: Contact) -> str:
    return f"{c.name}\n{c.account.name} {c.title}"


def _salute(c: Contact) -> str:
    if c.english:
        return c.first
    if "总" in c.title or "副总裁" in c.title:
        return f"{c.last}总"
    return f"{c.last}经理" if "经理" in c.title else c.name


class Simulation:
    def __init__(self, world: World, events: list[Event], seed: int):
        self.w = world
        self.events = events
        self.seed = seed
        self.mail = Mailroom(rng_for(seed, "message-ids"))
        self.tasks: list[Task] = []
        self.zoom: list[ZoomReport] = []
        self.planned: list[Planned] = []
        self._ooo_last: dict[tuple[str, str], datetime] = {}
        self._client_ooo_done: set[tuple[str, str]] = set()

    def run(self) -> None:
        self.inquiries(rng_for(self.seed, "inquiries"))
        self.proposals(rng_for(self.seed, "proposals"))
        self.meetings(rng_for(self.seed, "meetings-mail"))
        self.weekly(rng_for(self.seed, "weekly"))
        self.seasonal(rng_for(self.seed, "seasonal"))
        self.background(rng_for(self.seed, "background"))
        self.calls(rng_for(self.seed, "calls"))

    # ------------------------------------------------------------------ helpers
    def _task(self, rng: random.Random, owner: Person, acct: Account, subject: str, when: datetime | None, *,
              kind: str, call_type: str | None = "Outbound", activity_date: date | None = None,
              contact: Contact | None = None, status: str = "Completed", disposition: str | None = None) -> Task | None:
        if when is not None:
            when = when.replace(microsecond=0)
        day = activity_date or local(when).date()  # type: ignore[arg-type]
        if when is not None and when >= EXPORT_AT:
            return None
        logged = (when or at(day, 18)) + timedelta(minutes=rng.randint(1, 40), seconds=rng.randint(0, 59))
        if kind == "todo":
            logged = at(date(2025, 12, 1), 10) + timedelta(minutes=rng.randint(0, 4000))
        elif rng.random() < 0.08:
            logged += timedelta(hours=rng.randint(12, 40))  # logged the next day
        logged = min(logged, EXPORT_AT - timedelta(minutes=5))
        t = Task(self.w.ids("00T"), owner, acct, contact or (acct.listed_contacts[0] if acct.listed_contacts else None),
                 subject, "Call" if call_type else "Task", call_type, when, day, logged, status=status,
                 duration_s=rng.randint(45, 900) if call_type and disposition != "未接通" else (0 if call_type else None),
                 disposition=disposition, kind=kind)
        self.tasks.append(t)
        return t

    def _on_leave(self, p: Person, t: datetime) -> bool:
        lv = LEAVE.get(p.key)
        return bool(lv and lv[1] <= t < lv[2])

    def _staff_ooo(self, m: Message | None) -> None:
        """Gmail's vacation responder: once per sender per four days, to mail from outside."""
        if m is None or m.sender.is_staff or m.auto:
            return
        for p in [*m.to, *m.cc]:
            if not p.is_staff or not self._on_leave(p, m.when):
                continue
            last = self._ooo_last.get((p.key, m.sender.email))
            if last and m.when - last < timedelta(days=4):
                continue
            self._ooo_last[(p.key, m.sender.email)] = m.when
            lv = LEAVE[p.key]
            cover = self.w.person(COVER[p.key])
            back = local(lv[2]).date()
            body = (f"您好，我于{local(lv[1]).month}月{local(lv[1]).day}日至{back.month}月{back.day - 1}日休假，"
                    f"期间不能及时回复邮件。紧急事宜请联系{cover.name}（{cover.email}）。\n\n{p.name}")
            self.mail.send(p, [m.sender], [], m.when + timedelta(seconds=40 + len(m.msg_id)),
                           "自动回复: " + m.subject, body, "ooo", parent=m, auto=True,
                           headers=[("Auto-Submitted", "auto-replied")])

    def _client_ooo(self, m: Message | None) -> None:
        """Clients away over the National Day holiday answer staff mail automatically."""
        if m is None or not m.sender.is_staff or not (NATIONAL_DAY_OOO[0] <= m.when < NATIONAL_DAY_OOO[1]):
            return
        for c in [*m.to, *m.cc]:
            if c.is_staff or not getattr(c, "ooo_national_day", False) or (c.email, m.sender.email) in self._client_ooo_done:
                continue
            self._client_ooo_done.add((c.email, m.sender.email))
            if c.mailer in ("outlook",):
                prefix, headers = "自动答复: ", [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")]
            elif c.mailer in ("outlook_en", "apple"):
                prefix, headers = "Automatic reply: ", [("Auto-Submitted", "auto-replied")]
            elif c.mailer == "qqmail":
                prefix, headers = "自动回复：", [("X-Autoreply", "yes")]  # no Auto-Submitted: only the subject says it
            else:
                prefix, headers = "自动回复: ", [("X-Autoreply", "yes"), ("Auto-Submitted", "auto-replied")]
            body = ("I am out of office until 9 October with limited access to email." if c.english else
                    "您好，国庆中秋假期期间（10月1日-10月8日）我不在办公室，邮件将于10月9日起回复。祝节日快乐！")
            self.mail.send(c, [m.sender], [], m.when + timedelta(seconds=25 + len(c.email)), prefix + m.subject, body,
                           "ooo", parent=m, auto=True, headers=headers)

    def respond(self, rng: random.Random, msg: Message, account: Account, opened: datetime) -> tuple[Person, datetime] | None:
        """Who answers a client message, and when (None: nobody ever does)."""
        ae = account.handler
        responder = ae
        if self._on_leave(ae, opened):
            if rng.random() > (0.9 if ae.key == "xu.li" else 0.5):
                return None
            responder = self.w.person(COVER[ae.key])
        else:
            others = [p for p in [*msg.to, *msg.cc] if p.is_staff and p is not ae and p.role == "ae"]
            if others and rng.random() < 0.2:
                responder = rng.choice(others)  # a colleague on copy covers
        prof = responder.profile or PROFILES["zhang.wei"]
        small = account.is_customer and account.tier == "C"
        median, sigma, never = prof.reply_params(week_index(local(opened).date()), small)
        if rng.random() < never:
            return None
        t = awake(opened + timedelta(hours=median * math.exp(sigma * rng.gauss(0, 1))), rng)
        if not is_working_day(t.date()) and rng.random() > prof.weekend_replies:
            t = work_after(t, rng)
        return responder, t.replace(microsecond=0)

    def converse(self, rng: random.Random, first: Message | None, account: Account, max_rounds: int = 2) -> None:
        """Client message -> (maybe a second client message) -> staff answer -> maybe another round."""
        client_msg = first
        rounds = 0
        while client_msg is not None:
            self._staff_ooo(client_msg)
            decision = self.respond(rng, client_msg, account, client_msg.when)
            if rng.random() < 0.15:  # the client writes again before anyone answers
                t2 = awake(client_msg.when + timedelta(hours=rng.uniform(0.3, 4)), rng)
                if decision is None or t2 < decision[1]:
                    extra = self.mail.reply(client_msg, client_msg.sender, t2, rng.choice(N.FOLLOWUP_ASKS) + "\n\n" +
                                            _csign(client_msg.sender), kind="inquiry", to=list(client_msg.to),
                                            cc=list(client_msg.cc))
                    if extra is not None:
                        client_msg = extra
            if decision is None:
                return
            responder, t = decision
            c = client_msg.sender
            detail = rng.choice(N.REPLY_DETAILS)
            tpl = N.REPLY_BODIES[2] if c.english else rng.choice(N.REPLY_BODIES[:2])
            body = tpl.format(client=_salute(c), detail=detail, sign=_sign(responder))
            if c.english:
                body = body.replace(detail, "From our side everything is on track; details attached.")
            cc = [p for p in [*client_msg.to, *client_msg.cc] if p is not responder and p is not c]
            if responder is not account.handler and account.handler not in cc:
                cc.append(account.handler)
            reply = self.mail.reply(client_msg, responder, t, body, to=[c], cc=cc)
            self._client_ooo(reply)
            rounds += 1
            if reply is None or rounds >= max_rounds or rng.random() > 0.35:
                return
            t3 = awake(reply.when + timedelta(hours=rng.uniform(0.5, 26)), rng)
            ask = rng.choice(N.ASKS_EN if c.english else N.ASKS)
            client_msg = self.mail.reply(reply, c, t3, rng.choice(N.FOLLOWUP_CLIENT).format(ask=ask) + "\n\n" + _csign(c),
                                         kind="inquiry")

    # ------------------------------------------------------------------ client inquiries
    def inquiries(self, rng: random.Random) -> None:
        handled = [a for a in self.w.accounts]
        for d in days():
            for ae in self.w.aes:
                mine = [a for a in handled if a.handler is ae]
                lam = 1.0 if is_working_day(d) else (0.25 if date(2025, 10, 1) <= d <= date(2025, 10, 8) else 0.15)
                for _ in range(poisson(rng, lam)):
                    weights = [6 if a.is_customer and a.owner is ae else (1 if a.is_customer else 0.6) for a in mine]
                    acct = rng.choices(mine, weights)[0]
                    if is_working_day(d):
                        t = at(d, 9) + timedelta(minutes=rng.randint(0, 570) if rng.random() < 0.88 else rng.randint(600, 780))
                    else:
                        t = at(d, 10) + timedelta(minutes=rng.randint(0, 600))
                    self.inquiry(rng, acct, t + timedelta(seconds=rng.randint(0, 59)))

    def inquiry(self, rng: random.Random, acct: Account, t0: datetime) -> None:
        ae = acct.handler
        unlisted = [c for c in acct.contacts if not c.sf_id]
        listed = acct.listed_contacts
        sender = unlisted[0] if unlisted and rng.random() < 0.25 else rng.choices(listed, [3] + [1] * (len(listed) - 1))[0]
        to, cc = [ae], []
        r = rng.random()
        if r < 0.03:
            to, cc = [rng.choice(ae.teammates)], [ae]
        elif r < 0.05 and ae.supervisor:
            to, cc = [ae.supervisor], [ae]
        if rng.random() < 0.15:
            mate = rng.choice(ae.teammates)
            if mate not in to and mate not in cc:
                cc.append(mate)
        if rng.random() < 0.06 and ae.supervisor and ae.supervisor not in to + cc:
            cc.append(ae.supervisor)
        others = [c for c in listed if c is not sender]
        if others and rng.random() < 0.3:
            cc.append(rng.choice(others))
        if sender.english:
            subject = rng.choice(N.INQUIRY_SUBJECTS_EN).format(brand=acct.brand_py.capitalize())
            body = (f"Hi {ae.given.capitalize()},\n\n{rng.choice(N.ASKS_EN)}\n\nFrom our side the total budget "
                    f"cannot change.\n\nThanks,\n{sender.name}")
        else:
            subject = rng.choice(N.INQUIRY_SUBJECTS).format(brand=acct.brand)
            body = rng.choice(N.INQUIRY_BODIES).format(ask=rng.choice(N.ASKS), sign=_csign(sender), ae_given=ae.given,
                                                       ae_name=ae.name)
        m = self.mail.send(sender, to, cc, t0, subject, body, "inquiry", account=acct)
        self.converse(rng, m, acct)

    # ------------------------------------------------------------------ staff-started threads
    def proposals(self, rng: random.Random) -> None:
        for d in days():
            if not is_working_day(d):
                continue
            for ae in self.w.aes:
                if self._on_leave(ae, at(d, 12)):
                    continue
                for _ in range(poisson(rng, 0.4)):
                    acct = rng.choice(ae.accounts)
                    t = at(d, 10) + timedelta(minutes=rng.randint(0, 480), seconds=rng.randint(0, 59))
                    contacts = acct.listed_contacts
                    to = [contacts[0]] + ([contacts[1]] if len(contacts) > 1 and rng.random() < 0.4 else [])
                    cc = [ae.supervisor] if rng.random() < 0.2 and ae.supervisor else []
                    subject = rng.choice(N.PROPOSAL_SUBJECTS).format(brand=acct.brand)
                    what = subject.split(" ", 1)[-1].removesuffix("，请审阅")
                    body = f"{_salute(to[0])}您好，\n\n附件是{what}，请审阅。如有意见请随时告诉我。\n\n{_sign(ae)}"
                    m = self.mail.send(ae, to, cc, t, subject, body, "proposal", account=acct)
                    self._client_ooo(m)
                    if m is None or rng.random() > 0.6:
                        continue
                    client = rng.choice(to)
                    t1 = awake(m.when + timedelta(hours=rng.uniform(1, 30)), rng)
                    ask = rng.choice(N.ASKS_EN if client.english else N.ASKS)
                    q = self.mail.reply(m, client, t1, f"{rng.choice(N.FOLLOWUP_CLIENT).format(ask=ask)}\n\n{_csign(client)}",
                                        kind="inquiry")
                    self.converse(rng, q, acct)

    # ------------------------------------------------------------------ meetings
    def meetings(self, rng: random.Random) -> None:
        for occ in client_occurrences(self.events):
            ev = occ.event
            ae = ev.organizer
            prof = ae.profile or PROFILES["zhang.wei"]
            acct = ev.account
            override = ev.overrides.get(occ.recurrence_id) if occ.recurrence_id else None
            if occ.status == "CANCELLED" or occ.moved:
                changed = override.last_modified if override else ev.last_modified
                verb = "取消" if occ.status == "CANCELLED" else "改期"
                orig = occ.recurrence_id or occ.start
                new = "" if occ.status == "CANCELLED" else f"，改至{_fmt_day(occ.start)} {local(occ.start):%H:%M}"
                body = (f"{_salute(ev.clients[0])}您好，\n\n抱歉，原定{_fmt_day(orig)} {local(orig):%H:%M}的"
                        f"「{ev.summary}」需要{verb}{new}。给您带来不便，敬请谅解。\n\n{_sign(ae)}")
                m = self.mail.send(ae, ev.clients, ev.internal, changed + timedelta(minutes=rng.randint(1, 20)),
                                   f"会议{verb}通知：{ev.summary}（{_fmt_day(orig)}）", body, "notice", account=acct,
                                   meeting=occ)
                self._client_ooo(m)
                if occ.status == "CANCELLED":
                    continue
            self._agenda(rng, occ, prof)
            self._minutes(rng, occ, prof)
            if ev.zoom_id and occ.end < EXPORT_AT and rng.random() < 0.85:
                self._zoom(rng, occ)

    def _agenda(self, rng: random.Random, occ: Occurrence, prof) -> None:
        ev, ae = occ.event, occ.event.organizer
        r = rng.random()
        on_time, late = prof.agenda
        if r < on_time:
            t = work_before(occ.start - timedelta(hours=48) - timedelta(hours=rng.uniform(1, 30)), rng)
            intent = "on_time"
        elif r < on_time + late:
            t = awake(occ.start - timedelta(hours=rng.uniform(3, 44)), rng)
            if t >= occ.start - timedelta(minutes=20):
                t = occ.start - timedelta(minutes=rng.randint(30, 90))
            intent = "late"
        else:
            self.planned.append(Planned("agenda_48h", ae.key, "missing", None, ev.uid))
            return
        t = t.replace(microsecond=0)
        if t >= EXPORT_AT:
            return
        self.planned.append(Planned("agenda_48h", ae.key, intent, t, ev.uid))
        english = "sync" in ev.summary or ev.clients[0].english
        when = f"{local(occ.start):%b %d %H:%M}" if english else f"{_fmt_day(occ.start)} {local(occ.start):%H:%M}"
        subject = (f"Agenda: {ev.summary}, {when}" if english else
                   rng.choice([f"会议议程：{ev.summary} {when}", f"【议程】{ev.summary} {when}", f"{ev.summary} 会议议程（{when}）"]))
        ours = "、".join(p.name for p in [ae, *ev.internal])
        theirs = "、".join(c.name for c in ev.clients)
        link = f"\nZoom: https://zoom.us/j/{ev.zoom_id}" if ev.zoom_id else f"\n地点：{ev.location}"
        body = (f"{_salute(ev.clients[0])}您好，\n\n{when} 的会议议程如下：\n1. 上周工作回顾\n2. 本周重点事项\n3. 待确认问题\n\n"
                f"参会人员：\n我方：{ours}\n贵方：{theirs}\n{link}\n\n请确认参会人员和时间，谢谢！\n\n{_sign(ae)}")
        m = self.mail.send(ae, ev.clients, ev.internal, t, subject, body, "agenda", account=ev.account, meeting=occ)
        self._client_ooo(m)

    def _minutes(self, rng: random.Random, occ: Occurrence, prof) -> None:
        ev, ae = occ.event, occ.event.organizer
        if occ.end >= EXPORT_AT:
            return
        r = rng.random()
        on_time, late = prof.minutes
        if r < on_time:
            t = occ.end + timedelta(hours=rng.uniform(1, 5))
            if local(t).hour >= 22 or local(t).hour < 8:
                t = work_after(t, rng)
            if t > occ.end + timedelta(hours=23, minutes=30):
                t = occ.end + timedelta(hours=rng.uniform(1, 3))
            intent = "on_time"
        elif r < on_time + late:
            t = work_after(occ.end + timedelta(hours=rng.uniform(26, 70)), rng)
            intent = "late"
        else:
            self.planned.append(Planned("minutes_24h", ae.key, "missing", None, ev.uid))
            return
        t = t.replace(microsecond=0)
        if t >= EXPORT_AT:
            self.planned.append(Planned("minutes_24h", ae.key, "missing", None, ev.uid))
            return
        self.planned.append(Planned("minutes_24h", ae.key, intent, t, ev.uid))
        english = "sync" in ev.summary or ev.clients[0].english
        day = f"{local(occ.start):%Y-%m-%d}"
        subject = (f"Minutes: {ev.summary} ({day})" if english else
                   rng.choice([f"会议纪要：{ev.summary} {_fmt_day(occ.start)}", f"【会议纪要】{ev.summary} {day}",
                               f"{ev.summary} 会议记录 {day}"]))
        body = (f"{_salute(ev.clients[0])}您好，\n\n附上今天会议的纪要，请查收：\n1. 排期按讨论结果调整\n2. 素材下周三前交付\n"
                f"3. 下次会议再确认预算\n\n如有遗漏请指正。\n\n{_sign(ae)}")
        cc = list(ev.internal) + ([ae.supervisor] if ae.supervisor and ae.supervisor not in ev.internal else [])
        m = self.mail.send(ae, ev.clients, cc, t, subject, body, "minutes", account=ev.account, meeting=occ)
        self._client_ooo(m)
        if m is not None and rng.random() < prof.report_call:
            call = work_after(t + timedelta(hours=rng.uniform(0.3, 20)), rng)
            self._task(rng, ae, ev.account, "电话确认会议纪要", call.replace(microsecond=0), kind="minutes_call",
                       contact=ev.clients[0])

    def _zoom(self, rng: random.Random, occ: Occurrence) -> None:
        ev, ae = occ.event, occ.event.organizer
        prof = ae.profile or PROFILES["zhang.wei"]
        late = rng.random() < prof.late_join
        host_join = occ.start + (timedelta(minutes=rng.uniform(1.5, 14)) if late else -timedelta(minutes=rng.uniform(0.5, 7)))
        host_join = host_join.replace(microsecond=0)
        end = (occ.end + timedelta(minutes=rng.uniform(-8, 12))).replace(microsecond=0)
        rows: list[ZoomRow] = []
        if rng.random() < 0.12:  # connection dropped: two sessions for the host
            drop = host_join + timedelta(minutes=rng.uniform(10, 30))
            rows.append(ZoomRow(ae.name, ae.email, host_join, drop, False, ae))
            rows.append(ZoomRow(ae.name, ae.email, drop + timedelta(seconds=rng.randint(20, 120)), end, False, ae))
        else:
            rows.append(ZoomRow(ae.name, ae.email, host_join, end, False, ae))
        for p in ev.internal:
            if rng.random() < 0.8:
                j = occ.start + timedelta(minutes=rng.uniform(-4, 6))
                j = max(j, host_join + timedelta(seconds=rng.randint(3, 40)))
                rows.append(ZoomRow(p.name, p.email, j.replace(microsecond=0), end, False, p))
        for c in ev.clients:
            p_join = {"ACCEPTED": 0.92, "TENTATIVE": 0.5, "NEEDS-ACTION": 0.4}.get(ev.partstat.get(c.email, ""), 0.0)
            if rng.random() >= p_join:
                continue
            j = max(occ.start + timedelta(minutes=rng.gauss(1.5, 3)),  # waiting room: admitted after the host
                    host_join + timedelta(seconds=rng.randint(4, 50))).replace(microsecond=0)
            name = c.name if rng.random() < 0.7 else f"{c.account.brand}-{c.name} ({c.name})"
            email = c.email if rng.random() < 0.6 else ""  # not signed in to Zoom: no address in the report
            leave = end - timedelta(seconds=rng.randint(0, 300))
            rows.append(ZoomRow(name, email, j, max(leave, j + timedelta(minutes=5)), True, c))
        if rng.random() < 0.06:
            rows.append(ZoomRow(f"+86 138****{rng.randint(1000, 9999)}", "", host_join + timedelta(minutes=3),
                                end - timedelta(minutes=1), True))
        start = min(r.join for r in rows)
        self.zoom.append(ZoomReport(occ, ev.zoom_id or "", ev.summary, ae, start, end, rows))
        self.planned.append(Planned("on_time", ae.key, "late" if late else "on_time", host_join, ev.uid))

    # ------------------------------------------------------------------ weekly rhythm
    def weekly(self, rng: random.Random) -> None:
        for w in range(WEEKS):
            wd = [d for d in week_days(w) if is_working_day(d)]
            first, last = wd[0], wd[-1]
            week_end = week_days(w)[-1]
            for ae in self.w.aes:
                prof = ae.profile
                customers = [a for a in ae.accounts if a.is_customer]
                call_style = ["周一例行电话", "电话沟通本周工作安排", "Call - weekly check-in"][len(ae.key) % 3]
                for acct in customers:
                    self._monday_call(rng, ae, prof, acct, first, wd, call_style)
                    self._client_report(rng, ae, prof, acct, w, last, week_end)
                self._supervisor_report(rng, ae, prof, w, last, week_end)

    def _monday_call(self, rng, ae: Person, prof, acct: Account, first: date, wd: list[date], style: str) -> None:
        if self._on_leave(ae, at(first, 12)):
            self.planned.append(Planned("monday_call", ae.key, "missing", None, acct.sf_id))
            return
        r = rng.random()
        later = [d for d in wd if d > first and not self._on_leave(ae, at(d, 12))]
        if r < prof.monday_call[0]:
            d, intent = first, "on_time"
        elif r < sum(prof.monday_call) and later:
            d, intent = rng.choice(later[:2]), "late"
        else:
            self.planned.append(Planned("monday_call", ae.key, "missing", None, acct.sf_id))
            return
        t = at(d, 9, 20) + timedelta(minutes=rng.randint(0, 480), seconds=rng.randint(0, 59))
        if t >= EXPORT_AT:
            return
        no_time = intent == "on_time" and rng.random() < 0.05  # only ActivityDate logged
        self.planned.append(Planned("monday_call", ae.key, intent, at(d, 9) if no_time else t, acct.sf_id))
        self._task(rng, ae, acct, f"{style} - {acct.brand}" if not style.startswith("Call") else f"{style} ({acct.brand_py})",
                   None if no_time else t, kind="monday_call", activity_date=d)

    def _client_report(self, rng, ae: Person, prof, acct: Account, w: int, last: date, week_end: date) -> None:
        sender = ae
        if self._on_leave(ae, at(last, 15)):
            if ae.key != "xu.li":
                self.planned.append(Planned("friday_client_report", ae.key, "missing", None, acct.sf_id))
                return
            sender = self.w.person(COVER[ae.key])  # sun.qiang sends xu.li's reports while she is away
            r = 0.0
        else:
            r = rng.random()
        on_time, late = prof.client_report
        after = [last + timedelta(n) for n in range(1, (week_end - last).days + 1)]
        if r < on_time:
            d = last
            if last.weekday() >= 5 and rng.random() < 0.5:
                d = last - timedelta(days=last.weekday() - 4)  # sent on the Friday before a make-up weekend day
            elif rng.random() < 0.05:
                d = last - timedelta(1)
            t = at(d, 14) + timedelta(minutes=rng.randint(0, 260), seconds=rng.randint(0, 59))
            intent = "on_time"
        elif r < on_time + late and after:
            d = rng.choice(after)
            t = at(d, 10) + timedelta(minutes=rng.randint(0, 660), seconds=rng.randint(0, 59))
            intent = "late"
        else:
            self.planned.append(Planned("friday_client_report", ae.key, "missing", None, acct.sf_id))
            return
        if t >= EXPORT_AT:
            return
        self.planned.append(Planned("friday_client_report", ae.key, intent, t, acct.sf_id))
        contacts = acct.listed_contacts
        to = [contacts[0]] + ([contacts[1]] if len(contacts) > 1 and rng.random() < 0.35 else [])
        iso_week = (week_days(w)[0]).isocalendar().week
        if to[0].english:
            subject = f"Weekly status report - {acct.brand_py.capitalize()} - W{iso_week}"
        else:
            subject = rng.choice([f"{acct.brand} 工作进度报告（{local(t):%m.%d}）", f"【周报】{acct.brand} 第{iso_week}周工作进度",
                                  f"{acct.brand}项目周报 {local(t):%Y%m%d}"])
        body = (f"{_salute(to[0])}您好，\n\n本周工作进度如下：\n1. 已完成：排期确认、素材交付\n2. 进行中：下月方案\n"
                f"3. 需贵方确认：预算调整\n\n详见附件。\n\n{_sign(sender)}")
        m = self.mail.send(sender, to, [ae] if sender is not ae else [], t, subject, body, "client_report", account=acct)
        self._client_ooo(m)
        if m is not None and rng.random() < prof.report_call and local(t).hour < 18:
            self._task(rng, sender, acct, "电话确认本周工作进度", t + timedelta(minutes=rng.randint(10, 50)),
                       kind="report_call", contact=to[0])

    def _supervisor_report(self, rng, ae: Person, prof, w: int, last: date, week_end: date) -> None:
        sup = ae.supervisor
        if sup is None:
            return
        if self._on_leave(ae, at(last, 15)):
            self.planned.append(Planned("friday_supervisor_report", ae.key, "missing", None, ""))
            return
        r = rng.random()
        on_time, late = prof.supervisor_report
        after = [last + timedelta(n) for n in range(1, (week_end - last).days + 1)]
        if r < on_time:
            t = at(last, 16) + timedelta(minutes=rng.randint(0, 150), seconds=rng.randint(0, 59))
            intent = "on_time"
        elif r < on_time + late and after:
            t = at(rng.choice(after), 10) + timedelta(minutes=rng.randint(0, 700))
            intent = "late"
        else:
            self.planned.append(Planned("friday_supervisor_report", ae.key, "missing", None, ""))
            return
        if t >= EXPORT_AT:
            return
        self.planned.append(Planned("friday_supervisor_report", ae.key, intent, t, ""))
        iso_week = week_days(w)[0].isocalendar().week
        subject = rng.choice([f"周报 / 下周工作计划 - {ae.name} - 2025年第{iso_week}周", f"{ae.name} 第{iso_week}周周报及下周工作计划"])
        body = (f"{sup.name[0]}总：\n\n本周完成：\n- 客户沟通与排期确认\n- 提案准备\n\n下周计划：\n- 跟进预算\n"
                f"- 准备月度报告\n\n{ae.name}")
        m = self.mail.send(ae, [sup], [], t, subject, body, "supervisor_report")
        if m is not None and rng.random() < 0.5:
            self.mail.reply(m, sup, work_after(t + timedelta(hours=rng.uniform(0.5, 20)), rng), "收到，辛苦了。\n\n" + sup.name,
                            kind="internal")

    # ------------------------------------------------------------------ festivals, market info
    def seasonal(self, rng: random.Random) -> None:
        for ae in self.w.aes:
            prof = ae.profile
            for acct in ae.accounts:
                if rng.random() < prof.greeting:
                    d = rng.choice([date(2025, 9, 26), date(2025, 9, 29), date(2025, 9, 30)])
                    if self._on_leave(ae, at(d, 12)):
                        d = date(2025, 9, 26)
                    c = acct.listed_contacts[0]
                    subject = "中秋快乐，国庆节日快乐！" if not c.english else "Season's greetings: Mid-Autumn Festival & National Day"
                    body = (f"{_salute(c)}您好，\n\n值此中秋、国庆双节来临之际，{N.AGENCY_NAME}全体同仁祝您和家人节日快乐，阖家团圆！"
                            f"\n\n{_sign(ae)}")
                    m = self.mail.send(ae, [c], [], at(d, 10) + timedelta(minutes=rng.randint(0, 420)), subject, body,
                                       "greeting", account=acct)
                    self._client_ooo(m)
            for month in (9, 10, 11):
                for acct in [a for a in ae.accounts if a.is_customer]:
                    if rng.random() >= prof.market_info:
                        continue
                    while True:
                        d = date(2025, month, rng.randint(10, 24))
                        if is_working_day(d) and not self._on_leave(ae, at(d, 12)):
                            break
                    c = acct.listed_contacts[0]
                    subject = f"【市场信息】{month}月媒介动态与行业观察（{acct.brand}）"
                    body = f"{_salute(c)}您好，\n\n整理了本月与贵司相关的媒介动态和市场信息，供参考：\n1. 短视频广告价格\n2. 竞品动态\n\n{_sign(ae)}"
                    self.mail.send(ae, [c], [], at(d, 11) + timedelta(minutes=rng.randint(0, 360)), subject, body,
                                   "market_info", account=acct)

    # ------------------------------------------------------------------ newsletters, vendors, internal
    def background(self, rng: random.Random) -> None:
        staff = self.w.staff
        merge, bcc = N.NEWSLETTERS
        for w in range(WEEKS):
            monday = week_days(w)[0]
            topic = N.NEWSLETTER_TOPICS[w % len(N.NEWSLETTER_TOPICS)]
            nl = Sender(merge[1], merge[0], mailer="list", charset="gbk")
            for p in staff:  # mail merge: one message per recipient
                self.mail.send(nl, [p], [], at(monday, 7, 30) + timedelta(seconds=staff.index(p) * 3),
                               merge[3].format(n=180 + w, topic=topic), f"本期要点：{topic}\n\n退订请回复 TD。", "newsletter",
                               headers=[("Precedence", "bulk"), ("List-Id", merge[2]),
                                        ("List-Unsubscribe", f"<mailto:unsubscribe@{merge[1].split('@')[1]}>")])
            dg = Sender(bcc[1], bcc[0], mailer="list", charset="utf-8")
            self.mail.send(dg, [], [], at(monday + timedelta(3), 8, 5), bcc[3].format(topic=topic),
                           f"{topic}\n\nFrom the editors: 欢迎转发。", "newsletter", bcc=list(staff),
                           to_header="undisclosed-recipients:;",
                           headers=[("Precedence", "list"), ("List-Id", bcc[2]),
                                    ("List-Unsubscribe", f"<https://{bcc[1].split('@')[1]}/unsubscribe>")])
            for ae in self.w.aes:
                wd = [d for d in week_days(w) if is_working_day(d) and not self._on_leave(ae, at(d, 12))]
                if not wd:
                    continue
                if rng.random() < 0.45:  # a vendor writes; the AE usually answers (opens no obligation)
                    vname, vaddr, vco = rng.choice(N.VENDORS)
                    v = Sender(vaddr, vname, mailer="foxmail" if vaddr.endswith(".com") else "coremail",
                               charset="gb2312" if vaddr.endswith(".com") else "gbk")
                    acct = rng.choice(ae.accounts)
                    t = at(rng.choice(wd), 10) + timedelta(minutes=rng.randint(0, 420))
                    m = self.mail.send(v, [ae], [], t, rng.choice(N.VENDOR_SUBJECTS).format(company=vco, brand=acct.brand),
                                       f"{ae.name}您好，\n\n附件请查收。\n\n{vname}\n{vco}", "vendor")
                    if m is not None and rng.random() < 0.6:
                        self.mail.reply(m, ae, awake(t + timedelta(hours=rng.uniform(1, 30)), rng), f"收到，谢谢。\n\n{_sign(ae)}",
                                        kind="vendor")
                if rng.random() < 0.8:  # internal: a colleague is asked for help
                    mate = rng.choice(ae.teammates)
                    acct = rng.choice(ae.accounts)
                    t = at(rng.choice(wd), 11) + timedelta(minutes=rng.randint(0, 400))
                    subj = rng.choice(N.INTERNAL_SUBJECTS).format(brand=acct.brand)
                    m = self.mail.send(ae, [mate], [], t, subj, f"{mate.name}，麻烦帮忙看一下，谢谢！\n\n{ae.name}", "internal")
                    if m is not None and rng.random() < 0.7:
                        self.mail.reply(m, mate, awake(t + timedelta(hours=rng.uniform(0.2, 6)), rng), "好的，我下午看。",
                                        kind="internal")
                    if rng.random() < 0.15 and m is not None:  # forward a client's mail internally
                        self.mail.send(ae, [mate], [], t + timedelta(minutes=7), FORWARD_PREFIX["gmail"] + subj,
                                       "FYI\n\n---------- Forwarded message ---------\n" + subj, "internal", thread=m.thread)
            for sup in self.w.supervisors:  # the team meeting's internal minutes: not client minutes
                monday_wd = next((d for d in week_days(w) if is_working_day(d)), None)
                if monday_wd and rng.random() < 0.6:
                    team = [p for p in self.w.aes if p.supervisor is sup]
                    self.mail.send(sup, team, [], at(monday_wd, 11) + timedelta(minutes=rng.randint(0, 90)),
                                   f"{sup.team}周例会纪要 {monday_wd:%m/%d}", "各位：本周重点见下，请按时完成。\n\n" + sup.name,
                                   "internal")
        lin, liu = self.w.person("lin.jianguo"), self.w.person("liu.yang")
        m = self.mail.send(lin, [liu], [], at(COACHING_DAY, 17, 40), "关于客户邮件回复时效",
                           "刘洋：最近几周有不少客户邮件超过12小时才回复，请注意：客户询问须在12小时内回复。有困难随时找我。\n\n林建国",
                           "internal")
        if m is not None:
            self.mail.reply(m, liu, at(COACHING_DAY, 18, 5), "林总，收到，我会改进。\n\n刘洋", kind="internal")

    # ------------------------------------------------------------------ CRM calls
    def calls(self, rng: random.Random) -> None:
        for d in days():
            if not is_working_day(d):
                continue
            for ae in self.w.aes:
                if self._on_leave(ae, at(d, 12)) or rng.random() > 0.12:
                    continue
                acct = rng.choice([a for a in ae.accounts if a.is_customer])
                t = at(d, 9, 30) + timedelta(minutes=rng.randint(0, 500), seconds=rng.randint(0, 59))
                missed = rng.random() < 0.4
                topic = rng.choice(["排期调整", "发票", "素材进度", "报价", "活动现场"])
                self._task(rng, ae, acct, f"客户来电：{topic}", t, kind="inbound", call_type="Inbound",
                           disposition="未接通" if missed else "已接通")
                if missed:
                    median, sigma, never = ae.profile.reply_params(week_index(d), acct.tier == "C")
                    if rng.random() < never:
                        continue
                    back = awake(t + timedelta(hours=median / 2 * math.exp(sigma * rng.gauss(0, 1))), rng)
                    back = work_after(back, rng).replace(microsecond=0)
                    self._task(rng, ae, acct, f"回电：{topic}", back, kind="callback")
        for ae in self.w.aes:  # open to-dos, as every CRM has
            for acct in ae.accounts[:2]:
                self._task(rng, ae, acct, f"准备{acct.brand}年度提案", None, kind="todo", call_type=None,
                           activity_date=date(2025, 12, 19), status=rng.choice(["Not Started", "In Progress"]))


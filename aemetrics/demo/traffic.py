"""What happens in the demo agency over the 16 weeks: mail, CRM calls and Zoom meetings.

Each concern draws from its own seeded random stream, so changing one (say, newsletters) does not
reshuffle the others. Behaviour comes from the AE's Profile (world.PROFILES); the planted facts
are listed in the generated README.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from aemetrics.demo import names as N
from aemetrics.demo.mail import FORWARD_PREFIX, Mailroom, Message, Sender
from aemetrics.demo.meeting_mail import MeetingMail
from aemetrics.demo.meetings import Event
from aemetrics.demo.records import Planned, Task, ZoomReport, csign, salute, sign
from aemetrics.demo.rhythm import WeeklyRhythm
from aemetrics.demo.world import (
    COACHING_DAY,
    COVER,
    EXPORT_AT,
    LEAVE,
    PROFILES,
    WEEKS,
    Account,
    Contact,
    Person,
    World,
    at,
    awake,
    days,
    is_working_day,
    local,
    poisson,
    rng_for,
    week_days,
    week_index,
    work_after,
)

# Clients away over the National Day holiday answer automatically from noon on its eve.
NATIONAL_DAY_OOO = (at(date(2025, 9, 30), 12), at(date(2025, 10, 9), 0))


class Simulation(MeetingMail, WeeklyRhythm):
    """Runs the 16 weeks; meetings' mail and the weekly rhythm live in their mixin modules."""

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
    def _task(
        self,
        rng: random.Random,
        owner: Person,
        acct: Account,
        subject: str,
        when: datetime | None,
        *,
        kind: str,
        call_type: str | None = "Outbound",
        activity_date: date | None = None,
        contact: Contact | None = None,
        status: str = "Completed",
        disposition: str | None = None,
    ) -> Task | None:
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
        t = Task(
            self.w.ids("00T"),
            owner,
            acct,
            contact or (acct.listed_contacts[0] if acct.listed_contacts else None),
            subject,
            "Call" if call_type else "Task",
            call_type,
            when,
            day,
            logged,
            status=status,
            duration_s=rng.randint(45, 900) if call_type and disposition != "未接通" else (0 if call_type else None),
            disposition=disposition,
            kind=kind,
        )
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
            body = (
                f"您好，我于{local(lv[1]).month}月{local(lv[1]).day}日至{back.month}月{back.day - 1}日休假，"
                f"期间不能及时回复邮件。紧急事宜请联系{cover.name}（{cover.email}）。\n\n{p.name}"
            )
            self.mail.send(
                p,
                [m.sender],
                [],
                m.when + timedelta(seconds=40 + len(m.msg_id)),
                "自动回复: " + m.subject,
                body,
                "ooo",
                parent=m,
                auto=True,
                headers=[("Auto-Submitted", "auto-replied")],
            )

    def _client_ooo(self, m: Message | None) -> None:
        """Clients away over the National Day holiday answer staff mail automatically."""
        if m is None or not m.sender.is_staff or not (NATIONAL_DAY_OOO[0] <= m.when < NATIONAL_DAY_OOO[1]):
            return
        for c in [*m.to, *m.cc]:
            if (
                c.is_staff
                or not getattr(c, "ooo_national_day", False)
                or (c.email, m.sender.email) in self._client_ooo_done
            ):
                continue
            self._client_ooo_done.add((c.email, m.sender.email))
            if c.mailer in ("outlook",):
                prefix, headers = (
                    "自动答复: ",
                    [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
                )
            elif c.mailer in ("outlook_en", "apple"):
                prefix, headers = "Automatic reply: ", [("Auto-Submitted", "auto-replied")]
            elif c.mailer == "qqmail":
                prefix, headers = "自动回复：", [("X-Autoreply", "yes")]  # no Auto-Submitted: only the subject says it
            else:
                prefix, headers = "自动回复: ", [("X-Autoreply", "yes"), ("Auto-Submitted", "auto-replied")]
            body = (
                "I am out of office until 9 October with limited access to email."
                if c.english
                else "您好，国庆中秋假期期间（10月1日-10月8日）我不在办公室，邮件将于10月9日起回复。祝节日快乐！"
            )
            self.mail.send(
                c,
                [m.sender],
                [],
                m.when + timedelta(seconds=25 + len(c.email)),
                prefix + m.subject,
                body,
                "ooo",
                parent=m,
                auto=True,
                headers=headers,
            )

    def respond(
        self, rng: random.Random, msg: Message, account: Account, opened: datetime
    ) -> tuple[Person, datetime] | None:
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
                    extra = self.mail.reply(
                        client_msg,
                        client_msg.sender,
                        t2,
                        rng.choice(N.FOLLOWUP_ASKS) + "\n\n" + csign(client_msg.sender),
                        kind="inquiry",
                        to=list(client_msg.to),
                        cc=list(client_msg.cc),
                    )
                    if extra is not None:
                        client_msg = extra
            if decision is None:
                return
            responder, t = decision
            c = client_msg.sender
            detail = rng.choice(N.REPLY_DETAILS)
            tpl = N.REPLY_BODIES[2] if c.english else rng.choice(N.REPLY_BODIES[:2])
            body = tpl.format(client=salute(c), detail=detail, sign=sign(responder))
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
            client_msg = self.mail.reply(
                reply, c, t3, rng.choice(N.FOLLOWUP_CLIENT).format(ask=ask) + "\n\n" + csign(c), kind="inquiry"
            )

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
                        t = at(d, 9) + timedelta(
                            minutes=rng.randint(0, 570) if rng.random() < 0.88 else rng.randint(600, 780)
                        )
                    else:
                        t = at(d, 10) + timedelta(minutes=rng.randint(0, 600))
                    self.inquiry(rng, acct, t + timedelta(seconds=rng.randint(0, 59)))

    def inquiry(self, rng: random.Random, acct: Account, t0: datetime) -> None:
        ae = acct.handler
        unlisted = [c for c in acct.contacts if not c.sf_id]
        listed = acct.listed_contacts
        sender = (
            unlisted[0] if unlisted and rng.random() < 0.25 else rng.choices(listed, [3] + [1] * (len(listed) - 1))[0]
        )
        to: list[Person] = [ae]
        cc: list[Person | Contact] = []
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
            body = (
                f"Hi {ae.given.capitalize()},\n\n{rng.choice(N.ASKS_EN)}\n\nFrom our side the total budget "
                f"cannot change.\n\nThanks,\n{sender.name}"
            )
        else:
            subject = rng.choice(N.INQUIRY_SUBJECTS).format(brand=acct.brand)
            body = rng.choice(N.INQUIRY_BODIES).format(
                ask=rng.choice(N.ASKS), sign=csign(sender), ae_given=ae.given, ae_name=ae.name
            )
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
                    body = f"{salute(to[0])}您好，\n\n附件是{what}，请审阅。如有意见请随时告诉我。\n\n{sign(ae)}"
                    m = self.mail.send(ae, to, cc, t, subject, body, "proposal", account=acct)
                    self._client_ooo(m)
                    if m is None or rng.random() > 0.6:
                        continue
                    client = rng.choice(to)
                    t1 = awake(m.when + timedelta(hours=rng.uniform(1, 30)), rng)
                    ask = rng.choice(N.ASKS_EN if client.english else N.ASKS)
                    q = self.mail.reply(
                        m,
                        client,
                        t1,
                        f"{rng.choice(N.FOLLOWUP_CLIENT).format(ask=ask)}\n\n{csign(client)}",
                        kind="inquiry",
                    )
                    self.converse(rng, q, acct)

    # ------------------------------------------------------------------ newsletters, vendors, internal
    def background(self, rng: random.Random) -> None:
        staff = self.w.staff
        merge, bcc = N.NEWSLETTERS
        for w in range(WEEKS):
            monday = week_days(w)[0]
            topic = N.NEWSLETTER_TOPICS[w % len(N.NEWSLETTER_TOPICS)]
            nl = Sender(merge[1], merge[0], mailer="list", charset="gbk")
            for p in staff:  # mail merge: one message per recipient
                self.mail.send(
                    nl,
                    [p],
                    [],
                    at(monday, 7, 30) + timedelta(seconds=staff.index(p) * 3),
                    merge[3].format(n=180 + w, topic=topic),
                    f"本期要点：{topic}\n\n退订请回复 TD。",
                    "newsletter",
                    headers=[
                        ("Precedence", "bulk"),
                        ("List-Id", merge[2]),
                        ("List-Unsubscribe", f"<mailto:unsubscribe@{merge[1].split('@')[1]}>"),
                    ],
                )
            dg = Sender(bcc[1], bcc[0], mailer="list", charset="utf-8")
            self.mail.send(
                dg,
                [],
                [],
                at(monday + timedelta(3), 8, 5),
                bcc[3].format(topic=topic),
                f"{topic}\n\nFrom the editors: 欢迎转发。",
                "newsletter",
                bcc=list(staff),
                to_header="undisclosed-recipients:;",
                headers=[
                    ("Precedence", "list"),
                    ("List-Id", bcc[2]),
                    ("List-Unsubscribe", f"<https://{bcc[1].split('@')[1]}/unsubscribe>"),
                ],
            )
            for ae in self.w.aes:
                wd = [d for d in week_days(w) if is_working_day(d) and not self._on_leave(ae, at(d, 12))]
                if not wd:
                    continue
                if rng.random() < 0.45:  # a vendor writes; the AE usually answers (opens no obligation)
                    vname, vaddr, vco = rng.choice(N.VENDORS)
                    v = Sender(
                        vaddr,
                        vname,
                        mailer="foxmail" if vaddr.endswith(".com") else "coremail",
                        charset="gb2312" if vaddr.endswith(".com") else "gbk",
                    )
                    acct = rng.choice(ae.accounts)
                    t = at(rng.choice(wd), 10) + timedelta(minutes=rng.randint(0, 420))
                    m = self.mail.send(
                        v,
                        [ae],
                        [],
                        t,
                        rng.choice(N.VENDOR_SUBJECTS).format(company=vco, brand=acct.brand),
                        f"{ae.name}您好，\n\n附件请查收。\n\n{vname}\n{vco}",
                        "vendor",
                    )
                    if m is not None and rng.random() < 0.6:
                        self.mail.reply(
                            m,
                            ae,
                            awake(t + timedelta(hours=rng.uniform(1, 30)), rng),
                            f"收到，谢谢。\n\n{sign(ae)}",
                            kind="vendor",
                        )
                if rng.random() < 0.8:  # internal: a colleague is asked for help
                    mate = rng.choice(ae.teammates)
                    acct = rng.choice(ae.accounts)
                    t = at(rng.choice(wd), 11) + timedelta(minutes=rng.randint(0, 400))
                    subj = rng.choice(N.INTERNAL_SUBJECTS).format(brand=acct.brand)
                    m = self.mail.send(
                        ae, [mate], [], t, subj, f"{mate.name}，麻烦帮忙看一下，谢谢！\n\n{ae.name}", "internal"
                    )
                    if m is not None and rng.random() < 0.7:
                        self.mail.reply(
                            m,
                            mate,
                            awake(t + timedelta(hours=rng.uniform(0.2, 6)), rng),
                            "好的，我下午看。",
                            kind="internal",
                        )
                    if rng.random() < 0.15 and m is not None:  # forward a client's mail internally
                        self.mail.send(
                            ae,
                            [mate],
                            [],
                            t + timedelta(minutes=7),
                            FORWARD_PREFIX["gmail"] + subj,
                            "FYI\n\n---------- Forwarded message ---------\n" + subj,
                            "internal",
                            thread=m.thread,
                        )
            for sup in self.w.supervisors:  # the team meeting's internal minutes: not client minutes
                monday_wd = next((d for d in week_days(w) if is_working_day(d)), None)
                if monday_wd and rng.random() < 0.6:
                    team = [p for p in self.w.aes if p.supervisor is sup]
                    self.mail.send(
                        sup,
                        team,
                        [],
                        at(monday_wd, 11) + timedelta(minutes=rng.randint(0, 90)),
                        f"{sup.team}周例会纪要 {monday_wd:%m/%d}",
                        "各位：本周重点见下，请按时完成。\n\n" + sup.name,
                        "internal",
                    )
        lin, liu = self.w.person("lin.jianguo"), self.w.person("liu.yang")
        m = self.mail.send(
            lin,
            [liu],
            [],
            at(COACHING_DAY, 17, 40),
            "关于客户邮件回复时效",
            "刘洋：最近几周有不少客户邮件超过12小时才回复，请注意：客户询问须在12小时内回复。有困难随时找我。\n\n林建国",
            "internal",
        )
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
                self._task(
                    rng,
                    ae,
                    acct,
                    f"客户来电：{topic}",
                    t,
                    kind="inbound",
                    call_type="Inbound",
                    disposition="未接通" if missed else "已接通",
                )
                if missed:
                    assert ae.profile is not None  # every AE has a profile (world.PROFILES)
                    median, sigma, never = ae.profile.reply_params(week_index(d), acct.tier == "C")
                    if rng.random() < never:
                        continue
                    back = awake(t + timedelta(hours=median / 2 * math.exp(sigma * rng.gauss(0, 1))), rng)
                    back = work_after(back, rng).replace(microsecond=0)
                    self._task(rng, ae, acct, f"回电：{topic}", back, kind="callback")
        for ae in self.w.aes:  # open to-dos, as every CRM has
            for acct in ae.accounts[:2]:
                self._task(
                    rng,
                    ae,
                    acct,
                    f"准备{acct.brand}年度提案",
                    None,
                    kind="todo",
                    call_type=None,
                    activity_date=date(2025, 12, 19),
                    status=rng.choice(["Not Started", "In Progress"]),
                )

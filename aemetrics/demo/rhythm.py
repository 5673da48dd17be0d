"""The weekly rhythm (Monday calls, Friday client and supervisor reports) and the seasonal mail
(festival greetings, monthly market information) of the demo AEs.

A mixin of traffic.Simulation (it uses the simulation's mailroom, tasks and helpers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from aemetrics.demo import names as N
from aemetrics.demo.mail import Mailroom, Message
from aemetrics.demo.records import Planned, Task, salute, sign
from aemetrics.demo.world import (
    COVER,
    EXPORT_AT,
    WEEKS,
    Account,
    Person,
    World,
    at,
    is_working_day,
    local,
    week_days,
    work_after,
)


class WeeklyRhythm:
    """Per week and AE: Monday calls, Friday client reports, the report to the supervisor; festivals."""

    # the state and helpers of traffic.Simulation, which this mixes into
    w: World
    mail: Mailroom
    planned: list[Planned]
    _on_leave: Callable[[Person, datetime], bool]
    _client_ooo: Callable[[Message | None], None]
    _task: Callable[..., Task | None]

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
        self._task(
            rng,
            ae,
            acct,
            f"{style} - {acct.brand}" if not style.startswith("Call") else f"{style} ({acct.brand_py})",
            None if no_time else t,
            kind="monday_call",
            activity_date=d,
        )

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
            subject = rng.choice(
                [
                    f"{acct.brand} 工作进度报告（{local(t):%m.%d}）",
                    f"【周报】{acct.brand} 第{iso_week}周工作进度",
                    f"{acct.brand}项目周报 {local(t):%Y%m%d}",
                ]
            )
        body = (
            f"{salute(to[0])}您好，\n\n本周工作进度如下：\n1. 已完成：排期确认、素材交付\n2. 进行中：下月方案\n"
            f"3. 需贵方确认：预算调整\n\n详见附件。\n\n{sign(sender)}"
        )
        m = self.mail.send(
            sender, to, [ae] if sender is not ae else [], t, subject, body, "client_report", account=acct
        )
        self._client_ooo(m)
        if m is not None and rng.random() < prof.report_call and local(t).hour < 18:
            self._task(
                rng,
                sender,
                acct,
                "电话确认本周工作进度",
                t + timedelta(minutes=rng.randint(10, 50)),
                kind="report_call",
                contact=to[0],
            )

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
        subject = rng.choice(
            [f"周报 / 下周工作计划 - {ae.name} - 2025年第{iso_week}周", f"{ae.name} 第{iso_week}周周报及下周工作计划"]
        )
        body = (
            f"{sup.name[0]}总：\n\n本周完成：\n- 客户沟通与排期确认\n- 提案准备\n\n下周计划：\n- 跟进预算\n"
            f"- 准备月度报告\n\n{ae.name}"
        )
        m = self.mail.send(ae, [sup], [], t, subject, body, "supervisor_report")
        if m is not None and rng.random() < 0.5:
            self.mail.reply(
                m,
                sup,
                work_after(t + timedelta(hours=rng.uniform(0.5, 20)), rng),
                "收到，辛苦了。\n\n" + sup.name,
                kind="internal",
            )

    # ------------------------------------------------------------------ festivals, market info
    def seasonal(self, rng: random.Random) -> None:
        for ae in self.w.aes:
            prof = ae.profile
            assert prof is not None  # every AE has a profile (world.PROFILES)
            for acct in ae.accounts:
                if rng.random() < prof.greeting:
                    d = rng.choice([date(2025, 9, 26), date(2025, 9, 29), date(2025, 9, 30)])
                    if self._on_leave(ae, at(d, 12)):
                        d = date(2025, 9, 26)
                    c = acct.listed_contacts[0]
                    subject = (
                        "中秋快乐，国庆节日快乐！"
                        if not c.english
                        else "Season's greetings: Mid-Autumn Festival & National Day"
                    )
                    body = (
                        f"{salute(c)}您好，\n\n值此中秋、国庆双节来临之际，{N.AGENCY_NAME}全体同仁祝您和家人节日快乐，阖家团圆！"
                        f"\n\n{sign(ae)}"
                    )
                    m = self.mail.send(
                        ae,
                        [c],
                        [],
                        at(d, 10) + timedelta(minutes=rng.randint(0, 420)),
                        subject,
                        body,
                        "greeting",
                        account=acct,
                    )
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
                    body = f"{salute(c)}您好，\n\n整理了本月与贵司相关的媒介动态和市场信息，供参考：\n1. 短视频广告价格\n2. 竞品动态\n\n{sign(ae)}"
                    self.mail.send(
                        ae,
                        [c],
                        [],
                        at(d, 11) + timedelta(minutes=rng.randint(0, 360)),
                        subject,
                        body,
                        "market_info",
                        account=acct,
                    )

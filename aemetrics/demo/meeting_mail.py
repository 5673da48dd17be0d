"""Mail and attendance around client meetings: change notices, agendas, minutes, Zoom reports.

A mixin of traffic.Simulation (it uses the simulation's mailroom, tasks and helpers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from aemetrics.demo.mail import Mailroom, Message
from aemetrics.demo.meetings import Event, Occurrence, client_occurrences
from aemetrics.demo.records import Planned, Task, ZoomReport, ZoomRow, fmt_day, salute, sign
from aemetrics.demo.world import EXPORT_AT, PROFILES, awake, local, work_after, work_before


class MeetingMail:
    """Per client-meeting occurrence: a notice if moved or cancelled, the agenda, the minutes, the Zoom report."""

    # the state and helpers of traffic.Simulation, which this mixes into
    events: list[Event]
    mail: Mailroom
    planned: list[Planned]
    zoom: list[ZoomReport]
    _client_ooo: Callable[[Message | None], None]
    _task: Callable[..., Task | None]

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
                new = "" if occ.status == "CANCELLED" else f"，改至{fmt_day(occ.start)} {local(occ.start):%H:%M}"
                body = (
                    f"{salute(ev.clients[0])}您好，\n\n抱歉，原定{fmt_day(orig)} {local(orig):%H:%M}的"
                    f"「{ev.summary}」需要{verb}{new}。给您带来不便，敬请谅解。\n\n{sign(ae)}"
                )
                m = self.mail.send(
                    ae,
                    ev.clients,
                    ev.internal,
                    changed + timedelta(minutes=rng.randint(1, 20)),
                    f"会议{verb}通知：{ev.summary}（{fmt_day(orig)}）",
                    body,
                    "notice",
                    account=acct,
                    meeting=occ,
                )
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
        when = f"{local(occ.start):%b %d %H:%M}" if english else f"{fmt_day(occ.start)} {local(occ.start):%H:%M}"
        subject = (
            f"Agenda: {ev.summary}, {when}"
            if english
            else rng.choice(
                [f"会议议程：{ev.summary} {when}", f"【议程】{ev.summary} {when}", f"{ev.summary} 会议议程（{when}）"]
            )
        )
        ours = "、".join(p.name for p in [ae, *ev.internal])
        theirs = "、".join(c.name for c in ev.clients)
        link = f"\nZoom: https://zoom.us/j/{ev.zoom_id}" if ev.zoom_id else f"\n地点：{ev.location}"
        body = (
            f"{salute(ev.clients[0])}您好，\n\n{when} 的会议议程如下：\n1. 上周工作回顾\n2. 本周重点事项\n3. 待确认问题\n\n"
            f"参会人员：\n我方：{ours}\n贵方：{theirs}\n{link}\n\n请确认参会人员和时间，谢谢！\n\n{sign(ae)}"
        )
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
        subject = (
            f"Minutes: {ev.summary} ({day})"
            if english
            else rng.choice(
                [
                    f"会议纪要：{ev.summary} {fmt_day(occ.start)}",
                    f"【会议纪要】{ev.summary} {day}",
                    f"{ev.summary} 会议记录 {day}",
                ]
            )
        )
        body = (
            f"{salute(ev.clients[0])}您好，\n\n附上今天会议的纪要，请查收：\n1. 排期按讨论结果调整\n2. 素材下周三前交付\n"
            f"3. 下次会议再确认预算\n\n如有遗漏请指正。\n\n{sign(ae)}"
        )
        cc = list(ev.internal) + ([ae.supervisor] if ae.supervisor and ae.supervisor not in ev.internal else [])
        m = self.mail.send(ae, ev.clients, cc, t, subject, body, "minutes", account=ev.account, meeting=occ)
        self._client_ooo(m)
        if m is not None and rng.random() < prof.report_call:
            call = work_after(t + timedelta(hours=rng.uniform(0.3, 20)), rng)
            self._task(
                rng,
                ae,
                ev.account,
                "电话确认会议纪要",
                call.replace(microsecond=0),
                kind="minutes_call",
                contact=ev.clients[0],
            )

    def _zoom(self, rng: random.Random, occ: Occurrence) -> None:
        ev, ae = occ.event, occ.event.organizer
        prof = ae.profile or PROFILES["zhang.wei"]
        late = rng.random() < prof.late_join
        host_join = occ.start + (
            timedelta(minutes=rng.uniform(1.5, 14)) if late else -timedelta(minutes=rng.uniform(0.5, 7))
        )
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
            j = max(
                occ.start + timedelta(minutes=rng.gauss(1.5, 3)),  # waiting room: admitted after the host
                host_join + timedelta(seconds=rng.randint(4, 50)),
            ).replace(microsecond=0)
            name = c.name if rng.random() < 0.7 else f"{c.account.brand}-{c.name} ({c.name})"
            email = c.email if rng.random() < 0.6 else ""  # not signed in to Zoom: no address in the report
            leave = end - timedelta(seconds=rng.randint(0, 300))
            rows.append(ZoomRow(name, email, j, max(leave, j + timedelta(minutes=5)), True, c))
        if rng.random() < 0.06:
            rows.append(
                ZoomRow(
                    f"+86 138****{rng.randint(1000, 9999)}",
                    "",
                    host_join + timedelta(minutes=3),
                    end - timedelta(minutes=1),
                    True,
                )
            )
        start = min(r.join for r in rows)
        self.zoom.append(ZoomReport(occ, ev.zoom_id or "", ev.summary, ae, start, end, rows))
        self.planned.append(Planned("on_time", ae.key, "late" if late else "on_time", host_join, ev.uid))

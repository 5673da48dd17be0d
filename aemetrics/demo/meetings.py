"""Meetings of the demo agency and their Google Calendar export (one .ics per person).

Client meetings: a weekly and one or two biweekly series per AE (RRULE with UNTIL, EXDATE on the
National Day holiday, one moved occurrence as a RECURRENCE-ID override, a few cancelled
occurrences, two series split Google-style into "this and following events"), one-off meetings
(some cancelled, some in person, some created less than 24 h ahead) and prospect pitches.
Internal: each supervisor's weekly team meeting, AEs' internal creative reviews, leave as
all-day events. An event is written into the calendar of its organiser and of every internal
attendee, with the same UID (as Google exports it).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from aemetrics.demo import names as N
from aemetrics.demo.world import (
    EXPORT_AT,
    LEAVE,
    PERIOD_END,
    PERIOD_START,
    SH,
    UTC,
    Person,
    World,
    at,
    awake,
    is_working_day,
    work_before,
)

PARTSTATS = ["ACCEPTED"] * 14 + ["TENTATIVE"] * 2 + ["NEEDS-ACTION"] * 3 + ["DECLINED"]


@dataclass(eq=False)
class Override:
    start: datetime
    end: datetime
    status: str
    sequence: int
    last_modified: datetime


@dataclass(eq=False)
class Event:
    uid: str
    summary: str
    organizer: Person
    kind: str  # client | internal | leave
    start: datetime  # first occurrence (local); a date at 00:00 for all-day events
    duration: timedelta
    created: datetime
    last_modified: datetime
    account: Any = None
    clients: list[Any] = field(default_factory=list)
    internal: list[Person] = field(default_factory=list)
    partstat: dict[str, str] = field(default_factory=dict)
    interval: int | None = None  # weekly RRULE interval; None for a single event
    until: datetime | None = None  # last occurrence start (local); None = open-ended
    exdates: list[datetime] = field(default_factory=list)
    overrides: dict[datetime, Override] = field(default_factory=dict)
    sequence: int = 0
    status: str = "CONFIRMED"
    zoom_id: str | None = None
    zoom_pwd: str = ""
    location: str = ""
    all_day: bool = False
    stamp: datetime | None = None  # DTSTAMP as written (None: the export time, as Google writes it)
    writes_created: bool = True  # False: no CREATED line (some Exchange exports); DTSTAMP dates the invitation

    @property
    def is_recurring(self) -> bool:
        return self.interval is not None

    def occurrences(self) -> list[Occurrence]:
        """Expanded like RFC 5545 does (EXDATE removed, overrides applied), up to the export + 4 weeks."""
        if not self.is_recurring:
            return [Occurrence(self, None, self.start, self.start + self.duration, self.status, False)]
        horizon = self.until or (EXPORT_AT + timedelta(days=28))
        out: list[Occurrence] = []
        interval = self.interval or 1  # is_recurring: never None here
        t = self.start
        while t <= horizon:
            if t not in self.exdates:
                o = self.overrides.get(t)
                if o:
                    out.append(Occurrence(self, t, o.start, o.end, o.status, o.start != t))
                else:
                    out.append(Occurrence(self, t, t, t + self.duration, self.status, False))
            t = t + timedelta(days=7 * interval)  # wall-clock arithmetic: Shanghai has no DST
        return out

    def attendees(self) -> list[Any]:
        return [self.organizer, *self.internal, *self.clients]


@dataclass(eq=False)
class Occurrence:
    event: Event
    recurrence_id: datetime | None
    start: datetime
    end: datetime
    status: str
    moved: bool

    @property
    def key(self) -> str:
        """occurrence_key of raw_calendar_events: the scheduled (recurrence-id) start in UTC."""
        return (self.recurrence_id or self.start).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uid(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(26)) + "@google.com"


def _zoom(rng: random.Random) -> tuple[str, str]:
    zid = str(rng.randint(81_000_000_000, 98_999_999_999))
    pwd = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))
    return zid, pwd


def _first_on_or_after(d: date, weekday: int) -> date:
    return d + timedelta((weekday - d.weekday()) % 7)


def _pick_clients(rng: random.Random, account: Any, n_max: int = 3) -> list[Any]:
    listed = account.listed_contacts
    k = min(len(listed), rng.choice([1, 2, 2, 3][:n_max]))
    return [listed[0]] + rng.sample(listed[1:], k - 1)


def _partstats(rng: random.Random, ev: Event) -> None:
    ev.partstat[ev.organizer.email] = "ACCEPTED"
    for p in ev.internal:
        ev.partstat[p.email] = rng.choice(["ACCEPTED"] * 17 + ["NEEDS-ACTION"] * 2 + ["TENTATIVE"])
    for c in ev.clients:
        ev.partstat[c.email] = rng.choice(PARTSTATS)


def plan_meetings(world: World, rng: random.Random) -> list[Event]:
    events: list[Event] = []
    for i, ae in enumerate(world.aes):
        customers = [a for a in ae.accounts if a.is_customer]
        prospects = [a for a in ae.accounts if not a.is_customer]
        events += _series_for(
            rng, world, ae, customers[0], 1, split=ae.key in ("zhang.wei", "yang.lei"), open_ended=ae.key == "zhou.ting"
        )
        events += _series_for(rng, world, ae, customers[1], 2)
        if i % 2 == 0:
            events += _series_for(rng, world, ae, customers[2], 2)
        one_off_accounts = customers[3:] + ([] if i % 2 == 0 else customers[2:3])
        for acct in one_off_accounts * 2 + [one_off_accounts[0]]:
            events.append(_one_off(rng, ae, acct, rng.choice(N.MEETING_TITLES_ONEOFF)))
        for acct in prospects:
            events.append(_one_off(rng, ae, acct, rng.choice(N.PITCH_TITLES), pitch=True))
        for _ in range(2):
            acct = rng.choice(customers)
            events.append(_one_off(rng, ae, acct, rng.choice(N.INTERNAL_TITLES), internal_only=True))
    for sup in world.supervisors:
        team = [p for p in world.aes if p.supervisor is sup]
        first = at(PERIOD_START, 9, 30)
        ev = Event(
            _uid(rng),
            f"{sup.team}周例会",
            sup,
            "internal",
            first,
            timedelta(minutes=30),
            created=at(date(2025, 8, 15), 11, 2, 41),
            last_modified=at(date(2025, 9, 19), 10, 15, 3),
            internal=team,
            interval=1,
            until=at(date(2025, 12, 8), 9, 30),
            location=f"{N.AGENCY_NAME} 3楼 {sup.team}会议室",
        )
        ev.exdates = [t for t in _weekly(first, 1, ev.until) if not is_working_day(t.date())]
        _partstats(rng, ev)
        events.append(ev)
    for key, (leave_days, _, _) in LEAVE.items():
        p = world.person(key)
        start = at(leave_days[0], 0)
        events.append(
            Event(
                _uid(rng),
                "年假" if len(leave_days) > 2 else "请假",
                p,
                "leave",
                start,
                timedelta(days=(leave_days[-1] - leave_days[0]).days + 1),
                created=at(leave_days[0] - timedelta(days=20), 15, 12),
                last_modified=at(leave_days[0] - timedelta(days=20), 15, 12),
                all_day=True,
            )
        )
    return events


def _weekly(first: datetime, interval: int, until: datetime | None) -> list[datetime]:
    out, t = [], first
    horizon = until or EXPORT_AT + timedelta(days=28)
    while t <= horizon:
        out.append(t)
        t += timedelta(days=7 * interval)
    return out


def _series_for(
    rng: random.Random,
    world: World,
    ae: Person,
    acct: Any,
    interval: int,
    split: bool = False,
    open_ended: bool = False,
) -> list[Event]:
    weekday = rng.choice([1, 2, 3, 4])
    hh, mm = rng.choice([(10, 0), (14, 0), (15, 30), (16, 0)])
    first_day = _first_on_or_after(PERIOD_START + timedelta(days=rng.randint(1, 8)), weekday)
    first = at(first_day, hh, mm)
    last_day = _first_on_or_after(PERIOD_END - timedelta(days=6), weekday)
    while (last_day - first_day).days % (7 * interval):
        last_day -= timedelta(days=7)
    until = None if open_ended else at(last_day, hh, mm)
    title = rng.choice(N.MEETING_TITLES_SERIES if interval == 1 else N.MEETING_TITLES_SERIES[1:]).format(
        brand=acct.brand
    )
    created = work_before(first - timedelta(days=rng.randint(6, 14)), rng)
    clients = _pick_clients(rng, acct)
    internal = [
        x
        for x in [
            ae.supervisor if rng.random() < 0.35 else None,
            rng.choice(ae.teammates) if rng.random() < 0.4 else None,
        ]
        if x
    ]
    zid, pwd = _zoom(rng)
    ev = Event(
        _uid(rng),
        title,
        ae,
        "client",
        first,
        timedelta(minutes=60),
        created,
        created,
        acct,
        clients,
        internal,
        interval=interval,
        until=until,
        zoom_id=zid,
        zoom_pwd=pwd,
    )
    _partstats(rng, ev)
    events = [ev]
    if split:  # "this and following events" from November: a new series at a new hour
        cut = at(date(2025, 11, 1), 0)
        old = [t for t in _weekly(first, interval, until) if t < cut]
        ev.until = old[-1]
        ev.last_modified = at(date(2025, 10, 28), 17, 41, 9)
        ev.sequence = 1
        nh = 14 if hh != 14 else 10
        nfirst = at(_first_on_or_after(date(2025, 11, 3), weekday), nh)
        nuntil = at(last_day, nh)
        new = Event(
            ev.uid.replace("@google.com", "") + nfirst.astimezone(UTC).strftime("_R%Y%m%dT%H%M%S@google.com"),
            title,
            ae,
            "client",
            nfirst,
            ev.duration,
            created,
            ev.last_modified,
            acct,
            clients,
            internal,
            dict(ev.partstat),
            interval=interval,
            until=nuntil,
            zoom_id=zid,
            zoom_pwd=pwd,
            sequence=1,
        )
        events.append(new)
    for e in events:
        times = _weekly(e.start, interval, e.until)
        e.exdates = [t for t in times if not is_working_day(t.date())]
        if e.exdates:
            e.last_modified = max(e.last_modified, at(date(2025, 9, 22), 10, 31, 17))
        if rng.random() < 0.3:  # the client skipped one week; deleted from the series
            cand = [t for t in times if t not in e.exdates and e.start + timedelta(days=30) < t < EXPORT_AT]
            if cand:
                e.exdates.append(rng.choice(cand))
                e.exdates.sort()
    _plan_changes(rng, ae, events[-1] if split else ev)
    return events


def _plan_changes(rng: random.Random, ae: Person, ev: Event) -> None:
    """One moved occurrence per series (a RECURRENCE-ID override), and cancellations on leave."""
    times = [t for t in _weekly(ev.start, ev.interval or 1, ev.until) if t not in ev.exdates and t < EXPORT_AT]
    leave = LEAVE.get(ae.key)
    for t in times:
        if leave and t.date() in leave[0]:
            ev.overrides[t] = Override(
                t, t + ev.duration, "CANCELLED", ev.sequence + 1, at(leave[0][0] - timedelta(days=14), 11, 20, 5)
            )
    candidates = [t for t in times if t not in ev.overrides and t.date() >= date(2025, 9, 15)]
    if not candidates:
        return
    t = rng.choice(candidates)
    nd = t.date() + timedelta(days=1)
    new_start = at(nd, t.hour, t.minute) if is_working_day(nd) else t + timedelta(hours=2)
    # changed at a waking hour; 36 h+ ahead stays 24 h+ ahead even when pushed to the next morning
    notice_hours = rng.uniform(6, 20) if ae.key in ("zhou.ting", "yang.lei") else rng.uniform(36, 120)
    ev.overrides[t] = Override(
        new_start,
        new_start + ev.duration,
        "CONFIRMED",
        ev.sequence + 1,
        awake(t - timedelta(hours=notice_hours), rng).replace(microsecond=0),
    )
    if ae.key == "li.na":  # cancelled by the agency ten hours before: notice too late
        rest = [x for x in candidates if x not in ev.overrides]
        if rest:
            c = rest[len(rest) // 2]
            ev.overrides[c] = Override(
                c,
                c + ev.duration,
                "CANCELLED",
                ev.sequence + 1,
                awake(c - timedelta(hours=10), rng).replace(microsecond=0),
            )
    ev.last_modified = max([ev.last_modified] + [o.last_modified for o in ev.overrides.values()])


def _one_off(
    rng: random.Random, ae: Person, acct: Any, title: str, pitch: bool = False, internal_only: bool = False
) -> Event:
    away = LEAVE[ae.key][0] if ae.key in LEAVE else []
    while True:
        d = PERIOD_START + timedelta(days=rng.randint(3, (PERIOD_END - PERIOD_START).days - 1))
        if is_working_day(d) and d not in away:
            break
    hh = rng.choice([10, 11, 14, 15, 16])
    start = at(d, hh, rng.choice([0, 0, 30]))
    duration = timedelta(minutes=rng.choice([60, 90, 90, 120]))
    if rng.random() < 0.1:
        created = start - timedelta(hours=rng.uniform(3, 20))  # arranged the day before: internal notice late
    else:
        created = work_before(start - timedelta(days=rng.uniform(1.5, 10)), rng)
    created = created.replace(microsecond=0)
    ev = Event(
        _uid(rng),
        title.format(brand=acct.brand),
        ae,
        "internal" if internal_only else "client",
        start,
        duration,
        created,
        created,
        acct,
    )
    if internal_only:
        ev.internal = rng.sample(ae.teammates, 2)
        ev.location = f"{N.AGENCY_NAME} 5楼 创意部会议室"
    else:
        ev.clients = _pick_clients(rng, acct)
        ev.internal = [
            x
            for x in [
                ae.supervisor if rng.random() < 0.5 else None,
                rng.choice(ae.teammates) if rng.random() < 0.4 else None,
            ]
            if x
        ]
        if pitch or rng.random() < 0.25:
            ev.location = (
                f"{acct.name}（{acct.city[0]}{acct.street}）" if not pitch else f"{N.AGENCY_NAME} 3楼 大会议室"
            )
        else:
            ev.zoom_id, ev.zoom_pwd = _zoom(rng)
        if rng.random() < 0.15 and start < EXPORT_AT:
            hours = rng.uniform(2, 20) if rng.random() < 0.3 else rng.uniform(36, 96)
            ev.status, ev.sequence = "CANCELLED", 1
            changed = max(created + timedelta(minutes=30), awake(start - timedelta(hours=hours), rng))
            ev.last_modified = min(changed, start - timedelta(minutes=30)).replace(microsecond=0)
    _partstats(rng, ev)
    return ev


# ------------------------------------------------------------------ iCalendar text
def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    chars = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(chars)
            chars, size, limit = "", 0, 74  # continuation lines start with a space
        chars += ch
        size += n
    parts.append(chars)
    return "\r\n ".join(parts)


def _local(dt: datetime) -> str:
    return dt.astimezone(SH).strftime("%Y%m%dT%H%M%S")


def _z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _person_line(prop: str, p: Any, ev: Event) -> str:
    if prop == "ORGANIZER":
        return f"ORGANIZER;CN={p.name}:mailto:{p.email}"
    return (
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={ev.partstat.get(p.email, 'NEEDS-ACTION')};"
        f"CN={p.name};X-NUM-GUESTS=0:mailto:{p.email}"
    )


def description(ev: Event) -> str:
    if ev.kind == "leave":
        return ""
    lines = []
    if ev.account is not None and ev.kind == "client":
        lines.append(f"{ev.account.name}：{ev.summary}")
    if ev.zoom_id:
        z = ev.zoom_id
        lines += [
            "",
            f"{ev.organizer.pinyin} is inviting you to a scheduled Zoom meeting.",
            "",
            "Join Zoom Meeting",
            f"https://zoom.us/j/{z}?pwd={ev.zoom_pwd}",
            "",
            f"Meeting ID: {z[:3]} {z[3:7]} {z[7:]}",
            f"Passcode: {int(ev.zoom_pwd.encode().hex(), 16) % 900000 + 100000}",
        ]
    return "\n".join(lines).strip("\n")


def _vevent(ev: Event, dtstamp: datetime, override: tuple[datetime, Override] | None = None) -> list[str]:
    if ev.all_day:
        end = (ev.start + ev.duration).date()
        lines = [f"DTSTART;VALUE=DATE:{ev.start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
    elif override:
        rid, o = override
        lines = [f"DTSTART;TZID=Asia/Shanghai:{_local(o.start)}", f"DTEND;TZID=Asia/Shanghai:{_local(o.end)}"]
    else:
        lines = [
            f"DTSTART;TZID=Asia/Shanghai:{_local(ev.start)}",
            f"DTEND;TZID=Asia/Shanghai:{_local(ev.start + ev.duration)}",
        ]
        if ev.is_recurring:
            rule = "RRULE:FREQ=WEEKLY;WKST=MO"
            if ev.until is not None:  # Google writes UNTIL as the last day's 23:59:59 local, in UTC
                rule += f";UNTIL={_z(at(ev.until.date(), 23, 59, 59))}"
            if ev.interval and ev.interval > 1:
                rule += f";INTERVAL={ev.interval}"
            rule += ";BYDAY=" + ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][ev.start.weekday()]
            lines.append(rule)
            for x in ev.exdates:
                lines.append(f"EXDATE;TZID=Asia/Shanghai:{_local(x)}")
    lines.append(f"DTSTAMP:{_z(ev.stamp or dtstamp)}")
    if ev.kind != "leave":
        lines.append(_person_line("ORGANIZER", ev.organizer, ev))
    lines.append(f"UID:{ev.uid}")
    if override:
        lines.append(f"RECURRENCE-ID;TZID=Asia/Shanghai:{_local(override[0])}")
    if ev.kind != "leave":
        for p in ev.attendees():
            lines.append(_person_line("ATTENDEE", p, ev))
    if ev.writes_created:
        lines.append(f"CREATED:{_z(ev.created)}")
    lines.append(f"DESCRIPTION:{_esc(description(ev))}")
    lm = override[1].last_modified if override else ev.last_modified
    lines.append(f"LAST-MODIFIED:{_z(lm)}")
    loc = ev.location or (f"https://zoom.us/j/{ev.zoom_id}?pwd={ev.zoom_pwd}" if ev.zoom_id else "")
    lines.append(f"LOCATION:{_esc(loc)}")
    lines.append(f"SEQUENCE:{override[1].sequence if override else ev.sequence}")
    lines.append(f"STATUS:{override[1].status if override else ev.status}")
    lines.append(f"SUMMARY:{_esc(ev.summary)}")
    lines.append("TRANSP:TRANSPARENT" if ev.all_day else "TRANSP:OPAQUE")
    if not ev.all_day and ev.kind == "client":
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:This is an event reminder",
            "TRIGGER:-P0DT0H10M0S",
            "END:VALARM",
        ]
    return ["BEGIN:VEVENT", *lines, "END:VEVENT"]


def calendar_text(owner: Person, events: list[Event]) -> tuple[str, int]:
    """The .ics text of `owner`'s calendar and its number of VEVENT components."""
    dtstamp = EXPORT_AT
    out = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{owner.email}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "X-LIC-LOCATION:Asia/Shanghai",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "DTSTART:19700101T000000",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    n = 0
    for ev in sorted(events, key=lambda e: (e.created, e.uid)):
        # Google writes overrides before or after their series; alternate to keep readers honest
        blocks = [_vevent(ev, dtstamp, (rid, o)) for rid, o in sorted(ev.overrides.items())]
        master = _vevent(ev, dtstamp)
        blocks = blocks + [master] if len(ev.uid) % 2 else [master] + blocks
        for b in blocks:
            out += b
            n += 1
    out.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in out), n


def write_calendars(folder: Path, people: list[Person], events: list[Event]) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for p in people:
        mine = [e for e in events if e.organizer is p or p in e.internal]
        text, n = calendar_text(p, mine)
        (folder / f"{p.key}.ics").write_bytes(text.encode("utf-8"))
        counts[f"calendar/{p.key}.ics"] = n
    return counts


def client_occurrences(events: list[Event]) -> list[Occurrence]:
    """Every scheduled client-meeting occurrence (cancelled ones included, flagged by status)."""
    occ = [o for e in events if e.kind == "client" for o in e.occurrences()]
    return sorted(occ, key=lambda o: (o.start, o.event.uid))

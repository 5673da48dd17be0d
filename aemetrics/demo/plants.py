"""What the demo plants after the simulation for minutes_signoff, post_project_review and
internal_notice_24h (issue 11):

- a supervisor's approval e-mail for some of the minutes sent to clients ("回复：<the minutes'
  subject>", body "同意，可以发给客户。"), to the AE who sends them: before the send (met), after it
  (late), or none (missed);
- an internal review meeting ("<project> 复盘会", the AE and their supervisor) after some won
  opportunities: within the 10 working days (met), after them (late), or none (missed);
- two client meetings whose calendar entry has no CREATED and a DTSTAMP (the invitation, as some
  Exchange exports write it) less than 24 h before the start: internal_notice_24h late, and not
  excused (only a CREATED after the deadline marks a late booking). No mail is planned for them.

Planned with their own random streams and appended after everything else (Message-IDs, UIDs), so
the rest of the demo stays byte-identical: the approvals have no client recipient, the review
meetings no client attendee; the two late invitations are client meetings (the oracle knows them).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from aemetrics.demo import names as N
from aemetrics.demo.extras import Extras
from aemetrics.demo.meetings import Event, _uid
from aemetrics.demo.traffic import Simulation
from aemetrics.demo.truth import has_keyword
from aemetrics.demo.world import EXPORT_AT, at, is_working_day

APPROVAL_BODY = "同意，可以发给客户。\n"


def working_day_after(d: date, n: int) -> date:
    """The n-th working day after d (调休 make-up days count, holidays do not)."""
    while n > 0:
        d += timedelta(1)
        n -= is_working_day(d)
    return d


def plant_signoffs(sim: Simulation, rng: random.Random) -> None:
    """Supervisor approvals of minutes e-mails to clients: about half before the send, a fifth after."""
    minutes = [
        m
        for m in list(sim.mail.messages)
        if m.sender.is_staff
        and not m.auto
        and m.sender.supervisor is not None
        and has_keyword(m.subject, "minutes")
        and m.parent is None
        and any(not p.is_staff for p in [*m.to, *m.cc])
    ]
    for m in minutes:
        intent = rng.choices(["before", "after", "none"], weights=[0.5, 0.2, 0.3])[0]
        if intent == "none":
            continue
        if intent == "before":
            when = m.when - timedelta(minutes=rng.randint(10, 90))
        else:
            when = m.when + timedelta(hours=rng.uniform(1, 20))
        sup = m.sender.supervisor
        sim.mail.send(sup, [m.sender], [], when, f"回复：{m.subject}", APPROVAL_BODY, "approval", account=m.account)


def plant_reviews(extras: Extras, rng: random.Random) -> list[Event]:
    """Internal review meetings of won projects: met (within 10 working days), late, or none."""
    out: list[Event] = []
    for o in extras.opportunities:
        if not o.is_won:
            continue
        intent = rng.choices(["met", "late", "none"], weights=[0.5, 0.25, 0.25])[0]
        if intent == "none":
            continue
        n = rng.randint(1, 9) if intent == "met" else rng.randint(11, 18)
        d = working_day_after(o.close_date, n)
        start = at(d, rng.choice([10, 14, 16]))
        created = min(at(o.close_date, 18), start - timedelta(hours=2))
        if created >= EXPORT_AT:
            continue
        ev = Event(
            _uid(rng),
            f"{o.name} 复盘会",
            o.ae,
            "internal",
            start,
            timedelta(hours=1),
            created,
            created,
            o.account,
            internal=[o.ae.supervisor] if o.ae.supervisor else [],
            location=f"{N.AGENCY_NAME} 5楼 创意部会议室",
        )
        out.append(ev)
    return out


def plant_late_invites(world: Any, rng: random.Random) -> list[Event]:
    """Two client meetings invited 20 h before they start, without CREATED."""
    out: list[Event] = []
    for ae, day in zip(world.aes[:2], (date(2025, 11, 18), date(2025, 11, 25)), strict=True):
        acct = next(a for a in ae.accounts if a.owner is ae and a.is_customer and a.listed_contacts)
        start = at(day, 15)
        invited = start - timedelta(hours=20)
        ev = Event(
            _uid(rng),
            f"{acct.brand} 临时碰头会",
            ae,
            "client",
            start,
            timedelta(hours=1),
            invited,
            invited,
            acct,
            clients=acct.listed_contacts[:1],
            internal=[ae.teammates[0]],
            location=f"{N.AGENCY_NAME} 3楼 小会议室",
            stamp=invited,
            writes_created=False,
        )
        out.append(ev)
    return out


def plant(world: Any, events: list[Event], sim: Simulation, extras: Extras, seed: int) -> None:
    """Everything above, appended to `events` and the simulation's mail (generate_demo and the oracle)."""
    from aemetrics.demo.world import rng_for

    plant_signoffs(sim, rng_for(seed, "signoffs"))
    events.extend(plant_reviews(extras, rng_for(seed, "reviews")))
    events.extend(plant_late_invites(world, rng_for(seed, "invites")))

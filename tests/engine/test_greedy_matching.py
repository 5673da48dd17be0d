"""The SQL pairing of agenda and minutes e-mails with meetings (a first-in-first-out queue
computed with running sums, docs/decisions.md) equals the greedy rule of STANDARDS.md executed
step by step in Python, on random calendars and mailboxes written as real .ics and .mbox files.
Times sit on an hourly grid so that e-mails at a meeting's exact start or end occur."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import connect
from scenario_tools import SCENARIOS

T0 = datetime(2025, 9, 1, 1, 0, tzinfo=timezone.utc)  # Mon 09:00 Beijing
AS_OF = T0 + timedelta(days=30)


def ics(starts: list[int]) -> str:
    events = []
    for i, h in enumerate(starts):
        start, end = T0 + timedelta(hours=h), T0 + timedelta(hours=h + 1)
        events.append("\n".join([
            "BEGIN:VEVENT", f"UID:m{i}@test", f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            "DTSTAMP:20250101T000000Z", "CREATED:20250101T000000Z", "SUMMARY:BrandCo sync",
            "ORGANIZER:mailto:li.wei@adagency.cn", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:chen.jing@brandco.com",
            "END:VEVENT"]))
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + "\n".join(events) + "\nEND:VCALENDAR\n"


def mbox(mails: list[tuple[str, int]]) -> str:
    out = []
    for i, (kind, h) in enumerate(mails):
        sent = T0 + timedelta(hours=h)
        out.append(f"From li.wei@adagency.cn {sent:%a %b %d %H:%M:%S %Y}\nMessage-ID: <{kind}{i:02d}@adagency.cn>\n"
                   f"Date: {sent:%a, %d %b %Y %H:%M:%S +0000}\nFrom: li.wei@adagency.cn\nTo: chen.jing@brandco.com\n"
                   f"Subject: BrandCo sync {kind}\n\nbody\n")
    return "\n".join(out) + "\n"


def greedy(meetings: dict[str, tuple[datetime, datetime]], mails: list[tuple[datetime, str]], kind: str) -> dict:
    """STANDARDS.md verbatim: each e-mail, in sending order, serves the earliest not-yet-served meeting
    that starts after it (agenda) / that ended before it (minutes)."""
    served: dict[str, datetime] = {}
    for sent, _mid in sorted(mails):
        if kind == "agenda":
            free = [(s, k) for k, (s, e) in meetings.items() if k not in served and s > sent]
        else:
            free = [(e, k) for k, (s, e) in meetings.items() if k not in served and e < sent]
        if free:
            served[min(free)[1]] = sent
    return served


@hsettings(max_examples=8, deadline=None, derandomize=True,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    starts=st.lists(st.integers(0, 60), min_size=1, max_size=5, unique=True),
    mails=st.lists(st.tuples(st.sampled_from(["agenda", "minutes"]), st.integers(0, 62)), max_size=8),
)
def test_sql_pairing_equals_step_by_step_greedy(tmp_path_factory, starts, mails):
    exports = tmp_path_factory.mktemp("greedy")
    (exports / "crm").mkdir()
    for name in ("User.csv", "Account.csv", "Contact.csv"):
        (exports / "crm" / name).write_bytes((SCENARIOS / "reply" / "crm" / name).read_bytes())
    (exports / "staff.csv").write_bytes((SCENARIOS / "reply" / "staff.csv").read_bytes())
    (exports / "calendar").mkdir()
    (exports / "calendar" / "li.wei.ics").write_text(ics(starts))
    (exports / "email").mkdir()
    (exports / "email" / "li.wei.mbox").write_text(mbox(mails))
    con = connect(exports / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        build(con, Settings(), AS_OF)
        meetings = {f"m{i}@test / {(T0 + timedelta(hours=h)):%Y-%m-%dT%H:%M:%SZ}":
                    (T0 + timedelta(hours=h), T0 + timedelta(hours=h + 1)) for i, h in enumerate(starts)}
        for kind, standard in (("agenda", "agenda_48h"), ("minutes", "minutes_24h")):
            sent = [(T0 + timedelta(hours=h), f"{k}{i:02d}") for i, (k, h) in enumerate(mails) if k == kind]
            expected = greedy(meetings, sent, kind)
            got = dict(con.execute(
                "select opening_key, fulfilled_at from int_obligations where standard = ? and fulfilled_at is not null",
                [standard]).fetchall())
            assert got == expected, (standard, starts, mails)
    finally:
        con.close()

"""The SQL pairing of agenda and minutes e-mails with meetings (the macro greedy_matches per client account,
docs/decisions.md) equals the greedy rule of STANDARDS.md executed step by step in Python, on
random calendars and mailboxes written as real .ics and .mbox files. Two BrandCo people (a CRM
contact and an address at the account's domain) attend and receive at random, so an e-mail can
serve only meetings one of its recipients attends. Times sit on an hourly grid so that e-mails at
a meeting's exact start or end occur."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scenario_tools import SCENARIOS

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

T0 = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)  # Mon 09:00 Beijing
AS_OF = T0 + timedelta(days=30)


PEOPLE = ("chen.jing@brandco.com", "ops@brandco.com")
people = st.sets(st.sampled_from(PEOPLE), min_size=1)


def ics(starts: list[int], attendees: list[set[str]]) -> str:
    events = []
    for i, (h, who) in enumerate(zip(starts, attendees, strict=True)):
        start, end = T0 + timedelta(hours=h), T0 + timedelta(hours=h + 1)
        events.append(
            "\n".join(
                [
                    "BEGIN:VEVENT",
                    f"UID:m{i}@test",
                    f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                    f"DTEND:{end:%Y%m%dT%H%M%SZ}",
                    "DTSTAMP:20250101T000000Z",
                    "CREATED:20250101T000000Z",
                    "SUMMARY:BrandCo sync",
                    "ORGANIZER:mailto:li.wei@adagency.cn",
                    *(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}" for p in sorted(who)),
                    "END:VEVENT",
                ]
            )
        )
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + "\n".join(events) + "\nEND:VCALENDAR\n"


def mbox(mails: list[tuple[str, int, set[str]]]) -> str:
    out = []
    for i, (kind, h, who) in enumerate(mails):
        sent = T0 + timedelta(hours=h)
        out.append(
            f"From li.wei@adagency.cn {sent:%a %b %d %H:%M:%S %Y}\nMessage-ID: <{kind}{i:02d}@adagency.cn>\n"
            f"Date: {sent:%a, %d %b %Y %H:%M:%S +0000}\nFrom: li.wei@adagency.cn\nTo: {', '.join(sorted(who))}\n"
            f"Subject: BrandCo sync {kind}\n\nbody\n"
        )
    return "\n".join(out) + "\n"


def greedy(
    meetings: dict[str, tuple[datetime, datetime, set[str]]], mails: list[tuple[datetime, str, set[str]]], kind: str
) -> dict:
    """STANDARDS.md verbatim: each e-mail, in sending order, serves the earliest not-yet-served meeting
    with one of its recipients that starts after it (agenda) / the latest not-yet-served one that
    started before it, within minutes_match_days (7) of its end (minutes). Every meeting is titled
    "BrandCo sync" and every subject holds that title: it names them all, so the default rule picks."""
    served: dict[str, datetime] = {}
    for sent, _mid, to in sorted(mails, key=lambda m: m[:2]):
        if kind == "agenda":
            free = [(s, k) for k, (s, e, who) in meetings.items() if k not in served and s > sent and to & who]
            if free:
                served[min(free)[1]] = sent
        else:
            free = [
                (s, k)
                for k, (s, e, who) in meetings.items()
                if k not in served and s < sent <= e + timedelta(days=7) and to & who
            ]
            if free:
                served[max(free)[1]] = sent
    return served


@hsettings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    meetings=st.lists(st.tuples(st.integers(0, 60), people), min_size=1, max_size=5, unique_by=lambda m: m[0]),
    mails=st.lists(st.tuples(st.sampled_from(["agenda", "minutes"]), st.integers(0, 62), people), max_size=8),
)
def test_sql_pairing_equals_step_by_step_greedy(tmp_path_factory, meetings, mails):
    starts, attendees = [h for h, _ in meetings], [who for _, who in meetings]
    exports = tmp_path_factory.mktemp("greedy")
    (exports / "crm").mkdir()
    for name in ("User.csv", "Account.csv", "Contact.csv"):
        (exports / "crm" / name).write_bytes((SCENARIOS / "reply" / "crm" / name).read_bytes())
    (exports / "staff.csv").write_bytes((SCENARIOS / "reply" / "staff.csv").read_bytes())
    (exports / "calendar").mkdir()
    (exports / "calendar" / "li.wei.ics").write_text(ics(starts, attendees))
    (exports / "email").mkdir()
    (exports / "email" / "li.wei.mbox").write_text(mbox(mails))
    con = open_warehouse(exports / "w.duckdb")
    try:
        ingest_exports(exports, con, Settings())
        build(con, Settings(), AS_OF)
        by_key = {
            f"m{i}@test / {(T0 + timedelta(hours=h)):%Y-%m-%dT%H:%M:%SZ}": (
                T0 + timedelta(hours=h),
                T0 + timedelta(hours=h + 1),
                who,
            )
            for i, (h, who) in enumerate(meetings)
        }
        for kind, standard in (("agenda", "agenda_48h"), ("minutes", "minutes_24h")):
            sent = [(T0 + timedelta(hours=h), f"{k}{i:02d}", who) for i, (k, h, who) in enumerate(mails) if k == kind]
            expected = greedy(by_key, sent, kind)
            got = dict(
                con.execute(
                    "select opening_key, fulfilled_at from int_obligations where standard = ? and fulfilled_at is not null",
                    [standard],
                ).fetchall()
            )
            assert got == expected, (standard, meetings, mails)
    finally:
        con.close()

"""Structured evidence (issue 9 item 2): every standard's model emits `evidence_items`, a list of
structs (kind, role, source_file, record, key, label, note); the `evidence` text is rendered from
them by one macro (`evidence_sentence`, sql/macros.sql) and `evidence_refs` is their plain unnest.

The old engine wrote evidence as free text in each model and `evidence_refs` parsed it back with a
regular expression: `obligations` had no `evidence_items` column (every test here fails on it), and
rows the text named without the '(record)' pattern (the e-mail that notified an internal attendee,
named only by its Message-ID) were never checked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scenario_tools import SCENARIOS, oid

from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

# scenario -> as_of of its tests
SCENARIO_AS_OF = {
    "acceptance": "2026-02-27T15:00:00+08:00",
    "acceptance_national_day": "2025-10-11T20:00:00+08:00",
    "acceptance_new_year": "2026-01-09T20:00:00+08:00",
    "meetings": "2025-09-27T12:00:00+08:00",
    "weekly": "2025-10-13T09:00:00+08:00",
}

# the raw table of each kind, and how a raw row shows the item's key
RAW_OF_KIND = {
    "email": ("raw_email_messages", "trim(both '<> ' from raw.message_id)"),
    "calendar": ("raw_calendar_events", "raw.event_uid || ' / ' || raw.occurrence_key"),
    "crm": ("raw_crm_activities", "raw.activity_id"),
    "crm_account": ("raw_crm_accounts", "raw.account_id"),
    "crm_user": ("raw_crm_users", "lower(trim(raw.email))"),
    "staff": ("raw_staff", "lower(trim(raw.email))"),
    "attendance": ("raw_attendance", "coalesce(lower(trim(raw.participant_email)), raw.participant_name)"),
}


def _built(tmp_path_factory, name: str):
    db = tmp_path_factory.mktemp(f"evidence-{name}") / "warehouse.duckdb"
    con = open_warehouse(db)
    ingest_exports(SCENARIOS / name, con, Settings())  # EXPECTED.md beside a scenario is no export
    build(con, Settings(), datetime.fromisoformat(SCENARIO_AS_OF[name]))
    return con


@pytest.fixture(scope="module", params=sorted(SCENARIO_AS_OF))
def scenario(request, tmp_path_factory):
    con = _built(tmp_path_factory, request.param)
    yield request.param, con
    con.close()


@pytest.fixture(scope="module")
def acceptance(tmp_path_factory):
    con = _built(tmp_path_factory, "acceptance")
    yield con
    con.close()


def test_every_obligation_has_evidence_items(scenario):
    _, con = scenario
    total, empty = con.execute(
        "select count(*), count(*) filter (where evidence_items is null or len(evidence_items) = 0) from obligations"
    ).fetchone()
    assert total > 0 and empty == 0


def test_every_item_resolves_to_a_raw_row_of_its_kind(scenario):
    """source_file + record exist in the raw table of the item's kind, and that row carries the key."""
    _, con = scenario
    kinds = {k for (k,) in con.execute("select distinct unnest(evidence_items).kind from obligations").fetchall()}
    assert kinds <= RAW_OF_KIND.keys()
    for kind in kinds:
        table, key_expr = RAW_OF_KIND[kind]
        unresolved = con.execute(
            f"""
            with items as (select obligation_id, unnest(evidence_items) as item from obligations)
            select items.obligation_id, items.item
            from items
            where items.item.kind = ?
                and not exists (
                    select 1 from {table} as raw
                    where raw.source_file = items.item.source_file and raw.record = items.item.record
                        and {key_expr} = items.item.key
                )
        """,
            [kind],
        ).fetchall()
        assert unresolved == [], f"{kind}: items naming no row of {table}: {unresolved[:3]}"


def test_evidence_refs_is_the_items_unnested(scenario):
    """One evidence_refs row per item, in order, all resolved (no text parsed back)."""
    _, con = scenario
    items = con.execute("""
        select obligation_id, pos, item.kind, item.role, item.key, item.source_file, item.record
        from (select obligation_id, unnest(evidence_items) as item, unnest(range(1, len(evidence_items) + 1)) as pos
              from obligations)
        order by all""").fetchall()
    refs = con.execute(
        "select obligation_id, item_no, kind, role, key, source_file, record from evidence_refs order by all"
    ).fetchall()
    assert refs == items and len(refs) > 0
    assert con.execute("select count(*) from evidence_refs where not is_resolved").fetchone() == (0,)


# Hand-checked against the files of tests/fixtures/scenarios/acceptance: zhao.lei.mbox holds r8-q as
# its 16th message, mn-0212 / sr-w07-zhao / rep-w07-zhao as its 8th, 9th and 10th; crm/Task.csv line 2
# is call 00T...101AAA (TeaHouse, Mon 9 Feb), line 5 the confirming call 00T...104AAA; crm/Account.csv
# line 2 is TeaHouse; staff.csv lines 2 and 3 are Zhao Lei and Sun Mei; the Zoom report's line 7 is
# Zhao Lei joining at 10:01; zhao.lei.ics' VEVENTs 1 and 4 are the TeaHouse weekly and the NorthBike
# dealer prep.
ZHAO, SUN, QIAN = "zhao.lei@huaxin-ad.com", "sun.mei@huaxin-ad.com", "qian.hui@huaxin-ad.com"
TEA = "001000000000101AAA"
M1_0212 = "teahouse-weekly-2026@google.com / 2026-02-12T02:00:00Z"
M2 = "northbike-dealer-prep@google.com / 2026-02-25T06:00:00Z"
W07 = "2026-02-09"


def item(kind, role, source_file, record, key, label, note=None):
    return dict(kind=kind, role=role, source_file=source_file, record=record, key=key, label=label, note=note)


HAND_CHECKED = {
    ("reply_12h", "r8-q@northbike.cn"): [  # one message in two mailboxes: two items, one key
        item("email", "opened_by", "email/sun.mei/10-venue.eml", "file", "r8-q@northbike.cn", "client message"),
        item("email", "opened_by", "email/zhao.lei.mbox", "message 16", "r8-q@northbike.cn", "client message"),
        item(
            "email",
            "fulfilled_by",
            "email/sun.mei/11-venue-answer.eml",
            "file",
            "r8-a@huaxin-ad.com",
            f"answered by {SUN}",
        ),
    ],
    ("agenda_48h", M2): [
        item("calendar", "opened_by", "calendar/zhao.lei.ics", "VEVENT 4", M2, "meeting", " starting 2026-02-25 14:00"),
        item(
            "email",
            "fulfilled_by",
            "email/sun.mei/05-agenda-dealer-prep.eml",
            "file",
            "ag-0225@huaxin-ad.com",
            f"agenda from {SUN}",
        ),
    ],
    ("internal_notice_24h", M2): [  # reached by the invitation: the meeting is the only row
        item("calendar", "opened_by", "calendar/zhao.lei.ics", "VEVENT 4", M2, "meeting", " starting 2026-02-25 14:00"),
    ],
    ("minutes_24h", M1_0212): [
        item(
            "calendar", "opened_by", "calendar/zhao.lei.ics", "VEVENT 1", M1_0212, "meeting", " ending 2026-02-12 11:00"
        ),
        item(
            "email", "fulfilled_by", "email/zhao.lei.mbox", "message 8", "mn-0212@huaxin-ad.com", f"minutes from {ZHAO}"
        ),
    ],
    ("on_time", M1_0212): [
        item(
            "calendar",
            "opened_by",
            "calendar/zhao.lei.ics",
            "VEVENT 1",
            M1_0212,
            "meeting",
            " starting 2026-02-12 10:00; attendance report attendance/zoom/teahouse-weekly-0212.csv (matched by meeting_id)",
        ),
        item(
            "attendance",
            "fulfilled_by",
            "attendance/zoom/teahouse-weekly-0212.csv",
            "line 7",
            ZHAO,
            "AE first joined 2026-02-12 10:01:00 as",
        ),
    ],
    ("monday_call", f"{ZHAO}|{TEA[:15]}|{W07}"): [
        item("crm_account", "opened_by", "crm/Account.csv", "line 2", TEA, "client account"),
        item("crm", "fulfilled_by", "crm/Task.csv", "line 2", "00T000000000101AAA", f"call by {ZHAO}: activity"),
    ],
    ("friday_client_report", f"{ZHAO}|{TEA[:15]}|{W07}"): [
        item("crm_account", "opened_by", "crm/Account.csv", "line 2", TEA, "client account"),
        item(
            "email",
            "fulfilled_by",
            "email/zhao.lei.mbox",
            "message 10",
            "rep-w07-zhao@huaxin-ad.com",
            f"report from {ZHAO}",
        ),
        item("crm", "confirmed_by", "crm/Task.csv", "line 5", "00T000000000104AAA", "confirmed by call"),
    ],
    ("friday_supervisor_report", f"{ZHAO}|{W07}"): [
        item("staff", "accountable", "staff.csv", "line 2", ZHAO, "AE"),
        item(
            "email",
            "fulfilled_by",
            "email/zhao.lei.mbox",
            "message 9",
            "sr-w07-zhao@huaxin-ad.com",
            f"report to {QIAN}",
        ),
    ],
    ("friday_supervisor_report", f"{SUN}|{W07}"): [  # missed: the accountable AE's directory row
        item("staff", "accountable", "staff.csv", "line 3", SUN, "AE"),
    ],
}


@pytest.mark.parametrize("standard,key", sorted(HAND_CHECKED), ids=lambda v: str(v)[:30])
def test_hand_checked_items(acceptance, standard, key):
    rows = acceptance.execute(
        "select evidence_items from obligations where obligation_id = ?", [oid(standard, key)]
    ).fetchall()
    assert rows, (standard, key)
    assert rows[0][0] == HAND_CHECKED[(standard, key)]


def test_sentence_is_rendered_from_the_items(acceptance):
    """The text keeps its old wording: copies of one message joined by ', ', notes after the last copy,
    head and tail words around the items."""
    text = dict(
        acceptance.execute(
            "select obligation_id, evidence from obligations where obligation_id in (?, ?, ?)",
            [
                oid("reply_12h", "r8-q@northbike.cn"),
                oid("friday_client_report", f"{ZHAO}|{TEA[:15]}|{W07}"),
                oid("friday_supervisor_report", f"{SUN}|{W07}"),
            ],
        ).fetchall()
    )
    assert text[oid("reply_12h", "r8-q@northbike.cn")] == (
        "client message Message-ID <r8-q@northbike.cn> in email/sun.mei/10-venue.eml (file), email/zhao.lei.mbox"
        f" (message 16); answered by {SUN} Message-ID <r8-a@huaxin-ad.com> in email/sun.mei/11-venue-answer.eml (file)"
    )
    assert text[oid("friday_client_report", f"{ZHAO}|{TEA[:15]}|{W07}")] == (
        f"week 2026-W07, last working day 2026-02-14; client account {TEA} in crm/Account.csv (line 2);"
        f" report from {ZHAO} Message-ID <rep-w07-zhao@huaxin-ad.com> in email/zhao.lei.mbox (message 10);"
        " confirmed by call 00T000000000104AAA in crm/Task.csv (line 5)"
    )
    assert text[oid("friday_supervisor_report", f"{SUN}|{W07}")] == (
        f"week 2026-W07, last working day 2026-02-14; AE {SUN} in staff.csv (line 3);"
        f" no weekly report to {QIAN} in the week"
    )


def test_evidence_sentence_macro(acceptance):
    """The macro alone: a note goes after the last copy of its message; items of another role start a new
    part; no items, no part; head and tail skipped when null."""
    con = acceptance
    con.execute(Path(__file__).resolve().parents[2].joinpath("sql", "macros.sql").read_text())
    got = con.execute("""
        select
            evidence_sentence('head', [
                evidence_item('email', 'opened_by', 'email/a.mbox', 'message 1', 'm1', 'client message', ' (+1)'),
                evidence_item('email', 'opened_by', 'email/b.mbox', 'message 4', 'm1', 'client message', ' (+1)'),
                evidence_item('email', 'fulfilled_by', 'email/a.mbox', 'message 2', 'm2', null, null),
                evidence_item('calendar', 'opened_by', 'calendar/x.ics', 'VEVENT 2', 'u@x / 2026-01-01T02:00:00Z', 'meeting', null)
            ], null),
            evidence_sentence(null, [], 'nothing yet'),
            evidence_sentence('week', email_evidence_items(null, 'fulfilled_by', null, 'report', null), null)
    """).fetchone()
    assert got == (
        "head; client message Message-ID <m1> in email/a.mbox (message 1), email/b.mbox (message 4) (+1);"
        " Message-ID <m2> in email/a.mbox (message 2); meeting UID u@x occurrence 2026-01-01T02:00:00Z in"
        " calendar/x.ics (VEVENT 2)",
        "nothing yet",
        "week",
    )


def test_site_evidence_cell_names_each_row():
    """The scorecard's evidence cell lists each export row as 'file · record', the rest in its title."""
    from aemetrics.site.pages import _evidence

    cell = _evidence(
        "client message Message-ID <m1> in email/li.wei.mbox (message 3)",
        [
            dict(
                kind="email",
                role="opened_by",
                key="m1",
                source_file="email/li.wei.mbox",
                record="message 3",
                source_table="raw_email_messages",
            ),
        ],
    )
    assert (
        '<span class="source" title="opened_by email m1: raw_email_messages, email/li.wei.mbox (message 3)">'
        "email/li.wei.mbox · message 3</span>" in cell.html
    )
    assert "client message" in cell.html


def test_internal_notice_names_the_mail_that_reached_an_attendee(tmp_path_factory):
    """acceptance_national_day: Huang Tao was told of the 2 Oct Lotus on-site meeting by Wang Fang's mail,
    the 5th message of email/wang.fang.mbox (hand-checked), before the invitation (CREATED 30 Sep). The
    old text named it as 'by Message-ID <...>' without file or record, so evidence_refs never checked it."""
    con = _built(tmp_path_factory, "acceptance_national_day")
    meeting = "lotus-national-day-onsite-2025@google.com / 2025-10-02T07:00:00Z"
    rows = con.execute(
        "select evidence_items from obligations where obligation_id = ?", [oid("internal_notice_24h", meeting)]
    ).fetchall()
    con.close()
    assert rows[0][0] == [
        item(
            "calendar",
            "opened_by",
            "calendar/wang.fang.ics",
            "VEVENT 1",
            meeting,
            "meeting",
            " starting 2025-10-02 15:00",
        ),
        item(
            "email",
            "notified_by",
            "email/wang.fang.mbox",
            "message 5",
            "nd-notice-lotus-onsite@mingde-ad.com",
            "notice to huang.tao@mingde-ad.com",
        ),
    ]

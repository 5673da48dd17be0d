"""festival_greeting, market_info, client_file_complete and work_on_time on a second scenario in other export
formats: tests/fixtures/scenarios/account_care_2025 (canonical CRM files with Greeting / MarketInfo activities and
client-file columns, an mbox, a DingTalk 考勤报表 workbook with the 打卡时间 sheet: one row per person-day, the day's
times in one cell). Qingyun Ad, AE 李娜 (客户经理), the 2025 国庆 + 中秋 break (1-8 Oct; Sun 28 Sep and Sat 11 Oct are
make-up working days), as of Fri 10 Oct 2025 18:00 Beijing; first dated activity Mon 22 Sep 09:00 (window start
Mon 22 Sep 00:00). Expected values computed by hand from STANDARDS.md.

The old engine (before issue 11) had none of these standards: no row below existed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

from aemetrics.config import Settings

AS_OF = datetime.fromisoformat("2025-10-10T18:00:00+08:00")
LI = "li.na@qingyun-ad.cn"
QS, BY = "acc-qs", "acc-by"
L = local
WINDOW = L(2025, 9, 22)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return ingest_scenario("account_care_2025", tmp_path_factory)


@pytest.fixture(scope="module")
def built(warehouse) -> Built:
    result = build_copy(warehouse, AS_OF)
    yield result
    result.con.close()


def _row(built: Built, standard: str, key: str) -> tuple:
    rows = built.rows("select * from obligations where obligation_id = ?", [oid(standard, key)])
    assert rows, f"no {standard} obligation {key}"
    r = rows[0]
    return (r["ae"], r["client_account"], r["opened_at"], r["due_at"], r["fulfilled_at"], r["status"])


def _count(built: Built, standard: str) -> int:
    return built.con.execute("select count(*) from obligations where standard = ?", [standard]).fetchone()[0]


def test_one_greeting_serves_both_festivals_of_the_break(built):
    """国庆 (first day Wed 1 Oct) and 中秋 (Mon 6 Oct) share the break 1-8 Oct. 双节快乐 on Fri 3 Oct to 青山乳业 is late
    for 国庆 (after its first day, inside the break) and on time for 中秋 (inside its window 29 Sep - 6 Oct): one
    greeting serves both (the exception to "one evidence, one obligation"). The canonical Greeting activity of
    30 Sep serves both festivals of 白云文具."""
    assert _count(built, "festival_greeting") == 4
    assert _row(built, "festival_greeting", "acc-qs|国庆节|2025-10-01") == (
        LI,
        QS,
        L(2025, 9, 24),
        L(2025, 10, 2),
        L(2025, 10, 3, 10),
        "late",
    )
    assert _row(built, "festival_greeting", "acc-qs|中秋节|2025-10-06") == (
        LI,
        QS,
        L(2025, 9, 29),
        L(2025, 10, 7),
        L(2025, 10, 3, 10),
        "met",
    )
    assert _row(built, "festival_greeting", "acc-by|国庆节|2025-10-01") == (
        LI,
        BY,
        L(2025, 9, 24),
        L(2025, 10, 2),
        L(2025, 9, 30, 15),
        "met",
    )
    assert _row(built, "festival_greeting", "acc-by|中秋节|2025-10-06") == (
        LI,
        BY,
        L(2025, 9, 29),
        L(2025, 10, 7),
        L(2025, 9, 30, 15),
        "met",
    )
    ev = built.rows(
        "select evidence from obligations where obligation_id = ?",
        [oid("festival_greeting", "acc-by|中秋节|2025-10-06")],
    )[0]["evidence"]
    assert "greeting: CRM activity g-by-1 in crm/activities.csv (line 2)" in ev


def test_greeting_days_setting(warehouse):
    """festival_greeting_days = 2: 中秋's window opens Sat 4 Oct, so the 3 Oct greeting (before the window, though
    inside the break) no longer serves it: missed. 国庆 is unchanged (late)."""
    b = build_copy(warehouse, AS_OF, replace(Settings(), festival_greeting_days=2), suffix="days2")
    try:
        assert _row(b, "festival_greeting", "acc-qs|中秋节|2025-10-06") == (
            LI,
            QS,
            L(2025, 10, 4),
            L(2025, 10, 7),
            None,
            "missed",
        )
        assert _row(b, "festival_greeting", "acc-qs|国庆节|2025-10-01")[-1] == "late"
    finally:
        b.con.close()


def test_market_info_per_month(built):
    """September (last working day Tue 30 Sep): the 九月市场信息 mail and the canonical MarketInfo activity meet it;
    October runs until the end of Fri 31 Oct: open."""
    assert _count(built, "market_info") == 4
    assert _row(built, "market_info", f"{LI}|acc-qs|2025-09") == (
        LI,
        QS,
        WINDOW,
        L(2025, 10, 1),
        L(2025, 9, 22, 9),
        "met",
    )
    assert _row(built, "market_info", f"{LI}|acc-by|2025-09") == (
        LI,
        BY,
        WINDOW,
        L(2025, 10, 1),
        L(2025, 9, 30, 16),
        "met",
    )
    assert _row(built, "market_info", f"{LI}|acc-qs|2025-10") == (LI, QS, L(2025, 10, 1), L(2025, 11, 1), None, "open")
    assert _row(built, "market_info", f"{LI}|acc-by|2025-10") == (LI, BY, L(2025, 10, 1), L(2025, 11, 1), None, "open")


def test_client_file_from_canonical_columns(built):
    """Canonical accounts: brand '待定' is a placeholder (empty). No opportunity file and no ProjectCompleted
    activity: projects cannot be told and are not required (9 fields: the 8 configured + key people)."""
    assert _count(built, "client_file_complete") == 2
    assert _row(built, "client_file_complete", "acc-qs") == (LI, QS, WINDOW, WINDOW, None, "missed")
    assert _row(built, "client_file_complete", "acc-by") == (LI, BY, WINDOW, WINDOW, WINDOW, "met")
    ev = built.rows("select evidence from obligations where obligation_id = ?", [oid("client_file_complete", "acc-qs")])
    assert "8 of 9 required fields" in ev[0]["evidence"] and "missing: brand" in ev[0]["evidence"]


def test_work_on_time_from_the_daka_sheet(built):
    """The 打卡时间 sheet (the day's times in one cell, the first is the clock-in): the make-up Sunday 28 Sep is a
    working day (08:57: met), Fri 3 Oct is a holiday (no obligation), Thu 9 Oct 09:12 is late."""
    assert _count(built, "work_on_time") == 2
    assert _row(built, "work_on_time", f"{LI}|2025-09-28") == (
        LI,
        None,
        L(2025, 9, 28, 9),
        L(2025, 9, 28, 9),
        L(2025, 9, 28, 8, 57),
        "met",
    )
    assert _row(built, "work_on_time", f"{LI}|2025-10-09") == (
        LI,
        None,
        L(2025, 10, 9, 9),
        L(2025, 10, 9, 9),
        L(2025, 10, 9, 9, 12),
        "late",
    )


def test_grace_minutes_setting(warehouse):
    """work_on_time_grace_minutes = 15: due 09:15, so the 09:12 clock-in is met."""
    b = build_copy(warehouse, AS_OF, replace(Settings(), work_on_time_grace_minutes=15.0), suffix="grace")
    try:
        assert _row(b, "work_on_time", f"{LI}|2025-10-09") == (
            LI,
            None,
            L(2025, 10, 9, 9),
            L(2025, 10, 9, 9, 15),
            L(2025, 10, 9, 9, 12),
            "met",
        )
    finally:
        b.con.close()

"""Fourth blind acceptance scenario, computed by hand from STANDARDS.md: tests/fixtures/scenarios/acceptance_account_care.

Haiyun Ad from Mon 22 Dec 2025 to Wed 4 Mar 2026 (as_of 12:00 Beijing), over 元旦 2026 (1-3 Jan off, Sun 4 Jan a
make-up working day) and 春节 2026 (15-23 Feb off, Sat 14 and Sat 28 Feb make-up working days). Four of the
issue-11 standards: client_file_complete, festival_greeting, market_info, work_on_time. Real export formats:
staff.csv with dingtalk_userid / employee_no, Salesforce User / Account (client-file columns) / Contact /
Opportunity / Task, two mboxes (RFC 2047 subjects, In-Reply-To replies), a DingTalk 考勤报表 workbook (sheet 原始记录,
title rows above the header, `26-01-04 星期日` dates, 缺卡 / 外勤 / 补卡审批通过 / 请假 rows) and a canonical
attendance_clock CSV.

The traps, each explained in acceptance_account_care.EXPECTED.md (written and committed before the engine ran):
a greeting inside the holiday break is late, one after it (on the make-up Sunday) missed; a staff reply to the
client's own 新春快乐 is no greeting; an account created on the eve of 春节 owes its greeting; market information
on a Saturday after January's last working day still meets January; February's last working day is the make-up
Saturday 28 Feb; a Re: in the thread of last month's market update is no evidence; a 无 fax is empty; clock-ins on
make-up working days count and on days off do not; our 09:00 beats the export's 上班 09:30 / 正常; people are matched
by UserId, else 工号, else exact name, and the unmatched one is reported.

The old engine (before issue 11) had none of these four standards: every row below was missing."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, built_and_expected, ingest_scenario, local, missing_and_extra, oid

SCENARIO = "acceptance_account_care"
AS_OF = datetime.fromisoformat("2026-03-04T12:00:00+08:00")
ZHOU, FANG, TANG = "zhou.min@haiyun-ad.cn", "fang.lei@haiyun-ad.cn", "tang.li@haiyun-ad.cn"
A1, A2, A3, A5 = "001000000000401AAA", "001000000000402AAA", "001000000000403AAA", "001000000000405AAA"
K1, K2, K3, K5 = (a[:15] for a in (A1, A2, A3, A5))
L = local
CF, FG, MI, WT = "client_file_complete", "festival_greeting", "market_info", "work_on_time"
WINDOW = L(2025, 12, 22)

# (opening key, standard, ae, client account, opened_at, due_at, fulfilled_at, status)
EXPECTED = [
    (K1, CF, ZHOU, A1, WINDOW, WINDOW, WINDOW, "met"),
    (K2, CF, FANG, A2, WINDOW, WINDOW, None, "missed"),
    (K3, CF, ZHOU, A3, L(2026, 2, 16, 10), L(2026, 3, 18, 10), None, "open"),
    (f"{K1}|元旦|2026-01-01", FG, ZHOU, A1, L(2025, 12, 25), L(2026, 1, 2), L(2025, 12, 31, 18), "met"),
    (f"{K2}|元旦|2026-01-01", FG, FANG, A2, L(2025, 12, 25), L(2026, 1, 2), L(2026, 1, 3, 10), "late"),
    (f"{K5}|元旦|2026-01-01", FG, FANG, A5, L(2025, 12, 25), L(2026, 1, 2), None, "missed"),
    (f"{K1}|春节|2026-02-17", FG, ZHOU, A1, L(2026, 2, 10), L(2026, 2, 18), L(2026, 2, 13, 10), "met"),
    (f"{K2}|春节|2026-02-17", FG, FANG, A2, L(2026, 2, 10), L(2026, 2, 18), L(2026, 2, 20, 10), "late"),
    (f"{K3}|春节|2026-02-17", FG, ZHOU, A3, L(2026, 2, 16, 10), L(2026, 2, 18), L(2026, 2, 16, 11), "met"),
    (f"{K5}|春节|2026-02-17", FG, FANG, A5, L(2026, 2, 10), L(2026, 2, 18), None, "missed"),
    (f"{ZHOU}|{K1}|2025-12", MI, ZHOU, A1, WINDOW, L(2026, 1, 1), L(2025, 12, 22, 10), "met"),
    # due 24:00 of the last working day (Fri 30 Jan); Sat 31 Jan is inside January: met, no late
    (f"{ZHOU}|{K1}|2026-01", MI, ZHOU, A1, L(2026, 1, 1), L(2026, 1, 31), L(2026, 1, 31, 10), "met"),
    (f"{ZHOU}|{K1}|2026-02", MI, ZHOU, A1, L(2026, 2, 1), L(2026, 3, 1), L(2026, 2, 28, 15), "met"),
    (f"{ZHOU}|{K1}|2026-03", MI, ZHOU, A1, L(2026, 3, 1), L(2026, 4, 1), None, "open"),
    (f"{FANG}|{K2}|2025-12", MI, FANG, A2, WINDOW, L(2026, 1, 1), None, "missed"),
    (f"{FANG}|{K2}|2026-01", MI, FANG, A2, L(2026, 1, 1), L(2026, 1, 31), None, "missed"),
    (f"{FANG}|{K2}|2026-02", MI, FANG, A2, L(2026, 2, 1), L(2026, 3, 1), L(2026, 2, 2, 9), "met"),
    (f"{FANG}|{K2}|2026-03", MI, FANG, A2, L(2026, 3, 1), L(2026, 4, 1), None, "open"),
    (f"{ZHOU}|{K3}|2026-02", MI, ZHOU, A3, L(2026, 2, 16, 10), L(2026, 3, 1), None, "missed"),
    (f"{ZHOU}|{K3}|2026-03", MI, ZHOU, A3, L(2026, 3, 1), L(2026, 4, 1), None, "open"),
    (f"{ZHOU}|2025-12-31", WT, ZHOU, None, L(2025, 12, 31, 9), L(2025, 12, 31, 9), L(2025, 12, 31, 8, 52), "met"),
    (f"{ZHOU}|2026-01-04", WT, ZHOU, None, L(2026, 1, 4, 9), L(2026, 1, 4, 9), L(2026, 1, 4, 9, 5), "late"),
    (f"{FANG}|2026-01-05", WT, FANG, None, L(2026, 1, 5, 9), L(2026, 1, 5, 9), None, "missed"),
    (f"{FANG}|2026-01-06", WT, FANG, None, L(2026, 1, 6, 9), L(2026, 1, 6, 9), L(2026, 1, 6, 8, 45), "met"),
    (f"{FANG}|2026-01-07", WT, FANG, None, L(2026, 1, 7, 9), L(2026, 1, 7, 9), L(2026, 1, 7, 9), "met"),
    (f"{TANG}|2026-01-05", WT, TANG, None, L(2026, 1, 5, 9), L(2026, 1, 5, 9), L(2026, 1, 5, 8, 59), "met"),
    (f"{TANG}|2026-01-06", WT, TANG, None, L(2026, 1, 6, 9), L(2026, 1, 6, 9), None, "excused"),
    (f"{ZHOU}|2026-02-28", WT, ZHOU, None, L(2026, 2, 28, 9), L(2026, 2, 28, 9), L(2026, 2, 28, 9, 1), "late"),
    (f"{TANG}|2026-02-14", WT, TANG, None, L(2026, 2, 14, 9), L(2026, 2, 14, 9), L(2026, 2, 14, 8, 58), "met"),
]


def _case_id(row: tuple) -> str:
    return f"{row[1]}:{row[0]}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    result = build_copy(ingest_scenario(SCENARIO, tmp_path_factory), AS_OF)
    yield result
    result.con.close()


@pytest.fixture(scope="module")
def obligations(built) -> dict[str, dict]:
    return {r["obligation_id"]: r for r in built.rows("select * from obligations")}


def test_exactly_the_expected_obligations(obligations):
    """Nothing more: no greeting for the media owner StarMedia or for CloudHome at 元旦 (created later), no client
    file or market_info for the prospect GoldStone, no work_on_time on the day off Fri 2 Jan or on 春节 (17 Feb),
    none for the supervisor Lu Bo or for 赵六, who matches no staff member."""
    assert len(EXPECTED) == 29
    assert missing_and_extra(EXPECTED, obligations) == ([], [])


@pytest.mark.parametrize("row", EXPECTED, ids=_case_id)
def test_obligation(obligations, row):
    built_row, expected = built_and_expected(row, obligations)
    assert built_row == expected


@pytest.mark.parametrize("row", EXPECTED, ids=_case_id)
def test_fulfilled_at(obligations, row):
    key, std, *_, fulfilled_at, _status = row
    assert obligations[oid(std, key)]["fulfilled_at"] == fulfilled_at


def test_unmatched_clock_person_is_reported(built):
    """赵六 (UserId dt-zl-00, 工号 H099) matches nobody in staff.csv: not measured, but named in run_notes (shown on
    the site's index with the data-quality section), with the file and row of the record."""
    notes = dict(built.con.execute("select note_kind, message from run_notes").fetchall())
    assert "赵六" in notes["clock_unmatched"]
    assert "attendance/haiyun-kaoqin-2026-01.xlsx (sheet 原始记录 row" in notes["clock_unmatched"]
    people = {
        r["person_name"] or r["email"]: (r["staff_email"], r["match_method"])
        for r in built.rows("select * from int_clock_people")
    }
    assert people["周敏"] == (ZHOU, "dingtalk_userid")
    assert people["方磊"] == (FANG, "employee_no")
    assert people["唐丽"] == (TANG, "name")
    assert people["赵六"] == (None, None)


def test_evidence_names_file_and_record(obligations):
    """Evidence names the export row: the clock-in's workbook row, the greeting's message, the account's CRM row;
    the client file says what is missing."""
    ev = obligations[oid(WT, f"{FANG}|2026-01-06")]["evidence"]
    assert "attendance/haiyun-kaoqin-2026-01.xlsx (sheet 原始记录 row" in ev and "外勤" in ev
    ev = obligations[oid(FG, f"{K2}|春节|2026-02-17")]["evidence"]
    assert "Message-ID <ac-f5@haiyun-ad.cn> in email/fang.lei.mbox" in ev
    ev = obligations[oid(CF, K2)]["evidence"]
    assert "7 of 10 required fields" in ev and "missing: budget, fax, projects" in ev
    assert "crm/Account.csv (line 3)" in ev


def test_unmatched_clock_person_is_on_the_data_quality_section(built, tmp_path):
    """The site's data-quality section names 赵六 under its own heading (and the run notes say it first)."""
    from aemetrics.site import publish_site

    publish_site(built.con, tmp_path / "site", lang="zh-en")
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    quality = html[html.index('id="data-quality"') :]
    assert "Clock-in people matching no staff member" in quality and "赵六" in quality

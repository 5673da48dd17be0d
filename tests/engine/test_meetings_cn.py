"""on_time from Tencent Meeting participant exports (issue 12 item 1), on tests/fixtures/scenarios/tencent:
Li Wei's Google Calendar series "TeaCo weekly" (Tue 3, 10 and 17 Mar 2026 10:00-11:00 Beijing time) whose
description is Tencent Meeting's invitation text ending "#腾讯会议：987-654-321", two Tencent .xlsx reports
(sheet 成员参会概况, topic "TeaCo 周会", 会议号 987654321), and staff.csv with a meeting_names column
(Li Wei: 阿伟；Wei Li); as of Fri 20 Mar 2026 12:00.

- 3 Mar: "阿伟(Li Wei)" first joined 09:59:00: met (matched by the real name in brackets).
- 10 Mar: "阿伟" first joined 10:07:00: late (matched by the alias in meeting_names).
- 17 Mar: the report has "Wei(外包)" (neither part is a name or alias of Li Wei) and "茶茶": missed, and the
  evidence names both as matching no staff member.
The old engine could not read .xlsx attendance reports (the files went to quarantine as unknown
layouts), so no on_time obligation opened at all."""

from __future__ import annotations

from datetime import datetime

import pytest
from scenario_tools import Built, build_copy, ingest_scenario, local, oid

AS_OF = datetime.fromisoformat("2026-03-20T12:00:00+08:00")
SERIES = "teaco-weekly-2026@google.com / "
MAR03, MAR10, MAR17 = (SERIES + d for d in ("2026-03-03T02:00:00Z", "2026-03-10T02:00:00Z", "2026-03-17T02:00:00Z"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    db = ingest_scenario("tencent", tmp_path_factory)
    result = build_copy(db, AS_OF)
    yield result
    result.con.close()


def test_tencent_reports_give_on_time(built):
    got = built.obligations("on_time")
    assert {i: (r["fulfilled_at"], r["status"]) for i, r in got.items()} == {
        oid("on_time", MAR03): (local(2026, 3, 3, 9, 59), "met"),
        oid("on_time", MAR10): (local(2026, 3, 10, 10, 7), "late"),
        oid("on_time", MAR17): (None, "missed"),
    }
    assert got[oid("on_time", MAR17)]["evidence"].endswith(
        "AE not in the report (names matching no staff member: Wei(外包), 茶茶)"
    )
    row = got[oid("on_time", MAR03)]
    assert row["ae"] == "li.wei@adagency.cn"
    assert "attendance/teaco-0303.xlsx (matched by meeting_id)" in row["evidence"]
    assert "attendance/teaco-0303.xlsx (row 10 (成员参会概况))" in row["evidence"]


def test_reports_match_by_the_tencent_meeting_number_in_the_description(built):
    ids = dict(built.con.execute("select occurrence_id, online_meeting_id from int_client_meetings").fetchall())
    assert set(ids.values()) == {"987654321"}
    matched = dict(
        built.con.execute(
            "select source_file, any_value(occurrence_id) from int_meeting_attendance_matched group by source_file"
        ).fetchall()
    )
    assert matched == {
        "attendance/teaco-0303.xlsx": MAR03,
        "attendance/teaco-0310.xlsx": MAR10,
        "attendance/teaco-0317.xlsx": MAR17,
    }

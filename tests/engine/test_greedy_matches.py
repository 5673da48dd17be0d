"""One piece of evidence, one candidate, greedily in order: the macro greedy_matches (sql/macros.sql) that
int_meeting_mail_matched, work_order, estimate_first, minutes_confirmed and post_project_review share
(docs/decisions.md, Build mechanics). The old engine had no such macro: each of the five models carried its
own recursive CTE, which joined one step to the next on the queue's key, so a queue whose key is null
(post_project_review: won opportunities without AccountId) stopped after its first step."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenario_tools import build_copy, ingest_scenario, local

from aemetrics.warehouse import SQL_DIR


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
    yield con
    con.close()


def greedy(steps: list[tuple[str, list[str | None]]]) -> list[tuple[str, str | None]]:
    """The rule executed step by step: each piece takes the first of its candidates no earlier piece took."""
    taken: set[str] = set()
    out = []
    for evidence, candidates in steps:
        chosen = next((c for c in candidates if c is not None and c not in taken), None)
        if chosen is not None:
            taken.add(chosen)
        out.append((evidence, chosen))
    return out


def run(con, steps: list[tuple[str, list[str | None]]]) -> list[tuple[str, str | None]]:
    got = con.execute(
        "select greedy_matches(cast(? as struct(evidence_key varchar, candidate_keys varchar[])[]))",
        [[{"evidence_key": e, "candidate_keys": c} for e, c in steps]],
    ).fetchone()[0]
    return [(m["evidence_key"], m["candidate_key"]) for m in got]


def test_each_step_takes_the_first_candidate_not_taken_and_a_blocked_step_takes_nothing(con):
    # e2 wants only a (taken by e1): nothing, and it is not shifted to b; e3 then takes b; e4 has no candidates
    steps = [("e1", ["a", "b"]), ("e2", ["a"]), ("e3", ["a", "b", "c"]), ("e4", [])]
    assert run(con, steps) == [("e1", "a"), ("e2", None), ("e3", "b"), ("e4", None)]


def test_a_null_candidate_is_none(con):
    assert run(con, [("e1", [None, "a"]), ("e2", ["a", None, "b"])]) == [("e1", "a"), ("e2", "b")]


@given(
    st.lists(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), max_size=5, unique=True),
        max_size=12,
    )
)
def test_the_macro_equals_the_step_by_step_greedy(con, candidate_lists):
    steps = [(f"e{i}", cands) for i, cands in enumerate(candidate_lists)]
    assert run(con, steps) == greedy(steps)


def test_review_meetings_serve_projects_without_an_account_in_turn(tmp_path_factory):
    """tests/fixtures/scenarios/review_no_account: two won opportunities without AccountId (closed Wed 3 and
    Thu 4 Dec 2025), each named by its own review meeting (Mon 8, Tue 9 Dec). The old engine's recursive
    walk joined step to step on account_key = account_key, never true for null: the second meeting was
    never reached and 云栖发布会项目 had no review (missed)."""
    db = ingest_scenario("review_no_account", tmp_path_factory)
    built = build_copy(db, datetime.fromisoformat("2025-12-19T20:00:00+08:00"))
    try:
        rows = built.rows(
            "select opening_key, opened_at, due_at, fulfilled_at from int_obligations__post_project_review"
            " order by opening_key"
        )
    finally:
        built.con.close()
    assert rows == [
        {
            "opening_key": "opportunity 006000000000501AAA",
            "opened_at": local(2025, 12, 4),  # 24:00 of the close day (created on another day)
            "due_at": local(2025, 12, 18),  # 24:00 of the 10th working day after 3 Dec: Wed 17 Dec
            "fulfilled_at": local(2025, 12, 8, 10),
        },
        {
            "opening_key": "opportunity 006000000000502AAA",
            "opened_at": local(2025, 12, 5),
            "due_at": local(2025, 12, 19),  # Thu 18 Dec
            "fulfilled_at": local(2025, 12, 9, 10),
        },
    ]

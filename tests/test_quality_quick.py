"""The checks' cost (issue 10): at 1,000 AEs the checks cost as much CPU as the whole build, on
frames of millions of rows. What the old engine did, and these tests catch:
- GX fingerprinted every frame it was given (an md5 over a pandas hash of every value, twice per
  validation) for a batch marker nobody reads: `test_gx_does_not_fingerprint_the_frames` fails;
- every frame held the checked columns' values, Python strings and all, read from DuckDB and
  pickled to the checker: `test_a_passing_suite_is_checked_on_hashes_and_flags` fails.
What must not change is what is stored (`test_a_quick_frame_that_fails_is_checked_on_its_values`)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from aemetrics import checker, quality
from aemetrics.build import build
from aemetrics.config import Settings
from aemetrics.ingest.runner import ingest_exports
from aemetrics.warehouse import open_warehouse

AS_OF = datetime.fromisoformat("2025-10-13T09:00:00+08:00")


@pytest.fixture()
def built(fixtures, tmp_path, monkeypatch):
    """The weekly scenario ingested and built; GX in this process."""
    monkeypatch.setenv(checker.DISABLE, "off")
    exports = tmp_path / "exports"
    shutil.copytree(fixtures / "scenarios" / "weekly", exports)
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    build(con, Settings(), AS_OF)
    yield con
    con.close()


@pytest.fixture()
def frames(monkeypatch):
    """Each frame handed to GX: (table, quick frame or not, frame)."""
    sent: list[tuple[str, bool, object]] = []
    submit = checker.InProcess.submit

    def keeping(self, suite, frame, extra, whole=None, quick_only=False):
        sent.append((suite.table, quick_only, frame))
        return submit(self, suite, frame, extra, whole, quick_only)

    monkeypatch.setattr(checker.InProcess, "submit", keeping)
    return sent


def stored(con) -> list[tuple]:
    return con.execute("select * exclude (run_id, checked_at) from validation_results order by all").fetchall()


def test_gx_does_not_fingerprint_the_frames(built, monkeypatch):
    from great_expectations.execution_engine import pandas_execution_engine

    def fingerprint(df):
        raise AssertionError("GX hashed a frame")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    report = quality.validate(built, "build")
    assert report.checks > 300 and not report.failed
    assert not built.execute("select count(*) from validation_results where observed like 'error%'").fetchone()[0]


def test_a_passing_suite_is_checked_on_hashes_and_flags(built, frames):
    """stg_email__recipients: grain [message_id, address] (hashes), recipient_type in [to, cc]
    ('is accepted'), and the reference flag: no string reaches GX, and nothing is read twice."""
    report = quality.validate(built, "build")
    assert not report.failed and not report.warnings
    ((table, quick, frame),) = [f for f in frames if f[0] == "stg_email__recipients"]
    assert quick and len(frame) == built.execute("select count(*) from stg_email__recipients").fetchone()[0]
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "message_id": "int64",
        "address": "int64",
        "recipient_type": "bool",  # "boolean" (nullable) when a value is null
        "message_id in stg_email__messages.message_id": "bool",
    }
    assert all(quick for _, quick, _ in frames)  # every suite passed on its quick frame


def test_a_quick_frame_that_fails_is_checked_on_its_values(built, frames, monkeypatch):
    """Every hash the same (a collision on every value): each suite's quick pass finds
    duplicates, each suite is validated again on its values, and the stored results are those of
    the quick passes that passed."""
    quality.validate(built, "build")
    passing = stored(built)
    quick_frame = quality.quick_frame

    def colliding(suite, extra, query, types):
        got = quick_frame(suite, extra, query, types)
        return None if got is None else (got[0].replace('(hash("', '(0 * hash("'), got[1])

    monkeypatch.setattr(quality, "quick_frame", colliding)
    frames.clear()
    quality.validate(built, "build")
    assert stored(built) == passing
    again = [t for t, quick, _ in frames if not quick]
    assert "stg_email__recipients" in again and "obligations" in again
    # a real failure: the values, not their hashes, are stored
    built.execute("insert into obligations select * from obligations limit 1")
    report = quality.validate(built, "build")
    ((label,),) = [[f] for f in report.failed if "expect_column_values_to_be_unique(obligation_id)" in f]
    assert "(2 failing rows)" in label and "'" in label.split("[", 1)[1]

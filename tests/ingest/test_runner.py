"""Ingest as a whole: every file loads or is quarantined, nothing doubles, re-runs change nothing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aemetrics.config import Settings
from aemetrics.ingest import runner
from aemetrics.ingest.base import SourceFile
from aemetrics.ingest.runner import ExportsError, classify, ingest_exports
from aemetrics.warehouse import open_warehouse

COUNTS_SQL = """
select 'raw_staff', count(*) from raw_staff union all
select 'raw_email_messages', count(*) from raw_email_messages union all
select 'raw_calendar_events', count(*) from raw_calendar_events union all
select 'raw_calendar_attendees', count(*) from raw_calendar_attendees union all
select 'raw_crm_accounts', count(*) from raw_crm_accounts union all
select 'raw_attendance', count(*) from raw_attendance union all
select 'quarantine', count(*) from quarantine union all
select 'ingest_manifest', count(*) from ingest_manifest
"""


def counts(con) -> dict[str, int]:
    return dict(con.execute(COUNTS_SQL).fetchall())


@pytest.fixture()
def exports(tmp_path, fixtures) -> Path:
    dest = tmp_path / "exports"
    shutil.copytree(fixtures / "exports_small", dest)
    return dest


def test_classify_by_folder():
    assert classify("staff.csv") == "staff"
    assert classify("email/2025/a.mbox") == "email"
    assert classify("Calendar/x.ics") == "calendar"
    assert classify("Mail/inbox.mbox") == "email" and classify("calendars/a.ics") == "calendar"
    assert classify("notes.txt") == "unknown"
    assert classify("misc/a.csv") == "unknown"


def test_small_exports_load_or_quarantine_every_file(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    report = ingest_exports(exports, con, Settings())
    c = counts(con)
    # hand-counted from tests/fixtures/exports_small
    assert c["raw_staff"] == 2
    assert c["raw_email_messages"] == 3  # 2 in the mbox + the same reply again as .eml (deduplicated in staging)
    assert c["raw_calendar_events"] == 3  # COUNT=4 weekly from 18 Sep, 2 Oct excluded
    assert c["raw_calendar_attendees"] == 6
    assert c["raw_crm_accounts"] == 1
    assert c["raw_attendance"] == 2
    assert c["ingest_manifest"] == 8  # every file, loaded or not
    quarantined = dict(con.execute("select source_file, reason from quarantine").fetchall())
    assert set(quarantined) == {"email/random-bytes.eml", "notes for 李伟.txt"}
    assert "not an e-mail" in quarantined["email/random-bytes.eml"]
    assert report.files_parsed == 8 and report.records_quarantined == 2
    # provenance on every row
    assert con.execute(
        "select source_file, record from raw_email_messages order by record, source_file"
    ).fetchall() == [
        ("email/copy-of-r1.eml", "file"),
        ("email/li.wei.mbox", "message 1"),
        ("email/li.wei.mbox", "message 2"),
    ]
    subject, sent = con.execute(
        "select subject, strftime(sent_at, '%Y-%m-%d %H:%M') from raw_email_messages where record = 'message 1'"
    ).fetchone()
    assert subject == "活动方案" and sent == "2025-09-29 02:00"


def test_second_ingest_changes_nothing_and_new_files_load_alone(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    before = counts(con)
    again = ingest_exports(exports, con, Settings())
    assert again.files_parsed == 0 and again.files_unchanged == 8
    assert counts(con) == before

    (exports / "email" / "late.eml").write_text(
        "Message-ID: <late@brandco.com>\nDate: Tue, 30 Sep 2025 09:00:00 +0800\n"
        "From: client@brandco.com\nTo: li.wei@adagency.cn\nSubject: one more\n\nhi\n"
    )
    third = ingest_exports(exports, con, Settings())
    assert third.files_parsed == 1
    after = counts(con)
    assert after["raw_email_messages"] == before["raw_email_messages"] + 1
    assert after["ingest_manifest"] == before["ingest_manifest"] + 1


def test_changed_file_replaces_its_rows_and_prune_forgets_removed(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    staff = exports / "staff.csv"
    staff.write_text(staff.read_text() + "wang.fang@adagency.cn,Wang Fang,ae,North,zhang.min@adagency.cn\n")
    report = ingest_exports(exports, con, Settings())
    assert report.files_changed == 1
    assert con.execute("select count(*) from raw_staff").fetchone()[0] == 3

    (exports / "email" / "random-bytes.eml").unlink()
    ingest_exports(exports, con, Settings())  # without --prune the rows stay
    assert (
        con.execute("select count(*) from quarantine where source_file = 'email/random-bytes.eml'").fetchone()[0] == 1
    )
    pruned = ingest_exports(exports, con, Settings(), prune_missing=True)
    assert pruned.files_missing == 1
    assert (
        con.execute("select count(*) from quarantine where source_file = 'email/random-bytes.eml'").fetchone()[0] == 0
    )
    assert con.execute("select count(*) from ingest_manifest").fetchone()[0] == 7


def test_missing_exports_folder_is_an_error(tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(ExportsError, match="not found"):
        ingest_exports(tmp_path / "nope", con, Settings())


UNGUARDED = """\
from pathlib import Path
from aemetrics.config import Settings
from aemetrics.ingest import runner
from aemetrics.warehouse import open_warehouse
runner.POOL_BYTES = 0  # the pool even for this small folder
print("script ran", flush=True)
con = open_warehouse(Path({db!r}))
report = runner.ingest_exports(Path({exports!r}), con, Settings(parse_workers=2, parse_batch_size=1))
print("manifest", con.execute("select count(*) from ingest_manifest").fetchone()[0])
"""


@pytest.mark.parametrize("how", ["path", "module"])
def test_a_script_without_a_main_guard_runs_once(exports, tmp_path, how):
    """The parse pool's forkserver workers re-imported the caller's __main__ (by path, or by name
    with `python -m`): a script calling ingest_exports without `if __name__ == "__main__":` ran
    again in every worker (printing its marker three times; the second run tried to start a pool
    of its own, or to open the locked warehouse, and the pool broke). The workers now start with
    __main__ hidden: the script runs once and every file loads through the pool."""
    script = tmp_path / "unguarded_ingest.py"
    script.write_text(UNGUARDED.format(db=str(tmp_path / "w.duckdb"), exports=str(exports)), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]  # this checkout's aemetrics, as pytest imports it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(tmp_path)])}
    cmd = [sys.executable, str(script)] if how == "path" else [sys.executable, "-m", "unguarded_ingest"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.stdout.count("script ran") == 1, done.stdout + done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("manifest")[-1].strip() == "8"  # every file of exports_small, as parsed in turn


def test_batches_count_a_calendar_byte_as_eight(tmp_path, monkeypatch):
    """Batches are cut by parse cost: an .ics byte costs about eight mbox bytes (icalendar). The
    old engine cut by bytes, so the 100 calendars of 100 AEs (3 % of the bytes) shared the first
    batch with the CRM and seven mailboxes: 3.6 s of a core against 1.2 s for every other batch.
    Here 4 calendars of 100 bytes (cost 800 each) and 4 mailboxes of 600: by bytes they made
    [4 calendars + 1 mailbox], [2 mailboxes], [1 mailbox]."""
    monkeypatch.setattr(runner, "BATCH_BYTES", 1000)
    files = []
    for i, (kind, n) in enumerate([("calendar", 100)] * 4 + [("email", 600)] * 4):
        p = tmp_path / f"f{i}.{'ics' if kind == 'calendar' else 'mbox'}"
        p.write_bytes(b"x" * n)
        files.append(SourceFile(path=p, rel=f"{kind}/{p.name}", kind=kind))
    got = [[f.path.name for f in b] for b in runner.batches(files, 200)]
    assert got == [["f0.ics", "f1.ics"], ["f2.ics", "f3.ics"], ["f4.mbox", "f5.mbox"], ["f6.mbox", "f7.mbox"]]


def test_batches_load_while_the_next_are_parsed_and_a_failed_parse_loads_nothing(exports, tmp_path):
    """The old engine loaded every shard after the last batch was parsed (the load, ≈ 1 s at
    100 AEs, came after the parse with one core idle); each batch now loads as soon as it is
    parsed, in one transaction: when the second batch is asked for, the first one's rows are in.
    A parse that fails later rolls the whole ingest back."""
    con = open_warehouse(tmp_path / "w.duckdb")
    seen: list[int] = []

    def parse_watching(file_batches, settings, hashes, shard_dir):
        for i, result in enumerate(runner.parse_in_turn(file_batches, settings, hashes, shard_dir)):
            if i == 2:  # one file a batch: attendance/zoom/..., then calendar/li.wei.ics
                seen.extend(con.execute("select count(*) from raw_attendance").fetchone())
                seen.extend(con.execute("select count(*) from raw_calendar_events").fetchone())
                seen.extend(con.execute("select count(*) from ingest_manifest").fetchone())
            yield result

    ingest_exports(exports, con, Settings(parse_batch_size=1), parse_batches=parse_watching)
    assert seen == [2, 3, 0]  # the manifest goes in last, with the commit
    assert counts(con)["ingest_manifest"] == 8

    con2 = open_warehouse(tmp_path / "w2.duckdb")
    loaded: list[int] = []

    def parse_failing(file_batches, settings, hashes, shard_dir):
        for i, result in enumerate(runner.parse_in_turn(file_batches, settings, hashes, shard_dir)):
            if i == 1:  # the first batch is in, uncommitted
                loaded.extend(con2.execute("select count(*) from raw_attendance").fetchone())
                raise OSError("disk full")
            yield result

    with pytest.raises(OSError, match="disk full"):
        ingest_exports(exports, con2, Settings(parse_batch_size=1), parse_batches=parse_failing)
    assert loaded == [2] and sum(counts(con2).values()) == 0


def test_new_files_are_hashed_by_the_worker_that_parses_them(exports, tmp_path):
    """The old engine hashed every file before the first batch was parsed (1.2 GB of exports: seconds
    of this process with the workers idle); now `plan` hashes only the files loaded before (to tell
    unchanged from changed), and a new file is hashed where it is parsed. The manifest is the same."""
    import hashlib

    con = open_warehouse(tmp_path / "w.duckdb")
    files = runner.discover(exports)
    first = runner.plan(files, con)
    assert first.hashes == {} and first.to_parse == files
    ingest_exports(exports, con, Settings())
    manifest = dict(con.execute("select source_file, sha256 || ' ' || size_bytes from ingest_manifest").fetchall())
    assert manifest == {
        f.rel: f"{hashlib.sha256(f.path.read_bytes()).hexdigest()} {f.path.stat().st_size}" for f in files
    }
    (exports / "staff.csv").write_text((exports / "staff.csv").read_text() + "\n", encoding="utf-8")
    again = runner.plan(runner.discover(exports), con)
    assert set(again.hashes) == set(manifest) and again.changed == ["staff.csv"]


def test_mail_rows_go_from_json_to_the_shard_in_order_whichever_path(exports, tmp_path, monkeypatch):
    """The old engine inserted the e-mail rows' JSON into the batch's in-memory table, then wrote
    the table as Parquet; now each flush's JSON file goes straight into the Parquet shard (a fifth
    of an e-mail batch's CPU saved). A flush orjson cannot write takes insert_rows, with the JSON
    parts before it inserted first: the shard holds the same rows, in file order, either way."""
    import duckdb

    monkeypatch.setattr(runner, "FLUSH_ROWS", 1)  # one flush per file
    files = [f for f in runner.discover(exports) if f.kind == "email"]
    assert len(files) == 3  # random-bytes.eml has no row: two flushes

    def shard_rows(folder: Path) -> list[tuple]:
        folder.mkdir()
        batch = runner.parse_to_shards(files, Settings(), {}, str(folder), "b")
        path = batch.shards["raw_email_messages"]
        return duckdb.execute("select * from read_parquet(?)", [path]).fetchall()

    straight = shard_rows(tmp_path / "straight")
    assert [(r[20], r[21]) for r in straight] == [  # source_file, record
        ("email/copy-of-r1.eml", "file"),
        ("email/li.wei.mbox", "message 1"),
        ("email/li.wei.mbox", "message 2"),
    ]
    calls = []
    real = runner._json_file

    def second_refused(*args):
        calls.append(1)
        return None if len(calls) == 2 else real(*args)

    monkeypatch.setattr(runner, "_json_file", second_refused)
    assert shard_rows(tmp_path / "mixed") == straight and len(calls) == 2  # the mbox's rows refused

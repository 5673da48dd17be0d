"""A run works on a copy and swaps at the end; a second run waits or stops with a message."""

import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from aemetrics.atomic import WarehouseBusy, recover_site, staged_site, staged_warehouse, warehouse_lock


def make_db(path, n):
    con = duckdb.connect(str(path))
    con.execute("create table t as select range as i from range(?)", [n])
    con.close()


def rows(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from t").fetchone()[0]
    finally:
        con.close()


def test_failed_run_leaves_the_warehouse_untouched(tmp_path):
    db = tmp_path / "w.duckdb"
    make_db(db, 5)
    with pytest.raises(RuntimeError, match="boom"):
        with staged_warehouse(db) as work:
            con = duckdb.connect(str(work))
            con.execute("delete from t")
            con.close()
            raise RuntimeError("boom")
    assert rows(db) == 5
    assert not (tmp_path / "w.duckdb.staging").exists()


def test_finished_run_swaps_in_its_copy(tmp_path):
    db = tmp_path / "w.duckdb"
    make_db(db, 5)
    with staged_warehouse(db) as work:
        con = duckdb.connect(str(work))
        con.execute("insert into t values (99)")
        con.close()
        assert rows(db) == 5  # readers see the old warehouse until the swap
    assert rows(db) == 6


def test_second_holder_is_refused_with_the_holder_named(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import time
            from aemetrics.atomic import warehouse_lock
            with warehouse_lock(__import__('pathlib').Path({str(db)!r})):
                print('locked', flush=True)
                time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match=f"pid {holder.pid}"):
            with warehouse_lock(db, wait_seconds=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()
    started = time.monotonic()
    with warehouse_lock(db, wait_seconds=5):  # released when its holder died
        assert time.monotonic() - started < 2


def test_site_swap_and_recovery(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_site(site) as staging:
            (staging / "index.html").write_text("half")
            raise RuntimeError("killed")
    assert (site / "index.html").read_text() == "old"
    with staged_site(site) as staging:
        (staging / "index.html").write_text("new")
    assert (site / "index.html").read_text() == "new"
    # a kill between the two renames of a swap leaves only site.previous: the next run restores it
    site.rename(tmp_path / "site.previous")
    recover_site(site)
    assert (site / "index.html").read_text() == "new"

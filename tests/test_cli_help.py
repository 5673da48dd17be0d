"""The command line explains itself (issue 13): every option described with its default, every
subcommand named in the description, --version; a busy warehouse and a missing Prefect server are
one clear line each. Before: options such as run --exports had no help, `aemetrics --version` was
an error, and `serve` without a server printed a note and then polled forever."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import pytest

from aemetrics import __version__
from aemetrics.cli import build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_is_described_with_its_default():
    parser = build_parser()
    subs = _subparsers(parser)
    assert set(subs) == {"ingest", "run", "serve", "demo"}
    for name in subs:
        assert f"  {name} " in parser.description, name
    for name, sub in subs.items():
        assert sub.description, name
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"{name} {action.option_strings}"
            if action.required:
                assert "required" in action.help, f"{name} {action.option_strings}"
            else:
                assert "default" in action.help, f"{name} {action.option_strings}: {action.help}"
            if action.default not in (None, False):
                assert str(action.default) in action.help or action.default == 0.0, action.help


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"aemetrics {__version__}"


def test_help_lists_subcommands_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("ingest", "run", "serve", "demo", "Exit codes", "3 another run holds the warehouse"):
        assert word in out


def test_busy_warehouse_is_one_line_exit_3_before_prefect(fixtures, tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib\nfrom aemetrics.atomic import warehouse_lock\n"
            f"with warehouse_lock(pathlib.Path({str(db)!r})):\n    print('held', flush=True)\n    time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "aemetrics.cli", "run", "--exports", str(fixtures / "scenarios" / "weekly")]
            + ["--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("aemetrics: busy: ") and f"pid {holder.pid}" in lines[0]
    assert "Traceback" not in done.stderr and "prefect" not in done.stderr.lower()
    assert elapsed < 20  # no Prefect server started


def test_serve_without_a_prefect_server_exits_2_with_the_how_to(fixtures, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_PROFILES_PATH"] = str(tmp_path / "profiles.toml")  # no profile sets an API URL
    exports = str(fixtures / "scenarios" / "weekly")
    for url in (None, "http://127.0.0.1:9/api"):  # none configured; configured but nobody answers
        if url:
            env["PREFECT_API_URL"] = url
        done = subprocess.run(
            [sys.executable, "-m", "aemetrics.cli", "serve", "--exports", exports, "--db", str(tmp_path / "w.db")],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 2, done.stderr[-2000:]
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("aemetrics: error: "), done.stderr
        assert "prefect server start" in lines[0] and "PREFECT_API_URL=http://127.0.0.1:4200/api" in lines[0]


def test_run_passes_the_audience_to_the_weekly_flow(fixtures, tmp_path, monkeypatch):
    """`aemetrics run --audience ae` reaches the flow, which sets site_audience over the config file's."""
    import aemetrics.flows

    seen = {}

    class Summary:
        blocked = False

        def lines(self):
            return ["ingest: fake"]

    def fake_flow(*args, **kwargs):
        seen.update(kwargs)
        return Summary()

    monkeypatch.setattr(aemetrics.flows, "weekly_flow", fake_flow)
    exports = str(fixtures / "scenarios" / "weekly")
    db = str(tmp_path / "w.duckdb")
    assert main(["run", "--exports", exports, "--db", db, "--audience", "ae", "--prefect"]) == 0
    assert seen["audience"] == "ae"
    assert main(["run", "--exports", exports, "--db", db, "--prefect"]) == 0
    assert seen["audience"] is None  # the site_audience setting decides (default management)

    # without a Prefect API the same policy runs in the process, with the audience in its settings
    import aemetrics.pipeline

    def fake_run(exports, db, settings, as_of, **kwargs):
        seen["site_audience"] = settings.site_audience
        return Summary()

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(aemetrics.pipeline, "run_weekly", fake_run)
    assert main(["run", "--exports", exports, "--db", db, "--audience", "ae"]) == 0
    assert seen["site_audience"] == "ae"
    with pytest.raises(SystemExit):
        main(["run", "--exports", exports, "--db", str(tmp_path / "w.duckdb"), "--audience", "everyone"])

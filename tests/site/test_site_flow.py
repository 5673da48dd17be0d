"""aemetrics/flows.py: the publish task runs publish_site with settings read from a config file."""

from __future__ import annotations

import pandas as pd

from aemetrics.flows import publish_task


def test_publish_task_reads_config_and_language(fixture_db, tmp_path):
    config = tmp_path / "aemetrics.toml"
    config.write_text('business_timezone = "Asia/Shanghai"\n', encoding="utf-8")
    report = publish_task.fn(str(fixture_db), str(tmp_path / "site"), str(config), "en")
    assert (tmp_path / "site" / "index.html").is_file()
    # index, equal treatment, obligations, 4 scorecards, 4 client pages, 12 earlier weeks (W29–W40)
    assert len(report.pages) == 23
    assert len([p for p in report.pages if p.parent.name == "weeks"]) == 12
    assert '<html lang="en">' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    df = pd.read_csv(tmp_path / "site" / "index-standards.csv", encoding="utf-8-sig")
    assert df["target"].unique().tolist() == [0.95]

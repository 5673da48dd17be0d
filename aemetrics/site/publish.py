"""Publish the static site: index.html, one scorecard per AE, equal-treatment.html, CSVs.

The site works offline: one site.css and one plotly.min.js at its root, every page links
them relatively (pages under ae/ use ../). Pages are rewritten on each run; files of AEs
that no longer exist are removed so the site never shows stale people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from plotly.offline import get_plotlyjs

from aemetrics.api import Warehouse, connect
from aemetrics.site import pages
from aemetrics.site.html import CSS
from aemetrics.site.labels import Labels
from aemetrics.site.metrics import Options

PLOTLY_JS = "plotly.min.js"
MAX_PAGE_BYTES = 1_000_000


@dataclass
class SiteReport:
    out_dir: Path
    week: str  # the ISO week under review, e.g. '2025-W41 (10-06–10-12)'
    pages: list[Path] = field(default_factory=list)
    csv_files: list[Path] = field(default_factory=list)
    page_bytes: dict[str, int] = field(default_factory=dict)  # page (relative) -> size without plotly.min.js
    removed: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        biggest = max(self.page_bytes.values(), default=0)
        return (
            f"site in {self.out_dir}: {len(self.pages)} pages, {len(self.csv_files)} CSV files, week {self.week}, "
            f"largest page {biggest / 1024:.0f} KiB"
        )


def publish_site(
    con_or_db_path: str | Path | duckdb.DuckDBPyConnection | Warehouse,
    out_dir: Path,
    settings: Any = None,
    lang: str | None = None,
) -> SiteReport:
    """Write the site for the warehouse's latest complete ISO week into out_dir.

    lang: 'zh', 'en' or 'zh-en' (bilingual); default: the `site_language` setting.
    """
    site_language: str = getattr(settings, "site_language", "zh-en")
    labels = Labels(lang or site_language)  # validates before anything is written
    opts = Options.from_settings(settings)
    out_dir = Path(out_dir)
    wh = connect(con_or_db_path)
    try:
        data = pages.SiteData.load(wh)
    finally:
        if not isinstance(con_or_db_path, Warehouse):
            wh.close()

    built = [pages.index_page(data, labels, opts), pages.equal_treatment_page(data, labels, opts)]
    built += [pages.ae_page(data, ae, labels, opts) for ae in data.aes["ae"]]

    report = SiteReport(out_dir=out_dir, week=data.weeks.label())
    (out_dir / "ae").mkdir(parents=True, exist_ok=True)
    _write_once(out_dir / PLOTLY_JS, get_plotlyjs())
    (out_dir / "site.css").write_text(CSS.lstrip(), encoding="utf-8")
    written: set[Path] = set()
    for p in built:
        path = out_dir / p.path
        path.write_text(p.html, encoding="utf-8")
        report.pages.append(path)
        report.page_bytes[p.path] = len(p.html.encode("utf-8"))
        written.add(path)
        for rel, frame in p.csvs.items():
            csv = out_dir / rel
            _write_csv(frame, csv)
            report.csv_files.append(csv)
            written.add(csv)
    for old in sorted((out_dir / "ae").glob("*")):  # scorecards of people no longer in the data
        if old.is_file() and old not in written:
            old.unlink()
            report.removed.append(old)
    too_big = {k: v for k, v in report.page_bytes.items() if v > MAX_PAGE_BYTES}
    if too_big:
        raise RuntimeError(f"pages over {MAX_PAGE_BYTES} bytes (without plotly.min.js): {too_big}")
    return report


def _write_once(path: Path, content: str) -> None:
    """plotly.min.js is 4.8 MB: rewrite it only when the installed Plotly changed it."""
    if path.is_file() and path.read_text(encoding="utf-8") == content:
        return
    path.write_text(content, encoding="utf-8")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # utf-8 with BOM: Excel (what managers open CSVs with) then reads Chinese names correctly
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")

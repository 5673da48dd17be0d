"""Publish the static site: index.html, one scorecard per AE, equal-treatment.html, a review page per
evaluated week, a page per client, the obligations page (drill-down) and its data files, CSVs.

The site works offline: one site.css, site.js and plotly.min.js at its root, every page links
them relatively (pages in sub-folders use ../). Pages are rewritten on each run; files of AEs,
clients and weeks that no longer exist are removed so the site never shows stale people.
`site_audience = "ae"` writes one self-contained folder per AE instead (aemetrics/site/audience.py).
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from plotly.offline import get_plotlyjs

from aemetrics.api import Warehouse, connect
from aemetrics.site import audience, csv_text, drill, pages
from aemetrics.site.html import CSS
from aemetrics.site.labels import Labels
from aemetrics.site.metrics import Options
from aemetrics.site.static import SITE_JS

PLOTLY_JS = "plotly.min.js"
MAX_PAGE_BYTES = 1_000_000
SUB_FOLDERS = ("ae", "clients", "weeks", "data")


@dataclass
class SiteReport:
    out_dir: Path
    week: str  # the ISO week under review, e.g. '2025-W41 (10-06–10-12)'
    pages: list[Path] = field(default_factory=list)
    csv_files: list[Path] = field(default_factory=list)
    page_bytes: dict[str, int] = field(default_factory=dict)  # page (relative) -> size without plotly.min.js
    removed: list[Path] = field(default_factory=list)
    data_files: list[Path] = field(default_factory=list)  # data/obl-<week>.js: the obligations page's rows
    kept: int = 0  # files whose bytes did not change: not rewritten (aemetrics.pipeline)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        biggest = max(self.page_bytes.values(), default=0)
        return (
            f"site in {self.out_dir}: {len(self.pages)} pages, {len(self.csv_files)} CSV files, week {self.week}, "
            f"largest page {biggest / 1024:.0f} KiB"
        ) + (f"; {self.kept} files unchanged, not rewritten" if self.kept else "")


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
    who = getattr(settings, "site_audience", "management")
    if who not in audience.AUDIENCES:
        raise ValueError(f"audience {who!r}: expected one of {', '.join(audience.AUDIENCES)}")
    out_dir = Path(out_dir)
    wh = connect(con_or_db_path)
    try:  # open while the pages are written: older weeks' obligations are read one week at a time
        return _publish(wh, out_dir, settings, labels, opts, who)
    finally:
        if not isinstance(con_or_db_path, Warehouse):
            wh.close()


def _publish(wh: Warehouse, out_dir: Path, settings: Any, labels: Labels, opts: Options, who: str) -> SiteReport:
    data = pages.SiteData.load(
        wh,
        store_bodies=bool(getattr(settings, "store_bodies", False)),
        drill_weeks=_drill_weeks(settings, who),
    )
    if not getattr(settings, "show_subjects", True):
        data = audience.hide_subjects(data, labels)

    report = SiteReport(out_dir=out_dir, week=data.weeks.label())
    if who == "ae":
        _write_ae_folders(data, out_dir, labels, opts, report)
    else:
        # pages are made one at a time as they are written: at 1,000 AEs and 4,000 clients the
        # whole site's HTML and CSV frames never sit in memory together
        built = itertools.chain(
            [pages.index_page(data, labels, opts), pages.equal_treatment_page(data, labels, opts)],
            pages.ae_pages(data, labels, opts),
            (  # every evaluated week keeps its review page: no re-run needed to look back
                pages.index_page(data.for_week(monday), labels, opts, pages.week_page(monday))
                for monday in data.eval_weeks
                if monday != data.weeks.this
            ),
            pages.client_pages(data, labels, opts),
        )
        order = data.facts.order if data.facts is not None else drill.ae_order(data.aes, None)
        # drill-down data files only for the last site_drill_weeks weeks; older weeks: a CSV each
        drill_weeks = _drill_weeks(settings, who)
        since = drill.window_start(data.running or data.weeks.this + timedelta(days=7), drill_weeks)
        recent = drill.split_window(data.recent_obl, since)[0]
        data_files, shards = drill.week_data_files(recent, data.refs, data.raw, order)
        built = itertools.chain(built, [pages.obligations_page(data, labels, shards, order, drill_weeks)])
        written = _write_pages(out_dir, built, report, data_files=data_files)
        for sub in SUB_FOLDERS:  # pages of people, clients and weeks no longer in the data
            for old in sorted((out_dir / sub).glob("*")):
                if old.is_file() and old not in written:
                    old.unlink()
                    report.removed.append(old)
    too_big = {k: v for k, v in report.page_bytes.items() if v > MAX_PAGE_BYTES}
    if too_big:
        raise RuntimeError(f"pages over {MAX_PAGE_BYTES} bytes (without plotly.min.js): {too_big}")
    return report


def _drill_weeks(settings: Any, who: str) -> int:
    """site_drill_weeks: weeks with drill-down data files (0: every week); the AE folders have none."""
    return int(getattr(settings, "site_drill_weeks", drill.DRILL_WEEKS)) if who != "ae" else 0


def _write_pages(
    out_dir: Path,
    built: Iterable,
    report: SiteReport,
    prefix: str = "",
    standalone: bool = False,
    data_files: Mapping[str, str] | None = None,
) -> set[Path]:
    """One site's pages, CSVs, data files, site.css, site.js and plotly.min.js under out_dir (page paths
    relative to it); returns every file written."""
    for sub in SUB_FOLDERS:
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    _write_once(out_dir / PLOTLY_JS, get_plotlyjs())
    (out_dir / "site.css").write_text(CSS.lstrip(), encoding="utf-8")
    (out_dir / "site.js").write_text(SITE_JS.lstrip(), encoding="utf-8")
    written: set[Path] = set()
    for rel, content in (data_files or {}).items():
        path = out_dir / rel
        path.write_text(content, encoding="utf-8")
        report.data_files.append(path)
        written.add(path)
    for p in built:
        path = out_dir / p.path
        html = audience.standalone_nav(p.html) if standalone else p.html
        path.write_text(html, encoding="utf-8")
        report.pages.append(path)
        report.page_bytes[prefix + p.path] = len(html.encode("utf-8"))
        written.add(path)
        for rel, frame in p.csvs.items():
            csv = out_dir / rel
            _write_csv(frame, csv)
            report.csv_files.append(csv)
            written.add(csv)
    return written


def _write_ae_folders(data: pages.SiteData, out_dir: Path, labels: Labels, opts: Options, report: SiteReport) -> None:
    """--audience ae: out_dir/<slug>/ per AE, self-contained (its own site.css, site.js and plotly.min.js),
    holding the AE's scorecard (ae/<slug>.html, opened by the folder's index.html) written from their data only."""
    for ae in data.aes["ae"]:
        slug = data.slugs[ae]
        own = audience.for_ae(data, ae)
        page = pages.ae_page(own, ae, labels, opts)
        folder = out_dir / slug
        _write_pages(folder, [page], report, prefix=f"{slug}/", standalone=True)
        index = folder / "index.html"
        index.write_text(audience.redirect_page(page.path, labels.text("scorecard")), encoding="utf-8")
        report.pages.append(index)


def _write_once(path: Path, content: str) -> None:
    """plotly.min.js is 4.8 MB: rewrite it only when the installed Plotly changed it."""
    if path.is_file() and path.read_text(encoding="utf-8") == content:
        return
    path.write_text(content, encoding="utf-8")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # utf-8 with BOM: Excel (what managers open CSVs with) then reads Chinese names correctly;
    # a subject or name starting with = + - @ is text, not a formula (CSV injection)
    # (csv_text: the bytes of neutralise_formulas(frame).to_csv(...), made column-wise)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codecs.BOM_UTF8 + csv_text.to_csv_text(frame).encode("utf-8"))

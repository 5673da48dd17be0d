"""The published site in a real browser: headless Chromium loads index.html and a scorecard
from file://, offline, and must draw at least 3 Plotly charts without a single script error.

A probe copy of each page (same folder, so relative links work) gets a first <script> that
records window errors and console.error calls, and after load writes them, with the number of
charts Plotly actually drew (a .js-plotly-plot holding an svg.main-svg), into attributes of
<html>; `--dump-dom` returns that DOM. Skipped when no Chromium is installed
(Debian: apt-get install chromium).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push("error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("rejection: " + e.reason); });
(function () { var orig = console.error; console.error = function () {
  window.__errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); orig.apply(console, arguments); }; })();
window.addEventListener("load", function () { setTimeout(function () {
  var drawn = Array.prototype.filter.call(document.querySelectorAll(".js-plotly-plot"),
                                          function (d) { return d.querySelector("svg.main-svg"); }).length;
  document.documentElement.setAttribute("data-charts", String(drawn));
  document.documentElement.setAttribute("data-errors", JSON.stringify(window.__errors));
}, 1500); });
</script>"""


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium found: install it (Debian: apt-get install -y chromium) to run the browser test")


def _flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        "--virtual-time-budget=8000",
    ]


def _demo_warehouse(cache: Path) -> Path:
    """The warehouse of the demo agency (ingest + SQL build), cached."""
    spec = importlib.util.spec_from_file_location("site_fixture_warehouse", ROOT / "tests" / "site" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_demo_warehouse(cache)


def _build_site(out: Path, cache: Path, settings=None) -> Path:
    """The site of the demo agency."""
    from aemetrics.site import publish_site

    publish_site(_demo_warehouse(cache), out, settings)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return _build_site(tmp_path_factory.mktemp("browser") / "site", tmp_path_factory.getbasetemp() / "aemetrics-demo")


def _scorecard(site: Path) -> str:
    """The scorecard of the AE at the top of the league table."""
    league = (site / "index-league.csv").read_text(encoding="utf-8-sig").splitlines()
    ae = league[1].split(",")[1]
    return (
        next(p for p in sorted((site / "ae").glob("*.html")) if p.stem == ae.split("@")[0]).relative_to(site).as_posix()
    )


def _probe(browser: str, page: Path, profile: Path) -> tuple[int, list[str], str]:
    probe = page.with_name(page.stem + ".probe.html")
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    proc = subprocess.run(
        [browser, *_flags(profile), "--enable-logging=stderr", "--v=0", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = proc.stdout
    charts = re.search(r'data-charts="(\d+)"', dom)
    errors = re.search(r'data-errors="([^"]*)"', dom)
    assert charts and errors, f"probe did not report (exit {proc.returncode}): {proc.stderr[-2000:]}"
    found = json.loads(errors.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    uncaught = [line for line in proc.stderr.splitlines() if "Uncaught" in line]
    return int(charts.group(1)), found + uncaught, dom


@pytest.mark.parametrize("page", ["index.html", "scorecard", "equal-treatment.html"])
def test_page_draws_charts_without_script_errors(site, page, tmp_path):
    browser = _browser()
    page = _scorecard(site) if page == "scorecard" else page
    charts, errors, dom = _probe(browser, site / page, tmp_path / "profile")
    assert errors == []
    assert charts >= (3 if page != "equal-treatment.html" else 1), f"{page}: only {charts} charts drawn"
    assert "Plotly is not defined" not in dom


def test_screenshots(site, tmp_path):
    """Screenshots for a person to look at (paths printed; kept in the pytest temp folder)."""
    browser = _browser()
    for page, name in (
        ("index.html", "index.png"),
        (_scorecard(site), "ae.png"),
        ("equal-treatment.html", "equal-treatment.png"),
    ):
        shot = tmp_path / name
        subprocess.run(
            [
                browser,
                *_flags(tmp_path / "profile"),
                "--window-size=1400,3000",
                f"--screenshot={shot}",
                (site / page).as_uri(),
            ],
            capture_output=True,
            timeout=120,
        )
        assert shot.is_file() and shot.stat().st_size > 50_000, f"no screenshot of {page}"
        print(f"screenshot of {page}: {shot}")


LAYOUT_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var de = document.documentElement, out = {};
  out.scrollWidth = de.scrollWidth; out.innerWidth = window.innerWidth;
  var bar = document.querySelector(".topbar"), h1 = document.querySelector("h1");
  out.headerBottom = bar ? bar.getBoundingClientRect().bottom : 0;
  out.titleTop = h1 ? h1.getBoundingClientRect().top : 0;
  out.headerPosition = bar ? getComputedStyle(bar).position : "";
  out.widestChart = Math.max.apply(null, [0].concat(Array.prototype.map.call(
    document.querySelectorAll(".js-plotly-plot"), function (d) { return d.getBoundingClientRect().width; })));
  var hidden = 0, rows = 0, clipped = 0;
  Array.prototype.forEach.call(document.querySelectorAll("table tbody tr"), function (tr) {
    rows++; if (!tr.offsetHeight) hidden++; });
  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (w) {
    if (w.scrollHeight > w.clientHeight + 2) clipped++; });
  out.rows = rows; out.hiddenRows = hidden; out.clippedTables = clipped;
  out.chartsAvoidBreak = Array.prototype.every.call(document.querySelectorAll(".chart"), function (c) {
    return getComputedStyle(c).breakInside === "avoid" || getComputedStyle(c).pageBreakInside === "avoid"; });
  var t = document.getElementById("obl-table");
  out.oblRows = t ? t.tBodies[0].rows.length : -1;
  out.kv = document.querySelectorAll("table.kv").length;
  var outside = document.getElementById("obl-outside"), csv = outside && outside.querySelector("a.csv");
  out.outside = outside ? outside.textContent : ""; out.outsideCsv = csv ? csv.getAttribute("href") : "";
  out.dataFiles = document.querySelectorAll("script[src^='data/']").length;
  var obl = document.getElementById("obl"); out.oblText = obl ? obl.textContent.slice(0, 400) : "";
  out.sortable = document.querySelectorAll("th.sortable").length;
  out.search = document.querySelectorAll(".table-tools input[type=search]").length;
  de.setAttribute("data-layout", JSON.stringify(out));
  if (window.parent !== window) window.parent.postMessage(JSON.stringify(out), "*");
}, 2500); });
</script>"""


def _layout(browser: str, site: Path, page: str, width: int, profile: Path, print_css: bool = False, hash_: str = ""):
    """Load a probe copy of `page` at `width` px and return what LAYOUT_PROBE measured. print_css:
    the page with site.css's @media print rules applied to the screen (print emulation)."""
    src = site / page
    probe = src.with_name(src.stem + f".layout{width}{'p' if print_css else ''}.html")
    html = src.read_text(encoding="utf-8").replace("<head>", "<head>\n" + LAYOUT_PROBE, 1)
    if print_css:
        css = (site / "site.css").read_text(encoding="utf-8").replace("@media print", "@media all")
        (site / "site.print.css").write_text(css, encoding="utf-8")
        html = html.replace('site.css"', 'site.print.css"')
    probe.write_text(html, encoding="utf-8")
    target = probe.as_uri() + hash_
    if width < 500:  # headless Chromium's window is at least 500 px wide: a phone is a 390 px iframe
        harness = probe.with_name(probe.stem + ".phone.html")
        harness.write_text(
            f'<!doctype html><html><body style="margin:0"><iframe src="{probe.name}{hash_}" width="{width}" '
            'height="1200" style="border:0"></iframe><script>window.addEventListener("message", function (e) '
            '{ document.documentElement.setAttribute("data-layout", e.data); });</script></body></html>',
            encoding="utf-8",
        )
        target = harness.as_uri()
    proc = subprocess.run(
        [browser, *_flags(profile), "--window-size=1000,1200", "--dump-dom", target]
        if width < 500
        else [browser, *_flags(profile), f"--window-size={width},1200", "--dump-dom", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'data-layout="([^"]*)"', proc.stdout)
    assert found, f"layout probe did not report (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.parametrize("page", ["index.html", "scorecard", "equal-treatment.html"])
def test_phone_width_no_horizontal_scroll_and_title_visible(site, page, tmp_path):
    """At 390 px the old header (fixed 52 px, nav wrapping) covered the title and charts forced 684 px."""
    browser = _browser()
    page = _scorecard(site) if page == "scorecard" else page
    got = _layout(browser, site, page, 390, tmp_path / "profile")
    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["headerPosition"] != "sticky" and got["titleTop"] >= got["headerBottom"] - 1, got
    assert got["widestChart"] <= 390, got


@pytest.mark.parametrize("page", ["index.html", "scorecard"])
def test_wide_screen_tables_sortable_and_searchable(site, page, tmp_path):
    browser = _browser()
    page = _scorecard(site) if page == "scorecard" else page
    got = _layout(browser, site, page, 1400, tmp_path / "profile")
    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["sortable"] > 10 and got["search"] >= 2, got


@pytest.mark.parametrize("page", ["index.html", "scorecard", "equal-treatment.html"])
def test_print_gives_every_row_and_keeps_charts_whole(site, page, tmp_path):
    """On paper the old tables were cut at their 560 px scroll box and charts could split across pages."""
    browser = _browser()
    page = _scorecard(site) if page == "scorecard" else page
    got = _layout(browser, site, page, 1000, tmp_path / "profile", print_css=True)
    assert got["rows"] > 0 and got["hiddenRows"] == 0 and got["clippedTables"] == 0, got
    assert got["chartsAvoidBreak"], got
    pdf = tmp_path / "page.pdf"
    subprocess.run(
        [
            browser,
            *_flags(tmp_path / "profile2"),
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            (site / page).as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert pdf.is_file() and pdf.stat().st_size > 10_000


def test_obligations_page_lists_the_rows_behind_a_figure_and_opens_evidence(site, tmp_path):
    """From the standards row of the week to its obligations, then one obligation with its export rows."""
    browser = _browser()
    std = (site / "index-standards.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0]
    index = (site / "index.html").read_text(encoding="utf-8")
    week = re.search(r"obligations\.html#week=(\d{4}-\d\d-\d\d)&amp;standard=" + std, index).group(1)
    data = (site / "data" / f"obl-{week}-{std}.js").read_text(encoding="utf-8")
    rows = json.loads(data.strip()[len("AEM_OBL(") : -2])[0]
    got = _layout(browser, site, "obligations.html", 1400, tmp_path / "p1", hash_=f"#week={week}&standard={std}")
    assert got["oblRows"] == min(len(rows), 200), got
    with_refs = next(r for r in rows if r[-1])
    got = _layout(browser, site, "obligations.html", 390, tmp_path / "p2", hash_=f"#week={week}&o={with_refs[0]}")
    assert got["kv"] >= 2 and got["scrollWidth"] <= got["innerWidth"], got


def test_obligations_page_names_the_window_and_the_csv_of_an_old_week(tmp_path_factory, tmp_path):
    """site_drill_weeks = 1: a link to an older week has no data file; the old page would list nothing
    ("no obligations"), now it says the week is outside the window, names the setting, links the CSV."""
    from types import SimpleNamespace

    browser = _browser()
    cache = tmp_path_factory.getbasetemp() / "aemetrics-demo"
    out = _build_site(tmp_path / "site", cache, SimpleNamespace(site_drill_weeks=1))
    page = (out / "obligations.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))
    old = sorted(index["window"]["csv"])[-1]
    assert old < index["window"]["from"] and old not in index["files"]
    got = _layout(browser, out, "obligations.html", 1400, tmp_path / "p", hash_=f"#week={old}")
    assert "outside the drill-down window" in got["outside"] and "site_drill_weeks = 1" in got["outside"], got
    assert got["outsideCsv"] == index["window"]["csv"][old] and (out / got["outsideCsv"]).is_file(), got
    assert got["oblRows"] == -1 and got["dataFiles"] == 0, got


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_window_on_the_hand_made_warehouse(tmp_path):
    """The fixture warehouse of tests/site/conftest.py with site_drill_weeks = 2 (W41 under review,
    W42 running): W40 is outside and links its CSV; W41's reply_12h rows come from its data files."""
    from types import SimpleNamespace

    from aemetrics.site import publish_site

    browser = _browser()
    conftest = _load("site_fixture_warehouse", ROOT / "tests" / "site" / "conftest.py")
    db = conftest.build_fixture_warehouse(tmp_path / "wh.duckdb")
    out = publish_site(db, tmp_path / "site", SimpleNamespace(site_drill_weeks=2)).out_dir
    old = _layout(browser, out, "obligations.html", 1400, tmp_path / "p1", hash_="#week=2025-09-29&standard=reply_12h")
    assert "outside the drill-down window" in old["outside"] and "site_drill_weeks" in old["outside"], old
    assert old["outsideCsv"] == "weeks/2025-W40-obligations.csv" and "no obligations" not in old["oblText"], old
    recent = _layout(
        browser, out, "obligations.html", 1400, tmp_path / "p2", hash_="#week=2025-10-06&standard=reply_12h"
    )
    assert not recent["outside"] and recent["oblRows"] == 12, recent
    # W41 reply_12h (conftest): li.wei met 3 late 1, zhang.min met 2 missed 1, wang.fang met 4, chen.jie excused 1
    assert "12 obligations · excused 1 · late 1 · met 9 · missed 1" in recent["oblText"], recent


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> tuple[Path, dict]:
    """The fixture warehouse grown to 320 AEs (tests/site/test_site_scale.py): W41 reply_12h is
    split into data files by status group and AE."""
    from aemetrics.site import publish_site

    conftest = _load("site_fixture_warehouse", ROOT / "tests" / "site" / "conftest.py")
    scale = _load("site_scale", ROOT / "tests" / "site" / "test_site_scale.py")
    folder = tmp_path_factory.mktemp("browser-big")
    db = conftest.build_fixture_warehouse(folder / "big.duckdb")
    scale._grow(db, conftest.build_kpi_marts)
    out = publish_site(db, folder / "site").out_dir
    page = (out / "obligations.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r"window.AEM_INDEX = (\{.*?\});</script>", page).group(1))
    return out, index


def test_obligations_page_reads_only_the_split_files_a_filter_needs(big_site, tmp_path):
    """A week × standard of 972 obligations is split into files of at most 500 (the old page read one
    file of all of them): an AE, a team or a status filter reads only the files that can match, and
    an obligation opened from a list reads only its AE's files; offline, from file://."""
    browser = _browser()
    site, index = big_site
    parts = index["files"]["2025-10-06"]["reply_12h"]
    late = [p for p in parts if p[0] == "l"]
    assert len(parts) >= 3 and len(late) >= 2
    week = "#week=2025-10-06&standard=reply_12h"
    got = _layout(browser, site, "obligations.html", 1400, tmp_path / "p1", hash_=f"{week}&ae=ae007@big.cn")
    assert got["oblRows"] == 3 and got["dataFiles"] == 2, got  # met, late, missed: one file of each group
    got = _layout(browser, site, "obligations.html", 1400, tmp_path / "p2", hash_=f"{week}&status=late,missed")
    assert got["oblRows"] == 200 and got["dataFiles"] == len(late), got  # the first 200, then "more…"
    got = _layout(browser, site, "obligations.html", 1400, tmp_path / "p3", hash_=f"{week}&team=team%2007")
    assert got["oblRows"] == 3 * 8, got  # the team's 8 AEs
    got = _layout(
        browser,
        site,
        "obligations.html",
        390,
        tmp_path / "p4",
        hash_="#week=2025-10-06&o=big-7-late&os=reply_12h&oa=ae007@big.cn",
    )
    # the AE's file of each status group, not the week's 972 obligations
    assert got["kv"] >= 1 and got["dataFiles"] == 2 and got["scrollWidth"] <= got["innerWidth"], got

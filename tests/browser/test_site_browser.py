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


def _build_site(out: Path, cache: Path) -> Path:
    """The site of the demo agency (ingest + SQL build)."""
    from aemetrics.site import publish_site

    spec = importlib.util.spec_from_file_location("site_fixture_warehouse", ROOT / "tests" / "site" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db = module.build_demo_warehouse(cache)
    publish_site(db, out)
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

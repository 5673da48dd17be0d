"""Who sees what (issue 13): --audience ae folders hold one AE each, show_subjects = false hides
subjects, CSV downloads never carry a live spreadsheet formula.

Before: the site was one folder with every AE's scorecard and every client's subjects, and a
subject such as `=HYPERLINK(...)` went into the CSVs as written (a formula in Excel)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from aemetrics.config import Settings
from aemetrics.site.audience import neutralise_formulas
from aemetrics.site.publish import publish_site


def _folder_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*")) if p.suffix in (".html", ".csv")
    )


def _people_and_clients(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        aes = con.execute("select ae, name from aes").df()
        clients = con.execute(
            "select distinct ae, client_account, client_name from obligation_details where client_account is not null"
        ).df()
    finally:
        con.close()
    return aes, clients


@pytest.mark.parametrize("which", ["fixture_db", "demo_db"])
def test_no_ae_folder_holds_another_ae_or_their_clients(which, request, tmp_path):
    db = request.getfixturevalue(which)
    out = tmp_path / "site"
    report = publish_site(db, out, Settings(site_audience="ae"), "en")
    aes, clients = _people_and_clients(db)
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == len(aes) >= 2
    assert not (out / "index.html").exists() and not (out / "equal-treatment.html").exists()
    for folder in folders:
        # self-contained: its own stylesheet and Plotly, an index that opens the scorecard
        assert (folder / "site.css").is_file() and (folder / "plotly.min.js").is_file()
        assert (folder / "index.html").is_file() and len(list((folder / "ae").glob("*.html"))) == 1
        text = _folder_text(folder)
        own = [r for r in aes.itertuples() if f"<b>{r.ae}</b>" in text]
        assert len(own) == 1, folder
        me = own[0].ae
        mine = set(clients.loc[clients["ae"] == me, "client_account"]) | set(
            clients.loc[clients["ae"] == me, "client_name"].dropna()
        )
        for other in aes.itertuples():
            if other.ae == me:
                continue
            assert other.ae not in text, (folder.name, other.ae)
            if isinstance(other.name, str) and other.name and other.name != own[0].name:
                assert other.name not in text, (folder.name, other.name)
        theirs = clients[clients["ae"] != me]
        for value in set(theirs["client_account"]) | set(theirs["client_name"].dropna()):
            if value not in mine:
                assert str(value) not in text, (folder.name, value)
    assert all(p.is_file() for p in report.pages)


def test_show_subjects_false_replaces_subjects_by_the_standard(fixture_db, tmp_path):
    con = duckdb.connect(str(fixture_db), read_only=True)
    subjects = [s for (s,) in con.execute("select distinct subject from obligation_details").fetchall() if s]
    con.close()
    assert subjects
    publish_site(fixture_db, tmp_path / "open", Settings(), "en")
    publish_site(fixture_db, tmp_path / "closed", Settings(show_subjects=False), "en")
    opened, closed = _folder_text(tmp_path / "open"), _folder_text(tmp_path / "closed")
    assert any(s in opened for s in subjects)
    from aemetrics.site.labels import STANDARDS

    for s in subjects:
        if not any(s in en for _, en in STANDARDS.values()):  # 'Minutes' is part of 'Minutes within 24 h'
            assert s not in closed, s
    assert "Reply within 12 h" in closed


def test_csv_cells_starting_a_formula_are_text():
    frame = pd.DataFrame(
        {
            "subject": ['=HYPERLINK("http://x","y")', "+86 reply", "-minus", "@SUM(A1)", "plain", None],
            "name": ["Li", "=cmd", "Wang", "Zhao", "Qian", "Sun"],
            "hours_late": [-3.5, 1.0, 2.0, 0.0, None, 4.0],
        }
    )
    out = neutralise_formulas(frame)
    assert list(out["subject"][:5]) == ['\'=HYPERLINK("http://x","y")', "'+86 reply", "'-minus", "'@SUM(A1)", "plain"]
    assert out["name"][1] == "'=cmd" and out["hours_late"][0] == -3.5


def test_published_csv_neutralises_a_formula_subject(fixture_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(Path(fixture_db).read_bytes())
    con = duckdb.connect(str(db))
    con.execute('update obligation_details set subject = \'=HYPERLINK("http://evil","x")\'')
    con.close()
    publish_site(db, tmp_path / "site", SimpleNamespace(site_language="en"), "en")
    cells = [
        cell
        for csv in (tmp_path / "site").rglob("*.csv")
        for cell in pd.read_csv(csv, encoding="utf-8-sig", dtype=str).fillna("").to_numpy().ravel()
    ]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert not [c for c in cells if c.startswith("=")]

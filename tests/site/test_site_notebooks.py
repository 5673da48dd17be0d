"""The notebooks run end to end (nbmake + ipykernel) against a warehouse named by AEMETRICS_DB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["ae_scorecard.ipynb", "reply_times.ipynb", "weekly_review.ipynb"]


def test_notebooks_execute_against_aemetrics_db(demo_db, tmp_path):
    """On the demo warehouse. (A failure to build it used to be caught as a skip, and the notebooks
    then ran on the hand-made fixture warehouse instead: the test could not fail for that.)"""
    pytest.importorskip("nbmake")  # optional third-party test tools (the `test` extra)
    pytest.importorskip("ipykernel")
    env = {**os.environ, "AEMETRICS_DB": str(demo_db)}
    # the notebooks import this checkout's aemetrics, not whichever copy is installed in the venv
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.pop("AEMETRICS_AE", None)  # the scorecard notebook picks the AE with most late/missed
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--nbmake",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            *map(str, NOTEBOOKS),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "3 passed" in proc.stdout


def test_notebook_outputs_carry_plotly_js_and_integer_counts(demo_db, monkeypatch):
    """Issue 13: charts rendered only inside Jupyter (exported HTML showed nothing: no plotly.js in the
    outputs) and a Styler printed numbers as 4.000000. Now the first chart's output embeds plotly.js
    (the `notebook` renderer), every chart has a text/html view, and no table shows six zero decimals."""
    import re

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("AEMETRICS_DB", str(demo_db))  # the kernel inherits the environment
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("AEMETRICS_AE", raising=False)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
        outputs = [o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])]
        html = [d.get("text/html", "") for d in outputs]
        assert any("Plotly" in h and len(h) > 1_000_000 for h in html), f"{path.name}: plotly.js not embedded"
        charts = [d for d in outputs if "application/vnd.plotly.v1+json" in d]
        assert charts and all("Plotly.newPlot" in d.get("text/html", "") for d in charts), path.name
        assert not [m for h in html for m in re.findall(r">-?\d+\.000000<", h)], path.name


def test_the_api_refuses_unknown_status_standard_and_ae_and_takes_names(demo_db):
    """Issue 13: wh.obligations(status="lat") and an unknown AE returned an empty frame; an AE could only
    be given by email."""
    import aemetrics

    with aemetrics.connect(demo_db) as wh:
        with pytest.raises(ValueError, match="status='lat' is not a known status; known: met, late, missed"):
            wh.obligations(status="lat")
        with pytest.raises(ValueError, match="standard='reply_12' is not a known standard"):
            wh.kpi_weekly(standard="reply_12")
        with pytest.raises(ValueError, match="unknown AE 'nobody@example.com': give an email or a name"):
            wh.kpi_weekly(ae="nobody@example.com")
        with pytest.raises(ValueError, match="unknown AE"):
            wh.rates(by="ae", ae="No Such Person")
        first = wh.aes().iloc[0]
        by_email = wh.obligations(ae=first["ae"])
        by_name = wh.obligations(ae=first["name"])
        assert len(by_email) > 0 and by_email.equals(by_name)
        assert wh.resolve_ae(first["ae"].upper()) == [first["ae"]]
        assert wh.obligations(status=["late", "missed"])["status"].isin(["late", "missed"]).all()

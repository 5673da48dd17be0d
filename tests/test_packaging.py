"""`make demo` on a fresh clone prints no packaging warnings (issue 13).

Before: setuptools >= 77 (what pip fetches for an isolated build) warned that `project.license` as a
TOML table is deprecated, and five times that 'aemetrics.sql.marts' (etc.) is absent from the
`packages` configuration (the model folders were shipped as data of aemetrics.sql)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_expression_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0"
    assert all((ROOT / f).is_file() for f in project["license-files"])
    requires = PYPROJECT["build-system"]["requires"]
    assert any(
        r.replace(" ", "").startswith("setuptools>=") and int(r.split(">=")[1].split(".")[0]) >= 77 for r in requires
    )


def test_every_model_folder_is_a_package_with_its_sql_and_checks():
    tool = PYPROJECT["tool"]["setuptools"]
    packages, data = set(tool["packages"]), tool["package-data"]
    folders = sorted(p for p in (ROOT / "sql").iterdir() if p.is_dir() and any(p.glob("*.sql")))
    assert folders
    for folder in folders:
        name = f"aemetrics.sql.{folder.name}"
        assert name in packages, name
        assert {"*.sql", "*.yml"} <= set(data[name]), name
    assert not any("/" in pattern for patterns in data.values() for pattern in patterns)  # no data sub-folders

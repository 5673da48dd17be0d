"""The registry of standards: one `standard:` block in the checks file beside each standard's model.

A standard is two files (docs/standards.md): its model `sql/intermediate/int_obligations__<id>.sql`
(columns of the obligation contract, CONTRACT below) and the `standard:` block of the YAML beside
it, `int_obligations__<id>.yml`. Everything else is derived from the registry:

- the build order of the standards' models (the line `intermediate/int_obligations__*` of
  sql/models.txt) and the union `int_obligations` reads (the variable `standard_models`);
- the settings: every threshold is an aemetrics.toml key with the registry's default and a
  run_params column of the same name (aemetrics.config, aemetrics.build.write_parameters);
- the `standards` table of the warehouse (labels, section, order, needs, KPI target) that the site
  and the notebooks read, and the site's labels (aemetrics.site.labels).

Errors name the file (and the key) to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aemetrics.exports import EXPORT_IDS

# libyaml's parser when PyYAML has it (10x faster: every build reads the registry), else Python's;
# both build the same objects (the safe constructor)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MODEL_PREFIX = "int_obligations__"
MODELS_GLOB = f"intermediate/{MODEL_PREFIX}*"  # the line of sql/models.txt that the registry expands

# The handbook's sections, in the handbook's order: key -> (Chinese, English).
SECTIONS: dict[str, tuple[str, str]] = {
    "communication": ("沟通", "Communication"),
    "meetings": ("会议", "Meetings"),
    "weekly": ("日常沟通", "Weekly rhythm"),
    "account_care": ("再次提升", "Account care"),
    "work_habits": ("工作习惯", "Work habits"),
}
# The exports that can feed a standard (checked against ingest_manifest by the site).
NEEDS = EXPORT_IDS  # the exports a standard may need (aemetrics/exports.py)
KEYS = ("id", "section", "order", "label_zh", "label_en", "handbook", "thresholds", "evidence", "needs", "kpi_target")
REQUIRED = ("id", "section", "order", "label_zh", "label_en", "handbook", "needs")

# The obligation contract: every standard's model has exactly these columns (int_obligations.sql
# reads them by name), with these DuckDB types, and may have the OPTIONAL ones, nothing else.
CONTRACT: dict[str, str] = {
    "standard": "VARCHAR",
    "opening_key": "VARCHAR",
    "ae": "VARCHAR",
    "client_account": "VARCHAR",
    "opened_at": "TIMESTAMP WITH TIME ZONE",
    "due_at": "TIMESTAMP WITH TIME ZONE",
    "fulfilled_at": "TIMESTAMP WITH TIME ZONE",
    "is_excused": "BOOLEAN",
    "evidence_items": "STRUCT",  # a list of evidence_item structs (macro evidence_item)
    "subject": "VARCHAR",
}
# Optional: words around the evidence sentence; friday_client_report's phone confirmation.
OPTIONAL: dict[str, str] = {
    "evidence_head": "VARCHAR",
    "evidence_tail": "VARCHAR",
    "is_confirmed": "BOOLEAN",
    # a standard without "late" (market_info): evidence after due_at but inside its period meets it
    "late_counts_as_met": "BOOLEAN",
}

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """The registry is wrong; the message names the file to fix."""


@dataclass(frozen=True)
class Standard:
    id: str
    section: str  # a key of SECTIONS
    order: int  # position inside its section
    label_zh: str
    label_en: str
    handbook: str  # the handbook's words
    needs: tuple[str, ...]  # exports that feed it (NEEDS)
    thresholds: dict[str, Any] = field(default_factory=dict)  # setting name -> default
    evidence: tuple[str, ...] = ()
    kpi_target: float | None = None  # None: the setting kpi_target
    path: Path | None = None  # the YAML file of the entry

    @property
    def model(self) -> str:
        return f"{MODEL_PREFIX}{self.id}"

    @property
    def section_labels(self) -> tuple[str, str]:
        return SECTIONS[self.section]


def _sql_dir(sql_dir: Path | None) -> Path:
    if sql_dir is not None:
        return Path(sql_dir)
    from aemetrics.warehouse import SQL_DIR

    return SQL_DIR


def _text(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{path}: standard.{key} must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"{path}: standard.{key} must be a list of strings, got {value!r}")
    return tuple(v.strip() for v in value)


def parse_entry(path: Path, block: Any) -> Standard:
    """One `standard:` block (of the YAML file `path`) as a Standard; errors name the file."""
    if not isinstance(block, dict):
        raise RegistryError(f"{path}: standard: must be a mapping of {', '.join(KEYS)}")
    unknown = sorted(set(block) - set(KEYS))
    if unknown:
        raise RegistryError(f"{path}: standard: unknown keys {unknown}; allowed: {', '.join(KEYS)}")
    missing = [k for k in REQUIRED if k not in block]
    if missing:
        raise RegistryError(f"{path}: standard: missing {', '.join(missing)} (docs/standards.md)")
    sid = _text(path, "id", block["id"])
    expected = path.stem.removeprefix(MODEL_PREFIX)
    if not path.stem.startswith(MODEL_PREFIX) or sid != expected:
        raise RegistryError(f"{path}: standard.id {sid!r} must be the file's id {expected!r} ({MODEL_PREFIX}<id>.yml)")
    if not _NAME.match(sid):
        raise RegistryError(f"{path}: standard.id {sid!r}: lower-case letters, digits and _ only")
    section = block["section"]
    if section not in SECTIONS:
        raise RegistryError(f"{path}: standard.section {section!r}: one of {', '.join(SECTIONS)}")
    order = block["order"]
    if not isinstance(order, int) or isinstance(order, bool):
        raise RegistryError(f"{path}: standard.order must be an integer, got {order!r}")
    needs = _strings(path, "needs", block["needs"])
    bad = [n for n in needs if n not in NEEDS]
    if bad or not needs:
        raise RegistryError(f"{path}: standard.needs {list(needs)!r}: each one of {', '.join(NEEDS)}")
    thresholds = block.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise RegistryError(f"{path}: standard.thresholds must map a setting name to its default")
    for name, default in thresholds.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise RegistryError(f"{path}: standard.thresholds: {name!r} is not a setting name (a_b_c)")
        if not isinstance(default, bool | int | float | str):
            raise RegistryError(
                f"{path}: standard.thresholds.{name}: default {default!r} must be a number, bool or text"
            )
    target = block.get("kpi_target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float) or not 0 < target <= 1):
        raise RegistryError(f"{path}: standard.kpi_target {target!r} must be a rate in (0, 1]")
    return Standard(
        id=sid,
        section=section,
        order=order,
        label_zh=_text(path, "label_zh", block["label_zh"]),
        label_en=_text(path, "label_en", block["label_en"]),
        handbook=_text(path, "handbook", block["handbook"]),
        needs=needs,
        thresholds=dict(thresholds),
        evidence=_strings(path, "evidence", block.get("evidence") or []),
        kpi_target=None if target is None else float(target),
        path=path,
    )


def read_entry(path: Path) -> Standard | None:
    """The registry entry of a checks file, or None when it has no `standard:` block."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "standard" not in data:
        return None
    return parse_entry(path, data["standard"])


def registry_errors(sql_dir: Path | None = None) -> list[str]:
    """What is wrong between the standards' models and their entries, each naming the file."""
    sql_dir = _sql_dir(sql_dir)
    errors: list[str] = []
    for layer in ("staging", "intermediate", "marts"):
        for yml in sorted((sql_dir / layer).glob("*.yml")):
            is_standard = layer == "intermediate" and yml.stem.startswith(MODEL_PREFIX)
            try:
                entry = read_entry(yml)
            except RegistryError as exc:
                errors.append(str(exc))
                continue
            if entry is not None and not is_standard:
                errors.append(f"{yml}: a `standard:` block belongs only beside a {MODEL_PREFIX}<id>.sql model")
            elif entry is not None and not yml.with_suffix(".sql").is_file():
                errors.append(f"{yml}: registry entry {entry.id!r} has no model {yml.with_suffix('.sql')}")
    for model in sorted((sql_dir / "intermediate").glob(f"{MODEL_PREFIX}*.sql")):
        yml = model.with_suffix(".yml")
        try:
            entry = read_entry(yml) if yml.is_file() else None
        except RegistryError:
            continue  # reported above
        if entry is None:
            errors.append(
                f"{model}: no registry entry: add a `standard:` block (id, section, order, label_zh, "
                f"label_en, handbook, needs, thresholds) to {yml} (docs/standards.md)"
            )
    return errors


def load_registry(sql_dir: Path | None = None) -> list[Standard]:
    """Every standard, in registry order (handbook section, then order, then id).

    Raises RegistryError naming the file when a model has no entry, an entry no model, an entry is
    malformed, two entries give one threshold different defaults, or two share a section order."""
    sql_dir = _sql_dir(sql_dir)
    errors = registry_errors(sql_dir)
    if errors:
        raise RegistryError("; ".join(errors))
    entries = []
    for model in sorted((sql_dir / "intermediate").glob(f"{MODEL_PREFIX}*.sql")):
        entry = read_entry(model.with_suffix(".yml"))
        assert entry is not None
        entries.append(entry)
    section_rank = {s: i for i, s in enumerate(SECTIONS)}
    entries.sort(key=lambda s: (section_rank[s.section], s.order, s.id))
    defaults: dict[str, tuple[Any, Standard]] = {}
    for s in entries:
        for name, default in s.thresholds.items():
            if name in defaults and defaults[name][0] != default:
                other = defaults[name][1]
                raise RegistryError(
                    f"{s.path}: threshold {name} = {default!r}, but {other.path} gives it {defaults[name][0]!r}: "
                    "a shared setting has one default"
                )
            defaults.setdefault(name, (default, s))
    return entries


@lru_cache(maxsize=8)
def _cached(sql_dir: Path) -> tuple[Standard, ...]:
    return tuple(load_registry(sql_dir))


def registry(sql_dir: Path | None = None) -> tuple[Standard, ...]:
    """load_registry, read once per folder (the settings and the site ask often)."""
    return _cached(_sql_dir(sql_dir).resolve())


def threshold_defaults(sql_dir: Path | None = None) -> dict[str, Any]:
    """Every threshold setting of the registry with its default, in registry order."""
    out: dict[str, Any] = {}
    for s in registry(sql_dir):
        for name, default in s.thresholds.items():
            out.setdefault(name, default)
    return out


def sql_type(default: Any) -> str:
    """The run_params column type of a threshold: its default's kind (numbers are double)."""
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int | float):
        return "double"
    return "varchar"


def contract_errors(model: str, columns: list[tuple[str, str]], where: str) -> list[str]:
    """Columns (name, DuckDB type) of a built standard model against the obligation contract."""
    have = dict(columns)
    errors = []
    missing = [c for c in CONTRACT if c not in have]
    extra = [c for c in have if c not in CONTRACT and c not in OPTIONAL]
    if missing:
        errors.append(f"{where}: {model} lacks obligation column(s) {', '.join(missing)}")
    if extra:
        errors.append(f"{where}: {model} has column(s) outside the obligation contract: {', '.join(extra)}")
    for name, want in {**CONTRACT, **OPTIONAL}.items():
        got = have.get(name)
        if got is None or got == "NULL":  # a null literal fits any type
            continue
        if want == "STRUCT":
            if not (got.startswith("STRUCT(") and got.endswith("[]")):
                errors.append(f"{where}: {model}.{name} is {got}, expected a list of evidence_item structs")
        elif got != want:
            errors.append(f"{where}: {model}.{name} is {got}, expected {want}")
    return errors


__all__ = [
    "CONTRACT",
    "MODELS_GLOB",
    "NEEDS",
    "SECTIONS",
    "RegistryError",
    "Standard",
    "contract_errors",
    "load_registry",
    "registry",
    "registry_errors",
    "threshold_defaults",
]

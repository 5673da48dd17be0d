"""The registry of standards (issue 11, "Make a standard one file + one entry"): a standard is its
model sql/intermediate/int_obligations__<id>.sql and the `standard:` block of the YAML beside it;
the union, the build order, the settings and their run_params columns, the site's labels and the
`standards` table are derived from it, and the build fails naming the file when the two disagree.

Before: int_obligations.sql listed the standards by hand (a standard missing from the union was
silently dropped), models.txt listed each model, every threshold was a hand-written Settings field
and run_params column, and the site's labels were a dict in aemetrics/site/labels.py."""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aemetrics.build import BuildError, build, declared_models, write_parameters
from aemetrics.config import Settings, load_settings
from aemetrics.site.labels import STANDARDS as LABELS
from aemetrics.standards import SECTIONS, RegistryError, load_registry, registry_errors, threshold_defaults
from aemetrics.warehouse import SQL_DIR, open_warehouse

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2025, 10, 15, 2, tzinfo=UTC)
CORE = [
    "reply_12h",
    "agenda_48h",
    "internal_notice_24h",
    "on_time",
    "minutes_24h",
    "monday_call",
    "friday_client_report",
    "friday_supervisor_report",
]
# A whole standard in two files: it opens one obligation per CRM account, due test_hours after as_of.
NEW_MODEL = """-- test_standard: one obligation per account (a registry test)
with params as (
    select * from run_params
),

final as (
    select
        'test_standard' as standard,
        accounts.account_key as opening_key,
        'Li.Wei@agency.cn' as ae,
        accounts.account_key as client_account,
        params.as_of - interval 1 hour as opened_at,
        params.as_of + hours_interval(params.test_hours) as due_at,
        cast(null as timestamptz) as fulfilled_at,
        false as is_excused,
        [evidence_item('crm', 'opened_by', 'a.csv', 'line 2', accounts.account_key, 'account', null)] as evidence_items,
        cast(null as varchar) as subject
    from int_accounts as accounts
    cross join params
)

select * from final
"""
NEW_ENTRY = """grain: [opening_key]
standard:
  id: test_standard
  section: account_care
  order: 9
  label_zh: 测试标准
  label_en: Test standard
  handbook: 测试
  thresholds:
    test_hours: 5
  evidence: [crm_activity]
  needs: [crm]
"""


@pytest.fixture()
def sql_copy(tmp_path):
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy)
    return copy


@pytest.fixture()
def con(tmp_path):
    c = open_warehouse(tmp_path / "w.duckdb")
    yield c
    c.close()


def add_standard(sql_dir: Path, model: str = NEW_MODEL, entry: str = NEW_ENTRY) -> None:
    (sql_dir / "intermediate" / "int_obligations__test_standard.sql").write_text(model, encoding="utf-8")
    (sql_dir / "intermediate" / "int_obligations__test_standard.yml").write_text(entry, encoding="utf-8")


def test_every_standard_model_has_an_entry_and_the_registry_is_in_handbook_order():
    assert registry_errors() == []
    standards = load_registry()
    ids = [s.id for s in standards]
    models = sorted(
        p.stem.removeprefix("int_obligations__") for p in (SQL_DIR / "intermediate").glob("int_obligations__*.sql")
    )
    assert sorted(ids) == models
    assert set(CORE) <= set(ids)
    sections = list(SECTIONS)
    keys = [(sections.index(s.section), s.order) for s in standards]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "two standards share a section order"
    core = [i for i in ids if i in CORE]
    assert core == CORE  # 沟通, then 会议, then 日常沟通


def test_a_new_standard_is_two_files_union_order_and_settings_follow(con, sql_copy):
    """The new model is built (no models.txt line), unioned into obligations (no int_obligations.sql
    edit), its threshold is a run_params column with the registry default, and its entry is in
    the `standards` table. The old engine ignored it: declared_models raised 'model files not in
    the build order', and even listed it never reached obligations."""
    add_standard(sql_copy)
    models = [p.stem for p in declared_models(sql_copy)]
    assert models.index("int_obligations__test_standard") < models.index("int_obligations")
    con.execute(
        "insert into raw_crm_accounts (account_id, name, account_type, source_file, record) "
        "values ('001A', 'Acme', 'Customer - Direct', 'crm/Account.csv', 'line 2')"
    )
    build(con, Settings(), AS_OF, sql_dir=sql_copy)
    assert con.execute("select test_hours from run_params").fetchall() == [(5.0,)]
    rows = con.execute("select standard, client_account, due_at - opened_at, status from obligations").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("test_standard", "001A")]
    assert rows[0][2].total_seconds() == 6 * 3600 and rows[0][3] == "open"
    got = con.execute("select section, section_zh, label_zh, needs from standards where standard = 'test_standard'")
    assert got.fetchall() == [("account_care", "再次提升", "测试标准", ["crm"])]
    build(con, Settings(thresholds={"test_hours": 1.5}), AS_OF, sql_dir=sql_copy)  # set in aemetrics.toml
    assert con.execute("select test_hours from run_params").fetchall() == [(1.5,)]


def test_a_model_without_an_entry_fails_the_build_naming_the_file(con, sql_copy):
    add_standard(sql_copy, entry="grain: [opening_key]\n")
    with pytest.raises(BuildError, match=r"int_obligations__test_standard\.sql: no registry entry: add a `standard:`"):
        declared_models(sql_copy)
    with pytest.raises(BuildError, match="no registry entry"):
        build(con, Settings(), AS_OF, sql_dir=sql_copy)


def test_an_entry_without_a_model_and_a_wrong_entry_fail_naming_the_file(sql_copy):
    (sql_copy / "intermediate" / "int_obligations__test_standard.yml").write_text(NEW_ENTRY, encoding="utf-8")
    with pytest.raises(
        BuildError, match=r"int_obligations__test_standard\.yml: registry entry 'test_standard' has no model"
    ):
        declared_models(sql_copy)
    add_standard(sql_copy, entry=NEW_ENTRY.replace("section: account_care", "section: care"))
    with pytest.raises(RegistryError, match=r"int_obligations__test_standard\.yml: standard\.section 'care'"):
        load_registry(sql_copy)
    add_standard(sql_copy, entry=NEW_ENTRY.replace("id: test_standard", "id: other"))
    with pytest.raises(RegistryError, match="must be the file's id 'test_standard'"):
        load_registry(sql_copy)
    add_standard(sql_copy, entry=NEW_ENTRY.replace("test_hours: 5", "reply_hours: 24"))
    with pytest.raises(RegistryError, match=r"threshold reply_hours = 24.*a shared setting has one default"):
        load_registry(sql_copy)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("cast(null as varchar) as subject", "'x' as subject, 1 as extra"), "outside the obligation contract: extra"),
        (("false as is_excused,", ""), "lacks obligation column(s) is_excused"),
        (
            ("cast(null as timestamptz) as fulfilled_at", "cast(null as timestamp) as fulfilled_at"),
            "fulfilled_at is TIMESTAMP, expected TIMESTAMP WITH TIME ZONE",
        ),
    ],
)
def test_a_model_whose_columns_differ_from_the_contract_fails_the_build_naming_the_file(con, sql_copy, change, message):
    """The old engine's union by name padded a missing column with nulls (an obligation never
    excused), kept an extra one silently, and cast a naive timestamp."""
    add_standard(sql_copy, model=NEW_MODEL.replace(*change))
    with pytest.raises(BuildError, match=re.escape("intermediate/int_obligations__test_standard.sql: ")) as err:
        build(con, Settings(), AS_OF, sql_dir=sql_copy)
    assert message in str(err.value)


def test_models_txt_must_run_every_standard_before_the_union(sql_copy):
    listing = sql_copy / "models.txt"
    text = listing.read_text(encoding="utf-8")
    listing.write_text(
        text.replace(
            "intermediate/int_obligations\n", "intermediate/int_obligations\nintermediate/int_obligations__on_time\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match="int_obligations__on_time must come before intermediate/int_obligations"):
        declared_models(sql_copy)


def test_thresholds_are_settings_documented_with_their_defaults():
    """Every registry threshold: a key of aemetrics.toml (the example sets it at its default), a row
    of docs/configuration.md with that default, and the same default as a Settings field of that name."""
    example = tomllib.loads((ROOT / "examples" / "aemetrics.toml").read_text(encoding="utf-8"))
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    settings = load_settings(ROOT / "examples" / "aemetrics.toml")
    names = {f.name: f for f in fields(Settings)}
    for standard in load_registry():
        for name, default in standard.thresholds.items():
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            forms = {shown} if isinstance(default, bool | str) else {str(default), str(float(default))}
            assert any(f"| `{name}` | `{f}` |" in docs for f in forms), f"{standard.path}: document {name} = {shown}"
            assert example.get(name) == default, f"examples/aemetrics.toml: set {name} = {shown}"
            assert settings.threshold(name) == default
            if name in names:
                assert getattr(Settings(), name) == default, f"{standard.path}: {name} default differs from Settings"
    assert set(threshold_defaults()) >= {"reply_hours", "agenda_hours", "minutes_match_days", "on_time_grace_minutes"}


def test_a_threshold_that_is_not_a_field_loads_from_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr("aemetrics.config._registry_thresholds", lambda: {"callback_hours": 12, "reply_hours": 12.0})
    config = tmp_path / "aemetrics.toml"
    config.write_text("callback_hours = 6\nreply_hours = 8\n", encoding="utf-8")
    s = load_settings(config)
    assert s.thresholds == {"callback_hours": 6.0} and s.reply_hours == 8.0
    assert s.threshold("callback_hours") == 6.0 and s.threshold("reply_hours") == 8.0
    config.write_text("callback_hour = 6\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown setting 'callback_hour'"):
        load_settings(config)


def test_site_labels_and_standards_table_come_from_the_registry(con):
    standards = load_registry()
    assert list(LABELS) == [s.id for s in standards]
    assert LABELS["reply_12h"] == ("12小时内回复", "Reply within 12 h")
    write_parameters(con, Settings(kpi_targets={"on_time": 0.8}), AS_OF, AS_OF)
    rows = con.execute("select standard, position, kpi_target from standards order by position").fetchall()
    assert [r[0] for r in rows] == [s.id for s in standards]
    assert dict((r[0], r[2]) for r in rows)["on_time"] == 0.8


def test_docs_show_the_recipe_and_every_standard():
    recipe = (ROOT / "docs" / "standards.md").read_text(encoding="utf-8")
    assert "int_obligations__<id>.sql" in recipe and "int_obligations__<id>.yml" in recipe


def test_a_standard_listed_by_name_in_models_txt_runs_there_once(sql_copy):
    """The way the parallel helpers add a model (a line before intermediate/int_obligations) keeps
    working: the line places it, and the registry line does not run it a second time."""
    add_standard(sql_copy)
    listing = sql_copy / "models.txt"
    text = listing.read_text(encoding="utf-8")
    listing.write_text(
        text.replace(
            "intermediate/int_meeting_mail_matched\n",
            "intermediate/int_meeting_mail_matched\nintermediate/int_obligations__test_standard\n",
        ),
        encoding="utf-8",
    )
    models = [p.stem for p in declared_models(sql_copy)]
    assert models.count("int_obligations__test_standard") == 1
    assert models.index("int_obligations__test_standard") == models.index("int_meeting_mail_matched") + 1
    assert models.index("int_obligations__reply_12h") > models.index("int_obligations__test_standard")

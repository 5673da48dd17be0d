"""Configuration: the documented example loads with every key; every mistake names file and key."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import date, time
from pathlib import Path

import pytest

from aemetrics.business_calendar import BusinessCalendar
from aemetrics.config import DEFAULT_KEYWORDS, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "aemetrics.toml"
DOCS = ROOT / "docs" / "configuration.md"
FIXTURES = Path(__file__).parent / "fixtures" / "config"
# Settings fields set through the [calendar] table rather than a top-level key.
CALENDAR_FIELDS = {"calendar_overrides", "holidays_file"}
# Not a key: the registry's thresholds that are not fields (tests/test_standards.py).
NOT_KEYS = {"thresholds"}


def test_example_sets_every_key_and_loads():
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    top_level = {f.name for f in fields(Settings)} - CALENDAR_FIELDS - NOT_KEYS
    assert top_level - {"keywords"} <= data.keys(), "examples/aemetrics.toml misses a setting"
    assert set(data["keywords"]) == set(DEFAULT_KEYWORDS)
    assert set(data["calendar"]) == {"holidays_file", "days"}

    s = load_settings(EXAMPLE)
    defaults = Settings()
    for name in top_level - {"attendance_timezone"}:  # the example shows every default value
        assert getattr(s, name) == getattr(defaults, name), name
    assert s.attendance_timezone == "Asia/Shanghai"
    assert s.work_start == time(9, 0) and s.work_end == time(18, 30)
    assert s.holidays_file == ROOT / "examples" / "holidays-2027.csv"
    assert s.calendar_overrides == {date(2025, 12, 31): False, date(2026, 12, 26): True}
    cal = BusinessCalendar(s)
    assert cal.is_makeup_workday(date(2026, 12, 26))
    assert cal.first_working_day(2027, 6) is None  # the example 2027 Spring Festival week


def test_docs_describe_every_setting_and_keyword_kind():
    text = DOCS.read_text(encoding="utf-8")
    for f in fields(Settings):
        assert f"`{f.name}`" in text, f.name
    for kind in DEFAULT_KEYWORDS:
        assert f"`{kind}`" in text, kind
    for heading in ("[keywords]", "[calendar]", "[calendar.days]", "date,is_working_day,name"):
        assert heading in text, heading


def test_no_file_gives_defaults():
    assert load_settings(None) == Settings()


def test_holidays_file_is_relative_to_the_config_file_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(FIXTURES / "calendar-2027.toml")
    assert s.holidays_file == FIXTURES.resolve() / "holidays-2027-spring.csv"
    assert s.work_start == time(9, 0)  # TOML local time 09:00:00
    assert s.reply_business_hours is True
    cal = BusinessCalendar(s)
    assert cal.is_working_day(date(2027, 2, 12))  # [calendar.days] beats the file's day off
    assert not cal.is_working_day(date(2027, 2, 11))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown-key.toml", "unknown setting 'reply_hour'"),
        ("unknown-calendar-key.toml", "unknown setting 'calendar.holiday_file'"),
        ("unknown-keyword-kind.toml", "unknown setting 'keywords.agnda'"),
        ("bad-timezone.toml", "unknown time zone.*Asia/Beijing"),
        ("bad-attendance-timezone.toml", "unknown time zone.*Mars/Olympus_Mons"),
        ("calendar-day-string.toml", r"\[calendar.days\] 2027-02-05: expected true"),
        ("work-hours-reversed.toml", "work_end 09:00:00 must be after work_start 18:30:00"),
        ("prefixes-not-list.toml", "setting 'customer_type_prefixes': expected a list of strings"),
        ("missing-holidays-file.toml", "calendar.holidays_file .*no-such-holidays.csv not found"),
        ("bool-as-string.toml", "setting 'store_bodies': expected true or false"),
        ("not-toml.toml", "not valid TOML"),
        ("no-such-config.toml", "configuration file not found"),
    ],
)
def test_config_errors_name_the_file_and_the_key(name, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(FIXTURES / name)
    assert str(info.value).startswith(str(FIXTURES / name) + ":")


def test_site_language_is_checked_and_used_by_default(tmp_path):
    from aemetrics.config import ConfigError, load_settings

    good = tmp_path / "en.toml"
    good.write_text('site_language = "en"\n')
    assert load_settings(good).site_language == "en"
    bad = tmp_path / "fr.toml"
    bad.write_text('site_language = "fr"\n')
    with pytest.raises(ConfigError, match="fr.toml.*site_language 'fr'"):
        load_settings(bad)


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.05"])
def test_equal_treatment_alpha_must_be_a_level(tmp_path, value):
    """equal_treatment_alpha (issue 9): the level of the equal-treatment z-test, 0 < alpha < 1; the error
    names the file and the key. (Before, the setting did not exist: the flag had no test at all.)"""
    bad = tmp_path / "alpha.toml"
    bad.write_text(f"equal_treatment_alpha = {value}\n")
    with pytest.raises(ConfigError, match=r"alpha.toml: setting 'equal_treatment_alpha': .* between 0 and 1"):
        load_settings(bad)
    good = tmp_path / "good.toml"
    good.write_text("equal_treatment_alpha = 0.01\n")
    assert load_settings(good).equal_treatment_alpha == 0.01
    assert Settings().equal_treatment_alpha == 0.05


def test_client_file_fields_map_custom_columns(tmp_path):
    """[client_file] fields (issue 11): per field over the STANDARDS.md defaults; "" drops a field."""
    path = tmp_path / "aemetrics.toml"
    path.write_text(
        '[client_file]\nfields = {brand = "Marke__c", fax = "", key_people = "Key_People__c"}\n', encoding="utf-8"
    )
    fields = load_settings(path).client_file_fields
    assert fields["brand"] == "Marke__c" and fields["key_people"] == "Key_People__c"
    assert "fax" not in fields and fields["budget"] == "Budget__c|budget"
    path.write_text("[client_file]\nfields = {brand = 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="client_file_fields"):
        load_settings(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kpi_target = 95\n", r"setting 'kpi_target': 95 is out of range: a rate, between 0 and 1"),
        ("[kpi_targets]\nreply_12 = 1.0\n", r"unknown setting 'kpi_targets.reply_12' \(known standards: reply_12h"),
        ("[kpi_targets]\nreply_12h = 90\n", r"setting 'kpi_targets.reply_12h': 90 is out of range: a rate"),
        ("reply_hours = -3\n", r"setting 'reply_hours': -3 is out of range: hours, more than 0"),
        ("agenda_hours = 0\n", r"setting 'agenda_hours': 0 is out of range"),
        ("on_time_grace_minutes = -1\n", r"setting 'on_time_grace_minutes': -1 is out of range: minutes, 0 or more"),
        ("equal_treatment_gap = 10\n", r"setting 'equal_treatment_gap': 10 is out of range: a difference of rates"),
        ("minutes_match_days = 0\n", r"setting 'minutes_match_days': 0 is out of range: days, 1 or more"),
        ("parse_batch_size = 0\n", r"setting 'parse_batch_size': 0 is out of range"),
        ("site_drill_weeks = -1\n", r"setting 'site_drill_weeks': -1 is out of range: weeks, 0 or more"),
    ],
)
def test_ranges_and_nested_keys_are_checked_at_load(tmp_path, text, message):
    """Issue 13: `kpi_target = 95` was accepted (cards read "Target 9500%"), `[kpi_targets] reply_12`
    (a typo) was ignored, `reply_hours = -3` failed later inside a Great Expectations message. Now each
    is refused at load, naming the file, the key and the allowed range."""
    path = tmp_path / "aemetrics.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}: ")


def test_edges_of_the_ranges_load(tmp_path):
    path = tmp_path / "aemetrics.toml"
    path.write_text(
        "kpi_target = 1\non_time_grace_minutes = 0\nequal_treatment_gap = 0\n[kpi_targets]\nreply_12h = 0.9\n",
        encoding="utf-8",
    )
    s = load_settings(path)
    assert s.kpi_target == 1.0 and s.kpi_targets == {"reply_12h": 0.9} and s.on_time_grace_minutes == 0


def test_kpi_target_keys_are_the_standards_the_site_names():
    from aemetrics.config import STANDARD_IDS
    from aemetrics.site.labels import STANDARDS

    assert set(STANDARD_IDS) == set(STANDARDS)


def test_docs_name_only_settings_and_standards_that_exist():
    """Issue 13: docs/site.md, docs/canonical-crm.md and docs/configuration.md mentioned settings and
    standards that did not exist. Every `snake_case` name in backticks there must be a setting, a
    standard, a keyword kind, or a table, column or function that the SQL or the package defines."""
    import re

    from aemetrics.config import STANDARD_IDS

    known = {f.name for f in fields(Settings)} | set(STANDARD_IDS) | set(DEFAULT_KEYWORDS)
    code = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "sql").rglob("*.sql"))
    code += " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "aemetrics").rglob("*.py"))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    for doc in ("site.md", "canonical-crm.md", "configuration.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        names = set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`", text))
        unknown = sorted(n for n in names if n not in known and n not in words and n != "reply_hour")
        assert unknown == [], f"docs/{doc} names what does not exist: {unknown}"
        for setting in re.findall(r"`([a-z_]+)` setting|setting `([a-z_]+)`", text):
            name = setting[0] or setting[1]
            assert name in known or name.split(".")[0] in {"keywords", "calendar"}, f"docs/{doc}: setting {name}"


def test_memory_limit_is_checked_and_given_to_duckdb(tmp_path):
    """memory_limit (issue 10): DuckDB's memory for a run (a 1,000-AE build fits in 3GB); before it,
    DuckDB always took its default, 80 % of RAM."""
    from aemetrics.warehouse import open_warehouse

    bad = tmp_path / "mem.toml"
    bad.write_text('memory_limit = "lots"\n')
    with pytest.raises(ConfigError, match=r"mem.toml: memory_limit 'lots': a size such as 3GB"):
        load_settings(bad)
    good = tmp_path / "good.toml"
    good.write_text('memory_limit = "512MB"\n')
    limit = load_settings(good).memory_limit
    con = open_warehouse(tmp_path / "w.duckdb", memory_limit=limit)
    assert con.execute("select current_setting('memory_limit')").fetchall()[0][0] in ("488.2 MiB", "512.0 MB")
    con.close()
    assert Settings().memory_limit == ""  # DuckDB's own default (80 % of RAM): a bigger year never fails on it

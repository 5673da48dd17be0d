"""Settings from an optional aemetrics.toml; every value has a default that works.

See docs/configuration.md for every key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_KEYWORDS: dict[str, list[str]] = {
    "agenda": ["议程", "会议议程", "agenda"],
    "minutes": ["会议纪要", "会议记录", "纪要", "minutes", "meeting notes"],
    "weekly_report": ["周报", "工作进度", "进度报告", "weekly report", "status report", "progress report"],
    "supervisor_report": ["周报", "工作计划", "下周计划", "weekly report", "weekly plan", "next week plan"],
    "greeting": [
        "贺卡",
        "新年快乐",
        "节日快乐",
        "春节快乐",
        "中秋快乐",
        "greetings",
        "happy new year",
        "season's greetings",
        "国庆快乐",
        "元旦快乐",
        "新春快乐",
        "端午安康",
        "劳动节快乐",
        "双节快乐",
    ],
    "market_info": ["市场信息", "媒介信息", "市场动态", "market update", "media update", "market info"],
    # reschedule_notice: an e-mail telling the client a meeting moves or is cancelled (STANDARDS.md)
    "reschedule": ["改期", "延期", "取消", "推迟", "reschedule", "postpone", "cancel"],
    # post_project_review: a review meeting's title (STANDARDS.md)
    "project_review": ["复盘", "总结", "评估", "回顾", "review", "retrospective", "post-mortem"],
    "out_of_office": [
        "自动回复",
        "自动答复",
        "自動回覆",
        "不在办公室",
        "休假",
        "out of office",
        "automatic reply",
        "auto reply",
        "autoreply",
        "vacation",
    ],
}

# Account types (Salesforce Type) of vendors, partners and media owners: not clients.
DEFAULT_NON_CLIENT_ACCOUNT_TYPES = ["Vendor", "Partner", "Supplier", "供应商", "合作伙伴", "媒体"]
# Mail and social sites: never a client's web domain (only exact contact addresses there count).
DEFAULT_PUBLIC_MAIL_DOMAINS = [
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "aliyun.com",
    "139.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
]
DEFAULT_SOCIAL_DOMAINS = [
    "weibo.com",
    "weibo.cn",
    "weixin.qq.com",
    "douyin.com",
    "xiaohongshu.com",
    "kuaishou.com",
    "bilibili.com",
    "zhihu.com",
    "tmall.com",
    "taobao.com",
    "jd.com",
    "linkedin.com",
    "facebook.com",
    "instagram.com",
    "twitter.com",
    "x.com",
    "youtube.com",
    "tiktok.com",
]
# Staff roles that mean account executive (case-insensitive, whole role).
DEFAULT_AE_ROLES = [
    "AE",
    "account executive",
    "account manager",
    "AM",
    "senior AE",
    "senior account executive",
    "senior account manager",
    "客户经理",
    "客户主任",
    "高级客户经理",
    "客户执行",
]


# Every standard of STANDARDS.md's catalogue: the keys [kpi_targets] accepts (the site's labels
# name the same ones; tests/test_config.py checks they agree).
STANDARD_IDS = (
    "reply_12h",
    "callback",
    "work_order",
    "estimate_first",
    "agenda_48h",
    "internal_notice_24h",
    "on_time",
    "reschedule_notice",
    "minutes_24h",
    "minutes_signoff",
    "minutes_confirmed",
    "monday_call",
    "friday_client_report",
    "friday_supervisor_report",
    "client_file_complete",
    "festival_greeting",
    "market_info",
    "post_project_review",
    "work_on_time",
    "same_day_close",
)

# Allowed range of each numeric setting: (lowest, highest, lowest allowed?, what it is).
# None: no bound on that side. Checked at load, the error names the file, the key and the range.
RANGES: dict[str, tuple[float | None, float | None, bool, str]] = {
    "reply_hours": (0, None, False, "hours, more than 0"),
    "agenda_hours": (0, None, False, "hours, more than 0"),
    "internal_notice_hours": (0, None, False, "hours, more than 0"),
    "minutes_hours": (0, None, False, "hours, more than 0"),
    "on_time_grace_minutes": (0, None, True, "minutes, 0 or more"),
    "subject_thread_window_days": (1, None, True, "days, 1 or more"),
    "minutes_match_days": (1, None, True, "days, 1 or more"),
    "parse_batch_size": (1, None, True, "files, 1 or more"),
    "kpi_target": (0, 1, True, "a rate, between 0 and 1 (0.95 = 95 %)"),
    "equal_treatment_gap": (0, 1, True, "a difference of rates, between 0 and 1 (0.10 = 10 points)"),
    "equal_treatment_min_n": (1, None, True, "obligations, 1 or more"),
    "site_drill_weeks": (0, None, True, "weeks, 0 or more (0: every week)"),
}


def _check_range(source: Path, key: str, value: float, rule: tuple[float | None, float | None, bool, str]) -> None:
    low, high, low_ok, what = rule
    below = low is not None and (value < low or (value == low and not low_ok))
    if below or (high is not None and value > high):
        raise ConfigError(f"{source}: setting {key!r}: {value:g} is out of range: {what}")


# STANDARDS.md, client_file_complete: the Salesforce defaults (canonical files name the columns
# in lower case: brand, product, address, phone, fax, ad_volume, budget).
DEFAULT_CLIENT_FILE_FIELDS: dict[str, str] = {
    "name": "Name|name",
    "brand": "Brand__c|brand",
    "product": "Product__c|product",
    "address": "BillingStreet|BillingCity|address",
    "phone": "Phone|phone",
    "fax": "Fax|fax",
    "ad_volume": "Ad_Volume__c|AnnualRevenue|ad_volume|annual_revenue",
    "budget": "Budget__c|budget",
}

# festival_greeting: holiday names of the business calendar (holidays.China, zh_CN) that are festivals.
DEFAULT_FESTIVAL_NAMES = ["元旦", "春节", "劳动节", "端午节", "中秋节", "国庆节"]


@dataclass
class Settings:
    business_timezone: str = "Asia/Shanghai"
    work_start: time = time(9, 0)
    work_end: time = time(18, 30)
    # Extra days: date -> True (working day, e.g. a make-up Saturday) / False (day off).
    # Overrides the holidays package; use it for years the package does not know.
    calendar_overrides: dict[date, bool] = field(default_factory=dict)
    holidays_file: Path | None = None  # CSV date,is_working_day[,name] merged into overrides
    # Zoom reports carry no zone: read their times in this one (default: business time zone).
    attendance_timezone: str | None = None
    store_bodies: bool = False
    keywords: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_KEYWORDS.items()})
    # Thresholds (hours / minutes) of the standards; see STANDARDS.md.
    reply_hours: float = 12.0
    reply_business_hours: bool = False
    agenda_hours: float = 48.0
    internal_notice_hours: float = 24.0
    minutes_hours: float = 24.0
    on_time_grace_minutes: float = 0.0
    subject_thread_window_days: int = 30
    minutes_match_days: int = 7  # minutes serve a meeting that ended at most this many days before
    work_order_hours: float = 4.0  # work_order: a request's work order within this many working hours
    # callback: an inbound call whose result contains one of these was missed (case-insensitive)
    missed_call_results: list[str] = field(
        default_factory=lambda: ["未接", "未接通", "无人接听", "missed", "no answer", "voicemail", "busy", "占线"]
    )
    # work_order / same_day_close: a Case whose Origin is one of these is internal, not a client request
    internal_request_origins: list[str] = field(default_factory=lambda: ["Internal", "内部"])
    # issue 11, STANDARDS.md "Decisions for the other twelve" (docs/configuration.md)
    reschedule_notice_hours: float = 24.0  # tell the client at least this long before the original start
    minutes_confirm_working_days: int = 1  # minutes_confirmed: a call by 24:00 of this working day after the send
    project_review_working_days: int = 10  # post_project_review: review meeting by 24:00 of this working day
    customer_type_prefixes: list[str] = field(default_factory=lambda: ["Customer"])
    # Who is a client, who is an AE (docs/configuration.md, docs/decisions.md "Who is who").
    non_client_account_types: list[str] = field(default_factory=lambda: list(DEFAULT_NON_CLIENT_ACCOUNT_TYPES))
    public_mail_domains: list[str] = field(default_factory=lambda: list(DEFAULT_PUBLIC_MAIL_DOMAINS))
    social_domains: list[str] = field(default_factory=lambda: list(DEFAULT_SOCIAL_DOMAINS))
    agency_domains: list[str] = field(default_factory=list)  # besides the staff directory's domains
    ae_roles: list[str] = field(default_factory=lambda: list(DEFAULT_AE_ROLES))
    parse_batch_size: int = 200  # files per Prefect task (at least; see ingest.runner.batches)
    parse_workers: int = 0  # local parse processes; 0: one per core (docs/scale.md)
    dask_address: str = ""  # Dask scheduler (tcp://host:8786): parse tasks run there (docs/scale.md)
    shard_dir: str = ""  # where parse workers write Parquet shards (path or fsspec URL); "": a local temp folder
    memory_limit: str = ""  # DuckDB's memory for a run, e.g. 3GB (it spills beyond); "": 80 % of RAM
    # Dashboards: the target rate of every standard, per-standard overrides, and the
    # equal-treatment flag (a gap between client-size tiers above this, with enough obligations).
    site_language: str = "zh-en"  # labels of the site: zh, en or zh-en (bilingual)
    show_subjects: bool = True  # false: the site shows the standard's name instead of a message subject
    site_audience: str = "management"  # management: every AE; ae: one folder per AE (--audience overrides)
    site_drill_weeks: int = 13  # weeks (up to the running one) with drill-down data files; 0: every week
    kpi_target: float = 0.95
    kpi_targets: dict[str, float] = field(default_factory=dict)
    equal_treatment_gap: float = 0.10
    equal_treatment_min_n: int = 5
    equal_treatment_alpha: float = 0.05  # ... and significant: two-proportion z-test at this level
    # client_file_complete: required field -> CRM column (Salesforce API name or canonical column;
    # several alternatives with '|'). Read from fields_json by the models (docs/configuration.md).
    client_file_fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLIENT_FILE_FIELDS))
    # The thresholds of the standards' registry (sql/intermediate/int_obligations__<id>.yml) that
    # are not fields above: setting name -> value given in aemetrics.toml (defaults: the registry).
    thresholds: dict[str, Any] = field(default_factory=dict)

    def threshold(self, name: str, default: Any = None) -> Any:
        """A standard's threshold: the value set in aemetrics.toml, else `default`, else its
        default in the project's registry."""
        if name in self.thresholds:
            return self.thresholds[name]
        if name in {f.name for f in fields(self)}:
            return getattr(self, name)
        if default is not None:
            return default
        from aemetrics.standards import threshold_defaults

        defaults = threshold_defaults()
        if name not in defaults:
            raise KeyError(f"no standard has the threshold {name!r}")
        return defaults[name]

    client_file_days: int = 30  # client_file_complete: the file is due this many days after the account's creation
    # festival_greeting: the holidays of the business calendar whose first day is a festival, and
    # the days before it when a greeting is on time (STANDARDS.md, "Decisions for the other twelve").
    festival_names: list[str] = field(default_factory=lambda: list(DEFAULT_FESTIVAL_NAMES))
    festival_greeting_days: int = 7
    work_on_time_grace_minutes: float = 0.0  # work_on_time: clock-in at work_start + this is on time

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    @property
    def attendance_tz(self) -> ZoneInfo:
        return ZoneInfo(self.attendance_timezone or self.business_timezone)


MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class ConfigError(ValueError):
    pass


def _coerce(name: str, value: Any, default: Any, source: Path) -> Any:
    try:
        if isinstance(default, time):
            return time.fromisoformat(str(value))
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise TypeError("expected true or false")
            return value
        if isinstance(default, float):
            return float(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, str) or (default is None and name.endswith("timezone")):
            if not isinstance(value, str):
                raise TypeError("expected a string")
        if isinstance(default, dict) and name == "client_file_fields":  # field -> column(s)
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise TypeError('expected a table of field = "Column__c"')
            return {str(k): v for k, v in value.items()}
        if isinstance(default, dict):  # kpi_targets: standard -> rate
            if not isinstance(value, dict):
                raise TypeError("expected a table of standard = rate")
            return {str(k): float(v) for k, v in value.items()}
        if isinstance(default, list) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise TypeError("expected a list of strings")
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: setting {name!r}: {exc}") from exc
    return value


def with_overrides(settings: Settings, **values: Any) -> Settings:
    """The settings with what a command line or flow parameter overrides (values that are None or
    empty are left as the settings file has them), e.g. dask_address= from --dask."""
    given = {k: v for k, v in values.items() if v}
    return dataclasses.replace(settings, **given) if given else settings


def load_settings(path: str | Path | None = None) -> Settings:
    """Read aemetrics.toml (flat keys, plus [keywords] and [calendar] tables)."""
    settings = Settings()
    if path is None:
        return settings
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    known = {f.name: f for f in fields(Settings)}
    for key, value in data.items():
        if key == "keywords":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [keywords] must be a table of lists")
            for kind, words in value.items():
                if kind not in DEFAULT_KEYWORDS:
                    raise ConfigError(
                        f"{path}: unknown setting 'keywords.{kind}' (known: {', '.join(DEFAULT_KEYWORDS)})"
                    )
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    raise ConfigError(f"{path}: setting 'keywords.{kind}': expected a list of strings")
                settings.keywords[kind] = list(words)
        elif key == "calendar":
            _load_calendar(settings, value, path)
        elif key in ("client_file", "client_file_fields"):  # [client_file] fields = {brand = "Brand__c"}
            if key == "client_file" and (not isinstance(value, dict) or set(value) - {"fields"}):
                raise ConfigError(f'{path}: [client_file] holds one key, fields = {{brand = "Brand__c", ...}}')
            value = value.get("fields", {}) if key == "client_file" else value
            given = _coerce("client_file_fields", value, settings.client_file_fields, path)
            merged = {**settings.client_file_fields, **given}  # per field over the defaults; "" drops one
            settings.client_file_fields = {k: v for k, v in merged.items() if v.strip()}
        elif key in known and key not in {"keywords", "calendar_overrides", "holidays_file", "thresholds"}:
            setattr(settings, key, _coerce(key, value, getattr(settings, key), path))
        elif key in _registry_thresholds():  # a standard's threshold (its registry entry)
            default = _registry_thresholds()[key]
            settings.thresholds[key] = _coerce(key, value, float(default) if type(default) is int else default, path)
        else:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    try:
        _zones = (settings.tz, settings.attendance_tz)  # resolving a zone checks its name
    except Exception as exc:
        raise ConfigError(f"{path}: unknown time zone: {exc}") from exc
    if settings.site_language not in ("zh", "en", "zh-en"):
        raise ConfigError(f"{path}: site_language {settings.site_language!r} must be zh, en or zh-en")
    if settings.site_audience not in ("management", "ae"):
        raise ConfigError(f"{path}: setting 'site_audience': {settings.site_audience!r} must be management or ae")
    if not 0 < settings.equal_treatment_alpha < 1:
        raise ConfigError(
            f"{path}: setting 'equal_treatment_alpha': {settings.equal_treatment_alpha} must be between 0 and 1 "
            "(exclusive), e.g. 0.05"
        )
    for key, rule in RANGES.items():
        _check_range(path, key, getattr(settings, key), rule)
    for standard, rate in settings.kpi_targets.items():
        if standard not in STANDARD_IDS:
            raise ConfigError(
                f"{path}: unknown setting 'kpi_targets.{standard}' (known standards: {', '.join(STANDARD_IDS)})"
            )
        _check_range(path, f"kpi_targets.{standard}", rate, RANGES["kpi_target"])
    if settings.work_end <= settings.work_start:
        raise ConfigError(f"{path}: work_end {settings.work_end} must be after work_start {settings.work_start}")
    if settings.memory_limit and not MEMORY.match(settings.memory_limit):
        raise ConfigError(f'{path}: memory_limit {settings.memory_limit!r}: a size such as 3GB, 512MB or 8GiB (or "")')
    return settings


def _registry_thresholds() -> dict[str, Any]:
    """Every standard's threshold setting with its default (the registry: aemetrics/standards.py)."""
    from aemetrics.standards import RegistryError, threshold_defaults

    try:
        return threshold_defaults()
    except RegistryError as exc:
        raise ConfigError(f"the registry of standards is broken, so its settings are unknown: {exc}") from exc


def _load_calendar(settings: Settings, table: Any, path: Path) -> None:
    """[calendar]: holidays_file (relative to the config file) and days = {date = working?}."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [calendar] must be a table")
    for key in table:
        if key not in {"days", "holidays_file"}:
            raise ConfigError(f"{path}: unknown setting 'calendar.{key}' (known: days, holidays_file)")
    days = table.get("days", {})
    if not isinstance(days, dict):
        raise ConfigError(f"{path}: [calendar.days] must be a table of date = true/false")
    for day, working in days.items():
        try:
            parsed = date.fromisoformat(str(day))
        except ValueError:
            raise ConfigError(f"{path}: [calendar.days] {day!r} is not a date (YYYY-MM-DD)") from None
        if not isinstance(working, bool):
            raise ConfigError(f"{path}: [calendar.days] {day}: expected true (working day) or false (day off)")
        settings.calendar_overrides[parsed] = working
    if "holidays_file" in table:
        if not isinstance(table["holidays_file"], str):
            raise ConfigError(f"{path}: setting 'calendar.holidays_file': expected a path string")
        settings.holidays_file = (path.parent / table["holidays_file"]).resolve()
        if not settings.holidays_file.is_file():
            raise ConfigError(f"{path}: calendar.holidays_file {settings.holidays_file} not found")

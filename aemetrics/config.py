"""Settings from an optional aemetrics.toml; every value has a default that works.

See docs/configuration.md for every key.
"""
from __future__ import annotations

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
    "greeting": ["贺卡", "新年快乐", "节日快乐", "春节快乐", "中秋快乐", "greetings", "happy new year", "season's greetings"],
    "market_info": ["市场信息", "媒介信息", "市场动态", "market update", "media update", "market info"],
    "out_of_office": ["自动回复", "不在办公室", "休假", "out of office", "automatic reply", "auto reply", "autoreply", "vacation"],
}


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
    customer_type_prefixes: list[str] = field(default_factory=lambda: ["Customer"])
    parse_batch_size: int = 200  # files per Prefect task

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    @property
    def attendance_tz(self) -> ZoneInfo:
        return ZoneInfo(self.attendance_timezone or self.business_timezone)


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
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: setting {name!r}: {exc}") from exc
    return value


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
                settings.keywords[kind] = [str(w) for w in words]
        elif key == "calendar":
            for day, working in (value.get("days") or {}).items():
                settings.calendar_overrides[date.fromisoformat(str(day))] = bool(working)
            if "holidays_file" in value:
                settings.holidays_file = (path.parent / value["holidays_file"]).resolve()
        elif key in known and key not in {"keywords", "calendar_overrides", "holidays_file"}:
            setattr(settings, key, _coerce(key, value, getattr(settings, key), path))
        else:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    try:
        settings.tz
        settings.attendance_tz
    except Exception as exc:
        raise ConfigError(f"{path}: unknown time zone: {exc}") from exc
    return settings

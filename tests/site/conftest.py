"""A hand-made warehouse for the site, API and notebook tests.

The tables come from the real DDL and models (a build over no exports); the base marts are filled
with rows chosen so every figure can be worked out on paper; the KPI marts (kpi_weekly, kpi_standard_weekly,
kpi_team_weekly, ae_scorecard, kpi_tier_rates, kpi_tier_gaps) are built from them by the
project's SQL (build_kpi_marts). Business time zone Asia/Shanghai (UTC+8).
as_of = Wed 2025-10-15 10:00 local, so the week under review is 2025-W41 (Mon 10-06 – Sun
10-12), last week is W40 (09-29), and the 12-week window runs W30 (07-21) – W41.

W41 (the week under review)
  reply_12h    li.wei met 3 late 1 · zhang.min met 2 missed 1 · wang.fang met 4 · chen.jie excused 1
               → 9 / 11 = 81.8 %
  agenda_48h   li.wei met 1 · wang.fang missed 1            → 1 / 2 = 50 %
  minutes_24h  li.wei met 2 · zhang.min met 1 late 1         → 3 / 4 = 75 %
  monday_call  li.wei met 2 · zhang.min met 1 · wang.fang 1  → 4 / 4 = 100 %
  per AE: 李伟 8/9 = 88.9 %, 王芳 5/6 = 83.3 %, 张敏 4/6 = 66.7 %, 陈杰 nothing evaluated (—)
W40: reply_12h 3/4 = 75 %, minutes_24h 0/1 = 0 %, monday_call 2/2.
Late/missed replies by local opening time (window W30–W41): Fri 19h ×2 (W41), Sat 10h (W40),
  Tue 07h (W38; Mon 23:30 in UTC), Mon 00h (W30; Sunday in UTC); a W29 one is outside the window.
W42 (incomplete, not reviewed): one met reply, three open obligations (the at-risk list).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2025, 10, 15, 10, 0, tzinfo=TZ)

# Every table comes from the real DDL and models: the SQL build run over no exports (cached per
# session), its marts then emptied and filled with the rows below by column name. A column the
# models add or drop needs no change here (test_fixture_tables_are_the_real_models).
MARTS = [
    "obligations",
    "obligation_details",
    "at_risk",
    "aes",
    "run_info",
    "run_notes",
    "evidence_refs",
    "kpi_weekly",
    "kpi_standard_weekly",
    "kpi_team_weekly",
    "ae_scorecard",
    "kpi_tier_rates",
    "kpi_tier_gaps",
]
_EMPTY_BUILD: list[Path] = []


def _empty_build(path: Path) -> None:
    """A warehouse with every raw table and model of the real SQL, no rows in the marts."""
    import atexit
    import shutil
    import tempfile

    from aemetrics.build import build
    from aemetrics.config import Settings
    from aemetrics.warehouse import open_warehouse

    if not _EMPTY_BUILD:
        folder = tempfile.mkdtemp(prefix="aemetrics-empty-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Path(folder) / "empty.duckdb"
        con = open_warehouse(template)
        try:
            build(con, Settings(business_timezone="Asia/Shanghai"), AS_OF)
            for table in MARTS:
                con.execute(f'delete from "{table}"')
        finally:
            con.close()
        _EMPTY_BUILD.append(template)
    shutil.copyfile(_EMPTY_BUILD[0], path)


def _insert(con, table: str, **row) -> None:
    from aemetrics.warehouse import insert_rows

    insert_rows(con, table, [row])


AES = [
    ("li.wei@agency.cn", "李伟", "华东组", "zhao.lei@agency.cn"),
    ("zhang.min@agency.cn", "张敏", "华东组", "zhao.lei@agency.cn"),
    ("wang.fang@agency.cn", "王芳", "华北组", "sun.li@agency.cn"),
    ("chen.jie@agency.cn", "陈杰", "华北组", "sun.li@agency.cn"),
]
CLIENTS = {  # account -> (name, tier)
    "acc-A": ("华美食品", "A"),
    "acc-B": ("Blue Ocean Travel", "B"),
    "acc-C": ("小林文具", "C"),
    "acc-U": ("Nova Labs", "unknown"),
}
ESCAPE_SUBJECT = "回复：<b>报价</b> & 排期"  # must show as text, never as markup

# (n, standard, ae local part, account, opened local, hours to due, status, hours to fulfil, subject)
OBLIGATIONS = [
    # W41
    (1, "reply_12h", "li.wei", "acc-A", "2025-10-07 10:00", 12, "met", 2, "新品上市方案"),
    (2, "reply_12h", "li.wei", "acc-A", "2025-10-08 09:00", 12, "met", 1, "Re: 包装设计"),
    (3, "reply_12h", "li.wei", "acc-B", "2025-10-09 14:00", 12, "met", 3, "Flight promo banners"),
    (4, "reply_12h", "li.wei", "acc-A", "2025-10-10 19:30", 12, "late", 14, ESCAPE_SUBJECT),
    (5, "agenda_48h", "li.wei", "acc-A", "2025-10-06 09:00", 49, "met", 1, "会议议程 Q4 kickoff"),
    (6, "minutes_24h", "li.wei", "acc-B", "2025-10-07 17:00", 24, "met", 5, "Minutes: media plan"),
    (7, "minutes_24h", "li.wei", "acc-A", "2025-10-09 12:00", 24, "met", 20, "会议纪要"),
    (8, "monday_call", "li.wei", "acc-A", "2025-10-06 09:00", 15, "met", 1, None),
    (9, "monday_call", "li.wei", "acc-B", "2025-10-06 09:00", 15, "met", 2, None),
    (10, "reply_12h", "zhang.min", "acc-C", "2025-10-06 11:00", 12, "met", 4, "文具新品"),
    (11, "reply_12h", "zhang.min", "acc-C", "2025-10-08 15:00", 12, "met", 2, "回复: 样品"),
    (12, "reply_12h", "zhang.min", "acc-C", "2025-10-10 19:05", 12, "missed", None, "急：报价单"),
    (13, "minutes_24h", "zhang.min", "acc-U", "2025-10-07 16:00", 24, "met", 3, "Minutes"),
    (14, "minutes_24h", "zhang.min", "acc-C", "2025-10-09 18:00", 24, "late", 30, "会议记录"),
    (15, "monday_call", "zhang.min", "acc-C", "2025-10-06 09:00", 15, "met", 6, None),
    (16, "reply_12h", "wang.fang", "acc-B", "2025-10-06 10:00", 12, "met", 1, "Hotel package"),
    (17, "reply_12h", "wang.fang", "acc-B", "2025-10-07 10:00", 12, "met", 1, "Hotel package"),
    (18, "reply_12h", "wang.fang", "acc-B", "2025-10-08 10:00", 12, "met", 1, "Hotel package"),
    (19, "reply_12h", "wang.fang", "acc-U", "2025-10-09 10:00", 12, "met", 1, "Lab launch"),
    (20, "agenda_48h", "wang.fang", "acc-B", "2025-10-07 09:00", 24, "missed", None, None),
    (21, "monday_call", "wang.fang", "acc-B", "2025-10-06 09:00", 15, "met", 1, None),
    (22, "reply_12h", "chen.jie", "acc-U", "2025-10-08 13:00", 12, "excused", None, "Out of scope"),
    # W40
    (23, "reply_12h", "li.wei", "acc-A", "2025-09-29 10:00", 12, "met", 1, "国庆档期"),
    (24, "reply_12h", "li.wei", "acc-B", "2025-09-30 10:00", 12, "met", 2, "Visa ads"),
    (25, "reply_12h", "zhang.min", "acc-C", "2025-10-04 10:00", 12, "late", 20, "假期订单"),
    (26, "reply_12h", "wang.fang", "acc-B", "2025-09-29 11:00", 12, "met", 1, "Autumn deals"),
    (27, "minutes_24h", "li.wei", "acc-A", "2025-09-30 15:00", 24, "missed", None, None),
    (28, "monday_call", "li.wei", "acc-A", "2025-09-29 09:00", 15, "met", 1, None),
    (29, "monday_call", "zhang.min", "acc-C", "2025-09-29 09:00", 15, "met", 1, None),
    # W38, W30 (inside the window), W29 (outside)
    (30, "reply_12h", "li.wei", "acc-A", "2025-09-16 07:30", 12, "missed", None, "早班询价"),
    (31, "reply_12h", "wang.fang", "acc-B", "2025-09-15 10:00", 12, "met", 2, "Brochure"),
    (32, "reply_12h", "zhang.min", "acc-C", "2025-07-21 00:30", 12, "late", 13, "午夜来信"),
    (33, "reply_12h", "li.wei", "acc-A", "2025-07-20 23:00", 12, "late", 15, "周日晚"),
    # W42: the running week
    (34, "reply_12h", "li.wei", "acc-A", "2025-10-13 10:00", 12, "met", 1, "新周"),
    (35, "reply_12h", "li.wei", "acc-A", "2025-10-15 08:00", 12, "open", None, "今天的询问"),
    (36, "agenda_48h", "chen.jie", "acc-U", "2025-10-14 14:00", 48, "open", None, None),
    (37, "friday_client_report", "zhang.min", "acc-C", "2025-10-13 00:00", 120, "open", None, None),
]

MANIFEST = [  # source_file, kind, rows loaded, rows quarantined
    ("staff.csv", "staff", 4, 0),
    ("email/inbox.mbox", "email", 50, 2),
    ("email/b.eml", "email", 1, 1),
    ("email/card.msg", "email", 0, 1),
    ("calendar/team.ics", "calendar", 10, 1),
    ("crm/Account.csv", "crm", 4, 0),
    ("attendance/zoom.csv", "attendance", 3, 2),
    ("notes.txt", "unknown", 0, 1),
]
QUARANTINE = [  # ..., is_loaded: still in its raw table (loaded but unusable)
    ("email/inbox.mbox", "message 3", "no Date header", "email", True),
    ("email/inbox.mbox", "message 9", "no Date header", "email", True),
    ("email/b.eml", "file", "no Date header", "email", True),  # an .eml is record 'file', yet loaded
    ("email/card.msg", "file", "not an email: the .msg file is a contact", "email", False),
    ("calendar/team.ics", "event abc@x", "DTSTART 'junk' is not a date", "calendar", True),
    ("attendance/zoom.csv", "line 5", "unparseable join time '25:61'", "attendance", False),
    ("attendance/zoom.csv", "line 8", "unparseable join time '7:99'", "attendance", False),
    ("notes.txt", "file", "not an export: put files under email/, calendar/, crm/, attendance/", None, False),
]


CONFIRMED = {37: False}  # friday_client_report obligations: confirmed by phone the same day

# The KPI marts the site reads, built by the project's own SQL (sql/marts) over the hand-made
# obligation_details, aes and at_risk above: Python computes no KPI, not even in the fixture.
KPI_MARTS = ("kpi_weekly", "kpi_standard_weekly", "kpi_team_weekly", "ae_scorecard", "kpi_tier_rates", "kpi_tier_gaps")


def build_kpi_marts(con: duckdb.DuckDBPyConnection, settings=None, as_of: datetime = AS_OF) -> None:
    """(Re)build the KPI marts from the tables present, with run_params from `settings` (default Settings())."""
    from aemetrics.build import model_sql, write_parameters
    from aemetrics.config import Settings

    con.execute("set TimeZone = 'UTC'")
    con.execute((ROOT / "sql" / "macros.sql").read_text(encoding="utf-8"))
    write_parameters(con, settings or Settings(), as_of, as_of + timedelta(minutes=5))
    for name in KPI_MARTS:
        con.execute(f'create or replace table "{name}" as {model_sql(con, ROOT / "sql" / "marts" / f"{name}.sql")}')


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def build_fixture_warehouse(path: Path) -> Path:
    """Write the hand-made warehouse described above to `path` (replacing it)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    _empty_build(path)
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        for ae, name, team, supervisor in AES:
            _insert(con, "aes", ae=ae, name=name, team=team, supervisor_email=supervisor)
        names = {a[0].split("@")[0]: a for a in AES}
        for n, std, who, acct, opened_text, due_h, status, fulfil_h, subject in OBLIGATIONS:
            ae, ae_name, team, _ = names[who]
            opened = _local(opened_text)
            due = opened + timedelta(hours=due_h)
            fulfilled = opened + timedelta(hours=fulfil_h) if fulfil_h is not None else None
            y, w, _ = opened.isocalendar()
            week_start = opened.date() - timedelta(days=opened.weekday())
            late_h = max(0.0, (fulfilled - due).total_seconds() / 3600) if fulfilled and status == "late" else None
            evidence = f"<msg-{n}@client.example>" if fulfilled else None
            oid = f"ob-{n:02d}"
            common = dict(obligation_id=oid, standard=std, ae=ae, client_account=acct, opened_at=opened, due_at=due)
            _insert(con, "obligations", **common, fulfilled_at=fulfilled, status=status, evidence=evidence)
            _insert(
                con,
                "obligation_details",
                **common,
                ae_name=ae_name,
                team=team,
                client_name=CLIENTS[acct][0],
                client_tier=CLIENTS[acct][1],
                fulfilled_at=fulfilled,
                status=status,
                evidence=evidence,
                subject=subject,
                iso_year=y,
                iso_week=w,
                week_start=week_start,
                hours_to_fulfil=fulfil_h,
                hours_late=late_h,
                is_confirmed=CONFIRMED.get(n) if std == "friday_client_report" else None,
            )
            if status == "open":
                _insert(
                    con,
                    "at_risk",
                    **common,
                    client_name=CLIENTS[acct][0],
                    hours_left=(due - AS_OF).total_seconds() / 3600,
                    as_of=AS_OF,
                )
        build_kpi_marts(con)
        _insert(con, "run_info", as_of=AS_OF, built_at=AS_OF + timedelta(minutes=5), business_timezone="Asia/Shanghai")
        loaded = datetime(2025, 10, 15, 1, 0, tzinfo=UTC)
        for f, k, r, q in MANIFEST:
            _insert(
                con,
                "ingest_manifest",
                source_file=f,
                sha256="0" * 64,
                size_bytes=100,
                source_kind=k,
                parser=None,
                rows_loaded=r,
                rows_quarantined=q,
                loaded_at=loaded,
            )
        for source_file, record, reason, kind, is_loaded in QUARANTINE:
            _insert(
                con,
                "quarantine",
                source_file=source_file,
                record=record,
                reason=reason,
                source_kind=kind,
                quarantined_at=loaded,
                is_loaded=is_loaded,
            )
        con.executemany(
            "insert into validation_results values ('r1', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    loaded,
                    "ingest",
                    "raw_email_messages",
                    "expect_column_values_to_not_be_null",
                    "message_id",
                    True,
                    0,
                    None,
                    "quarantine",
                ),
                (
                    loaded,
                    "ingest",
                    "raw_attendance",
                    "expect_table_row_count_to_be_between",
                    None,
                    False,
                    None,
                    "3",
                    "warn",
                ),
            ],
        )
    finally:
        con.close()
    return path


def build_empty_warehouse(path: Path) -> Path:
    """Marts present but empty (a run over no data): every page must still render."""
    path = Path(path)
    path.unlink(missing_ok=True)
    _empty_build(path)
    con = duckdb.connect(str(path))
    try:
        _insert(con, "run_info", as_of=AS_OF, built_at=AS_OF, business_timezone="Asia/Shanghai")
    finally:
        con.close()
    return path


DEMO_AS_OF = datetime(2025, 12, 12, 20, 0, tzinfo=TZ)  # as `make demo` evaluates it: a Friday evening


def build_demo_warehouse(folder: Path) -> Path:
    """The demo agency's exports through ingest and the SQL build (plain functions, no Prefect).

    Built once per test session (cached in `folder`)."""
    from aemetrics.build import build
    from aemetrics.config import Settings
    from aemetrics.demo import generate_demo
    from aemetrics.ingest.runner import ingest_exports
    from aemetrics.warehouse import open_warehouse

    db = Path(folder) / "demo.duckdb"
    if db.is_file():
        return db
    exports = Path(folder) / "exports"
    generate_demo(exports, seed=7)
    work = db.with_suffix(".building")
    work.unlink(missing_ok=True)
    con = open_warehouse(work)
    try:
        ingest_exports(exports, con, Settings())
        build(con, Settings(), DEMO_AS_OF)
    finally:
        con.close()
    work.rename(db)
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.getbasetemp() / "aemetrics-demo")


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh") / "fixture.duckdb")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    return build_empty_warehouse(tmp_path / "empty.duckdb")


@pytest.fixture(scope="session")
def site(fixture_db, tmp_path_factory):
    """The bilingual site of the fixture warehouse, published once for the session."""
    from aemetrics.site import publish_site

    out = tmp_path_factory.mktemp("site")
    return publish_site(fixture_db, out, None, "zh-en")


class _TableText(HTMLParser):
    """Text of each row (th and td cells) of the table with a given id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: Path, table_id: str) -> list[list[str]]:
    """[header, row, row, ...] as the reader sees them (text only, whitespace collapsed)."""
    parser = _TableText(table_id)
    parser.feed(Path(page).read_text(encoding="utf-8"))
    if not parser.rows:
        raise AssertionError(f"{page}: no table with id {table_id!r}")
    return parser.rows


@pytest.fixture(scope="session")
def read_table():
    return table_rows


@pytest.fixture(scope="session")
def kpi_marts():
    """build_kpi_marts: rebuild the KPI marts of an open connection (e.g. with other settings)."""
    return build_kpi_marts

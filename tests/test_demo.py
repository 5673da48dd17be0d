"""The demo agency (aemetrics.demo): deterministic, in the real export formats, with its planted facts
readable back from the files by standard tools (mailbox/email, icalendar, csv) and by our parsers."""

from __future__ import annotations

import base64
import csv
import email
import email.header
import hashlib
import mailbox
import re
from collections import Counter
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from aemetrics.config import DEFAULT_KEYWORDS
from aemetrics.demo import DemoSummary, generate_demo, ground_truth
from aemetrics.demo import names as N
from aemetrics.demo.truth import rate
from aemetrics.demo.world import sf18

SH = ZoneInfo("Asia/Shanghai")
AGENCY = "@" + N.AGENCY_DOMAIN
STAFF_KEYS = [
    "lin.jianguo",
    "he.meiling",
    "gao.zhiqiang",
    "zhang.wei",
    "wang.fang",
    "li.na",
    "liu.yang",
    "chen.jing",
    "yang.lei",
    "zhao.min",
    "zhou.ting",
    "wu.hao",
    "xu.li",
    "sun.qiang",
    "ma.chao",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo")
    summary = generate_demo(out, seed=7)
    return out, summary


@pytest.fixture(scope="module")
def mail(demo) -> dict[str, list[email.message.Message]]:
    out, _ = demo
    return {p.stem: list(mailbox.mbox(p)) for p in sorted((out / "email").glob("*.mbox"))}


def _subject(msg: email.message.Message) -> str:
    # GB2312 labels are read as GB18030 (a superset), as mail readers must: Foxmail writes GBK under gb2312
    out = []
    for part, charset in email.header.decode_header(msg["Subject"]):
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(
                part.decode("gb18030" if charset and charset.lower() in ("gb2312", "gbk") else charset or "ascii")
            )
    return "".join(out)


def _local(msg: email.message.Message) -> datetime:
    return parsedate_to_datetime(msg["Date"]).astimezone(SH)


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ------------------------------------------------------------------ determinism, layout, period
def test_same_seed_writes_byte_identical_files(demo, tmp_path):
    out, _ = demo
    generate_demo(tmp_path / "again", seed=7)
    assert _digests(out) == _digests(tmp_path / "again")


def test_regenerating_removes_its_own_stale_files_and_keeps_the_users(demo, tmp_path):
    """A Zoom report of an earlier run (another seed) must not linger; a user's own file stays."""
    out, _ = demo
    stale = tmp_path / "attendance" / "zoom" / "participants_81000000000_20250101.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    (tmp_path / "notes.txt").write_text("mine")
    generate_demo(tmp_path, seed=7)
    assert not stale.exists()
    assert _digests(tmp_path) == {**_digests(out), "notes.txt": hashlib.sha256(b"mine").hexdigest()}


def test_every_message_lies_in_the_summarys_period(demo, mail):
    """16 weeks, Monday to Sunday, exported the Monday after; every message is dated inside them, except the
    first client meeting's agenda, sent the Friday before. (This test asserted a wall-clock time instead.)"""
    _, s = demo
    assert s.period_start.isoweekday() == 1 and (s.period_end - s.period_start).days == 16 * 7 - 1
    assert s.export_at.astimezone(SH).date() == s.period_end + timedelta(days=1)
    dates = [parsedate_to_datetime(m["Date"]) for msgs in mail.values() for m in msgs]
    assert len(dates) == s.message_copies
    assert min(dates).astimezone(SH).date() == s.period_start - timedelta(days=3)
    assert max(dates) < s.export_at and max(dates).astimezone(SH).date() == s.period_end


def test_layout_is_the_exports_folder_ingest_expects(demo):
    out, summary = demo
    files = set(_digests(out))
    top = {f for f in files if "/" not in f}
    assert top == {"staff.csv"}  # the README is beside the folder (issue 13: it was listed as an unknown file)
    assert {f for f in files if f.startswith("email/")} == {f"email/{k}.mbox" for k in STAFF_KEYS}
    assert {f for f in files if f.startswith("calendar/")} == {f"calendar/{k}.ics" for k in STAFF_KEYS}
    assert {f for f in files if f.startswith("crm/")} == {
        "crm/User.csv",
        "crm/Account.csv",
        "crm/Contact.csv",
        "crm/Task.csv",
        # the other standards' objects (aemetrics/demo/extras.py)
        "crm/Case.csv",
        "crm/WorkOrder.csv",
        "crm/Quote.csv",
        "crm/Opportunity.csv",
        "crm/ProcessInstance.csv",
    }
    assert {f for f in files if f.startswith("attendance/dingtalk/")} == {"attendance/dingtalk/考勤报表.xlsx"}
    zoom = {f for f in files if f.startswith("attendance/") and not f.startswith("attendance/dingtalk/")}
    assert all(re.fullmatch(r"attendance/zoom/participants_\d{11}_2025\d{4}\.csv", f) for f in zoom)
    assert len(zoom) == summary.zoom_reports > 200
    assert set(summary.files) == files


def test_sizes_are_realistic_but_bounded(demo):
    _, s = demo
    assert (s.staff, s.aes, s.supervisors) == (15, 12, 3)
    assert (s.customers, s.prospects) == (62, 15)
    assert 150 <= s.contacts <= 300
    assert 6000 <= s.message_copies <= 11000 and s.messages < s.message_copies
    assert 1000 <= s.tasks <= 2500


# ------------------------------------------------------------------ counts read back with the standard library
def test_mailbox_counts_and_message_ids_match_the_summary(demo, mail):
    out, s = demo
    ids = set()
    for key, msgs in mail.items():
        assert len(msgs) == s.files[f"email/{key}.mbox"]
        ids |= {m["Message-ID"] for m in msgs}
    assert sum(len(v) for v in mail.values()) == s.message_copies
    assert len(ids) == s.messages


def test_mboxrd_from_escaping_keeps_english_body_lines_inside_their_message(demo, mail):
    """English client mail has a body line 'From our side ...': escaped '>From', never a new message."""
    out, _ = demo
    raw = (out / "email" / "li.na.mbox").read_text(encoding="ascii")
    separators = len(re.findall(r"^From \d+@xxx ", raw, re.M))
    assert separators == len(mail["li.na"])
    escaped = [m for key in mail for m in mail[key] if ">From our side" in m.get_payload()]
    assert escaped and all(m["From"] for m in escaped)


def test_calendar_vevent_counts_match_the_summary(demo):
    out, s = demo
    total = 0
    for key in STAFF_KEYS:
        cal = icalendar.Calendar.from_ical((out / "calendar" / f"{key}.ics").read_bytes())
        n = len(cal.walk("VEVENT"))
        assert n == s.files[f"calendar/{key}.ics"]
        total += n
    assert total == s.vevents


def test_csv_row_counts_match_the_summary(demo):
    out, s = demo
    for name in ("User", "Account", "Contact", "Task", "Case", "WorkOrder", "Quote", "Opportunity", "ProcessInstance"):
        with open(out / "crm" / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == s.files[f"crm/{name}.csv"]
    rows = 0
    for p in (out / "attendance" / "zoom").glob("*.csv"):
        lines = p.read_text(encoding="utf-8-sig").split("\n")
        rows += len([x for x in lines[4:] if x])
    assert rows == s.attendance_rows


# ------------------------------------------------------------------ planted facts, read back
def test_gb2312_encoded_subject_decodes_to_the_intended_chinese(demo, mail):
    """A Foxmail client's inquiry: =?gb2312?B?...?= decodes to one of the inquiry subjects about its brand."""
    out, _ = demo
    with open(out / "crm" / "Account.csv", encoding="utf-8-sig", newline="") as fh:
        brands = [r["Brand__c"] for r in csv.DictReader(fh)]
    intended = {t.format(brand=b) for t in N.INQUIRY_SUBJECTS for b in brands}
    hits = [m for m in mail["zhang.wei"] if m["Subject"].startswith("=?gb2312?B?") and AGENCY not in m["From"]]
    decoded = {_subject(m) for m in hits}
    assert decoded & intended
    assert all(re.search(r"[\u4e00-\u9fff]", d) for d in decoded)


def test_gbk_characters_under_a_gb2312_label_need_gbk_to_decode(demo):
    """Foxmail writes 喆/堃 (outside GB2312) as GBK bytes but still labels them gb2312."""
    out, _ = demo
    words = set()
    for p in (out / "email").glob("*.mbox"):
        words |= set(re.findall(r"=\?gb2312\?B\?([A-Za-z0-9+/=]+)\?=", p.read_text(encoding="ascii")))
    mislabelled = []
    for w in words:
        raw = base64.b64decode(w)
        try:
            raw.decode("gb2312")
        except UnicodeDecodeError:
            mislabelled.append(raw.decode("gbk"))
    assert any(ch in "".join(mislabelled) for ch in "喆堃玥珺")


def test_other_chinese_charsets_and_reply_prefixes_are_present(mail):
    raw_subjects = [m["Subject"] for msgs in mail.values() for m in msgs]
    for label in ("=?GBK?B?", "=?gb18030?B?", "=?UTF-8?Q?", "=?UTF-8?B?"):
        assert any(s.startswith(label) or f"\n {label}" in s for s in raw_subjects), label
    decoded = {_subject(m) for msgs in mail.values() for m in msgs}
    for prefix in ("Re: ", "RE: ", "回复: ", "回复：", "答复: ", "Re:"):
        assert any(d.startswith(prefix) for d in decoded), prefix


def test_dates_carry_shanghai_offset_except_outlook_which_writes_utc(mail):
    zones = Counter()
    for msgs in mail.values():
        for m in msgs:
            zone = m["Date"].rsplit(" ", 1)[1]
            zones[zone] += 1
            if zone == "+0000":
                assert "Outlook" in (m["X-Mailer"] or "")
    assert set(zones) == {"+0800", "+0000"} and zones["+0800"] > zones["+0000"]


def test_make_up_saturday_11_oct_and_sunday_28_sep_carry_friday_reports(mail):
    """Week 41's last working day is the make-up Saturday; week 39's is the make-up Sunday."""
    words = DEFAULT_KEYWORDS["weekly_report"]
    by_day = Counter()
    for key in STAFF_KEYS[3:]:
        for m in mail[key]:
            if AGENCY in m["From"] and any(w.lower() in _subject(m).lower() for w in words):
                by_day[_local(m).date()] += 1
    assert by_day[date(2025, 10, 11)] >= 10
    assert by_day[date(2025, 9, 28)] >= 10
    assert by_day[date(2025, 9, 30)] >= 10  # week 40 ends on Tuesday 30 Sep (holiday from 1 Oct)
    assert by_day[date(2025, 10, 6)] == 0 or by_day[date(2025, 10, 6)] < by_day[date(2025, 10, 11)]


def test_supervisor_reports_go_to_the_supervisor_from_the_staff_directory(demo, mail):
    out, _ = demo
    with open(out / "staff.csv", encoding="utf-8-sig", newline="") as fh:
        sup = {r["email"]: r["supervisor_email"] for r in csv.DictReader(fh) if r["role"] == "ae"}
    reports = [m for m in mail["lin.jianguo"] if "下周工作计划" in _subject(m) and "lin.jianguo" not in m["From"]]
    assert len(reports) > 30
    for m in reports:
        sender = email.utils.parseaddr(m["From"])[1]
        assert sup[sender] == "lin.jianguo" + AGENCY


def test_out_of_office_replies_while_xu_li_is_on_leave(mail):
    ooo = [m for m in mail["xu.li"] if m["Auto-Submitted"] == "auto-replied" and "xu.li" in m["From"]]
    assert ooo
    assert all(_subject(m).startswith("自动回复: ") for m in ooo)
    assert all(date(2025, 11, 7) <= _local(m).date() <= date(2025, 11, 16) for m in ooo)
    assert all(m["In-Reply-To"] for m in ooo)


def test_client_auto_replies_over_national_day_some_marked_only_by_subject(mail):
    auto = [
        m
        for msgs in mail.values()
        for m in msgs
        if AGENCY not in m["From"] and (m["Auto-Submitted"] or m["X-Autoreply"])
    ]
    assert auto and all(date(2025, 9, 30) <= _local(m).date() <= date(2025, 10, 8) for m in auto)
    subject_only = [m for m in auto if not m["Auto-Submitted"]]
    assert subject_only and all(_subject(m).startswith("自动回复：") for m in subject_only)


def test_bulk_mail_and_one_bcc_newsletter_in_every_mailbox(mail):
    bulk = [m for msgs in mail.values() for m in msgs if m["Precedence"] == "bulk"]
    assert bulk and all(m["List-Id"] for m in bulk)
    digest_ids = [{m["Message-ID"] for m in msgs if m["To"] == "undisclosed-recipients:;"} for msgs in mail.values()]
    common = set.intersection(*digest_ids)
    assert len(common) == 16  # one per week, the same Message-ID in all 15 mailboxes


def test_a_copied_colleague_holds_the_same_message(mail):
    ae = {m["Message-ID"] for m in mail["zhang.wei"]}
    mate = {m["Message-ID"] for m in mail["wang.fang"]}
    sup = {m["Message-ID"] for m in mail["lin.jianguo"]}
    assert ae & mate and ae & sup


def test_replies_thread_with_in_reply_to_and_references(mail):
    by_id = {m["Message-ID"]: m for msgs in mail.values() for m in msgs}
    replies = [m for m in by_id.values() if m["In-Reply-To"]]
    assert len(replies) > 1000
    for m in replies[:500]:
        refs = m["References"].split()
        assert refs[-1] == m["In-Reply-To"]
    outlook_dropped = [
        m
        for m in by_id.values()
        if m["Thread-Index"] and not m["In-Reply-To"] and re.match(r"(答复|RE): ", _subject(m))
    ]
    assert outlook_dropped  # Outlook replies without threading headers


def test_recurring_series_has_holiday_exdates_and_a_moved_occurrence(demo):
    out, _ = demo
    cal = icalendar.Calendar.from_ical((out / "calendar" / "zhang.wei.ics").read_bytes())
    assert str(cal["PRODID"]) == "-//Google Inc//Google Calendar 70.9054//EN"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    series = [
        e
        for e in cal.walk("VEVENT")
        if "RRULE" in e and any("@" in str(a) and AGENCY not in str(a) for a in e.get("ATTENDEE", []))
    ]
    assert series
    exdates = []
    for e in series:
        ex = e.get("EXDATE", [])
        for prop in ex if isinstance(ex, list) else [ex]:
            exdates += [d.dt for d in prop.dts]
    assert any(date(2025, 10, 1) <= d.date() <= date(2025, 10, 8) for d in exdates)
    expanded = recurring_ical_events.of(cal).between(datetime(2025, 10, 1, tzinfo=SH), datetime(2025, 10, 9, tzinfo=SH))
    assert not [e for e in expanded if e.get("RRULE") is not None or e.get("RECURRENCE-ID") is not None]
    moved = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e and e["DTSTART"].dt != e["RECURRENCE-ID"].dt]
    assert moved and all(int(e["SEQUENCE"]) >= 1 for e in moved)
    split = [e for e in cal.walk("VEVENT") if "_R2025" in str(e["UID"])]
    assert split  # Google's "this and following events"


def test_expanded_calendars_hold_exactly_the_summarys_client_meetings(demo):
    """Expand every .ics (recurrences, EXDATE, overrides), drop duplicates across calendars (same UID)."""
    out, s = demo
    export = s.export_at
    seen = set()
    for key in STAFF_KEYS:
        cal = icalendar.Calendar.from_ical((out / "calendar" / f"{key}.ics").read_bytes())
        for e in recurring_ical_events.of(cal).between(datetime(2025, 8, 1, tzinfo=SH), export):
            attendees = [str(a).lower() for a in (e.get("ATTENDEE") or [])]
            if str(e.get("STATUS")) == "CANCELLED" or not any(AGENCY not in a for a in attendees):
                continue
            seen.add((str(e["UID"]), e["DTSTART"].dt))
    assert len(seen) == s.client_meetings


def test_zoom_links_and_meeting_ids_in_calendar_and_reports_agree(demo):
    out, _ = demo
    ics = "".join(p.read_text(encoding="utf-8").replace("\r\n ", "") for p in (out / "calendar").glob("*.ics"))
    assert re.search(r"LOCATION:https://zoom\.us/j/\d{11}\?pwd=", ics)
    assert re.search(r"Meeting ID: \d{3} \d{4} \d{4}", ics)
    linked = set(re.findall(r"zoom\.us/j/(\d{11})", ics))
    for p in sorted((out / "attendance" / "zoom").glob("*.csv"))[:40]:
        lines = p.read_text(encoding="utf-8-sig").split("\n")
        assert lines[0] == "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants"
        assert lines[2] == ""
        assert lines[3] == "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"
        summary = next(csv.reader([lines[1]]))
        assert summary[0] in linked
        assert re.fullmatch(r"\d\d/\d\d/2025 1?\d:\d\d:\d\d [AP]M", summary[2])
        assert summary[4].endswith(AGENCY)


def test_late_zoom_joins_are_planted_for_yang_lei(demo):
    _, s = demo
    on_time = s.truth["on_time"]
    assert rate(on_time["yang.lei"]) < 0.7 < min(rate(c) for ae, c in on_time.items() if ae != "yang.lei")


def test_salesforce_export_layout_ids_and_timestamps(demo):
    out, _ = demo
    prefixes = {"User": "005", "Account": "001", "Contact": "003", "Task": "00T"}
    for name, prefix in prefixes.items():
        raw = (out / "crm" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
        for r in rows:
            assert len(r["Id"]) == 18 and r["Id"].startswith(prefix) and sf18(r["Id"][:15]) == r["Id"]
            assert re.fullmatch(r"2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000", r["CreatedDate"])
    with open(out / "crm" / "Account.csv", encoding="utf-8-sig", newline="") as fh:
        types = Counter(r["Type"] for r in csv.DictReader(fh))
    assert set(types) == {"Customer - Direct", "Customer - Channel", "Prospect"} and types["Prospect"] == 15
    with open(out / "crm" / "Task.csv", encoding="utf-8-sig", newline="") as fh:
        tasks = list(csv.DictReader(fh))
    calls = [t for t in tasks if t["TaskSubtype"] == "Call" and t["CallType"] == "Outbound"]
    assert len(calls) > 900 and any(not t["CompletedDateTime"] for t in calls)  # some log only ActivityDate
    monday_week41 = [t for t in calls if t["ActivityDate"] == "2025-10-09" and "周一" in t["Subject"]]
    assert monday_week41  # Monday call of the holiday week falls on Thursday 9 Oct
    with open(out / "crm" / "User.csv", encoding="utf-8-sig", newline="") as fh:
        users = list(csv.DictReader(fh))
    assert [u["IsActive"] for u in users].count("false") == 1  # the AE who left still owns accounts


def test_staff_csv_is_excel_saved_and_consistent(demo):
    out, _ = demo
    raw = (out / "staff.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    sups = {r["email"] for r in rows if r["role"] == "supervisor"}
    aes = [r for r in rows if r["role"] == "ae"]
    assert len(sups) == 3 and len(aes) == 12 and {r["supervisor_email"] for r in aes} == sups
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@xingheadv\.com\.cn", r["email"]) for r in rows)


def test_inquiry_and_proposal_subjects_carry_no_classification_keyword():
    """Otherwise an ordinary client question would count as an agenda, minutes or report."""
    words = [
        w.lower()
        for kind in (
            "agenda",
            "minutes",
            "weekly_report",
            "supervisor_report",
            "greeting",
            "market_info",
            "out_of_office",
        )
        for w in DEFAULT_KEYWORDS[kind]
    ]
    for template in N.INQUIRY_SUBJECTS + N.INQUIRY_SUBJECTS_EN + N.PROPOSAL_SUBJECTS + N.VENDOR_SUBJECTS:
        assert not [w for w in words if w in template.lower()], template


def test_ground_truth_shows_the_planted_behaviours(demo):
    _, s = demo
    t = s.truth
    reply = {ae: rate(c) for ae, c in t["reply_12h"].items()}
    assert reply["li.na"] < 0.5 < 0.8 < reply["zhang.wei"]
    assert min(reply, key=reply.get) == "li.na"
    assert min(t["agenda_48h"], key=lambda ae: rate(t["agenda_48h"][ae])) == "wang.fang"
    assert min(t["monday_call"], key=lambda ae: rate(t["monday_call"][ae])) == "wu.hao"
    assert min(t["friday_client_report"], key=lambda ae: rate(t["friday_client_report"][ae])) == "ma.chao"
    assert min(t["friday_supervisor_report"], key=lambda ae: rate(t["friday_supervisor_report"][ae])) == "chen.jing"
    assert rate(t["minutes_24h"]["zhao.min"]) < 0.6
    assert s.intent["minutes_24h"]["zhao.min"]["missing"] > 2


def test_liu_yang_improves_after_the_october_coaching_mail(demo, mail):
    """Ground-truth reply_12h rate of liu.yang: poor in September, good from mid-November."""
    _, s = demo
    rows = [o for o in s.obligations if o["standard"] == "reply_12h" and o["ae"] == "liu.yang"]

    def share(lo: date, hi: date) -> float:
        part = [o["status"] for o in rows if lo <= o["opened_at"].astimezone(SH).date() < hi]
        return part.count("met") / len(part)

    assert share(date(2025, 8, 25), date(2025, 10, 1)) < 0.5 < 0.75 < share(date(2025, 11, 10), date(2025, 12, 15))
    coaching = [m for m in mail["liu.yang"] if _subject(m) == "关于客户邮件回复时效"]
    assert [_local(m).date() for m in coaching] == [date(2025, 10, 13)]


def test_reply_obligations_point_at_client_messages_in_the_mailboxes(demo, mail):
    _, s = demo
    ids = {m["Message-ID"].strip("<>") for msgs in mail.values() for m in msgs}
    keys = [o["key"] for o in s.obligations if o["standard"] == "reply_12h"]
    assert len(keys) > 1000 and set(keys) <= ids


def test_ground_truth_as_of_an_earlier_instant_sees_nothing_later():
    """As of Friday 12 Dec 20:00 (the Makefile's --as-of): no obligation opens later, no evidence is
    dated later, and the week still running has open obligations."""
    as_of = datetime(2025, 12, 12, 20, 0, tzinfo=SH)
    rows = ground_truth(7, as_of)
    assert rows and all(r["opened_at"] <= as_of for r in rows)
    assert all(r["fulfilled_at"] is None or r["fulfilled_at"] <= as_of for r in rows)
    week50 = [r for r in rows if r["standard"] == "friday_client_report" and r["key"].endswith("/2025-12-08")]
    assert Counter(r["status"] for r in week50)["open"] > 0
    assert not [r for r in rows if r["status"] == "open" and r["due_at"] < as_of]


def test_ground_truth_at_the_export_is_the_summarys(demo):
    _, s = demo
    assert ground_truth(7) == s.obligations


def test_readme_lists_the_planted_behaviours_and_the_truth(demo):
    out, s = demo
    from aemetrics.demo import readme_path

    assert not (out / "README.md").exists()
    text = readme_path(out).read_text(encoding="utf-8")
    assert readme_path(out) == out.parent / f"{out.name}-README.md"
    for needle in ("li.na", "wang.fang", "11 October", "reply_12h", "undisclosed-recipients", str(s.message_copies)):
        assert needle in text


# ------------------------------------------------------------------ our own parsers
def test_every_generated_file_loads_with_the_ingest_parsers_without_quarantine(demo):
    """The whole exports folder through aemetrics.ingest (runner.parse_file): rows, and nothing quarantined
    (issue 13: the README inside the folder was quarantined as an unknown file; it is beside it now)."""
    from aemetrics.config import Settings
    from aemetrics.ingest import runner

    out, s = demo
    rows: Counter = Counter()
    quarantined = []
    for src in runner.discover(out):
        assert src.kind != "unknown", src.rel
        result = runner.parse_file(src, Settings())
        quarantined += [(src.rel, rec, why) for rec, why in result.quarantined]
        for table, items in result.rows.items():
            rows[table] += len(items)
    assert quarantined == []
    assert rows["raw_email_messages"] == s.message_copies
    assert rows["raw_staff"] == s.staff
    assert rows["raw_crm_accounts"] == s.accounts and rows["raw_crm_contacts"] == s.contacts
    assert rows["raw_crm_activities"] == s.tasks and rows["raw_crm_users"] == s.crm_users
    assert rows["raw_attendance"] == s.attendance_rows
    # the other standards' exports (aemetrics/demo/extras.py)
    assert rows["raw_clock_ins"] == s.clock_rows > 1000
    for table, name in (
        ("raw_crm_cases", "Case"),
        ("raw_crm_work_orders", "WorkOrder"),
        ("raw_crm_quotes", "Quote"),
        ("raw_crm_opportunities", "Opportunity"),
        ("raw_crm_approvals", "ProcessInstance"),
    ):
        assert rows[table] == s.files[f"crm/{name}.csv"] > 0, table


def test_the_other_standards_have_met_late_and_missed_cases_in_the_truth(demo):
    """issue 11: each standard the demo's extra exports feed has met, late and missed obligations;
    work_on_time also has a leave day (excused) and a make-up working day (调休, 2025-09-28 Sunday)."""
    _, s = demo
    for standard in ("work_order", "estimate_first", "same_day_close", "work_on_time"):
        per_ae = s.truth[standard]
        assert all(sum(per_ae[ae][k] for ae in per_ae) > 0 for k in ("met", "late", "missed")), standard
    clock_days = {r["key"].split("/")[1] for r in s.obligations if r["standard"] == "work_on_time"}
    assert "2025-09-28" in clock_days and "2025-10-01" not in clock_days
    assert any(r["status"] == "excused" for r in s.obligations if r["standard"] == "work_on_time")


def test_parsed_mail_keeps_the_decoded_subjects_and_shanghai_times(demo):
    from aemetrics.config import Settings
    from aemetrics.ingest import email as email_parser
    from aemetrics.ingest.base import SourceFile

    out, _ = demo
    path = out / "email" / "xu.li.mbox"
    res = email_parser.parse(SourceFile(path, "email/xu.li.mbox", "email"), Settings())
    msgs = res.rows["raw_email_messages"]
    assert not res.quarantined
    # xu.li's client 堃元 writes from Foxmail: GBK bytes under a gb2312 label, decoded intact
    gbk_under_gb2312 = [m for m in msgs if "堃元" in m["subject"] and not m["from_addr"].endswith(AGENCY)]
    assert gbk_under_gb2312 and all("\ufffd" not in m["subject"] for m in msgs)
    ooo = [m for m in msgs if m["auto_submitted"] == "auto-replied" and m["from_addr"] == "xu.li" + AGENCY]
    assert ooo and all(m["subject"].startswith("自动回复") for m in ooo)
    assert all(m["sent_at"].utcoffset() == timedelta(0) for m in msgs)

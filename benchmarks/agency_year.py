"""A deterministic agency-year: N account executives x 52 weeks, in the real export formats.

    .venv/bin/python benchmarks/agency_year.py OUT --aes 100 [--weeks 52] [--seed 1]

The same shape as the demo agency's mail (aemetrics.demo), at scale: per AE one Gmail-style
mbox and one Google Calendar .ics, plus staff.csv and a Salesforce export (User, Account,
Contact, Task). Every week each AE has client threads with replies (most within hours, some
late, some never), an agenda before the weekly client meeting and minutes after it, a weekly
report to the client and one to the supervisor, internal mail with a colleague (in both
mailboxes) and list mail. Subjects and names are Chinese in RFC 2047 (UTF-8 and GBK), as the
demo writes them (aemetrics.demo.mail.header_text / address_list); bodies are short base64
text. The same arguments write byte-identical files. About 2,000 messages per AE-year.
"""

from __future__ import annotations

import argparse
import base64
import random
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from aemetrics.demo.files import ACCOUNT_COLS, BOM, CONTACT_COLS, TASK_COLS, USER_COLS, _csv, _write_sf, sf_time
from aemetrics.demo.mail import address_list, header_text

SH = timezone(timedelta(hours=8))
START = date(2025, 1, 6)  # a Monday
AGENCY = "xingheadv.com.cn"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
]
BRANDS = ["智诚", "安然", "美捷", "润泽", "恒信", "星光", "华彩", "天悦", "万象", "嘉禾", "鼎盛", "和光"]
INDUSTRY = ["饮料", "酒业", "汽车", "家电", "美妆", "食品", "地产", "服饰"]
TOPICS = ["活动方案", "投放排期", "报价单 确认", "预算调整", "创意提案", "媒介计划", "素材修改", "合同条款"]


@dataclass(frozen=True)
class Party:
    name: str
    email: str
    is_staff: bool = False
    mailer: str = ""


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _b64(text: str) -> str:
    raw = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return "\n".join(raw[i : i + 76] for i in range(0, len(raw), 76))


class Agency:
    def __init__(self, n_aes: int, weeks: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.weeks = weeks
        n_sup = max(1, -(-n_aes // 10))
        self.supervisors = [Party(_name(self.rng), f"sup{i:04d}@{AGENCY}", True) for i in range(n_sup)]
        self.aes = [Party(_name(self.rng), f"ae{i:04d}@{AGENCY}", True) for i in range(n_aes)]
        self.supervisor_of = {ae.email: self.supervisors[i // 10] for i, ae in enumerate(self.aes)}
        # four client accounts per AE, two contacts each
        self.accounts: dict[str, list[tuple[str, str, list[Party]]]] = {}
        for i, ae in enumerate(self.aes):
            rows = []
            for k in range(4):
                brand = f"{self.rng.choice(BRANDS)}{self.rng.choice(INDUSTRY)}{i:04d}{k}"
                domain = f"client{i:04d}{k}.com.cn"
                contacts = [Party(_name(self.rng), f"c{j}@{domain}") for j in range(2)]
                rows.append((f"001A{i:05d}{k:02d}AAA", brand, contacts))
            self.accounts[ae.email] = rows
        self.boxes: dict[str, list[tuple[datetime, str]]] = {ae.email: [] for ae in self.aes}
        self.events: dict[str, list[str]] = {ae.email: [] for ae in self.aes}
        self.tasks: list[dict[str, object]] = []
        self.n_msg = 0

    # ---------------------------------------------------------------- mail
    def message(
        self,
        when: datetime,
        sender: Party,
        to: list[Party],
        subject: str,
        body: str,
        *,
        cc: list[Party] = (),
        reply_to: list[str] = (),
        thread: str = "",
        bulk: bool = False,
    ) -> str:
        self.n_msg += 1
        msg_id = f"{when:%Y%m%d%H%M%S}.{self.n_msg:08x}@{sender.email.split('@')[1]}"
        charset = "gbk" if self.n_msg % 3 == 0 else "utf-8"
        head = [
            "MIME-Version: 1.0",
            f"Date: {format_datetime(when)}",
            f"Message-ID: <{msg_id}>",
            f"Subject: {header_text(subject, charset)}",
            f"From: {address_list([sender], charset)}",
            f"To: {address_list(list(to), charset)}",
        ]
        if cc:
            head.append(f"Cc: {address_list(list(cc), charset)}")
        if reply_to:
            head.append(f"In-Reply-To: <{reply_to[-1]}>")
            head.append("References: " + "\n ".join(f"<{r}>" for r in reply_to))
        if bulk:
            head += ["Precedence: bulk", f"List-Id: <weekly.{sender.email.split('@')[1]}>"]
        head += ['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: base64"]
        text = "\n".join(head) + "\n\n" + _b64(body) + "\n"
        utc = when.astimezone(UTC)
        for party in [sender, *to, *cc]:
            box = self.boxes.get(party.email)
            if box is not None:
                thrid = zlib.crc32(f"{party.email}/{thread or msg_id}".encode()) * 7919
                stamp = f"From {self.n_msg}@xxx {utc:%a %b %d %H:%M:%S +0000 %Y}\nX-GM-THRID: {thrid}\n"
                box.append((utc, stamp + text))
        return msg_id

    def week(self, w: int) -> None:
        monday = START + timedelta(weeks=w)
        for i, ae in enumerate(self.aes):
            rng = random.Random(f"{w}/{i}")
            sup = self.supervisor_of[ae.email]
            accounts = self.accounts[ae.email]
            colleague = self.aes[(i + 1) % len(self.aes)]

            def at(day: int, hour: float, monday: date = monday) -> datetime:
                base = datetime(monday.year, monday.month, monday.day, tzinfo=SH) + timedelta(days=day)
                return base + timedelta(hours=hour)

            for t in range(6):  # client threads: inquiry, answer, follow-up, answer
                acc_id, brand, contacts = accounts[rng.randrange(4)]
                client = contacts[rng.randrange(2)]
                subject = f"{brand} {rng.choice(TOPICS)} 第{w + 1}周-{t}"
                opened = at(rng.randrange(5), 9 + rng.random() * 9)
                ids = [self.message(opened, client, [ae], subject, f"{ae.name}您好，请确认{subject}。", thread=subject)]
                delay = rng.choice([0.5, 1, 2, 3, 5, 8, 20, 40]) if rng.random() < 0.92 else None
                if delay is None:
                    continue
                ids.append(
                    self.message(
                        opened + timedelta(hours=delay),
                        ae,
                        [client],
                        "回复：" + subject,
                        f"{client.name}您好，已收到，稍后给您方案。",
                        reply_to=ids,
                        thread=subject,
                    )
                )
                if rng.random() < 0.6:
                    follow = opened + timedelta(hours=delay + 2 + rng.random() * 20)
                    ids.append(
                        self.message(
                            follow, client, [ae], "回复：" + subject, "好的，谢谢。", reply_to=ids, thread=subject
                        )
                    )
                    self.message(
                        follow + timedelta(hours=rng.choice([1, 3, 6, 16])),
                        ae,
                        [client],
                        "回复：" + subject,
                        "收到。",
                        reply_to=ids,
                        thread=subject,
                    )
            # the weekly client meeting (Thursday 15:00): agenda before, minutes after, in the calendar
            acc_id, brand, contacts = accounts[w % 4]
            start = at(3, 15)
            title = f"{brand} 双周会 {start:%m月%d日}"
            agenda_at = start - timedelta(hours=rng.choice([20, 30, 50, 72]))
            self.message(agenda_at, ae, contacts, f"【议程】{title}", "1. 上周回顾\n2. 本周重点", cc=[sup])
            if rng.random() < 0.85:
                self.message(
                    start + timedelta(hours=rng.choice([3, 18, 30])), ae, contacts, f"会议纪要：{title}", "纪要见下。"
                )
            self.events[ae.email].append(self.vevent(f"w{w}-ae{i}@aemetrics.bench", title, start, ae, contacts))
            # weekly reports: to the client (Friday) and to the supervisor
            self.message(at(4, 17), ae, [contacts[0]], f"{brand} 本周工作进度报告 第{w + 1}周", "进度如下。")
            self.message(at(4, 18), ae, [sup], f"周报 {ae.name} 第{w + 1}周", "本周完成，下周计划。")
            # internal mail with a colleague (in both mailboxes) and list mail
            for k in range(4):
                sent = at(rng.randrange(5), 10 + rng.random() * 7)
                ref = self.message(sent, ae, [colleague], f"内部：素材确认 {w}-{k}", "请看附件说明。")
                self.message(
                    sent + timedelta(hours=1), colleague, [ae], f"回复：内部：素材确认 {w}-{k}", "好。", reply_to=[ref]
                )
            news = Party("媒介周刊", "newsletter@meijie-weekly.cn")
            for k in range(2):
                self.message(at(k * 2, 7.5), news, [ae], f"市场信息 第{w * 2 + k}期", "本期要点。", bulk=True)
            # Salesforce calls
            for k in range(3):
                acc_id, brand, contacts = accounts[(w + k) % 4]
                when = at(k, 11).astimezone(UTC)
                self.tasks.append(
                    dict(
                        Id=f"00T{len(self.tasks):012d}AAA",
                        WhatId=acc_id,
                        AccountId=acc_id,
                        Subject=f"Call - weekly check-in ({brand})",
                        ActivityDate=when.date().isoformat(),
                        Status="Completed",
                        Priority="Normal",
                        IsHighPriority="false",
                        OwnerId=self.user_id(i),
                        IsDeleted="false",
                        IsClosed="true",
                        CreatedDate=sf_time(when),
                        CreatedById=self.user_id(i),
                        LastModifiedDate=sf_time(when),
                        LastModifiedById=self.user_id(i),
                        SystemModstamp=sf_time(when),
                        IsArchived="false",
                        CallDurationInSeconds=300,
                        CallType="Outbound",
                        IsReminderSet="false",
                        TaskSubtype="Call",
                        CompletedDateTime=sf_time(when),
                    )
                )

    @staticmethod
    def user_id(i: int) -> str:
        return f"005A{i:011d}"

    def vevent(self, uid: str, title: str, start: datetime, ae: Party, contacts: list[Party]) -> str:
        attendees = "".join(
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{p.email}\n"
            for p in [ae, *contacts]
        )
        return (
            "BEGIN:VEVENT\n"
            f"DTSTART;TZID=Asia/Shanghai:{start:%Y%m%dT%H%M%S}\n"
            f"DTEND;TZID=Asia/Shanghai:{start + timedelta(hours=1):%Y%m%dT%H%M%S}\n"
            f"DTSTAMP:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\n"
            f"ORGANIZER;CN={ae.name}:mailto:{ae.email}\n"
            f"UID:{uid}\n{attendees}"
            f"SUMMARY:{title}\nSTATUS:CONFIRMED\nLOCATION:腾讯会议\nEND:VEVENT\n"
        )

    # ---------------------------------------------------------------- files
    def write(self, out: Path) -> dict[str, int]:
        for w in range(self.weeks):
            self.week(w)
        (out / "email").mkdir(parents=True, exist_ok=True)
        (out / "calendar").mkdir(exist_ok=True)
        (out / "crm").mkdir(exist_ok=True)
        counts: dict[str, int] = {}
        for i, ae in enumerate(self.aes):
            box = sorted(self.boxes[ae.email], key=lambda m: m[0])
            (out / "email" / f"ae{i:04d}.mbox").write_bytes("".join(text + "\n" for _, text in box).encode("ascii"))
            counts[f"email/ae{i:04d}.mbox"] = len(box)
            cal = (
                "BEGIN:VCALENDAR\nPRODID:-//aemetrics bench//EN\nVERSION:2.0\nX-WR-TIMEZONE:Asia/Shanghai\n"
                + "".join(self.events[ae.email])
                + "END:VCALENDAR\n"
            )
            (out / "calendar" / f"ae{i:04d}.ics").write_text(cal.replace("\n", "\r\n"), encoding="utf-8", newline="")
            counts[f"calendar/ae{i:04d}.ics"] = len(self.events[ae.email])
        staff = [["email", "name", "role", "team", "supervisor_email"]]
        staff += [[s.email, s.name, "supervisor", f"组{k}", ""] for k, s in enumerate(self.supervisors)]
        staff += [
            [a.email, a.name, "AE", f"组{i // 10}", self.supervisor_of[a.email].email] for i, a in enumerate(self.aes)
        ]
        (out / "staff.csv").write_text(BOM + _csv(staff, crlf=True), encoding="utf-8", newline="")
        counts["staff.csv"] = len(staff) - 1
        users = [
            dict(Id=self.user_id(i), Username=a.email, Name=a.name, Email=a.email, IsActive="true", Title="客户经理")
            for i, a in enumerate(self.aes)
        ]
        accounts, contacts = [], []
        for i, ae in enumerate(self.aes):
            for acc_id, brand, people in self.accounts[ae.email]:
                domain = people[0].email.split("@")[1]
                accounts.append(
                    dict(
                        Id=acc_id,
                        IsDeleted="false",
                        Name=f"{brand}有限公司",
                        Type="Customer - Direct",
                        Website=f"https://www.{domain}",
                        OwnerId=self.user_id(i),
                        CreatedDate="2021-04-26T04:57:24.000+0000",
                    )
                )
                for k, p in enumerate(people):
                    contacts.append(
                        dict(
                            Id=f"003{acc_id[4:]}{k}",
                            IsDeleted="false",
                            AccountId=acc_id,
                            LastName=p.name[0],
                            FirstName=p.name[1:],
                            Name=p.name,
                            Email=p.email,
                            OwnerId=self.user_id(i),
                            CreatedDate="2021-04-26T04:57:24.000+0000",
                        )
                    )
        counts["crm/User.csv"] = _write_sf(out / "crm" / "User.csv", USER_COLS, users)
        counts["crm/Account.csv"] = _write_sf(out / "crm" / "Account.csv", ACCOUNT_COLS, accounts)
        counts["crm/Contact.csv"] = _write_sf(out / "crm" / "Contact.csv", CONTACT_COLS, contacts)
        counts["crm/Task.csv"] = _write_sf(out / "crm" / "Task.csv", TASK_COLS, self.tasks)
        return counts


def generate(out: Path, aes: int, weeks: int = 52, seed: int = 1) -> dict[str, int]:
    """Write the agency-year into `out`; returns records per file (messages per mbox, ...)."""
    out.mkdir(parents=True, exist_ok=True)
    return Agency(aes, weeks, seed).write(out)


def as_of(weeks: int = 52) -> datetime:
    """The evaluation instant: the Monday after the last week, 08:30 in Shanghai."""
    return datetime(START.year, START.month, START.day, 8, 30, tzinfo=SH) + timedelta(weeks=weeks)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--aes", type=int, default=100)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    counts = generate(a.out, a.aes, a.weeks, a.seed)
    messages = sum(v for k, v in counts.items() if k.startswith("email/"))
    print(f"{a.out}: {len(counts)} files, {messages:,} messages in {a.aes} mailboxes; evaluate as of {as_of(a.weeks)}")

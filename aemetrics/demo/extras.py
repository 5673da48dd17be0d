"""The demo's exports for the handbook's other standards (issue 11) and their ground truth.

Planned per AE and week, with met, late and missed cases each (the rest of the demo is untouched):
- client requests (Salesforce `Case`, a few internal ones that open nothing) and the work orders
  (`WorkOrder`, CaseId set) opened for them: work_order, same_day_close;
- cost estimates (`Quote`, a few rejected ones that count for nothing): estimate_first;
- opportunities (`Opportunity`, won ones complete a project) and quote approvals
  (`ProcessInstance`): exported for post_project_review and the approvals reader;
- a DingTalk 考勤报表 (.xlsx, sheet 原始记录, title rows above the header, dates like
  `25-10-09 星期四`): work_on_time, with on-time, late, 缺卡 and 请假 days, make-up working days
  (调休) included, and one person the staff directory does not know.

The truth functions follow STANDARDS.md ("Decisions for the other twelve") literally on these
records, not on the files: an independent oracle for the models.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aemetrics.demo.files import BOM, _csv, sf_time
from aemetrics.demo.world import EXPORT_AT, LEAVE, UTC, WEEKS, World, at, days, is_working_day, local, week_days
from aemetrics.demo.xlsx_writer import write_xlsx

WORK_START, WORK_END = time(9, 0), time(18, 30)
WORK_ORDER_HOURS = 4.0  # work_order_hours (STANDARDS.md default)
WEEKDAY_CN = "一二三四五六日"
STANDARDS = ("work_order", "estimate_first", "same_day_close", "work_on_time")


def add_working_hours(t: datetime, hours: float) -> datetime:
    """`t` plus `hours` counted inside working hours (09:00-18:30 of working days, 调休 included)."""
    remaining = timedelta(hours=hours)
    t = local(t)
    d = t.date()
    while True:
        if is_working_day(d):
            start, end = max(t, at(d, 9)), at(d, 18, 30)
            if start < end:
                if start + remaining <= end:
                    return start + remaining
                remaining -= end - start
        d += timedelta(1)
        t = at(d, 0)


def end_of_working_day(t: datetime) -> datetime:
    """24:00 of t's local day when it is a working day, else of the next working day."""
    d = local(t).date()
    while not is_working_day(d):
        d += timedelta(1)
    return at(d + timedelta(1), 0)


@dataclass(eq=False)
class Case:
    sf_id: str
    number: str
    account: Any
    ae: Any
    origin: str  # Email | Phone | Web | Internal
    subject: str
    created: datetime
    closed: datetime | None = None


@dataclass(eq=False)
class WorkOrder:
    sf_id: str
    number: str
    case: Case
    created: datetime
    end: datetime | None  # EndDate: when it was completed

    @property
    def status(self) -> str:
        return "Completed" if self.end is not None else "In Progress"


@dataclass(eq=False)
class Quote:
    sf_id: str
    number: str
    account: Any
    ae: Any
    created: datetime
    status: str = "Presented"  # Rejected ones serve nothing


@dataclass(eq=False)
class Opportunity:
    sf_id: str
    name: str
    account: Any
    ae: Any
    created: datetime
    close_date: date
    is_won: bool
    is_closed: bool


@dataclass
class Punch:
    name: str
    employee_no: str
    userid: str
    day: date
    slot: str  # 上班 | 下班
    time: time | None  # None: no punch
    result: str  # 正常 | 迟到 | 缺卡 | 请假
    ae_key: str | None  # None: nobody in the staff directory


@dataclass
class Extras:
    cases: list[Case] = field(default_factory=list)
    work_orders: list[WorkOrder] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)
    punches: list[Punch] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_extras(world: World, rng: random.Random) -> Extras:
    """Deterministic (rng) requests, work orders, quotes, opportunities and clock-ins of every AE."""
    ex = Extras()
    ids = world.ids
    topics = [
        "新品海报设计",
        "电视广告排期",
        "社交媒体投放",
        "展会物料",
        "KV 调整",
        "门店 POP",
        "媒介采购",
        "发布会策划",
    ]
    n_case = n_wo = n_quote = 0
    for ae in world.aes:
        accounts = [a for a in ae.accounts if a.owner is ae]
        if not accounts:
            continue
        for w in range(WEEKS):
            if rng.random() > 0.55:
                continue
            account = rng.choice(accounts)
            week = week_days(w)
            working = [d for d in week if is_working_day(d)]
            # mostly a working day; sometimes a weekend or holiday request (due the next working day)
            d = rng.choice(week) if rng.random() < 0.12 or not working else rng.choice(working)
            created = at(d, rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59))
            if created > EXPORT_AT:
                continue
            n_case += 1
            case = Case(
                ids("500"),
                f"{n_case:08d}",
                account,
                ae,
                rng.choice(["Email", "Phone", "Web"]),
                f"{account.brand}：{rng.choice(topics)}",
                created,
            )
            ex.cases.append(case)
            wo_intent = _pick(rng, {"on_time": 0.6, "late": 0.25, "missing": 0.15})
            wo = None
            if wo_intent != "missing":
                hours = rng.uniform(0.2, 3.6) if wo_intent == "on_time" else rng.uniform(5, 22)
                wo_created = add_working_hours(created, hours).replace(microsecond=0)
                close_intent = _pick(rng, {"same_day": 0.5, "later": 0.3, "open": 0.2})
                end = None
                if close_intent == "same_day":
                    end = min(wo_created + timedelta(hours=rng.uniform(0.5, 4)), at(local(wo_created).date(), 23, 30))
                elif close_intent == "later":
                    end = wo_created + timedelta(days=rng.randint(1, 4), hours=rng.uniform(0, 3))
                n_wo += 1
                wo = WorkOrder(ids("0WO"), f"{n_wo:08d}", case, wo_created, end and end.replace(microsecond=0))
                ex.work_orders.append(wo)
                q_intent = _pick(rng, {"before": 0.6, "after": 0.25, "none": 0.15})
                if q_intent != "none":
                    if q_intent == "before":
                        q_at = created + (wo_created - created) * rng.uniform(0.1, 0.9)
                    else:
                        q_at = wo_created + timedelta(hours=rng.uniform(1, 30))
                    n_quote += 1
                    ex.quotes.append(Quote(ids("0Q0"), f"{n_quote:08d}", account, ae, q_at.replace(microsecond=0)))
                    if rng.random() < 0.1:  # a rejected quote beside it serves nothing
                        n_quote += 1
                        ex.quotes.append(
                            Quote(
                                ids("0Q0"),
                                f"{n_quote:08d}",
                                account,
                                ae,
                                (q_at - timedelta(hours=1)).replace(microsecond=0),
                                "Rejected",
                            )
                        )
            # the request is closed when its work is done: the same working day, later, or not yet
            c_intent = _pick(rng, {"same_day": 0.55, "later": 0.3, "open": 0.15})
            base = wo.created if wo is not None else created
            if c_intent == "same_day" and local(base).date() == local(created).date():
                case.closed = min(base + timedelta(hours=rng.uniform(0.5, 5)), at(local(base).date(), 23, 45))
            elif c_intent != "open":
                case.closed = base + timedelta(days=rng.randint(1, 5), hours=rng.uniform(0, 4))
            if case.closed is not None:
                case.closed = case.closed.replace(microsecond=0)
        # one internal request per AE (Origin Internal): no client asked, so it opens nothing
        d = next(d for d in days() if is_working_day(d) and d.weekday() == 2)
        n_case += 1
        ex.cases.append(Case(ids("500"), f"{n_case:08d}", accounts[0], ae, "Internal", "内部：模板整理", at(d, 11)))
        # projects: a won opportunity on some client accounts, an open one on others
        for account in accounts:
            if rng.random() < 0.5:
                close = rng.choice([d for d in days() if is_working_day(d) and at(d, 18) < EXPORT_AT])
                won = rng.random() < 0.7
                ex.opportunities.append(
                    Opportunity(
                        ids("006"),
                        f"{account.brand} {close.year}年{close.month}月项目",
                        account,
                        ae,
                        at(close, 10) - timedelta(days=rng.randint(20, 60)),
                        close,
                        won,
                        True,
                    )
                )
    for q in ex.quotes[::3]:  # approval processes of some quotes (Salesforce ProcessInstance)
        ex.approvals.append(
            dict(
                id=ids("04g"),
                target=q.sf_id,
                status="Approved" if q.status != "Rejected" else "Rejected",
                created=q.created - timedelta(minutes=40),
                completed=q.created - timedelta(minutes=5),
                submitted_by=q.ae.sf_id,
                last_actor=(q.ae.supervisor or q.ae).sf_id,
            )
        )
    ex.punches = _punches(world, rng)
    return ex


def _punches(world: World, rng: random.Random) -> list[Punch]:
    people: list[tuple[str, str, str, str | None]] = [
        (ae.name, f"A{i + 1:03d}", f"{1100000 + 7919 * (i + 1)}", ae.key) for i, ae in enumerate(world.aes)
    ]
    people.append(("周临时", "T001", "9900001", None))  # in the 考勤 export, not in the staff directory
    out: list[Punch] = []
    for name, no, uid, key in people:
        leave = set(LEAVE.get(key, ([],))[0]) if key else set()
        for d in days():
            if not is_working_day(d) or at(d, 18, 30) > EXPORT_AT:
                continue
            if d in leave:
                out.append(Punch(name, no, uid, d, "上班", None, "请假", key))
                continue
            r = rng.random()
            if r < 0.03:  # no clock-in, but a clock-out: 缺卡
                out.append(Punch(name, no, uid, d, "上班", None, "缺卡", key))
            elif r < 0.13:
                minute = rng.randint(1, 45)
                out.append(Punch(name, no, uid, d, "上班", time(9 + minute // 60, minute % 60), "迟到", key))
            else:
                minute = rng.choice([0, 0, *range(1, 40)])  # some at 09:00 exactly: on time
                out.append(Punch(name, no, uid, d, "上班", time(8, 60 - minute) if minute else time(9, 0), "正常", key))
            leave_at = rng.randint(0, 90)
            out.append(
                Punch(name, no, uid, d, "下班", time(18 + (30 + leave_at) // 60, (30 + leave_at) % 60), "正常", key)
            )
    return out


# ------------------------------------------------------------------ files
CASE_COLS = [
    "Id", "IsDeleted", "CaseNumber", "ContactId", "AccountId", "Type", "Status", "Reason", "Origin", "Subject",
    "Priority", "IsClosed", "ClosedDate", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate",
    "LastModifiedById", "SystemModstamp",
]  # fmt: skip
WORK_ORDER_COLS = [
    "Id", "IsDeleted", "WorkOrderNumber", "AccountId", "ContactId", "CaseId", "Subject", "Status", "Priority",
    "StartDate", "EndDate", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
    "SystemModstamp",
]  # fmt: skip
QUOTE_COLS = [
    "Id", "IsDeleted", "Name", "QuoteNumber", "OpportunityId", "AccountId", "Status", "ExpirationDate", "GrandTotal",
    "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
]  # fmt: skip
OPPORTUNITY_COLS = [
    "Id", "IsDeleted", "AccountId", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "IsClosed",
    "IsWon", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
]  # fmt: skip
PROCESS_INSTANCE_COLS = [
    "Id", "ProcessDefinitionId", "TargetObjectId", "Status", "CompletedDate", "LastActorId", "SubmittedById",
    "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
]  # fmt: skip
CLOCK_HEADER = [
    "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间", "打卡时间", "打卡结果", "打卡地址",
    "打卡备注", "异常打卡原因", "打卡设备", "管理员修改备注",
]  # fmt: skip


def _write(path: Path, cols: list[str], rows: list[dict[str, Any]]) -> int:
    out = [cols] + [[r.get(c) for c in cols] for r in rows]
    path.write_text(BOM + _csv(out), encoding="utf-8", newline="")
    return len(rows)


def _stamps(created: datetime, modified: datetime, by: str) -> dict[str, Any]:
    return dict(
        CreatedDate=sf_time(created),
        CreatedById=by,
        LastModifiedDate=sf_time(modified),
        LastModifiedById=by,
        SystemModstamp=sf_time(modified),
        IsDeleted="false",
    )


def write_extras(out: Path, ex: Extras) -> dict[str, int]:
    """crm/Case.csv, WorkOrder.csv, Quote.csv, Opportunity.csv, ProcessInstance.csv and the DingTalk
    考勤 workbook attendance/dingtalk/考勤报表.xlsx; returns relative path -> records."""
    crm = out / "crm"
    crm.mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    files["crm/Case.csv"] = _write(
        crm / "Case.csv",
        CASE_COLS,
        [
            dict(
                Id=c.sf_id,
                CaseNumber=c.number,
                ContactId=(c.account.listed_contacts[0].sf_id if c.account.listed_contacts else ""),
                AccountId=c.account.sf_id,
                Type="Request",
                Status="Closed" if c.closed else "Working",
                Origin=c.origin,
                Subject=c.subject,
                Priority="Medium",
                IsClosed="true" if c.closed else "false",
                ClosedDate=sf_time(c.closed),
                OwnerId=c.ae.sf_id,
                **_stamps(c.created, c.closed or c.created, c.ae.sf_id),
            )
            for c in ex.cases
        ],
    )
    files["crm/WorkOrder.csv"] = _write(
        crm / "WorkOrder.csv",
        WORK_ORDER_COLS,
        [
            dict(
                Id=w.sf_id,
                WorkOrderNumber=w.number,
                AccountId=w.case.account.sf_id,
                CaseId=w.case.sf_id,
                Subject=f"工作单：{w.case.subject}",
                Status=w.status,
                Priority="Medium",
                StartDate=sf_time(w.created),
                EndDate=sf_time(w.end),
                OwnerId=w.case.ae.sf_id,
                **_stamps(w.created, w.end or w.created, w.case.ae.sf_id),
            )
            for w in ex.work_orders
        ],
    )
    files["crm/Quote.csv"] = _write(
        crm / "Quote.csv",
        QUOTE_COLS,
        [
            dict(
                Id=q.sf_id,
                Name=f"{q.account.brand} 报价",
                QuoteNumber=q.number,
                AccountId=q.account.sf_id,
                Status=q.status,
                ExpirationDate=(local(q.created).date() + timedelta(30)).isoformat(),
                GrandTotal=f"{20000 + int(q.number) * 137 % 80000}.00",
                OwnerId=q.ae.sf_id,
                **_stamps(q.created, q.created, q.ae.sf_id),
            )
            for q in ex.quotes
        ],
    )
    files["crm/Opportunity.csv"] = _write(
        crm / "Opportunity.csv",
        OPPORTUNITY_COLS,
        [
            dict(
                Id=o.sf_id,
                AccountId=o.account.sf_id,
                Name=o.name,
                StageName="Closed Won" if o.is_won else "Closed Lost",
                Amount=f"{100000 + len(o.name) * 9000}.00",
                Probability="100" if o.is_won else "0",
                CloseDate=o.close_date.isoformat(),
                Type="New Business",
                IsClosed="true",
                IsWon="true" if o.is_won else "false",
                OwnerId=o.ae.sf_id,
                **_stamps(o.created, at(o.close_date, 18), o.ae.sf_id),
            )
            for o in ex.opportunities
        ],
    )
    files["crm/ProcessInstance.csv"] = _write(
        crm / "ProcessInstance.csv",
        PROCESS_INSTANCE_COLS,
        [
            dict(
                Id=a["id"],
                ProcessDefinitionId="04a5g000000QuoteAP",
                TargetObjectId=a["target"],
                Status=a["status"],
                CompletedDate=sf_time(a["completed"]),
                LastActorId=a["last_actor"],
                SubmittedById=a["submitted_by"],
                **_stamps(a["created"], a["completed"], a["submitted_by"]),
            )
            for a in ex.approvals
        ],
    )
    folder = out / "attendance" / "dingtalk"
    folder.mkdir(parents=True, exist_ok=True)
    first, last = min(p.day for p in ex.punches), max(p.day for p in ex.punches)
    rows: list[list[Any]] = [
        [f"原始记录 统计日期：{first.isoformat()} 至 {last.isoformat()}"],
        [f"报表生成时间：{local(EXPORT_AT).strftime('%Y-%m-%d %H:%M')}"],
        CLOCK_HEADER,
    ]
    for p in ex.punches:
        rows.append(
            [
                p.name,
                "默认考勤组",
                "客户部",
                p.employee_no,
                "客户经理" if p.ae_key else "实习生",
                p.userid,
                f"{p.day:%y-%m-%d} 星期{WEEKDAY_CN[p.day.weekday()]}",
                f"{p.slot} {'09:00' if p.slot == '上班' else '18:30'}",
                p.time.strftime("%H:%M") if p.time else "",
                p.result,
                "上海市静安区南京西路" if p.time else "",
                "",
                "",
                "iPhone" if p.time else "",
                "",
            ]
        )
    write_xlsx(folder / "考勤报表.xlsx", {"原始记录": rows})
    files["attendance/dingtalk/考勤报表.xlsx"] = len(ex.punches)
    return files


# ------------------------------------------------------------------ ground truth
def _status(fulfilled: datetime | None, due: datetime, as_of: datetime) -> str:
    if fulfilled is not None:
        return "met" if fulfilled <= due else "late"
    return "missed" if due < as_of else "open"


def _row(
    standard: str, ae: str, opened: datetime, due: datetime, fulfilled: datetime | None, key: str, as_of: datetime
):
    fulfilled = fulfilled if fulfilled is not None and fulfilled <= as_of else None
    return {
        "standard": standard,
        "ae": ae,
        "status": _status(fulfilled, due, as_of),
        "opened_at": opened.astimezone(UTC),
        "due_at": due.astimezone(UTC),
        "fulfilled_at": fulfilled.astimezone(UTC) if fulfilled else None,
        "key": key,
    }


def extras_truth(ex: Extras, as_of: datetime = EXPORT_AT) -> list[dict[str, Any]]:
    """The new standards' obligations as of `as_of`, from STANDARDS.md on the planned records.

    Keys: work_order the Case Id; estimate_first the WorkOrder Id; same_day_close the Case or
    WorkOrder Id; work_on_time '<ae key>/<local date>'. work_on_time on a leave day is 'excused'."""
    rows: list[dict[str, Any]] = []
    seen_wo = [w for w in ex.work_orders if w.created <= as_of]
    requests = [c for c in ex.cases if c.origin != "Internal" and c.created <= as_of]
    by_case = {w.case.sf_id: w for w in seen_wo}
    for c in requests:  # work_order: a work order within work_order_hours working hours
        w = by_case.get(c.sf_id)
        due = add_working_hours(c.created, WORK_ORDER_HOURS)
        rows.append(_row("work_order", c.ae.key, c.created, due, w.created if w else None, c.sf_id, as_of))
    # estimate_first: each quote serves the earliest later work order of its account without one
    # (met), else the earliest work order still without one (late)
    served: dict[str, datetime] = {}
    for q in sorted((q for q in ex.quotes if q.status != "Rejected" and q.created <= as_of), key=lambda q: q.created):
        open_wos = sorted(
            (w for w in seen_wo if w.case.account is q.account and w.sf_id not in served), key=lambda w: w.created
        )
        after = [w for w in open_wos if w.created > q.created]
        target = after[0] if after else (open_wos[0] if open_wos else None)
        if target is not None:
            served[target.sf_id] = q.created
    for w in seen_wo:
        rows.append(_row("estimate_first", w.case.ae.key, w.created, w.created, served.get(w.sf_id), w.sf_id, as_of))
    # same_day_close: closed by 24:00 of the working day it opened (a non-working day: the next one)
    for c in requests:
        rows.append(
            _row("same_day_close", c.ae.key, c.created, end_of_working_day(c.created), c.closed, c.sf_id, as_of)
        )
    for w in seen_wo:
        rows.append(
            _row("same_day_close", w.case.ae.key, w.created, end_of_working_day(w.created), w.end, w.sf_id, as_of)
        )
    # work_on_time: each AE's working day with a clock record: clock-in by work_start (+0 grace)
    for p in ex.punches:
        if p.slot != "上班" or p.ae_key is None:
            continue
        opened, due = at(p.day, 0), at(p.day, WORK_START.hour, WORK_START.minute)
        if opened > as_of:
            continue
        row = _row(
            "work_on_time",
            p.ae_key,
            opened,
            due,
            at(p.day, p.time.hour, p.time.minute) if p.time else None,
            f"{p.ae_key}/{p.day.isoformat()}",
            as_of,
        )
        if p.result == "请假":
            row["status"] = "excused"
        rows.append(row)
    return rows

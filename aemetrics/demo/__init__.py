"""A deterministic demo advertising agency, written in the real export formats ingest reads.

`generate_demo(out_dir, seed)` writes staff.csv, one Gmail mbox and one Google Calendar .ics per
staff member, a Salesforce data export (User/Account/Contact/Task, and Case/WorkOrder/Quote/
Opportunity/ProcessInstance for the other standards), Zoom participant reports and a DingTalk 考勤 xlsx,
plus a README.md listing the planted behaviours and the ground truth of the standards. The same
seed writes byte-identical files.

Modules: world (people, clients, profiles, clock), meetings (calendar), traffic (mail, calls,
Zoom), mail (RFC 5322/2047 and mbox), files (CSV exports), extras (the other standards' CRM and
考勤 exports), plants (minutes approvals, review meetings, late invitations), truth, extras and
truth_more (ground truth of all twenty standards), readme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from aemetrics.demo.world import EXPORT_AT, PERIOD_END, PERIOD_START, UTC, build_world, rng_for

__all__ = ["DemoSummary", "generate_demo", "ground_truth"]


@dataclass(frozen=True, eq=False)
class DemoSummary:
    out_dir: Path
    seed: int
    period_start: date
    period_end: date
    export_at: datetime  # UTC: use as --as-of
    staff: int
    aes: int
    supervisors: int
    accounts: int
    customers: int
    prospects: int
    contacts: int  # CRM contacts (Contact.csv rows)
    crm_users: int
    tasks: int
    mailboxes: int
    messages: int  # distinct Message-IDs
    message_copies: int  # messages summed over mailboxes
    calendars: int
    vevents: int  # VEVENT components summed over calendar files
    client_meetings: int  # client-meeting occurrences, not cancelled, starting before the export
    zoom_reports: int
    attendance_rows: int  # Zoom participant rows
    clock_rows: int  # DingTalk 考勤 punches (原始记录 rows)
    files: dict[str, int] = field(default_factory=dict, repr=False)  # relative path -> records in it
    truth: dict[str, dict[str, dict[str, int]]] = field(
        default_factory=dict, repr=False
    )  # standard -> ae -> status -> n
    # What the generator meant (on_time / late / missing per obligation it planned). It differs from
    # `truth` where a standard's matching rule reassigns evidence (a missing minutes mail makes the
    # next one serve the earlier meeting), so both are given.
    intent: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict, repr=False)
    # The ground-truth obligations themselves (standard, ae, status, opened_at, due_at, fulfilled_at, key),
    # to compare row by row with the obligations mart: key is a Message-ID, 'UID/occurrence' or 'account/week'.
    obligations: list[dict] = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        return (
            f"demo agency written to {self.out_dir} (seed {self.seed}): {self.staff} staff "
            f"({self.aes} AEs), {self.accounts} CRM accounts, {self.contacts} contacts, {self.tasks} tasks, "
            f"{self.message_copies} messages in {self.mailboxes} mailboxes ({self.messages} distinct), "
            f"{self.vevents} calendar events in {self.calendars} calendars, {self.zoom_reports} Zoom reports. "
            f"Evaluate with --as-of {self.export_at.isoformat()}"
        )


# What generate_demo owns inside out_dir: removed first so stale files of another seed never linger.
_OWNED = [
    "staff.csv",
    "README.md",  # written inside by earlier versions; now beside (readme_path)
    "email/*.mbox",
    "calendar/*.ics",
    "crm/User.csv",
    "crm/Account.csv",
    "crm/Contact.csv",
    "crm/Task.csv",
    "attendance/zoom/participants_*.csv",
    # the exports of the other standards (aemetrics/demo/extras.py)
    "crm/Case.csv",
    "crm/WorkOrder.csv",
    "crm/Quote.csv",
    "crm/Opportunity.csv",
    "crm/ProcessInstance.csv",
    "attendance/dingtalk/*.xlsx",
    # what the Chinese-agency variant writes instead (aemetrics/demo/locale_cn.py, --locale cn)
    "staff.xlsx",
    "takeout-*.zip",
    "crm/客户管理系统导出.xlsx",
    "attendance/tencent/*.xlsx",
]


def readme_path(out_dir: str | Path) -> Path:
    """The demo's README lives beside its exports folder (build/demo-exports-README.md), not inside:
    inside, ingest would list it as an unknown file in the data-quality section."""
    out = Path(out_dir)
    return out.parent / f"{out.name}-README.md"


def generate_demo(out_dir: str | Path, seed: int = 7) -> DemoSummary:
    """Write the demo agency's exports into `out_dir` (created if needed) and describe them; the
    README goes beside the folder (`readme_path`)."""
    from aemetrics.demo import files as F
    from aemetrics.demo.extras import extras_truth, plan_extras, write_extras
    from aemetrics.demo.mail import render, write_mbox
    from aemetrics.demo.meetings import client_occurrences, plan_meetings, write_calendars
    from aemetrics.demo.plants import plant
    from aemetrics.demo.readme import readme_text
    from aemetrics.demo.traffic import Simulation
    from aemetrics.demo.truth import Truth, counts
    from aemetrics.demo.truth_more import more_truth

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for pattern in _OWNED:
        for old in out.glob(pattern):
            old.unlink()

    world = build_world(seed)
    events = plan_meetings(world, rng_for(seed, "meetings"))
    sim = Simulation(world, events, seed)
    sim.run()
    extras = plan_extras(world, rng_for(seed, "extras"))  # after the simulation: ids in the same order
    plant(world, events, sim, extras, seed)  # minutes approvals and review meetings, appended last

    files: dict[str, int] = {"staff.csv": F.write_staff(out / "staff.csv", world)}

    (out / "email").mkdir(exist_ok=True)
    rng = rng_for(seed, "render")
    rendered = {id(m): render(m, rng) for m in sim.mail.messages}
    boxes: dict[str, list] = {p.email: [] for p in world.staff}
    for m in sim.mail.messages:
        for p in m.staff_members():
            boxes[p.email].append(m)
    for p in world.staff:
        files[f"email/{p.key}.mbox"] = write_mbox(out / "email" / f"{p.key}.mbox", p, boxes[p.email], rendered)

    files.update(write_calendars(out / "calendar", world.staff, events))
    files.update(F.write_crm(out / "crm", world, sim.tasks))
    files.update(F.write_zoom(out / "attendance" / "zoom", sim.zoom))
    files.update(write_extras(out, extras))

    truth = Truth(world, sim, events)
    obligations = truth.compute() + extras_truth(extras)
    obligations += more_truth(world, sim, events, extras, EXPORT_AT, truth)
    mailbox_files = [k for k in files if k.startswith("email/")]
    summary = DemoSummary(
        out_dir=out,
        seed=seed,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        export_at=EXPORT_AT.astimezone(UTC),
        staff=len(world.staff),
        aes=len(world.aes),
        supervisors=len(world.supervisors),
        accounts=len(world.accounts),
        customers=sum(a.is_customer for a in world.accounts),
        prospects=sum(not a.is_customer for a in world.accounts),
        contacts=files["crm/Contact.csv"],
        crm_users=files["crm/User.csv"],
        tasks=files["crm/Task.csv"],
        mailboxes=len(mailbox_files),
        messages=sum(1 for m in sim.mail.messages if m.staff_members()),
        message_copies=sum(files[k] for k in mailbox_files),
        calendars=sum(1 for k in files if k.startswith("calendar/")),
        vevents=sum(v for k, v in files.items() if k.startswith("calendar/")),
        client_meetings=sum(1 for o in client_occurrences(events) if o.status != "CANCELLED" and o.start < EXPORT_AT),
        zoom_reports=len(sim.zoom),
        attendance_rows=sum(v for k, v in files.items() if k.startswith("attendance/zoom/")),
        clock_rows=sum(v for k, v in files.items() if k.startswith("attendance/dingtalk/")),
        files=dict(sorted(files.items())),
        truth=counts(obligations),
        intent=_intent(sim.planned),
        obligations=obligations,
    )
    readme_path(out).write_text(readme_text(world, seed, summary.files, summary), encoding="utf-8")
    return summary


def _intent(planned: list) -> dict[str, dict[str, dict[str, int]]]:
    out: dict[str, dict[str, dict[str, int]]] = {}
    for p in planned:
        per = out.setdefault(p.standard, {}).setdefault(p.ae, {"on_time": 0, "late": 0, "missing": 0})
        per[p.intent] += 1
    return {s: dict(sorted(v.items())) for s, v in sorted(out.items())}


def ground_truth(seed: int = 7, as_of: datetime | None = None, standards: set[str] | None = None) -> list[dict]:
    """The ground-truth obligations of the demo as of `as_of` (default: its export time), of
    `standards` (default: every one the oracle knows); see demo.truth and demo.extras."""
    from aemetrics.demo.truth import ground_truth as _ground_truth

    return _ground_truth(seed, as_of, standards)

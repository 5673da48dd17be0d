"""The demo agency's people and clients, their behaviour profiles, and the clock they live by.

Everything is drawn from one seeded `random.Random` per concern (seeded with a string, which
Python hashes with SHA-512, so the result does not depend on PYTHONHASHSEED), in a fixed order:
the same seed always builds the same world.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from aemetrics.demo import names as N

SH = ZoneInfo("Asia/Shanghai")
UTC = UTC
PERIOD_START = date(2025, 8, 25)  # Monday, ISO week 35
PERIOD_END = date(2025, 12, 14)  # Sunday, ISO week 50: 16 weeks around the National Day holiday
EXPORT_AT = datetime(2025, 12, 15, 8, 30, tzinfo=SH)  # Monday morning: everything is exported then
WEEKS = 16


def rng_for(seed: int, name: str) -> random.Random:
    return random.Random(f"aemetrics-demo:{seed}:{name}")


@lru_cache(maxsize=1)
def _calendar():  # the project's calendar (holidays.China with 调休), default settings
    from aemetrics.business_calendar import BusinessCalendar

    return BusinessCalendar()


def is_working_day(d: date) -> bool:
    return _calendar().is_working_day(d)


def days(start: date = PERIOD_START, end: date = PERIOD_END) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def week_index(d: date) -> int:
    return (d - PERIOD_START).days // 7


def week_days(w: int) -> list[date]:
    monday = PERIOD_START + timedelta(7 * w)
    return [monday + timedelta(n) for n in range(7)]


def at(d: date, h: int, m: int = 0, s: int = 0) -> datetime:
    return datetime.combine(d, time(h, m, s), tzinfo=SH)


def local(dt: datetime) -> datetime:
    return dt.astimezone(SH)


def work_after(t: datetime, rng: random.Random) -> datetime:
    """`t` if it falls in working hours (09:00-18:30 on a working day), else soon after the next start."""
    t = local(t)
    d = t.date()
    if is_working_day(d) and time(9) <= t.time() <= time(18, 30):
        return t
    if is_working_day(d) and t.time() < time(9):
        return at(d, 9) + timedelta(minutes=rng.randint(2, 50))
    d += timedelta(1)
    while not is_working_day(d):
        d += timedelta(1)
    return at(d, 9) + timedelta(minutes=rng.randint(2, 70), seconds=rng.randint(0, 59))


def work_before(t: datetime, rng: random.Random) -> datetime:
    """`t` if it falls in working hours, else some time late in the previous working afternoon."""
    t = local(t)
    d = t.date()
    if is_working_day(d) and time(9) <= t.time() <= time(18, 30):
        return t
    if not (is_working_day(d) and t.time() > time(18, 30)):
        d -= timedelta(1)
        while not is_working_day(d):
            d -= timedelta(1)
    return at(d, 16) + timedelta(minutes=rng.randint(0, 140), seconds=rng.randint(0, 59))


def awake(t: datetime, rng: random.Random) -> datetime:
    """People do not send mail between 23:00 and 08:00: push such a time to the next morning."""
    t = local(t)
    if t.hour >= 23:
        return at(t.date() + timedelta(1), 8) + timedelta(minutes=rng.randint(10, 100))
    if t.hour < 8:
        return at(t.date(), 8) + timedelta(minutes=rng.randint(10, 100))
    return t


def poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# ------------------------------------------------------------------ Salesforce ids
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sf18(id15: str) -> str:
    """Salesforce's case-safe 18-character id: 3 check characters from the upper-case pattern."""
    suffix = ""
    for i in range(3):
        bits = sum(1 << j for j, c in enumerate(id15[5 * i : 5 * i + 5]) if "A" <= c <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


class IdMaker:
    """Unique 18-char ids with the object's key prefix (005 user, 001 account, 003 contact, 00T task)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def __call__(self, prefix: str) -> str:
        while True:
            id15 = prefix + "5g00000" + "".join(self.rng.choice(_B62) for _ in range(5))
            if id15 not in self.seen:
                self.seen.add(id15)
                return sf18(id15)


# ------------------------------------------------------------------ behaviour
@dataclass(frozen=True)
class Profile:
    """How an AE behaves; probabilities per obligation, the rest of the mass is 'missing'."""

    summary: str  # one line for the README
    reply: tuple[float, float, float] = (2.5, 0.55, 0.01)  # median hours, log-sigma, P(never)
    reply_later: tuple[float, float, float] | None = None  # improving: reached by week 10
    small_client_reply: tuple[float, float, float] | None = None  # unequal treatment of tier C
    weekend_replies: float = 0.5
    agenda: tuple[float, float] = (0.85, 0.1)  # P(on time), P(late)
    # No missing minutes by default: under minutes_24h's matching rule one missing mail makes every
    # later minutes of that client serve the meeting before it, so each AE would look chronically late.
    minutes: tuple[float, float] = (0.88, 0.12)
    late_join: float = 0.06
    monday_call: tuple[float, float] = (0.9, 0.07)
    client_report: tuple[float, float] = (0.88, 0.07)
    report_call: float = 0.6
    supervisor_report: tuple[float, float] = (0.9, 0.06)
    greeting: float = 0.9
    market_info: float = 0.7

    def reply_params(self, week: int, small_client: bool) -> tuple[float, float, float]:
        if small_client and self.small_client_reply:
            return self.small_client_reply
        if self.reply_later is None:
            return self.reply
        mix = min(1.0, max(0.0, (week - 6) / 4))  # coaching in mid-October, better by November
        return tuple(a + (b - a) * mix for a, b in zip(self.reply, self.reply_later, strict=True))  # type: ignore[return-value]


GOOD = (2.5, 0.55, 0.01)
AVERAGE = (3.5, 0.75, 0.03)
POOR = (11.0, 0.7, 0.15)

PROFILES: dict[str, Profile] = {
    "zhang.wei": Profile("all-round reliable: fast replies, agendas and minutes on time", weekend_replies=0.7),
    "wang.fang": Profile("fast replies, but agendas often sent less than 48 h before", agenda=(0.35, 0.55)),
    "li.na": Profile("slow replies: many after 12 h, some never", reply=POOR, weekend_replies=0.15),
    "liu.yang": Profile(
        "improving: slow replies until mid-October coaching, fast from November",
        reply=POOR,
        reply_later=GOOD,
        weekend_replies=0.3,
    ),
    "chen.jing": Profile(
        "fast replies; often misses the Friday report to the supervisor; leave 29-30 Sep",
        supervisor_report=(0.45, 0.15),
    ),
    "yang.lei": Profile("often late to client Zoom meetings", reply=AVERAGE, late_join=0.45),
    "zhao.min": Profile("meeting minutes often late or missing", minutes=(0.4, 0.35)),
    "zhou.ting": Profile(
        "average on everything",
        reply=AVERAGE,
        agenda=(0.7, 0.2),
        minutes=(0.75, 0.25),
        monday_call=(0.8, 0.1),
        client_report=(0.8, 0.1),
        late_join=0.12,
    ),
    "wu.hao": Profile("Monday client calls often on Tuesday or missed", reply=AVERAGE, monday_call=(0.4, 0.4)),
    "xu.li": Profile("reliable; on leave 10-14 Nov with an auto-reply, sun.qiang covers"),
    "sun.qiang": Profile(
        "fast with big clients, slow with small ones (equal treatment)", small_client_reply=POOR, weekend_replies=0.4
    ),
    "ma.chao": Profile(
        "Friday client reports often late or missed, rarely confirmed by phone",
        client_report=(0.45, 0.3),
        report_call=0.15,
    ),
}
LEAVE = {  # local dates on leave (working days), and when the auto-reply is on
    "chen.jing": ([date(2025, 9, 29), date(2025, 9, 30)], at(date(2025, 9, 26), 19), at(date(2025, 10, 9), 0)),
    "xu.li": ([date(2025, 11, d) for d in range(10, 15)], at(date(2025, 11, 7), 18, 40), at(date(2025, 11, 17), 0)),
}
COVER = {"chen.jing": "zhou.ting", "xu.li": "sun.qiang"}
COACHING_DAY = date(2025, 10, 13)  # lin.jianguo writes to liu.yang about reply times


# ------------------------------------------------------------------ people and clients
@dataclass(eq=False)
class Person:
    email: str
    name: str
    family: str
    given: str
    role: str  # ae | supervisor | (crm-only) director | admin | departed
    team: str | None
    supervisor: Person | None
    sf_id: str
    profile: Profile | None = None
    teammates: list[Person] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    is_staff: bool = True
    mailer: str = "gmail"
    charset: str = "utf-8"

    @property
    def key(self) -> str:
        return self.email.split("@")[0]

    @property
    def pinyin(self) -> str:
        return f"{self.given.capitalize()} {self.family.capitalize()}"


@dataclass(eq=False)
class Contact:
    email: str
    name: str
    first: str
    last: str
    account: Account
    sf_id: str | None  # None: an address at the client's domain that the CRM does not list
    mailer: str
    charset: str
    title: str
    english: bool = False
    ooo_national_day: bool = False
    is_staff: bool = False


@dataclass(eq=False)
class Account:
    sf_id: str
    name: str
    brand: str
    brand_py: str
    type: str
    owner: Person
    handler: Person  # the staff member who deals with it (the owner unless the owner has left)
    domain: str
    website: str
    industry: str
    revenue: int | None
    employees: int | None
    phone: str | None
    fax: str | None
    city: tuple[str, str, str]
    street: str
    created: datetime
    contacts: list[Contact] = field(default_factory=list)
    tier: str = "unknown"  # A/B/C by annual revenue among customers
    fill: dict[str, bool] = field(default_factory=dict)  # which optional client-file fields are filled

    @property
    def is_customer(self) -> bool:
        return self.type.startswith("Customer")

    @property
    def listed_contacts(self) -> list[Contact]:
        return [c for c in self.contacts if c.sf_id]


@dataclass
class World:
    seed: int
    supervisors: list[Person]
    aes: list[Person]
    crm_only_users: list[Person]  # director, admin, departed AE
    accounts: list[Account]
    ids: IdMaker

    @property
    def staff(self) -> list[Person]:
        return self.supervisors + self.aes

    def person(self, key: str) -> Person:
        return next(p for p in self.staff if p.key == key)


MAILER_CHARSETS = {
    "foxmail": "gb2312",
    "coremail": "gbk",
    "outlook": "gb2312",
    "outlook_en": "utf-8",
    "qqmail": "gb18030",
    "apple": "utf-8",
    "gmail": "utf-8",
}


def _fits(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
        return True
    except UnicodeEncodeError:
        return False


def build_world(seed: int) -> World:
    rng = rng_for(seed, "world")
    ids = IdMaker(rng_for(seed, "ids"))
    dom = N.AGENCY_DOMAIN
    admin_name, admin_f, admin_g = N.CRM_ADMIN
    admin = Person(
        f"{admin_f}.{admin_g}@{dom}", admin_name, admin_f, admin_g, "admin", None, None, ids("005"), is_staff=False
    )
    dname, df, dg = N.DIRECTOR
    director = Person(f"{df}.{dg}@{dom}", dname, df, dg, "director", None, None, ids("005"), is_staff=False)
    supervisors = [
        Person(f"{f}.{g}@{dom}", n, f, g, "supervisor", team, None, ids("005"))
        for (n, f, g), team in zip(N.SUPERVISORS, N.TEAMS, strict=True)
    ]
    aes: list[Person] = []
    for i, (n, f, g) in enumerate(N.AES):
        sup = supervisors[i // 4]
        aes.append(Person(f"{f}.{g}@{dom}", n, f, g, "ae", sup.team, sup, ids("005"), PROFILES[f"{f}.{g}"]))
    for ae in aes:
        ae.teammates = [p for p in aes if p.team == ae.team and p is not ae]
    pn, pf, pg = N.DEPARTED_AE
    departed = Person(
        f"{pf}.{pg}@{dom}", pn, pf, pg, "departed", N.TEAMS[0], supervisors[0], ids("005"), is_staff=False
    )

    stems = list(N.BRAND_STEMS)
    gbk_stems = [s for s in stems if s[0] in N.GBK_ONLY_BRANDS]
    plain = [s for s in stems if s[0] not in N.GBK_ONLY_BRANDS]
    rng.shuffle(plain)
    # 62 customers (5 per AE + 2 left with the departed AE) and 15 prospects.
    owners: list[tuple[Person, str]] = []
    for ae in aes:
        owners += [(ae, "customer")] * 5
    owners += [(departed, "customer")] * 2
    prospect_owners = aes + aes[:3]
    owners += [(ae, "prospect") for ae in prospect_owners]
    chosen = plain[: len(owners) - 2]
    # the two GBK-only brands go to customers of li.na and xu.li (index 2*5 and 9*5)
    chosen.insert(10, gbk_stems[0])
    chosen.insert(45, gbk_stems[1])
    accounts: list[Account] = []
    used_domains: set[str] = set()
    for (owner, kind), (brand, py) in zip(owners, chosen, strict=True):
        ind_cn, ind_sf, ind_sfx = rng.choice(N.INDUSTRIES)
        domain = f"{py}{ind_sfx}.com.cn" if rng.random() < 0.65 else f"{py}-{ind_sfx}.com"
        if domain in used_domains:
            domain = f"{py}{ind_sfx}group.com"
        used_domains.add(domain)
        city = rng.choice(N.CITIES)
        acct_type = (
            "Prospect" if kind == "prospect" else ("Customer - Direct" if rng.random() < 0.7 else "Customer - Channel")
        )
        # each AE's five customers span big to small, so every AE has clients in every size tier
        rank = sum(1 for a in owner.accounts if a.is_customer) if kind == "customer" else rng.randrange(5)
        size = [3e9, 1.2e9, 6e8, 2.5e8, 9e7][rank % 5]
        revenue = int(size * rng.lognormvariate(0, 0.35)) // 100000 * 100000
        fill = {
            f: rng.random() < p
            for f, p in [
                ("phone", 0.9),
                ("fax", 0.45),
                ("industry", 0.9),
                ("revenue", 0.85),
                ("employees", 0.7),
                ("street", 0.8),
                ("product", 0.75),
                ("ad_volume", 0.6),
                ("budget", 0.55),
                ("key_people", 0.5),
                ("projects", 0.6),
            ]
        }
        if kind == "customer" and owner.key == "sun.qiang":
            fill["revenue"] = True  # his unequal treatment needs known tiers
        handler = owner if owner.is_staff else aes[0]
        acct = Account(
            sf_id=ids("001"),
            name=f"{city[0]}{brand}{ind_cn}有限公司" if rng.random() < 0.3 else f"{brand}{ind_cn}有限公司",
            brand=brand,
            brand_py=py,
            type=acct_type,
            owner=owner,
            handler=handler,
            domain=domain,
            website=rng.choice([f"www.{domain}", f"https://www.{domain}", f"http://{domain}"]),
            industry=ind_sf,
            revenue=revenue if fill["revenue"] else None,
            employees=int(revenue / rng.uniform(4e5, 2e6)) + 20 if fill["employees"] else None,
            phone=f"+86 {rng.choice(['21', '10', '20', '755', '571'])} {rng.randint(5000, 8999)} {rng.randint(1000, 9999)}"
            if fill["phone"]
            else None,
            fax=f"+86 21 {rng.randint(5000, 8999)} {rng.randint(1000, 9999)}" if fill["fax"] else None,
            city=city,
            street=f"{rng.choice(N.STREETS)}{rng.randint(1, 1999)}号",
            created=datetime(
                2019 + rng.randint(0, 5),
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(1, 10),
                rng.randint(0, 59),
                rng.randint(0, 59),
                tzinfo=UTC,
            ),
            fill=fill,
        )
        owner.accounts.append(acct)
        accounts.append(acct)

    # Size tiers among customers with a known revenue: top third A, middle B, rest C.
    known = sorted((a for a in accounts if a.is_customer and a.revenue), key=lambda a: -a.revenue)  # type: ignore[operator]
    for i, a in enumerate(known):
        a.tier = "A" if i < len(known) / 3 else ("B" if i < 2 * len(known) / 3 else "C")

    _add_contacts(rng, ids, accounts)
    return World(seed, supervisors, aes, [director, admin, departed], accounts, ids)


def _add_contacts(rng: random.Random, ids: IdMaker, accounts: list[Account]) -> None:
    used: set[str] = set()
    for n_acct, acct in enumerate(accounts):
        # one mail system per client company, as in real life
        mailer = rng.choices(["foxmail", "coremail", "outlook", "outlook_en", "apple"], [30, 25, 25, 8, 12])[0]
        count = rng.choice([2, 2, 3, 3, 4])
        for k in range(count):
            fam, fam_py = rng.choice(N.FAMILY_NAMES)
            if acct.brand in N.GBK_ONLY_BRANDS and k == 0:
                giv, giv_py = rng.choice(N.GBK_ONLY_GIVEN)
            else:
                giv, giv_py = rng.choice(N.GIVEN_NAMES)
            english = mailer == "outlook_en" or rng.random() < 0.12
            eng = rng.choice(N.ENGLISH_NAMES)
            style = rng.randrange(4)
            local_part = [
                f"{giv_py}.{fam_py}",
                f"{fam_py}.{giv_py}",
                f"{fam_py}{giv_py}",
                f"{fam_py}{''.join(s[0] for s in _syllables(giv_py))}",
            ][style]
            if english:
                local_part = f"{eng.lower()}.{fam_py}"
            addr_domain = acct.domain
            c_mailer = mailer
            # a few contacts use a personal mailbox; the CRM lists it, so they are still clients
            personal = k == 0 and n_acct % 19 == 8  # a small client's main contact on QQ/163 mail
            if personal:
                addr_domain, c_mailer = rng.choice(["qq.com", "163.com"]), "qqmail"
                local_part = f"{fam_py}{giv_py}{rng.randint(1980, 1999)}"
            email = f"{local_part}@{addr_domain}"
            while email in used:
                email = f"{local_part}{rng.randint(2, 99)}@{addr_domain}"
            used.add(email)
            charset = MAILER_CHARSETS[c_mailer]
            if not _fits(f"{fam}{giv}{acct.brand}", charset):
                # GBK-only characters: Coremail says gbk; Foxmail keeps its gb2312 label (a real
                # defect of Chinese mail that readers must tolerate); others use UTF-8.
                charset = {"foxmail": "gb2312", "coremail": "gbk"}.get(c_mailer, "utf-8")
            acct.contacts.append(
                Contact(
                    email=email,
                    name=f"{eng} {fam_py.capitalize()}" if english else f"{fam}{giv}",
                    first=eng if english else giv,
                    last=fam_py.capitalize() if english else fam,
                    account=acct,
                    sf_id=ids("003"),
                    mailer=c_mailer,
                    charset=charset,
                    title=rng.choice(N.CLIENT_TITLES),
                    english=english,
                    ooo_national_day=rng.random() < 0.3 or personal,
                )
            )
        if acct.brand in N.GBK_ONLY_BRANDS:
            acct.contacts[0].mailer, acct.contacts[0].charset = "foxmail", "gb2312"
    # Three customers also hear from someone at their domain whom the CRM does not list.
    customers = [a for a in accounts if a.is_customer and a.owner.is_staff]
    for acct in (customers[3], customers[27], customers[51]):
        fam, fam_py = rng.choice(N.FAMILY_NAMES)
        giv, giv_py = rng.choice(N.GIVEN_NAMES)
        base = acct.contacts[0]
        acct.contacts.append(
            Contact(
                email=f"{giv_py}.{fam_py}@{acct.domain}",
                name=f"{fam}{giv}",
                first=giv,
                last=fam,
                account=acct,
                sf_id=None,
                mailer=base.mailer,
                charset=base.charset,
                title="市场专员",
            )
        )


def _syllables(py: str) -> list[str]:
    # initials of a two-syllable given name, e.g. xiaoming -> x, m (good enough for 'wangxm')
    vowels = "aeiouv"
    for i in range(2, len(py) - 1):
        if py[i] not in vowels and py[i - 1] in vowels and py[i + 1] in vowels and py[i] not in "ng":
            return [py[:i], py[i:]]
    return [py]

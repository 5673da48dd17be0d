"""Messages of the demo agency, written as the mail clients of its people would write them.

Staff use Google Workspace (Gmail: UTF-8, `Re:`, Gmail Message-IDs); each client company has
its own mail system (Foxmail with GB2312, Coremail with GBK, Outlook with GB2312, `答复:` and
Thread-Index, QQ Mail with GB18030, Apple Mail with quoted-printable UTF-8). Mailboxes are
Gmail Takeout mbox files: a `From ` line, X-GM-THRID / X-Gmail-Labels / Delivered-To per
mailbox, mboxrd From-escaping (a body line `From ...` is written `>From ...`).
"""

from __future__ import annotations

import base64
import hashlib
import quopri
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aemetrics.demo.world import EXPORT_AT, SH, UTC


@dataclass(frozen=True)
class Sender:
    """A party that is neither staff nor client: newsletters, vendors."""

    email: str
    name: str
    mailer: str = "foxmail"
    charset: str = "gb2312"
    is_staff: bool = False


@dataclass(eq=False)
class Thread:
    kind: str
    account: Any = None  # world.Account
    messages: list[Message] = field(default_factory=list)
    outlook_index: bytes | None = None

    @property
    def root(self) -> Message:
        return self.messages[0]


@dataclass(eq=False)
class Message:
    msg_id: str
    when: datetime
    sender: Any
    to: list[Any]
    cc: list[Any]
    subject: str
    body: str
    kind: str
    thread: Thread
    parent: Message | None = None
    bcc: list[Any] = field(default_factory=list)
    auto: bool = False
    headers: list[tuple[str, str]] = field(default_factory=list)
    to_header: str | None = None
    thread_headers: bool = True
    account: Any = None
    meeting: Any = None  # the occurrence an agenda / minutes / notice is about

    @property
    def when_utc(self) -> datetime:
        return self.when.astimezone(UTC)

    def staff_members(self) -> list[Any]:
        out: list[Any] = []
        for p in [self.sender, *self.to, *self.cc, *self.bcc]:
            if p.is_staff and p not in out:
                out.append(p)
        return out


REPLY_PREFIX = {
    "gmail": "Re: ",
    "foxmail": "回复: ",
    "coremail": "Re:",
    "outlook": "答复: ",
    "outlook_en": "RE: ",
    "qqmail": "回复：",
    "apple": "Re: ",
}
FORWARD_PREFIX = {
    "gmail": "Fwd: ",
    "foxmail": "转发: ",
    "coremail": "Fw:",
    "outlook": "转发: ",
    "outlook_en": "FW: ",
    "qqmail": "转发：",
    "apple": "Fwd: ",
}
X_MAILER = {
    "foxmail": "Foxmail 7.2.25.375[cn]",
    "coremail": "Coremail Webmail Server Version XT5.0.14 build 20230606(2f2dde7d)",
    "outlook": "Microsoft Outlook 16.0",
    "outlook_en": "Microsoft Outlook 16.0",
    "apple": "Apple Mail (2.3774.600.62)",
}
CHARSET_LABEL = {"gb2312": "gb2312", "gbk": "GBK", "gb18030": "gb18030", "utf-8": "UTF-8"}
OUTLOOK_HOSTS = ["TYZPR06MB6235", "SEYPR03MB7011", "PSAPR06MB4437", "KL1PR0601MB4323"]
_GMAIL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-="


class Mailroom:
    """Creates messages (unique Message-IDs, realistic per mailer) and keeps them in order made."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.messages: list[Message] = []
        self.threads: list[Thread] = []
        self._ids: set[str] = set()

    # ---- creation ---------------------------------------------------------------------------
    def new_thread(self, kind: str, account: Any = None) -> Thread:
        t = Thread(kind, account)
        self.threads.append(t)
        return t

    def send(
        self,
        sender: Any,
        to: list[Any],
        cc: list[Any],
        when: datetime,
        subject: str,
        body: str,
        kind: str,
        thread: Thread | None = None,
        parent: Message | None = None,
        account: Any = None,
        **extra: Any,
    ) -> Message | None:
        """A message, or None when it would be sent after the export (it is then not in any file)."""
        when = when.replace(microsecond=0)  # a Date header has whole seconds
        if when >= EXPORT_AT:
            return None
        if thread is None:
            thread = parent.thread if parent is not None else self.new_thread(kind, account)
        m = Message(
            self._msg_id(sender, when),
            when.astimezone(SH),
            sender,
            list(to),
            list(cc),
            subject,
            body,
            kind,
            thread,
            parent,
            account=account if account is not None else thread.account,
            **extra,
        )
        thread.messages.append(m)
        self.messages.append(m)
        return m

    def reply(
        self,
        parent: Message,
        sender: Any,
        when: datetime,
        body: str,
        kind: str = "reply",
        to: list[Any] | None = None,
        cc: list[Any] | None = None,
        **extra: Any,
    ) -> Message | None:
        """Reply-all: To the parent's sender, Cc everyone else on it (minus the replier)."""
        if to is None:
            to = [parent.sender] if parent.sender is not sender else list(parent.to)
        if cc is None:
            cc = [p for p in [*parent.to, *parent.cc] if p is not sender and p not in to]
        prefix = REPLY_PREFIX[sender.mailer]
        if sender.mailer == "foxmail" and len(sender.email) % 3 == 0:
            prefix = "回复："  # some Foxmail set-ups write the full-width colon
        subject = parent.subject if parent.subject.startswith(prefix.strip()) else prefix + parent.subject
        if sender.mailer in ("outlook", "outlook_en") and not sender.is_staff and self.rng.random() < 0.25:
            extra.setdefault("thread_headers", False)  # Outlook drops In-Reply-To/References now and then
        return self.send(sender, to, cc, when, subject, body, kind, parent=parent, **extra)

    def _msg_id(self, sender: Any, when: datetime) -> str:
        r = self.rng
        while True:
            local = when.astimezone(SH)
            domain = sender.email.split("@")[1]
            style = sender.mailer
            if style == "gmail":
                mid = "CA" + "".join(r.choices(_GMAIL_CHARS, k=r.choice([40, 44, 46]))) + "@mail.gmail.com"
            elif style == "foxmail":
                mid = f"{local:%Y%m%d%H%M%S}{r.randint(100000, 999999)}{r.randint(10, 99)}@{domain}"
            elif style == "coremail":
                user = sender.email.split("@")[0]
                mid = (
                    f"{r.getrandbits(32):08x}.{r.getrandbits(16):04x}.{r.getrandbits(44):011x}.Coremail.{user}@{domain}"
                )
            elif style in ("outlook", "outlook_en"):
                host = r.choice(OUTLOOK_HOSTS)
                mid = f"{host}{r.getrandbits(128):032X}@{host}.apcprd06.prod.outlook.com"
            elif style == "qqmail":
                mid = f"tencent_{r.getrandbits(160):040X}@qq.com"
            elif style == "list":
                mid = f"{local:%Y%m%d%H%M%S}.{r.getrandbits(40):010x}@mail.{domain}"
            else:  # apple
                h = f"{r.getrandbits(128):032X}"
                mid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}@{domain}"
            if mid not in self._ids:
                self._ids.add(mid)
                return mid


# ------------------------------------------------------------------ RFC 2047 and headers
def _charset_bytes(text: str, charset: str) -> tuple[bytes, str]:
    """Bytes and the label a mailer writes. A GB2312 mailer facing a GBK-only character still says
    gb2312 but writes GBK bytes (Windows code page 936), as Outlook Express and Foxmail did."""
    try:
        return text.encode(charset), CHARSET_LABEL.get(charset, charset)
    except UnicodeEncodeError:
        if charset == "gb2312":
            return text.encode("gbk"), "gb2312"
        return text.encode("utf-8"), "UTF-8"


def _q_char(b: int) -> str:
    c = chr(b)
    if c == " ":
        return "_"
    if c.isalnum() and b < 128:
        return c
    return f"={b:02X}"


def encoded_words(text: str, charset: str, q: bool = False) -> list[str]:
    """RFC 2047 encoded words of at most 75 characters, never splitting a character."""
    _, label = _charset_bytes(text, charset)
    enc = "Q" if q else "B"
    head = f"=?{label}?{enc}?"
    words: list[str] = []
    chunk = ""
    for ch in text:
        cand = chunk + ch
        raw, _ = _charset_bytes(cand, charset)
        length = len(head) + 2 + (len("".join(_q_char(b) for b in raw)) if q else 4 * ((len(raw) + 2) // 3))
        if length > 75 and chunk:
            words.append(_word(chunk, charset, head, q))
            chunk = ch
        else:
            chunk = cand
    if chunk:
        words.append(_word(chunk, charset, head, q))
    return words


def _word(text: str, charset: str, head: str, q: bool) -> str:
    raw, _ = _charset_bytes(text, charset)
    payload = "".join(_q_char(b) for b in raw) if q else base64.b64encode(raw).decode("ascii")
    return f"{head}{payload}?="


def header_text(text: str, charset: str, q: bool = False) -> str:
    """An unstructured header value: ASCII as is, else encoded words folded one per line."""
    if text.isascii():
        return text
    return "\n ".join(encoded_words(text, charset, q))


_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def address(p: Any, charset: str) -> str:
    name = p.name
    if getattr(p, "mailer", "") == "outlook_en" and not p.is_staff and " " in name:
        first, last = name.split(" ", 1)
        name = f"{last}, {first}"  # Outlook's 'Last, First' display name: a comma inside quotes
    if not name:
        return f"<{p.email}>"
    if name.isascii():
        shown = f'"{name}"' if _SPECIALS.search(name) else name
        return f"{shown} <{p.email}>"
    return f"{' '.join(encoded_words(name, charset))} <{p.email}>"


def address_list(parties: list[Any], charset: str) -> str:
    out, line = "", 0
    for i, p in enumerate(parties):
        a = address(p, charset)
        if i:
            if line + len(a) + 2 > 76:
                out += ",\n "
                line = 1
            else:
                out += ", "
                line += 2
        out += a
        line += len(a)
    return out


def _fold_ids(name: str, ids: list[str]) -> str:
    out = f"{name}: "
    line = len(out)
    for i, mid in enumerate(ids):
        token = f"<{mid}>"
        if i and line + len(token) + 1 > 78:
            out += "\n "
            line = 1
        elif i:
            out += " "
            line += 1
        out += token
        line += len(token)
    return out


def _thread_topic(subject: str) -> str:
    s = subject
    while True:
        m = re.match(r"^\s*(re|fw|fwd|aw|回复|答复|转发)\s*[:：]\s*", s, re.I)
        if not m:
            return s
        s = s[m.end() :]


def render(m: Message, rng: random.Random) -> str:
    """The message as RFC 5322 text with LF line ends (the mbox writer adds nothing else)."""
    s = m.sender
    charset = s.charset
    date = m.when_utc if s.mailer in ("outlook", "outlook_en") else m.when  # Outlook 365 writes +0000
    h: list[str] = []
    if s.mailer == "gmail":
        h.append("MIME-Version: 1.0")
    h.append(f"Date: {format_datetime(date)}")
    h.append(f"Message-ID: <{m.msg_id}>")
    p = m.parent
    if p is not None and m.thread_headers:
        refs = []
        cur: Message | None = p
        while cur is not None:
            refs.append(cur.msg_id)
            cur = cur.parent if cur.thread_headers else None
        refs.reverse()
        h.append(f"In-Reply-To: <{p.msg_id}>")
        h.append(_fold_ids("References", refs[-10:]))
    h.append("Subject: " + header_text(m.subject, charset, q=s.mailer == "apple" and _mostly_ascii(m.subject)))
    h.append("From: " + address(s, charset))
    h.append("To: " + (m.to_header or address_list(m.to, charset)))
    if m.cc:
        h.append("Cc: " + address_list(m.cc, charset))
    if s.mailer in ("outlook", "outlook_en"):
        th = m.thread
        if th.outlook_index is None:
            stamp = int(m.when_utc.timestamp() * 10_000_000) + 116444736000000000
            th.outlook_index = stamp.to_bytes(8, "big")[:6] + rng.getrandbits(128).to_bytes(16, "big")
        else:
            th.outlook_index += rng.getrandbits(40).to_bytes(5, "big")
        h.append("Thread-Topic: " + header_text(_thread_topic(m.subject), charset))
        h.append("Thread-Index: " + base64.b64encode(th.outlook_index).decode())
        h.append("Content-Language: zh-CN" if s.mailer == "outlook" else "Content-Language: en-US")
    if s.mailer in X_MAILER:
        h.append(f"X-Mailer: {X_MAILER[s.mailer]}")
    for k, v in m.headers:
        if not v.isascii():  # e.g. a List-Id phrase in Chinese: an encoded word before the <id>
            phrase, _, rest = v.partition(" <")
            v = " ".join(encoded_words(phrase, charset)) + (f" <{rest}" if rest else "")
        h.append(f"{k}: {v}")
    if s.mailer != "gmail":
        h.append("MIME-Version: 1.0")
    body = m.body if m.body.endswith("\n") else m.body + "\n"
    if body.isascii():
        label = "us-ascii" if s.mailer in ("outlook", "outlook_en") else CHARSET_LABEL.get(charset, charset)
        h.append(f'Content-Type: text/plain; charset="{label}"')
        h.append("Content-Transfer-Encoding: 7bit")
        payload = body
    else:
        raw, label = _charset_bytes(body, charset)
        h.append(f'Content-Type: text/plain; charset="{label}"')
        if s.mailer == "apple":
            h.append("Content-Transfer-Encoding: quoted-printable")
            payload = quopri.encodestring(raw).decode("ascii")
        else:
            h.append("Content-Transfer-Encoding: base64")
            b64 = base64.b64encode(raw).decode("ascii")
            payload = "\n".join(b64[i : i + 76] for i in range(0, len(b64), 76)) + "\n"
    return "\n".join(h) + "\n\n" + payload


def _mostly_ascii(text: str) -> bool:
    return sum(c.isascii() for c in text) > len(text) / 2


# ------------------------------------------------------------------ mbox files
_FROM_LINE = re.compile(r"^(>*From )", re.M)


def _number(*parts: str) -> int:
    return int(hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:15], 16) | (1 << 60)


def gmail_labels(owner: Any, m: Message) -> str:
    if m.sender is owner:
        return "Sent" if not m.auto else "Sent,Opened"
    if m.kind in ("newsletter",):
        return "Inbox,Category Updates" + (",Opened" if _number(owner.email, m.msg_id) % 3 else ",Unread")
    if m.auto:
        return "Inbox,Opened"
    return "Important,Inbox,Opened" if m.account is not None else "Inbox,Opened"


def write_mbox(path: Path, owner: Any, messages: list[Message], rendered: dict[int, str]) -> int:
    """One Gmail-Takeout-style mbox; returns the number of messages written."""
    ordered = sorted(messages, key=lambda m: (m.when_utc, m.msg_id))
    chunks: list[str] = []
    for m in ordered:
        stamp = m.when_utc.strftime("%a %b %d %H:%M:%S +0000 %Y")
        chunks.append(f"From {_number(m.msg_id)}@xxx {stamp}\n")
        chunks.append(f"X-GM-THRID: {_number(owner.email, m.thread.root.msg_id)}\n")
        chunks.append(f"X-Gmail-Labels: {gmail_labels(owner, m)}\n")
        if m.sender is not owner:
            chunks.append(f"Delivered-To: {owner.email}\n")
        chunks.append(_FROM_LINE.sub(r">\1", rendered[id(m)]))
        chunks.append("\n")
    path.write_bytes("".join(chunks).encode("ascii"))
    return len(ordered)

"""One e-mail export file: which reader (mbox, .eml, .msg) from its name or first bytes, and
the listing in quarantine of every message loaded without a usable date."""

from __future__ import annotations

import re
from pathlib import Path

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.email.eml import parse_eml
from aemetrics.ingest.email.mbox import parse_mbox
from aemetrics.ingest.email.msg import parse_msg
from aemetrics.ingest.email.rows import TABLE


def email_kind(path: Path) -> str | None:
    """'mbox' | 'eml' | 'msg' from the file name; None for anything else."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in (".mbox", ".mbx") or name == "mbox":
        return "mbox"
    if suffix == ".eml":
        return "eml"
    if suffix == ".msg":
        return "msg"
    return _sniff_kind(path)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?\S?")


def _sniff_kind(path: Path) -> str | None:
    """Files without a telling suffix (maildir 'cur/1529425589.M6P2.host:2,S', Thunderbird's
    'Inbox'): decide from the first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(_OLE_MAGIC):
        return "msg"
    if head.startswith(b"From "):
        return "mbox"
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    return "eml" if _HEADER_LINE.match(first) else None


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """One e-mail export file -> rows of raw_email_messages (+ quarantined messages)."""
    kind = email_kind(src.path)
    if kind is None:
        raise ParseError(f"{src.rel}: not an e-mail file (expected .mbox, .mbx, a file named mbox, .eml or .msg)")
    try:
        if kind == "mbox":
            result = parse_mbox(src, settings)
        elif kind == "eml":
            result = parse_eml(src, settings)
        else:
            result = parse_msg(src, settings)
    except OSError as exc:
        raise ParseError(f"{src.rel}: cannot read the file: {exc}") from exc
    return list_undated(result)


UNDATED = "loaded, but no standard can use a message without a date"


def list_undated(result: ParseResult) -> ParseResult:
    """A message without a usable Date stays in raw_email_messages and is also listed in
    quarantine with the reason (STANDARDS.md: nothing disappears silently)."""
    for row in result.rows.get(TABLE, []):
        if row["sent_at"] is None:
            header = row.get("date_header")
            problem = f"unusable Date header {header!r}" if header else "no Date header"
            result.reject(row["record"], f"{problem}: {UNDATED}")
    return result

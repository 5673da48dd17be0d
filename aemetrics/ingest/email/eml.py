"""Single .eml files (also a message cut from an mbox with its 'From ' line)."""

from __future__ import annotations

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile
from aemetrics.ingest.email.bodies import approval_flags, message_text_for_flags
from aemetrics.ingest.email.headers import BLANK_LINE, Headers
from aemetrics.ingest.email.mbox import looks_like_separator
from aemetrics.ingest.email.rows import TABLE, build_row


def parse_eml(src: SourceFile, settings: Settings) -> ParseResult:
    result = ParseResult(parser="eml")
    data = src.path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    start = len(data) - len(data.lstrip(b"\r\n"))
    if data.startswith(b"From ", start) and looks_like_separator(data, start)[0]:  # cut from an mbox
        nl = data.find(b"\n", start)
        start = len(data) if nl < 0 else nl + 1
    m = BLANK_LINE.search(data, start)
    if data.startswith(b"\n", start) or data.startswith(b"\r\n", start):
        block_end, body_start = start, start + (1 if data[start : start + 1] == b"\n" else 2)
    elif m:
        block_end, body_start = m.start() + 1, m.end()
    else:
        block_end = body_start = len(data)
    h = Headers(data[start:block_end], data, body_start, len(data))
    if h.field_lines == 0:
        raise ParseError(f"{src.rel}: not an e-mail message: no header lines")
    if not h.usable:
        raise ParseError(f"{src.rel}: not an e-mail message: no From, To, Cc, Date, Subject or Message-ID header")
    # read for the approval flags; stored only with store_bodies
    text = message_text_for_flags(h, data[start:], data[body_start:], store_bodies=settings.store_bodies)
    body = text if settings.store_bodies else None
    result.add(TABLE, build_row(h, source_file=src.rel, record="file", body_text=body, flags=approval_flags(text)))
    return result

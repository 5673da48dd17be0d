"""E-mail exports -> raw_email_messages: mbox mailboxes, single .eml files, Outlook .msg files.

The header block of each message is split with one regular expression and only the fields the
warehouse keeps are decoded, which is several times faster than Python's mailbox module
(benchmarks/bench_mbox.py, docs/benchmarks.md). Bodies are stored only with settings.store_bodies;
otherwise the first text is read for two flags only (approval / negation words, minutes_signoff:
bodies.approval_flags). Every decision on odd input is documented in docs/formats.md#email.

One concern per module:
  parser.py         which reader for a file (name or first bytes); undated messages listed
  mbox.py           mbox separators, Content-Length, split_mbox, parse_mbox
  eml.py            single .eml files
  msg.py            Outlook .msg files (extract_msg, MAPI properties)
  headers.py        a header block -> the kept fields (Headers)
  rows.py           Headers -> the raw_email_messages row (build_row, synthetic_id)
  bodies.py         message text (stored only with store_bodies) and its approval flags
  charsets.py, text.py, address_lists.py, msgids.py, dates.py
                    decoding of header values: pure functions that never raise on bad
                    input (a value that cannot be understood becomes None or [])
"""

from __future__ import annotations

from aemetrics.ingest.email.eml import parse_eml
from aemetrics.ingest.email.headers import Headers
from aemetrics.ingest.email.mbox import parse_mbox, split_mbox
from aemetrics.ingest.email.msg import is_mail_class, parse_msg
from aemetrics.ingest.email.parser import UNDATED, email_kind, list_undated, parse
from aemetrics.ingest.email.rows import COLUMNS, TABLE, build_row, synthetic_id
from aemetrics.ingest.email.text import MAX_TEXT


def clear_caches() -> None:
    """Forget every remembered decoding (senders, recipients, subjects, content types, charsets,
    field names): a benchmark's runs then each start cold."""
    from aemetrics.ingest.email import address_lists, bodies, charsets, headers, rows, text

    for cached in (
        address_lists._parse_addresses, text._decode_text, charsets.charset_chain, rows._sender,
        rows._address_list, rows.content_type, bodies._declared_charset,
    ):  # fmt: skip
        cached.cache_clear()
    headers._KEYS.clear()


__all__ = [
    "COLUMNS", "Headers", "MAX_TEXT", "TABLE", "UNDATED", "build_row", "clear_caches", "email_kind", "is_mail_class",
    "list_undated", "parse", "parse_eml", "parse_mbox", "parse_msg", "split_mbox", "synthetic_id",
]  # fmt: skip

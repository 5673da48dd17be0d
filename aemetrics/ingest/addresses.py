"""E-mail addresses as every parser stores them: lower-cased, spaces and a mailto: prefix
stripped (normalize_email), and the check that a value is one address (is_email). The staff
directory, CRM, attendance and calendar parsers store addresses through normalize_email; the
e-mail header parser (email/address_lists.py) ends each address it finds there too.
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s,;<>()\"]+@[^@\s,;<>()\"]+$")


def normalize_email(value: str) -> str:
    """Lower-cased, spaces (ideographic ones too) and a mailto: prefix stripped."""
    v = value.strip().lower()
    if v.startswith("mailto:"):
        v = v[7:].strip()
    return v


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value))


__all__ = ["EMAIL_RE", "is_email", "normalize_email"]

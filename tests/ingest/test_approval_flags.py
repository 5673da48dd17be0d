"""minutes_signoff: the approval / negation words the e-mail parser reads in the first 1,000 characters of a body
(STANDARDS.md: bodies stay unstored, only the flags are kept). Before issue 11 the parser read no body without
store_bodies and raw_email_messages had no such columns."""

from __future__ import annotations

import pytest

from aemetrics.ingest.email.bodies import approval_flags


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("同意，可以发。", (True, False)),
        ("没问题", (True, False)),
        ("LGTM", (True, False)),
        ("Approved, OK to send.", (True, False)),
        ("不同意，请修改预算部分。", (False, True)),  # 不同意 holds 同意: negations are cut out first
        ("Not approved yet: fix the budget line.", (False, True)),
        ("暂不发送，驳回。", (False, True)),
        ("请审批。", (False, False)),
        ("The board approvedness", (False, False)),  # English words match whole words only
        ("收到\n\n在 2026年1月5日 17:00，赵磊 写道：\n> 同意吗？", (False, False)),  # quoted text is not the approver's
        ("Thanks\n\nOn Mon, 5 Jan 2026 at 17:00, Zhao Lei wrote:\n> OK to send?", (False, False)),
        ("x" * 1000 + "同意", (False, False)),  # only the first 1,000 characters are read
        (None, (None, None)),
    ],
)
def test_approval_flags(text, flags):
    assert approval_flags(text) == flags

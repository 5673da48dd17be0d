"""Online meeting ids (Zoom, Teams, Webex, Tencent, Feishu/Lark) in an event's location, links and text."""

from __future__ import annotations

import re

_ZOOM_URL = re.compile(r"zoom(?:gov)?\.(?:us|com\.cn|com)/(?:j|w|s|wc(?:/join)?)/(\d{9,11})(?!\d)", re.I)
_ZOOM_CONFNO = re.compile(r"zoom\w*://\S*?confno=(\d{9,11})(?!\d)", re.I)
# Feishu / Lark join links: vc.feishu.cn/j/123456789 (the 9-digit 会议 ID of the participant export)
_FEISHU_URL = re.compile(r"vc\.(?:feishu\.cn|larksuite\.com)/j/(\d{9,12})(?!\d)", re.I)
_TEAMS_URL = re.compile(r"teams\.(?:microsoft|live)\.com/meet/(\d{9,15})(?!\d)", re.I)
_LABELLED_ID = re.compile(
    r"(?:meeting\s*(?:id|number|no\.?)|webinar\s*id|会议\s*(?:号码?|id|编号)|腾讯会议(?:号)?)"
    r"(?:\s*[(（][^)）\n]{0,30}[)）])?\s*[:：#]?\s*"
    r"(\d(?:[ \u00a0\u3000-]?\d){8,13})(?!\d)",
    re.I,
)
MEETING_FIELDS = (
    "LOCATION",
    "URL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "CONFERENCE",
    "DESCRIPTION",
    "X-ALT-DESC",
)


def find_online_meeting_id(*texts: str | None) -> str | None:
    """Digits of the first Zoom/Teams/Webex/Tencent meeting id in the texts, taken in order:
    a join link ('zoom.us/j/81234567890?pwd=..', 'vc.feishu.cn/j/123456789') or a labelled number ('Meeting ID: 812 3456 7890',
    '会议号：812 3456 7890', Teams 'Meeting ID: 123 456 789 012')."""
    for text in texts:
        if not text:
            continue
        for pattern in (_ZOOM_URL, _ZOOM_CONFNO, _TEAMS_URL, _FEISHU_URL, _LABELLED_ID):
            if m := pattern.search(text):
                return re.sub(r"\D", "", m.group(1))
    return None

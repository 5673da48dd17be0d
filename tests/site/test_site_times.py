"""The site's timestamp text, made a whole column at once (pages._iso: the CSVs; pages._when_text: the
pages) is what formatting each value on its own gives (issue 10: numpy writes the text in C)."""

import pandas as pd

from aemetrics.site import pages
from aemetrics.site.html import DASH, when


def _zoned(values: list, tz: str) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True), name="opened_at").dt.tz_convert(tz)


COLUMNS = [
    _zoned(["2026-01-05 09:30:00+08:00", None, "2025-12-31 23:59:59+08:00"], "Asia/Shanghai"),
    # a DST change: two offsets in one column
    _zoned(["2025-03-30 00:59:59+00:00", "2025-03-30 01:00:00+00:00", None], "Europe/Paris"),
    _zoned(["1969-12-31 23:59:59+00:00", "1960-01-01 00:00:30+00:00"], "America/St_Johns"),  # before 1970, :30 offset
    _zoned(["2026-01-05 09:30:00.5+08:00", None], "Asia/Shanghai"),  # a fraction of a second: value by value
    pd.Series([None, None], dtype="datetime64[us, UTC]"),
    pd.Series([], dtype="datetime64[us, UTC]"),
]


def test_iso_is_each_value_isoformat():
    for col in COLUMNS:
        got = pages._iso(col)
        assert got.tolist() == [v.isoformat() if pd.notna(v) else "" for v in col]
        assert got.index.equals(col.index)


def test_when_text_is_html_when_of_each_value():
    for col in COLUMNS:
        assert pages._when_text(col) == [when(v) for v in col]
        assert all(t == DASH for t, v in zip(pages._when_text(col), col, strict=True) if pd.isna(v))

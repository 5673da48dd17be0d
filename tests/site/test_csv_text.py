"""The site's CSV files are written column-wise (aemetrics/site/csv_text.py, issue 10) but must hold
the bytes pandas wrote before: `neutralise_formulas(frame).to_csv(index=False, lineterminator="\\n")`.

Before: every CSV went through pandas' row-at-a-time writer (half the time of writing the site's
CSVs). These frames hold the cells where the two could part: quotes, commas, line ends, a lone
carriage return (not quoted by Python 3.11's csv module), formulas in text and in mixed columns,
numbers that look like formulas, missing values of every kind, one-column frames (an empty cell is
quoted there), empty frames, timestamps with zones, dates, nullable integers and booleans."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from aemetrics.site.audience import neutralise_formulas
from aemetrics.site.csv_text import to_csv_text


def _pandas(frame: pd.DataFrame) -> str:
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")


TEXT = ["plain", 'say "hi"', "a,b", "two\nlines", "cr\ronly", "tab\there", "=SUM(A1)", "+86 1", "-x", "@me"]
TEXT += ["\tlead", "\rlead", "", " space", "中文,名字", "'quoted", '"=x"', "=a,b"]

FRAMES = {
    "text": pd.DataFrame({"s": TEXT, "n": range(len(TEXT))}),
    "string dtype with missing": pd.DataFrame(
        {"s": pd.array([*TEXT, None], dtype="string"), "t": pd.array([None, *TEXT], dtype="str")}
    ),
    "object mixed": pd.DataFrame(
        {
            "o": ["=x", -5, 2.5, None, np.nan, dt.date(2025, 1, 6), True, "-y", pd.NaT],
            "k": ["a"] * 9,
        }
    ),
    "numbers": pd.DataFrame(
        {
            "i": [-1, 0, 2**40],
            "f": [-3.5, np.nan, 1e-7],
            "big": [1e16, 0.1 + 0.2, -0.0],
            "b": [True, False, True],
            "I": pd.array([1, None, -3], dtype="Int64"),
            "B": pd.array([True, None, False], dtype="boolean"),
            "u": np.array([1, 2, 3], dtype="uint8"),
        }
    ),
    "times": pd.DataFrame(
        {
            "ts": pd.to_datetime(["2025-01-06 08:30:00", None, "2025-12-31 23:59:59"]).tz_localize("Asia/Shanghai"),
            "naive": pd.to_datetime(["2025-01-06 00:00:00", "2025-01-07 01:02:03", None]),
            "d": [dt.date(2025, 1, 6), None, dt.date(2025, 1, 8)],
            "obj_ts": [pd.Timestamp("2025-01-06 08:30", tz="Asia/Shanghai"), None, "x"],
        }
    ),
    "one column": pd.DataFrame({"only": ["a", "", None, "=b", "c,d"]}),
    "one empty label": pd.DataFrame({"": ["", "x"]}),
    "empty rows": pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="float64")}),
    "labels to quote": pd.DataFrame({"a,b": [1], 'say "x"': ["y"], "=c": ["=d"]}),
    "no columns": pd.DataFrame(index=range(3)),
    "category": pd.DataFrame({"c": pd.Categorical(["=a", "b", None]), "s": ["x", "y", "z"]}),
    "nul": pd.DataFrame({"s": ["a\x00b", "c"], "t": ["=x", "y"]}),
    "number labels": pd.DataFrame({0: ["a"], 1: ["b"]}),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_same_text_as_pandas(name):
    frame = FRAMES[name]
    assert to_csv_text(frame) == _pandas(frame)


def test_the_frame_is_not_changed():
    frame = pd.DataFrame({"s": ["=x", "y"], "n": [1, 2]})
    before = frame.copy()
    to_csv_text(frame)
    neutralise_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)

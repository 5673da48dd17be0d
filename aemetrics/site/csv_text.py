"""The site's CSV text, byte for byte what `frame.to_csv(index=False, lineterminator="\\n")` writes, made
column-wise (issue 10): pandas hands the csv module one row at a time, which was half the time of
writing the site's 1,109 CSV files at 100 AEs.

The cells are pandas' own (`DataFrame._get_values_for_csv`, the conversion `to_csv` makes: NaN to
'', floats as numpy writes them, dates and timestamps formatted); only the csv module's step is done
here: a cell becomes text as `csv.writer` makes it (None '', a float its repr, anything else str), a
cell holding one of the characters the csv module quotes is quoted with its quotes doubled, and a
row of one empty cell is `""`. Which characters those are is asked of the installed csv module
(Python 3.11 quotes , " and newline but not a lone carriage return when the line ends in '\\n').
Anything else (labels that are not text, a NUL) goes to pandas itself.
"""

from __future__ import annotations

import csv
import io
import re
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from pandas._libs import lib

from aemetrics.site.audience import FORMULA_START, is_text_dtype, neutralise_formulas

LINE_END = "\n"
SEP = "\x00"  # joins a column's cells to look for quotes and formulas at C speed
# characters probed: the delimiter, the quote, line ends and a few that are never special in practice
_PROBE = ',"\n\r\t\x0b\x0c '


def _csv_row(row: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=LINE_END).writerow(row)
    return out.getvalue()


QUOTED = frozenset(c for c in _PROBE if _csv_row([f"a{c}b"]).startswith('"'))
LONE_EMPTY = _csv_row([""])[: -len(LINE_END)]  # a row of one empty cell: '""' in Python 3.11


def _cell(value: Any) -> str:
    """A cell as csv.writer turns it into text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


_NEEDS_QUOTES = re.compile("[" + re.escape("".join(sorted(QUOTED))) + "]")


def _column(values: Any, text: bool, plain: bool = False) -> list[str] | None:
    """One column's cells as CSV text; None when pandas must write the frame itself. `text`: a
    column of text (object or string dtype), whose text cells are neutralised (audience.FORMULA_START).
    `plain`: a numpy int, unsigned or bool column, whose cells numpy turns into the same text as str()."""
    if plain:
        return values.astype(str).tolist()
    cells = values.tolist()
    if not (cells and lib.is_string_array(values, skipna=False)):
        if text:  # a text cell of the frame is still the same str here (a missing one is '')
            cells = [neutralise(v) if isinstance(v, str) else _cell(v) for v in cells]
            text = False
        else:
            cells = [v if type(v) is str else _cell(v) for v in cells]
    joined = SEP + SEP.join(cells)
    if joined.count(SEP) != max(len(cells), 1):  # a NUL in a cell: pandas writes it
        return None
    if text and any(map(str.startswith, cells, repeat(FORMULA_START))):
        cells = [neutralise(v) for v in cells]
    if _NEEDS_QUOTES.search(joined):
        cells = [_quote(c) for c in cells]
    return cells


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_csv_text(frame: pd.DataFrame) -> str:
    """`neutralise_formulas(frame).to_csv(index=False, lineterminator="\\n")`, faster."""
    labels = list(frame.columns)
    if not labels or not all(type(c) is str for c in labels) or isinstance(frame.columns, pd.MultiIndex):
        return _pandas(frame)
    try:
        native = frame._get_values_for_csv(float_format=None, date_format=None, decimal=".", na_rep="", quoting=None)
    except (AttributeError, TypeError):  # another pandas: its own writer
        return _pandas(frame)
    columns = []
    for values, dtype in zip(native._iter_column_arrays(), frame.dtypes, strict=True):
        plain = isinstance(dtype, np.dtype) and dtype.kind in "iub"
        cells = _column(values, is_text_dtype(dtype), plain)
        if cells is None:
            return _pandas(frame)
        columns.append(cells)
    if SEP in "".join(labels):
        return _pandas(frame)
    header = [_quote(c) for c in labels]
    if len(columns) == 1:
        only = columns[0]
        # a row of one empty cell (an empty string or a missing value, both '' by now) is quoted
        if "" in only:
            only = [LONE_EMPTY if c == "" else c for c in only]
        if header[0] == "":
            header = [LONE_EMPTY]
        return LINE_END.join([header[0], *only]) + LINE_END
    rows = map(",".join, zip(*columns, strict=True))
    return LINE_END.join([",".join(header), *rows]) + LINE_END


def _pandas(frame: pd.DataFrame) -> str:
    return neutralise_formulas(frame).to_csv(index=False, lineterminator=LINE_END)

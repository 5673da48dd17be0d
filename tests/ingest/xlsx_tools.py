"""The .xlsx writer of the test fixtures: the demo's (aemetrics/demo/xlsx_writer.py; python-calamine only
reads and openpyxl is not installed). write_xlsx(path, {"Sheet1": [[...], [...]]})."""

from aemetrics.demo.xlsx_writer import write_xlsx

__all__ = ["write_xlsx"]

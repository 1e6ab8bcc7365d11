"""The learner's own data set as CSV, as the kinds that hand one out write it."""

from collections.abc import Iterable, Sequence
from typing import Any


def csv_rows(rows: Iterable[Sequence[Any]]) -> str:
    """Rows of cells as CSV text, each line ended by CRLF."""
    return "".join(",".join(csv_cell(cell) for cell in row) + "\r\n" for row in rows)


def csv_cell(value: Any) -> str:
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        text = "'" + text  # an author's heading must not start a spreadsheet formula
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text

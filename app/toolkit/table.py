"""Data a learner pastes or uploads: CSV text with a header row, read into named columns.

Every problem names where it is, as a spreadsheet user would look for it: the row number
counts the header as row 1, and the column is named by its heading.
"""

import csv
import io
import math
from dataclasses import dataclass

from app.errors import InvalidInput

MAX_ROWS = 100_000
MAX_COLUMNS = 50
DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Table:
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # every row as long as the headings

    def column(self, heading: str, field: str) -> list[str]:
        """The column's cells, or an error on `field` (the form field that named it)."""
        if heading not in self.headings:
            known = ", ".join(f"'{h}'" for h in self.headings)
            raise InvalidInput(f"There is no column '{heading}'; the data has {known}.", field)
        index = self.headings.index(heading)
        return [row[index] for row in self.rows]

    def numbers(self, heading: str, field: str, whole: bool = False) -> list[float]:
        """The column as numbers; a blank cell or text is an error naming its row."""
        values = []
        for row_number, cell in enumerate(self.column(heading, field), start=2):
            values.append(_number(cell, heading, row_number, whole))
        return values

    def numeric_headings(self) -> list[str]:
        """The columns of numbers, in their order, judged by their first filled cell: a
        typing slip further down must be reported where it is, not drop the column."""
        found = []
        for heading in self.headings:
            first = next((c for c in self.column(heading, "data") if c), "")
            if _is_number(first):
                found.append(heading)
        return found


def read_table(text: str) -> Table:
    """CSV text with a header row; commas, semicolons or tabs between cells."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        raise InvalidInput("Give a header row and at least one row of data.", "data")
    if len(lines) - 1 > MAX_ROWS:
        raise InvalidInput(f"The data has more than {MAX_ROWS:,} rows.", "data")
    delimiter = max(DELIMITERS, key=lines[0].count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    headings = tuple(cell.strip() for cell in rows[0])
    _check_headings(headings)
    body = []
    for row_number, row in enumerate(rows[1:], start=2):
        cells = tuple(cell.strip() for cell in row)
        if len(cells) != len(headings):
            raise InvalidInput(
                f"Row {row_number} has {len(cells)} cells; the header has {len(headings)}.",
                "data",
            )
        body.append(cells)
    return Table(headings, tuple(body))


def _check_headings(headings: tuple[str, ...]) -> None:
    if len(headings) > MAX_COLUMNS:
        raise InvalidInput(f"The data has more than {MAX_COLUMNS} columns.", "data")
    if any(not h for h in headings):
        raise InvalidInput("Every column in the header row needs a name.", "data")
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    if repeated:
        raise InvalidInput(f"Column names must differ: '{repeated[0]}' appears twice.", "data")


def _number(cell: str, heading: str, row_number: int, whole: bool) -> float:
    where = f"Row {row_number}, column '{heading}'"
    if not cell:
        raise InvalidInput(f"{where} is empty.", "data")
    if not _is_number(cell):
        hint = " Write decimals with a point, and no thousands separators." if "," in cell else ""
        raise InvalidInput(f"{where}: '{cell[:40]}' is not a number.{hint}", "data")
    value = float(cell)
    if whole and (value < 0 or value != int(value)):
        raise InvalidInput(f"{where}: {cell} is not a count (a whole number, 0 or more).", "data")
    return value


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False

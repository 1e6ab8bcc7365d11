"""Reading pasted or uploaded data: every problem names its row and column."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.toolkit.table import read_table


def error_of(text: str, column: str = "minutes", whole: bool = False) -> str:
    with pytest.raises(InvalidInput) as raised:
        read_table(text).numbers(column, "column", whole=whole)
    return raised.value.detail


def test_commas_semicolons_and_tabs_all_separate_cells():
    for separator in (",", ";", "\t"):
        table = read_table(f"day{separator}minutes\n1{separator}4.5\n2{separator}6\n")
        assert table.headings == ("day", "minutes")
        assert table.numbers("minutes", "column") == [4.5, 6.0]


def test_text_in_a_numeric_column_names_the_row_counting_the_header_as_row_1():
    assert (
        error_of("day,minutes\n1,4.5\n2,six\n") == "Row 3, column 'minutes': 'six' is not a number."
    )


def test_a_decimal_comma_is_refused_with_a_hint_rather_than_misread():
    message = error_of("day;minutes\n1;4,5\n")
    assert message.startswith("Row 2, column 'minutes': '4,5' is not a number.")
    assert "with a point" in message


def test_an_empty_cell_is_named():
    assert error_of("day,minutes\n1,\n") == "Row 2, column 'minutes' is empty."


def test_counts_must_be_whole_and_not_negative():
    assert "is not a count" in error_of("day,minutes\n1,2.5\n", whole=True)
    assert "is not a count" in error_of("day,minutes\n1,-1\n", whole=True)


def test_an_unknown_column_lists_the_ones_there_are():
    message = error_of("day,minutes\n1,2\n", column="mins")
    assert message == "There is no column 'mins'; the data has 'day', 'minutes'."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("minutes\n", "Give a header row and at least one row of data."),
        ("day,minutes\n1,2,3\n", "Row 2 has 3 cells; the header has 2."),
        ("day,day\n1,2\n", "Column names must differ: 'day' appears twice."),
        ("day,\n1,2\n", "Every column in the header row needs a name."),
    ],
)
def test_a_malformed_table_says_what_is_wrong(text, message):
    with pytest.raises(InvalidInput) as raised:
        read_table(text)
    assert raised.value.detail == message
    assert raised.value.field == "data"


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_numbers_written_out_read_back_unchanged(values):
    text = "value\n" + "\n".join(repr(v) for v in values)
    assert read_table(text).numbers("value", "column") == values

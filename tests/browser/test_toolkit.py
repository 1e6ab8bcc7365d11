"""A learner analyses their own data in the toolkit, in Chromium: a pasted data set gives a
control chart, and a mistake in the data is named without losing what was typed."""

import re

import pytest

pytestmark = pytest.mark.browser

CALLS = "day,minutes\n" + "".join(
    f"{day},{value}\n"
    for day, value in enumerate(
        [31.2, 29.8, 33.5, 30.1, 28.7, 32.4, 30.9, 29.5, 31.8, 30.2, 34.1, 29.9, 49.5, 30.4], 1
    )
)


def test_a_learner_charts_pasted_data_and_corrects_a_bad_cell(browser_page, cast):
    page = browser_page
    page.goto("/sign-in")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("ada-reads-every-module")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Toolkit").click()
    page.get_by_role("link", name="Control chart").click()
    page.get_by_label("Data, with a header row").fill(CALLS.replace("30.1", "thirty"))
    page.get_by_role("button", name="Analyse").click()

    alert = page.get_by_role("alert")
    assert "Row 5, column 'minutes': 'thirty' is not a number." in alert.inner_text()
    assert page.get_by_label("Data, with a header row").input_value().startswith("day,minutes")

    page.get_by_label("Data, with a header row").fill(CALLS)
    page.get_by_role("button", name="Analyse").click()
    result = page.get_by_role("region", name="Control chart")
    assert "sample 13 (rule 1)" in result.inner_text()
    chart = result.get_by_role("img", name=re.compile("^Individuals and moving range"))
    assert chart.is_visible()
    problems = page.console_problems  # type: ignore[attr-defined]
    # Chromium logs the page answered 422 as a failed load; nothing else may go wrong.
    assert [p for p in problems if "status of 422" not in p] == []

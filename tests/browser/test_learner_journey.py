"""A learner signs in, opens the Yellow Belt course, reads a module and marks it read."""

import pytest

pytestmark = pytest.mark.browser


def test_a_learner_reads_the_first_module_and_sees_progress_change(browser_page, cast, content):
    page = browser_page
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("ada-reads-every-module")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("link", name="Ada Lovelace").is_visible()

    page.get_by_role("link", name="Yellow Belt").click()
    page.get_by_role("link", name="From craft to mass to lean production").click()
    assert page.get_by_role("heading", name="Craft production").is_visible()
    assert page.locator(".progress-text").inner_text() == "0 of 10 modules read (0%)"

    url_before = page.url
    page.get_by_role("button", name="Mark as read").click()
    page.get_by_text("You have read this module").wait_for()
    assert page.locator(".progress-text").inner_text() == "1 of 10 modules read (10%)"
    assert page.url == url_before, "htmx swapped the status in place, without a page load"

    page.get_by_role("link", name="Yellow Belt").first.click()
    assert page.get_by_text("✓ read").is_visible()
    assert page.console_problems == []

"""An instructor edits a module in Chromium, watches the live preview follow the typing,
publishes, and a learner then reads the new text."""

import pytest

pytestmark = pytest.mark.browser
EDITOR = "/teach/yellow-belt/modules/measuring-quality/edit"
LEARNER_PAGE = "/courses/yellow-belt/measuring-quality"
NEW_SENTENCE = "A claims team that fixes its own errors before hand-off halves its rework."


def sign_in(page, email, password, next_page):
    page.goto(f"/sign-in?next={next_page}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_instructor_publishes_an_edit_a_learner_then_reads(
    browser_page, live_server, teaching, cast
):
    page = browser_page
    sign_in(page, "ines@example.com", "ines-writes-courses", EDITOR)
    body = page.get_by_label("Teaching text (Markdown)")
    body.press("Control+End")
    body.type(f"\n\n## Rework at the source\n\n{NEW_SENTENCE}", delay=5)
    preview = page.locator("#preview")
    preview.get_by_role("heading", name="Rework at the source").wait_for()
    assert NEW_SENTENCE in preview.inner_text()

    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published as version 2. Learners now see it.").wait_for()
    assert page.console_problems == []

    learner = page.context.browser.new_context(base_url=live_server).new_page()
    sign_in(learner, "ada@example.com", "ada-reads-every-module", LEARNER_PAGE)
    learner.get_by_role("heading", name="Rework at the source").wait_for()
    assert NEW_SENTENCE in learner.locator("main").inner_text()

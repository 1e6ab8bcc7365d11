"""A learner completes Yellow Belt module 1 in Chromium: reads it, passes both knowledge
checks on the page, and marks it read."""

import pytest

from app.learning import attempts

pytestmark = pytest.mark.browser
MODULE = "/courses/yellow-belt/craft-mass-lean"


def answer_quiz(page, db, user, slug):
    loaded = attempts.load_exercise(db, slug)
    state = attempts.exercise_state(db, user, loaded)
    answer = loaded.kind.solve(loaded.params, state.variant)
    block = page.locator(f"#exercise-{slug}")
    for question in loaded.params.questions:
        if question.type == "numeric":
            block.locator(f"#{slug}-q-{question.id}").fill(repr(answer[question.id]))
        else:
            for index in answer[question.id]:
                block.locator(f"#{slug}-q-{question.id}-{index}").check()
    block.get_by_role("button", name="Submit answer").click()
    block.get_by_text("✓ Passed").wait_for()


def test_a_learner_completes_the_first_module(browser_page, cast, content, db):
    page = browser_page
    page.goto(f"/sign-in?next={MODULE}")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("ada-reads-every-module")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role(
        "heading", name="From craft to mass to lean production", exact=True
    ).is_visible()

    for slug in ("yb-01-check", "yb-01-service-factory"):
        answer_quiz(page, db, cast["ada"], slug)
        assert page.locator(f"#exercise-{slug}").get_by_text("Worked solution").is_visible()

    page.get_by_role("button", name="Mark as read").click()
    page.get_by_text("You have read this module").wait_for()
    page.get_by_role("link", name="Yellow Belt").first.click()
    assert page.locator(".progress-text").inner_text() == "1 of 10 modules read (10%)"
    assert page.console_problems == []

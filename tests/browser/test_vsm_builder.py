"""A learner builds a small value stream map in Chromium, watches it redraw, and submits."""

import pytest

pytestmark = pytest.mark.browser
SLUG = "yb-vsm-business-account"


def test_the_map_redraws_as_steps_are_entered_and_feedback_comes_per_part(
    browser_page, cast, content
):
    page = browser_page
    page.goto(f"/sign-in?next=/exercises/{SLUG}")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("ada-reads-every-module")
    page.get_by_role("button", name="Sign in").click()

    drawing = page.locator(f"#{SLUG}-map svg")
    assert drawing.locator("polygon").count() == 0
    page.get_by_label("Step 1 name").fill("Check application")
    page.get_by_label("Step 1 process time, minutes").fill("8")
    page.get_by_label("Step 1 wait before the step, working hours").fill("5")
    page.get_by_label("Step 1 percent complete and accurate").fill("70")
    page.get_by_label("Step 1 people doing the work").fill("1")
    page.locator(f"#{SLUG}-map svg polygon").first.wait_for()
    assert drawing.locator("polygon").count() == 1

    page.get_by_label("Step 2 name").fill("Identity and AML checks")
    page.get_by_label("Step 2 process time, minutes").fill("24")
    page.get_by_label("Step 2 wait before the step, working hours").fill("15")
    page.get_by_label("Step 2 percent complete and accurate").fill("88")
    page.get_by_label("Step 2 people doing the work").fill("2")
    page.get_by_label("Customer demand per day").fill("30")
    page.get_by_label("Available working minutes per day").fill("450")
    page.locator(f"#{SLUG}-map figcaption", has_text="Lead time 20.53 working hours").wait_for()
    assert drawing.locator("polygon").count() == 2
    assert "bottleneck" in drawing.inner_html()

    page.get_by_label("Lead time", exact=True).fill("20.53")
    page.get_by_label("Process cycle efficiency").fill("2.6")
    page.get_by_label("Takt time").fill("15")
    page.get_by_label("Bottleneck: step number").fill("2")
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_text("Attempt 1:").wait_for()
    assert page.get_by_text("Your map has 2 steps; the case describes 5.").is_visible()
    assert page.get_by_text("Consistent with your own map").first.is_visible()
    assert page.console_problems == []

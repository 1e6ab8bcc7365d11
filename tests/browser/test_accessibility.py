"""Accessibility in Chromium: axe-core (vendored, tests/browser/vendor/) finds no serious or
critical violation on any page family — the catalogue, a course, a module, an exercise of
every kind, the HR dashboard, the instructors' module and exercise editors, a certificate's
verification page — and the VSM builder and the registration form work with the keyboard
alone."""

from pathlib import Path

import pytest

from tests.certification.conftest import certificate
from tests.conftest import person

__all__ = ["certificate"]  # a fixture

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
# One exercise of every kind in the repository's content.
EXERCISE_OF_KIND = {
    "quiz": "bb-01-check",
    "yield": "yb-sigma-helpdesk",
    "vsm": "yb-vsm-business-account",
    "pdca": "gb-12-a3-closeout",
    "control_chart": "gb-spc-abandoned-calls",
    "capability": "gb-06-capability-claims-turnaround",
    "pareto": "yb-10-pareto-complaints",
    "hypothesis_test": "bb-01-anova-and-welch",
    "regression": "bb-02-two-predictor-regression",
    "doe": "bb-03-replicated-factorial",
    "msa": "gb-04-gauge-rr-assessors",
    "sipoc": "gb-02-sipoc-repeat-prescriptions",
    "fishbone": "gb-08-fishbone-late-payments",
    "charter": "gb-02-charter-claims-backlog",
}
SERIOUS = ("serious", "critical")


def sign_in(page, key: str) -> None:  # type: ignore[no-untyped-def]
    who = person(key)
    page.context.clear_cookies()
    page.goto("/sign-in")
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def serious_violations(page, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Load `path` and run axe on it (through the DevTools protocol, so the page's own
    Content-Security-Policy stays on); one line per serious or critical violation."""
    response = page.goto(path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{path}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}: {v['help']}"
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def test_every_page_family_has_no_serious_or_critical_violation(
    browser_page, cast, teaching, certificate
):
    page = browser_page
    found = serious_violations(page, f"/verify/{certificate.code}")
    found += serious_violations(page, "/sign-in")

    sign_in(page, "ada")
    learner_pages = ["/", "/courses/yellow-belt", "/courses/yellow-belt/craft-mass-lean"]
    learner_pages += [f"/exercises/{slug}" for slug in EXERCISE_OF_KIND.values()]
    for path in learner_pages:
        found += serious_violations(page, path)

    sign_in(page, "hana")
    found += serious_violations(page, "/hr")

    sign_in(page, "ines")
    found += serious_violations(page, "/teach/yellow-belt/modules/craft-mass-lean/edit")
    found += serious_violations(page, "/teach/yellow-belt/exercises/yb-sigma-helpdesk/edit")
    assert found == [], "\n".join(found)


def type_into_focused(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type(text)
    page.keyboard.press("Tab")


def focused_label(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.getAttribute('aria-label') || (e.labels && e.labels[0]"
        " ? e.labels[0].innerText : '') || e.innerText || e.tagName; }"
    )


def tab_to(page, label: str, limit: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the control named `label` has the focus."""
    for _ in range(limit):
        if focused_label(page).strip().startswith(label):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {label!r}")


class TestTheKeyboardAlone:
    def test_the_vsm_builder_is_filled_in_and_submitted(self, browser_page, cast, content):
        page = browser_page
        sign_in(page, "ada")
        slug = EXERCISE_OF_KIND["vsm"]
        page.goto(f"/exercises/{slug}")
        page.locator("body").focus()
        tab_to(page, "Step 1 name")
        # The row is filled in its reading order: each Tab moves to the next cell.
        for value in ("Check application", "8", "5", "70", "1"):
            type_into_focused(page, value)
        assert focused_label(page) == "Step 2 name"
        for value in ("Identity and AML checks", "24", "15", "88", "2"):
            type_into_focused(page, value)
        tab_to(page, "Customer demand")
        type_into_focused(page, "30")
        type_into_focused(page, "450")
        page.locator(f"#{slug}-map figcaption", has_text="Lead time 20.53").wait_for()
        tab_to(page, "Lead time")
        for value in ("20.53", "2.6", "15", "2"):
            type_into_focused(page, value)
        tab_to(page, "Submit answer")
        page.keyboard.press("Enter")
        page.get_by_text("Attempt 1:").wait_for()
        assert page.get_by_text("Your map has 2 steps; the case describes 5.").is_visible()
        assert page.console_problems == []

    def test_the_registration_form_from_the_skip_link_to_the_account(self, browser_page, cast):
        page = browser_page
        page.goto("/register")
        page.keyboard.press("Tab")
        assert focused_label(page) == "Skip to content"
        page.keyboard.press("Enter")
        tab_to(page, "Full name")
        type_into_focused(page, "Grace Hopper")
        tab_to(page, "Email")
        type_into_focused(page, "grace@example.com")
        tab_to(page, "Password")
        page.keyboard.type("no-bugs-in-this-passphrase")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/register" not in url)
        page.goto("/account")
        assert "grace@example.com" in page.locator("main").inner_text()

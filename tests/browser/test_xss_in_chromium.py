"""The XSS corpus in a real browser: a module written with every payload, a learner named
with one, a PDCA plan and review comments carrying them, shown to the learner, the
instructor (including the editor's live preview) and the admin. Chromium must open no
dialog and report no Content-Security-Policy violation on any of these pages."""

import pytest
from sqlmodel import col, select

from app.grading.rubrics import A3_RUBRIC
from app.models import Attempt, User
from tests.conftest import person, post_form, sign_in
from tests.exercise_helpers import reference_form, submit
from tests.security.test_xss import MARKDOWN, PAYLOADS, REVIEWED, hostile_answer, module_form

pytestmark = pytest.mark.browser
EDITOR = "/teach/yellow-belt/modules/craft-mass-lean"
NAME = PAYLOADS[6].text  # the attribute breakout, as a person's name

# Runs before any of the page's own script: every CSP violation is kept for the test.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def latest_attempt(db, user: User) -> Attempt:  # type: ignore[no-untyped-def]
    statement = select(Attempt).where(Attempt.user_id == user.id)
    return db.exec(statement.order_by(col(Attempt.created_at).desc())).first()


@pytest.fixture
def hostile_site(db, cast, teaching, new_client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Everything written with the corpus; returns the attempts' ids."""
    for key in ("ada", "ben"):
        cast[key].name = NAME
        db.add(cast[key])
    db.commit()
    ines = new_client()
    sign_in(ines, "ines")
    form = module_form(MARKDOWN, title=NAME)
    assert post_form(ines, f"{EDITOR}/edit", f"{EDITOR}/publish", form).status_code == 303

    ada = new_client()
    sign_in(ada, "ada")
    assert submit(ada, REVIEWED, reference_form(db, cast["ada"], REVIEWED)).status_code == 303
    reviewed = latest_attempt(db, cast["ada"])
    data = {f"level-{c.id}": "2" for c in A3_RUBRIC.criteria}
    data |= {f"comment-{c.id}": p.text for c, p in zip(A3_RUBRIC.criteria, PAYLOADS, strict=False)}
    data["comment"] = " ".join(p.text for p in PAYLOADS)
    review = post_form(ines, f"/review/{reviewed.id}", f"/review/{reviewed.id}", data)
    assert review.status_code == 303, review.text

    ben = new_client()
    sign_in(ben, "ben")
    answer, _ = hostile_answer(db, cast["ben"], REVIEWED)
    assert submit(ben, REVIEWED, answer).status_code == 303
    return {"reviewed": str(reviewed.id), "waiting": str(latest_attempt(db, cast["ben"]).id)}


def signed_in_page(browser, live_server: str, key: str, dialogs: list[str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_problems = []
    page.on(
        "console",
        lambda m: page.console_problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: page.console_problems.append(str(error)))

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    who = person(key)
    page.goto("/sign-in")
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    return page


def assert_quiet(page, path: str, dialogs: list[str]) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)  # let any error or load handler have its turn
    assert dialogs == [], path
    assert page.evaluate("window.__cspViolations") == [], path
    assert page.console_problems == [], path


def visit(page, path: str, dialogs: list[str], shows: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(path)
    assert response.status == 200, path
    assert_quiet(page, path, dialogs)
    assert shows in page.locator("main").inner_text(), f"{path} does not show the payloads"


def test_no_payload_runs_in_chromium(browser_page, live_server, hostile_site):
    browser = browser_page.context.browser
    dialogs: list[str] = []
    marker = PAYLOADS[0].marker

    ada = signed_in_page(browser, live_server, "ada", dialogs)
    visit(ada, "/courses/yellow-belt/craft-mass-lean", dialogs, marker)
    visit(ada, "/courses/yellow-belt", dialogs, PAYLOADS[6].marker)
    visit(ada, f"/attempts/{hostile_site['reviewed']}", dialogs, marker)
    visit(ada, "/account", dialogs, PAYLOADS[6].marker)

    ines = signed_in_page(browser, live_server, "ines", dialogs)
    visit(ines, "/review", dialogs, PAYLOADS[6].marker)
    visit(ines, f"/review/{hostile_site['waiting']}", dialogs, marker)
    visit(ines, f"{EDITOR}/edit", dialogs, "Teaching text")
    # The live preview renders what is typed, through the same pipeline as the page.
    body = ines.get_by_label("Teaching text (Markdown)")
    body.press("Control+End")
    body.type(f"\n\n{PAYLOADS[1].text}", delay=2)
    ines.locator("#preview").get_by_text(PAYLOADS[1].marker).first.wait_for()
    assert_quiet(ines, "the live preview", dialogs)

    omar = signed_in_page(browser, live_server, "omar", dialogs)
    visit(omar, "/admin/users", dialogs, PAYLOADS[6].marker)

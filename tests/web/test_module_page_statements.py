"""A signed-in learner's module page costs three SQL statements however big the course and
however many exercises and attempts the page shows: the session, the course outline with
read marks, and the exercises with the learner's standing and attempts."""

from tests.conftest import sign_in
from tests.exercise_helpers import reference_form, submit, wrong_form
from tests.reporting.test_statement_count import counting

SMALL = "/courses/yellow-belt/craft-mass-lean"  # 10 modules, 2 exercises on the page
LARGE = "/courses/yellow-belt/measuring-quality"  # 5 exercises on the page
LONGER_COURSE = "/courses/green-belt/dmaic-in-depth"  # 13 modules


def statements(client, engine, url: str) -> list[str]:
    client.get(url)  # the first reader fills the process's caches
    with counting(engine) as sent:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return [s for s in sent if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def test_three_statements_for_a_small_and_a_large_module(client, cast, content, engine):
    sign_in(client, "ada")
    for page in (SMALL, LARGE, LONGER_COURSE):
        assert len(statements(client, engine, page)) == 3, page


def test_attempts_on_the_page_cost_no_extra_statement(client, cast, content, engine, db):
    sign_in(client, "ada")
    submit(client, "yb-yield-mortgage", wrong_form(db, cast["ada"]))
    submit(client, "yb-yield-mortgage", reference_form(db, cast["ada"]))
    assert len(statements(client, engine, LARGE)) == 3
    assert "✓ Passed" in client.get(LARGE).text


def test_a_module_of_another_course_is_not_found(client, cast, content):
    sign_in(client, "ada")
    assert client.get("/courses/yellow-belt/dmaic-in-depth").status_code == 404
    assert client.get("/courses/no-such-course/dmaic-in-depth").status_code == 404

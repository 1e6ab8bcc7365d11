"""Exercises that need review: the learner waits, an instructor of the exercise's course
scores the rubric, the learner sees the final grade and comments."""

import re

import pytest
from sqlmodel import select

from app.grading.rubrics import A3_RUBRIC
from app.learning import attempts
from app.models import Attempt, ExerciseProgress
from tests.conftest import csrf_from, sign_in
from tests.exercise_helpers import form_controls

SLUG = "yb-pdca-discharge"  # a Yellow Belt exercise
PAGE = f"/exercises/{SLUG}"
GREEN_SLUG = "gb-12-a3-closeout"  # a Green Belt one that needs review too


def submit_reference(client, db, learner, slug):
    loaded = attempts.load_exercise(db, slug)
    state = attempts.exercise_state(db, learner, loaded)
    form = loaded.kind.to_form(
        loaded.params, state.variant, loaded.kind.solve(loaded.params, state.variant)
    )
    page = f"/exercises/{slug}"
    response = client.post(
        f"{page}/attempts",
        data={**form_controls(client.get(page).text), **form},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return db.exec(
        select(Attempt).where(
            Attempt.exercise_id == loaded.exercise.id, Attempt.user_id == learner.id
        )
    ).one()


@pytest.fixture
def submitted(signed_in, teaching, cast, db) -> Attempt:
    """Ada submits the reference plan, which needs review."""
    return submit_reference(signed_in("ada"), db, cast["ada"], SLUG)


def levels(value: int) -> dict[str, str]:
    return {f"level-{c.id}": str(value) for c in A3_RUBRIC.criteria}


def review(client, attempt, data):
    page = client.get(f"/review/{attempt.id}")
    return client.post(
        f"/review/{attempt.id}",
        data={**data, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def fresh(db, model):
    return db.exec(select(model).execution_options(populate_existing=True)).one()


def test_the_attempt_waits_and_does_not_count_yet(submitted, signed_in, db):
    assert submitted.status == "awaiting_review"
    assert fresh(db, ExerciseProgress).passed is False
    assert "waiting for an instructor" in signed_in("ada").get(PAGE).text


@pytest.mark.parametrize(
    ("who", "status"), [("ada", 403), ("hana", 403), ("ines", 200), ("omar", 200)]
)
def test_only_instructors_and_admins_see_the_queue(submitted, new_client, who, status):
    client = new_client()
    sign_in(client, who)
    assert client.get("/review").status_code == status
    assert client.get(f"/review/{submitted.id}").status_code == status


def test_an_instructor_of_another_course_neither_sees_nor_reviews_the_attempt(
    submitted, new_client, db
):
    ivo = new_client()
    sign_in(ivo, "ivo")
    queue = ivo.get("/review")
    assert queue.status_code == 200
    assert f"/review/{submitted.id}" not in queue.text and "Ada Lovelace" not in queue.text
    assert "0 attempts waiting" in queue.text
    assert ivo.get(f"/review/{submitted.id}").status_code == 404
    token = csrf_from(queue.text)
    posted = ivo.post(
        f"/review/{submitted.id}", data={**levels(3), "csrf_token": token}, follow_redirects=False
    )
    assert posted.status_code == 404
    assert fresh(db, Attempt).status == "awaiting_review"
    assert ivo.get("/review?course=yellow-belt").status_code == 404
    assert ivo.get("/teach/yellow-belt/review").status_code == 404


def test_each_instructor_sees_only_their_courses_oldest_first(
    submitted, new_client, signed_in, cast, db
):
    green = submit_reference(signed_in("ben"), db, cast["ben"], GREEN_SLUG)
    later = submit_reference(signed_in("ben"), db, cast["ben"], SLUG)
    ines, ivo, omar = new_client(), new_client(), new_client()
    for client, who in ((ines, "ines"), (ivo, "ivo"), (omar, "omar")):
        sign_in(client, who)
    yellow = ines.get("/review").text
    assert yellow.index(f"/review/{submitted.id}") < yellow.index(f"/review/{later.id}")
    assert f"/review/{green.id}" not in yellow and "2 attempts waiting" in yellow
    assert "<td>Yellow Belt</td>" in yellow
    assert f"/review/{green.id}" in ivo.get("/review").text
    assert ivo.get(f"/review/{green.id}").status_code == 200
    assert ines.get(f"/review/{green.id}").status_code == 404
    everything = omar.get("/review").text
    assert "3 attempts waiting" in everything
    only_green = omar.get("/review?course=green-belt").text
    assert f"/review/{green.id}" in only_green and f"/review/{submitted.id}" not in only_green
    assert '<option value="green-belt" selected>' in only_green


def test_a_course_has_its_own_queue_linked_from_its_teaching_page(
    submitted, new_client, signed_in, cast, db
):
    green = submit_reference(signed_in("ben"), db, cast["ben"], GREEN_SLUG)
    ines = new_client()
    sign_in(ines, "ines")
    assert 'href="/teach/yellow-belt/review"' in ines.get("/teach/yellow-belt").text
    page = ines.get("/teach/yellow-belt/review")
    assert page.status_code == 200
    assert f"/review/{submitted.id}" in page.text and f"/review/{green.id}" not in page.text
    assert "Review queue: Yellow Belt" in page.text


def test_the_queue_lists_the_attempt_with_the_learner(submitted, new_client):
    ines = new_client()
    sign_in(ines, "ines")
    page = ines.get("/review").text
    assert "Ada Lovelace" in page and f"/review/{submitted.id}" in page
    detail = ines.get(f"/review/{submitted.id}").text
    assert "Root cause" in detail and "The learner’s answer" in detail


def test_a_missing_level_is_named_and_nothing_is_recorded(submitted, new_client, db):
    ines = new_client()
    sign_in(ines, "ines")
    data = levels(3)
    del data["level-goal"]
    response = review(ines, submitted, data)
    assert response.status_code == 422
    assert "Choose a level for “Goal”." in response.text
    assert fresh(db, Attempt).status == "awaiting_review"


def test_a_review_sets_the_final_grade_and_the_learner_sees_it(
    submitted, new_client, signed_in, db
):
    ines = new_client()
    sign_in(ines, "ines")
    data = {
        **levels(3),
        "level-check": "2",
        "comment-check": "Add a run chart.",
        "comment": "Strong plan.",
    }
    assert review(ines, submitted, data).status_code == 303
    attempt = fresh(db, Attempt)
    assert attempt.status == "reviewed"
    assert attempt.score == pytest.approx((100 - 10 / 3) / 100)
    progress = fresh(db, ExerciseProgress)
    assert progress.passed is True and progress.best_score == pytest.approx(attempt.score)
    page = signed_in("ada").get(PAGE).text
    assert (
        "Reviewed by Ines Ibarra" in page and "Add a run chart." in page and "Strong plan." in page
    )
    assert f"/review/{submitted.id}" not in ines.get("/review").text
    own = signed_in("ada").get(f"/attempts/{submitted.id}").text
    assert "Reviewed by Ines Ibarra" in own and "Strong plan." in own
    review_part = own.split('class="review-result"')[1]
    check = re.search(
        r'>(\d)/3</span><span class="part-label">Check</span>.*?"part-feedback">([^<]*)</p>',
        review_part,
        re.S,
    )
    assert check is not None and check.groups() == ("2", "Add a run chart.")
    assert re.search(r'>3/3</span><span class="part-label">Goal</span>', review_part)


def test_a_criterion_at_zero_fails_the_plan_whatever_the_total(submitted, new_client, db):
    ines = new_client()
    sign_in(ines, "ines")
    review(ines, submitted, {**levels(3), "level-act": "0"})
    assert fresh(db, Attempt).review["passed"] is False
    assert fresh(db, ExerciseProgress).passed is False


def test_an_attempt_is_reviewed_once(submitted, new_client):
    ines = new_client()
    sign_in(ines, "ines")
    review(ines, submitted, levels(2))
    assert review(ines, submitted, levels(3)).status_code == 409


def test_an_attempt_that_needs_no_review_is_not_in_the_queue(
    signed_in,
    teaching,
    cast,
    db,
    new_client,
):
    client = signed_in("ada")
    loaded = attempts.load_exercise(db, "yb-yield-mortgage")
    state = attempts.exercise_state(db, cast["ada"], loaded)
    form = loaded.kind.to_form(
        loaded.params, state.variant, loaded.kind.solve(loaded.params, state.variant)
    )
    page = "/exercises/yb-yield-mortgage"
    client.post(f"{page}/attempts", data={**form_controls(client.get(page).text), **form})
    attempt = db.exec(select(Attempt)).one()
    ines = new_client()
    sign_in(ines, "ines")
    assert ines.get(f"/review/{attempt.id}").status_code == 404

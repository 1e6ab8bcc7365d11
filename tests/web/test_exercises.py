"""Doing an exercise in the browser: the variant, submitting, feedback, attempts, solution."""

from sqlmodel import select

from app.models import Attempt, ExerciseProgress
from tests.exercise_helpers import PAGE, form_controls, reference_form, wrong_form


def submit(client, form, headers=None):
    page = client.get(PAGE).text
    return client.post(
        f"{PAGE}/attempts",
        data={**form_controls(page), **form},
        headers=headers or {},
        follow_redirects=False,
    )


class TestTheExercisePage:
    def test_it_shows_the_learners_own_numbers_and_the_form(self, signed_in, content):
        page = signed_in("ada").get(PAGE)
        assert page.status_code == 200
        assert "Where does a mortgage application lose its yield?" in page.text
        assert "Attempt 1 of 3" in page.text
        assert 'name="fpy-1"' in page.text and 'name="sigma"' in page.text

    def test_two_learners_get_different_numbers(self, signed_in, new_client, content, cast, db):
        ada = reference_form(db, cast["ada"])
        ben = reference_form(db, cast["ben"])
        assert ada != ben

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, content):
        response = client.get(PAGE, follow_redirects=False)
        assert response.headers["location"] == f"/sign-in?next={PAGE}"

    def test_an_unknown_exercise_is_a_404(self, signed_in, content):
        assert signed_in("ada").get("/exercises/no-such-thing").status_code == 404


class TestSubmitting:
    def test_a_right_answer_passes_and_shows_the_worked_solution(
        self, signed_in, content, cast, db
    ):
        client = signed_in("ada")
        response = submit(client, reference_form(db, cast["ada"]))
        assert response.status_code == 303
        page = client.get(PAGE).text
        assert "Attempt 1: 100%" in page
        assert "✓ Passed" in page
        assert "Worked solution" in page
        assert "Submit answer" not in page
        progress = db.exec(select(ExerciseProgress)).one()
        assert (progress.attempts_used, progress.best_score, progress.passed) == (1, 1.0, True)

    def test_a_wrong_answer_gets_feedback_per_part_and_keeps_the_form(
        self, signed_in, content, cast, db
    ):
        client = signed_in("ada")
        submit(client, wrong_form(db, cast["ada"]))
        page = client.get(PAGE).text
        assert "Defects per unit (DPU)" in page
        assert "DPU = total defects" in page
        assert "Attempt 2 of 3" in page
        assert "Expected:" not in page, "expected values stay hidden while attempts remain"
        assert 'value="99"' in page, "the learner's answers are kept for the next attempt"

    def test_unreadable_answers_cost_no_attempt_and_are_shown_inline(
        self, signed_in, content, cast, db
    ):
        client = signed_in("ada")
        form = reference_form(db, cast["ada"])
        form["rty"] = ["lots"]
        response = submit(client, form)
        assert response.status_code == 422
        assert "“lots” is not a number." in response.text
        assert 'aria-invalid="true"' in response.text
        assert db.exec(select(Attempt)).all() == []

    def test_htmx_gets_only_the_exercise_block_back(self, signed_in, content, cast, db):
        client = signed_in("ada")
        response = submit(client, wrong_form(db, cast["ada"]), headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section class="exercise"')
        assert "Attempt 1:" in response.text

    def test_the_same_submission_token_twice_makes_one_attempt(self, signed_in, content, cast, db):
        client = signed_in("ada")
        controls = form_controls(client.get(PAGE).text)
        data = {**controls, **wrong_form(db, cast["ada"])}
        for _ in range(2):
            assert (
                client.post(f"{PAGE}/attempts", data=data, follow_redirects=False).status_code
                == 303
            )
        assert len(db.exec(select(Attempt)).all()) == 1
        assert db.exec(select(ExerciseProgress)).one().attempts_used == 1

    def test_after_the_last_attempt_the_solution_and_expected_values_show(
        self, signed_in, content, cast, db
    ):
        client = signed_in("ada")
        for _ in range(3):
            submit(client, wrong_form(db, cast["ada"]))
        page = client.get(PAGE).text
        assert "No attempts left" in page
        assert "Expected:" in page
        assert "Worked solution" in page
        assert "Submit answer" not in page

    def test_a_fourth_attempt_is_refused(self, signed_in, content, cast, db):
        client = signed_in("ada")
        page = client.get(PAGE).text
        for _ in range(3):
            submit(client, wrong_form(db, cast["ada"]))
        stale = {**form_controls(page), **wrong_form(db, cast["ada"])}
        stale["submission_token"] = "a-fresh-token-never-used-before"
        response = client.post(f"{PAGE}/attempts", data=stale, follow_redirects=False)
        assert response.status_code == 409
        assert len(db.exec(select(Attempt)).all()) == 3

    def test_a_missing_submission_token_is_a_clear_error(self, signed_in, content, cast, db):
        client = signed_in("ada")
        controls = form_controls(client.get(PAGE).text)
        del controls["submission_token"]
        response = client.post(f"{PAGE}/attempts", data={**controls, **wrong_form(db, cast["ada"])})
        assert response.status_code == 422
        assert "reload the page" in response.text


class TestMyAttempts:
    def test_the_list_and_one_attempt_show_the_learners_work(self, signed_in, content, cast, db):
        client = signed_in("ada")
        submit(client, wrong_form(db, cast["ada"]))
        attempt = db.exec(select(Attempt)).one()
        assert f"/attempts/{attempt.id}" in client.get("/attempts").text
        page = client.get(f"/attempts/{attempt.id}")
        assert page.status_code == 200
        assert "Defects per unit (DPU)" in page.text

    def test_another_learners_attempt_is_a_404(self, signed_in, new_client, content, cast, db):
        submit(signed_in("ada"), wrong_form(db, cast["ada"]))
        attempt = db.exec(select(Attempt)).one()
        ben = new_client()
        from tests.conftest import sign_in

        sign_in(ben, "ben")
        assert ben.get(f"/attempts/{attempt.id}").status_code == 404
        assert f"/attempts/{attempt.id}" not in ben.get("/attempts").text

"""Sitting the Yellow Belt exam: start once, answer and come back, submit once, on time."""

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.learning import exams
from app.models import Exam, ExamSitting, ExerciseVersion
from app.models.base import utcnow
from tests.conftest import BASE_URL, csrf_from, post_form, sign_in


@pytest.fixture
def exam(content, db) -> Exam:
    return db.exec(select(Exam).where(Exam.title == "Yellow Belt final exam")).one()


def start(client, exam) -> str:
    response = post_form(client, f"/exams/{exam.id}", f"/exams/{exam.id}/start", {})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def sitting_of(db) -> ExamSitting:
    return db.exec(select(ExamSitting).execution_options(populate_existing=True)).one()


def answer_all(client, db, sitting_url, right=True):
    sitting = sitting_of(db)
    for index in range(len(sitting.plan["slots"])):
        item = exams.question(db, sitting, index)
        kind, params = item.loaded.kind, item.loaded.params
        answer = kind.solve(params, item.variant)
        form = kind.to_form(params, item.variant, answer)
        if not right:
            form = {k: ["0"] if not k.startswith("q-") else v for k, v in form.items()}
        url = f"{sitting_url}/questions/{index + 1}"
        response = client.post(
            url,
            data={**form, "csrf_token": csrf_from(client.get(url).text)},
            follow_redirects=False,
        )
        assert response.status_code in (303, 422), response.text


def submit(client, sitting_url):
    return post_form(client, sitting_url, f"{sitting_url}/submit", {"confirm": "yes"})


class TestStarting:
    def test_the_course_page_links_the_exam_and_the_page_states_the_rules(self, signed_in, exam):
        client = signed_in("ada")
        assert f"/exams/{exam.id}" in client.get("/courses/yellow-belt").text
        page = client.get(f"/exams/{exam.id}").text
        assert "120 minutes" in page and "80%" in page and "Start the exam" in page

    def test_starting_twice_opens_one_sitting(self, signed_in, exam, db):
        client = signed_in("ada")
        first = start(client, exam)
        assert start(client, exam) == first
        assert len(db.exec(select(ExamSitting)).all()) == 1

    def test_each_slot_draws_from_its_pool_and_freezes_the_version(self, signed_in, exam, db):
        start(signed_in("ada"), exam)
        plan = sitting_of(db).plan
        slots = exam.definition["slots"]
        assert len(plan["slots"]) == len(slots)
        assert [slot["weight"] for slot in plan["slots"]] == [slot["weight"] for slot in slots]
        versions = {v.id for v in db.exec(select(ExerciseVersion))}
        assert {slot["version_id"] for slot in plan["slots"]} <= versions

    def test_a_content_edit_never_changes_a_sitting_in_progress(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        slot = sitting_of(db).plan["slots"][0]
        old = db.get(ExerciseVersion, slot["version_id"])
        newer = ExerciseVersion(
            **{**old.model_dump(exclude={"id"}), "number": old.number + 1, "title": "Changed title"}
        )
        db.add(newer)
        db.commit()
        assert old.title in client.get(f"{url}/questions/1").text
        assert "Changed title" not in client.get(f"{url}/questions/1").text


class TestAnswering:
    def test_an_answer_is_kept_and_shown_again_when_the_learner_comes_back(
        self, signed_in, exam, db
    ):
        client = signed_in("ada")
        url = start(client, exam)
        answer_all(client, db, url)
        slots = len(exam.definition["slots"])
        assert set(sitting_of(db).answers) == {str(i) for i in range(slots)}
        page = client.get(url).text
        assert page.count("answered") >= slots

    def test_an_unreadable_answer_is_shown_inline_and_nothing_is_saved(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        last = len(exam.definition["slots"])  # the value stream map
        page = client.get(f"{url}/questions/{last}").text
        response = client.post(
            f"{url}/questions/{last}", data={"csrf_token": csrf_from(page), "lead_time": "soon"}
        )
        assert response.status_code == 422
        assert "could not be read" in response.text
        assert sitting_of(db).answers == {}

    def test_after_the_deadline_answers_are_refused(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        sitting = sitting_of(db)
        sitting.deadline_at = utcnow() - timedelta(minutes=5)
        db.add(sitting)
        db.commit()
        page = client.get(url).text
        assert "Time is up" in page
        response = client.post(
            f"{url}/questions/1", data={"csrf_token": csrf_from(page), "q-x": "1"}
        )
        assert response.status_code == 409


class TestSubmitting:
    def test_right_answers_pass_and_the_result_is_shown(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        answer_all(client, db, url)
        assert submit(client, url).status_code == 303
        sitting = sitting_of(db)
        assert (sitting.status, sitting.score, sitting.passed) == ("submitted", 1.0, True)
        assert "passed" in client.get(url).text
        assert "Expected:" in client.get(f"{url}/questions/2").text

    def test_submitting_needs_a_confirmation_and_nothing_changes_without_it(
        self, signed_in, exam, db
    ):
        client = signed_in("ada")
        url = start(client, exam)
        response = post_form(client, url, f"{url}/submit", {})
        assert response.status_code == 422
        assert "Tick the box to confirm" in response.text
        assert sitting_of(db).status == "in_progress"

    def test_unanswered_questions_score_zero(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        submit(client, url)
        sitting = sitting_of(db)
        assert (sitting.score, sitting.passed) == (0.0, False)
        assert sitting.results["0"]["unanswered"] is True

    def test_submitting_twice_keeps_the_first_result(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        answer_all(client, db, url)
        submit(client, url)
        first = sitting_of(db).submitted_at
        submit(client, url)
        assert sitting_of(db).submitted_at == first

    def test_a_late_submission_is_recorded_and_does_not_count(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        answer_all(client, db, url)
        sitting = sitting_of(db)
        sitting.deadline_at = utcnow() - timedelta(minutes=5)
        db.add(sitting)
        db.commit()
        submit(client, url)
        sitting = sitting_of(db)
        assert (sitting.status, sitting.passed) == ("late", False)
        assert sitting.score == 1.0
        assert "not counted" in client.get(url).text

    def test_two_submissions_at_once_close_the_sitting_once(self, app, cast, exam, db):
        first = TestClient(app, base_url=BASE_URL)
        sign_in(first, "ada")
        url = start(first, exam)
        second = TestClient(app, base_url=BASE_URL, cookies=dict(first.cookies))
        token = csrf_from(first.get(url).text)
        barrier = threading.Barrier(2)
        statuses = []

        def go(client):
            barrier.wait()
            statuses.append(
                client.post(
                    f"{url}/submit",
                    data={"csrf_token": token, "confirm": "yes"},
                    follow_redirects=False,
                ).status_code
            )

        threads = [threading.Thread(target=go, args=(c,)) for c in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [303, 303]
        assert sitting_of(db).status == "submitted"
        first.close()
        second.close()


class TestRetakes:
    def test_a_retake_waits_and_sittings_run_out(self, signed_in, exam, db):
        client = signed_in("ada")
        for number in (1, 2, 3):
            url = start(client, exam)
            submit(client, url)
            blocked = post_form(client, f"/exams/{exam.id}", f"/exams/{exam.id}/start", {})
            assert blocked.status_code == 409
            for sitting in db.exec(select(ExamSitting).execution_options(populate_existing=True)):
                sitting.submitted_at = sitting.submitted_at - timedelta(hours=25)
                db.add(sitting)
            db.commit()
            assert len(db.exec(select(ExamSitting)).all()) == number
        assert "You have used every sitting" in client.get(f"/exams/{exam.id}").text

    def test_a_passed_exam_cannot_be_sat_again(self, signed_in, exam, db):
        client = signed_in("ada")
        url = start(client, exam)
        answer_all(client, db, url)
        submit(client, url)
        assert "You have passed this exam" in client.get(f"/exams/{exam.id}").text
        assert "Start the exam" not in client.get(f"/exams/{exam.id}").text


def test_feedback_per_question_marks_and_locks_each_answer(signed_in, exam, db):
    exam.definition = {**exam.definition, "feedback": "per_question"}
    db.add(exam)
    db.commit()
    client = signed_in("ada")
    url = start(client, exam)
    answer_all(client, db, url)
    sitting = sitting_of(db)
    assert set(sitting.results) == {str(i) for i in range(len(exam.definition["slots"]))}
    page = client.get(f"{url}/questions/1").text
    assert "Marked: 100%" in page
    assert "Save and mark" not in page


def test_another_learners_sitting_is_a_404(signed_in, exam, db, new_client):
    url = start(signed_in("ada"), exam)
    ben = new_client()
    sign_in(ben, "ben")
    assert ben.get(url).status_code == 404
    assert ben.get(f"{url}/questions/1").status_code == 404


class TestDataSetsInAnExam:
    """A question whose kind hands out data links its own data set, as on exercise pages."""

    @pytest.fixture
    def green_exam(self, content, db) -> Exam:
        return db.exec(select(Exam).where(Exam.title == "Green Belt final exam")).one()

    def test_a_data_question_links_and_serves_the_sittings_own_data(
        self, signed_in, green_exam, db
    ):
        client = signed_in("ada")
        url = start(client, green_exam)
        sitting = sitting_of(db)
        items = [exams.question(db, sitting, i) for i in range(len(sitting.plan["slots"]))]
        with_data = [i for i in items if i.loaded.kind.data_csv(i.loaded.params, i.variant)]
        without = next(
            i for i in items if i.loaded.kind.data_csv(i.loaded.params, i.variant) is None
        )
        assert with_data, "the Green Belt exam has data-driven slots"
        item = with_data[0]
        csv_url = f"{url}/questions/{item.index + 1}/data.csv"
        assert f'href="{csv_url}"' in client.get(f"{url}/questions/{item.index + 1}").text
        response = client.get(csv_url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text == item.loaded.kind.data_csv(item.loaded.params, item.variant)
        assert client.get(f"{url}/questions/{without.index + 1}/data.csv").status_code == 404

    def test_another_learner_cannot_download_it(self, signed_in, green_exam, db, new_client):
        url = start(signed_in("ada"), green_exam)
        ben = new_client()
        sign_in(ben, "ben")
        assert ben.get(f"{url}/questions/1/data.csv").status_code == 404

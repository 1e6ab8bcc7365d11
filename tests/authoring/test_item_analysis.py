"""Item analysis: attempts, learners, mean score, first-try success, per-part difficulty and
the most common wrong answers, checked against known answers and a recomputation."""

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.authoring import item_analysis
from app.learning import attempts
from app.models import Attempt, Course, Exercise, ExerciseVersion, User
from tests.authoring.results_helpers import (
    answer,
    answer_as,
    form_for,
    make_learner,
    unit_of_work,
)
from tests.conftest import sign_in

YB = "yellow-belt"
QUIZ = "yb-01-check"
YIELD = "yb-yield-mortgage"


def page_of(slug: str, course: str = YB) -> str:
    return f"/teach/{course}/exercises/{slug}/analysis"


def exercise(db: Session, slug: str) -> Exercise:
    return db.exec(select(Exercise).where(Exercise.slug == slug)).one()


def first_question(db: Session):  # type: ignore[no-untyped-def]
    return attempts.load_exercise(db, QUIZ).params.questions[0]


def analyse(db: Session, found: Exercise, version: int | None = None) -> item_analysis.ItemAnalysis:
    """In a transaction, as a request runs it (PostgreSQL streams rows only inside one)."""
    with unit_of_work(db) as work:
        return item_analysis.analyse(work, found, version)


# ---------------------------------------------------------------- an independent recomputation


def recompute(db: Session, slug: str, version_ids: set[int] | None = None) -> dict[str, object]:
    made = [
        a
        for a in db.exec(select(Attempt).where(Attempt.exercise_id == exercise(db, slug).id))
        if version_ids is None or a.exercise_version_id in version_ids
    ]
    marks = {v.id: v.definition["pass_mark"] for v in db.exec(select(ExerciseVersion))}
    graded = [a for a in made if a.status != "awaiting_review"]
    firsts = [a for a in made if a.number == 1]
    parts: dict[str, list[float]] = {}
    for a in graded:
        for part in a.parts:
            parts.setdefault(part["name"], []).append(part["score"])
    return {
        "attempts": len(made),
        "learners": len({a.user_id for a in made}),
        "mean": sum(a.score for a in graded) / len(graded) if graded else None,
        "first_tries": len(firsts),
        "first_passes": sum(
            a.status == "graded" and a.score >= marks[a.exercise_version_id] - 1e-9 for a in firsts
        ),
        "parts": {
            name: (sum(s >= 1 for s in scores), len(scores), sum(scores) / len(scores))
            for name, scores in parts.items()
        },
    }


def assert_matches(found: item_analysis.ItemAnalysis, expected: dict[str, object]) -> None:
    assert found.attempts == expected["attempts"]
    assert found.learners == expected["learners"]
    assert found.mean_score == pytest.approx(expected["mean"])
    assert found.first_tries == expected["first_tries"]
    assert found.first_try_passes == expected["first_passes"]
    got = {p.name: (p.right, p.attempts, p.mean_score) for p in found.parts}
    assert got.keys() == expected["parts"].keys()  # type: ignore[attr-defined]
    for name, (right, count, mean) in expected["parts"].items():  # type: ignore[attr-defined]
        assert got[name][:2] == (right, count)
        assert got[name][2] == pytest.approx(mean)


# ---------------------------------------------------------------- a known class


@pytest.fixture
def answered(db, cast, teaching) -> dict[str, User]:
    """Ada right at once; Ben wrong then right; Cara one question wrong; Dan wrong twice."""
    cara, dan = make_learner(db, "ia", "Cara Item"), make_learner(db, "ia", "Dan Item")
    answer_as(db, cast["ada"], QUIZ, "right")
    answer_as(db, cast["ben"], QUIZ, "wrong")
    answer_as(db, cast["ben"], QUIZ, "right")
    answer_as(db, cara, QUIZ, "partial")
    answer_as(db, dan, QUIZ, "wrong")
    answer_as(db, dan, QUIZ, "wrong")
    return {"ada": cast["ada"], "ben": cast["ben"], "cara": cara, "dan": dan}


def test_the_figures_match_a_recomputation(db, answered):
    found = analyse(db, exercise(db, QUIZ))
    assert_matches(found, recompute(db, QUIZ))
    assert (found.attempts, found.learners) == (6, 4)


def test_first_try_success_counts_each_learner_once(db, answered):
    found = analyse(db, exercise(db, QUIZ))
    cara_passed = (
        next(
            a for a in db.exec(select(Attempt).where(Attempt.user_id == answered["cara"].id))
        ).score
        >= 0.8
    )
    assert found.first_tries == 4
    assert found.first_try_passes == 1 + int(cara_passed)  # Ada, and Cara if one slip passes


def test_the_most_common_wrong_answer_is_the_option_text_with_its_count(db, answered):
    question = first_question(db)
    wrong = next(o.text for o in question.options if not o.correct)
    found = analyse(db, exercise(db, QUIZ))
    part = next(p for p in found.parts if p.name == question.id)
    # Ben's first try, Cara's slip and Dan's two attempts all chose the same wrong option.
    assert part.wrong_answers[0] == item_analysis.WrongAnswer(wrong, 4)
    assert part.right == 2 and part.attempts == 6
    assert part.label == "Question 1"


def test_numbers_are_grouped_as_numbers(db, cast, teaching):
    people = [cast["ada"], cast["ben"], make_learner(db, "ia")]
    for person, typed in zip(people, [" 99 ", "99.0", "99,0"], strict=True):
        form = form_for(db, person, YIELD, "right")
        answer(db, person, YIELD, {**form, "dpu": [typed]})
    found = analyse(db, exercise(db, YIELD))
    dpu = next(p for p in found.parts if p.name == "dpu")
    assert dpu.wrong_answers == [item_analysis.WrongAnswer("99", 3)]
    assert dpu.right == 0 and dpu.share_right == 0


def test_a_part_spread_over_numbered_fields_reads_them_together(db, cast, teaching):
    ada = cast["ada"]
    answer_as(db, ada, YIELD, "wrong")
    found = analyse(db, exercise(db, YIELD))
    fpy = next(p for p in found.parts if p.name == "fpy")
    assert fpy.wrong_answers[0].text.startswith("fpy-1: 1; fpy-2: 1")


def test_only_the_five_most_common_wrong_answers_are_kept(db, cast, teaching):
    people = [make_learner(db, "five") for _ in range(7)]
    for n, person in enumerate(people):
        form = form_for(db, person, YIELD, "right")
        answer(db, person, YIELD, {**form, "dpu": [str(90 + min(n, 5))]})  # 95 twice
    dpu = next(p for p in analyse(db, exercise(db, YIELD)).parts if p.name == "dpu")
    assert len(dpu.wrong_answers) == 5
    assert dpu.wrong_answers[0] == item_analysis.WrongAnswer("95", 2)


def test_an_attempt_awaiting_review_counts_as_tried_but_not_scored(db, cast, teaching):
    answer_as(db, cast["ada"], "yb-pdca-discharge", "right")
    found = analyse(db, exercise(db, "yb-pdca-discharge"))
    assert (found.attempts, found.awaiting_review, found.first_tries) == (1, 1, 1)
    assert found.mean_score is None and found.first_try_passes == 0 and found.parts == []


# ---------------------------------------------------------------- versions


@pytest.fixture
def second_version(db, answered) -> User:
    """A corrected version 2 of the quiz, answered by Eve."""
    first = db.exec(
        select(ExerciseVersion).where(ExerciseVersion.exercise_id == exercise(db, QUIZ).id)
    ).one()
    db.add(
        ExerciseVersion(
            exercise_id=first.exercise_id,
            number=2,
            content_hash="corrected",
            title=first.title + " (corrected)",
            kind=first.kind,
            definition=first.definition,
            prompt_markdown=first.prompt_markdown,
            solution_markdown=first.solution_markdown,
        )
    )
    db.commit()
    eve = make_learner(db, "ia", "Eve Item")
    answer_as(db, eve, QUIZ, "right")
    return eve


def test_one_version_can_be_analysed_on_its_own(db, second_version):
    versions = {
        v.number: v.id
        for v in db.exec(
            select(ExerciseVersion).where(ExerciseVersion.exercise_id == exercise(db, QUIZ).id)
        )
    }
    quiz = exercise(db, QUIZ)
    everything = analyse(db, quiz)
    assert everything.attempts == 7 and [v.number for v in everything.versions] == [2, 1]
    assert_matches(analyse(db, quiz, 1), recompute(db, QUIZ, {versions[1]}))
    newest = analyse(db, quiz, 2)
    assert_matches(newest, recompute(db, QUIZ, {versions[2]}))
    assert (newest.attempts, newest.first_try_passes) == (1, 1)


def test_the_page_offers_the_versions_and_shows_the_chosen_one(signed_in, second_version):
    client = signed_in("ines")
    page = client.get(page_of(QUIZ), params={"version": 2})
    assert page.status_code == 200
    assert '<option value="2" selected>' in page.text and "All versions" in page.text
    assert "<dt>Attempts</dt><dd>1</dd>" in page.text


@pytest.mark.parametrize("version", ["99", "two", "0"])
def test_an_unknown_version_is_named(signed_in, answered, version):
    response = signed_in("ines").get(page_of(QUIZ), params={"version": version})
    assert response.status_code == 422 and "version" in response.text


# ---------------------------------------------------------------- the page and who sees it


def test_the_page_shows_the_figures_and_the_wrong_answers(db, signed_in, answered):
    question = first_question(db)
    wrong = next(o.text for o in question.options if not o.correct)
    page = signed_in("ines").get(page_of(QUIZ))
    assert page.status_code == 200
    assert "<dt>Learners</dt><dd>4</dd>" in page.text
    assert "First-try success" in page.text and wrong in page.text


@pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
def test_only_the_course_staff_see_the_analysis(db, new_client, answered, who, status):
    question = first_question(db)
    wrong = next(o.text for o in question.options if not o.correct)
    client = new_client()
    sign_in(client, who)
    response = client.get(page_of(QUIZ))
    assert response.status_code == status
    assert wrong not in response.text  # no answer text, HR included


def test_anonymous_visitors_are_sent_to_sign_in(client, answered):
    response = client.get(page_of(QUIZ), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_an_exercise_of_another_course_is_not_found(db, signed_in, teaching):
    green = db.exec(select(Course).where(Course.slug == "green-belt")).one()
    assert exercise(db, "gb-01-check").course_id == green.id
    client = signed_in("ines")
    assert client.get(page_of("gb-01-check")).status_code == 404
    assert client.get(page_of("no-such-exercise")).status_code == 404


def test_an_admin_sees_any_course_analysis(new_client, answered):
    client = new_client()
    sign_in(client, "omar")
    assert client.get(page_of(QUIZ)).status_code == 200


# ---------------------------------------------------------------- random sequences

_runs = itertools.count()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["right", "partial", "wrong"])), max_size=10
    )
)
def test_any_sequence_of_attempts_matches_the_recomputation(db, teaching, steps):
    people = [make_learner(db, f"seq{next(_runs)}") for _ in range(4)]
    tries: Counter[int] = Counter()
    passed: set[int] = set()
    for who, quality in steps:
        if tries[who] >= 3 or who in passed:
            continue
        made = answer_as(db, people[who], QUIZ, quality)  # type: ignore[arg-type]
        tries[who] += 1
        if made.score >= 0.8 - 1e-9:
            passed.add(who)
    assert_matches(analyse(db, exercise(db, QUIZ)), recompute(db, QUIZ))

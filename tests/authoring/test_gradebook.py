"""The gradebook: learners × modules with scores and completion, checked against a
recomputation from the raw attempts; filters, sorting, pages, the CSV, and who may see it."""

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from app.accounts.service import create_api_token
from app.authoring import gradebook
from app.authoring.gradebook import Completion, GradebookFilter, Sort
from app.learning import service
from app.models import Attempt, Course, Exercise, ExerciseVersion, ModuleProgress, OrgUnit, User
from tests.authoring.results_helpers import answer_as, enrol, make_learner, read_module
from tests.conftest import sign_in
from tests.reporting.test_statement_count import counting

YB = "yellow-belt"
GRADEBOOK = f"/teach/{YB}/gradebook"
# Two modules' worth of exercises: module 01 has two quizzes, module 05 a quiz and yields.
M01, M05 = "craft-mass-lean", "measuring-quality"
EXERCISES = ["yb-01-check", "yb-01-service-factory", "yb-05-check", "yb-yield-mortgage"]


# ---------------------------------------------------------------- an independent recomputation


@dataclass(frozen=True)
class Expected:
    scores: list[float | None]
    states: list[str]
    overall: float | None
    completion: str


def recompute(db: Session, course_slug: str, user: User) -> Expected:
    """From the attempts themselves (not the progress summary the gradebook reads)."""
    course = db.exec(select(Course).where(Course.slug == course_slug)).one()
    outline = service.course_outline(db, course, None)
    published = {e.slug: e.id for e in db.exec(select(Exercise).where(col(Exercise.is_published)))}
    marks = {v.id: v.definition["pass_mark"] for v in db.exec(select(ExerciseVersion))}
    best: dict[object, float] = {}
    passed: set[object] = set()
    for attempt in db.exec(select(Attempt).where(Attempt.user_id == user.id)):
        if attempt.status == "awaiting_review":
            best.setdefault(attempt.exercise_id, 0.0)
            continue
        best[attempt.exercise_id] = max(best.get(attempt.exercise_id, 0.0), attempt.score)
        if attempt.score >= marks[attempt.exercise_version_id] - 1e-9:
            passed.add(attempt.exercise_id)
    read = set(db.exec(select(ModuleProgress.module_id).where(ModuleProgress.user_id == user.id)))
    scores, states, every = [], [], []
    for line in outline:
        ids = list(
            dict.fromkeys(published[s] for s in line.version.exercise_slugs if s in published)
        )
        every += [i for i in ids if i not in every]
        tried = any(i in best for i in ids)
        scores.append(sum(best.get(i, 0.0) for i in ids) / len(ids) if ids and tried else None)
        done = line.module.id in read and all(i in passed for i in ids)
        states.append("complete" if done else ("read" if line.module.id in read else "not_read"))
    tried_any = any(i in best for i in every)
    overall = sum(best.get(i, 0.0) for i in every) / len(every) if every and tried_any else None
    if all(s == "complete" for s in states) and states:
        completion = "complete"
    elif not read & {line.module.id for line in outline} and not tried_any:
        completion = "not_started"
    else:
        completion = "in_progress"
    return Expected(scores, states, overall, completion)


def rows_for(db: Session, query: str, **wanted: object) -> list[gradebook.GradebookRow]:
    course = db.exec(select(Course).where(Course.slug == YB)).one()
    shape = gradebook.layout(db, course)
    return gradebook.gradebook_page(
        db,
        shape,
        GradebookFilter(query=query, **wanted),
        1,
        1000,  # type: ignore[arg-type]
    ).rows


def assert_matches(db: Session, row: gradebook.GradebookRow, user: User) -> None:
    expected = recompute(db, YB, user)
    assert [c.score for c in row.cells] == pytest.approx(expected.scores)
    assert [c.state for c in row.cells] == expected.states
    assert row.overall == pytest.approx(expected.overall)
    assert row.completion.value == expected.completion


# ---------------------------------------------------------------- a fixed class


@pytest.fixture
def klass(db, cast, teaching) -> dict[str, User]:
    """Ada reads module 01 and passes both its quizzes; Ben half-answers module 05; Cara is
    only enrolled; Dan tries one quiz and gets it wrong twice."""
    ada, ben = cast["ada"], cast["ben"]
    cara = make_learner(db, "class", "Cara Class")
    dan = make_learner(db, "class", "Dan Class")
    read_module(db, ada, YB, M01)
    answer_as(db, ada, "yb-01-check", "wrong")
    answer_as(db, ada, "yb-01-check", "right")
    answer_as(db, ada, "yb-01-service-factory", "right")
    answer_as(db, ben, "yb-05-check", "partial")
    answer_as(db, ben, "yb-yield-mortgage", "right")
    enrol(db, cara, YB)
    answer_as(db, dan, "yb-01-check", "wrong")
    answer_as(db, dan, "yb-01-check", "partial")
    return {"ada": ada, "ben": ben, "cara": cara, "dan": dan}


def test_the_figures_match_a_recomputation_from_the_attempts(db, klass):
    rows = {row.email: row for row in rows_for(db, "")}
    assert set(rows) == {u.email for u in klass.values()}
    for user in klass.values():
        assert_matches(db, rows[user.email], user)


def test_a_module_score_is_the_mean_of_best_scores_with_untried_exercises_as_zero(db, klass):
    ada = next(r for r in rows_for(db, "ada@"))
    first = ada.cells[0]
    assert first.score == pytest.approx(1.0) and first.complete and first.passed == 2
    assert all(cell.score is None for cell in ada.cells[1:])
    ben = next(r for r in rows_for(db, "ben@"))
    fifth = ben.cells[4]
    assert fifth.exercises == 5 and fifth.read is False and fifth.state == "not_read"
    made = [a.score for a in _attempts(db, klass["ben"])]  # a partial quiz, a right yield
    assert 0 < made[0] < 1 and made[1] == pytest.approx(1.0)
    assert fifth.score == pytest.approx(sum(made) / 5)
    course_exercises = len({e for m in _modules(db) for e in m.exercise_ids})
    assert ben.overall == pytest.approx(sum(made) / course_exercises)


def _attempts(db: Session, user: User) -> Iterator[Attempt]:
    yield from db.exec(select(Attempt).where(Attempt.user_id == user.id))


def test_completion_filters_split_the_class(db, klass):
    def who(status: Completion) -> set[str]:
        return {r.email for r in rows_for(db, "", completion=status)}

    assert who(Completion.not_started) == {klass["cara"].email}
    assert who(Completion.in_progress) == {klass[k].email for k in ("ada", "ben", "dan")}
    assert who(Completion.complete) == set()


def test_sorting_by_overall_score_puts_the_best_first(db, klass):
    rows = rows_for(db, "", sort=Sort.score, descending=True)
    overall = [r.overall or 0.0 for r in rows]
    assert overall == sorted(overall, reverse=True)
    assert rows[-1].email == klass["cara"].email
    names = [r.name for r in rows_for(db, "", descending=True)]
    assert names == sorted(names, key=str.lower, reverse=True)


def test_the_page_shows_scores_and_explains_them(signed_in, klass):
    page = signed_in("ines").get(GRADEBOOK)
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text and "Cara Class" in page.text
    assert "mean of the learner’s best score" in page.text
    assert "100%" in page.text and "✓ complete" in page.text
    assert f'href="/teach/{YB}/gradebook.csv?' in page.text


def test_the_search_filter_narrows_the_page(signed_in, klass):
    page = signed_in("ines").get(GRADEBOOK, params={"q": "class"}).text
    assert "Cara Class" in page and "Dan Class" in page and "Ada Lovelace" not in page


def test_a_bad_filter_is_named(signed_in, klass):
    client = signed_in("ines")
    assert client.get(GRADEBOOK, params={"status": "finished"}).status_code == 422
    response = client.get(GRADEBOOK, params={"unit": "999999"})
    assert response.status_code == 422 and "unit" in response.text.lower()


def test_the_unit_filter_keeps_the_unit_and_the_units_below_it(db, signed_in, klass):
    parent = OrgUnit(name="Claims", path="")
    db.add(parent)
    db.commit()
    parent.path = f"/{parent.id}/"
    child = OrgUnit(name="Motor claims", parent_id=parent.id, path="")
    db.add(child)
    db.commit()
    child.path = f"{parent.path}{child.id}/"
    for user, unit in ((klass["ben"], child), (klass["cara"], parent)):
        user.org_unit_id = unit.id
        db.add(user)
    db.add_all([parent, child])
    db.commit()
    rows = rows_for(db, "", unit=parent)
    assert {r.email for r in rows} == {klass["ben"].email, klass["cara"].email}
    page = signed_in("ines").get(GRADEBOOK, params={"unit": child.id}).text
    assert "Ben Okri" in page and "Cara Class" not in page


# ---------------------------------------------------------------- the CSV


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_column_pair_per_module_and_the_same_figures(db, signed_in, klass):
    response = signed_in("ines").get(f"{GRADEBOOK}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header = next(csv.reader(io.StringIO(response.text)))
    slugs = [m.slug for m in _modules(db)]
    assert header[:4] == ["email", "name", f"{slugs[0]} score", f"{slugs[0]} completion"]
    assert len(header) == 2 + 2 * len(slugs) + 2
    rows = {r["email"]: r for r in read_csv(response.text)}
    assert set(rows) == {u.email for u in klass.values()}
    for user in klass.values():
        expected = recompute(db, YB, user)
        row = rows[user.email]
        for slug, score, state in zip(slugs, expected.scores, expected.states, strict=True):
            assert row[f"{slug} completion"] == state
            assert row[f"{slug} score"] == ("" if score is None else f"{score * 100:.1f}")
        assert row["status"] == expected.completion


def _modules(db: Session):  # type: ignore[no-untyped-def]
    course = db.exec(select(Course).where(Course.slug == YB)).one()
    return gradebook.layout(db, course).modules


def test_the_csv_takes_the_page_filters(signed_in, klass):
    text = signed_in("ines").get(f"{GRADEBOOK}.csv", params={"status": "not_started"}).text
    assert [r["email"] for r in read_csv(text)] == [klass["cara"].email]


def test_the_csv_defuses_names_a_spreadsheet_would_run(db, signed_in, teaching):
    learner = make_learner(db, "csv", "=HYPERLINK(1)")
    enrol(db, learner, YB)
    rows = read_csv(signed_in("ines").get(f"{GRADEBOOK}.csv").text)
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_the_csv_streams_past_one_chunk(db, signed_in, teaching, monkeypatch):
    monkeypatch.setattr(gradebook, "CSV_CHUNK", 3)
    people = [make_learner(db, "chunk") for _ in range(7)]
    for person in people:
        enrol(db, person, YB)
    rows = read_csv(signed_in("ines").get(f"{GRADEBOOK}.csv").text)
    assert [r["email"] for r in rows] == [p.email for p in people]


# ---------------------------------------------------------------- pages and statements


@pytest.fixture
def crowd(db, teaching) -> list[User]:
    people = [make_learner(db, "crowd") for _ in range(60)]
    for person in people:
        enrol(db, person, YB)
    return people


def test_sixty_learners_make_two_pages_that_keep_the_filters(signed_in, crowd):
    client = signed_in("ines")
    first = client.get(GRADEBOOK, params={"q": "crowd"}).text
    assert first.count("@example.org") == 50 and "Page 1 of 2" in first
    assert "page=2&amp;q=crowd" in first
    second = client.get(GRADEBOOK, params={"q": "crowd", "page": 2}).text
    assert second.count("@example.org") == 10
    assert crowd[-1].email in second and crowd[0].email not in second


def test_a_page_takes_as_many_statements_for_sixty_learners_as_for_three(
    db, engine, signed_in, teaching
):
    client = signed_in("ines")
    people = [make_learner(db, "count") for _ in range(3)]
    for person in people:
        answer_as(db, person, "yb-01-check", "partial")
        read_module(db, person, YB, M01)

    def statements() -> int:
        client.get(GRADEBOOK)
        with counting(engine) as sent:
            assert client.get(GRADEBOOK).status_code == 200
        return len(sent)

    few = statements()
    for _ in range(57):
        person = make_learner(db, "count")
        answer_as(db, person, "yb-05-check", "right")
    assert statements() == few


# ---------------------------------------------------------------- who sees it


@pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
def test_only_the_course_staff_see_the_gradebook(new_client, klass, who, status):
    client = new_client()
    sign_in(client, who)
    assert client.get(GRADEBOOK).status_code == status
    assert client.get(f"{GRADEBOOK}.csv").status_code == status


def test_an_admin_sees_any_course_gradebook(new_client, klass):
    client = new_client()
    sign_in(client, "omar")
    assert "Ada Lovelace" in client.get(GRADEBOOK).text


def test_anonymous_visitors_are_sent_to_sign_in(client, klass):
    response = client.get(GRADEBOOK, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_a_learner_never_appears_in_another_course_gradebook(db, new_client, klass):
    green = new_client()
    sign_in(green, "ivo")
    page = green.get("/teach/green-belt/gradebook").text
    assert "Ada Lovelace" not in page and "Cara Class" not in page
    assert read_csv(green.get("/teach/green-belt/gradebook.csv").text) == []
    ada = klass["ada"]
    answer_as(db, ada, "gb-01-check", "right")
    page = green.get("/teach/green-belt/gradebook").text
    assert "Ada Lovelace" in page and "Ben Okri" not in page


def test_the_teaching_page_links_to_the_gradebook_and_each_analysis(signed_in, teaching):
    page = signed_in("ines").get(f"/teach/{YB}").text
    assert f'href="/teach/{YB}/gradebook"' in page
    assert f'href="/teach/{YB}/exercises/yb-01-check/analysis"' in page


# ---------------------------------------------------------------- random classes

_runs = itertools.count()
step = st.tuples(
    st.integers(0, 2),  # which learner
    st.sampled_from(EXERCISES),
    st.sampled_from(["right", "partial", "wrong"]),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, max_size=10),
    reads=st.lists(st.tuples(st.integers(0, 2), st.sampled_from([M01, M05])), max_size=4),
    enrolled=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_any_sequence_of_attempts_matches_the_recomputation(db, teaching, steps, reads, enrolled):
    prefix = f"run{next(_runs)}x"
    people = [make_learner(db, prefix) for _ in range(3)]
    for person, is_enrolled in zip(people, enrolled, strict=True):
        if is_enrolled:
            enrol(db, person, YB)
    for who, module in reads:
        read_module(db, people[who], YB, module)
    for who, slug, quality in steps:
        progress_full = _finished(db, people[who], slug)
        if not progress_full:
            answer_as(db, people[who], slug, quality)  # type: ignore[arg-type]
    rows = {row.email: row for row in rows_for(db, prefix + "-")}
    involved = {
        p.email
        for i, p in enumerate(people)
        if enrolled[i] or any(w == i for w, *_ in steps) or any(w == i for w, _ in reads)
    }
    assert set(rows) == involved
    for person in people:
        if person.email in rows:
            assert_matches(db, rows[person.email], person)


def _finished(db: Session, user: User, slug: str) -> bool:
    """No attempt left: passed, or all three used."""
    exercise = db.exec(select(Exercise).where(Exercise.slug == slug)).one()
    made = list(
        db.exec(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.exercise_id == exercise.id)
        )
    )
    return len(made) >= 3 or any(a.score >= 0.8 - 1e-9 for a in made)


# ---------------------------------------------------------------- the JSON API


def token_of(db: Session, user: User) -> dict[str, str]:
    _, plain = create_api_token(db, user, "tests")
    db.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_the_api_gives_the_same_figures_to_the_staff(db, client, cast, klass):
    body = client.get(f"/api/v1/courses/{YB}/gradebook", headers=token_of(db, cast["ines"]))
    assert body.status_code == 200
    data = body.json()
    assert data["total"] == 4 and len(data["modules"]) == len(_modules(db))
    rows = {r["email"]: r for r in data["learners"]}
    for user in klass.values():
        expected = recompute(db, YB, user)
        row = rows[user.email]
        assert [m["score"] for m in row["modules"]] == pytest.approx(expected.scores)
        assert row["overall_score"] == pytest.approx(expected.overall)
        assert row["status"] == expected.completion
    narrowed = client.get(
        f"/api/v1/courses/{YB}/gradebook",
        params={"status": "not_started"},
        headers=token_of(db, cast["ines"]),
    ).json()
    assert [r["email"] for r in narrowed["learners"]] == [klass["cara"].email]


@pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
def test_the_api_answers_others_as_the_page_does(db, client, cast, klass, who, status):
    response = client.get(f"/api/v1/courses/{YB}/gradebook", headers=token_of(db, cast[who]))
    assert response.status_code == status
    assert "Lovelace" not in response.text

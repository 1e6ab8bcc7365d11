"""Re-grading after an exercise is corrected: the dry run says whose score would change and
writes nothing; applying updates scores and standings, never lowering one unless allowed.

The knowledge check yb-05-check has eight questions of equal weight and a pass mark of
80%. Version 1 is the repository's; version 2 "corrects" two keys: the right option of
the hidden-factory question becomes option 1 (was 0), and the FPY answer becomes 80 (was
90). So, counting right answers out of eight by hand:

    who       answered                        version 1      version 2
    Ada       the reference                   8/8 = 1.0      6/8 = 0.75  (lower)
    Ben #1    hidden-factory 1, FPY 80        6/8 = 0.75     8/8 = 1.0   (higher)
    Ben #2    hidden-factory 1                7/8 = 0.875    7/8 = 0.875 (unchanged)
    Cleo      FPY 80                          7/8 = 0.875    7/8 = 0.875 (unchanged)
    Dan       the reference, stored answer later unreadable   cannot be re-graded
"""

import copy
import secrets

import pytest
from sqlmodel import select

from app.authoring import regrade
from app.content.sync import current_exercise_version
from app.learning import attempts
from app.models import (
    Attempt,
    AttemptRegrade,
    CourseStanding,
    Exercise,
    ExerciseProgress,
    ExerciseVersion,
    Role,
    User,
)
from app.reporting.rebuild import rebuild
from tests.conftest import csrf_from, post_form, sign_in
from tests.exercise_helpers import reference_form
from tests.security.conftest import snapshot

SLUG = "yb-05-check"
PAGE = f"/teach/yellow-belt/exercises/{SLUG}/regrade"
V1 = {"ada": 1.0, ("ben", 1): 0.75, ("ben", 2): 0.875, "cleo": 0.875, "dan": 1.0}


def exercise(db, slug=SLUG) -> Exercise:
    return db.exec(select(Exercise).where(Exercise.slug == slug)).one()


def submit(db, user, slug=SLUG, **changes) -> Attempt:
    """Through the learner's own submission path, as the exercise page posts it."""
    loaded = attempts.load_exercise(db, slug)
    form = {**reference_form(db, user, slug), **changes}
    attempt = attempts.submit(db, user, loaded, loaded.version.id, secrets.token_hex(8), form)
    db.commit()
    return attempt


def new_version(db, slug=SLUG, edit=lambda params: None) -> ExerciseVersion:
    """A corrected version, as publishing one would store it."""
    ex = exercise(db, slug)
    old = current_exercise_version(db, ex.id)
    definition = copy.deepcopy(old.definition)
    edit(definition["params"])
    version = ExerciseVersion(
        exercise_id=ex.id,
        number=old.number + 1,
        content_hash=secrets.token_hex(16),
        title=old.title,
        kind=old.kind,
        definition=definition,
        prompt_markdown=old.prompt_markdown,
        solution_markdown=old.solution_markdown,
        origin="browser",
    )
    db.add(version)
    db.commit()
    return version


def correct_the_keys(params) -> None:
    questions = {q["id"]: q for q in params["questions"]}
    for index, option in enumerate(questions["hidden-factory"]["options"]):
        option["correct"] = index == 1
    questions["fpy"]["answer"] = 80


@pytest.fixture
def learners(db, cast, teaching):
    people = dict(cast)
    for key, name in (("cleo", "Cleo Cruz"), ("dan", "Dan Dekker"), ("eve", "Eve Evans")):
        people[key] = User(
            email=f"{key}@example.com", name=name, role=Role.learner, password_hash="x"
        )
        db.add(people[key])
    db.commit()
    return people


@pytest.fixture
def answered(db, learners):
    """The attempts of the table above, all on version 1."""
    made = {
        "ada": submit(db, learners["ada"]),
        ("ben", 1): submit(db, learners["ben"], **{"q-hidden-factory": ["1"], "q-fpy": ["80"]}),
        ("ben", 2): submit(db, learners["ben"], **{"q-hidden-factory": ["1"]}),
        "cleo": submit(db, learners["cleo"], **{"q-fpy": ["80"]}),
        "dan": submit(db, learners["dan"]),
    }
    dan = made["dan"]
    dan.answer = {**dan.answer, "q-rty": ["lots"]}  # as if read by an older, laxer parser
    db.add(dan)
    db.commit()
    assert {key: round(a.score, 3) for key, a in made.items()} == V1
    return made


@pytest.fixture
def corrected(db, answered) -> ExerciseVersion:
    return new_version(db, edit=correct_the_keys)


def fresh(db, model, **where):
    statement = select(model).execution_options(populate_existing=True)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.exec(statement).one()


def progress(db, user) -> tuple[float, bool]:
    row = fresh(db, ExerciseProgress, user_id=user.id, exercise_id=exercise(db).id)
    return round(row.best_score, 3), row.passed


def outcomes(plan) -> dict[tuple[str, int], tuple[str, float, float | None]]:
    return {
        (line.learner.name, line.attempt.number): (
            line.outcome.value,
            round(line.old_score, 3),
            None if line.graded is None else round(line.graded, 3),
        )
        for line in plan.lines
    }


def apply(client, options=None, version_id=None):
    version_id = version_id or _version_id(client)
    return post_form(client, PAGE, PAGE, dict(options or {}, version_id=str(version_id)))


def _version_id(client) -> int:
    page = client.get(PAGE).text
    return int(page.split('name="version_id" value="')[1].split('"')[0])


class TestTheDryRun:
    def test_it_regrades_each_stored_answer_and_says_what_would_happen(self, db, corrected):
        plan = regrade.plan_regrade(db, exercise(db))
        assert outcomes(plan) == {
            ("Ada Lovelace", 1): ("kept", 1.0, 0.75),
            ("Ben Okri", 1): ("up", 0.75, 1.0),
            ("Ben Okri", 2): ("unchanged", 0.875, 0.875),
            ("Cleo Cruz", 1): ("unchanged", 0.875, 0.875),
            ("Dan Dekker", 1): ("failed", 1.0, None),
        }
        dan = next(line for line in plan.lines if line.learner.name == "Dan Dekker")
        assert dan.reason.startswith("The stored answer no longer reads: Question")
        assert plan.counts == {
            "up": 1, "down": 0, "kept": 1, "unchanged": 2, "failed": 1, "reviewed": 0
        }  # fmt: skip

    def test_allowing_lower_scores_shows_the_drop(self, db, corrected):
        plan = regrade.plan_regrade(db, exercise(db), allow_lower=True)
        assert outcomes(plan)[("Ada Lovelace", 1)] == ("down", 1.0, 0.75)
        assert plan.changed == 2

    def test_the_page_lists_whose_score_changes_with_old_and_new_scores(self, corrected, signed_in):
        page = signed_in("ines").get(PAGE)
        assert page.status_code == 200
        rows = page.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
        assert len(rows) == 3  # the unchanged ones are only counted
        up, kept, failed = rows
        assert "Ben Okri" in up and "75.0%" in up and "100.0%" in up and "+25.0 points" in up
        assert "Ada Lovelace" in kept and "Would be 75.0%; keeps 100.0%" in kept
        assert "Dan Dekker" in failed and "no longer reads" in failed
        assert "<strong>2</strong> unchanged" in page.text
        assert "<strong>1</strong> would be lower and keep the old score" in page.text
        lower = signed_in("ines").get(f"{PAGE}?lower=yes").text
        assert "-25.0 points" in lower and '<input type="hidden" name="lower" value="yes">' in lower

    def test_it_writes_nothing(self, corrected, signed_in, engine):
        client = signed_in("ines")
        before = snapshot(engine)
        for query in ("", "?lower=yes", "?all=yes&lower=yes"):
            assert client.get(PAGE + query).status_code == 200
        assert snapshot(engine) == before

    def test_only_attempts_on_older_versions_unless_all_are_asked_for(
        self, db, corrected, learners
    ):
        on_current = submit(db, learners["eve"])  # the reference answer of version 2
        assert on_current.exercise_version_id == corrected.id
        plain = regrade.plan_regrade(db, exercise(db))
        everything = regrade.plan_regrade(db, exercise(db), include_current=True)
        assert ("Eve Evans", 1) not in outcomes(plain)
        assert outcomes(everything)[("Eve Evans", 1)] == ("unchanged", 1.0, 1.0)

    def test_a_long_list_is_paginated(self, corrected, signed_in, monkeypatch):
        from app.web.routes import regrade as routes

        monkeypatch.setattr(routes, "PER_PAGE", 2)
        client = signed_in("ines")
        first = client.get(f"{PAGE}?lower=yes").text
        assert "Page 1 of 2" in first and 'href="?page=2&amp;lower=yes"' in first
        second = client.get(f"{PAGE}?page=2&lower=yes").text
        assert "Dan Dekker" in second and "Ben Okri" not in second


class TestApplying:
    def test_it_raises_scores_never_lowers_them_and_keeps_a_record(
        self, db, corrected, answered, learners, signed_in
    ):
        assert progress(db, learners["ben"]) == (0.875, True)
        first = answered["ada"].exercise_version_id
        response = apply(signed_in("ines"))
        assert response.status_code == 303
        assert response.headers["location"] == f"{PAGE}?applied=1"

        scores = {key: fresh(db, Attempt, id=a.id) for key, a in answered.items()}
        assert {k: (round(a.score, 3), a.exercise_version_id) for k, a in scores.items()} == {
            "ada": (1.0, first),  # kept, on version 1
            ("ben", 1): (1.0, corrected.id),
            ("ben", 2): (0.875, corrected.id),
            "cleo": (0.875, corrected.id),
            "dan": (1.0, first),  # could not be re-graded
        }
        fpy = next(p for p in scores[("ben", 1)].parts if p["name"] == "fpy")
        assert fpy["score"] == 1.0
        assert progress(db, learners["ben"]) == (1.0, True)
        assert progress(db, learners["ada"]) == (1.0, True)

        record = fresh(db, AttemptRegrade, attempt_id=answered[("ben", 1)].id)
        assert (record.old_score, record.new_score) == (0.75, 1.0)
        assert record.old_version_id == first
        assert record.new_version_id == corrected.id
        assert record.regraded_by_id == learners["ines"].id
        assert [p["score"] for p in record.old_parts if p["name"] == "fpy"] == [0.0]
        regraded = db.exec(select(AttemptRegrade.attempt_id)).all()
        assert len(regraded) == 3  # Ben's two and Cleo's

    def test_allowing_lower_scores_lowers_them_and_the_standing(
        self, db, corrected, answered, learners, signed_in
    ):
        assert (
            apply(signed_in("ines"), {"lower": "yes"})
            .headers["location"]
            .endswith("?applied=2&lower=yes")
        )
        assert round(fresh(db, Attempt, id=answered["ada"].id).score, 3) == 0.75
        assert progress(db, learners["ada"]) == (0.75, False)  # below the 80% pass mark now
        assert progress(db, learners["ben"]) == (1.0, True)

    def test_applying_twice_changes_nothing_the_second_time(self, db, corrected, signed_in, engine):
        client = signed_in("ines")
        apply(client, version_id=corrected.id)
        before = snapshot(engine)
        assert "Apply the re-grade" not in client.get(PAGE).text  # nothing left to apply
        again = apply(client, version_id=corrected.id)
        assert again.headers["location"] == f"{PAGE}?applied=0"
        assert snapshot(engine) == before
        plan = regrade.plan_regrade(db, exercise(db))
        assert plan.changed == 0
        assert sorted(line.outcome.value for line in plan.lines) == ["failed", "kept"]

    def test_the_hr_summaries_still_match_a_rebuild(self, db, corrected, signed_in, learners):
        standings_before = snapshot_standings(db)
        apply(signed_in("ines"), {"lower": "yes", "all": "yes"})
        report = rebuild(db, write=False)
        assert not report.drifted, report.examples
        assert snapshot_standings(db) == standings_before

    def test_it_is_logged(self, corrected, signed_in, takt_log, learners):
        apply(signed_in("ines"))
        [line] = [entry for entry in takt_log() if entry["message"] == "exercise regraded"]
        assert (line["exercise"], line["by_user_id"], line["changed"]) == (
            SLUG,
            learners["ines"].id,
            1,
        )
        assert (line["up"], line["down"], line["repointed"], line["version"]) == (1, 0, 2, 2)

    def test_a_version_published_after_the_dry_run_stops_it(self, db, corrected, signed_in, engine):
        client = signed_in("ines")
        stale = _version_id(client)
        new_version(db, edit=correct_the_keys)
        before = snapshot(engine)
        response = post_form(client, PAGE, PAGE, {"version_id": str(stale)})
        assert response.status_code == 409
        assert "check the dry run again" in response.text
        assert snapshot(engine) == before


def snapshot_standings(db):
    rows = db.exec(select(CourseStanding).execution_options(populate_existing=True)).all()
    return sorted((r.user_id, str(r.course_id), r.attempts, r.last_activity_at) for r in rows)


class TestWhatIsLeftAlone:
    def test_reviewed_and_waiting_attempts_keep_their_review(self, db, signed_in, learners):
        slug, page = "yb-pdca-discharge", "/teach/yellow-belt/exercises/yb-pdca-discharge/regrade"
        waiting = submit(db, learners["ada"], slug)
        reviewed = submit(db, learners["ben"], slug)
        reviewed.status, reviewed.score = "reviewed", 0.5
        reviewed.review = {"passed": False, "score": 0.5}
        db.add(reviewed)
        db.commit()
        new_version(db, slug)
        plan = regrade.plan_regrade(db, exercise(db, slug))
        assert sorted((line.outcome.value, line.reason[:20]) for line in plan.lines) == [
            ("reviewed", "Reviewed by an instr"),
            ("reviewed", "Waiting for an instr"),
        ]
        client = signed_in("ines")
        text = client.get(page).text
        assert "<strong>2</strong> left to the instructor’s review" in text
        assert "Apply the re-grade" not in text  # nothing to apply
        assert fresh(db, Attempt, id=waiting.id).status == "awaiting_review"
        assert fresh(db, Attempt, id=reviewed.id).score == 0.5

    def test_an_answer_to_a_task_the_new_version_no_longer_sets_is_not_regraded(self, db, answered):
        def add_a_question(params):
            params["questions"].append(
                {"id": "extra", "type": "numeric", "text": "How many?", "answer": 3}
            )

        new_version(db, edit=add_a_question)
        plan = regrade.plan_regrade(db, exercise(db))
        assert {line.outcome.value for line in plan.lines} == {"failed"}
        assert "sets this learner a different task" in plan.lines[0].reason


class TestWhoMayRegrade:
    @pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
    def test_others_are_refused_and_nothing_changes(
        self, db, corrected, new_client, engine, who, status
    ):
        client = new_client()
        sign_in(client, who)
        assert client.get(PAGE).status_code == status
        token = csrf_from(client.get("/account").text)
        before = snapshot(engine)
        response = client.post(
            PAGE, data={"version_id": str(corrected.id), "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == status
        assert snapshot(engine) == before

    def test_staff_and_admins_may_and_the_teaching_page_links_it(self, corrected, new_client):
        for who in ("ines", "omar"):
            client = new_client()
            sign_in(client, who)
            assert client.get(PAGE).status_code == 200
        assert f'href="{PAGE}"' in client.get("/teach/yellow-belt").text

    def test_an_exercise_of_another_course_is_not_found(self, corrected, signed_in):
        client = signed_in("ines")
        assert client.get("/teach/yellow-belt/exercises/gb-01-check/regrade").status_code == 404
        assert client.get("/teach/yellow-belt/exercises/nope/regrade").status_code == 404

    def test_applying_without_the_dry_run_is_refused(self, corrected, signed_in, engine):
        client = signed_in("ines")
        before = snapshot(engine)
        assert post_form(client, PAGE, PAGE, {}).status_code == 422
        assert snapshot(engine) == before


def test_the_learner_sees_that_an_attempt_was_regraded(db, corrected, answered, new_client):
    ines, ben = new_client(), new_client()
    sign_in(ines, "ines")
    apply(ines)
    sign_in(ben, "ben")
    page = ben.get(f"/attempts/{answered[('ben', 1)].id}").text
    assert "after the exercise was corrected: 75% before, 100% after." in page
    assert "Attempt 1: 100%" in page and "version 2" in page
    same = ben.get(f"/attempts/{answered[('ben', 2)].id}").text
    assert "after the exercise was corrected: the score stayed at 88%." in same
    ada = new_client()
    sign_in(ada, "ada")
    assert "Re-graded" not in ada.get(f"/attempts/{answered['ada'].id}").text  # kept as it was

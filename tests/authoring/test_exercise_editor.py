"""Editing an exercise in the browser: a form generated from the kind's parameters, a
preview of any variant, the self-test guarding publishing, versions learners' attempts
stay tied to, and staff-only access."""

import re
from html import unescape

import pytest
from sqlmodel import select

from app.models import Attempt, Exercise, ExerciseDraft, ExerciseVersion
from tests.conftest import csrf_from, sign_in
from tests.exercise_helpers import reference_form, submit

COURSE = "yellow-belt"
SLUG = "yb-yield-claims"
EDITOR = f"/teach/{COURSE}/exercises/{SLUG}"
CONTROL = re.compile(
    r'<(textarea|select)[^>]*\bname="([^"]+)"[^>]*>(.*?)</\1>|<input[^>]*\bname="([^"]+)"[^>]*>',
    re.S,
)


def editor_form(client, url=EDITOR) -> dict[str, str]:
    """Every control of the editor's form with the value the page gives it."""
    page = client.get(f"{url}/edit").text
    form_html = page[page.index('id="exercise-form"') :]
    values: dict[str, str] = {"csrf_token": csrf_from(page)}
    for match in CONTROL.finditer(form_html):
        tag, whole = match.group(1), match.group(0)
        if tag == "textarea":
            values[match.group(2)] = unescape(match.group(3))
        elif tag == "select":
            chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)', match.group(3))
            values[match.group(2)] = unescape(chosen.group(1) or chosen.group(2)) if chosen else ""
        elif 'type="checkbox"' in whole:
            if " checked" in whole:
                values[match.group(4)] = "yes"
        else:
            value = re.search(r'value="([^"]*)"', whole)
            values[match.group(4)] = unescape(value.group(1)) if value else ""
    return values


def post(client, action, data, url=EDITOR):
    return client.post(f"{url}/{action}", data=data, follow_redirects=False)


def versions(db, slug=SLUG) -> list[ExerciseVersion]:
    exercise = db.exec(select(Exercise).where(Exercise.slug == slug)).one()
    statement = select(ExerciseVersion).where(ExerciseVersion.exercise_id == exercise.id)
    return list(db.exec(statement.execution_options(populate_existing=True)).all())


@pytest.fixture
def ines(teaching, signed_in):
    return signed_in("ines")


def test_the_form_is_generated_from_the_kinds_parameters(ines):
    form = editor_form(ines)
    assert form["p.unit_name"] == "claims"
    assert form["p.units_in.min"] == "500" and form["p.units_in.max"] == "1400"
    assert form["p.process"].splitlines()[0] == "First notice of loss"
    assert form["pass_mark"] == "80"


def test_saving_the_unchanged_form_keeps_the_parameters(ines, db):
    assert post(ines, "draft", editor_form(ines)).status_code == 303
    draft = db.exec(select(ExerciseDraft)).one()
    assert draft.definition["params"] == versions(db)[0].definition["params"]


def test_publishing_makes_a_version_learners_use_and_old_attempts_keep_theirs(
    ines, db, new_client, cast
):
    learner = new_client()
    sign_in(learner, "ada")
    assert submit(learner, SLUG, reference_form(db, cast["ada"], SLUG)).status_code == 303
    before = versions(db)[0]
    form = editor_form(ines)
    form["title"] = "Right first time in a claims department"
    response = post(ines, "publish", form)
    assert response.status_code == 303, response.text
    newest = max(versions(db), key=lambda v: v.number)
    assert (newest.number, newest.origin, newest.author_id) == (2, "browser", cast["ines"].id)
    assert newest.definition["params"] == before.definition["params"]
    assert "Right first time in a claims department" in learner.get(f"/exercises/{SLUG}").text
    assert db.exec(select(ExerciseDraft)).first() is None
    attempt = db.exec(select(Attempt)).one()
    assert attempt.exercise_version_id == before.id
    assert learner.get(f"/attempts/{attempt.id}").status_code == 200


def test_a_parameter_that_is_not_a_number_is_named(ines, db):
    form = editor_form(ines)
    form["p.units_in.min"] = "lots"
    response = post(ines, "draft", form)
    assert response.status_code == 422
    assert 'id="p-units_in-min-error"' in response.text
    assert "“lots” is not a number" in response.text
    assert 'value="lots"' in response.text  # what was typed is kept
    assert db.exec(select(ExerciseDraft)).first() is None


def test_a_parameter_the_kind_refuses_is_named(ines):
    form = editor_form(ines)
    form["p.units_in.min"], form["p.units_in.max"] = "900", "100"
    response = post(ines, "draft", form)
    assert response.status_code == 422
    assert "min must not exceed max" in response.text


def test_an_exercise_failing_its_self_test_is_not_published(ines, db):
    form = editor_form(ines)
    form["cases"] = form["cases"].replace("averaged", "a phrase the grader never writes")
    response = post(ines, "publish", form)
    assert response.status_code == 422
    assert "self-test:" in response.text and "a phrase the grader never writes" in response.text
    assert len(versions(db)) == 1


def test_a_placeholder_the_variant_lacks_is_reported_with_its_file(ines, db):
    form = editor_form(ines)
    form["prompt"] += "\n\nThere are {{ no_such_value }} claims."
    response = post(ines, "publish", form)
    assert response.status_code == 422
    assert "prompt.md:" in response.text
    assert len(versions(db)) == 1


def test_the_preview_shows_a_variant_as_learners_see_it(ines):
    page = ines.get(f"{EDITOR}/preview?seed=5").text
    assert "variant 5" in page
    assert 'name="fpy-1"' in page and 'name="sigma"' in page
    assert "Worked solution for this variant" in page
    answered = ines.get(f"{EDITOR}/preview?seed=5&answer=reference").text
    assert re.search(r'name="sigma"[^>]*value="3\.0', answered)


def test_the_self_test_page_reports_a_pass(ines):
    page = ines.get(f"{EDITOR}/self-test").text
    assert "Passed." in page and "100 variants" in page


@pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
def test_only_the_course_staff_reach_the_exercise_editor(teaching, signed_in, who, status):
    client = signed_in(who)
    for page in ("edit", "preview", "self-test", "history"):
        assert client.get(f"{EDITOR}/{page}").status_code == status


def test_history_diff_and_restore(ines, db):
    form = editor_form(ines)
    form["title"] = "A clearer title"
    assert post(ines, "publish", form).status_code == 303
    history = ines.get(f"{EDITOR}/history").text
    assert "A clearer title" in history and "Ines Ibarra, in the browser" in history
    assert "Words" not in history  # exercises have no word count
    diff = ines.get(f"{EDITOR}/diff?old=1&new=2").text
    assert '<span class="diff-add">+ title: A clearer title</span>' in diff
    confirm = ines.get(f"{EDITOR}/versions/1/restore")
    restored = post(ines, "versions/1/restore", {"csrf_token": csrf_from(confirm.text)})
    assert restored.status_code == 303
    assert editor_form(ines)["title"] == versions(db)[0].title


def test_a_new_exercise_starts_from_a_template_of_its_kind_and_publishes(ines, db):
    token = csrf_from(ines.get(f"/teach/{COURSE}/exercises/new").text)
    created = ines.post(
        f"/teach/{COURSE}/exercises",
        data={
            "csrf_token": token,
            "kind": "yield",
            "title": "Yield in a payments team",
            "slug": "yb-yield-payments",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = f"/teach/{COURSE}/exercises/yb-yield-payments"
    assert ines.get("/exercises/yb-yield-payments").status_code == 404
    form = editor_form(ines, url)
    form["p.unit_name"] = "payments"
    assert post(ines, "publish", form, url).status_code == 303
    (version,) = versions(db, "yb-yield-payments")
    assert version.title == "Yield in a payments team"
    assert version.definition["params"]["unit_name"] == "payments"
    assert ines.get("/exercises/yb-yield-payments").status_code == 200


def test_a_taken_exercise_address_is_refused(ines):
    token = csrf_from(ines.get(f"/teach/{COURSE}/exercises/new").text)
    response = ines.post(
        f"/teach/{COURSE}/exercises",
        data={"csrf_token": token, "kind": "yield", "title": "Again", "slug": SLUG},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "already has that address" in response.text

"""Editing a module in the browser: drafts learners never see, publishing as a version,
history with diffs, restore, images checked like files in git, and staff-only access."""

import re
from html import unescape

import pytest
from sqlmodel import select

from app.authoring import module_drafts
from app.content.loader import module_content_hash
from app.models import Module, ModuleDraft, ModuleVersion
from tests.conftest import csrf_from, sign_in

COURSE = "yellow-belt"
MODULE = "measuring-quality"
EDITOR = f"/teach/{COURSE}/modules/{MODULE}"
LEARNER_PAGE = f"/courses/{COURSE}/{MODULE}"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def editor_form(client) -> dict[str, object]:
    """The editor's fields as the page fills them, plus its CSRF token."""
    page = client.get(f"{EDITOR}/edit").text
    title = re.search(r'id="title" name="title" value="([^"]*)"', page).group(1)
    minutes = re.search(r'id="minutes" name="minutes" value="([^"]*)"', page).group(1)
    objectives = re.search(r'<textarea id="objectives"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    exercises = re.findall(r'name="exercises" value="([^"]+)" checked', page)
    return {
        "csrf_token": csrf_from(page),
        "title": unescape(title),
        "minutes": minutes,
        "objectives": unescape(objectives),
        "body": unescape(body),
        "exercises": exercises,
    }


def post(client, action, data, **kwargs):
    return client.post(f"{EDITOR}/{action}", data=data, follow_redirects=False, **kwargs)


def upload(client, token, name, data):
    """An image sent from the editor's upload form."""
    files = {"figure": (name, data, "image/png")}
    return post(client, "figures", {"csrf_token": token}, files=files)


def versions(db) -> list[ModuleVersion]:
    module = db.exec(select(Module).where(Module.slug == MODULE)).one()
    statement = select(ModuleVersion).where(ModuleVersion.module_id == module.id)
    return list(db.exec(statement.execution_options(populate_existing=True)).all())


@pytest.fixture
def ines(teaching, signed_in):
    return signed_in("ines")


def test_saving_makes_a_draft_that_learners_do_not_see(ines, db, new_client):
    form = editor_form(ines)
    form["body"] += "\n\nA sentence only the draft has."
    assert post(ines, "draft", form).status_code == 303
    assert "A sentence only the draft has." in ines.get(f"{EDITOR}/edit").text
    assert len(versions(db)) == 1
    learner = new_client()
    sign_in(learner, "ada")
    assert "A sentence only the draft has." not in learner.get(LEARNER_PAGE).text


def test_publishing_creates_the_next_version_that_learners_see(ines, db, cast, new_client):
    form = editor_form(ines)
    form["body"] += "\n\nPublished from the browser."
    response = post(ines, "publish", form)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/edit?published=2")
    newest = max(versions(db), key=lambda v: v.number)
    assert (newest.number, newest.origin, newest.author_id) == (2, "browser", cast["ines"].id)
    assert newest.content_hash == module_content_hash(newest.source_text, {})
    assert db.exec(select(ModuleDraft)).first() is None
    learner = new_client()
    sign_in(learner, "ada")
    assert "Published from the browser." in learner.get(LEARNER_PAGE).text


def test_a_published_version_keeps_the_figures_the_text_uses(ines, db):
    form = editor_form(ines)
    assert upload(ines, form["csrf_token"], "flow.png", PNG).status_code == 303
    form["body"] += "\n\n![The flow](flow.png)"
    assert post(ines, "publish", form).status_code == 303
    newest = max(versions(db), key=lambda v: v.number)
    assert f'src="/figures/{newest.module_id}/{newest.number}/flow.png"' in newest.body_html


def test_an_uploaded_image_is_served_to_the_editor_until_removed(ines):
    form = editor_form(ines)
    assert upload(ines, form["csrf_token"], "flow.png", PNG).status_code == 303
    served = ines.get(f"{EDITOR}/draft-figures/flow.png")
    assert served.status_code == 200 and served.content == PNG
    assert (
        post(ines, "figures/flow.png/delete", {"csrf_token": form["csrf_token"]}).status_code == 303
    )
    assert ines.get(f"{EDITOR}/draft-figures/flow.png").status_code == 404
    again = post(ines, "figures/flow.png/delete", {"csrf_token": form["csrf_token"]})
    assert again.status_code == 404


def test_a_text_that_refers_to_a_missing_image_is_not_published(ines, db):
    form = editor_form(ines)
    form["body"] += "\n\n![Missing](nowhere.png)"
    response = post(ines, "publish", form)
    assert response.status_code == 422
    assert "figure &#39;nowhere.png&#39; is not in the module folder" in response.text
    assert re.search(r"index\.md:\d+:", response.text)
    assert len(versions(db)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "title"),
        ("minutes", "soon", "whole number of minutes"),
        ("objectives", "", "at least 1"),
        ("body", "   ", "teaching text"),
    ],
)
def test_bad_fields_get_an_inline_error_and_nothing_is_saved(ines, db, field, value, message):
    form = editor_form(ines)
    form[field] = value
    response = post(ines, "draft", form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text.lower() or message in response.text
    assert db.exec(select(ModuleDraft)).first() is None


def test_an_unknown_exercise_cannot_be_published(ines, db):
    form = editor_form(ines)
    form["exercises"] = [*form["exercises"], "no-such-exercise"]
    response = post(ines, "publish", form)
    assert response.status_code == 422
    assert "exercise &#39;no-such-exercise&#39; does not exist" in response.text


def test_the_live_preview_renders_and_sanitises_like_the_learner_page(ines):
    token = csrf_from(ines.get(f"{EDITOR}/edit").text)
    response = ines.post(
        f"{EDITOR}/preview",
        data={"body": "## Heading\n\n<script>alert(1)</script>\n\n**bold**"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<h2" in response.text and "<strong>bold</strong>" in response.text
    assert "<script>" not in response.text


def test_history_diff_and_restore(ines, db):
    original = editor_form(ines)
    changed = dict(original, body=original["body"].replace("\n", "\nAn added line.\n", 1))
    assert post(ines, "publish", changed).status_code == 303
    history = ines.get(f"{EDITOR}/history").text
    assert "Ines Ibarra, in the browser" in history and "content files (sync)" in history
    assert '<th scope="col">Words</th>' in history  # a module's versions show their length
    diff = ines.get(f"{EDITOR}/diff?old=1&new=2").text
    assert '<span class="diff-add">+ An added line.</span>' in diff
    confirm = ines.get(f"{EDITOR}/versions/1/restore")
    assert "Restore version 1 as a draft?" in confirm.text
    restored = ines.post(
        f"{EDITOR}/versions/1/restore",
        data={"csrf_token": csrf_from(confirm.text)},
        follow_redirects=False,
    )
    assert restored.status_code == 303
    draft = db.exec(select(ModuleDraft).execution_options(populate_existing=True)).one()
    assert draft.based_on == 1 and "An added line." not in draft.body_markdown
    republished = post(ines, "publish", editor_form(ines))
    assert republished.status_code == 303
    first, _, third = sorted(versions(db), key=lambda v: v.number)
    assert third.number == 3
    assert third.body_markdown == first.body_markdown


def test_publishing_an_unchanged_draft_says_nothing_changed(ines, db):
    response = post(ines, "publish", editor_form(ines))
    assert response.status_code == 422
    assert "same as the published version" in response.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.png", b"MZ\x90\x00" + b"\x00" * 60, "not really a png"),
        ("tool.exe", b"MZ\x90\x00", "ending in .svg"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "larger than 2 MB"),
        (
            "bad.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "script",
        ),
        (
            "bad2.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"></svg>',
            "event handlers",
        ),
        ("sound.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", "not really a webp"),
    ],
)
def test_unsafe_uploads_are_refused(ines, db, name, data, message):
    token = csrf_from(ines.get(f"{EDITOR}/edit").text)
    response = upload(ines, token, name, data)
    assert response.status_code == 422
    assert message in response.text
    assert not module_drafts.draft_figures(
        db, db.exec(select(Module).where(Module.slug == MODULE)).one()
    )


@pytest.mark.parametrize(("who", "status"), [("ivo", 404), ("ada", 403), ("hana", 403)])
def test_only_the_course_staff_reach_the_editor(teaching, signed_in, who, status):
    client = signed_in(who)
    assert client.get(f"{EDITOR}/edit").status_code == status
    assert client.get(f"{EDITOR}/history").status_code == status


def test_an_instructor_of_another_course_cannot_post_to_the_editor(teaching, signed_in, db):
    ivo = signed_in("ivo")
    token = csrf_from(ivo.get("/teach").text)
    response = ivo.post(
        f"{EDITOR}/draft", data={"csrf_token": token, "title": "Taken over"}, follow_redirects=False
    )
    assert response.status_code == 404
    assert db.exec(select(ModuleDraft)).first() is None


def test_a_new_module_is_invisible_until_published(ines, db, new_client):
    token = csrf_from(ines.get(f"/teach/{COURSE}/modules/new").text)
    created = ines.post(
        f"/teach/{COURSE}/modules",
        data={"csrf_token": token, "title": "Takt time in a call centre", "slug": "takt-time"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    learner = new_client()
    sign_in(learner, "ada")
    assert learner.get(f"/courses/{COURSE}/takt-time").status_code == 404
    editor = f"/teach/{COURSE}/modules/takt-time"
    page = ines.get(f"{editor}/edit").text
    response = ines.post(
        f"{editor}/publish",
        data={
            "csrf_token": csrf_from(page),
            "title": "Takt time in a call centre",
            "minutes": "12",
            "objectives": "Work out takt time from demand and available time.",
            "body": "Takt time is the available time divided by customer demand.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert (
        "available time divided by customer demand"
        in learner.get(f"/courses/{COURSE}/takt-time").text
    )
    module = db.exec(select(Module).where(Module.slug == "takt-time")).one()
    assert module.folder == "11-takt-time"


def test_a_taken_module_address_is_refused(ines):
    token = csrf_from(ines.get(f"/teach/{COURSE}/modules/new").text)
    response = ines.post(
        f"/teach/{COURSE}/modules",
        data={"csrf_token": token, "title": "Again", "slug": MODULE},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "already has a module" in response.text

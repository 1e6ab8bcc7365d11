"""Hostile text through every place people write it — module markdown (the content
pipeline, the editor's live preview, a saved draft, the published page), exercise answers
(PDCA plans, charters, SIPOCs, fishbones), people's names and review comments — is shown
as text on every page that shows it, never in a form that could run.

tests/browser/test_xss_in_chromium.py loads the same pages in Chromium."""

import pytest
from sqlmodel import col, select

from app.content.markdown import render_markdown
from app.grading.rubrics import A3_RUBRIC
from app.models import Attempt, Exercise, User
from tests.conftest import csrf_from, post_form, sign_in
from tests.exercise_helpers import reference_form, submit
from tests.security.xss import CORPUS, Payload, assert_inert, executable_payloads, payloads

PAYLOADS = payloads()
COURSE = "yellow-belt"
MODULE = "craft-mass-lean"
EDITOR = f"/teach/{COURSE}/modules/{MODULE}"
REVIEWED = "yb-pdca-discharge"
WRITTEN_KINDS = {
    "pdca": "yb-pdca-claims-delay",
    "charter": "gb-02-charter-claims-backlog",
    "sipoc": "gb-02-sipoc-repeat-prescriptions",
    "fishbone": "gb-08-fishbone-late-payments",
}
# Reviews are for course staff: `teaching` puts Ines on the Yellow Belt, Ivo on the Green.
REVIEWER = {"yb": "ines", "gb": "ivo"}
MARKDOWN = "\n\n".join(payload.text for payload in PAYLOADS)


def module_form(body: str, title: str = "Craft, mass and lean") -> dict[str, str]:
    return {
        "title": title,
        "minutes": "30",
        "objectives": "Tell craft, mass and lean production apart",
        "body": body,
    }


class TestTheCheckItself:
    """The check is only worth something if it catches each way a payload could run."""

    @pytest.mark.parametrize(
        "page",
        [
            '<script>alert("xss1q")</script>',
            "<img src=x onerror=\"alert('xss1q')\">",
            '<svg><a href="#">xss1q</a></svg>',
            "<a href=\"javascript:alert('xss1q')\">x</a>",
            '<a href=" data:text/html,xss1q">x</a>',
            '<div hx-get="/xss1q">x</div>',
            '<iframe srcdoc="xss1q"></iframe>',
            '<p style="background:url(xss1q)">x</p>',
        ],
    )
    def test_it_finds_an_executable_payload(self, page):
        assert executable_payloads(page, ["xss1q"]) != []

    def test_it_lets_escaped_text_and_harmless_attributes_pass(self):
        page = (
            '<p>&lt;script&gt;alert("xss1q")&lt;/script&gt;</p>'
            '<input value="&quot;&gt;&lt;script&gt;xss1q"><textarea>&lt;/textarea&gt;xss1q'
            '</textarea><a href="/search?q=xss1q">x</a><script src="/static/x.js"></script>'
        )
        assert executable_payloads(page, ["xss1q"]) == []

    def test_the_corpus_covers_what_the_checklist_names(self):
        names = {name for name, _ in CORPUS}
        assert {"script tag", "img onerror", "javascript link", "data url"} <= names
        assert {"svg with script", "hx attributes", "template syntax"} <= names


class TestModuleMarkdown:
    def test_the_content_pipeline_renders_every_payload_inert(self):
        assert_inert(render_markdown(MARKDOWN), PAYLOADS)

    def test_the_editors_live_preview(self, client_for, teaching):
        ines = client_for("ines")
        token = csrf_from(ines.get(f"{EDITOR}/edit").text)
        response = ines.post(
            f"{EDITOR}/preview",
            data={"body": MARKDOWN, "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert_inert(response.text, PAYLOADS)

    def test_a_saved_draft_and_the_published_module(self, client_for, teaching):
        ines = client_for("ines")
        title = PAYLOADS[6]  # the attribute breakout, in the module's title
        form = module_form(MARKDOWN, title=title.text)
        saved = post_form(ines, f"{EDITOR}/edit", f"{EDITOR}/draft", form)
        assert saved.status_code == 303, saved.text
        assert_inert(ines.get(f"{EDITOR}/edit").text, PAYLOADS)
        published = post_form(ines, f"{EDITOR}/edit", f"{EDITOR}/publish", form)
        assert published.status_code == 303, published.text
        ada = client_for("ada")
        assert_inert(ada.get(f"/courses/{COURSE}/{MODULE}").text, PAYLOADS)
        assert_inert(ada.get(f"/courses/{COURSE}").text, [title])


def hostile_answer(db, user: User, slug: str) -> tuple[dict[str, list[str]], list[str]]:  # type: ignore[no-untyped-def]
    """The reference answer with a payload added to every free-text field (or, for a kind
    without free text, put in every field), and the fields that carry one."""
    form = reference_form(db, user, slug)
    texts = [name for name, values in form.items() if len(values) == 1 and " " in values[0]]
    for index, name in enumerate(texts or list(form)):
        payload = PAYLOADS[index % len(PAYLOADS)]
        form[name] = [f"{form[name][0]} {payload.text}" if texts else payload.text]
    return form, texts


def carried(form: dict[str, list[str]], fields: list[str]) -> list[Payload]:
    return [p for p in PAYLOADS if any(p.text in form[field][0] for field in fields)]


def ada_attempt(db, cast, slug: str) -> Attempt:  # type: ignore[no-untyped-def]
    exercise = db.exec(select(Exercise).where(Exercise.slug == slug)).one()
    return db.exec(
        select(Attempt)
        .where(Attempt.user_id == cast["ada"].id, Attempt.exercise_id == exercise.id)
        .order_by(col(Attempt.number).desc())
    ).first()


class TestExerciseAnswers:
    @pytest.mark.parametrize("slug", WRITTEN_KINDS.values(), ids=WRITTEN_KINDS.keys())
    def test_a_written_answer_is_inert_wherever_it_is_shown(
        self, slug, db, cast, content, teaching, client_for
    ):
        ada = client_for("ada")
        form, texts = hostile_answer(db, cast["ada"], slug)
        if texts:
            # Refused for one empty field: the form comes back holding every other entry.
            refused = submit(ada, slug, {**form, texts[0]: [""]})
            assert refused.status_code == 422, refused.text
            assert_inert(refused.text, carried(form, texts[1:]))
        response = submit(ada, slug, form)
        if not texts:  # no free text: the payloads were refused as choices
            assert response.status_code == 422
            assert_inert(response.text, PAYLOADS, expect_shown=False)
            return
        assert response.status_code == 303, response.text
        attempt = ada_attempt(db, cast, slug)
        for page in (f"/attempts/{attempt.id}", f"/exercises/{slug}", "/attempts"):
            assert_inert(ada.get(page).text, carried(form, texts), expect_shown=False)
        if attempt.status == "awaiting_review":
            reviewer = client_for(REVIEWER[slug.split("-")[0]])
            review = reviewer.get(f"/review/{attempt.id}").text
            assert_inert(review, carried(form, texts))

    def test_a_pdca_plan_awaiting_review_is_inert_for_the_reviewer(
        self, db, cast, content, teaching, client_for
    ):
        ada = client_for("ada")
        form, texts = hostile_answer(db, cast["ada"], REVIEWED)
        assert carried(form, texts) == PAYLOADS  # the A3 has a field for every payload
        assert submit(ada, REVIEWED, form).status_code == 303
        attempt = ada_attempt(db, cast, REVIEWED)
        assert attempt.status == "awaiting_review"
        ines = client_for("ines")
        assert_inert(ines.get(f"/review/{attempt.id}").text, PAYLOADS)
        assert_inert(ines.get("/review").text, PAYLOADS, expect_shown=False)


class TestNames:
    def test_a_name_typed_at_registration_is_inert_on_the_account_page(self, client):
        payload = PAYLOADS[6]
        registered = post_form(
            client,
            "/register",
            "/register",
            {"name": payload.text, "email": "mallory@example.com", "password": "plausible-pass"},
        )
        assert registered.status_code == 303, registered.text
        assert_inert(client.get("/account").text, [payload])
        assert_inert(client.get("/").text, [payload])

    def test_every_payload_as_a_name_is_inert_for_admins_and_reviewers(
        self, db, cast, content, teaching, client_for
    ):
        for number, payload in enumerate(PAYLOADS):
            name = payload.text[:120]
            db.add(User(email=f"p{number}@example.com", name=name, password_hash="!"))
        cast["ada"].name = PAYLOADS[6].text
        db.add(cast["ada"])
        db.commit()
        ada = client_for("ada")
        assert submit(ada, REVIEWED, reference_form(db, cast["ada"], REVIEWED)).status_code == 303
        omar = client_for("omar")
        assert_inert(omar.get("/admin/users").text, PAYLOADS)
        assert_inert(omar.get(f"/admin/users/{cast['ada'].id}").text, [PAYLOADS[6]])
        ines = client_for("ines")
        attempt = ada_attempt(db, cast, REVIEWED)
        assert_inert(ines.get("/review").text, [PAYLOADS[6]])
        assert_inert(ines.get(f"/review/{attempt.id}").text, [PAYLOADS[6]])


class TestReviewComments:
    def test_an_instructors_comments_are_inert_on_the_learners_pages(
        self, db, cast, content, teaching, new_client
    ):
        ada = new_client()
        sign_in(ada, "ada")
        assert submit(ada, REVIEWED, reference_form(db, cast["ada"], REVIEWED)).status_code == 303
        attempt = ada_attempt(db, cast, REVIEWED)
        criteria = A3_RUBRIC.criteria
        data = {f"level-{c.id}": "2" for c in criteria}
        comments = PAYLOADS[: len(criteria)]
        data |= {f"comment-{c.id}": p.text for c, p in zip(criteria, comments, strict=False)}
        data["comment"] = " ".join(p.text for p in PAYLOADS[len(criteria) :])
        ines = new_client()
        sign_in(ines, "ines")
        reviewed = post_form(ines, f"/review/{attempt.id}", f"/review/{attempt.id}", data)
        assert reviewed.status_code == 303, reviewed.text
        assert_inert(ada.get(f"/attempts/{attempt.id}").text, PAYLOADS)
        assert_inert(ada.get(f"/exercises/{REVIEWED}").text, PAYLOADS, expect_shown=False)

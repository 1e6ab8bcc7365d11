"""The learner's pages: catalogue, course, module, marking a module read."""

from sqlmodel import select

from app.models import Enrolment, ModuleProgress
from tests.conftest import csrf_from, post_form

COURSE = "/courses/yellow-belt"
MODULE = "/courses/yellow-belt/craft-mass-lean"


class TestCatalogue:
    def test_it_lists_published_courses_to_anyone(self, client, content):
        page = client.get("/")
        assert page.status_code == 200
        assert "Yellow Belt" in page.text
        assert 'href="/courses/yellow-belt"' in page.text

    def test_it_shows_a_friendly_message_when_nothing_is_published(self, client, engine):
        assert "No courses are published yet" in client.get("/").text


class TestCoursePage:
    def test_it_lists_the_modules_in_order_with_reading_time(self, client, content):
        page = client.get(COURSE)
        assert page.status_code == 200
        assert "From craft to mass to lean production" in page.text
        assert "15 min" in page.text

    def test_an_anonymous_visitor_is_invited_to_sign_in(self, client, content):
        assert "/sign-in?next=/courses/yellow-belt" in client.get(COURSE).text

    def test_an_unknown_course_answers_a_friendly_404(self, client, content):
        page = client.get("/courses/no-such-course")
        assert page.status_code == 404
        assert "There is no course at this address" in page.text
        assert "reference" in page.text

    def test_enrolling_twice_creates_one_enrolment(self, signed_in, db, content):
        client = signed_in("ada")
        for _ in range(2):
            response = post_form(client, COURSE, f"{COURSE}/enrol", {})
            assert response.status_code == 303
        assert len(db.exec(select(Enrolment)).all()) == 1
        assert "0 of 10 modules read" in client.get(COURSE).text


class TestModulePage:
    def test_it_requires_signing_in_and_comes_back_afterwards(self, client, cast, content):
        response = client.get(MODULE, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/courses/yellow-belt/craft-mass-lean"
        signed = post_form(
            client,
            "/sign-in?next=" + MODULE,
            "/sign-in",
            {"email": "ada@example.com", "password": "ada-reads-every-module", "next": MODULE},
        )
        assert signed.headers["location"] == MODULE

    def test_it_shows_objectives_reading_time_and_the_rendered_text(self, signed_in, content):
        page = signed_in("ada").get(MODULE)
        assert page.status_code == 200
        assert "By the end of this module you can" in page.text
        assert "About 15 minutes" in page.text
        assert '<h2 id="sec-craft-production">Craft production</h2>' in page.text
        assert 'class="admonition' in page.text
        assert "Mark as read" in page.text

    def test_an_unknown_module_answers_404(self, signed_in, content):
        assert signed_in("ada").get(f"{COURSE}/no-such-module").status_code == 404


class TestMarkingAModuleRead:
    def test_a_plain_form_post_records_progress_and_redirects_back(self, signed_in, db, content):
        client = signed_in("ada")
        response = post_form(client, MODULE, f"{MODULE}/read", {})
        assert response.status_code == 303
        assert response.headers["location"] == MODULE
        assert len(db.exec(select(ModuleProgress)).all()) == 1
        assert "You have read this module" in client.get(MODULE).text
        assert "1 of 10 modules read (10%)" in client.get(COURSE).text

    def test_htmx_gets_only_the_updated_status_fragment(self, signed_in, content):
        client = signed_in("ada")
        token = csrf_from(client.get(MODULE).text)
        response = client.post(
            f"{MODULE}/read", headers={"HX-Request": "true", "X-CSRF-Token": token}
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="read-status"')
        assert "<html" not in response.text
        assert "1 of 10 modules read" in response.text

    def test_marking_twice_keeps_one_record_and_enrols_once(self, signed_in, db, content):
        client = signed_in("ada")
        for _ in range(2):
            post_form(client, MODULE, f"{MODULE}/read", {})
        assert len(db.exec(select(ModuleProgress)).all()) == 1
        assert len(db.exec(select(Enrolment)).all()) == 1

    def test_one_learners_progress_is_not_anothers(self, signed_in, new_client, content):
        post_form(signed_in("ada"), MODULE, f"{MODULE}/read", {})
        ben = new_client()
        post_form(
            ben,
            "/sign-in",
            "/sign-in",
            {"email": "ben@example.com", "password": "ben-skims-the-summary"},
        )
        assert "Mark as read" in ben.get(MODULE).text
        assert "You have read this module" not in ben.get(MODULE).text


class TestErrorPages:
    def test_an_unknown_address_gets_the_friendly_404_page(self, client):
        page = client.get("/no/such/page")
        assert page.status_code == 404
        assert "Page not found" in page.text
        assert "Back to the courses" in page.text

"""The JSON API: courses, modules, the caller's progress; sessions and bearer tokens."""

import pytest
from sqlmodel import Session

from app.accounts.service import create_api_token
from app.models import User
from tests.conftest import post_form

MODULE_ID = "13b64e05-a7af-420d-9b52-1ec785ec128a"


@pytest.fixture
def ada_token(db: Session, cast: dict[str, User]) -> str:
    _, plain = create_api_token(db, cast["ada"], "tests")
    db.commit()
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestCourses:
    def test_listing_courses_needs_no_sign_in(self, client, content):
        courses = client.get("/api/v1/courses").json()
        assert [c["slug"] for c in courses] == ["yellow-belt", "green-belt", "black-belt"]
        assert courses[0]["belt"] == "yellow"
        assert courses[0]["modules_total"] == 10
        assert courses[0]["modules_read"] == 0

    def test_one_course_lists_its_modules_in_order(self, client, content):
        course = client.get("/api/v1/courses/yellow-belt").json()
        slugs = [m["slug"] for m in course["modules"]]
        assert slugs[:3] == ["craft-mass-lean", "lean-principles", "eight-wastes"]
        assert len(slugs) == 10
        assert course["modules"][0]["id"] == MODULE_ID
        assert course["modules"][0]["minutes"] == 15

    def test_an_unknown_course_is_a_json_404(self, client, content):
        response = client.get("/api/v1/courses/nope")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


class TestModules:
    def test_a_module_needs_authentication(self, client, content):
        response = client.get(f"/api/v1/modules/{MODULE_ID}")
        assert response.status_code == 401
        assert response.json()["error"] == "not_authenticated"
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_bearer_token_reads_the_rendered_sanitised_module(self, client, content, ada_token):
        module = client.get(f"/api/v1/modules/{MODULE_ID}", headers=bearer(ada_token)).json()
        assert module["title"] == "From craft to mass to lean production"
        assert module["version"] == 1
        assert module["html"].startswith("<p>")
        assert "<script" not in module["html"]
        assert len(module["objectives"]) == 4
        assert module["is_read"] is False

    def test_a_malformed_module_id_is_a_404_not_a_500(self, client, content, ada_token):
        response = client.get("/api/v1/modules/not-a-uuid", headers=bearer(ada_token))
        assert response.status_code == 404

    def test_an_unknown_module_id_is_a_404(self, client, content, ada_token):
        unknown = "00000000-0000-4000-8000-000000000000"
        assert (
            client.get(f"/api/v1/modules/{unknown}", headers=bearer(ada_token)).status_code == 404
        )

    def test_an_invalid_token_is_refused(self, client, content):
        response = client.get(f"/api/v1/modules/{MODULE_ID}", headers=bearer("takt_forged"))
        assert response.status_code == 401


class TestMyProgress:
    def test_progress_follows_the_modules_read_in_the_browser(self, signed_in, content, db):
        client = signed_in("ada")
        assert client.get("/api/v1/me/progress").json() == []
        module = "/courses/yellow-belt/craft-mass-lean"
        post_form(client, module, f"{module}/read", {})
        progress = client.get("/api/v1/me/progress").json()
        assert progress == [
            {
                "course_slug": "yellow-belt",
                "title": "Yellow Belt",
                "modules_total": 10,
                "modules_read": 1,
                "percent": 10,
            }
        ]

    def test_me_returns_the_caller_and_no_secrets(self, client, ada_token):
        me = client.get("/api/v1/me", headers=bearer(ada_token)).json()
        assert me == {
            "id": me["id"],
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "role": "learner",
        }

    def test_each_caller_sees_only_their_own_progress(
        self, signed_in, content, new_client, db, cast
    ):
        module = "/courses/yellow-belt/craft-mass-lean"
        post_form(signed_in("ada"), module, f"{module}/read", {})
        _, ben_token = create_api_token(db, cast["ben"], "ben")
        db.commit()
        assert new_client().get("/api/v1/me/progress", headers=bearer(ben_token)).json() == []


class TestOpenApi:
    def test_the_schema_documents_the_v1_routes(self, client):
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        for path in (
            "/api/v1/courses",
            "/api/v1/courses/{slug}",
            "/api/v1/modules/{module_id}",
            "/api/v1/me/progress",
        ):
            assert path in paths
        assert not any(p.startswith("/sign-in") for p in paths)

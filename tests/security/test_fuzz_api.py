"""Fuzzing the JSON API: schemathesis generates requests from the OpenAPI schema that a
live server publishes — valid ones and invalid ones, at made-up and at real objects —
signed in as a learner and as HR (bearer tokens). Every response must be no server error
and match the schema (status code, content type, headers, body); an invalid request must
be refused. Bounded for CI: a fixed number of examples per operation, the same every run."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from sqlmodel import select

from app.accounts.service import create_api_token
from app.models import Module
from tests.browser.conftest import live_server

__all__ = ["live_server"]  # a fixture

EXAMPLES = 15
# A schema cannot say which cursors, slugs or sample data are valid (a cursor is signed, a
# capability study needs its limits in order), so a schema-valid request may rightly get a
# 422: that check is left out. Invalid requests must still be refused.
NOT_APPLICABLE = [positive_data_acceptance]
COURSE = "yellow-belt"
EXERCISE = "yb-yield-mortgage"


@pytest.fixture
def bearer_tokens(db, cast, content) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tokens = {}
    for key in ("ada", "hana"):
        _, plain = create_api_token(db, cast[key], "fuzzing")
        tokens[key] = plain
    db.commit()
    return tokens


@pytest.fixture
def real_objects(db, content) -> dict[str, str]:  # type: ignore[no-untyped-def]
    module = db.exec(select(Module).where(Module.slug == "craft-mass-lean")).one()
    return {"module_id": str(module.id)}


def real_path(operation, objects: dict[str, str]) -> dict[str, str] | None:  # type: ignore[no-untyped-def]
    """Path parameters naming objects that exist, or None when the path has none."""
    names = {p.name for p in operation.path_parameters}
    if not names:
        return None
    known = {**objects, "slug": EXERCISE if "/exercises/" in operation.path else COURSE}
    return {name: known[name] for name in names if name in known} or None


def fuzz(operation, mode, path, who: str, token: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The problems found on one operation, as readable lines."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, excluded_checks=NOT_APPLICABLE
        )

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: an operation without parameters
        assert mode is GenerationMode.NEGATIVE
    except (AssertionError, BaseExceptionGroup) as failure:
        return [f"{operation.label} ({mode.value}, as {who}): {failure}"]
    return []


def test_the_api_answers_every_generated_request_as_its_schema_says(
    live_server, bearer_tokens, real_objects
):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    problems = []
    for operation in operations:
        real = real_path(operation, real_objects)
        for path in [None] if real is None else [None, real]:
            for mode in GenerationMode:
                for who, token in bearer_tokens.items():
                    problems += fuzz(operation, mode, path, who, token)
    assert problems == [], "\n\n".join(problems)


class TestWhatFuzzingFound:
    """Each was a 500 (an integer beyond the database's range) or an undocumented answer."""

    def test_a_version_id_beyond_the_database_range_is_a_422_naming_it(self, client, bearer_tokens):
        response = client.post(
            f"/api/v1/exercises/{EXERCISE}/attempts",
            json={"version_id": 2**63, "submission_token": "x" * 16, "answer": {}},
            headers={"Authorization": f"Bearer {bearer_tokens['ada']}"},
        )
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "version_id"

    def test_an_offset_beyond_any_page_is_a_422(self, client, bearer_tokens):
        response = client.get(
            "/api/v1/me/attempts",
            params={"offset": 2**63},
            headers={"Authorization": f"Bearer {bearer_tokens['ada']}"},
        )
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"

    def test_a_body_that_is_not_json_is_a_documented_400(self, client, bearer_tokens, app):
        response = client.post(
            f"/api/v1/exercises/{EXERCISE}/attempts",
            content=b"q\xff",
            headers={
                "Authorization": f"Bearer {bearer_tokens['ada']}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code in (400, 422)
        documented = app.openapi()["paths"]["/api/v1/exercises/{slug}/attempts"]["post"]
        assert str(response.status_code) in documented["responses"]

    @pytest.mark.parametrize(
        "body",
        [
            {"version_id": 1, "submission_token": "\x00" * 16, "answer": {}},
            {"version_id": 1, "submission_token": "t" * 16, "answer": {"fpy": "0.9\x00"}},
            {"version_id": 1, "submission_token": "t" * 16, "answer": {"f\x00": "1"}},
        ],
        ids=["in the token", "in an answer", "in a field name"],
    )
    def test_a_nul_character_is_a_422_not_a_database_error(self, client, bearer_tokens, body):
        """PostgreSQL refuses NUL in text, so it must be stopped before any query."""
        response = client.post(
            f"/api/v1/exercises/{EXERCISE}/attempts",
            json=body,
            headers={"Authorization": f"Bearer {bearer_tokens['ada']}"},
        )
        assert response.status_code == 422, response.text

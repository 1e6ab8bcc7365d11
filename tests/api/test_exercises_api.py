"""Exercises through the JSON API: my variant, submitting, replays, errors, my attempts."""

import secrets

import pytest
from sqlmodel import select

from app.accounts.service import create_api_token
from app.models import Attempt
from tests.exercise_helpers import SLUG, reference_form, wrong_form


@pytest.fixture
def api(client, db, cast):
    """Ada's API client, signed in with a bearer token."""
    _, token = create_api_token(db, cast["ada"], "tests")
    db.commit()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def body(api, answer, token=None):
    variant = api.get(f"/api/v1/exercises/{SLUG}/variant").json()
    return {
        "version_id": variant["version_id"],
        "submission_token": token or secrets.token_hex(16),
        "answer": {k: v[0] for k, v in answer.items()},
    }


def test_my_variant_has_my_numbers_and_my_standing(api, content, cast, db):
    variant = api.get(f"/api/v1/exercises/{SLUG}/variant").json()
    assert variant["kind"] == "yield"
    assert variant["attempts_left"] == 3
    assert len(variant["data"]["steps"]) == 5
    assert str(variant["data"]["units"]) in variant["prompt_html"].replace(",", "")


def test_a_correct_answer_is_graded_and_created(api, content, cast, db):
    response = api.post(
        f"/api/v1/exercises/{SLUG}/attempts", json=body(api, reference_form(db, cast["ada"]))
    )
    assert response.status_code == 201
    attempt = response.json()
    assert attempt["score"] == 1
    assert attempt["number"] == 1
    assert {p["name"] for p in attempt["parts"]} == {"fpy", "rty", "dpu", "dpmo", "sigma"}
    assert all(p["expected"] for p in attempt["parts"]), "passed: the expected values may show"


def test_replaying_a_submission_token_returns_the_same_attempt(api, content, cast, db):
    payload = body(api, wrong_form(db, cast["ada"]))
    first = api.post(f"/api/v1/exercises/{SLUG}/attempts", json=payload).json()
    second = api.post(f"/api/v1/exercises/{SLUG}/attempts", json=payload).json()
    assert first["id"] == second["id"]
    assert all(p["expected"] is None for p in first["parts"]), "hidden while attempts remain"
    assert len(db.exec(select(Attempt)).all()) == 1


def test_an_unreadable_answer_is_a_422_naming_the_fields_and_costs_nothing(api, content, cast, db):
    answer = reference_form(db, cast["ada"])
    answer["dpu"] = ["about a half"]
    answer["fpy-2"] = [""]
    response = api.post(f"/api/v1/exercises/{SLUG}/attempts", json=body(api, answer))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_answer"
    assert set(response.json()["errors"]) == {"dpu", "fpy-2"}
    assert db.exec(select(Attempt)).all() == []


def test_a_malformed_body_is_a_422_naming_the_field(api, content):
    response = api.post(
        f"/api/v1/exercises/{SLUG}/attempts", json={"version_id": "x", "answer": {}}
    )
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["fields"]}
    assert {"version_id", "submission_token"} <= fields


def test_a_version_of_another_exercise_is_refused(api, content, cast, db):
    payload = body(api, wrong_form(db, cast["ada"]))
    payload["version_id"] = 999_999
    assert api.post(f"/api/v1/exercises/{SLUG}/attempts", json=payload).status_code == 404


def test_no_attempts_left_is_a_409(api, content, cast, db):
    for _ in range(3):
        api.post(f"/api/v1/exercises/{SLUG}/attempts", json=body(api, wrong_form(db, cast["ada"])))
    response = api.post(
        f"/api/v1/exercises/{SLUG}/attempts", json=body(api, wrong_form(db, cast["ada"]))
    )
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


def test_my_attempts_and_one_attempt_are_mine_only(api, content, cast, db, new_client):
    created = api.post(
        f"/api/v1/exercises/{SLUG}/attempts", json=body(api, wrong_form(db, cast["ada"]))
    ).json()
    assert [a["id"] for a in api.get("/api/v1/me/attempts").json()] == [created["id"]]
    assert api.get(f"/api/v1/attempts/{created['id']}").json()["id"] == created["id"]
    _, ben_token = create_api_token(db, cast["ben"], "ben")
    db.commit()
    ben = new_client()
    ben.headers["Authorization"] = f"Bearer {ben_token}"
    assert ben.get(f"/api/v1/attempts/{created['id']}").status_code == 404
    assert ben.get("/api/v1/me/attempts").json() == []

"""The value stream map exercise: the live map, downloads, and who may see a map."""

from urllib.parse import urlencode

from sqlmodel import select

from app.models import Attempt
from tests.conftest import sign_in
from tests.exercise_helpers import form_controls

SLUG = "yb-vsm-business-account"
PAGE = f"/exercises/{SLUG}"
MAP = {
    "step-1-name": "Check application",
    "step-1-pt": "8",
    "step-1-wait": "5",
    "step-1-ca": "70",
    "step-1-ops": "1",
    "step-2-name": "ID <b>and</b> AML",
    "step-2-pt": "24",
    "step-2-wait": "15",
    "step-2-ca": "88",
    "step-2-ops": "2",
    "demand": "30",
    "available": "450",
}


def test_the_page_shows_the_builder_with_an_empty_map(signed_in, content):
    page = signed_in("ada").get(PAGE).text
    assert "Your current-state map" in page
    assert 'name="step-8-name"' in page
    assert "Complete the steps to see totals" in page


def test_the_live_map_is_an_htmx_fragment_with_totals(signed_in, content):
    response = signed_in("ada").get(f"{PAGE}/map?{urlencode(MAP)}")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<figure class="vsm-figure">')
    assert "Lead time 20.53 working hours" in response.text
    assert "ID &lt;b&gt;and&lt;/b&gt; AML" in response.text


def test_the_live_map_never_writes_anything(signed_in, content, db):
    signed_in("ada").get(f"{PAGE}/map?{urlencode(MAP)}")
    assert db.exec(select(Attempt)).all() == []


def test_the_map_downloads_as_an_svg_attachment(signed_in, content):
    response = signed_in("ada").get(f"{PAGE}/map.svg?{urlencode(MAP)}")
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_an_exercise_without_a_map_has_no_map_route(signed_in, content):
    assert signed_in("ada").get("/exercises/yb-yield-mortgage/map").status_code == 404


def test_a_submitted_map_downloads_for_its_owner_only(signed_in, content, db, new_client):
    ada = signed_in("ada")
    answer = {**MAP, "lead_time": "20.5", "pce": "2.6", "takt": "15", "bottleneck": "2"}
    ada.post(f"{PAGE}/attempts", data={**form_controls(ada.get(PAGE).text), **answer})
    attempt = db.exec(select(Attempt)).one()
    own = ada.get(f"/attempts/{attempt.id}/map.svg")
    assert own.status_code == 200
    assert "Check application" in own.text
    ben = new_client()
    sign_in(ben, "ben")
    assert ben.get(f"/attempts/{attempt.id}/map.svg").status_code == 404

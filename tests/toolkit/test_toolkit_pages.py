"""The toolkit through HTTP: the pages for a signed-in learner and the JSON API."""

import pytest

from app.accounts.service import create_api_token
from app.toolkit.tools import TOOLS
from tests.conftest import csrf_from

PAGE = "/toolkit/control-chart"


def analyse(client, slug: str, fields: dict[str, str], files=None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/toolkit/{slug}").text)
    return client.post(f"/toolkit/{slug}", data={**fields, "csrf_token": token}, files=files)


def test_the_toolkit_needs_a_signed_in_user(client):
    response = client.get("/toolkit", follow_redirects=False)
    assert response.status_code in (303, 401)


def test_the_index_lists_every_tool(signed_in):
    page = signed_in("ada").get("/toolkit").text
    for tool in TOOLS:
        assert f'href="/toolkit/{tool.slug}"' in page


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.slug)
def test_every_tools_example_analyses_without_an_error(signed_in, tool):
    ada = signed_in("ada")
    form = ada.get(f"/toolkit/{tool.slug}?example=1").text
    assert tool.example.splitlines()[0] in form  # the example is in the box
    fields = {"data": tool.example, **tool.example_settings}
    if tool.slug == "hypothesis-test":
        fields["test"] = "paired"
    if tool.slug == "control-chart":
        fields["rules"] = "1"
    response = analyse(ada, tool.slug, fields)
    assert response.status_code == 200, response.text
    assert 'id="result-title"' in response.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in response.text  # every tool draws


def test_a_control_chart_shows_its_figures_and_chart(signed_in):
    tool = TOOLS[0]
    response = analyse(signed_in("ada"), "control-chart", {"data": tool.example, "rules": "1"})
    page = response.text
    assert "<svg" in page and 'role="img"' in page
    assert "sample 15 (rule 1)" in page  # the 42.8 minutes of the example


def test_text_in_a_numeric_column_is_a_422_naming_the_row(signed_in):
    data = "day,minutes\n1,30\n2,thirty\n3,31\n"
    fields = {"data": data, "column": "minutes", "rules": "1"}
    response = analyse(signed_in("ada"), "control-chart", fields)
    assert response.status_code == 422
    assert "Row 3, column &#39;minutes&#39;: &#39;thirty&#39; is not a number." in response.text
    assert "thirty" in response.text  # the data is kept in the box to be corrected
    assert 'id="result-title"' not in response.text


def test_lsl_at_or_above_usl_is_a_422_that_says_so(signed_in):
    fields = {"data": "hours\n1\n2\n3\n", "lsl": "5", "usl": "4"}
    response = analyse(signed_in("ada"), "capability", fields)
    assert response.status_code == 422
    assert "lsl (5) must be below usl (4)" in response.text


def test_too_few_points_is_a_422(signed_in):
    response = analyse(signed_in("ada"), "control-chart", {"data": "minutes\n30\n", "rules": "1"})
    assert response.status_code == 422
    assert "needs at least 2 values" in response.text


def test_run_rules_unticked_is_an_error_on_that_field(signed_in):
    response = analyse(signed_in("ada"), "control-chart", {"data": "x\n1\n2\n"})
    assert response.status_code == 422
    assert '<p class="field-error" id="rules-error">Choose at least one.</p>' in response.text


def test_an_uploaded_file_is_analysed(signed_in):
    data = b"\xef\xbb\xbfreason\nfee\nfee\ncard\n"  # with a byte order mark, as Excel saves it
    files = {"file": ("complaints.csv", data, "text/csv")}
    response = analyse(signed_in("ada"), "pareto", {"data": ""}, files=files)
    assert response.status_code == 200, response.text
    assert "<td>fee, card</td>" in response.text  # the vital few


def test_a_file_that_is_not_utf8_is_refused(signed_in):
    files = {"file": ("complaints.csv", "réclamation\nfrais\n".encode("latin-1"), "text/csv")}
    response = analyse(signed_in("ada"), "pareto", {"data": ""}, files=files)
    assert response.status_code == 422
    assert "not UTF-8" in response.text


def test_an_unknown_tool_is_404(signed_in):
    assert signed_in("ada").get("/toolkit/regression-tree").status_code == 404


@pytest.fixture
def api(client, db, cast):
    """Ada's API client, signed in with a bearer token."""
    _, token = create_api_token(db, cast["ada"], "tests")
    db.commit()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


class TestTheApi:
    def test_a_control_chart_as_json(self, api):
        body = {"data": TOOLS[0].example, "chart": "imr", "column": "minutes", "rules": [1]}
        response = api.post("/api/v1/toolkit/control-chart", json=body)
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["result"]["signals"] == [{"sample": 15, "rules": [1]}]
        assert result["svg"].startswith("<svg")

    def test_bad_data_is_a_422_naming_the_field(self, api):
        body = {"data": "minutes\n2\nabc\n", "usl": 3}
        response = api.post("/api/v1/toolkit/capability", json=body)
        assert response.status_code == 422
        assert "Row 3, column 'minutes': 'abc' is not a number." in response.text

    def test_an_unknown_setting_is_refused(self, api):
        body = {"data": "x\n1\n2\n", "chart": "pie"}
        response = api.post("/api/v1/toolkit/control-chart", json=body)
        assert response.status_code == 422
        assert "chart" in response.text

    def test_it_needs_a_valid_token(self, client):
        client.headers["Authorization"] = "Bearer takt_not-a-token"
        assert client.post("/api/v1/toolkit/pareto", json={"data": "a\nb\n"}).status_code == 401

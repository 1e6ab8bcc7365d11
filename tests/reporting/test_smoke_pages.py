"""The HR pages from top to bottom, as Hana walks them."""

from tests.reporting import steps


def test_hr_sees_operations_and_drills_down_to_a_learner(engine, org, content, signed_in):
    steps.read(engine, org.people["ada"], 7)
    client = signed_in("hana")
    home = client.get("/hr", follow_redirects=False)
    assert home.headers["location"] == f"/hr/units/{org.operations.id}"

    page = client.get(f"/hr/units/{org.operations.id}")
    assert page.status_code == 200, page.text
    assert "Claims" in page.text and "Payments" in page.text
    summary = page.text[page.text.index("<h2>Summary") :]
    # Four people: Ada in progress, three not started.
    assert 'people?course=yellow-belt&status=not_started">3</a>' in summary
    assert 'people?course=yellow-belt&status=in_progress">1</a>' in summary

    people = client.get(f"/hr/units/{org.operations.id}/people")
    assert people.status_code == 200, people.text
    assert "Ada Lovelace" in people.text

    person = client.get(f"/hr/people/{org.people['ada'].id}")
    assert person.status_code == 200, person.text
    assert "Ada Lovelace" in person.text and "64%" in person.text  # 7 of 11 steps

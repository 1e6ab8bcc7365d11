from sqlmodel import Session, select

from app.models import Course
from tests.certification.steps import read_modules


def test_hr_sees_operations_and_drills_down_to_a_learner(engine, org, content, signed_in):
    with Session(engine, expire_on_commit=False) as tx:
        course = tx.exec(select(Course)).first()
        tx.commit()
        read_modules(tx, org.people["ada"], course, leave_out=3)
    client = signed_in("hana")
    home = client.get("/hr", follow_redirects=False)
    assert home.headers["location"] == f"/hr/units/{org.operations.id}"
    page = client.get(f"/hr/units/{org.operations.id}")
    assert page.status_code == 200, page.text
    assert "Claims" in page.text and "Payments" in page.text
    people = client.get(f"/hr/units/{org.operations.id}/people")
    assert people.status_code == 200, people.text
    assert "Ada Lovelace" in people.text
    person = client.get(f"/hr/people/{org.people['ada'].id}")
    assert person.status_code == 200, person.text
    assert client.get(f"/hr/units/{org.finance.id}").status_code == 404
    assert client.get(f"/hr/people/{org.people['ben'].id}").status_code == 404
    csv = client.get(f"/hr/exports/progress.csv?unit={org.operations.id}")
    assert csv.status_code == 200
    assert "ada@example.com" in csv.text and "ben@example.com" not in csv.text

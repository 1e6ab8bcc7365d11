"""Who teaches which course: only staff reach a course's teaching pages."""

import pytest
from sqlmodel import select

from app.accounts.demo import ensure_demo_accounts
from app.authoring import staff
from app.errors import InvalidInput
from app.models import Course, CourseStaff, User
from tests.authoring.conftest import course


@pytest.mark.parametrize(
    ("who", "status"),
    [("ines", 200), ("omar", 200), ("ivo", 404), ("ada", 403), ("hana", 403)],
)
def test_only_staff_and_admins_reach_a_course_teaching_page(teaching, signed_in, who, status):
    response = signed_in(who).get("/teach/yellow-belt")
    assert response.status_code == status
    if status == 200:
        assert "<h1>Yellow Belt</h1>" in response.text


def test_anonymous_visitors_are_sent_to_sign_in(teaching, client):
    assert client.get("/teach/yellow-belt", follow_redirects=False).status_code in (303, 401)


def test_the_teaching_list_shows_only_the_instructors_own_courses(teaching, signed_in):
    page = signed_in("ines").get("/teach").text
    assert "/teach/yellow-belt" in page
    assert "/teach/green-belt" not in page


def test_an_admin_sees_every_course(teaching, db, cast):
    slugs = [c.slug for c in staff.staffed_courses(db, cast["omar"])]
    assert slugs == ["yellow-belt", "green-belt", "black-belt"]


def test_adding_staff_twice_keeps_one_row(teaching, db, cast):
    staff.add_staff(db, course(db, "yellow-belt"), cast["ines"], cast["omar"])
    rows = db.exec(select(CourseStaff).where(CourseStaff.user_id == cast["ines"].id)).all()
    assert len(rows) == 1


def test_only_instructors_can_be_staff(teaching, db, cast):
    with pytest.raises(InvalidInput, match="not an instructor"):
        staff.add_staff(db, course(db, "yellow-belt"), cast["ada"], cast["omar"])


def test_removed_staff_lose_the_course(teaching, db, cast, signed_in):
    staff.remove_staff(db, course(db, "yellow-belt"), cast["ines"], cast["omar"])
    db.commit()
    assert signed_in("ines").get("/teach/yellow-belt").status_code == 404


def test_the_demo_instructor_teaches_every_course(content, db):
    ensure_demo_accounts(db)
    instructor = db.exec(select(User).where(User.email == "instructor@demo.takt.example")).one()
    courses = db.exec(select(Course)).all()
    assert all(staff.is_staff(db, instructor, c.id) for c in courses)


def test_the_teaching_page_lists_modules_and_exercises_with_their_state(teaching, signed_in):
    ines = signed_in("ines")
    page = ines.get("/teach/yellow-belt").text
    assert "Measuring quality: FPY, RTY, DPU, DPMO and sigma" in page
    assert "<code>yb-yield-claims</code>" in page
    assert "draft pending" not in page
    editor = ines.get("/teach/yellow-belt/modules/measuring-quality/edit").text
    token = editor.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    ines.post(
        "/teach/yellow-belt/modules/measuring-quality/draft",
        data={
            "csrf_token": token,
            "title": "Measuring quality, redrafted",
            "minutes": "30",
            "objectives": "Work out first-pass yield for a claims process.",
            "body": "A shorter text.",
        },
    )
    page = ines.get("/teach/yellow-belt").text
    assert "Measuring quality, redrafted" in page
    assert page.count("draft pending") == 1

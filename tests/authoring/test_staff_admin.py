"""Admins appoint and remove course staff from /admin/courses."""

import pytest
from sqlmodel import select

from app.authoring import staff
from app.models import CourseStaff
from tests.authoring.conftest import course
from tests.conftest import csrf_from, post_form

PAGE = "/admin/courses"


def staff_emails(db, slug):
    return sorted(u.email for u in staff.staff_of(db, course(db, slug).id))


def test_the_page_lists_every_course_with_its_staff(teaching, signed_in):
    page = signed_in("omar").get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert 'id="course-yellow-belt"' in text and 'id="course-black-belt"' in text
    yellow = text.split('id="course-yellow-belt"')[1].split("</section>")[0]
    assert "Ines Ibarra" in yellow and "Ivo Ilic" not in yellow
    assert 'href="/admin/courses"' in text  # the admins' navigation links here


def test_an_admin_adds_an_instructor_by_email(teaching, signed_in, db, takt_log):
    client = signed_in("omar")
    response = post_form(
        client, PAGE, "/admin/courses/yellow-belt/staff", {"email": " IVO@example.com "}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/courses#course-yellow-belt"
    assert staff_emails(db, "yellow-belt") == ["ines@example.com", "ivo@example.com"]
    assert any(line["message"] == "course_staff_added" for line in takt_log())
    assert signed_in("ivo").get("/teach/yellow-belt").status_code == 200


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No account has the email nobody@example.com."),
        ("ada@example.com", "ada@example.com is not an instructor"),
        ("", "Enter an email."),
    ],
)
def test_an_unknown_or_non_instructor_email_is_refused_inline(
    teaching, signed_in, db, email, message
):
    client = signed_in("omar")
    response = post_form(client, PAGE, "/admin/courses/green-belt/staff", {"email": email})
    assert response.status_code == 422
    section = response.text.split('id="course-green-belt"')[1].split("</section>")[0]
    assert message in section
    assert 'id="email-green-belt-error"' in section and 'aria-invalid="true"' in section
    assert staff_emails(db, "green-belt") == ["ivo@example.com"]


def test_an_admin_removes_staff_after_confirming(teaching, signed_in, db, cast, takt_log):
    client = signed_in("omar")
    action = f"/admin/courses/yellow-belt/staff/{cast['ines'].id}/remove"
    unconfirmed = post_form(client, PAGE, action, {})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm removing Ines Ibarra." in unconfirmed.text
    assert staff_emails(db, "yellow-belt") == ["ines@example.com"]

    assert post_form(client, PAGE, action, {"confirm": "yes"}).status_code == 303
    assert staff_emails(db, "yellow-belt") == []
    removed = [line for line in takt_log() if line["message"] == "course_staff_removed"]
    assert removed == [
        {**removed[0], "course": "yellow-belt", "user": cast["ines"].id, "by": cast["omar"].id}
    ]
    assert signed_in("ines").get("/teach/yellow-belt").status_code == 404


def test_removing_someone_who_is_not_staff_is_not_found(teaching, signed_in, cast):
    client = signed_in("omar")
    action = f"/admin/courses/yellow-belt/staff/{cast['ivo'].id}/remove"
    assert post_form(client, PAGE, action, {"confirm": "yes"}).status_code == 404


def test_an_unknown_course_is_not_found(teaching, signed_in):
    client = signed_in("omar")
    response = post_form(client, PAGE, "/admin/courses/no-such/staff", {"email": "ivo@example.com"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["ines", "ivo", "ada", "hana"])
def test_only_admins_manage_staff(teaching, signed_in, db, cast, who):
    client = signed_in(who)
    assert client.get(PAGE).status_code == 403
    token = csrf_from(client.get("/account").text)
    added = client.post(
        "/admin/courses/green-belt/staff",
        data={"email": "ines@example.com", "csrf_token": token},
        follow_redirects=False,
    )
    removed = client.post(
        f"/admin/courses/yellow-belt/staff/{cast['ines'].id}/remove",
        data={"confirm": "yes", "csrf_token": token},
        follow_redirects=False,
    )
    assert (added.status_code, removed.status_code) == (403, 403)
    assert len(db.exec(select(CourseStaff)).all()) == 2


def test_the_forms_carry_the_csrf_token(teaching, signed_in, cast):
    client = signed_in("omar")
    response = client.post(
        "/admin/courses/green-belt/staff",
        data={"email": "ines@example.com"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert client.get(PAGE).text.count('name="csrf_token"') >= 3 + 2  # 3 adds, 2 removes

"""Which courses HR figures follow: the published ones with a certification rule."""

from sqlalchemy import text
from sqlmodel import select

from app.models import Course
from app.reporting.figures import certification_courses


def test_a_course_without_a_rule_is_left_out_and_stored_as_sql_null(db, content):
    course = db.exec(select(Course).where(Course.slug == "black-belt")).one()
    course.certification = None
    db.add(course)
    db.commit()
    stored = db.exec(  # type: ignore[call-overload]
        text("SELECT certification IS NULL FROM course WHERE slug = 'black-belt'")
    ).one()
    assert stored[0] in (True, 1)
    slugs = [size.course.slug for size in certification_courses(db)]
    assert slugs == ["yellow-belt", "green-belt"]

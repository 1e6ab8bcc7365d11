"""A certificate already awarded to Ada, for the tests that start from one."""

import pytest
from sqlmodel import Session, select

from app.certification.service import award_if_earned
from app.models import Certificate, Course
from tests.certification.steps import read_modules, sit_exam


@pytest.fixture
def certificate(content, engine, cast) -> Certificate:
    with Session(engine, expire_on_commit=False) as tx:
        course = tx.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        tx.commit()
        read_modules(tx, cast["ada"], course)
        sit_exam(tx, cast["ada"], course, 0.9)
        certificate = award_if_earned(tx, cast["ada"], course)
        tx.commit()
        return certificate

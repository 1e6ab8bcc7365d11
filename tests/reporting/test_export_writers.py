"""The progress CSV's two writers agree byte for byte: PostgreSQL's COPY and csv.writer fed
the driver's rows. And the database rounds percentages as Python does, half to even."""

import random

import pytest
from sqlalchemy import Float, Integer, literal
from sqlmodel import Session, select

from app.models import User
from app.models.base import utcnow
from app.org import units
from app.org.scope import scope_of
from app.reporting import exports
from tests.reporting import steps
from tests.reporting.conftest import Org
from tests.reporting.test_exports import FORMULAS, exported  # noqa: F401 - a fixture

# Text that csv.writer must quote, one way or another, and a formula at a path's start.
AWKWARD_NAMES = ['Smith, "Jo"', "Line\nBreak", "Carriage\rReturn", " spaced ", "Zoë Ünal"]


def csv_bytes(engine, user: User, copy: bool, unit=None) -> bytes:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        scope = scope_of(db, db.get(User, user.id))  # type: ignore[arg-type]
    now = utcnow()
    return b"".join(exports.stream_progress_csv(engine, scope, unit, now, now.date(), copy))


@pytest.fixture
def awkward(engine, exported: Org, password_hashes) -> Org:  # noqa: F811
    with steps.unit_of_work(engine) as db:
        labs = units.create_unit(db, "R&D, Labs", db.merge(exported.operations))
        formula = units.create_unit(db, "=Unit", None)
    for name in AWKWARD_NAMES:
        steps.add_person(engine, name, labs, password_hashes["ada"])
    steps.add_person(engine, FORMULAS[1], formula, password_hashes["ada"])
    return exported


@pytest.mark.parametrize("who", ["hana", "omar"])  # scoped to a division; an admin
def test_copy_writes_the_bytes_csv_writer_writes(engine, awkward: Org, who, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    person = awkward.people[who]
    written = csv_bytes(engine, person, copy=False)
    assert csv_bytes(engine, person, copy=True) == written
    assert b'"Smith, ""Jo"""' in written and b'"Line\nBreak"' in written
    # Every line ends in CRLF; a bare LF is only ever the name's own, once a course.
    assert written.count(b"\n") - written.count(b"\r\n") == written.count(b'"Line\nBreak"') > 0
    monkeypatch.setattr(exports, "CHUNK", 2)
    assert csv_bytes(engine, person, copy=True) == written
    assert csv_bytes(engine, person, copy=False) == written


def test_the_driver_rows_path_quotes_and_defuses_as_csv_writer_does(engine, awkward: Org):
    written = csv_bytes(engine, awkward.people["omar"], copy=False).decode()
    assert '"Northwind/Operations/R&D, Labs"' in written  # quoted for its comma
    assert "'=Unit," in written  # a unit path that starts like a formula
    assert f"'{FORMULAS[1]}," in written
    assert '"Carriage\rReturn"' in written


def test_the_progress_percentage_rounds_half_to_even_as_python_does(db: Session):
    cases = [(done, steps) for steps in range(0, 41) for done in range(0, steps + 1)]
    found = db.exec(
        select(
            *(
                exports._percent(literal(done, Integer), literal(steps, Integer))
                for done, steps in cases
            )
        )
    ).one()
    expected = [round(100 * done / steps) if steps else 0 for done, steps in cases]
    assert list(found) == expected
    assert expected[cases.index((1, 8))] == 12  # 12.5: to even, not up


def test_the_best_exam_percentage_rounds_half_to_even_as_python_does(db: Session):
    dialect = db.get_bind().dialect.name
    draw = random.Random(5)
    scores = [0.0, 1.0, 0.125, 0.005, 0.015, 0.025, 0.845, 0.5, 0.285, 0.575, 0.995]
    scores += [draw.random() for _ in range(200)] + [n / 200 for n in range(201)]
    found = db.exec(
        select(*(exports._best_percent(literal(s, Float), dialect) for s in scores))
    ).one()
    assert list(found) == [round(100 * s) for s in scores]

"""`takt reports rebuild`: recompute the HR summary tables from the raw records, report
where the stored figures had drifted from them, and replace them in one transaction.

The raw records are module reads, attempts, exam sittings, certificates, assignments
and people. A drift means a bug (or a change made behind the application's back), so
the report names the rows, and a clean run reports none.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, insert
from sqlmodel import Session, col, select

from app.models import (
    Assignment,
    Attempt,
    Certificate,
    CourseStanding,
    Exam,
    ExamSitting,
    Exercise,
    Module,
    ModuleProgress,
    OrgUnit,
    UnitTally,
    User,
)

FIELDS = (
    "org_unit_id",
    "modules_read",
    "exam_passed",
    "exam_best",
    "attempts",
    "started_at",
    "last_activity_at",
    "certified_at",
    "certified_month",
    "expires_at",
    "due_on",
)
EXAMPLES = 20
Key = tuple[int, uuid.UUID]


@dataclass
class RebuildReport:
    standings: int = 0
    tallies: int = 0
    units: int = 0
    drifted_standings: int = 0
    drifted_tallies: int = 0
    drifted_headcounts: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.drifted_standings or self.drifted_tallies or self.drifted_headcounts)

    def note(self, line: str) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append(line)


def rebuild(db: Session, *, write: bool = True) -> RebuildReport:
    """Recompute, compare and (unless `write` is false) replace; the caller commits."""
    report = RebuildReport()
    people = {
        uid: (unit, active)
        for uid, unit, active in db.exec(select(User.id, User.org_unit_id, User.is_active))
    }  # type: ignore[misc]
    expected = _expected_standings(db, people)
    stored = {
        (s.user_id, s.course_id): {name: getattr(s, name) for name in FIELDS}
        for s in db.exec(select(CourseStanding))
    }
    for key in sorted(set(expected) | set(stored), key=lambda k: (k[0], str(k[1]))):
        want, have = expected.get(key), stored.get(key)
        if _blank(want) and _blank(have):
            continue
        if want != have:
            report.drifted_standings += 1
            report.note(f"standing of user {key[0]} in course {key[1]}: {_difference(have, want)}")
    report.standings = len(expected)

    tallies = _expected_tallies(expected, people)
    stored_tallies = {
        (t.org_unit_id, t.course_id): (t.started, t.certified) for t in db.exec(select(UnitTally))
    }
    for key in set(tallies) | set(stored_tallies):
        want, have = tallies.get(key, (0, 0)), stored_tallies.get(key, (0, 0))
        if want != have:
            report.drifted_tallies += 1
            report.note(
                f"tally of unit {key[0]} in course {key[1]}: stored {have}, expected {want}"
            )
    report.tallies = len(tallies)

    headcounts: dict[int, int] = defaultdict(int)
    for unit_id, active in people.values():
        if active and unit_id is not None:
            headcounts[unit_id] += 1
    units = list(db.exec(select(OrgUnit)))
    report.units = len(units)
    for unit in units:
        counted = headcounts.get(unit.id, 0)  # type: ignore[arg-type]
        if unit.headcount != counted:
            report.drifted_headcounts += 1
            report.note(f"headcount of unit {unit.id}: stored {unit.headcount}, expected {counted}")
    if write:
        _replace(db, expected, tallies, units, headcounts)
    return report


def _blank(values: dict[str, Any] | None) -> bool:
    """A row with nothing in it says the same as no row."""
    if values is None:
        return True
    return not any(values[name] for name in FIELDS if name != "org_unit_id")


def _difference(have: dict[str, Any] | None, want: dict[str, Any] | None) -> str:
    if have is None:
        return "missing"
    if want is None:
        return "should not exist"
    return ", ".join(
        f"{name} stored {have[name]!r}, expected {want[name]!r}"
        for name in FIELDS
        if have[name] != want[name]
    )


def _row(people: dict[int, tuple[int | None, bool]], user_id: int) -> dict[str, Any]:
    unit_id, active = people[user_id]
    return {
        "org_unit_id": unit_id if active else None,  # see summaries.counted_unit
        "modules_read": 0,
        "exam_passed": False,
        "exam_best": None,
        "attempts": 0,
        "started_at": None,
        "last_activity_at": None,
        "certified_at": None,
        "certified_month": None,
        "expires_at": None,
        "due_on": None,
    }


def _expected_standings(
    db: Session, people: dict[int, tuple[int | None, bool]]
) -> dict[Key, dict[str, Any]]:
    rows: dict[Key, dict[str, Any]] = {}

    def row(user_id: int, course_id: uuid.UUID) -> dict[str, Any]:
        key = (user_id, course_id)
        if key not in rows:
            rows[key] = _row(people, user_id)
        return rows[key]

    def active(values: dict[str, Any], first: datetime, last: datetime) -> None:
        started, latest = values["started_at"], values["last_activity_at"]
        values["started_at"] = first if started is None else min(started, first)
        values["last_activity_at"] = last if latest is None else max(latest, last)

    reads = db.exec(
        select(
            ModuleProgress.user_id,
            Module.course_id,
            func.count(),
            func.min(ModuleProgress.read_at),
            func.max(ModuleProgress.read_at),
        )
        .join(Module, col(Module.id) == ModuleProgress.module_id)
        .group_by(col(ModuleProgress.user_id), col(Module.course_id))
    )
    for user_id, course_id, count, first, last in reads:
        values = row(user_id, course_id)
        values["modules_read"] = int(count)
        active(values, first, last)

    attempts = db.exec(
        select(
            Attempt.user_id,
            Exercise.course_id,
            func.count(),
            func.min(Attempt.created_at),
            func.max(Attempt.created_at),
        )
        .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
        .where(col(Exercise.course_id).is_not(None))
        .group_by(col(Attempt.user_id), col(Exercise.course_id))
    )
    for user_id, course_id, count, first, last in attempts:
        values = row(user_id, course_id)
        values["attempts"] = int(count)
        active(values, first, last)

    on_time = col(ExamSitting.status) == "submitted"
    sittings = db.exec(
        select(
            ExamSitting.user_id,
            Exam.course_id,
            func.min(ExamSitting.started_at),
            func.max(func.coalesce(ExamSitting.submitted_at, ExamSitting.started_at)),
            func.max(case((on_time, ExamSitting.score), else_=None)),
            func.max(case((col(ExamSitting.passed), 1), else_=0)),
        )
        .join(Exam, col(Exam.id) == ExamSitting.exam_id)
        .group_by(col(ExamSitting.user_id), col(Exam.course_id))
    )
    for user_id, course_id, first, last, best, passed in sittings:
        values = row(user_id, course_id)
        values["exam_best"] = best
        values["exam_passed"] = bool(passed)
        active(values, first, last)

    held = db.exec(select(Certificate).where(col(Certificate.revoked_at).is_(None)))
    for certificate in held:
        values = row(certificate.user_id, certificate.course_id)
        values["certified_at"] = certificate.issued_at
        values["certified_month"] = certificate.issued_at.strftime("%Y-%m")
        values["expires_at"] = certificate.expires_at

    for (user_id, course_id), due_on in _due_dates(db, people).items():
        row(user_id, course_id)["due_on"] = due_on
    return rows


def _due_dates(db: Session, people: dict[int, tuple[int | None, bool]]) -> dict[Key, date]:
    """The earliest due date per person and course among the assignments reaching them."""
    by_unit: dict[int, dict[uuid.UUID, date]] = defaultdict(dict)
    by_person: dict[int, dict[uuid.UUID, date]] = defaultdict(dict)
    for assignment in db.exec(select(Assignment)):
        target = (
            by_unit[assignment.org_unit_id]
            if assignment.org_unit_id is not None
            else by_person[assignment.user_id]  # type: ignore[index]
        )
        earlier = target.get(assignment.course_id)
        target[assignment.course_id] = (
            min(earlier, assignment.due_on) if earlier else assignment.due_on
        )
    reaching: dict[int, dict[uuid.UUID, date]] = {}
    for unit_id, path in db.exec(select(OrgUnit.id, OrgUnit.path)):
        merged: dict[uuid.UUID, date] = {}
        for part in path.strip("/").split("/"):
            for course_id, due_on in by_unit.get(int(part), {}).items():
                merged[course_id] = min(merged.get(course_id, due_on), due_on)
        reaching[unit_id] = merged  # type: ignore[index]
    due: dict[Key, date] = {}
    for user_id, (unit_id, _active) in people.items():
        merged = dict(reaching.get(unit_id, {})) if unit_id is not None else {}
        for course_id, due_on in by_person.get(user_id, {}).items():
            merged[course_id] = min(merged.get(course_id, due_on), due_on)
        for course_id, due_on in merged.items():
            due[(user_id, course_id)] = due_on
    return due


def _expected_tallies(
    standings: dict[Key, dict[str, Any]], people: dict[int, tuple[int | None, bool]]
) -> dict[tuple[int, uuid.UUID], tuple[int, int]]:
    counts: dict[tuple[int, uuid.UUID], list[int]] = defaultdict(lambda: [0, 0])
    for (user_id, course_id), values in standings.items():
        unit_id, is_active = people[user_id]
        if not is_active or unit_id is None:
            continue
        started, certified = values["started_at"] is not None, values["certified_at"] is not None
        if started or certified:
            counts[(unit_id, course_id)][0] += int(started)
            counts[(unit_id, course_id)][1] += int(certified)
    return {key: (started, certified) for key, (started, certified) in counts.items()}


def _replace(
    db: Session,
    standings: dict[Key, dict[str, Any]],
    tallies: dict[tuple[int, uuid.UUID], tuple[int, int]],
    units: list[OrgUnit],
    headcounts: dict[int, int],
) -> None:
    db.execute(delete(CourseStanding))
    db.execute(delete(UnitTally))
    rows = [
        {"user_id": user_id, "course_id": course_id, **values}
        for (user_id, course_id), values in standings.items()
    ]
    for start in range(0, len(rows), 5000):
        db.execute(insert(CourseStanding), rows[start : start + 5000])
    tally_rows = [
        {"org_unit_id": unit_id, "course_id": course_id, "started": s, "certified": c}
        for (unit_id, course_id), (s, c) in tallies.items()
    ]
    if tally_rows:
        db.execute(insert(UnitTally), tally_rows)
    for unit in units:
        count = headcounts.get(unit.id, 0)  # type: ignore[arg-type]
        if unit.headcount != count:
            unit.headcount = count
            db.add(unit)
    db.flush()

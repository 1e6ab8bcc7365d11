"""The access matrix: who may use each route, six callers, and a world of objects that
belong to someone else, for tests/security/test_access_matrix.py.

The objects are Ada's, in the Yellow Belt and in a unit outside Hana's view:

    Northwind ─┬─ Operations   (Ben; Hana's scope)
               └─ Finance      (Ada)

Ada has three attempts (graded, a map, one awaiting review), an open Green Belt exam
sitting, the Yellow Belt certificate and an API token; the Yellow Belt has a module draft
with a figure and an exercise draft; Omar assigned the Yellow Belt to Finance. Ines teaches
the Yellow Belt, Ivo the Green Belt only.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.accounts.service import create_api_token
from app.authoring import exercise_drafts, module_drafts
from app.content.sync import current_version
from app.learning import exams
from app.models import (
    Attempt,
    Course,
    Exam,
    Exercise,
    Module,
    ModuleFigure,
    Role,
    User,
)
from app.models.base import utcnow
from app.org import scope, units
from app.toolkit.tools import TOOLS
from tests.reporting import steps

COURSE = "yellow-belt"  # the victim's course: Ivo does not teach it
GRADED_EXERCISE = "yb-10-pareto-complaints"  # hands out a data set and draws a chart
MAP_EXERCISE = "yb-vsm-business-account"
REVIEWED_EXERCISE = "yb-pdca-discharge"  # its attempts wait for an instructor
EXAM_COURSE = "green-belt"  # the open sitting; its exam hands out data sets


# Callers


@dataclass(frozen=True)
class Caller:
    """Who sends the requests, and how they stand to the world's objects."""

    name: str
    key: str | None = None  # one of the cast; None: a visitor who is not signed in
    role: Role | None = None
    owns: bool = False  # the objects are theirs
    teaches: bool = False  # staff of the objects' course
    sees: bool = False  # the objects' unit is in their HR view

    def __str__(self) -> str:
        return self.name


CALLERS = (
    Caller("anonymous"),
    # The owner: her answers show that the objects exist, so that everyone else's 404
    # means "someone else's", not "missing".
    Caller("learner (Ada, the owner)", "ada", Role.learner, owns=True),
    Caller("another learner (Ben)", "ben", Role.learner),
    Caller("instructor of another course (Ivo)", "ivo", Role.instructor),
    Caller("HR of another unit (Hana)", "hana", Role.hr),
    # Admins are staff of every course and HR over the whole organisation, but nobody's
    # attempts, sittings or tokens are theirs.
    Caller("admin (Omar)", "omar", Role.admin, teaches=True, sees=True),
)


# Policies


class Answer(Enum):
    ADMITTED = "admitted (2xx, 303 elsewhere than sign-in, 409 or 422)"
    # The pages' form of 401 is a 303 to /sign-in?next=<the page>; the API answers 401.
    SIGN_IN = "401, or for a page a 303 to /sign-in?next=…"
    FORBIDDEN = "403"
    NOT_FOUND = "404"


@dataclass(frozen=True)
class Policy:
    """Who may use a route: `public` admits everyone; otherwise a signed-in caller whose
    role is in `roles` (any role when None) and, for a route about an object, who passes
    `reaches` on it. A caller whose role does not fit is refused with 403; one who fits
    but does not reach the object is told it does not exist (404)."""

    name: str
    public: bool = False
    roles: frozenset[Role] | None = None
    reaches: Callable[[Caller], bool] | None = None

    def expected(self, caller: Caller) -> Answer:
        if self.public:
            return Answer.ADMITTED
        if caller.role is None:
            return Answer.SIGN_IN
        if self.roles is not None and caller.role not in self.roles:
            return Answer.FORBIDDEN
        if self.reaches is not None and not self.reaches(caller):
            return Answer.NOT_FOUND
        return Answer.ADMITTED

    def __str__(self) -> str:
        return self.name


TEACHERS = frozenset({Role.instructor, Role.admin})
HR_ROLES = frozenset({Role.hr, Role.admin})

PUBLIC = Policy("public", public=True)
SIGNED_IN = Policy("any signed-in user")
OWNER = Policy("the owner's object", reaches=lambda c: c.owns)
HOLDER_OR_HR = Policy(
    "the holder's certificate, or one in an HR view", reaches=lambda c: c.owns or c.sees
)
ADMIN = Policy("admins", roles=frozenset({Role.admin}))
TEACHING = Policy("instructors and admins", roles=TEACHERS)
COURSE_STAFF = Policy("the course's staff", roles=TEACHERS, reaches=lambda c: c.teaches)
HR = Policy("HR and admins", roles=HR_ROLES)
HR_SCOPE = Policy("HR whose scope covers it", roles=HR_ROLES, reaches=lambda c: c.sees)

EDITOR = "/teach/{course_slug}"
MODULE = EDITOR + "/modules/{module_slug}"
EXERCISE = EDITOR + "/exercises/{slug}"

# One entry per route: a new route fails the matrix until it is given a policy here.
POLICIES: dict[tuple[str, str], Policy] = {
    # Public pages, sign-in and the machine-readable documents
    ("GET", "/"): PUBLIC,
    ("GET", "/.well-known/jwks.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/courses"): PUBLIC,
    ("GET", "/api/v1/courses/{slug}"): PUBLIC,
    ("GET", "/courses/{slug}"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/verify/{code}"): PUBLIC,
    # One's own account, learning and the toolkit
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("POST", "/account/sign-out-everywhere"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/me/attempts"): SIGNED_IN,
    ("GET", "/api/v1/me/progress"): SIGNED_IN,
    ("GET", "/api/v1/modules/{module_id}"): SIGNED_IN,
    ("GET", "/api/v1/exercises/{slug}/variant"): SIGNED_IN,
    ("POST", "/api/v1/exercises/{slug}/attempts"): SIGNED_IN,
    ("POST", "/api/v1/toolkit/capability"): SIGNED_IN,
    ("POST", "/api/v1/toolkit/control-chart"): SIGNED_IN,
    ("POST", "/api/v1/toolkit/doe"): SIGNED_IN,
    ("POST", "/api/v1/toolkit/hypothesis-test"): SIGNED_IN,
    ("POST", "/api/v1/toolkit/pareto"): SIGNED_IN,
    ("GET", "/attempts"): SIGNED_IN,
    ("POST", "/courses/{slug}/enrol"): SIGNED_IN,
    ("GET", "/courses/{slug}/{module_slug}"): SIGNED_IN,
    ("POST", "/courses/{slug}/{module_slug}/read"): SIGNED_IN,
    ("GET", "/exams/{exam_id}"): SIGNED_IN,
    ("POST", "/exams/{exam_id}/start"): SIGNED_IN,
    ("GET", "/exercises/{slug}"): SIGNED_IN,
    ("POST", "/exercises/{slug}/attempts"): SIGNED_IN,
    ("GET", "/exercises/{slug}/data.csv"): SIGNED_IN,
    ("GET", "/exercises/{slug}/map"): SIGNED_IN,
    ("GET", "/exercises/{slug}/map.svg"): SIGNED_IN,
    ("GET", "/figures/{module_id}/{version_number}/{name}"): SIGNED_IN,
    ("GET", "/toolkit"): SIGNED_IN,
    ("GET", "/toolkit/{slug}"): SIGNED_IN,
    ("POST", "/toolkit/{slug}"): SIGNED_IN,
    # Someone's own objects
    ("POST", "/account/tokens/{token_id}/revoke"): OWNER,
    ("GET", "/api/v1/attempts/{attempt_id}"): OWNER,
    ("GET", "/attempts/{attempt_id}"): OWNER,
    ("GET", "/attempts/{attempt_id}/chart.svg"): OWNER,
    ("GET", "/attempts/{attempt_id}/map.svg"): OWNER,
    ("GET", "/exam-sittings/{sitting_id}"): OWNER,
    ("GET", "/exam-sittings/{sitting_id}/questions/{number}"): OWNER,
    ("POST", "/exam-sittings/{sitting_id}/questions/{number}"): OWNER,
    ("GET", "/exam-sittings/{sitting_id}/questions/{number}/data.csv"): OWNER,
    ("POST", "/exam-sittings/{sitting_id}/submit"): OWNER,
    ("GET", "/certificates/{certificate_id}.jwt"): HOLDER_OR_HR,
    ("GET", "/certificates/{certificate_id}.pdf"): HOLDER_OR_HR,
    # Administration
    ("GET", "/admin/certificates"): ADMIN,
    ("POST", "/admin/certificates/{certificate_id}/revoke"): ADMIN,
    ("GET", "/admin/courses"): ADMIN,
    ("POST", "/admin/courses/{course_slug}/staff"): ADMIN,
    ("POST", "/admin/courses/{course_slug}/staff/{user_id}/remove"): ADMIN,
    ("GET", "/admin/hr-scopes"): ADMIN,
    ("POST", "/admin/hr-scopes/{user_id}"): ADMIN,
    ("GET", "/admin/import"): ADMIN,
    ("POST", "/admin/import"): ADMIN,
    ("POST", "/admin/import/apply"): ADMIN,
    ("GET", "/admin/units"): ADMIN,
    ("POST", "/admin/units"): ADMIN,
    ("POST", "/admin/units/{unit_id}/rename"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("GET", "/admin/users/{user_id}"): ADMIN,
    ("POST", "/admin/users/{user_id}/disable"): ADMIN,
    ("POST", "/admin/users/{user_id}/enable"): ADMIN,
    ("POST", "/admin/users/{user_id}/password"): ADMIN,
    ("POST", "/admin/users/{user_id}/unit"): ADMIN,
    # Teaching: the lists are the caller's own courses; a course's pages are for its staff
    ("GET", "/teach"): TEACHING,
    ("GET", "/review"): TEACHING,
    ("GET", "/review/{attempt_id}"): COURSE_STAFF,
    ("POST", "/review/{attempt_id}"): COURSE_STAFF,
    ("GET", "/api/v1/courses/{slug}/gradebook"): COURSE_STAFF,
    ("GET", EDITOR): COURSE_STAFF,
    ("GET", EDITOR + "/gradebook"): COURSE_STAFF,
    ("GET", EDITOR + "/gradebook.csv"): COURSE_STAFF,
    ("GET", EDITOR + "/review"): COURSE_STAFF,
    ("POST", EDITOR + "/exercises"): COURSE_STAFF,
    ("GET", EDITOR + "/exercises/new"): COURSE_STAFF,
    ("GET", EDITOR + "/exercises/{exercise_slug}/analysis"): COURSE_STAFF,
    ("GET", EDITOR + "/exercises/{exercise_slug}/regrade"): COURSE_STAFF,
    ("POST", EDITOR + "/exercises/{exercise_slug}/regrade"): COURSE_STAFF,
    ("GET", EXERCISE + "/diff"): COURSE_STAFF,
    ("GET", EXERCISE + "/discard"): COURSE_STAFF,
    ("POST", EXERCISE + "/discard"): COURSE_STAFF,
    ("POST", EXERCISE + "/draft"): COURSE_STAFF,
    ("GET", EXERCISE + "/edit"): COURSE_STAFF,
    ("GET", EXERCISE + "/history"): COURSE_STAFF,
    ("GET", EXERCISE + "/preview"): COURSE_STAFF,
    ("GET", EXERCISE + "/preview-data.csv"): COURSE_STAFF,
    ("POST", EXERCISE + "/publish"): COURSE_STAFF,
    ("GET", EXERCISE + "/self-test"): COURSE_STAFF,
    ("GET", EXERCISE + "/versions/{number}/restore"): COURSE_STAFF,
    ("POST", EXERCISE + "/versions/{number}/restore"): COURSE_STAFF,
    ("POST", EDITOR + "/modules"): COURSE_STAFF,
    ("GET", EDITOR + "/modules/new"): COURSE_STAFF,
    ("GET", MODULE + "/diff"): COURSE_STAFF,
    ("GET", MODULE + "/discard"): COURSE_STAFF,
    ("POST", MODULE + "/discard"): COURSE_STAFF,
    ("POST", MODULE + "/draft"): COURSE_STAFF,
    ("GET", MODULE + "/draft-figures/{name}"): COURSE_STAFF,
    ("GET", MODULE + "/edit"): COURSE_STAFF,
    ("POST", MODULE + "/figures"): COURSE_STAFF,
    ("POST", MODULE + "/figures/{name}/delete"): COURSE_STAFF,
    ("GET", MODULE + "/history"): COURSE_STAFF,
    ("POST", MODULE + "/preview"): COURSE_STAFF,
    ("POST", MODULE + "/publish"): COURSE_STAFF,
    ("GET", MODULE + "/versions/{number}/restore"): COURSE_STAFF,
    ("POST", MODULE + "/versions/{number}/restore"): COURSE_STAFF,
    # HR: the lists and exports hold what is in the caller's view; a unit or a person
    # outside it does not exist for them
    ("GET", "/hr"): HR,
    ("GET", "/hr/units"): HR,
    ("GET", "/hr/assignments"): HR,
    ("POST", "/hr/assignments"): HR,
    ("GET", "/hr/exports/certificates.csv"): HR,
    ("GET", "/hr/exports/progress.csv"): HR,
    ("GET", "/api/v1/hr/certificates"): HR,
    ("GET", "/api/v1/hr/progress"): HR,
    ("POST", "/hr/assignments/{assignment_id}/withdraw"): HR_SCOPE,
    ("GET", "/hr/people/{user_id}"): HR_SCOPE,
    ("GET", "/hr/units/{unit_id}"): HR_SCOPE,
    ("GET", "/hr/units/{unit_id}/people"): HR_SCOPE,
    ("GET", "/api/v1/hr/units/{unit_id}"): HR_SCOPE,
}

# Query strings that name an object, each sent as one more request with its own policy.
QUERIES: dict[tuple[str, str], tuple[str, Policy]] = {
    ("GET", "/review"): ("course={course_slug}", COURSE_STAFF),
    ("GET", "/hr/assignments"): ("unit={unit_id}", HR_SCOPE),
    ("GET", "/hr/exports/certificates.csv"): ("unit={unit_id}", HR_SCOPE),
    ("GET", "/hr/exports/progress.csv"): ("unit={unit_id}", HR_SCOPE),
    ("GET", "/api/v1/hr/certificates"): ("unit_id={unit_id}", HR_SCOPE),
    ("GET", "/api/v1/hr/progress"): ("unit_id={unit_id}", HR_SCOPE),
}
# Sent last, each from a second browser signed in as the caller.
ENDS_SESSION = {("POST", "/sign-out"), ("POST", "/account/sign-out-everywhere")}
# Admitted, these take away the drafts (and the draft's figures) that other routes of the
# walk work on, so they are sent last.
SENT_LAST = {("POST", MODULE + "/discard"), ("POST", EXERCISE + "/discard")}


# The world


@dataclass(frozen=True)
class MatrixWorld:
    """Ids of the victim's objects and of what the other parameters name."""

    ada_id: int
    hana_id: int
    ines_id: int
    ada_token_id: int
    graded_attempt: uuid.UUID
    map_attempt: uuid.UUID
    awaiting_review: uuid.UUID
    sitting_id: uuid.UUID
    question_with_data: int
    exam_id: uuid.UUID
    certificate_id: uuid.UUID
    certificate_code: str
    ada_unit_id: int
    assignment_id: int
    module_id: uuid.UUID
    module_slug: str
    module_version: int
    figure_name: str
    tokens: dict[str, str]  # an API token of each of the cast, for the bearer walk


def build_world(engine: Engine, cast: dict[str, User]) -> MatrixWorld:
    """Ada's objects and the organisation, each made through the services in its own
    committed transaction, as requests make them. Needs the synced content and the
    `teaching` fixture (Ines teaches the Yellow Belt, Ivo the Green Belt)."""
    with steps.unit_of_work(engine) as db:
        northwind = units.create_unit(db, "Northwind", None)
        operations = units.create_unit(db, "Operations", northwind)
        finance = units.create_unit(db, "Finance", northwind)
        hana = db.get(User, cast["hana"].id)
        assert hana is not None
        scope.set_scopes(db, hana, [operations])
    steps.move(engine, cast["ada"], finance)
    steps.move(engine, cast["ben"], operations)
    certificate = steps.earn_certificate(engine, cast["ada"])
    for slug in (GRADED_EXERCISE, MAP_EXERCISE, REVIEWED_EXERCISE):
        steps.attempt(engine, cast["ada"], slug)
    assignment = steps.assign_unit(
        engine, cast["omar"], finance, utcnow().date() + timedelta(days=30)
    )
    with steps.unit_of_work(engine) as db:
        ada = db.get(User, cast["ada"].id)
        assert ada is not None
        sitting = _open_sitting(db, ada)
        number = _question_with_data(db, sitting)
        token, _ = create_api_token(db, ada, "nightly export")
        tokens = {key: create_api_token(db, user, "matrix walk")[1] for key, user in cast.items()}
        attempts = {
            slug: (attempt_id, status)
            for attempt_id, status, slug in db.exec(
                select(Attempt.id, Attempt.status, Exercise.slug)
                .join(Exercise, col(Exercise.id) == Attempt.exercise_id)
                .where(Attempt.user_id == ada.id)
            )
        }
        assert attempts[REVIEWED_EXERCISE][1] == "awaiting_review"
        assert attempts[GRADED_EXERCISE][1] == "graded"
        module, figure = _module_with_a_figure(db)
        _open_drafts(db, module, cast["ines"])
        exam = _exam_of(db, COURSE)
    return MatrixWorld(
        ada_id=cast["ada"].id,  # type: ignore[arg-type]
        hana_id=cast["hana"].id,  # type: ignore[arg-type]
        ines_id=cast["ines"].id,  # type: ignore[arg-type]
        ada_token_id=token.id,  # type: ignore[arg-type]
        graded_attempt=attempts[GRADED_EXERCISE][0],
        map_attempt=attempts[MAP_EXERCISE][0],
        awaiting_review=attempts[REVIEWED_EXERCISE][0],
        sitting_id=sitting.id,
        question_with_data=number,
        exam_id=exam.id,
        certificate_id=certificate.id,
        certificate_code=certificate.code,
        ada_unit_id=finance.id,  # type: ignore[arg-type]
        assignment_id=assignment.id,  # type: ignore[arg-type]
        module_id=module.id,
        module_slug=module.slug,
        module_version=figure[0],
        figure_name=figure[1],
        tokens=tokens,
    )


def _exam_of(db: Session, course_slug: str) -> Exam:
    course = db.exec(select(Course).where(Course.slug == course_slug)).one()
    return db.exec(select(Exam).where(Exam.course_id == course.id)).one()


def _open_sitting(db: Session, ada: User):  # type: ignore[no-untyped-def]
    sitting = exams.start(db, ada, _exam_of(db, EXAM_COURSE))
    db.flush()
    return sitting


def _question_with_data(db: Session, sitting) -> int:  # type: ignore[no-untyped-def]
    """The number of the first question of the sitting that hands out a data set."""
    for index in range(len(sitting.plan["slots"])):
        item = exams.question(db, sitting, index)
        if item.loaded.kind.data_csv(item.loaded.params, item.variant) is not None:
            return index + 1
    raise AssertionError(f"no question of the {EXAM_COURSE} exam hands out a data set")


def _module_with_a_figure(db: Session) -> tuple[Module, tuple[int, str]]:
    """The first Yellow Belt module whose current version has a figure."""
    course = db.exec(select(Course).where(Course.slug == COURSE)).one()
    modules = db.exec(
        select(Module).where(Module.course_id == course.id).order_by(col(Module.position))
    )
    for module in modules:
        version = current_version(db, module)
        assert version is not None
        name = db.exec(
            select(ModuleFigure.name)
            .where(ModuleFigure.module_version_id == version.id)
            .order_by(col(ModuleFigure.name))
        ).first()
        if name is not None:
            return module, (version.number, name)
    raise AssertionError(f"no module of the {COURSE} has a figure")


def _open_drafts(db: Session, module: Module, instructor: User) -> None:
    """Ines starts a draft of the module (which copies its figures) and of the exercise."""
    ines = db.get(User, instructor.id)
    assert ines is not None
    module_drafts.open_draft(db, module, ines)
    course = db.exec(select(Course).where(Course.slug == COURSE)).one()
    exercise_drafts.open_draft(db, exercise_drafts.exercise_of(db, course, GRADED_EXERCISE))


# Filling the paths


def fill(path: str, world: MatrixWorld) -> str:
    """The path with every parameter naming the victim's object (or, where a parameter
    has no owner, such as a course or a tool, an object that exists)."""

    def value(match: re.Match[str]) -> str:
        return str(_value(match.group(1), path, world))

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def _value(name: str, path: str, world: MatrixWorld) -> object:
    if name == "user_id":
        if path.startswith("/admin/hr-scopes/"):
            return world.hana_id  # scopes are set on HR users only
        if "/staff/" in path:
            return world.ines_id  # the course's staff member
        return world.ada_id
    if name == "attempt_id":
        if path.startswith("/review/"):
            return world.awaiting_review
        return world.map_attempt if path.endswith("/map.svg") else world.graded_attempt
    if name == "slug":
        if path.startswith("/toolkit/"):
            return TOOLS[0].slug
        if path.startswith(("/courses/", "/api/v1/courses/")):
            return COURSE
        return MAP_EXERCISE if "/map" in path else GRADED_EXERCISE
    if name == "number" and path.startswith("/exam-sittings/"):
        return world.question_with_data
    values: dict[str, object] = {
        "course_slug": COURSE,
        "exercise_slug": GRADED_EXERCISE,
        "module_slug": world.module_slug,
        "module_id": world.module_id,
        "version_number": world.module_version,
        "number": 1,  # a version to restore
        "name": world.figure_name,
        "token_id": world.ada_token_id,
        "sitting_id": world.sitting_id,
        "exam_id": world.exam_id,
        "certificate_id": world.certificate_id,
        "code": world.certificate_code,
        "unit_id": world.ada_unit_id,
        "assignment_id": world.assignment_id,
    }
    if name not in values:
        raise KeyError(f"{path}: no foreign object for the parameter {name!r}; add one")
    return values[name]

"""All tables, imported here so the metadata is complete for Alembic and create_all."""

from app.models.attempts import Attempt, AttemptRegrade, ExerciseProgress
from app.models.authoring import CourseStaff, DraftFigure, ExerciseDraft, ModuleDraft
from app.models.catalog import (
    Course,
    Exercise,
    ExerciseVersion,
    Module,
    ModuleFigure,
    ModuleVersion,
)
from app.models.certification import Certificate
from app.models.exams import Exam, ExamSitting
from app.models.learning import Enrolment, ModuleProgress
from app.models.org import Assignment, HrScope
from app.models.reporting import CourseStanding, UnitTally
from app.models.security import ApiToken, AuthSession, LoginFailure
from app.models.users import OrgUnit, Role, User

__all__ = [
    "ApiToken",
    "Assignment",
    "Attempt",
    "AttemptRegrade",
    "AuthSession",
    "Certificate",
    "Course",
    "CourseStaff",
    "CourseStanding",
    "DraftFigure",
    "Enrolment",
    "Exam",
    "ExamSitting",
    "Exercise",
    "ExerciseDraft",
    "ExerciseProgress",
    "ExerciseVersion",
    "HrScope",
    "LoginFailure",
    "Module",
    "ModuleDraft",
    "ModuleFigure",
    "ModuleProgress",
    "ModuleVersion",
    "OrgUnit",
    "Role",
    "UnitTally",
    "User",
]

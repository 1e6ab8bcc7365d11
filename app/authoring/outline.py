"""What a course's staff see on its teaching page: every module and exercise with where
it stands (published version, pending draft, unpublished)."""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.models import (
    Course,
    Exercise,
    ExerciseDraft,
    ExerciseVersion,
    Module,
    ModuleDraft,
    ModuleVersion,
)


@dataclass(frozen=True)
class ItemStatus:
    slug: str
    title: str
    version: int | None  # the published version's number; None if never published
    has_draft: bool
    is_published: bool


def module_statuses(db: Session, course: Course) -> list[ItemStatus]:
    return _statuses(
        db, course, Module, ModuleVersion, ModuleVersion.module_id, ModuleDraft.module_id
    )


def exercise_statuses(db: Session, course: Course) -> list[ItemStatus]:
    return _statuses(
        db,
        course,
        Exercise,
        ExerciseVersion,
        ExerciseVersion.exercise_id,
        ExerciseDraft.exercise_id,
    )


def _statuses(  # type: ignore[no-untyped-def]
    db: Session, course: Course, item_model, version_model, version_owner, draft_owner
) -> list[ItemStatus]:
    """Each item of the course with its newest version and its draft, if any: one
    statement for modules and exercises alike (same columns, other tables)."""
    draft_model = draft_owner.class_
    latest = (
        select(version_owner.label("owner"), func.max(version_model.number).label("number"))
        .group_by(version_owner)
        .subquery()
    )
    order = (col(item_model.is_published).desc(),) + (
        (col(item_model.position),) if item_model is Module else (col(item_model.slug),)
    )
    rows = db.exec(
        select(item_model, version_model, draft_model)
        .outerjoin(latest, latest.c.owner == item_model.id)
        .outerjoin(
            version_model,
            (version_owner == item_model.id) & (version_model.number == latest.c.number),
        )
        .outerjoin(draft_model, draft_owner == item_model.id)
        .where(item_model.course_id == course.id)
        .order_by(*order)
    ).all()
    return [
        ItemStatus(
            item.slug,
            (draft or version).title if (draft or version) else item.slug,
            version.number if version else None,
            draft is not None,
            item.is_published,
        )
        for item, version, draft in rows
    ]

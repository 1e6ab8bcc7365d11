"""The caller's own account and progress."""

from fastapi import APIRouter

from app.accounts.schemas import UserPublic
from app.api.schemas import CourseProgressOut, ErrorOut
from app.deps import CurrentUser, SessionDep
from app.learning import service

router = APIRouter(prefix="/me", tags=["me"], responses={401: {"model": ErrorOut}})


@router.get("", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic(id=user.id, email=user.email, name=user.name, role=user.role)  # type: ignore[arg-type]


@router.get("/progress", response_model=list[CourseProgressOut])
def my_progress(db: SessionDep, user: CurrentUser) -> list[CourseProgressOut]:
    """Progress in every course the caller is enrolled in or has started."""
    return [
        CourseProgressOut(
            course_slug=p.course.slug,
            title=p.course.title,
            modules_total=p.modules_total,
            modules_read=p.modules_read,
            percent=p.percent,
        )
        for p in service.progress_by_course(db, user)
    ]

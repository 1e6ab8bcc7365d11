"""Exam pages: the rules and my sittings, one question at a time, submitting, results."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.certification import service as certification
from app.deps import CurrentUser, SessionDep
from app.errors import AnswerInvalid, NotFound
from app.learning import attempts, exams
from app.learning.exams import Question
from app.models import Course, ExamSitting
from app.web.exercise_context import kind_context
from app.web.forms import FormFields
from app.web.rendering import DOWNLOAD_POLICY, render

router = APIRouter()
QuestionIndex = Annotated[int, Path(ge=1, le=50)]


@router.get("/exams/{exam_id}")
def exam_page(request: Request, exam_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> Response:
    exam = exams.get_exam(db, exam_id)
    return render(request, "exams/overview.html", {"standing": exams.standing(db, user, exam)})


@router.post("/exams/{exam_id}/start")
def start_exam(exam_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> Response:
    sitting = exams.start(db, user, exams.get_exam(db, exam_id))
    db.commit()
    return RedirectResponse(f"/exam-sittings/{sitting.id}", status_code=303)


@router.get("/exam-sittings/{sitting_id}")
def sitting_page(
    request: Request, sitting_id: uuid.UUID, db: SessionDep, user: CurrentUser
) -> Response:
    sitting = exams.get_own_sitting(db, user, sitting_id)
    return render(request, "exams/sitting.html", _sitting_context(db, sitting))


def _sitting_context(db: SessionDep, sitting: ExamSitting, **extra: object) -> dict[str, object]:
    return {
        "sitting": sitting,
        "exam": exams.get_exam(db, sitting.exam_id),
        "items": exams.questions(db, sitting),
        "open": exams.is_open(sitting),
        **extra,
    }


@router.get("/exam-sittings/{sitting_id}/questions/{number}")
def question_page(
    request: Request,
    sitting_id: uuid.UUID,
    number: QuestionIndex,
    db: SessionDep,
    user: CurrentUser,
) -> Response:
    sitting = exams.get_own_sitting(db, user, sitting_id)
    item = exams.question(db, sitting, number - 1)
    entered = sitting.answers.get(str(number - 1), {})
    return render(request, "exams/question.html", _question_context(sitting, item, entered, {}))


@router.get("/exam-sittings/{sitting_id}/questions/{number}/data.csv")
def question_data(
    sitting_id: uuid.UUID, number: QuestionIndex, db: SessionDep, user: CurrentUser
) -> Response:
    """The data set of one of the caller's own exam questions, for kinds that hand one out."""
    sitting = exams.get_own_sitting(db, user, sitting_id)
    item = exams.question(db, sitting, number - 1)
    data = item.loaded.kind.data_csv(item.loaded.params, item.variant)
    if data is None:
        raise NotFound("This question has no data set.")
    headers = {
        "content-disposition": f'attachment; filename="exam-question-{number}-data.csv"',
        "content-security-policy": DOWNLOAD_POLICY,
    }
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/exam-sittings/{sitting_id}/questions/{number}")
def save_answer(
    request: Request,
    sitting_id: uuid.UUID,
    number: QuestionIndex,
    form: FormFields,
    db: SessionDep,
    user: CurrentUser,
) -> Response:
    sitting = exams.get_own_sitting(db, user, sitting_id)
    raw = attempts.normalise_raw({k: form.getlist(k) for k in form.keys() if k != "csrf_token"})  # noqa: SIM118
    try:
        exams.save_answer(db, sitting, number - 1, raw)
    except AnswerInvalid as invalid:
        item = exams.question(db, sitting, number - 1)
        context = _question_context(sitting, item, raw, invalid.errors)
        return render(request, "exams/question.html", context, status_code=422)
    db.commit()
    last = len(sitting.plan["slots"])
    target = (
        f"/exam-sittings/{sitting.id}/questions/{number + 1}"
        if number < last
        else f"/exam-sittings/{sitting.id}"
    )
    if sitting.plan["feedback"] == "per_question":
        target = f"/exam-sittings/{sitting.id}/questions/{number}"
    return RedirectResponse(target, status_code=303)


@router.post("/exam-sittings/{sitting_id}/submit")
def submit_exam(
    request: Request,
    sitting_id: uuid.UUID,
    db: SessionDep,
    user: CurrentUser,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    sitting = exams.get_own_sitting(db, user, sitting_id)
    if confirm != "yes" and sitting.status == "in_progress":
        message = "Tick the box to confirm that you have finished: submitting cannot be undone."
        context = _sitting_context(db, sitting, confirm_error=message)
        return render(request, "exams/sitting.html", context, status_code=422)
    sitting = exams.submit(db, sitting)
    course = db.get(Course, exams.get_exam(db, sitting.exam_id).course_id)
    if sitting.passed and course is not None:
        certification.award_if_earned(db, user, course)
    db.commit()
    return RedirectResponse(f"/exam-sittings/{sitting.id}", status_code=303)


def _question_context(
    sitting: ExamSitting, item: Question, entered: dict[str, list[str]], errors: dict[str, str]
) -> dict[str, object]:
    return {
        "sitting": sitting,
        "number": item.index + 1,
        "count": len(sitting.plan["slots"]),
        "open": exams.is_open(sitting),
        "result": sitting.results.get(str(item.index)),
        "ex": kind_context(
            item.loaded,
            item.variant,
            entered,
            errors,
            f"/exam-sittings/{sitting.id}/questions/{item.index + 1}/data.csv",
        ),
    }

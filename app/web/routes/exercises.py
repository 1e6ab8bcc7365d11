"""Exercise pages: the learner's variant, submitting an answer, and their attempts."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.authoring.regrade import regrades_of
from app.deps import CurrentUser, SessionDep
from app.errors import AnswerInvalid, InvalidInput, NotFound
from app.grading.kinds.vsm import MapView, VsmKind, map_view
from app.learning import attempts
from app.web.exercise_context import exercise_context
from app.web.forms import FormFields
from app.web.rendering import DOWNLOAD_POLICY, is_htmx, render

router = APIRouter()
CONTROL_FIELDS = {"csrf_token", "version_id", "submission_token"}


@router.get("/exercises/{slug}")
def exercise_page(request: Request, slug: str, db: SessionDep, user: CurrentUser) -> Response:
    state = attempts.exercise_state(db, user, attempts.load_exercise(db, slug))
    return render(request, "exercises/page.html", {"ex": exercise_context(state)})


@router.post("/exercises/{slug}/attempts")
def submit_attempt(
    request: Request, slug: str, form: FormFields, db: SessionDep, user: CurrentUser
) -> Response:
    loaded = attempts.load_exercise(db, slug)
    version_id = _version_id(form.get("version_id"))
    token = str(form.get("submission_token") or "")
    if not (16 <= len(token) <= 64 and token.isascii() and token.isprintable()):
        raise InvalidInput("The form is incomplete; reload the page.", field="submission_token")
    raw = attempts.normalise_raw(
        {k: form.getlist(k) for k in form.keys() if k not in CONTROL_FIELDS}  # noqa: SIM118
    )
    try:
        attempts.submit(db, user, loaded, version_id, token, raw)
    except AnswerInvalid as invalid:
        state = attempts.exercise_state(db, user, loaded)
        context = {"ex": exercise_context(state, values=raw, errors=invalid.errors)}
        return render(
            request,
            "exercises/page.html",
            context,
            status_code=422,
            partial="exercises/_block.html",
        )
    # What htmx shows is read before the commit, so no new transaction (on SQLite, the
    # write lock) stays open while the block renders (ADR 0020).
    state = attempts.exercise_state(db, user, loaded) if is_htmx(request) else None
    db.commit()
    if state is None:
        return RedirectResponse(f"/exercises/{slug}#exercise-{slug}", status_code=303)
    return render(request, "exercises/_block.html", {"ex": exercise_context(state)})


def _version_id(value: object) -> int:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise InvalidInput("The form is incomplete; reload the page.", field="version_id")


@router.get("/attempts")
def my_attempts(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    rows = attempts.list_own_attempts(db, user)
    return render(request, "exercises/attempts.html", {"rows": rows})


@router.get("/attempts/{attempt_id}")
def attempt_page(
    request: Request, attempt_id: uuid.UUID, db: SessionDep, user: CurrentUser
) -> Response:
    attempt = attempts.get_own_attempt(db, user, attempt_id)
    view = attempts.attempt_view(db, user, attempt)
    context = {"view": view, "regrades": regrades_of(db, attempt.id)}
    return render(request, "exercises/attempt.html", context)


def _map_of(request: Request, loaded: attempts.LoadedExercise) -> MapView:
    if not isinstance(loaded.kind, VsmKind):
        raise NotFound("This exercise has no map.")
    query = request.query_params
    raw = attempts.normalise_raw({k: query.getlist(k) for k in query.keys()})  # noqa: SIM118
    return map_view(raw, f"{loaded.exercise.slug}-map")


@router.get("/exercises/{slug}/map")
def live_map(request: Request, slug: str, db: SessionDep, user: CurrentUser) -> Response:
    """The map redrawn from the form as the learner types (an htmx fragment); saves nothing."""
    loaded = attempts.load_exercise(db, slug)
    context = {"map": _map_of(request, loaded), "slug": slug}
    return render(request, "exercises/_vsm_map.html", context)


@router.get("/exercises/{slug}/map.svg")
def download_map(request: Request, slug: str, db: SessionDep, user: CurrentUser) -> Response:
    svg = _map_of(request, attempts.load_exercise(db, slug)).svg
    return _svg_download(svg, f"{slug}-value-stream-map.svg")


@router.get("/attempts/{attempt_id}/map.svg")
def attempt_map(attempt_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> Response:
    """The map as submitted in one of the caller's own attempts."""
    attempt = attempts.get_own_attempt(db, user, attempt_id)
    view = attempts.attempt_view(db, user, attempt)
    if view.version.kind != VsmKind.name:
        raise NotFound("This attempt has no map.")
    svg = map_view(attempt.answer, "attempt-map").svg
    return _svg_download(svg, f"{view.exercise.slug}-attempt-{attempt.number}.svg")


def _svg_download(svg: str, filename: str) -> Response:
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.get("/exercises/{slug}/data.csv")
def exercise_data(slug: str, db: SessionDep, user: CurrentUser) -> Response:
    """The signed-in learner's own data set, for exercises that hand one out."""
    loaded = attempts.load_exercise(db, slug)
    variant = loaded.variant(attempts.seed_for(user.id, loaded.exercise.id))  # type: ignore[arg-type]
    data = loaded.kind.data_csv(loaded.params, variant)
    if data is None:
        raise NotFound("This exercise has no data set.")
    headers = {
        "content-disposition": f'attachment; filename="{slug}-data.csv"',
        "content-security-policy": DOWNLOAD_POLICY,
    }
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/attempts/{attempt_id}/chart.svg")
def attempt_chart(attempt_id: uuid.UUID, db: SessionDep, user: CurrentUser) -> Response:
    """One of the caller's own attempts drawn over their data: the expected centre line,
    limits and signals once the exercise is finished, their own answer until then."""
    attempt = attempts.get_own_attempt(db, user, attempt_id)
    view = attempts.attempt_view(db, user, attempt)
    loaded = attempts.load_version(db, view.exercise, attempt.exercise_version_id)
    entered = None if view.show_expected else attempt.answer
    svg = loaded.kind.chart_svg(
        loaded.params, loaded.variant(attempt.seed), entered, "attempt-chart"
    )
    if svg is None:
        raise NotFound("This attempt has no chart.")
    headers = {
        "content-disposition": (
            f'attachment; filename="{view.exercise.slug}-attempt-{attempt.number}.svg"'
        ),
        "content-security-policy": DOWNLOAD_POLICY,
    }
    return Response(svg, media_type="image/svg+xml", headers=headers)

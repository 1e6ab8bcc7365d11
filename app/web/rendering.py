"""Template rendering with the context every page needs."""

import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.grading.kinds import KINDS
from app.security.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
# A drawing or data file downloaded on its own: nothing in it may run, load or be framed.
DOWNLOAD_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; sandbox"
)
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# Templates ship with the code, so a change to them comes with a restart, as a change to
# the Python does. Checking every template file's mtime on every render cost about a sixth
# of a module page's time.
templates.env.auto_reload = False
templates.env.globals["csrf_token"] = csrf_token
templates.env.filters["percent"] = lambda value: f"{round(float(value) * 100)}%"
ROLE_LABELS = {"learner": "Learner", "instructor": "Instructor", "hr": "HR", "admin": "Admin"}
templates.env.filters["role_label"] = lambda role: ROLE_LABELS.get(str(role), str(role))


def course_label(course: Any) -> str:
    """The course title, led by its belt unless the title already names it."""
    belt = f"{str(course.belt).capitalize()} Belt"
    return course.title if belt.lower() in course.title.lower() else f"{belt} · {course.title}"


templates.env.filters["course_label"] = course_label


def figure(value: Any) -> str:
    """A computed figure as people read it: four decimals at most, thousands separated."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or (value == int(value) and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) >= 1e-4 else f"{value:.3g}"


templates.env.filters["figure"] = figure
templates.env.tests["charted"] = lambda kind_name: KINDS[kind_name].charted


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    partial: str | None = None,
) -> Response:
    """Render a page, or only `partial` when htmx asks for a fragment."""
    name = partial if partial and is_htmx(request) else template
    full_context = {"user": getattr(request.state, "user", None), **(context or {})}
    response = templates.TemplateResponse(request, name, full_context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response

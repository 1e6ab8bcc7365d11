"""Public certificate verification: anyone with the code sees the certificate's facts."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.certification import service
from app.deps import SessionDep
from app.models.base import utcnow
from app.web.rendering import render

router = APIRouter()
Code = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/verify/{code}")
def verify(request: Request, code: Code, db: SessionDep) -> Response:
    """No sign-in: shows the holder, belt, dates and status, and nothing else about them."""
    certificate = service.verify(db, code)
    context = {"certificate": certificate, "status": certificate.status(utcnow())}
    response = render(request, "certificates/verify.html", context)
    response.headers["x-robots-tag"] = "noindex"
    return response

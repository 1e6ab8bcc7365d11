"""Interactive API documentation, served from vendored files (no CDN, no inline script)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.web.rendering import render

SCHEMA_URL = "/api/v1/openapi.json"
router = APIRouter()


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    return render(request, "api_docs.html", {"schema_url": SCHEMA_URL})

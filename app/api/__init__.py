"""The JSON API under /api/v1, documented by OpenAPI. Same services as the pages."""

from fastapi import APIRouter

from app.api.routes import catalog, exercises, gradebook, hr, me, toolkit
from app.api.schemas import ErrorOut, InvalidInputOut

# What any operation may answer besides its own responses (see app/error_handlers.py).
router = APIRouter(
    responses={
        400: {"model": ErrorOut, "description": "The body cannot be read (not JSON)"},
        422: {"model": InvalidInputOut, "description": "The input cannot be used"},
        429: {"model": ErrorOut, "description": "Too many requests"},
        500: {"model": ErrorOut, "description": "Unexpected error, with a reference"},
        503: {"model": ErrorOut, "description": "Briefly unavailable; retry"},
    }
)
router.include_router(catalog.router)
router.include_router(me.router)
router.include_router(exercises.router)
router.include_router(hr.router)
router.include_router(gradebook.router)
router.include_router(toolkit.router)

"""The JSON API under /api/v1, documented by OpenAPI. Same services as the pages."""

from fastapi import APIRouter

from app.api.routes import catalog, exercises, hr, me, toolkit

router = APIRouter()
router.include_router(catalog.router)
router.include_router(me.router)
router.include_router(exercises.router)
router.include_router(hr.router)
router.include_router(toolkit.router)

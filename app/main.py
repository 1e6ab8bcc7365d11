"""The application factory: `create_app(settings)` for tests, `app` for uvicorn."""

import gc
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from app.api import router as api_router
from app.config import Settings
from app.db import make_engine
from app.error_handlers import install_error_handlers
from app.logs import configure_logging
from app.security.csrf import csrf_protect
from app.security.headers import SecurityMiddleware
from app.security.text_input import refuse_nul_characters
from app.web.routes import (
    accounts,
    admin,
    api_docs,
    catalog,
    certificates,
    exams,
    exercise_editor,
    exercises,
    gradebook,
    hr,
    module_editor,
    ops,
    organisation,
    regrade,
    reviews,
    teach,
    toolkit,
    verification,
)

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging()
    public_docs = not settings.is_production
    app = FastAPI(
        title="Takt",
        summary="Lean Six Sigma courses, graded exercises and certification.",
        version="0.1.0",
        dependencies=[Depends(csrf_protect), Depends(refuse_nul_characters)],
        docs_url=None,
        redoc_url=None,
        openapi_url=api_docs.SCHEMA_URL if public_docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.add_middleware(SecurityMiddleware, settings=settings)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    web_routers = (
        ops.router,
        accounts.router,
        admin.router,
        organisation.router,
        exercises.router,
        exams.router,
        reviews.router,
        regrade.router,
        teach.router,
        module_editor.router,
        exercise_editor.router,
        gradebook.router,
        verification.router,
        certificates.router,
        hr.router,
        toolkit.router,
        catalog.router,
    )
    for router in web_routers:
        app.include_router(router, include_in_schema=False)
    app.include_router(api_router, prefix="/api/v1")
    if public_docs:
        app.include_router(api_docs.router)
    return app


def __getattr__(name: str) -> FastAPI:
    """`app.main:app` for uvicorn, built on first use so importing the module has no effects."""
    if name == "app":
        globals()["app"] = create_app()
        tune_garbage_collection()
        return globals()["app"]
    raise AttributeError(name)


def tune_garbage_collection() -> None:
    """For a serving process (ADR 0021): leave what start-up built out of every collection,
    and collect less often, so that no request waits tens of milliseconds for a full
    collection that finds nothing to free."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


GC_THRESHOLDS = (20_000, 20, 20)  # CPython's defaults are (700, 10, 10)

"""Helpers for the authoring tests; the `teaching` fixture (Ines teaches the Yellow Belt,
Ivo the Green) lives in tests/conftest.py because browser and web tests use it too."""

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.logs import JsonFormatter
from app.models import Course


def course(db: Session, slug: str) -> Course:
    return db.exec(select(Course).where(Course.slug == slug)).one()


@pytest.fixture
def takt_log(app: FastAPI) -> Iterator[Callable[[], list[dict[str, object]]]]:
    """The lines the `takt` logger has written in this test, as parsed JSON (the app's
    `takt` logger does not propagate, so caplog alone sees nothing)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("takt")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)

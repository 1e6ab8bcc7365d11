"""Validating HTML form input into schemas, with messages per field for inline display."""

from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

M = TypeVar("M", bound=BaseModel)

FRIENDLY = {
    "string_too_short": "This field is required.",
    "string_too_long": "This is too long.",
    "string_pattern_mismatch": "This does not look right; check the format.",
    "missing": "This field is required.",
    "too_short": "Choose at least one.",
}


def validate_form(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for detail in error.errors():
            field = str(detail["loc"][0]) if detail["loc"] else "form"
            errors.setdefault(field, FRIENDLY.get(detail["type"], detail["msg"]))
        return None, errors


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: a crafted ?next= must not send people to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


async def _form_fields(request: Request) -> FormData:
    """The posted form, read once (the CSRF check has usually read it already)."""
    return await request.form()


# For sync routes that take free-form fields, such as an exercise's answer.
FormFields = Annotated[FormData, Depends(_form_fields)]

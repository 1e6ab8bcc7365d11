"""No NUL character in any text a request carries.

No text a person types contains one, and PostgreSQL refuses NUL in text outright (a
database error, so a 500, wherever such text reached a query). Checking once, for every
route, before any route runs, keeps that out of every form, query and JSON body; uploaded
files are left alone (an image holds NUL bytes)."""

import json
from collections.abc import Iterator

from fastapi import Request

from app.errors import InvalidInput

NUL = "\x00"
MESSAGE = "Remove the NUL character: no text here may contain one."


def _texts(value: object, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, with the name of the field it sits in."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield where or str(key), str(key)
            yield from _texts(item, where or str(key))


async def refuse_nul_characters(request: Request) -> None:
    """App-wide dependency: a 422 naming the field that holds a NUL character."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if NUL in name or NUL in str(value):
            raise InvalidInput(MESSAGE, field=name.replace(NUL, ""))
    content_type = request.headers.get("content-type", "")
    if "form" in content_type:
        form = await request.form()  # parsed once, kept for the route
        for name, value in form.multi_items():
            if NUL in name or (isinstance(value, str) and NUL in value):
                raise InvalidInput(MESSAGE, field=name.replace(NUL, ""))
    elif "json" in content_type:
        body = await request.body()
        if b"\\u0000" in body:  # the only way JSON text can carry NUL
            try:
                document = json.loads(body)
            except ValueError:
                return  # not JSON: the route's own parsing refuses it
            for field, text in _texts(document, ""):
                if NUL in text:
                    raise InvalidInput(MESSAGE, field=field.replace(NUL, "") or None)

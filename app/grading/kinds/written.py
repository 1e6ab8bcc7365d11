"""What the written kinds (the PDCA A3, the project charter) share: reading free text and
dates from the form, and the quoted dates their exercise files give."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

from app.grading.kinds.base import FieldReader, RawAnswer, single

# Reading the form: each message follows the field's label.
MISSING_TEXT = "fill this in."
TOO_LONG = "keep it to {limit} characters (this has {length})."
MISSING_DATE = "enter a date (YYYY-MM-DD)."
NOT_A_DATE = "“{text}” is not a date: use YYYY-MM-DD."

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when the text is not one."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _quoted_date(value: Any) -> date:
    # An unquoted YAML date arrives as a date object and would not survive storing the
    # exercise definition as JSON, so authors are asked for the quoted form.
    parsed = iso_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError('write the date in quotes, as "YYYY-MM-DD"')
    return parsed


IsoDate = Annotated[date, BeforeValidator(_quoted_date)]


class WrittenReader(FieldReader):
    """Reads trimmed text of at most `limit` characters (unless a field says otherwise) and
    YYYY-MM-DD dates, collecting every problem with its field's label."""

    def __init__(self, raw: RawAnswer, limit: int) -> None:
        super().__init__(raw)
        self.limit = limit

    def text(
        self, field: str, label: str, missing: str | None = MISSING_TEXT, limit: int | None = None
    ) -> str:
        """The field's text; an empty one is an error saying `missing`, unless that is None."""
        limit = limit or self.limit
        value = single(self.raw, field).strip()
        if len(value) > limit:
            self.error(field, label, TOO_LONG.format(limit=limit, length=len(value)))
        elif not value and missing:
            self.error(field, label, missing)
        return value

    def date(self, field: str, label: str) -> date | None:
        value = single(self.raw, field).strip()
        parsed = iso_date(value)
        if not value:
            self.error(field, label, MISSING_DATE)
        elif parsed is None:
            self.error(field, label, NOT_A_DATE.format(text=value[:40]))
        return parsed

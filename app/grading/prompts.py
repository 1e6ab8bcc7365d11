"""Fill a prompt's {{ placeholders }} with the variant's values.

Deliberately not a template engine: content is written by instructors, who are not
trusted to run code, so a placeholder is only a path into the variant
(`{{ units }}`, `{{ steps[0].name }}`) and nothing else is evaluated.
"""

import re
from typing import Any

from app.grading.numbers import format_number

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.\w+|\[\d+\])*)\s*\}\}")
_SEGMENT = re.compile(r"\.?(\w+)|\[(\d+)\]")


class PlaceholderError(ValueError):
    def __init__(self, path: str, line: int) -> None:
        super().__init__(f"unknown placeholder {{{{ {path} }}}}")
        self.path = path
        self.line = line


def resolve(path: str, variant: dict[str, Any]) -> Any:
    value: Any = variant
    for name, index in _SEGMENT.findall(path):
        value = value[int(index)] if index else value[name]
    return value


def _show(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_number(value, 4)


def fill(template: str, variant: dict[str, Any]) -> str:
    """Replace every placeholder, or raise PlaceholderError naming the first unknown one."""

    def replace(match: re.Match[str]) -> str:
        try:
            return _show(resolve(match.group(1), variant))
        except (KeyError, IndexError, TypeError):
            line = template.count("\n", 0, match.start()) + 1
            raise PlaceholderError(match.group(1), line) from None

    return PLACEHOLDER.sub(replace, template)

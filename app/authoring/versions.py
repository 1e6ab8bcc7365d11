"""Comparing two versions of a module or an exercise, line by line, for the history page."""

import difflib

from app.errors import InvalidInput

CONTEXT_LINES = 3


def version_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The changed lines with a little context, each tagged `add`, `del`, `hunk` or `same`;
    empty when the texts are equal."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=CONTEXT_LINES
    )
    tagged = []
    for line in list(lines)[2:]:  # the first two lines name the files
        if line.startswith("@@"):
            tagged.append(("hunk", line))
        elif line.startswith("+"):
            tagged.append(("add", line[1:]))
        elif line.startswith("-"):
            tagged.append(("del", line[1:]))
        else:
            tagged.append(("same", line[1:]))
    return tagged


def versions_to_compare(old: int | None, new: int | None) -> tuple[int, int]:
    """The two version numbers a diff page was asked for. Checked after the module or
    exercise is found, so an unknown one answers 404 whatever the query says."""
    if old is None or new is None:
        field = "old" if old is None else "new"
        raise InvalidInput("Choose the two versions to compare.", field=field)
    return old, new

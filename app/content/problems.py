"""A problem found in a content file, reported as path:line: message."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """A file's text, or the problem that stops it being read, on the line of a bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(path, line, f"not valid UTF-8 text ({error.reason})")

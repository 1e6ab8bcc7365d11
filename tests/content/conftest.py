"""A builder for small content trees (courses/ and exercises/) in a temporary folder."""

import re
import shutil
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from app.content.loader import LoadedContent, load_content

BODY = """\
## Why it matters

Work waits far longer than it is worked on. This module shows how to see the waiting.

## Summary

- Waiting is most of the lead time.
"""


@dataclass(frozen=True)
class Written:
    path: Path
    id: uuid.UUID


class ContentTree:
    """Writes course.yaml files, module index.md files and exercise folders under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str) -> Path:
        """Write `text` (dedented, so tests can indent it) and return the file's path."""
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def course(
        self,
        folder: str,
        modules: list[str],
        *,
        id: uuid.UUID | None = None,
        title: str = "Yellow Belt",
        belt: str = "yellow",
    ) -> Written:
        id = id or uuid.uuid4()
        listed = "".join(f"  - {name}\n" for name in modules)
        text = f"id: {id}\ntitle: {title}\nbelt: {belt}\nmodules:\n{listed}"
        return Written(self.write(f"courses/{folder}/course.yaml", text), id)

    def module(
        self,
        course: str,
        folder: str,
        *,
        id: uuid.UUID | None = None,
        title: str | None = None,
        exercises: tuple[str, ...] = (),
        body: str = BODY,
    ) -> Written:
        id = id or uuid.uuid4()
        listed = "".join(f"\n  - {slug}" for slug in exercises) or " []"
        text = (
            "---\n"
            f"id: {id}\n"
            f"title: {title or folder.replace('-', ' ').capitalize()}\n"
            "minutes: 10\n"
            "objectives:\n"
            "  - Explain why work waits between steps.\n"
            "  - Calculate the share of lead time spent working.\n"
            f"exercises:{listed}\n"
            "---\n"
            "\n"
            f"{body}"
        )
        return Written(self.write(f"courses/{course}/{folder}/index.md", text), id)

    def exercise(self, slug: str) -> Path:
        """A valid exercise folder: a copy of one of the repository's exercises, given a
        fresh id, so it follows the exercise format whatever that format becomes."""
        template = next(
            folder
            for folder in sorted((REPO_ROOT / "exercises").iterdir())
            if (folder / "exercise.yaml").is_file()
        )
        folder = self.path(f"exercises/{slug}")
        shutil.copytree(template, folder)
        definition = folder / "exercise.yaml"
        definition.write_text(
            re.sub(r"(?m)^id: .*$", f"id: {uuid.uuid4()}", definition.read_text())
        )
        return folder

    def load(self) -> LoadedContent:
        return load_content(self.root)

    def problems(self) -> list[str]:
        return [str(problem) for problem in self.load().problems]


@pytest.fixture
def tree(tmp_path: Path) -> ContentTree:
    """An empty content folder with a courses/ directory."""
    content = ContentTree(tmp_path / "content")
    content.path("courses").mkdir(parents=True)
    return content


@pytest.fixture
def two_courses(tree: ContentTree) -> ContentTree:
    """A valid tree: Yellow Belt with two modules, Green Belt with one; no exercises."""
    tree.course("yellow-belt", ["01-seeing-waste", "02-takt-time"])
    tree.module("yellow-belt", "01-seeing-waste", title="Seeing waste")
    tree.module("yellow-belt", "02-takt-time", title="Takt time")
    tree.course("green-belt", ["01-measure"], title="Green Belt", belt="green")
    tree.module("green-belt", "01-measure", title="Measure")
    return tree

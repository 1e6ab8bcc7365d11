"""exam.yaml: validated like the rest of the content, with its pools checked."""

import shutil

import pytest

from app.config import REPO_ROOT
from app.content.loader import load_content


@pytest.fixture
def content_copy(tmp_path):
    for folder in ("courses", "exercises"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return tmp_path


def write_exam(root, text):
    path = root / "courses" / "yellow-belt" / "exam.yaml"
    path.write_text(text)
    return path


EXAM = """\
id: 5d0c4b47-3b7a-4f55-9a55-3f7f0d6b2a11
title: Test exam
time_limit_minutes: 30
pass_mark: 0.8
slots:
  - pool: [yb-01-check]
  - pool: [yb-yield-mortgage, no-such-exercise]
"""


def test_the_repository_exam_loads(content_copy):
    course = load_content(content_copy).courses[0]
    assert course.exam is not None
    assert course.exam.meta.title == "Yellow Belt final exam"


def test_a_pool_naming_an_unknown_exercise_is_reported_on_its_line(content_copy):
    path = write_exam(content_copy, EXAM)
    loaded = load_content(content_copy)
    assert [str(p) for p in loaded.problems] == [
        f"{path}:7: slots.1.pool: exercise 'no-such-exercise' is not available"
    ]
    assert loaded.courses[0].exam is None
    assert len(loaded.courses[0].modules) == 10, "the course itself still loads"


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            ("time_limit_minutes: 30", "time_limit_minutes: 0"),
            3,
            "time_limit_minutes: Input should be greater than or equal to 1",
        ),
        (
            ("pass_mark: 0.8", "pass_mark: 80"),
            4,
            "pass_mark: Input should be less than or equal to 1",
        ),
        (
            ("title: Test exam", "title: Test exam\nfeedback: sometimes"),
            3,
            "feedback: Input should be 'per_question' or 'end'",
        ),
    ],
)
def test_invalid_rules_are_reported_with_their_line(content_copy, change, line, message):
    text = EXAM.replace("no-such-exercise", "yb-yield-claims").replace(*change)
    path = write_exam(content_copy, text)
    assert [str(p) for p in load_content(content_copy).problems] == [f"{path}:{line}: {message}"]

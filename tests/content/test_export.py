"""`takt content export`: the database's published content written back as files that sync
back unchanged, byte for byte for content that came from files."""

from pathlib import Path

import pytest
from sqlmodel import select

from app.config import REPO_ROOT
from app.content.export import ExportError, collect_content, course_yaml, export_content
from app.content.loader import load_content
from app.content.sync import current_exercise_version, current_version, sync_content
from app.models import Course, Exercise, Module, ModuleFigure
from tests.content.browser_edits import (
    PIXEL_SVG,
    create_module,
    exercise_id,
    publish_exercise,
    publish_module,
    write_two_courses,
)

TOP = ("courses", "exercises")


def content_files(root: Path) -> dict[str, bytes]:
    """Every file the loader reads under root, by relative path. Loose files directly in
    courses/ or exercises/ (such as exercises/README.md) are not content."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for top in TOP
        for path in sorted((root / top).rglob("*"))
        if path.is_file() and path.parent != root / top
    }


def assert_same_files(left: Path, right: Path) -> None:
    mine, theirs = content_files(left), content_files(right)
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []


def sync(db, root: Path, **options):  # type: ignore[no-untyped-def]
    loaded = load_content(root)
    assert [str(p) for p in loaded.problems] == []
    report = sync_content(db, loaded, **options)
    db.commit()
    return report


def module_of(db, slug: str) -> Module:
    found = db.exec(select(Module).where(Module.slug == slug)).first()
    assert found is not None
    return found


@pytest.fixture
def synced(db, tree, cast):
    """The two courses of write_two_courses, synced from files."""
    write_two_courses(tree)
    sync(db, tree.root)
    return tree


class TestExportingTheRepository:
    def test_it_gives_back_every_content_file_byte_for_byte(
        self, db, content, repository_content, tmp_path
    ):
        exported = export_content(db, tmp_path / "out")
        assert_same_files(tmp_path / "out", REPO_ROOT)
        modules = [m for c in repository_content.courses for m in c.modules]
        assert (exported.courses, exported.modules, exported.exercises, exported.exams) == (
            len(repository_content.courses),
            len(modules),
            len(repository_content.exercises),
            sum(1 for c in repository_content.courses if c.exam),
        )
        assert exported.figures == sum(len(m.figures) for m in modules) > 0
        assert exported.notes == []

    def test_export_sync_export_changes_nothing(self, db, content, tmp_path):
        export_content(db, tmp_path / "first")
        report = sync(db, tmp_path / "first")
        assert (report.created, report.updated, report.unpublished, report.kept) == ([], [], [], [])
        export_content(db, tmp_path / "second")
        assert_same_files(tmp_path / "first", tmp_path / "second")


class TestExportingBrowserWork:
    def test_a_module_published_in_the_browser_is_written_with_its_figures(
        self, db, synced, cast, tmp_path
    ):
        module = module_of(db, "takt-time")
        version = publish_module(
            db, module.id, cast["ines"], figures={"flow.svg": PIXEL_SVG, "a-b.svg": PIXEL_SVG}
        )
        exported = export_content(db, tmp_path / "out")
        folder = tmp_path / "out/courses/yellow-belt/02-takt-time"
        assert (folder / "index.md").read_bytes() == version.source_text.encode()
        assert (folder / "flow.svg").read_bytes() == PIXEL_SVG
        assert sorted(p.name for p in folder.iterdir()) == ["a-b.svg", "flow.svg", "index.md"]
        assert exported.figures == 2

    def test_a_module_published_in_the_browser_syncs_back_unchanged_and_exports_the_same(
        self, db, synced, cast, tmp_path
    ):
        module = module_of(db, "takt-time")
        version = publish_module(db, module.id, cast["ines"], figures={"flow.svg": PIXEL_SVG})
        export_content(db, tmp_path / "first")
        report = sync(db, tmp_path / "first")
        assert (report.created, report.updated, report.kept, report.conflicts) == ([], [], [], [])
        assert report.unchanged == 6  # 2 courses, 3 modules, 1 exercise
        db.expire_all()
        assert current_version(db, module_of(db, "takt-time")).id == version.id
        assert module_of(db, "takt-time").synced_hash == version.content_hash
        export_content(db, tmp_path / "second")
        assert_same_files(tmp_path / "first", tmp_path / "second")

    def test_an_exercise_published_in_the_browser_is_written_and_syncs_back_unchanged(
        self, db, synced, cast, tmp_path
    ):
        version = publish_exercise(db, "waiting-time", cast["ines"], prompt="Edited online.\n")
        export_content(db, tmp_path / "first")
        folder = tmp_path / "first/exercises/waiting-time"
        assert (folder / "prompt.md").read_text() == "Edited online.\n"
        assert (folder / "exercise.yaml").read_text() == version.source_files["exercise.yaml"]
        report = sync(db, tmp_path / "first")
        assert (report.created, report.updated, report.kept) == ([], [], [])
        exercise = db.get(Exercise, exercise_id(db, "waiting-time"))
        db.refresh(exercise)
        assert current_exercise_version(db, exercise.id).number == version.number
        assert exercise.synced_hash == version.content_hash
        export_content(db, tmp_path / "second")
        assert_same_files(tmp_path / "first", tmp_path / "second")

    def test_a_module_created_in_the_browser_is_added_to_course_yaml_and_nothing_else_changes(
        self, db, synced, cast, tmp_path
    ):
        course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        stored = course.source_text
        create_module(db, course.id, cast["ines"], slug="pull-systems", position=2)
        exported = export_content(db, tmp_path / "first")
        written = (tmp_path / "first/courses/yellow-belt/course.yaml").read_text()
        assert written == stored + "  - 03-pull-systems\n"
        assert exported.notes == [
            "courses/yellow-belt/course.yaml: modules list rewritten to match the published modules"
        ]
        report = sync(db, tmp_path / "first")
        assert (report.created, report.updated) == ([], ["course yellow-belt"])
        assert module_of(db, "pull-systems").synced_hash != ""
        export_content(db, tmp_path / "second")
        assert_same_files(tmp_path / "first", tmp_path / "second")


class TestWritingFromFields:
    def test_course_yaml_keeps_other_lines_when_its_modules_list_is_rewritten(self):
        text = (
            "id: 3771f48d-40b2-4530-b4a4-1dd6dba8a0d0\n"
            "title: Yellow Belt  # the first belt\n"
            "belt: yellow\n"
            "modules:\n"
            "  - 01-seeing-waste   # start here\n"
            "  - 02-takt-time\n"
            "prerequisites: []\n"
        )
        course = Course(id=1, slug="yellow-belt", belt="yellow", title="Yellow Belt")
        course.source_text = text
        notes: list[str] = []
        rewritten = course_yaml(course, ["02-takt-time", "01-seeing-waste"], notes)
        assert rewritten == text.replace(
            "  - 01-seeing-waste   # start here\n  - 02-takt-time\n",
            "  - 02-takt-time\n  - 01-seeing-waste\n",
        )
        assert course_yaml(course, ["01-seeing-waste", "02-takt-time"], notes) == text
        assert len(notes) == 1

    def test_course_yaml_is_written_from_the_course_when_no_text_was_kept(
        self, db, synced, tmp_path
    ):
        course = db.exec(select(Course).where(Course.slug == "green-belt")).one()
        course.source_text = None
        db.add(course)
        db.commit()
        exported = export_content(db, tmp_path / "out")
        loaded = load_content(tmp_path / "out")
        assert loaded.problems == []
        green = next(c for c in loaded.courses if c.slug == "green-belt")
        assert (green.meta.id, green.meta.title, green.meta.belt, green.meta.modules) == (
            course.id,
            "Green Belt",
            "green",
            ["01-measure"],
        )
        assert exported.notes == [
            "courses/green-belt/course.yaml: written from the course's fields"
        ]

    def test_a_module_version_without_kept_text_is_written_from_its_fields(
        self, db, synced, tmp_path
    ):
        version = current_version(db, module_of(db, "seeing-waste"))
        version.source_text = None
        db.add(version)
        db.commit()
        exported = export_content(db, tmp_path / "out")
        loaded = load_content(tmp_path / "out")
        assert loaded.problems == []
        module = loaded.courses[0].modules[0]
        assert (module.meta.title, module.meta.minutes, module.meta.exercises) == (
            "Seeing waste",
            version.minutes,
            ["waiting-time"],
        )
        assert module.meta.objectives == version.objectives
        assert module.body == version.body_markdown
        assert exported.notes == [
            "courses/yellow-belt/01-seeing-waste/index.md: regenerated from version 1"
        ]

    def test_an_exercise_version_without_kept_files_is_written_from_its_fields(
        self, db, synced, tmp_path
    ):
        version = current_exercise_version(db, exercise_id(db, "waiting-time"))
        version.source_files = None
        db.add(version)
        db.commit()
        export_content(db, tmp_path / "out")
        loaded = load_content(tmp_path / "out")
        assert loaded.problems == []
        exercise = loaded.exercises["waiting-time"]
        assert exercise.definition() == version.definition
        assert (exercise.prompt, exercise.solution) == (
            version.prompt_markdown,
            version.solution_markdown,
        )


class TestWhatIsLeftOut:
    def test_unpublished_modules_and_exercises_are_not_written(self, db, synced, tmp_path):
        module = module_of(db, "takt-time")
        module.is_published = False
        exercise = db.get(Exercise, exercise_id(db, "waiting-time"))
        exercise.is_published = False
        db.add_all([module, exercise])
        db.commit()
        exported = export_content(db, tmp_path / "out")
        files = content_files(tmp_path / "out")
        assert not any("takt-time" in name or "waiting-time/" in name for name in files)
        assert "  - 02-takt-time" not in files["courses/yellow-belt/course.yaml"].decode()
        assert (exported.modules, exported.exercises) == (2, 0)
        assert (
            "courses/yellow-belt/01-seeing-waste/index.md lists exercise 'waiting-time', "
            "which is not published and so was not exported"
        ) in exported.notes

    def test_a_figure_name_that_is_not_a_plain_file_name_stops_the_export(
        self, db, synced, cast, tmp_path
    ):
        version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        db.add(
            ModuleFigure(
                module_version_id=version.id,
                name="../../escape.svg",
                media_type="image/svg+xml",
                data=PIXEL_SVG,
            )
        )
        db.commit()
        with pytest.raises(ExportError, match=r"escape\.svg"):
            export_content(db, tmp_path / "out")
        assert not (tmp_path / "out").exists()
        assert not (tmp_path / "escape.svg").exists()

    def test_a_slug_that_cannot_be_a_folder_name_stops_the_export(self, db, synced):
        exercise = db.get(Exercise, exercise_id(db, "waiting-time"))
        exercise.slug = "~parked"
        db.add(exercise)
        db.commit()
        with pytest.raises(ExportError, match="'~parked'"):
            collect_content(db)


class TestTheTargetFolder:
    def test_a_folder_that_is_not_empty_is_refused_and_left_alone(self, db, synced, tmp_path):
        target = tmp_path / "out"
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        with pytest.raises(ExportError, match=r"not empty.*--force"):
            export_content(db, target)
        assert [p.name for p in target.iterdir()] == ["notes.txt"]

    def test_an_empty_folder_is_used(self, db, synced, tmp_path):
        (tmp_path / "out").mkdir()
        export_content(db, tmp_path / "out")
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["courses", "exercises"]

    def test_force_replaces_courses_and_exercises_and_keeps_everything_else(
        self, db, synced, tmp_path
    ):
        target = tmp_path / "out"
        for name in ("README.md", "exercises/README.md", "exercises/gone/exercise.yaml"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(name)
        (target / "courses/old-belt").mkdir(parents=True)
        (target / "courses/old-belt/course.yaml").write_text("old")
        export_content(db, target, force=True)
        assert (target / "README.md").read_text() == "README.md"
        assert (target / "exercises/README.md").read_text() == "exercises/README.md"
        assert not (target / "exercises/gone").exists()
        assert not (target / "courses/old-belt").exists()
        assert sorted(p.name for p in target.iterdir()) == ["README.md", "courses", "exercises"]
        assert_same_files(target, synced.root)

"""A sync never silently overwrites work published in the browser: it keeps a browser
version when the files did not change since the last sync, and when both changed it
writes nothing and reports the conflict, unless told to take the files' side."""

import shutil

import pytest
from sqlmodel import col, select

from app.content.conflicts import BOTH, CREATED, EDITED, REMOVED
from app.content.export import export_content
from app.content.sync import current_exercise_version, current_version, sync_content
from app.models import (
    Course,
    Exercise,
    ExerciseDraft,
    ExerciseVersion,
    Module,
    ModuleDraft,
    ModuleVersion,
)
from tests.content.browser_edits import (
    create_module,
    exercise_id,
    publish_exercise,
    publish_module,
    write_two_courses,
)
from tests.content.conftest import ContentTree


def sync(db, tree, **options):  # type: ignore[no-untyped-def]
    report = sync_content(db, tree.load(), **options)
    db.commit()
    db.expire_all()
    return report


def module_of(db, slug: str) -> Module:
    found = db.exec(select(Module).where(Module.slug == slug)).first()
    assert found is not None
    return found


def newest(db, slug: str) -> ModuleVersion:
    version = current_version(db, module_of(db, slug))
    assert version is not None
    return version


def newest_exercise(db, slug: str) -> ExerciseVersion:
    version = current_exercise_version(db, exercise_id(db, slug))
    assert version is not None
    return version


def snapshot(db) -> dict[str, object]:
    """Everything a sync writes, to show that a stopped sync wrote nothing."""
    db.expire_all()
    return {
        "courses": [
            (c.slug, c.title, c.content_hash, c.is_published)
            for c in db.exec(select(Course).order_by(col(Course.slug)))
        ],
        "modules": [
            (m.slug, m.position, m.is_published, m.synced_hash)
            for m in db.exec(select(Module).order_by(col(Module.slug)))
        ],
        "module_versions": list(db.exec(select(ModuleVersion.id).order_by(ModuleVersion.id))),
        "exercises": [
            (e.slug, e.is_published, e.synced_hash, e.course_id)
            for e in db.exec(select(Exercise).order_by(col(Exercise.slug)))
        ],
        "exercise_versions": list(db.exec(select(ExerciseVersion.id).order_by(ExerciseVersion.id))),
    }


def prepend(tree, relative: str, text: str) -> None:
    path = tree.path(relative)
    path.write_text(text + path.read_text())


def remove_takt_time(db, tree) -> None:
    """Take module 02-takt-time out of the files."""
    shutil.rmtree(tree.path("courses/yellow-belt/02-takt-time"))
    tree.course("yellow-belt", ["01-seeing-waste"], id=module_of(db, "seeing-waste").course_id)


def edit_file(tree, relative: str, old: str, new: str) -> None:
    path = tree.path(relative)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


SEEING_WASTE = "courses/yellow-belt/01-seeing-waste/index.md"
TAKT_TIME = "courses/yellow-belt/02-takt-time/index.md"


@pytest.fixture
def synced(db, tree, cast):
    """The two courses of write_two_courses, synced from files."""
    write_two_courses(tree)
    sync(db, tree)
    return tree


class TestBrowserEditsWithUnchangedFiles:
    def test_the_browser_version_stays_current_and_is_reported_as_kept(self, db, synced, cast):
        version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        report = sync(db, synced)
        assert newest(db, "takt-time").id == version.id
        assert [edit.label for edit in report.kept] == ["module yellow-belt/takt-time"]
        kept = report.kept[0]
        assert kept.situation == EDITED
        assert kept.path == str(synced.path(TAKT_TIME))
        assert kept.versions == (
            f"version 2 by Ines Ibarra <ines@example.com> on "
            f"{version.created_at.strftime('%Y-%m-%d %H:%M')} UTC",
        )
        assert (report.created, report.updated, report.conflicts) == ([], [], [])
        assert report.unchanged == 5
        assert "1 kept as edited in the browser" in report.summary()

    def test_other_changes_in_the_files_are_still_synced(self, db, synced, cast):
        publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        edit_file(synced, SEEING_WASTE, "Waiting is most", "Waiting is nearly all")
        report = sync(db, synced)
        assert report.updated == ["module yellow-belt/seeing-waste"]
        assert "Waiting is nearly all" in newest(db, "seeing-waste").body_markdown
        assert newest(db, "takt-time").origin == "browser"

    def test_it_is_kept_again_on_every_sync_until_exported(self, db, synced, cast):
        version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        sync(db, synced)
        report = sync(db, synced)
        assert [edit.label for edit in report.kept] == ["module yellow-belt/takt-time"]
        assert newest(db, "takt-time").id == version.id

    def test_an_exercise_edited_in_the_browser_is_kept(self, db, synced, cast):
        version = publish_exercise(db, "waiting-time", cast["ivo"], prompt="Edited online.\n")
        report = sync(db, synced)
        assert newest_exercise(db, "waiting-time").id == version.id
        assert [(e.label, e.situation) for e in report.kept] == [("exercise waiting-time", EDITED)]
        assert "Ivo Ilic" in report.kept[0].versions[0]


class TestBrowserWorkMissingFromTheFiles:
    def test_a_module_created_in_the_browser_is_kept_published(self, db, synced, cast):
        course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        create_module(db, course.id, cast["ines"], slug="pull-systems", position=2)
        report = sync(db, synced)
        assert module_of(db, "pull-systems").is_published
        assert report.unpublished == []
        assert [(e.label, e.situation, e.path) for e in report.kept] == [
            (
                "module yellow-belt/pull-systems",
                CREATED,
                "courses/yellow-belt/03-pull-systems/index.md",
            )
        ]

    def test_an_exercise_created_in_the_browser_keeps_its_course_and_stays_published(
        self, db, synced, cast
    ):
        version = publish_exercise(db, "waiting-time", cast["ines"], prompt="Edited online.\n")
        exercise = db.get(Exercise, version.exercise_id)
        course_id = exercise.course_id
        exercise.synced_hash = ""  # as if it had never been in the files
        db.add(exercise)
        db.commit()
        shutil.rmtree(synced.path("exercises/waiting-time"))
        edit_file(synced, SEEING_WASTE, "exercises:\n  - waiting-time", "exercises: []")
        report = sync(db, synced)
        db.refresh(exercise)
        assert (exercise.is_published, exercise.course_id) == (True, course_id)
        assert [(e.label, e.situation) for e in report.kept] == [("exercise waiting-time", CREATED)]

    def test_a_module_edited_in_the_browser_and_removed_from_the_files_is_a_conflict(
        self, db, synced, cast
    ):
        publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        remove_takt_time(db, synced)
        before = snapshot(db)
        report = sync(db, synced)
        assert [(e.label, e.situation) for e in report.conflicts] == [
            ("module yellow-belt/takt-time", REMOVED)
        ]
        assert snapshot(db) == before

    def test_a_browser_version_already_exported_and_synced_is_removed_like_any_module(
        self, db, synced, cast
    ):
        version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        synced.write(TAKT_TIME, version.source_text)
        assert sync(db, synced).changed is False
        remove_takt_time(db, synced)
        report = sync(db, synced)
        assert report.unpublished == ["module takt-time"]
        assert report.conflicts == []

    def test_files_changed_after_an_exported_browser_version_was_synced_simply_update(
        self, db, synced, cast
    ):
        version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        synced.write(TAKT_TIME, version.source_text)
        sync(db, synced)
        edit_file(synced, TAKT_TIME, "added in the browser", "added in the browser, then in git")
        report = sync(db, synced)
        assert report.updated == ["module yellow-belt/takt-time"]
        assert (report.conflicts, report.kept) == ([], [])
        assert newest(db, "takt-time").origin == "files"


class TestBothChanged:
    def test_the_sync_writes_nothing_and_reports_each_conflict(self, db, synced, cast):
        module_version = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        publish_exercise(db, "waiting-time", cast["ivo"], prompt="Edited online.\n")
        edit_file(synced, TAKT_TIME, "Waiting is most", "Waiting is nearly all")
        prepend(synced, "exercises/waiting-time/solution.md", "Edited in git.\n\n")
        # Unrelated changes that a sync would otherwise write:
        edit_file(synced, SEEING_WASTE, "Waiting is most", "Waiting is much")
        edit_file(synced, "courses/green-belt/course.yaml", "Green Belt", "Green Belt II")
        synced.course("black-belt", ["01-doe"], title="Black Belt", belt="black")
        synced.module("black-belt", "01-doe")
        before = snapshot(db)
        report = sync(db, synced)
        assert snapshot(db) == before
        assert [(e.label, e.situation) for e in report.conflicts] == [
            ("module yellow-belt/takt-time", BOTH),
            ("exercise waiting-time", BOTH),
        ]
        assert report.conflicts[0].path == str(synced.path(TAKT_TIME))
        assert report.conflicts[0].versions[0].startswith("version 2 by Ines Ibarra")
        assert report.conflicts[1].versions[0].startswith("version 2 by Ivo Ilic")
        assert (report.created, report.updated, report.unpublished) == ([], [], [])
        assert report.summary() == (
            "2 conflict(s) with changes published in the browser; nothing was written"
        )
        assert newest(db, "takt-time").id == module_version.id

    def test_every_browser_version_since_the_last_sync_is_listed(self, db, synced, cast):
        module_id = module_of(db, "takt-time").id
        publish_module(db, module_id, cast["ines"])
        publish_module(db, module_id, cast["omar"], text=newest(db, "takt-time").source_text + "!")
        edit_file(synced, TAKT_TIME, "Waiting is most", "Waiting is nearly all")
        (conflict,) = sync(db, synced).conflicts
        assert [v.split(" <")[0] for v in conflict.versions] == [
            "version 2 by Ines Ibarra",
            "version 3 by Omar Okafor",
        ]

    def test_overwriting_takes_the_files_side_and_keeps_the_browser_versions_in_history(
        self, db, synced, cast
    ):
        browser = publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        publish_exercise(db, "waiting-time", cast["ivo"], prompt="Edited online.\n")
        edit_file(synced, TAKT_TIME, "Waiting is most", "Waiting is nearly all")
        report = sync(db, synced, overwrite_browser_edits=True)
        assert [(e.label, e.situation) for e in report.overwritten] == [
            ("module yellow-belt/takt-time", BOTH),
            ("exercise waiting-time", EDITED),
        ]
        assert report.conflicts == []
        assert sorted(report.updated) == ["exercise waiting-time", "module yellow-belt/takt-time"]
        current = newest(db, "takt-time")
        assert (current.number, current.origin) == (3, "files")
        assert "Waiting is nearly all" in current.body_markdown
        assert db.get(ModuleVersion, browser.id).source_text == browser.source_text
        assert newest_exercise(db, "waiting-time").origin == "files"
        assert module_of(db, "takt-time").synced_hash == current.content_hash
        assert sync(db, synced).changed is False

    def test_overwriting_unpublishes_a_module_only_the_browser_has(self, db, synced, cast):
        course = db.exec(select(Course).where(Course.slug == "yellow-belt")).one()
        create_module(db, course.id, cast["ines"], slug="pull-systems", position=2)
        report = sync(db, synced, overwrite_browser_edits=True)
        assert report.unpublished == ["module pull-systems"]
        assert not module_of(db, "pull-systems").is_published


class TestResolvingAConflict:
    def test_export_sync_the_export_merge_and_sync_again_keeps_both_changes(
        self, db, synced, cast, tmp_path
    ):
        publish_module(db, module_of(db, "takt-time").id, cast["ines"])
        edit_file(synced, TAKT_TIME, "Waiting is most", "Waiting is nearly all")
        assert sync(db, synced).conflicts != []
        export_content(db, tmp_path / "from-browser")
        recorded = sync(db, ContentTree(tmp_path / "from-browser"))
        assert (recorded.created, recorded.updated, recorded.conflicts) == ([], [], [])
        # The merge: the browser's paragraph joins the files' edit.
        exported = (tmp_path / "from-browser" / TAKT_TIME).read_text()
        assert "Waiting is most" in exported
        synced.write(TAKT_TIME, exported.replace("Waiting is most", "Waiting is nearly all"))
        report = sync(db, synced)
        assert (report.updated, report.conflicts) == (["module yellow-belt/takt-time"], [])
        current = newest(db, "takt-time")
        assert (current.number, current.origin) == (3, "files")
        assert "Waiting is nearly all" in current.body_markdown
        assert "A paragraph added in the browser." in current.body_markdown

    def test_browser_work_published_after_the_export_is_still_caught(
        self, db, synced, cast, tmp_path
    ):
        module_id = module_of(db, "takt-time").id
        publish_module(db, module_id, cast["ines"])
        export_content(db, tmp_path / "from-browser")
        publish_module(db, module_id, cast["ivo"], text=newest(db, "takt-time").source_text + "!")
        report = sync(db, ContentTree(tmp_path / "from-browser"))
        assert [(e.label, e.situation) for e in report.conflicts] == [
            ("module yellow-belt/takt-time", BOTH)
        ]


class TestDrafts:
    def test_files_changed_under_a_draft_sync_with_a_warning(self, db, synced, cast):
        module = module_of(db, "takt-time")
        db.add(
            ModuleDraft(
                module_id=module.id,
                based_on=1,
                title="Takt time, redrafted",
                minutes=12,
                body_markdown="Draft text.",
                updated_by_id=cast["ines"].id,
            )
        )
        db.commit()
        edit_file(synced, TAKT_TIME, "Waiting is most", "Waiting is nearly all")
        report = sync(db, synced)
        assert report.updated == ["module yellow-belt/takt-time"]
        assert newest(db, "takt-time").number == 2
        (warning,) = report.warnings
        assert warning.startswith(
            f"module yellow-belt/takt-time ({synced.path(TAKT_TIME)}): the files bring a new "
            "version, but a draft by Ines Ibarra <ines@example.com>"
        )
        assert "started from version 1" in warning

    def test_a_draft_of_an_unchanged_item_raises_no_warning(self, db, synced, cast):
        db.add(
            ExerciseDraft(
                exercise_id=exercise_id(db, "waiting-time"),
                based_on=1,
                title="Draft",
                kind="quiz",
                prompt_markdown="Draft.",
                solution_markdown="Draft.",
                updated_by_id=cast["ines"].id,
            )
        )
        db.commit()
        assert sync(db, synced).warnings == []
        prepend(synced, "exercises/waiting-time/solution.md", "Edited in git.\n\n")
        assert [w.split(" (")[0] for w in sync(db, synced).warnings] == ["exercise waiting-time"]

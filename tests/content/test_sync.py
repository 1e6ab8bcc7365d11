"""Syncing loaded content into the database: keyed by uuid, idempotent, never deleting."""

import shutil

import pytest
from sqlmodel import col, func, select

from app.content.sync import current_version, sync_content
from app.models import Course, Module, ModuleProgress, ModuleVersion


def sync(db, tree):
    report = sync_content(db, tree.load())
    db.commit()
    return report


def count(db, table) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


def module(db, id) -> Module:
    db.expire_all()
    found = db.get(Module, id)
    assert found is not None
    return found


def versions(db, id) -> list[int]:
    statement = select(ModuleVersion.number).where(ModuleVersion.module_id == id)
    return sorted(db.exec(statement))


def ids_of(tree, course: str) -> dict[str, object]:
    """Module slug -> uuid, as the files say."""
    loaded = {c.slug: c for c in tree.load().courses}
    return {m.slug: m.meta.id for m in loaded[course].modules}


@pytest.fixture
def synced(db, two_courses):
    sync(db, two_courses)
    return two_courses


@pytest.fixture
def ada_read_seeing_waste(db, cast, synced):
    """Ada has read the first Yellow Belt module."""
    seeing_waste = module(db, ids_of(synced, "yellow-belt")["seeing-waste"])
    version = current_version(db, seeing_waste)
    assert version is not None
    progress = ModuleProgress(
        user_id=cast["ada"].id, module_id=seeing_waste.id, module_version_id=version.id
    )
    db.add(progress)
    db.commit()
    return progress


class TestFirstSync:
    def test_it_creates_each_course_and_module_with_a_first_version(self, db, two_courses):
        report = sync(db, two_courses)
        assert sorted(report.created) == [
            "course green-belt",
            "course yellow-belt",
            "module green-belt/measure",
            "module yellow-belt/seeing-waste",
            "module yellow-belt/takt-time",
        ]
        assert (count(db, Course), count(db, Module), count(db, ModuleVersion)) == (2, 3, 3)
        assert set(db.exec(select(ModuleVersion.number))) == {1}

    def test_courses_and_modules_take_their_slug_title_belt_and_position(self, db, two_courses):
        sync(db, two_courses)
        courses = db.exec(select(Course).order_by(col(Course.position))).all()
        # Catalogue order follows the belts, whatever the folder names.
        assert [(c.slug, c.title, c.belt, c.is_published) for c in courses] == [
            ("yellow-belt", "Yellow Belt", "yellow", True),
            ("green-belt", "Green Belt", "green", True),
        ]
        yellow = courses[0]
        modules = db.exec(
            select(Module).where(Module.course_id == yellow.id).order_by(col(Module.position))
        ).all()
        assert [(m.slug, m.position, m.is_published) for m in modules] == [
            ("seeing-waste", 0, True),
            ("takt-time", 1, True),
        ]

    def test_a_version_stores_the_front_matter_the_markdown_and_the_rendered_html(self, db, tree):
        tree.exercise("takt-time")
        tree.course("yellow-belt", ["01-takt-time"])
        written = tree.module(
            "yellow-belt",
            "01-takt-time",
            title="Takt time",
            exercises=("takt-time",),
            body="## Why flow\n\nWork *waits* between steps.\n",
        )
        sync(db, tree)
        [version] = db.exec(select(ModuleVersion).where(ModuleVersion.module_id == written.id))
        assert version.title == "Takt time"
        assert version.minutes == 10
        assert version.objectives == [
            "Explain why work waits between steps.",
            "Calculate the share of lead time spent working.",
        ]
        assert version.exercise_slugs == ["takt-time"]
        assert version.body_markdown == "## Why flow\n\nWork *waits* between steps."
        assert '<h2 id="sec-why-flow">Why flow</h2>' in version.body_html
        assert "<em>waits</em>" in version.body_html
        assert version.word_count == 6  # Why flow Work waits between steps


class TestSyncingAgain:
    def test_unchanged_content_creates_no_rows_and_reports_everything_unchanged(self, db, synced):
        before = (count(db, Course), count(db, Module), count(db, ModuleVersion))
        report = sync(db, synced)
        assert (report.created, report.updated, report.unpublished) == ([], [], [])
        assert report.unchanged == 5  # two courses, three modules
        assert not report.changed
        assert report.summary() == "0 created, 0 updated, 0 unpublished, 5 unchanged"
        assert (count(db, Course), count(db, Module), count(db, ModuleVersion)) == before
        assert set(db.exec(select(ModuleVersion.number))) == {1}


class TestEditingAModule:
    def test_changed_text_creates_version_2_of_that_module_only(self, db, synced):
        ids = ids_of(synced, "yellow-belt")
        path = synced.path("courses/yellow-belt/02-takt-time/index.md")
        path.write_text(path.read_text() + "\nTakt is the pace of customer demand.\n")
        report = sync(db, synced)
        assert report.updated == ["module yellow-belt/takt-time"]
        assert report.created == []
        assert versions(db, ids["takt-time"]) == [1, 2]
        assert versions(db, ids["seeing-waste"]) == [1]
        latest = current_version(db, module(db, ids["takt-time"]))
        assert latest is not None
        assert latest.number == 2
        assert "Takt is the pace of customer demand." in latest.body_html

    def test_the_earlier_version_is_kept_as_it_was(self, db, synced):
        takt_id = ids_of(synced, "yellow-belt")["takt-time"]
        path = synced.path("courses/yellow-belt/02-takt-time/index.md")
        path.write_text(path.read_text().replace("Work waits far longer", "Work idles longer"))
        sync(db, synced)
        first = db.exec(
            select(ModuleVersion).where(
                ModuleVersion.module_id == takt_id, ModuleVersion.number == 1
            )
        ).one()
        assert "Work waits far longer" in first.body_markdown

    def test_a_changed_course_title_updates_the_course_but_versions_no_module(self, db, synced):
        path = synced.path("courses/yellow-belt/course.yaml")
        path.write_text(path.read_text().replace("title: Yellow Belt", "title: Lean Basics"))
        report = sync(db, synced)
        assert report.updated == ["course yellow-belt"]
        assert db.exec(select(Course.title).where(Course.slug == "yellow-belt")).one() == (
            "Lean Basics"
        )
        assert count(db, ModuleVersion) == 3


class TestRenamingAModuleFolder:
    def rename(self, tree, old: str, new: str) -> None:
        course = tree.path("courses/yellow-belt")
        (course / old).rename(course / new)
        yaml = course / "course.yaml"
        yaml.write_text(yaml.read_text().replace(f"- {old}\n", f"- {new}\n"))

    def test_the_module_keeps_its_row_and_takes_the_new_slug(self, db, synced):
        seeing_waste_id = ids_of(synced, "yellow-belt")["seeing-waste"]
        self.rename(synced, "01-seeing-waste", "01-the-seven-wastes")
        report = sync(db, synced)
        assert report.created == []
        assert report.unpublished == []
        # course.yaml changed too, to list the new folder name
        assert report.updated == ["course yellow-belt", "module yellow-belt/the-seven-wastes"]
        renamed = module(db, seeing_waste_id)
        assert renamed.slug == "the-seven-wastes"
        assert renamed.is_published
        assert count(db, Module) == 3
        assert versions(db, seeing_waste_id) == [1]

    def test_the_learners_progress_survives_the_rename(self, db, synced, ada_read_seeing_waste):
        self.rename(synced, "01-seeing-waste", "01-the-seven-wastes")
        sync(db, synced)
        db.expire_all()
        [progress] = db.exec(select(ModuleProgress)).all()
        assert progress.id == ada_read_seeing_waste.id
        assert module(db, progress.module_id).slug == "the-seven-wastes"

    def test_two_modules_can_swap_folder_names(self, db, synced):
        ids = ids_of(synced, "yellow-belt")
        self.rename(synced, "01-seeing-waste", "01-swap")
        self.rename(synced, "02-takt-time", "02-seeing-waste")
        self.rename(synced, "01-swap", "01-takt-time")
        sync(db, synced)
        assert module(db, ids["seeing-waste"]).slug == "takt-time"
        assert module(db, ids["takt-time"]).slug == "seeing-waste"


class TestReordering:
    def test_a_new_order_in_course_yaml_updates_positions_without_new_versions(self, db, synced):
        ids = ids_of(synced, "yellow-belt")
        yaml = synced.path("courses/yellow-belt/course.yaml")
        yaml.write_text(
            yaml.read_text().replace(
                "  - 01-seeing-waste\n  - 02-takt-time\n", "  - 02-takt-time\n  - 01-seeing-waste\n"
            )
        )
        report = sync(db, synced)
        assert module(db, ids["takt-time"]).position == 0
        assert module(db, ids["seeing-waste"]).position == 1
        assert "module yellow-belt/takt-time" in report.updated
        assert "module yellow-belt/seeing-waste" in report.updated
        assert count(db, ModuleVersion) == 3


class TestRemovingContent:
    def remove_seeing_waste(self, tree) -> None:
        shutil.rmtree(tree.path("courses/yellow-belt/01-seeing-waste"))
        yaml = tree.path("courses/yellow-belt/course.yaml")
        yaml.write_text(yaml.read_text().replace("  - 01-seeing-waste\n", ""))

    def test_a_removed_module_is_unpublished_not_deleted(self, db, synced):
        seeing_waste_id = ids_of(synced, "yellow-belt")["seeing-waste"]
        self.remove_seeing_waste(synced)
        report = sync(db, synced)
        assert len(report.unpublished) == 1
        assert report.unpublished[0].endswith("seeing-waste")
        removed = module(db, seeing_waste_id)
        assert not removed.is_published
        assert versions(db, seeing_waste_id) == [1]
        assert count(db, Module) == 3

    def test_a_removed_modules_progress_is_kept(self, db, synced, ada_read_seeing_waste):
        self.remove_seeing_waste(synced)
        sync(db, synced)
        db.expire_all()
        assert [p.id for p in db.exec(select(ModuleProgress))] == [ada_read_seeing_waste.id]

    def test_a_module_put_back_is_published_again_in_the_same_row(self, db, synced):
        seeing_waste_id = ids_of(synced, "yellow-belt")["seeing-waste"]
        files = ("course.yaml", "01-seeing-waste/index.md")
        originals = {f: synced.path(f"courses/yellow-belt/{f}").read_text() for f in files}
        self.remove_seeing_waste(synced)
        sync(db, synced)
        for name, text in originals.items():
            synced.write(f"courses/yellow-belt/{name}", text)
        report = sync(db, synced)
        assert module(db, seeing_waste_id).is_published
        assert report.created == []
        assert versions(db, seeing_waste_id) == [1]

    def test_a_removed_course_is_unpublished_with_its_modules(self, db, synced):
        green_ids = ids_of(synced, "green-belt")
        shutil.rmtree(synced.path("courses/green-belt"))
        report = sync(db, synced)
        assert len(report.unpublished) == 2
        assert "course green-belt" in report.unpublished
        assert any(label.endswith("measure") for label in report.unpublished)
        green = db.exec(select(Course).where(Course.slug == "green-belt")).one()
        assert not green.is_published
        assert not module(db, green_ids["measure"]).is_published
        assert db.exec(select(Course.is_published).where(Course.slug == "yellow-belt")).one()

    def test_a_module_replaced_by_a_new_one_in_the_same_folder_syncs(self, db, synced):
        old_id = ids_of(synced, "yellow-belt")["seeing-waste"]
        shutil.rmtree(synced.path("courses/yellow-belt/01-seeing-waste"))
        new = synced.module("yellow-belt", "01-seeing-waste", title="Seeing waste, rewritten")
        sync(db, synced)
        assert module(db, new.id).slug == "seeing-waste"
        assert module(db, new.id).is_published
        assert not module(db, old_id).is_published

    def test_a_course_replaced_by_a_new_one_in_the_same_folder_syncs(self, db, synced):
        shutil.rmtree(synced.path("courses/green-belt"))
        new = synced.course("green-belt", ["01-measure"], title="Green Belt 2", belt="green")
        synced.module("green-belt", "01-measure")
        sync(db, synced)
        db.expire_all()
        assert db.get(Course, new.id).slug == "green-belt"


class TestContentWithProblems:
    def test_the_valid_parts_are_synced_and_the_broken_ones_left_out(self, db, two_courses):
        two_courses.write("courses/yellow-belt/02-takt-time/index.md", "no front matter\n")
        two_courses.write("courses/green-belt/course.yaml", "id: [\n")
        loaded = two_courses.load()
        assert len(loaded.problems) == 2
        report = sync_content(db, loaded)
        db.commit()
        assert sorted(report.created) == ["course yellow-belt", "module yellow-belt/seeing-waste"]
        assert db.exec(select(Course.slug)).all() == ["yellow-belt"]
        assert db.exec(select(Module.slug)).all() == ["seeing-waste"]

"""Loading content from files: what is valid loads, every problem is reported as path:line.

Files in these tests are written out in full, so the expected line can be counted by eye.
"""

import uuid

import pytest

from app.content.loader import load_content

COURSE_ID = uuid.UUID("3771f48d-40b2-4530-b4a4-1dd6dba8a0d0")
MODULE_ID = uuid.UUID("13b64e05-a7af-420d-9b52-1ec785ec128a")


def course_slugs(tree) -> list[str]:
    return [course.slug for course in tree.load().courses]


def module_slugs(tree, course: str) -> list[str]:
    loaded = {c.slug: c for c in tree.load().courses}
    return [module.slug for module in loaded[course].modules]


class TestValidContent:
    def test_every_course_and_module_loads_without_problems(self, two_courses):
        loaded = two_courses.load()
        assert loaded.problems == []
        assert sorted(c.slug for c in loaded.courses) == ["green-belt", "yellow-belt"]
        assert module_slugs(two_courses, "yellow-belt") == ["seeing-waste", "takt-time"]
        assert module_slugs(two_courses, "green-belt") == ["measure"]

    def test_modules_come_in_the_order_course_yaml_lists_them_not_the_folder_order(self, tree):
        tree.course("yellow-belt", ["03-pull", "01-seeing-waste", "02-flow"])
        for folder in ("01-seeing-waste", "02-flow", "03-pull"):
            tree.module("yellow-belt", folder)
        assert tree.problems() == []
        assert module_slugs(tree, "yellow-belt") == ["pull", "seeing-waste", "flow"]

    def test_a_module_slug_is_its_folder_name_without_the_number_prefix(self, tree):
        tree.course("yellow-belt", ["07-value-stream-mapping", "glossary"])
        tree.module("yellow-belt", "07-value-stream-mapping")
        tree.module("yellow-belt", "glossary")
        assert module_slugs(tree, "yellow-belt") == ["value-stream-mapping", "glossary"]

    def test_the_course_slug_is_its_folder_name(self, tree):
        tree.course("lean-for-hospitals", ["01-flow"])
        tree.module("lean-for-hospitals", "01-flow")
        assert course_slugs(tree) == ["lean-for-hospitals"]

    def test_front_matter_is_parsed_and_kept_apart_from_the_body(self, tree):
        tree.exercise("takt-time")
        tree.course("yellow-belt", ["02-takt-time"])
        tree.module("yellow-belt", "02-takt-time", title="Takt time", exercises=("takt-time",))
        loaded = tree.load()
        assert loaded.problems == []
        takt = loaded.courses[0].modules[0]
        assert takt.meta.title == "Takt time"
        assert takt.meta.minutes == 10
        assert takt.meta.exercises == ["takt-time"]
        assert takt.meta.objectives[0] == "Explain why work waits between steps."
        assert takt.body.startswith("## Why it matters")
        assert "---" not in takt.body

    def test_a_content_folder_without_courses_is_reported(self, tmp_path):
        loaded = load_content(tmp_path)
        assert [str(p) for p in loaded.problems] == [
            f"{tmp_path / 'courses'}:1: content folder has no courses/ directory"
        ]


class TestCourseFileProblems:
    def test_a_course_folder_without_course_yaml_is_reported_with_its_folder(self, two_courses):
        two_courses.path("courses/green-belt/course.yaml").unlink()
        folder = two_courses.path("courses/green-belt")
        assert two_courses.problems() == [f"{folder}:1: course folder has no course.yaml"]
        assert course_slugs(two_courses) == ["yellow-belt"]

    def test_a_yaml_syntax_error_is_reported_on_the_line_of_the_error(self, tree):
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            belt: yellow
            title: Yellow Belt: the basics
            modules:
              - 01-intro
            """,
        )
        assert tree.problems() == [f"{path}:3: invalid YAML: mapping values are not allowed here"]

    def test_an_unknown_field_is_reported_on_its_line(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            title: Yellow Belt
            belt: yellow
            colour: amber
            modules:
              - 01-intro
            """,
        )
        assert tree.problems() == [f"{path}:4: colour: unknown field"]
        assert course_slugs(tree) == []

    def test_an_unknown_field_holding_a_list_is_reported_on_the_line_of_its_key(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            title: Yellow Belt
            belt: yellow
            modules:
              - 01-intro
            authors:
              - Ines Ibarra
            """,
        )
        assert tree.problems() == [f"{path}:6: authors: unknown field"]

    def test_an_invalid_uuid_is_reported_on_its_line(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            """\
            title: Yellow Belt
            id: 3771f48d-not-a-uuid
            belt: yellow
            modules:
              - 01-intro
            """,
        )
        [problem] = tree.problems()
        assert problem.startswith(f"{path}:2: id: Input should be a valid UUID")

    def test_an_invalid_belt_is_reported_on_its_line_with_the_allowed_values(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            title: Yellow Belt
            modules:
              - 01-intro
            belt: orange
            """,
        )
        assert tree.problems() == [f"{path}:5: belt: Input should be 'yellow', 'green' or 'black'"]

    def test_a_missing_required_field_is_reported_at_the_top_of_the_file(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            belt: yellow
            modules:
              - 01-intro
            """,
        )
        assert tree.problems() == [f"{path}:1: title: required field is missing"]

    def test_a_module_name_that_is_not_a_slug_is_reported_on_its_list_item(self, tree):
        tree.module("yellow-belt", "01-intro")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            title: Yellow Belt
            belt: yellow
            modules:
              - 01-intro
              - 02_Flow
            """,
        )
        assert tree.problems() == [
            f"{path}:6: modules.1: must be lower-case words joined by hyphens "
            "(e.g. measuring-quality)"
        ]

    def test_a_listed_module_without_a_folder_is_reported_on_its_list_item(self, tree):
        tree.module("yellow-belt", "01-intro")
        tree.module("yellow-belt", "03-pull")
        path = tree.write(
            "courses/yellow-belt/course.yaml",
            f"""\
            id: {COURSE_ID}
            title: Yellow Belt
            belt: yellow
            modules:
              - 01-intro
              - 02-flow
              - 03-pull
            """,
        )
        assert tree.problems() == [f"{path}:6: module '02-flow' has no 02-flow/index.md"]
        assert module_slugs(tree, "yellow-belt") == ["intro", "pull"]

    def test_a_module_folder_not_listed_in_course_yaml_is_reported_with_its_folder(
        self, two_courses
    ):
        two_courses.module("yellow-belt", "03-forgotten")
        folder = two_courses.path("courses/yellow-belt/03-forgotten")
        assert two_courses.problems() == [
            f"{folder}:1: module folder is not listed in course.yaml modules"
        ]
        assert module_slugs(two_courses, "yellow-belt") == ["seeing-waste", "takt-time"]

    def test_a_course_yaml_that_is_not_valid_utf8_is_reported_and_left_out(self, two_courses):
        path = two_courses.write_bytes(
            "courses/green-belt/course.yaml", b"title: Gr\xfcn Belt\nbelt: green\n"
        )
        assert two_courses.problems() == [f"{path}:1: not valid UTF-8 text (invalid start byte)"]
        assert course_slugs(two_courses) == ["yellow-belt"]

    def test_a_course_id_used_twice_is_reported_on_the_id_line_of_the_second(self, tree):
        tree.course("green-belt", ["01-measure"], id=COURSE_ID, belt="green")
        tree.module("green-belt", "01-measure")
        second = tree.course("yellow-belt", ["01-intro"], id=COURSE_ID)
        tree.module("yellow-belt", "01-intro")
        first = tree.path("courses/green-belt/course.yaml")
        assert second.path.read_text().splitlines()[0] == f"id: {COURSE_ID}"
        assert tree.problems() == [f"{second.path}:1: id {COURSE_ID} is already used by {first}"]
        assert course_slugs(tree) == ["green-belt"]


def module_file(id: uuid.UUID | str = MODULE_ID, body: str = "## Flow\n\nWork flows.") -> str:
    """A valid index.md: front matter on lines 1-9, the body from line 11."""
    return (
        "---\n"
        f"id: {id}\n"
        "title: Flow\n"
        "minutes: 10\n"
        "objectives:\n"
        "  - Explain why work waits between steps.\n"
        "  - Calculate the share of lead time spent working.\n"
        "exercises: []\n"
        "---\n"
        "\n"
        f"{body}\n"
    )


@pytest.fixture
def flow(tree):
    """Yellow Belt listing 01-intro (valid) and 02-flow, whose index.md a test writes."""
    tree.course("yellow-belt", ["01-intro", "02-flow"], id=COURSE_ID)
    tree.module("yellow-belt", "01-intro")
    return tree


def write_flow(tree, text: str):
    return tree.write("courses/yellow-belt/02-flow/index.md", text)


class TestModuleFileProblems:
    def test_the_valid_module_file_used_below_loads(self, flow):
        write_flow(flow, module_file())
        assert flow.problems() == []
        assert module_slugs(flow, "yellow-belt") == ["intro", "flow"]

    def test_an_index_md_without_front_matter_is_reported_on_line_1(self, flow):
        path = write_flow(flow, "# Flow\n\nWork flows.\n")
        assert flow.problems() == [
            f"{path}:1: expected front matter: the file must start with '---'"
        ]
        assert module_slugs(flow, "yellow-belt") == ["intro"]

    def test_front_matter_that_is_never_closed_is_reported_on_its_opening_line(self, flow):
        path = write_flow(flow, module_file().replace("---\n\n", "\n"))
        assert flow.problems() == [f"{path}:1: front matter is not closed by a line with '---'"]

    def test_a_yaml_syntax_error_in_front_matter_is_reported_on_its_line_in_the_file(self, flow):
        path = write_flow(flow, module_file().replace("title: Flow", "title: Flow: the basics"))
        assert flow.problems() == [f"{path}:3: invalid YAML: mapping values are not allowed here"]

    def test_a_field_error_is_reported_on_its_line_in_the_file(self, flow):
        path = write_flow(flow, module_file().replace("minutes: 10", "minutes: 0"))
        assert flow.problems() == [f"{path}:4: minutes: Input should be greater than or equal to 1"]

    def test_an_error_in_a_list_item_is_reported_on_that_item(self, flow):
        path = write_flow(
            flow,
            module_file().replace("Calculate the share of lead time spent working.", "Do"),
        )
        assert flow.problems() == [
            f"{path}:7: objectives.1: String should have at least 5 characters"
        ]

    def test_an_unknown_front_matter_field_is_reported_on_its_line(self, flow):
        path = write_flow(flow, module_file().replace("minutes: 10\n", "minutes: 10\nlevel: 2\n"))
        assert flow.problems() == [f"{path}:5: level: unknown field"]

    def test_a_missing_front_matter_field_is_reported_on_the_first_front_matter_line(self, flow):
        path = write_flow(flow, module_file().replace("minutes: 10\n", ""))
        assert flow.problems() == [f"{path}:2: minutes: required field is missing"]
        assert module_slugs(flow, "yellow-belt") == ["intro"]

    def test_front_matter_that_is_not_a_mapping_is_reported_on_its_first_line(self, flow):
        path = write_flow(flow, "---\n- just\n- a list\n---\n\nWork flows.\n")
        assert flow.problems() == [f"{path}:2: expected a mapping of keys to values"]

    def test_a_module_without_teaching_text_is_reported_on_the_closing_line(self, flow):
        path = write_flow(flow, module_file(body="   \n\n"))
        assert flow.problems() == [
            f"{path}:9: the module has no teaching text after the front matter"
        ]
        assert module_slugs(flow, "yellow-belt") == ["intro"]

    def test_an_exercise_that_does_not_exist_is_reported_on_its_list_item(self, flow):
        flow.exercise("takt-time")
        text = module_file().replace("exercises: []", "exercises:\n  - takt-time\n  - little-law")
        path = write_flow(flow, text)
        assert flow.problems() == [f"{path}:10: exercise 'little-law' does not exist in exercises/"]

    def test_a_module_id_used_twice_keeps_the_first_and_reports_the_second(self, flow):
        first = flow.write("courses/yellow-belt/01-intro/index.md", module_file())
        second = write_flow(flow, module_file())
        assert flow.problems() == [f"{second}:2: id {MODULE_ID} is already used by {first}"]
        [course] = flow.load().courses
        assert [m.slug for m in course.modules] == ["intro"]
        assert course.modules[0].meta.id == MODULE_ID

    def test_a_module_id_used_again_in_another_course_is_reported_there(self, flow):
        first = write_flow(flow, module_file())
        flow.course("zero-defects", ["01-poka-yoke"], belt="green")
        second = flow.write("courses/zero-defects/01-poka-yoke/index.md", module_file())
        assert flow.problems() == [f"{second}:2: id {MODULE_ID} is already used by {first}"]
        assert module_slugs(flow, "zero-defects") == []
        assert module_slugs(flow, "yellow-belt") == ["intro", "flow"]

    def test_two_module_folders_with_the_same_slug_keep_the_first(self, tree):
        tree.course("yellow-belt", ["01-flow", "02-flow"])
        first = tree.module("yellow-belt", "01-flow")
        second = tree.module("yellow-belt", "02-flow")
        assert tree.problems() == [
            f"{second.path}:1: another module folder in this course is also named 'flow'"
        ]
        [course] = tree.load().courses
        assert [m.meta.id for m in course.modules] == [first.id]

    def test_an_index_md_that_is_not_valid_utf8_is_reported_and_left_out(self, flow):
        path = flow.write_bytes(
            "courses/yellow-belt/02-flow/index.md", b"\xff" + module_file().encode()
        )
        assert flow.problems() == [f"{path}:1: not valid UTF-8 text (invalid start byte)"]
        assert module_slugs(flow, "yellow-belt") == ["intro"]

    def test_invalid_utf8_is_reported_on_the_line_holding_the_bad_byte(self, flow):
        text = module_file(body="## Flow\n\nThe caf\xe9 queue.").encode("latin-1")
        path = flow.write_bytes("courses/yellow-belt/02-flow/index.md", text)
        assert flow.problems() == [f"{path}:13: not valid UTF-8 text (invalid continuation byte)"]


class TestOneBrokenFileDoesNotBlockTheRest:
    def test_a_broken_module_leaves_its_siblings_and_other_courses_loaded(self, two_courses):
        two_courses.write("courses/yellow-belt/01-seeing-waste/index.md", "no front matter\n")
        loaded = two_courses.load()
        assert len(loaded.problems) == 1
        courses = {c.slug: [m.slug for m in c.modules] for c in loaded.courses}
        assert courses == {"yellow-belt": ["takt-time"], "green-belt": ["measure"]}

    def test_a_broken_course_yaml_leaves_the_other_courses_loaded(self, two_courses):
        two_courses.write("courses/yellow-belt/course.yaml", "id: [\n")
        loaded = two_courses.load()
        assert [str(p.path) for p in loaded.problems] == [
            str(two_courses.path("courses/yellow-belt/course.yaml"))
        ]
        assert [c.slug for c in loaded.courses] == ["green-belt"]

    def test_every_problem_in_the_tree_is_reported_in_one_pass(self, two_courses):
        two_courses.write("courses/yellow-belt/01-seeing-waste/index.md", "no front matter\n")
        two_courses.path("courses/green-belt/course.yaml").unlink()
        two_courses.module("yellow-belt", "09-unlisted")
        paths = sorted(str(p.path) for p in two_courses.load().problems)
        assert paths == sorted(
            str(two_courses.path(relative))
            for relative in (
                "courses/yellow-belt/01-seeing-waste/index.md",
                "courses/green-belt",
                "courses/yellow-belt/09-unlisted",
            )
        )

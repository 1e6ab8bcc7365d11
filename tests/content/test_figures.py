"""Figures beside a module: checked when loaded, linked from the text, served to readers."""

import shutil

import pytest
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.content.loader import load_content
from app.content.sync import sync_content
from app.main import create_app
from tests.conftest import BASE_URL, make_settings, sign_in

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Box</title>'
    b'<rect width="10" height="10" fill="#000"/></svg>'
)
MODULE = "courses/yellow-belt/01-craft-mass-lean"


@pytest.fixture
def tree(tmp_path):
    for folder in ("courses", "exercises"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return tmp_path


def add_figure(tree, name, data, reference=True):
    (tree / MODULE / name).write_bytes(data)
    if reference:
        index = tree / MODULE / "index.md"
        index.write_text(index.read_text() + f'\n\n![A box]({name} "A box")\n')


def problems(tree):
    return [str(p).replace(str(tree) + "/", "") for p in load_content(tree).problems]


def test_a_referenced_svg_loads_with_its_module(tree):
    add_figure(tree, "box.svg", SVG)
    module = load_content(tree).courses[0].modules[0]
    assert module.figures["box.svg"].media_type == "image/svg+xml"


def test_a_missing_figure_is_reported_on_the_line_that_uses_it(tree):
    index = tree / MODULE / "index.md"
    index.write_text(index.read_text() + "\n![Map](map.svg)\n")
    line = len(index.read_text().splitlines())
    assert problems(tree) == [
        f"{MODULE}/index.md:{line}: figure 'map.svg' is not in the module folder"
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "bad.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>',
            "bad.svg:2: SVG figures may not contain script",
        ),
        (
            "bad.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="x()"/></svg>',
            "bad.svg:1: SVG figures may not contain script",
        ),
        (
            "tool.png",
            b"MZ\x90\x00 an executable renamed",
            "tool.png:1: the file is not really a png image",
        ),
        ("notes.txt", b"some notes", "notes.txt:1: only images can sit beside a module"),
        (
            "huge.png",
            b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024),
            "huge.png:1: figure is larger than 2 MB",
        ),
    ],
)
def test_unsafe_or_wrong_files_are_refused(tree, name, data, message):
    add_figure(tree, name, data, reference=False)
    found = problems(tree)
    assert len(found) == 1 and found[0].startswith(f"{MODULE}/{message}")


def test_the_module_links_its_figure_and_serves_it_to_signed_in_readers(
    tree, engine, db, tmp_path, cast
):
    add_figure(tree, "box.svg", SVG)
    sync_content(db, load_content(tree))
    db.commit()
    app = create_app(
        make_settings(str(engine.url), tmp_path / "var", content_dir=tree), engine=engine
    )
    with TestClient(app, base_url=BASE_URL) as client:
        anonymous = client.get("/courses/yellow-belt/craft-mass-lean", follow_redirects=False)
        assert anonymous.status_code == 303
        sign_in(client, "ada")
        page = client.get("/courses/yellow-belt/craft-mass-lean").text
        module_id = "13b64e05-a7af-420d-9b52-1ec785ec128a"
        src = f"/figures/{module_id}/1/box.svg"
        assert f'<img src="{src}" alt="A box"' in page
        image = client.get(src)
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/svg+xml"
        assert "sandbox" in image.headers["content-security-policy"]
        assert image.content == SVG
        assert client.get(f"/figures/{module_id}/1/other.svg").status_code == 404

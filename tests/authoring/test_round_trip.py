"""What the editors publish exports to files that sync back unchanged: the browser and git
agree on every byte that identifies a version."""

from sqlmodel import select

from app.content.export import export_content
from app.content.loader import load_content
from app.content.sync import sync_content
from app.models import ExerciseVersion, ModuleVersion
from tests.authoring.test_exercise_editor import EDITOR as EXERCISE_EDITOR
from tests.authoring.test_exercise_editor import editor_form as exercise_form
from tests.authoring.test_module_editor import EDITOR as MODULE_EDITOR
from tests.authoring.test_module_editor import PNG
from tests.authoring.test_module_editor import editor_form as module_form


def test_browser_versions_export_and_sync_back_unchanged(teaching, signed_in, db, tmp_path):
    ines = signed_in("ines")
    form = module_form(ines)
    ines.post(
        f"{MODULE_EDITOR}/figures",
        data={"csrf_token": form["csrf_token"]},
        files={"figure": ("flow.png", PNG, "image/png")},
    )
    form["body"] += "\n\n![The flow](flow.png)"
    assert (
        ines.post(f"{MODULE_EDITOR}/publish", data=form, follow_redirects=False).status_code == 303
    )
    form = exercise_form(ines)
    form["title"] = "Claims right first time"
    assert (
        ines.post(f"{EXERCISE_EDITOR}/publish", data=form, follow_redirects=False).status_code
        == 303
    )
    new_module, new_exercise = (
        len(db.exec(select(ModuleVersion)).all()),
        len(db.exec(select(ExerciseVersion)).all()),
    )

    export_content(db, tmp_path / "out")
    loaded = load_content(tmp_path / "out")
    assert loaded.problems == []
    report = sync_content(db, loaded)
    db.commit()

    assert report.created == [] and report.updated == [] and report.conflicts == []
    assert len(db.exec(select(ModuleVersion)).all()) == new_module
    assert len(db.exec(select(ExerciseVersion)).all()) == new_exercise
    index = next((tmp_path / "out" / "courses" / "yellow-belt").glob("*measuring-quality/index.md"))
    assert "![The flow](flow.png)" in index.read_text()
    assert (index.parent / "flow.png").read_bytes() == PNG

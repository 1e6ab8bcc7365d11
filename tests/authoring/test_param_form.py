"""The parameter form generated from each kind's schema can carry every exercise in the
repository: filling the form from an exercise and reading it back gives the same
parameters, and bad input names its control."""

import pytest

from app.authoring.param_form import param_fields, read_params
from app.config import REPO_ROOT
from app.content.loader import load_content
from app.errors import InvalidInput
from app.grading.kinds import KINDS

EXERCISES = sorted(load_content(REPO_ROOT).exercises.values(), key=lambda e: e.slug)


def as_posted(fields) -> dict[str, str]:
    """What a browser posts for the form as the editor fills it."""
    posted = {}
    for field in fields:
        if field.widget == "range":
            posted[f"{field.control}.min"], posted[f"{field.control}.max"] = field.value
        elif field.widget == "tick":
            if field.value:
                posted[field.control] = "yes"
        else:
            posted[field.control] = field.value
    return posted


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_every_exercise_survives_the_form(exercise):
    model = KINDS[exercise.meta.kind].Params
    fields = param_fields(model, exercise.meta.params)
    read = read_params(fields, as_posted(fields))
    assert model.model_validate(read) == model.model_validate(exercise.meta.params)


def test_every_kind_gets_a_control_per_parameter():
    for kind in KINDS.values():
        names = [field.name for field in param_fields(kind.Params, {})]
        assert names == list(kind.Params.model_json_schema()["properties"])


def yield_fields():
    return param_fields(KINDS["yield"].Params, {})


def test_half_a_range_is_refused_by_name():
    with pytest.raises(InvalidInput) as raised:
        read_params(yield_fields(), {"p.units_in.min": "5"})
    assert raised.value.field == "p.units_in"


def test_broken_yaml_is_refused_with_its_line():
    fields = param_fields(KINDS["quiz"].Params, {})
    with pytest.raises(InvalidInput, match="not valid YAML on line 2") as raised:
        read_params(fields, {"p.questions": "- id: a\n  text: [unclosed"})
    assert raised.value.field == "p.questions"


def test_a_whole_number_field_refuses_a_fraction():
    fields = param_fields(KINDS["capability"].Params, {})
    with pytest.raises(InvalidInput, match="whole number") as raised:
        read_params(fields, {"p.subgroup_size": "4.5"})
    assert raised.value.field == "p.subgroup_size"

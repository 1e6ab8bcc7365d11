"""The exercise editor's parameter form, generated from the kind's parameter schema.

Each top-level parameter becomes a control that suits its type: text, a number with the
schema's bounds, a choice, a tick box, a min–max pair for ranges drawn per learner, one
line per item for lists of text. Nested structures (questions, steps, factors) are edited
as YAML in a text box under their own name, which keeps every kind editable without a
hand-made form per kind. Reading the form back names the field of any problem.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from app.errors import InvalidInput

PREFIX = "p."


@dataclass(frozen=True)
class ParamField:
    name: str  # the parameter's name in exercise.yaml
    label: str
    widget: str  # text | number | choice | tick | range | lines | yaml
    value: Any  # str for most widgets; (min, max) for range; bool for tick
    required: bool
    hint: str = ""
    options: list[str] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    @property
    def control(self) -> str:
        return PREFIX + self.name


def param_fields(params_model: type[BaseModel], values: dict[str, Any]) -> list[ParamField]:
    schema = params_model.model_json_schema()
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", []))
    return [
        _field(name, _resolve(spec, definitions), name in required, values.get(name), definitions)
        for name, spec in schema.get("properties", {}).items()
    ]


def _resolve(spec: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in spec:
        return {**definitions[spec["$ref"].rsplit("/", 1)[-1]], **_without(spec, "$ref")}
    return spec


def _without(spec: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k != key}


def _field(
    name: str, spec: dict[str, Any], required: bool, value: Any, definitions: dict[str, Any]
) -> ParamField:
    label = name.replace("_", " ").capitalize()
    hint = spec.get("description", "")
    if value is None:
        value = spec.get("default")  # shown, so the author sees what applies
    if "anyOf" in spec:  # X | None: an optional X
        options = [_resolve(s, definitions) for s in spec["anyOf"] if s.get("type") != "null"]
        if len(options) == 1:
            merged = {**_without(spec, "anyOf"), **options[0]}
            return _field(name, merged, False, value, definitions)
        return ParamField(name, label, "yaml", _dump(value), required, hint)
    kind = spec.get("type")
    properties = spec.get("properties", {})
    if kind == "object" and set(properties) == {"min", "max"}:
        bounds = _resolve(properties["min"], definitions)
        low, high = (value or {}).get("min", ""), (value or {}).get("max", "")
        return ParamField(
            name,
            label,
            "range",
            (_text(low), _text(high)),
            required,
            hint or "Each learner gets a value drawn between these (equal values fix it).",
            minimum=bounds.get("minimum"),
            maximum=bounds.get("maximum"),
            integer=bounds.get("type") == "integer",
        )
    if "enum" in spec or "const" in spec:
        options = [str(o) for o in spec.get("enum", [spec.get("const")])]
        return ParamField(name, label, "choice", _text(value), required, hint, options)
    if kind in ("integer", "number"):
        return ParamField(
            name,
            label,
            "number",
            _text(value),
            required,
            hint,
            minimum=spec.get("minimum", spec.get("exclusiveMinimum")),
            maximum=spec.get("maximum", spec.get("exclusiveMaximum")),
            integer=kind == "integer",
        )
    if kind == "boolean":
        return ParamField(name, label, "tick", bool(value), False, hint)
    if kind == "string":
        return ParamField(name, label, "text", _text(value), required, hint)
    items = _resolve(spec.get("items", {}), definitions) if kind == "array" else {}
    if kind == "array" and items.get("type") == "string" and "enum" not in items:
        lines = "\n".join(str(v) for v in value or [])
        return ParamField(name, label, "lines", lines, required, hint or "One per line.")
    return ParamField(name, label, "yaml", _dump(value), required, hint or "Written as YAML.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


def _dump(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def read_params(fields: list[ParamField], form: dict[str, Any]) -> dict[str, Any]:
    """The parameters as exercise.yaml holds them; InvalidInput names a control that cannot
    be read. The kind's schema then checks the values themselves."""
    params: dict[str, Any] = {}
    for spec in fields:
        value = _read(spec, form)
        if value is not None:
            params[spec.name] = value
    return params


def _read(spec: ParamField, form: dict[str, Any]) -> Any:
    control = spec.control
    if spec.widget == "tick":
        return control in form
    if spec.widget == "range":
        low, high = (_number(spec, form.get(f"{control}.{end}", ""), end) for end in ("min", "max"))
        if low is None and high is None:
            return None
        if low is None or high is None:
            raise InvalidInput(
                f"{spec.label}: give both the lowest and the highest value.", control
            )
        return {"min": low, "max": high}
    raw = str(form.get(control, "")).strip()
    if not raw:
        return None
    if spec.widget == "number":
        return _number(spec, raw, None)
    if spec.widget == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if spec.widget == "yaml":
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" on line {mark.line + 1}" if mark else ""
            raise InvalidInput(f"{spec.label}: this is not valid YAML{where}.", control) from error
    if spec.widget == "choice" and raw not in spec.options:
        raise InvalidInput(f"{spec.label}: choose one of {', '.join(spec.options)}.", control)
    return raw


def _number(spec: ParamField, raw: str, end: str | None) -> float | int | None:
    raw = str(raw).strip()
    if not raw:
        return None
    control = spec.control + (f".{end}" if end else "")
    try:
        number = float(raw)
    except ValueError:
        raise InvalidInput(f"{spec.label}: “{raw}” is not a number.", control) from None
    if spec.integer:
        if not number.is_integer():
            raise InvalidInput(f"{spec.label}: give a whole number.", control)
        return int(number)
    return number

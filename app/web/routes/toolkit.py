"""The toolkit pages: a learner pastes or uploads data and sees the analysis and its chart."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from starlette.responses import Response

from app.deps import CurrentUser
from app.errors import InvalidInput, NotFound
from app.toolkit.tools import BY_SLUG, TOOLS, Tool
from app.web.forms import FormFields, validate_form
from app.web.rendering import render

router = APIRouter(prefix="/toolkit")

MAX_BYTES = 4 * 1024 * 1024


@router.get("")
def toolkit_index(request: Request, user: CurrentUser) -> Response:
    return render(request, "toolkit/index.html", {"tools": TOOLS})


@router.get("/{slug}")
def tool_form(request: Request, slug: str, user: CurrentUser, example: bool = False) -> Response:
    tool = _tool(slug)
    values = _defaults(tool)
    if example:
        values.update(data=tool.example, **tool.example_settings)
    return _page(request, tool, values)


@router.post("/{slug}")
def run_tool(
    request: Request,
    slug: str,
    user: CurrentUser,
    form: FormFields,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    tool = _tool(slug)
    values = _values(tool, form)
    try:
        if file is not None and file.filename:
            values["data"] = _decode(file.file.read(MAX_BYTES + 1))
    except InvalidInput as invalid:
        return _page(request, tool, values, {"file": invalid.detail}, status_code=422)
    given, errors = validate_form(tool.Input, _model_data(tool, values))
    if given is None:
        return _page(request, tool, values, errors, status_code=422)
    try:
        analysis = tool.run(given)
    except InvalidInput as invalid:
        errors = {invalid.field or "data": invalid.detail}
        return _page(request, tool, values, errors, status_code=422)
    return _page(request, tool, values, analysis=analysis)


def _tool(slug: str) -> Tool:
    if slug not in BY_SLUG:
        raise NotFound("There is no such tool.")
    return BY_SLUG[slug]


def _page(
    request: Request,
    tool: Tool,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    analysis: Any = None,
    status_code: int = 200,
) -> Response:
    errors = errors or {}
    field_names = {f.name for f in tool.fields} | {"data", "file"}
    general = [message for name, message in errors.items() if name not in field_names]
    context = {
        "tool": tool,
        "values": values,
        "errors": errors,
        "general_errors": general,
        "analysis": analysis,
    }
    return render(request, "toolkit/tool.html", context, status_code=status_code)


def _defaults(tool: Tool) -> dict[str, Any]:
    """The form's starting values: the input model's defaults, as the form shows them."""
    values: dict[str, Any] = {"data": ""}
    for spec in tool.fields:
        default = tool.Input.model_fields[spec.name].get_default(call_default_factory=True)
        if spec.kind == "checks":
            values[spec.name] = [str(v) for v in default]
        elif spec.kind == "list":
            values[spec.name] = ", ".join(default)
        elif spec.kind == "checkbox":
            values[spec.name] = bool(default)
        else:
            values[spec.name] = "" if default is None else str(default)
    return values


def _values(tool: Tool, form: Any) -> dict[str, Any]:
    """What was posted, kept as typed so the form shows it again."""
    values: dict[str, Any] = {"data": str(form.get("data") or "")}
    for spec in tool.fields:
        if spec.kind == "checks":
            values[spec.name] = [str(v) for v in form.getlist(spec.name)]
        elif spec.kind == "checkbox":
            values[spec.name] = form.get(spec.name) is not None
        else:
            values[spec.name] = str(form.get(spec.name) or "").strip()
    return values


def _model_data(tool: Tool, values: dict[str, Any]) -> dict[str, Any]:
    """Form values as the input model takes them; blank fields take the model's default."""
    data: dict[str, Any] = {"data": values["data"]}
    for spec in tool.fields:
        value = values[spec.name]
        if spec.kind == "list":
            data[spec.name] = [part.strip() for part in value.split(",") if part.strip()]
        elif spec.kind in ("checks", "checkbox") or value != "":
            data[spec.name] = value
    return data


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The file is over {MAX_BYTES // (1024 * 1024)} MB.", "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.", "file"
        ) from None

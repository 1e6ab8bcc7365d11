"""YAML parsing that remembers line numbers, so problems can be reported as path:line."""

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


class YamlDocument:
    """A parsed YAML mapping and the node tree that knows where each value stands."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self._offset = first_line - 1
        self.node = yaml.compose(text, Loader=yaml.SafeLoader)
        self.data: Any = yaml.safe_load(text)

    def line_of(self, loc: tuple[int | str, ...]) -> int:
        """1-based line of what `loc` names: the key's line for a mapping entry (so a
        block value is reported where its key stands), the item's line for a list entry,
        or the nearest enclosing one that exists."""
        node, line = self.node, None
        for key in loc:
            entry = _child(node, key)
            if entry is None:
                break
            key_node, node = entry
            line = (key_node or node).start_mark.line
        if line is None:
            line = node.start_mark.line if node is not None else 0
        return line + 1 + self._offset


def _child(node: yaml.Node | None, key: int | str) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The (key node, value node) of a mapping entry, or (None, item) of a list item."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return key_node, value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return None, node.value[key]
    return None


def parse_model(
    text: str, model: type[M], first_line: int = 1
) -> tuple[M | None, YamlDocument | None, list[YamlProblem]]:
    """Parse YAML text into `model`, collecting every problem with its line."""
    try:
        document = YamlDocument(text, first_line)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = (mark.line + 1 if mark else 1) + first_line - 1
        reason = getattr(error, "problem", None) or str(error)
        return None, None, [YamlProblem(line, f"invalid YAML: {reason}")]
    if not isinstance(document.data, dict):
        return None, document, [YamlProblem(first_line, "expected a mapping of keys to values")]
    try:
        return model.model_validate(document.data), document, []
    except ValidationError as error:
        return None, document, [_describe(document, detail) for detail in error.errors()]


def _describe(document: YamlDocument, detail: Any) -> YamlProblem:
    loc = tuple(detail["loc"])
    field = ".".join(str(part) for part in loc) or "(document)"
    message = detail["msg"]
    if detail["type"] == "missing":
        message = "required field is missing"
    elif detail["type"] == "extra_forbidden":
        message = "unknown field"
    elif detail["type"] == "string_pattern_mismatch":
        message = "must be lower-case words joined by hyphens (e.g. measuring-quality)"
    return YamlProblem(document.line_of(loc), f"{field}: {message}")

"""Fill a prompt's {{ placeholders }} with the variant's values.

Deliberately not a template engine: content is written by instructors, who are not
trusted to run code, so a placeholder is only a path into the variant
(`{{ units }}`, `{{ steps[0].name }}`) and nothing else is evaluated.
"""

import re
from functools import lru_cache
from typing import Any

from markdown_it.common.utils import escapeHtml

from app.content.markdown import render_markdown
from app.grading.numbers import format_number

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.\w+|\[\d+\])*)\s*\}\}")
_SEGMENT = re.compile(r"\.?(\w+)|\[(\d+)\]")


class PlaceholderError(ValueError):
    def __init__(self, path: str, line: int) -> None:
        super().__init__(f"unknown placeholder {{{{ {path} }}}}")
        self.path = path
        self.line = line


def resolve(path: str, variant: dict[str, Any]) -> Any:
    value: Any = variant
    for name, index in _SEGMENT.findall(path):
        value = value[int(index)] if index else value[name]
    return value


def _show(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_number(value, 4)


def fill(template: str, variant: dict[str, Any]) -> str:
    """Replace every placeholder, or raise PlaceholderError naming the first unknown one."""

    def replace(match: re.Match[str]) -> str:
        try:
            return _show(resolve(match.group(1), variant))
        except (KeyError, IndexError, TypeError):
            line = template.count("\n", 0, match.start()) + 1
            raise PlaceholderError(match.group(1), line) from None

    return PLACEHOLDER.sub(replace, template)


def render_filled(markdown: str, variant: dict[str, Any]) -> str:
    """The prompt or solution as HTML with the variant's values in it.

    A module page shows several exercises to every learner, each with its own numbers,
    and rendering Markdown was most of the page's cost. So the text is rendered once and
    plain values (numbers, words) go into the HTML afterwards, escaped as the renderer
    escapes text. A value that Markdown could read as markup (a scenario written with
    emphasis or quotes), or a placeholder the renderer would not keep as it is, is filled
    in before rendering, as before.
    """
    template = _rendered_template(markdown)
    if template is None:
        return render_markdown(fill(markdown, variant))
    try:
        shown = {path: _show(resolve(path, variant)) for path in set(PLACEHOLDER.findall(template))}
    except (KeyError, IndexError, TypeError):
        return render_markdown(fill(markdown, variant))  # raises the error with its line
    if not all(_PLAIN.fullmatch(text) for text in shown.values()):
        return render_markdown(fill(markdown, variant))
    return PLACEHOLDER.sub(lambda m: escapeHtml(shown[m.group(1)]), template)


# Text Markdown leaves alone wherever it stands, and that borders on markup as a word
# does: words and numbers with single spaces or marks between them ("1,250.5", "3/4",
# "Claims intake"). No emphasis, quotes, links, tables or HTML; no run of marks, which the
# typographer rewrites (",,", "--"); a letter or digit at each end, since a sign or a
# "%" there would change whether a neighbouring "*" opens or closes emphasis.
_PLAIN = re.compile(r"[A-Za-z0-9]+(?:[ %,:;/.][A-Za-z0-9]+)*")
_AT_LINE_START = re.compile(r"^[ \t]*\{\{", re.MULTILINE)


@lru_cache(maxsize=2048)
def _rendered_template(markdown: str) -> str | None:
    """The rendered text with its placeholders kept, or None where the values could
    change how the text renders: a placeholder at the start of a line (a number there can
    open a list), or one whose surroundings render differently once it is filled (a link
    target cannot hold the spaces of `{{ name }}`). A probe word in every placeholder
    must come out the same either way."""
    if _AT_LINE_START.search(markdown):
        return None
    html = render_markdown(markdown)
    probes = {
        path: f"probe{n}x" for n, path in enumerate(dict.fromkeys(PLACEHOLDER.findall(markdown)))
    }
    filled_after = PLACEHOLDER.sub(lambda m: probes.get(m.group(1), m.group(0)), html)
    filled_before = render_markdown(PLACEHOLDER.sub(lambda m: probes[m.group(1)], markdown))
    return html if filled_after == filled_before else None

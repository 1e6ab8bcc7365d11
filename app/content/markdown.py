"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises with an allowlist.

Raw HTML in the source is never passed through (html=False), and the sanitiser is a
second, independent line: no script, no event handlers, no style, no javascript: or
data: URLs and no hx-* attributes can reach a learner's page.
"""

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "img", "kbd", "li",
    "ol", "p", "pre", "s", "section", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Ids come from headings and footnotes only; anything else could clobber DOM globals.
SAFE_ID = re.compile(r"^(sec-[a-z0-9-]+|fn\d+|fnref\d+(:\d+)?)$")
ALIGN = re.compile(r"text-align:(left|right|center)")


def _slugify(title: str) -> str:
    """Heading ids: accents folded to plain letters, so "Übersicht" becomes "ubersicht"."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9\s-]", "", plain.lower()).split()
    return "sec-" + "-".join(words)[:60]


def _demote_title_headings(state: StateCore) -> None:
    """The page title is the only h1: a `#` heading in the text becomes an h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _figures(state: StateCore) -> None:
    """A paragraph holding only a titled image becomes a figure with a caption."""
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type != "paragraph_open" or not inline.children:
            continue
        if len(inline.children) != 1 or inline.children[0].type != "image":
            continue
        title = inline.children[0].attrGet("title")
        if not title:
            continue
        opening.tag = closing.tag = "figure"
        caption = [
            Token("figcaption_open", "figcaption", 1),
            Token("text", "", 0, content=str(title)),
            Token("figcaption_close", "figcaption", -1),
        ]
        tokens[index + 2 : index + 2] = caption


def _table_alignment(state: StateCore) -> None:
    """Inline styles are stripped by the sanitiser, so alignment travels as a class."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style and (match := ALIGN.search(str(style))):
                token.attrs.pop("style")
                token.attrSet("class", f"align-{match.group(1)}")


def _figure_urls(state: StateCore) -> None:
    base = state.env.get("figure_base") if isinstance(state.env, dict) else None
    if not base:
        return
    for token in state.tokens:
        for child in token.children or []:
            src = str(child.attrGet("src") or "") if child.type == "image" else ""
            if src and "://" not in src and not src.startswith(("/", "#", "data:")):
                child.attrSet("src", f"{base}/{src}")


def count_words(source: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*", source))


def _build_parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": False, "typographer": True})
        .enable(["table", "strikethrough", "replacements", "smartquotes"])
        .use(footnote_plugin)
        .use(admon_plugin)
        .use(anchors_plugin, min_level=2, max_level=3, slug_func=_slugify)
    )
    parser.core.ruler.before("anchor", "demote_title_headings", _demote_title_headings)
    parser.core.ruler.push("figures", _figures)
    parser.core.ruler.push("table_alignment", _table_alignment)
    parser.core.ruler.push("figure_urls", _figure_urls)
    return parser


_PARSER = _build_parser()


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not SAFE_ID.match(value):
        return None
    return value


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )


def render_markdown(source: str, figure_base: str | None = None) -> str:
    """Render trusted-format, untrusted-author markdown to sanitised HTML. With
    `figure_base`, images named relative to the module folder point under that URL."""
    return sanitise(_PARSER.render(source, {"figure_base": figure_base}))

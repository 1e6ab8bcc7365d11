"""The hostile-text corpus, and a check that reads a page the way a browser would and
finds any payload in a form that could run.

Every payload carries a marker (`xss` and a number). A payload is inert when its marker
shows up only as text or as the value of a harmless attribute; it is executable when the
marker sits in a script, in an event handler or hx-* attribute, in an element that
should never come from users (iframe, svg, object, …), or behind a javascript:/data: URL.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

TEMPLATE_SYNTAX = "{{ 7 * 7 }} {% raw %}{{ config }}{% endraw %} ${7 * 7}"

# (name, payload); {m} is replaced by the payload's own marker.
CORPUS: list[tuple[str, str]] = [
    ("script tag", '<script>alert("{m}")</script>'),
    ("img onerror", '<img src=x onerror=alert("{m}")>'),
    ("svg with script", '<svg onload=alert("{m}")><script>alert("{m}")</script></svg>'),
    ("javascript link", "<a href=\"javascript:alert('{m}')\">{m}</a>"),
    ("data url", "<a href=\"data:text/html,<script>alert('{m}')</script>\">{m}</a>"),
    ("hx attributes", '<div hx-get="/{m}" hx-trigger="load" hx-on:click="alert(1)">{m}</div>'),
    ("attribute breakout", '"><script>alert("{m}")</script>'),
    ("single-quote breakout", "' onmouseover='alert(\"{m}\")' x='"),
    ("textarea breakout", '</textarea><script>alert("{m}")</script>'),
    ("iframe srcdoc", "<iframe srcdoc=\"<script>alert('{m}')</script>\"></iframe>"),
    ("markdown javascript link", "[{m}](javascript:alert('{m}'))"),
    ("template syntax", "{m} " + TEMPLATE_SYNTAX),
]

NEVER_FROM_USERS = {
    "script", "iframe", "frame", "object", "embed", "svg", "math", "base", "meta", "link",
    "style", "template", "noscript",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


@dataclass(frozen=True)
class Payload:
    name: str
    marker: str
    text: str


def payloads(prefix: str = "xss") -> list[Payload]:
    return [
        Payload(name, f"{prefix}{number}q", template.replace("{m}", f"{prefix}{number}q"))
        for number, (name, template) in enumerate(CORPUS, start=1)
    ]


class _Scanner(HTMLParser):
    def __init__(self, markers: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.markers = markers
        self.open: list[str] = []
        self.found: list[str] = []

    def _marked(self, value: str | None) -> list[str]:
        return [m for m in self.markers if value and m in value]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            for marker in self._marked(value) + self._marked(name):
                if tag in NEVER_FROM_USERS:
                    self.found.append(f"{marker}: inside <{tag} {name}>")
                elif name.startswith(("on", "hx-", "data-hx", "style", "srcdoc")):
                    self.found.append(f"{marker}: in the {name} attribute of <{tag}>")
                elif name in URL_ATTRIBUTES and BAD_SCHEMES.match(value or ""):
                    self.found.append(f"{marker}: behind a {name}={value!r} URL on <{tag}>")
        if tag in ("script", "style", "svg", "iframe", "template"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.open:
            for marker in self._marked(data):
                self.found.append(f"{marker}: inside <{self.open[-1]}>")


def executable_payloads(page: str, markers: list[str]) -> list[str]:
    """Every marker found in an executable position of `page`; [] when all are inert."""
    scanner = _Scanner(markers)
    scanner.feed(page)
    scanner.close()
    return scanner.found


def shown(page: str, marker: str) -> bool:
    """The marker reached the page at all (as text or in a harmless attribute)."""
    return marker in html.unescape(page)


def assert_inert(page: str, corpus: list[Payload], *, expect_shown: bool = True) -> None:
    markers = [p.marker for p in corpus]
    assert executable_payloads(page, markers) == []
    if expect_shown:
        missing = [p.name for p in corpus if not shown(page, p.marker)]
        assert missing == [], f"these payloads never reached the page, so prove nothing: {missing}"
    text = html.unescape(page)
    for payload in corpus:
        if TEMPLATE_SYNTAX in payload.text and shown(page, payload.marker):
            # A template engine would have replaced {{ 7*7 }} with 49.
            assert "{{ 7 * 7 }}" in text
            assert "{% raw %}" in text

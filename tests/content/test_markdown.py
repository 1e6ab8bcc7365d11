"""Markdown rendering: the authoring features work, and nothing an author writes can run
in a learner's browser. Assertions read the output through an HTML parser, as a browser would.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.markdown import render_markdown, sanitise

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator["Node"]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str) -> list["Node"]:
        return [node for node in self.iter() if node.tag == tag]

    def find(self, tag: str) -> "Node":
        [node] = self.find_all(tag)
        return node

    def elements(self) -> list["Node"]:
        """Child elements, ignoring the whitespace between them."""
        return [c for c in self.children if isinstance(c, Node)]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def render(source: str) -> Node:
    return parse(render_markdown(source))


# What must never reach a learner's page, whatever the author wrote.
DANGEROUS_TAGS = {
    "applet", "base", "button", "embed", "form", "frame", "frameset", "iframe", "input",
    "link", "math", "meta", "noscript", "object", "script", "select", "style", "svg",
    "template", "textarea",
}  # fmt: skip
URL_ATTRIBUTES = {"action", "background", "cite", "data", "formaction", "href", "poster", "src"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it drops tabs and newlines anywhere and strips
    control characters and spaces at both ends before parsing."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip(C0_AND_SPACE)
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def dangers(html: str) -> list[str]:
    """Every dangerous element, attribute or URL in `html`, described; [] when safe."""
    found = []
    for node in parse(html).iter():
        if node.tag in DANGEROUS_TAGS:
            found.append(f"<{node.tag}> element")
        for name, value in node.attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name} on <{node.tag}>")
            elif name in ("style", "srcdoc", "srcset") or name.startswith(("hx-", "data-hx")):
                found.append(f"{name} attribute on <{node.tag}>")
            elif name in URL_ATTRIBUTES or ":" in name:
                scheme = url_scheme(value or "")
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    found.append(f"{name}={value!r} on <{node.tag}>")
            elif name == "id" and not (value or "").startswith(("sec-", "fn")):
                found.append(f"id={value!r} on <{node.tag}> could clobber a DOM global")
    return found


class TestTheSafetyCheckUsedBelow:
    """The check is only as good as what it catches, so it is shown catching each kind."""

    @pytest.mark.parametrize(
        "html",
        [
            "<script>alert(1)</script>",
            '<img src="x" onerror="alert(1)">',
            '<p style="color:red">x</p>',
            '<div hx-get="/admin/users">x</div>',
            '<a href=" &#x4A;ava&#9;script:alert(1)">x</a>',
            '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
            '<a id="location">x</a>',
        ],
    )
    def test_it_reports_a_dangerous_page(self, html):
        assert dangers(html) != []

    def test_it_accepts_ordinary_links_and_images(self):
        html = (
            '<a href="https://example.com/a">a</a><a href="mailto:q@example.com">b</a>'
            '<a href="#sec-flow">c</a><a href="../flow">d</a><img src="figure.svg" alt="">'
        )
        assert dangers(html) == []


class TestTables:
    SOURCE = """\
| Step | Team | Wait | Touch |
|:--|:-:|--:|---|
| 1 | Register | 1 | 20 |
"""

    def test_column_alignment_becomes_a_class_instead_of_an_inline_style(self):
        table = render(self.SOURCE).find("table")
        headers = table.find_all("th")
        assert [h.text() for h in headers] == ["Step", "Team", "Wait", "Touch"]
        assert [h.attrs.get("class") for h in headers] == [
            "align-left",
            "align-center",
            "align-right",
            None,
        ]
        cells = table.find("tbody").find_all("td")
        assert [c.attrs.get("class") for c in cells] == [
            "align-left",
            "align-center",
            "align-right",
            None,
        ]
        assert all("style" not in node.attrs for node in table.iter())

    def test_a_table_has_a_head_and_a_body(self):
        table = render(self.SOURCE).find("table")
        assert [e.tag for e in table.elements()] == ["thead", "tbody"]
        assert [td.text() for td in table.find("tbody").find_all("td")] == [
            "1",
            "Register",
            "1",
            "20",
        ]


class TestFootnotes:
    SOURCE = "Krafcik coined the term in 1988.[^1]\n\n[^1]: Sloan Management Review, 1988.\n"

    def test_a_reference_links_to_its_note_and_the_note_links_back(self):
        page = render(self.SOURCE)
        reference = page.find("sup").find("a")
        note = next(li for li in page.find_all("li") if "footnote-item" in li.classes)
        assert reference.attrs["href"] == f"#{note.attrs['id']}"
        assert reference.attrs["id"]
        backref = next(a for a in note.find_all("a") if "footnote-backref" in a.classes)
        assert backref.attrs["href"] == f"#{reference.attrs['id']}"
        assert "Sloan Management Review, 1988." in note.text()

    def test_the_notes_sit_in_their_own_section_after_the_text(self):
        page = render(self.SOURCE)
        assert [e.tag for e in page.elements()] == ["p", "hr", "section"]
        assert "footnotes" in page.find("section").classes


class TestAdmonitions:
    def test_a_note_with_a_title_becomes_a_div_with_a_title_paragraph(self):
        page = render('!!! note "The queue hides errors"\n    One file in five is wrong.\n')
        box = page.find("div")
        assert box.classes == ["admonition", "note"]
        title, body = box.elements()
        assert title.tag == "p"
        assert "admonition-title" in title.classes
        assert title.text() == "The queue hides errors"
        assert body.text() == "One file in five is wrong."

    def test_the_type_of_call_out_becomes_its_class(self):
        box = render('!!! warning "Careful"\n    Touch time flatters.\n').find("div")
        assert "warning" in box.classes

    def test_markup_in_a_title_is_shown_as_text(self):
        box = render('!!! note "<b onclick=x>Bold</b>"\n    Body.\n').find("div")
        assert box.find_all("b") == []
        assert box.elements()[0].text() == "<b onclick=x>Bold</b>"


class TestHeadingAnchors:
    def test_second_and_third_level_headings_get_ids_prefixed_sec(self):
        page = render("## Craft production\n\n### The two pillars: JIT & jidoka\n")
        assert page.find("h2").attrs["id"] == "sec-craft-production"
        assert page.find("h3").attrs["id"] == "sec-the-two-pillars-jit-jidoka"

    def test_two_headings_with_the_same_text_get_different_ids(self):
        page = render("## Summary\n\nOne.\n\n## Summary\n\nTwo.\n")
        ids = [h.attrs["id"] for h in page.find_all("h2")]
        assert len(set(ids)) == 2
        assert all(i.startswith("sec-summary") for i in ids)

    def test_a_heading_cannot_produce_an_id_outside_the_sec_namespace(self):
        # Ids become named globals (window.x, document.x); the prefix keeps headings from
        # shadowing names that scripts on the page read.
        page = render("## Location\n\n## __proto__\n")
        assert [h.attrs.get("id", "") for h in page.find_all("h2")] == [
            "sec-location",
            "sec-proto",
        ]


class TestFigures:
    def test_an_image_alone_with_a_title_becomes_a_captioned_figure(self):
        page = render('![Value stream map](vsm.svg "Figure 1: the claims process")\n')
        figure = page.find("figure")
        image, caption = figure.elements()
        assert image.tag == "img"
        assert image.attrs["src"] == "vsm.svg"
        assert image.attrs["alt"] == "Value stream map"
        assert caption.tag == "figcaption"
        assert caption.text() == "Figure 1: the claims process"
        assert page.find_all("p") == []

    def test_an_image_without_a_title_stays_an_image_in_a_paragraph(self):
        page = render("![Value stream map](vsm.svg)\n")
        assert page.find_all("figure") == []
        assert page.find("p").find("img").attrs["src"] == "vsm.svg"

    def test_a_titled_image_inside_a_sentence_is_not_made_a_figure(self):
        page = render('See ![the map](vsm.svg "Map") for the flow.\n')
        assert page.find_all("figure") == []
        assert page.find("p").find("img").attrs["title"] == "Map"


# Markdown an author could write. Each is rendered and the output checked for anything
# that could run script, send a request or restyle the page.
MARKDOWN_PAYLOADS = {
    "script tag": "<script>alert(1)</script>",
    "script block": "<script>\nalert(document.cookie)\n</script>\n",
    "img onerror": "<img src=x onerror=alert(1)>",
    "onclick": '<p onclick="alert(1)">Click me</p>',
    "body onload": "<body onload=alert(1)>",
    "svg onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "style attribute": '<p style="position:fixed;inset:0">covered</p>',
    "style element": "<style>body { display: none }</style>",
    "hx-get": '<div hx-get="/admin/users" hx-trigger="load">x</div>',
    "hx-post": '<button hx-post="/account/delete">Free prize</button>',
    "hx-on": '<div hx-on:click="alert(1)">x</div>',
    "form": '<form action="https://evil.example"><input name="password"></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "base href": '<base href="https://evil.example/">',
    "raw anchor with javascript": '<a href="javascript:alert(1)">x</a>',
    "markdown link javascript": "[click](javascript:alert(1))",
    "markdown link mixed case": "[click](JaVaScRiPt:alert(1))",
    "markdown link entity encoded": "[click](&#106;avascript:alert(1))",
    "markdown link hex entities": "[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "markdown link tab inside": "[click](java&#x09;script:alert(1))",
    "markdown link leading space": "[click](< javascript:alert(1)>)",
    "markdown link vbscript": "[click](vbscript:msgbox(1))",
    "markdown link data": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "reference link javascript": "[click][evil]\n\n[evil]: javascript:alert(1)\n",
    "autolink javascript": "<javascript:alert(1)>",
    "image javascript": "![x](javascript:alert(1))",
    "image data svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "image data png": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "image title breaking out": '![x](a.png "\\" onerror=\\"alert(1)")',
    "link title breaking out": '[x](https://ok.example "\\" onmouseover=\\"alert(1)")',
    "admonition title markup": '!!! note "<img src=x onerror=alert(1)>"\n    Body.\n',
    "admonition type": '!!! note" onclick="alert(1) "Title"\n    Body.\n',
    "footnote with script": "Text[^1]\n\n[^1]: <script>alert(1)</script>\n",
    "table cell with handler": "| a |\n|---|\n| <img src=x onerror=alert(1)> |\n",
    "comment hiding markup": "<!-- --><script>alert(1)</script><!-- -->",
    "html block": '<div>\n<a href="javascript:alert(1)" onclick="x">x</a>\n</div>\n',
    "clobbering id": '<img id="location" name="location">',
    "mathml": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
}


class TestHostileMarkdown:
    @pytest.mark.parametrize("source", MARKDOWN_PAYLOADS.values(), ids=MARKDOWN_PAYLOADS.keys())
    def test_nothing_dangerous_survives_rendering(self, source):
        html = render_markdown(source)
        assert dangers(html) == [], html

    @pytest.mark.parametrize(
        "source",
        [
            "<script>alert(1)</script>",
            '<div hx-get="/admin">x</div>',
            "<iframe src=https://evil.example></iframe>",
        ],
    )
    def test_raw_html_is_shown_to_the_reader_as_text(self, source):
        page = render(source)
        assert [node.tag for node in page.iter()] == ["p"]
        assert page.text().strip().replace("“", '"').replace("”", '"') == source

    @pytest.mark.parametrize("source", ["{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}"])
    def test_template_syntax_stays_inert_text(self, source):
        html = render_markdown(source)
        assert parse(html).text().strip() == source
        assert "49" not in html
        assert "xxx" not in html

    def test_a_javascript_link_keeps_its_text_but_does_not_become_a_link(self):
        page = render("[click](javascript:alert(1))")
        assert "click" in page.text()
        assert all(url_scheme(node.attrs.get("href") or "") is None for node in page.iter())


# Raw HTML as it would arrive if the markdown renderer ever let it through: the
# sanitiser alone must still stop it.
HTML_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "onclick on allowed tag": '<p onclick="alert(1)">x</p>',
    "onload on allowed tag": '<img src="a.png" onload="alert(1)">',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object": '<object data="x.swf"></object>',
    "style attribute": '<td style="text-align:right;background:url(x)">x</td>',
    "hx attributes": '<div hx-get="/a" hx-post="/b" hx-on:click="c" data-hx-get="/d">x</div>',
    "form": '<form action="/account/delete" method="post"><button>Go</button></form>',
    "meta": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base": '<base href="https://evil.example/">',
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "mixed case href": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "entity encoded href": '<a href="&#106;&#97;vascript:alert(1)">x</a>',
    "tab in href": '<a href="java&#9;script:alert(1)">x</a>',
    "space before href": '<a href="  javascript:alert(1)">x</a>',
    "vbscript href": '<a href="vbscript:msgbox(1)">x</a>',
    "data src": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "data href": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "clobbering id": '<h2 id="location">x</h2><a id="__proto__">y</a>',
    "noscript confusion": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "mathml": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
}


class TestTheSanitiserOnItsOwn:
    @pytest.mark.parametrize("html", HTML_PAYLOADS.values(), ids=HTML_PAYLOADS.keys())
    def test_it_removes_every_dangerous_element_attribute_and_url(self, html):
        cleaned = sanitise(html)
        assert dangers(cleaned) == [], cleaned

    def test_it_keeps_the_markup_that_rendering_produces(self):
        html = (
            '<h2 id="sec-flow">Flow</h2><p><a href="https://example.com" title="t">x</a>'
            '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></p>'
            '<figure><img src="vsm.svg" alt="map"><figcaption>Map</figcaption></figure>'
        )
        page = parse(sanitise(html))
        assert page.find("h2").attrs["id"] == "sec-flow"
        assert page.find_all("a")[0].attrs["href"] == "https://example.com"
        assert page.find_all("a")[1].attrs["id"] == "fnref1"
        assert page.find("img").attrs["src"] == "vsm.svg"
        assert page.find("figcaption").text() == "Map"


FRAGMENTS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "&#106;avascript:", "vbscript:",
    "data:text/html,", "data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml,",
    "[x](", "![y](", ")", "](", "[^1]", "[^1]: ", " \"t\")", "\"", "'",
    "<a href=", "<a href='", "hx-get=", "hx-on:click=", "style=", "onclick=", "onload=",
    "<iframe src=", "<form>", "<base href=", "<meta http-equiv=refresh>", "{{ 7*7 }}",
    "{% if x %}", "!!! note \"", "    ", "\n", "\n\n", "| a | b |\n|:-|-:|\n| ", "## ",
    "```\n", "`", "<", ">", "&", "&#", ";", "\\", "<!--", "-->", "<![CDATA[",
    "[x](javascript:alert(1))", "![y](data:image/png;base64,iVBORw0KGgo=)", "![y](a.svg)",
]  # fmt: skip


HTML_FRAGMENTS = [
    "<a", "<img", "<p", "<div", "<h2", "<td", "<script>", "<svg", "<iframe", "<form",
    "<base", "<meta", "<style>", "<math><mi", ">", "/>", "</a>", "</p>", "</div>",
    " href=", " src=", " id=", " class=", " title=", " onclick=", " onerror=", " onload=",
    " style=", " hx-get=", " hx-on:click=", " data-hx-post=", " xlink:href=", "\"", "'",
    "javascript:", "JaVaScRiPt:", "&#106;avascript:", "java&#9;script:", " javascript:",
    "vbscript:", "data:text/html,", "data:image/png;base64,AA", "https://ok.example/",
    "location", "sec-ok", "fn1", "alert(1)", " ", "\n",
]  # fmt: skip


def interleaved(fragments: list[str]) -> st.SearchStrategy[str]:
    """Arbitrary text with payload fragments mixed in, joined into one string."""
    parts = st.one_of(st.text(max_size=12), st.sampled_from(fragments))
    return st.lists(parts, max_size=40).map("".join)


class TestAnyInput:
    @settings(max_examples=400, deadline=None)
    @given(interleaved(FRAGMENTS))
    def test_rendering_never_raises_and_never_emits_anything_dangerous(self, source):
        html = render_markdown(source)
        assert "<script" not in html.lower()
        assert dangers(html) == [], html

    @settings(max_examples=400, deadline=None)
    @given(interleaved(HTML_FRAGMENTS))
    def test_the_sanitiser_alone_never_lets_anything_dangerous_through(self, html):
        cleaned = sanitise(html)
        assert "<script" not in cleaned.lower()
        assert dangers(cleaned) == [], cleaned


def test_a_level_one_heading_becomes_an_h2_because_the_page_title_is_the_h1():
    html = render_markdown("# Why flow matters\n\nText.")
    assert html.startswith('<h2 id="sec-why-flow-matters">Why flow matters</h2>')


def test_heading_ids_fold_accented_letters():
    assert 'id="sec-unicode-heading"' in render_markdown("## Ünïcödé héading")

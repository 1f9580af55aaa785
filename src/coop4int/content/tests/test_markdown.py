"""Markdown carrying scripts, event handlers, javascript: links or raw HTML is neutralised."""

from html.parser import HTMLParser

import pytest

from coop4int.content.markdown import OUTPUT_TAGS, render

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    "<object data=x></object><embed src=x>",
    "<form action=x><input name=y></form>",
    "<style>*{display:none}</style>",
    '[x](https://example.org "title" onclick="alert(1)")',
    "<details open ontoggle=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "&#106;avascript:alert(1)",
    "[x](&#106;avascript:alert(1))",
    '<a href="tel:808 257 257" onclick="alert(1)">808 257 257</a>',
    '[808 257 257](tel:+351808257257 "808 257 257" onclick="alert(1)")',
]


class Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_nothing_that_can_run_survives(vector):
    for tag, attrs in elements(render(vector)):
        assert tag in OUTPUT_TAGS, (vector, tag)
        if tag == "bdi":  # the isolates added after cleaning carry nothing else
            assert attrs[0] == ("dir", "ltr"), vector
            assert attrs[1] in {("class", "ltr"), ("class", "ltr ltr-long")}, vector
            assert len(attrs) == 2, vector
        for name, value in attrs:
            assert not name.startswith("on"), (vector, name)
            assert name != "style", vector
            if name in {"href", "src"}:
                scheme = (
                    (value or "").split(":", 1)[0].strip().lower() if ":" in (value or "") else ""
                )
                assert scheme in {"", "http", "https", "mailto", "tel"}, (vector, value)


def test_ordinary_markdown_is_kept():
    html = render(
        "## Documentos\n\n**Leve** o passaporte e [a página](https://aai.cv/).\n\n- um\n- dois"
    )
    assert "<h2>Documentos</h2>" in html
    assert "<strong>Leve</strong>" in html
    assert 'href="https://aai.cv/"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<li>um</li>" in html


def test_phone_and_mail_links_are_kept():
    html = render("[808 257 257](tel:+351808257257) · [escreva](mailto:apoio@aai.cv)")
    assert 'href="tel:+351808257257"' in html
    assert 'href="mailto:apoio@aai.cv"' in html


def test_images_load_lazily():
    html = render("![Mapa](https://example.org/mapa.png)")
    assert (
        '<img loading="lazy" decoding="async" src="https://example.org/mapa.png" alt="Mapa"' in html
    )


def test_a_phone_number_in_a_link_is_isolated_in_order_and_the_link_kept():
    html = render("- [808 257 257](tel:+351808257257) — من الهاتف الثابت")
    assert (
        '<a href="tel:+351808257257" rel="noopener noreferrer">'
        '<bdi dir="ltr" class="ltr">808 257 257</bdi></a> — من الهاتف الثابت'
    ) in html

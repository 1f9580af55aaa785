"""Numbers, postal codes and references keep their order inside right-to-left text: one module
(``core.bidi``) for HTML, Markdown, templates and plain-text e-mails."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import strip_tags
from hypothesis import example, given
from hypothesis import strategies as st

from coop4int.core.bidi import (
    LRI,
    PDI,
    isolate,
    isolate_runs,
    isolate_runs_for_language,
    isolate_runs_in_text,
)

ISOLATE = '<bdi dir="ltr" class="ltr">{}</bdi>'


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("اتصل بالرقم 808 257 257.", "808 257 257"),
        ("الهاتف +351 218 106 100", "+351 218 106 100"),
        ("1150-025 Lisboa", "1150-025"),
        ("من 9:00–20:00", "9:00–20:00"),
        ("المرجع K7MX-4QF9", "K7MX-4QF9"),
        ("المرجع 2345-6789", "2345-6789"),
        ("الرقم (21) 810 61 91", "(21) 810 61 91"),
        ("808\u00a0257\u00a0257", "808\u00a0257\u00a0257"),
    ],
)
def test_a_number_postal_code_or_reference_is_one_isolate(text, run):
    assert ISOLATE.format(run) in isolate_runs_in_text(text)


@pytest.mark.parametrize("text", ["5 مارس 2022", "Coop4Int", "COVID", "e-mail", "1.º piso"])
def test_single_numbers_and_words_are_left_alone(text):
    assert isolate_runs_in_text(text) == text


def test_only_text_is_wrapped_never_a_tag_or_an_attribute():
    html = (
        '<p><a href="tel:+351808257257" title="808 257 257 &gt; x">808 257 257</a> '
        "&amp; 1 &lt; 2</p>"
    )
    assert isolate_runs(html) == (
        '<p><a href="tel:+351808257257" title="808 257 257 &gt; x">'
        f"{ISOLATE.format('808 257 257')}</a> &amp; 1 &lt; 2</p>"
    )


def test_text_that_looks_like_markup_stays_escaped():
    assert isolate_runs("&lt;script&gt;808 257 257&lt;/script&gt;") == (
        f"&lt;script&gt;{ISOLATE.format('808 257 257')}&lt;/script&gt;"
    )


def test_a_run_already_isolated_is_not_wrapped_twice():
    once = isolate_runs("<p>808 257 257</p>")
    assert isolate_runs(once) == once


def test_a_whole_value_is_escaped_inside_its_isolate():
    assert isolate("<b>1</b>") == ISOLATE.format("&lt;b&gt;1&lt;/b&gt;")


def test_a_value_longer_than_a_phones_line_may_still_break():
    address = "https://coop4int.example/pt/directory/leaflet/praia/"
    assert isolate(address) == f'<bdi dir="ltr" class="ltr ltr-long">{address}</bdi>'
    assert isolate("+351 218 106 100") == ISOLATE.format("+351 218 106 100")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@given(st.text(alphabet=st.sampled_from(list("0123456789 +-–/:.()<>&\"'abcKQX\u00a0مرب\n"))))
@example("0/0+0")  # a run just before "+0" left that "+0" to be isolated on a second pass
def test_isolating_keeps_the_text_and_adds_nothing_but_isolates(text):
    html = isolate_runs_in_text(text)
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _attrs in parser.tags} <= {"bdi"}
    assert all(
        attrs in ([("dir", "ltr"), ("class", "ltr")], [("dir", "ltr"), ("class", "ltr ltr-long")])
        for _tag, attrs in parser.tags
    )
    unescaped = HTMLParser()
    texts: list[str] = []
    unescaped.handle_data = texts.append  # type: ignore[method-assign]
    unescaped.feed(strip_tags(html))
    unescaped.close()
    assert "".join(texts) == text
    assert isolate_runs(html) == html  # idempotent


def test_plain_text_gets_unicode_isolates_only_in_a_right_to_left_language():
    text = "اتصل بالرقم 808 257 257 — المرجع K7MX-4QF9"
    assert isolate_runs_for_language(text, "ar") == (
        f"اتصل بالرقم {LRI}808 257 257{PDI} — المرجع {LRI}K7MX-4QF9{PDI}"
    )
    assert isolate_runs_for_language("Ligue 808 257 257", "pt") == "Ligue 808 257 257"
    assert isolate_runs_for_language("Ligue 808 257 257", "xx") == "Ligue 808 257 257"


def test_the_ltr_filter_isolates_a_value_in_html_and_in_a_right_to_left_text_template():
    html = Template("{% load coop4int %}{{ number|ltr }}")
    assert html.render(Context({"number": "808 257 257"})) == ISOLATE.format("808 257 257")
    text = Template("{% load coop4int %}{% autoescape off %}{{ number|ltr }}{% endautoescape %}")
    with translation.override("ar"):
        assert text.render(Context({"number": "808"})) == f"{LRI}808{PDI}"
    with translation.override("pt"):
        assert text.render(Context({"number": "808"})) == "808"


def test_the_ltr_runs_filter_isolates_the_runs_of_free_text():
    template = Template("{% load coop4int %}{{ text|linebreaks|ltr_runs }}")
    rendered = template.render(Context({"text": "Rua <1>, 14\n1150-025 Lisboa"}))
    assert rendered == (f"<p>Rua &lt;1&gt;, 14<br>{ISOLATE.format('1150-025')} Lisboa</p>")

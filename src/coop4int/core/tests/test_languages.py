from datetime import UTC, datetime

import pytest
from babel import Locale
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from coop4int.core import formatting
from coop4int.core.languages import REGISTRY, UnknownLanguage, get_language, language_choices

REQUIRED = {
    "pt",
    "kea",
    "en",
    "fr",
    "es",
    "ar",
    "bn",
    "de",
    "ff",
    "fi",
    "he",
    "hi",
    "it",
    "ja",
    "man",
    "ne",
    "nl",
    "pl",
    "ro",
    "ru",
    "sv",
    "th",
    "ti",
    "tr",
    "uk",
    "ur",
    "wo",
    "zh",
}


def test_registry_holds_every_required_language():
    assert set(REGISTRY) >= REQUIRED


@pytest.mark.parametrize("code", ["ar", "he", "ur", "fa"])
def test_right_to_left_languages_are_flagged(code):
    assert REGISTRY[code].is_rtl


@pytest.mark.parametrize("code", ["pt", "kea", "en", "zh", "ti", "man"])
def test_left_to_right_languages_are_not(code):
    assert not REGISTRY[code].is_rtl


def test_every_language_has_a_native_name_and_a_cldr_locale():
    for language in REGISTRY.values():
        assert language.native_name
        assert Locale.parse(language.locale)  # raises for a locale CLDR does not know


def test_lookup_accepts_regional_variants_and_refuses_unknown_codes():
    assert get_language("pt-BR").code == "pt"
    assert get_language("AR").code == "ar"
    with pytest.raises(UnknownLanguage):
        get_language("xx")
    assert ("kea", "Kabuverdianu (kea)") in language_choices()


def test_base_template_renders_right_to_left_for_arabic():
    request = RequestFactory().get("/ar/")
    with translation.override("ar"):
        html = render_to_string("portal/home.html", request=request)
    assert '<html lang="ar" dir="rtl"' in html


def test_base_template_renders_left_to_right_for_creole():
    request = RequestFactory().get("/kea/")
    with translation.override("kea"):
        html = render_to_string("portal/home.html", request=request)
    assert '<html lang="kea" dir="ltr"' in html


NUMBER = 1234567.5
MOMENT = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)  # 13:30 in Praia (UTC-1)


@pytest.mark.parametrize(
    ("language", "number", "day", "time"),
    [
        # English as read in Cabo Verde and Portugal: day before month, a 24-hour clock.
        ("en", "1,234,567.5", "5 March 2026", "13:30"),
        ("pt", "1\N{NO-BREAK SPACE}234\N{NO-BREAK SPACE}567,5", "5 de março de 2026", "13:30"),
        (
            "fr",
            "1\N{NARROW NO-BREAK SPACE}234\N{NARROW NO-BREAK SPACE}567,5",
            "5 mars 2026",
            "13:30",
        ),
        ("kea", "1\N{NO-BREAK SPACE}234\N{NO-BREAK SPACE}567,5", "5 di Marsu di 2026", "13:30"),
    ],
)
def test_numbers_and_dates_follow_the_language(language, number, day, time):
    with translation.override(language):
        assert formatting.format_number(NUMBER) == number
        assert formatting.format_date(MOMENT, "long") == day
        assert formatting.format_datetime(MOMENT, "short", tz="Atlantic/Cape_Verde").endswith(time)

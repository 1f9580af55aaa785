"""Sizes, weekdays, time zones and dates written in the reader's language, never in English or
in codes."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from coop4int.core import formatting

NBSP, NNBSP = "\N{NO-BREAK SPACE}", "\N{NARROW NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("language", "small", "medium", "large"),
    [
        ("pt", "193 bytes", "12,5 kB", "3,2 MB"),
        ("kea", "193 byte", "12,5 kB", "3,2 MB"),
        ("en", "193 bytes", "12.5 kB", "3.2 MB"),
        ("fr", f"193{NBSP}octets", f"12,5{NNBSP}ko", f"3,2{NNBSP}Mo"),
    ],
)
def test_file_sizes_are_written_in_the_readers_language(language, small, medium, large):
    with translation.override(language):
        assert formatting.format_file_size(193) == small
        assert formatting.format_file_size(12_800) == medium
        assert formatting.format_file_size(3_355_443) == large


def test_the_file_size_filter_is_the_readers_not_djangos():
    # Django's filesizeformat has no Kabuverdianu: it said "193 bytes" on Creole pages.
    with translation.override("kea"):
        html = Template("{% load coop4int %}{{ size|file_size }}").render(Context({"size": 193}))
    assert html == "193 byte"


@pytest.mark.parametrize(
    ("language", "days"),
    [
        ("pt", "segunda-feira, terça-feira e quarta-feira"),
        ("kea", "sigunda-fera, tersa-fera i kuarta-fera"),
        ("en", "Monday, Tuesday and Wednesday"),
        ("fr", "lundi, mardi et mercredi"),
    ],
)
def test_weekday_codes_are_named_in_the_readers_language(language, days):
    with translation.override(language):
        html = Template("{% load coop4int %}{{ byday|weekdays }}").render(
            Context({"byday": "MO,TU,WE"})
        )
    assert html == days


def test_an_unknown_day_code_is_shown_as_it_is():
    with translation.override("en"):
        assert formatting.format_weekdays(["MO", "1SU"]) == "Monday and 1SU"


@pytest.mark.parametrize(
    ("language", "cabo_verde", "lisbon"),
    [
        ("pt", "Hora de Cabo Verde", "Hora de Portugal (Lisboa)"),
        ("kea", "Ora di Kabu Verdi", "Ora di Purtugal (Lisbon)"),
        ("en", "Cape Verde Time", "Portugal (Lisbon) Time"),
        ("fr", "heure : Cap-Vert", "heure : Portugal (Lisbonne)"),
    ],
)
def test_time_zones_are_named_in_words(language, cabo_verde, lisbon):
    with translation.override(language):
        assert formatting.time_zone_name("Atlantic/Cape_Verde") == cabo_verde
        assert formatting.time_zone_name("Europe/Lisbon") == lisbon


def test_english_short_dates_put_the_day_first():
    # Readers in Cabo Verde and Portugal read 05/03/2026 as the 5th of March.
    with translation.override("en"):
        assert formatting.format_date(date(2026, 3, 5), "short") == "05/03/2026"

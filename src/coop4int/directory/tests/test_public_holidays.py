"""Holiday names in the reader's language, or in a fallback that says which language it is."""

import pickle
from datetime import date

import pytest
from django.utils import translation

from coop4int.directory.models import Location, MunicipalHoliday
from coop4int.directory.public_holidays import HolidayName, holidays_between

pytestmark = pytest.mark.django_db

IMMACULATE_CONCEPTION = date(2025, 12, 8)
INDEPENDENCE = date(2025, 7, 5)


def _lisbon() -> Location:
    return Location.objects.create(
        name="CNAIM Lisboa", country="PT", time_zone="Europe/Lisbon", holiday_subdivision="11"
    )


def _praia() -> Location:
    return Location.objects.create(
        name="Unidade de Praia", country="CV", municipality="Praia", holiday_subdivision="PR"
    )


def _name(location: Location, day: date, language: str) -> HolidayName:
    return holidays_between(location, day, day, language)[day]


@pytest.mark.parametrize(
    ("language", "name"),
    [("pt", "Imaculada Conceição"), ("en", "Immaculate Conception")],
)
def test_a_portuguese_holiday_is_named_in_the_readers_language(language, name):
    holiday = _name(_lisbon(), IMMACULATE_CONCEPTION, language)
    assert (holiday, holiday.language) == (name, language)


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("pt", "Dia da Independência Nacional"),
        ("en", "Independence Day"),
        ("fr", "Fête de l'Indépendance Nationale"),
    ],
)
def test_a_cabo_verdean_holiday_is_named_in_the_readers_language(language, name):
    holiday = _name(_praia(), INDEPENDENCE, language)
    assert (holiday, holiday.language) == (name, language)


def test_without_a_name_in_the_readers_language_the_fallback_says_its_language():
    # The package has no Kabuverdianu: Creole readers read Portuguese; it has no French names
    # for Portugal: French readers get English, their next language.
    creole = _name(_praia(), INDEPENDENCE, "kea")
    french = _name(_lisbon(), IMMACULATE_CONCEPTION, "fr")
    assert (creole, creole.language) == ("Dia da Independência Nacional", "pt")
    assert (french, french.language) == ("Immaculate Conception", "en")


def test_names_follow_the_active_language_by_default():
    with translation.override("pt"):
        assert _name(_lisbon(), IMMACULATE_CONCEPTION, None) == "Imaculada Conceição"


def test_a_municipal_day_is_named_as_entered_in_the_countrys_language():
    praia = _praia()
    MunicipalHoliday.objects.create(country="CV", municipality="Praia", month=5, day=20,
                                    name="Dia de Nossa Senhora")  # fmt: skip
    holiday = _name(praia, date(2026, 5, 20), "en")
    assert (holiday, holiday.language) == ("Dia de Nossa Senhora", "pt")


def test_a_cached_calendar_keeps_each_names_language():
    holiday = pickle.loads(pickle.dumps(HolidayName("Natal", "pt")))  # noqa: S301 - our own
    assert (holiday, holiday.language) == ("Natal", "pt")

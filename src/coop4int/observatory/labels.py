"""The words a reader sees for the codes of a dataset: a dimension's name ("Sex",
"Municipality"), a code's name in the reader's language ("Women", "Praia", "Guiné"), and a
period ("2026-Q3" → "3rd quarter 2026").

Codes come from the file as SDMX codes; nothing here guesses. A code the platform does not
know is shown as it is, so a reader always sees what the source published."""

import re
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coop4int.accounts.enums import Island
from coop4int.accounts.models import Unit
from coop4int.cases.enums import Channel
from coop4int.core.formatting import current_locale
from coop4int.core.languages import UnknownLanguage
from coop4int.core.languages import get_language as registry_language
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.enums import TOTAL, Concept, Dimension
from coop4int.observatory.geography import MUNICIPALITIES
from coop4int.observatory.models import Dataset

# SDMX's reserved codes of every code list.
UNKNOWN = "_U"
NOT_APPLICABLE = "_Z"
OTHER = "_O"
NOT_SPECIFIED = "_X"
RESERVED_CODES = frozenset({TOTAL, UNKNOWN, NOT_APPLICABLE, OTHER, NOT_SPECIFIED})

# Dimensions whose codes are countries (ISO 3166-1 alpha-2).
COUNTRY_DIMENSIONS = frozenset({Dimension.NATIONALITY.value, Dimension.COUNTRY_OF_BIRTH.value})

# SDMX age groups (CL_AGE): "Y15T64", "Y_LT15", "Y_GE65", "Y20".
_AGE_RANGE = re.compile(r"^Y(\d{1,3})T(\d{1,3})$")
_AGE_UNDER = re.compile(r"^Y_LT(\d{1,3})$")
_AGE_OVER = re.compile(r"^Y_GE(\d{1,3})$")
_AGE_ONE = re.compile(r"^Y(\d{1,3})$")

# SDMX periods other than a year: "2026-Q3", "2026-S1", "2026-03", "2026-M03".
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_SEMESTER = re.compile(r"^(\d{4})-S([12])$")
_MONTH = re.compile(r"^(\d{4})-M?(0[1-9]|1[0-2])$")


def dimension_label(dimension: str) -> str:
    """The name of a dimension in the active language ("Sex", "Municipality"); a dimension
    the platform does not know by name is shown by its id."""
    if dimension in Dimension.values:
        return str(Dimension(dimension).label)
    return dimension


def _reserved_label(code: str) -> str:
    labels = {
        TOTAL: pgettext("all values of a dimension", "Total"),
        UNKNOWN: pgettext("value of a dimension", "Unknown"),
        NOT_APPLICABLE: pgettext("value of a dimension", "Not applicable"),
        OTHER: pgettext("value of a dimension", "Other"),
        NOT_SPECIFIED: pgettext("value of a dimension", "Not specified"),
    }
    return labels[code]


def _sex_label(code: str) -> str:
    labels = {"F": _("Women"), "M": _("Men")}
    return labels.get(code, code)


def _age_label(code: str) -> str:
    if match := _AGE_RANGE.match(code):
        return _("%(low)s to %(high)s years") % {"low": match[1], "high": match[2]}
    if match := _AGE_UNDER.match(code):
        return _("Under %(age)s years") % {"age": match[1]}
    if match := _AGE_OVER.match(code):
        return _("%(age)s years and over") % {"age": match[1]}
    if match := _AGE_ONE.match(code):
        return _("%(age)s years") % {"age": match[1]}
    return code


def _locale(language: str | None) -> str:
    if not language:
        return current_locale()
    try:
        return registry_language(language).locale
    except UnknownLanguage:
        return current_locale()


def _territories(language: str | None) -> dict[str, str]:
    try:
        return dict(Locale.parse(_locale(language)).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale("en").territories)


def _fixed_label(dimension: str, code: str, territories: dict[str, str] | None) -> str | None:
    """The label of a code known without the database; None when it needs it."""
    if code in RESERVED_CODES:
        return _reserved_label(code)
    if dimension == Dimension.SEX:
        return _sex_label(code)
    if dimension == Dimension.AGE:
        return _age_label(code)
    if dimension == Dimension.ISLAND:
        return str(Island(code).label) if code in Island.values else code
    if dimension == Dimension.MUNICIPALITY:
        municipality = MUNICIPALITIES.get(code)
        return municipality.name if municipality else code
    if dimension in COUNTRY_DIMENSIONS:
        return (territories or {}).get(code.upper(), code)
    if dimension == Dimension.CHANNEL:
        return str(Channel(code).label) if code in Channel.values else code
    if dimension in (Dimension.UNIT, Dimension.TOPIC):
        return None
    return code


def code_labels(
    dimension: str, codes: Iterable[str], language: str | None = None
) -> dict[str, str]:
    """The label of each code of ``dimension``, in ``language`` (default: the active one):
    at most one query (local support units by slug, topics by code), whatever the number of
    codes. Unknown codes are labelled by themselves."""
    codes = list(dict.fromkeys(codes))
    with translation.override(language) if language else nullcontext():
        territories = _territories(language) if dimension in COUNTRY_DIMENSIONS else None
        labels: dict[str, str] = {}
        looked_up: list[str] = []
        for code in codes:
            label = _fixed_label(dimension, code, territories)
            if label is None:
                looked_up.append(code)
            else:
                labels[code] = label
        if looked_up and dimension == Dimension.UNIT:
            names = dict(Unit.objects.filter(slug__in=looked_up).values_list("slug", "name"))
            labels |= {code: names.get(code, code) for code in looked_up}
        elif looked_up and dimension == Dimension.TOPIC:
            terms = {term.code: term for term in TaxonomyTerm.objects.filter(code__in=looked_up)}
            labels |= {
                code: terms[code].name_in(language) if code in terms else code for code in looked_up
            }
    return {code: labels.get(code, code) for code in codes}


def code_label(dimension: str, code: str, language: str | None = None) -> str:
    """The name of ``code`` of ``dimension`` in ``language`` (default: the active one):
    "Women", "Praia", "Guiné-Bissau"; "_T" → "Total"; an unknown code → the code itself."""
    return code_labels(dimension, [code], language)[code]


def split_key(dataset: Dataset, key: str) -> dict[str, str]:
    """The code of each of the dataset's dimensions in an observation's series key
    ("F.CV-PR" → {"SEX": "F", "MUNICIPALITY": "CV-PR"}); a dataset without dimensions has
    the empty key and gives {}."""
    dimensions = list(dataset.dimensions)
    if not dimensions:
        return {}
    return dict(zip(dimensions, key.split("."), strict=False))


def period_label(period: str) -> str:
    """An SDMX period as the active language writes it: "2021" stays; "2026-Q3" → "3rd
    quarter 2026" (said whole), "2026-03" → "Mar 2026"; anything else as it is."""
    if match := _QUARTER.match(period):
        quarters = {
            "1": _("1st quarter %(year)s"),
            "2": _("2nd quarter %(year)s"),
            "3": _("3rd quarter %(year)s"),
            "4": _("4th quarter %(year)s"),
        }
        return quarters[match[2]] % {"year": match[1]}
    if match := _SEMESTER.match(period):
        semesters = {"1": _("1st half %(year)s"), "2": _("2nd half %(year)s")}
        return semesters[match[2]] % {"year": match[1]}
    if match := _MONTH.match(period):
        month = date(int(match[1]), int(match[2]), 1)
        return babel_dates.format_skeleton("yMMM", month, locale=current_locale())
    return period


def concept_explanation(concept: str) -> str:
    """Who an indicator of ``concept`` counts, in one sentence: readers tell foreign
    nationals, the foreign-born and the migrant stock apart by it."""
    sentences = {
        Concept.RESIDENT_POPULATION: _("Counts everyone usually resident in the country."),
        Concept.FOREIGN_NATIONALS: _(
            "Counts people by citizenship: residents without Cabo Verdean nationality, "
            "wherever they were born."
        ),
        Concept.FOREIGN_BORN: _(
            "Counts people by country of birth: residents born abroad, whatever their "
            "nationality, Cabo Verdeans born abroad included."
        ),
        Concept.MIGRANT_STOCK: _(
            "The United Nations' estimate of the people living in a country other than their "
            "country of birth (or of citizenship, where birthplace is not recorded)."
        ),
        Concept.PLATFORM_ACTIVITY: _(
            "Counts the work of the support network, from its own records."
        ),
    }
    return sentences.get(concept, "")  # type: ignore[call-overload]

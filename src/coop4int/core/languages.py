"""The language registry: every language the platform can hold content in.

Interface languages (gettext catalogues) are the subset in ``settings.LANGUAGES``; content
(cards, service descriptions, messages to a person) may use any language listed here.
Codes are ISO 639-1 where one exists, ISO 639-2/3 otherwise (``kea`` Kabuverdianu,
``man`` Mandinka).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings


class Direction(StrEnum):
    LTR = "ltr"
    RTL = "rtl"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: Direction = Direction.LTR
    # The locale Babel/CLDR formats dates and numbers with for this language.
    cldr_locale: str = ""

    @property
    def is_rtl(self) -> bool:
        return self.direction is Direction.RTL

    @property
    def locale(self) -> str:
        return self.cldr_locale or self.code


_RTL = Direction.RTL

REGISTRY: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("pt", "Portuguese", "Português", cldr_locale="pt_CV"),
        Language("kea", "Cape Verdean Creole", "Kabuverdianu", cldr_locale="kea_CV"),
        # Readers in Cabo Verde and Portugal write day-month-year and a 24-hour clock.
        Language("en", "English", "English", cldr_locale="en_GB"),
        Language("fr", "French", "Français"),
        Language("es", "Spanish", "Español"),
        Language("ar", "Arabic", "العربية", _RTL),
        Language("bn", "Bengali", "বাংলা"),
        Language("de", "German", "Deutsch"),
        Language("ff", "Fula", "Pulaar"),
        Language("fi", "Finnish", "Suomi"),
        Language("fa", "Persian", "فارسی", _RTL),
        Language("he", "Hebrew", "עברית", _RTL),
        Language("hi", "Hindi", "हिन्दी"),
        Language("it", "Italian", "Italiano"),
        Language("ja", "Japanese", "日本語"),
        Language("man", "Mandinka", "Mandinka", cldr_locale="en_GB"),
        Language("ne", "Nepali", "नेपाली"),
        Language("nl", "Dutch", "Nederlands"),
        Language("pl", "Polish", "Polski"),
        Language("ro", "Romanian", "Română"),
        Language("ru", "Russian", "Русский"),
        Language("sv", "Swedish", "Svenska"),
        Language("th", "Thai", "ไทย"),
        Language("ti", "Tigrinya", "ትግርኛ"),
        Language("tr", "Turkish", "Türkçe"),
        Language("uk", "Ukrainian", "Українська"),
        Language("ur", "Urdu", "اردو", _RTL),
        Language("wo", "Wolof", "Wolof"),
        Language("zh", "Chinese", "中文"),
    )
}


class UnknownLanguage(LookupError):
    pass


def get_language(code: str) -> Language:
    """The registry entry for ``code`` (``pt-br`` → ``pt``); UnknownLanguage otherwise."""
    normalised = code.strip().lower().replace("_", "-")
    for candidate in (normalised, normalised.split("-")[0]):
        if candidate in REGISTRY:
            return REGISTRY[candidate]
    raise UnknownLanguage(code)


# Which languages a reader is shown, in order, when a text is missing in theirs: Creole readers
# read Portuguese; everyone else English, then Portuguese.
FALLBACKS: dict[str, tuple[str, ...]] = {"kea": ("pt",)}
DEFAULT_FALLBACK = ("en", "pt")


def fallback_chain(code: str) -> tuple[str, ...]:
    """``code`` followed by the languages to try when a text is missing in it."""
    return (code, *(c for c in FALLBACKS.get(code, DEFAULT_FALLBACK) if c != code))


def language_choices() -> list[tuple[str, str]]:
    """Choices for a form or a model field: native name with the code."""
    return [(lang.code, f"{lang.native_name} ({lang.code})") for lang in REGISTRY.values()]


def interface_codes() -> frozenset[str]:
    """The languages the interface is translated into (``settings.LANGUAGES``)."""
    return frozenset(code for code, _name in settings.LANGUAGES)


# Which interface language a reader of a language the interface lacks is shown, in order of
# preference: readers from West and North Africa mostly read French; everyone else English.
# Never Portuguese by default: a reader who needs it asks for it.
INTERFACE_FALLBACKS: dict[str, tuple[str, ...]] = {
    "ar": ("fr", "en"),
    "wo": ("fr", "en"),
    "ff": ("fr", "en"),
    "man": ("fr", "en"),
}
DEFAULT_INTERFACE_FALLBACK = ("en",)


def interface_fallback(code: str) -> str:
    """The interface language for a reader of ``code``: ``code`` itself when the interface
    speaks it, else the first of its registry fallbacks that it does (see
    ``INTERFACE_FALLBACKS``)."""
    interface = interface_codes()
    if code in interface:
        return code
    for candidate in INTERFACE_FALLBACKS.get(code, DEFAULT_INTERFACE_FALLBACK):
        if candidate in interface:
            return candidate
    return settings.LANGUAGE_CODE


def interface_language_for(code: str) -> str:
    """``code`` when the interface speaks it, else the default language: what a message to a
    person is written in when their own language has no interface catalogue."""
    return code if code in interface_codes() else settings.LANGUAGE_CODE

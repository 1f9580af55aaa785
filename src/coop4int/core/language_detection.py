"""Which language a person wrote in, when their message does not say (an e-mail without
``Content-Language``): a guess among the languages of the registry, or none.

The guess is made by Lingua (``lingua-language-detector``, its models bundled in the wheel),
restricted to the registry's languages that Lingua knows, in its low-accuracy mode: trigram
models only, about 35 MB in memory and a second to load (once per process, at the first
guess), against more than 300 MB and several seconds for the high-accuracy mode, and still
right on the few sentences an e-mail holds. A text too short to tell, or whose best language
is not clearly ahead, gives no guess: the caller keeps its default.

Lingua has no model for Kabuverdianu (``kea``), which it reads as Portuguese or Spanish. Its
words are distinctive, though (``nha``, ``bu``, ``dja``, ``txeu``, the pronoun ``N`` before a
verb, spellings with ``tx``/``dj``): a Latin-script text with enough of them is taken as
Kabuverdianu whatever Lingua says.
"""

import re
from dataclasses import dataclass
from functools import cache

from lingua import IsoCode639_1, IsoCode639_3, LanguageDetector, LanguageDetectorBuilder
from lingua import Language as LinguaLanguage

from coop4int.core.languages import REGISTRY

# Below this many letters a guess is not worth making.
MIN_LETTERS = 8
# The best language's share of Lingua's confidence (0 to 1) for a guess to count.
MIN_CONFIDENCE = 0.7
# Only the start of a long message is read: enough to tell, and the time stays bounded.
MAX_CHARACTERS = 2000

_URL_OR_ADDRESS = re.compile(r"(https?://|www\.)\S+|\S+@\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]")
_LETTER = re.compile(r"[^\W\d_]")

# Words of Kabuverdianu (both the ALUPEC spelling and the common Portuguese-like one) that are
# not words of Portuguese, Spanish, French, Italian or English, or only rare ones.
_KEA_WORDS = frozenset({
    "nha", "nhas", "bu", "bus", "nhos", "dja", "txeu", "txiga", "kuma", "kel", "kes", "ka",
    "ki", "kre", "kria", "fla", "flam", "odja", "tambe", "tanbe", "undi", "kenha", "modi",
    "sima", "purfavor", "obrigadu", "tudu", "dokumentu", "dokumentus", "podi", "fazi", "sabi",
    "tene", "trabadju", "fidju", "fidjus", "mininu", "mininus", "sta", "stá", "kantu", "oxi",
    "manhan", "abo", "pamodi", "kusa", "ningen", "algen",
})  # fmt: skip
# The pronoun "N" (I) before a verb: "N kre", "N ta bai", "N ka sabe".
_KEA_PRONOUN = re.compile(r"(?:^|[\s,.;:!?])N\s+[a-zà-ÿ]")
# Spellings of Kabuverdianu that Portuguese does not use.
_KEA_SPELLING = re.compile(r"tx|^dj|dj[aeiou]")
# Lingua's answers for a text in Kabuverdianu: the Romance languages nearest to it.
_NEAR_KEA = frozenset({"pt", "es", "it", "fr", "ro"})
_MIN_KEA_MARKERS = 2
_MIN_KEA_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class DetectedLanguage:
    """A guess: a registry language code and how sure it is (0 to 1)."""

    code: str
    confidence: float


def _lingua_language(code: str) -> LinguaLanguage | None:
    try:
        if len(code) == 2:
            return LinguaLanguage.from_iso_code_639_1(IsoCode639_1.from_str(code))
        return LinguaLanguage.from_iso_code_639_3(IsoCode639_3.from_str(code))
    except ValueError:  # Lingua has no model for it (Kabuverdianu, Fula, Wolof…)
        return None


@cache
def _models() -> dict[LinguaLanguage, str]:
    """Lingua's languages of the registry, to their registry codes."""
    found = {code: _lingua_language(code) for code in REGISTRY}
    return {language: code for code, language in found.items() if language is not None}


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_models()).with_low_accuracy_mode().build()


def detectable_languages() -> frozenset[str]:
    """The registry codes a guess can give."""
    return frozenset(_models().values()) | {"kea"}


def _kabuverdianu_share(text: str, words: list[str]) -> float:
    """The share of ``words`` that are Kabuverdianu's own; 0 when there are too few."""
    markers = [
        word
        for word in (w.lower() for w in words)
        if word in _KEA_WORDS or _KEA_SPELLING.search(word)
    ]
    count = len(markers) + len(_KEA_PRONOUN.findall(text))
    distinct = len(set(markers)) + (1 if _KEA_PRONOUN.search(text) else 0)
    if distinct < _MIN_KEA_MARKERS:
        return 0.0
    return count / max(len(words), 1)


def detect_language(text: str) -> DetectedLanguage | None:
    """The registry language ``text`` is written in, or None when it cannot be told."""
    text = _URL_OR_ADDRESS.sub(" ", text[:MAX_CHARACTERS])
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(text)
    best = values[0] if values else None
    code = _models().get(best.language, "") if best is not None else ""
    confidence = best.value if best is not None else 0.0
    words = _WORD.findall(text)
    if (not code or code in _NEAR_KEA) and _LATIN.search(text):
        share = _kabuverdianu_share(text, words)
        if share >= _MIN_KEA_SHARE:
            return DetectedLanguage("kea", round(min(1.0, 0.5 + share), 2))
    if not code or confidence < MIN_CONFIDENCE:
        return None
    return DetectedLanguage(code, round(confidence, 2))

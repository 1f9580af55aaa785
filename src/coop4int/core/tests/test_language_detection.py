"""Guessing the language of a person's text: real sentences in the languages people write to
the desk in, Kabuverdianu told from Portuguese, and no guess when a text is too short to tell."""

import pytest

from coop4int.core.language_detection import (
    DetectedLanguage,
    detect_language,
    detectable_languages,
)
from coop4int.core.languages import REGISTRY

WRITTEN = [
    pytest.param(
        "fr",
        "Bonjour, je suis arrivé à Praia le mois dernier et je voudrais savoir comment "
        "obtenir mon titre de séjour. Merci beaucoup pour votre aide.",
        id="french",
    ),
    pytest.param("fr", "Bonjour, j'ai besoin d'aide pour mon visa.", id="french-short"),
    pytest.param(
        "pt",
        "Bom dia, gostaria de saber como posso renovar a minha autorização de residência. "
        "Obrigado.",
        id="portuguese",
    ),
    pytest.param(
        "pt",
        "Boa tarde, o meu filho não está na escola. Nenhum documento foi pedido. Obrigada.",
        id="portuguese-near-creole",
    ),
    pytest.param(
        "en",
        "Hello, I would like to know how to register my children at school in Mindelo. Thank you.",
        id="english",
    ),
    pytest.param(
        "kea",
        "Bom dia, N kre sabe modi ki N ta fazi pa tira nha dokumentu. Obrigadu txeu.",
        id="kabuverdianu",
    ),
    pytest.param(
        "kea",
        "Boa tardi. Nha fidju ka sta na skola inda, N kre sabe kuma ki N ta faze matríkula.",
        id="kabuverdianu-school",
    ),
    pytest.param(
        "kea", "Oi, bu podi djuda-m? N ka tene papel di residensia.", id="kabuverdianu-short"
    ),
    pytest.param(
        "es",
        "Hola, quiero saber cómo puedo obtener el permiso de residencia en Cabo Verde.",
        id="spanish",
    ),
    pytest.param("ar", "مرحبا، أحتاج إلى مساعدة في تأشيرتي وفي تجديد الإقامة", id="arabic"),
    pytest.param(
        "ru", "Здравствуйте, мне нужна помощь с визой и видом на жительство.", id="russian"
    ),
    pytest.param("zh", "您好，我需要签证和居留许可方面的帮助。", id="chinese"),
]


@pytest.mark.parametrize(("code", "text"), WRITTEN)
def test_the_language_a_person_wrote_in_is_detected(code: str, text: str) -> None:
    detected = detect_language(text)
    assert detected is not None
    assert detected.code == code
    assert 0.7 <= detected.confidence <= 1


def test_french_that_happens_to_use_a_creole_word_stays_french() -> None:
    """ "bu" is Kabuverdianu's "you" and French's "drunk": one such word is not enough."""
    detected = detect_language(
        "J'ai bu un café avec mon ami à Mindelo et il m'a dit que je devais vous écrire."
    )
    assert detected == DetectedLanguage("fr", detected.confidence if detected else 0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Merci",
        "Olá",
        "Thanks",
        "N.º 12, Rua da Praia. Tel 2612345",
        "https://example.org/a/very/long/path/with/words ana.lopes@example.org",
        "12345 67890 !!!",
    ],
)
def test_a_text_too_short_or_without_words_gives_no_guess(text: str) -> None:
    assert detect_language(text) is None


def test_only_registry_languages_are_guessed() -> None:
    """Lingua knows some 75 languages; the guess is among the registry's, Kabuverdianu
    included (by its words), and those Lingua has no model for are left out."""
    detectable = detectable_languages()
    assert detectable <= set(REGISTRY)
    assert {"pt", "kea", "en", "fr", "es", "ar", "zh"} <= detectable
    assert not {"ff", "man", "ti", "wo"} & detectable

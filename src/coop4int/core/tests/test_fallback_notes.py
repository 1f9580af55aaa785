from django.conf import settings
from django.utils import translation

from coop4int.core.fallback_notes import NOTES, fallback_note, has_own_note
from coop4int.core.languages import REGISTRY


def test_every_registry_language_but_mandinka_has_a_note_of_its_own():
    interface = {code for code, _name in settings.LANGUAGES}
    without = {code for code in REGISTRY if not has_own_note(code)}
    assert without == {"man"}
    assert not set(NOTES) & interface  # interface languages use their catalogue
    assert set(NOTES) <= set(REGISTRY)


def test_each_note_names_the_language_shown_by_its_native_name():
    for code in NOTES:
        note = fallback_note(code, "pt")
        assert "Português" in note, code
        assert "{" not in note, code


def test_arabic_note_is_in_arabic_whatever_the_interface_language():
    with translation.override("fr"):
        note = fallback_note("ar", "en")
    assert note == "هذا النص غير متوفر بعد بلغتك. وهو معروض بلغة: English."


def test_interface_language_note_comes_from_its_catalogue():
    with translation.override("en"):
        note = fallback_note("fr", "pt")
    with translation.override("fr"):
        expected = translation.gettext(
            "This text is not yet available in %(asked)s. It is shown in %(shown)s."
        ) % {"asked": "Français", "shown": "Português"}
    assert note == expected
    assert note != "This text is not yet available in Français. It is shown in Português."


def test_a_language_without_a_note_gets_the_interface_language():
    with translation.override("en"):
        note = fallback_note("man", "en")
    assert note == "This text is not yet available in Mandinka. It is shown in English."
    with translation.override("fr"):
        assert fallback_note("man", "en") == fallback_note("man", "en", written_in="fr")

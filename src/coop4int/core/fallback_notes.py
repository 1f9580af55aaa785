"""The note a reader sees when a text is not in the language they asked for — written in that
language, even when it is not one of the interface's languages.

Interface languages take the note from their gettext catalogue. The others take it from
``NOTES`` below, which says "your language" so that no language needs the names of the others in
its grammar; the language the text is shown in is named by its own native name. Notes marked
``# review`` await a native speaker's review, as the Kabuverdianu catalogue does. Mandinka,
mostly written in other languages by its speakers, has none yet: its readers get the note in the
interface's language.
"""

from django.utils import translation
from django.utils.translation import gettext

from coop4int.core.languages import REGISTRY, Language, interface_codes

NOTES: dict[str, str] = {
    "es": "Este texto aún no está disponible en su idioma. Se muestra en: {shown}.",
    "ar": "هذا النص غير متوفر بعد بلغتك. وهو معروض بلغة: {shown}.",
    "bn": "এই লেখাটি এখনও আপনার ভাষায় পাওয়া যায় না। এটি এই ভাষায় দেখানো হচ্ছে: {shown}।",
    "de": "Dieser Text ist noch nicht in Ihrer Sprache verfügbar. Er wird angezeigt auf: {shown}.",
    "fi": "Tämä teksti ei ole vielä saatavilla kielelläsi. Se näytetään kielellä: {shown}.",
    "fa": "این متن هنوز به زبان شما موجود نیست. به این زبان نمایش داده می‌شود: {shown}.",
    "he": "טקסט זה עדיין אינו זמין בשפה שלך. הוא מוצג בשפה: {shown}.",
    "hi": "यह पाठ अभी आपकी भाषा में उपलब्ध नहीं है। इसे इस भाषा में दिखाया जा रहा है: {shown}।",
    "it": "Questo testo non è ancora disponibile nella tua lingua. È mostrato in: {shown}.",
    "ja": "このテキストはまだお使いの言語では提供されていません。表示言語：{shown}。",
    "ne": "यो पाठ अझै तपाईंको भाषामा उपलब्ध छैन। यसलाई यो भाषामा देखाइएको छ: {shown}।",
    "nl": "Deze tekst is nog niet beschikbaar in uw taal. Hij wordt getoond in: {shown}.",
    "pl": "Ten tekst nie jest jeszcze dostępny w Twoim języku. Wyświetlany jest w języku: {shown}.",
    "ro": "Acest text nu este încă disponibil în limba dumneavoastră. Este afișat în: {shown}.",
    "ru": "Этот текст пока недоступен на вашем языке. Он показан на языке: {shown}.",
    "sv": "Den här texten finns ännu inte på ditt språk. Den visas på: {shown}.",
    "th": "ข้อความนี้ยังไม่มีในภาษาของคุณ แสดงเป็นภาษา: {shown}",
    "tr": "Bu metin henüz sizin dilinizde mevcut değil. Gösterildiği dil: {shown}.",
    "uk": "Цей текст ще недоступний вашою мовою. Його показано мовою: {shown}.",
    "ur": "یہ متن ابھی آپ کی زبان میں دستیاب نہیں ہے۔ یہ اس زبان میں دکھایا جا رہا ہے: {shown}۔",
    "zh": "此文本尚无您的语言版本。当前显示的语言：{shown}。",
    "ti": "እዚ ጽሑፍ ብቋንቋኹም ገና ኣይተዳለወን። ዝርአ ዘሎ ብ: {shown}።",  # review
    "wo": "Mbind mii amagul ci sa làkk. Mu ngi wone ci: {shown}.",  # review
    "ff": "Ndee winndannde alaa tawo e ɗemngal maa. Ina hollaa e: {shown}.",  # review
}


def fallback_note(asked: str, shown: str, *, written_in: str = "") -> str:
    """The note that a text asked for in ``asked`` is shown in ``shown`` instead, written in
    ``written_in`` (by default ``asked`` itself; the interface's current language when that
    language has no note of its own)."""
    written_in = written_in or asked
    asked_name = REGISTRY[asked].native_name if asked in REGISTRY else asked
    shown_name = REGISTRY[shown].native_name if shown in REGISTRY else shown
    interface = interface_codes()
    if written_in == asked and asked in NOTES and asked not in interface:
        return NOTES[asked].format(shown=shown_name)
    with translation.override(
        written_in if written_in in interface else translation.get_language()
    ):
        return gettext("This text is not yet available in %(asked)s. It is shown in %(shown)s.") % {
            "asked": asked_name,
            "shown": shown_name,
        }


def has_own_note(code: str) -> bool:
    """Whether readers of ``code`` get the note in ``code`` itself."""
    return code in NOTES or code in interface_codes()


def fallback_notes(asked: str, shown: str) -> list[tuple[Language, str]]:
    """The notes that a text asked for in ``asked`` is shown in ``shown``: in ``asked`` and —
    when the page around it speaks another language — in that too, each with its language."""
    notes = []
    for code in dict.fromkeys([asked, translation.get_language() or "pt"]):
        if has_own_note(code) and code in REGISTRY:
            notes.append((REGISTRY[code], fallback_note(asked, shown, written_in=code)))
    return notes

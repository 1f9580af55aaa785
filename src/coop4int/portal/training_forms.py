"""The public training forms: the catalogue's filters (a GET form) and the application to a
course's session, sent without an account.

What an applicant types is an unverified claim (``learning.domain.enrolment.apply_publicly``):
it never attaches itself to a person's record; an officer decides the application."""

from collections.abc import Iterable, Sequence
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.enums import NotifyBy
from coop4int.core.formatting import current_locale
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import REGISTRY, language_choices
from coop4int.core.text_search import fold
from coop4int.learning.domain.enrolment import Applicant
from coop4int.learning.enums import Audience
from coop4int.people.enums import Sex
from coop4int.portal.abuse import honeypot_field
from coop4int.portal.forms import ContactDetailsForm

MOTIVATION_MAX_LENGTH = 2000
# CLDR regions that are no country a person holds: unknown, the EU, the eurozone, the UN,
# outlying Oceania, and the pseudo-locales' regions.
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


class CatalogueFilterForm(forms.Form):
    """Which courses the catalogue lists. Sent by GET; an empty form lists every course with a
    session to come."""

    UPCOMING = "upcoming"
    ALL = "all"

    audience = forms.ChoiceField(label=_("For whom"), required=False)
    island = forms.ChoiceField(label=_("Island"), required=False)
    taught_in = forms.ChoiceField(
        label=_("Language taught in"), required=False, widget=LanguageSelect
    )
    when = forms.ChoiceField(label=_("Sessions"), required=False)

    def __init__(
        self, *args: Any, islands: Iterable[str], languages: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        fields = self.fields
        fields["audience"].choices = anything + list(Audience.choices)  # type: ignore[attr-defined]
        fields["island"].choices = anything + [(i, i) for i in islands]  # type: ignore[attr-defined]
        fields["taught_in"].choices = anything + [  # type: ignore[attr-defined]
            (code, REGISTRY[code].native_name if code in REGISTRY else code) for code in languages
        ]
        fields["when"].choices = [  # type: ignore[attr-defined]
            (self.UPCOMING, _("Only courses with sessions to come")),
            (self.ALL, _("Every course")),
        ]

    def criteria(self) -> dict[str, Any]:
        """The keyword arguments of ``public_catalogue`` (without ``language`` and ``now``):
        every course with a session to come when the form is empty or not valid."""
        if not self.is_bound or not self.is_valid():
            return {"upcoming_only": True}
        data = self.cleaned_data
        return {
            "audience": data["audience"] or None,
            "island": data["island"] or None,
            "taught_in": data["taught_in"] or None,
            "upcoming_only": data["when"] != self.ALL,
        }

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the list."""
        criteria = self.criteria()
        return any(criteria.get(name) for name in ("audience", "island", "taught_in"))


def country_choices() -> list[tuple[str, str]]:
    """Countries by their two-letter code, named and sorted in the page's language."""
    try:
        names = Locale.parse(current_locale()).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    countries = [
        (str(code), str(name))
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(countries, key=lambda choice: fold(choice[1]))


class ApplicationForm(ContactDetailsForm):
    """An application to one of a course's sessions. ``sessions`` are its choices: (id, label)
    of each session open for applications."""

    session = forms.ChoiceField(label=_("Session"), widget=forms.RadioSelect)
    notify_by = forms.ChoiceField(
        label=_("Send me messages about my application by"),
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of our messages"), choices=language_choices, widget=LanguageSelect
    )
    motivation = forms.CharField(
        label=_("Why do you want to take part? (optional)"),
        help_text=_("For example: your work, what you want to learn, what you already know."),
        max_length=MOTIVATION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sex = forms.ChoiceField(
        label=_("Sex (optional, for statistics only)"),
        choices=Sex.choices,
        initial=Sex.NOT_STATED,
        required=False,
    )
    nationality = forms.ChoiceField(
        label=_("Nationality (optional, for statistics only)"), required=False
    )
    website = honeypot_field()

    field_order = ["session"]

    def __init__(
        self, *args: Any, sessions: Sequence[tuple[str, str]], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = list(sessions)  # type: ignore[attr-defined]
        if len(sessions) == 1:
            self.fields["session"].initial = sessions[0][0]
        self.fields["nationality"].choices = [("", _("Not stated")), *country_choices()]  # type: ignore[attr-defined]
        if language in REGISTRY:
            self.fields["language"].initial = language

    def clean_name(self) -> str:
        text: str = self.cleaned_data["name"]
        return text.strip()

    def applicant(self) -> Applicant:
        """The applicant as ``apply_publicly`` takes them; only after ``is_valid()``."""
        data = self.cleaned_data
        return Applicant(
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            language=data["language"],
            notify_by=data["notify_by"],
            motivation=data["motivation"].strip(),
            sex=data["sex"] or Sex.NOT_STATED,
            nationality=data["nationality"],
        )

"""The public's 'Ask for help' form and the answer form of the tracking page."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit
from coop4int.core.languages import language_choices
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.portal.abuse import honeypot_field

MESSAGE_MAX_LENGTH = 5000
SUBJECT_MAX_LENGTH = 120
# A subject made from the question: its first words, up to this many characters.
DERIVED_SUBJECT_LENGTH = 60


def subject_from(question: str) -> str:
    """The first words of ``question``, cut at a word boundary, as a case subject."""
    words = question.split()
    subject = ""
    for word in words:
        candidate = f"{subject} {word}".strip()
        if len(candidate) > DERIVED_SUBJECT_LENGTH:
            return (subject or word[:DERIVED_SUBJECT_LENGTH]) + "…"
        subject = candidate
    return subject


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """What a person sent through the form, cleaned and normalised."""

    question: str
    subject: str
    name: str
    email: str
    phone: str
    language: str
    unit: Unit | None
    wants_contact: bool


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        if obj.island:
            return f"{obj.name} ({obj.get_island_display()})"
        return obj.name


def local_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).order_by("name")


class RequestForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        help_text=_("Write in the language you prefer. Do not send copies of documents here."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MESSAGE_MAX_LENGTH,
    )
    subject = forms.CharField(
        label=_("Subject in a few words (optional)"),
        max_length=SUBJECT_MAX_LENGTH,
        required=False,
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Your e-mail (optional)"),
        help_text=_("We send our answers there too."),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        help_text=_("With the country code if it is not a Cabo Verdean number, e.g. +221…"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language for our answer"), choices=language_choices)
    unit = UnitChoiceField(
        label=_("Which local support unit?"),
        queryset=Unit.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Let the national team decide"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the High Authority for Immigration uses what I write here to handle "
            "my request."
        ),
    )
    wants_contact = forms.BooleanField(
        label=_("You may contact me by e-mail or phone about my request."),
        required=False,
    )
    website = honeypot_field()

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = local_units()  # type: ignore[attr-defined]
        if language in dict(language_choices()):
            self.fields["language"].initial = language

    def clean_email(self) -> str:
        text: str = self.cleaned_data["email"]
        return normalise_email(text) if text.strip() else ""

    def clean_phone(self) -> str:
        text: str = self.cleaned_data["phone"]
        return normalise_phone(text) if text.strip() else ""

    def help_request(self) -> HelpRequest:
        """The cleaned request; only after ``is_valid()``."""
        data = self.cleaned_data
        question = data["question"].strip()
        return HelpRequest(
            question=question,
            subject=data["subject"].strip() or subject_from(question),
            name=data["name"].strip(),
            email=data["email"],
            phone=data["phone"],
            language=data["language"],
            unit=data["unit"],
            wants_contact=data["wants_contact"],
        )


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_LENGTH,
    )
    website = honeypot_field()


class TrackingSMSForm(forms.Form):
    """The number to send a person's tracking link to, by SMS."""

    phone = forms.CharField(
        label=_("Your mobile phone number"),
        help_text=_("With the country code if it is not a Cabo Verdean number, e.g. +221…"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

from typing import Any
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.appointments.enums import NotifyBy
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import REGISTRY
from coop4int.directory.domain.queries import DirectoryFilter, Facets
from coop4int.people.domain.contacts import normalise_email, normalise_phone

PHONE_HELP = _("With the country code if it is not a Cabo Verdean number, e.g. +221…")


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    island = forms.ChoiceField(label=_("Island"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    topic = forms.ChoiceField(label=pgettext_lazy("directory filter", "Topic"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False, widget=LanguageSelect)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    walk_in = forms.BooleanField(label=_("Walk-in, no appointment"), required=False)
    accessible = forms.BooleanField(label=_("Accessible"), required=False)

    def __init__(self, *args: Any, facets: Facets, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        fields = self.fields
        fields["island"].choices = anything + [(i, i) for i in facets.islands]  # type: ignore[attr-defined]
        fields["municipality"].choices = anything + [(m, m) for m in facets.municipalities]  # type: ignore[attr-defined]
        fields["topic"].choices = anything + [  # type: ignore[attr-defined]
            (str(term.id), term.names.get(language) or term.name) for term in facets.topics
        ]
        fields["language"].choices = anything + [  # type: ignore[attr-defined]
            (code, REGISTRY[code].native_name if code in REGISTRY else code)
            for code in facets.languages
        ]

    def criteria(self) -> DirectoryFilter:
        if not self.is_valid():
            return DirectoryFilter()
        data = self.cleaned_data
        return DirectoryFilter(
            q=data["q"],
            island=data["island"],
            municipality=data["municipality"],
            topic=UUID(data["topic"]) if data["topic"] else None,
            language=data["language"],
            open_now=data["open_now"],
            walk_in=data["walk_in"],
            accessible=data["accessible"],
        )


class ContactDetailsForm(forms.Form):
    """Who fills in a public form (a booking, an application to a course) and how to reach
    them: a phone number or an e-mail address, at least one, and the one the messages go by
    (``notify_by``, which each form declares with its own label). Its fields come first:
    a form with a field to show before them says so in its ``field_order``."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        help_text=PHONE_HELP,
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Your e-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_phone(self) -> str:
        text: str = self.cleaned_data["phone"]
        return normalise_phone(text) if text.strip() else ""

    def clean_email(self) -> str:
        text: str = self.cleaned_data["email"]
        return normalise_email(text) if text.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_error("phone") or self.has_error("email"):
            return data
        phone, email = data.get("phone", ""), data.get("email", "")
        if not phone and not email:
            raise forms.ValidationError(
                _("Please give a phone number or an e-mail address."), code="contact"
            )
        notify_by = data.get("notify_by")
        if notify_by == NotifyBy.EMAIL and not email:
            self.add_error(
                "notify_by", _("To get messages by e-mail, please give your e-mail address.")
            )
        elif notify_by in (NotifyBy.SMS, NotifyBy.WHATSAPP) and not phone:
            self.add_error(
                "notify_by",
                _("To get messages by SMS or WhatsApp, please give your phone number."),
            )
        return data

"""The public booking forms: the details of the person booking (or joining a day's waiting
list), and the choice of another time when moving an appointment.

What is typed here is an unverified claim (``appointments.domain.booking``): the domain checks
it again and never attaches it to a person's record."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.enums import NotifyBy
from coop4int.core.languages import language_choices
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.portal.abuse import honeypot_field

ACCESSIBILITY_MAX_LENGTH = 1000
PHONE_HELP = _("With the country code if it is not a Cabo Verdean number, e.g. +221…")


class ContactForm(forms.Form):
    """Who the appointment (or the waiting-list place) is for, and how to reach them."""

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
    notify_by = forms.ChoiceField(
        label=_("Send me messages about the appointment by"),
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of our messages"), choices=language_choices)
    interpreter_needed = forms.BooleanField(
        label=_("I need an interpreter at the appointment"), required=False
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        help_text=_("For example: a wheelchair, a sign-language interpreter, large print."),
        max_length=ACCESSIBILITY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = honeypot_field()

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if language in dict(language_choices()):
            self.fields["language"].initial = language

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

    def contact(self) -> dict[str, Any]:
        """The keyword arguments of ``book_slot`` / ``join_waiting_list`` for the person; only
        after ``is_valid()``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "email": data["email"],
            "language": data["language"],
            "interpreter_needed": data["interpreter_needed"],
            "accessibility_needs": data["accessibility_needs"],
            "notify_by": data["notify_by"],
        }


class BookingForm(ContactForm):
    """The details form of a booking. ``time`` (the slot's local start, ``HHMM``) is the time
    chosen on the previous page, carried along hidden; when that time was just taken, the
    page offers the day's remaining times here instead (``offer_times``)."""

    time = forms.ChoiceField(label=_("Another time"), widget=forms.HiddenInput)

    field_order = ["time"]

    def __init__(self, *args: Any, times: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time"].choices = list(times)  # type: ignore[attr-defined]

    def offer_times(self, times: Sequence[tuple[str, str]]) -> None:
        """Show ``times`` (value, label) to choose from, none chosen."""
        field = self.fields["time"]
        field.choices = list(times)  # type: ignore[attr-defined]
        field.widget = forms.RadioSelect(choices=list(times))
        if self.is_bound:
            # None chosen: the time refused is not among them.
            self.data = {key: self.data[key] for key in self.data if key != "time"}


class TimeForm(forms.Form):
    """The new time of a moved appointment: one of the day's free times (``HHMM``)."""

    time = forms.ChoiceField(label=_("New time"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, times: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time"].choices = list(times)  # type: ignore[attr-defined]

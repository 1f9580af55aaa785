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
from coop4int.portal.abuse import honeypot_field
from coop4int.portal.forms import ContactDetailsForm

ACCESSIBILITY_MAX_LENGTH = 1000


class ContactForm(ContactDetailsForm):
    """Who the appointment (or the waiting-list place) is for, and how to reach them."""

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

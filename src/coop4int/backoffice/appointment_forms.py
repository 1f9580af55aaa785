"""Forms of the staff appointment pages: choosing the day sheet's day and unit, the actions on
a booking (check in, no-show, cancel, move, open or join a case) and booking on behalf of a
caller."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.models import Unit
from coop4int.appointments.enums import NotifyBy
from coop4int.appointments.models import BookableService
from coop4int.cases.models import Case
from coop4int.core.languages import language_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DaySheetForm(forms.Form):
    """The day sheet's day, and for nationwide staff its unit (GET)."""

    day = forms.DateField(label=_("Day"), required=False, widget=DATE_INPUT)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, to_field_name="slug"
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        unit_field.empty_label = None


def day_sheet_address(value: str) -> str:
    """``value`` when it is an address of the day sheet on this site, else ``""``."""
    sheet = reverse("backoffice:appointment_day")
    if len(value) > 500 or not value.startswith(sheet):
        return ""
    return value if url_has_allowed_host_and_scheme(value, None) else ""


class BookingButtonForm(forms.Form):
    """A button on a booking; ``back`` is the day sheet's address when it was pressed there,
    where the officer goes back to."""

    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def clean_back(self) -> str:
        return day_sheet_address(self.cleaned_data.get("back", ""))


class CancelForm(BookingButtonForm):
    reason = forms.CharField(
        label=_("Reason for cancelling, told to the person"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the appointment is cancelled: the person is told.")},
    )


class MoveForm(forms.Form):
    """Moving to another free time of the same service on ``day``."""

    day = forms.DateField(widget=forms.HiddenInput)
    start = forms.ChoiceField(
        label=_("New time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the new time."),
            "invalid_choice": _("That time is no longer free. Please choose another."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for the move, told to the person"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed once the latest time to change the appointment has passed."),
    )

    def __init__(self, *args: Any, slots: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start = self.fields["start"]
        assert isinstance(start, forms.ChoiceField)
        start.choices = list(slots)

    def clean_start(self) -> datetime:
        return datetime.fromisoformat(self.cleaned_data["start"])


class OpenCaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject of the case"), max_length=200)
    body = forms.CharField(
        label=_("What the person asks (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.subject}" if obj.subject else str(obj.reference)


class JoinCaseForm(forms.Form):
    case = CaseChoiceField(
        label=_("Case of the person"),
        queryset=Case.objects.none(),
        to_field_name="reference",
        error_messages={"required": _("Choose a case."), "invalid_choice": _("Choose a case.")},
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cases


class BookableChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        sal = obj.service_at_location
        return f"{sal.service.name} — {sal.location.name}"


class ChooseDayForm(forms.Form):
    """Booking on behalf of a caller, first step (GET): the service at a location and the day."""

    service = BookableChoiceField(
        label=_("Service and place"),
        queryset=BookableService.objects.none(),
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)

    def __init__(self, *args: Any, bookables: QuerySet[BookableService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bookables


class WaitForm(forms.Form):
    """Who the appointment is for, as the caller says (second step, POST); without a time,
    a place on the day's waiting list."""

    service = BookableChoiceField(queryset=BookableService.objects.none(), widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices)
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notify_by = forms.ChoiceField(
        label=_("Send messages by"),
        required=False,
        choices=[("", _("The usual way (e-mail, else SMS)")), *NotifyBy.choices],
    )

    def __init__(
        self,
        *args: Any,
        bookables: QuerySet[BookableService],
        slots: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bookables
        if "start" in self.fields:
            start = self.fields["start"]
            assert isinstance(start, forms.ChoiceField)
            start.choices = list(slots)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone", "").strip() and not data.get("email", "").strip():
            self.add_error("phone", _("Please give a phone number or an e-mail address."))
        return data


class BookForm(WaitForm):
    start = forms.ChoiceField(
        label=_("Time of the appointment"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("This time is fully booked. Please choose another."),
        },
    )
    field_order = ["start"]

    def clean_start(self) -> datetime:
        return datetime.fromisoformat(self.cleaned_data["start"])

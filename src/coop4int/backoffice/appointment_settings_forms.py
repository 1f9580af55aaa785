"""The forms of a unit's appointment settings: a bookable service, a staff absence, a
location's waiting room. Each is given the unit, and offers only its services, staff and
locations: another unit's is not a valid choice."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.models import Unit, User
from coop4int.appointments.domain.bookable import display_languages, staff_of
from coop4int.appointments.enums import PriorityReason
from coop4int.directory.models import Location, ServiceAtLocation

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class MakeBookableForm(forms.Form):
    """Making a service at a location bookable (``booking.make_bookable``)."""

    service_at_location = forms.ModelChoiceField(
        queryset=ServiceAtLocation.objects.none(), widget=forms.HiddenInput
    )
    slot_minutes = forms.IntegerField(
        label=_("Slot length (minutes)"), min_value=5, max_value=8 * 60, initial=30
    )
    places = forms.IntegerField(
        label=_("Places per slot (desks or officers)"), min_value=1, max_value=100, initial=1
    )
    book_ahead_days = forms.IntegerField(
        label=_("People may book this many days ahead"), min_value=1, max_value=366, initial=28
    )
    cancel_until_hours = forms.IntegerField(
        label=_("Latest time to cancel (hours before)"),
        min_value=0,
        max_value=24 * 14,
        initial=24,
    )
    offer_hold_minutes = forms.IntegerField(
        label=_("Minutes to accept a place offered from the waiting list"),
        min_value=5,
        max_value=24 * 60,
        initial=120,
    )
    staff = StaffChoice(
        label=_("Staff who serve it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None chosen: the places are desks. Otherwise a slot has at most as many places "
            "as these staff are present for it."
        ),
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sal_field = self.fields["service_at_location"]
        staff_field = self.fields["staff"]
        assert isinstance(sal_field, forms.ModelChoiceField)
        assert isinstance(staff_field, forms.ModelMultipleChoiceField)
        sal_field.queryset = ServiceAtLocation.objects.filter(service__unit=unit)
        staff_field.queryset = staff_of(unit)


class ChangeBookableForm(MakeBookableForm):
    """Changing a bookable service (``bookable.change_bookable``)."""

    active = forms.BooleanField(
        label=_("Taking bookings"),
        required=False,
        help_text=_("Unticked: nobody can book it; appointments already made are kept."),
    )


class AbsenceForm(forms.Form):
    """A member of staff away (``booking.record_absence``); times in the unit's time zone."""

    staff = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Away from"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Back at"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(unit.time_zone)
        staff_field = self.fields["staff"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        staff_field.queryset = staff_of(unit)

    def _in_unit_zone(self, value: datetime | None) -> datetime | None:
        """The wall-clock time typed, read in the unit's time zone (not the reader's)."""
        if value is None:
            return None
        return timezone.make_naive(value).replace(tzinfo=self.zone)

    def clean_starts_at(self) -> datetime | None:
        return self._in_unit_zone(self.cleaned_data.get("starts_at"))

    def clean_ends_at(self) -> datetime | None:
        return self._in_unit_zone(self.cleaned_data.get("ends_at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise ValidationError(_("An absence ends after it starts."))
        return data


class QueueSettingsForm(forms.Form):
    """How a location's waiting room works (``bookable.set_queue_settings``)."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), widget=forms.HiddenInput)
    priority_reasons = forms.MultipleChoiceField(
        label=_("Priority reasons honoured"),
        choices=PriorityReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority_first = forms.BooleanField(label=_("Call priority tickets first"), required=False)
    booked_first = forms.BooleanField(
        label=_("Call people with an appointment first once their time has come"),
        required=False,
    )
    target_minutes = forms.IntegerField(
        label=_("Target waiting time (minutes)"), min_value=1, max_value=240
    )
    target_share = forms.IntegerField(
        label=_("Share of people to call within the target (per cent)"),
        min_value=1,
        max_value=100,
    )
    display_language = forms.ChoiceField(
        label=_("Second language of the waiting-room display"), choices=()
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location_field = self.fields["location"]
        language_field = self.fields["display_language"]
        assert isinstance(location_field, forms.ModelChoiceField)
        assert isinstance(language_field, forms.ChoiceField)
        location_field.queryset = Location.objects.filter(
            services_at__service__unit=unit
        ).distinct()
        language_field.choices = display_languages()

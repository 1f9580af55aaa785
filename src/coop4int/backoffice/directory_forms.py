from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.accounts.models import Unit
from coop4int.core.formatting import time_zone_name
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import language_choices
from coop4int.directory.domain.editing import Opening
from coop4int.directory.enums import Country, ServiceStatus
from coop4int.directory.models import Organization, Schedule

WEEKDAYS = (
    ("MO", pgettext_lazy("weekday", "Monday")),
    ("TU", pgettext_lazy("weekday", "Tuesday")),
    ("WE", pgettext_lazy("weekday", "Wednesday")),
    ("TH", pgettext_lazy("weekday", "Thursday")),
    ("FR", pgettext_lazy("weekday", "Friday")),
    ("SA", pgettext_lazy("weekday", "Saturday")),
    ("SU", pgettext_lazy("weekday", "Sunday")),
)
WINDOWS = 2  # two windows a day cover a lunch break
# The time zones of the countries the directory covers (Cabo Verde, then Portugal's mainland
# and islands).
TIME_ZONES = ("Atlantic/Cape_Verde", "Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores")


# Text areas a few lines high (the browser's default is ten): the editor's page holds six forms.
SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    walk_in = forms.BooleanField(label=_("Walk-in, no appointment"), required=False)
    appointment_required = forms.BooleanField(label=_("Appointment needed"), required=False)
    telephone_line = forms.BooleanField(label=_("Telephone line"), required=False)
    fees_description = forms.CharField(label=_("Cost"), required=False, max_length=500)
    application_process = forms.CharField(
        label=_("How to be served"), widget=SHORT_TEXT, required=False
    )
    eligibility_description = forms.CharField(
        label=_("Who can use it"), widget=SHORT_TEXT, required=False
    )
    alert = forms.CharField(label=_("Alert shown on the page"), required=False, max_length=500)
    email = forms.EmailField(label=_("E-mail"), required=False)
    url = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # The fields whose text is written in the service's language (its texts' language).
    TEXT_FIELDS = (
        "name", "description", "fees_description", "application_process",
        "eligibility_description", "alert",
    )  # fmt: skip

    def __init__(self, *args: Any, proposing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if proposing:
            # A partner does not change the entry: they propose the change to the editors,
            # and may tell them why.
            self.fields["note"] = forms.CharField(
                label=_("Note for the editor"), widget=SHORT_TEXT, required=False
            )

    def written_in(self, language: str) -> "ServiceForm":
        """Mark the text fields with the language their text is in (a browser spell-checks
        and reads them in it, whatever the page's language)."""
        for name in self.TEXT_FIELDS:
            self.fields[name].widget.attrs["lang"] = language
        return self


class HoursForm(forms.Form):
    """The week's hours from a date: per day up to two opening windows."""

    valid_from = forms.DateField(
        label=_("These hours apply from"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, current: list[Schedule] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_windows: dict[str, list[tuple[time, time]]] = {code: [] for code, _l in WEEKDAYS}
        # Only plain weekly rows fit this form; monthly or every-other-week rows stay as they
        # are listed above the form, and are replaced only by hours the editor types.
        plain = [
            row
            for row in current or []
            if row.freq in ("", "WEEKLY") and (row.interval or 1) == 1 and not row.bymonthday
        ]
        for row in plain:
            for code in (row.byday or "MO,TU,WE,TH,FR,SA,SU").split(","):
                if code in initial_windows and row.opens_at and row.closes_at:
                    initial_windows[code].append((row.opens_at, row.closes_at))
        for code, day_name in WEEKDAYS:
            windows = sorted(initial_windows[code])
            for n in range(WINDOWS):
                opens, closes = windows[n] if n < len(windows) else (None, None)
                self.fields[f"{code}_{n}_opens"] = forms.TimeField(
                    label=_("%(day)s, opens (%(n)d)") % {"day": day_name, "n": n + 1},
                    required=False,
                    initial=opens,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                self.fields[f"{code}_{n}_closes"] = forms.TimeField(
                    label=_("%(day)s, closes (%(n)d)") % {"day": day_name, "n": n + 1},
                    required=False,
                    initial=closes,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
        self.fields["valid_from"].initial = timezone.localdate()

    def days(self) -> list[dict[str, Any]]:
        return [
            {
                "name": day_name,
                "windows": [
                    (self[f"{code}_{n}_opens"], self[f"{code}_{n}_closes"]) for n in range(WINDOWS)
                ],
            }
            for code, day_name in WEEKDAYS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _day in WEEKDAYS:
            for n in range(WINDOWS):
                opens, closes = data.get(f"{code}_{n}_opens"), data.get(f"{code}_{n}_closes")
                if (opens is None) != (closes is None):
                    self.add_error(
                        f"{code}_{n}_closes" if closes is None else f"{code}_{n}_opens",
                        _("Give both the opening and the closing time."),
                    )
                elif opens is not None and closes is not None and closes <= opens:
                    self.add_error(
                        f"{code}_{n}_closes", _("The closing time must be after the opening time.")
                    )
        return data

    def openings(self) -> list[Opening]:
        """The week as rows of identical hours: Monday to Friday 9–17 is one row."""
        by_hours: dict[tuple[time, time], list[str]] = {}
        for code, _day in WEEKDAYS:
            for n in range(WINDOWS):
                opens = self.cleaned_data.get(f"{code}_{n}_opens")
                closes = self.cleaned_data.get(f"{code}_{n}_closes")
                if opens is not None and closes is not None:
                    by_hours.setdefault((opens, closes), []).append(code)
        return [
            Opening(days=tuple(codes), opens_at=opens, closes_at=closes)
            for (opens, closes), codes in sorted(by_hours.items())
        ]

    def starts_on(self) -> date:
        return self.cleaned_data["valid_from"]


class ClosureForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Closed from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Closed until"),
        required=False,
        help_text=_("Leave empty for “closed until further notice”."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=_("Reason shown to the public"), max_length=300, required=False)

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)

    def _local(self, value: datetime | None) -> datetime | None:
        # The editor types the location's local time, whatever the server's zone.
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["starts_at"] = self._local(data.get("starts_at"))
        data["ends_at"] = self._local(data.get("ends_at"))
        if data["starts_at"] and data["ends_at"] and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The closure must end after it starts."))
        return data


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (needed to reject)"), widget=forms.Textarea, required=False
    )


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name of the place"), max_length=300)
    address_1 = forms.CharField(label=_("Address"), max_length=300)
    address_2 = forms.CharField(label=_("Address (continued)"), max_length=300, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=200)
    state_province = forms.CharField(label=_("Island or district"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    transportation = forms.CharField(
        label=_("How to get there"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One number per line, as people should dial it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The stored value stays the IANA name; the editor reads the zone in words.
        zones = list(TIME_ZONES)
        current = self.initial.get("time_zone")
        if current and current not in zones:
            zones.append(current)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            (zone, time_zone_name(zone)) for zone in zones
        ]

    def phone_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["phones"].splitlines() if line.strip()]


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=language_choices, widget=LanguageSelect
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to remove the translation in this language."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class NewServiceForm(LocationForm):
    """A new service and the place where it is given."""

    service_name = forms.CharField(label=_("Name of the service"), max_length=300)
    service_description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False
    )
    unit = forms.ModelChoiceField(label=_("Kept by the unit"), queryset=Unit.objects.none())
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.order_by("name"), required=False
    )
    field_order = ["service_name", "service_description", "unit", "organization"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        unit_field.queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first()
        self.order_fields(self.field_order)

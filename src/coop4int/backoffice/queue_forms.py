"""Forms of the waiting-room pages: choosing the place (reception), taking a ticket, setting up
an officer's desk and the desk's buttons. The choices are only what the officer may serve."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.domain.queue import service_letter
from coop4int.appointments.enums import PriorityReason
from coop4int.core.languages import language_choices
from coop4int.directory.models import Location, ServiceAtLocation


def location_choices(locations: Sequence[Location]) -> list[tuple[str, str]]:
    return [(str(location.pk), location.name or str(location.pk)) for location in locations]


def service_choices(services: Sequence[ServiceAtLocation]) -> list[tuple[str, str]]:
    """ "A · Atendimento": each service with the letter of its tickets."""
    return [
        (str(service.pk), f"{service_letter(service)} · {service.service.name}")
        for service in services
    ]


class LocationForm(forms.Form):
    """Which place reception works for (GET)."""

    location = forms.ChoiceField(
        label=_("Place"),
        error_messages={"invalid_choice": _("Choose one of the places of your unit.")},
    )

    def __init__(self, *args: Any, locations: Sequence[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = location_choices(locations)  # type: ignore[attr-defined]


class TicketForm(forms.Form):
    """A walk-in's ticket at reception."""

    service = forms.ChoiceField(
        label=_("Service"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the service."),
            "invalid_choice": _("Choose one of the services listed."),
        },
    )
    language = forms.ChoiceField(label=_("Language of the person"))
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the priorities listed.")},
    )
    phone = forms.CharField(
        label=_("Mobile phone to send the ticket's link to (optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    notify_when_near = forms.BooleanField(
        label=_("Send an SMS when the person is third in line"), required=False
    )

    def __init__(
        self,
        *args: Any,
        services: Sequence[ServiceAtLocation],
        priorities: Sequence[str],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"language": "pt"})
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = service_choices(services)  # type: ignore[attr-defined]
        if len(services) == 1:
            self.fields["service"].initial = str(services[0].pk)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["priority"].choices = [("", _("No priority"))] + [  # type: ignore[attr-defined]
            (code, PriorityReason(code).label)
            for code in priorities
            if code in PriorityReason.values
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notify_when_near") and not (data.get("phone") or "").strip():
            self.add_error(
                "phone", _("Give a phone number to send a message when the turn is near.")
            )
        return data


class DeskForm(forms.Form):
    """An officer's desk (GET): the place, the desk's name as the display shows it, and the
    services called to it."""

    location = forms.ChoiceField(
        label=_("Place"),
        error_messages={"invalid_choice": _("Choose one of the places of your unit.")},
    )
    desk = forms.CharField(
        label=_("Desk"),
        max_length=32,
        help_text=_("As the waiting-room screen shows it, e.g. 2 or Guiché 2."),
        error_messages={"required": _("Say which desk you are at.")},
    )
    services = forms.MultipleChoiceField(
        label=_("Services called to this desk"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one service."),
            "invalid_choice": _("Choose among the services listed."),
        },
    )

    def __init__(
        self,
        *args: Any,
        locations: Sequence[Location],
        services: Sequence[ServiceAtLocation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = location_choices(locations)  # type: ignore[attr-defined]
        self.fields["services"].choices = service_choices(services)  # type: ignore[attr-defined]

    def clean_desk(self) -> str:
        return " ".join(str(self.cleaned_data.get("desk", "")).split())


DESK_ACTIONS = ("call_next", "recall", "start", "served", "no_show", "left", "transfer")


class DeskActionForm(forms.Form):
    """A button of the desk: what to do, to which ticket, and for a transfer, where to."""

    action = forms.ChoiceField(choices=[(name, name) for name in DESK_ACTIONS])
    ticket = forms.IntegerField(required=False, min_value=1)
    to = forms.ChoiceField(
        label=_("Transfer to"),
        required=False,
        error_messages={"invalid_choice": _("Choose another service at this place.")},
    )

    def __init__(self, *args: Any, services: Sequence[ServiceAtLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", ""), *service_choices(services)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action and action != "call_next" and not data.get("ticket"):
            raise forms.ValidationError(_("This ticket is no longer at your desk."))
        if action == "transfer" and not data.get("to"):
            self.add_error("to", _("Choose the service to transfer to."))
        return data

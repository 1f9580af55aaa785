"""A unit's appointment settings: which of its services at their locations people may book
and how, its staff's absences, and how each of its waiting rooms calls people.

``Permission.MANAGE_APPOINTMENTS``: administrators for every unit, unit coordinators for their
own; another unit answers 404. The page's actions are a table (``page_actions``), each calling
one domain function."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit
from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.bookable import (
    absences_of,
    change_bookable,
    locations_of,
    managed_unit,
    managed_units,
    services_of,
    set_queue_settings,
)
from coop4int.appointments.domain.booking import make_bookable, record_absence
from coop4int.appointments.models import BookableService, QueueSettings
from coop4int.backoffice.appointment_settings_forms import (
    AbsenceForm,
    ChangeBookableForm,
    MakeBookableForm,
    QueueSettingsForm,
)
from coop4int.backoffice.page_actions import (
    Acting,
    Action,
    ActionPage,
    ActionTable,
    Refused,
)
from coop4int.backoffice.views import StaffView
from coop4int.directory.models import Location, ServiceAtLocation


def _unit_options(page: Any, unit: Unit) -> dict[str, Any]:
    return {"unit": unit}


def _bookable_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "slot_minutes": data["slot_minutes"],
        "places": data["places"],
        "book_ahead_days": data["book_ahead_days"],
        "cancel_until_hours": data["cancel_until_hours"],
        "offer_hold_minutes": data["offer_hold_minutes"],
        "staff": list(data["staff"]),
    }


def _names(sal: ServiceAtLocation) -> dict[str, str]:
    return {"service": sal.service.name, "location": sal.location.name}


def _make_bookable(act: Acting[Unit]) -> str:
    sal: ServiceAtLocation = act.data["service_at_location"]
    if BookableService.objects.filter(service_at_location=sal).exists():
        raise Refused(_("This service can already be booked. Nothing was changed."))
    make_bookable(
        actor=act.actor, service_at_location=sal, now=timezone.now(), **_bookable_values(act.data)
    )
    return _("People can now book “%(service)s” at %(location)s.") % _names(sal)


def _change_bookable(act: Acting[Unit]) -> str:
    sal: ServiceAtLocation = act.data["service_at_location"]
    bookable = BookableService.objects.filter(service_at_location=sal).first()
    if bookable is None:
        raise Refused(_("This service cannot be booked yet. Nothing was changed."))
    changed = change_bookable(
        actor=act.actor,
        bookable=bookable,
        active=act.data["active"],
        now=timezone.now(),
        **_bookable_values(act.data),
    )
    if not changed:
        return _("Nothing was changed.")
    return _("The booking settings of “%(service)s” at %(location)s were saved.") % _names(sal)


def _record_absence(act: Acting[Unit]) -> str:
    record_absence(
        actor=act.actor,
        staff=act.data["staff"],
        starts_at=act.data["starts_at"],
        ends_at=act.data["ends_at"],
        now=timezone.now(),
    )
    return _("The absence of %(name)s was recorded.") % {"name": act.data["staff"]}


def _set_queue_settings(act: Acting[Unit]) -> str:
    location: Location = act.data["location"]
    fields = {name: value for name, value in act.data.items() if name != "location"}
    set_queue_settings(location=location, actor=act.actor, now=timezone.now(), **fields)
    return _("The waiting-room settings of %(location)s were saved.") % {"location": location.name}


@dataclass(frozen=True, slots=True)
class ServiceRow:
    sal: ServiceAtLocation
    bookable: BookableService | None
    form: forms.Form
    action: str


@dataclass(frozen=True, slots=True)
class LocationRow:
    location: Location
    form: forms.Form


def _bound_for(bound: Mapping[str, forms.Form], key: str, field: str, pk: Any) -> forms.Form | None:
    """The form posted for this object, shown again with what was typed."""
    form = bound.get(key)
    if form is not None and str(form.data.get(field, "")) == str(pk):
        return form
    return None


class AppointmentSettingsView(ActionPage[Unit], StaffView):
    permission = Permission.MANAGE_APPOINTMENTS
    actions = ActionTable[Unit](
        Action("make_bookable", MakeBookableForm, _make_bookable, "services",
               options=_unit_options),
        Action("change_bookable", ChangeBookableForm, _change_bookable, "services",
               options=_unit_options),
        Action("record_absence", AbsenceForm, _record_absence, "absences",
               options=_unit_options),
        Action("queue_settings", QueueSettingsForm, _set_queue_settings, "waiting-rooms",
               options=_unit_options),
    )  # fmt: skip

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Unit:
        """The unit of the address; without one, the unit chosen (``?unit=``) or the user's
        own — else the first they may configure."""
        unit_id = kwargs.get("unit_id")
        if unit_id is None:
            chosen = request.GET.get("unit", "")
            if chosen.isdigit():
                unit_id = int(chosen)
            elif self.user.unit_id is not None:
                unit_id = self.user.unit_id
            else:
                first = managed_units(self.user).first()
                unit_id = first.pk if first is not None else 0
        return managed_unit(self.user, unit_id)

    def page_url(self, obj: Unit) -> str:
        return reverse("backoffice:appointment_settings_unit", kwargs={"unit_id": obj.pk})

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.render_page(request, self.action_object(request, **kwargs), {})

    def render_page(
        self, request: HttpRequest, obj: Unit, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        unit = obj
        now = timezone.now()
        services: list[ServiceRow] = []
        for sal in services_of(unit):
            bookable = getattr(sal, "bookable", None)
            action = "make_bookable" if bookable is None else "change_bookable"
            form = _bound_for(bound, action, "service_at_location", sal.pk)
            if form is None:
                initial: dict[str, Any] = {"service_at_location": sal.pk}
                if bookable is not None:
                    initial |= {
                        "slot_minutes": bookable.slot_minutes,
                        "places": bookable.places,
                        "book_ahead_days": bookable.book_ahead_days,
                        "cancel_until_hours": bookable.cancel_until_hours,
                        "offer_hold_minutes": bookable.offer_hold_minutes,
                        "staff": [member.pk for member in bookable.staff.all()],
                        "active": bookable.active,
                    }
                form_class = MakeBookableForm if bookable is None else ChangeBookableForm
                form = form_class(initial=initial, unit=unit)
            form.auto_id = f"id_sal_{sal.pk}_%s"
            services.append(ServiceRow(sal, bookable, form, action))
        locations: list[LocationRow] = []
        for location in locations_of(unit):
            form = _bound_for(bound, "queue_settings", "location", location.pk)
            if form is None:
                current = getattr(location, "queue_settings", None) or QueueSettings(
                    location=location
                )
                form = QueueSettingsForm(
                    initial={
                        "location": location.pk,
                        "priority_reasons": list(current.priority_reasons or []),
                        "priority_first": current.priority_first,
                        "booked_first": current.booked_first,
                        "target_minutes": current.target_minutes,
                        "target_share": current.target_share,
                        "display_language": current.display_language,
                    },
                    unit=unit,
                )
            form.auto_id = f"id_location_{location.pk}_%s"
            locations.append(LocationRow(location, form))
        absence_form = bound.get("record_absence") or AbsenceForm(unit=unit)
        absence_form.auto_id = "id_absence_%s"
        context: dict[str, Any] = {
            "unit": unit,
            "services": services,
            "locations": locations,
            "absences": absences_of(unit, now=now),
            "absence_form": absence_form,
            "page_url": self.page_url(unit),
            "other_units": list(managed_units(self.user).exclude(pk=unit.pk))
            if self.user.is_nationwide
            else [],
        } | self.section_context(request, unit)
        return render(request, "backoffice/appointment_settings/unit.html", context)

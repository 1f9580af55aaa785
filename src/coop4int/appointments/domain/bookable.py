"""A unit's appointment settings: changing a bookable service (``booking.make_bookable`` makes
one) and a location's waiting-room settings; and the reads of the settings page.

Who: ``Permission.MANAGE_APPOINTMENTS`` for the unit (``appointments/rules.py``):
administrators for every unit, unit coordinators for their own. A unit, service or location of
another unit answers 404 in the reads (``managed_unit``) and ``PermissionDenied`` in the
writes. Each write is one transaction and one audit entry; ``now`` is passed in.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.booking import bookable_problems
from coop4int.appointments.enums import PriorityReason
from coop4int.appointments.models import BookableService, QueueSettings, StaffAbsence
from coop4int.core.audit import record
from coop4int.directory.models import Location, ServiceAtLocation

# The waiting-room display shows Portuguese and one more interface language.
DISPLAY_MAIN_LANGUAGE = "pt"
QUEUE_FIELDS = (
    "priority_reasons",
    "priority_first",
    "booked_first",
    "target_minutes",
    "target_share",
    "display_language",
)


# --- Reads -------------------------------------------------------------------------------------


def managed_units(user: User) -> QuerySet[Unit]:
    """The units whose appointments ``user`` may configure."""
    if Permission.MANAGE_APPOINTMENTS not in user.granted_permissions:
        return Unit.objects.none()
    units = Unit.objects.order_by("name")
    if user.is_nationwide:
        return units
    return units.filter(pk=user.unit_id) if user.unit_id else Unit.objects.none()


def managed_unit(user: User, unit_id: int) -> Unit:
    """The unit, when ``user`` may configure its appointments; 404 otherwise (and for a unit
    that does not exist)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not user.has_perm(Permission.MANAGE_APPOINTMENTS, unit):
        raise Http404
    return unit


def services_of(unit: Unit) -> list[ServiceAtLocation]:
    """The unit's services at their locations, with their bookable settings and staff."""
    return list(
        ServiceAtLocation.objects.filter(service__unit=unit)
        .select_related("service", "location", "bookable")
        .prefetch_related("bookable__staff")
        .order_by("service__name", "location__name")
    )


def locations_of(unit: Unit) -> list[Location]:
    """The locations where the unit offers a service, with their waiting-room settings."""
    return list(
        Location.objects.filter(services_at__service__unit=unit)
        .select_related("queue_settings")
        .distinct()
        .order_by("name")
    )


def staff_of(unit: Unit) -> QuerySet[User]:
    """The unit's active staff: who may serve its bookable services and be absent."""
    return User.objects.filter(unit=unit, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def absences_of(unit: Unit, *, now: datetime) -> list[StaffAbsence]:
    """The absences of the unit's staff not yet over, the soonest first."""
    return list(
        StaffAbsence.objects.filter(staff__unit=unit, ends_at__gt=now)
        .select_related("staff")
        .order_by("starts_at", "pk")
    )


# --- Writes ------------------------------------------------------------------------------------


def _require_manager(actor: User, unit_id: int | None) -> None:
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None or not actor.has_perm(Permission.MANAGE_APPOINTMENTS, unit):
        raise PermissionDenied


def change_bookable(
    *,
    actor: User,
    bookable: BookableService,
    slot_minutes: int,
    places: int,
    book_ahead_days: int,
    cancel_until_hours: int,
    offer_hold_minutes: int,
    staff: Sequence[User],
    active: bool,
    now: datetime,
) -> list[str]:
    """Change a bookable service's settings, or stop (``active=False``) or resume taking
    bookings for it. Bookings already made keep their places and times. Returns the names of
    the fields changed (none: nothing written). Side effects: the ``BookableService`` row and
    its staff; audit ``appointments.service.bookable_changed`` with the values before and
    after."""
    unit_id = bookable.service_at_location.service.unit_id
    _require_manager(actor, unit_id)
    problems = bookable_problems(
        slot_minutes=slot_minutes,
        places=places,
        book_ahead_days=book_ahead_days,
        cancel_until_hours=cancel_until_hours,
        offer_hold_minutes=offer_hold_minutes,
        staff=staff,
        unit_id=unit_id,
    )
    if problems:
        raise ValidationError(problems)
    wanted: dict[str, Any] = {
        "slot_minutes": slot_minutes,
        "places": places,
        "book_ahead_days": book_ahead_days,
        "cancel_until_hours": cancel_until_hours,
        "offer_hold_minutes": offer_hold_minutes,
        "active": active,
    }
    with transaction.atomic():
        bookable = BookableService.objects.select_for_update().get(pk=bookable.pk)
        before = {name: getattr(bookable, name) for name in wanted}
        staff_before = sorted(bookable.staff.values_list("pk", flat=True))
        staff_after = sorted(member.pk for member in staff)
        changed = [name for name, value in wanted.items() if before[name] != value]
        if staff_before != staff_after:
            changed.append("staff")
        if not changed:
            return []
        for name, value in wanted.items():
            setattr(bookable, name, value)
        bookable.updated_at = now
        bookable.save(update_fields=[*wanted, "updated_at"])
        bookable.staff.set(staff)
        record(
            action="appointments.service.bookable_changed",
            actor=actor,
            obj=bookable.service_at_location,
            unit=bookable.service_at_location.service.unit,
            data={
                "changed": changed,
                "before": before | {"staff": staff_before},
                "after": wanted | {"staff": staff_after},
            },
        )
    return changed


def display_languages() -> list[tuple[str, str]]:
    """The interface languages the display may show beside Portuguese."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != DISPLAY_MAIN_LANGUAGE]


def set_queue_settings(
    *, location: Location, actor: User, now: datetime, **fields: Any
) -> QueueSettings:
    """Set how ``location``'s waiting room works (any of ``QUEUE_FIELDS``; the others keep
    their value, or the defaults for a location without settings). Side effects: the
    ``QueueSettings`` row; audit ``appointments.queue.settings_changed`` with the values set.
    The actor must manage the appointments of a unit with a service at the location."""
    unknown = set(fields) - set(QUEUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown waiting-room settings: {sorted(unknown)}")
    unit_ids = ServiceAtLocation.objects.filter(location=location).values("service__unit_id")
    managed = [
        unit
        for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk")
        if actor.has_perm(Permission.MANAGE_APPOINTMENTS, unit)
    ]
    if not managed:
        raise PermissionDenied
    problems: dict[str, str] = {}
    if "priority_reasons" in fields:
        reasons = [str(code) for code in fields["priority_reasons"]]
        if not set(reasons) <= set(PriorityReason.values):
            problems["priority_reasons"] = _("Please choose priority reasons from the list.")
        # Kept in the order of the list of reasons, each once.
        fields["priority_reasons"] = [code for code in PriorityReason.values if code in reasons]
    if "target_minutes" in fields and not 1 <= int(fields["target_minutes"]) <= 240:
        problems["target_minutes"] = _("The target waiting time is from 1 minute to 4 hours.")
    if "target_share" in fields and not 1 <= int(fields["target_share"]) <= 100:
        problems["target_share"] = _("The target share is from 1 to 100 per cent.")
    if "display_language" in fields and fields["display_language"] not in dict(display_languages()):
        problems["display_language"] = _("Please choose a language from the list.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        current = QueueSettings.objects.select_for_update().filter(location=location).first()
        if current is None:
            current = QueueSettings(location=location, updated_at=now)
        before = {name: getattr(current, name) for name in QUEUE_FIELDS}
        for name, value in fields.items():
            setattr(current, name, value)
        current.updated_at = now
        if current.pk is None:
            current.save()
        else:
            current.save(update_fields=[*fields, "updated_at"])
        record(
            action="appointments.queue.settings_changed",
            actor=actor,
            obj=location,
            unit=actor.unit if actor.unit in managed else managed[0],
            data={
                "changed": sorted(name for name in fields if before[name] != fields[name]),
                "settings": {name: getattr(current, name) for name in QUEUE_FIELDS},
            },
        )
    return current

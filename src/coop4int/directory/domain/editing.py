"""Changing the directory: service texts and flags, opening hours from a date, closures,
verification, partner proposals. Every function audits once and refreshes the public entries."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import available_timezones

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.core.languages import REGISTRY
from coop4int.directory import hours
from coop4int.directory.domain.calendars import HoursOwner, hours_owner, rules_from
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.enums import ProposalStatus
from coop4int.directory.models import (
    Address,
    ChangeProposal,
    Closure,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
)

# What editors and partners may change through the forms, in the order the difference shows.
EDITABLE_FIELDS = (
    "name",
    "description",
    "status",
    "walk_in",
    "appointment_required",
    "telephone_line",
    "fees_description",
    "application_process",
    "eligibility_description",
    "alert",
    "email",
    "url",
    "languages",
)


def problem_message(problem: hours.Problem) -> str:
    """A problem of the hours engine, said to the editor in their language."""
    params = problem.params
    if problem.code == "closes_before_opens":
        return _("Closing time %(closes)s is not after opening time %(opens)s.") % {
            "closes": f"{params['closes_at']:%H:%M}",
            "opens": f"{params['opens_at']:%H:%M}",
        }
    if problem.code == "overlapping_validity":
        return _("These hours overlap with other hours valid in the same period.")
    if problem.code in {"until_before_dtstart", "valid_to_before_valid_from"}:
        return _("The end date is before the start date.")
    if problem.code in {"bad_byday", "monthly_without_day"}:
        return _("Choose the days of the week.")
    return _("These opening hours are not valid.")


def _require(actor: User, permission: Permission, service: Service) -> None:
    if not actor.has_perm(permission, service):
        raise PermissionDenied


def service_values(service: Service) -> dict[str, Any]:
    """The editable values of a service, as plain JSON-ready data."""
    values: dict[str, Any] = {name: getattr(service, name) for name in EDITABLE_FIELDS[:-1]}
    values["languages"] = sorted(lang.code for lang in service.languages.all() if lang.code)
    return values


def _apply(service: Service, changes: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in changes.items():
        if name == "languages":
            unknown = [code for code in value if code not in REGISTRY]
            if unknown:
                raise ValidationError(
                    {
                        "languages": _("Unknown language code: %(codes)s")
                        % {"codes": ", ".join(unknown)}
                    }
                )
            current = {lang.code for lang in service.languages.all() if lang.code}
            if set(value) != current:
                # Rows with a name and no code (e.g. a sign language) are not ours to drop.
                service.languages.exclude(code="").exclude(code__in=value).delete()
                Language.objects.bulk_create(
                    Language(service=service, code=code, name=REGISTRY[code].english_name)
                    for code in sorted(set(value) - current)
                )
                changed.append(name)
        elif name in EDITABLE_FIELDS and getattr(service, name) != value:
            setattr(service, name, value)
            changed.append(name)
    if changed:
        service.full_clean()
        fields = [name for name in changed if name != "languages"]
        if fields:
            service.save(update_fields=[*fields, "modified_at"])
    return changed


@transaction.atomic
def update_service(*, actor: User, service: Service, changes: Mapping[str, Any]) -> list[str]:
    """Change a service's editable fields. Returns the names of the fields that changed.

    Side effects: audit ``directory.service.updated``; the public entries are refreshed."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    changed = _apply(service, changes)
    if changed:
        audit.record(
            action="directory.service.updated",
            actor=actor,
            obj=service,
            unit=service.unit,
            data={"fields": changed},
        )
        refresh_entries(service_ids=[service.pk])
    return changed


@transaction.atomic
def verify_service(*, actor: User, service: Service, on: date | None = None) -> None:
    """Record that the entry was checked and is true. Side effects: audit
    ``directory.service.verified``."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    service.last_verified = on or timezone.localdate()
    service.save(update_fields=["last_verified", "modified_at"])
    audit.record(action="directory.service.verified", actor=actor, obj=service, unit=service.unit)
    refresh_entries(service_ids=[service.pk])


@dataclass(frozen=True, slots=True)
class Opening:
    days: tuple[str, ...]  # "MO", "TU", …
    opens_at: time
    closes_at: time


def may_change_location(actor: User, location: Location) -> bool:
    """A place shared with services of other units may be changed only by someone who may
    change every one of them."""
    services = Service.objects.filter(at_locations__location=location)
    return all(actor.has_perm(Permission.EDIT_DIRECTORY, other) for other in services)


def _hours_owner_for(actor: User, service: Service) -> HoursOwner:
    """The owner of the hours this actor may change: when they are kept on a place shared with
    services the actor may not change, the service gets its own copy of them first."""
    owner = hours_owner(service)
    if isinstance(owner, Location) and not may_change_location(actor, owner):
        copies = []
        for row in owner.schedules.all():
            row.pk = None
            row.id = uuid.uuid4()
            row.location = None
            row.service = service
            copies.append(row)
        Schedule.objects.bulk_create(copies)
        return service
    return owner


@transaction.atomic
def change_hours_from(
    *, actor: User, service: Service, valid_from: date, openings: Sequence[Opening]
) -> list[Schedule]:
    """New opening hours for ``service`` from ``valid_from`` on. The hours valid before stay,
    ending the day before: the change is dated, and the history is kept.

    Raises ValidationError (in the actor's language) and saves nothing when a closing time is
    not after its opening time or the hours overlap other hours. Side effects: audit
    ``directory.hours.changed``; the public entries of the service and location are refreshed."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    if not openings:
        raise ValidationError(_("Give at least one opening, or add a closure instead."))
    owner = _hours_owner_for(actor, service)
    rows = list(owner.schedules.all())
    still_valid = [row for row in rows if row.valid_to is None or row.valid_to >= valid_from]
    replaced = [row for row in still_valid if row.valid_from and row.valid_from >= valid_from]
    ending = [row for row in still_valid if row not in replaced]
    history = [row for row in rows if row not in still_valid]
    for row in ending:
        row.valid_to = valid_from - timedelta(days=1)
    owner_field = {
        Service: "service",
        Location: "location",
        ServiceAtLocation: "service_at_location",
    }[type(owner)]
    new_rows = [
        Schedule(
            **{owner_field: owner},
            freq="WEEKLY",
            byday=",".join(opening.days),
            opens_at=opening.opens_at,
            closes_at=opening.closes_at,
            valid_from=valid_from,
        )
        for opening in openings
    ]
    problems = hours.validate_rules(rules_from([*history, *ending, *new_rows]))
    if problems:
        raise ValidationError(sorted({problem_message(p) for p in problems}))
    for row in ending:
        row.save(update_fields=["valid_to", "modified_at"])
    Schedule.objects.filter(pk__in=[row.pk for row in replaced]).delete()
    Schedule.objects.bulk_create(new_rows)
    audit.record(
        action="directory.hours.changed",
        actor=actor,
        obj=service,
        unit=service.unit,
        data={"valid_from": valid_from.isoformat(), "rows": len(new_rows)},
    )
    location_ids = [owner.pk] if isinstance(owner, Location) else []
    refresh_entries(service_ids=[service.pk], location_ids=location_ids)
    return new_rows


@transaction.atomic
def add_closure(
    *,
    actor: User,
    service: Service,
    location: Location,
    starts_at: datetime,
    ends_at: datetime | None,
    reason: str,
) -> Closure:
    """Close the service at ``location`` from ``starts_at`` (until ``ends_at``, or until further
    notice). The whole place is closed when the actor may change every service there; otherwise
    only their service. Side effects: audit ``directory.closure.added``; entries refreshed."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The closure must end after it starts."))
    whole_place = may_change_location(actor, location)
    closure = Closure.objects.create(
        location=location if whole_place else None,
        service=None if whole_place else service,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )
    audit.record(
        action="directory.closure.added",
        actor=actor,
        obj=location,
        unit=service.unit,
        data={"from": starts_at.isoformat(), "until": ends_at.isoformat() if ends_at else None},
    )
    refresh_entries(service_ids=[service.pk], location_ids=[location.pk])
    return closure


@transaction.atomic
def propose_change(
    *, actor: User, service: Service, changes: Mapping[str, Any], note: str = ""
) -> ChangeProposal:
    """A partner organisation proposes ``changes`` to its own service.
    Side effects: audit ``directory.proposal.made``."""
    _require(actor, Permission.PROPOSE_DIRECTORY_CHANGE, service)
    original = service_values(service)
    changes = {
        name: sorted(set(value)) if name == "languages" else value
        for name, value in changes.items()
    }
    different = {name: value for name, value in changes.items() if original.get(name) != value}
    if not different:
        raise ValidationError(_("The proposal changes nothing."))
    trial = Service.objects.get(pk=service.pk)
    for name, value in different.items():
        if name != "languages":
            setattr(trial, name, value)
    try:
        trial.full_clean()
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    proposal = ChangeProposal.objects.create(
        service=service,
        proposed_by=actor,
        changes=different,
        original={name: original.get(name) for name in different},
        note=note,
    )
    audit.record(
        action="directory.proposal.made",
        actor=actor,
        obj=proposal,
        unit=service.unit,
        data={"fields": sorted(different)},
    )
    return proposal


def _locked_status(proposal: ChangeProposal) -> str:
    """The proposal's status as stored, its row locked until the transaction ends: two
    reviewers at once must not both apply it."""
    return str(
        ChangeProposal.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=proposal.pk)
    )


def _mark_reviewed(
    proposal: ChangeProposal, actor: User, status: ProposalStatus, reason: str = ""
) -> None:
    proposal.status = status
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_reason = reason
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])


@transaction.atomic
def approve_proposal(*, actor: User, proposal: ChangeProposal) -> list[str]:
    """Apply a pending proposal. Side effects: audit ``directory.proposal.approved``; the
    service changes as ``update_service`` would."""
    service = proposal.service
    _require(actor, Permission.EDIT_DIRECTORY, service)
    if _locked_status(proposal) != ProposalStatus.PENDING:
        raise ValidationError(_("This proposal was already reviewed."))
    changed = _apply(service, proposal.changes)
    _mark_reviewed(proposal, actor, ProposalStatus.APPROVED)
    audit.record(
        action="directory.proposal.approved",
        actor=actor,
        obj=proposal,
        unit=service.unit,
        data={"fields": changed},
    )
    refresh_entries(service_ids=[service.pk])
    return changed


@transaction.atomic
def reject_proposal(*, actor: User, proposal: ChangeProposal, reason: str) -> None:
    """Turn a pending proposal down, saying why. Side effects: audit
    ``directory.proposal.rejected``."""
    _require(actor, Permission.EDIT_DIRECTORY, proposal.service)
    if _locked_status(proposal) != ProposalStatus.PENDING:
        raise ValidationError(_("This proposal was already reviewed."))
    if not reason.strip():
        raise ValidationError(_("Say why the proposal is rejected."))
    _mark_reviewed(proposal, actor, ProposalStatus.REJECTED, reason)
    audit.record(
        action="directory.proposal.rejected",
        actor=actor,
        obj=proposal,
        unit=proposal.service.unit,
    )


LOCATION_FIELDS = ("name", "transportation", "time_zone", "latitude", "longitude")
# The address's island (or district), town and country also place the location itself: its
# holidays, its map and the public filters read them there.
PLACE_FROM_ADDRESS = {"state_province": "island", "city": "municipality", "country": "country"}
ADDRESS_FIELDS = ("address_1", "address_2", "postal_code", "city", "state_province", "country")


def check_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(
            {
                "time_zone": _("“%(zone)s” is not a time zone, e.g. Atlantic/Cape_Verde.")
                % {"zone": name}
            }
        )


def check_phone(number: str, country: str) -> str:
    """The number as written, if it parses for ``country``; ValidationError otherwise."""
    try:
        parsed = phonenumbers.parse(number, country or "CV")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValidationError(
            {"phones": _("“%(number)s” is not a phone number.") % {"number": number}}
        )
    return number.strip()


@transaction.atomic
def update_location(
    *,
    actor: User,
    service: Service,
    location: Location,
    values: Mapping[str, Any],
    phones: Sequence[str],
) -> None:
    """Change where ``service`` is given: the place, its address, time zone and phones.

    Everything is checked first (time zone, every phone number for the address's country);
    on any problem nothing is saved. Side effects: audit ``directory.location.updated``;
    entries of every service at the location are refreshed."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    if not location.services_at.filter(service=service).exists():
        raise PermissionDenied
    if not may_change_location(actor, location):
        raise ValidationError(
            _("This place is shared with services of other units: ask an administrator.")
        )
    numbers = _checked_place(values, phones, values.get("country") or location.country)
    _save_place(location, values, numbers)
    audit.record(
        action="directory.location.updated",
        actor=actor,
        obj=location,
        unit=service.unit,
        data={"fields": sorted(values), "phones": len(numbers)},
    )
    refresh_entries(location_ids=[location.pk])


def _checked_place(values: Mapping[str, Any], phones: Sequence[str], country: str) -> list[str]:
    """Check the time zone and every phone number; the numbers to keep."""
    check_time_zone(values["time_zone"])
    return [check_phone(number, country) for number in phones if number.strip()]


def _save_place(location: Location, values: Mapping[str, Any], numbers: list[str]) -> None:
    for name in LOCATION_FIELDS:
        setattr(location, name, values[name])
    for address_field, location_field in PLACE_FROM_ADDRESS.items():
        if values.get(address_field):
            setattr(location, location_field, values[address_field])
    location.full_clean()
    location.save()
    address = location.addresses.first() or Address(location=location, address_type="physical")
    for name in ADDRESS_FIELDS:
        setattr(address, name, values.get(name) or "")
    address.full_clean()
    address.save()
    existing = {phone.number: phone for phone in location.phones.all()}
    location.phones.exclude(number__in=numbers).delete()
    Phone.objects.bulk_create(
        Phone(location=location, number=number, type="voice")
        for number in numbers
        if number not in existing
    )


@transaction.atomic
def create_service(
    *,
    actor: User,
    unit: Unit,
    organization: Organization | None,
    name: str,
    description: str,
    place: Mapping[str, Any],
    phones: Sequence[str],
) -> ServiceAtLocation:
    """A new service of ``unit``, given at a new place. Hours, languages and the rest are added
    on its page. Everything is checked before anything is saved.

    Side effects: audit ``directory.service.created``; the new entry is listed."""
    probe = Service(unit=unit)
    _require(actor, Permission.EDIT_DIRECTORY, probe)
    numbers = _checked_place(place, phones, place.get("country") or "CV")
    service = Service(unit=unit, organization=organization, name=name, description=description)
    try:
        service.full_clean()
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    service.save()
    location = Location(organization=organization)
    _save_place(location, place, numbers)
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    audit.record(
        action="directory.service.created", actor=actor, obj=service, unit=unit,
        data={"place": location.name},
    )  # fmt: skip
    refresh_entries(service_ids=[service.pk])
    return sal


@transaction.atomic
def save_translation(
    *, actor: User, service: Service, language: str, name: str, description: str
) -> ServiceTranslation | None:
    """Set the service's name and description in ``language``; an empty name removes that
    translation (readers then see the fallback, marked as such).

    Side effects: audit ``directory.translation.saved`` or ``.removed``; entries refreshed."""
    _require(actor, Permission.EDIT_DIRECTORY, service)
    if language not in REGISTRY:
        raise ValidationError(
            {"language": _("Unknown language code: %(codes)s") % {"codes": language}}
        )
    if language == service.language:
        raise ValidationError(
            {"language": _("This is the language the service is written in; edit it above.")}
        )
    translation: ServiceTranslation | None
    if not name.strip():
        service.translations.filter(language=language).delete()
        translation, action = None, "directory.translation.removed"
    else:
        translation, _created = ServiceTranslation.objects.update_or_create(
            service=service,
            language=language,
            defaults={"name": name.strip(), "description": description.strip()},
        )
        action = "directory.translation.saved"
    audit.record(
        action=action, actor=actor, obj=service, unit=service.unit, data={"language": language}
    )
    refresh_entries(service_ids=[service.pk])
    return translation

"""Reads of the public directory."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.core.text_search import fold
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for, hours_owner
from coop4int.directory.domain.index import LONGEST_INTERVAL, directory_version
from coop4int.directory.enums import CALLABLE_PHONE_TYPES, ServiceStatus
from coop4int.directory.models import (
    ChangeProposal,
    DirectoryEntry,
    DirectoryFacets,
    OpenInterval,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)


@dataclass(frozen=True, slots=True)
class DirectoryFilter:
    q: str = ""
    island: str = ""
    municipality: str = ""
    topic: UUID | None = None
    language: str = ""
    open_now: bool = False
    walk_in: bool = False
    accessible: bool = False


def open_at(at: datetime) -> QuerySet[OpenInterval]:
    """Intervals covering ``at``; one index range, since none is longer than a day."""
    return OpenInterval.objects.filter(
        starts_at__gt=at - LONGEST_INTERVAL, starts_at__lte=at, ends_at__gt=at
    )


def directory_entries(
    criteria: DirectoryFilter, at: datetime, *, walk_by_name: bool = False
) -> QuerySet[DirectoryEntry]:
    """Entries matching every criterion, by name. (Defunct services have no entry.)

    ``walk_by_name`` asks the database to go through the entries in name order and check each
    for an open interval — fastest for a page when many are open; otherwise it collects the
    open entries first and sorts them — fastest when few are."""
    entries = DirectoryEntry.objects.all()
    if criteria.open_now and walk_by_name:
        entries = entries.filter(Exists(open_at(at).filter(entry=OuterRef("pk"))))
    elif criteria.open_now:
        entries = entries.filter(pk__in=open_at(at).values("entry_id"))
    if criteria.island:
        entries = entries.filter(island=criteria.island)
    if criteria.municipality:
        entries = entries.filter(municipality=criteria.municipality)
    if criteria.topic:
        entries = entries.filter(topics_key__contains=f",{criteria.topic},")
    if criteria.language:
        entries = entries.filter(languages_key__contains=f",{criteria.language},")
    if criteria.walk_in:
        entries = entries.filter(walk_in=True)
    if criteria.accessible:
        entries = entries.filter(accessible=True)
    for word in fold(criteria.q).split():
        entries = entries.filter(search_text__contains=word)
    return entries.order_by("sort_name", "pk")


# Above this many matches, walking the entries by name finds a page sooner than sorting them.
MANY_MATCHES = 500


class CountedPaginator(Paginator):
    """A paginator told its count, so that counting and fetching can use different plans."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def directory_page(
    criteria: DirectoryFilter, at: datetime, number: str | int | None, size: int
) -> Page:
    """One page of matching entry ids (the page's ``object_list``), in two queries."""
    total = directory_entries(criteria, at).count()
    ids = directory_entries(criteria, at, walk_by_name=total > MANY_MATCHES).values_list(
        "pk", flat=True
    )
    return CountedPaginator(ids, size, total).get_page(number)


def entries_in_order(ids: list[object]) -> list[DirectoryEntry]:
    """The entries with these ids, in this order: a page is paginated over ids alone, so that
    the database sorts narrow rows, then only the page's rows are read whole."""
    found = DirectoryEntry.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True, slots=True)
class OpeningStatus:
    open_until: datetime | None  # when it closes, if open at the moment asked
    opens_next: datetime | None  # when it opens next, if closed


def opening_status(
    entries: list[DirectoryEntry], at: datetime, ahead: timedelta = timedelta(days=8)
) -> dict[object, OpeningStatus]:
    """Open now, until when; or closed, opening when — for a page of entries, in one query.
    Intervals cut at midnight are joined again, so a place open through the night closes
    when it really closes."""
    by_entry: dict[object, list[tuple[datetime, datetime]]] = {entry.pk: [] for entry in entries}
    rows = OpenInterval.objects.filter(
        entry_id__in=list(by_entry),
        starts_at__gt=at - LONGEST_INTERVAL,
        starts_at__lte=at + ahead,
        ends_at__gt=at,
    ).order_by("entry_id", "starts_at")
    for entry_id, starts_at, ends_at in rows.values_list("entry_id", "starts_at", "ends_at"):
        by_entry[entry_id].append((starts_at, ends_at))
    status = {}
    for pk, intervals in by_entry.items():
        open_until = opens_next = None
        for starts_at, ends_at in intervals:
            if open_until is not None:
                if starts_at > open_until:
                    break
                open_until = max(open_until, ends_at)
            elif starts_at <= at:
                open_until = ends_at
            else:
                opens_next = starts_at
                break
        status[pk] = OpeningStatus(open_until, opens_next)
    return status


@dataclass(frozen=True, slots=True)
class TopicChoice:
    id: str
    name: str
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class Facets:
    islands: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    topics: list[TopicChoice] = field(default_factory=list)


def directory_facets() -> Facets:
    """The choices the filters offer: only values some entry has (kept by refresh_entries),
    cached until the directory changes."""
    key = f"directory:facets:{directory_version()}"
    facets = cache.get(key)
    if facets is None:
        row = DirectoryFacets.objects.filter(key="all").first()
        data = row.data if row else {}
        facets = Facets(
            islands=data.get("islands", []),
            municipalities=data.get("municipalities", []),
            languages=data.get("languages", []),
            topics=[TopicChoice(**topic) for topic in data.get("topics", [])],
        )
        cache.set(key, facets, 60 * 60)
    return facets


@dataclass(frozen=True, slots=True)
class ServiceHours:
    is_open: bool
    change: hours.Change | None
    week: list[hours.DayHours]
    today: date
    readable: bool = True
    now: datetime | None = None
    """The moment the hours were read at."""


def _with_page_data(sals: QuerySet[ServiceAtLocation]) -> QuerySet[ServiceAtLocation]:
    return (
        sals.select_related("service", "service__organization", "service__unit", "location")
        .prefetch_related(
            "schedules",
            "phones",
            "service__schedules",
            "service__closures",
            "service__translations",
            "service__languages",
            "service__phones",
            "service__organization__phones",
            "service__required_documents",
            "service__cost_options",
            "service__attributes__taxonomy_term",
            "location__schedules",
            "location__closures",
            "location__addresses",
            "location__languages",
            "location__phones",
            "location__accessibility",
        )
        .exclude(service__status="defunct")
    )


def get_service_at_location(sal_id: UUID) -> ServiceAtLocation:
    """One service at one location with everything its public page shows."""
    try:
        return _with_page_data(ServiceAtLocation.objects.all()).get(pk=sal_id)
    except ServiceAtLocation.DoesNotExist:
        raise Http404 from None


def find_service_at_location(sal_id: UUID) -> ServiceAtLocation | None:
    """One service at one location with the service's names (for a title), or None."""
    return (
        ServiceAtLocation.objects.select_related("service")
        .prefetch_related("service__translations")
        .exclude(service__status="defunct")
        .filter(pk=sal_id)
        .first()
    )


def leaflet_unit(unit_slug: str) -> Unit | None:
    """The unit whose leaflet is at ``unit_slug``, or None when it maintains no service."""
    service = (
        Service.objects.select_related("unit")
        .filter(unit__slug=unit_slug)
        .exclude(status="defunct")
        .first()
    )
    return service.unit if service else None


def services_of_unit(unit_slug: str) -> list[ServiceAtLocation]:
    """Every service a unit maintains, for its leaflet; 404 when it has none."""
    sals = list(
        _with_page_data(ServiceAtLocation.objects.filter(service__unit__slug=unit_slug)).order_by(
            "service__name", "location__name"
        )
    )
    if not sals:
        raise Http404
    return sals


def service_hours(sal: ServiceAtLocation, at: datetime) -> ServiceHours:
    """Open now?, the next change, and the week from today, in the location's time zone."""
    local_today = timezone.localtime(at, timezone=ZoneInfo(sal.location.time_zone)).date()
    calendar = calendar_for(sal, local_today - timedelta(days=1), local_today + timedelta(days=40))
    try:
        return ServiceHours(
            is_open=hours.is_open(calendar, at),
            change=hours.next_change(calendar, at),
            week=hours.week(calendar, local_today),
            today=local_today,
            now=at,
        )
    except hours.InvalidRule:
        return ServiceHours(False, None, [], local_today, readable=False, now=at)


def can_be_called(phone: Phone) -> bool:
    """Whether a person can call ``phone``: never a fax, a pager or a text-only number."""
    return phone.type in CALLABLE_PHONE_TYPES


def telephone_lines(country: str = "") -> list[Service]:
    """The telephone lines in service (in ``country`` when given: where they are offered),
    with their phones, by name."""
    lines = (
        Service.objects.filter(telephone_line=True)
        .exclude(status__in=[ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE])
        .prefetch_related("phones", "translations")
        .order_by("name", "pk")
    )
    if country:
        lines = lines.filter(at_locations__location__country=country).distinct()
    return list(lines)


@dataclass(frozen=True, slots=True)
class ServicePhones:
    """The numbers a service's page shows: ``own`` (of the service at that location, of the
    service, of the location; those that can be called first) and, when none of them can be
    called, ``fallback``: the numbers to call instead, of ``fallback_from`` — the service's
    organisation, else a telephone line of that organisation, else one of the country."""

    own: list[Phone]
    fallback: list[Phone] = field(default_factory=list)
    fallback_from: Organization | Service | None = None


def phones_to_call(sal: ServiceAtLocation) -> ServicePhones:
    """What to show a person who wants to call about ``sal`` (see ServicePhones). Reads the
    prefetched phones of ``_with_page_data``; a query more only when no number of the place
    can be called."""
    own = [*sal.phones.all(), *sal.service.phones.all(), *sal.location.phones.all()]
    own.sort(key=lambda phone: not can_be_called(phone))  # stable: keeps the order otherwise
    if any(can_be_called(phone) for phone in own):
        return ServicePhones(own)
    organization = sal.service.organization
    if organization is not None:
        numbers = [phone for phone in organization.phones.all() if can_be_called(phone)]
        if numbers:
            return ServicePhones(own, numbers, organization)
    lines = [line for line in telephone_lines(sal.location.country) if line.pk != sal.service_id]
    # The organisation's own line before another's.
    lines.sort(key=lambda line: line.organization_id != sal.service.organization_id)
    for line in lines:
        numbers = [phone for phone in line.phones.all() if can_be_called(phone)]
        if numbers:
            return ServicePhones(own, numbers, line)
    return ServicePhones(own)


# A printed page gives the regular week and the days that differ from it over this many days
# ahead: the holidays and closures known for the next three months.
PRINTED_DAYS = 92


@dataclass(frozen=True, slots=True)
class PrintedHours:
    """Opening hours that stay true on paper: the regular week (and any new one that starts
    before ``last``) and the days from ``first`` to ``last`` that differ from it, in the
    location's time zone. Nothing dated "this week", which would be wrong a week later."""

    first: date
    last: date
    weeks: list[hours.RegularWeek]
    irregular: list[hours.IrregularDays]
    readable: bool = True


def printed_hours(sal: ServiceAtLocation, at: datetime, days: int = PRINTED_DAYS) -> PrintedHours:
    """The hours of ``sal`` to print at ``at``, for ``days`` days (the public holidays of its
    place and its closures included). Reads the rows prefetched by ``_with_page_data``."""
    first = timezone.localtime(at, timezone=ZoneInfo(sal.location.time_zone)).date()
    last = first + timedelta(days=days - 1)
    calendar = calendar_for(sal, first, last)
    try:
        return PrintedHours(
            first,
            last,
            hours.regular_weeks(calendar.rules, first, last),
            hours.irregular_days(calendar, first, last),
        )
    except hours.InvalidRule:
        return PrintedHours(first, last, [], [], readable=False)


def unit_desks() -> list[tuple[Unit, DirectoryEntry | None]]:
    """The local support units by name, each with the directory entry a person looking for it
    wants: its first walk-in service at a place (else any of its entries), or None. Two
    queries."""
    units = list(Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).order_by("name", "pk"))
    entries = DirectoryEntry.objects.filter(unit__in=units, telephone_line=False).order_by(
        "-walk_in", "sort_name", "pk"
    )
    first: dict[int, DirectoryEntry] = {}
    for entry in entries:
        if entry.unit_id is not None:
            first.setdefault(entry.unit_id, entry)
    return [(unit, first.get(unit.pk)) for unit in units]


# --- Staff reads -------------------------------------------------------------------------

STALE_AFTER = timedelta(days=183)  # "not verified for 6 months"


def services_for_user(user: User) -> QuerySet[Service]:
    """The services a staff member keeps: all for nationwide roles, else their unit's."""
    services = Service.objects.select_related("organization", "unit")
    if user.is_nationwide:
        return services.order_by("name")
    return (
        services.filter(unit_id=user.unit_id).order_by("name") if user.unit_id else services.none()
    )


def get_service_for_user(user: User, service_id: UUID) -> Service:
    try:
        return services_for_user(user).get(pk=service_id)
    except Service.DoesNotExist:
        raise Http404 from None


def stale_services(services: QuerySet[Service], today: date) -> QuerySet[Service]:
    """Entries nobody has verified for six months (or ever)."""
    return services.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=today - STALE_AFTER))


def proposals_for_user(user: User) -> QuerySet[ChangeProposal]:
    proposals = ChangeProposal.objects.select_related("service", "proposed_by", "reviewed_by")
    if user.is_nationwide:
        return proposals
    return proposals.filter(service__unit_id=user.unit_id) if user.unit_id else proposals.none()


def get_proposal_for_user(user: User, proposal_id: int) -> ChangeProposal:
    try:
        return proposals_for_user(user).get(pk=proposal_id)
    except ChangeProposal.DoesNotExist:
        raise Http404 from None


def current_openings(service: Service, on: date) -> list[Schedule]:
    """The weekly rows of the hours valid on ``on`` (for prefilling the hours form)."""
    owner_rows = list(hours_owner(service).schedules.all())
    return [
        row
        for row in owner_rows
        if (row.valid_from is None or row.valid_from <= on)
        and (row.valid_to is None or row.valid_to >= on)
        and row.opens_at is not None
    ]

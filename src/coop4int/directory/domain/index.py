"""Keeping the public directory's ready-to-read entries and opening intervals true.

Every domain function that changes a service, a location, their hours or closures calls
``refresh_entries`` for what it touched; a daily task rolls the intervals forward. The site
search's documents of the services are kept by the same call."""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coop4int.core import search
from coop4int.core.text_search import fold
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for
from coop4int.directory.enums import ServiceStatus
from coop4int.directory.models import (
    DirectoryEntry,
    DirectoryFacets,
    OpenInterval,
    ServiceAtLocation,
    TaxonomyTerm,
)
from coop4int.directory.texts import service_texts

logger = logging.getLogger(__name__)

# Intervals are kept from a day back to this far ahead; the periodic task moves the window.
HORIZON = timedelta(days=35)
# No stored interval is longer than this (see split_at_midnight).
LONGEST_INTERVAL = timedelta(hours=25)
VERSION_KEY = "directory:version"


def directory_version() -> int:
    """Changes whenever the directory changes: part of every cached page's key."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp() * 1000)
        cache.set(VERSION_KEY, version, None)
    return int(version)


def _bump_version() -> None:
    cache.set(VERSION_KEY, directory_version() + 1, None)


def _summary(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _entry_fields(sal: ServiceAtLocation) -> dict[str, object]:
    service, location = sal.service, sal.location
    names, descriptions = service_texts(service)
    summaries = {language: _summary(text) for language, text in descriptions.items()}
    address = next(iter(location.addresses.all()), None)
    address_line = (
        ", ".join(part for part in (address.address_1, address.postal_code, address.city) if part)
        if address
        else ""
    )
    languages = sorted(
        {lang.code for lang in location.languages.all() if lang.code}
        | {lang.code for lang in service.languages.all() if lang.code}
    )
    topics = sorted(str(topic.taxonomy_term_id) for topic in service.attributes.all())
    # Its topics named in every language too, as in the site search: "sante" finds a health
    # service in both boxes.
    topic_names = [
        name
        for attribute in service.attributes.all()
        for name in (attribute.taxonomy_term.name, *attribute.taxonomy_term.names.values())
        if name
    ]
    searchable = [*names.values(), *descriptions.values(), location.name, address_line,
                  location.municipality,
                  service.organization.name if service.organization else "",
                  *topic_names]  # fmt: skip
    return {
        "service": service,
        "location": location,
        "unit": service.unit,
        "names": names,
        "summaries": summaries,
        "source_language": service.language,
        "location_name": location.name,
        "address_line": address_line,
        "island": location.island,
        "municipality": location.municipality,
        "country": location.country,
        "time_zone": location.time_zone,
        "languages_key": f",{','.join(languages)}," if languages else "",
        "topics_key": f",{','.join(topics)}," if topics else "",
        "walk_in": service.walk_in,
        "appointment_required": service.appointment_required,
        "telephone_line": service.telephone_line,
        "accessible": bool(location.accessibility.all()),
        "status": service.status,
        "search_text": fold(" ".join(part for part in searchable if part)),
        "sort_name": fold(service.name)[:300],
    }


def _search_documents(sal: ServiceAtLocation, address_line: str) -> list[search.Document]:
    """The service at this location as the site search finds it: one document per language
    its texts are written in, with the place and the organisation; and, matched but not
    shown, its topics named in every language, so that "santé" finds a health service written
    in Portuguese only. (The directory's own box matches the same texts.)"""
    service, location = sal.service, sal.location
    names, descriptions = service_texts(service)
    place: list[str] = []
    organization = service.organization.name if service.organization else ""
    for part in (location.name, address_line, location.municipality, organization):
        if part and not any(part in earlier for earlier in place):
            place.append(part)
    topics = sorted(
        {
            name
            for attribute in service.attributes.all()
            for name in (attribute.taxonomy_term.name, *attribute.taxonomy_term.names.values())
            if name
        }
    )
    return [
        search.Document(
            key=str(sal.pk),
            language=language,
            title=name,
            body="\n".join(
                part for part in (descriptions.get(language, ""), " · ".join(place)) if part
            ),
            url=f"directory/{sal.pk}/",
            keywords=" ".join(topics),
        )
        for language, name in names.items()
    ]


def _intervals(sal: ServiceAtLocation, entry: DirectoryEntry, now: datetime) -> list[OpenInterval]:
    start, end = now - timedelta(days=1), now + HORIZON
    local_start = timezone.localtime(start).date() - timedelta(days=1)
    local_end = timezone.localtime(end).date() + timedelta(days=1)
    calendar = calendar_for(sal, local_start, local_end)
    if sal.service.status != "active":
        return []
    zone = ZoneInfo(sal.location.time_zone)
    try:
        intervals = hours.open_intervals(calendar, start, end)
    except hours.InvalidRule:
        # Hours that cannot be read are never guessed: the entry shows as closed, and the
        # editors' forms refuse such rows in the first place.
        logger.warning("unreadable opening hours for service at location %s", sal.pk)
        return []
    return [
        OpenInterval(entry=entry, starts_at=opens, ends_at=closes)
        for interval in intervals
        for opens, closes in split_at_midnight(*interval, zone)
    ]


def split_at_midnight(
    opens: datetime, closes: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Cut an interval at each local midnight, so that no stored interval is longer than a day
    (25 hours when clocks go back): "open now" can then look only at the last day's rows."""
    pieces = []
    while True:
        local = opens.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
        if closes <= midnight:
            pieces.append((opens, closes))
            return pieces
        pieces.append((opens, midnight.astimezone(UTC)))
        opens = midnight.astimezone(UTC)


def refresh_facets() -> None:
    """Recompute what the public filters offer from the entries."""
    islands: set[str] = set()
    municipalities: set[str] = set()
    languages: set[str] = set()
    topic_ids: set[str] = set()
    for island, municipality, languages_key, topics_key in DirectoryEntry.objects.values_list(
        "island", "municipality", "languages_key", "topics_key"
    ):
        islands.add(island)
        municipalities.add(municipality)
        languages.update(code for code in languages_key.split(",") if code)
        topic_ids.update(topic for topic in topics_key.split(",") if topic)
    topics = [
        {"id": str(term.pk), "name": term.name, "names": term.names}
        for term in TaxonomyTerm.objects.filter(pk__in=topic_ids).order_by("name")
    ]
    DirectoryFacets.objects.update_or_create(
        key="all",
        defaults={
            "data": {
                "islands": sorted(i for i in islands if i),
                "municipalities": sorted(m for m in municipalities if m),
                "languages": sorted(languages),
                "topics": topics,
            }
        },
    )


def refresh_entries(
    *,
    service_ids: Iterable[UUID] | None = None,
    location_ids: Iterable[UUID] | None = None,
    now: datetime | None = None,
) -> int:
    """Rebuild the entries (and their intervals) of the given services and locations, or of
    everything when neither is given. Returns how many entries were written."""
    now = now or timezone.now()
    sals = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "service__unit", "location"
    ).prefetch_related(
        "schedules",
        "service__schedules",
        "service__closures",
        "service__translations",
        "service__languages",
        "service__attributes__taxonomy_term",
        "location__schedules",
        "location__closures",
        "location__addresses",
        "location__languages",
        "location__accessibility",
    )
    if service_ids is not None or location_ids is not None:
        sals = sals.filter(
            Q(service_id__in=list(service_ids or [])) | Q(location_id__in=list(location_ids or []))
        )
    written = 0
    keys: list[str] = []
    documents: list[search.Document] = []
    with transaction.atomic():
        for sal in sals:
            keys.append(str(sal.pk))
            if sal.service.status == ServiceStatus.DEFUNCT:
                DirectoryEntry.objects.filter(service_at_location=sal).delete()
                continue
            entry, _created = DirectoryEntry.objects.update_or_create(
                service_at_location=sal, defaults=_entry_fields(sal)
            )
            entry.intervals.all().delete()
            OpenInterval.objects.bulk_create(_intervals(sal, entry, now))
            documents.extend(_search_documents(sal, entry.address_line))
            written += 1
        # A full refresh also drops the documents of entries that are gone.
        everything = service_ids is None and location_ids is None
        search.replace_documents(
            kind="service", documents=documents, keys=None if everything else keys
        )
        refresh_facets()
        # Bumped now for readers inside this transaction, and again once the change is visible
        # to everyone: a page cached in between would otherwise stay stale.
        _bump_version()
        transaction.on_commit(_bump_version)
    return written

"""Reads for the HSDS API and export, each with the prefetching its HSDS form needs, so that a
page of any length costs the same number of queries.

Related objects come in a fixed order (the model's ordering, then creation, then id) so that
the same data always gives the same document.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.http import Http404

from coop4int.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTopic,
    Taxonomy,
    TaxonomyTerm,
)

M = TypeVar("M", bound=Model)


def _in_order(model: type[M]) -> QuerySet[M]:
    ordering = list(model._meta.ordering or [])
    return model._default_manager.order_by(*ordering, "created_at", "id")


def _phones() -> QuerySet[Phone]:
    return _in_order(Phone).prefetch_related(Prefetch("languages", _in_order(Language)))


def _contacts() -> QuerySet[Contact]:
    return _in_order(Contact).prefetch_related(Prefetch("phones", _phones()))


def _locations() -> QuerySet[Location]:
    return _in_order(Location).prefetch_related(
        Prefetch("languages", _in_order(Language)),
        Prefetch("addresses", _in_order(Address)),
        Prefetch("contacts", _contacts()),
        Prefetch("accessibility", _in_order(Accessibility)),
        Prefetch("phones", _phones()),
        Prefetch("schedules", _in_order(Schedule)),
    )


def _service_at_locations() -> QuerySet[ServiceAtLocation]:
    return _in_order(ServiceAtLocation).prefetch_related(
        Prefetch("contacts", _contacts()),
        Prefetch("phones", _phones()),
        Prefetch("schedules", _in_order(Schedule)),
        Prefetch("location", _locations()),
    )


def _topics() -> QuerySet[ServiceTopic]:
    return _in_order(ServiceTopic).select_related("taxonomy_term__taxonomy_detail")


def _full_services(*, service_at_locations: bool = True) -> QuerySet[Service]:
    services = (
        Service.objects.select_related("organization")
        .order_by("name", "id")
        .prefetch_related(
            Prefetch("phones", _phones()),
            Prefetch("schedules", _in_order(Schedule)),
            Prefetch("service_areas", _in_order(ServiceArea)),
            Prefetch("languages", _in_order(Language)),
            Prefetch("cost_options", _in_order(CostOption)),
            Prefetch("required_documents", _in_order(RequiredDocument)),
            Prefetch("contacts", _contacts()),
            Prefetch("attributes", _topics()),
        )
    )
    if service_at_locations:
        services = services.prefetch_related(Prefetch("at_locations", _service_at_locations()))
    return services


@dataclass(frozen=True, slots=True)
class ServiceCriteria:
    """The HSDS filters of ``/services`` and ``/service_at_locations``."""

    search: str = ""
    taxonomy_term_id: UUID | None = None
    taxonomy_id: UUID | None = None
    organization_id: UUID | None = None
    modified_after: datetime | None = None


def _service_filter(criteria: ServiceCriteria, prefix: str = "") -> Q:
    """The criteria as a filter on services, or on objects that reach their service through
    ``prefix`` (``"service__"``)."""
    condition = Q()
    if criteria.search:
        condition &= Q(**{f"{prefix}name__icontains": criteria.search}) | Q(
            **{f"{prefix}description__icontains": criteria.search}
        )
    service_ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    if criteria.taxonomy_term_id is not None:
        condition &= Q(
            Exists(
                ServiceTopic.objects.filter(
                    service=service_ref, taxonomy_term_id=criteria.taxonomy_term_id
                )
            )
        )
    if criteria.taxonomy_id is not None:
        condition &= Q(
            Exists(
                ServiceTopic.objects.filter(
                    service=service_ref, taxonomy_term__taxonomy_detail_id=criteria.taxonomy_id
                )
            )
        )
    if criteria.organization_id is not None:
        condition &= Q(**{f"{prefix}organization_id": criteria.organization_id})
    if criteria.modified_after is not None:
        condition &= Q(**{f"{prefix}modified_at__gte": criteria.modified_after})
    return condition


def services_for_hsds(criteria: ServiceCriteria, *, full: bool = False) -> QuerySet[Service]:
    """Every service (whatever its status) matching the criteria, by name: with its
    organization, or with everything its nested HSDS form shows when ``full``."""
    services = _full_services() if full else Service.objects.select_related("organization")
    return services.filter(_service_filter(criteria)).order_by("name", "id")


def service_dates_for_hsds(criteria: ServiceCriteria) -> QuerySet[Service]:
    """The services matching the criteria with only their id and time of change (HSDS's
    ``minimal`` list), in the order of ``services_for_hsds``."""
    return (
        Service.objects.filter(_service_filter(criteria))
        .order_by("name", "id")
        .only("id", "modified_at")
    )


def service_for_hsds(service_id: UUID) -> Service:
    """One service with everything its nested HSDS form shows; Http404 if there is none."""
    service = _full_services().filter(pk=service_id).first()
    if service is None:
        raise Http404("no such service")
    return service


def service_at_locations_for_hsds(
    criteria: ServiceCriteria, *, full: bool = False, postcode: str = ""
) -> QuerySet[ServiceAtLocation]:
    """Services at locations whose service matches the criteria (the search also looks at the
    location's name), by service name and location name; with ``postcode``, only those whose
    location has an address with that postal code (case and spaces aside)."""
    condition = _service_filter(replace(criteria, search=""), "service__")
    wanted = "".join(postcode.split()).upper()
    if wanted:
        addresses = Address.objects.annotate(
            code=Replace(Upper("postal_code"), Value(" "), Value(""))
        ).filter(location=OuterRef("location"), code=wanted)
        condition &= Q(Exists(addresses))
    if criteria.search:
        condition &= (
            Q(service__name__icontains=criteria.search)
            | Q(service__description__icontains=criteria.search)
            | Q(location__name__icontains=criteria.search)
        )
    if full:
        sals = _service_at_locations().prefetch_related(
            Prefetch("service", _full_services(service_at_locations=False))
        )
    else:
        sals = ServiceAtLocation.objects.select_related(
            "service", "service__organization", "location"
        )
    return sals.filter(condition).order_by("service__name", "location__name", "id")


def service_at_location_for_hsds(sal_id: UUID) -> ServiceAtLocation:
    sal = (
        _service_at_locations()
        .prefetch_related(Prefetch("service", _full_services(service_at_locations=False)))
        .filter(pk=sal_id)
        .first()
    )
    if sal is None:
        raise Http404("no such service at location")
    return sal


def _full_organizations(*, full_services: bool) -> QuerySet[Organization]:
    services = _full_services() if full_services else Service.objects.order_by("name", "id")
    return Organization.objects.order_by("name", "id").prefetch_related(
        Prefetch("contacts", _contacts()),
        Prefetch("phones", _phones()),
        Prefetch("locations", _locations()),
        Prefetch("services", services),
    )


def organizations_for_hsds(
    *, search: str = "", full: bool = False, full_services: bool = False
) -> QuerySet[Organization]:
    organizations = (
        _full_organizations(full_services=full_services)
        if full
        else Organization.objects.order_by("name", "id")
    )
    if search:
        organizations = organizations.filter(
            Q(name__icontains=search) | Q(description__icontains=search)
        )
    return organizations


def organization_for_hsds(organization_id: UUID, *, full_services: bool = False) -> Organization:
    organization = (
        _full_organizations(full_services=full_services).filter(pk=organization_id).first()
    )
    if organization is None:
        raise Http404("no such organization")
    return organization


def taxonomies_for_hsds(*, search: str = "") -> QuerySet[Taxonomy]:
    taxonomies = Taxonomy.objects.order_by("name", "id")
    if search:
        taxonomies = taxonomies.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return taxonomies


def taxonomy_for_hsds(taxonomy_id: UUID) -> Taxonomy:
    taxonomy = Taxonomy.objects.filter(pk=taxonomy_id).first()
    if taxonomy is None:
        raise Http404("no such taxonomy")
    return taxonomy


def taxonomy_terms_for_hsds(
    *,
    search: str = "",
    taxonomy_id: UUID | None = None,
    parent_id: UUID | None = None,
    top_only: bool = False,
) -> QuerySet[TaxonomyTerm]:
    """Terms by name; ``top_only``: only those at the top of their tree (no parent)."""
    terms = TaxonomyTerm.objects.select_related("taxonomy_detail").order_by("name", "id")
    if top_only:
        terms = terms.filter(parent__isnull=True)
    if search:
        terms = terms.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if taxonomy_id is not None:
        terms = terms.filter(taxonomy_detail_id=taxonomy_id)
    if parent_id is not None:
        terms = terms.filter(parent_id=parent_id)
    return terms


def taxonomy_term_for_hsds(term_id: UUID) -> TaxonomyTerm:
    term = TaxonomyTerm.objects.select_related("taxonomy_detail").filter(pk=term_id).first()
    if term is None:
        raise Http404("no such taxonomy term")
    return term

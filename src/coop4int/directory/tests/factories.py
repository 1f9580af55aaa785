"""Small factories for the directory's HSDS objects. Each makes a valid row with as little as
possible; pass what a test is about. Related objects are made on demand (a service gets an
organization, an address a location) and none are added that a test did not ask for."""

from datetime import time

import factory

from coop4int.directory.models import (
    Address,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTopic,
    Taxonomy,
    TaxonomyTerm,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    description = factory.LazyAttribute(lambda o: f"What {o.name} does.")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Office {n}")
    organization = factory.SubFactory(OrganizationFactory)
    island = "Santiago"
    municipality = "Praia"


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    location = factory.SubFactory(LocationFactory)
    address_1 = factory.Sequence(lambda n: f"Rua {n}")
    city = "Praia"
    state_province = "Santiago"
    country = "CV"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = factory.LazyAttribute(lambda o: f"About {o.name}.")
    status = "active"


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(
        LocationFactory, organization=factory.SelfAttribute("..service.organization")
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"Contact {n}")


class PhoneFactory(factory.django.DjangoModelFactory):
    """A phone of nothing in particular: pass ``service``, ``location``… to attach it."""

    class Meta:
        model = Phone

    number = factory.Sequence(lambda n: f"+238 260 {n % 100:02d} {n % 97:02d}")
    type = "voice"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    code = "pt"
    name = "Português"


class ScheduleFactory(factory.django.DjangoModelFactory):
    """Weekdays 08:00–16:00; pass ``service``, ``location`` or ``service_at_location``."""

    class Meta:
        model = Schedule

    freq = "WEEKLY"
    byday = "MO,TU,WE,TH,FR"
    opens_at = time(8)
    closes_at = time(16)


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    name = factory.Sequence(lambda n: f"Taxonomy {n}")
    description = factory.LazyAttribute(lambda o: f"Terms of {o.name}.")


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    name = factory.Sequence(lambda n: f"Topic {n}")
    description = factory.LazyAttribute(lambda o: f"Services about {o.name}.")
    code = factory.Sequence(lambda n: f"topic-{n}")
    taxonomy_detail = factory.SubFactory(TaxonomyFactory)
    taxonomy_name = factory.LazyAttribute(
        lambda o: o.taxonomy_detail.name if o.taxonomy_detail else ""
    )


class ServiceTopicFactory(factory.django.DjangoModelFactory):
    """An HSDS attribute: the service is about the term."""

    class Meta:
        model = ServiceTopic

    service = factory.SubFactory(ServiceFactory)
    taxonomy_term = factory.SubFactory(TaxonomyTermFactory)

"""The service directory on HSDS 3.0: field names follow the specification so that the open-data
API and the import/export map one to one. Extensions (unit ownership, holidays, closures,
verification, translations) are documented in docs/hsds-extensions.md."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coop4int.core.languages import language_choices
from coop4int.directory.enums import (
    Country,
    Frequency,
    LocationType,
    PhoneType,
    ProposalStatus,
    ServiceStatus,
)


class HSDSModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Taxonomy(HSDSModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HSDSModel):
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    taxonomy_name = models.CharField(max_length=200, blank=True)  # HSDS `taxonomy` (free text)
    taxonomy_detail = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    language = models.CharField(max_length=10, blank=True)
    term_uri = models.URLField(blank=True)
    # Extension: the term's name in each interface language, {"pt": "...", "en": "..."}.
    names = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one), else the term's own."""
        return self.names.get(language or get_language() or "") or self.name


class Organization(HSDSModel):
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("other name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    tax_status = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=100, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=200, blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True)
    parent_organization = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Extension: the unit of our organisation tree that keeps this entry true.
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(HSDSModel):
    location_type = models.CharField(
        _("kind of location"), max_length=10, choices=LocationType.choices, default="physical"
    )
    url = models.URLField(blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)
    # Extensions: where the opening hours are read, and whose holidays close it.
    time_zone = models.CharField(_("time zone"), max_length=64, default="Atlantic/Cape_Verde")
    country = models.CharField(max_length=2, choices=Country.choices, default=Country.CABO_VERDE)
    island = models.CharField(_("island"), max_length=40, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    # The `holidays` package's subdivision code for municipal or district holidays.
    holiday_subdivision = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Service(HSDSModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("cost"), blank=True)
    wait_time = models.CharField(max_length=200, blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(_("who can use it"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    licenses = models.TextField(blank=True)
    alert = models.TextField(_("alert"), blank=True)
    # Extensions.
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("maintained by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language of the texts"), max_length=10, choices=language_choices(), default="pt"
    )
    walk_in = models.BooleanField(_("walk-in without appointment"), default=False)
    appointment_required = models.BooleanField(_("appointment needed"), default=False)
    telephone_line = models.BooleanField(_("telephone line"), default=False)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    verification_reminded_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    topics = models.ManyToManyField(
        TaxonomyTerm, through="ServiceTopic", related_name="services", blank=True
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceTopic(HSDSModel):
    """HSDS `attribute` linking a service to a taxonomy term."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "taxonomy_term"], name="unique_topic")
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.taxonomy_term}"


class ServiceTranslation(models.Model):
    """Extension: a service's name and description in another language."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=language_choices())
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="unique_translation")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class ServiceAtLocation(HSDSModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_at")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="unique_service_location")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Address(HSDSModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = models.CharField(_("address (continued)"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=200)
    region = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(_("island or district"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class Contact(HSDSModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(HSDSModel):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=50)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(_("kind"), max_length=10, choices=PhoneType.choices, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Schedule(HSDSModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.FloatField(null=True, blank=True)  # HSDS: UTC offset; we use the zone name
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True)
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["valid_from", "opens_at"]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at}-{self.closes_at}"


class Closure(models.Model):
    """Extension: a dated closure — "closed 24 December from 13:00", "temporarily closed"."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    starts_at = models.DateTimeField(_("closed from"))
    ends_at = models.DateTimeField(_("closed until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.reason}"


class MunicipalHoliday(models.Model):
    """Extension: a municipality's own day that the `holidays` package does not know."""

    country = models.CharField(max_length=2, choices=Country.choices, default=Country.CABO_VERDE)
    municipality = models.CharField(_("municipality"), max_length=100)
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(31)])
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "municipality", "month", "day"], name="unique_municipal_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.name}"


class Language(HSDSModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=10, blank=True, db_index=True)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.code or self.name


class ServiceArea(HSDSModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="service_areas"
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class Accessibility(HSDSModel):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="accessibility"
    )
    description = models.TextField(_("description"), blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.description[:50] or str(self.id)


class RequiredDocument(HSDSModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="required_documents"
    )
    document = models.CharField(_("document"), max_length=300, blank=True)
    uri = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.document


class CostOption(HSDSModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="cost_options"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.option or str(self.id)


class DirectoryEntry(models.Model):
    """What the public list shows for one service at one location, kept ready to read.

    Rebuilt by ``coop4int.directory.domain.index.refresh_entries`` after every change, so that
    the list and its filters are one query whatever the page size."""

    service_at_location = models.OneToOneField(
        ServiceAtLocation, on_delete=models.CASCADE, primary_key=True, related_name="entry"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    names = models.JSONField(default=dict)  # language code -> service name
    summaries = models.JSONField(default=dict)  # language code -> first sentence(s)
    source_language = models.CharField(max_length=10)
    location_name = models.CharField(max_length=300, blank=True)
    address_line = models.CharField(max_length=600, blank=True)
    island = models.CharField(max_length=40, blank=True, db_index=True)
    municipality = models.CharField(max_length=100, blank=True, db_index=True)
    country = models.CharField(max_length=2)
    time_zone = models.CharField(max_length=64)
    # ",pt,fr," so that one language is one `contains` lookup on every database.
    languages_key = models.CharField(max_length=300, blank=True)
    topics_key = models.TextField(blank=True)
    walk_in = models.BooleanField(default=False)
    appointment_required = models.BooleanField(default=False)
    telephone_line = models.BooleanField(default=False)
    accessible = models.BooleanField(default=False)
    status = models.CharField(max_length=20)
    search_text = models.TextField(blank=True)  # lower case, without accents, every language
    sort_name = models.CharField(max_length=300)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_name"]
        indexes = [models.Index(fields=["sort_name", "service_at_location"], name="entry_by_name")]

    def __str__(self) -> str:
        return self.sort_name

    @property
    def languages(self) -> list[str]:
        return [code for code in self.languages_key.split(",") if code]


class DirectoryFacets(models.Model):
    """The values the public filters offer (islands, municipalities, languages, topics), kept
    ready by refresh_entries so that a list page reads them in one query."""

    key = models.CharField(max_length=20, primary_key=True, default="all")
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class OpenInterval(models.Model):
    """When an entry is open, for the weeks ahead, so that "open now" is one indexed lookup.
    Computed from the schedules, holidays and closures by refresh_entries."""

    entry = models.ForeignKey(DirectoryEntry, on_delete=models.CASCADE, related_name="intervals")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            # Covering: "open at t" is read from the index alone.
            models.Index(fields=["starts_at", "ends_at", "entry"], name="interval_open_at"),
            models.Index(fields=["entry", "starts_at"], name="interval_of_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ChangeProposal(models.Model):
    """A partner organisation's proposed change to one of its services, for an editor to
    approve or reject."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    # Field name -> proposed value, and the values it had when proposed (to show the difference).
    changes = models.JSONField()
    original = models.JSONField()
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_status_display()})"

"""Our directory as Open Referral HSDS 3.0 objects, and HSDS values back into model values.

One column table per HSDS object (``TABLES``) drives both directions and both forms: the nested
JSON of the API and ``services.json``, and the tabular (CSV) data package. Column names and
their order are those of the HSDS 3.0 data package.

Output rules, from the HSDS schemas: no schema type admits ``null``, so an empty optional value
is left out; a required one is always written (an empty address ``postal_code`` as ``""``);
arrays of related objects are always written, empty or not; ids are UUID strings; dates are
``YYYY-MM-DD``; times ``HH:MM`` (``HH:MM:SS`` when the seconds matter); ``last_modified`` is
UTC with milliseconds. Nested objects leave out the ids of the object they sit in.

Our extensions (walk-in, appointment needed, time zone, island…) travel as HSDS ``attributes``
with a value, each pointing to a term of our own taxonomy (``EXTENSION_TAXONOMY_ID``) — the use
HSDS gives attributes. The unit, translations, closures and municipal holidays are not in HSDS
and stay out.

Functions here read related objects with ``.all()``: callers pass objects prefetched by
``coop4int.directory.domain.hsds_queries``.
"""

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.db import models
from django.utils.dateparse import parse_datetime

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

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://openreferral.org/specification/3.0"
HSDS_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)

JSON = dict[str, Any]
Kind = Literal["string", "uuid", "date", "time", "datetime", "integer", "decimal", "number"]

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("WEEKLY", "MONTHLY")


@dataclass(frozen=True, slots=True)
class Column:
    """One HSDS field. ``attname`` is the model attribute it is kept in; ``None`` when the
    platform does not keep it (import then warns) or, with ``derived``, when it is computed on
    the way out and ignored on the way in."""

    name: str
    kind: Kind = "string"
    attname: str | None = None
    references: str = ""  # the HSDS table a uuid column points to
    enum: tuple[str, ...] = ()
    required: bool = False  # the HSDS schema requires it
    derived: bool = False
    # The HSDS data package requires it in a CSV row although the JSON schema does not (a
    # nested object sits in the one it links to): a service's organization_id, for example.
    row_required: bool = False

    @property
    def is_reference(self) -> bool:
        return bool(self.references)

    @property
    def required_in_rows(self) -> bool:
        """Whether a row of the tabular form must have a value here."""
        return self.required or self.row_required


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # HSDS object and data package resource name
    path: str  # CSV file name in the HSDS data package
    model: type[models.Model]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


def _c(
    name: str,
    kind: Kind = "string",
    *,
    to: str = "",
    attname: str | None = "",
    enum: tuple[str, ...] = (),
    required: bool = False,
    derived: bool = False,
    row_required: bool = False,
) -> Column:
    """A column kept under its own name unless ``attname`` says otherwise (``None``: not kept).
    References are uuid columns pointing to table ``to``."""
    return Column(
        name=name,
        kind="uuid" if to else kind,
        attname=name if attname == "" else attname,
        references=to,
        enum=enum,
        required=required,
        derived=derived,
        row_required=row_required,
    )


_ID = _c("id", "uuid", required=True)

# In the order rows must be saved: what a row points to comes before it.
TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "taxonomy",
            "taxonomies.csv",
            Taxonomy,
            (
                _ID,
                _c("name", required=True),
                _c("description", required=True),
                _c("uri"),
                _c("version"),
            ),
        ),
        Table(
            "taxonomy_term",
            "taxonomy_terms.csv",
            TaxonomyTerm,
            (
                _ID,
                _c("code"),
                _c("name", required=True),
                _c("description", required=True),
                _c("parent_id", to="taxonomy_term"),
                _c("taxonomy", attname="taxonomy_name"),
                _c("language"),
                _c("taxonomy_id", to="taxonomy", attname="taxonomy_detail_id"),
                _c("term_uri"),
            ),
        ),
        Table(
            "organization",
            "organizations.csv",
            Organization,
            (
                _ID,
                _c("name", required=True),
                _c("alternate_name"),
                _c("description", required=True),
                _c("email"),
                _c("website"),
                _c("tax_status"),
                _c("tax_id"),
                _c("year_incorporated", "integer"),
                _c("legal_status"),
                _c("logo"),
                _c("uri"),
                _c("parent_organization_id", to="organization"),
            ),
        ),
        Table(
            "location",
            "locations.csv",
            Location,
            (
                _ID,
                _c("location_type", enum=LOCATION_TYPES, required=True),
                _c("url"),
                _c("organization_id", to="organization"),
                _c("name"),
                _c("alternate_name"),
                _c("description"),
                _c("transportation"),
                _c("latitude", "decimal"),
                _c("longitude", "decimal"),
                _c("external_identifier"),
                _c("external_identifier_type"),
            ),
        ),
        Table(
            "service",
            "services.csv",
            Service,
            (
                _ID,
                _c("organization_id", to="organization", row_required=True),
                _c("program_id", "uuid", attname=None),
                _c("name", required=True),
                _c("alternate_name"),
                _c("description"),
                _c("url"),
                _c("email"),
                _c("status", enum=SERVICE_STATUSES, required=True),
                _c("interpretation_services"),
                _c("application_process"),
                _c("fees_description"),
                _c("wait_time"),
                _c("fees", attname=None),
                _c("accreditations"),
                _c("eligibility_description"),
                _c("minimum_age", "integer"),
                _c("maximum_age", "integer"),
                _c("assured_date", "date"),
                _c("assurer_email"),
                _c("licenses"),
                _c("alert"),
                _c("last_modified", "datetime", attname="modified_at", derived=True),
            ),
        ),
        Table(
            "service_at_location",
            "service_at_location.csv",
            ServiceAtLocation,
            (
                _ID,
                _c("service_id", to="service", row_required=True),
                _c("location_id", to="location", row_required=True),
                _c("description"),
            ),
        ),
        Table(
            "address",
            "addresses.csv",
            Address,
            (
                _ID,
                _c("location_id", to="location"),
                _c("attention"),
                _c("address_1", required=True),
                _c("address_2"),
                _c("city", required=True),
                _c("region"),
                _c("state_province", required=True),
                _c("postal_code", required=True),
                _c("country", required=True),
                _c("address_type", enum=LOCATION_TYPES, required=True),
            ),
        ),
        Table(
            "contact",
            "contacts.csv",
            Contact,
            (
                _ID,
                _c("organization_id", to="organization"),
                _c("service_id", to="service"),
                _c("service_at_location_id", to="service_at_location"),
                _c("location_id", to="location"),
                _c("name"),
                _c("title"),
                _c("department"),
                _c("email"),
            ),
        ),
        Table(
            "phone",
            "phones.csv",
            Phone,
            (
                _ID,
                _c("location_id", to="location"),
                _c("service_id", to="service"),
                _c("organization_id", to="organization"),
                _c("contact_id", to="contact"),
                _c("service_at_location_id", to="service_at_location"),
                _c("number", required=True),
                _c("extension", "integer"),
                _c("type"),
                _c("description"),
            ),
        ),
        Table(
            "schedule",
            "schedules.csv",
            Schedule,
            (
                _ID,
                _c("service_id", to="service"),
                _c("location_id", to="location"),
                _c("service_at_location_id", to="service_at_location"),
                _c("valid_from", "date"),
                _c("valid_to", "date"),
                _c("dtstart", "date"),
                _c("timezone", "number"),
                _c("until", "date"),
                _c("count", "integer"),
                _c("wkst", enum=WEEKDAYS),
                _c("freq", enum=FREQUENCIES),
                _c("interval", "integer"),
                _c("byday"),
                _c("byweekno"),
                _c("bymonthday"),
                _c("byyearday"),
                _c("description"),
                _c("opens_at", "time"),
                _c("closes_at", "time"),
                _c("schedule_link"),
                _c("attending_type"),
                _c("notes"),
            ),
        ),
        Table(
            "service_area",
            "service_areas.csv",
            ServiceArea,
            (
                _ID,
                _c("service_id", to="service"),
                _c("name"),
                _c("description"),
                _c("extent"),
                _c("extent_type"),
                _c("uri"),
            ),
        ),
        Table(
            "required_document",
            "required_documents.csv",
            RequiredDocument,
            (_ID, _c("service_id", to="service"), _c("document"), _c("uri")),
        ),
        Table(
            "language",
            "languages.csv",
            Language,
            (
                _ID,
                _c("service_id", to="service"),
                _c("location_id", to="location"),
                _c("phone_id", to="phone"),
                _c("name"),
                _c("code"),
                _c("note"),
            ),
        ),
        Table(
            "accessibility",
            "accessibility.csv",
            Accessibility,
            (
                _ID,
                _c("location_id", to="location"),
                _c("description"),
                _c("details"),
                _c("url"),
            ),
        ),
        Table(
            "cost_option",
            "cost_options.csv",
            CostOption,
            (
                _ID,
                _c("service_id", to="service", row_required=True),
                _c("valid_from", "date"),
                _c("valid_to", "date"),
                _c("option"),
                _c("currency"),
                _c("amount", "decimal"),
                _c("amount_description"),
            ),
        ),
        # An attribute links a service to a taxonomy term (our ServiceTopic); attributes of
        # other objects carry only our extensions.
        Table(
            "attribute",
            "attributes.csv",
            ServiceTopic,
            (
                _ID,
                _c("link_id", to="service", attname="service_id", row_required=True),
                _c("taxonomy_term_id", to="taxonomy_term", row_required=True),
                _c("link_type", attname=None),
                _c("link_entity", attname=None, derived=True, row_required=True),
                _c("value"),
            ),
        ),
    )
}

# HSDS tables the platform does not keep: an import names what it leaves out.
UNKEPT_TABLES: dict[str, str] = {
    "program": "programs.csv",
    "funding": "funding.csv",
    "organization_identifier": "organization_identifiers.csv",
    "metadata": "metadata.csv",
    "meta_table_description": "meta_table_descriptions.csv",
}


# --- Extensions as attributes ------------------------------------------------------------------

_EXTENSION_NAMESPACE = uuid.UUID("9730210b-89e7-4d0c-bf94-cf563cdb2efa")
EXTENSION_TAXONOMY_ID = uuid.uuid5(_EXTENSION_NAMESPACE, "taxonomy")
EXTENSION_TAXONOMY_NAME = "coop4int"


@dataclass(frozen=True, slots=True)
class Extension:
    table: str  # "service", "location" or "organization"
    code: str  # the taxonomy term's code
    attname: str
    kind: Literal["boolean", "string", "date"]
    name: str
    description: str

    @property
    def term_id(self) -> uuid.UUID:
        return uuid.uuid5(_EXTENSION_NAMESPACE, f"term:{self.code}")


EXTENSIONS: tuple[Extension, ...] = (
    Extension("service", "walk_in", "walk_in", "boolean", "Walk-in",
              "People can come without an appointment (value: true or false)."),
    Extension("service", "appointment_required", "appointment_required", "boolean",
              "Appointment required", "An appointment is needed (value: true or false)."),
    Extension("service", "telephone_line", "telephone_line", "boolean", "Telephone line",
              "The service answers by telephone (value: true or false)."),
    Extension("service", "last_verified", "last_verified", "date", "Last verified",
              "The date a person last checked the entry with the service (YYYY-MM-DD)."),
    Extension("service", "text_language", "language", "string", "Language of the texts",
              "The language the service's name and description are written in (a code)."),
    Extension("service", "demo", "is_demo", "boolean", "Demonstration data",
              "The entry is invented for demonstrations and training (value: true or false)."),
    Extension("organization", "demo", "is_demo", "boolean", "Demonstration data",
              "The entry is invented for demonstrations and training (value: true or false)."),
    Extension("location", "time_zone", "time_zone", "string", "Time zone",
              "The IANA time zone the opening hours are read in, e.g. Atlantic/Cape_Verde."),
    Extension("location", "country", "country", "string", "Country",
              "The country whose public holidays close the location (ISO 3166-1 alpha-2)."),
    Extension("location", "island", "island", "string", "Island", "The island."),
    Extension("location", "municipality", "municipality", "string", "Municipality",
              "The municipality whose holidays close the location."),
    Extension("location", "holiday_subdivision", "holiday_subdivision", "string",
              "Holiday subdivision", "The subdivision code used for regional public holidays."),
)  # fmt: skip

EXTENSIONS_BY_TERM: dict[uuid.UUID, list[Extension]] = {}
for _extension in EXTENSIONS:
    EXTENSIONS_BY_TERM.setdefault(_extension.term_id, []).append(_extension)


def extension_for(term_id: uuid.UUID, table: str) -> Extension | None:
    return next((e for e in EXTENSIONS_BY_TERM.get(term_id, []) if e.table == table), None)


def extension_taxonomy_to_hsds() -> JSON:
    return {
        "id": str(EXTENSION_TAXONOMY_ID),
        "name": EXTENSION_TAXONOMY_NAME,
        "description": "Coop4Int extensions to HSDS: facts about services, organizations and "
        "locations that HSDS has no field for, given as attribute values.",
    }


def extension_terms_to_hsds() -> list[JSON]:
    """One term per extension code, in the order of ``EXTENSIONS``."""
    terms: dict[uuid.UUID, JSON] = {}
    for extension in EXTENSIONS:
        terms.setdefault(
            extension.term_id,
            {
                "id": str(extension.term_id),
                "code": extension.code,
                "name": extension.name,
                "description": extension.description,
                "taxonomy": EXTENSION_TAXONOMY_NAME,
                "taxonomy_id": str(EXTENSION_TAXONOMY_ID),
            },
        )
    return list(terms.values())


def _extension_term_to_hsds(extension: Extension) -> JSON:
    term = _EXTENSION_TERMS[str(extension.term_id)]
    return {**term, "taxonomy_detail": extension_taxonomy_to_hsds()}


_EXTENSION_TERMS: dict[str, JSON] = {term["id"]: term for term in extension_terms_to_hsds()}


def extension_attribute_id(link_id: uuid.UUID, extension: Extension) -> uuid.UUID:
    return uuid.uuid5(_EXTENSION_NAMESPACE, f"attribute:{link_id}:{extension.code}")


def extension_value_to_hsds(extension: Extension, value: Any) -> str:
    if extension.kind == "boolean":
        return "true" if value else "false"
    if extension.kind == "date":
        return value.isoformat() if value else ""
    return str(value or "")


def extension_value_from_hsds(extension: Extension, raw: Any) -> Any:
    """The model value of an extension attribute's ``value``; ValueError when it is not one."""
    text = "" if raw is None else str(raw).strip()
    if extension.kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise ValueError("must be true or false")
    if extension.kind == "date":
        return _parse_date(text) if text else None
    return text


def extension_attributes_to_hsds(obj: models.Model, table: str, *, nested: bool) -> list[JSON]:
    """The extension attributes of one service, location or organization: every extension of
    its table, always, so that an import can tell "false" from "not said"."""
    attributes: list[JSON] = []
    for extension in EXTENSIONS:
        if extension.table != table:
            continue
        attribute = _clean(
            {
                "id": str(extension_attribute_id(obj.pk, extension)),
                "link_id": str(obj.pk),
                "taxonomy_term_id": str(extension.term_id),
                "link_entity": table,
                "value": extension_value_to_hsds(extension, getattr(obj, extension.attname)),
            },
            required=("id",),
        )
        if nested:
            attribute["taxonomy_term"] = _extension_term_to_hsds(extension)
        attributes.append(attribute)
    return attributes


# --- Values, both ways -------------------------------------------------------------------------


def _number(value: float | Decimal) -> int | float:
    """A JSON number: an integer when the value is whole (35, not 35.00)."""
    if value == int(value):
        return int(value)
    return float(value)


def format_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def value_to_hsds(kind: Kind, value: Any) -> Any:
    """A model value as HSDS writes it; ``None`` for an empty value."""
    if value is None or value == "":
        return None
    if kind == "uuid":
        return str(value)
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return format_time(value)
    if kind == "datetime":
        return format_datetime(value)
    if kind in ("integer", "decimal", "number"):
        return _number(value)
    return value


def value_to_text(kind: Kind, value: Any) -> str:
    """A model value as a CSV cell. Times carry seconds there: the data package declares them
    of type ``time``, which Frictionless reads as ``HH:MM:SS``."""
    if kind == "time" and value is not None:
        return str(value.isoformat(timespec="seconds"))
    hsds = value_to_hsds(kind, value)
    return "" if hsds is None else str(hsds)


_TIME = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_time(text: str) -> time:
    """``HH:MM``, ``HH:MM:SS``, with or without a UTC offset or ``Z`` (kept as local time:
    the location's time zone says where the hours are read)."""
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time (HH:MM)")
    try:
        return time(int(match["h"]), int(match["m"]), int(match["s"] or 0))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (HH:MM)") from None


def value_from_hsds(column: Column, raw: Any) -> Any:
    """The model value of an HSDS value, from JSON (any type) or CSV (text). Empty gives ``""``
    for text and ``None`` otherwise. ValueError says what is wrong."""
    if isinstance(raw, dict | list):
        raise ValueError("must be a single value, not a list or an object")
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return "" if column.kind == "string" else None
    if column.kind == "string":
        if isinstance(raw, bool):
            raise ValueError("must be text")
        text = str(_number(raw)) if isinstance(raw, int | float) else str(raw)
        if column.enum and text not in column.enum:
            raise ValueError(f"{text!r} is not one of: {', '.join(column.enum)}")
        return text
    text = str(raw).strip()
    if column.kind == "uuid":
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a UUID") from None
    if column.kind == "date":
        return _parse_date(text)
    if column.kind == "time":
        return parse_time(text)
    if column.kind == "datetime":
        parsed = parse_datetime(text.replace("Z", "+00:00"))
        if parsed is None:
            raise ValueError(f"{text!r} is not a date and time (ISO 8601)")
        return parsed
    if isinstance(raw, bool):
        raise ValueError("must be a number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if column.kind == "integer":
        if number != number.to_integral_value():
            raise ValueError(f"{text!r} is not a whole number")
        return int(number)
    if column.kind == "number":
        result = float(number)
        if math.isinf(result):
            raise ValueError(f"{text!r} is out of range")
        return result
    return number


# --- Objects to HSDS -------------------------------------------------------------------------


def _clean(data: JSON, *, required: Sequence[str] = ()) -> JSON:
    return {k: v for k, v in data.items() if k in required or (v is not None and v != "")}


def fields_to_hsds(table: str, obj: models.Model, *, references: bool = True) -> JSON:
    """The one-to-one fields of ``obj``; ``references=False`` leaves out the ids of related
    objects (a nested object sits in the one it belongs to)."""
    data: JSON = {}
    for column in TABLES[table].columns:
        if column.attname is None or (column.is_reference and not references):
            continue
        value = value_to_hsds(column.kind, getattr(obj, column.attname))
        if value is None and column.required:
            value = ""
        if value is not None:
            data[column.name] = value
    return data


def language_to_hsds(language: Language) -> JSON:
    return fields_to_hsds("language", language, references=False)


def phone_to_hsds(phone: Phone) -> JSON:
    return {
        **fields_to_hsds("phone", phone, references=False),
        "languages": [language_to_hsds(lang) for lang in phone.languages.all()],
    }


def contact_to_hsds(contact: Contact) -> JSON:
    return {
        **fields_to_hsds("contact", contact, references=False),
        "phones": [phone_to_hsds(phone) for phone in contact.phones.all()],
    }


def schedule_to_hsds(schedule: Schedule) -> JSON:
    return fields_to_hsds("schedule", schedule, references=False)


def address_to_hsds(address: Address) -> JSON:
    return fields_to_hsds("address", address, references=False)


def taxonomy_to_hsds(taxonomy: Taxonomy) -> JSON:
    return fields_to_hsds("taxonomy", taxonomy)


def taxonomy_term_to_hsds(term: TaxonomyTerm) -> JSON:
    data = fields_to_hsds("taxonomy_term", term)
    if term.taxonomy_detail is not None:
        data["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy_detail)
    # HSDS order: taxonomy_detail follows taxonomy.
    order = [c.name for c in TABLES["taxonomy_term"].columns]
    order.insert(order.index("language"), "taxonomy_detail")
    return {key: data[key] for key in order if key in data}


def attribute_to_hsds(topic: ServiceTopic) -> JSON:
    return {
        **fields_to_hsds("attribute", topic),
        "link_entity": "service",
        "taxonomy_term": taxonomy_term_to_hsds(topic.taxonomy_term),
    }


def location_summary_to_hsds(location: Location) -> JSON:
    return fields_to_hsds("location", location)


def location_to_hsds(location: Location) -> JSON:
    return {
        **fields_to_hsds("location", location),
        "languages": [language_to_hsds(lang) for lang in location.languages.all()],
        "addresses": [address_to_hsds(address) for address in location.addresses.all()],
        "contacts": [contact_to_hsds(contact) for contact in location.contacts.all()],
        "accessibility": [
            fields_to_hsds("accessibility", item, references=False)
            for item in location.accessibility.all()
        ],
        "phones": [phone_to_hsds(phone) for phone in location.phones.all()],
        "schedules": [schedule_to_hsds(schedule) for schedule in location.schedules.all()],
        "attributes": extension_attributes_to_hsds(location, "location", nested=True),
    }


def organization_summary_to_hsds(organization: Organization) -> JSON:
    """The one-to-one fields: an item of ``/organizations`` and the organization of a listed
    service."""
    return fields_to_hsds("organization", organization)


def service_summary_to_hsds(service: Service, *, organization: bool = True) -> JSON:
    """The one-to-one fields and the organization's: an item of ``/services``."""
    data = fields_to_hsds("service", service)
    if organization and service.organization is not None:
        data["organization"] = organization_summary_to_hsds(service.organization)
    return data


def service_minimal_to_hsds(service: Service) -> JSON:
    """An item of ``/services?minimal=true``: the id and the time of the last change."""
    return {"id": str(service.pk), "last_modified": format_datetime(service.modified_at)}


def service_at_location_summary_to_hsds(sal: ServiceAtLocation) -> JSON:
    """An item of ``/service_at_locations``: its fields, its location's and its service's."""
    return {
        **fields_to_hsds("service_at_location", sal),
        "location": location_summary_to_hsds(sal.location),
        "service": service_summary_to_hsds(sal.service),
    }


def _service_at_location_in_service(sal: ServiceAtLocation) -> JSON:
    return {
        **fields_to_hsds("service_at_location", sal),
        "contacts": [contact_to_hsds(contact) for contact in sal.contacts.all()],
        "phones": [phone_to_hsds(phone) for phone in sal.phones.all()],
        "schedules": [schedule_to_hsds(schedule) for schedule in sal.schedules.all()],
        "location": location_to_hsds(sal.location),
    }


def service_to_hsds(
    service: Service, *, organization: bool = True, service_at_locations: bool = True
) -> JSON:
    """The fully nested service (``/services/{id}``, ``services.json``)."""
    data: JSON = {
        **fields_to_hsds("service", service),
        "phones": [phone_to_hsds(phone) for phone in service.phones.all()],
        "schedules": [schedule_to_hsds(schedule) for schedule in service.schedules.all()],
        "service_areas": [
            fields_to_hsds("service_area", area, references=False)
            for area in service.service_areas.all()
        ],
    }
    if service_at_locations:
        data["service_at_locations"] = [
            _service_at_location_in_service(sal) for sal in service.at_locations.all()
        ]
    data["languages"] = [language_to_hsds(lang) for lang in service.languages.all()]
    if organization and service.organization is not None:
        data["organization"] = {
            **organization_summary_to_hsds(service.organization),
            "attributes": extension_attributes_to_hsds(
                service.organization, "organization", nested=True
            ),
        }
    data["cost_options"] = [
        fields_to_hsds("cost_option", option, references=False)
        for option in service.cost_options.all()
    ]
    data["required_documents"] = [
        fields_to_hsds("required_document", document, references=False)
        for document in service.required_documents.all()
    ]
    data["contacts"] = [contact_to_hsds(contact) for contact in service.contacts.all()]
    data["attributes"] = [
        *(attribute_to_hsds(topic) for topic in service.attributes.all()),
        *extension_attributes_to_hsds(service, "service", nested=True),
    ]
    return data


def service_at_location_to_hsds(sal: ServiceAtLocation) -> JSON:
    """The fully nested service at a location (``/service_at_locations/{id}``), with its
    service (without the service's other locations)."""
    return {
        **_service_at_location_in_service(sal),
        "service": service_to_hsds(sal.service, service_at_locations=False),
    }


def organization_to_hsds(organization: Organization, *, full_services: bool = False) -> JSON:
    """The fully nested organization (``/organizations/{id}``); its services with their
    one-to-one fields, or fully nested with ``full_services``."""
    services = organization.services.all()
    return {
        **organization_summary_to_hsds(organization),
        "contacts": [contact_to_hsds(contact) for contact in organization.contacts.all()],
        "phones": [phone_to_hsds(phone) for phone in organization.phones.all()],
        "locations": [location_to_hsds(location) for location in organization.locations.all()],
        "attributes": extension_attributes_to_hsds(organization, "organization", nested=True),
        "services": [
            service_to_hsds(service, organization=False)
            if full_services
            else service_summary_to_hsds(service, organization=False)
            for service in services
        ],
    }


def page_to_hsds(contents: list[JSON], *, total_items: int, page: int, per_page: int) -> JSON:
    """An HSDS paginated response (the ``Page`` schema of the HSDS OpenAPI) around
    ``contents``, the items of page ``page`` (1-based)."""
    total_pages = math.ceil(total_items / per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def row_to_hsds(table: str, obj: models.Model) -> dict[str, str]:
    """A row of the tabular form: every HSDS column of the table, as text."""
    row: dict[str, str] = {}
    for column in TABLES[table].columns:
        if column.name == "link_entity":
            row[column.name] = "service"
        elif column.attname is None:
            row[column.name] = ""
        else:
            row[column.name] = value_to_text(column.kind, getattr(obj, column.attname))
    return row


def extension_rows(obj: models.Model, table: str) -> list[dict[str, str]]:
    """Rows of ``attributes.csv`` for the extensions of one object."""
    columns = [column.name for column in TABLES["attribute"].columns]
    return [
        {name: str(attribute.get(name, "")) for name in columns}
        for attribute in extension_attributes_to_hsds(obj, table, nested=False)
    ]

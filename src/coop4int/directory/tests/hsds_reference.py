"""Test support for HSDS: the Open Referral reference files (schemas and official examples),
validators built from them, and a service that fills every part of the HSDS model.

The reference files live outside the project: ``$COOP4INT_SHARED_DIR/hsds-3.0`` or
``<repo>/../shared/hsds-3.0``. Tests that need them are skipped, saying so, when they are absent.
"""

import json
import os
from datetime import date, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from coop4int.directory.models import (
    Accessibility,
    CostOption,
    RequiredDocument,
    Service,
    ServiceArea,
)
from coop4int.directory.tests.factories import (
    AddressFactory,
    ContactFactory,
    LanguageFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    ServiceTopicFactory,
    TaxonomyTermFactory,
)


def reference_dir() -> Path:
    base = os.environ.get("COOP4INT_SHARED_DIR") or str(Path(settings.REPO_DIR).parent / "shared")
    return Path(base) / "hsds-3.0"


def reference_dir_or_skip() -> Path:
    """The HSDS 3.0 reference folder (schema/, examples/, datapackage.json); skips the test
    when it is absent. Test modules wrap it in an ``hsds_reference`` fixture."""
    folder = reference_dir()
    if not (folder / "schema" / "compiled").is_dir() or not (folder / "examples").is_dir():
        pytest.skip(f"reference data not found: {folder} (set COOP4INT_SHARED_DIR)")
    return folder


class HSDSSchemas:
    """Validators for HSDS API responses: the compiled schemas of the HSDS 3.0 release, the
    object schemas for taxonomies and terms (their $refs resolved among the schema files), and
    the OpenAPI ``Page`` envelope."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        resources = [
            (path.name, Resource.from_contents(_load(path), default_specification=DRAFT202012))
            for path in sorted((folder / "schema").glob("*.json"))
            if path.name != "openapi.json"
        ]
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self.openapi = _load(folder / "schema" / "openapi.json")

    def schema(self, name: str) -> dict[str, Any]:
        compiled = self.folder / "schema" / "compiled" / f"{name}.json"
        if compiled.exists():
            return _load(compiled)
        return _load(self.folder / "schema" / f"{name}.json")

    def errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = Draft202012Validator(
            schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
            for error in validator.iter_errors(instance)
        ]

    def assert_valid(self, name: str, instance: Any) -> None:
        """``name``: a compiled schema (``service``, ``service_list``…) or an object schema
        (``taxonomy``, ``taxonomy_term``)."""
        problems = self.errors(self.schema(name), instance)
        assert not problems, "\n".join(problems[:20])

    def assert_valid_page(self, item: str, instance: Any) -> None:
        page = self.openapi["components"]["schemas"]["Page"]
        envelope = {
            **page,
            "required": [*page["properties"], "contents"],
            "properties": {
                **page["properties"],
                "contents": {"type": "array", "items": self.schema(item)},
            },
        }
        problems = self.errors(envelope, instance)
        assert not problems, "\n".join(problems[:20])

    def assert_valid_root(self, instance: Any) -> None:
        root = self.openapi["paths"]["/"]["get"]["responses"]["200"]["content"]
        schema = {**root["application/json"]["schema"], "required": ["version", "profile"]}
        problems = self.errors(schema, instance)
        assert not problems, "\n".join(problems)


@cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def make_full_service(**kwargs: Any) -> Service:
    """A service with every HSDS part filled: phones with languages, hours, areas, a location
    with an address and its own phones, hours, languages, accessibility and contact, cost,
    documents, contacts, topics; one phone is shared by the service and its location."""
    service = ServiceFactory(
        url="https://example.org/service",
        email="service@example.org",
        application_process="Come with your passport.",
        minimum_age=18,
        assured_date=date(2025, 3, 1),
        walk_in=True,
        last_verified=date(2025, 3, 2),
        **kwargs,
    )
    organization = service.organization
    organization.website = "https://example.org"
    organization.year_incorporated = 2014
    organization.save()
    sal = ServiceAtLocationFactory(service=service, description="At the front desk")
    location = sal.location
    location.latitude, location.longitude = Decimal("14.933050"), Decimal("-23.513280")
    location.save()
    AddressFactory(location=location, postal_code="7600")
    shared = PhoneFactory(service=service, location=location, description="Reception")
    LanguageFactory(phone=shared, code="fr", name="Français")
    PhoneFactory(service_at_location=sal, extension=12)
    ScheduleFactory(service=service, opens_at=time(8, 30), closes_at=time(15, 30))
    ScheduleFactory(location=location, byday="SA", opens_at=time(9), closes_at=time(12))
    ScheduleFactory(service_at_location=sal, valid_from=date(2025, 1, 1), timezone=-1)
    ServiceArea.objects.create(service=service, name="Santiago", extent_type="text")
    LanguageFactory(service=service, code="kea", name="Kabuverdianu")
    LanguageFactory(location=location, code="en", name="English", note="Some staff")
    Accessibility.objects.create(location=location, description="Step-free entrance")
    contact = ContactFactory(service=service, email="desk@example.org")
    PhoneFactory(contact=contact)
    ContactFactory(location=location, title="Coordinator")
    ContactFactory(organization=organization, department="Direction")
    PhoneFactory(organization=organization)
    CostOption.objects.create(service=service, option="Copies", currency="CVE", amount=150)
    RequiredDocument.objects.create(service=service, document="Passport")
    term = TaxonomyTermFactory(language="pt", term_uri="https://example.org/terms/1")
    TaxonomyTermFactory(parent=term, taxonomy_detail=term.taxonomy_detail)
    ServiceTopicFactory(service=service, taxonomy_term=term, value="main")
    return service

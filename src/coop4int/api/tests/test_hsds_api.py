"""The HSDS API: every response validates against the HSDS 3.0 schemas; pages, filters, errors,
CORS, and a query count that does not grow with the number of services."""

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop4int.directory.models import Schedule, Service
from coop4int.directory.tests.factories import (
    AddressFactory,
    LocationFactory,
    OrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    ServiceTopicFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from coop4int.directory.tests.hsds_reference import (
    HSDSSchemas,
    make_full_service,
)

pytestmark = pytest.mark.django_db


LISTS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["contents"]]


# --- Documents validate against the HSDS schemas ---------------------------------------------


def test_root_says_which_hsds_version_and_profile_it_serves(
    client: Client, hsds_schemas: HSDSSchemas
) -> None:
    data = get(client, "/hsds/")
    assert data == {
        "version": "3.0",
        "profile": "https://openreferral.org/specification/3.0",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    }
    hsds_schemas.assert_valid_root(data)


def test_service_detail_is_the_fully_nested_hsds_service(
    client: Client, hsds_schemas: HSDSSchemas
) -> None:
    service = make_full_service(name="Legal advice")
    data = get(client, f"/hsds/services/{service.pk}")
    hsds_schemas.assert_valid("service", data)
    assert data["id"] == str(service.pk)
    assert data["organization"]["id"] == str(service.organization_id)
    assert data["assured_date"] == "2025-03-01"
    assert data["last_modified"].endswith("Z")
    assert {schedule["opens_at"] for schedule in data["schedules"]} == {"08:30"}
    assert data["cost_options"][0]["amount"] == 150
    (sal,) = data["service_at_locations"]
    location = sal["location"]
    assert location["latitude"] == pytest.approx(14.93305)
    assert location["addresses"][0]["country"] == "CV"
    assert [lang["code"] for lang in location["languages"]] == ["en"]
    assert sal["schedules"][0]["timezone"] == -1
    shared = next(p for p in data["phones"] if p.get("description") == "Reception")
    assert shared["languages"][0]["code"] == "fr"
    assert shared["id"] in {phone["id"] for phone in location["phones"]}
    topic = next(a for a in data["attributes"] if a.get("value") == "main")
    assert topic["link_entity"] == "service"
    assert topic["taxonomy_term"]["taxonomy_detail"]["name"].startswith("Taxonomy")


def test_our_extensions_are_attributes_of_our_own_taxonomy(
    client: Client, hsds_schemas: HSDSSchemas
) -> None:
    service = make_full_service()
    data = get(client, f"/hsds/services/{service.pk}")
    extensions = {
        a["taxonomy_term"]["code"]: a.get("value", "")
        for a in data["attributes"]
        if a["taxonomy_term"].get("taxonomy") == "coop4int"
    }
    assert extensions["walk_in"] == "true"
    assert extensions["appointment_required"] == "false"
    assert extensions["last_verified"] == "2025-03-02"
    location = data["service_at_locations"][0]["location"]
    location_extensions = {
        a["taxonomy_term"]["code"]: a.get("value") for a in location["attributes"]
    }
    assert location_extensions["time_zone"] == "Atlantic/Cape_Verde"
    assert location_extensions["municipality"] == "Praia"
    assert "unit" not in data


def test_empty_optional_fields_are_left_out_and_required_ones_kept(client: Client) -> None:
    service = ServiceFactory(url="", email="", minimum_age=None)
    AddressFactory(location=ServiceAtLocationFactory(service=service).location, postal_code="")
    data = get(client, f"/hsds/services/{service.pk}")
    assert {"url", "email", "minimum_age", "alternate_name"}.isdisjoint(data)
    assert data["phones"] == []
    address = data["service_at_locations"][0]["location"]["addresses"][0]
    assert address["postal_code"] == ""
    assert "location_id" not in address


def test_service_list_is_an_hsds_page_of_services(
    client: Client, hsds_schemas: HSDSSchemas
) -> None:
    make_full_service()
    ServiceFactory()
    data = get(client, "/hsds/services")
    hsds_schemas.assert_valid_page("service_list", data)
    assert "phones" not in data["contents"][0]
    full = get(client, "/hsds/services", full="true")
    hsds_schemas.assert_valid_page("service", full)
    assert all("phones" in item for item in full["contents"])


def test_organization_documents_validate(client: Client, hsds_schemas: HSDSSchemas) -> None:
    service = make_full_service()
    OrganizationFactory()
    hsds_schemas.assert_valid_page("organization_list", get(client, "/hsds/organizations"))
    hsds_schemas.assert_valid_page("organization", get(client, "/hsds/organizations", full="1"))
    detail = get(client, f"/hsds/organizations/{service.organization_id}")
    hsds_schemas.assert_valid("organization", detail)
    assert [s["id"] for s in detail["services"]] == [str(service.pk)]
    assert "phones" not in detail["services"][0]
    assert len(detail["locations"]) == 1
    with_services = get(
        client, f"/hsds/organizations/{service.organization_id}", full_service="true"
    )
    hsds_schemas.assert_valid("organization", with_services)
    assert with_services["services"][0]["phones"]


def test_service_at_location_documents_validate(client: Client, hsds_schemas: HSDSSchemas) -> None:
    service = make_full_service()
    sal = service.at_locations.get()
    listed = get(client, "/hsds/service_at_locations")
    hsds_schemas.assert_valid_page("service_at_location_list", listed)
    assert listed["contents"][0]["service"]["name"] == service.name
    hsds_schemas.assert_valid_page(
        "service_at_location", get(client, "/hsds/service_at_locations", full="true")
    )
    detail = get(client, f"/hsds/service_at_locations/{sal.pk}")
    hsds_schemas.assert_valid("service_at_location", detail)
    assert detail["service"]["id"] == str(service.pk)
    assert detail["location"]["id"] == str(sal.location_id)


def test_taxonomy_documents_validate(client: Client, hsds_schemas: HSDSSchemas) -> None:
    parent = TaxonomyTermFactory(language="pt")
    term = TaxonomyTermFactory(parent=parent, taxonomy_detail=parent.taxonomy_detail)
    TaxonomyTermFactory(taxonomy_detail=None, taxonomy_name="")
    hsds_schemas.assert_valid_page("taxonomy", get(client, "/hsds/taxonomies"))
    hsds_schemas.assert_valid_page("taxonomy_term", get(client, "/hsds/taxonomy_terms"))
    detail = get(client, f"/hsds/taxonomy_terms/{term.pk}")
    hsds_schemas.assert_valid("taxonomy_term", detail)
    assert detail["parent_id"] == str(parent.pk)
    assert detail["taxonomy_id"] == str(parent.taxonomy_detail_id)
    assert detail["taxonomy_detail"]["id"] == str(parent.taxonomy_detail_id)
    taxonomy = get(client, f"/hsds/taxonomies/{parent.taxonomy_detail_id}")
    hsds_schemas.assert_valid("taxonomy", taxonomy)


def test_every_service_is_served_whatever_its_status(client: Client) -> None:
    for status in ("active", "inactive", "defunct", "temporarily closed"):
        ServiceFactory(name=status, status=status)
    assert sorted(names(get(client, "/hsds/services"))) == sorted(
        ["active", "inactive", "defunct", "temporarily closed"]
    )


def test_times_are_hours_and_minutes_unless_the_seconds_matter(client: Client) -> None:
    service = ServiceFactory()
    Schedule.objects.create(service=service, opens_at=time(9, 0, 30), closes_at=time(17))
    (schedule,) = get(client, f"/hsds/services/{service.pk}")["schedules"]
    assert (schedule["opens_at"], schedule["closes_at"]) == ("09:00:30", "17:00")


# --- Pages -----------------------------------------------------------------------------------


def test_pages_count_items_and_pages(client: Client) -> None:
    for number in range(5):
        ServiceFactory(name=f"Service {number}")
    first = get(client, "/hsds/services", per_page=2)
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert names(first) == ["Service 0", "Service 1"]
    last = get(client, "/hsds/services", per_page=2, page=3)
    assert (last["size"], last["first_page"], last["last_page"], names(last)) == (
        1,
        False,
        True,
        ["Service 4"],
    )
    beyond = get(client, "/hsds/services", per_page=2, page=4)
    assert (beyond["size"], beyond["empty"], beyond["last_page"], beyond["contents"]) == (
        0,
        True,
        True,
        [],
    )


def test_an_empty_list_is_one_empty_first_and_last_page(client: Client) -> None:
    data = get(client, "/hsds/services")
    assert data == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_fifty_per_page_by_default_and_at_most_two_hundred(client: Client) -> None:
    Service.objects.bulk_create(Service(name=f"S{n:03d}") for n in range(51))
    data = get(client, "/hsds/services")
    assert (data["size"], data["total_pages"]) == (50, 2)
    assert get(client, "/hsds/services", per_page=200)["size"] == 51
    response = client.get("/hsds/services", {"per_page": 201})
    assert response.status_code == 400
    assert response.json()["errors"] == {"per_page": "must be a whole number from 1 to 200"}


def test_bad_parameters_answer_400_naming_each_one(client: Client) -> None:
    response = client.get(
        "/hsds/services",
        {
            "page": "0",
            "per_page": "ten",
            "modified_after": "yesterday",
            "taxonomy_term_id": "42",
            "organization_id": "x",
            "full": "maybe",
        },
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["detail"] == "Invalid query parameters."
    assert set(body["errors"]) == {
        "page",
        "per_page",
        "modified_after",
        "taxonomy_term_id",
        "organization_id",
        "full",
    }
    assert body["errors"]["taxonomy_term_id"] == "must be a UUID"


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_checks_its_page_parameters(client: Client, endpoint: str) -> None:
    response = client.get(f"/hsds/{endpoint}", {"page": "-1"})
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


# --- Filters ---------------------------------------------------------------------------------


def test_search_finds_name_or_description_whatever_the_case(client: Client) -> None:
    ServiceFactory(name="Legal Advice", description="Lawyers")
    ServiceFactory(name="Language classes", description="Portuguese for adults, free ADVICE")
    ServiceFactory(name="Health", description="Clinic")
    assert sorted(names(get(client, "/hsds/services", search="advice"))) == [
        "Language classes",
        "Legal Advice",
    ]
    assert names(get(client, "/hsds/services", search="LAWYER")) == ["Legal Advice"]


def test_search_in_organizations_and_taxonomies(client: Client) -> None:
    OrganizationFactory(name="Cruz Vermelha", description="Ajuda humanitária")
    OrganizationFactory(name="AAI", description="Immigration authority")
    TaxonomyTermFactory(name="Housing", description="A roof")
    TaxonomyTermFactory(name="Work", description="Jobs and housing rights")
    TaxonomyFactory(name="Needs", description="What people need")
    assert names(get(client, "/hsds/organizations", search="immigration")) == ["AAI"]
    assert names(get(client, "/hsds/taxonomy_terms", search="housing")) == ["Housing", "Work"]
    assert names(get(client, "/hsds/taxonomies", search="NEED")) == ["Needs"]


def test_taxonomy_term_filter_keeps_services_about_the_term(client: Client) -> None:
    term, other = TaxonomyTermFactory(), TaxonomyTermFactory()
    ServiceTopicFactory(service=ServiceFactory(name="Tagged"), taxonomy_term=term)
    ServiceTopicFactory(service=ServiceFactory(name="Other"), taxonomy_term=other)
    ServiceFactory(name="Untagged")
    assert names(get(client, "/hsds/services", taxonomy_term_id=str(term.pk))) == ["Tagged"]
    by_taxonomy = get(client, "/hsds/services", taxonomy_id=str(term.taxonomy_detail_id))
    assert names(by_taxonomy) == ["Tagged"]
    assert get(client, "/hsds/services", taxonomy_term_id=str(uuid4()))["total_items"] == 0


def test_organization_filter_keeps_its_services(client: Client) -> None:
    mine = ServiceFactory(name="Mine")
    ServiceFactory(name="Theirs")
    data = get(client, "/hsds/services", organization_id=str(mine.organization_id))
    assert names(data) == ["Mine"]


def test_modified_after_keeps_services_changed_since(client: Client) -> None:
    old, new = ServiceFactory(name="Old"), ServiceFactory(name="New")
    Service.objects.filter(pk=old.pk).update(modified_at=datetime(2024, 1, 1, tzinfo=UTC))
    Service.objects.filter(pk=new.pk).update(modified_at=datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert names(get(client, "/hsds/services", modified_after="2025-01-01T00:00:00Z")) == ["New"]
    # 12:30 in Cabo Verde (UTC-1) is 13:30 UTC: after the change.
    after = get(client, "/hsds/services", modified_after="2025-06-01T12:30:00-01:00")
    assert after["total_items"] == 0
    # An unescaped "+" arrives as a space; it is read as the offset it was.
    plus = get(client, "/hsds/services", modified_after="2025-06-01T13:30:00 02:00")
    assert names(plus) == ["New"]
    assert names(get(client, "/hsds/services", modified_after=date(2024, 6, 1).isoformat())) == [
        "New"
    ]


def test_service_at_location_filters(client: Client) -> None:
    term = TaxonomyTermFactory()
    tagged = ServiceAtLocationFactory(service__name="Tagged", location__name="Praia office")
    ServiceTopicFactory(service=tagged.service, taxonomy_term=term)
    ServiceAtLocationFactory(service__name="Other", location__name="Mindelo office")
    for params in (
        {"search": "praia"},
        {"taxonomy_term_id": str(term.pk)},
        {"organization_id": str(tagged.service.organization_id)},
    ):
        data = get(client, "/hsds/service_at_locations", **params)
        assert [item["id"] for item in data["contents"]] == [str(tagged.pk)], params


def test_taxonomy_term_filters(client: Client) -> None:
    parent = TaxonomyTermFactory(name="Parent")
    TaxonomyTermFactory(name="Child", parent=parent, taxonomy_detail=parent.taxonomy_detail)
    TaxonomyTermFactory(name="Elsewhere")
    by_taxonomy = get(client, "/hsds/taxonomy_terms", taxonomy_id=str(parent.taxonomy_detail_id))
    assert names(by_taxonomy) == ["Child", "Parent"]
    assert names(get(client, "/hsds/taxonomy_terms", parent_id=str(parent.pk))) == ["Child"]


# --- Errors, addresses, CORS -----------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"],
)
@pytest.mark.parametrize("ident", [str(uuid4()), "not-a-uuid"])
def test_an_unknown_id_answers_404_in_json(client: Client, endpoint: str, ident: str) -> None:
    response = client.get(f"/hsds/{endpoint}/{ident}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert ident in response.json()["detail"]


def test_an_unknown_address_under_hsds_answers_404_in_json(client: Client) -> None:
    response = client.get("/hsds/programs")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such HSDS endpoint."}


def test_a_trailing_slash_is_accepted(client: Client) -> None:
    service = ServiceFactory()
    assert get(client, "/hsds/services/")["total_items"] == 1
    assert get(client, f"/hsds/services/{service.pk}/")["id"] == str(service.pk)
    assert reverse("hsds:service", kwargs={"id": service.pk}) == f"/hsds/services/{service.pk}"


@pytest.mark.parametrize("path", ["/hsds/", "/hsds/services", "/hsds/services/nope"])
def test_any_origin_may_read(client: Client, path: str) -> None:
    response = client.get(path, HTTP_ORIGIN="https://maps.example.net")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_cors_preflight_is_answered(client: Client) -> None:
    response = client.options(
        "/hsds/services",
        HTTP_ORIGIN="https://maps.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "x-requested-with"


def test_the_api_is_read_only(client: Client) -> None:
    assert client.post("/hsds/services", {}, content_type="application/json").status_code == 405
    service = ServiceFactory()
    assert client.delete(f"/hsds/services/{service.pk}").status_code == 405
    assert Service.objects.filter(pk=service.pk).exists()


# --- Query counts ----------------------------------------------------------------------------


def _count_queries(client: Client, path: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, path, **params)
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("services", {}),
        ("services", {"full": "true"}),
        ("service_at_locations", {}),
        ("service_at_locations", {"full": "true"}),
        ("organizations", {}),
        ("organizations", {"full": "true", "full_service": "true"}),
        ("taxonomy_terms", {}),
    ],
)
def test_a_list_page_costs_the_same_queries_for_many_services(
    client: Client, endpoint: str, params: dict[str, str]
) -> None:
    make_full_service()
    few = _count_queries(client, f"/hsds/{endpoint}", params)
    for _ in range(4):
        make_full_service(organization=OrganizationFactory())
    LocationFactory()
    assert _count_queries(client, f"/hsds/{endpoint}", params) == few

"""HSDS's own parameters of the API: ``format=ndjson`` (one JSON object per line, the whole
list streamed or one page), ``minimal``, ``top_only``, ``postcode``; ``proximity`` refused; and
errors in the language the client asks for (English when it asks for none)."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from coop4int.directory.tests.factories import (
    AddressFactory,
    OrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from coop4int.directory.tests.hsds_reference import HSDSSchemas, make_full_service

pytestmark = pytest.mark.django_db

LISTS = {
    "services": "service_list",
    "service_at_locations": "service_at_location_list",
    "organizations": "organization_list",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}


def ndjson(client: Client, path: str, **params: Any) -> tuple[list[dict[str, Any]], Any]:
    response = client.get(path, {"format": "ndjson", **params})
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert body.endswith("\n") or body == ""
    return [json.loads(line) for line in body.splitlines()], response


def page(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def directory() -> None:
    make_full_service(name="Apoio jurídico")
    for number in range(4):
        ServiceFactory(name=f"Serviço {number}")
    OrganizationFactory(name="Sem serviços")
    TaxonomyTermFactory(name="Tema")


@pytest.mark.parametrize("endpoint", LISTS)
def test_ndjson_streams_every_item_of_a_list_one_per_line(
    client: Client, hsds_schemas: HSDSSchemas, directory: None, endpoint: str
) -> None:
    every = page(client, f"/hsds/{endpoint}", per_page="200")["contents"]

    lines, response = ndjson(client, f"/hsds/{endpoint}")

    assert lines == every
    assert response["X-Total-Items"] == str(len(every))
    assert "Accept-Language" in response["Vary"]
    for line in lines:
        hsds_schemas.assert_valid(LISTS[endpoint], line)


def test_ndjson_streams_the_fully_nested_items_with_full(
    client: Client, hsds_schemas: HSDSSchemas, directory: None
) -> None:
    lines, _response = ndjson(client, "/hsds/services", full="true")

    assert len(lines) == 5
    for line in lines:
        hsds_schemas.assert_valid("service", line)


def test_ndjson_gives_one_page_when_a_page_is_asked_for(client: Client, directory: None) -> None:
    everything, _response = ndjson(client, "/hsds/services")

    second, response = ndjson(client, "/hsds/services", page="2", per_page="2")

    assert second == everything[2:4]
    assert (response["X-Total-Items"], response["X-Total-Pages"]) == ("5", "3")
    past_the_end, _response = ndjson(client, "/hsds/services", page="9", per_page="2")
    assert past_the_end == []


def test_an_ndjson_stream_costs_the_same_queries_for_many_services(client: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ndjson(client, "/hsds/services", full="true")
        return len(captured)

    make_full_service(name="Um")
    few = queries()
    for number in range(12):
        make_full_service(name=f"Mais {number}")
    assert queries() == few


def test_a_detail_in_ndjson_is_one_line(client: Client, directory: None) -> None:
    service = page(client, "/hsds/services")["contents"][0]

    lines, _response = ndjson(client, f"/hsds/services/{service['id']}")

    assert [line["id"] for line in lines] == [service["id"]]


@pytest.mark.parametrize("path", ["/hsds/services", "/hsds/", f"/hsds/taxonomies/{'0' * 32}"])
def test_an_unknown_format_answers_400_naming_it(client: Client, path: str) -> None:
    response = client.get(path, {"format": "xml"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Content-Language"] == "en"
    assert response.json() == {
        "detail": "Invalid query parameters.",
        "errors": {"format": "must be json or ndjson"},
    }


def test_format_json_is_the_default_format(client: Client, directory: None) -> None:
    assert page(client, "/hsds/services", format="json") == page(client, "/hsds/services")


@pytest.mark.parametrize(
    ("accept", "language"),
    [("pt-PT,pt;q=0.9", "pt"), ("fr", "fr"), ("kea", "kea"), ("de, en;q=0.5", "en"), ("", "en")],
)
def test_errors_are_in_the_language_the_client_asks_for(
    client: Client, accept: str, language: str
) -> None:
    response = client.get("/hsds/services", {"format": "xml"}, HTTP_ACCEPT_LANGUAGE=accept)

    assert response.status_code == 400
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = {
            "detail": translation.gettext("Invalid query parameters."),
            "errors": {"format": translation.gettext("must be json or ndjson")},
        }
    assert response.json() == expected


def test_a_404_is_in_english_unless_asked_otherwise(client: Client) -> None:
    """The reported case: Django REST framework's own 404, in the site's Portuguese."""
    response = client.get("/hsds/programs", {"format": "ndjson"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No such HSDS endpoint."}
    assert response["Content-Language"] == "en"


def test_minimal_lists_each_service_with_its_last_change(client: Client, directory: None) -> None:
    full = page(client, "/hsds/services")["contents"]

    minimal = page(client, "/hsds/services", minimal="true")

    assert minimal["contents"] == [
        {"id": item["id"], "last_modified": item["last_modified"]} for item in full
    ]
    assert minimal["total_items"] == 5
    lines, _response = ndjson(client, "/hsds/services", minimal="true")
    assert lines == minimal["contents"]


def test_minimal_and_full_together_are_refused(client: Client) -> None:
    response = client.get("/hsds/services", {"minimal": "true", "full": "true"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"minimal"}


def test_top_only_keeps_the_terms_without_a_parent(client: Client) -> None:
    parent = TaxonomyTermFactory(name="Documentos")
    TaxonomyTermFactory(name="Vistos", parent=parent, taxonomy_detail=parent.taxonomy_detail)
    TaxonomyTermFactory(name="Saúde")

    top = page(client, "/hsds/taxonomy_terms", top_only="true")

    assert [item["name"] for item in top["contents"]] == ["Documentos", "Saúde"]
    every = page(client, "/hsds/taxonomy_terms", top_only="false")
    assert every["total_items"] == 3


def test_postcode_keeps_the_services_at_locations_with_that_postal_code(client: Client) -> None:
    praia = ServiceAtLocationFactory(service__name="Praia", location__name="Plateau")
    AddressFactory(location=praia.location, postal_code="7600")
    lisboa = ServiceAtLocationFactory(service__name="Lisboa", location__name="CNAIM")
    AddressFactory(location=lisboa.location, postal_code="1150-025", country="PT")
    ServiceAtLocationFactory(service__name="Sem morada", location__name="Telefone")

    def found(postcode: str) -> list[str]:
        data = page(client, "/hsds/service_at_locations", postcode=postcode)
        return [item["id"] for item in data["contents"]]

    assert found("7600") == [str(praia.pk)]
    assert found(" 1150-025 ") == [str(lisboa.pk)]
    assert found("2110") == []
    assert len(found("")) == 3


def test_proximity_is_refused_rather_than_ignored(client: Client) -> None:
    response = client.get("/hsds/service_at_locations", {"postcode": "7600", "proximity": "500"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"proximity"}

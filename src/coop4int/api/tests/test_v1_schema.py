"""The OpenAPI document of API v1: valid OpenAPI 3 (drf-spectacular's bundled JSON schema of the
specification), generated without a warning, and describing every v1 endpoint — and only
those — with the answers they give."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

SCHEMA = "/api/v1/schema/"

OPERATIONS = {
    ("/api/v1/appointments/slots/", "get"): {"200", "400", "404"},
    ("/api/v1/appointments/", "post"): {"201", "400", "404", "409", "429"},
    ("/api/v1/appointments/{reference}/", "get"): {"200", "404"},
    ("/api/v1/appointments/{reference}/", "patch"): {"200", "400", "404", "409"},
    ("/api/v1/appointments/{reference}/", "delete"): {"200", "400", "404"},
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client: Client) -> Iterator[dict[str, Any]]:
    GENERATOR_STATS.reset()
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in (
        "application/vnd.oai.openapi+json",
        "application/json",
    )
    assert not GENERATOR_STATS, "drf-spectacular warned while writing the document"
    yield response.json()
    GENERATOR_STATS.reset()


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate_schema(document)


def test_the_document_describes_the_v1_endpoints_and_only_them(document):
    operations = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    assert operations == set(OPERATIONS)
    for (path, method), codes in OPERATIONS.items():
        assert set(document["paths"][path][method]["responses"]) == codes, (path, method)


def test_errors_and_answers_have_their_schemas(document):
    paths = document["paths"]
    components = document["components"]["schemas"]
    booked = paths["/api/v1/appointments/"]["post"]["responses"]
    for code in ("400", "404", "409", "429"):
        ref = booked[code]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/Error"
    new_booking = components["NewBooking"]["properties"]
    for field in ("reference", "start", "end", "status", "manage_url", "ics_url", "secret"):
        assert field in new_booking
    slots = components["SlotList"]["properties"]["slots"]
    assert slots["items"]["$ref"] == "#/components/schemas/FreeSlot"
    assert set(components["Error"]["properties"]) == {"detail", "code", "errors"}
    query = {p["name"] for p in paths["/api/v1/appointments/slots/"]["get"]["parameters"]}
    assert query == {"service", "location", "from", "to"}


def test_request_bodies_say_unknown_fields_are_refused_and_what_is_required(document):
    components = document["components"]["schemas"]
    book, move = components["BookRequest"], components["MoveRequest"]
    assert book["additionalProperties"] is False
    assert move["additionalProperties"] is False
    assert set(book["required"]) == {"service", "location", "start", "name", "language"}
    assert move["required"] == ["start"]
    move_body = document["paths"]["/api/v1/appointments/{reference}/"]["patch"]["requestBody"]
    assert move_body["content"]["application/json"]["schema"]["$ref"].endswith("/MoveRequest")


def test_the_booking_endpoints_say_they_need_the_secret(document):
    scheme = document["components"]["securitySchemes"]["bookingSecret"]
    assert scheme == scheme | {"type": "http", "scheme": "bearer"}
    booking = document["paths"]["/api/v1/appointments/{reference}/"]
    for method in ("get", "patch", "delete"):
        assert booking[method]["security"] == [{"bookingSecret": []}]
    assert document["paths"]["/api/v1/appointments/"]["post"].get("security", []) in ([], [{}])


def test_the_document_is_readable_from_any_origin(client):
    response = client.get(SCHEMA, HTTP_ORIGIN="https://app.example")
    assert response["Access-Control-Allow-Origin"] == "*"

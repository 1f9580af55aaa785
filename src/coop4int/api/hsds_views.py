"""The read-only Open Referral HSDS 3.0 API (``/hsds/``), open to everyone and to every origin.

Each view parses its query, calls one read of ``directory.domain.hsds_queries`` and turns the
objects into HSDS with ``directory.hsds``. Lists are HSDS pages; ``page`` counts from 1.
Errors are JSON: 400 ``{"detail": …, "errors": {parameter: message}}``, 404 ``{"detail": …}``.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coop4int.directory import hsds
from coop4int.directory.domain import hsds_queries as queries

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000_000

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


class InvalidParameters(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid query parameters."
    default_code = "invalid_parameters"


class _Query:
    """Reads query parameters, collecting what is wrong with each of them."""

    def __init__(self, query: QueryDict) -> None:
        self.query = query
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        return (self.query.get(name) or "").strip()

    def whole(self, name: str, *, default: int, maximum: int) -> int:
        text = self.text(name)
        if not text:
            return default
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= maximum:
            self.errors[name] = f"must be a whole number from 1 to {maximum}"
            return default
        return int(text)

    def uuid(self, name: str) -> UUID | None:
        text = self.text(name)
        if not text:
            return None
        try:
            return UUID(text)
        except ValueError:
            self.errors[name] = "must be a UUID"
            return None

    def boolean(self, name: str) -> bool:
        text = self.text(name).lower()
        if text in ("", "false", "0", "no"):
            return False
        if text in ("true", "1", "yes"):
            return True
        self.errors[name] = "must be true or false"
        return False

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date and time (UTC unless it says otherwise) or a date (its start, UTC).
        A "+" left unescaped in a query string arrives as a space: it is read back as "+"."""
        text = self.text(name).replace(" ", "+")
        if not text:
            return None
        try:
            parsed = parse_datetime(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if parsed is None and (day := parse_date(text)) is not None:
                parsed = datetime.combine(day, time.min)
        except ValueError:
            parsed = None
        if parsed is None:
            self.errors[name] = "must be an ISO 8601 date and time, e.g. 2025-01-31T09:00:00Z"
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def check(self) -> None:
        if self.errors:
            raise InvalidParameters(
                {"detail": "Invalid query parameters.", "errors": dict(sorted(self.errors.items()))}
            )


def _uuid_or_404(text: str, noun: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise NotFound(f"No {noun} with id {text!r}.") from None


def _found(read: Callable[[UUID], T], text: str, noun: str) -> T:
    try:
        return read(_uuid_or_404(text, noun))
    except Http404:
        raise NotFound(f"No {noun} with id {text!r}.") from None


class HSDSView(APIView):
    """Public, read-only, JSON, and readable from any web page (CORS)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        response["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        return response

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        """The answer to a CORS preflight: the headers say it all."""
        return Response(status=status.HTTP_204_NO_CONTENT)


class PageView(HSDSView):
    """A paginated HSDS list: subclasses give the objects and how each one is written."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        query = _Query(request.query_params)
        page = query.whole("page", default=1, maximum=MAX_PAGE)
        per_page = query.whole("per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
        objects, to_hsds = self.objects(query)
        query.check()
        total = objects.count()
        start = (page - 1) * per_page
        items: Iterable[Model] = objects[start : start + per_page] if start < total else []
        contents = [to_hsds(obj) for obj in items]
        return Response(
            hsds.page_to_hsds(contents, total_items=total, page=page, per_page=per_page)
        )


def _service_criteria(query: _Query) -> queries.ServiceCriteria:
    return queries.ServiceCriteria(
        search=query.text("search"),
        taxonomy_term_id=query.uuid("taxonomy_term_id"),
        taxonomy_id=query.uuid("taxonomy_id"),
        organization_id=query.uuid("organization_id"),
        modified_after=query.moment("modified_after"),
    )


class RootView(HSDSView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": hsds.HSDS_VERSION,
                "profile": hsds.HSDS_PROFILE,
                "openapi_url": hsds.HSDS_OPENAPI_URL,
            }
        )


class ServiceListView(PageView):
    """Services with their one-to-one fields and organization; fully nested with full=true."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        criteria, full = _service_criteria(query), query.boolean("full")
        writer = hsds.service_to_hsds if full else hsds.service_summary_to_hsds
        return queries.services_for_hsds(criteria, full=full), writer


class ServiceDetailView(HSDSView):
    def get(self, request: Request, id: str) -> Response:
        return Response(hsds.service_to_hsds(_found(queries.service_for_hsds, id, "service")))


class ServiceAtLocationListView(PageView):
    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        criteria, full = _service_criteria(query), query.boolean("full")
        writer = (
            hsds.service_at_location_to_hsds if full else hsds.service_at_location_summary_to_hsds
        )
        return queries.service_at_locations_for_hsds(criteria, full=full), writer


class ServiceAtLocationDetailView(HSDSView):
    def get(self, request: Request, id: str) -> Response:
        sal = _found(queries.service_at_location_for_hsds, id, "service at location")
        return Response(hsds.service_at_location_to_hsds(sal))


class OrganizationListView(PageView):
    """Organizations with their one-to-one fields; fully nested with full=true (and their
    services fully nested too with full_service=true)."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        full, full_services = query.boolean("full"), query.boolean("full_service")
        organizations = queries.organizations_for_hsds(
            search=query.text("search"), full=full, full_services=full_services
        )
        if not full:
            return organizations, hsds.organization_summary_to_hsds
        return organizations, lambda organization: hsds.organization_to_hsds(
            organization, full_services=full_services
        )


class OrganizationDetailView(HSDSView):
    def get(self, request: Request, id: str) -> Response:
        query = _Query(request.query_params)
        full_services = query.boolean("full_service")
        query.check()
        organization = _found(
            lambda pk: queries.organization_for_hsds(pk, full_services=full_services),
            id,
            "organization",
        )
        return Response(hsds.organization_to_hsds(organization, full_services=full_services))


class TaxonomyListView(PageView):
    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        return queries.taxonomies_for_hsds(search=query.text("search")), hsds.taxonomy_to_hsds


class TaxonomyDetailView(HSDSView):
    def get(self, request: Request, id: str) -> Response:
        taxonomy = _found(queries.taxonomy_for_hsds, id, "taxonomy")
        return Response(hsds.taxonomy_to_hsds(taxonomy))


class TaxonomyTermListView(PageView):
    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        terms = queries.taxonomy_terms_for_hsds(
            search=query.text("search"),
            taxonomy_id=query.uuid("taxonomy_id"),
            parent_id=query.uuid("parent_id"),
        )
        return terms, hsds.taxonomy_term_to_hsds


class TaxonomyTermDetailView(HSDSView):
    def get(self, request: Request, id: str) -> Response:
        term = _found(queries.taxonomy_term_for_hsds, id, "taxonomy term")
        return Response(hsds.taxonomy_term_to_hsds(term))


class NotFoundView(HSDSView):
    """Any other address under /hsds/: a JSON 404 rather than the site's HTML page."""

    def get(self, request: Request, path: str = "") -> Response:
        raise NotFound("No such HSDS endpoint.")

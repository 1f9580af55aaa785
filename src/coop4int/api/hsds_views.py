"""The read-only Open Referral HSDS 3.0 API (``/hsds/``), open to everyone and to every origin.

Each view parses its query, calls one read of ``directory.domain.hsds_queries`` and turns the
objects into HSDS with ``directory.hsds``. Lists are HSDS pages; ``page`` counts from 1.
``format=ndjson`` (HSDS's own) answers ``application/x-ndjson`` instead: one JSON object per
line, every item of the list streamed, or one page of them when ``page`` or ``per_page`` is
given (the totals in ``X-Total-Items`` and ``X-Total-Pages``).
Errors are JSON: 400 ``{"detail": …, "errors": {parameter: message}}``, 404 ``{"detail": …}``,
in the language the request's ``Accept-Language`` asks for among the interface's, else English
(a machine's client has no other way to say; HSDS itself is English).
"""

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coop4int.directory import hsds
from coop4int.directory.domain import hsds_queries as queries

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000_000
FORMATS = ("json", "ndjson")
NDJSON = "application/x-ndjson"
# Rows read at a time when a whole list is streamed (each chunk brings its prefetches).
STREAM_CHUNK = 200
API_LANGUAGE = "en"

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
    "Access-Control-Expose-Headers": "Content-Language, X-Total-Items, X-Total-Pages",
}


class InvalidParameters(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid query parameters."
    default_code = "invalid_parameters"


def negotiated_language(request: HttpRequest) -> str:
    """The interface language the request's Accept-Language prefers, else English."""
    offered = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        for candidate in (code.lower(), code.lower().split("-")[0]):
            if candidate in offered:
                return candidate
    return API_LANGUAGE


class _JSONWhateverAsked(BaseContentNegotiation):
    """Always JSON (NDJSON is written by the views): ``format`` is HSDS's parameter, read by
    the views, not Django REST framework's renderer switch (which answers an unknown one with
    a 404), and an Accept header does not turn a request away."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


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
            self.errors[name] = _("must be a whole number from 1 to %(maximum)s") % {
                "maximum": maximum
            }
            return default
        return int(text)

    def given(self, name: str) -> bool:
        return bool(self.text(name))

    def format(self) -> str:
        """HSDS's ``format``: ``json`` (the default) or ``ndjson``."""
        text = self.text("format").lower()
        if not text:
            return "json"
        if text not in FORMATS:
            self.errors["format"] = _("must be json or ndjson")
            return "json"
        return text

    def unsupported(self, name: str, reason: str) -> None:
        if self.given(name):
            self.errors[name] = reason

    def uuid(self, name: str) -> UUID | None:
        text = self.text(name)
        if not text:
            return None
        try:
            return UUID(text)
        except ValueError:
            self.errors[name] = _("must be a UUID")
            return None

    def boolean(self, name: str) -> bool:
        text = self.text(name).lower()
        if text in ("", "false", "0", "no"):
            return False
        if text in ("true", "1", "yes"):
            return True
        self.errors[name] = _("must be true or false")
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
            self.errors[name] = _("must be an ISO 8601 date and time, e.g. 2025-01-31T09:00:00Z")
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def check(self) -> None:
        if self.errors:
            raise InvalidParameters(
                {
                    "detail": _("Invalid query parameters."),
                    "errors": dict(sorted(self.errors.items())),
                }
            )


def _found(read: Callable[[UUID], T], text: str, missing: Callable[[str], str]) -> T:
    """The object ``read`` finds by the id ``text``; 404 saying ``missing(text)`` otherwise."""
    try:
        return read(UUID(text))
    except (ValueError, Http404):
        raise NotFound(missing(repr(text))) from None


def _no_service(ident: str) -> str:
    return _("No service with id %(id)s.") % {"id": ident}


def _no_service_at_location(ident: str) -> str:
    return _("No service at location with id %(id)s.") % {"id": ident}


def _no_organization(ident: str) -> str:
    return _("No organization with id %(id)s.") % {"id": ident}


def _no_taxonomy(ident: str) -> str:
    return _("No taxonomy with id %(id)s.") % {"id": ident}


def _no_taxonomy_term(ident: str) -> str:
    return _("No taxonomy term with id %(id)s.") % {"id": ident}


def _ndjson_line(obj: hsds.JSON) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def ndjson_response(objects: Iterable[hsds.JSON]) -> StreamingHttpResponse:
    """``objects`` as NDJSON, one per line, written as they are read."""
    return StreamingHttpResponse(
        (_ndjson_line(obj) for obj in objects), content_type=f"{NDJSON}; charset=utf-8"
    )


class HSDSView(APIView):
    """Public, read-only, JSON, and readable from any web page (CORS)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _JSONWhateverAsked

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = negotiated_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    # ``response`` is a StreamingHttpResponse for NDJSON, which the base class passes through.
    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        response["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Language, Content-Type"
        )
        patch_vary_headers(response, ("Accept-Language",))
        return response

    @staticmethod
    def one(query: "_Query", make: Callable[[], hsds.JSON]) -> HttpResponseBase:
        """One HSDS object, as JSON or (``format=ndjson``) as one NDJSON line; the query is
        checked before the object is looked for."""
        answer_format = query.format()
        query.check()
        data = make()
        return ndjson_response([data]) if answer_format == "ndjson" else Response(data)

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        """The answer to a CORS preflight: the headers say it all."""
        return Response(status=status.HTTP_204_NO_CONTENT)


class PageView(HSDSView):
    """A paginated HSDS list: subclasses give the objects and how each one is written."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        raise NotImplementedError

    def get(self, request: Request) -> HttpResponseBase:
        query = _Query(request.query_params)
        answer_format = query.format()
        page = query.whole("page", default=1, maximum=MAX_PAGE)
        per_page = query.whole("per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
        objects, to_hsds = self.objects(query)
        query.check()
        total = objects.count()
        if answer_format == "ndjson" and not (query.given("page") or query.given("per_page")):
            response = ndjson_response(
                to_hsds(obj) for obj in objects.iterator(chunk_size=STREAM_CHUNK)
            )
            response["X-Total-Items"] = str(total)
            return response
        start = (page - 1) * per_page
        items: Iterable[Model] = objects[start : start + per_page] if start < total else []
        contents = [to_hsds(obj) for obj in items]
        if answer_format == "ndjson":
            response = ndjson_response(contents)
            response["X-Total-Items"] = str(total)
            response["X-Total-Pages"] = str(-(-total // per_page))
            return response
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
    def get(self, request: Request) -> HttpResponseBase:
        return self.one(
            _Query(request.query_params),
            lambda: {
                "version": hsds.HSDS_VERSION,
                "profile": hsds.HSDS_PROFILE,
                "openapi_url": hsds.HSDS_OPENAPI_URL,
            },
        )


class ServiceListView(PageView):
    """Services with their one-to-one fields and organization; fully nested with full=true;
    only their ``id`` and ``last_modified`` with minimal=true (HSDS's "modified date")."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        criteria, full = _service_criteria(query), query.boolean("full")
        if query.boolean("minimal"):
            if full:
                query.errors["minimal"] = _("cannot be combined with full=true")
            return queries.service_dates_for_hsds(criteria), hsds.service_minimal_to_hsds
        writer = hsds.service_to_hsds if full else hsds.service_summary_to_hsds
        return queries.services_for_hsds(criteria, full=full), writer


class ServiceDetailView(HSDSView):
    def get(self, request: Request, id: str) -> HttpResponseBase:
        return self.one(
            _Query(request.query_params),
            lambda: hsds.service_to_hsds(_found(queries.service_for_hsds, id, _no_service)),
        )


class ServiceAtLocationListView(PageView):
    """Services at locations; ``postcode`` keeps those whose location has an address with
    that postal code. ``proximity`` needs where a postcode lies, which the platform does not
    know: it is refused rather than ignored, as the answer would not be what was asked."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        criteria, full = _service_criteria(query), query.boolean("full")
        query.unsupported(
            "proximity",
            _("is not supported: the platform does not know where postcodes lie; use postcode"),
        )
        writer = (
            hsds.service_at_location_to_hsds if full else hsds.service_at_location_summary_to_hsds
        )
        sals = queries.service_at_locations_for_hsds(
            criteria, full=full, postcode=query.text("postcode")
        )
        return sals, writer


class ServiceAtLocationDetailView(HSDSView):
    def get(self, request: Request, id: str) -> HttpResponseBase:
        return self.one(
            _Query(request.query_params),
            lambda: hsds.service_at_location_to_hsds(
                _found(queries.service_at_location_for_hsds, id, _no_service_at_location)
            ),
        )


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
    def get(self, request: Request, id: str) -> HttpResponseBase:
        query = _Query(request.query_params)
        full_services = query.boolean("full_service")
        return self.one(
            query,
            lambda: hsds.organization_to_hsds(
                _found(
                    lambda pk: queries.organization_for_hsds(pk, full_services=full_services),
                    id,
                    _no_organization,
                ),
                full_services=full_services,
            ),
        )


class TaxonomyListView(PageView):
    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        return queries.taxonomies_for_hsds(search=query.text("search")), hsds.taxonomy_to_hsds


class TaxonomyDetailView(HSDSView):
    def get(self, request: Request, id: str) -> HttpResponseBase:
        return self.one(
            _Query(request.query_params),
            lambda: hsds.taxonomy_to_hsds(_found(queries.taxonomy_for_hsds, id, _no_taxonomy)),
        )


class TaxonomyTermListView(PageView):
    """Terms; ``top_only=true`` keeps the terms at the top of their tree (without a parent)."""

    def objects(self, query: _Query) -> tuple[QuerySet[Any], Callable[[Any], hsds.JSON]]:
        terms = queries.taxonomy_terms_for_hsds(
            search=query.text("search"),
            taxonomy_id=query.uuid("taxonomy_id"),
            parent_id=query.uuid("parent_id"),
            top_only=query.boolean("top_only"),
        )
        return terms, hsds.taxonomy_term_to_hsds


class TaxonomyTermDetailView(HSDSView):
    def get(self, request: Request, id: str) -> HttpResponseBase:
        return self.one(
            _Query(request.query_params),
            lambda: hsds.taxonomy_term_to_hsds(
                _found(queries.taxonomy_term_for_hsds, id, _no_taxonomy_term)
            ),
        )


class NotFoundView(HSDSView):
    """Any other address under /hsds/: a JSON 404 rather than the site's HTML page."""

    def get(self, request: Request, path: str = "") -> Response:
        raise NotFound(_("No such HSDS endpoint."))

"""The public app API v1 (``/api/v1/``): free slots, booking, and a booking read, moved or
cancelled with its secret. No account: what a booking says is an unverified claim, as on the
public booking pages, and the same domain functions make it (``appointments.domain``).

Conventions (also in the OpenAPI document, ``/api/v1/schema/``):

- JSON only, in and out. A request body with a field the endpoint does not know is refused
  (400), so that a misspelt field is not silently dropped.
- Errors are ``{"detail": …, "code": …, "errors": {field: message}}`` in the language the
  request's ``Accept-Language`` asks for among the interface's; when it names none, a booking's
  ``language`` field (its nearest interface language); else English.
- A booking's secret goes in the ``Authorization: Bearer <secret>`` header — never in the
  address, which access logs keep. A missing or wrong secret and an unknown reference get the
  same 404, so that references cannot be probed.
- Slots: at most ``MAX_SLOT_DAYS`` days per request (longer is refused: 400); days beyond the
  booking horizon are clipped (no slots there), and ``bookable_until`` says where it lies.
- Booking is rate-limited per client address (``PUBLIC_BOOKING_LIMIT``, shared with the public
  booking pages): 429 with ``Retry-After``. Reads are not, as the HSDS API's are not.
- CORS: reads (GET, HEAD and their preflight) are open to every origin; writes answer no CORS
  header, so a web page elsewhere cannot book, move or cancel through a visitor's browser.
  Only JSON bodies are parsed, so a cross-origin "simple" form post is refused (415) as well.
"""

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coop4int.api import v1_serializers as s
from coop4int.appointments.domain.booking import (
    PUBLIC_BOOKING_LIMIT,
    SlotFull,
    book_slot,
    cancel_booking,
    cancel_deadline,
    move_booking,
    secret_matches,
)
from coop4int.appointments.domain.slots import bookable_for, free_slots
from coop4int.appointments.models import BookableService, Booking
from coop4int.cases.domain.references import normalise_reference
from coop4int.core.languages import interface_codes, interface_fallback
from coop4int.core.personal_pages import mark_personal
from coop4int.directory.models import ServiceAtLocation

logger = logging.getLogger(__name__)

API_LANGUAGE = "en"
READS = frozenset({"GET", "HEAD"})
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Authorization",
    "Access-Control-Max-Age": "86400",
    "Access-Control-Expose-Headers": "Content-Language, Retry-After",
}
# What the domain's refusal codes are about, for the field errors of a 400.
FIELD_OF_CODE = {
    "name": "name",
    "contact": "phone",
    "phone": "phone",
    "language": "language",
    "slot": "start",
    "full": "start",
    "not_bookable": "service",
}
NON_FIELD = "non_field_errors"


def asked_language(request: HttpRequest) -> str:
    """The interface language the request's Accept-Language names first; "" when none."""
    offered = interface_codes()
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        for candidate in (code.lower(), code.lower().split("-")[0]):
            if candidate in offered:
                return candidate
    return ""


def _error(
    detail: str,
    *,
    code: str,
    status_code: int,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors:
        body["errors"] = dict(sorted(errors.items()))
    return Response(body, status=status_code, headers=headers)


def _invalid(errors: Any, detail: str) -> Response:
    """A 400 from a serializer's errors: one message per field, its messages joined."""
    flat = {
        str(name): " ".join(str(message) for message in messages)
        if isinstance(messages, list)
        else str(messages)
        for name, messages in errors.items()
    }
    return _error(detail, code="invalid", status_code=status.HTTP_400_BAD_REQUEST, errors=flat)


def _refused(error: ValidationError) -> Response:
    """A 400 for what the domain refuses (``BookingRefused``, a contact it cannot read)."""
    message = " ".join(error.messages)
    code = str(getattr(error, "code", None) or "invalid")
    field = FIELD_OF_CODE.get(code, NON_FIELD)
    return _error(
        message, code=code, status_code=status.HTTP_400_BAD_REQUEST, errors={field: message}
    )


def _full(error: SlotFull) -> Response:
    return _error(" ".join(error.messages), code="full", status_code=status.HTTP_409_CONFLICT)


def _bookable(service_id: Any, location_id: Any) -> BookableService:
    """The bookable service offered as ``service_id`` at ``location_id``; 404 otherwise."""
    sal = (
        ServiceAtLocation.objects.filter(service_id=service_id, location_id=location_id)
        .select_related("service", "location")
        .first()
    )
    bookable = bookable_for(sal) if sal is not None else None
    if bookable is None:
        raise NotFound(_("This service cannot be booked at this location."))
    return bookable


def _public_link(name: str, booking: Booking, secret: str, language: str) -> str:
    with translation.override(language):
        path = reverse(name, kwargs={"reference": booking.reference, "secret": secret})
    return settings.PUBLIC_URL.rstrip("/") + path


def booking_data(booking: Booking, secret: str) -> dict[str, Any]:
    """What the API says of a booking; its links in the interface language nearest to the
    booking's (the language the person chose)."""
    sal = booking.bookable.service_at_location
    zone = ZoneInfo(sal.location.time_zone)
    language = interface_fallback(booking.language)
    return {
        "reference": booking.reference,
        "service": str(sal.service_id),
        "location": str(sal.location_id),
        "start": booking.starts_at.astimezone(zone).isoformat(),
        "end": booking.ends_at.astimezone(zone).isoformat(),
        "status": booking.status,
        "changeable_until": cancel_deadline(booking).astimezone(zone).isoformat(),
        "name": booking.name,
        "phone": booking.phone,
        "email": booking.email,
        "language": booking.language,
        "notify_by": booking.notify_by,
        "interpreter_needed": booking.interpreter_needed,
        "accessibility_needs": booking.accessibility_needs,
        "manage_url": _public_link("portal:appointment_manage", booking, secret, language),
        "ics_url": _public_link("portal:appointment_ics", booking, secret, language),
    }


def _bearer(request: Request) -> str:
    scheme, _space, secret = request.headers.get("Authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _booking_with_secret(request: Request, reference: str) -> tuple[Booking, str]:
    """The booking ``reference`` names, when the request holds its secret; one and the same
    404 for an unknown reference, a missing or a wrong secret, and an erased booking."""
    secret, stored = _bearer(request), normalise_reference(reference)
    booking = (
        Booking.objects.filter(reference=stored)
        .select_related(
            "bookable__service_at_location__service", "bookable__service_at_location__location"
        )
        .first()
        if stored
        else None
    )
    if booking is None or booking.anonymised_at is not None or not secret_matches(booking, secret):
        raise NotFound(_("No appointment with this reference and secret."))
    return booking, secret


class JSONWhateverAsked(DefaultContentNegotiation):
    """Answers JSON whatever the Accept header says (an error is better read than a 406);
    reads JSON bodies only."""

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer: BaseRenderer = next(iter(renderers))
        return renderer, renderer.media_type


# --- Base ------------------------------------------------------------------------------------


class V1View(APIView):
    """JSON in and out, no account, no cookies (and so no CSRF: no authentication class reads
    a session), CORS for reads only, errors in the request's language and never a trace."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    parser_classes = (JSONParser,)
    content_negotiation_class = JSONWhateverAsked
    asked = ""
    language = API_LANGUAGE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.asked = asked_language(request)
        self.language = self.asked or API_LANGUAGE
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
        response["Content-Language"] = self.language
        patch_vary_headers(response, ("Accept-Language",))
        return response

    def speak(self, language: Any) -> None:
        """Answer in the interface language nearest to ``language`` (a booking's), unless the
        request's Accept-Language chose one."""
        if self.asked or not isinstance(language, str) or not language.strip():
            return
        self.language = interface_fallback(language.strip().lower())
        translation.activate(self.language)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        method = (request.method or "").upper()
        if method == "OPTIONS":
            method = request.headers.get("Access-Control-Request-Method", "GET").strip().upper()
        if method in READS:
            for header, value in CORS_HEADERS.items():
                response[header] = value
        return response

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        """A CORS preflight: the headers say it all (and say nothing to one for a write)."""
        return Response(status=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, SuspiciousOperation):  # a body too large, a bad header…
            return _error(
                _("The request could not be read."),
                code="bad_request",
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        try:
            response = super().handle_exception(exc)
        except Exception:
            logger.exception("API v1: %s failed", type(self).__name__)
            return _error(
                _("Something went wrong on our side. Please try again later."),
                code="server_error",
                status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            )
        if isinstance(exc, APIException) and isinstance(response.data, dict):
            codes = exc.get_codes()
            if isinstance(codes, str):
                response.data.setdefault("code", codes)
        return response


ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid request: see `errors`."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found."),
}
# drf-spectacular puts this in the operations' "security" as it is (its stub says strings).
SECRET_REQUIRED: Any = [{"bookingSecret": []}]


# --- Slots -----------------------------------------------------------------------------------


class SlotsView(V1View):
    @extend_schema(
        operation_id="appointment_slots",
        summary="Free slots of a bookable service at a location",
        description=(
            "The slots with a place left from `from` to `to` (the location's dates), each "
            "with its start and end in the location's time zone (ISO 8601 with the UTC "
            f"offset: Cabo Verde is -01:00) and its places left. At most {s.MAX_SLOT_DAYS} "
            "days per request (400 beyond); days past the booking horizon have no slots "
            "(`bookable_until`). Open to every origin (CORS)."
        ),
        parameters=[s.SlotQuerySerializer],
        responses={
            200: s.SlotListSerializer,
            400: ERRORS[400],
            404: OpenApiResponse(
                s.ErrorSerializer,
                description="No such service at this location, or it cannot be booked.",
            ),
        },
        tags=["appointments"],
    )
    def get(self, request: Request) -> Response:
        query = s.SlotQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _invalid(query.errors, _("Invalid query parameters."))
        params = query.validated_data
        bookable = _bookable(params["service"], params["location"])
        sal = bookable.service_at_location
        zone = ZoneInfo(sal.location.time_zone)
        now = timezone.now()
        horizon = (now + timedelta(days=bookable.book_ahead_days)).astimezone(zone)
        # The period clipped to what can be booked at all: today to the horizon's day.
        first = max(params["from"], now.astimezone(zone).date())
        last = min(params["to"], horizon.date())
        slots = (
            free_slots(service_at_location=sal, start_date=first, end_date=last, now=now)
            if first <= last
            else []
        )
        return Response(
            {
                "service": str(sal.service_id),
                "location": str(sal.location_id),
                "time_zone": sal.location.time_zone,
                "bookable_until": horizon.isoformat(),
                "slots": [
                    {
                        "start": slot.start.isoformat(),
                        "end": slot.end.isoformat(),
                        "remaining": slot.remaining,
                    }
                    for slot in slots
                ],
            }
        )


# --- Booking ---------------------------------------------------------------------------------


class BookView(V1View):
    @extend_schema(
        operation_id="appointment_book",
        summary="Book a free slot",
        description=(
            "Books the slot starting at `start`. Needs a phone number or an e-mail address. "
            "Fields the endpoint does not know are refused (400). The answer holds the "
            "booking's `secret`, shown once: with it (`Authorization: Bearer <secret>`) the "
            "booking can be read, moved and cancelled at `/api/v1/appointments/<reference>/`; "
            "the `manage_url` page does the same for a person. At most "
            f"{PUBLIC_BOOKING_LIMIT.limit} bookings per client address an hour (429). "
            "Not open to other origins (no CORS)."
        ),
        request=s.BookSerializer,
        responses={
            201: s.NewBookingSerializer,
            400: OpenApiResponse(
                s.ErrorSerializer,
                description="Invalid request or refused by the booking rules (a time that is "
                "not a slot, a contact with too many bookings to come…): `code` and `errors`.",
            ),
            404: OpenApiResponse(
                s.ErrorSerializer,
                description="No such service at this location, or it cannot be booked.",
            ),
            409: OpenApiResponse(
                s.ErrorSerializer, description="Every place of this slot is taken (`full`)."
            ),
            429: OpenApiResponse(
                s.ErrorSerializer,
                description="Too many bookings from this address: try again after "
                "`Retry-After` seconds.",
            ),
        },
        examples=[
            OpenApiExample(
                "Booking",
                request_only=True,
                value={
                    "service": "3f7c1f5e-8a0e-4b5c-9a57-2f1f0e6b1c11",
                    "location": "9b2d7d1a-4c3e-4f0a-8e43-6a1b5c9d2e77",
                    "start": "2026-01-19T09:00:00-01:00",
                    "name": "Ana Lopes",
                    "phone": "+2389912345",
                    "language": "pt",
                    "notify_by": "sms",
                },
            )
        ],
        tags=["appointments"],
    )
    def post(self, request: Request) -> Response:
        if PUBLIC_BOOKING_LIMIT.exceeded(request):
            return _error(
                _("Too many bookings from this address. Please try again later."),
                code="rate_limited",
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(PUBLIC_BOOKING_LIMIT.window)},
            )
        data = request.data
        if isinstance(data, dict):
            self.speak(data.get("language"))
        form = s.BookSerializer(data=data)
        if not form.is_valid():
            return _invalid(form.errors, _("Invalid request."))
        values = form.validated_data
        bookable = _bookable(values["service"], values["location"])
        start: datetime = values["start"]
        try:
            booking, secret = book_slot(
                service_at_location=bookable.service_at_location,
                start=start,
                name=values["name"],
                phone=values["phone"],
                email=values["email"],
                language=values["language"],
                notify_by=values["notify_by"],
                interpreter_needed=values["interpreter_needed"],
                accessibility_needs=values["accessibility_needs"],
                now=timezone.now(),
            )
        except SlotFull as error:
            return _full(error)
        except ValidationError as error:
            return _refused(error)
        PUBLIC_BOOKING_LIMIT.count(request)
        location = reverse("api_v1:appointment", kwargs={"reference": booking.reference})
        response = Response(
            booking_data(booking, secret) | {"secret": secret},
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )
        mark_personal(response)
        return response


class BookingView(V1View):
    """One booking, for whoever holds its secret."""

    def _answer(self, booking: Booking, secret: str) -> Response:
        response = Response(booking_data(booking, secret))
        mark_personal(response)
        return response

    @extend_schema(
        operation_id="appointment_read",
        summary="Read a booking",
        description="Needs the booking's secret: `Authorization: Bearer <secret>`.",
        responses={
            200: s.BookingSerializer,
            404: OpenApiResponse(
                s.ErrorSerializer,
                description="No booking with this reference, or the secret is missing or "
                "wrong (the same answer).",
            ),
        },
        auth=SECRET_REQUIRED,
        tags=["appointments"],
    )
    def get(self, request: Request, reference: str) -> Response:
        booking, secret = _booking_with_secret(request, reference)
        self.speak(booking.language)
        return self._answer(booking, secret)

    @extend_schema(
        operation_id="appointment_move",
        summary="Move a booking to another free slot",
        description=(
            "Moves the booking to the slot starting at `start` (same service and location), "
            "keeping its reference and secret; until `changeable_until`. Needs the secret. "
            "Fields other than `start` are refused (400)."
        ),
        request=s.MoveSerializer,
        responses={
            200: s.BookingSerializer,
            400: OpenApiResponse(
                s.ErrorSerializer,
                description="Invalid request or refused by the booking rules (too late, not a "
                "slot, no longer active…): `code` and `errors`.",
            ),
            404: ERRORS[404],
            409: OpenApiResponse(
                s.ErrorSerializer, description="Every place of the new slot is taken (`full`)."
            ),
        },
        auth=SECRET_REQUIRED,
        tags=["appointments"],
    )
    def patch(self, request: Request, reference: str) -> Response:
        booking, secret = _booking_with_secret(request, reference)
        self.speak(booking.language)
        form = s.MoveSerializer(data=request.data)
        if not form.is_valid():
            return _invalid(form.errors, _("Invalid request."))
        try:
            booking = move_booking(
                booking=booking,
                start=form.validated_data["start"],
                secret=secret,
                now=timezone.now(),
            )
        except SlotFull as error:
            return _full(error)
        except ValidationError as error:
            return _refused(error)
        except PermissionDenied as error:
            raise NotFound(_("No appointment with this reference and secret.")) from error
        return self._answer(booking, secret)

    @extend_schema(
        operation_id="appointment_cancel",
        summary="Cancel a booking",
        description="Cancels the booking until `changeable_until`; the answer shows it "
        "cancelled. Needs the secret.",
        request=None,
        responses={
            200: s.BookingSerializer,
            400: OpenApiResponse(
                s.ErrorSerializer,
                description="Refused by the booking rules (too late, no longer active…).",
            ),
            404: ERRORS[404],
        },
        auth=SECRET_REQUIRED,
        tags=["appointments"],
    )
    def delete(self, request: Request, reference: str) -> Response:
        booking, secret = _booking_with_secret(request, reference)
        self.speak(booking.language)
        try:
            cancel_booking(booking=booking, secret=secret, now=timezone.now())
        except ValidationError as error:
            return _refused(error)
        except PermissionDenied as error:
            raise NotFound(_("No appointment with this reference and secret.")) from error
        booking.refresh_from_db()
        return self._answer(booking, secret)


class NotFoundView(V1View):
    """Any other address under /api/v1/: a JSON 404 rather than the site's HTML page."""

    @extend_schema(exclude=True)
    def get(self, request: Request, path: str = "") -> Response:
        raise NotFound(_("No such API endpoint."))

    post = put = patch = delete = get


# Request bodies whose unknown fields are refused (``v1_serializers.NoUnknownFields``).
CLOSED_BODIES = ("BookRequest", "MoveRequest")


def close_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular hook: the document says what the API does with an unknown field."""
    components = result.get("components", {}).get("schemas", {})
    for name in CLOSED_BODIES:
        if name in components:
            components[name]["additionalProperties"] = False
    return result


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI 3 document of API v1 (only its endpoints), readable from any origin."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    custom_settings = {
        # A move needs its ``start``: the PATCH body is not a partial booking.
        "COMPONENT_SPLIT_PATCH": False,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "coop4int.api.v1_views.close_request_bodies",
        ],
        "APPEND_COMPONENTS": {
            "securitySchemes": {
                "bookingSecret": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The `secret` a booking was made with (its answer's "
                    "`secret`, also the last part of its `manage_url`).",
                }
            }
        },
    }

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if (request.method or "").upper() in READS | {"OPTIONS"}:
            for header, value in CORS_HEADERS.items():
                response[header] = value
        return response

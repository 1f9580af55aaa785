"""What the app API v1 reads and writes. Input serializers check the shape of a request (the
domain checks the rest); output serializers describe the answers for the OpenAPI document,
which the views write themselves (times keep the location's UTC offset, which
``serializers.DateTimeField`` would turn into the server's)."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coop4int.appointments.enums import BookingStatus, NotifyBy
from coop4int.core.languages import REGISTRY
from coop4int.people.domain.contacts import normalise_email, normalise_phone

# The longest period one request for slots may cover, in days (both ends included).
MAX_SLOT_DAYS = 62


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its UTC offset (``2026-01-19T09:00:00-01:00`` or ``…Z``):
    a time without one could mean the server's zone or the location's, so it is refused."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-01-19T09:00:00-01:00."),
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        moment: datetime = super().to_internal_value(value)
        return moment


class NoUnknownFields(serializers.Serializer[Any]):
    """Refuses fields it does not know, so that a misspelt one (``phnoe``) is not silently
    dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is not known.")] for name in unknown}
                )
        return super().to_internal_value(data)


class SlotQuerySerializer(serializers.Serializer[Any]):
    """Which slots: a service at a location, from one day to another."""

    service = serializers.UUIDField(help_text="The HSDS id of the service.")
    location = serializers.UUIDField(help_text="The HSDS id of the location.")

    # ``from`` is a Python word, hence added here.
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            help_text="The first day (the location's date), YYYY-MM-DD."
        )
        fields["to"] = serializers.DateField(
            help_text=(
                f"The last day (the location's date), YYYY-MM-DD; at most {MAX_SLOT_DAYS} days "
                "from `from`, both included. Days beyond the booking horizon have no slots."
            )
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first: date = attrs["from"]
        last: date = attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": [_("The last day comes before the first.")]})
        if (last - first).days + 1 > MAX_SLOT_DAYS:
            raise serializers.ValidationError(
                {"to": [_("Ask for at most %(days)d days at a time.") % {"days": MAX_SLOT_DAYS}]}
            )
        return attrs


class FreeSlotSerializer(serializers.Serializer[Any]):
    """A slot with places left."""

    start = serializers.DateTimeField(help_text="ISO 8601 with the location's UTC offset.")
    end = serializers.DateTimeField(help_text="ISO 8601 with the location's UTC offset.")
    remaining = serializers.IntegerField(min_value=1, help_text="Places left.")


class SlotListSerializer(serializers.Serializer[Any]):
    """The free slots of a service at a location."""

    service = serializers.UUIDField()
    location = serializers.UUIDField()
    time_zone = serializers.CharField(
        help_text="The location's time zone (IANA), e.g. Atlantic/Cape_Verde."
    )
    bookable_until = serializers.DateTimeField(
        help_text="The booking horizon: no slot starts at or after it."
    )
    slots = FreeSlotSerializer(many=True)


def _contact_problem(check: Any, text: str) -> None:
    try:
        check(text)
    except DjangoValidationError as error:
        raise serializers.ValidationError(list(error.messages)) from error


class BookSerializer(NoUnknownFields):
    """A booking: fields other than these are refused."""

    service = serializers.UUIDField(help_text="The HSDS id of the service.")
    location = serializers.UUIDField(help_text="The HSDS id of the location.")
    start = AwareDateTimeField(
        help_text="The start of a free slot, with its UTC offset, as the slots list gives it."
    )
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="A phone number (E.164 or Cabo Verde's national form). A phone or an "
        "e-mail address is needed.",
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=sorted(REGISTRY),
        help_text="The person's language: messages and the manage page use it (the page in "
        "the interface language nearest to it).",
    )
    notify_by = serializers.ChoiceField(
        choices=NotifyBy.choices, required=False, allow_blank=True, default=""
    )
    interpreter_needed = serializers.BooleanField(required=False, default=False)
    accessibility_needs = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate_phone(self, value: str) -> str:
        if value.strip():
            _contact_problem(normalise_phone, value)
        return value

    def validate_email(self, value: str) -> str:
        if value.strip():
            _contact_problem(normalise_email, value)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        phone, email = attrs["phone"].strip(), attrs["email"].strip()
        if not phone and not email:
            message = _("Please give a phone number or an e-mail address.")
            raise serializers.ValidationError({"phone": [message], "email": [message]})
        notify_by = attrs["notify_by"]
        if notify_by == NotifyBy.EMAIL and not email:
            raise serializers.ValidationError(
                {"notify_by": [_("Give an e-mail address to get messages by e-mail.")]}
            )
        if notify_by in (NotifyBy.SMS, NotifyBy.WHATSAPP) and not phone:
            raise serializers.ValidationError(
                {"notify_by": [_("Give a phone number to get messages by SMS or WhatsApp.")]}
            )
        return attrs


class MoveSerializer(NoUnknownFields):
    """Where to move a booking: fields other than ``start`` are refused."""

    start = AwareDateTimeField(help_text="The start of the new slot, with its UTC offset.")


class BookingSerializer(serializers.Serializer[Any]):
    """A booking, as its secret's holder sees it."""

    reference = serializers.CharField(help_text="E.g. K7MX-4QF9.")
    service = serializers.UUIDField()
    location = serializers.UUIDField()
    start = serializers.DateTimeField(help_text="ISO 8601 with the location's UTC offset.")
    end = serializers.DateTimeField(help_text="ISO 8601 with the location's UTC offset.")
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    changeable_until = serializers.DateTimeField(
        help_text="The last moment to move or cancel through this API or the manage page."
    )
    name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164, or empty.")
    email = serializers.CharField(help_text="Empty when none was given.")
    language = serializers.CharField()
    notify_by = serializers.CharField(help_text="email, sms, whatsapp, or empty.")
    interpreter_needed = serializers.BooleanField()
    accessibility_needs = serializers.CharField()
    manage_url = serializers.URLField(
        help_text="The public page to see, move or cancel the appointment (holds the secret)."
    )
    ics_url = serializers.URLField(help_text="The iCalendar file (RFC 5545).")


class NewBookingSerializer(BookingSerializer):
    """A booking just made, with its secret."""

    secret = serializers.CharField(
        help_text="Shown once: send it as `Authorization: Bearer <secret>` to read, move or "
        "cancel the booking at /api/v1/appointments/<reference>/."
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """An error, in the language the request asked for."""

    detail = serializers.CharField(help_text="What went wrong, in the request's language.")
    code = serializers.CharField(required=False, help_text="A stable code for programs.")

    # ``errors`` is also the name of a serializer's own property, hence added here.
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.CharField(),
            required=False,
            help_text="For each field or parameter at fault, why (`non_field_errors` for the "
            "request as a whole).",
        )
        return fields

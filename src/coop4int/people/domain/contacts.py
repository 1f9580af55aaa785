"""Phone numbers and e-mail addresses in the one form they are stored and matched in."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Numbers written without a country code are Cabo Verdean.
DEFAULT_REGION = "CV"


def normalise_phone(text: str) -> str:
    """``text`` as E.164 (``+2389912345``); ValidationError in the user's language otherwise."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("“%(number)s” is not a phone number."), params={"number": text}, code="phone"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(number)s” is not a phone number."), params={"number": text}, code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    address = text.strip().lower()
    validate_email(address)
    return address

"""What the content app holds on a person (``coop4int.core.personal_data``): remarks about a
public page sent with an e-mail address for the reply. They name no record; they are the
person's when that address is one of their contact points."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.core.personal_data import Erasure, PersonalData, Retention


def anonymise_feedback(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep that a page got a remark, when, and what became of it; drop the words and the
    address, which may name the sender."""
    return rows.update(message="", contact_email="", reply="")


DECLARATIONS = [
    PersonalData(
        model="content.Feedback",
        person_path="",
        contact_fields=("contact_email",),
        description=_(
            "Remarks about a public page sent with an e-mail address for the reply: the "
            "message, the address and the answer."
        ),
        purpose="feedback",
        legal_basis=_("The sender's request for an answer."),
        retention=Retention(
            years_setting="RETENTION_FEEDBACK_YEARS",
            default_years=2,
            starts="received_at",
            description=_(
                "Anonymised when it was received the number of years ago the deployment "
                "sets (two unless configured otherwise)."
            ),
        ),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_feedback,
        already_anonymised=models.Q(message="", contact_email="", reply=""),
        export_fields=("page", "language", "message", "contact_email", "received_at", "reply"),
    ),
]

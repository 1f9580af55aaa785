"""What the cases app holds on a person (``coop4int.core.personal_data``): their cases, the
contacts and notes of each case's timeline, the files that came with them, referrals to
partners and promised call-backs.

Erasure and the retention schedule keep a case as a count — its dates, unit, channel,
topics, status, priority and satisfaction answer, which the statistics read — and strip the
rest: the subject, the text of every interaction, the files, what was shared with partners,
the numbers to call back.
"""

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from coop4int.core.personal_data import Erasure, PersonalData, Retention

CLOSED_CASES = Retention(
    years_setting="RETENTION_CLOSED_CASES_YEARS",
    default_years=5,
    starts="closed_at",
    description=_(
        "Anonymised when the case has been closed for the number of years the deployment "
        "sets (five unless configured otherwise)."
    ),
)


def _of_closed_case(path: str) -> Retention:
    """The closed-cases schedule for a record that lives as long as its case."""
    return Retention(
        years_setting=CLOSED_CASES.years_setting,
        default_years=CLOSED_CASES.default_years,
        starts=f"{path}closed_at",
        description=CLOSED_CASES.description,
    )


def anonymise_cases(rows: models.QuerySet[Any], now: datetime) -> int:
    """Strip the cases; the tracking link stops working (its digest becomes a value no secret
    hashes to — it is not hexadecimal — and stays unique through the case's key)."""
    return rows.update(
        subject="",
        reply_email="",
        reply_phone="",
        claimed_person=None,
        claimed_consents=[],
        tracking_digest=Concat(
            models.Value("anonymised-"), Cast("pk", output_field=models.CharField())
        ),
        anonymised_at=now,
    )


def anonymise_interactions(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep when, by which channel and in which direction; drop what was said."""
    return rows.update(
        body="",
        interpreter="",
        message_id=None,
        delivery_error="",
        note_code="",
        note_values={},
    )


def anonymise_referrals(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep which service, when and with what result; drop what the partner was told."""
    return rows.update(shared={}, decline_reason="", outcome_note="")


def export_cases(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return list(
        rows.order_by("opened_at").values(
            "reference",
            "subject",
            "status",
            "channel",
            "language",
            "opened_at",
            "resolved_at",
            "closed_at",
            "satisfaction",
        )
    )


def export_interactions(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [
        {
            "case": interaction.case.reference,
            "occurred_at": interaction.occurred_at,
            "channel": interaction.channel,
            "direction": interaction.direction,
            "text": interaction.text,
        }
        for interaction in rows.select_related("case").order_by("occurred_at", "pk")
    ]


def export_attachments(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [
        {
            "case": attachment.interaction.case.reference,
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": attachment.size,
        }
        for attachment in rows.select_related("interaction__case").order_by("pk")
    ]


def export_referrals(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [
        {
            "case": referral.case.reference,
            "partner": referral.partner.name,
            "status": referral.status,
            "shared": referral.shared,
            "sent_at": referral.sent_at,
            "answered_at": referral.answered_at,
            "outcome": referral.outcome,
        }
        for referral in rows.select_related("case", "partner").order_by("sent_at", "pk")
    ]


def export_callbacks(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [
        {
            "case": callback.case.reference,
            "phone": callback.phone,
            "due_at": callback.due_at,
            "done_at": callback.done_at,
        }
        for callback in rows.select_related("case").order_by("due_at", "pk")
    ]


DECLARATIONS = [
    PersonalData(
        model="cases.Case",
        person_path="person",
        # A public contact that matched the record before the identity was confirmed.
        other_person_paths=("claimed_person",),
        description=_(
            "The person's requests: subject, topics, the unit and channel, the dates, "
            "status and satisfaction, and the address or number to reply to."
        ),
        purpose="service",
        legal_basis=_("The person's consent to service delivery."),
        retention=CLOSED_CASES,
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_cases,
        already_anonymised=models.Q(anonymised_at__isnull=False),
        export=export_cases,
    ),
    PersonalData(
        model="cases.Interaction",
        person_path="case__person",
        other_person_paths=("case__claimed_person",),
        description=_(
            "Every contact on a case's timeline — messages, calls, visits and staff notes: "
            "when, by which channel, and what was said."
        ),
        purpose="service",
        legal_basis=_("The person's consent to service delivery."),
        retention=_of_closed_case("case__"),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_interactions,
        already_anonymised=models.Q(
            body="", interpreter="", message_id__isnull=True, delivery_error="", note_code=""
        ),
        export=export_interactions,
    ),
    PersonalData(
        model="cases.CaseAttachment",
        person_path="interaction__case__person",
        other_person_paths=("interaction__case__claimed_person",),
        description=_("Files that came with a message or were added to a case."),
        purpose="service",
        legal_basis=_("The person's consent to service delivery."),
        retention=_of_closed_case("interaction__case__"),
        erasure=Erasure.DELETE,
        export=export_attachments,
    ),
    PersonalData(
        model="cases.Referral",
        person_path="case__person",
        other_person_paths=("case__claimed_person",),
        description=_(
            "Referrals to partner services: which partner, when, what the partner was told "
            "about the person, and the answer and outcome."
        ),
        purpose="referral",
        legal_basis=_("The person's consent to sharing with a partner in a referral."),
        recipients=(_("The partner service the case is referred to."),),
        retention=_of_closed_case("case__"),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_referrals,
        already_anonymised=models.Q(decline_reason="", outcome_note="", shared={}),
        export=export_referrals,
    ),
    PersonalData(
        model="cases.CallBack",
        person_path="case__person",
        other_person_paths=("case__claimed_person",),
        description=_("Calls an officer promised to make: the number, when, and a note."),
        purpose="contact",
        legal_basis=_("The person's consent to being contacted."),
        retention=_of_closed_case("case__"),
        erasure=Erasure.DELETE,
        export=export_callbacks,
    ),
]

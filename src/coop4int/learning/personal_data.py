"""What the training app holds on a person (``coop4int.core.personal_data``): enrolments with
their attendance and assessments, and certificates.

An application from the public site names no record: it is the person's when its phone or
e-mail is one of their contact points, or once staff linked it to their record."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.core.personal_data import Erasure, PersonalData, Retention

_RETENTION = Retention(
    years_setting="RETENTION_TRAINING_YEARS",
    default_years=10,
    starts="status_changed_at",
    description=_(
        "Anonymised the number of years the deployment sets (ten unless configured otherwise) "
        "after the enrolment's last change: the certificate's holder may need the record."
    ),
)


def anonymise_enrolments(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep that someone of that sex and nationality took part and how it ended (the training
    statistics); drop who they were and what they wrote."""
    return rows.update(
        name="",
        phone="",
        email="",
        motivation="",
        person=None,
        anonymised_at=now,
    )


def anonymise_certificates(rows: models.QuerySet[Any], now: datetime) -> int:
    """The holder's name goes, and so does the signed credential that carries it; the
    certificate is revoked in its status list, so a copy the holder kept no longer verifies."""
    from coop4int.learning.enums import RevocationReason

    rows.filter(revoked_at__isnull=True).update(
        revoked_at=now, revocation_reason=RevocationReason.ERASED
    )
    return rows.update(holder_name="", credential="", revocation_note="")


DECLARATIONS = [
    PersonalData(
        model="learning.Enrolment",
        person_path="person",
        contact_fields=("phone", "email"),
        description=_(
            "Enrolments in training courses: the session, the status and how it ended, and "
            "the name, phone or e-mail, language, sex, nationality and motivation given."
        ),
        purpose="service",
        legal_basis=_("The person's application to a course."),
        retention=_RETENTION,
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_enrolments,
        already_anonymised=models.Q(anonymised_at__isnull=False),
        export_fields=(
            "status",
            "channel",
            "name",
            "phone",
            "email",
            "language",
            "notify_by",
            "motivation",
            "sex",
            "nationality",
            "created_at",
            "status_changed_at",
        ),
    ),
    PersonalData(
        model="learning.Attendance",
        person_path="enrolment__person",
        description=_("Attendance at each day of a course session."),
        purpose="service",
        legal_basis=_("The person's application to a course."),
        erasure=Erasure.KEEP,
        kept_because=_(
            "Once the enrolment is anonymised it no longer leads to anyone; the completion "
            "rate counts it."
        ),
        export_fields=("status", "recorded_at"),
    ),
    PersonalData(
        model="learning.Assessment",
        person_path="enrolment__person",
        description=_("Assessments in a course: the result, score and the trainer's note."),
        purpose="service",
        legal_basis=_("The person's application to a course."),
        erasure=Erasure.DELETE,
        export_fields=("result", "score", "note", "recorded_at"),
    ),
    PersonalData(
        model="learning.Certificate",
        person_path="enrolment__person",
        description=_(
            "Certificates of completion: the holder's name, the course, when it was issued, "
            "until when it is valid, and whether it was revoked."
        ),
        purpose="service",
        legal_basis=_("The person's application to a course."),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_certificates,
        already_anonymised=models.Q(holder_name=""),
        export_fields=(
            "id",
            "holder_name",
            "language",
            "issued_at",
            "valid_from",
            "valid_until",
            "revoked_at",
            "revocation_reason",
        ),
    ),
]

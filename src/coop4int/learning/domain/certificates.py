"""Issuing and revoking certificates of completion.

A certificate is issued once per completed enrolment of a course that gives one: its holder's
name, the language it is written in, its dates and its bit in a revocation status list are
kept on the row, with the signed Open Badges 3.0 credential (a VC-JWT, ``learning.credentials``)
exactly as issued. Revoking sets the row's date and reason; the certificate's bit in the status
list follows, since the list is drawn from the rows whenever it is served.

Each function is one transaction and one audit entry; ``now`` is always passed in.
"""

import calendar
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core.audit import record
from coop4int.core.languages import interface_fallback
from coop4int.learning.credentials.badge import achievement_for, credential_for
from coop4int.learning.credentials.jws import sign_credential
from coop4int.learning.credentials.keys import key_id, signing_key
from coop4int.learning.credentials.status_list import allocate_index, current_status_list
from coop4int.learning.enums import EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate, Enrolment

# Draws of a status index before giving up (each refused only when another certificate took
# the same index at the same moment).
_INDEX_ATTEMPTS = 5


def add_months(value: datetime, months: int) -> datetime:
    """``value`` ``months`` calendar months later, on the same day or, in a shorter month, its
    last day (31 January + 1 month is 28 or 29 February), at the same wall-clock time."""
    local = timezone.localtime(value)
    year, month = divmod(local.month - 1 + months, 12)
    year += local.year
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def holder_name_of(enrolment: Enrolment) -> str:
    """The name a certificate carries: the person's record's, the staff member's full name, or
    the name the applicant gave."""
    if enrolment.person is not None:
        if enrolment.person.erased_at is not None:
            return ""
        return " ".join(
            part for part in (enrolment.person.given_names, enrolment.person.family_names) if part
        )
    if enrolment.staff is not None:
        return enrolment.staff.get_full_name() or enrolment.name
    return enrolment.name


@transaction.atomic
def issue_certificate(*, enrolment: Enrolment, now: datetime, actor: User | None) -> Certificate:
    """The certificate of a completed enrolment of a course that gives one, issued now unless
    it already was (then the existing one is returned, unchanged; ``ValidationError`` when that
    one was revoked).

    It is written in the enrolment's language, or the interface language read by its speakers
    (``pt``, ``kea``, ``en`` or ``fr``); valid from ``now`` and, when the course says so, for
    ``certificate_valid_months`` months. ``ValidationError`` when the enrolment is not
    completed, the course gives no certificate or the holder has no name;
    ``credentials.keys.NoSigningKey`` when no key can sign.

    Side effects: a bit of a status list is taken (a new list is started when the current one
    is half used); audit ``learning.certificate.issued``."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("session__course__unit", "person", "staff")
        .get(pk=enrolment.pk)
    )
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        if existing.revoked_at is not None:
            # A revocation is final (a status list's bit is never cleared) and an enrolment
            # holds one certificate: handing back the revoked one would promise what it is not.
            raise ValidationError(
                _("This enrolment's certificate was revoked; another cannot be issued for it.")
            )
        return existing
    course = enrolment.session.course
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise ValidationError(_("A certificate is only issued for a completed course."))
    if not course.certificate:
        raise ValidationError(_("This course gives no certificate."))
    holder_name = holder_name_of(enrolment).strip()
    if not holder_name:
        raise ValidationError(_("The participant has no name to put on a certificate."))
    key = signing_key()
    language = interface_fallback(enrolment.language)
    achievement = achievement_for(course, language)
    months = course.certificate_valid_months
    status_list = current_status_list(now=now)
    for attempt in range(_INDEX_ATTEMPTS):
        certificate = Certificate(
            enrolment=enrolment,
            holder_name=holder_name[:200],
            language=language,
            key_id=key_id(key),
            issued_at=now,
            valid_from=now,
            valid_until=add_months(now, months) if months else None,
            status_list=status_list,
            status_index=allocate_index(status_list),
        )
        certificate.credential = sign_credential(
            credential_for(certificate, achievement=achievement), key=key
        )
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
            break
        except IntegrityError:
            if attempt == _INDEX_ATTEMPTS - 1:
                raise
    record(
        action="learning.certificate.issued",
        actor=actor,
        obj=certificate,
        unit=course.unit,
        data={
            "enrolment": enrolment.pk,
            "course": course.slug,
            "language": language,
            "key_id": certificate.key_id,
            "status_list": status_list.pk,
            "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else "",
        },
    )
    return certificate


@transaction.atomic
def revoke_certificate(
    *,
    certificate: Certificate,
    actor: User | None,
    reason: RevocationReason | str,
    note: str = "",
    now: datetime,
) -> Certificate:
    """Revoke ``certificate`` for ``reason`` (a ``RevocationReason``), with an optional note
    kept on the row. ``actor`` needs ``MANAGE_TRAINING`` for the course's unit (None: the
    ``credentials`` command). ``ValidationError`` for an unknown reason or a certificate already
    revoked.

    Side effects: the certificate's bit is set in its status list from now on, so every copy
    of the credential verifies as revoked; audit ``learning.certificate.revoked`` (the reason's
    code and the note's length, never its words)."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrolment__session__course__unit")
        .get(pk=certificate.pk)
    )
    if actor is not None and not actor.has_perm(Permission.MANAGE_TRAINING, certificate.enrolment):
        raise PermissionDenied
    if reason not in RevocationReason.values:
        raise ValidationError({"reason": _("Choose a reason for revoking.")})
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."))
    note = note.strip()
    if len(note) > 500:
        raise ValidationError({"note": _("The note is too long (500 characters at most).")})
    certificate.revoked_at = now
    certificate.revocation_reason = str(reason)
    certificate.revocation_note = note
    certificate.revoked_by = actor if actor is not None and actor.pk else None
    certificate.save(
        update_fields=["revoked_at", "revocation_reason", "revocation_note", "revoked_by"]
    )
    record(
        action="learning.certificate.revoked",
        actor=actor,
        obj=certificate,
        unit=certificate.enrolment.session.course.unit,
        data={"reason": str(reason), "note_length": len(note)},
    )
    return certificate


def certificates_for_listing() -> QuerySet[Certificate]:
    """Every certificate, oldest first, with its course (for the ``credentials`` command)."""
    return Certificate.objects.select_related("enrolment__session__course", "status_list").order_by(
        "issued_at", "id"
    )

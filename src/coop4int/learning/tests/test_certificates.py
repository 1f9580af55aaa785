"""Issuing and revoking certificates: who gets one, in which language, for how long; once
only; audited without a name or a note's words."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.learning.credentials.keys import NoSigningKey
from coop4int.learning.domain.certificates import (
    add_months,
    certificates_for_listing,
    issue_certificate,
    revoke_certificate,
)
from coop4int.learning.enums import EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate
from coop4int.learning.tests.credential_fixtures import (
    SEED_A,
    completed_enrolment,
    issued,
    segments,
    use_keys,
)
from coop4int.learning.tests.factories import NOW, PRAIA, EnrolmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    use_keys(settings, SEED_A)


def holder(certificate: Certificate) -> str:
    return str(
        segments(certificate.credential)[1]["credentialSubject"]["identifier"][0]["identityHash"]
    )


def test_a_completed_enrolment_gets_a_certificate_audited_without_the_name() -> None:
    person = PersonFactory(given_names="Aminata", family_names="Diallo")
    enrolment = completed_enrolment(person=person)

    certificate = issue_certificate(enrolment=enrolment, now=NOW, actor=None)

    assert certificate.holder_name == holder(certificate) == "Aminata Diallo"
    assert certificate.issued_at == certificate.valid_from == NOW
    assert certificate.valid_until is None
    assert certificate.revoked_at is None
    assert certificate.key_id == segments(certificate.credential)[0]["kid"]
    entry = AuditEntry.objects.get(action="learning.certificate.issued")
    assert entry.object_id == certificate.id
    assert entry.unit == enrolment.session.course.unit
    assert entry.data["enrolment"] == enrolment.pk
    assert "Aminata" not in repr(entry.data)
    assert "Aminata" not in entry.object_repr


def test_issuing_twice_returns_the_same_certificate() -> None:
    enrolment = completed_enrolment()

    first = issue_certificate(enrolment=enrolment, now=NOW, actor=None)
    second = issue_certificate(enrolment=enrolment, now=NOW + timedelta(days=1), actor=None)

    assert first.pk == second.pk
    assert second.issued_at == NOW
    assert Certificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="learning.certificate.issued").count() == 1


def test_a_revoked_certificate_is_not_handed_back_as_if_new() -> None:
    certificate = issued()
    revoke_certificate(certificate=certificate, actor=None, reason="issued_in_error", now=NOW)

    with pytest.raises(ValidationError, match="revoked"):
        issue_certificate(enrolment=certificate.enrolment, now=NOW, actor=None)
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize(
    "status", [EnrolmentStatus.ACCEPTED, EnrolmentStatus.NOT_COMPLETED, EnrolmentStatus.WITHDRAWN]
)
def test_only_a_completed_enrolment_gets_one(status: str) -> None:
    enrolment = EnrolmentFactory(status=status)

    with pytest.raises(ValidationError):
        issue_certificate(enrolment=enrolment, now=NOW, actor=None)
    assert not Certificate.objects.exists()


def test_a_course_without_certificate_gives_none() -> None:
    enrolment = completed_enrolment(session__course__certificate=False)

    with pytest.raises(ValidationError):
        issue_certificate(enrolment=enrolment, now=NOW, actor=None)


def test_without_a_signing_key_nothing_is_issued(settings: Any) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = []
    enrolment = completed_enrolment()

    with pytest.raises(NoSigningKey):
        issue_certificate(enrolment=enrolment, now=NOW, actor=None)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("language", "written_in"),
    [("pt", "pt"), ("kea", "kea"), ("en", "en"), ("fr", "fr"), ("ar", "fr"), ("wo", "fr"),
     ("es", "en")],
)  # fmt: skip
def test_the_certificate_is_in_an_interface_language_its_holder_reads(
    language: str, written_in: str
) -> None:
    certificate = issued(language=language)

    assert certificate.language == written_in
    achievement = segments(certificate.credential)[1]["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"]


def test_a_member_of_staff_is_named_as_on_their_account(make_staff: Any, unit: Any) -> None:
    staff = make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Carla", last_name="Lopes")

    certificate = issued(staff_member=True, staff=staff, session__course__unit=unit)

    assert holder(certificate) == "Carla Lopes"


def test_an_applicant_without_a_record_is_named_as_they_applied() -> None:
    certificate = issued(applied=True, name="Fatou Ndiaye")

    assert holder(certificate) == "Fatou Ndiaye"


def test_an_erased_person_gets_no_certificate() -> None:
    enrolment = completed_enrolment(person=PersonFactory(erased_at=NOW))

    with pytest.raises(ValidationError):
        issue_certificate(enrolment=enrolment, now=NOW, actor=None)


def test_validity_counts_calendar_months() -> None:
    end_of_january = datetime(2026, 1, 31, 15, 0, tzinfo=PRAIA)
    certificate = issued(session__course__certificate_valid_months=13, now=end_of_january)

    assert certificate.valid_until == datetime(2027, 2, 28, 15, 0, tzinfo=PRAIA)
    assert add_months(end_of_january, 1) == datetime(2026, 2, 28, 15, 0, tzinfo=PRAIA)
    assert add_months(end_of_january, 25) == datetime(2028, 2, 29, 15, 0, tzinfo=PRAIA)
    assert add_months(NOW, 12) == NOW.replace(year=2027)


def test_revoking_keeps_the_reason_and_audits_the_note_by_its_length_only(
    make_staff: Any,
) -> None:
    certificate = issued()
    coordinator = make_staff(Role.UNIT_COORDINATOR, certificate.enrolment.session.course.unit)
    later = NOW + timedelta(days=3)

    revoke_certificate(
        certificate=certificate,
        actor=coordinator,
        reason=RevocationReason.FRAUD,
        note="  Signed the sheet for a friend.  ",
        now=later,
    )

    certificate.refresh_from_db()
    assert certificate.revoked_at == later
    assert certificate.revocation_reason == "fraud"
    assert certificate.revocation_note == "Signed the sheet for a friend."
    assert certificate.revoked_by == coordinator
    entry = AuditEntry.objects.get(action="learning.certificate.revoked")
    assert entry.actor == coordinator
    assert entry.object_id == certificate.id
    assert entry.data == {"reason": "fraud", "note_length": 30}


def test_a_certificate_is_revoked_once() -> None:
    certificate = issued()
    revoke_certificate(certificate=certificate, actor=None, reason="other", now=NOW)

    with pytest.raises(ValidationError):
        revoke_certificate(certificate=certificate, actor=None, reason="fraud", now=NOW)
    assert AuditEntry.objects.filter(action="learning.certificate.revoked").count() == 1


def test_a_reason_must_be_one_of_the_list() -> None:
    certificate = issued()

    with pytest.raises(ValidationError):
        revoke_certificate(certificate=certificate, actor=None, reason="boredom", now=NOW)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_only_who_manages_the_course_may_revoke(make_staff: Any, other_unit: Any) -> None:
    certificate = issued()
    unit = certificate.enrolment.session.course.unit
    for actor in (
        make_staff(Role.UNIT_COORDINATOR, other_unit),
        make_staff(Role.TRAINER, unit),
        make_staff(Role.FRONT_OFFICE_OFFICER, unit),
    ):
        with pytest.raises(PermissionDenied):
            revoke_certificate(certificate=certificate, actor=actor, reason="other", now=NOW)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_listing_is_oldest_first() -> None:
    later = issued(now=NOW + timedelta(hours=1))
    earlier = issued(now=NOW)

    assert [certificate.pk for certificate in certificates_for_listing()] == [
        earlier.pk,
        later.pk,
    ]

"""Erasing a person reaches their training: the enrolment keeps only what the statistics
count, the assessment goes, and the certificate is revoked and stripped of the name and the
signed credential, so neither the verification page nor a copy the holder kept says "valid"."""

import pytest
import time_machine

from coop4int.learning.credentials.verify import verify_certificate, verify_token
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import Assessment, Certificate, Enrolment
from coop4int.learning.tests.credential_fixtures import SEED_A, issued, use_keys
from coop4int.learning.tests.factories import NOW
from coop4int.people.domain.erasure import erase_person, preview_erasure
from coop4int.people.enums import ErasureGround

pytestmark = pytest.mark.django_db

LATER = NOW.replace(year=NOW.year + 1)


@pytest.fixture(autouse=True)
def _keys(settings):  # type: ignore[no-untyped-def]
    use_keys(settings, SEED_A)


def test_erasure_revokes_the_certificate_and_keeps_only_counts():
    certificate = issued()
    token = certificate.credential
    enrolment = certificate.enrolment
    person = enrolment.person
    sex, nationality = enrolment.sex, enrolment.nationality
    assert verify_certificate(certificate.pk, now=LATER).state == "valid"

    preview = {kind.declaration.model: kind.count for kind in preview_erasure(person=person).kinds}
    assert preview["learning.Certificate"] == preview["learning.Enrolment"] == 1

    with time_machine.travel(LATER, tick=False):
        erase_person(person=person, actor=None, ground=ErasureGround.PERSON_ASKED, now=LATER)

    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.holder_name == ""
    assert certificate.credential == ""
    assert certificate.revocation_reason == RevocationReason.ERASED
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert (enrolment.person, enrolment.name, enrolment.phone, enrolment.email) == (
        None,
        "",
        "",
        "",
    )
    assert (enrolment.sex, enrolment.nationality) == (sex, nationality)
    assert not Assessment.objects.filter(enrolment=enrolment).exists()
    assert verify_certificate(certificate.pk, now=LATER).state == "unknown"
    # The copy the holder kept is signed, but its bit in the status list is now set.
    assert verify_token(token, now=LATER).state == "revoked"

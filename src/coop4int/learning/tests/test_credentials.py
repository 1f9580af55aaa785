"""The Open Badges 3.0 credential of a certificate: its required properties, what it carries
and what it never does, and its signature checked by an independent library (PyJWT)."""

import re
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from coop4int.learning.credentials.badge import (
    achievement_for,
    credential_url,
    issuer_id,
    status_list_url,
    verify_page_url,
)
from coop4int.learning.enums import Audience
from coop4int.learning.models import STATUS_LIST_SIZE
from coop4int.learning.tests.credential_fixtures import (
    PUBLIC_URL,
    SEED_A,
    issued,
    published_jwk,
    pyjwt_decode,
    segments,
    use_keys,
)
from coop4int.learning.tests.factories import NOW, CourseFactory, PersonFactory, publish_text

pytestmark = pytest.mark.django_db

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    use_keys(settings, SEED_A)


def types(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def assert_ob3_credential(credential: dict[str, Any]) -> None:
    """The properties OB 3.0 (on the VC 2.0 data model) requires of an ``AchievementCredential``
    / ``OpenBadgeCredential`` and of the objects it holds, with their shapes."""
    context = credential["@context"]
    assert context[0] == VC_CONTEXT
    assert OB_CONTEXT in context
    assert URI.match(credential["id"])
    assert "VerifiableCredential" in credential["type"]
    assert {"OpenBadgeCredential", "AchievementCredential"} & set(credential["type"])
    assert isinstance(credential["name"], str)
    assert credential["name"]
    assert DATE_TIME.match(credential["validFrom"])
    if "validUntil" in credential:
        assert DATE_TIME.match(credential["validUntil"])
    issuer = credential["issuer"]
    assert URI.match(issuer["id"])
    assert "Profile" in types(issuer["type"])
    subject = credential["credentialSubject"]
    assert "AchievementSubject" in types(subject["type"])
    for identity in subject.get("identifier", []):
        assert identity["type"] == "IdentityObject"
        assert isinstance(identity["hashed"], bool)
        assert isinstance(identity["identityHash"], str)
        assert identity["identityHash"]
        assert identity["identityType"]
    achievement = subject["achievement"]
    assert URI.match(achievement["id"])
    assert "Achievement" in types(achievement["type"])
    assert achievement["name"]
    assert achievement["description"]
    assert achievement["criteria"].get("id") or achievement["criteria"].get("narrative")
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert URI.match(status["id"])
    assert status["statusPurpose"] == "revocation"
    assert re.fullmatch(r"\d+", status["statusListIndex"])
    assert URI.match(status["statusListCredential"])


def test_the_credential_has_every_property_open_badges_3_requires() -> None:
    certificate = issued()
    header, credential = segments(certificate.credential)

    assert_ob3_credential(credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"] == [VC_CONTEXT, OB_CONTEXT]
    assert header == {"alg": "EdDSA", "kid": certificate.key_id, "typ": "vc+jwt"}


def test_the_credential_names_its_issuer_holder_and_course_and_points_to_its_status_bit() -> None:
    person = PersonFactory(given_names="Aminata", family_names="Diallo")
    certificate = issued(
        person=person,
        session__course__title="Portuguese for work",
        session__course__summary="Portuguese for the workplace.",
    )
    _header, credential = segments(certificate.credential)

    assert (
        credential["id"]
        == f"{PUBLIC_URL}/credentials/{certificate.id}"
        == credential_url(certificate.id)
    )
    assert credential["issuer"] == {
        "id": f"{PUBLIC_URL}/credentials/issuer",
        "type": ["Profile"],
        "name": "Alta Autoridade para a Imigração",
        "url": f"{PUBLIC_URL}/",
    }
    subject = credential["credentialSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Aminata Diallo",
        }
    ]
    course = certificate.enrolment.session.course
    assert subject["achievement"]["id"] == f"{PUBLIC_URL}/training/{course.slug}/"
    assert subject["achievement"]["name"] == credential["name"] == "Portuguese for work"
    assert subject["achievement"]["description"] == "Portuguese for the workplace."
    assert credential["validFrom"] == "2026-03-02T10:00:00Z"  # 09:00 in Praia
    assert "validUntil" not in credential
    assert credential["credentialStatus"] == {
        "id": f"{status_list_url(certificate.status_list_id)}#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": f"{PUBLIC_URL}/credentials/status/{certificate.status_list_id}",
    }
    assert 0 <= certificate.status_index < STATUS_LIST_SIZE


def test_the_credential_carries_no_contact_residence_status_or_record_id() -> None:
    person = PersonFactory(
        given_names="Aminata",
        family_names="Diallo",
        phones=["+2389912345"],
        emails=["aminata@example.org"],
        residence_status="irregular",
    )
    certificate = issued(person=person, phone="+2389912345", email="aminata@example.org")
    text = certificate.credential.split(".")[1]
    _header, credential = segments(certificate.credential)
    flat = repr(credential)

    for secret in ("+2389912345", "9912345", "aminata@example.org", "irregular", "nationalit"):
        assert secret not in flat
    assert str(person.pk) not in flat
    assert str(person.pk).replace("-", "") not in flat
    assert "id" not in credential["credentialSubject"]
    assert set(credential) == {
        "@context",
        "id",
        "type",
        "name",
        "issuer",
        "validFrom",
        "awardedDate",
        "credentialSubject",
        "credentialStatus",
        "iss",
        "jti",
        "nbf",
    }
    assert set(credential["credentialSubject"]) == {"type", "identifier", "achievement"}
    assert text  # the payload is the credential itself, not a "vc" claim
    assert "vc" not in credential


def test_the_achievement_is_written_in_the_certificates_language() -> None:
    course = CourseFactory(title="Português para o trabalho", summary="Português no emprego.")
    publish_text(
        course.description,
        language="fr",
        title="Portugais pour le travail",
        summary="Le portugais au travail.",
    )
    course.hours = 24
    course.min_attendance_percent = 75
    course.save()

    french = achievement_for(course, "fr")
    creole = achievement_for(course, "kea")  # no Creole text: Portuguese, as readers get

    assert french["name"] == "Portugais pour le travail"
    assert french["description"] == "Le portugais au travail."
    assert french["inLanguage"] == "fr"
    assert "24" in french["criteria"]["narrative"]
    assert "75" in french["criteria"]["narrative"]
    assert creole["name"] == "Português para o trabalho"
    assert creole["inLanguage"] == "pt"
    english = achievement_for(course, "en")["criteria"]["narrative"]
    assert english == (
        "24 hours of training. Attended at least 75 % of the course's days. "
        "Passed the course's assessment."
    )


def test_a_course_with_a_validity_period_gives_the_credential_valid_until_and_exp() -> None:
    certificate = issued(session__course__certificate_valid_months=24)
    _header, credential = segments(certificate.credential)

    assert credential["validUntil"] == "2028-03-02T10:00:00Z"
    assert credential["exp"] == int(datetime.fromisoformat("2028-03-02T10:00:00+00:00").timestamp())
    assert credential["nbf"] == int(NOW.timestamp())
    assert credential["iss"] == issuer_id()
    assert credential["jti"] == credential["id"]


@time_machine.travel(NOW, tick=False)
def test_pyjwt_verifies_the_credential_with_the_key_the_issuer_profile_publishes(
    client: Client,
) -> None:
    certificate = issued(session__course__audiences=[Audience.STAFF.value])
    header, _payload = segments(certificate.credential)

    payload = pyjwt_decode(certificate.credential, published_jwk(client, header["kid"]))

    assert payload["jti"] == credential_url(certificate.id)
    assert payload["iss"] == f"{PUBLIC_URL}/credentials/issuer"


def test_the_verification_page_address_is_in_the_certificates_language() -> None:
    assert verify_page_url("abc", "kea") == f"{PUBLIC_URL}/kea/verify/abc/"

"""The JSON of Open Badges 3.0 (on the W3C Verifiable Credentials 2.0 data model): the issuer
profile, an achievement and the ``OpenBadgeCredential`` of a certificate.

What a credential says — only what a verifier needs:

- ``issuer``: a ``Profile`` with ``id`` (``/credentials/issuer``, which publishes the keys),
  ``type``, ``name`` (``CREDENTIAL_ISSUER_NAME``) and ``url`` (the platform's public address);
- ``credentialSubject``: an ``AchievementSubject`` naming its holder by an ``identifier``: one
  OB 3.0 ``IdentityObject`` of ``identityType`` ``"name"``, ``hashed`` false, whose
  ``identityHash`` is the name as printed on the certificate. The subject has no ``id``: the
  holder has no identifier of their own that should travel with the certificate (a DID, an
  e-mail address or a phone number would be contacts), so a verifier compares the name with
  the person in front of them, as with a paper certificate;
- the ``achievement``: ``id`` (the course's catalogue address), ``type``, ``achievementType``
  ``Certificate``, ``name`` and ``description`` (the course's title and summary in the
  certificate's language, or the fallback the catalogue shows), ``criteria.narrative`` (the
  hours and completion criteria, written in that language) and ``inLanguage``;
- ``name`` (the course's title), ``validFrom``, ``awardedDate``, ``validUntil`` when the
  course sets ``certificate_valid_months``, and ``credentialStatus``: a
  ``BitstringStatusListEntry`` of purpose ``revocation``.

Never contacts, residence status, the person's record id or the enrolment's.

The issuer profile publishes the public keys as a ``verificationMethod`` list, each a
``JsonWebKey`` (W3C Controlled Identifiers) with ``id`` ``<issuer id>#<kid>``, ``controller``
the issuer and the key in ``publicKeyJwk`` (``kid`` the RFC 7638 thumbprint, ``alg``
``EdDSA``): the ``kid`` of a VC-JWT's header names one of them.
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from coop4int.core.formatting import format_number
from coop4int.learning.credentials.keys import public_jwk, published_keys
from coop4int.learning.domain.queries import course_text
from coop4int.learning.models import Certificate, Course

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_PURPOSE = "revocation"


def _public_url(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def timestamp(value: datetime) -> str:
    """A ``dateTimeStamp`` in UTC to the second: ``2026-03-02T10:00:00Z``."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_id() -> str:
    return _public_url(reverse("credentials:credential_issuer"))


def credential_url(certificate_id: str) -> str:
    return _public_url(reverse("credentials:credential", args=[certificate_id]))


def status_list_url(list_id: int) -> str:
    return _public_url(reverse("credentials:status_list", args=[list_id]))


def verify_page_url(certificate_id: str, language: str) -> str:
    """The human verification page, in ``language`` (the QR code on the PDF leads there)."""
    return _public_url(f"/{language}/verify/{certificate_id}/")


def achievement_url(course: Course) -> str:
    """The course's page in the public catalogue, without a language: the site sends a reader
    to it in theirs."""
    return _public_url(f"/training/{course.slug}/")


def issuer_summary() -> dict[str, Any]:
    """The issuer as a credential names it."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.CREDENTIAL_ISSUER_NAME,
        "url": _public_url("/"),
    }


def issuer_profile() -> dict[str, Any]:
    """The issuer profile served at ``/credentials/issuer``, with the public keys (may raise
    ``keys.KeyProblem`` when a configured key cannot be read)."""
    profile: dict[str, Any] = {"@context": [VC_CONTEXT, OB_CONTEXT], **issuer_summary()}
    if settings.CREDENTIAL_ISSUER_EMAIL:
        profile["email"] = settings.CREDENTIAL_ISSUER_EMAIL
    identifier = profile["id"]
    profile["verificationMethod"] = [
        {
            "id": f"{identifier}#{jwk['kid']}",
            "type": "JsonWebKey",
            "controller": identifier,
            "publicKeyJwk": jwk,
        }
        for jwk in (public_jwk(key) for key in published_keys())
    ]
    return profile


def criteria_narrative(course: Course) -> str:
    """The completion criteria, in the active language."""
    sentences = [
        gettext("%(hours)s hours of training.") % {"hours": format_number(course.hours)},
        gettext("Attended at least %(percent)s %% of the course's days.")
        % {"percent": format_number(course.min_attendance_percent)},
    ]
    if course.assessment_required:
        sentences.append(gettext("Passed the course's assessment."))
    return " ".join(sentences)


def achievement_for(course: Course, language: str) -> dict[str, Any]:
    """The course as an OB 3.0 ``Achievement`` for a certificate in ``language``."""
    text = course_text(course, language)
    with translation.override(language):
        narrative = criteria_narrative(course)
    return {
        "id": achievement_url(course),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": text.title,
        "description": text.summary.strip() or text.title,
        "criteria": {"narrative": narrative},
        "inLanguage": text.language,
    }


def status_entry(certificate: Certificate) -> dict[str, Any]:
    """The certificate's ``credentialStatus``: its bit in its revocation list."""
    list_url = status_list_url(certificate.status_list_id)
    return {
        "id": f"{list_url}#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": list_url,
    }


def credential_for(certificate: Certificate, *, achievement: dict[str, Any]) -> dict[str, Any]:
    """The whole ``OpenBadgeCredential`` of ``certificate`` (unsigned)."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_url(certificate.id),
        "type": list(CREDENTIAL_TYPES),
        "name": achievement["name"],
        "issuer": issuer_summary(),
        "validFrom": timestamp(certificate.valid_from),
    }
    if certificate.valid_until is not None:
        credential["validUntil"] = timestamp(certificate.valid_until)
    credential["awardedDate"] = timestamp(certificate.issued_at)
    credential["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }
        ],
        "achievement": achievement,
    }
    credential["credentialStatus"] = status_entry(certificate)
    return credential

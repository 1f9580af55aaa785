"""Helpers of the certificate tests: signing keys, a completed enrolment and its certificate,
and an independent JOSE library (PyJWT) to check what was signed — never our own code."""

import base64
import json
from typing import Any

import jwt
from django.test import Client

from coop4int.learning.domain.certificates import issue_certificate
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Certificate, Enrolment
from coop4int.learning.tests.factories import NOW, EnrolmentFactory, completable

PUBLIC_URL = "https://formacao.example.cv"
# Fixed Ed25519 seeds (32 bytes each), so that keys stay the same from one run to the next.
SEED_A = "base64url:" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
SEED_B = "base64url:" + base64.urlsafe_b64encode(bytes(range(32, 64))).decode().rstrip("=")
SEED_C = "base64url:" + base64.urlsafe_b64encode(bytes(range(64, 96))).decode()


def use_keys(settings: Any, *entries: str) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = list(entries)
    settings.PUBLIC_URL = PUBLIC_URL
    settings.CREDENTIAL_ISSUER_NAME = "Alta Autoridade para a Imigração"


def completed_enrolment(**kwargs: Any) -> Enrolment:
    """A person's enrolment, attended and assessed, marked completed."""
    enrolment = completable(EnrolmentFactory(**kwargs))
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.save(update_fields=["status"])
    return enrolment


def issued(*, now: Any = NOW, **kwargs: Any) -> Certificate:
    """The certificate of a new completed enrolment, issued at ``now``."""
    return issue_certificate(enrolment=completed_enrolment(**kwargs), now=now, actor=None)


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS, read without checking anything."""
    header, payload, _signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
    )


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """``token`` with its payload replaced and its signature kept."""
    header, _payload, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


def published_jwk(client: Client, kid: str) -> dict[str, Any]:
    """The public key ``kid`` as ``/credentials/issuer`` publishes it."""
    profile = client.get("/credentials/issuer").json()
    for method in profile["verificationMethod"]:
        if method["publicKeyJwk"]["kid"] == kid:
            return dict(method["publicKeyJwk"])
    raise LookupError(kid)


def pyjwt_decode(token: str, jwk: dict[str, Any], **options: Any) -> dict[str, Any]:
    """``token``'s payload once PyJWT has checked its signature with ``jwk`` (and the
    registered claims at the current — travelled — time)."""
    return dict(
        jwt.decode(
            token,
            key=jwt.PyJWK(jwk),
            algorithms=["EdDSA"],
            options={"require": ["iss", "jti", "nbf"], **options},
        )
    )

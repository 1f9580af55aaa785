"""Securing a credential as a VC-JWT (W3C "Securing Verifiable Credentials using JOSE and
COSE"): a compact JWS whose payload is the credential itself — no ``vc`` wrapper — signed with
Ed25519.

The protected header is ``{"alg": "EdDSA", "kid": <RFC 7638 thumbprint>, "typ": "vc+jwt"}``:
a verifier finds the key of that ``kid`` among those the issuer profile publishes
(``/credentials/issuer``). The payload also carries the registered JWT claims that ordinary
JWT libraries check, each the same as a property of the credential (they never disagree):
``iss`` (the issuer's ``id``), ``jti`` (the credential's ``id``), ``nbf`` (``validFrom``) and,
when the credential has ``validUntil``, ``exp``.
"""

import json
from datetime import datetime
from typing import Any

from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from coop4int.learning.credentials.keys import ALGORITHM, key_id, signing_key

TYP = "vc+jwt"


def parse_datetime(value: str) -> datetime:
    """An XML Schema ``dateTimeStamp`` as written in a credential (``…Z`` or with an offset)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone.")
    return parsed


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The registered JWT claims that mirror ``credential``'s properties."""
    issuer = credential["issuer"]
    claims: dict[str, Any] = {
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": int(parse_datetime(credential["validFrom"]).timestamp()),
    }
    if credential.get("validUntil"):
        claims["exp"] = int(parse_datetime(credential["validUntil"]).timestamp())
    return claims


def sign(payload: dict[str, Any], *, key: JWK | None = None, typ: str = TYP) -> str:
    """``payload`` as a compact JWS signed with ``key`` (default: the signing key, which may
    raise ``keys.NoSigningKey``)."""
    key = key if key is not None else signing_key()
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    token = JWS(body)
    token.add_signature(
        key,
        alg=ALGORITHM,
        protected=json.dumps({"alg": ALGORITHM, "kid": key_id(key), "typ": typ}),
    )
    return str(token.serialize(compact=True))


def sign_credential(credential: dict[str, Any], *, key: JWK | None = None) -> str:
    """``credential`` as a VC-JWT: the credential with its JWT claims, signed."""
    return sign({**credential, **jwt_claims(credential)}, key=key)

"""Verifying a certificate the way anyone outside would, from what the platform publishes
rather than from its database:

1. the token is a compact JWS with ``alg`` ``EdDSA`` (else ``malformed``);
2. its ``kid`` names one of the keys in the issuer profile's ``verificationMethod`` — the
   document served at ``/credentials/issuer`` (else ``unknown_key``);
3. the signature verifies with that key (else ``tampered``);
4. the payload is an ``OpenBadgeCredential`` of this issuer whose JWT claims agree with its
   properties (else ``malformed``);
5. its ``credentialStatus`` names a status list of this issuer; the list's credential, as
   served at ``/credentials/status/<id>``, is itself verified (key, signature, type, purpose),
   and the certificate's bit read: 1 is ``revoked`` (a list that cannot be had or checked
   makes the answer ``malformed``, never ``valid``);
6. the dates: ``validUntil`` passed is ``expired``, ``validFrom`` to come is
   ``not_yet_valid``.

Only the date and reason of a revocation, which a status list does not carry, are read from
the certificate's row, and only once its bit says it is revoked.
"""

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from jwcrypto.common import JWException
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from coop4int.learning.credentials import keys
from coop4int.learning.credentials.badge import (
    CREDENTIAL_TYPES,
    OB_CONTEXT,
    STATUS_PURPOSE,
    VC_CONTEXT,
    issuer_id,
    issuer_profile,
)
from coop4int.learning.credentials.jws import TYP, jwt_claims, parse_datetime
from coop4int.learning.credentials.status_list import (
    MalformedList,
    bit_is_set,
    signed_status_list,
)
from coop4int.learning.models import Certificate, StatusList

VALID = "valid"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
TAMPERED = "tampered"
UNKNOWN_KEY = "unknown_key"
MALFORMED = "malformed"
UNKNOWN = "unknown"
STATES = (VALID, REVOKED, EXPIRED, NOT_YET_VALID, TAMPERED, UNKNOWN_KEY, MALFORMED, UNKNOWN)


@dataclass(frozen=True)
class Verification:
    state: str
    certificate_id: str = ""
    holder_name: str = ""
    achievement_name: str = ""
    issuer_name: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    credential: dict[str, Any] | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == VALID


class _Refused(Exception):
    def __init__(self, state: str, detail: str = "") -> None:
        super().__init__(detail or state)
        self.state = state


def _published_keys() -> dict[str, JWK]:
    """The keys the issuer profile publishes, by ``kid``."""
    found: dict[str, JWK] = {}
    for method in issuer_profile().get("verificationMethod", []):
        jwk = method.get("publicKeyJwk") or {}
        if jwk.get("kid"):
            found[jwk["kid"]] = JWK(**jwk)
    return found


def _verified_payload(token: str, *, published: dict[str, JWK]) -> dict[str, Any]:
    """The payload of ``token`` once its signature is checked against ``published``."""
    jws = JWS()
    try:
        jws.deserialize(token.strip())
        header = jws.jose_header
    except (JWException, ValueError, TypeError) as error:
        raise _Refused(MALFORMED, str(error)) from error
    if not isinstance(header, dict) or header.get("alg") != keys.ALGORITHM:
        raise _Refused(MALFORMED, "alg is not EdDSA")
    if header.get("typ", TYP) != TYP:
        raise _Refused(MALFORMED, "typ is not vc+jwt")
    key = published.get(str(header.get("kid", "")))
    if key is None:
        raise _Refused(UNKNOWN_KEY)
    try:
        jws.verify(key, alg=keys.ALGORITHM)
    except JWException as error:
        raise _Refused(TAMPERED, str(error)) from error
    try:
        payload = json.loads(jws.payload)
    except (ValueError, TypeError) as error:
        raise _Refused(MALFORMED, str(error)) from error
    if not isinstance(payload, dict):
        raise _Refused(MALFORMED, "the payload is not an object")
    return payload


def _local_route(url: object) -> tuple[str, dict[str, Any]] | None:
    """The route name and arguments of one of this platform's public addresses."""
    base = settings.PUBLIC_URL.rstrip("/")
    if not isinstance(url, str) or not url.startswith(base + "/"):
        return None
    try:
        match = resolve(url[len(base) :])
    except Resolver404:
        return None
    return match.view_name, match.kwargs


def _issuer_of(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    return str(issuer.get("id", "")) if isinstance(issuer, dict) else str(issuer or "")


def _check_credential(payload: dict[str, Any]) -> None:
    """An ``OpenBadgeCredential`` of this issuer whose JWT claims mirror its properties."""
    context = payload.get("@context")
    types = payload.get("type")
    if not (
        isinstance(context, list)
        and context[:1] == [VC_CONTEXT]
        and OB_CONTEXT in context
        and isinstance(types, list)
        and all(kind in types for kind in CREDENTIAL_TYPES)
    ):
        raise _Refused(MALFORMED, "not an OpenBadgeCredential")
    if _issuer_of(payload) != issuer_id():
        raise _Refused(MALFORMED, "another issuer")
    subject = payload.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        raise _Refused(MALFORMED, "no achievement")
    try:
        claims = jwt_claims(payload)
    except (KeyError, TypeError, ValueError) as error:
        raise _Refused(MALFORMED, f"missing or unreadable dates: {error}") from error
    for name, value in claims.items():
        if payload.get(name) != value:
            raise _Refused(MALFORMED, f"the {name} claim disagrees with the credential")
    if "exp" in payload and "exp" not in claims:
        raise _Refused(MALFORMED, "exp without validUntil")


def _revocation_entry(payload: dict[str, Any]) -> dict[str, Any]:
    entries = payload.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if (
            isinstance(entry, dict)
            and entry.get("type") == "BitstringStatusListEntry"
            and entry.get("statusPurpose") == STATUS_PURPOSE
        ):
            return entry
    raise _Refused(MALFORMED, "no revocation status")


def _is_revoked(entry: dict[str, Any], *, published: dict[str, JWK], now: datetime) -> bool:
    """Whether the status list ``entry`` points to has the credential's bit set, read from
    the list's credential as it is served, once its signature is checked."""
    url = entry.get("statusListCredential")
    route = _local_route(url)
    if route is None or route[0] != "credentials:status_list":
        raise _Refused(MALFORMED, "the status list is not this issuer's")
    status_list = StatusList.objects.filter(pk=route[1]["list_id"]).first()
    if status_list is None:
        raise _Refused(MALFORMED, "no such status list")
    try:
        index = int(entry.get("statusListIndex", ""))
        served = signed_status_list(status_list, now=now)
    except (ValueError, TypeError) as error:
        raise _Refused(MALFORMED, "unreadable statusListIndex") from error
    except (keys.NoSigningKey, keys.KeyProblem) as error:
        raise _Refused(MALFORMED, f"the status list cannot be signed: {error}") from error
    try:
        listing = _verified_payload(served, published=published)
    except _Refused as refused:
        raise _Refused(MALFORMED, f"status list: {refused.state}") from refused
    subject = listing.get("credentialSubject")
    if (
        listing.get("id") != url
        or "BitstringStatusListCredential" not in (listing.get("type") or [])
        or _issuer_of(listing) != issuer_id()
        or not isinstance(subject, dict)
        or subject.get("statusPurpose") != STATUS_PURPOSE
    ):
        raise _Refused(MALFORMED, "not this issuer's revocation list")
    try:
        return bit_is_set(str(subject.get("encodedList", "")), index)
    except MalformedList as error:
        raise _Refused(MALFORMED, str(error)) from error


def _holder_name(subject: dict[str, Any]) -> str:
    for identity in subject.get("identifier") or []:
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "name"
            and identity.get("hashed") is False
        ):
            return str(identity.get("identityHash", ""))
    return ""


def _certificate_id(payload: dict[str, Any]) -> str:
    route = _local_route(payload.get("id"))
    if route is None or route[0] != "credentials:credential":
        return ""
    return str(route[1]["certificate_id"])


def _read(payload: dict[str, Any], state: str) -> Verification:
    subject = payload["credentialSubject"]
    issuer = payload.get("issuer")
    until = payload.get("validUntil")
    return Verification(
        state=state,
        certificate_id=_certificate_id(payload),
        holder_name=_holder_name(subject),
        achievement_name=str(subject["achievement"].get("name", "")),
        issuer_name=str(issuer.get("name", "")) if isinstance(issuer, dict) else "",
        valid_from=parse_datetime(payload["validFrom"]),
        valid_until=parse_datetime(until) if until else None,
        credential=payload,
    )


def verify_token(token: str, *, now: datetime) -> Verification:
    """What a verifier concludes of ``token`` (a VC-JWT) at ``now``."""
    try:
        published = _published_keys()
        payload = _verified_payload(token, published=published)
        _check_credential(payload)
        revoked = _is_revoked(_revocation_entry(payload), published=published, now=now)
    except _Refused as refused:
        return Verification(state=refused.state)
    except keys.KeyProblem:
        # The configured keys cannot be read: nothing can be checked.
        return Verification(state=MALFORMED)
    result = _read(payload, VALID)
    if revoked:
        row = Certificate.objects.filter(pk=result.certificate_id).first()
        return replace(
            result,
            state=REVOKED,
            revoked_at=row.revoked_at if row is not None else None,
            revocation_reason=row.revocation_reason if row is not None else "",
        )
    if result.valid_until is not None and now >= result.valid_until:
        return replace(result, state=EXPIRED)
    if result.valid_from is not None and now < result.valid_from:
        return replace(result, state=NOT_YET_VALID)
    return result


def verify_certificate(certificate_id: str, *, now: datetime) -> Verification:
    """Verify the credential issued as ``certificate_id``: ``unknown`` when there is no such
    certificate or its credential was erased with its holder's record."""
    row = Certificate.objects.filter(pk=certificate_id).only("id", "credential").first()
    if row is None or not row.credential:
        return Verification(state=UNKNOWN, certificate_id=certificate_id)
    result = verify_token(row.credential, now=now)
    if result.certificate_id and result.certificate_id != row.id:
        # A credential of another certificate stored on this row.
        return Verification(state=TAMPERED, certificate_id=row.id)
    return replace(result, certificate_id=row.id)

"""Verifying a certificate as an outside verifier would: signature against the published keys,
the status list's credential and bit, and the dates — each failure reported as what it is."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client
from jwcrypto.jwk import JWK

from coop4int.learning.credentials import verify
from coop4int.learning.credentials.badge import credential_for
from coop4int.learning.credentials.jws import sign, sign_credential
from coop4int.learning.credentials.keys import load_key
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import Certificate
from coop4int.learning.tests.credential_fixtures import (
    SEED_A,
    SEED_B,
    issued,
    published_jwk,
    pyjwt_decode,
    segments,
    with_payload,
)
from coop4int.learning.tests.credential_fixtures import use_keys as use
from coop4int.learning.tests.factories import NOW, PersonFactory

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(days=30)


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    use(settings, SEED_A)


def test_a_certificate_as_issued_is_valid_with_what_it_says() -> None:
    person = PersonFactory(given_names="Aminata", family_names="Diallo")
    certificate = issued(person=person, session__course__title="Portuguese for work")

    result = verify.verify_certificate(certificate.id, now=LATER)

    assert result.state == "valid"
    assert result.is_valid
    assert result.certificate_id == certificate.id
    assert result.holder_name == "Aminata Diallo"
    assert result.achievement_name == "Portuguese for work"
    assert result.issuer_name == "Alta Autoridade para a Imigração"
    assert result.valid_from == NOW
    assert result.valid_until is None
    assert result.revoked_at is None
    assert result.credential is not None


def test_a_pasted_credential_is_verified_the_same_and_found_by_its_id() -> None:
    certificate = issued()

    result = verify.verify_token(certificate.credential, now=LATER)

    assert result.state == "valid"
    assert result.certificate_id == certificate.id


def test_a_tampered_payload_is_reported_as_tampered(client: Client) -> None:
    certificate = issued()
    header, payload = segments(certificate.credential)
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = with_payload(certificate.credential, payload)

    assert verify.verify_token(forged, now=LATER).state == "tampered"
    # An independent library agrees.
    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(forged, published_jwk(client, header["kid"]), verify_nbf=False)
    assert verify.verify_token(certificate.credential, now=LATER).state == "valid"


def test_a_tampered_row_is_reported_as_tampered() -> None:
    certificate = issued()
    _header, payload = segments(certificate.credential)
    payload["name"] = "Another course"
    Certificate.objects.filter(pk=certificate.pk).update(
        credential=with_payload(certificate.credential, payload)
    )

    assert verify.verify_certificate(certificate.id, now=LATER).state == "tampered"


def test_a_credential_signed_by_an_unknown_key_is_reported_as_such() -> None:
    certificate = issued()
    _header, payload = segments(certificate.credential)
    stranger = JWK.generate(kty="OKP", crv="Ed25519")

    token = sign(payload, key=stranger)

    assert verify.verify_token(token, now=LATER).state == "unknown_key"


def test_a_known_kid_on_a_signature_by_another_key_is_tampered() -> None:
    certificate = issued()
    header, payload = segments(certificate.credential)
    stranger = JWK.generate(kty="OKP", crv="Ed25519")
    forged = sign(payload, key=stranger)
    forged_header = forged.split(".")[0]
    ours = certificate.credential.split(".")[0]

    token = forged.replace(forged_header, ours, 1)

    assert segments(token)[0]["kid"] == header["kid"]
    assert verify.verify_token(token, now=LATER).state == "tampered"


def test_a_revoked_certificate_is_revoked_with_its_date_and_reason_only_from_then() -> None:
    certificate = issued()
    revoked_at = NOW + timedelta(days=10)
    revoke_certificate(
        certificate=certificate,
        actor=None,
        reason=RevocationReason.FRAUD,
        note="Forged attendance sheet.",
        now=revoked_at,
    )

    before = verify.verify_certificate(certificate.id, now=revoked_at - timedelta(hours=1))
    after = verify.verify_certificate(certificate.id, now=LATER)
    pasted = verify.verify_token(certificate.credential, now=LATER)

    assert before.state == "valid"
    assert after.state == pasted.state == "revoked"
    assert after.revoked_at == revoked_at
    assert after.revocation_reason == "fraud"
    assert after.holder_name  # still says whose it was


def test_an_expired_certificate_is_expired_and_valid_before() -> None:
    certificate = issued(session__course__certificate_valid_months=12)

    assert verify.verify_certificate(certificate.id, now=NOW + timedelta(days=360)).is_valid
    expired = verify.verify_certificate(certificate.id, now=NOW + timedelta(days=400))

    assert expired.state == "expired"
    assert expired.valid_until is not None
    assert expired.valid_until.year == 2027


def test_a_certificate_revoked_after_it_expired_is_revoked() -> None:
    certificate = issued(session__course__certificate_valid_months=1)
    revoke_certificate(
        certificate=certificate, actor=None, reason=RevocationReason.OTHER, now=LATER
    )

    assert verify.verify_certificate(certificate.id, now=LATER).state == "revoked"


def test_a_credential_dated_later_is_not_yet_valid() -> None:
    certificate = issued()

    result = verify.verify_certificate(certificate.id, now=NOW - timedelta(minutes=1))

    assert result.state == "not_yet_valid"


def test_an_unknown_or_erased_certificate_is_unknown() -> None:
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(credential="", holder_name="")

    assert verify.verify_certificate("no-such-certificate", now=LATER).state == "unknown"
    assert verify.verify_certificate(certificate.id, now=LATER).state == "unknown"


@pytest.mark.parametrize(
    "token",
    ["", "not a token", "a.b.c", "eyJhbGciOiJub25lIn0.e30."],
    ids=["empty", "words", "garbage", "alg-none"],
)
def test_what_is_not_a_credential_is_malformed(token: str) -> None:
    assert verify.verify_token(token, now=LATER).state == "malformed"


def test_a_signed_payload_that_is_not_an_open_badge_of_this_issuer_is_malformed() -> None:
    certificate = issued()
    _header, payload = segments(certificate.credential)
    key = load_key(SEED_A)

    other_issuer = {**payload, "issuer": {**payload["issuer"], "id": "https://elsewhere.example"}}
    no_status = {key: value for key, value in payload.items() if key != "credentialStatus"}
    wrong_jti = {**payload, "jti": "https://elsewhere.example/1"}
    wrong_list = {
        **payload,
        "credentialStatus": {
            **payload["credentialStatus"],
            "statusListCredential": "https://elsewhere.example/status/1",
        },
    }

    for changed in (other_issuer, no_status, wrong_jti, wrong_list):
        assert verify.verify_token(sign(changed, key=key), now=LATER).state == "malformed"


def test_a_status_list_that_cannot_be_signed_never_lets_the_answer_be_valid(
    settings: Any, tmp_path: Path
) -> None:
    """With only the public half of the key configured, the certificate's signature still
    checks but its status list cannot be served: the answer is not "valid"."""
    certificate = issued()
    public_pem = (
        load_key(SEED_A)
        .get_op_key("verify")
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "a.pem").write_bytes(public_pem)
    settings.CREDENTIAL_SIGNING_KEYS = [str(tmp_path / "a.pem")]

    assert verify.verify_certificate(certificate.id, now=LATER).state == "malformed"


def test_unreadable_keys_make_every_answer_malformed(settings: Any) -> None:
    certificate = issued()
    settings.CREDENTIAL_SIGNING_KEYS = ["base64url:tooshort"]

    assert verify.verify_certificate(certificate.id, now=LATER).state == "malformed"


def test_key_rotation_keeps_old_certificates_verifying(
    settings: Any, client: Client, tmp_path: Path
) -> None:
    old = issued()
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B, SEED_A]
    new = issued()

    assert old.key_id != new.key_id
    assert segments(new.credential)[0]["kid"] == new.key_id == load_key(SEED_B).thumbprint()
    assert verify.verify_certificate(old.id, now=LATER).is_valid
    assert verify.verify_certificate(new.id, now=LATER).is_valid

    # The retired key kept only as its public half, in a PEM file, still verifies.
    public_pem = (
        load_key(SEED_A)
        .get_op_key("verify")
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "old.pem").write_bytes(public_pem)
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B, str(tmp_path / "old.pem")]
    assert verify.verify_certificate(old.id, now=LATER).is_valid
    for certificate in (old, new):
        kid = segments(certificate.credential)[0]["kid"]
        assert pyjwt_decode(certificate.credential, published_jwk(client, kid), verify_nbf=False)[
            "jti"
        ].endswith(certificate.id)

    # Dropped altogether, it no longer does.
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B]
    assert verify.verify_certificate(old.id, now=LATER).state == "unknown_key"
    assert verify.verify_certificate(new.id, now=LATER).is_valid


def test_signing_a_credential_again_changes_nothing_a_verifier_reads() -> None:
    """``credential_for`` reproduces what was signed (the row holds everything it needs)."""
    certificate = issued()
    _header, payload = segments(certificate.credential)
    achievement = payload["credentialSubject"]["achievement"]

    again = credential_for(certificate, achievement=achievement)

    assert segments(sign_credential(again, key=load_key(SEED_A)))[1] == payload

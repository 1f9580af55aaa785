"""The certificates' public machine addresses: the issuer profile with its keys, each
credential as a VC-JWT, the status lists — their content types, caching and CORS, and a whole
verification done from them alone with an independent library (PyJWT)."""

import base64
import gzip
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from coop4int.learning.credentials.keys import load_key
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import Certificate
from coop4int.learning.tests.credential_fixtures import (
    PUBLIC_URL,
    SEED_A,
    SEED_B,
    issued,
    published_jwk,
    pyjwt_decode,
    segments,
    use_keys,
)
from coop4int.learning.tests.factories import NOW

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(days=2)


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    use_keys(settings, SEED_A)


def assert_cors(response: Any) -> None:
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_the_issuer_profile_is_json_with_every_public_key_and_no_private_one(
    client: Client, settings: Any
) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B, SEED_A, SEED_A]

    response = client.get("/credentials/issuer")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert_cors(response)
    profile = response.json()
    assert profile["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert profile["id"] == f"{PUBLIC_URL}/credentials/issuer"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Alta Autoridade para a Imigração"
    assert profile["url"] == f"{PUBLIC_URL}/"
    kids = [load_key(SEED_B).thumbprint(), load_key(SEED_A).thumbprint()]
    methods = profile["verificationMethod"]
    assert [method["publicKeyJwk"]["kid"] for method in methods] == kids
    for method, kid in zip(methods, kids, strict=True):
        assert method["id"] == f"{PUBLIC_URL}/credentials/issuer#{kid}"
        assert method["type"] == "JsonWebKey"
        assert method["controller"] == profile["id"]
        assert set(method["publicKeyJwk"]) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert method["publicKeyJwk"]["crv"] == "Ed25519"
    assert '"d"' not in response.content.decode()


def test_the_issuer_profile_says_when_the_keys_are_unreadable(
    client: Client, settings: Any
) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = ["/nonexistent/key.pem"]

    response = client.get("/credentials/issuer")

    assert response.status_code == 503
    assert_cors(response)


def test_a_credential_is_served_as_vc_jwt_and_kept_by_no_cache(client: Client) -> None:
    certificate = issued()

    response = client.get(f"/credentials/{certificate.id}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode() == certificate.credential
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert_cors(response)


def test_an_unknown_or_erased_credential_is_not_found(client: Client) -> None:
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(credential="", holder_name="")

    for address in ("/credentials/no-such-one", f"/credentials/{certificate.id}"):
        response = client.get(address)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert_cors(response)


@time_machine.travel(LATER, tick=False)
def test_a_status_list_is_served_as_vc_jwt_for_a_short_while(client: Client) -> None:
    certificate = issued()

    response = client.get(f"/credentials/status/{certificate.status_list_id}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert_cors(response)
    header, payload = segments(response.content.decode())
    assert header["typ"] == "vc+jwt"
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert client.get("/credentials/status/999999").status_code == 404


def test_a_status_list_without_a_signing_key_is_unavailable(client: Client, settings: Any) -> None:
    certificate = issued()
    settings.CREDENTIAL_SIGNING_KEYS = []

    response = client.get(f"/credentials/status/{certificate.status_list_id}")

    assert response.status_code == 503


def test_only_reads_are_answered_and_a_preflight_gets_the_cors_headers(client: Client) -> None:
    post = client.post("/credentials/issuer")
    preflight = client.options(
        "/credentials/issuer",
        headers={"Origin": "https://verifier.example", "Access-Control-Request-Method": "GET"},
    )

    assert post.status_code == 405
    assert post["Allow"] == "GET, HEAD, OPTIONS"
    assert preflight.status_code == 204
    assert_cors(preflight)
    assert client.head("/credentials/issuer").status_code == 200


def _path(url: str) -> str:
    assert url.startswith(PUBLIC_URL)
    return urlsplit(url).path


def _bit(encoded: str, index: int) -> bool:
    body = encoded.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@time_machine.travel(LATER, tick=False)
def test_a_verifier_checks_a_certificate_from_the_published_documents_alone(
    client: Client,
) -> None:
    certificate = issued()
    revoked = issued()
    revoke_certificate(certificate=revoked, actor=None, reason=RevocationReason.FRAUD, now=NOW)

    def check(certificate_id: str) -> bool:
        """Whether the certificate stands: signature and status, as a verifier sees them."""
        token = client.get(f"/credentials/{certificate_id}").content.decode()
        header, _payload = segments(token)
        credential = pyjwt_decode(token, published_jwk(client, header["kid"]))
        status = credential["credentialStatus"]
        list_token = client.get(_path(status["statusListCredential"])).content.decode()
        list_header, _list_payload = segments(list_token)
        listing = pyjwt_decode(list_token, published_jwk(client, list_header["kid"]))
        assert listing["id"] == status["statusListCredential"]
        assert listing["credentialSubject"]["statusPurpose"] == status["statusPurpose"]
        encoded = listing["credentialSubject"]["encodedList"]
        return not _bit(encoded, int(status["statusListIndex"]))

    assert check(certificate.id) is True
    assert check(revoked.id) is False

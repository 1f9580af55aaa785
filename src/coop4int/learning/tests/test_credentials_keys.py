"""The signing keys: read from PEM files or base64url seeds, the first signs, all are published
by their RFC 7638 thumbprint; the system check says at start what would fail later."""

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from coop4int.learning.checks import check_credential_keys
from coop4int.learning.credentials import keys
from coop4int.learning.tests.credential_fixtures import SEED_A, SEED_B, SEED_C


def rfc7638_thumbprint(jwk: dict[str, str]) -> str:
    """Computed here from the RFC: SHA-256 of the required members, sorted, no spaces."""
    members = {name: jwk[name] for name in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def public_pem_of(entry: str) -> bytes:
    return bytes(
        keys.load_key(entry)
        .get_op_key("verify")
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def test_a_seed_with_or_without_padding_is_a_private_key() -> None:
    for entry in (SEED_A, SEED_C):
        key = keys.load_key(entry)
        assert key.has_private
        assert key.get("crv") == "Ed25519"


def test_the_key_id_is_the_rfc_7638_thumbprint() -> None:
    key = keys.load_key(SEED_A)
    published = keys.public_jwk(key)

    assert keys.key_id(key) == published["kid"] == rfc7638_thumbprint(published)
    assert "d" not in published


def test_pem_files_private_and_public_are_read(tmp_path: Path) -> None:
    private = tmp_path / "new.pem"
    private.write_bytes(keys.new_private_key_pem())
    public = tmp_path / "old.pub.pem"
    public.write_bytes(public_pem_of(SEED_A))

    assert keys.load_key(str(private)).has_private
    old = keys.load_key(str(public))
    assert not old.has_private
    assert keys.key_id(old) == keys.key_id(keys.load_key(SEED_A))


def test_the_first_key_signs_and_every_key_is_published(settings: Any, tmp_path: Path) -> None:
    public = tmp_path / "a.pub.pem"
    public.write_bytes(public_pem_of(SEED_A))
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B, str(public), SEED_A]

    assert keys.key_id(keys.signing_key()) == keys.key_id(keys.load_key(SEED_B))
    published = keys.published_keys()
    assert [keys.key_id(key) for key in published] == [
        keys.key_id(keys.load_key(SEED_B)),
        keys.key_id(keys.load_key(SEED_A)),
    ]
    assert not any(key.has_private for key in published)


def test_a_replaced_key_file_is_read_again(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(public_pem_of(SEED_A))
    first = keys.key_id(keys.load_key(str(path)))
    path.write_bytes(public_pem_of(SEED_B) + b"\n")

    assert keys.key_id(keys.load_key(str(path))) != first


def test_no_key_or_a_public_one_first_cannot_sign(settings: Any, tmp_path: Path) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = []
    with pytest.raises(keys.NoSigningKey):
        keys.signing_key()
    public = tmp_path / "a.pub.pem"
    public.write_bytes(public_pem_of(SEED_A))
    settings.CREDENTIAL_SIGNING_KEYS = [str(public), SEED_B]
    with pytest.raises(keys.NoSigningKey):
        keys.signing_key()


def test_the_check_passes_with_a_key_that_signs(settings: Any) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_A]

    assert check_credential_keys() == []


def test_the_check_warns_when_nothing_can_sign(settings: Any, tmp_path: Path) -> None:
    settings.CREDENTIAL_SIGNING_KEYS = []
    assert [message.id for message in check_credential_keys()] == ["learning.W001"]

    public = tmp_path / "a.pub.pem"
    public.write_bytes(public_pem_of(SEED_A))
    settings.CREDENTIAL_SIGNING_KEYS = [str(public)]
    assert [message.id for message in check_credential_keys()] == ["learning.W001"]


@pytest.mark.parametrize(
    "entry",
    ["base64url:c2hvcnQ", "base64url:***", "/nonexistent/key.pem", "not-a-key", "ec", "garbage"],
)
def test_the_check_refuses_a_malformed_key(settings: Any, tmp_path: Path, entry: str) -> None:
    if entry == "ec":
        path = tmp_path / "ec.pem"
        path.write_bytes(
            generate_private_key(SECP256R1()).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        entry = str(path)
    elif entry == "garbage":
        path = tmp_path / "garbage.pem"
        path.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
        entry = str(path)
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_A, entry]

    messages = check_credential_keys()

    assert [message.id for message in messages] == ["learning.E001"]
    assert "CREDENTIAL_SIGNING_KEYS" in messages[0].msg

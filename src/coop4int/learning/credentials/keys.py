"""The keys that sign certificates and their status lists.

``settings.CREDENTIAL_SIGNING_KEYS`` lists Ed25519 keys, each either

- a path to a PEM file: a PKCS#8 private key, or a public key (SubjectPublicKeyInfo) kept so
  that what a retired key signed still verifies, or
- ``base64url:<seed>``: the 32-byte private seed, base64url-encoded (for an environment
  variable; padding optional).

The first key signs and must be a private one; every key is published (public part only) in
the issuer profile. A key is named by its RFC 7638 JWK thumbprint (SHA-256, base64url), which
is the ``kid`` of every token it signs. To rotate: ``coop4int credentials new-key --out PATH``,
put PATH first and keep the old keys after it (their private files may be replaced by their
public halves); certificates signed with an old key verify as long as it is listed.
"""

import base64
import binascii
import functools
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from jwcrypto.jwk import JWK

SEED_PREFIX = "base64url:"
ALGORITHM = "EdDSA"


class NoSigningKey(Exception):
    """No private key is configured first in ``CREDENTIAL_SIGNING_KEYS``: nothing can be
    signed."""


class KeyProblem(ValueError):
    """An entry of ``CREDENTIAL_SIGNING_KEYS`` cannot be read as an Ed25519 key."""


def _check_ed25519(key: JWK, where: str) -> JWK:
    if key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
        raise KeyProblem(f"{where}: not an Ed25519 key (kty {key.get('kty')!r}).")
    return key


def _from_seed(entry: str) -> JWK:
    text = entry[len(SEED_PREFIX) :].strip()
    try:
        seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise KeyProblem(f"{SEED_PREFIX}…: not base64url ({error}).") from error
    if len(seed) != 32:
        raise KeyProblem(f"{SEED_PREFIX}…: an Ed25519 seed is 32 bytes, not {len(seed)}.")
    return JWK.from_pyca(Ed25519PrivateKey.from_private_bytes(seed))


@functools.lru_cache(maxsize=32)
def _from_pem_file(path: str, _mtime_ns: int, _size: int) -> JWK:
    # Keyed on the file's modification time and size too: a replaced file is read again.
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise KeyProblem(f"{path}: cannot be read ({error.strerror or error}).") from error
    try:
        key = JWK.from_pem(data)
    except (ValueError, TypeError) as error:
        raise KeyProblem(f"{path}: not a PEM key without a password ({error}).") from error
    return _check_ed25519(key, path)


def load_key(entry: str) -> JWK:
    """One entry of ``CREDENTIAL_SIGNING_KEYS`` as a JWK (private when the entry is)."""
    entry = entry.strip()
    if not entry:
        raise KeyProblem("An empty entry.")
    if entry.startswith(SEED_PREFIX):
        return _from_seed(entry)
    try:
        stat = Path(entry).stat()
    except OSError as error:
        raise KeyProblem(f"{entry}: no such file ({error.strerror or error}).") from error
    return _from_pem_file(entry, stat.st_mtime_ns, stat.st_size)


def configured_keys() -> list[JWK]:
    """Every configured key, in order; ``KeyProblem`` for the first that cannot be read."""
    return [load_key(entry) for entry in settings.CREDENTIAL_SIGNING_KEYS]


def keys_problem() -> str:
    """What is wrong with the configured keys, or ``""`` when every one reads."""
    try:
        configured_keys()
    except KeyProblem as problem:
        return str(problem)
    return ""


def signing_key() -> JWK:
    """The first configured key, which signs; ``NoSigningKey`` when there is none or it is a
    public key only (``KeyProblem`` when it cannot be read)."""
    entries = list(settings.CREDENTIAL_SIGNING_KEYS)
    if not entries:
        raise NoSigningKey("CREDENTIAL_SIGNING_KEYS is empty: certificates cannot be signed.")
    key = load_key(entries[0])
    if not key.has_private:
        raise NoSigningKey(
            "The first key of CREDENTIAL_SIGNING_KEYS is a public key: it cannot sign."
        )
    return key


def key_id(key: JWK) -> str:
    """The key's RFC 7638 thumbprint (SHA-256, base64url): the ``kid`` of what it signs."""
    return key.thumbprint()


def public_jwk(key: JWK) -> dict[str, str]:
    """The public part of ``key`` as published: ``kty``, ``crv``, ``x``, ``kid``, ``alg``,
    ``use``."""
    public = key.export_public(as_dict=True)
    return {
        "kty": public["kty"],
        "crv": public["crv"],
        "x": public["x"],
        "kid": key_id(key),
        "alg": ALGORITHM,
        "use": "sig",
    }


def published_keys() -> list[JWK]:
    """The public parts of every configured key, once each, in the configured order."""
    seen: set[str] = set()
    keys: list[JWK] = []
    for key in configured_keys():
        kid = key_id(key)
        if kid not in seen:
            seen.add(kid)
            keys.append(JWK(**public_jwk(key)))
    return keys


def new_private_key_pem() -> bytes:
    """A new Ed25519 private key, PKCS#8 PEM without a password."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

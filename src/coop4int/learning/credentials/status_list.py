"""Revocation through W3C Bitstring Status Lists (Bitstring Status List v1.0).

Each certificate owns one bit of one list (``Certificate.status_list``, ``status_index``), at a
random free index so that an index says nothing of how many were issued or when. A list holds
``STATUS_LIST_SIZE`` (131,072) bits, the least the specification allows for group privacy, and
is drawn from the certificates' rows whenever it is served: the bit of a revoked certificate
is 1. The bitstring is written as the specification says: index 0 the most significant bit of
the first byte, gzip-compressed, base64url-encoded without padding, with the multibase prefix
``u``. The list's credential (``BitstringStatusListCredential``) is signed like a certificate.

A list is filled to half of its size, then a new one is started: random picks stay quick and
no list ever nears full.
"""

import base64
import binascii
import gzip
import secrets
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from coop4int.learning.credentials.badge import (
    STATUS_PURPOSE,
    VC_CONTEXT,
    issuer_id,
    status_list_url,
    timestamp,
)
from coop4int.learning.credentials.jws import sign_credential
from coop4int.learning.models import STATUS_LIST_SIZE, Certificate, StatusList

MULTIBASE_BASE64URL = "u"
# Seconds a verifier (and a shared cache) may keep a list before asking again; also its ``ttl``.
STATUS_LIST_MAX_AGE = 300
# A list takes new certificates until this share of its bits is used.
FILL_LIMIT = 0.5
# Bounds what decoding inflates: a list of 16 million entries at most.
MAX_DECODED_BYTES = 2 * 1024 * 1024


class MalformedList(ValueError):
    """An ``encodedList`` that is not multibase base64url of gzip-compressed bytes."""


def encode_bits(revoked_indexes: Iterable[int], *, size: int) -> str:
    """The ``encodedList`` of a list of ``size`` bits (a multiple of 8) where the bits at
    ``revoked_indexes`` are set: ``"u"`` + base64url(gzip(bits)), most significant bit first."""
    if size <= 0 or size % 8:
        raise ValueError(f"A status list's size is a positive multiple of 8, not {size}.")
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        if not 0 <= index < size:
            raise ValueError(f"Index {index} is outside a list of {size}.")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bits(encoded: str) -> bytes:
    """The uncompressed bitstring of an ``encodedList``; ``MalformedList`` otherwise."""
    if not encoded.startswith(MULTIBASE_BASE64URL):
        raise MalformedList("The list lacks the multibase prefix 'u' (base64url).")
    text = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise MalformedList(f"Not base64url: {error}") from error
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    try:
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except zlib.error as error:
        raise MalformedList(f"Not gzip: {error}") from error
    if inflater.unconsumed_tail or not inflater.eof:
        raise MalformedList("The list is truncated or too large.")
    return bits


def bit_is_set(encoded: str, index: int) -> bool:
    """Whether the bit at ``index`` (0 = most significant bit of the first byte) is 1."""
    bits = decode_bits(encoded)
    if not 0 <= index < len(bits) * 8:
        raise MalformedList(f"Index {index} is outside a list of {len(bits) * 8}.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoked_indexes(status_list: StatusList, *, now: datetime) -> list[int]:
    """The indexes of the list's certificates revoked by ``now``."""
    return list(
        Certificate.objects.filter(status_list=status_list, revoked_at__lte=now)
        .order_by("status_index")
        .values_list("status_index", flat=True)
    )


def status_list_credential(status_list: StatusList, *, now: datetime) -> dict[str, Any]:
    """The list's ``BitstringStatusListCredential`` as of ``now`` (unsigned)."""
    url = status_list_url(status_list.pk)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bits(
                revoked_indexes(status_list, now=now), size=status_list.size
            ),
            "ttl": STATUS_LIST_MAX_AGE * 1000,
        },
    }


def signed_status_list(status_list: StatusList, *, now: datetime) -> str:
    """The VC-JWT served at ``/credentials/status/<id>`` (may raise ``keys.NoSigningKey``)."""
    return sign_credential(status_list_credential(status_list, now=now))


def allocate_index(status_list: StatusList) -> int:
    """A random index of ``status_list`` that no certificate holds. Two certificates issued at
    once may still draw the same: the unique constraint ``learning_one_status_bit`` refuses the
    second, which draws again (``domain.certificates.issue_certificate``)."""
    taken = set(
        Certificate.objects.filter(status_list=status_list).values_list("status_index", flat=True)
    )
    if len(taken) >= status_list.size:
        raise ValueError(f"Status list {status_list.pk} is full.")
    while True:
        index = secrets.randbelow(status_list.size)
        if index not in taken:
            return index


def current_status_list(*, now: datetime) -> StatusList:
    """The list new certificates go into: the latest with room (under ``FILL_LIMIT``), or a
    new one."""
    latest = StatusList.objects.order_by("-pk").first()
    if latest is not None:
        used = Certificate.objects.filter(status_list=latest).count()
        if used < latest.size * FILL_LIMIT:
            return latest
    return StatusList.objects.create(size=STATUS_LIST_SIZE, created_at=now)

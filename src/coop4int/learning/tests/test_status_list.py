"""W3C Bitstring Status Lists: one bit per certificate, at least 131,072 of them, gzip and
base64url with the multibase prefix, most significant bit first; the list's credential signed
like a certificate (checked with PyJWT) and drawn from the certificates' rows."""

import base64
import gzip
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.learning.credentials import status_list as lists
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import STATUS_LIST_SIZE, Certificate, StatusList
from coop4int.learning.tests.credential_fixtures import (
    SEED_A,
    issued,
    published_jwk,
    pyjwt_decode,
    segments,
    use_keys,
)
from coop4int.learning.tests.factories import NOW

LATER = NOW + timedelta(days=1)


def raw_bits(encoded: str) -> bytes:
    """Decoded here by hand, as the specification describes it, not by the module."""
    assert encoded.startswith("u")
    body = encoded[1:]
    assert "=" not in body
    assert "+" not in body
    assert "/" not in body
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_the_list_is_at_least_131072_bits() -> None:
    assert STATUS_LIST_SIZE >= 131_072
    assert len(raw_bits(lists.encode_bits([], size=STATUS_LIST_SIZE))) * 8 == STATUS_LIST_SIZE


def test_bits_are_set_most_significant_first() -> None:
    bits = raw_bits(lists.encode_bits([0, 9, 15, 131_071], size=STATUS_LIST_SIZE))

    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0001
    assert bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 4


def test_decoding_reads_back_what_was_set() -> None:
    encoded = lists.encode_bits([3, 77_777], size=STATUS_LIST_SIZE)

    assert lists.bit_is_set(encoded, 3)
    assert lists.bit_is_set(encoded, 77_777)
    assert not lists.bit_is_set(encoded, 2)
    assert not lists.bit_is_set(encoded, 4)
    assert lists.decode_bits(encoded) == raw_bits(encoded)


@hypothesis_settings(deadline=None)  # 16 KB compressed and read back per example, on a busy machine
@given(st.sets(st.integers(min_value=0, max_value=STATUS_LIST_SIZE - 1), max_size=64))
def test_exactly_the_bits_set_read_back_as_set(indexes: set[int]) -> None:
    encoded = lists.encode_bits(indexes, size=STATUS_LIST_SIZE)
    bits = raw_bits(encoded)

    assert len(bits) * 8 == STATUS_LIST_SIZE
    set_bits = {
        number * 8 + offset
        for number, byte in enumerate(bits)
        if byte
        for offset in range(8)
        if byte & (0x80 >> offset)
    }
    assert set_bits == indexes
    assert all(lists.bit_is_set(encoded, index) for index in indexes)


def test_an_empty_list_compresses_to_little() -> None:
    assert len(lists.encode_bits([], size=STATUS_LIST_SIZE)) < 300


@pytest.mark.parametrize(
    "encoded", ["", "zAAAA", "u!!!", "u" + base64.urlsafe_b64encode(b"plain").decode()]
)
def test_what_is_not_an_encoded_list_is_refused(encoded: str) -> None:
    with pytest.raises(lists.MalformedList):
        lists.decode_bits(encoded)


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        lists.encode_bits([STATUS_LIST_SIZE], size=STATUS_LIST_SIZE)
    with pytest.raises(lists.MalformedList):
        lists.bit_is_set(lists.encode_bits([], size=16), 16)


@pytest.mark.django_db
def test_the_list_credential_has_the_bits_of_the_revoked_certificates(
    settings: Any, client: Client
) -> None:
    use_keys(settings, SEED_A)
    kept, revoked = issued(), issued()
    assert kept.status_list_id == revoked.status_list_id
    revoke_certificate(
        certificate=revoked, actor=None, reason=RevocationReason.ISSUED_IN_ERROR, now=NOW
    )
    status_list = StatusList.objects.get(pk=kept.status_list_id)

    token = lists.signed_status_list(status_list, now=LATER)
    header, _payload = segments(token)
    with time_machine.travel(LATER, tick=False):
        credential = pyjwt_decode(token, published_jwk(client, header["kid"]))

    assert header["typ"] == "vc+jwt"
    assert header["alg"] == "EdDSA"
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = raw_bits(subject["encodedList"])
    assert len(bits) * 8 == STATUS_LIST_SIZE
    index = revoked.status_index
    assert bits[index // 8] & (0x80 >> (index % 8))
    assert not bits[kept.status_index // 8] & (0x80 >> (kept.status_index % 8))
    assert sum(bin(byte).count("1") for byte in bits) == 1
    _h, issued_payload = segments(revoked.credential)
    assert credential["id"] == issued_payload["credentialStatus"]["statusListCredential"]
    assert credential["issuer"] == issued_payload["issuer"]["id"]


@pytest.mark.django_db
def test_a_revocation_shows_in_the_list_from_its_time(settings: Any) -> None:
    use_keys(settings, SEED_A)
    certificate = issued()
    revoke_certificate(
        certificate=certificate, actor=None, reason=RevocationReason.FRAUD, now=LATER
    )
    status_list = StatusList.objects.get(pk=certificate.status_list_id)

    def bit(at: Any) -> bool:
        encoded = lists.status_list_credential(status_list, now=at)["credentialSubject"]
        return lists.bit_is_set(encoded["encodedList"], certificate.status_index)

    assert not bit(LATER - timedelta(seconds=1))
    assert bit(LATER)


@pytest.mark.django_db
def test_indexes_are_random_and_free(settings: Any) -> None:
    use_keys(settings, SEED_A)
    certificates = [issued() for _ in range(6)]
    indexes = {certificate.status_index for certificate in certificates}

    assert len(indexes) == 6
    assert indexes != set(range(min(indexes), min(indexes) + 6))  # not handed out in order
    status_list = StatusList.objects.get()
    taken = set(Certificate.objects.values_list("status_index", flat=True))
    assert all(lists.allocate_index(status_list) not in taken for _ in range(50))


@pytest.mark.django_db
def test_a_list_half_used_gives_way_to_a_new_one(settings: Any) -> None:
    use_keys(settings, SEED_A)
    first = issued()
    StatusList.objects.filter(pk=first.status_list_id).update(size=4)

    second = issued()
    third = issued()

    assert second.status_list_id == first.status_list_id  # 1 of 4 used
    assert third.status_list_id != first.status_list_id  # 2 of 4: a new list
    assert StatusList.objects.get(pk=third.status_list_id).size == STATUS_LIST_SIZE

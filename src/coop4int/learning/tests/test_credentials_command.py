"""`coop4int credentials`: list, revoke, new-key — with clear errors that end the command
with a non-zero exit (a ``CommandError``)."""

import json
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from coop4int.core.models import AuditEntry
from coop4int.learning.credentials.keys import load_key
from coop4int.learning.credentials.verify import verify_certificate
from coop4int.learning.models import Certificate, new_certificate_id
from coop4int.learning.tests.credential_fixtures import (
    PUBLIC_URL,
    SEED_A,
    SEED_B,
    issued,
    use_keys,
)
from coop4int.learning.tests.factories import NOW, PersonFactory

LATER = NOW + timedelta(days=400)


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    use_keys(settings, SEED_A)


def run(*args: str) -> str:
    out = StringIO()
    call_command("credentials", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_list_json_gives_each_certificates_id_status_and_verification_address() -> None:
    person = PersonFactory(given_names="Aminata", family_names="Diallo")
    valid = issued(person=person, language="kea")
    expired = issued(session__course__certificate_valid_months=12, now=NOW + timedelta(minutes=30))
    revoked = issued(now=NOW + timedelta(hours=1))
    run("revoke", revoked.id, "--reason", "fraud")

    rows = json.loads(run("list", "--json"))

    assert [(row["id"], row["status"]) for row in rows] == [
        (valid.id, "valid"),
        (expired.id, "expired"),
        (revoked.id, "revoked"),
    ]
    assert rows[0]["verification_url"] == f"{PUBLIC_URL}/kea/verify/{valid.id}/"
    assert rows[2]["revocation_reason"] == "fraud"
    assert rows[2]["revoked_at"]
    assert rows[0]["course"] == valid.enrolment.session.course.slug
    assert "Aminata" not in json.dumps(rows)


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_list_verify_reports_what_a_verifier_concludes(settings: Any) -> None:
    certificate = issued()
    settings.CREDENTIAL_SIGNING_KEYS = [SEED_B]

    plain = run("list")
    checked = run("list", "--verify", "--json")

    assert plain.split() == [
        certificate.id,
        "valid",
        f"{PUBLIC_URL}/pt/verify/{certificate.id}/",
    ]
    assert json.loads(checked)[0]["status"] == "unknown_key"


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_revoke_revokes_with_the_reason_and_note() -> None:
    certificate = issued()

    output = run("revoke", certificate.id, "--reason", "issued_in_error", "--note", "Wrong name.")

    certificate.refresh_from_db()
    assert certificate.id in output
    assert "revoked" in output
    assert certificate.revocation_reason == "issued_in_error"
    assert certificate.revocation_note == "Wrong name."
    assert certificate.revoked_at == LATER
    assert verify_certificate(certificate.id, now=certificate.revoked_at).state == "revoked"
    entry = AuditEntry.objects.get(action="learning.certificate.revoked")
    assert entry.actor is None
    assert entry.data["reason"] == "issued_in_error"


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_revoke_refuses_an_unknown_id() -> None:
    with pytest.raises(CommandError, match="No certificate 'nope'"):
        run("revoke", "nope", "--reason", "fraud")


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_revoke_refuses_an_unknown_reason_and_names_the_valid_ones() -> None:
    certificate = issued()

    with pytest.raises(CommandError, match=r"invalid choice: 'boredom'.*issued_in_error"):
        run("revoke", certificate.id, "--reason", "boredom")
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_revoke_refuses_a_certificate_already_revoked() -> None:
    certificate = issued()
    run("revoke", certificate.id, "--reason", "fraud")

    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", certificate.id, "--reason", "other")


def test_new_key_writes_a_private_ed25519_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "signing.pem"

    output = run("new-key", "--out", str(out))

    key = load_key(str(out))
    assert key.has_private
    assert key.get("crv") == "Ed25519"
    assert out.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert key.thumbprint() in output


def test_new_key_never_overwrites_a_file(tmp_path: Path) -> None:
    out = tmp_path / "signing.pem"
    out.write_text("keep me")

    with pytest.raises(CommandError, match="exists already"):
        run("new-key", "--out", str(out))
    assert out.read_text() == "keep me"


def test_a_certificate_id_never_reads_as_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["-starts-like-an-option", "_underscore", "Abc123"])
    monkeypatch.setattr("coop4int.learning.models.secrets.token_urlsafe", lambda n: next(drawn))
    assert new_certificate_id() == "Abc123"

"""`coop4int credentials`: the certificates issued as Open Badges 3.0 credentials.

    coop4int credentials list [--json] [--verify]
    coop4int credentials revoke ID --reason CODE [--note TEXT]
    coop4int credentials new-key --out PATH

``list`` gives each certificate's id, status and verification address (``--json``: a JSON
array; the holder's name is never listed). The status is the row's — ``valid``, ``revoked``,
``expired`` or ``erased`` — or, with ``--verify``, what a verifier concludes (signature, status
list and dates: ``learning.credentials.verify``).

``revoke`` sets the certificate's bit in its status list; CODE is one of
``learning.enums.RevocationReason``.

``new-key`` writes a new Ed25519 private key (PKCS#8 PEM, readable by its owner only) and
prints its key id. Put its path first in ``CREDENTIAL_SIGNING_KEYS`` and keep the older keys
after it: certificates they signed keep verifying.
"""

import json
import os
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from jwcrypto.jwk import JWK

from coop4int.learning.credentials.badge import verify_page_url
from coop4int.learning.credentials.keys import key_id, new_private_key_pem
from coop4int.learning.credentials.verify import verify_certificate
from coop4int.learning.domain.certificates import certificates_for_listing, revoke_certificate
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import Certificate


def row_status(certificate: Certificate, *, now: datetime) -> str:
    if not certificate.credential:
        return "erased"
    if certificate.revoked_at is not None and certificate.revoked_at <= now:
        return "revoked"
    if certificate.valid_until is not None and certificate.valid_until <= now:
        return "expired"
    return "valid"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Command(BaseCommand):
    help = "List certificates, revoke one, or make a new signing key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Each certificate's id, status and address.")
        listing.add_argument("--json", action="store_true", help="A JSON array.")
        listing.add_argument(
            "--verify", action="store_true", help="Check each credential as a verifier would."
        )
        revoke = actions.add_parser("revoke", help="Revoke a certificate.")
        revoke.add_argument("id", help="The certificate's id.")
        revoke.add_argument("--reason", required=True, choices=RevocationReason.values)
        revoke.add_argument("--note", default="", help="Kept with the certificate (500 at most).")
        new_key = actions.add_parser("new-key", help="Write a new Ed25519 signing key.")
        new_key.add_argument("--out", required=True, help="Where to write it (a new file).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self.list_certificates(as_json=options["json"], verify=options["verify"])
        elif action == "revoke":
            self.revoke(options["id"], reason=options["reason"], note=options["note"])
        else:
            self.new_key(Path(options["out"]))

    def list_certificates(self, *, as_json: bool, verify: bool) -> None:
        now = timezone.now()
        rows = []
        for certificate in certificates_for_listing():
            status = (
                verify_certificate(certificate.id, now=now).state
                if verify
                else row_status(certificate, now=now)
            )
            rows.append(
                {
                    "id": certificate.id,
                    "status": status,
                    "verification_url": verify_page_url(certificate.id, certificate.language),
                    "course": certificate.enrolment.session.course.slug,
                    "language": certificate.language,
                    "issued_at": _iso(certificate.issued_at),
                    "valid_until": _iso(certificate.valid_until),
                    "revoked_at": _iso(certificate.revoked_at),
                    "revocation_reason": certificate.revocation_reason,
                }
            )
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['id']} {row['status']} {row['verification_url']}")

    def revoke(self, certificate_id: str, *, reason: str, note: str) -> None:
        certificate = Certificate.objects.filter(pk=certificate_id).first()
        if certificate is None:
            raise CommandError(f"No certificate {certificate_id!r}.")
        try:
            revoke_certificate(
                certificate=certificate, actor=None, reason=reason, note=note, now=timezone.now()
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{certificate_id} revoked ({reason})")

    def new_key(self, out: Path) -> None:
        pem = new_private_key_pem()
        try:
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise CommandError(f"{out} exists already: choose a new file.") from error
        except OSError as error:
            raise CommandError(f"{out} cannot be written: {error.strerror or error}.") from error
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        self.stdout.write(f"Wrote {out} (key id {key_id(JWK.from_pem(pem))}).")
        self.stdout.write(
            "Put its path first in CREDENTIAL_SIGNING_KEYS and keep the older keys after it."
        )

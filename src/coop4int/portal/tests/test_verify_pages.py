"""The public verification of certificates: each verdict in words, in each interface language;
what was certified shown only for a credential the issuer signed; the PDF offered only while
the certificate is valid; an unknown id answered "unknown" and nothing else; a pasted
credential checked like a verifier would."""

import base64
import json
import re
from datetime import timedelta
from html import unescape

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from coop4int.core.formatting import format_date
from coop4int.learning.domain.certificates import issue_certificate, revoke_certificate
from coop4int.learning.enums import EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate
from coop4int.learning.tests.factories import NOW, CourseFactory, EnrolmentFactory
from coop4int.portal import verify_views
from coop4int.portal.verify_views import VerifyForm

pytestmark = pytest.mark.django_db

LANGUAGES = ("pt", "kea", "en", "fr")
HOLDER = "Aminata Djaló"
TITLE = "Português para o trabalho"
AFTER = NOW + timedelta(days=1)


def issued(*, valid_months: int | None = 12, language: str = "pt") -> Certificate:
    course = CourseFactory(title=TITLE, certificate_valid_months=valid_months)
    enrolment = EnrolmentFactory(
        session__course=course,
        status=EnrolmentStatus.COMPLETED,
        language=language,
        person__given_names="Aminata",
        person__family_names="Djaló",
    )
    return issue_certificate(enrolment=enrolment, now=NOW, actor=None)


def page_url(certificate_id: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse("portal:verify_certificate", args=[certificate_id])


def pdf_url(certificate_id: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse("portal:certificate_pdf", args=[certificate_id])


def form_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("portal:verify")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.content.decode())


def heading(response) -> str:  # type: ignore[no-untyped-def]
    """The page's first-level heading, in words (the icon is not text)."""
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    assert match is not None
    return unescape(re.sub(r"<svg.*?</svg>", "", match[1], flags=re.S)).strip()


def verdict_state(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'class="verdict verdict-([a-z_]+)"', response.content.decode())
    assert match is not None
    return match[1]


def forged(token: str, **changes: str) -> str:
    """``token`` with its holder's name changed, the signature left as it was."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = changes["holder"]
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{encoded}.{signature}"


def signed_by_a_stranger(token: str) -> str:
    """``token``'s claims signed again, with a key the issuer does not publish."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(
        claims,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"typ": "vc+jwt", "kid": "a-key-nobody-published"},
    )


# --- The page of a certificate, as its QR code leads to it -----------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_valid_certificate_says_valid_in_the_readers_language(language: str) -> None:
    certificate = issued()

    with time_machine.travel(AFTER, tick=False):
        response = Client().get(page_url(certificate.id, language))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    with translation.override(language):
        assert heading(response) == gettext("Valid certificate")
        assert gettext("Download the certificate (PDF)") in text(response)
        # Dates as the reader's language writes them.
        assert format_date(certificate.valid_from, "long") in text(response)
        assert format_date(certificate.valid_until, "long") in text(response)
    assert verdict_state(response) == "valid"
    assert HOLDER in text(response)
    assert TITLE in text(response)
    assert f'href="{pdf_url(certificate.id, language)}"' in html
    assert f'<bdi dir="ltr" class="ltr">{certificate.id}</bdi>' in html


def test_the_page_is_kept_by_no_shared_cache_and_its_address_not_sent_on() -> None:
    certificate = issued()

    with time_machine.travel(AFTER, tick=False):
        response = Client().get(page_url(certificate.id))

    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "public" not in cache_control
    assert "max-age=60" in cache_control
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_revoked_certificate_says_so_with_the_date_and_reason(language: str) -> None:
    certificate = issued()
    revoked_on = NOW + timedelta(days=20)
    revoke_certificate(
        certificate=certificate, actor=None, reason=RevocationReason.FRAUD, now=revoked_on
    )

    with time_machine.travel(revoked_on + timedelta(days=1), tick=False):
        response = Client().get(page_url(certificate.id, language))
        pdf = Client().get(pdf_url(certificate.id, language))

    assert response.status_code == 200
    assert verdict_state(response) == "revoked"
    with translation.override(language):
        assert heading(response) == gettext("Revoked certificate")
        assert format_date(revoked_on, "long") in text(response)
        assert str(RevocationReason.FRAUD.label) in text(response)
    assert HOLDER in text(response)
    assert "certificate.pdf" not in response.content.decode()
    assert pdf.status_code == 404


def test_an_expired_certificate_says_expired_and_offers_no_pdf() -> None:
    certificate = issued(valid_months=12)
    assert certificate.valid_until is not None

    with time_machine.travel(certificate.valid_until + timedelta(days=1), tick=False):
        response = Client().get(page_url(certificate.id))
        pdf = Client().get(pdf_url(certificate.id))

    assert verdict_state(response) == "expired"
    assert heading(response) == "Expired certificate"
    assert format_date(certificate.valid_until, "long") in text(response)
    assert "certificate.pdf" not in response.content.decode()
    assert pdf.status_code == 404


def test_a_certificate_before_its_first_day_says_not_yet_valid() -> None:
    certificate = issued()

    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        response = Client().get(page_url(certificate.id))
        pdf = Client().get(pdf_url(certificate.id))

    assert verdict_state(response) == "not_yet_valid"
    assert heading(response) == "Certificate not valid yet"
    assert "certificate.pdf" not in response.content.decode()
    assert pdf.status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_id_says_unknown_and_nothing_else(language: str) -> None:
    issued()  # another certificate exists: nothing of it may show

    with time_machine.travel(AFTER, tick=False):
        response = Client().get(page_url("NoSuchCertificate00000", language))
        pdf = Client().get(pdf_url("NoSuchCertificate00000", language))
        odd = Client().get(page_url("a.b~c", language))

    assert response.status_code == 404
    assert verdict_state(response) == "unknown"
    with translation.override(language):
        assert heading(response) == gettext("Unknown certificate")
    # The id itself is only in the addresses of the page in the other languages.
    visible = re.sub(r"<[^>]*>", " ", text(response))
    for shown in (HOLDER, TITLE, "NoSuchCertificate00000"):
        assert shown not in visible
    assert HOLDER not in text(response)
    assert "<dl" not in response.content.decode()
    assert pdf.status_code == 404
    assert odd.status_code == 404
    assert verdict_state(odd) == "unknown"


def test_a_credential_altered_in_the_database_says_tampered_and_shows_nothing_of_it() -> None:
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(
        credential=forged(certificate.credential, holder="Someone Else")
    )

    with time_machine.travel(AFTER, tick=False):
        response = Client().get(page_url(certificate.id))
        pdf = Client().get(pdf_url(certificate.id))

    assert verdict_state(response) == "tampered"
    assert heading(response) == "Altered credential: not valid"
    assert "Someone Else" not in text(response)
    assert HOLDER not in text(response)
    assert pdf.status_code == 404


def test_the_pdf_is_a_download_while_the_certificate_is_valid() -> None:
    certificate = issued()

    with time_machine.travel(AFTER, tick=False):
        response = Client().get(pdf_url(certificate.id, "fr"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.id}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert "private" in response["Cache-Control"]


# --- The form: an id, an address, or the credential itself ----------------------------------


def test_the_form_works_without_an_account_and_without_javascript() -> None:
    response = Client().get(form_url("kea"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<textarea name="credential"' in html
    assert "no-store" in response["Cache-Control"]


def test_the_form_needs_its_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post(form_url(), {"credential": "abc"})

    assert response.status_code == 403


@pytest.mark.parametrize(
    "typed",
    [
        lambda cid: cid,
        lambda cid: f"  {cid[:10]} {cid[10:]}\n",
        lambda cid: f"https://coop4int.example/pt/verify/{cid}/",
        lambda cid: f"https://coop4int.example/credentials/{cid}",
    ],
    ids=["id", "id with spaces", "page address", "credential address"],
)
def test_an_id_typed_or_an_address_pasted_leads_to_the_certificates_page(typed) -> None:  # type: ignore[no-untyped-def]
    certificate = issued()

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(form_url("fr"), {"credential": typed(certificate.id)})

    assert response.status_code == 302
    assert response["Location"] == page_url(certificate.id, "fr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pasted_valid_credential_says_valid(language: str) -> None:
    certificate = issued()
    # As copied out of an e-mail: broken across lines.
    pasted = "\n".join(re.findall(".{1,76}", certificate.credential))

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(form_url(language), {"credential": pasted})

    assert response.status_code == 200
    assert verdict_state(response) == "valid"
    with translation.override(language):
        assert heading(response) == gettext("Valid certificate")
    assert HOLDER in text(response)
    html = response.content.decode()
    assert f'href="{pdf_url(certificate.id, language)}"' in html
    assert f'href="{page_url(certificate.id, language)}"' in html
    assert "no-store" in response["Cache-Control"]


def test_a_pasted_credential_that_was_revoked_says_revoked() -> None:
    certificate = issued()
    revoke_certificate(
        certificate=certificate,
        actor=None,
        reason=RevocationReason.ISSUED_IN_ERROR,
        now=NOW + timedelta(hours=2),
    )

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(form_url(), {"credential": certificate.credential})

    assert verdict_state(response) == "revoked"
    assert "Issued in error" in text(response)
    assert "certificate.pdf" not in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pasted_tampered_credential_says_tampered(language: str) -> None:
    certificate = issued()
    token = forged(certificate.credential, holder="Someone Else")

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(form_url(language), {"credential": token})

    assert response.status_code == 200
    assert verdict_state(response) == "tampered"
    with translation.override(language):
        assert heading(response) == gettext("Altered credential: not valid")
    page = text(response)
    # What the forger wrote is not shown as certified; the form keeps what was pasted.
    assert "Someone Else" not in page.replace(token, "")
    assert "<dl" not in response.content.decode()
    assert f">\n{token}</textarea>" in page
    assert "certificate.pdf" not in response.content.decode()


def test_a_pasted_credential_signed_by_an_unknown_key_says_so() -> None:
    certificate = issued()

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(
            form_url(), {"credential": signed_by_a_stranger(certificate.credential)}
        )

    assert verdict_state(response) == "unknown_key"
    assert heading(response) == "Signed by an unknown key: not valid"
    assert HOLDER not in text(response)


@pytest.mark.parametrize("language", LANGUAGES)
def test_input_that_is_neither_an_id_nor_a_credential_is_refused_and_kept(language: str) -> None:
    typed = "this is my certificate, number 12!"

    response = Client().post(form_url(language), {"credential": typed})

    assert response.status_code == 400
    with translation.override(language):
        message = gettext(
            "This is neither a certificate id nor a credential. Check that it was copied "
            "whole, with nothing missing at its start or end."
        )
    page = text(response)
    assert message in page
    assert f">\n{typed}</textarea>" in page
    assert 'lang="' + language + '"' in response.content.decode()


def test_an_empty_form_asks_for_an_id_or_a_credential() -> None:
    response = Client().post(form_url(), {"credential": "  "})

    assert response.status_code == 400
    assert "Type a certificate id or paste a credential." in text(response)


def test_a_credential_missing_its_start_is_refused_as_unreadable() -> None:
    certificate = issued()
    cut = certificate.credential[7:]

    with time_machine.travel(AFTER, tick=False):
        response = Client().post(form_url(), {"credential": cut})

    assert response.status_code == 400
    assert "This credential cannot be read" in text(response)
    assert f">\n{cut}</textarea>" in text(response)
    assert 'class="verdict' not in response.content.decode()


def test_the_form_is_limited_per_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_views, "VERIFY_RATE", verify_views.RateLimit("verify", limit=2))
    client = Client()

    answers = [client.post(form_url(), {"credential": "Abc123"}).status_code for _ in range(3)]

    assert answers == [302, 302, 429]
    assert "Too many checks" in text(client.post(form_url(), {"credential": "Abc123"}))


def test_the_form_reads_ids_addresses_and_credentials() -> None:
    def read(value: str) -> object:
        form = VerifyForm({"credential": value})
        return form.cleaned_data["credential"] if form.is_valid() else None

    assert read("Ab-c_1") == ("id", "Ab-c_1")
    assert read("https://x.example/en/verify/Ab-c_1/certificate.pdf") == ("id", "Ab-c_1")
    assert read("aaa.bbb.ccc") == ("token", "aaa.bbb.ccc")
    assert read("aaa.bbb") is None
    assert read("x" * 20_001) is None

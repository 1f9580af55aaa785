"""The certificate's PDF: one A4 page in the certificate's language, naming the holder and the
course, whose QR code leads to the verification page, which says the certificate is valid."""

import socket
from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import time_machine
import zxingcpp
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.urls import URLFetchingError

from coop4int.core.formatting import format_date
from coop4int.learning.certificate_pdf import NoFetching, certificate_pdf
from coop4int.learning.credentials.badge import verify_page_url
from coop4int.learning.domain.certificates import issue_certificate
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Certificate
from coop4int.learning.tests.factories import (
    NOW,
    CourseFactory,
    EnrolmentFactory,
    publish_text,
)

pytestmark = pytest.mark.django_db

# A4 in PostScript points (1/72 inch): 210 × 297 mm.
A4 = (595.28, 841.89)
TITLES = {
    "pt": "Português para o trabalho",
    "kea": "Purtugês pa trabadju",
    "en": "Portuguese for work",
    "fr": "Portugais pour le travail",
}


def issued(language: str, *, holder: str = "Aminata Djaló") -> Certificate:
    """A certificate in ``language`` of the course "Portuguese for work", whose title is
    published in the four languages, issued at ``NOW``."""
    course = CourseFactory(title=TITLES["pt"], hours="24.0", certificate_valid_months=24)
    for code, title in TITLES.items():
        if code != "pt":
            publish_text(course.description, language=code, title=title)
    given, family = holder.split(" ", 1)
    enrolment = EnrolmentFactory(
        session__course=course,
        status=EnrolmentStatus.COMPLETED,
        language=language,
        person__given_names=given,
        person__family_names=family,
    )
    certificate = issue_certificate(enrolment=enrolment, now=NOW, actor=None)
    assert certificate.language == language
    return certificate


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()


def qr_codes(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_the_pdf_is_one_a4_page_in_the_certificates_language(language: str) -> None:
    certificate = issued(language)

    pdf = certificate_pdf(certificate)

    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) == 1
        width, height = document[0].get_size()
    finally:
        document.close()
    assert width == pytest.approx(A4[0], abs=1)
    assert height == pytest.approx(A4[1], abs=1)
    text = pdf_text(pdf)
    assert "Aminata Djaló" in text
    assert TITLES[language] in text
    assert not [title for code, title in TITLES.items() if code != language and title in text]
    # Dates as the language writes them.
    with translation.override(language):
        assert format_date(NOW, "long") in text
        assert format_date(certificate.valid_until, "long") in text
    assert certificate.id in text


def test_the_pdf_names_the_hours_the_organisation_and_the_issuer(settings) -> None:
    settings.CREDENTIAL_ISSUER_NAME = "Instituto de Certificação de Teste"
    certificate = issued("en")
    unit_name = certificate.enrolment.session.course.unit.name

    text = pdf_text(certificate_pdf(certificate))

    assert "Hours of training: 24 " in text
    assert f"Given by: {unit_name} " in text
    assert "Certificate issued by: Instituto de Certificação de Teste " in text
    # The session's three mornings, 9 to 11 March 2026.
    assert "Dates of the course: 9–11 Mar 2026 " in text


@pytest.mark.parametrize("language", ["kea", "fr"])
def test_the_qr_code_leads_to_the_verification_page_which_says_valid(language: str) -> None:
    certificate = issued(language)
    address = verify_page_url(certificate.id, language)

    pdf = certificate_pdf(certificate)

    assert qr_codes(pdf) == [address]
    # The address is printed under the code too, for whoever cannot scan it.
    assert address in pdf_text(pdf).replace(" ", "")
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = Client().get(urlsplit(address).path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="verdict verdict-valid"' in html
    assert f'lang="{language}"' in html
    with translation.override(language):
        assert gettext("Valid certificate") in html


def test_nothing_is_fetched_while_drawing() -> None:
    """An address in the page is never opened: not even one on this machine."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        page = (
            f'<p>x</p><img src="http://127.0.0.1:{port}/logo.png">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
        )
        pdf = HTML(string=page, base_url=None, url_fetcher=NoFetching()).write_pdf()
        with pytest.raises(TimeoutError):
            listener.accept()
    assert pdf is not None
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(URLFetchingError):
        NoFetching().fetch("file:///etc/passwd")

"""A certificate on paper: an A4 page in the certificate's language naming the holder, the
course, its hours and dates, who gave it and who issued the certificate, with a QR code to the
public verification page and that page's address printed under it.

The PDF is drawn by WeasyPrint from ``learning/certificate_pdf.html``. Nothing is fetched while
drawing it: the QR code is inline SVG (``core.qr``), the fonts are the system's (DejaVu), and
the URL fetcher refuses every address, so a name or a title can never make the server request
anything."""

from datetime import datetime
from typing import Any

from babel import dates as babel_dates
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from coop4int.core.formatting import current_locale, format_date, format_number
from coop4int.core.languages import Direction, UnknownLanguage, get_language
from coop4int.core.qr import qr_svg
from coop4int.learning.credentials.badge import verify_page_url
from coop4int.learning.domain.queries import course_text
from coop4int.learning.models import Certificate

TEMPLATE = "learning/certificate_pdf.html"


class NoFetching(URLFetcher):
    """Refuses every address: a certificate is drawn from what the page holds inline."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        raise URLFetchingError(f"Not fetched while drawing a certificate: {url[:80]}")


def certificate_for_pdf(certificate_id: str) -> Certificate:
    """The certificate ``certificate_id`` with what its PDF shows (course, text, session,
    organisation); ``Certificate.DoesNotExist`` when there is none."""
    return Certificate.objects.select_related(
        "enrolment__session__course__description",
        "enrolment__session__course__organisation",
        "enrolment__session__course__unit",
    ).get(pk=certificate_id)


def _session_dates(starts_at: datetime | None, ends_at: datetime | None) -> str:
    """ "9–11 Mar 2026" as the current language writes a span of dates, in local time."""
    if starts_at is None:
        return ""
    first = timezone.localtime(starts_at).date()
    last = timezone.localtime(ends_at).date() if ends_at else first
    if first == last:
        return format_date(first, "long")
    return babel_dates.format_interval(first, last, "yMMMd", locale=current_locale())


def certificate_page(certificate: Certificate) -> dict[str, Any]:
    """What the PDF shows, formatted in the active language (call inside
    ``translation.override(certificate.language)``)."""
    session = certificate.enrolment.session
    course = session.course
    text = course_text(course, certificate.language)
    address = verify_page_url(certificate.id, certificate.language)
    try:
        direction = get_language(certificate.language).direction
    except UnknownLanguage:
        direction = Direction.LTR
    title = text.title
    return {
        "language": certificate.language,
        "direction": direction,
        "holder_name": certificate.holder_name,
        "course_title": title,
        # Inside the sentence that names them, set apart to stand out on the page.
        "holder_markup": format_html('<span class="holder">{}</span>', certificate.holder_name),
        "course_markup": format_html(
            # A title not yet translated is shown in the language it is written in, marked so.
            '<span class="course" lang="{}">{}</span>',
            text.language,
            title,
        ),
        "hours": format_number(course.hours),
        "session_dates": _session_dates(session.starts_at, session.ends_at),
        "organisation": course.organisation.name if course.organisation else course.unit.name,
        "issuer": settings.CREDENTIAL_ISSUER_NAME,
        "issued_on": format_date(certificate.issued_at, "long"),
        "valid_from": format_date(certificate.valid_from, "long"),
        "valid_until": format_date(certificate.valid_until, "long")
        if certificate.valid_until
        else "",
        "certificate_id": certificate.id,
        "address": address,
        "qr": qr_svg(address, label=gettext("QR code of this certificate's verification page")),
    }


def certificate_pdf(certificate: Certificate) -> bytes:
    """``certificate`` as a one-page A4 PDF in its own language (``certificate.language``)."""
    with translation.override(certificate.language):
        html = render_to_string(TEMPLATE, certificate_page(certificate))
    pdf = HTML(string=html, base_url=None, url_fetcher=NoFetching()).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return pdf

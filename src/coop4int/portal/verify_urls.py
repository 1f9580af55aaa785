"""Addresses of the public verification of certificates (included by the app's urls.py): the
form, a certificate's verdict — the address its QR code gives — and its PDF while valid."""

from django.urls import URLPattern, path

from coop4int.portal import verify_views

urlpatterns: list[URLPattern] = [
    path("verify/", verify_views.verify, name="verify"),
    path(
        "verify/<str:certificate_id>/",
        verify_views.verify_certificate_page,
        name="verify_certificate",
    ),
    path(
        "verify/<str:certificate_id>/certificate.pdf",
        verify_views.certificate_pdf_download,
        name="certificate_pdf",
    ),
]

"""Checking a certificate without an account: by its id (the address its QR code gives), or by
pasting the credential itself (the signed VC-JWT an employer or a school received).

The verdict is the one an outside verifier would reach (``learning.credentials.verify``: the
signature against the issuer's published keys, the dates, the revocation status list) and is
said in words, with an icon of its own shape, never by colour alone. An unknown id gets
"unknown" and nothing else.

The pages name the holder of a certificate: no shared cache keeps them (``private``; a
revocation shows within ``CACHE_SECONDS`` on the browser that already had the page), their
address — which holds the id — is not sent on as a referrer, and search engines are asked
not to index them. The form's answer echoes what was pasted: it is kept by no cache at all."""

import re
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from coop4int.core.formatting import format_date
from coop4int.core.personal_pages import mark_personal
from coop4int.core.rate_limits import RateLimit
from coop4int.learning.certificate_pdf import certificate_for_pdf, certificate_pdf
from coop4int.learning.credentials.verify import Verification, verify_certificate, verify_token
from coop4int.learning.enums import RevocationReason
from coop4int.learning.models import Certificate

# A person checks a few certificates; a robot walking ids or forging tokens is slowed down.
VERIFY_RATE = RateLimit("verify", limit=60, window=60 * 60)
# How long the reader's own browser may keep a verdict.
CACHE_SECONDS = 60
REFERRER_POLICY = "strict-origin"
# An id as issued (``learning.models.new_certificate_id``: URL-safe base64), with room to spare.
ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A compact JWS: three URL-safe base64 parts.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# The verification page's or the credential's address, pasted whole: the id at its end.
ADDRESS_SHAPE = re.compile(
    r"/(?:verify|credentials)/([A-Za-z0-9_-]{1,64})(?:/|/certificate\.pdf)?$"
)
# Far more than a credential weighs (a few kilobytes).
LONGEST_INPUT = 20_000

# States in which the credential is the issuer's own: what it certifies may be shown.
SIGNED_STATES = frozenset({"valid", "revoked", "expired", "not_yet_valid"})


@dataclass(frozen=True)
class Verdict:
    """How a state is told: a heading in words, a sentence, and the shape of its icon."""

    state: str
    heading: str
    explanation: str
    icon: str  # "check", "stop", "clock", "question" or "warning"
    trustworthy: bool  # what the credential says may be shown


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=gettext_lazy("Certificate id, or the credential itself"),
        help_text=gettext_lazy(
            "Type the id printed on the certificate, paste its verification address, or paste "
            "the whole credential (a long text in three parts separated by dots)."
        ),
        max_length=LONGEST_INPUT,
        error_messages={
            "required": gettext_lazy("Type a certificate id or paste a credential."),
            "max_length": gettext_lazy("This is too long to be a certificate id or a credential."),
        },
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "off",
                "autocorrect": "off",
            }
        ),
    )

    def clean_credential(self) -> tuple[str, str]:
        """``("id", id)`` or ``("token", compact JWS)`` from what was typed or pasted."""
        typed: str = self.cleaned_data["credential"]
        # A credential copied from an e-mail or a PDF may come broken across lines.
        compact = "".join(typed.split())
        if TOKEN_SHAPE.fullmatch(compact):
            return ("token", compact)
        if ID_SHAPE.fullmatch(compact):
            return ("id", compact)
        if match := ADDRESS_SHAPE.search(compact.split("?")[0].split("#")[0]):
            return ("id", match[1])
        raise ValidationError(
            _(
                "This is neither a certificate id nor a credential. Check that it was copied "
                "whole, with nothing missing at its start or end."
            ),
            code="shape",
        )


def _on(value: datetime | None) -> str:
    return format_date(value, "long") if value else ""


def verdict_for(verification: Verification) -> Verdict:
    """``verification``'s state told in the page's language, with the dates that make it."""
    state = verification.state
    if state == "valid":
        return Verdict(
            state,
            _("Valid certificate"),
            _(
                "The issuer signed this certificate, has not revoked it, and it is within the "
                "dates it is valid."
            ),
            "check",
            True,
        )
    if state == "revoked":
        explanation = (
            _("The issuer revoked this certificate on %(date)s. It is no longer valid.")
            % {"date": _on(verification.revoked_at)}
            if verification.revoked_at
            else _("The issuer revoked this certificate. It is no longer valid.")
        )
        return Verdict(state, _("Revoked certificate"), explanation, "stop", True)
    if state == "expired":
        return Verdict(
            state,
            _("Expired certificate"),
            _("This certificate is genuine, but it was valid only until %(date)s.")
            % {"date": _on(verification.valid_until)},
            "clock",
            True,
        )
    if state == "not_yet_valid":
        return Verdict(
            state,
            _("Certificate not valid yet"),
            _("This certificate is genuine, but it is valid only from %(date)s.")
            % {"date": _on(verification.valid_from)},
            "clock",
            True,
        )
    if state == "tampered":
        return Verdict(
            state,
            _("Altered credential: not valid"),
            _(
                "This credential was changed after it was signed: its signature does not match "
                "what it says. Do not trust anything in it."
            ),
            "warning",
            False,
        )
    if state == "unknown_key":
        return Verdict(
            state,
            _("Signed by an unknown key: not valid"),
            _(
                "This credential was not signed with any key the issuer publishes. Do not "
                "trust anything in it."
            ),
            "warning",
            False,
        )
    if state == "malformed":
        return Verdict(
            state,
            _("Unreadable credential"),
            _("This is not a credential that can be read. It may have been copied in part."),
            "warning",
            False,
        )
    return Verdict(
        "unknown",
        _("Unknown certificate"),
        _(
            "There is no certificate with this id. Check that it was typed exactly as printed, "
            "with capital and small letters as they are."
        ),
        "question",
        False,
    )


def _reason(code: str) -> str:
    try:
        return str(RevocationReason(code).label)
    except ValueError:
        return code


def _achievement_language(verification: Verification) -> str:
    """The language the achievement's name is written in, as the credential says."""
    subject = (verification.credential or {}).get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    language = achievement.get("inLanguage") if isinstance(achievement, dict) else None
    return language if isinstance(language, str) and ID_SHAPE.fullmatch(language) else ""


def _result_context(verification: Verification) -> dict[str, object]:
    verdict = verdict_for(verification)
    shown = verification if verdict.trustworthy else None
    return {
        "verdict": verdict,
        "verification": shown,
        "achievement_language": _achievement_language(verification) if shown else "",
        "revocation_reason": _reason(verification.revocation_reason) if shown else "",
        # The PDF and the page by id are offered while the certificate is valid only.
        "pdf_url": reverse("portal:certificate_pdf", args=[verification.certificate_id])
        if verdict.state == "valid" and verification.certificate_id
        else "",
    }


def _public_verdict(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Robots-Tag"] = "noindex"
    return response


def _verify_id(certificate_id: str, now: datetime) -> Verification:
    if not ID_SHAPE.fullmatch(certificate_id):
        return Verification(state="unknown")
    return verify_certificate(certificate_id, now=now)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form: an id (answered by its page, after a redirect) or a pasted credential
    (answered here: a credential has no address of its own)."""
    form = VerifyForm(request.POST or None)
    status = 200
    context: dict[str, object] = {"form": form}
    template = "portal/verify.html"
    if request.method == "POST" and form.is_valid():
        if VERIFY_RATE.exceeded(request):
            form.add_error(
                None, _("Too many checks from your connection. Please try again in an hour.")
            )
            status = 429
        else:
            VERIFY_RATE.count(request)
            kind, value = form.cleaned_data["credential"]
            if kind == "id":
                return redirect("portal:verify_certificate", certificate_id=value)
            verification = verify_token(value, now=timezone.now())
            if verification.state == "malformed":
                form.add_error(
                    "credential",
                    _(
                        "This credential cannot be read: part of it may be missing. Copy it "
                        "again, whole."
                    ),
                )
                status = 400
            else:
                context |= _result_context(verification)
                context["pasted"] = True
                template = "portal/verify_result.html"
    elif request.method == "POST":
        status = 400
    response = render(request, template, context, status=status)
    mark_personal(response)
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def verify_certificate_page(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """The verdict on certificate ``certificate_id``, as its QR code leads to it; an unknown id
    answers 404 with the word "unknown" and nothing more."""
    verification = _verify_id(certificate_id, timezone.now())
    context = _result_context(verification)
    context["form"] = VerifyForm()
    status = 404 if verification.state == "unknown" else 200
    response = render(request, "portal/verify_result.html", context, status=status)
    return _public_verdict(response)


@require_GET
def certificate_pdf_download(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """The certificate's PDF, in the certificate's language, while it is valid; 404 otherwise
    (revoked, expired, unknown alike)."""
    verification = _verify_id(certificate_id, timezone.now())
    if verification.state != "valid":
        raise Http404
    try:
        certificate = certificate_for_pdf(certificate_id)
    except Certificate.DoesNotExist as missing:
        raise Http404 from missing
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.id}.pdf"'
    return _public_verdict(response)

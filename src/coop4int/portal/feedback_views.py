"""'Is something missing or wrong?' — the public's feedback form, reached from every page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from coop4int.content.domain.feedback import feedback_source, receive_feedback
from coop4int.core.personal_pages import mark_personal
from coop4int.portal.abuse import RateLimit, filled_by_robot, honeypot_field
from coop4int.portal.case_views import TRACKING_REFERRER_POLICY
from coop4int.portal.page_titles import page_title

# At most this many messages per address per hour: enough for a person, not for a robot.
RATE = RateLimit("feedback", limit=5, window=60 * 60)
RATE_LIMIT = RATE.limit


class FeedbackForm(forms.Form):
    page = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
    message = forms.CharField(
        label=gettext_lazy("What is missing or wrong?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Your e-mail, if you would like an answer (optional)"), required=False
    )
    website = honeypot_field()


def feedback(request: HttpRequest) -> HttpResponse:
    response = _feedback(request)
    page = request.GET.get("page") or request.POST.get("page") or ""
    if page and feedback_source(page).page != page:
        # About a page whose address has a private part (a tracking page): this page and the
        # form carry that address, so they are kept by no cache and not sent on as a referrer.
        mark_personal(response)
        response["Referrer-Policy"] = TRACKING_REFERRER_POLICY
    return response


def _feedback(request: HttpRequest) -> HttpResponse:
    # The address is only used to go back to the page; what is stored is its public part.
    page = request.GET.get("page") or request.POST.get("page") or "/"
    if not url_has_allowed_host_and_scheme(page, allowed_hosts=None) or not page.startswith("/"):
        page = "/"
    form = FeedbackForm(request.POST or None, initial={"page": page})
    status = 200
    if request.method == "POST" and form.is_valid():
        if filled_by_robot(form):
            # A robot: thank it as a person would be thanked, and keep nothing.
            messages.success(request, _("Thank you. Your message was received."))
            return redirect(page)
        if RATE.exceeded(request):
            form.add_error(
                None, _("Too many messages from your connection. Please try again in an hour.")
            )
            status = 429
        else:
            try:
                receive_feedback(
                    page=page,
                    language=get_language() or "pt",
                    message=form.cleaned_data["message"],
                    contact_email=form.cleaned_data["contact_email"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                RATE.count(request)
                messages.success(request, _("Thank you. Your message was received."))
                return redirect(page)
    return render(
        request,
        "portal/feedback.html",
        {"form": form, "page": page, "page_title": page_title(page, get_language() or "pt")},
        status=status,
    )

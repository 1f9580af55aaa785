"""A new tracking link for a person who lost theirs: they call or come with their reference, the
officer makes sure it is them and hands over a new link (read out, printed as a card with its QR
code, or scanned from the screen); the old link stops working. A page of its own (a POST from
the case page), so that the case page's view stays as it is.

The new link is shown in the answer to the POST itself, never kept in the session or put in an
address: the page is private and stored by no cache."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.roles import Permission
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.cases import NotAllowed
from coop4int.cases.domain.queries import get_case_for_user
from coop4int.cases.domain.tracking import renew_tracking_link
from coop4int.core.languages import get_language, interface_language_for
from coop4int.directory.domain.queries import can_be_called, telephone_lines
from coop4int.directory.enums import Country
from coop4int.directory.texts import service_texts


def support_lines_for_card(language: str) -> list[dict[str, object]]:
    """The country's support lines for the printed card, named in the person's language; the
    numbers are printed, not links."""
    lines: list[dict[str, object]] = []
    for line in telephone_lines(Country.CABO_VERDE):
        numbers = [(phone, "") for phone in line.phones.all() if can_be_called(phone)]
        if numbers:
            names, _descriptions = service_texts(line)
            lines.append({"name": names.get(language) or line.name, "phones": numbers})
    return lines


class CaseTrackingView(StaffView):
    permission = Permission.WORK_CASES

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        case = get_case_for_user(self.user, reference)
        try:
            secret = renew_tracking_link(actor=self.user, case=case)
        except NotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("backoffice:case_detail", reference=case.reference)
        # The card is for the person: in their language, whatever the officer's.
        language = interface_language_for(case.language)
        with translation.override(language):
            path = reverse("portal:follow", args=[case.reference, secret])
        response = render(
            request,
            "backoffice/case_tracking.html",
            {
                "case": case,
                "reference": case.reference,
                "link": request.build_absolute_uri(path),
                "card_language": get_language(language),
                "lines": support_lines_for_card(language),
            },
        )
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

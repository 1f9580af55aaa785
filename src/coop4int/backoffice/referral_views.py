"""Partner organisations' view of the referrals they received: only what was shared, and only
while the referral stands and the person's consent to share lasts."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_forms import DeclineForm, OutcomeForm
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain import referrals as domain
from coop4int.cases.domain.cases import NotAllowed, StaleCase
from coop4int.cases.enums import ReferralOutcome
from coop4int.cases.models import Referral
from coop4int.core.languages import REGISTRY


class ReferralListView(StaffView):
    permission = Permission.ANSWER_REFERRALS

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = domain.referrals_for_user(self.user).order_by("-sent_at", "-pk")
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "backoffice/referral_list.html",
            {"page": page, "copies": [domain.partner_copy(r) for r in page], "query": ""},
        )


class ReferralDetailView(StaffView):
    permission = Permission.ANSWER_REFERRALS

    def _render(
        self,
        request: HttpRequest,
        referral: Referral,
        decline: DeclineForm | None = None,
        outcome: OutcomeForm | None = None,
    ) -> HttpResponse:
        copy = domain.partner_copy(referral)
        language = REGISTRY.get(copy.shared.get("language", ""))
        return render(
            request,
            "backoffice/referral_detail.html",
            {
                "referral": referral,
                "copy": copy,
                "language": language.native_name if language else "",
                "decline_form": decline or DeclineForm(),
                "outcome_form": outcome or OutcomeForm(),
            },
        )

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self._render(request, domain.get_referral_for_user(self.user, referral_id))

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        referral = domain.get_referral_for_user(self.user, referral_id)
        action = request.POST.get("action", "")
        decline = outcome = None
        try:
            if action == "accept":
                domain.accept_referral(actor=self.user, referral=referral)
                messages.success(request, _("You accepted the referral."))
                return redirect("backoffice:referral_detail", referral_id=referral.pk)
            if action == "decline":
                decline = DeclineForm(request.POST)
                if decline.is_valid():
                    domain.decline_referral(
                        actor=self.user, referral=referral, reason=decline.cleaned_data["reason"]
                    )
                    messages.success(request, _("You declined the referral."))
                    return redirect("backoffice:referral_list")
            if action == "outcome":
                outcome = OutcomeForm(request.POST)
                if outcome.is_valid():
                    domain.record_outcome(
                        actor=self.user,
                        referral=referral,
                        outcome=ReferralOutcome(outcome.cleaned_data["outcome"]),
                        note=outcome.cleaned_data["note"],
                    )
                    messages.success(request, _("The outcome was recorded."))
                    return redirect("backoffice:referral_list")
        except NotAllowed as error:
            # Withdrawn meanwhile: say so, and show the referral as it is now (nothing personal).
            messages.error(request, str(error))
            referral.refresh_from_db()
            return self._render(request, referral)
        except StaleCase:
            messages.error(request, _("This referral changed meanwhile. Nothing was saved."))
            referral.refresh_from_db()
        return self._render(request, referral, decline, outcome)

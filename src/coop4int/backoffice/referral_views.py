"""Partner organisations' view of the referrals they received: only what was shared, and only
while the referral stands and the person's consent to share lasts."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_forms import DeclineForm, OutcomeForm
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain import referrals as domain
from coop4int.cases.domain.cases import NotAllowed, StaleCase
from coop4int.cases.enums import ReferralOutcome
from coop4int.cases.models import Referral
from coop4int.core.languages import REGISTRY


class ReferralListView(StaffView):
    permission = Permission.ANSWER_REFERRALS

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = (
            domain.referrals_for_user(self.user)
            .select_related("case__unit")
            .order_by("-sent_at", "-pk")
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "backoffice/referral_list.html",
            {"page": page, "copies": [domain.partner_copy(r) for r in page], "query": ""},
        )


def _accept(act: Acting[Referral]) -> str:
    domain.accept_referral(actor=act.actor, referral=act.obj)
    return _("You accepted the referral.")


def _decline(act: Acting[Referral]) -> str:
    domain.decline_referral(actor=act.actor, referral=act.obj, reason=act.data["reason"])
    return _("You declined the referral.")


def _record_outcome(act: Acting[Referral]) -> str:
    domain.record_outcome(
        actor=act.actor, referral=act.obj, outcome=ReferralOutcome(act.data["outcome"]),
        note=act.data["note"],
    )  # fmt: skip
    return _("The outcome was recorded.")


class ReferralDetailView(ActionPage[Referral], StaffView):
    """A referral as its partner sees it: who referred the person and under which case, what
    was shared (only while the referral stands and the person's consent lasts), and the
    partner's answer — accept or decline, then the outcome with a note for the unit."""

    permission = Permission.ANSWER_REFERRALS
    actions = ActionTable[Referral](
        Action("accept", forms.Form, _accept, "answer", shows_form=False),
        Action("decline", DeclineForm, _decline, "answer"),
        Action("outcome", OutcomeForm, _record_outcome, "answer"),
    )
    # Withdrawn meanwhile (by the unit, or with the person's consent), or answered meanwhile.
    conflicts = (NotAllowed, StaleCase)

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Referral:
        return domain.get_referral_for_user(self.user, kwargs["referral_id"])

    def page_url(self, obj: Referral) -> str:
        return reverse("backoffice:referral_detail", kwargs={"referral_id": obj.pk})

    def render_page(
        self, request: HttpRequest, obj: Referral, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        referral = obj
        copy = domain.partner_copy(referral)
        language = REGISTRY.get(copy.shared.get("language", ""))
        case = referral.case
        return render(
            request,
            "backoffice/referral_detail.html",
            {
                "referral": referral,
                "copy": copy,
                "referring_unit": case.unit.name,
                # The case's reference only with what was shared: once the referral or the
                # consent is withdrawn, nothing ties it to the person any more.
                "case_reference": case.reference if copy.shared else "",
                "language": language.native_name if language else "",
                "decline_form": bound.get("decline") or DeclineForm(),
                "outcome_form": bound.get("outcome") or OutcomeForm(),
            }
            | self.section_context(request, referral),
        )

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, referral_id=referral_id), {})

    def conflict(
        self,
        request: HttpRequest,
        obj: Referral,
        action: Action[Referral],
        form: forms.Form,
        error: Exception,
    ) -> HttpResponse:
        """Say why, and show the referral as it is now: once withdrawn, with nothing personal
        and nothing to answer; answered meanwhile, with what was typed."""
        obj.refresh_from_db()
        if isinstance(error, StaleCase):
            messages.error(request, _("This referral changed meanwhile. Nothing was saved."))
            return self.show_again(request, obj, action, {action.key: form})
        messages.error(request, str(error))
        return self.show_again(request, obj, action, {})

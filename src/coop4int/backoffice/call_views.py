"""The phone line's screen: who is calling, their open cases, log the call, call back."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_forms import CallBackDoneForm, CallerForm, CallForm
from coop4int.backoffice.case_views import hand_over_tracking_link
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain import calls
from coop4int.cases.domain.cases import NotAllowed
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.enums import Direction
from coop4int.cases.models import CallBack


def _log_call(act: Acting[None]) -> Done:
    data = act.data
    form = act.form
    assert isinstance(form, CallForm)
    case = form.chosen_case()
    if case is None and not (data["subject"] or data["summary"]):
        raise ValidationError({"subject": _("Give the new case a subject.")})
    try:
        interaction, secret = calls.log_call(
            actor=act.actor, number=data["number"], direction=Direction(data["direction"]),
            summary=data["summary"],
            duration_seconds=data["duration_minutes"] * 60
            if data["duration_minutes"] is not None else None,
            language=data["language"], interpreter=data["interpreter"], case=case,
            subject=data["subject"], person=form.chosen_person(),
        )  # fmt: skip
    except NotAllowed as error:
        raise ValidationError(str(error)) from error
    if data["callback_at"]:
        calls.schedule_callback(
            actor=act.actor, case=interaction.case, phone=data["number"],
            due_at=data["callback_at"],
        )  # fmt: skip
    if secret:
        hand_over_tracking_link(act.request, interaction.case, secret)
    # The call goes on on its case: the page that shows it (and the link to hand over).
    return Done(
        _("The call was logged on case %(reference)s.") % {"reference": interaction.case.reference},
        to=reverse("backoffice:case_detail", kwargs={"reference": interaction.case.reference}),
    )


def _callback_done(act: Acting[None]) -> str:
    calls.mark_callback_done(actor=act.actor, callback=act.data["callback"])
    return _("The call-back is marked as made.")


class PhoneLineView(ActionPage[None], StaffView):
    permission = Permission.WORK_CASES
    actions = ActionTable[None](
        # Logged, the call is on its case: the case's page is where it goes on.
        Action("log_call", CallForm, _log_call, "caller", leaves=True,
               options=lambda page, _none: {"caller": page.posted_caller()}),
        Action("callback_done", CallBackDoneForm, _callback_done, "callbacks", shows_form=False,
               options=lambda page, _none: {"callbacks": page.callbacks()}),
        default="log_call",
    )  # fmt: skip

    _caller: calls.Caller | None = None

    def posted_caller(self) -> calls.Caller:
        """Who calls from the number posted with the call (looked up, and audited, once)."""
        if self._caller is None:
            self._caller = calls.caller(self.user, self.request.POST.get("number", ""))
        return self._caller

    def callbacks(self) -> QuerySet[CallBack]:
        return CallBack.objects.filter(case__in=cases_for_user(self.user))

    def action_object(self, request: HttpRequest, **kwargs: Any) -> None:
        return None

    def page_url(self, obj: None) -> str:
        return reverse("backoffice:phone_line")

    def _render(
        self, request: HttpRequest, caller_form: CallerForm, call_form: CallForm | None,
        caller: calls.Caller | None,
    ) -> HttpResponse:  # fmt: skip
        return render(
            request,
            "backoffice/phone_line.html",
            {
                "caller_form": caller_form,
                "call_form": call_form,
                "caller": caller,
                "callbacks": calls.callbacks_due(self.user)[:50],
            }
            | self.section_context(request, None),
        )

    def render_page(
        self, request: HttpRequest, obj: None, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        """Shown again after a call that could not be logged: the caller as posted."""
        call_form = bound.get("log_call")
        assert isinstance(call_form, CallForm)
        number = request.POST.get("number", "")
        return self._render(
            request, CallerForm(initial={"number": number}), call_form, self.posted_caller()
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        caller_form = CallerForm(request.GET or None)
        if not caller_form.is_valid():
            return self._render(request, caller_form, None, None)
        number = caller_form.cleaned_data["number"]
        caller = calls.caller(self.user, number)
        language = caller.people[0].preferred_language if caller.people else "pt"
        call_form = CallForm(initial={"number": number, "language": language}, caller=caller)
        return self._render(request, caller_form, call_form, caller)

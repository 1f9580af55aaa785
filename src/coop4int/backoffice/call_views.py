"""The phone line's screen: who is calling, their open cases, log the call, call back."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_forms import CallerForm, CallForm
from coop4int.backoffice.case_views import hand_over_tracking_link
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain import calls
from coop4int.cases.domain.cases import NotAllowed
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.enums import Direction
from coop4int.cases.models import CallBack


class PhoneLineView(StaffView):
    permission = Permission.WORK_CASES

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
            },
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

    def post(self, request: HttpRequest) -> HttpResponse:
        if "done" in request.POST:
            done = request.POST.get("done", "")
            callback = (
                CallBack.objects.filter(pk=int(done), case__in=cases_for_user(self.user)).first()
                if done.isascii() and done.isdigit() and len(done) <= 18
                else None
            )
            if callback is not None:
                calls.mark_callback_done(actor=self.user, callback=callback)
            return redirect("backoffice:phone_line")
        number = request.POST.get("number", "")
        caller = calls.caller(self.user, number)
        form = CallForm(request.POST, caller=caller)
        if not form.is_valid():
            return self._render(request, CallerForm(initial={"number": number}), form, caller)
        data = form.cleaned_data
        case = form.chosen_case()
        if case is None and not (data["subject"] or data["summary"]):
            form.add_error("subject", _("Give the new case a subject."))
            return self._render(request, CallerForm(initial={"number": number}), form, caller)
        try:
            interaction, secret = calls.log_call(
                actor=self.user, number=data["number"], direction=Direction(data["direction"]),
                summary=data["summary"],
                duration_seconds=data["duration_minutes"] * 60
                if data["duration_minutes"] is not None else None,
                language=data["language"], interpreter=data["interpreter"], case=case,
                subject=data["subject"], person=form.chosen_person(),
            )  # fmt: skip
        except NotAllowed as error:
            form.add_error(None, str(error))
            return self._render(request, CallerForm(initial={"number": number}), form, caller)
        if data["callback_at"]:
            calls.schedule_callback(
                actor=self.user, case=interaction.case, phone=data["number"],
                due_at=data["callback_at"],
            )  # fmt: skip
        messages.success(
            request,
            _("The call was logged on case %(reference)s.")
            % {"reference": interaction.case.reference},
        )
        if secret:
            hand_over_tracking_link(request, interaction.case, secret)
        return redirect("backoffice:case_detail", reference=interaction.case.reference)

"""Correcting the language of a case: the language an e-mail was detected to be in, or any
other. A page of its own (a POST from the case page), so that the case page's view stays as it
is."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_language_forms import CaseLanguageForm
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.case_language import correct_case_language, language_of_case
from coop4int.cases.domain.cases import NotAllowed, StaleCase
from coop4int.cases.domain.queries import get_case_for_user


class CaseLanguageView(StaffView):
    permission = Permission.WORK_CASES

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        case = get_case_for_user(self.user, reference)
        form = CaseLanguageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a language from the list. Nothing was changed."))
            return redirect("backoffice:case_detail", reference=case.reference)
        try:
            changed = correct_case_language(
                actor=self.user,
                case=case,
                language=form.cleaned_data["language"],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleCase, NotAllowed) as error:
            messages.error(request, str(error))
        else:
            name = language_of_case(case).name
            if changed:
                messages.success(
                    request,
                    _("The person is now answered in %(language)s.") % {"language": name},
                )
            else:
                messages.info(
                    request,
                    _("The person was already answered in %(language)s. Nothing was changed.")
                    % {"language": name},
                )
        return redirect("backoffice:case_detail", reference=case.reference)

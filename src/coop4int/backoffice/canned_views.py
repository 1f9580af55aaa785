"""Coordinators keep the canned answers, per topic and language."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.canned import PLACEHOLDERS, save_canned_answer
from coop4int.cases.models import CannedAnswer
from coop4int.core.languages import language_choices
from coop4int.directory.models import TaxonomyTerm


class CannedAnswerForm(forms.Form):
    answer = forms.ModelChoiceField(
        label=gettext_lazy("Answer"), queryset=CannedAnswer.objects.all(), required=False,
        empty_label=gettext_lazy("A new answer"),
    )  # fmt: skip
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"), queryset=TaxonomyTerm.objects.order_by("name"),
        required=False, empty_label=gettext_lazy("Any topic"),
    )  # fmt: skip
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=language_choices())
    body = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    whatsapp_template = forms.CharField(
        label=gettext_lazy("Approved WhatsApp template name"), max_length=100, required=False
    )


class CannedAnswersView(StaffView):
    permission = Permission.MANAGE_CANNED_ANSWERS

    def _render(self, request: HttpRequest, form: CannedAnswerForm) -> HttpResponse:
        answers = CannedAnswer.objects.select_related("topic").prefetch_related("texts")
        context: dict[str, Any] = {
            "answers": answers,
            "form": form,
            "placeholders": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
        }
        return render(request, "backoffice/canned_answers.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CannedAnswerForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CannedAnswerForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        save_canned_answer(
            actor=self.user, answer=data["answer"], title=data["title"], topic=data["topic"],
            language=data["language"], body=data["body"],
            whatsapp_template=data["whatsapp_template"],
        )  # fmt: skip
        messages.success(request, _("The answer was saved."))
        return redirect("backoffice:canned_answers")

"""Coordinators keep the canned answers, per topic and language."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.forms import TopicChoiceField
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable
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
    topic = TopicChoiceField(
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


def _save(act: Acting[None]) -> str:
    data = act.data
    save_canned_answer(
        actor=act.actor, answer=data["answer"], title=data["title"], topic=data["topic"],
        language=data["language"], body=data["body"],
        whatsapp_template=data["whatsapp_template"],
    )  # fmt: skip
    return _("The answer was saved.")


class CannedAnswersView(ActionPage[None], StaffView):
    permission = Permission.MANAGE_CANNED_ANSWERS
    actions = ActionTable[None](Action("save", CannedAnswerForm, _save, "add"), default="save")

    def action_object(self, request: HttpRequest, **kwargs: Any) -> None:
        return None

    def page_url(self, obj: None) -> str:
        return reverse("backoffice:canned_answers")

    def render_page(
        self, request: HttpRequest, obj: None, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        answers = CannedAnswer.objects.select_related("topic").prefetch_related("texts")
        context: dict[str, Any] = {
            "answers": answers,
            "form": bound.get("save") or CannedAnswerForm(),
            "placeholders": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
        } | self.section_context(request, None)
        return render(request, "backoffice/canned_answers.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, None, {})

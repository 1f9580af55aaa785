"""The editors' queue of feedback from the public."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable
from coop4int.backoffice.views import StaffView
from coop4int.content.domain.feedback import reply_to_feedback, set_feedback_status
from coop4int.content.enums import FeedbackStatus
from coop4int.content.models import Feedback


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 6}))


class FeedbackStatusForm(forms.Form):
    """Posted by one button per status."""

    status = forms.ChoiceField(choices=FeedbackStatus.choices)


def _set_status(act: Acting[Feedback]) -> str:
    set_feedback_status(
        actor=act.actor, feedback=act.obj, status=FeedbackStatus(act.data["status"])
    )
    return _("The status was changed.")


def _reply(act: Acting[Feedback]) -> str:
    reply_to_feedback(actor=act.actor, feedback=act.obj, text=act.data["reply"])
    return _("Your reply was sent.")


class FeedbackQueueView(StaffView):
    permission = Permission.EDIT_CONTENT

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", FeedbackStatus.NEW)
        if status not in FeedbackStatus.values and status != "all":
            status = FeedbackStatus.NEW
        entries = Feedback.objects.all()
        if status != "all":
            entries = entries.filter(status=status)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "backoffice/feedback_queue.html",
            {"page": page, "status": status, "statuses": FeedbackStatus.choices,
             "query": f"status={status}"},
        )  # fmt: skip


class FeedbackView(ActionPage[Feedback], StaffView):
    permission = Permission.EDIT_CONTENT
    actions = ActionTable[Feedback](
        Action("status", FeedbackStatusForm, _set_status, "status", shows_form=False),
        Action("reply", ReplyForm, _reply, "reply"),
        default="reply",
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Feedback:
        return get_object_or_404(Feedback, pk=kwargs["feedback_id"])

    def page_url(self, obj: Feedback) -> str:
        return reverse("backoffice:feedback_detail", kwargs={"feedback_id": obj.pk})

    def render_page(
        self, request: HttpRequest, obj: Feedback, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        return render(
            request,
            "backoffice/feedback_detail.html",
            {
                "feedback": obj,
                "form": bound.get("reply") or ReplyForm(),
                "statuses": FeedbackStatus.choices,
            }
            | self.section_context(request, obj),
        )

    def get(self, request: HttpRequest, feedback_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, feedback_id=feedback_id), {})

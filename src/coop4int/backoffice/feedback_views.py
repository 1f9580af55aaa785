"""The editors' queue of feedback from the public."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.views import StaffView
from coop4int.content.domain.feedback import reply_to_feedback, set_feedback_status
from coop4int.content.enums import FeedbackStatus
from coop4int.content.models import Feedback


class ReplyForm(forms.Form):
    reply = forms.CharField(label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 6}))


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


class FeedbackView(StaffView):
    permission = Permission.EDIT_CONTENT

    def _render(self, request: HttpRequest, feedback: Feedback, form: ReplyForm) -> HttpResponse:
        return render(
            request,
            "backoffice/feedback_detail.html",
            {"feedback": feedback, "form": form, "statuses": FeedbackStatus.choices},
        )

    def get(self, request: HttpRequest, feedback_id: int) -> HttpResponse:
        feedback = get_object_or_404(Feedback, pk=feedback_id)
        return self._render(request, feedback, ReplyForm())

    def post(self, request: HttpRequest, feedback_id: int) -> HttpResponse:
        feedback = get_object_or_404(Feedback, pk=feedback_id)
        status = request.POST.get("status")
        if status is not None:
            if status in FeedbackStatus.values:
                set_feedback_status(
                    actor=self.user, feedback=feedback, status=FeedbackStatus(status)
                )
                messages.success(request, _("The status was changed."))
            return redirect("backoffice:feedback_detail", feedback_id=feedback.pk)
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                reply_to_feedback(
                    actor=self.user, feedback=feedback, text=form.cleaned_data["reply"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your reply was sent."))
                return redirect("backoffice:feedback_queue")
        return self._render(request, feedback, form)

"""Background work of the local plans. Tasks take ids and are safe to run twice (a second run
sends the same e-mails again, nothing else)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.core.bidi import isolate_runs_for_language
from coop4int.localplans.models import Plan, PlanComment
from coop4int.localplans.scope import coordinated_municipalities
from coop4int.observatory.texts import text_in


def plan_coordinators(plan: Plan) -> list[User]:
    """The active municipal coordinators of a municipality ``plan`` covers who have an
    e-mail address, in a stable order."""
    codes = set(plan.municipalities.values_list("code", flat=True))
    candidates = (
        User.objects.filter(
            is_active=True,
            unit__isnull=False,
            role_assignments__role=Role.MUNICIPAL_COORDINATOR,
        )
        .exclude(email="")
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    return [user for user in candidates if coordinated_municipalities(user) & codes]


@task()
def tell_coordinators_of_comment(comment_id: int) -> int:
    """E-mail the plan's coordinators, each in their language, that a comment or a proposal
    on the plan arrived from the public: which plan, what kind, when — neither the message
    nor who sent it (those who may, read it in the back office). Returns how many mails
    went."""
    comment = PlanComment.objects.select_related("plan", "feedback").filter(pk=comment_id).first()
    if comment is None:
        return 0
    sent = 0
    for coordinator in plan_coordinators(comment.plan):
        language = coordinator.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "user": coordinator,
                "comment": comment,
                "plan_title": text_in(comment.plan.title, language).text,
                "received_at": comment.feedback.received_at,
            }
            subject = render_to_string(
                "localplans/email/comment_received_subject.txt", context
            ).strip()
            body = render_to_string("localplans/email/comment_received.txt", context)
        send_mail(subject, isolate_runs_for_language(body, language), None, [coordinator.email])
        sent += 1
    return sent

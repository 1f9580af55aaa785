"""The public's comment or proposal on a local integration plan, sent without an account
(``localplans.domain.comments.send_comment``: the feedback queue, routed to the plan's
coordinators)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.localplans.enums import CommentKind
from coop4int.portal.abuse import honeypot_field

MESSAGE_MAX_LENGTH = 4000


class PlanCommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like to send?"),
        choices=CommentKind.choices,
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_(
            "Please do not write the names of other people or anything about their health."
        ),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail, if you would like an answer (optional)"), required=False
    )
    website = honeypot_field()

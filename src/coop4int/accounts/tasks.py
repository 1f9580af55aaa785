"""Background work of the accounts app. Tasks take ids and are safe to run twice."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from coop4int.accounts.models import User


def _password_link(user: User, base_url: str) -> str:
    return base_url.rstrip("/") + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@task()
def send_password_reset(user_ids: list[int], base_url: str, language: str) -> int:
    """E-mail each account a link to choose a new password, in the account's language (else
    ``language``, the page's where it was asked). Returns how many mails were sent.

    Running it twice sends second, equally valid links; nothing else changes. The accounts were
    chosen when it was asked (``domain.password_reset``); one disabled since gets nothing."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        with translation.override(user.language or language or settings.LANGUAGE_CODE):
            context = {"user": user, "link": _password_link(user, base_url)}
            subject = render_to_string("accounts/email/password_reset_subject.txt", context).strip()
            body = render_to_string("accounts/email/password_reset.txt", context)
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


@task()
def send_account_invitation(user_id: int, base_url: str) -> bool:
    """E-mail a new account's holder a link to choose their password, in their language.

    Running it twice sends a second, equally valid link; nothing else changes."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    link = _password_link(user, base_url)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "link": link}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])
    return True

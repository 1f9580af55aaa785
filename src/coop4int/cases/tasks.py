"""Delivering what officers write to a person, on the case's channel. Tasks take ids and are
safe to run twice: a message already sent is not sent again."""

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case, Interaction
from coop4int.channels.providers import deliver_text_message
from coop4int.core.bidi import isolate_runs_for_language
from coop4int.core.languages import interface_language_for


def email_subject(reference: str, subject: str) -> str:
    return f"[{reference}] {subject}"[:200]


@task()
def deliver_interaction(interaction_id: int) -> str:
    """Send an outgoing message; returns its delivery state (sent, failed, or skipped)."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(of=("self",))
            .select_related("case", "case__person", "case__unit")
            .filter(pk=interaction_id, direction=Direction.OUT)
            .first()
        )
        if interaction is None or interaction.delivery != "queued":
            return interaction.delivery if interaction else "skipped"
        case = interaction.case
        address = case.reply_email or _person_email(case)
        if interaction.channel in (Channel.EMAIL, Channel.WEB) and address:
            message_id = make_msgid(domain=settings.CASES_MAIL_DOMAIN)
            previous = [
                value
                for value in case.interactions.filter(channel=Channel.EMAIL)
                .exclude(pk=interaction.pk)
                .values_list("message_id", flat=True)
                if value
            ]
            with translation.override(interface_language_for(case.language)):
                rendered = render_to_string(
                    "cases/email/reply.txt",
                    {"case": case, "interaction": interaction,
                     "tracking_url": settings.PUBLIC_URL.rstrip("/") + "/"},
                )  # fmt: skip
            # The reply is written in the person's language: numbers in order if it is RTL.
            body = isolate_runs_for_language(rendered, case.language)
            headers = {"Message-ID": message_id}
            if previous:
                headers["In-Reply-To"] = previous[-1]
                headers["References"] = " ".join(previous[-10:])
            try:
                message = EmailMessage(
                    email_subject(case.reference, case.subject),
                    body,
                    settings.CASES_FROM_EMAIL,
                    [address],
                    headers=headers,
                )
                for attached in interaction.files.all():
                    with attached.file.open("rb") as handle:
                        message.attach(attached.filename, handle.read(), attached.content_type)
                message.send()
            except OSError as error:
                interaction.delivery = "failed"
                interaction.delivery_error = str(error)[:300]
            else:
                interaction.delivery = "sent"
                interaction.message_id = message_id
        elif interaction.channel in (Channel.SMS, Channel.WHATSAPP):
            # Sets delivery (sent or failed, with the reason) and the provider's message id.
            deliver_text_message(interaction)
        else:
            # Web replies without an address are read on the tracking page.
            interaction.delivery = "sent" if interaction.channel == Channel.WEB else "failed"
            if interaction.delivery == "failed":
                interaction.delivery_error = "no address for this channel"
        interaction.save(update_fields=["delivery", "delivery_error", "message_id"])
        return interaction.delivery


def _person_email(case: Case) -> str:
    person = case.person
    if person is None:
        return ""
    contact = person.contacts.filter(kind="email").order_by("pk").first()
    return contact.value if contact else ""

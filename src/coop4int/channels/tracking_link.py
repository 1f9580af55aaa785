"""A person's tracking link by SMS, for someone without e-mail who would rather not copy it by
hand: written in the case's language and sent at once through the configured gateway
(``providers.message_sender``, as replies go). The text holds the link's secret, so it is kept
nowhere — not on the timeline, not in a task's arguments — and the audit entry names only the
number's last digits."""

from django.template.loader import render_to_string
from django.utils import translation

from coop4int.cases.models import Case
from coop4int.channels.email_in import tracking_url
from coop4int.channels.providers import MessageSender, SendFailed, UnknownProvider, message_sender
from coop4int.core import audit
from coop4int.core.languages import interface_language_for


def tracking_link_text(case: Case, secret: str) -> str:
    """The SMS: the reference and the link, in the case's language."""
    language = interface_language_for(case.language)
    with translation.override(language):
        text = render_to_string(
            "cases/sms/tracking_link.txt",
            {
                "reference": case.reference,
                "tracking_url": tracking_url(case.reference, secret, language),
            },
        )
    return text.strip()


def send_tracking_link_by_sms(
    case: Case, secret: str, *, to: str, sender: MessageSender | None = None
) -> None:
    """Send ``case``'s tracking link to the E.164 number ``to``. Raises SendFailed when the
    gateway is unknown, not configured or refuses the message (nothing is recorded then).

    Side effects: audit ``cases.case.tracking_sent`` (the number masked)."""
    body = tracking_link_text(case, secret)
    try:
        gateway = sender if sender is not None else message_sender()
    except UnknownProvider as unknown:
        raise SendFailed(f"messaging provider {unknown} is not known") from unknown
    gateway.send(to, body, whatsapp=False)
    audit.record(
        action="cases.case.tracking_sent", actor=None, obj=case, unit=case.unit,
        data={"channel": "sms", "to": audit.mask(to)},
    )  # fmt: skip

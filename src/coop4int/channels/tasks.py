"""Background work of the channels. Tasks take ids (or nothing) and are safe to run twice."""

from django_tasks import task

from coop4int.cases.models import Mailbox
from coop4int.channels.imap import poll


@task()
def poll_mailboxes() -> int:
    """File the unseen messages of every active unit mailbox; returns how many were filed."""
    return sum(poll(mailbox).filed for mailbox in Mailbox.objects.filter(is_active=True))

"""Polling the units' IMAP mailboxes: every unseen message is filed like one piped to
``ingest_email`` (stored once by Message-ID, so a poll cut short is simply run again), then
flagged seen. A refused message is flagged too, and logged, so that it does not block the
mailbox."""

import contextlib
import imaplib
import logging
import os
from dataclasses import dataclass

from django.utils import timezone

from coop4int.cases.models import Mailbox
from coop4int.channels.email_in import MessageRefused, file_message

logger = logging.getLogger("coop4int.channels.email")

IMAPError = imaplib.IMAP4.error

# At most this many messages per mailbox and poll: a flooded mailbox cannot starve the others.
BATCH = 200


@dataclass(frozen=True, slots=True)
class PollResult:
    filed: int = 0
    refused: int = 0
    error: str = ""


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    connection_class = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
    connection = connection_class(mailbox.host, mailbox.port, timeout=30)
    connection.login(mailbox.username, os.environ.get(mailbox.password_env, ""))
    return connection


def poll(mailbox: Mailbox) -> PollResult:
    """File the mailbox's unseen messages; the outcome is kept on the mailbox."""
    filed = refused = 0
    error = ""
    try:
        connection = connect(mailbox)
        try:
            status, _data = connection.select(mailbox.folder)
            if status != "OK":
                raise IMAPError(f"cannot open folder {mailbox.folder}")
            _status, found = connection.uid("SEARCH", "UNSEEN")
            uids = [uid.decode() for uid in (found[0] or b"").split()[:BATCH]]
            for uid in uids:
                _status, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next(
                    (part[1] for part in parts if isinstance(part, tuple) and len(part) > 1),
                    b"",
                )
                try:
                    file_message(raw, unit=mailbox.unit)
                    filed += 1
                except MessageRefused as refusal:
                    refused += 1
                    logger.warning("mailbox %s: message %s refused: %s", mailbox, uid, refusal)
                connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(OSError, IMAPError):
                connection.logout()
    except (OSError, IMAPError) as failure:
        error = str(failure)[:300] or failure.__class__.__name__
        logger.warning("mailbox %s: %s", mailbox, error)
    mailbox.last_polled_at = timezone.now()
    mailbox.last_error = error
    mailbox.save(update_fields=["last_polled_at", "last_error"])
    return PollResult(filed=filed, refused=refused, error=error)

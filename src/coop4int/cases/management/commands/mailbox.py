"""`coop4int mailbox`: the IMAP mailboxes polled for each unit.

    coop4int mailbox add --unit praia --host imap.example.org --user praia@example.org \\
        --password-env PRAIA_MAILBOX_PASSWORD [--port 993] [--no-ssl] [--folder INBOX]
    coop4int mailbox list
    coop4int mailbox poll         # now, instead of waiting for the periodic job
    coop4int mailbox disable ID

The password is never stored: the mailbox names the environment variable that holds it.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coop4int.accounts.models import Unit
from coop4int.cases.models import Mailbox
from coop4int.channels.imap import poll


class Command(BaseCommand):
    help = "Add, list, poll or disable the IMAP mailboxes read for each unit."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add")
        add.add_argument("--unit", required=True)
        add.add_argument("--host", required=True)
        add.add_argument("--user", required=True)
        add.add_argument("--password-env", required=True)
        add.add_argument("--port", type=int, default=993)
        add.add_argument("--no-ssl", action="store_true")
        add.add_argument("--folder", default="INBOX")
        actions.add_parser("list")
        actions.add_parser("poll")
        disable = actions.add_parser("disable")
        disable.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            unit = Unit.objects.filter(slug=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit {options['unit']!r}.")
            mailbox = Mailbox.objects.create(
                unit=unit, host=options["host"], port=options["port"],
                use_ssl=not options["no_ssl"], username=options["user"],
                password_env=options["password_env"], folder=options["folder"],
            )  # fmt: skip
            self.stdout.write(f"{mailbox.pk} {mailbox} for {unit.slug}")
        elif action == "list":
            for mailbox in Mailbox.objects.select_related("unit").order_by("pk"):
                state = "active" if mailbox.is_active else "disabled"
                last = mailbox.last_polled_at.isoformat() if mailbox.last_polled_at else "never"
                error = f" error: {mailbox.last_error}" if mailbox.last_error else ""
                self.stdout.write(
                    f"{mailbox.pk} {mailbox} {mailbox.folder} unit={mailbox.unit.slug} {state} "
                    f"polled={last}{error}"
                )
        elif action == "poll":
            for mailbox in Mailbox.objects.filter(is_active=True).order_by("pk"):
                result = poll(mailbox)
                self.stdout.write(
                    f"{mailbox}: {result.filed} filed, {result.refused} refused"
                    + (f", error: {result.error}" if result.error else "")
                )
        else:
            if not Mailbox.objects.filter(pk=options["id"]).update(is_active=False):
                raise CommandError(f"No mailbox {options['id']}.")
            self.stdout.write(f"{options['id']} disabled")

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from coop4int.demo import (
    appointments,
    cases,
    content,
    directory,
    learning,
    localplans,
    observatory,
    organisation,
)


class Command(BaseCommand):
    help = "Load the demo data (units, partner organisations, one account per role). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = organisation.load()
        directory.load()
        content.load()
        cases.load()
        now = timezone.now()
        appointments.load(now=now)
        learning.load(now=now)
        observatory.load(now=now)
        localplans.load(now=now)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(accounts)} demo accounts."))

from typing import Any

from django.core.management.base import BaseCommand

from coop4int.core.periodic import run_due


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due (for deployments that use cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in run_due():
            self.stdout.write(f"enqueued {name}")

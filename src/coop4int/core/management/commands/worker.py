"""`coop4int worker`: django-tasks-db's worker, plus a heartbeat that /health/ reads."""

import os
import socket
import threading
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from coop4int.core.health import HEARTBEAT_INTERVAL
from coop4int.core.models import WorkerHeartbeat
from coop4int.core.periodic import run_due


class Heartbeat(threading.Thread):
    """Says the worker is alive, and hands due periodic jobs to the queue."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="coop4int-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "last_seen": now,
            },
            create_defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen": now,
            },
        )

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.beat()
                run_due()
            except Exception:  # noqa: S110 - a missed beat shows in /health/, that is its purpose
                pass
            finally:
                close_old_connections()
            self.stopped.wait(HEARTBEAT_INTERVAL.total_seconds())


class Command(DBWorkerCommand):
    help = "Run the background task worker (database backend) and report its heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
            WorkerHeartbeat.objects.filter(worker_id=heartbeat.worker_id).delete()

"""`coop4int serve --port N`: the production web server (gunicorn) and the task worker."""

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from coop4int.core.health import task_backend


class Command(BaseCommand):
    help = "Serve the platform with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    @staticmethod
    def worker_command(backend: str) -> list[str]:
        """The worker for the configured task backend; none when tasks run in-process."""
        command = [sys.executable, "-m", "coop4int"]
        if backend.startswith("django_tasks_db"):
            return [*command, "worker", "--no-reload", "--queue-name", "*"]
        if backend.startswith("django_tasks_rq"):
            return [*command, "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
        return []

    def handle(self, *args: Any, **options: Any) -> None:
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "coop4int.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            # Masks tracking links, reset tokens and secret headers in every access-log line.
            "--logger-class",
            "coop4int.core.log_redaction.RedactingGunicornLogger",
            # The same proxies the application believes (settings.TRUSTED_PROXIES).
            "--forwarded-allow-ips",
            ",".join(settings.TRUSTED_PROXIES),
        ]
        processes = [subprocess.Popen(web)]  # noqa: S603 - our own interpreter and arguments
        worker = self.worker_command(task_backend())
        if worker and not options["no_worker"]:
            processes.append(subprocess.Popen(worker))  # noqa: S603

        def stop(signum: int, frame: object) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        try:
            # When one of the two stops, stop the other: a web server without its worker
            # would accept work that never gets done.
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        codes = [process.returncode for process in processes]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            sys.exit(1)

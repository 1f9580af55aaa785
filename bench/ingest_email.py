"""How many e-mails per second ``ingest_email`` files (goal: at least 50), through the same
function the command calls, each message in its own transaction, acknowledgements included
(sent to Django's in-memory mail backend, so no network time is counted).

    DATABASE_URL=sqlite:///$PWD/var/bench/ingest.sqlite3 .venv/bin/python bench/ingest_email.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_ingest \
        .venv/bin/python bench/ingest_email.py

Half the messages open a new case from a new sender; the other half answer one of them by
In-Reply-To, as a mailbox mixes them."""

import os
import sys
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from coop4int.accounts.enums import UnitKind  # noqa: E402
from coop4int.accounts.models import Unit  # noqa: E402
from coop4int.channels.email_in import file_message  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000"))


def message(n: int, run: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Pessoa {n} <pessoa{n // 2}.{run}@example.org>"
    mail["To"] = "apoio@example.org"
    mail["Subject"] = f"Pedido de informação {n}"
    mail["Message-ID"] = f"<{run}.{n}@example.org>"
    if n % 2:
        mail["In-Reply-To"] = f"<{run}.{n - 1}@example.org>"
    mail.set_content("Bom dia, gostaria de saber como renovar a autorização de residência.\n" * 5)
    return bytes(mail)


def main() -> None:
    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unit, _ = Unit.objects.get_or_create(
        slug="bench-ingest", defaults={"name": "Unit", "kind": UnitKind.LOCAL_UNIT}
    )
    run = str(time.time_ns())
    raws = [message(n, run) for n in range(MESSAGES)]
    started = time.perf_counter()
    for raw in raws:
        file_message(raw, unit=unit)
    elapsed = time.perf_counter() - started
    print(f"{MESSAGES} messages in {elapsed:.1f} s: {MESSAGES / elapsed:.0f} messages per second")


if __name__ == "__main__":
    main()

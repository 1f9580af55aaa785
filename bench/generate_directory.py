"""Fill a database with N services (default 10,000), each at its own location with three
schedule rows, languages, an address and a topic; then build the public entries.

    DATABASE_URL=sqlite:///var/bench/bench.sqlite3 .venv/bin/python bench/generate_directory.py
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from coop4int.directory.domain.index import refresh_entries  # noqa: E402
from coop4int.directory.models import (  # noqa: E402
    Address,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTopic,
    TaxonomyTerm,
)

ISLANDS = [
    ("Santiago", "Praia", "PR"),
    ("São Vicente", "São Vicente", "SV"),
    ("Sal", "Sal", "SL"),
    ("Boa Vista", "Boa Vista", "BV"),
    ("Fogo", "São Filipe", "SF"),
]
WEEKDAYS = "MO,TU,WE,TH,FR"
LANGUAGES = ["pt", "kea", "en", "fr", "es", "wo", "ff", "zh", "man", "ar"]
WORDS = [
    "apoio",
    "imigração",
    "documentos",
    "saúde",
    "emprego",
    "formação",
    "habitação",
    "língua",
    "família",
    "jurídico",
]


def generate(count: int, seed: int) -> None:
    rng = random.Random(seed)
    terms = [TaxonomyTerm(name=f"Tema {n}", description="") for n in range(12)]
    TaxonomyTerm.objects.bulk_create(terms)
    organizations = [Organization(name=f"Organização {n}", description="bench") for n in range(50)]
    Organization.objects.bulk_create(organizations)
    locations, addresses, languages, services, sals, schedules, topics = [], [], [], [], [], [], []
    for n in range(count):
        island, municipality, subdivision = rng.choice(ISLANDS)
        location = Location(
            id=uuid.uuid4(),
            name=f"Local {n}",
            island=island,
            municipality=municipality,
            holiday_subdivision=subdivision,
            latitude=15 + rng.random(),
            longitude=-24 + rng.random(),
        )
        service = Service(
            id=uuid.uuid4(),
            organization=rng.choice(organizations),
            name=f"Serviço {n} {' '.join(rng.sample(WORDS, 2))}",
            description=" ".join(rng.sample(WORDS, 6)),
            walk_in=rng.random() < 0.5,
        )
        locations.append(location)
        services.append(service)
        addresses.append(
            Address(
                location=location,
                address_1=f"Rua {n}",
                city=municipality,
                state_province=island,
                country="CV",
            )
        )
        for code in rng.sample(LANGUAGES, 3):
            languages.append(Language(location=location, code=code))
        sals.append(ServiceAtLocation(service=service, location=location))
        opens = rng.choice([7, 8, 9])
        schedules += [
            Schedule(
                location=location,
                byday="MO,TU,WE,TH,FR",
                opens_at=clock(opens),
                closes_at=clock(12),
            ),
            Schedule(
                location=location,
                byday="MO,TU,WE,TH,FR",
                opens_at=clock(13),
                closes_at=clock(16 + rng.choice([0, 1, 2])),
            ),
            Schedule(location=location, byday="SA", opens_at=clock(9), closes_at=clock(12)),
        ]
        topics.append(ServiceTopic(service=service, taxonomy_term=rng.choice(terms)))
    with transaction.atomic():
        for model, rows in [
            (Location, locations),
            (Service, services),
            (Address, addresses),
            (Language, languages),
            (ServiceAtLocation, sals),
            (Schedule, schedules),
            (ServiceTopic, topics),
        ]:
            model.objects.bulk_create(rows, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Service.objects.exists():
        print(f"{Service.objects.count()} services already there; nothing generated.")
        return
    started = time.perf_counter()
    generate(args.services, args.seed)
    generated = time.perf_counter()
    written = refresh_entries()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as the database's own maintenance would, after a bulk load
    print(
        f"{args.services} services generated in {generated - started:.1f} s; "
        f"{written} entries built in {time.perf_counter() - generated:.1f} s"
    )


if __name__ == "__main__":
    main()

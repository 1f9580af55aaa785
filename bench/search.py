"""Server time of the search page over 10,000 items in 5 languages (50,000 documents).

    DATABASE_URL=sqlite:///var/bench/search.sqlite3 .venv/bin/python bench/search.py
The documents are generated on the first run (with ANALYZE): a title of three topic words and a
body of 80 words, one in ten a topic word (16 per language), the rest from 2,000 everyday words
per language. Then 200 searches of one or two topic words, accents left out, are timed through
the whole page (query, ranking, snippets, render)."""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from coop4int.core.models import SearchDocument  # noqa: E402
from coop4int.core.text_search import fold  # noqa: E402

ITEMS = int(os.environ.get("BENCH_ITEMS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
WORDS = {
    "pt": "imigração residência autorização saúde emprego formação habitação família escola "
    "documentos apoio jurídico nacionalidade vacinação língua trabalho",
    "en": "immigration residence permit health employment training housing family school "
    "documents support legal nationality vaccination language work",
    "fr": "immigration résidence titre santé emploi formation logement famille école "
    "documents soutien juridique nationalité vaccination langue travail",
    "es": "inmigración residencia permiso salud empleo formación vivienda familia escuela "
    "documentos apoyo jurídico nacionalidad vacunación idioma trabajo",
    "kea": "imigrason rezidénsia autorizason saúdi trabadju formason kaza família skola "
    "dokumentu apoiu jurídiku nasionalidadi vasinason língua serbisu",
}


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    """A language's everyday vocabulary, stood in for by pronounceable made-up words."""
    syllables = [c + v for c in "bdklmnrst" for v in "aeiou"]
    return [
        "".join(rng.choice(syllables) for _ in range(rng.choice([2, 3, 4]))) for _ in range(count)
    ]


def generate(rng: random.Random) -> None:
    rows = []
    everyday = {language: pseudo_words(rng, 2000) for language in WORDS}
    for n in range(ITEMS):
        for language, vocabulary in WORDS.items():
            words = vocabulary.split()
            title = " ".join(rng.sample(words, 3)).capitalize() + f" {n}"
            # Like a real card: mostly everyday words, some of the topic words.
            body = " ".join(
                rng.choice(words) if rng.random() < 0.1 else rng.choice(everyday[language])
                for _ in range(80)
            )
            rows.append(
                SearchDocument(
                    kind="content",
                    key=f"item-{n}",
                    language=language,
                    title=title,
                    body=body,
                    url=f"info/item-{n}/{language}/",
                    folded=fold(f"{title} {body}"),
                )
            )
    with transaction.atomic():
        SearchDocument.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    if not SearchDocument.objects.exists():
        started = time.perf_counter()
        generate(rng)
        print(
            f"{SearchDocument.objects.count()} documents in {time.perf_counter() - started:.0f} s"
        )
    client = Client()
    queries = []
    for _ in range(RUNS):
        language = rng.choice(list(WORDS))
        words = [fold(w) for w in rng.sample(WORDS[language].split(), rng.choice([1, 2]))]
        queries.append(
            (language if language in ("pt", "en", "fr", "kea") else "pt", " ".join(words))
        )
    client.get("/pt/search/?q=apoio")  # warm up
    samples = []
    for ui, query in queries:
        started = time.perf_counter()
        response = client.get(f"/{ui}/search/", {"q": query})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{connection.vendor}: {SearchDocument.objects.count()} documents, {RUNS} searches")
    print(f"search page   p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()

"""Importing a million SDMX-CSV observations: wall time and peak memory of the process.

    DATABASE_URL=sqlite:///$PWD/var/bench/observatory_import.sqlite3 \\
        .venv/bin/python bench/observatory_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_observatory_import \\
        .venv/bin/python bench/observatory_import.py

Writes an SDMX-CSV 2.0 file into a temporary folder — 20 years × 20 nationalities × 2 sexes ×
22 municipalities × 57 age groups: 1,003,200 observations (BENCH_YEARS changes the number of
years), about one in fifty withheld (CONF_STATUS C) and one in a hundred flagged estimated —
then imports it with ``coop4int import_dataset`` (``import_dataset``'s two passes: the
check, then the store) in a process of its own, as an analyst would, and prints its wall time
and the peak resident memory of that whole process (Linux's VmHWM: Django, the readers and the
database driver included; ``/usr/bin/time -v`` gives the same). Goal: at most 60 s and under
200 MB.

Then (BENCH_VERSIONS=0 to skip) the version's publication, and a second release of the same
file with one value in a hundred changed, imported and published over the first: the time
to supersede it and mark the revised observations in one statement.

Earlier runs' datasets of the bench indicator are deleted first."""

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from coop4int.observatory.domain.datasets import publish_dataset  # noqa: E402
from coop4int.observatory.enums import Concept  # noqa: E402
from coop4int.observatory.geography import MUNICIPALITIES  # noqa: E402
from coop4int.observatory.models import Dataset, Indicator, Observation  # noqa: E402

CODE = "BENCH_IMPORT"
YEARS = int(os.environ.get("BENCH_YEARS", "20"))
VERSIONS = os.environ.get("BENCH_VERSIONS", "1") != "0"
NATIONALITIES = ["CV", "GN", "SN", "GW", "NG", "PT", "BR", "CN", "IT", "ES", "FR", "US", "ST",
                 "AO", "GH", "ML", "MR", "GM", "SL", "_T"]  # fmt: skip
SEXES = ["F", "M"]
AGES = [f"Y{n}" for n in range(56)] + ["Y_GE56"]
DIMENSIONS = ["CITIZENSHIP", "SEX", "MUNICIPALITY", "AGE"]


def generate(path: Path, *, revised: bool = False) -> int:
    """The file, written a line at a time; returns the number of observations."""
    municipalities = sorted(MUNICIPALITIES)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "TIME_PERIOD",
                         "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"])  # fmt: skip
        for year in range(2025 - YEARS, 2025):
            for nationality in NATIONALITIES:
                for sex in SEXES:
                    for municipality in municipalities:
                        for age in AGES:
                            count += 1
                            value = (count * 7919) % 500
                            if revised and count % 100 == 0:
                                value += 1
                            status = "E" if count % 100 == 1 else ""
                            conf = "C" if count % 50 == 3 else "F"
                            writer.writerow(["dataflow", "BENCH:DF_IMPORT(1.0)", "I",
                                             nationality, sex, municipality, age, year, value,
                                             status, conf])  # fmt: skip
    return count


def clear() -> Indicator:
    indicator, _created = Indicator.objects.get_or_create(
        code=CODE,
        defaults={
            "names": {"en": "Benchmark: residents by nationality, sex, municipality and age"},
            "concept": Concept.FOREIGN_NATIONALS,
            "dimensions": DIMENSIONS,
            "source": "Generated",
        },
    )
    Observation.objects.filter(dataset__indicator=indicator).delete()
    # Newest first: a version replacing another protects it.
    for dataset in Dataset.objects.filter(indicator=indicator).order_by("-version"):
        dataset.delete()
    return indicator


# Runs the command and then writes the peak resident memory of its own process image to
# stderr: /proc's VmHWM, which starts at the exec, where ru_maxrss of a child would count the
# copy of this process it was forked from.
LAUNCH = """
import re, sys
from coop4int.__main__ import main
sys.argv = ["coop4int", *sys.argv[1:]]
try:
    main()
finally:
    with open("/proc/self/status") as status:
        print("peak-kb", re.search(r"VmHWM:\\s+(\\d+)", status.read())[1], file=sys.stderr)
"""


def run_command(path: Path, *extra: str) -> tuple[float, float, str]:
    """``coop4int import_dataset`` in a process of its own, as an analyst runs it: its wall
    time, its peak resident memory (MB) and the last word it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, "import_dataset", str(path), "--indicator", CODE,
         "--source", "Generated for the benchmark", *extra],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    print(done.stdout.rstrip())
    if done.returncode != 0:
        print(done.stderr)
        raise SystemExit(done.returncode)
    peak = int(done.stderr.split("peak-kb")[-1].split()[0]) / 1024
    return elapsed, peak, done.stdout.split()[-1]


def main() -> None:
    call_command("migrate", verbosity=0)
    clear()
    print(connection.vendor)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sdmx.csv"
        started = time.perf_counter()
        count = generate(path)
        size = path.stat().st_size / 1e6
        print(f"generated {count:,} observations, {size:.0f} MB, in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        elapsed, peak, public_id = run_command(path)
        print(
            f"import (coop4int import_dataset): {public_id}, {count:,} observations in "
            f"{elapsed:.1f} s ({count / elapsed:,.0f}/s); peak RSS of its process {peak:.0f} MB"
        )
        if not VERSIONS:
            return
        dataset = Dataset.objects.get(public_id=public_id)
        started = time.perf_counter()
        publish_dataset(dataset=dataset, actor=None)
        print(f"publish v1: {time.perf_counter() - started:.1f} s")
        generate(path, revised=True)
        elapsed, peak, public_id = run_command(path)
        started = time.perf_counter()
        second = publish_dataset(
            dataset=Dataset.objects.get(public_id=public_id),
            actor=None,
            revision_note="Benchmark revision.",
        )
        print(
            f"import v2: {elapsed:.1f} s, peak RSS {peak:.0f} MB; publish v2 over v1: "
            f"{time.perf_counter() - started:.1f} s, {second.revised_count:,} revised"
        )


if __name__ == "__main__":
    main()

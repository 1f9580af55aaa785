"""Settings for benchmarks: the platform's own, plus a bare view to compare against."""

from coop4int.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]

"""How often one client may do something — send a public form, have a text message sent — per
hour, counted where every process of every app server counts together: the default cache
(``settings.CACHES``; docs/adr/0013-shared-cache-and-proxies.md).

What a count guarantees:

- **No use is lost, whichever process counts it.** With Redis the count is one ``INCR`` (the
  window's expiry set with the first use in the same ``MULTI``); with the database cache the
  counter's row is locked for the read-and-write (an ``UPDATE`` of that row first, which
  PostgreSQL holds to the end of the transaction and SQLite, with ``IMMEDIATE`` transactions,
  holds for the whole database). Other caches (a process's memory, files) count each process
  apart or may lose a use when two count at once: development only.
- **The window is fixed from the first use** and does not slide: ``limit`` uses, then none
  until ``window`` seconds after the first.
- **Check, then count.** Views ask ``exceeded`` before the work and ``count`` after it
  succeeded, so that a refused or failed attempt costs nothing; a client that sends several
  requests at the very same moment can therefore get as many past the last free use as it has
  in flight at once — never more, and not across windows.

Only a hash of the address is kept, and only for the length of the window.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from typing import TypeGuard

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import router, transaction
from django.http import HttpRequest

from coop4int.core.client_address import client_address

# The value kept per key (except in Redis, where it is a plain integer): uses so far, and the
# time (seconds since the epoch) the window ends.
Counter = tuple[int, float]


def used(key: str) -> int:
    """How many uses ``key`` has in its current window."""
    value = caches[DEFAULT_CACHE_ALIAS].get(key)
    if isinstance(value, int):
        return value
    if _is_counter(value) and value[1] > time.time():
        return value[0]
    return 0


def hit(key: str, window: int) -> int:
    """Count one use of ``key``; returns the uses in the window so far, this one included. The
    window (``window`` seconds) starts with its first use."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _hit_redis(backend, key, window)
    if isinstance(backend, DatabaseCache):
        with transaction.atomic(using=router.db_for_write(backend.cache_model_class)):
            return _hit_locked(backend, key, window)
    return _hit_locked(backend, key, window)


def _hit_redis(backend: RedisCache, key: str, window: int) -> int:
    stored_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(stored_key, write=True)
    with client.pipeline(transaction=True) as pipeline:
        pipeline.set(stored_key, 0, ex=window, nx=True)
        pipeline.incr(stored_key)
        _created, count = pipeline.execute()
    return int(count)


def _hit_locked(backend: BaseCache, key: str, window: int) -> int:
    """Read and write the counter of ``key`` with its row locked (in the caller's transaction,
    on the database cache). ``touch`` is an ``UPDATE`` of the row when there is one — the lock —;
    when there is none, ``add`` inserts it, and the one process that loses that race to another
    waits for the other's row with ``touch``."""
    now = time.time()
    fresh: Counter = (0, now + window)
    if not backend.touch(key, window) and not backend.add(key, fresh, window):
        backend.touch(key, window)
    value = backend.get(key)
    count, ends = value if _is_counter(value) else fresh
    if ends <= now:  # the window of the uses kept has ended: a new one starts now
        count, ends = fresh
    count += 1
    backend.set(key, (count, ends), max(1, math.ceil(ends - now)))
    return count


def _is_counter(value: object) -> TypeGuard[Counter]:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], float)
    )


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``limit`` uses of ``scope`` per client address in ``window`` seconds (the client's
    address behind trusted proxies: ``core.client_address``)."""

    scope: str
    limit: int = 5
    window: int = 60 * 60

    def key(self, request: HttpRequest) -> str:
        address = client_address(request) or ""
        return f"{self.scope}:rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]

    def exceeded(self, request: HttpRequest) -> bool:
        return used(self.key(request)) >= self.limit

    def count(self, request: HttpRequest) -> None:
        """One more use; the window starts with the first."""
        hit(self.key(request), self.window)

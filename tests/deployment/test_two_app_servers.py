"""Two app servers and one worker on one PostgreSQL database and one Redis, as in
docs/deploy.md: a person logged in through one server carries on through the other, the
lock-out counts failures made through both, and work queued by one is done by the worker.

Each server is a real `coop4int serve --no-worker`, production-like (DEBUG off, HTTPS behind
the proxy, __Host- cookies), in a fresh database of its own; Redis databases that hold nothing
are claimed for the cache and the queue, and emptied afterwards. On SQLite this module is
deselected (marker ``postgresql``); without Redis it is skipped, saying so.
"""

import json
import os
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from django.db import connection
from psycopg import sql

from tests.deployment.processes import (
    MailCollector,
    Processes,
    Visitor,
    coop4int,
    database_url,
    free_port,
    health,
    run,
    wait_until,
)

# django_db although the tests use the servers' database, not the test one: the suite's session
# fixtures (conftest.py) expect the test database to be set up, even when this module runs alone.
pytestmark = [pytest.mark.deployment, pytest.mark.postgresql, pytest.mark.django_db]

REDIS = os.environ.get("COOP4INT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
HOST = "coop4int.test"
CLAIM = "coop4int:deployment-test"
LOGIN = "/staff/login/"
VERIFY = "/staff/login/verify/"
HOME = "/staff/"
LOGOUT = "/staff/logout/"


def _claim_empty_redis_databases(count: int) -> list[int]:
    """Databases of the Redis server that hold no key, marked as taken by this test (another
    run on the same server looks for empty ones too)."""
    claimed: list[int] = []
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.dbsize() == 0 and client.set(CLAIM, os.getpid(), nx=True, ex=600):
            claimed.append(number)
            if len(claimed) == count:
                return claimed
    for number in claimed:
        redis.Redis.from_url(f"{REDIS}/{number}").flushdb()
    pytest.fail(f"Redis at {REDIS} has no {count} empty databases for this test")


@pytest.fixture(scope="module")
def redis_databases() -> Iterator[tuple[int, int]]:
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS} ({error}); set COOP4INT_TEST_REDIS_URL")
    cache_db, tasks_db = _claim_empty_redis_databases(2)
    try:
        yield cache_db, tasks_db
    finally:
        for number in (cache_db, tasks_db):
            redis.Redis.from_url(f"{REDIS}/{number}").flushdb()


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database; its DATABASE_URL."""
    params = connection.settings_dict
    name = f"coop4int_deploy_{secrets.token_hex(4)}"
    server = {
        "host": params.get("HOST") or "127.0.0.1",
        "port": params.get("PORT") or 5432,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url({**params, "NAME": name})
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def mail_server() -> Iterator[tuple[int, MailCollector]]:
    """The mail server the worker sends through (EMAIL_URL)."""
    collector = MailCollector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, collector
    finally:
        controller.stop()


@dataclass
class Site:
    env: dict[str, str]
    a: int  # the two app servers' ports
    b: int
    seeded: dict[str, str]
    processes: Processes
    mail: MailCollector

    def totp(self, username: str) -> str:
        """The account's current code, as its authenticator app shows it."""
        return run(self.env, [sys.executable, "-m", "tests.deployment.site_data", "totp",
                              username]).strip()  # fmt: skip

    def log_in(self, person: Visitor, username: str, port: int) -> None:
        """Both steps through the real pages of the server on ``port``."""
        step = person.submit(port, LOGIN, {"username": username,
                                           "password": self.seeded["password"]})  # fmt: skip
        assert (step.status, step.location) == (302, VERIFY), step.text[-2000:]
        done = person.submit(port, VERIFY, {"token": self.totp(username)})
        assert (done.status, done.location) == (302, HOME), done.text[-2000:]


@pytest.fixture(scope="module")
def site(fresh_database, redis_databases, mail_server, tmp_path_factory) -> Iterator[Site]:
    cache_db, tasks_db = redis_databases
    mail_port, mail = mail_server
    work = tmp_path_factory.mktemp("deployment")
    data_dir = work / "data"
    data_dir.mkdir()
    env = {
        # A clean environment, as a systemd unit gives (deploy/coop4int.env), not the test's.
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": HOST,
        "TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_URL": fresh_database,
        "CACHE_URL": f"{REDIS}/{cache_db}",
        "TASKS_URL": f"{REDIS}/{tasks_db}",
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "CASES_FROM_EMAIL": "Coop4Int <apoio@example.cv>",
        "CASES_MAIL_DOMAIN": "example.cv",
        "PUBLIC_URL": f"https://{HOST}",
        "COOP4INT_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }
    run(env, coop4int("migrate", "--noinput", "--verbosity", "0"))
    run(env, coop4int("collectstatic", "--noinput", "--verbosity", "0"))
    seeded = json.loads(run(env, [sys.executable, "-m", "tests.deployment.site_data", "seed"]))

    processes = Processes(work)
    a, b = free_port(), free_port()
    try:
        # The documented layout: one worker, and app servers that start none of their own.
        processes.start("worker", env, coop4int("rqworker", "default", "--job-class",
                                                 "django_tasks_rq.Job"))  # fmt: skip
        for name, port in (("a", a), ("b", b)):
            processes.start(name, env, coop4int("serve", "--no-worker", "--workers", "1",
                                                "--port", str(port)))  # fmt: skip

        def all_healthy() -> bool:
            processes.check_running()
            answers = [health(port, HOST) for port in (a, b)]
            return all(answer and answer["http_status"] == 200 for answer in answers)

        # Healthy: the database, the shared cache and a registered RQ worker all answer.
        wait_until(all_healthy, seconds=40, what="both servers healthy", on_failure=processes.logs)
        yield Site(env, a, b, seeded, processes, mail)
    finally:
        processes.stop_all()


def test_a_person_logged_in_through_one_server_carries_on_through_the_other(site):
    person = Visitor(HOST, "203.0.113.10")

    assert person.get(site.b, HOME).status == 302  # not logged in anywhere yet
    site.log_in(person, site.seeded["officer"], site.a)
    assert set(person.cookies) >= {"__Host-sessionid", "__Host-csrftoken"}

    home = person.get(site.b, HOME)
    assert home.status == 200
    assert f"Welcome, {site.seeded['officer_name']}" in home.text

    # Logging out through B (the button on every staff page) ends the session A gave.
    assert person.submit(site.b, LOGOUT, {}, form_page=HOME).status == 302
    assert person.get(site.a, HOME).status == 302


def test_the_lock_out_counts_failures_made_through_both_servers(site):
    intruder = Visitor(HOST, "203.0.113.66")
    colleague = site.seeded["colleague"]

    for attempt, port in enumerate([site.a, site.b, site.a, site.b], start=1):
        failed = intruder.submit(port, LOGIN, {"username": colleague, "password": "wrong-guess"})
        assert failed.status == 200, f"attempt {attempt}: HTTP {failed.status}"
        assert "The user name or the password is not right." in failed.text
    fifth = intruder.submit(site.a, LOGIN, {"username": colleague, "password": "wrong-guess"})
    assert fifth.status == 429

    # B saw two failures and A three; five in all lock the account, on both servers.
    for port in (site.b, site.a):
        refused = intruder.submit(
            port, LOGIN, {"username": colleague, "password": site.seeded["password"]}
        )
        assert refused.status == 429
        assert "Too many failed attempts" in refused.text

    # Counted per person's address (X-Forwarded-For from the proxy), not per proxy: the
    # account's holder, elsewhere, still gets to the second step.
    holder = Visitor(HOST, "203.0.113.67")
    step = holder.submit(site.b, LOGIN, {"username": colleague,
                                         "password": site.seeded["password"]})  # fmt: skip
    assert (step.status, step.location) == (302, VERIFY)


def test_work_queued_through_one_server_is_done_by_the_worker(site):
    person = Visitor(HOST, "203.0.113.20")
    site.log_in(person, site.seeded["replier"], site.a)
    case_page = f"/staff/cases/{site.seeded['case']}/"

    page = person.get(site.a, case_page)
    assert page.status == 200, page.text[-2000:]
    version = re.search(r'name="reply-version" value="(\d+)"', page.text)
    assert version
    sent = person.submit(site.a, case_page, {
        "action": "reply", "reply-channel": "email", "reply-version": version.group(1),
        "reply-body": "Traga o passaporte e duas fotografias.",
    })  # fmt: skip
    assert sent.status == 302, sent.text[-2000:]

    # The reply is e-mailed by the worker (an RQ job), not by the server that took it.
    wait_until(lambda: site.mail.messages, seconds=20, what="the worker to send the reply",
               on_failure=site.processes.logs)  # fmt: skip
    recipients, message = site.mail.messages[0]
    assert recipients == ["pessoa@example.cv"]
    assert site.seeded["case"] in message["Subject"]
    assert "Traga o passaporte" in message.get_body(("plain",)).get_content()
    assert "deliver_interaction" in site.processes.log("worker")

"""Fixtures shared by every test: units, staff of every role, logged-in clients, a browser."""

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import connection, transaction
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import sync_playwright

from coop4int.accounts.tests.factories import StaffFactory, UnitFactory, log_in_verified
from coop4int.directory.tests.hsds_reference import HSDSSchemas, reference_dir_or_skip

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests and
# by the live server are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("COOP4INT_CHROMIUM", "/usr/bin/chromium"))
NO_SKIPS = os.environ.get("COOP4INT_NO_SKIPS") == "1"

# Property tests explore new examples on a developer's machine; CI replays the same ones each
# run (HYPOTHESIS_PROFILE=ci in .ci/run), so a landing never depends on a random draw. A case
# found locally goes into the test as an @example.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Browser journeys leave live-server threads that may still hold a PostgreSQL connection
    when the session ends; the test database can only be dropped once they are gone."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with an empty cache: cached pages and rate-limit counts must not leak
    between tests. The default cache is a table of the test database (settings.CACHES): a test
    with database access clears it once that access is open, and what it writes there goes
    with its transaction (or, for a transactional test, with the next test's clearing); a test
    without database access cannot reach it. A cache in memory is cleared after each test too."""
    uses_db = bool(
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("db")  # opens the access first, whatever the test's order
    in_database = isinstance(caches["default"], BaseDatabaseCache)
    if uses_db or not in_database:
        cache.clear()
    yield
    if not in_database:
        cache.clear()


def _tests_own_settings(storages: dict) -> dict[str, object]:
    # Fast hashing in tests (argon2 is asserted by its own test), tasks run at once, static
    # files found without a collectstatic manifest.
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "STORAGES": {
            **storages,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings: pytest.FixtureRequest) -> None:
    for name, value in _tests_own_settings(settings.STORAGES).items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def rows_kept(django_db_setup, django_db_blocker) -> Callable[..., AbstractContextManager]:  # type: ignore[no-untyped-def]
    """``with rows_kept(build, **settings) as built:`` — the rows ``build()`` writes, written
    once for a group of tests (a class's, or those of one parameter of a class-scoped
    ``parametrize``) instead of once by each of them.

    They are written inside a transaction that stays open while the group's tests run and is
    rolled back after the last of them; each test still runs in its own savepoint inside it
    (pytest-django's ``db``), rolled back at its end, so that every test starts from exactly the
    rows ``build()`` wrote. ``settings`` (and the tests' own: fast hashing, tasks at once) hold
    from the build to that end. Only for tests that neither commit (not ``transactional_db``,
    not ``live_server``) nor close the connection: a response the test client gave back is
    closed already, and closing it again ends the request once more — which closes the
    connection, found in a transaction. Objects kept in memory are shared too: a test that
    changes one works on a copy (``copy.deepcopy``)."""

    @contextmanager
    def keep(build: Callable[[], object], **settings: object) -> Iterator[object]:
        with override_settings(**_tests_own_settings(django_settings.STORAGES), **settings):
            with django_db_blocker.unblock():
                outer = transaction.atomic()
                outer._from_testcase = True  # as Django's own TestCase marks its class's
                outer.__enter__()
                try:
                    built = build()
                except BaseException:
                    transaction.set_rollback(True)
                    outer.__exit__(None, None, None)
                    raise
            try:
                yield built
            finally:
                with django_db_blocker.unblock():
                    transaction.set_rollback(True)
                    outer.__exit__(None, None, None)

    return keep


# Reference data under ../shared may be absent from a checkout; its tests skip with this reason.
REFERENCE_DATA_SKIP = "reference data not found"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure — browser and PostgreSQL tests must really run. Only
    tests of reference data that is not there may skip."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not NO_SKIPS or reporter is None:
        return
    refused = [
        report.nodeid
        for report in reporter.stats.get("skipped", [])
        if REFERENCE_DATA_SKIP not in str(report.longrepr)
    ]
    if refused:
        reporter.write_line(
            f"COOP4INT_NO_SKIPS: {len(refused)} skipped test(s) fail this run:", red=True
        )
        for nodeid in refused:
            reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Units and staff -------------------------------------------------------------------------


@pytest.fixture
def national_unit(db):  # type: ignore[no-untyped-def]
    return UnitFactory(slug="aai", name="AAI", kind="national")


@pytest.fixture
def unit(national_unit):  # type: ignore[no-untyped-def]
    return UnitFactory(slug="praia", name="Praia", kind="local", parent=national_unit)


@pytest.fixture
def other_unit(national_unit):  # type: ignore[no-untyped-def]
    return UnitFactory(slug="mindelo", name="Mindelo", kind="local", parent=national_unit)


@pytest.fixture
def partner_unit(db):  # type: ignore[no-untyped-def]
    return UnitFactory(slug="health-centre", name="Health centre", kind="partner")


@pytest.fixture
def make_staff(db) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    def make(role: str, unit: object, **kwargs: object) -> object:
        return StaffFactory(unit=unit, roles=[role], **kwargs)

    return make


@pytest.fixture
def login_verified() -> Callable[[Client, object], Client]:
    """Log ``user`` into ``client`` as if both factors had been given."""
    return log_in_verified


# --- Reference data (../shared) -------------------------------------------------------------


@pytest.fixture(scope="session")
def hsds_reference() -> Path:
    """The HSDS 3.0 reference files; the test skips, saying so, when they are absent."""
    return reference_dir_or_skip()


@pytest.fixture(scope="session")
def hsds_schemas(hsds_reference: Path) -> HSDSSchemas:
    return HSDSSchemas(hsds_reference)


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="pt-PT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def gettext_available() -> bool:
    return shutil.which("xgettext") is not None


def _redundant(item: pytest.Item) -> bool:
    """Whether ``item`` is a parametrized case its module says it need not walk (its function
    ``redundant_case(test name, parameters)``: the access matrix's, with the reason there)."""
    judge = getattr(getattr(item, "module", None), "redundant_case", None)
    callspec = getattr(item, "callspec", None)
    if judge is None or callspec is None:
        return False
    return bool(judge(getattr(item, "originalname", item.name), callspec.params))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselected, not skipped: PostgreSQL-only tests when the suite runs on SQLite, and the
    cases a module names redundant (``_redundant``)."""
    on_postgresql = connection.vendor == "postgresql"
    kept, dropped = [], []
    for item in items:
        if (not on_postgresql and item.get_closest_marker("postgresql") is not None) or (
            _redundant(item)
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# --- A real SMTP server on loopback ------------------------------------------------------------


class SMTPCollector:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings, tmp_path) -> Iterator[SMTPCollector]:
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_FROM_EMAIL = "Coop4Int <apoio@example.cv>"
    settings.CASES_MAIL_DOMAIN = "example.cv"
    handler = SMTPCollector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
        ):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()

"""A refused request is logged in one line: no traceback for a 403."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.core.log_filters import ClientErrorsInOneLine

pytestmark = pytest.mark.django_db


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("django.request", "django.security"))]


def test_a_page_the_role_may_not_open_is_one_line_without_traceback(
    client, login_verified, make_staff, unit, caplog
):
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit))
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("backoffice:audit_log"))

    assert response.status_code == 403
    [record] = _records(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /staff/audit/"
    assert record.exc_info is None
    assert record.exc_text is None
    assert "Traceback" not in caplog.text


def test_a_refused_csrf_check_is_one_line_without_traceback(caplog):
    with caplog.at_level(logging.WARNING):
        response = Client(enforce_csrf_checks=True).post(
            reverse("accounts:login"), {"username": "someone", "password": "something"}
        )

    assert response.status_code == 403
    [record] = _records(caplog)
    assert record.name == "django.security.csrf"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    error = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", None,
        (ValueError, ValueError("broken"), None),
    )  # fmt: skip
    error.status_code = 500
    assert ClientErrorsInOneLine().filter(error)
    assert error.exc_info is not None

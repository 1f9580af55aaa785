"""Asking for a password-reset link: the mail leaves through the task queue, a few per address
and per client, and the page never tells whether an account uses the address or a limit was
reached."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks import task_backends

from coop4int.accounts.enums import Role
from coop4int.accounts.tasks import send_password_reset
from coop4int.core.models import AuditEntry

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")


def _client(address: str = "203.0.113.7") -> Client:
    return Client(headers={"accept-language": "en"}, REMOTE_ADDR=address)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, email="fatima@example.org")


def _ask(client: Client, email: str):
    return client.post(RESET, {"email": email})


def test_the_mail_is_queued_as_a_task_not_sent_in_the_request(officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    queue = task_backends["default"]

    response = _ask(_client(), officer.email)

    assert response.status_code == 302
    assert mail.outbox == []
    (queued,) = queue.results
    assert queued.task.func is send_password_reset.func
    assert queued.args[0] == [officer.pk]  # ids, not the address
    queued.task.call(*queued.args, **queued.kwargs)
    assert [message.to for message in mail.outbox] == [[officer.email]]
    assert "/staff/password-reset/" in mail.outbox[0].body


def test_the_page_answers_alike_for_a_known_and_an_unknown_address(officer):
    known = _ask(_client(), officer.email.upper())
    unknown = _ask(_client("203.0.113.8"), "nobody@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == DONE
    assert [message.to for message in mail.outbox] == [[officer.email]]
    entries = AuditEntry.objects.filter(action="accounts.password.reset_requested")
    assert sorted(entry.data["email"] for entry in entries) == [
        "FA***@EXAMPLE.ORG",
        "no***@example.org",
    ]
    assert not any(entry.data["limited"] for entry in entries)


def test_over_the_limit_for_one_address_nothing_is_sent_and_the_page_is_the_same(officer):
    answers = [_ask(_client(f"203.0.113.{n}"), officer.email) for n in range(1, 5)]

    assert {(answer.status_code, answer["Location"]) for answer in answers} == {(302, DONE)}
    assert len(mail.outbox) == 3
    last = AuditEntry.objects.filter(action="accounts.password.reset_requested").latest("pk")
    assert last.data["limited"] is True


def test_over_the_limit_for_one_client_nothing_is_sent_whatever_the_address(officer):
    client = _client()
    for n in range(5):
        _ask(client, f"nobody{n}@example.org")  # unknown addresses count like known ones

    limited = _ask(client, officer.email)
    elsewhere = _ask(_client("198.51.100.1"), officer.email)

    assert (limited.status_code, limited["Location"]) == (302, DONE)
    assert elsewhere["Location"] == DONE
    assert [message.to for message in mail.outbox] == [[officer.email]]  # from elsewhere only


def test_a_malformed_address_is_refused_with_a_reason_and_counts_nothing(db):
    response = _ask(_client(), "not an address")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert not AuditEntry.objects.filter(action="accounts.password.reset_requested").exists()


def test_an_account_disabled_before_the_task_runs_gets_no_mail(officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _ask(_client(), officer.email)
    (queued,) = task_backends["default"].results
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    assert queued.task.call(*queued.args, **queued.kwargs) == 0
    assert mail.outbox == []

"""Polling unit mailboxes over IMAP. The IMAP server is the outside world: a small in-memory
stand-in answers imaplib's calls as a server would."""

import imaplib
from email.message import EmailMessage

import pytest

from coop4int.cases.models import Case, Interaction, Mailbox
from coop4int.channels.imap import poll
from coop4int.channels.tasks import poll_mailboxes

pytestmark = pytest.mark.django_db
IMAP_ERROR = imaplib.IMAP4.error


def mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Pessoa {n} <pessoa{n}@example.org>"
    message["To"] = "praia@example.org"
    message["Subject"] = f"Pedido {n}"
    message["Message-ID"] = f"<imap-{n}@example.org>"
    message.set_content("Bom dia.")
    return bytes(message)


class FakeServer:
    """What the mailbox holds: uid → (raw message, seen)."""

    def __init__(self, messages: dict[bytes, bytes]) -> None:
        self.messages = {uid: [raw, False] for uid, raw in messages.items()}
        self.logins: list[tuple[str, str]] = []
        self.fail_fetch_after: int | None = None
        self.fetched = 0

    def client(self, host: str, port: int, timeout: float) -> "FakeClient":
        return FakeClient(self)


class FakeClient:
    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        if password != "secret":
            raise IMAP_ERROR("authentication failed")
        self.server.logins.append((user, password))
        return "OK", [b"logged in"]

    def select(self, folder: str) -> tuple[str, list[bytes]]:
        return ("OK", [b"1"]) if folder == "INBOX" else ("NO", [b"no such folder"])

    def uid(self, command: str, *args: object) -> tuple[str, list[object]]:
        if command == "SEARCH":
            unseen = [uid for uid, (_raw, seen) in self.server.messages.items() if not seen]
            return "OK", [b" ".join(unseen)]
        assert isinstance(args[0], str)
        uid = args[0].encode()
        if command == "FETCH":
            limit = self.server.fail_fetch_after
            if limit is not None and self.server.fetched >= limit:
                raise OSError("connection reset")
            self.server.fetched += 1
            return "OK", [(uid + b" (BODY[] {n})", self.server.messages[uid][0]), b")"]
        if command == "STORE":
            self.server.messages[uid][1] = True
            return "OK", []
        raise AssertionError(command)

    def logout(self) -> tuple[str, list[bytes]]:
        return "BYE", []


@pytest.fixture
def server(monkeypatch, unit):
    fake = FakeServer({str(n).encode(): mail(n) for n in range(1, 6)})
    monkeypatch.setattr(imaplib, "IMAP4", fake.client)
    monkeypatch.setenv("PRAIA_MAILBOX_PASSWORD", "secret")
    return fake


@pytest.fixture
def mailbox(unit):
    return Mailbox.objects.create(
        unit=unit, host="imap.example.org", port=143, use_ssl=False,
        username="praia@example.org", password_env="PRAIA_MAILBOX_PASSWORD",
    )  # fmt: skip


def test_unseen_messages_are_filed_and_flagged_seen(server, mailbox, unit):
    result = poll(mailbox)
    assert (result.filed, result.refused, result.error) == (5, 0, "")
    assert Case.objects.filter(unit=unit).count() == 5
    assert all(seen for _raw, seen in server.messages.values())
    assert server.logins == [("praia@example.org", "secret")]
    assert poll(mailbox).filed == 0  # nothing unseen is left


def test_a_poll_cut_short_is_run_again_without_loss_or_duplicates(server, mailbox):
    server.fail_fetch_after = 3
    result = poll(mailbox)
    assert result.filed == 3
    assert "connection reset" in result.error
    mailbox.refresh_from_db()
    assert "connection reset" in mailbox.last_error
    server.fail_fetch_after = None
    # The third message was filed but the cut came before it was flagged? It is stored once.
    server.messages[b"3"][1] = False
    assert poll(mailbox).filed == 3
    assert Interaction.objects.count() == 5
    assert Interaction.objects.values("message_id").distinct().count() == 5


def test_a_refused_message_is_flagged_and_does_not_block_the_mailbox(server, mailbox):
    server.messages[b"2"][0] = b"no headers at all"
    result = poll(mailbox)
    assert (result.filed, result.refused) == (4, 1)
    assert server.messages[b"2"][1] is True


def test_a_wrong_password_is_recorded_on_the_mailbox(server, mailbox, monkeypatch):
    monkeypatch.setenv("PRAIA_MAILBOX_PASSWORD", "wrong")
    assert poll(mailbox).error == "authentication failed"
    assert not Case.objects.exists()


def test_the_periodic_task_polls_every_active_mailbox(server, mailbox, unit):
    Mailbox.objects.create(unit=unit, host="x", username="off", password_env="X", is_active=False)
    assert poll_mailboxes.call() == 5


def test_mailboxes_are_added_listed_polled_and_disabled_from_the_command(server, unit):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("mailbox", "add", "--unit", unit.slug, "--host", "imap.example.org",
                 "--user", "praia@example.org", "--password-env", "PRAIA_MAILBOX_PASSWORD",
                 "--port", "143", "--no-ssl", stdout=out)  # fmt: skip
    mailbox = Mailbox.objects.get()
    assert not mailbox.use_ssl
    call_command("mailbox", "poll", stdout=out)
    assert "5 filed, 0 refused" in out.getvalue()
    call_command("mailbox", "list", stdout=out)
    assert f"unit={unit.slug} active" in out.getvalue()
    call_command("mailbox", "disable", str(mailbox.pk), stdout=out)
    mailbox.refresh_from_db()
    assert not mailbox.is_active
    with pytest.raises(CommandError):
        call_command("mailbox", "add", "--unit", "nowhere", "--host", "h", "--user", "u",
                     "--password-env", "X")  # fmt: skip

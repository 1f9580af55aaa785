"""A messaging gateway for the training tests that keeps what it is asked to send."""

from typing import Any

from coop4int.channels import providers


class FakeGateway:
    """A messaging provider that keeps what it is asked to send (or refuses, when told to)."""

    name = "fake"

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        if self.fail:
            raise providers.SendFailed(f"the gateway refused {to}")
        self.sent.append({"to": to, "body": body, "whatsapp": whatsapp, "template": template})
        return f"SM{len(self.sent)}"


def use_fake_gateway(settings: Any, monkeypatch: Any, *, fail: bool = False) -> FakeGateway:
    """Messages by SMS and WhatsApp go to a new ``FakeGateway``, returned."""
    fake = FakeGateway(fail=fail)
    monkeypatch.setitem(providers.PROVIDERS, "fake", lambda: fake)
    settings.MESSAGING_PROVIDER = "fake"
    return fake

"""In production every cookie the platform sets is a ``__Host-`` cookie: sent only over HTTPS,
to this exact host, for the whole site — the messages cookie too."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from coop4int.core.message_storage import NamedFallbackStorage

LIST_COOKIES = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.messages.storage import default_storage
from django.test import RequestFactory
names = {name: getattr(settings, name) for name in dir(settings) if name.endswith("_COOKIE_NAME")}
request = RequestFactory().get("/")
request.session = {}
cookie_storage = default_storage(request).storages[0]
names["messages storage"] = cookie_storage.cookie_name
names["SECURE_PROXY_SSL_HEADER"] = settings.SECURE_PROXY_SSL_HEADER
print(json.dumps(names))
"""


def test_every_cookie_name_in_production_has_the_host_prefix(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "coop4int.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "COOP4INT_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", LIST_COOKIES],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = json.loads(result.stdout)

    # X-Forwarded-Proto is believed through TRUSTED_PROXIES only, never from anyone by Django.
    assert names.pop("SECURE_PROXY_SSL_HEADER") is None
    assert {"SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME",
            "MESSAGE_COOKIE_NAME", "messages storage"} <= set(names)  # fmt: skip
    assert {name: value for name, value in names.items() if not value.startswith("__Host-")} == {}
    assert names["messages storage"] == "__Host-messages"


PRODUCTION_COOKIES = {
    "MESSAGE_COOKIE_NAME": "__Host-messages",
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
    "LANGUAGE_COOKIE_NAME": "__Host-language",
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
}


@pytest.mark.django_db
def test_a_message_is_kept_in_a_host_cookie(client, settings):
    for name, value in PRODUCTION_COOKIES.items():
        setattr(settings, name, value)

    # The feedback form thanks with a message, then sends the reader back.
    response = client.post("/en/feedback/", {"page": "/en/", "message": "A wrong phone number."})

    assert response.status_code == 302
    cookie = response.cookies["__Host-messages"]
    assert cookie.value
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert "messages" not in response.cookies

    # The next page reads it, shows the message, and deletes the cookie the same way.
    page = client.get("/en/")
    assert "Thank you. Your message was received." in page.content.decode()
    deleted = page.cookies["__Host-messages"]
    assert deleted.value == ""
    assert deleted["secure"] is True
    assert deleted["path"] == "/"
    assert not deleted["domain"]


def test_the_storage_reads_its_cookie_by_the_name_the_settings_give(settings):
    settings.MESSAGE_COOKIE_NAME = "__Host-messages"
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    storage = NamedFallbackStorage(request)
    storage.add(messages.INFO, "Saved.")
    response = HttpResponse()
    storage.update(response)
    stored = response.cookies["__Host-messages"].value

    reader: HttpRequest = RequestFactory().get("/", HTTP_COOKIE=f"__Host-messages={stored}")
    reader.session = {}  # type: ignore[assignment]
    assert [str(message) for message in NamedFallbackStorage(reader)] == ["Saved."]

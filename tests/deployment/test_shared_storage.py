"""Uploaded files in one S3 bucket that every app server reaches (MEDIA_STORAGE_URL), against
a real S3-protocol server on loopback (moto's): a file uploaded through one server is read by
the worker and downloaded through another server, only by those the platform lets have it."""

import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel, Direction
from coop4int.content.domain.attachments import add_attachment, publish_attachment
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.core.media_storage import media_storage
from tests.deployment.processes import (
    Processes,
    coop4int,
    database_url,
    free_port,
    health,
    wait_until,
)

pytestmark = pytest.mark.deployment

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
REGION = "us-east-1"
KEYS = {"AWS_ACCESS_KEY_ID": "coop4int-test", "AWS_SECRET_ACCESS_KEY": "coop4int-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    name: str
    url: str  # MEDIA_STORAGE_URL
    endpoint: str
    client: Any

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return [entry["Key"] for entry in listing.get("Contents", [])]


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, settings, tmp_path) -> Bucket:
    """A new private bucket, made the default storage of this process; the data directory's
    media folder is left empty so that a file found there would show."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    name = f"media-{secrets.token_hex(4)}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION,
                          aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])  # fmt: skip
    client.create_bucket(Bucket=name)
    url = f"s3://{name}/uploads?endpoint_url={s3_endpoint}&region_name={REGION}"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(url)}
    return Bucket(name, url, s3_endpoint, client)


def _cookie(client: Client) -> str:
    return f"sessionid={client.cookies['sessionid'].value}"


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), dict(error.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.mark.django_db(transaction=True)
def test_a_file_uploaded_through_one_server_is_served_by_another_and_only_to_staff_who_may(
    bucket, unit, other_unit, make_staff, client, login_verified, tmp_path
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    login_verified(client, officer)
    case, _secret = open_case(actor=officer, unit=unit, channel=Channel.EMAIL, subject="Visto",
                              body="Bom dia", reply_email="pessoa@example.cv")  # fmt: skip
    page = reverse("backoffice:case_detail", args=[case.reference])
    upload = SimpleUploadedFile("lista.pdf", PDF, "application/pdf")
    response = client.post(page, {"action": "reply", "reply-channel": "email",
                                  "reply-body": "Segue a lista", "reply-version": case.version,
                                  "reply-attachment": upload})  # fmt: skip
    assert response.status_code == 302

    attached = case.interactions.get(direction=Direction.OUT).files.get()
    assert bucket.keys() == [f"uploads/{attached.file.name}"]
    assert not (tmp_path / "media").exists()
    # The reply went out by e-mail with the file, read back from the bucket by its task.
    assert mail.outbox[0].attachments == [("lista.pdf", PDF, "application/pdf")]
    # Nobody reaches the object without the bucket's keys: it is not public.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(  # noqa: S310 - the test's own S3 server on loopback
            f"{bucket.endpoint}/{bucket.name}/uploads/{attached.file.name}", timeout=10
        )
    with refused.value:
        assert refused.value.code == 403

    # A second server with the same database and bucket and an empty data directory of its own.
    port = free_port()
    env = {
        **os.environ, **KEYS,
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_STORAGE_URL": bucket.url,
        "COOP4INT_DATA_DIR": str(tmp_path / "second"),
        "TASKS_URL": "immediate",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    processes = Processes(tmp_path)
    processes.start("second", env, coop4int("serve", "--no-worker", "--workers", "1",
                                            "--port", str(port)))  # fmt: skip
    try:
        wait_until(lambda: processes.check_running() or health(port, "127.0.0.1"), seconds=30,
                   what="the second server", on_failure=processes.logs)  # fmt: skip
        file_url = reverse("backoffice:case_file", args=[case.reference, attached.pk])

        status, body, headers = _get(port, page, _cookie(client))
        assert status == 200
        assert file_url in body.decode()
        assert bucket.endpoint.split("//")[1] not in body.decode()  # no address of the bucket

        status, body, headers = _get(port, file_url, _cookie(client))
        assert (status, body) == (200, PDF)
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment")

        assert _get(port, file_url)[0] == 302  # to the log-in page
        stranger = login_verified(Client(), make_staff(Role.FRONT_OFFICE_OFFICER, other_unit))
        assert _get(port, file_url, _cookie(stranger))[0] == 404
    finally:
        processes.stop_all()
    assert not (tmp_path / "second" / "media").exists()


@pytest.mark.django_db
def test_two_files_with_the_same_name_in_the_bucket_keep_their_own_content(
    bucket, make_staff, national_unit, client
):
    editor, reviewer = (make_staff(Role.CONTENT_EDITOR, national_unit) for _ in range(2))
    item = create_item(actor=editor, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    text = save_text(actor=editor, item=item, language="pt", title="Linha", summary="", body="")
    submit_for_review(actor=editor, translation=text)
    publish(actor=reviewer, translation=text)
    first, second = (
        publish_attachment(actor=reviewer, attachment=add_attachment(
            actor=editor, item=item, language="pt", title=title,
            upload=SimpleUploadedFile("x.pdf", PDF + title.encode(), "application/pdf"),
        ))
        for title in ("Cartão", "Folheto")
    )  # fmt: skip

    assert first.file.name != second.file.name  # both were named linha-pt.pdf
    assert len(bucket.keys()) == 2
    for attachment, title in ((first, "Cartão"), (second, "Folheto")):
        response = client.get(f"/pt/info/linha/files/{attachment.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF + title.encode()


def test_the_platform_refuses_to_start_with_a_wrong_storage_address(tmp_path):
    env = {**os.environ, "COOP4INT_DATA_DIR": str(tmp_path), "MEDIA_STORAGE_URL": "s3://K:S@media"}
    result = subprocess.run(
        [sys.executable, "-m", "coop4int", "check"], env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "MEDIA_STORAGE_URL must not hold keys" in result.stderr

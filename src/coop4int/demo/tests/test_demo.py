"""Demo data: loading it twice changes nothing; demo_otp gives a code the log-in accepts."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coop4int.accounts.enums import Role, UnitKind
from coop4int.accounts.models import AuthenticatorDevice, RoleAssignment, Unit, User
from coop4int.core.models import AuditEntry
from coop4int.demo.organisation import DEMO_PASSWORD

LOCAL_UNITS = {"praia", "mindelo", "espargos", "sal-rei"}


def _snapshot() -> dict[str, list[dict]]:
    models = (Unit, User, RoleAssignment, AuthenticatorDevice, AuditEntry)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


def _demo_otp(username: str) -> str:
    out = StringIO()
    call_command("demo_otp", username, stdout=out)
    return out.getvalue().strip()


def test_demo_otp_refuses_an_account_that_is_not_demo(db, settings, make_staff, unit):
    settings.DEBUG = True
    real = make_staff(Role.ADMINISTRATOR, unit)

    with pytest.raises(CommandError):
        _demo_otp(real.username)


@pytest.fixture(scope="class")
def _demo_rows(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo, loaded once for a class's tests and rolled back after them."""
    with rows_kept(_load, MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


class TestOnTheDemo:
    """Tests of the demo as loaded: each starts from it in a savepoint of its own."""

    @pytest.fixture
    def demo(self, _demo_rows, db):  # type: ignore[no-untyped-def]
        pass

    def test_loading_the_demo_twice_changes_nothing(self, demo):
        first = _snapshot()

        _load()

        assert _snapshot() == first
        assert first["User"]
        assert all(row["password"] for row in first["User"])

    def test_demo_has_the_national_authority_four_local_units_and_six_partners(self, demo):
        aai = Unit.objects.get(slug="aai", kind=UnitKind.NATIONAL_AUTHORITY)
        local = Unit.objects.filter(kind=UnitKind.LOCAL_UNIT)
        assert set(local.values_list("slug", flat=True)) == LOCAL_UNITS
        assert all(unit.parent == aai for unit in local)
        assert Unit.objects.filter(kind=UnitKind.PARTNER).count() == 6
        assert not Unit.objects.filter(is_demo=False).exists()

    def test_demo_has_an_account_for_every_role_with_an_authenticator(self, demo):
        assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role)
        demo_accounts = User.objects.filter(is_demo=True)
        assert demo_accounts.count() == User.objects.count()
        for account in demo_accounts:
            assert AuthenticatorDevice.objects.filter(user=account, confirmed=True).count() == 1

    def test_demo_otp_prints_a_code_the_log_in_accepts(self, client, demo, settings):
        settings.DEBUG = True
        code = _demo_otp("admin")
        assert re.fullmatch(r"\d{6}", code)
        client.post(reverse("accounts:login"), {"username": "admin", "password": DEMO_PASSWORD})
        response = client.post(reverse("accounts:verify"), {"token": code})

        assert response.url == reverse("backoffice:home")
        assert client.get(reverse("backoffice:home")).status_code == 200

    def test_demo_otp_refuses_when_debug_is_off(self, demo, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError):
            _demo_otp("admin")

    def test_a_second_editor_reviews_and_publishes_what_the_first_one_wrote(self, demo):
        """Publishing needs someone other than the text's author: with one editor only the
        administrator could (the demo's editors are ``editor`` and ``editora``)."""
        from coop4int.content.domain.workflow import create_item, publish, submit_for_review
        from coop4int.content.enums import ItemKind, TranslationStatus

        writer = User.objects.get(username="editor")
        reviewer = User.objects.get(username="editora")
        assert reviewer.is_demo
        assert reviewer.check_password(DEMO_PASSWORD)
        assert reviewer.roles == {Role.CONTENT_EDITOR} == writer.roles
        assert reviewer.unit == writer.unit
        item = create_item(actor=writer, slug="horario", kind=ItemKind.CARD, source_language="pt",
                           title="Horário", body="Abrimos às 8h.")  # fmt: skip
        text = item.translations.get()
        submit_for_review(actor=writer, translation=text)
        publish(actor=reviewer, translation=text)
        text.refresh_from_db()
        assert text.status == TranslationStatus.PUBLISHED

from typing import Any

import factory
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from coop4int.accounts.models import AuthenticatorDevice, RoleAssignment, Unit, User

PASSWORD = "a-long-test-password"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = "local"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        self.save()
        for role in extracted or []:
            RoleAssignment.objects.create(user=self, role=role)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if extracted is not False:
            AuthenticatorDevice.objects.create(user=self, name="authenticator app", confirmed=True)


def log_in_verified(client: Client, user: User) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = AuthenticatorDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def current_totp(user: User) -> str:
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:0{device.digits}d}"

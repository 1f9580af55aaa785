from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from coop4int.accounts.models import AuthenticatorDevice, User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (only with DEBUG on)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_otp is refused when DEBUG is off.")
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_demo:
            raise CommandError(f"{options['username']!r} is not a demo account.")
        device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{user.username!r} has no authenticator; run load_demo.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")

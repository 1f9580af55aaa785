from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.checks import check_field_encryption_keys


class AccountsConfig(AppConfig):
    name = "coop4int.accounts"
    label = "accounts"
    verbose_name = _("Staff and units")

    def ready(self) -> None:
        checks.register(check_field_encryption_keys, checks.Tags.security)

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "coop4int.learning"
    label = "learning"
    verbose_name = _("Training")

    def ready(self) -> None:
        from coop4int.learning.checks import check_credential_keys

        checks.register(check_credential_keys, checks.Tags.security)

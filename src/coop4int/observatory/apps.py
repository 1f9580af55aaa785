from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    name = "coop4int.observatory"
    label = "observatory"
    verbose_name = _("Migration Observatory")
